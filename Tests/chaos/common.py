"""Shared pieces of `make chaos`: figures, bounded child processes (plain and in a pty), byte scanners, the mock."""
import base64
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import tempfile
import termios
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.environ.get("CHAOS_BIN_DIR", os.path.join(ROOT, ".build/release"))
COMFYTOP = os.path.join(BIN_DIR, "comfytop")
QUICK = os.environ.get("CHAOS_QUICK") == "1"
# A crash must show as a crash, not as a 30 s "press a key" backtrace prompt on a pty.
# The user's own store and config are never touched: XDG homes of the run's own.
HOME = tempfile.mkdtemp(prefix="comfytop-chaos-home-")
CHILD_ENV = dict(os.environ, SWIFT_BACKTRACE="interactive=no", TERM="xterm-256color", LANG="C.UTF-8",
                 XDG_DATA_HOME=os.path.join(HOME, "data"), XDG_CONFIG_HOME=os.path.join(HOME, "config"))
CHILD_ENV.pop("COMFYUI_URL", None)
CHILD_ENV.pop("COMFYUI_TOKEN", None)
CHILD_ENV.pop("COMFYUI_PASSWORD", None)
GNU_TIME = "/usr/bin/time"
CRASH_SIGNALS = {signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE}
children = set()  # pids still to be killed at the end


class HarnessError(Exception):
    """The suite itself could not do what it needs (not a comfytop failure)."""


class Figures:
    def __init__(self):
        self.rows = []

    def add(self, name, value, unit, target, met, note=""):
        self.rows.append({"name": name, "value": value, "unit": unit, "target": target, "met": bool(met),
                          **({"note": note} if note else {})})


