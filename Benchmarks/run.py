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
ONLY = [x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip()]
work = tempfile.mkdtemp(prefix="comfytop-bench-")


def want(figure_id):
    """BENCH_ONLY=B3,B5 runs only those figures."""
    return not ONLY or figure_id in ONLY
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
if want("B1"):
    frames = os.path.join(work, "frames.txt")
    run_json([BENCH, "gen-frames", frames, "10000" if QUICK else "100000"])
    passes = "1" if QUICK else "10"
    ours, python = interleaved(lambda: run_json([BENCH, "ingest", frames, passes])["per_second"],
                               lambda: run_json([sys.executable, os.path.join(ROOT, "Benchmarks/baselines/ingest.py"), frames, passes])["per_second"],
                               1 if QUICK else 3)
    figure("B1 event ingest", round(ours), "frames/s", round(python), "≥ 10× Python", ours >= 10 * python)

# B2 history decode: a 10,000-entry /history body, into the model (which keeps graphs raw until asked for).
if want("B2"):
    body = os.path.join(work, "history.json")
    size = run_json([BENCH, "gen-history", body, "500" if QUICK else "10000"])["bytes"]
    o, p, e = [], [], []
    for _ in range(1 if QUICK else RUNS):
        o.append(run_json([BENCH, "history-decode", body]))
        p.append(run_json([sys.executable, os.path.join(ROOT, "Benchmarks/baselines/history_decode.py"), body]))
        e.append(run_json([BENCH, "history-decode", body, "eager"]))


    def growth(r):
        """Peak memory of the decode, the body included, as a multiple of the body."""
        return (r["peak_rss_kb"] - r["rss_before_kb"]) * 1024 / size


    ours = statistics.median(r["mb_per_s"] for r in o)
    python = statistics.median(r["mb_per_s"] for r in p)
    peak = statistics.median(growth(r) for r in o)
    figure("B2 history decode", round(ours, 1), "MB/s", round(python, 1), "faster than Python json.loads; peak ≤ 3× body",
           ours > python and peak <= 3,
           f"body {size / 1e6:.1f} MB; peak memory {peak:.1f}× the body (Python {statistics.median(growth(r) for r in p):.1f}×); "
           f"every graph parsed too: {statistics.median(r['mb_per_s'] for r in e):.0f} MB/s, "
           f"{statistics.median(growth(r) for r in e):.1f}× the body")


