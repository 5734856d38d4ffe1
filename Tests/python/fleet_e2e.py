#!/usr/bin/env python3
"""The fleet from the command line, end to end: `comfytop mock --servers 3` (three independent servers in one
process), then `status --all` (exit codes with servers down), `queue --all`, `watch --json --all` and
`history --all` against them, with a refused port and a host that accepts connections and never answers beside
them. Usage: fleet_e2e.py [path/to/comfytop]"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary, start_fleet, stop  # noqa: E402

COMFYTOP = binary()
check = Checks()
work = tempfile.mkdtemp(prefix="comfytop-fleet-e2e-")
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "config"), XDG_DATA_HOME=os.path.join(work, "data"),
           NO_COLOR="1")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(url, path, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url + path, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=15) as r:
        return json.loads(r.read())


def graph(steps=3, seed=0):
    return {"prompt": {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 32, "height": 32, "batch_size": 1, "color": 0}},
        "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": steps, "delay_ms": 100,
                                                     "send_preview": False, "send_text": False, "seed": seed}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "fleet"}}}}


def run(*args, timeout=60):
    started = time.monotonic()
    p = subprocess.run([COMFYTOP, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - started


def wait_for(what, deadline_s=30):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    return None


# A host that accepts connections and never answers.
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(50)
silent_port = silent.getsockname()[1]
held = []
threading.Thread(target=lambda: [held.append(silent.accept()) for _ in iter(int, 1)], daemon=True).start()
refused_port = free_port()

mock, urls = start_fleet(COMFYTOP, os.path.join(work, "mock"), 3)
try:
    check(len(urls) == 3, f"mock --servers 3 listens three times: {urls}")
    if len(urls) < 3:
        check.finish()
    a, b, c = urls
    os.makedirs(os.path.join(work, "config", "comfytop"))
    with open(os.path.join(work, "config", "comfytop", "config.toml"), "w") as f:
        f.write(f'[servers.a]\nurl = "{a}"\n[servers.b]\nurl = "{b}"\n[servers.c]\nurl = "{c}"\n'
                f'[servers.dead]\nurl = "http://127.0.0.1:{refused_port}"\n'
                f'[servers.silent]\nurl = "http://127.0.0.1:{silent_port}"\n')

    # Each mock is its own server: queue, history, numbering, files.
    first = http(b, "/prompt", graph(steps=900, seed=1))
    check(first.get("number") == 0, "the first prompt on server b is number 0 there")
    check(wait_for(lambda: http(b, "/queue")["queue_running"]), "b runs its job")
    check(http(a, "/queue") == {"queue_running": [], "queue_pending": []} and http(c, "/history") == {},
          "a and c have nothing queued and no history")
    second = http(c, "/prompt", graph(steps=1, seed=2))
    check(second.get("number") == 0, "c numbers its own prompts from 0 too")
    check(wait_for(lambda: second["prompt_id"] in http(c, "/history")), "c's job ends in c's history")
    check(second["prompt_id"] not in http(b, "/history") and http(a, "/history") == {}, "and only there")
    out = lambda i: os.listdir(os.path.join(work, "mock", f"server-{i}", "output"))  # noqa: E731
    check(out(3) and not out(1), f"c's picture is in its own data dir (server-3: {out(3)}, server-1: {out(1)})")

    # status --all: a line a server; down ones say why; exit 0 while any is up.
    code, stdout, stderr, took = run("status", "--all")
    lines = {line.split()[0]: line for line in stdout.splitlines()[1:] if line.strip()}
    check(code == 0, f"status --all exits 0 with two servers down (exit {code})")
    check(set(lines) == {"a", "b", "c", "dead", "silent"}, f"one line a server: {sorted(lines)}")
    check("refused" in lines.get("dead", ""), "the refused server says so")
    check("no answer" in lines.get("silent", ""), "the silent host says it does not answer")
    check(took < 12, f"the silent host costs its own budget, not more ({took:.1f} s)")
    check(" up " in lines.get("b", "") and " 1 " in lines.get("b", ""), "b is up with one job running")
    code, stdout, _, _ = run("status", "--all", "--json")
    servers = {s["server"]: s for s in json.loads(stdout)["servers"]}
    check(servers["a"]["reachable"] and servers["a"]["version"] and servers["dead"]["error"] == "connection refused",
          "status --all --json: reachable, version, error per server")
    code, _, stderr, _ = run("status", "--server", "dead,silent")
    check(code == 3, f"status exits 3 when every server is unreachable (exit {code})")
    code, _, _, _ = run("status", "--server", f"dead,{a}")
    check(code == 0, f"status exits 0 when one of them answers (exit {code})")

    # queue --all: the running job with its server.
    code, stdout, _, _ = run("queue", "--all", "--json")
    items = json.loads(stdout)["items"]
    check([(i["server"], i["prompt_id"], i["state"]) for i in items] == [("b", first["prompt_id"], "running")],
          f"queue --all --json lists b's running job with its server: {items}")
    code, stdout, stderr, _ = run("queue", "--all")
    check(re.search(r"^b\s+running", stdout, re.M) is not None and "dead: connection refused" in stderr,
          "queue --all: a server column; the unreachable server on stderr")

    # watch --json --all: one NDJSON stream, each event with its server.
    watch = subprocess.Popen([COMFYTOP, "watch", "--json", "--all"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=env)
    events = []
    threading.Thread(target=lambda: [events.append(line) for line in watch.stdout], daemon=True).start()
    check(wait_for(lambda: sum('"state": "live"' in e for e in events) >= 3, 30), "watch: a, b, c come up live")
    jobs = {name: http(url, "/prompt", graph(steps=3, seed=int(time.time()) + i))["prompt_id"]
            for i, (name, url) in enumerate([("a", a), ("c", c)])}

    def finished():
        seen = [json.loads(e) for e in events]
        return all(any(x.get("event") == "finished" and x.get("server") == name and x.get("prompt_id") == pid
                       for x in seen) for name, pid in jobs.items())

    check(wait_for(finished, 60), "watch: a's and c's jobs end, each event named with its server")
    parsed = [json.loads(e) for e in events]
    check(all("server" in x and "event" in x for x in parsed), f"every line is JSON with a server ({len(parsed)})")
    check(any(x.get("server") == "b" and x.get("event") == "progress" for x in parsed) or
          any(x.get("server") == "b" and x.get("event") in ("running", "started") for x in parsed),
          "b's running job is in the stream too")
    check(wait_for(lambda: any('"server": "silent"' in e and '"state": "down"' in e for e in events), 20),
          "watch: the silent host is reported down")
    check(any('"server": "dead"' in e and "refused" in e for e in events), "watch: the refused one too")
    stop(watch)

    # history --all: every server's runs, with a server column; a filter to one; search across servers.
    code, stdout, stderr, _ = run("history", "--all", "--json")
    runs = json.loads(stdout)["runs"]
    by_id = {r["prompt_id"]: r["server"] for r in runs}
    check(code == 0 and by_id.get(jobs["a"]) == "a" and by_id.get(jobs["c"]) == "c" and by_id.get(second["prompt_id"]) == "c",
          f"history --all: runs of a and c, each with its server ({len(runs)} runs)")
    check("dead" in stderr and "local store" in stderr, "history --all: the unreachable server is said on stderr")
    code, stdout, _, _ = run("history", "--all", "--local", "--search", jobs["a"].split("-")[0])
    check(re.search(r"^a\s+success", stdout, re.M) is not None and jobs["a"] in stdout and stdout.count("\n") == 2,
          "history --all --local --search finds one run and names its server")
    code, stdout, _, _ = run("history", "--server", "c", "--local", "--json")
    ids = [r["prompt_id"] for r in json.loads(stdout)["runs"]]
    check(jobs["c"] in ids and jobs["a"] not in ids, "history --server c: only c's runs")
finally:
    stop(mock)
check.finish()
