#!/usr/bin/env python3
"""The CLI as a script uses it: exit codes, --json output and messages, against `comfytop mock`."""
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402
binary = comfytop_binary()
work = tempfile.mkdtemp(prefix="comfytop-cli-")
mock, url = start_mock(binary, os.path.join(work, "data"), "--speed", "10")
check = Checks()


def run(*args, url=None):
    cmd = [binary, *args] + (["--url", url] if url else [])
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "xdg"))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=work, env=env)
    return p.returncode, p.stdout, p.stderr


def run_args(*args, pty_out=False):
    """Runs comfytop with exactly these arguments; with pty_out, stdout and stderr are a terminal."""
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "xdg"), XDG_CONFIG_HOME=os.path.join(work, "config"))
    if not pty_out:
        p = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, cwd=work, env=env)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    p = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=work, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = p.wait(timeout=120)
    text = b"".join(chunks).decode("utf-8", "replace")
    return code, text, text


def raw_controls(text):
    """Characters a terminal would act on: C0 (but newline, CR), DEL, C1 and bidi controls."""
    bad = set(range(0x20)) - {0x0A, 0x0D} | {0x7F} | set(range(0x80, 0xA0)) | set(range(0x202A, 0x202F)) \
        | set(range(0x2066, 0x206A))
    return [c for c in text if ord(c) in bad]


def write(name, obj):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


