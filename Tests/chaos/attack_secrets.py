"""Secrets: every command, with every auth style, against a closed port, an HTML proxy page, a 500 that echoes the
request and a redirect to another host (127.0.0.2). A secret must never show in output, --json or the screen (raw,
percent-encoded or base64), and never be sent to the other host."""
import json
import os
import socket

from common import COMFYTOP, QUICK, HarnessError, Pty, run, secret_forms
from hostile import Hostile

TOKEN = "tok-S3cr3t/+=Xy7"
PASSWORD = "pw-S3cr3t:/+?&Zq9"
API_KEY = "key-S3cr3t+/=Kk5"
QUERY = "q-S3cr3t/+=Qq3"
AUTH = {
    "--token": (["--token", TOKEN], [TOKEN]),
    "--user/--password": (["--user", "alice", "--password", PASSWORD], [PASSWORD, "alice:" + PASSWORD]),
    "--header": (["--header", "X-API-Key: " + API_KEY], [API_KEY]),
    "--token-query": (["--token-query", "token=" + QUERY], [QUERY]),
}
PROMPT_ID = "44444444-0000-4000-8000-000000000004"


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def commands(work, wf):
    full = [("status", ["status"]), ("status --json", ["status", "--json"]), ("queue", ["queue"]),
            ("queue --json", ["queue", "--json"]), ("history", ["history"]),
            ("history --json", ["history", "--json"]), ("show", ["show", PROMPT_ID]),
            ("show --json", ["show", PROMPT_ID, "--json"]), ("submit", ["submit", wf]),
            ("submit --json", ["submit", wf, "--json"]),
            ("submit --wait", ["submit", wf, "--wait", "--timeout", "8", "--output-dir", os.path.join(work, "o")]),
            ("download", ["download", PROMPT_ID, "--output-dir", os.path.join(work, "o")]),
            ("interrupt", ["interrupt"]), ("cancel", ["cancel", PROMPT_ID]),
            ("history import", ["history", "import", "--data-dir", os.path.join(work, "secrets-store")]),
            ("watch --json", ["watch", "--json"]), ("monitor", None)]
    if QUICK:
        return [c for c in full if c[0] in ("status", "history --json", "submit --wait", "monitor")]
    return full


def found(data, secrets):
    return sum(data.count(form) for s in secrets for form in secret_forms(s))


def section(figures, work, log):
    wf = os.path.join(work, "secrets-wf.json")
    with open(wf, "w") as f:
        json.dump({"9": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "s"}},
                   "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1,
                                                                "color": 0}}}, f)
    html = Hostile(QUICK)
    html.set_mode("html")
    echo = Hostile(QUICK)
    echo.set_mode("echo-500")
    other = Hostile(QUICK, host="127.0.0.2")
    other.set_mode("clean")
    redirect = Hostile(QUICK)
    redirect.set_mode("redirect")
    redirect.redirect_to = other.url
    servers = [("closed port", f"http://127.0.0.1:{closed_port()}"), ("HTML proxy page", html.url),
               ("500 echoing the request", echo.url), ("redirect to 127.0.0.2", redirect.url)]
    leaks_out, leaks_sent, runs, where_out, crashes = 0, 0, 0, [], []
    try:
        for server_name, url in servers:
            for auth_name, (args, secrets) in AUTH.items():
                for name, sub in commands(work, wf):
                    before = len(other.requests)
                    if sub is None:
                        t = Pty([COMFYTOP, "--url", url, *args, "--data-dir", os.path.join(work, "secrets-mon")])
                        t.pump(2 if QUICK else 3)
                        r = t.finish(b"q")
                    elif name == "watch --json":
                        r = run([COMFYTOP, *sub, "--url", url, *args], timeout=15, interrupt_after=3)
                    else:
                        r = run([COMFYTOP, *sub, "--url", url, *args], timeout=40, cwd=work)
                    runs += 1
                    n = found(r.out + r.err, secrets)
                    if r.crashed or r.hung:
                        crashes.append(f"{name} on {server_name}: {r.brief()}")
                    if n:
                        leaks_out += n
                        text = (r.out + r.err).decode("utf-8", "replace")
                        line = next((ln for ln in text.splitlines() if any(
                            f.decode() in ln for s in secrets for f in secret_forms(s))), "")
                        where_out.append(f"{name} {auth_name} on {server_name}: {line.strip()[:160]}")
                    for method, target, headers, head in other.requests[before:]:
                        if found(head, secrets):
                            leaks_sent += 1
                            hdrs = [k for k, v in headers.items() if found(v.encode(), secrets)]
                            where = "query" if found(target.encode(), secrets) else ",".join(hdrs)
                            entry = f"{auth_name} sent to 127.0.0.2 by {name} ({where})"
                            if entry not in where_out:
                                where_out.append(entry)
        if not html.requests or not echo.requests or not redirect.requests:
            raise HarnessError("a secrets server saw no request")
    finally:
        for s in (html, echo, other, redirect):
            s.stop()
    for line in where_out[:40]:
        log("  secrets: " + line)
    for line in crashes[:20]:
        log("  secrets: crash/hang " + line)
    shown = [w for w in where_out if "sent to 127.0.0.2" not in w]
    sent = [w for w in where_out if "sent to 127.0.0.2" in w]
    figures.add("secrets: shown in output, --json or screen", leaks_out, f"in {runs} runs", "0", leaks_out == 0,
                "; ".join(shown)[:400])
    figures.add("secrets: sent to another host", leaks_sent, "requests", "0", leaks_sent == 0,
                "; ".join(sorted(set(sent)))[:400])
    figures.add("secrets: crashes and hangs", len(crashes), f"in {runs} runs", "0", not crashes,
                "; ".join(crashes)[:300])
