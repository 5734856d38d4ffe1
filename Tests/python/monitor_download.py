#!/usr/bin/env python3
"""The d key in the history browser, in a pty against the mock: a run with one safe and one unsafe output name
saves the safe file and lists the refused name (escaped) on the message line, from the server's history and, once
the server forgot the run, from the local store's files."""
import io
import json
import os
import sys
import tempfile
import time
import urllib.request

import pexpect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402
binary = comfytop_binary()
work = tempfile.mkdtemp(prefix="comfytop-download-")
mock, url = start_mock(binary, os.path.join(work, "data"))
check = Checks()



def post(path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        text = reply.read().decode()
        return json.loads(text) if text.strip() else None


def history(prompt_id):
    with urllib.request.urlopen(f"{url}/history/{prompt_id}", timeout=10) as reply:
        return json.loads(reply.read().decode())


prompt = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "safe/ok"}},
    "3": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x/\x1b]52;c;SGk=\x07evil"}},
}
prompt_id = post("/prompt", {"prompt": prompt})["prompt_id"]
deadline = time.time() + 30
while time.time() < deadline and prompt_id not in history(prompt_id):
    time.sleep(0.2)
check(prompt_id in history(prompt_id), "the run finished on the mock")

out_dir = os.path.join(work, "out")
os.makedirs(out_dir)
env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
env.pop("TMUX", None)
screen = io.BytesIO()
child = pexpect.spawn(binary, ["--url", url, "--data-dir", os.path.join(work, "store"), "--download-dir", out_dir],
                      env=env, dimensions=(30, 140), timeout=20)
child.logfile_read = screen


def saw(pattern, what):
    try:
        child.expect(pattern, timeout=15)
        check(True, what)
    except pexpect.TIMEOUT:
        check(False, what)


saw("ComfyUI", "the monitor starts")
# The monitor records the server's recent history into its store as it starts.
child.send("h")
saw("1 run", "the history browser lists the run")
child.send("d")
saw(r"saved 1 file\(s\) to .*refused 1 unsafe name\(s\): \^\[\]52;c;SGk=\^Gevil",
    "from the server's history: the safe file saved, the unsafe name refused and shown escaped")


def files():
    return sorted(os.path.relpath(os.path.join(d, f), out_dir) for d, _, names in os.walk(out_dir) for f in names)


check(files() == ["safe/ok_00001_.png"], f"only the safe file is written ({files()})")

post("/history", {"delete": [prompt_id]})
check(prompt_id not in history(prompt_id), "the server forgot the run")
child.send("d")
# The message line reads as before (only its time changes on screen): the files tell.
deadline = time.time() + 15
while time.time() < deadline and len(files()) < 2:
    child.expect([pexpect.TIMEOUT], timeout=0.2)
check(len(files()) == 2 and all(f.startswith("safe/ok_00001_") for f in files()),
      f"from the local store: the safe file saved again as a new version, the unsafe one refused ({files()})")
check(b"\x1b]52;c;SGk=" not in screen.getvalue(), "the unsafe name never reaches the terminal raw")

child.send("q")
child.expect(pexpect.EOF)
child.close()
check(child.exitstatus == 0, "q quits with 0")
stop(mock)
check.finish()