def cpu_seconds(pid):
    """CPU time of a process as (precise, complete): the nanosecond run time of each live thread
    (/proc/PID/task/*/schedstat), and utime + stime in 10 ms ticks (/proc/PID/stat), which also counts threads
    that have ended."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                threads[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return threads, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_between(a, b):
    """CPU seconds between two cpu_seconds readings: the threads' precise run times, unless the tick count says
    more was spent (by threads that ended in between) beyond its own 20 ms of rounding."""
    precise = sum(ns - a[0].get(tid, 0) for tid, ns in b[0].items()) / 1e9
    ticks = b[1] - a[1]
    return ticks if ticks - precise > 0.02 else precise


class Pty:
    """A program in a 120x40 pseudo-terminal; everything it writes is read and counted (optionally into pyte)."""

    def __init__(self, argv, screen=None):
        import fcntl, struct, termios
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS="120", LINES="40")
            os.execv(argv[0], argv)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.start, self.total, self.seen, self.screen, self.stream = time.monotonic(), 0, b"", screen, None
        if screen is not None:
            import pyte
            self.stream = pyte.ByteStream(screen)
        self.log = []  # (monotonic time, bytes so far)

    def pump(self, seconds, until=None, on_read=None):
        """Reads for `seconds`; returns the time `until` first appeared, if given."""
        end, found = time.monotonic() + seconds, None
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], min(0.05, max(0, end - time.monotonic())))
            if not r:
                continue
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                break
            now = time.monotonic()
            self.total += len(data)
            self.log.append((now, self.total))
            if self.stream is not None:
                self.stream.feed(data)
                if on_read:
                    on_read(now)
            if until and found is None:
                self.seen += data
                if until.encode() in self.seen:
                    found = now - self.start
                    self.seen = b""
        return found

    def cpu(self):
        return cpu_seconds(self.pid)

    def stop(self, key=b"q"):
        try:
            os.write(self.fd, key)
            for _ in range(40):
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return
                self.pump(0.05)
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


def monitor(url):
    return [COMFYTOP, "--url", url, "--data-dir", os.path.join(work, "store")]


def post(url, path, payload):
    import urllib.request
    req = urllib.request.Request(url + path, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


mock = subprocess.Popen([COMFYTOP, "mock", "--port", "0", "--data-dir", os.path.join(work, "mock")],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
url = None
while url is None:
    m = re.search(r"http://127\.0\.0\.1:\d+", mock.stderr.readline())
    url = m.group(0) if m else None
try:
    # B6 start-up: process start to the first complete frame (the key hints are drawn last).
    if want("B6"):
        starts = []
        for _ in range(1 if QUICK else RUNS):
            t = Pty(monitor(url))
            starts.append(t.pump(3, until="quit"))
            t.stop()
        ms = statistics.median(s for s in starts if s is not None) * 1000
        figure("B6 start-up", round(ms), "ms", None, "≤ 150 ms", ms <= 150)

    # B4 idle cost: connected, queue empty; counted from 3 s after start (start-up is B6) for 60 s.
    if want("B4"):
        idle_seconds = 10 if QUICK else 60
        t = Pty(monitor(url))
        t.pump(3)
        cpu0, bytes0 = t.cpu(), t.total
        t.pump(idle_seconds)
        share = cpu_between(cpu0, t.cpu()) / idle_seconds * 100
        after_first = t.total - bytes0
        t.stop()
        figure("B4 idle cost", round(share, 3), "% of one core", None, "≤ 0.1 % CPU; 0 bytes after the first frame",
               share <= 0.1 and after_first == 0,
               f"{after_first} bytes written in {idle_seconds} s after the first frame")

    # B3 bytes to the terminal: one prompt, 3 nodes x 40 steps at 10 steps/s, submitted without a client id so
    if want("B3"):
        # that every watcher hears its progress; comfytop and a Rich Live display, each in its own 120x40 pty.
        steps = 10 if QUICK else 40
        graph = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}}
        for i, node in enumerate(["2", "3", "4"]):
            graph[node] = {"class_type": "SlowSteps", "inputs": {"image": [str(i + 1), 0], "steps": steps,
                           "delay_ms": 100, "send_preview": False, "send_text": False, "seed": i}}
        graph["5"] = {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "bench"}}
        run_seconds = 3 * steps * 0.1 + 2

        def watch(argv):
            t = Pty(argv)
            t.pump(2.5)
            cpu0, bytes0 = t.cpu(), t.total
            # New seeds each time, or the server would answer from its cache without running a step.
            for node in ("2", "3", "4"):
                graph[node]["inputs"]["seed"] = int.from_bytes(os.urandom(4), "big")
            post(url, "/prompt", {"prompt": graph})
            t.pump(run_seconds)
            result = (t.total - bytes0, cpu_between(cpu0, t.cpu()))
            t.stop(b"q" if argv[0] == COMFYTOP else b"\x03")
            return result

        rich = [sys.executable, os.path.join(ROOT, "Benchmarks/baselines/rich_live.py"), url, str(run_seconds + 10)]
        ours, theirs = interleaved(lambda: watch(monitor(url)), lambda: watch(rich), 1 if QUICK else 3)
        ob, oc = ours
        rb, rc = theirs
        figure("B3 bytes to the terminal", ob, "bytes", rb, "≤ 1/5 of Rich Live, bytes and CPU",
               ob * 5 <= rb and oc * 5 <= rc,
               f"CPU {oc:.3f} s against Rich's {rc:.3f} s ({oc / rc if rc else 0:.2f}×) for {3 * steps} steps")

    # B5 event-to-screen latency: the mock broadcasts progress frames at 1,000/s; the pty's output goes through
    if want("B5"):
        # a terminal emulator (pyte) and every value on screen is timed; a frame's latency is the time until its
        # value (or a later one) is shown.
        import pyte
        frames = 1000 if QUICK else 3000
        lat = []
        for _ in range(1 if QUICK else RUNS):
            screen = pyte.Screen(120, 40)
            t = Pty(monitor(url), screen=screen)
            t.pump(2.5)
            shown = []
            pattern = re.compile(r"(\d+)/%d " % frames)

            def on_read(now):
                for line in screen.display:
                    m = pattern.search(line)
                    if m:
                        shown.append((now, int(m.group(1))))
                        return

            import threading
            answer = {}
            sender = threading.Thread(target=lambda: answer.update(post(url, "/mock/burst",
                                                                        {"frames": frames, "rate": 1000, "max": frames})))
            sender.start()
            while sender.is_alive():
                t.pump(0.2, on_read=on_read)
            t.pump(0.5, on_read=on_read)
            t.stop()
            sent = [ns / 1e9 for ns in answer["sent_ns"]]
            j = 0
            for k, at in enumerate(sent, start=1):
                while j < len(shown) and shown[j][1] < k:
                    j += 1
                lat.append((shown[j][0] - at) * 1000 if j < len(shown) else float("inf"))
        lat.sort()
        p99 = lat[int(len(lat) * 0.99) - 1]
        p50 = lat[len(lat) // 2]
        missing = sum(1 for x in lat if x == float("inf"))
        figure("B5 event-to-screen latency", round(p99, 1), "ms (p99)", None, "p99 ≤ 35 ms at 1,000 frames/s",
               p99 <= 35, f"median {p50:.1f} ms over {len(lat)} frames; {missing} never shown")
finally:
    mock.terminate()

# B9 live preview: the mock sampler's JPEG previews (512², as ComfyUI sends them) drawn full size at 120x40 with
# symbols, one after the other; comfytop's way (libchafa cells on a Canvas, CursesTerminal writing what changed,
# 256 colours as on TERM=xterm-256color) against term-image's BlockImage (what Pyro's CLI draws with), in the same
# pty, A/B. Bytes and CPU from READY to DONE, per preview.
if want("B9"):
    frames_dir = os.path.join(work, "previews")
    n_previews = 6 if QUICK else 20
    subprocess.run([BENCH, "gen-previews", frames_dir, str(n_previews)], check=True, capture_output=True)

    def draw(argv):
        t = Pty(argv)
        t.pump(10, until="READY")
        t.pump(0.3)
        cpu0, bytes0 = t.cpu(), t.total
        os.write(t.fd, b"g")
        t.pump(60, until="DONE")
        result = ((t.total - bytes0) / n_previews, cpu_between(cpu0, t.cpu()) / n_previews)
        t.stop()
        return result

    term_image = [sys.executable, os.path.join(ROOT, "Benchmarks/baselines/term_image_preview.py"), frames_dir]
    ours, theirs = interleaved(lambda: draw([BENCH, "preview-draw", frames_dir]), lambda: draw(term_image),
                               1 if QUICK else 3)
    (ob, oc), (tb, tc) = ours, theirs
    figure("B9 preview update", round(ob), "bytes", round(tb), "≤ 1/3 of term-image, bytes and CPU",
           ob * 3 <= tb and oc * 3 <= tc,
           f"CPU {oc * 1000:.1f} ms against term-image's {tc * 1000:.1f} ms per update ({oc / tc if tc else 0:.2f}×)")

# B7 history screen: 10,000 runs in the store.
if want("B7"):
    h = run_json([BENCH, "history-screen", "1000" if QUICK else "10000"])
    figure("B7 history screen", round(h["first_screen_ms"], 1), "ms", None, "first screen ≤ 300 ms; search ≤ 50 ms",
           h["first_screen_ms"] <= 300 and h["search_ms_median"] <= 50, f"search median {h['search_ms_median']:.1f} ms")

# B8 the fleet monitor and B10 a year of history: Benchmarks/fleet.py, with this script's helpers.
if want("B8") or want("B10"):
    import fleet
    for figure_id, take in (("B8", fleet.b8), ("B10", fleet.b10)):
        if want(figure_id):
            take(sys.modules[__name__])

out = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench/results.json"))
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump(results, f, indent=1, ensure_ascii=False)
print(f"{'figure':28} {'comfytop':>14} {'peer':>12} {'ratio':>8}  {'target':44} met")
for r in results:
    value = "-" if r["value"] is None else f"{r['value']} {r['unit']}"
    print(f"{r['name']:28} {value:>14} {str(r['peer'] or '-'):>12} {str(r['ratio'] or '-'):>8}  {r['target']:44} "
          f"{'yes' if r['met'] else 'NO'}{'  (' + r['note'] + ')' if r.get('note') else ''}")
