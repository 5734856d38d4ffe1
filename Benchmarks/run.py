#!/usr/bin/env python3
"""make bench: runs every benchmark on this machine, A/B interleaved, medians of several runs; prints one table and
writes bench/results.json. Figures not measured yet are listed as such, never invented."""
import json
import os
import pty
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BENCH_BIN_DIR", os.path.join(ROOT, ".build/release"))
BENCH, COMFYTOP = os.path.join(BIN, "comfybench"), os.path.join(BIN, "comfytop")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
QUICK = os.environ.get("BENCH_QUICK") == "1"
work = tempfile.mkdtemp(prefix="comfytop-bench-")
results = []


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def figure(name, value, unit, peer, target, met, note=""):
    ratio = (value / peer) if (peer not in (None, 0) and value is not None) else None
    results.append({"name": name, "value": value, "unit": unit, "peer": peer,
                    "ratio": round(ratio, 3) if ratio is not None else None, "target": target, "met": met,
                    **({"note": note} if note else {})})


def interleaved(a, b, runs):
    xs, ys = [], []
    for _ in range(runs):
        xs.append(a())
        ys.append(b())
    return statistics.median(xs), statistics.median(ys)


# B1 event ingest: ≥ 1,000,000 frames (100,000 distinct, 10 passes), decode + reduce, from memory.
frames = os.path.join(work, "frames.txt")
run_json([BENCH, "gen-frames", frames, "10000" if QUICK else "100000"])
passes = "1" if QUICK else "10"
ours, python = interleaved(lambda: run_json([BENCH, "ingest", frames, passes])["per_second"],
                           lambda: run_json([sys.executable, os.path.join(ROOT, "Benchmarks/baselines/ingest.py"), frames, passes])["per_second"],
                           1 if QUICK else 3)
figure("B1 event ingest", round(ours), "frames/s", round(python), "≥ 10× Python", ours >= 10 * python)

# B2 history decode: a 10,000-entry /history body.
body = os.path.join(work, "history.json")
size = run_json([BENCH, "gen-history", body, "500" if QUICK else "10000"])["bytes"]
o, p = [], []
for _ in range(1 if QUICK else RUNS):
    o.append(run_json([BENCH, "history-decode", body]))
    p.append(run_json([sys.executable, os.path.join(ROOT, "Benchmarks/baselines/history_decode.py"), body]))
ours = statistics.median(r["mb_per_s"] for r in o)
python = statistics.median(r["mb_per_s"] for r in p)
peak = statistics.median(r["peak_rss_kb"] * 1024 for r in o) / size
figure("B2 history decode", round(ours, 1), "MB/s", round(python, 1), "faster than Python json.loads; peak ≤ 3× body",
       ours > python and peak <= 3, f"body {size / 1e6:.1f} MB, peak memory {peak:.1f}× the body")


def pty_monitor(url, seconds, until=None):
    """Runs the monitor in a 120x40 pty; returns (bytes by time, seconds to `until`, CPU seconds)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS="120", LINES="40")
        os.execv(COMFYTOP, [COMFYTOP, "--url", url, "--data-dir", os.path.join(work, "store")])
    import fcntl, struct, termios, signal
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.time()
    seen, total, marks, first = b"", 0, [], None
    while time.time() - start < seconds:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                break
            total += len(data)
            if until and first is None:
                seen += data
                if until.encode() in seen:
                    first = time.time() - start
        marks.append((time.time() - start, total))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().split()
    cpu = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    return marks, first, cpu


mock = subprocess.Popen([COMFYTOP, "mock", "--port", "0", "--data-dir", os.path.join(work, "mock")],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
url = None
while url is None:
    m = re.search(r"http://127\.0\.0\.1:\d+", mock.stderr.readline())
    url = m.group(0) if m else None
try:
    # B6 start-up: process start to the first complete frame (the key hints are drawn last).
    starts = [pty_monitor(url, 3, until="quit")[1] for _ in range(1 if QUICK else RUNS)]
    ms = statistics.median(s for s in starts if s is not None) * 1000
    figure("B6 start-up", round(ms), "ms", None, "≤ 150 ms", ms <= 150)

    # B4 idle cost: connected, queue empty, 60 s.
    idle_seconds = 10 if QUICK else 60
    marks, _, cpu = pty_monitor(url, idle_seconds + 3)
    after_first = marks[-1][1] - next(b for t, b in marks if t >= 3)
    share = cpu / (idle_seconds + 3) * 100
    figure("B4 idle cost", round(share, 3), "% of one core", None, "≤ 0.1 % CPU; 0 bytes after the first frame",
           share <= 0.1 and after_first == 0, f"{after_first} bytes written after the first frame; CPU includes start-up")
finally:
    mock.terminate()

# B7 history screen: 10,000 runs in the store.
h = run_json([BENCH, "history-screen", "1000" if QUICK else "10000"])
figure("B7 history screen", round(h["first_screen_ms"], 1), "ms", None, "first screen ≤ 300 ms; search ≤ 50 ms",
       h["first_screen_ms"] <= 300 and h["search_ms_median"] <= 50, f"search median {h['search_ms_median']:.1f} ms")

for name in ("B3 bytes to the terminal", "B5 event-to-screen latency"):
    results.append({"name": name, "value": None, "unit": None, "peer": None, "ratio": None, "target": "see issue",
                    "met": False, "note": "not measured yet"})

os.makedirs(os.path.join(ROOT, "bench"), exist_ok=True)
with open(os.path.join(ROOT, "bench/results.json"), "w") as f:
    json.dump(results, f, indent=1, ensure_ascii=False)
print(f"{'figure':28} {'comfytop':>14} {'peer':>12} {'ratio':>8}  {'target':44} met")
for r in results:
    value = "-" if r["value"] is None else f"{r['value']} {r['unit']}"
    print(f"{r['name']:28} {value:>14} {str(r['peer'] or '-'):>12} {str(r['ratio'] or '-'):>8}  {r['target']:44} "
          f"{'yes' if r['met'] else 'NO'}{'  (' + r['note'] + ')' if r.get('note') else ''}")
