#!/usr/bin/env python3
"""The monitor in a pty: each signal (and ^C typed) ends it with the conventional exit status and gives the
terminal back (normal screen, cursor shown, mouse reporting off, echo and canonical mode on). A crash signal
restores the terminal first, before Swift's backtrace, and still dies of the signal."""
import io
import os
import re
import signal
import sys
import tempfile
import termios

import pexpect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, binary as comfytop_binary, start_mock, stop  # noqa: E402
binary = comfytop_binary()
quick = os.environ.get("SIGNALS_QUICK") is not None
work = tempfile.mkdtemp(prefix="comfytop-signals-")
mock, url = start_mock(binary, os.path.join(work, "data"))
check = Checks()



RESTORED = {
    "normal screen": rb"\x1b\[\?1049l",
    "cursor shown": rb"\x1b\[\?25h",
    # ncurses writes "\e[?1006;1000l"; the crash restore writes each mode on its own.
    "mouse off": rb"\x1b\[\?(?:[0-9]+;)*1000(?:;[0-9]+)*l",
}


def start(extra_env=None):
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", XDG_DATA_HOME=os.path.join(work, "xdg"))
    env.pop("TMUX", None)
    env.update(extra_env or {})
    out = io.BytesIO()
    child = pexpect.spawn(binary, ["--url", url, "--data-dir", os.path.join(work, "store")], env=env,
                          dimensions=(30, 100), timeout=20)
    child.logfile_read = out
    child.expect("ComfyUI")
    child.expect("empty")  # the first full frame is on screen: curses owns the terminal
    return child, out


def finish(child, out, prompt_key=False):
    """Reads to the end (answering Swift's backtrace prompt, if asked) and returns the bytes and the tty modes."""
    while True:
        i = child.expect([pexpect.EOF, "any other key"], timeout=60)
        if i == 0:
            break
        if prompt_key:
            child.send("q")
    lflag = termios.tcgetattr(child.child_fd)[3]
    child.close()
    return out.getvalue(), lflag


def restored(what, data, lflag):
    tail = data[data.rfind(b"\x1b[?1049h"):] if b"\x1b[?1049h" in data else data
    for name, seq in RESTORED.items():
        check(re.search(seq, tail) is not None, f"{what}: {name}")
    check(bool(lflag & termios.ECHO) and bool(lflag & termios.ICANON), f"{what}: echo and canonical mode back")


for name, sig, code in [("SIGINT", signal.SIGINT, 130), ("SIGTERM", signal.SIGTERM, 143),
                        ("SIGHUP", signal.SIGHUP, 129), ("SIGQUIT", signal.SIGQUIT, 131)]:
    child, out = start()
    os.kill(child.pid, sig)
    data, lflag = finish(child, out)
    check(child.exitstatus == code, f"{name}: exit status {code} (got {child.exitstatus}, signal {child.signalstatus})")
    restored(name, data, lflag)

child, out = start()
child.send("\x03")
data, lflag = finish(child, out)
check(child.exitstatus == 130, f"^C typed: exit status 130 (got {child.exitstatus})")
restored("^C typed", data, lflag)

child, out = start()
child.send("q")
data, lflag = finish(child, out)
check(child.exitstatus == 0, f"q: exit status 0 (got {child.exitstatus})")
restored("q", data, lflag)

# Crashes: a Swift trap is SIGILL (x86) or SIGTRAP (arm); bad accesses SIGSEGV/SIGBUS; abort; SIGFPE. The
# backtracer runs as it would for a user (interactive: it asks for a key), after the terminal is back.
crashes = [("SIGILL", signal.SIGILL), ("SIGSEGV", signal.SIGSEGV)] if quick else [
    ("SIGILL", signal.SIGILL), ("SIGTRAP", signal.SIGTRAP), ("SIGSEGV", signal.SIGSEGV),
    ("SIGBUS", signal.SIGBUS), ("SIGABRT", signal.SIGABRT), ("SIGFPE", signal.SIGFPE)]
for name, sig in crashes:
    child, out = start()
    os.kill(child.pid, sig)
    data, lflag = finish(child, out, prompt_key=True)
    check(child.signalstatus == sig, f"{name}: dies of the signal (got status {child.exitstatus}, "
          f"signal {child.signalstatus})")
    restored(name, data, lflag)
    crash_text = data.find(b"Program crashed")
    back = data.rfind(b"\x1b[?1049l")
    check(back >= 0 and (crash_text < 0 or back < crash_text), f"{name}: the terminal is back before the backtrace")
    # Nothing of a frame follows the restore (another thread's frame in progress is silenced).
    after = data[back:crash_text if crash_text > back else len(data)]
    check(re.search(rb"\x1b\[[0-9;]*[HG]", after) is None, f"{name}: no frame drawn after the restore")

stop(mock)
check.finish()
