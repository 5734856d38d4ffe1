"""B8 (the fleet monitor) and B10 (a year of history), called from run.py with its helpers (`bench`)."""
import json
import os
import pty
import re
import socket
import statistics
import subprocess
import threading
import time


def sized_pty(bench, argv, rows, cols, screen=None):
    """run.py's Pty, in a terminal of rows x cols (its own is 120x40)."""
    import fcntl
    import struct
    import termios

    t = bench.Pty.__new__(bench.Pty)
    t.pid, t.fd = pty.fork()
    if t.pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS=str(cols), LINES=str(rows))
        os.execv(argv[0], argv)
    fcntl.ioctl(t.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    t.start, t.total, t.seen, t.screen, t.stream, t.log = time.monotonic(), 0, b"", screen, None, []
    if screen is not None:
        import pyte
        t.stream = pyte.ByteStream(screen)
    return t


def start_fleet(bench, count, data_dir):
    """`comfytop mock --servers N` on free ports; the process and its URLs."""
    mock = subprocess.Popen([bench.COMFYTOP, "mock", "--servers", str(count), "--port", "0", "--data-dir", data_dir],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    urls = []
    deadline = time.time() + 120
    while len(urls) < count and time.time() < deadline:
        m = re.search(r"http://127\.0\.0\.1:\d+", mock.stderr.readline() or "")
        if m:
            urls.append(m.group(0))
    threading.Thread(target=lambda: [None for _ in mock.stderr], daemon=True).start()
    return mock, urls


def config(path, servers):
    """A config file naming each server s01, s02… (short names: the fleet screen shows them whole)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for i, url in enumerate(servers, start=1):
            f.write(f'[servers.s{i:02d}]\nurl = "{url}"\n')


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) if m else 0


def b8(bench):
    """The monitor on a fleet: N mocks each stepping a job at 10 steps/s (progress_state + progress a step, as a
    sampler sends them), from a pty sized to show every row through pyte: CPU, p99 event-to-screen, memory; then
    start-up to the first complete fleet frame with 5 of the N unreachable (2 refusing, 3 silent)."""
    import pyte

    n = 10 if bench.QUICK else 50
    steps = 30 if bench.QUICK else 100
    work = os.path.join(bench.work, "b8")
    mock, urls = start_fleet(bench, n, os.path.join(work, "mocks"))
    try:
        if len(urls) < n:
            bench.figure("B8 fleet", None, "", None, "the fleet mock did not start", False)
            return
        mock_rss = status_kb(mock.pid, "VmRSS")
        cfg = os.path.join(work, "config.toml")
        config(cfg, urls)
        rows, cols = int(n * 1.7) + 10, 140  # the fleet screen gives its server list about 60 % of the height
        argv = [bench.COMFYTOP, "--all", "--config", cfg, "--data-dir", os.path.join(work, "store")]

        # Load: every server steps a job; every value is timed from the mock's send to the screen.
        screen = pyte.Screen(cols, rows)
        t = sized_pty(bench, argv, rows, cols, screen=screen)
        t.pump(4)
        pattern = re.compile(r"\b(s\d\d)\b.*?(\d+)%")
        shown = {}

        def on_read(now):
            for line in screen.display:
                m = pattern.search(line)
                if m:
                    seen = shown.setdefault(m.group(1), [])
                    value = int(m.group(2))
                    if not seen or seen[-1][1] != value:
                        seen.append((now, value))

        answers = {}

        def burst(i, url):
            answers[i] = bench.post(url, "/mock/burst", {"frames": steps, "rate": 10, "max": steps, "steps": True})

        senders = [threading.Thread(target=burst, args=(i, url)) for i, url in enumerate(urls, start=1)]
        for s in senders:
            s.start()
        t.pump(1.5, on_read=on_read)
        cpu0, at0 = t.cpu(), time.monotonic()
        while any(s.is_alive() for s in senders):
            t.pump(0.2, on_read=on_read)
        cpu_share = bench.cpu_between(cpu0, t.cpu()) / (time.monotonic() - at0) * 100
        t.pump(0.5, on_read=on_read)
        rss = status_kb(t.pid, "VmRSS")
        peak = status_kb(t.pid, "VmHWM")
        t.stop()
        lat, missing = [], 0
        for i, answer in answers.items():
            seen = shown.get(f"s{i:02d}", [])
            j = 0
            for k, ns in enumerate(answer["sent_ns"], start=1):
                while j < len(seen) and seen[j][1] < k * 100 // steps:
                    j += 1
                if j < len(seen):
                    lat.append((seen[j][0] - ns / 1e9) * 1000)
                else:
                    missing += 1
        lat.sort()
        p99 = lat[max(0, int(len(lat) * 0.99) - 1)] if lat else float("inf")
        met = cpu_share <= 10 and p99 <= 50 and rss <= 150 * 1024 and missing == 0

        # Start-up with 5 unreachable: the last 2 refuse (nothing listens), the last 3 accept and never answer.
        refused = []
        for _ in range(2):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            refused.append(f"http://127.0.0.1:{s.getsockname()[1]}")
            s.close()
        silent = []
        for _ in range(3):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(64)  # the kernel completes the handshakes; nobody reads or answers
            silent.append(s)
        live = n - 5
        config(cfg, urls[:live] + refused + [f"http://127.0.0.1:{s.getsockname()[1]}" for s in silent])
        starts, lives = [], []
        for _ in range(1 if bench.QUICK else bench.RUNS):
            screen = pyte.Screen(cols, rows)
            t = sized_pty(bench, argv, rows, cols, screen=screen)
            first = everyone = None
            end = time.monotonic() + 10
            while time.monotonic() < end and everyone is None:
                t.pump(0.01)
                text = "\n".join(screen.display)
                now = time.monotonic() - t.start
                if first is None and "quit" in text and all(f"s{i:02d}" in text for i in range(1, n + 1)):
                    first = now
                if first is not None and text.count(" live") >= live:
                    everyone = now
            t.stop()
            starts.append(first if first is not None else float("inf"))
            lives.append(everyone if everyone is not None else float("inf"))
        for s in silent:
            s.close()
        start_ms = statistics.median(starts) * 1000
        met = met and start_ms <= 500
        bench.figure(
            "B8 fleet", round(cpu_share, 2), "% of one core", None,
            "50 servers x 10 steps/s: CPU ≤ 10 %, p99 ≤ 50 ms, RSS ≤ 150 MB; first frame ≤ 500 ms with 5 down",
            met,
            f"p99 {p99:.1f} ms (median {lat[len(lat) // 2] if lat else 0:.1f} ms, {len(lat)} steps, {missing} never "
            f"shown); RSS {rss / 1024:.0f} MB (peak {peak / 1024:.0f} MB); first complete frame {start_ms:.0f} ms "
            f"with 2 refusing and 3 silent, every live server live at {statistics.median(lives) * 1000:.0f} ms; "
            f"the {n} mocks: {mock_rss / 1024:.0f} MB in one process")
    finally:
        mock.terminate()


def b10(bench):
    """A year of history: 1,000,000 runs over 50 servers, written straight to a store; the first history screens
    and word searches, and the store's size on disk."""
    runs = "20000" if bench.QUICK else "1000000"
    h = bench.run_json([bench.BENCH, "history-year", runs, "50", os.path.join(bench.work, "year.sqlite")])
    met = h["first_screen_ms"] <= 300 and h["search_ms_median"] <= 50 and h["search_ms_max"] <= 50
    words = ", ".join(f"{s['word']} {s['ms']:.1f} ms ({'10,000+' if s['matches'] > 10000 else format(s['matches'], ',')})" for s in h["searches"])
    bench.figure(
        "B10 a year of history", round(h["first_screen_ms"], 1), "ms", None,
        "1,000,000 runs, 50 servers: first screen ≤ 300 ms; a word search ≤ 50 ms", met,
        f"{h['runs']:,} runs; one server's screen {h['server_screen_ms']:.1f} ms; searches (matches): {words}; "
        f"store {h['store_bytes'] / 1e9:.2f} GB on disk, written in {h['generate_s']:.0f} s")