try:
    # Drain the mock's log as it comes, so a full pipe never blocks it; checked at the end.
    mock_lines = []
    drain = threading.Thread(target=lambda: mock_lines.extend(iter(mock.stderr.readline, "")), daemon=True)
    drain.start()

    wf = write("wf.json", {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
        "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 8, "cfg": 7.0, "sampler_name": "euler",
                                                    "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                                    "positive": ["6", 0], "negative": ["7", 0],
                                                    "latent_image": ["5", 0]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "e2e/fox"}},
    })
    code, out, err = run("submit", wf, "--wait", "--json", "--output-dir", "out", "--sidecar", url=url)
    result = json.loads(out) if code == 0 else {}
    check(code == 0 and result.get("status") == "success", "submit --wait --json succeeds (exit 0)")
    saved = [s["path"] for s in result.get("saved", [])]
    check(len(saved) == 1 and os.path.exists(saved[0]) and saved[0].endswith("out/e2e/fox_00001_.png"),
          "the output is downloaded into --output-dir/subfolder")
    check(os.path.exists(os.path.join(work, "out/e2e/fox_00001_.txt")), "the prompt text sidecar is written")
    check("\x1b[" not in err, "no escape codes when stderr is not a terminal")

    code, out, _ = run("submit", wf, "--set", "3.seed=random", url=url)
    check(code == 0 and re.fullmatch(r"[0-9a-f-]{36}\n", out) is not None, "submit without --wait prints the prompt_id")

    code, out, _ = run("queue", "--json", url=url)
    check(code == 0 and "items" in json.loads(out), "queue --json")

    code, out, _ = run("history", "--json", "--limit", "5", url=url)
    check(code == 0 and len(json.loads(out)) >= 1, "history --json")

    pid = result.get("prompt_id", "")
    code, out, _ = run("show", pid, "--json", url=url)
    check(code == 0 and json.loads(out)["status"] == "success", "show --json of a finished job")

    code, out, err = run("download", pid, "--output-dir", "again", url=url)
    check(code == 0 and "fox_00001_.png" in out, "download a finished job")

    fail = write("fail.json", {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
        "2": {"class_type": "FailAfter", "inputs": {"image": ["1", 0], "steps": 3, "fail_at": 1, "delay_ms": 10}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}},
    })
    code, out, _ = run("submit", fail, "--wait", url=url)
    check(code == 1 and "node 2 FailAfter: " in out and "deliberate failure after 1 of 3 steps" in out
          and "RuntimeError" in out, "a failing job exits 1 and names the node")

    ui = write("ui.json", {"nodes": [], "links": [], "version": 0.4})
    code, _, err = run("submit", ui, url=url)
    check(code == 2 and "Export (API)" in err, "a UI-format workflow exits 2 and says how to export")

    bad = write("bad.json", {"1": {"class_type": "SlowSteps", "inputs": {}},
                             "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}})
    code, out, err = run("submit", bad, "--json", url=url)
    check(code == 1 and "node 1 SlowSteps: Required input is missing: image" in err
          and "error" in json.loads(out), "validation errors exit 1, per node, with an error object in --json")

    code, _, err = run("queue", url="http://127.0.0.1:1")
    check(code == 3 and "connection refused. Is ComfyUI running at http://127.0.0.1:1?" in err,
          "an unreachable server exits 3 with what to do")

    code, _, err = run("queue", "--bogus", url=url)
    check(code == 2, "an unknown flag exits 2")

    code, out, _ = run("cancel", "00000000-0000-0000-0000-000000000000", url=url)
    check(code == 1 and "not queued" in out, "cancelling an unknown job exits 1")

    code, out, _ = run("history", "--search", "fox", "--json", url=url)
    found = json.loads(out) if code == 0 else {}
    check(code == 0 and found.get("total", 0) >= 1 and "red fox" in found["runs"][0]["positive"],
          "history --search finds a run by a word of its prompt")
    code, out, _ = run("history", "--status", "failed", "--json", url=url)
    check(code == 0 and all(r["status"] == "failed" for r in json.loads(out)["runs"]), "history --status failed")
    code, out, _ = run("history", "--local", "--search", "fox", url=url)
    check(code == 0 and "a red fox" in out, "history --local answers from the store without the server")

    code, out, _ = run("status", "--json", url=url)
    status = json.loads(out) if code == 0 else {}
    current = os.environ.get("COMFYTOP_SERVER_VERSION") == "current"
    check(code == 0 and status.get("version") == ("0.38.1" if current else "0.3.64")
          and status.get("jobs_api") is current, "status --json")

    # Global options before the subcommand, as in git and kubectl.
    code, out, err = run_args("--url", url, "history", "--json", "--limit", "2")
    check(code == 0 and "runs" in json.loads(out), "--url before the subcommand: comfytop --url X history")
    code, out, _ = run_args("--json", "--url", url, "queue")
    check(code == 0 and "items" in json.loads(out), "--json --url X queue")
    code, out, _ = run_args(f"--url={url}", "status")
    check(code == 0 and out.startswith("server   "), "--url=X status (the = form)")
    config = os.path.join(work, "servers.toml")
    with open(config, "w") as f:
        f.write(f'[servers.box]\nurl = "{url}"\n')
    code, out, _ = run_args("--config", config, "--server", "box", "status", "--json")
    check(code == 0 and json.loads(out).get("url", "").startswith(url), "--config F --server NAME status")
    store = os.path.join(work, "store-before")
    code, out, _ = run_args("--data-dir", store, "--url", url, "history", "--json")
    check(code == 0 and os.path.exists(os.path.join(store, "history.sqlite")),
          "--data-dir before history records into that folder")
    submit_store = os.path.join(work, "store-submit")
    code, out, _ = run_args("--data-dir", submit_store, "--url", url, "submit", wf, "--wait", "--no-download", "--json")
    done_id = json.loads(out).get("prompt_id") if code == 0 else None
    code, out, _ = run_args("history", "--local", "--json", "--data-dir", submit_store, "--url", url)
    check(done_id is not None and code == 0 and done_id in [r["prompt_id"] for r in json.loads(out)["runs"]],
          "submit --wait --data-dir DIR (given before the subcommand) records the run into DIR")
    code, _, err = run_args("--data-dir", store, "--url", url, "status")
    check(code == 2 and "comfytop status does not take --data-dir" in err,
          "a global option the subcommand does not take: exit 2, and says so")
    code, _, err = run_args("--url", "http://127.0.0.1:1", "--json")
    check(code == 2 and "has no --json" in err, "--json with no subcommand (the monitor) says where JSON is")

    # Text from outside never reaches the terminal raw: OSC 52, clear screen, colours, C1 CSI, bidi override.
    hostile = "fox \x1b[31mred\x1b[0m\nrow \x1b]52;c;cHduZWQ=\x07 \x1b[2J \u202eevil\u202c \u009b31m c1"
    with open(wf) as f:
        graph = json.load(f)
    graph["6"]["inputs"]["text"] = hostile
    graph["9"]["inputs"]["filename_prefix"] = "evil"
    evil = write("evil.json", graph)
    import urllib.request
    bad_name = "\x1b]52;c;cHduZWQ=\x07../\x1b[2Jevil.png"
    urllib.request.urlopen(urllib.request.Request(url + "/mock/fault", data=json.dumps({"output_name": bad_name})
                                                  .encode(), headers={"Content-Type": "application/json"}))
    code, out, err = run("submit", evil, "--wait", "--no-download", url=url)
    urllib.request.urlopen(urllib.request.Request(url + "/mock/fault", data=json.dumps({"output_name": None})
                                                  .encode(), headers={"Content-Type": "application/json"}))
    evil_id = next((w for w in out.split() if re.fullmatch(r"[0-9a-f-]{36}", w)), "")
    check(code == 0 and evil_id and not raw_controls(out + err), "submit --wait of a hostile prompt: no raw controls")
    for pty_out in (False, True):
        how = "on a terminal" if pty_out else "piped"
        code, out, err = run_args("history", "--url", url, "--search", "fox", "--limit", "50", pty_out=pty_out)
        check(code == 0 and "^[]52;c;" in out and "<U+202E>" in out and not raw_controls(out + err),
              f"history {how}: the hostile prompt is shown escaped")
        rows = out.splitlines()
        check(rows and all(re.match(r"(STATUS|success|failed|interrupted|\(\d+ in all)", r) for r in rows),
              f"history {how}: every line is a row (a newline in a prompt does not start one)")
        code, out, err = run_args("show", evil_id, "--url", url, pty_out=pty_out)
        check(code == 0 and "^[[2J" in out and "<U+009B>" in out and not raw_controls(out + err),
              f"show {how}: prompt text and output names escaped")
        check(any(line.startswith("    row ^[]52;c;") for line in out.splitlines()),
              f"show {how}: a multi-line prompt keeps its lines, indented")
        code, out, err = run_args("download", evil_id, "--url", url, "--output-dir", "evil-out", pty_out=pty_out)
        check(code == 1 and "^[]52" in err and not raw_controls(out + err),
              f"download {how}: a refused name is shown escaped")
    urllib.request.urlopen(urllib.request.Request(url + "/interrupt", data=json.dumps({"prompt_id": hostile})
                                                  .encode(), headers={"Content-Type": "application/json"}))
    code, out, _ = run_args("history", "--url", url, "--search", "fox", "--json")
    check(code == 0 and not raw_controls(out) and hostile in [r["positive"] for r in json.loads(out)["runs"]],
          "history --json keeps the text exact, escaped by JSON")
finally:
    stop(mock)
    if "drain" in globals():
        drain.join(timeout=10)
    mock_log = "".join(mock_lines) if "mock_lines" in globals() else ""
check("^[]52;c;" in mock_log and not raw_controls(mock_log),
      "the mock's log shows a hostile prompt id (POST /interrupt) escaped")

check.finish()
