#!/usr/bin/env bash
# End-to-end: the fleet monitor in tmux. Five mocks, one port that refuses and one host that accepts and never
# answers (until it does, near the end), all from the config's [servers.NAME] entries (--all). Every live server's row and jobs are right while
# jobs run back to back on several mocks; the bad ones say why; Enter/Esc and the jump keys move between the fleet
# and the server screens; a mock that restarts comes back; resizing and quitting work.
set -u
SESSION="comfytop-fleet-$$"
source "$(dirname "$0")/lib.sh"
NAMES=(alpha bravo charlie delta echo)
row() { screen | grep -m1 -- "● $1 "; }  # the server's row on the fleet screen
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    if [ "$fail" -ne 0 ] && [ -n "${FLEET_KEEP:-}" ]; then echo "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
PIDS=()
trap cleanup EXIT

start_mock() {  # start_mock NAME PORT (0: a free one); sets PORT
    "$BIN" mock --port "$2" --data-dir "$WORK/$1" 2>"$WORK/$1.log" >/dev/null &
    PIDS+=($!)
    eval "PID_$1=$!"
    PORT=
    for _ in $(seq 100); do
        PORT=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$1.log" | head -1 | cut -d: -f3)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
}

: >"$WORK/config.toml"
for name in "${NAMES[@]}"; do
    : >"$WORK/$name.log"
    start_mock "$name" 0
    eval "PORT_$name=$PORT"
    printf '[servers.%s]\nurl = "http://127.0.0.1:%s"\n\n' "$name" "$PORT" >>"$WORK/config.toml"
done
printf 'color = "magenta"\n' >>"$WORK/config.toml"  # echo's colour
# A port nothing listens on, and a listener that accepts and never answers: until $WORK/wake exists, after which it
# relays each new connection to echo (the connections it took while silent stay silent).
REFUSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import os, socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
def pump(a, b):
    try:
        while (data := a.recv(65536)):
            b.sendall(data)
    except OSError:
        pass
    for x in (a, b):
        try:
            x.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = s.accept()
    if not os.path.exists(sys.argv[1]):
        held.append(c)
        continue
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
' "$WORK/wake" "$PORT_echo" >"$WORK/silent.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/silent.port" ] && break; sleep 0.1; done
SILENT=$(cat "$WORK/silent.port")
printf '[servers.refused]\nurl = "http://127.0.0.1:%s"\n\n[servers.silent]\nurl = "http://127.0.0.1:%s"\n' \
    "$REFUSED" "$SILENT" >>"$WORK/config.toml"

submit() {  # submit NAME STEPS DELAY_MS: a SlowSteps job from another client; prints its id
    local port
    eval "port=\$PORT_$1"
    curl -s -X POST "http://127.0.0.1:$port/prompt" -d '{"client_id": "e2e-'"$1"'", "prompt": {
      "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 255}},
      "2": {"class_type": "SlowSteps", "inputs": {"image": ["1", 0], "steps": '"$2"', "delay_ms": '"$3"', "send_preview": false, "send_text": false, "seed": '"$RANDOM"'}},
      "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "e2e/run"}}}}' \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["prompt_id"])'
}

tmux new-session -d -s "$SESSION" -x 120 -y 40 "env LANG=C.UTF-8 TERM=screen-256color bash --norc --noprofile"
tmux send-keys -t "$SESSION" "PS1='$ '; cd $WORK && $BIN --all --config $WORK/config.toml --data-dir $WORK/store; echo EXIT=\$?" Enter
check "the fleet screen opens with every server" "wait_for 'comfytop fleet' 10 && wait_for '● silent ' 5"
check "the five mocks are live" "wait_for 'Servers 5/7 live' 15"
rows_idle() {  # every mock's row: live, its version, an empty queue, idle
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        (for n in "${NAMES[@]}"; do row "$n" | grep -q 'live .*0.3.64 .*0▶ 0· .*idle' || exit 1; done) && return 0
        sleep 0.2
    done
    return 1
}
check "every live row shows the version and an idle queue" "rows_idle 10"
check "the refusing port says connection refused" "wait_for '● refused .*connection refused' 10"
check "the silent host says it does not answer" "wait_for '● silent .*no answer in 4 s' 15"

# Jobs on three mocks; two back to back on alpha.
A1=$(submit alpha 40 250)
A2=$(submit alpha 12 250)
B1=$(submit bravo 240 250)
C1=$(submit charlie 24 250)
check "alpha runs its first job with its steps, a bar and an ETA, and one pending" \
    "wait_for '● alpha .*1▶ 1· .*steps (log) .*% eta ' 10"
