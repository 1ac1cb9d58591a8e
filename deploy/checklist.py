"""A list of named checks for the deploy/ test scripts: each prints ok or FAIL as it runs, and
finish() exits non-zero when any failed (every check runs, so one run shows every problem)."""
import sys

_failures = []


def check(what, ok):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        _failures.append(what)


def finish(subject):
    if _failures:
        print("%s: %d check(s) failed" % (subject, len(_failures)))
        sys.exit(1)
    print("%s: all checks passed" % subject)
