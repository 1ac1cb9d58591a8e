#!/usr/bin/env python3
"""Validates deploy/kubernetes/ offline with kubectl (no cluster): ctest test `kubernetes`.

kubectl's --local commands parse the manifests without a server: `label --local` reads every
document as it is written, and `set env --local` (pods' owners) and `set selector --local`
(Services) decode them into the typed API objects of kubectl's own scheme, which fails on an
unknown kind or a wrong type. A field the typed object does not know is dropped by that
decoding, so every field written must survive it. Then the manifests are checked against what
docs/operations.md promises of them.
Usage: test_manifests.py [KUBERNETES_DIR]
"""
import json
import os
import subprocess
import sys

from checklist import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFESTS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "kubernetes")
VERSION = open(os.path.join(HERE, "..", "VERSION")).readline().strip()
PARSED_LABEL = "edgesync.test/parsed"


def documents(text):
    """The JSON documents kubectl printed one after the other."""
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        doc, pos = decoder.raw_decode(text, pos)
        out.extend(doc["items"] if doc.get("kind") == "List" else [doc])


def kubectl(*args):
    run = subprocess.run(["kubectl", *args], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("kubectl %s: %s" % (" ".join(args), run.stderr.strip()))
    return documents(run.stdout)


def dropped(written, typed, path=""):
    """Paths present in `written` but missing from `typed`: fields the API does not know."""
    if isinstance(written, dict) and isinstance(typed, dict):
        return [p for k, v in written.items()
                for p in ([path + "." + k] if k not in typed else dropped(v, typed[k], path + "." + k))]
    if isinstance(written, list) and isinstance(typed, list) and len(written) == len(typed):
        return [p for i, (w, t) in enumerate(zip(written, typed)) for p in dropped(w, t, "%s[%d]" % (path, i))]
    return []


def name(obj):
    return "%s/%s" % (obj["kind"], obj["metadata"]["name"])


files = sorted(f for f in os.listdir(MANIFESTS) if f.endswith(".yaml"))
objects = []
for f in files:
    path = os.path.join(MANIFESTS, f)
    written = kubectl("label", "--local", "-o", "json", "-f", path, PARSED_LABEL + "=yes")
    for obj in written:  # the label only made kubectl print; the objects are as written
        labels = obj["metadata"]["labels"]
        del labels[PARSED_LABEL]
        if not labels:
            del obj["metadata"]["labels"]
    check("%s parses: %s" % (f, ", ".join(map(name, written))), len(written) > 0)
    typed = {}
    if any(o["kind"] in ("DaemonSet", "StatefulSet", "Deployment") for o in written):
        typed.update((name(o), o) for o in kubectl("set", "env", "--local", "-o", "json", "-f", path,
                                                   "EDGESYNC_TEST=1"))
    if any(o["kind"] == "Service" for o in written):
        typed.update((name(o), o) for o in kubectl("set", "selector", "--local", "-o", "json", "-f", path,
                                                   "edgesync.test/selector=yes"))
    for obj in written:
        if name(obj) in typed:
            # `set selector` replaced the Service's selector (a plain string map); compare the rest.
            as_written = json.loads(json.dumps(obj))
            if obj["kind"] == "Service":
                del as_written["spec"]["selector"]
            unknown = dropped(as_written, typed[name(obj)])
            check("%s decodes with no unknown field %s" % (name(obj), unknown), not unknown)
    objects.extend(written)

by_kind = {}
for obj in objects:
    by_kind.setdefault(obj["kind"], []).append(obj)
pod_owners = by_kind.get("DaemonSet", []) + by_kind.get("StatefulSet", []) + by_kind.get("Deployment", [])
edge = next(o for o in by_kind["DaemonSet"] if o["metadata"]["name"] == "edgesync-edge")
cloud = next(o for o in by_kind["StatefulSet"] if o["metadata"]["name"] == "edgesync-cloud")
secret_keys = {o["metadata"]["name"]: set(o.get("stringData", {})) | set(o.get("data", {}))
               for o in by_kind.get("Secret", [])}


def pod(o):
    return o["spec"]["template"]["spec"]


def containers(o):
    return pod(o).get("initContainers", []) + pod(o)["containers"]


def volume(o, vol_name):
    return next(v for v in pod(o)["volumes"] if v["name"] == vol_name)


for o in (edge, cloud):
    sc = pod(o)["securityContext"]
    check("%s runs as a non-root user" % name(o), sc.get("runAsNonRoot") is True and sc.get("runAsUser", 0) != 0)
    daemon = next(c for c in pod(o)["containers"] if c["name"] == "edgesyncd")
    check("%s runs image edgesync:%s" % (name(o), VERSION),
          all(c["image"] == "edgesync:" + VERSION for c in containers(o)))
    annotations = o["spec"]["template"]["metadata"].get("annotations", {})
    status_port = next(p["containerPort"] for p in daemon["ports"] if p["name"] == "status")
    check("%s is scraped by Prometheus on its status port" % name(o),
          annotations.get("prometheus.io/scrape") == "true"
          and annotations.get("prometheus.io/port") == str(status_port)
          and annotations.get("prometheus.io/path") == "/metrics")
    mounts = {m["mountPath"]: m for m in daemon["volumeMounts"]}
    check("%s: the store is at /var/lib/edgesync" % name(o), "/var/lib/edgesync" in mounts)
    cli = next(c for c in pod(o)["containers"] if c["name"] == "cli")
    control = mounts["/run/edgesync"]["name"]
    check("%s: the cli container shares the control socket's volume" % name(o),
          any(m["name"] == control and m["mountPath"] == "/run/edgesync" for m in cli["volumeMounts"])
          and "emptyDir" in volume(o, control))
    cluster = volume(o, mounts["/etc/edgesync/cluster"]["name"])["secret"]["secretName"]
    config = mounts["/etc/edgesync/edgesync.toml"]
    check("%s: identity from Secret %s, config %s in Secret" % (name(o), cluster, config["subPath"]),
          cluster in secret_keys and "ca.crt" in secret_keys[cluster]
          and config["subPath"] in secret_keys[volume(o, config["name"])["secret"]["secretName"]])

check("edge DaemonSet runs on KubeEdge edge nodes only",
      pod(edge).get("nodeSelector") == {"node-role.kubernetes.io/edge": ""})
edge_mounts = {m["mountPath"]: m["name"] for m in pod(edge)["containers"][0]["volumeMounts"]}
check("edge DaemonSet keeps the store on the node (hostPath /var/lib/edgesync)",
      volume(edge, edge_mounts["/var/lib/edgesync"]).get("hostPath", {}).get("path") == "/var/lib/edgesync")
check("cloud StatefulSet keeps the store in a PersistentVolumeClaim",
      any(t["metadata"]["name"] == edge_mounts.get("/var/lib/edgesync", "store")
          for t in cloud["spec"].get("volumeClaimTemplates", [])))
headless = [s for s in by_kind["Service"] if s["spec"].get("clusterIP") == "None"]
check("cloud StatefulSet's serviceName is a headless Service",
      any(s["metadata"]["name"] == cloud["spec"]["serviceName"] for s in headless))

for svc in by_kind["Service"]:
    selected = [o for o in pod_owners
                if svc["spec"]["selector"].items() <= o["spec"]["template"]["metadata"]["labels"].items()]
    ports = {p["name"] for o in selected for c in pod(o)["containers"] for p in c.get("ports", [])}
    check("%s selects pods that have its target ports" % name(svc),
          selected and all(p["targetPort"] in ports for p in svc["spec"]["ports"]))

inference = next(o for o in by_kind["Deployment"] if o["metadata"]["name"] == "helmet-inference")
deployments_dir = volume(edge, edge_mounts["/srv/edgesync"])["hostPath"]["path"]
reads = [m for c in containers(inference) for m in c["volumeMounts"] if m["mountPath"] == deployments_dir]
check("inference pod mounts the edge daemon's %s read-only, at the same path" % deployments_dir,
      reads and all(m.get("readOnly") is True for m in reads)
      and all(volume(inference, m["name"]).get("hostPath", {}).get("path") == deployments_dir for m in reads))
check("inference pod runs on edge nodes", pod(inference).get("nodeSelector") == pod(edge)["nodeSelector"])

finish("kubernetes manifests")
