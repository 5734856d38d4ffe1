#!/usr/bin/env python3
"""B3 baseline: a progress display the way Pyro's CLI draws one — Rich `Live` progress bars (one per node that
reports steps, plus the prompt's), fed by the ComfyUI WebSocket (websocket-client + json, as the seeds' Python
clients read it). Run in a terminal; it follows every prompt it hears about until it is killed or SECONDS pass."""
import json
import sys
import time
import uuid

import websocket
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

url, seconds = sys.argv[1], float(sys.argv[2])
ws = websocket.create_connection(url.replace("http", "ws", 1) + "/ws?clientId=" + uuid.uuid4().hex, timeout=0.5)
progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn())
tasks = {}
end = time.monotonic() + seconds
with Live(progress, refresh_per_second=10):
    while time.monotonic() < end:
        try:
            frame = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        if not isinstance(frame, str):
            continue
        msg = json.loads(frame)
        data = msg.get("data") or {}
        if msg.get("type") == "progress":
            key = (data.get("prompt_id"), data.get("node"))
            if key not in tasks:
                tasks[key] = progress.add_task(f"{str(key[0])[:8]} node {key[1]}", total=data["max"])
            progress.update(tasks[key], completed=data["value"], total=data["max"])
        elif msg.get("type") == "executing" and data.get("node") is None and data.get("prompt_id"):
            for (pid, _), task in tasks.items():
                if pid == data["prompt_id"]:
                    progress.update(task, completed=progress.tasks[task].total)
