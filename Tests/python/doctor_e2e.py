"""comfytop doctor, run as a user would, against the mock directly (both server versions) and behind nginx
(Debian's package, started here as an unprivileged non-daemon with a temp prefix) misbehaving one way per port:
no Upgrade forwarding, basic auth, a bearer token, 403, a sub-path, a self-signed and an expired certificate,
the default loopback Host (which trips ComfyUI's Origin check for browsers, not for comfytop, which sends no
Origin), a proxy that rewrites Origin everywhere or only on /ws. Plus a silent host, a refused
port, an unknown name and a server whose answer is hostile text. Ports 18700-18799.

Usage: python3 Tests/python/doctor_e2e.py [path/to/comfytop]"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import Checks, binary, start_mock, stop

BASE = 18700
PORTS = {name: BASE + 1 + i for i, name in enumerate([
    "good", "noupgrade", "basic", "bearer", "forbidden", "subpath", "selfsigned", "expired", "originhost",
    "originrewrite", "good_current", "wrongname", "nopatch", "tohttps", "originws"])}
# Each step's budget: generous for a loaded machine; only the silent host waits it out.
TIMEOUT = 5
SILENT, REFUSED, HOSTILE, SKEWED = BASE + 30, BASE + 31, BASE + 32, BASE + 33


ENV = {k: v for k, v in os.environ.items() if k not in ("COMFYUI_URL", "COMFYUI_TOKEN", "COMFYUI_PASSWORD")}


def run(comfytop, *args, timeout=60):
    started = time.time()
    result = subprocess.run([comfytop, "doctor", *args], capture_output=True, text=True, timeout=timeout,
                            env={**ENV, "XDG_CONFIG_HOME": WORK})
    return result, time.time() - started


def doctor_json(comfytop, *args):
    result, seconds = run(comfytop, "--json", "--timeout", str(TIMEOUT), *args)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {"checks": [], "unparsed": result.stdout + result.stderr}
    steps = {c["step"]: c for c in report.get("checks", [])}
    return result.returncode, steps, report, seconds


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=WORK)


def make_certificates():
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "365",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days",
            "365", "-subj", "/CN=comfy.example", "-addext", "subjectAltName=DNS:comfy.example")
    # openssl 3.0's req cannot date a certificate in the past; its ca command can.
    with open(os.path.join(WORK, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
                "default_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n")
    open(os.path.join(WORK, "index.txt"), "w").close()
    with open(os.path.join(WORK, "serial"), "w") as f:
        f.write("01\n")
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key", "-out", "expired.csr",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    openssl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "expired.key", "-in", "expired.csr",
            "-out", "expired.pem", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext")
    hashed = subprocess.run(["openssl", "passwd", "-apr1", "s3cret"], capture_output=True, text=True, check=True)
    with open(os.path.join(WORK, "htpasswd"), "w") as f:
        f.write("alice:" + hashed.stdout.strip() + "\n")


def nginx_config(mock, current):
    upstream = mock.split("//")[1]
    upstream_current = current.split("//")[1]
    upgrade = ('proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; '
               'proxy_set_header Connection "upgrade";')
    good = f"proxy_pass http://{upstream}; {upgrade} proxy_set_header Host $http_host;"
    p = PORTS
    # Run as root (a CI container), nginx's workers would become nobody and could not read the temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
daemon off;
{user}
worker_processes 1;
pid {WORK}/nginx.pid;
error_log {WORK}/error.log;
events {{ worker_connections 128; }}
http {{
    access_log off;
    client_body_temp_path {WORK}/tmp; proxy_temp_path {WORK}/tmp; fastcgi_temp_path {WORK}/tmp;
    uwsgi_temp_path {WORK}/tmp; scgi_temp_path {WORK}/tmp;
    server {{ listen 127.0.0.1:{p['good']}; location / {{ {good} }} }}
    server {{ listen 127.0.0.1:{p['good_current']}; location / {{
        proxy_pass http://{upstream_current}; {upgrade} proxy_set_header Host $http_host; }} }}
    server {{ listen 127.0.0.1:{p['noupgrade']}; location / {{
        proxy_pass http://{upstream}; proxy_set_header Host $http_host; }} }}
    server {{ listen 127.0.0.1:{p['basic']}; auth_basic "ComfyUI"; auth_basic_user_file {WORK}/htpasswd;
        location / {{ {good} }} }}
    server {{ listen 127.0.0.1:{p['bearer']}; location / {{
        if ($http_authorization != "Bearer tok-123") {{
            add_header WWW-Authenticate 'Bearer realm="comfy"' always; return 401; }}
        {good} }} }}
    server {{ listen 127.0.0.1:{p['forbidden']}; location / {{ deny all; }} }}
    server {{ listen 127.0.0.1:{p['subpath']}; location / {{ return 404; }}
        location /comfy/ {{ proxy_pass http://{upstream}/; {upgrade} proxy_set_header Host $http_host; }} }}
    server {{ listen 127.0.0.1:{p['selfsigned']} ssl; ssl_certificate {WORK}/self.pem;
        ssl_certificate_key {WORK}/self.key; location / {{ {good} }} }}
    server {{ listen 127.0.0.1:{p['nopatch']}; location / {{ {good} limit_except GET POST {{ deny all; }} }} }}
    server {{ listen 127.0.0.1:{p['tohttps']}; return 301 https://127.0.0.1:{p['selfsigned']}$request_uri; }}
    server {{ listen 127.0.0.1:{p['wrongname']} ssl; ssl_certificate {WORK}/other.pem;
        ssl_certificate_key {WORK}/other.key; location / {{ {good} }} }}
    server {{ listen 127.0.0.1:{p['expired']} ssl; ssl_certificate {WORK}/expired.pem;
        ssl_certificate_key {WORK}/expired.key; location / {{ {good} }} }}
    server {{ listen 127.0.0.1:{p['originhost']}; location / {{ proxy_pass http://{upstream}; {upgrade} }} }}
    server {{ listen 127.0.0.1:{p['originrewrite']}; location / {{ {good}
        proxy_set_header Origin http://elsewhere.example; }} }}
    server {{ listen 127.0.0.1:{p['originws']}; location / {{ proxy_pass http://{upstream}; {upgrade} }}
        location /ws {{ proxy_pass http://{upstream}; {upgrade} proxy_set_header Origin http://elsewhere.example; }} }}
}}
"""


