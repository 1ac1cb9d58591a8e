#!/usr/bin/env python3
"""Checks deploy/prometheus/ and deploy/grafana/: ctest test `prometheus_alerts`.

`promtool check rules` and `promtool test rules` run on the alert rules and their tests; every
alert must have a test case where it fires and one where it does not. Every edgesync metric the
rules, their test series and the Grafana dashboard use must be a row of the metric table in
docs/status-protocol.md, the dashboard's queries must parse as PromQL (promtool checks them as
recording rules, Grafana's $instance replaced by a regex) and show every metric an alert uses.
Exits 77 (skipped) when promtool is not installed (scripts/setup.sh installs `prometheus`).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from checklist import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "prometheus", "edgesync-alerts.yml")
RULE_TESTS = os.path.join(HERE, "prometheus", "edgesync-alerts.test.yml")
DASHBOARD = os.path.join(HERE, "grafana", "edgesync.json")
PROTOCOL_DOC = os.path.join(HERE, "..", "docs", "status-protocol.md")
METRIC = re.compile(r"\bedgesync_[a-z0-9_]+")


def promtool(*args):
    run = subprocess.run(["promtool", *args], capture_output=True, text=True)
    output = (run.stdout + run.stderr).strip()
    if run.returncode != 0:
        print(output)
    return run.returncode == 0


def documented_metrics():
    """Metric name -> type, from the rows of the metric table."""
    out = {}
    for line in open(PROTOCOL_DOC):
        row = re.match(r"\| `(edgesync_[a-z0-9_]+)` \| (\w+) \|", line)
        if row:
            out[row.group(1)] = row.group(2)
    return out


def undocumented(names, documented):
    """The names that are neither a documented metric nor a series of a documented histogram."""
    def known(name):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        return name in documented or documented.get(base) == "histogram"
    return sorted(n for n in names if not known(n))


def check_rules(documented):
    check("promtool check rules accepts the alert rules", promtool("check", "rules", RULES))
    check("promtool test rules passes", promtool("test", "rules", RULE_TESTS))
    rules = [r for g in yaml.safe_load(open(RULES))["groups"] for r in g["rules"]]
    cases = [c for t in yaml.safe_load(open(RULE_TESTS))["tests"] for c in t.get("alert_rule_test", [])]
    for rule in rules:
        name = rule["alert"]
        mine = [c for c in cases if c["alertname"] == name]
        check("%s has a test case where it fires" % name, any(c.get("exp_alerts") for c in mine))
        check("%s has a test case where it does not fire" % name, any(not c.get("exp_alerts") for c in mine))
    used = {m for r in rules for m in METRIC.findall(r["expr"])}
    missing = undocumented(used, documented)
    check("every metric the rules use is documented (missing: %s)" % missing, not missing)
    series = {m for t in yaml.safe_load(open(RULE_TESTS))["tests"] for s in t.get("input_series", [])
              for m in METRIC.findall(s["series"])}
    missing = undocumented(series, documented)
    check("every metric the rule tests feed is documented (missing: %s)" % missing, not missing)
    return used


def check_dashboard(documented, alert_metrics):
    try:
        dashboard = json.load(open(DASHBOARD))
    except ValueError as error:
        check("the dashboard is JSON (%s)" % error, False)
        return
    check("the dashboard is JSON", True)
    exprs = [t["expr"] for p in dashboard.get("panels", []) for t in p.get("targets", [])]
    check("the dashboard has queries", bool(exprs))
    used = {m for e in exprs for m in METRIC.findall(e)}
    missing = undocumented(used, documented)
    check("every metric the dashboard uses is documented (missing: %s)" % missing, not missing)
    unshown = sorted(alert_metrics - used)
    check("every metric an alert uses is on the dashboard (missing: %s)" % unshown, not unshown)
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": "dashboard:query_%d" % i, "expr": e.replace("$instance", ".*")} for i, e in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        check("every dashboard query parses as PromQL", promtool("check", "rules", f.name))


def main():
    if not shutil.which("promtool"):
        print("promtool is not installed (Debian package prometheus; scripts/setup.sh installs it): skipped")
        sys.exit(77)
    documented = documented_metrics()
    check("the metric table of docs/status-protocol.md was read", len(documented) > 20)
    alert_metrics = check_rules(documented)
    check_dashboard(documented, alert_metrics)
    finish("alert rules and dashboard")


main()
