#!/usr/bin/env python3
"""The CLI as a script uses it: exit codes, --json output and messages, against `comfytop mock`."""
import json
import os
import re
import subprocess
import sys
import tempfile

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/comfytop")
work = tempfile.mkdtemp(prefix="comfytop-cli-")
mock = subprocess.Popen([binary, "mock", "--port", "0", "--data-dir", os.path.join(work, "data"), "--speed", "10"],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
failures = []
passed = 0


def check(cond, what):
    global passed
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passed += 1
    else:
        failures.append(what)


def run(*args, url=None):
    cmd = [binary, *args] + (["--url", url] if url else [])
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "xdg"))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=work, env=env)
    return p.returncode, p.stdout, p.stderr


def write(name, obj):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


try:
    url = None
    for _ in range(200):
        m = re.search(r"http://127\.0\.0\.1:(\d+)", mock.stderr.readline() or "")
        if m:
            url = f"http://127.0.0.1:{m.group(1)}"
            break
    if url is None:
        print("FAIL the mock did not start")
        sys.exit(1)

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
    check(code == 1 and "node 2 FailAfter: RuntimeError: FailAfter: deliberate failure after 1 of 3 steps" in out,
          "a failing job exits 1 and names the node")

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
    check(code == 0 and status.get("version") == "0.3.64" and status.get("jobs_api") is False, "status --json")
finally:
    mock.terminate()
    try:
        mock.wait(timeout=10)
    except subprocess.TimeoutExpired:
        mock.kill()

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
