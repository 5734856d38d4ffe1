"""A small hostile ComfyUI for `make chaos`: HTTP/1.1 and a hand-written WebSocket server over asyncio streams,
in a thread of the harness. `mode` picks the attack; every loop here is bounded in count and time.

Modes (WebSocket side): invalid-utf8, frame-64mib, random-frames, deep-json, numbers, unknown-types, short-binary,
escapes. Modes (HTTP side): slow, lie-long, lie-short, body-2gb, html, echo-500, redirect. numbers, escapes and
deep-json are hostile on both sides."""
import asyncio
import base64
import hashlib
import json
import os
import random
import struct
import threading
import time
import uuid

# What a custom node or another user can put in any text: OSC 52 (clipboard write), clear screen, an SGR the
# curses front never uses, a C1 CSI, a bidi override, BEL, BS, DEL.
EVIL = "fox\x1b]52;c;UFdORUQ=\x07\x1b[2J\x1b[53;31mRED\x1b[0m\u009b31mC1\u202eevil\u2066\x07\x08\x7f"
# Every kind of number a buggy node (or Python's json.dumps) can write, as raw JSON literals.
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e400", "-1e400", "1e19", "-1e19", "1e20",
           "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
           "18446744073709551615", "1e-400", "-0", "-1", "0", "4294967296", "2147483648"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
                       "RU5ErkJggg==")
WS_MODES = ["invalid-utf8", "frame-64mib", "random-frames", "deep-json", "numbers", "unknown-types", "short-binary",
            "escapes"]
HTTP_MODES = ["slow", "lie-long", "lie-short", "body-2gb", "body-2gb-chunked", "html"]
HTML = ("<!DOCTYPE html><html><head><title>Sign in - Corp SSO</title></head><body><form method=post>"
        "<input name=user><input type=password name=pw></form>" + EVIL + "</body></html>")


class Raw:
    """A JSON literal written as is (NaN, 1e400 …)."""

    def __init__(self, text):
        self.text = text


