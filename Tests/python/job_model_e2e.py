#!/usr/bin/env python3
"""The one job model seen from the command line, against `comfytop mock`:
- `submit --wait --data-dir DIR` records the run into DIR (not the default store);
- `watch --json` reports every job of a mixed workload (another client's, anonymous, failing, cached) from start
  to end, once each, with no NaN/Infinity and no raw control characters.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402
binary = comfytop_binary()
work = tempfile.mkdtemp(prefix="comfytop-jobs-")
env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "xdg"), XDG_CONFIG_HOME=os.path.join(work, "config"))
mock, url = start_mock(binary, os.path.join(work, "data"))
check = Checks()


def slow(seed, steps=3, delay=30):
    return {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 32, "height": 16, "batch_size": 1, "color": 255}},
        "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": steps, "delay_ms": delay,
                                                    "send_preview": False, "send_text": False, "seed": seed}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "jobs/run"}},
    }


def failing():
    return {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 32, "height": 16, "batch_size": 1, "color": 1}},
        "2": {"class_type": "FailAfter", "inputs": {"image": ["1", 0], "steps": 3, "fail_at": 1, "delay_ms": 20}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "jobs/fail"}},
    }


def post(url, path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def get(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return json.loads(r.read())


try:
    # submit --wait --data-dir DIR: the run is in DIR's store, and the default store is untouched.
    wf = os.path.join(work, "wf.json")
    with open(wf, "w") as f:
        json.dump(slow(1), f)
    store = os.path.join(work, "elsewhere")
    p = subprocess.run([binary, "submit", wf, "--wait", "--no-download", "--json", "--url", url, "--data-dir", store],
                       capture_output=True, text=True, timeout=120, env=env, cwd=work)
    check(p.returncode == 0, f"submit --wait exits 0 (exit {p.returncode})")
    pid = json.loads(p.stdout or "{}").get("prompt_id", "")
    q = subprocess.run([binary, "history", "--local", "--json", "--data-dir", store, "--url", url],
                       capture_output=True, text=True, timeout=60, env=env, cwd=work)
    ids = [r.get("prompt_id") for r in json.loads(q.stdout or "{}").get("runs", [])] if q.returncode == 0 else []
    check(pid and pid in ids, "submit --wait --data-dir DIR records the run into DIR")
    default_store = os.path.join(work, "xdg", "comfytop", "history.sqlite")
    check(not os.path.exists(default_store), "and not into the default store")

    # watch --json through a mixed workload.
    watch = subprocess.Popen([binary, "watch", "--json", "--url", url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(1.0)  # the watcher's first queue read
    same = slow(2)
    submitted = {
        post(url, "/prompt", {"prompt": slow(3), "client_id": "browser-1"})["prompt_id"]: ("finished", "foreign"),
        post(url, "/prompt", {"prompt": same})["prompt_id"]: ("finished", "anonymous"),
        post(url, "/prompt", {"prompt": same})["prompt_id"]: ("finished", "anonymous"),
        post(url, "/prompt", {"prompt": failing()})["prompt_id"]: ("failed", "anonymous"),
        post(url, "/prompt", {"prompt": failing(), "client_id": "browser-2"})["prompt_id"]: ("failed", "foreign"),
    }
    deadline = time.time() + 60
    while time.time() < deadline:
        hist = get(url, "/history")
        if all(i in hist for i in submitted):
            break
        time.sleep(0.2)
    time.sleep(4)  # the last history lookups and the events they bring
    watch.terminate()
    out, err = watch.communicate(timeout=20)
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    check(not re.search(r"\bNaN\b|Infinity", out), "watch --json writes no NaN or Infinity")
    check(not any(ord(c) < 0x20 and c != "\n" for c in out), "watch --json writes no raw control characters")
    for pid, (ending, source) in submitted.items():
        mine = [e for e in events if e["prompt_id"] == pid]
        ends = [e for e in mine if e["event"] in ("finished", "failed", "interrupted", "removed")]
        check(len(ends) == 1 and ends[0]["event"] == ending and ends[0]["source"] == source,
              f"watch: {source} job {pid[:8]} ends once, as {ending} ({[e['event'] for e in mine]})")
        if ending == "failed":
            check(any("FailAfter" in e.get("error", "") for e in ends), "watch: the failure names the node")
finally:
    stop(mock)

check.finish()
