#!/usr/bin/env python3
"""What comfytop does differently on ComfyUI's newer server (`comfytop mock --server-version current`): the
prompt id it chooses, the Comfy-Usage-Source header, queue wait and run time, cancel through /api/jobs, and
unknown socket messages (assets.seed.*) that must not make noise. The shared checks (cli_e2e, job_model_e2e,
monitor_tmux) also run against this mock from the Makefile."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402

binary = comfytop_binary()
work = tempfile.mkdtemp(prefix="comfytop-newer-")
mock, url = start_mock(binary, os.path.join(work, "data"), "--speed", "10", "--server-version", "current")
check = Checks()
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run(*args, timeout=60):
    p = subprocess.run([binary, *args, "--url", url], capture_output=True, text=True, timeout=timeout, cwd=work,
                       env={**os.environ, "XDG_DATA_HOME": os.path.join(work, "xdg")})
    return p.returncode, p.stdout, p.stderr


def get(path):
    try:
        with urllib.request.urlopen(url + path, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def slow(steps, delay_ms, seed):
    return {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}},
            "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": steps, "delay_ms": delay_ms,
                                                        "send_preview": False, "send_text": True, "seed": seed}},
            "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "newer/run"}}}


def write(name, obj):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def wait_until(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


try:
    mock_lines = []
    import threading
    threading.Thread(target=lambda: mock_lines.extend(iter(mock.stderr.readline, "")), daemon=True).start()

    # watch runs through everything below: unknown messages (assets.seed.*) must not show up in it.
    watch = subprocess.Popen([binary, "watch", "--json", "--url", url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(1)

    quick = write("quick.json", slow(2, 10, 1))
    code, out, _ = run("submit", quick)
    pid = out.strip()
    check(code == 0 and UUID.fullmatch(pid) is not None, "submit chooses a canonical lowercase UUID")
    status, job = get(f"/api/jobs/{pid}")
    extra = (job or {}).get("workflow", {}).get("extra_data", {})
    check(status == 200 and extra.get("comfy_usage_source") == "comfytop",
          "the server records Comfy-Usage-Source: comfytop (extra_data.comfy_usage_source)")
    check(isinstance(extra.get("create_time"), int), "the server stamps create_time")

    code, out, _ = run("submit", write("waited.json", slow(3, 10, 2)), "--wait", "--json")
    result = json.loads(out) if code == 0 else {}
    check(code == 0 and isinstance(result.get("queue_seconds"), float) and result.get("seconds") is not None,
          "submit --wait --json reports the queue wait and the run time")

    check(wait_until(lambda: get(f"/api/jobs/{pid}")[1].get("status") == "completed", 20), "the first job completes")
    code, out, _ = run("show", pid)
    check(code == 0 and "waited" in out and "in the queue" in out and "ran" in out,
          "show says how long the job waited and ran")
    code, out, _ = run("show", pid, "--json")
    check(code == 0 and "queue_seconds" in json.loads(out), "show --json has queue_seconds")

    # Cancel through POST /api/jobs/{id}/cancel: a pending job is dequeued, a running one interrupted.
    _, long_id, _ = run("submit", write("long.json", slow(200, 50, 3)))
    _, behind_id, _ = run("submit", write("behind.json", slow(2, 10, 4)))
    long_id, behind_id = long_id.strip(), behind_id.strip()
    check(wait_until(lambda: get(f"/api/jobs/{long_id}")[1].get("status") == "in_progress", 10),
          "the long job runs")
    code, out, _ = run("show", behind_id)
    check(code == 0 and "pending (position 1), waiting" in out, "show says how long a pending job has waited")
    code, out, _ = run("queue", "--json")
    pending = [i for i in (json.loads(out)["items"] if code == 0 else []) if i["prompt_id"] == behind_id]
    check(len(pending) == 1 and isinstance(pending[0].get("queue_seconds"), float),
          "queue --json says how long a pending job has waited")
    code, _, _ = run("cancel", behind_id)
    check(code == 0 and get(f"/api/jobs/{behind_id}")[0] == 404, "cancel dequeues a pending job")
    code, _, _ = run("cancel", long_id)
    check(code == 0 and wait_until(lambda: get(f"/api/jobs/{long_id}")[1].get("status") == "cancelled", 15),
          "cancel interrupts the running job, which the jobs API then calls cancelled")

    # The assets scan starts with /object_info on this server and broadcasts assets.seed.* to every socket.
    get("/object_info")
    time.sleep(1)
    watch.send_signal(signal.SIGINT)
    try:
        watch_out, watch_err = watch.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        watch.kill()
        watch_out, watch_err = watch.communicate()
    events = [json.loads(line) for line in watch_out.splitlines() if line.startswith("{")]
    check(any(e.get("prompt_id") == pid for e in events), "watch followed the jobs")
    check("assets" not in watch_out + watch_err and "unknown" not in (watch_out + watch_err).lower(),
          "unknown messages (assets.seed.*) make no noise in watch")
finally:
    stop(mock)

check.finish()
