"""Terminal: random resizes of the monitor's pty during a run; SIGTERM, SIGHUP, SIGINT and SIGQUIT each leave the
terminal restored (alternate screen left, cursor shown, mouse off) with the conventional exit code."""
import os
import random
import re
import signal

from common import COMFYTOP, QUICK, Mock, Pty, http

SIGNALS = [("SIGTERM", signal.SIGTERM, 143), ("SIGHUP", signal.SIGHUP, 129), ("SIGINT", signal.SIGINT, 130),
           ("SIGQUIT", signal.SIGQUIT, 131)]


def restored(out):
    """What the program left undone at its end: [] when the terminal is back as it was."""
    problems = []

    def last(pattern):
        ms = list(re.finditer(pattern, out))
        return ms[-1].end() if ms else -1

    if last(rb"\x1b\[\?1049h") > last(rb"\x1b\[\?1049l"):
        problems.append("still on the alternate screen")
    if last(rb"\x1b\[\?25l") > last(rb"\x1b\[\?25h"):
        problems.append("cursor hidden")
    for mode in (b"1000", b"1002", b"1003", b"1006", b"1015"):
        if last(rb"\x1b\[\?" + mode + rb"h") > last(rb"\x1b\[\?" + mode + rb"l"):
            problems.append(f"mouse mode {mode.decode()} on")
    return problems


def workload(url, n):
    for i in range(n):
        graph = {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                              "color": i}},
                 "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": 30, "delay_ms": 100,
                                                             "send_preview": True, "send_text": True,
                                                             "seed": int.from_bytes(os.urandom(4), "big")}},
                 "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "term"}}}
        http(url, "/prompt", {"prompt": graph})


def section(figures, work, log):
    mock = Mock(os.path.join(work, "term-mock"), speed="1")
    try:
        workload(mock.url, 4)
        resizes = 30 if QUICK else 200
        rng = random.Random(14)
        t = Pty([COMFYTOP, "--url", mock.url, "--data-dir", os.path.join(work, "term-store")])
        t.pump(2, until=b"quit")
        deaths = 0
        for i in range(resizes):
            t.resize(rng.randint(1, 300), rng.randint(1, 100))
            t.pump(rng.uniform(0.005, 0.06))
            if not t.alive():
                deaths += 1
                break
        t.resize(120, 40)
        t.pump(1)
        alive = t.alive()
        r = t.finish(b"q")
        left = restored(r.out)
        ok = deaths == 0 and alive and r.code == 0 and not r.hung and not left
        if not ok:
            log(f"  terminal: after {resizes} resizes: alive={alive} {r.brief()} {left}")
        figures.add(f"terminal: deaths in {resizes} resizes", 0 if alive else 1, "deaths", "0, then q exits 0",
                    ok, f"exit {r.code}{' (hung)' if r.hung else ''}; {', '.join(left) or 'restored'}")

        for name, sig, want in SIGNALS:
            t = Pty([COMFYTOP, "--url", mock.url, "--data-dir", os.path.join(work, "term-store")])
            t.pump(3, until=b"quit")
            t.pump(0.5)
            r = t.finish(sig=sig)
            left = restored(r.out)
            ok = r.code == want and not r.hung and not left
            if not ok:
                log(f"  terminal: {name}: exit {r.code} (want {want}){' hung' if r.hung else ''}; {left}")
            figures.add(f"terminal: {name}", r.code, "exit code", f"{want}, terminal restored", ok,
                        ", ".join(left) or "restored")
    finally:
        mock.stop()
