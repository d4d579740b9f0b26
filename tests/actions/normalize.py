#!/usr/bin/env python3
"""normalize.py — prints `kubectl get deploy,rs -o json` (stdin) in a form two clusters can be
compared by: what differs between two equal runs (uids, resourceVersions, timestamps, managed
fields, the time in kubectl.kubernetes.io/restartedAt and the pod-template-hashes that time
produces) is replaced by placeholders; `"creationTimestamp": null` (which kubectl's Go client puts
into the templates it sends, and which means "absent") is dropped; items are sorted by kind and
name; keys sorted."""
import json
import re
import sys

DROP_META = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink")
RESTARTED = "kubectl.kubernetes.io/restartedAt"


def strip_meta(obj):
    meta = obj.get("metadata", {})
    for key in DROP_META:
        meta.pop(key, None)
    for ref in meta.get("ownerReferences", []):
        ref.pop("uid", None)


def strip_conditions(obj):
    for cond in obj.get("status", {}).get("conditions", []):
        cond.pop("lastUpdateTime", None)
        cond.pop("lastTransitionTime", None)


def restart_hashes(items):
    """Returns {pod-template-hash: placeholder} for ReplicaSets whose template carries restartedAt."""
    found = {}
    for item in items:
        if item.get("kind") != "ReplicaSet":
            continue
        tmpl = item.get("spec", {}).get("template", {}).get("metadata", {})
        if RESTARTED not in tmpl.get("annotations", {}):
            continue
        h = item.get("metadata", {}).get("labels", {}).get("pod-template-hash")
        rev = item.get("metadata", {}).get("annotations", {}).get("deployment.kubernetes.io/revision", "?")
        if h:
            found[h] = "HASH-restart-rev%s" % rev
    return found


def mask_restarts(obj):
    """Replaces every restartedAt value below obj with a placeholder; drops null creationTimestamps."""
    if isinstance(obj, dict):
        if "creationTimestamp" in obj and obj["creationTimestamp"] is None:
            del obj["creationTimestamp"]
        for key, value in obj.items():
            if key == RESTARTED:
                obj[key] = "<time>"
            else:
                mask_restarts(value)
    elif isinstance(obj, list):
        for value in obj:
            mask_restarts(value)


def main():
    doc = json.load(sys.stdin)
    items = doc.get("items", [])
    for item in items:
        strip_meta(item)
        strip_conditions(item)
        mask_restarts(item)
    hashes = restart_hashes(json.loads(json.dumps(items)))
    text = json.dumps(items, sort_keys=True)
    for h, placeholder in hashes.items():
        text = re.sub(re.escape(h), placeholder, text)
    items = json.loads(text)
    items.sort(key=lambda i: (i.get("kind", ""), i.get("metadata", {}).get("name", "")))
    json.dump(items, sys.stdout, sort_keys=True, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
