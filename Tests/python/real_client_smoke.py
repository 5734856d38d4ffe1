#!/usr/bin/env python3
"""A client written against the real ComfyUI (requests + websocket-client, as the fixtures' recorder was),
run unchanged against `comfytop mock`. It starts the mock on a free port, queues a prompt with its own
client_id, follows the WebSocket until `executing {node: null}`, then reads /history and /view."""
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests
import websocket

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/comfytop"
data_dir = tempfile.mkdtemp(prefix="comfytop-smoke-")
proc = subprocess.Popen([binary, "mock", "--port", "0", "--data-dir", data_dir],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


try:
    port = None
    deadline = time.time() + 30
    while time.time() < deadline and port is None:
        line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line or "")
        if m:
            port = int(m.group(1))
    if port is None:
        print("FAIL the mock did not report its port")
        sys.exit(1)
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    client_id = uuid.uuid4().hex
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/ws?clientId={client_id}", timeout=20)
    first = json.loads(ws.recv())
    check(first["type"] == "status" and first["data"]["sid"] == client_id, "first frame is status with our sid")

    prompt = {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 43520}},
        "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": 4, "delay_ms": 50,
                                                     "send_preview": True, "send_text": True, "seed": 7}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "smoke/run"}},
    }
    r = requests.post(f"{base}/prompt", json={"prompt": prompt, "client_id": client_id}, timeout=10)
    check(r.status_code == 200 and r.json()["node_errors"] == {}, "POST /prompt accepted")
    prompt_id = r.json()["prompt_id"]

    seen = []
    while True:
        msg = ws.recv()
        if isinstance(msg, bytes):
            seen.append("binary/%d" % int.from_bytes(msg[:4], "big"))
            continue
        m = json.loads(msg)
        seen.append(m["type"])
        if m["type"] == "executing" and m["data"]["node"] is None and m["data"]["prompt_id"] == prompt_id:
            break
    check(seen.count("progress") == 4, "four progress messages")
    check("binary/1" in seen and "binary/3" in seen, "preview and text frames")
    check(seen.index("execution_success") < len(seen) - 1, "execution_success before executing null")

    h = requests.get(f"{base}/history/{prompt_id}", timeout=10).json()
    check(h[prompt_id]["status"]["status_str"] == "success", "history entry written before executing null")
    image = h[prompt_id]["outputs"]["3"]["images"][0]
    v = requests.get(f"{base}/view", params=image, timeout=10)
    check(v.status_code == 200 and v.content[:8] == b"\x89PNG\r\n\x1a\n", "/view returns the PNG")
    bad = requests.post(f"{base}/prompt", json={"prompt": {"1": {"class_type": "Nope", "inputs": {}}}}, timeout=10)
    check(bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_prompt", "validation error shape")
    ws.close()
finally:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()

print(f"{8 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