check "bravo and charlie run theirs" "wait_for '● bravo .*1▶ 0· .*%' 10 && wait_for '● charlie .*1▶ 0·' 5"
check "the fleet's job list has each job with its server" \
    "wait_for \"alpha .*running ${A1:0:8}\" 5 && wait_for \"alpha .*pending ${A2:0:8}\" 5 && wait_for \"bravo .*running ${B1:0:8}\" 5 && wait_for \"charlie .*running ${C1:0:8}\" 5"
check "the idle mocks stay idle" "row delta | grep -q 'idle' && row echo | grep -q 'idle'"
check "alpha's second job runs after the first" "wait_for \"alpha .*running ${A2:0:8}\" 20"
check "charlie's job finishes" "wait_for \"charlie .*done .*${C1:0:8}\" 20"
CAPTURE_RUNNING=$(screen)

# Enter on the selected (first) server, Esc back; the jump keys.
tmux send-keys -t "$SESSION" Enter
check "Enter opens alpha's own screen" "wait_for '1/7 alpha · Esc fleet' 5 && wait_for 'Queue' 5"
tmux send-keys -t "$SESSION" Escape
check "Esc comes back to the fleet" "wait_for 'comfytop fleet' 5"
tmux send-keys -t "$SESSION" "2"
check "2 opens bravo's screen with its running job" "wait_for '2/7 bravo · Esc fleet' 5 && wait_for \"${B1:0:8}\" 5"
tmux send-keys -t "$SESSION" "]"
check "] goes on to charlie" "wait_for '3/7 charlie · Esc fleet' 5"
tmux send-keys -t "$SESSION" Escape
check "Esc, back on the fleet screen" "wait_for 'Servers 5/7 live' 5"
tmux send-keys -t "$SESSION" Down Down Down Down Down Down Enter
check "the silent host's screen opens too and says why it is not live; Esc returns" \
    "wait_for '7/7 silent · no answer in 4 s · Esc fleet' 5 && tmux send-keys -t $SESSION Escape && wait_for 'comfytop fleet' 5"

# A filter across the fleet.
tmux send-keys -t "$SESSION" "/" && tmux send-keys -t "$SESSION" "bravo" && tmux send-keys -t "$SESSION" Enter
check "/bravo keeps bravo's row and jobs only" "wait_for '/bravo' 5 && ! screen | grep -q '● alpha '"
tmux send-keys -t "$SESSION" Escape
check "Esc clears the filter" "wait_for '● alpha ' 5"

# delta restarts: the row goes to retry, then live again; a job after the restart shows up.
# A mock stopping may wait for its open sockets; after 5 s it is killed, as a person would.
eval "pid=\$PID_delta"
kill "$pid" 2>/dev/null
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "$pid" 2>/dev/null
check "a mock that stops shows retry with the countdown" "wait_for '● delta .*retry [0-9]*s' 10"
start_mock delta "$PORT_delta"
check "it comes back live" "wait_for '● delta .*live .*0.3.64' 30"
D1=$(submit delta 10 200)
check "a job on the restarted mock runs in its row and the list" "wait_for \"delta .*running ${D1:0:8}\" 15"
check "and finishes" "wait_for \"delta .*done .*${D1:0:8}\" 15"

# Sizes.
tmux resize-window -t "$SESSION" -x 80 -y 24
check "at 80x24 the rows and reasons still show" "wait_for '● refused .*connection refused' 5 && wait_for '● delta ' 5"
tmux resize-window -t "$SESSION" -x 20 -y 6
check "at 20x6 the compact list" "wait_for 'fleet 5/7 live' 5"
tmux resize-window -t "$SESSION" -x 120 -y 40
check "back at 120x40" "wait_for 'Servers 5/7 live' 5"
check "bravo's long job is still running; alpha has run both of its jobs and is idle" \
    "wait_for \"bravo .*running ${B1:0:8}\" 5 && wait_for '● alpha .*0▶ 0· .*idle' 20"
# The silent host starts answering: its WebSocket attempt in flight gives up after 10 s (no greeting), a later one
# connects, and the row turns live without a restart.
touch "$WORK/wake"
check "a silent host that starts answering turns live" "wait_for '● silent .*live .*0.3.64' 45"
check "six of seven live" "wait_for 'Servers 6/7 live' 5"
tmux send-keys -t "$SESSION" "q"
check "q quits with status 0" "wait_for 'EXIT=0' 5"
stored() { "$BIN" history --local --data-dir "$WORK/store" --url "http://127.0.0.1:$1" --json 2>/dev/null | grep -o '"prompt_id"' | wc -l; }
check "the finished runs of several servers are in the store" \
    "[ \$(stored $PORT_alpha) -ge 2 ] && [ \$(stored $PORT_charlie) -ge 1 ] && [ \$(stored $PORT_delta) -ge 1 ]"
if [ -n "${FLEET_CAPTURE:-}" ]; then printf '%s\n' "$CAPTURE_RUNNING" >"$FLEET_CAPTURE"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
