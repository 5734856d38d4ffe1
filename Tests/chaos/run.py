#!/usr/bin/env python3
"""make chaos: attacks comfytop the way reality does (faults under load, a hostile server, fuzzed decoders, secrets,
the terminal); prints one table and writes bench/chaos.json, a list of {"name", "value", "unit", "target", "met"}.

Environment: CHAOS_QUICK=1 (tiny settings, for make test), CHAOS_ONLY=load,hostile,fuzz,secrets,terminal,
CHAOS_BIN_DIR (default .build/release), CHAOS_OUT (default bench/chaos.json).
Exit code: 0 every target met (or CHAOS_QUICK=1: the harness ran), 1 a target unmet, 2 the harness itself broke."""
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import COMFYTOP, QUICK, ROOT, Figures, HarnessError  # noqa: E402

SECTIONS = ["load", "fuzz", "hostile", "secrets", "terminal"]
ONLY = [x.strip() for x in os.environ.get("CHAOS_ONLY", "").split(",") if x.strip()]
lock = threading.Lock()


def log(line):
    with lock:
        print(line, flush=True)


def self_check():
    """The scanners find what they are meant to find, or every 0 below would mean nothing."""
    from hostile import EVIL
    evil = EVIL.encode()
    assert common.plain_control_bytes(evil) >= 6, "plain scanner"
    assert common.plain_control_bytes(b"ok\tline\r\n") == 0, "plain scanner false positive"
    assert common.screen_control_bytes(evil) >= 4, "screen scanner"
    assert common.screen_control_bytes(b"\x1b[H\x1b[2J\x1b[1;31mA\x1b[?1049h\x1b(0q\x1b(B") == 0, "screen scanner"
    assert b"c2VjcmV0LXZhbHVl" in common.secret_forms("secret-value"), "secret forms"


def main():
    # A SIGTERM/SIGHUP (a CI timeout) still kills every child: the finally below runs.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _: sys.exit(128 + n))
    if not os.access(COMFYTOP, os.X_OK):
        print(f"make chaos: {COMFYTOP} is missing; build it first (swift build -c release --product comfytop)")
        return 2
    self_check()
    work = tempfile.mkdtemp(prefix="comfytop-chaos-")
    figures = Figures()
    broken = []
    started = time.monotonic()
    wanted = [s for s in SECTIONS if not ONLY or s in ONLY]

    def attempt(name):
        module = __import__("attack_" + name)
        t0 = time.monotonic()
        log(f"chaos: {name}…")
        try:
            module.section(figures, work, log)
        except HarnessError as e:
            broken.append(f"{name}: {e}")
            log(f"chaos: {name}: HARNESS BROKE: {e}")
        except Exception:  # noqa: BLE001 — any other exception is the harness's own bug
            broken.append(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}")
            log(f"chaos: {name}: HARNESS BROKE:\n{traceback.format_exc()}")
        log(f"chaos: {name} took {time.monotonic() - t0:.0f} s")

    try:
        # The fuzzer runs on one core while the load test mostly waits on the mock's slow steps.
        fuzz = threading.Thread(target=attempt, args=("fuzz",), daemon=True) if "fuzz" in wanted else None
        if fuzz:
            fuzz.start()
        for name in wanted:
            if name != "fuzz":
                attempt(name)
        if fuzz:
            fuzz.join()
    finally:
        common.kill_all_children()
    order = {n: i for i, n in enumerate(SECTIONS)}
    rows = sorted(figures.rows, key=lambda r: order.get(r["name"].split(":")[0].split(" ")[0], 99))
    for b in broken:
        rows.append({"name": "harness: " + b.split(":")[0], "value": None, "unit": "", "target": "runs",
                     "met": False, "note": b})
    out = os.environ.get("CHAOS_OUT", os.path.join(ROOT, "bench/chaos.json"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(rows, f, indent=1, ensure_ascii=False)
    print(f"\n{'attack':54} {'value':>8} {'unit':24} {'target':34} met")
    for r in rows:
        value = "-" if r["value"] is None else str(r["value"])
        print(f"{r['name']:54} {value:>8} {r['unit']:24} {r['target']:34} {'yes' if r['met'] else 'NO'}"
              f"{'  (' + r['note'] + ')' if r.get('note') else ''}")
    all_met = all(r["met"] for r in rows) and not broken
    if all_met:
        shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(common.HOME, ignore_errors=True)
    print(f"\nchaos: {time.monotonic() - started:.0f} s, {sum(r['met'] for r in rows)}/{len(rows)} targets met, "
          f"{'' if all_met else f'work files (to reproduce) kept in {work}; '}written {out}")
    if broken:
        return 2
    if QUICK:
        return 0
    return 0 if all_met else 1


def markdown(path):
    """`run.py --markdown bench/chaos.json`: the table for the README."""
    with open(path) as f:
        rows = json.load(f)
    print("| attack | value | target | met |\n| --- | --- | --- | --- |")
    for r in rows:
        value = "-" if r["value"] is None else f"{r['value']:,}" if isinstance(r["value"], int) else str(r["value"])
        print(f"| {r['name']} | {value} {r['unit']} | {r['target']} | {'yes' if r['met'] else '**no**'} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        markdown(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