def enc(v):
    """JSON with Raw literals and raw UTF-8 (no \\u escapes for what is not a control)."""
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + enc(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(enc(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


class Flavour:
    """Texts and numbers of one mode: hostile texts for `escapes`, hostile numbers for `numbers`."""

    def __init__(self, mode):
        self.mode = mode
        self.i = 0

    def t(self, normal):
        return normal + EVIL if self.mode == "escapes" else normal

    def n(self, normal):
        if self.mode != "numbers":
            return normal
        self.i += 1
        return Raw(NUMBERS[self.i % len(NUMBERS)])


def ws_frame(payload, opcode):
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


def text(s):
    return ws_frame(s.encode("utf-8", "surrogatepass") if isinstance(s, str) else s, 0x1)


def binary(b):
    return ws_frame(b, 0x2)


class Hostile:
    def __init__(self, quick=False, host="127.0.0.1"):
        self.quick, self.host = quick, host
        self.mode = "escapes"
        self.requests = []  # (method, path, headers) of every request, for the secret checks
        self.ws_sessions = 0
        self.mode_sessions = 0
        self.frames_sent = 0
        self.prompts = {}  # prompt_id -> finished (bool)
        self.redirect_to = None
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.port = None
        self._random = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self.thread.start()
        if not ready.wait(10) or self.port is None:
            raise RuntimeError("the hostile server did not start")

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def _serve(self, ready):
        asyncio.set_event_loop(self.loop)

        async def start():
            self.server = await asyncio.start_server(self._handle, self.host, 0, limit=1 << 20)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def stop(self):
        def close():
            self.server.close()
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(5)

    def set_mode(self, mode):
        self.mode = mode
        self.prompts = {}
        self.frames_sent = 0
        self.requests = []
        self.mode_sessions = 0

    # ---- HTTP ----

    async def _handle(self, reader, writer):
        try:
            await asyncio.wait_for(self._connection(reader, writer), timeout=150)
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.CancelledError, OSError, ValueError):
            pass
        finally:
            try:
                writer.close()
            except (OSError, RuntimeError):
                pass

    async def _connection(self, reader, writer):
        for _ in range(100):  # keep-alive, bounded
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            self.requests.append((method, target, headers, head))
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(min(length, 16 << 20)) if length else b""
            path = target.split("?")[0]
            if path.startswith("/api/"):
                path = path[4:]
            if headers.get("upgrade", "").lower() == "websocket" and self.mode not in ("html", "echo-500",
                                                                                      "redirect"):
                await self._websocket(reader, writer, headers)
                return
            keep = await self._respond(writer, method, path, target, body, head)
            if not keep:
                return

    def _json_route(self, method, path, body):
        """(status, JSON text) of a route, with this mode's flavour."""
        f = Flavour(self.mode)
        if path == "/prompt" and method == "POST":
            pid = str(uuid.uuid4())
            self.prompts[pid] = False
            return 200, enc({"prompt_id": pid, "number": f.n(len(self.prompts)), "node_errors": {}})
        if path == "/prompt":
            return 200, enc({"exec_info": {"queue_remaining": f.n(1)}})
        if path == "/system_stats":
            return 200, enc({"system": {"os": f.t("posix"), "ram_total": f.n(1 << 34), "ram_free": f.n(1 << 33),
                                        "comfyui_version": f.t("0.3.64"), "python_version": f.t("3.11.7"),
                                        "pytorch_version": f.t("2.8.0"), "embedded_python": False,
                                        "argv": [f.t("main.py")]},
                             "devices": [{"name": f.t("cuda:0 NVIDIA"), "type": f.t("cuda"), "index": f.n(0),
                                          "vram_total": f.n(1 << 34), "vram_free": f.n(1 << 33),
                                          "torch_vram_total": f.n(1 << 30), "torch_vram_free": f.n(1 << 29)}]})
        if path == "/queue":
            return 200, enc({"queue_running": [self._queue_item(f, "11111111-0000-4000-8000-000000000001")],
                             "queue_pending": [self._queue_item(f, f.t("22222222-0000-4000-8000-000000000002"))]})
        if path == "/history":
            return 200, enc(self._history(f))
        if path.startswith("/history/"):
            pid = path[len("/history/"):]
            h = self._history(f)
            return 200, enc({pid: h[pid]} if pid in h else {})
        if path == "/features":
            return 200, enc({"supports_preview_metadata": True, "max_upload_size": f.n(104857600)})
        if path == "/internal/logs/raw":
            return 200, enc({"entries": [{"t": f.t("2026-01-01T00:00:00"), "m": f.t("log line") + "\n"}],
                             "size": {"cols": f.n(80), "rows": f.n(24)}})
        if path == "/internal/logs":
            return 200, enc(f.t("log line"))
        if path in ("/interrupt", "/free", "/internal/logs/subscribe") or (path == "/queue" and method == "POST"):
            return 200, ""
        if path.startswith("/object_info"):
            return 200, enc({})
        if path in ("/embeddings", "/extensions", "/models"):
            return 200, "[]"
        return 404, None

    def _graph(self, f):
        return {"1": {"class_type": "EmptyImage", "inputs": {"width": f.n(64), "height": f.n(64),
                                                             "batch_size": f.n(1), "color": f.n(0)},
                      "_meta": {"title": f.t("Empty")}},
                "6": {"class_type": f.t("CLIPTextEncode"), "inputs": {"text": f.t("a red fox"), "clip": ["4", 1]}},
                "3": {"class_type": "KSampler", "inputs": {"seed": f.n(42), "steps": f.n(20), "cfg": f.n(7.0),
                                                           "denoise": f.n(1.0), "sampler_name": f.t("euler")}},
                "9": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": f.t("out")}}}

    def _queue_item(self, f, pid):
        return [f.n(3), pid, self._graph(f), {"client_id": f.t("c0ffee"), "create_time": f.n(1764300000000)}, ["9"]]

    def _history(self, f):
        done = "33333333-0000-4000-8000-000000000003"
        failed = "44444444-0000-4000-8000-000000000004"
        evil_key = f.t("55555555-0000-4000-8000-000000000005")
        out = {}
        for pid, ok in [(done, True), (failed, False), (evil_key, True)] + [(p, True) for p, fin in
                                                                          self.prompts.items() if fin]:
            messages = [["execution_start", {"prompt_id": pid, "timestamp": f.n(1764300000000)}],
                        ["execution_cached", {"nodes": [f.t("1")], "prompt_id": pid, "timestamp": f.n(1764300000001)}]]
            if ok:
                messages.append(["execution_success", {"prompt_id": pid, "timestamp": f.n(1764300001000)}])
            else:
                messages.append(["execution_error", {
                    "prompt_id": pid, "node_id": f.t("3"), "node_type": f.t("KSampler"), "executed": [f.t("1")],
                    "exception_message": f.t("CUDA out of memory"), "exception_type": f.t("RuntimeError"),
                    "traceback": [f.t("  File \"x.py\", line 1\n"), f.t("RuntimeError: boom\n")],
                    "current_inputs": {f.t("seed"): [f.n(1)]}, "current_outputs": {}, "timestamp": f.n(17643)}])
            out[pid] = {"prompt": [f.n(0), pid, self._graph(f), {"client_id": f.t("c0ffee"),
                                                                  "create_time": f.n(1764300000000)}, ["9"]],
                        "outputs": {"9": {"images": [{"filename": f.t("out_00001_") + ".png",
                                                      "subfolder": f.t(""), "type": "output"}],
                                          "text": [f.t("caption")]}} if ok else {},
                        "status": {"status_str": "success" if ok else "error", "completed": ok,
                                   "messages": messages},
                        "meta": {"9": {"node_id": f.t("9"), "display_node": f.t("9"), "parent_node": None,
                                       "real_node_id": f.t("9")}}}
        if self.mode == "deep-json":
            out["66666666-0000-4000-8000-000000000006"] = {"prompt": Raw("[" * 100000 + "]" * 100000)}
        return out

    async def _respond(self, writer, method, path, target, body, head):
        mode = self.mode
        if mode == "redirect" and self.redirect_to:
            # The path only: a query the client sends to the other host is the client's own doing.
            where = self.redirect_to + target.split("?")[0]
            writer.write(f"HTTP/1.1 302 Found\r\nLocation: {where}\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
            return False
        if mode == "echo-500":
            echo = (b"<html><body><h1>500 Internal Server Error</h1><pre>" + head + body[:4096] +
                    b"</pre></body></html>")
            await self._send(writer, 500, "text/html", echo)
            return False
        if mode == "html":
            await self._send(writer, 200, "text/html; charset=utf-8", HTML.encode())
            return False
        if path == "/view":
            await self._send(writer, 200, "image/png", PNG)
            return True
        status, payload = self._json_route(method, path, body)
        if payload is None:
            await self._send(writer, 404, "text/plain; charset=utf-8", b"404: Not Found")
            return True
        data = payload.encode("utf-8", "surrogatepass")
        if mode == "slow":
            await self._send_slow(writer, status, data)
            return False
        if mode == "lie-long":
            writer.write(self._head(status, "application/json", len(data) + 1000) + data)
            await writer.drain()
            return False
        if mode == "lie-short":
            writer.write(self._head(status, "application/json", max(1, len(data) // 2)) + data + data)
            await writer.drain()
            return False
        if mode.startswith("body-2gb") and path in ("/queue", "/history", "/system_stats", "/prompt") and \
                method == "GET":
            await self._send_2gb(writer, chunked=mode.endswith("chunked"))
            return False
        await self._send(writer, status, "application/json; charset=utf-8", data)
        return True

    @staticmethod
    def _head(status, ctype, length, extra=""):
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}.get(status, "OK")
        return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {length}\r\n"
                f"Server: Python/3.11 aiohttp/3.14.5\r\n{extra}\r\n").encode()

    async def _send(self, writer, status, ctype, data):
        writer.write(self._head(status, ctype, len(data)) + data)
        await writer.drain()

    async def _send_slow(self, writer, status, data):
        """A byte a second, headers included; at most 120 bytes (the connection is then closed)."""
        whole = self._head(status, "application/json", len(data)) + data
        for i in range(min(len(whole), 120)):
            writer.write(whole[i:i + 1])
            await writer.drain()
            await asyncio.sleep(1)

    async def _send_2gb(self, writer, chunked):
        """A 2 GiB JSON-looking body, streamed from one 1 MiB chunk, with its Content-Length or chunked (no length
        announced); stops when the client goes or after 120 s."""
        total = 2 << 30
        if chunked:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            writer.write(self._head(200, "application/json", total))
        chunk = (b'{"a":"' + b"x" * ((1 << 20) - 6))
        rest = b"x" * (1 << 20)
        sent, start = 0, time.monotonic()
        while sent < total and time.monotonic() - start < 120:
            data = chunk if sent == 0 else rest
            writer.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += 1 << 20
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    # ---- WebSocket ----

    async def _websocket(self, reader, writer, headers):
        key = headers.get("sec-websocket-key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        reply = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Accept: {accept.decode()}\r\n\r\n").encode()
        if self.mode == "slow":
            for i in range(len(reply)):
                writer.write(reply[i:i + 1])
                await writer.drain()
                await asyncio.sleep(1)
        else:
            writer.write(reply)
        self.ws_sessions += 1
        self.mode_sessions += 1
        session = self.mode_sessions
        drain = asyncio.ensure_future(self._read_ws(reader, writer))
        sid = uuid.uuid4().hex
        try:
            await self._send_frames(writer, [text(enc({"type": "status", "data": {
                "status": {"exec_info": {"queue_remaining": 0}}, "sid": sid}}))])
            # The big attack goes to the first sockets of the mode only: a reconnecting client is not flooded forever.
            if self.mode != "frame-64mib" or session <= 3:
                await self._send_frames(writer, self._attack(sid))
            start = time.monotonic()
            while time.monotonic() - start < 120 and not drain.done():
                for pid, finished in list(self.prompts.items()):
                    if not finished:
                        await self._send_frames(writer, self._finish(pid))
                        self.prompts[pid] = True
                await asyncio.sleep(0.2)
        finally:
            drain.cancel()

    async def _read_ws(self, reader, writer):
        """Reads (and drops) what the client sends; answers a ping, ends on a close."""
        for _ in range(100000):
            h = await reader.readexactly(2)
            n = h[1] & 0x7F
            if n == 126:
                n = struct.unpack(">H", await reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", await reader.readexactly(8))[0]
            mask = await reader.readexactly(4) if h[1] & 0x80 else b""
            data = await reader.readexactly(min(n, 1 << 20))
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            op = h[0] & 0x0F
            if op == 0x8:
                writer.write(ws_frame(data[:2], 0x8))
                return
            if op == 0x9:
                writer.write(ws_frame(data, 0xA))

    async def _send_frames(self, writer, frames):
        for i, frame in enumerate(frames):
            writer.write(frame)
            self.frames_sent += 1
            if i % 64 == 0 or len(frame) > 65536:
                await writer.drain()
        await writer.drain()

    def _finish(self, pid):
        """A normal end for a submitted prompt (with this mode's texts and numbers)."""
        f = Flavour(self.mode)
        node_text = f.t("progress text")
        body = node_text.encode("utf-8")
        return [text(enc({"type": "execution_start", "data": {"prompt_id": pid, "timestamp": f.n(1764300000000)}})),
                text(enc({"type": "executing", "data": {"node": "9", "display_node": "9", "prompt_id": pid}})),
                text(enc({"type": "progress", "data": {"value": f.n(1), "max": f.n(2), "prompt_id": pid,
                                                       "node": "9"}})),
                binary(struct.pack(">II", 3, 1) + b"9" + body),
                text(enc({"type": "executed", "data": {"node": "9", "display_node": "9", "prompt_id": pid, "output": {
                    "images": [{"filename": f.t("out_00001_") + ".png", "subfolder": "", "type": "output"}]}}})),
                text(enc({"type": "execution_success", "data": {"prompt_id": pid, "timestamp": f.n(1764300001000)}})),
                text(enc({"type": "executing", "data": {"node": None, "prompt_id": pid}})),
                text(enc({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}}}))]

    def _attack(self, sid):
        m = self.mode
        pid = "11111111-0000-4000-8000-000000000001"
        if m == "invalid-utf8":
            return [text(b'{"type": "executing", "data": {"node": "\xff\xfe", "prompt_id": "' + pid.encode() + b'"}}'),
                    text(b"\xc3\x28\xa0\xa1"), text(b'{"type": "status", "data": {"sid": "\xed\xa0\x80"}}'),
                    binary(struct.pack(">II", 3, 2) + b"\xff\xfe" + b"\xc0\xaf text"),
                    text(b'{"type": "progress_text", "data": "\xf8\x88\x80\x80\x80"}')]
        if m == "frame-64mib":
            # First a 15 MiB frame (under a 16 MiB limit: it is read, and must cost a small multiple of itself),
            # then 64 MiB of text and of preview.
            head = ('{"type": "executing", "data": {"prompt_id": "%s", "node": "' % pid).encode()
            frames = []
            for size in (15 << 20, 64 << 20):
                frames.append(text(head + b"A" * (size - len(head) - 3) + b'"}}'))
            size = 64 << 20
            frames.append(binary(struct.pack(">II", 1, 1) + b"\xff\xd8\xff\xe0" + b"\0" * (size - 12)))
            return frames
        if m == "random-frames":
            return self._random_frames()
        if m == "deep-json":
            d = 100000
            return [text('{"type": "status", "data": ' + "[" * d + "]" * d + "}"),
                    text('{"type": "progress", "data": ' + '{"a":' * d + "1" + "}" * d + "}"),
                    text("[" * d), text('{"type": ' + "[" * d + "]" * d + "}"),
                    text('{"type": "executed", "data": {"prompt_id": "%s", "node": "9", "output": ' % pid
                         + '{"x":[' * d + "]}" * d + "}}")]
        if m == "numbers":
            frames = []
            for lit in NUMBERS:
                frames += [text('{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": %s}}}}' % lit),
                           text('{"type": "progress", "data": {"value": %s, "max": 10, "prompt_id": "%s", "node": "3"}}'
                                % (lit, pid)),
                           text('{"type": "progress", "data": {"value": 1, "max": %s, "prompt_id": "%s", "node": "3"}}'
                                % (lit, pid)),
                           text('{"type": "progress_state", "data": {"prompt_id": "%s", "nodes": {"3": {"value": %s, '
                                '"max": %s, "state": "running", "node_id": "3", "prompt_id": "%s", "display_node_id": '
                                '"3", "parent_node_id": null, "real_node_id": "3"}}}}' % (pid, lit, lit, pid)),
                           text('{"type": "execution_start", "data": {"prompt_id": "%s", "timestamp": %s}}'
                                % (pid, lit)),
                           text('{"type": "execution_cached", "data": {"nodes": [], "prompt_id": "%s", '
                                '"timestamp": %s}}'
                                % (pid, lit)),
                           text('{"type": "executing", "data": {"node": %s, "prompt_id": "%s"}}' % (lit, pid)),
                           text('{"type": "logs", "data": {"entries": [{"t": %s, "m": "x"}], "size": {"cols": %s, '
                                '"rows": %s}}}' % (lit, lit, lit)),
                           text('{"type": "crystools.monitor", "data": {"cpu_utilization": %s, "ram_total": %s}}'
                                % (lit, lit))]
            frames.append(binary(struct.pack(">II", 1, 0xFFFFFFFF) + b"\xff\xd8"))
            return frames
        if m == "unknown-types":
            return [text(x) for x in [
                '{"type": "ghost_event", "data": {"x": 1}}', '{"type": 5, "data": {}}', '{"type": null}',
                '{"type": "progress", "data": "a string"}', '{"type": "progress", "data": [1, 2]}',
                '{"type": "executing"}', "{}", "[]", '"just a string"', "123", "null", "true", "",
                '{"type": "status", "data": {"status": null}}', '{"type": "status", "data": {"status": 7}}',
                '{"type": "execution_error", "data": {"traceback": 5, "prompt_id": 7}}',
                '{"type": "executed", "data": {"output": {"images": [null, 1, "x", {"filename": 5}]}}}',
                '{"type": "progress_state", "data": {"nodes": [1, 2, 3]}}',
                '{"type": "execution_cached", "data": {"nodes": "1"}}', '{"data": {"node": "1"}}',
                '{"type": "executing", "data": {"node": {"nested": true}}}']] + [
                ws_frame(b"\x00\x01", 0x3), ws_frame(b"", 0x9)]
        if m == "short-binary":
            frames = []
            for b in [b"", b"\x00", b"\x00\x00", b"\x00\x00\x00", b"\x00\x00\x00\x01", b"\x00\x00\x00\x01\x00",
                      b"\x00\x00\x00\x02", b"\x00\x00\x00\x03", b"\x00\x00\x00\x03\x00\x00",
                      struct.pack(">II", 3, 0xFFFFFFFF) + b"node",
                      struct.pack(">II", 3, 0x7FFFFFFF) + b"9text",
                      struct.pack(">II", 4, 0xFFFFFFFF) + b'{"a":1}',
                      struct.pack(">II", 4, 0x7FFFFFFF) + b'{"image_type": "image/png"}',
                      struct.pack(">II", 4, 1000) + b'{"image_type": "image/png"}',
                      struct.pack(">II", 4, 9) + b'{"a":1}',
                      struct.pack(">II", 4, 2) + b"{}" + PNG[:4],
                      struct.pack(">I", 0xFFFFFFFF) + b"junk", struct.pack(">I", 0) + b"x",
                      struct.pack(">II", 1, 2), struct.pack(">II", 2, 1) + b"\x00"]:
                frames.append(binary(b))
            return frames
        if m == "escapes":
            frames = [text(enc({"type": "executing", "data": {"node": EVIL, "display_node": EVIL, "prompt_id": pid}})),
                      text(enc({"type": "progress", "data": {"value": 1, "max": 4, "node": EVIL, "prompt_id": pid}})),
                      binary(struct.pack(">II", 3, len(EVIL.encode())) + EVIL.encode() + EVIL.encode()),
                      text(enc({"type": "execution_error", "data": {
                          "prompt_id": pid, "node_id": EVIL, "node_type": EVIL, "executed": [EVIL],
                          "exception_message": EVIL, "exception_type": EVIL, "traceback": [EVIL, EVIL],
                          "current_inputs": {EVIL: EVIL}, "current_outputs": {}, "timestamp": 1}})),
                      text(enc({"type": "execution_interrupted", "data": {
                          "prompt_id": pid, "node_id": EVIL, "node_type": EVIL, "executed": [EVIL], "timestamp": 1}})),
                      text(enc({"type": "logs", "data": {"entries": [{"t": EVIL, "m": EVIL + "\n"}],
                                                         "size": {"cols": 80, "rows": 24}}})),
                      text(enc({"type": "executed", "data": {"node": EVIL, "display_node": EVIL, "prompt_id": pid,
                                                             "output": {"images": [{"filename": EVIL + ".png",
                                                                                    "subfolder": EVIL,
                                                                                    "type": "output"}],
                                                                        "text": [EVIL]}}})),
                      text(enc({"type": "execution_cached", "data": {"nodes": [EVIL], "prompt_id": pid,
                                                                     "timestamp": 1}})),
                      text(enc({"type": EVIL, "data": {EVIL: EVIL}})),
                      text(enc({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1}},
                                                           "sid": EVIL}}))]
            return frames
        return []

    def _random_frames(self):
        """100,000 frames (2,000 when quick): mutations of real frames, random bytes, random JSON types."""
        count = 2000 if self.quick else 100000
        if self._random is not None and len(self._random) == count:
            return self._random
        rng = random.Random(14)
        seeds = [b'{"type": "progress", "data": {"value": 3, "max": 10, "prompt_id": "p", "node": "3"}}',
                 b'{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 2}}, "sid": "s"}}',
                 b'{"type": "executing", "data": {"node": "9", "display_node": "9", "prompt_id": "p"}}',
                 b'{"type": "execution_error", "data": {"prompt_id": "p", "node_id": "3", "traceback": ["x"]}}',
                 b'{"type": "executed", "data": {"node": "9", "output": {"images": [{"filename": "a.png"}]}}}',
                 b'{"type": "progress_state", "data": {"prompt_id": "p", "nodes": {"3": {"value": 1, "max": 2}}}}']
        frames = []
        for i in range(count):
            kind = i % 4
            if kind == 3:
                frames.append(binary(struct.pack(">I", rng.choice([1, 2, 3, 4, rng.getrandbits(32)])) +
                                     os.urandom(rng.randrange(0, 48))))
                continue
            b = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 6)):
                op, at = rng.randrange(4), rng.randrange(len(b) or 1)
                if op == 0 and b:
                    b[at] = rng.randrange(256)
                elif op == 1:
                    b[at:at] = rng.choice([b"NaN", b"1e999", b"-", b"\\u0000", b'"', b"[", b"{", b"}", b"\\ud800",
                                           b"\x1b[2J", b"9" * 30])
                elif op == 2 and b:
                    del b[at:at + rng.randrange(1, 8)]
                else:
                    b[at:at] = b[rng.randrange(len(b) or 1):][:rng.randrange(1, 16)]
            frames.append(text(bytes(b).decode("utf-8", "replace").encode()))
        self._random = frames
        return frames
