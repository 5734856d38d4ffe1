"""Restarts and drops under load: jobs through `submit --wait` (4 at a time) while the mock restarts and drops every
socket; an open monitor (in a pty, a store of its own) and `watch --json` watch it all."""
import collections
import concurrent.futures
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse

from common import CHILD_ENV, COMFYTOP, QUICK, HarnessError, Mock, Pty, children, http, run

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def workflow(i):
    seed = int.from_bytes(os.urandom(4), "big")
    return {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                         "color": (i * 7919) % 16777216}},
            "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": 6, "delay_ms": 200,
                                                        "send_preview": True, "send_text": True, "seed": seed}},
            "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": f"chaos/job{i:02d}"}}}


def section(figures, work, log):
    jobs, restarts, drops = (4, 1, 1) if QUICK else (40, 10, 10)
    mock = Mock(os.path.join(work, "load-mock"), speed="2")
    url = mock.url
    mon_dir = os.path.join(work, "load-monitor")
    known = {}  # prompt_id -> status_str, from every /history read before a restart and at the end
    stop = threading.Event()

    def snapshot():
        try:
            for pid, entry in json.loads(http(url, "/history", timeout=20)).items():
                known[pid] = entry.get("status", {}).get("status_str", "?")
        except (OSError, ValueError):
            pass

    monitor = Pty([COMFYTOP, "--url", url, "--data-dir", mon_dir, "--no-mouse"])
    pump = threading.Thread(target=lambda: [monitor.pump(0.2) for _ in iter(lambda: stop.is_set(), True)])
    pump.start()
    watch_out = open(os.path.join(work, "load-watch.jsonl"), "wb")
    watch = subprocess.Popen([COMFYTOP, "watch", "--json", "--url", url], stdout=watch_out,
                             stderr=subprocess.PIPE, env=CHILD_ENV)
    children.add(watch.pid)
    results = {}
    try:
        time.sleep(1.5)
        spacing = 3.0

        def faults():
            # Interleaved: restart, drop, restart, drop …
            plan = [p for pair in zip(["restart"] * restarts, ["drop_websockets"] * drops) for p in pair]
            for what in plan:
                if stop.wait(spacing):
                    return
                if what == "restart":
                    snapshot()
                try:
                    http(url, "/mock/fault", {what: True}, timeout=20)
                except OSError as e:
                    log(f"  load: fault {what} failed: {e}")

        fault_thread = threading.Thread(target=faults)
        fault_thread.start()

        def job(i):
            wf = os.path.join(work, f"load-wf-{i:02d}.json")
            with open(wf, "w") as f:
                json.dump(workflow(i), f)
            out = os.path.join(work, f"load-out-{i:02d}")
            os.makedirs(out, exist_ok=True)
            r = run([COMFYTOP, "submit", wf, "--wait", "--json", "--output-dir", out, "--url", url,
                     "--data-dir", os.path.join(work, "load-submit-store")], timeout=180)
            return i, out, r

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for i, out, r in pool.map(job, range(jobs)):
                results[i] = (out, r)
        fault_thread.join()
        snapshot()
        time.sleep(3)  # the monitor's last history lookups
    finally:
        stop.set()
        pump.join(10)
        mon = monitor.finish(b"q")
        if watch.poll() is None:
            watch.send_signal(signal.SIGINT)
        try:
            watch.wait(5)
            watch_hung = False
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait()
            watch_hung = True
        children.discard(watch.pid)
        watch_out.close()
        watch_err = watch.stderr.read()
        mock_alive = mock.p.poll() is None
        view = {}
        for i, (out, r) in results.items():
            for root, _, files in os.walk(out):
                for name in files:
                    if name.endswith(".png"):
                        sub = os.path.relpath(root, out)
                        q = urllib.parse.urlencode({"filename": name, "subfolder": "" if sub == "." else sub,
                                                    "type": "output"})
                        try:
                            view[(i, root, name)] = http(url, "/view?" + q, timeout=20)
                        except OSError:
                            view[(i, root, name)] = None
        mock.stop()
    if not mock_alive:
        raise HarnessError("the mock died during the load test")

    refused = [r for _, r in results.values() if r.code == 2 and b"Usage:" in r.err]
    if refused:
        raise HarnessError(f"submit refuses the harness's arguments: {refused[0].brief()}")
    done, failed_clear, unclear, hangs, crashes, bad_files = 0, 0, [], 0, 0, []
    messages = collections.Counter()
    for i, (out, r) in sorted(results.items()):
        files = [(root, n) for root, _, fs in os.walk(out) for n in fs]
        images = [(root, n) for root, n in files if n.endswith(".png")]
        leftovers = [n for _, n in files if n.endswith(".part") or n.startswith(".") or "tmp" in n.lower()]
        if leftovers:
            bad_files.append(f"job {i}: left {leftovers}")
        if r.hung:
            hangs += 1
            continue
        if r.crashed:
            crashes += 1
            unclear.append(f"job {i}: crashed, {r.brief()}")
            continue
        if r.code == 0:
            if len(images) != 1:
                bad_files.append(f"job {i}: {len(images)} images")
            same = images and all(view.get((i, root, n)) == open(os.path.join(root, n), "rb").read()
                                  for root, n in images)
            if len(images) == 1 and same:
                done += 1
            elif images and not same:
                bad_files.append(f"job {i}: file differs from /view")
            else:
                unclear.append(f"job {i}: exit 0 without its file")
        else:
            msg = r.err.decode("utf-8", "replace").strip()
            if r.code in (1, 3) and msg and "Fatal error" not in msg and "Backtrace" not in msg:
                failed_clear += 1
                messages[f"exit {r.code}: " + UUID.sub("ID", msg.splitlines()[-1])[:140]] += 1
                if images:
                    bad_files.append(f"job {i}: failed but left {len(images)} images")
            else:
                unclear.append(f"job {i}: {r.brief()}")
    with open(os.path.join(work, "load-monitor.pty"), "wb") as f:
        f.write(mon.out)
    log(f"  load: the monitor ended with exit {mon.code}{' (hung)' if mon.hung else ''} "
        f"after {len(mon.out)} bytes of screen")
    if mon.hung:
        hangs += 1
    if watch_hung:
        hangs += 1
    if mon.crashed or (watch.returncode or 0) < 0:
        crashes += 1

    finished = {pid for pid, status in known.items() if status in ("success", "error")}
    for out, r in results.values():
        if r.code == 0:
            finished.update(UUID.findall(r.out.decode("utf-8", "replace"))[:1])
    # The store keeps one namespace per server: --url names the mock's (which is gone by now; --local needs none).
    stored = run([COMFYTOP, "history", "--local", "--json", "--data-dir", mon_dir, "--url", url, "--limit", "1000"],
                 timeout=60)
    if stored.code == 2 and b"Usage:" in stored.err:
        raise HarnessError(f"history --local refuses the harness's arguments: {stored.brief()}")
    stored_ids = set(UUID.findall(stored.out.decode("utf-8", "replace")))
    missing = finished - stored_ids
    with open(os.path.join(work, "load-watch.jsonl"), "rb") as f:
        watched = set(UUID.findall(f.read().decode("utf-8", "replace")))
    watch_missing = finished - watched
    log(f"  load: {len(finished)} jobs finished on the server; monitor store has {len(stored_ids)} ids "
        f"(history --local exit {stored.code}); watch saw {len(watched)}")
    for text, count in messages.most_common(4):
        log(f"  load: {count} failed with: {text}")
    for line in unclear + bad_files:
        log("  load: " + line)
    if missing:
        log(f"  load: missing from the monitor's store: {sorted(missing)[:10]}")
    n = len(results)
    figures.add("load: jobs done, file = /view", done, f"of {jobs}", "every job done or failed clearly",
                done + failed_clear == jobs and done > 0,
                f"{restarts} restarts, {drops} socket drops; {'; '.join(unclear)[:300]}")
    figures.add("load: jobs failed clearly", failed_clear, f"of {jobs}", "exit 1/3 with a message",
                not unclear, f"{len(unclear)} unclear")
    figures.add("load: hangs", hangs, "processes", "0", hangs == 0 and n == jobs,
                f"{jobs} submits, the monitor, watch")
    figures.add("load: crashes", crashes, "processes", "0", crashes == 0, "")
    figures.add("load: files doubled, truncated or .part", len(bad_files), "files", "0", not bad_files,
                "; ".join(bad_files)[:300])
    figures.add("load: finished jobs missing from the monitor's store", len(missing), f"of {len(finished)}", "0",
                not missing and stored.code == 0, f"history --local exit {stored.code}")
    # The 4 submits share one store, as scripts on one machine do: a busy store must not lose their runs.
    unrecorded = [i for i, (_, r) in results.items() if b"not recorded" in r.err or b"database is locked" in r.err]
    figures.add("load: submit runs not recorded in its store", len(unrecorded), f"of {jobs}", "0", not unrecorded,
                "4 submits share one --data-dir")
    figures.add("load: finished jobs missing from watch --json", len(watch_missing), f"of {len(finished)}", "0",
                not watch_missing, (watch_err.decode("utf-8", "replace").strip().splitlines() or [""])[-1][:200])
