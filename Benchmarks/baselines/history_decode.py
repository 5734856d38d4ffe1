#!/usr/bin/env python3
"""B2 baseline: json.loads of a /history body, then the list of entries a client keeps."""
import json
import resource
import sys
import time

# Peak memory counts the body itself: RSS is read before the file is.
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
history = json.loads(data)
entries = [(pid, e["status"]["status_str"], [f for o in e["outputs"].values() for f in o.get("images", [])])
           for pid, e in history.items()]
seconds = time.perf_counter() - start
print(json.dumps({"entries": len(entries), "bytes": len(data), "seconds": seconds,
                  "mb_per_s": len(data) / 1e6 / seconds,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rss_before_kb": before}))
