#!/usr/bin/env python3
"""`comfytop fleet import`, end to end: a mock fleet whose first server answers ComfyUI-Distributed's
`/distributed/config` (COMFYTOP_MOCK_DISTRIBUTED_WORKERS=2: two local workers on the next ports, one disabled
remote worker), imported into a config that already has entries and comments; then `status --all` on the result.
Usage: fleet_import_e2e.py [path/to/comfytop]"""
import json
import os
import random
import re
import socket
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary, start_fleet, start_mock, stop  # noqa: E402

try:
    import tomllib
except ImportError:  # Python < 3.11: comfytop's own reading of the file is checked instead
    tomllib = None

COMFYTOP = binary()
check = Checks()
work = tempfile.mkdtemp(prefix="comfytop-fleet-import-e2e-")
config_home = os.path.join(work, "config")
config_path = os.path.join(config_home, "comfytop", "config.toml")
env = dict(os.environ, XDG_CONFIG_HOME=config_home, XDG_DATA_HOME=os.path.join(work, "data"), NO_COLOR="1")


def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(*args, timeout=60):
    p = subprocess.run([COMFYTOP, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path, "rb") as f:
        return f.read()


# The master lists its local workers at the next ports, so the fleet needs three consecutive free ports.
base = next((p for p in random.sample(range(22000, 22990, 3), 300) if all(free(p + i) for i in range(3))), None)
if base is None:
    print("FAIL no three consecutive free ports in 22000-22999")
    sys.exit(1)
mock, urls = start_fleet(COMFYTOP, os.path.join(work, "mock"), 3, port=base,
                         env=dict(os.environ, COMFYTOP_MOCK_DISTRIBUTED_WORKERS="2"))
plain = None
try:
    check(len(urls) == 3, f"mock --servers 3 listens three times: {urls}")
    if len(urls) < 3:
        check.finish()
    master, w1, w2 = (f"http://127.0.0.1:{base + i}" for i in range(3))
    refused = free_port()

    # The user's config: comments, a default, a name the master would take, worker 2 under another name.
    os.makedirs(os.path.dirname(config_path))
    original = (f'# my servers\ndefault = "lab"\n\n[servers.lab]   # the old box\nurl = "http://127.0.0.1:{refused}"\n'
                f'\n[servers.master]\nurl = "http://127.0.0.1:{refused}/other"\n[servers.w2]\nurl="{w2}/"').encode()
    with open(config_path, "wb") as f:
        f.write(original)
    os.chmod(config_path, 0o640)

    # --dry-run: the TOML on stdout, nothing written.
    code, out, err = run("fleet", "import", master, "--dry-run")
    check(code == 0 and out.startswith("# From the ComfyUI-Distributed master at " + master)
          and "[servers.master-2]" in out and f'url = "{w1}"' in out, f"--dry-run prints the TOML ({code}): {out!r}")
    check(read(config_path) == original, "--dry-run writes nothing")
    check("would add 2 servers" in err and "already in the config as w2" in err and "disabled" in err,
          f"--dry-run says what it would add and skip on stderr: {err!r}")

    # The import: appended to the XDG config, the user's text untouched.
    code, out, err = run("fleet", "import", master)
    text = read(config_path)
    check(code == 0 and f"added 2 servers to {config_path}" in out, f"fleet import adds two servers ({code}): {out!r}")
    check(re.search(r"^  master-2\s+" + re.escape(master) + r"\s+master", out, re.M) is not None
          and re.search(r"^  worker-1\s+" + re.escape(w1) + r'\s+worker "Worker 1" \(local\)', out, re.M) is not None,
          "it prints each name, URL and role")
    check('"Worker 2"' in out and "already in the config as w2" in out, "worker 2 is already there (as w2): skipped")
    check('"Remote box"' in out and "disabled in ComfyUI-Distributed" in out, "the disabled worker is skipped")
    check(text.startswith(original + b"\n\n# From the ComfyUI-Distributed master"),
          "the user's bytes stay as they were; the entries come after them")
    check(stat.S_IMODE(os.stat(config_path).st_mode) == 0o640, "the file keeps its permissions")
    check(not [n for n in os.listdir(os.path.dirname(config_path)) if n != "config.toml"], "no temporary file left")
    if tomllib:
        servers = tomllib.loads(text.decode())["servers"]
        check({k: v["url"] for k, v in servers.items()} == {
            "lab": f"http://127.0.0.1:{refused}", "master": f"http://127.0.0.1:{refused}/other", "w2": f"{w2}/",
            "master-2": master, "worker-1": w1}, f"the file is TOML with every entry: {sorted(servers)}")

    # Again: nothing new, nothing written.
    code, out, err = run("fleet", "import", master)
    check(code == 0 and "nothing to add" in out and read(config_path) == text, "a second import adds nothing")

    # status over the result: the imported servers are up (lab and master are the user's old, refused ones).
    code, out, err = run("--all", "status", "--all", timeout=30)
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}
    check(code == 0 and set(lines) == {"lab", "master", "w2", "master-2", "worker-1"},
          f"status --all: a line for each server ({code}): {sorted(lines)}")
    check(all(" up " in lines.get(n, "") for n in ("master-2", "worker-1", "w2")), "the imported servers are up")
    check("refused" in lines.get("lab", ""), "the refused one says so")

    # --config elsewhere (created, owner-only), --prefix, --json; --include-disabled takes the remote box too.
    other = os.path.join(work, "other", "comfytop.toml")
    code, out, err = run("fleet", "import", master, "--config", other, "--prefix", "Studio A", "--include-disabled",
                         "--json")
    result = json.loads(out) if out.strip().startswith("{") else {}
    names = [a["name"] for a in result.get("added", [])]
    check(code == 0 and result.get("written") is True and names == [
        "studio-a-master", "studio-a-worker-1", "studio-a-worker-2", "studio-a-remote-box"],
        f"--config, --prefix, --include-disabled, --json ({code}): {names}")
    check(stat.S_IMODE(os.stat(other).st_mode) == 0o600, "a new config file is readable by its owner only")
    check("# worker \"Remote box\" (remote), disabled in ComfyUI-Distributed" in read(other).decode(),
          "a disabled worker imported is marked so in a comment")
    code, out, err = run("--config", other, "--server", "studio-a-master,studio-a-worker-2", "status", "--json")
    got = {s["server"]: s["reachable"] for s in json.loads(out)["servers"]} if out.strip() else {}
    check(code == 0 and got == {"studio-a-master": True, "studio-a-worker-2": True},
          f"the imported config drives status ({code}): {got}")

    # Errors: a ComfyUI without the extension (404), a port nobody listens on (exit 3).
    plain, plain_url = start_mock(COMFYTOP, os.path.join(work, "plain"))
    code, out, err = run("fleet", "import", plain_url, "--config", other)
    check(code == 1 and f"{plain_url} has no /distributed/config: is ComfyUI-Distributed installed on it?" in err,
          f"404: says the extension is missing ({code}): {err!r}")
    code, out, err = run("fleet", "import", f"http://127.0.0.1:{refused}", "--config", other)
    check(code == 3 and "refused" in err, f"a master that cannot be reached: exit 3 ({code})")
finally:
    stop(mock)
    if plain:
        stop(plain)
check.finish()
