# Shared by the tmux end-to-end scripts; sourced after SESSION is set, with the script's arguments ($1: the binary).
# Defines BIN, WORK (a fresh folder), the pass/fail counters and check, screen and wait_for.
BIN=$(cd "$(dirname "${1:-.build/debug/comfytop}")" && pwd)/$(basename "${1:-.build/debug/comfytop}")
WORK=$(mktemp -d)
pass=0
fail=0
# check NAME CONDITION: a failed check shows the screen it saw.
check() {
    if eval "$2"; then
        echo "ok   $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1"
        fail=$((fail + 1))
        screen | sed 's/^/     | /'
    fi
}
screen() { tmux capture-pane -t "$SESSION" -p; }
wait_for() {  # wait_for PATTERN SECONDS
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        screen | grep -q -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
