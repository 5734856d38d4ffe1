#!/usr/bin/env bash
# End-to-end: the monitor in tmux against the mock. Another client's job appears, runs and finishes on screen;
# the screen survives resizes down to the too-small screen; q quits and gives the terminal back.
set -u
SESSION="comfytop-e2e-$$"
source "$(dirname "$0")/lib.sh"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null
    [ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# COMFYTOP_SERVER_VERSION=current: the same checks against the mock of ComfyUI's newer server.
VERSION_TEXT="ComfyUI 0.3.64"
[ "${COMFYTOP_SERVER_VERSION:-}" = current ] && VERSION_TEXT="ComfyUI 0.38.1"
"$BIN" mock --port 0 --data-dir "$WORK/data" ${COMFYTOP_SERVER_VERSION:+--server-version "$COMFYTOP_SERVER_VERSION"} \
    2>"$WORK/mock.log" >/dev/null &
MOCK_PID=$!
for _ in $(seq 100); do
    PORT=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/mock.log" | head -1 | cut -d: -f3)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"

tmux new-session -d -s "$SESSION" -x 100 -y 30 "env LANG=C.UTF-8 TERM=screen-256color bash --norc --noprofile"
tmux send-keys -t "$SESSION" "PS1='$ '; cd $WORK && $BIN --url $URL --data-dir $WORK/store --log $WORK/events.log; echo EXIT=\$?" Enter
check "the monitor starts and shows the server" "wait_for '$VERSION_TEXT' 10"
check "an empty queue says so" "wait_for 'the queue is empty' 5"
# A newer server starts its assets scan here and sends assets.seed.* to every socket: comfytop must stay quiet.
curl -s "$URL/object_info" >/dev/null

# Another client (a browser, with its own client_id) queues a job.
ID=$(curl -s -X POST "$URL/prompt" -d '{"client_id": "e2e-browser", "prompt": {
  "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 255}},
  "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": 12, "delay_ms": 300, "send_preview": true, "send_text": true, "seed": 1}},
  "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "e2e/run"}}}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["prompt_id"])')
SHORT=${ID:0:8}
check "the foreign job appears as running, marked other" "wait_for \"running $SHORT other\" 10"
check "its sampler steps are read from the server log" "wait_for 'steps (server log)' 10"
check "its node's progress_text (broadcast to every socket) is shown" "wait_for 'SlowSteps 2: SlowSteps step' 10"
tmux resize-window -t "$SESSION" -x 60 -y 20
check "after a resize to 60x20 the job is still on screen" "wait_for \"$SHORT\" 5"
check "it finishes on screen" "wait_for \"done .* $SHORT\" 15"
check "the message line says it is done" "wait_for \"done $SHORT (foreign)\" 5"
tmux resize-window -t "$SESSION" -x 20 -y 6
check "at 20x6 the too-small screen says what is needed" "wait_for 'need ≥ 40×10' 5"
tmux resize-window -t "$SESSION" -x 100 -y 30
check "back at 100x30 the monitor returns" "wait_for '$VERSION_TEXT' 5"
tmux send-keys -t "$SESSION" "h"
check "h opens the history browser with the finished run" "wait_for \"History · 1 run\" 5"
tmux send-keys -t "$SESSION" "/"
tmux send-keys -t "$SESSION" "slowst"
tmux send-keys -t "$SESSION" Enter
check "a search by node class finds it" "wait_for '/slowst' 5"
tmux send-keys -t "$SESSION" Enter
check "Enter shows its per-node timeline" "wait_for 'timeline' 5"
tmux send-keys -t "$SESSION" Escape
tmux send-keys -t "$SESSION" "h"
check "h goes back to the monitor" "wait_for 'Queue' 5"
tmux send-keys -t "$SESSION" "?"
check "? opens the help" "wait_for 'Keys (Esc closes)' 5"
tmux send-keys -t "$SESSION" Escape
sleep 0.3
tmux send-keys -t "$SESSION" "q"
check "q quits with status 0" "wait_for 'EXIT=0' 5"
tmux send-keys -t "$SESSION" "stty -a | grep -o ' echo ' ; tput cols" Enter
check "the terminal is given back (echo on, no alternate screen)" "wait_for ' echo ' 5"
check "the --log file has the job's end and nothing about unknown messages" \
    "grep -q 'done $SHORT' '$WORK/events.log' && ! grep -qiE 'assets|unknown' '$WORK/events.log'"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
