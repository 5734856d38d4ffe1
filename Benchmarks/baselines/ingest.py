#!/usr/bin/env python3
"""B1 baseline: what the seeds' Python clients do per frame — json.loads, then a dict-based state update."""
import json
import sys
import time

lines = open(sys.argv[1], "rb").read().split(b"\n")
lines = [l for l in lines if l]
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
jobs = {}
start = time.perf_counter()
for _ in range(passes):
    for line in lines:
        msg = json.loads(line)
        kind, data = msg.get("type"), msg.get("data") or {}
        if kind == "status":
            remaining = data["status"]["exec_info"]["queue_remaining"]
        elif kind in ("progress", "executing", "execution_start"):
            job = jobs.setdefault(data.get("prompt_id"), {"nodes": {}, "current": None})
            if kind == "progress":
                job["nodes"].setdefault(data["node"], {})["value"] = data["value"]
                job["nodes"][data["node"]]["max"] = data["max"]
            elif kind == "executing":
                job["current"] = data.get("node")
        elif kind == "progress_state":
            job = jobs.setdefault(data["prompt_id"], {"nodes": {}, "current": None})
            for node_id, entry in data["nodes"].items():
                n = job["nodes"].setdefault(node_id, {})
                n["value"], n["max"], n["state"] = entry["value"], entry["max"], entry["state"]
seconds = time.perf_counter() - start
n = len(lines) * passes
print(json.dumps({"frames": n, "seconds": seconds, "per_second": n / seconds, "jobs": len(jobs)}))
