#!/usr/bin/env python3
"""Static checks of the Containerfile (ctest test `containerfile`), for machines where the image
cannot be built (no registry to pull debian:12 from): the instructions parse, both stages are
Debian 12, the image runs as the non-root uid the Kubernetes manifests expect, the store and the
control socket are volumes where the daemon's directory variables point, and the entrypoint is a
program the Debian package installs (packaging/package-files.txt, which the package test holds
equal to the real package).
Usage: test_containerfile.py
"""
import json
import os
import re
import shlex

from checklist import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..")
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
                "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def instructions(text):
    """(KEYWORD, arguments) of each instruction, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, args = pending.strip().partition(" ")
        out.append((keyword, args.strip()))
        pending = ""
    return out


steps = instructions(open(os.path.join(TOP, "Containerfile")).read())
unknown = [k for k, _ in steps if k not in INSTRUCTIONS]
check("every instruction is known (%d instructions)" % len(steps), steps and not unknown)
stages = []  # [(base, name, [(keyword, args)])]
for keyword, args in steps:
    if keyword == "FROM":
        words = args.split()
        stages.append((words[0], words[2] if len(words) == 3 and words[1].upper() == "AS" else None, []))
    elif stages:
        stages[-1][2].append((keyword, args))
check("multi-stage: %d stages" % len(stages), len(stages) >= 2 and steps[0][0] in ("FROM", "ARG"))
check("every stage is Debian 12 (%s)" % ", ".join(s[0] for s in stages),
      all(re.fullmatch(r"(docker\.io/library/)?debian:12(-slim)?", s[0]) for s in stages))
names = {s[1] for s in stages if s[1]}
copies_from = [re.search(r"--from=(\S+)", a).group(1) for s in stages for k, a in s[2]
               if k == "COPY" and "--from=" in a]
check("COPY --from names earlier stages %s" % copies_from, copies_from and set(copies_from) <= names)

final = stages[-1][2]


def last(keyword):
    values = [a for k, a in final if k == keyword]
    return values[-1] if values else None


user = last("USER") or "0"
uid, _, gid = user.partition(":")
check("runs as a numeric non-root user (USER %s)" % user, uid.isdigit() and int(uid) != 0 and (not gid or gid.isdigit()))
run_text = " ".join(a for k, a in final if k == "RUN")
check("the image's user edgesync is made with that uid and gid",
      re.search(r"useradd .*--uid %s\b" % uid, run_text) and re.search(r"groupadd .*--gid %s\b" % (gid or uid), run_text))
manifests = os.path.join(HERE, "kubernetes")
run_as = set()
for f in ("edge-daemonset.yaml", "cloud-statefulset.yaml"):
    text = open(os.path.join(manifests, f)).read()
    run_as |= {("user", v) for v in re.findall(r"^\s+runAsUser: (\d+)$", text, re.M) if v != "0"}
    run_as |= {("group", v) for v in re.findall(r"^\s+runAsGroup: (\d+)$", text, re.M)}
check("the Kubernetes manifests run the daemon as that uid and gid %s" % sorted(run_as),
      run_as == {("user", uid), ("group", gid or uid)})

env = {}
for k, a in final:
    if k == "ENV":
        env.update(w.split("=", 1) for w in shlex.split(a))
volumes = set(json.loads(last("VOLUME") or "[]"))
check("the store is a volume at $STATE_DIRECTORY (%s)" % env.get("STATE_DIRECTORY"),
      env.get("STATE_DIRECTORY") in volumes)
check("the control socket's directory is a volume at $RUNTIME_DIRECTORY (%s)" % env.get("RUNTIME_DIRECTORY"),
      env.get("RUNTIME_DIRECTORY") in volumes
      and env.get("EDGESYNC_SOCKET") == env.get("RUNTIME_DIRECTORY") + "/control.sock")
check("the configuration is the package's conffile directory", env.get("CONFIGURATION_DIRECTORY") == "/etc/edgesync")

entrypoint = json.loads(last("ENTRYPOINT") or "null")
packaged = set(open(os.path.join(TOP, "packaging", "package-files.txt")).read().split())
check("ENTRYPOINT %s is in exec form and a packaged program" % entrypoint,
      isinstance(entrypoint, list) and entrypoint and entrypoint[0] in packaged)
check("the package is what stage 2 installs", re.search(r"apt-get install .*edgesync_\*\.deb", run_text))

finish("Containerfile")