def wait_for_port(port, deadline=15):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def silent_listener():
    """Accepts connections (the kernel does, from the backlog) and never answers."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", SILENT))
    s.listen(16)
    return s


def hostile_server():
    """Answers every request with a 500 whose Server header and body carry terminal escapes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", HOSTILE))
    s.listen(16)

    def serve():
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            try:
                request = conn.recv(65536)
                # It echoes the credentials it was sent, as some error pages do.
                auth = [l for l in request.split(b"\r\n") if l.lower().startswith(b"authorization:")]
                body = b"\x1b]52;c;ZXZpbA==\x07boom\x1b[2J\xe2\x80\xae " + b" ".join(auth)
                # NIO refuses control characters in a header; a bidi override passes as obs-text.
                conn.sendall(b"HTTP/1.1 500 Oops\r\nServer: evil\xe2\x80\xae\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
            finally:
                conn.close()
    threading.Thread(target=serve, daemon=True).start()
    return s


def skewed_server():
    """A ComfyUI look-alike whose clock is ten minutes behind, started without --preview-method, with no socket."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", SKEWED))
    s.listen(16)

    def serve():
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            try:
                path = conn.recv(65536).split(b" ")[1]
                date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() - 600))
                if path.startswith(b"/system_stats"):
                    status, body = b"200 OK", json.dumps({"system": {"comfyui_version": "0.3.10", "argv": [
                        "main.py", "--listen"]}, "devices": []}).encode()
                else:
                    status, body = b"404 Not Found", b"404: Not Found"
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nDate: " + date.encode() + b"\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
            except (OSError, IndexError):
                pass
            finally:
                conn.close()
    threading.Thread(target=serve, daemon=True).start()
    return s


def main():
    global WORK
    comfytop = binary()
    check = Checks()
    WORK = tempfile.mkdtemp(prefix="comfytop-doctor-")
    os.makedirs(os.path.join(WORK, "tmp"))
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    started = time.time()
    # ComfyUI's origin check, as a real server has it (the mock's is off by default, see MockServer.originCheck).
    os.environ["COMFYTOP_MOCK_ORIGIN_CHECK"] = "1"
    mock, url = start_mock(comfytop, os.path.join(WORK, "mock"))
    mock_current, url_current = start_mock(comfytop, os.path.join(WORK, "mock2"), "--server-version", "current")
    threading.Thread(target=lambda: [None for _ in mock.stderr], daemon=True).start()
    threading.Thread(target=lambda: [None for _ in mock_current.stderr], daemon=True).start()
    make_certificates()
    with open(os.path.join(WORK, "nginx.conf"), "w") as f:
        f.write(nginx_config(url, url_current))
    nginx = subprocess.Popen([nginx_bin, "-p", WORK, "-c", os.path.join(WORK, "nginx.conf"), "-e",
                              os.path.join(WORK, "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    silent = silent_listener()
    hostile = hostile_server()
    skewed = skewed_server()
    try:
        check(wait_for_port(PORTS["originrewrite"]), "nginx started on its ports")

        # Straight to the mock, both server versions.
        for name, target, jobs in [("0.3.64", url, False), ("current", url_current, True)]:
            code, steps, report, _ = doctor_json(comfytop, target)
            check(code == 0 and report.get("ok") is True, f"mock {name}: exit 0, ok ({code})")
            check(all(steps.get(s, {}).get("status") == "ok"
                      for s in ["resolve", "connect", "http", "auth", "websocket", "server", "logs"]),
                  f"mock {name}: every network step ok")
            check(steps["capabilities"]["facts"]["jobs_api"] is jobs, f"mock {name}: /api/jobs seen as {jobs}")
            check(steps["tls"]["status"] == "skipped", f"mock {name}: TLS skipped for http://")

        # Through the proxy, configured right (both versions).
        for port in ["good", "good_current"]:
            code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS[port]}")
            check(code == 0 and steps["websocket"]["status"] == "ok", f"nginx {port}: exit 0, the socket upgrades")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['nopatch']}")
        logs = steps["logs"]
        check(code == 0 and logs["status"] == "warn" and logs["facts"]["subscribe_status"] == 403
              and "PATCH" in logs["fix"], "a proxy refusing PATCH: the log subscription warns, exit 0")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['noupgrade']}")
        ws = steps["websocket"]
        # ComfyUI (aiohttp) answers a GET /ws without Upgrade with 400, and so does the mock.
        check(code == 1 and ws["status"] == "fail" and ws["facts"]["status"] == 400
              and "proxy_set_header Upgrade" in ws["fix"] and "origin_check" not in ws["facts"],
              "no Upgrade forwarding: WebSocket fails with the nginx fix")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['basic']}")
        auth = steps["auth"]
        check(code == 1 and auth["status"] == "fail" and "basic" in auth["summary"] and "--user" in auth["fix"],
              "basic auth: says --user/--password")
        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['basic']}", "--user", "alice",
                                        "--password", "wrong")
        check(code == 1 and "refused" in steps["auth"]["summary"], "basic auth, wrong password: refused")
        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['basic']}", "--user", "alice",
                                        "--password", "s3cret")
        check(code == 0 and steps["websocket"]["status"] == "ok", "basic auth, right password: exit 0")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['bearer']}")
        check(code == 1 and "bearer" in steps["auth"]["summary"] and "--token" in steps["auth"]["fix"],
              "bearer gateway: says --token")
        code, steps, report, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['bearer']}", "--token", "tok-123")
        check(code == 0, f"bearer gateway with the token: exit 0 ({code})")
        check("tok-123" not in json.dumps(report), "the token never appears in the report")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['forbidden']}")
        check(code == 1 and steps["auth"]["summary"] == "403 Forbidden", "403: authentication step fails")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['subpath']}")
        http = steps["http"]
        check(code == 1 and http["fix"] == f"ComfyUI answers at http://127.0.0.1:{PORTS['subpath']}/comfy: use "
              f"--url http://127.0.0.1:{PORTS['subpath']}/comfy", "sub-path: suggests the URL with /comfy")
        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['subpath']}/comfy")
        check(code == 0 and steps["websocket"]["status"] == "ok", "sub-path given: exit 0")

        code, steps, _, _ = doctor_json(comfytop, f"https://127.0.0.1:{PORTS['selfsigned']}")
        tls = steps["tls"]
        check(code == 3 and tls["summary"] == "the server's certificate is self-signed" and "--ca-file" in tls["fix"],
              "self-signed: exit 3, --ca-file")
        code, steps, _, _ = doctor_json(comfytop, f"https://127.0.0.1:{PORTS['selfsigned']}", "--ca-file",
                                        os.path.join(WORK, "self.pem"))
        check(code == 0 and steps["tls"]["status"] == "ok" and steps["websocket"]["status"] == "ok",
              "self-signed with --ca-file: exit 0, wss works")
        code, steps, _, _ = doctor_json(comfytop, f"https://127.0.0.1:{PORTS['wrongname']}", "--ca-file",
                                        os.path.join(WORK, "other.pem"))
        check(code == 3 and steps["tls"]["summary"] == "the certificate is for comfy.example, not 127.0.0.1"
              and f"--url https://comfy.example:{PORTS['wrongname']}" in steps["tls"]["fix"],
              "a name the certificate does not cover: says which names it does")
        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['selfsigned']}")
        check(code == 1 and "https://" in steps["http"]["fix"], "http:// to the TLS port: says use https://")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['tohttps']}")
        check(code == 1 and steps["http"]["fix"] == f"use --url https://127.0.0.1:{PORTS['selfsigned']}",
              "a redirect to HTTPS: says the https:// URL to use")
        code, steps, _, _ = doctor_json(comfytop, f"https://127.0.0.1:{PORTS['expired']}")
        check(code == 3 and "expired on 2020-01-02" in steps["tls"]["summary"], "expired certificate: says when")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['originhost']}")
        ws = steps["websocket"]
        check(code == 0 and ws["status"] == "ok",
              f"loopback Host behind the proxy: comfytop sends no Origin, so the socket upgrades ({code}, {ws})")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['originws']}")
        ws = steps["websocket"]
        check(code == 1 and steps["http"]["status"] == "ok" and "403 Forbidden" in ws["summary"]
              and "adds or rewrites Origin" in ws["cause"] and "$http_host" in ws["fix"],
              f"a proxy adding an Origin on /ws: 403 found, Origin named ({ws})")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{PORTS['originrewrite']}")
        check(code == 1 and steps["auth"]["summary"] == "403 Forbidden" and "Origin" in steps["auth"]["cause"],
              "a proxy rewriting Origin: 403, Origin named")

        code, steps, _, seconds = doctor_json(comfytop, f"http://127.0.0.1:{SILENT}")
        check(code == 3 and steps["http"]["summary"] == f"no answer within {TIMEOUT} s" and seconds < 20,
              f"silent host: exit 3 after the timeout ({seconds:.1f} s)")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{REFUSED}")
        check(code == 3 and steps["connect"]["summary"].endswith("connection refused")
              and steps["http"]["status"] == "skipped", "refused port: exit 3 at TCP connect")

        code, steps, _, _ = doctor_json(comfytop, "http://comfytop-doctor-test.invalid:8188")
        check(code == 3 and steps["resolve"]["status"] == "fail", "unknown host: exit 3 at name resolution")

        code, steps, _, _ = doctor_json(comfytop, f"http://127.0.0.1:{SKEWED}")
        clock = steps.get("clock", {})
        check(clock.get("status") == "warn" and "behind this machine's" in clock.get("summary", "")
              and 595 < -clock["facts"]["skew_seconds"] < 605, "a server 10 min behind: the clock warns")
        check(steps["previews"]["status"] == "warn" and "--preview-method auto" in steps["previews"]["fix"],
              "no --preview-method in the server's argv: previews warn")
        check(steps["logs"]["status"] == "warn" and steps["capabilities"]["status"] == "ok",
              "no log route, no /features: said, not failed")
        check(code == 1 and steps["websocket"]["status"] == "fail", "no socket there: WebSocket fails, exit 1")

        # Plain text, as a user reads it; hostile server text stays data.
        result, _ = run(comfytop, "--timeout", str(TIMEOUT), "--token", "hostile-secret-123", f"http://127.0.0.1:{HOSTILE}")
        out = result.stdout + result.stderr
        check("hostile-secret-123" not in out and "Bearer ***" in out, "a token the server echoes is masked")
        check(result.returncode == 1 and "FAIL  HTTP /system_stats" in out, "hostile server: a FAIL line, exit 1")
        check("\x1b" not in out and "\x07" not in out and "\u202e" not in out, "hostile text is escaped")
        result, _ = run(comfytop, "--timeout", str(TIMEOUT), f"http://127.0.0.1:{PORTS['noupgrade']}")
        lines = result.stdout.splitlines()
        check(lines[0].startswith("comfytop doctor: http://127.0.0.1:")
              and any(l.startswith("  FAIL  WebSocket /ws") for l in lines)
              and any(l.strip().startswith("fix:") for l in lines) and lines[-1].endswith("(exit 1)"),
              "plain text: a line a step, cause and fix under the failure, the verdict last")
        result, _ = run(comfytop, "--url", url, "--timeout", str(TIMEOUT))
        check(result.returncode == 0 and result.stdout.splitlines()[-1].startswith("all good"),
              "--url works like the argument; all good")
        result, _ = run(comfytop, "--url", url, "http://elsewhere:1")
        check(result.returncode == 2, "a URL twice (argument and --url) is a usage error")
        check(time.time() - started < 60, f"the whole script took {time.time() - started:.0f} s")
    finally:
        silent.close()
        hostile.close()
        skewed.close()
        stop(nginx)
        stop(mock)
        stop(mock_current)
        shutil.rmtree(WORK, ignore_errors=True)
    check.finish()


WORK = ""
if __name__ == "__main__":
    main()
