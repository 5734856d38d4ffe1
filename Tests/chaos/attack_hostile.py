"""Hostile server: every client of comfytop against the fake ComfyUI of hostile.py, one attack at a time."""
import concurrent.futures
import json
import os

from common import CHILD_ENV, COMFYTOP, QUICK, HarnessError, Pty, plain_control_bytes, run, screen_control_bytes
from hostile import HTTP_MODES, WS_MODES, Hostile

FAILED_ID = "44444444-0000-4000-8000-000000000004"
# Attacks that only the WebSocket sees; the HTTP-only commands are not run against them.
WS_ONLY = {"invalid-utf8", "frame-64mib", "random-frames", "unknown-types", "short-binary"}


def clients(url, work, mode):
    """(name, how, argv, plain?) for every client of one attack."""
    data = os.path.join(work, "data-" + mode)
    out = os.path.join(work, "out-" + mode)
    os.makedirs(out, exist_ok=True)
    wf = os.path.join(work, "wf.json")
    with open(wf, "w") as f:
        json.dump({"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1,
                                                                "color": 0}},
                   "9": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}, f)
    # A store for each client: the plain commands run 4 at a time.
    def store(client):
        return ["--data-dir", f"{data}-{client}"]

    c = [("monitor", "pty", [COMFYTOP, "--url", url, *store("monitor")], False),
         ("watch --json", "watch", [COMFYTOP, "watch", "--json", "--url", url], False),
         ("submit --wait", "cli", [COMFYTOP, "submit", wf, "--wait", "--timeout", "20", "--output-dir", out,
                                   "--url", url, *store("submit")], True)]
    if mode not in WS_ONLY:
        c += [("history", "cli", [COMFYTOP, "history", "--url", url, *store("history")], True),
              ("history --json", "cli", [COMFYTOP, "history", "--json", "--url", url, *store("history-json")],
               False),
              ("show", "cli", [COMFYTOP, "show", FAILED_ID, "--url", url], True),
              ("show --json", "cli", [COMFYTOP, "show", FAILED_ID, "--json", "--url", url], False),
              ("history import", "cli", [COMFYTOP, "history", "import", "--url", url, *store("import")], True)]
    return c


def attack(server, mode, work, log):
    """Runs every client against one attack; returns a list of per-run records."""
    server.set_mode(mode)
    seconds = 2.5 if QUICK else 5
    records = []
    todo = clients(server.url, work, mode)
    # The plain commands run 4 at a time (a slow server keeps each of them for its whole timeout).
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        plain_runs = {name: pool.submit(run, argv, 60 if mode == "slow" else 45,
                                        dict(CHILD_ENV, XDG_DATA_HOME=os.path.join(work, f"xdg-{mode}-{i}")), work)
                      for i, (name, how, argv, _) in enumerate(todo) if how == "cli"}
    for name, how, argv, plain in todo:
        if how == "pty":
            t = Pty(argv)
            t.pump(seconds)
            r = t.finish(b"q")
            bad = screen_control_bytes(r.out)
        elif how == "watch":
            r = run(argv, timeout=seconds + 10, interrupt_after=seconds)
            bad = plain_control_bytes(r.out) + plain_control_bytes(r.err)
        else:
            r = plain_runs[name].result()
            bad = plain_control_bytes(r.out) + plain_control_bytes(r.err)
        if r.code == 2 and b"Usage:" in r.err:
            raise HarnessError(f"{name}: the harness's arguments are refused: {r.brief()}")
        rec = {"mode": mode, "client": name, "code": r.code, "crashed": r.crashed, "hung": r.hung,
               "control": bad, "rss_kb": r.maxrss_kb, "seconds": round(r.seconds, 1), "brief": r.brief()}
        records.append(rec)
        if r.crashed or r.hung or bad:
            log(f"  hostile {mode:14} {name:15} exit {r.code} crashed={r.crashed} hung={r.hung} "
                f"control={bad} rss={r.maxrss_kb // 1024} MB")
            sample = (r.out + r.err)
            if bad and how != "pty":
                from common import PLAIN_BAD
                m = PLAIN_BAD.search(sample)
                if m:
                    rec["sample"] = sample[max(0, m.start() - 60):m.end() + 20].decode("utf-8", "backslashreplace")
    return records


def section(figures, work, log):
    server = Hostile(quick=QUICK)
    # Quick (make test): one attack of each kind, none of the slow ones.
    modes = ["escapes", "numbers", "short-binary", "lie-short", "html"] if QUICK else WS_MODES + HTTP_MODES
    records = []
    try:
        for mode in modes:
            records += attack(server, mode, work, log)
        served = server.ws_sessions
    finally:
        server.stop()
    with open(os.path.join(work, "hostile-runs.json"), "w") as f:
        json.dump(records, f, indent=1)
    if served == 0:
        raise HarnessError("the hostile server saw no WebSocket session")
    crashes = [r for r in records if r["crashed"]]
    hangs = [r for r in records if r["hung"]]
    raw = [r for r in records if r["control"]]
    peak = max(records, key=lambda r: r["rss_kb"])
    big = [r for r in records if r["mode"] == "frame-64mib"]
    big_peak = max(big, key=lambda r: r["rss_kb"]) if big else peak

    def where(rs):
        return "; ".join(sorted({f"{r['client']} on {r['mode']}" for r in rs}))[:600]

    n = len(records)
    figures.add("hostile: crashes", len(crashes), f"of {n} runs", "0", not crashes, where(crashes))
    figures.add("hostile: hangs", len(hangs), f"of {n} runs", "0", not hangs, where(hangs))
    figures.add("hostile: raw control bytes", sum(r["control"] for r in raw), "sequences", "0", not raw,
                where(raw))
    # A small multiple of the input: 3× the 64 MiB frame, the process's own ~45 MB included.
    if big:
        figures.add("hostile: peak memory, 15 and 64 MiB frames", round(big_peak["rss_kb"] / 1024), "MB", "≤ 192 MB",
                    big_peak["rss_kb"] <= 192 * 1024, f"{big_peak['client']}")
    figures.add("hostile: peak memory, any attack", round(peak["rss_kb"] / 1024), "MB", "≤ 192 MB",
                peak["rss_kb"] <= 192 * 1024, f"{peak['client']} on {peak['mode']}")
    return records
