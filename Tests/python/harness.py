"""What every end-to-end script here shares: the comfytop binary, a `comfytop mock` on a free port, and the
checks with their closing line ("N passed, M failed", which CI reads)."""
import os
import re
import subprocess
import sys
import time


def binary():
    """The comfytop under test: the first argument, or the debug build."""
    return os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/comfytop")


def start_mock(comfytop, data_dir, *extra):
    """Starts `comfytop mock` on a free loopback port; returns the process and its URL. Its log (stderr) stays
    open for the caller to read or drain."""
    # COMFYTOP_SERVER_VERSION=current runs the same checks against the mock of ComfyUI's newer server.
    version = os.environ.get("COMFYTOP_SERVER_VERSION")
    if version and "--server-version" not in extra:
        extra = (*extra, "--server-version", version)
    mock = subprocess.Popen([comfytop, "mock", "--port", "0", "--data-dir", data_dir, *extra],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        found = re.search(r"http://127\.0\.0\.1:\d+", mock.stderr.readline() or "")
        if found:
            return mock, found.group(0)
        if mock.poll() is not None:
            break
    mock.kill()
    print("FAIL the mock did not start")
    sys.exit(1)


def start_fleet(comfytop, data_dir, count, port=0, env=None):
    """Starts `comfytop mock --servers COUNT` on ports PORT... (0: free ports); returns the process and the URLs it
    announced within 60 s (fewer than COUNT if it did not start). Its log (stderr) stays open, as start_mock's."""
    mock = subprocess.Popen([comfytop, "mock", "--servers", str(count), "--port", str(port), "--data-dir", data_dir],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    urls = []
    deadline = time.time() + 60
    while len(urls) < count and time.time() < deadline:
        found = re.search(r"http://127\.0\.0\.1:\d+", mock.stderr.readline() or "")
        if found:
            urls.append(found.group(0))
    return mock, urls


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class Checks:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if cond:
            self.passed += 1
        else:
            self.failures.append(what)

    def finish(self):
        print(f"{self.passed} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)