class Result:
    """How one bounded child ended: exit code (128+n for a signal), crash, hang, output, peak memory."""

    def __init__(self, argv, code, hung, out, err, maxrss_kb, seconds):
        self.argv, self.code, self.hung, self.out, self.err = argv, code, hung, out, err
        self.maxrss_kb, self.seconds = maxrss_kb, seconds

    @property
    def crashed(self):
        return not self.hung and self.code is not None and self.code - 128 in CRASH_SIGNALS

    def brief(self):
        tail = (self.err or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
        return f"exit {self.code}{' (hung)' if self.hung else ''}: {' | '.join(tail)[:300]}"


def status_code(status):
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def wait_child(pid, deadline):
    """Waits for pid until `deadline` (monotonic); returns (status, rusage) or (None, None)."""
    while time.monotonic() < deadline:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            children.discard(pid)
            return status, usage
        time.sleep(0.02)
    return None, None


def kill_hard(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
        children.discard(pid)
        return status, usage
    except (OSError, ChildProcessError):
        children.discard(pid)
        return None, None


def run(argv, timeout, env=None, cwd=None, stdin=b"", interrupt_after=None, grace=5.0):
    """Runs argv with pipes, at most `timeout` seconds (then SIGKILL, counted as a hang). With `interrupt_after`,
    SIGINT is sent after that many seconds and the program then has `grace` seconds to end."""
    start = time.monotonic()
    # Peak memory from GNU time: a child's own ru_maxrss would start from this (large) Python process's, which
    # Linux carries over the fork and the exec. Its own session, so a hang kills time and the program alike.
    rss_file = None
    if os.access(GNU_TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="chaos-rss-")
        os.close(fd)
        argv_run = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file, *argv]
    else:
        argv_run = argv
    p = subprocess.Popen(argv_run, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env or CHILD_ENV, cwd=cwd, start_new_session=True)
    children.add(-p.pid)
    hwm = 0
    out, err = bytearray(), bytearray()
    try:
        p.stdin.write(stdin)
        p.stdin.close()
    except OSError:
        pass
    streams = {p.stdout.fileno(): out, p.stderr.fileno(): err}
    deadline = start + timeout
    # Output is kept up to 8 MiB per stream (enough to scan; a flood beyond it is noted, not held).
    interrupted = False
    while streams and time.monotonic() < deadline:
        if interrupt_after is not None and not interrupted and time.monotonic() - start >= interrupt_after:
            interrupted = True
            try:
                os.killpg(p.pid, signal.SIGINT)
            except OSError:
                pass
            deadline = min(deadline, time.monotonic() + grace)
        if rss_file is None:
            hwm = max(hwm, vm_hwm_kb(p.pid))
        r, _, _ = select.select(list(streams), [], [], 0.1)
        for fd in r:
            data = os.read(fd, 1 << 16)
            if not data:
                del streams[fd]
            elif len(streams[fd]) < 8 << 20:
                streams[fd] += data
    status, _ = wait_child(p.pid, deadline)
    hung = status is None
    if hung:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        status, _ = kill_hard(p.pid)
    children.discard(-p.pid)
    p.stdout.close()
    p.stderr.close()
    code = status_code(status) if status is not None else None
    if rss_file is not None:
        with open(rss_file) as f:
            text = f.read()
        os.unlink(rss_file)
        # GNU time reports a death by signal in words and exits 128+n itself (as a shell would).
        m = re.search(r"(\d+)\s*$", text)
        hwm = int(m.group(1)) if m else 0
    return Result(argv, code, hung, bytes(out), bytes(err), hwm, time.monotonic() - start)


class Pty:
    """A program in a pseudo-terminal; everything it writes is kept (bounded) for scanning."""

    def __init__(self, argv, cols=120, rows=40, env=None):
        self.argv = argv
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            e = dict(env or CHILD_ENV, COLUMNS=str(cols), LINES=str(rows))
            os.execve(argv[0], argv, e)
        children.add(self.pid)
        self.resize(cols, rows)
        self.out = bytearray()
        self.start = time.monotonic()
        self.status, self.usage = None, None
        self.peak = 0

    def resize(self, cols, rows):
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def pump(self, seconds, until=None):
        """Reads for up to `seconds`; stops early when `until` (bytes) has appeared or the program ended."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], min(0.05, max(0, end - time.monotonic())))
            if r:
                try:
                    data = os.read(self.fd, 1 << 16)
                except OSError:
                    data = b""
                if not data:
                    self.reap(time.monotonic() + 2)
                    return False
                if len(self.out) < 64 << 20:
                    self.out += data
                if until and until in self.out:
                    return True
        self.peak = max(self.peak, vm_hwm_kb(self.pid))
        return False

    def alive(self):
        if self.status is not None:
            return False
        got, status, usage = os.wait4(self.pid, os.WNOHANG)
        if got:
            self.status, self.usage = status, usage
            children.discard(self.pid)
            return False
        return True

    def reap(self, deadline):
        while self.status is None and time.monotonic() < deadline:
            if not self.alive():
                break
            self.pump_once()
        return self.status is not None

    def pump_once(self):
        r, _, _ = select.select([self.fd], [], [], 0.02)
        if r:
            try:
                data = os.read(self.fd, 1 << 16)
                if len(self.out) < 64 << 20:
                    self.out += data
            except OSError:
                time.sleep(0.02)

    def vm_hwm_kb(self):
        return vm_hwm_kb(self.pid)

    def finish(self, key=b"q", sig=None, grace=5.0):
        """Asks the program to end (a key or a signal); returns a Result, a hang if it did not end within `grace`."""
        hwm = self.vm_hwm_kb()
        if self.alive():
            try:
                if sig is not None:
                    os.kill(self.pid, sig)
                elif key:
                    os.write(self.fd, key)
            except OSError:
                pass
        ended = self.reap(time.monotonic() + grace)
        hung = not ended
        if hung:
            self.status, self.usage = kill_hard(self.pid)
        # Whatever is left in the pty after the end (the restore sequences).
        for _ in range(20):
            r, _, _ = select.select([self.fd], [], [], 0.01)
            if not r:
                break
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not data:
                break
            self.out += data
        try:
            os.close(self.fd)
        except OSError:
            pass
        code = status_code(self.status) if self.status is not None else None
        rss = max(hwm, self.peak)  # not ru_maxrss: it starts from the harness's own peak (see run)
        return Result(self.argv, code, hung, bytes(self.out), b"", rss, time.monotonic() - self.start)


def vm_hwm_kb(pid):
    """The peak resident memory of a live process (the mm's own, reset by exec)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"VmHWM:\s+(\d+)", f.read())
            return int(m.group(1)) if m else 0
    except OSError:
        return 0


def kill_all_children():
    """Every child still running (a negative entry is a process group: GNU time and its program)."""
    for pid in list(children):
        if pid < 0:
            try:
                os.killpg(-pid, signal.SIGKILL)
            except OSError:
                pass
            children.discard(pid)
        else:
            kill_hard(pid)


# Raw control bytes in output that is not a terminal (plain or JSON): C0 but tab/newline/CR, DEL, C1 (raw bytes or
# UTF-8), and bidi overrides/isolates.
PLAIN_BAD = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
                       rb"|(?<![\xc0-\xff])[\x80-\x9f](?![\x80-\xbf])")


def plain_control_bytes(data):
    return len(PLAIN_BAD.findall(data))


# In a monitor's pty, curses writes CSI sequences of its own; what it never writes is any OSC/DCS/APC/PM string,
# a C1 control, a bidi override, a clear-screen that is not its own `ESC[H ESC[2J`, or the hostile text's SGR 53.
SCREEN_BAD = re.compile(rb"\x1b[\]P_^X]|\x1bc|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
                        rb"|(?<!\x1b\[H)\x1b\[2J|\x1b\[53;31m|\x07")


def screen_control_bytes(data):
    return len(SCREEN_BAD.findall(data))


def secret_forms(secret):
    """The ways a secret can be echoed: raw, percent-encoded (both styles), base64."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
             base64.b64encode(secret.encode()).decode()}
    return {f.encode() for f in forms if len(f) >= 6}


def http(url, path, payload=None, method=None, timeout=30):
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def http_json(url, path, payload=None, method=None, timeout=30):
    return json.loads(http(url, path, payload, method, timeout))


class Mock:
    """`comfytop mock` on a free loopback port."""

    def __init__(self, data_dir, speed="4"):
        self.p = subprocess.Popen([COMFYTOP, "mock", "--port", "0", "--data-dir", data_dir, "--speed", speed],
                                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=CHILD_ENV)
        children.add(self.p.pid)
        self.url = None
        deadline = time.monotonic() + 30
        while self.url is None and time.monotonic() < deadline:
            r, _, _ = select.select([self.p.stderr], [], [], 0.5)
            if r:
                line = self.p.stderr.readline().decode("utf-8", "replace")
                if not line:
                    break
                m = re.search(r"http://127\.0\.0\.1:\d+", line)
                self.url = m.group(0) if m else None
        if self.url is None:
            self.stop()
            raise HarnessError("the mock did not start")

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        children.discard(self.p.pid)
