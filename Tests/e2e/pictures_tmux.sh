#!/usr/bin/env bash
# End-to-end: pictures in the monitor, in tmux against the mock, as a user sees them. An anonymous job's live
# preview forms in the preview pane (its cells change colour from step to step, read with capture-pane -e); the
# finished output shows beside the node bars and in the full-screen viewer, which steps and closes without
# leaving picture cells behind; resizes with a picture on screen (120x40, 80x24, 20x6) neither crash nor smear.
# Once in 256 colours (TERM=tmux-256color) and once in truecolor (a direct-colour terminfo made here with tic);
# then with kitty's Unicode placeholders (--images kitty inside tmux).
set -u
SESSION="comfytop-pictures-$$"
source "$(dirname "$0")/lib.sh"
colours() { tmux capture-pane -t "$SESSION" -p -e; }
# The colour sequences of the preview pane's rows (columns right of the node bars), one line per row.
pane_colours() { colours | sed -n "${1}p" | grep -o $'\e\\[[0-9;]*m' | tr -d '\n'; }
# Picture cells (block and quadrant elements) in the columns given, anywhere on screen.
picture_cells_in() { screen | cut -c"$1" | grep -c '[▀▄▌▐▖▗▘▝▚▞▙▛▜▟▁▂▃▅▆▇]' ; }
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null
    [ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" mock --port 0 --data-dir "$WORK/data" 2>"$WORK/mock.log" >/dev/null &
MOCK_PID=$!
for _ in $(seq 100); do
    PORT=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/mock.log" | head -1 | cut -d: -f3)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"

# A terminal description with 2^24 colours (tmux keeps RGB cells, so capture-pane -e shows them).
mkdir -p "$WORK/terminfo"
cat >"$WORK/direct.src" <<'EOF'
comfytop-direct|tmux-256color with direct (24-bit) colour,
	colors#0x1000000, pairs#0x10000, RGB,
	setaf=\E[%?%p1%{8}%<%t3%p1%d%e38;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
	setab=\E[%?%p1%{8}%<%t4%p1%d%e48;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
	use=tmux-256color,
EOF
tic -x -o "$WORK/terminfo" "$WORK/direct.src" 2>/dev/null

submit() {  # an anonymous job (no client_id): its type-1 previews are broadcast to every socket
    curl -s -X POST "$URL/prompt" -d "{\"prompt\": {
      \"1\": {\"class_type\": \"EmptyImage\", \"inputs\": {\"width\": 256, \"height\": 256, \"batch_size\": 1, \"color\": $1}},
      \"2\": {\"class_type\": \"SlowSteps\", \"inputs\": {\"image\": [\"1\", 0], \"steps\": 16, \"delay_ms\": 350, \"send_preview\": true, \"send_text\": false, \"seed\": $1}},
      \"3\": {\"class_type\": \"SaveImage\", \"inputs\": {\"images\": [\"2\", 0], \"filename_prefix\": \"pictures/run\"}}}}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["prompt_id"])'
}

run_depth() {  # run_depth LABEL TERM COLOR SGR-PATTERN SEED
    local label=$1 term=$2 color=$3 sgr=$4 seed=$5
    tmux new-session -d -s "$SESSION" -x 120 -y 40 \
        "env LANG=C.UTF-8 TERM=$term TERMINFO=$WORK/terminfo XDG_CACHE_HOME=$WORK/cache bash --norc --noprofile"
    tmux send-keys -t "$SESSION" \
        "PS1='$ '; cd $WORK && $BIN --url $URL --data-dir $WORK/store --color $color; echo EXIT=\$?" Enter
    check "[$label] the monitor starts" "wait_for 'ComfyUI 0.3.64' 10"
    local id
    id=$(submit "$seed")
    check "[$label] the preview pane appears with the first frames" "wait_for 'Preview' 10 && wait_for 'frame' 10"
    wait_for ' [4-7]/16 ' 10
    # The pane's rows 5..12 (its picture), early and later in the run.
    local early later
    early=$(for r in 5 7 9 11; do pane_colours $r; done)
    wait_for ' 1[2-5]/16 ' 10
    later=$(for r in 5 7 9 11; do pane_colours $r; done)
    check "[$label] the pane's cells are coloured ($sgr)" "printf '%s' \"\$later\" | grep -q '$sgr'"
    check "[$label] the pane's cells change colour as steps progress" "[ \"\$early\" != \"\$later\" ]"
    tmux resize-window -t "$SESSION" -x 80 -y 24
    check "[$label] at 80x24 with a picture on screen the job is still shown" "wait_for \"${id:0:8}\" 5"
    tmux resize-window -t "$SESSION" -x 20 -y 6
    check "[$label] at 20x6 the too-small screen, no picture cells" \
        "wait_for 'need ≥ 40×10' 5 && [ \$(picture_cells_in 1-20) -eq 0 ]"
    tmux resize-window -t "$SESSION" -x 120 -y 40
    check "[$label] back at 120x40" "wait_for 'Queue' 5"
    check "[$label] the job finishes" "wait_for \"done .*${id:0:8}\" 20"
    # Tab Tab: the outputs pane; its image takes the preview pane's place.
    tmux send-keys -t "$SESSION" Tab Tab
    check "[$label] the selected output shows beside the node bars" "wait_for 'run_[0-9]*_.png  Enter views' 5"
    sleep 1
    tmux send-keys -t "$SESSION" Enter
    check "[$label] Enter opens the viewer" "wait_for 'run_[0-9]*_.png (1/1)' 5 && wait_for 'Esc/q close' 5"
    check "[$label] the viewer draws the image" "sleep 1; [ \$(picture_cells_in 1-120) -gt 10 ]"
    tmux send-keys -t "$SESSION" Right
    check "[$label] arrows step (one image: it stays)" "wait_for '(1/1)' 5"
    tmux send-keys -t "$SESSION" y
    tmux send-keys -t "$SESSION" Escape
    check "[$label] Esc closes the viewer" "wait_for 'Queue' 5 && ! screen | grep -q 'Esc/q close'"
    check "[$label] no picture cells are left over the queue pane" "[ \$(picture_cells_in 2-44) -eq 0 ]"
    tmux send-keys -t "$SESSION" Tab
    check "[$label] leaving the outputs pane takes the image away" "wait_for 'Preview' 5"
    tmux send-keys -t "$SESSION" p
    check "[$label] p hides the preview pane" \
        "sleep 0.5; ! screen | grep -q 'Preview' && [ \$(picture_cells_in 45-120) -eq 0 ]"
    tmux send-keys -t "$SESSION" q
    check "[$label] q quits with status 0" "wait_for 'EXIT=0' 5"
    tmux kill-session -t "$SESSION"
}

run_depth 256 tmux-256color 256 '48;5;' 11
run_depth truecolor comfytop-direct truecolor '48;2;' 23

# Kitty inside tmux (--images kitty): the pictures are Unicode placeholder cells (U+10EEEE with row and column
# diacritics, in the image id's colour) drawn through curses, which tmux keeps like text; none are left when the
# pane hides or the viewer closes.
placeholders() { screen | grep -o $'\U10EEEE' | wc -l; }
tmux new-session -d -s "$SESSION" -x 120 -y 40 \
    "env LANG=C.UTF-8 TERM=tmux-256color XDG_CACHE_HOME=$WORK/cache bash --norc --noprofile"
tmux send-keys -t "$SESSION" \
    "PS1='$ '; cd $WORK && $BIN --url $URL --data-dir $WORK/store --images kitty; echo EXIT=\$?" Enter
check "[kitty] the monitor starts" "wait_for 'ComfyUI 0.3.64' 10"
id=$(submit 31)
check "[kitty] the preview pane shows placeholder cells" "wait_for 'frame' 10 && sleep 1 && [ \$(placeholders) -gt 100 ]"
check "[kitty] in the image id's colour (38;5;201)" \
    "tmux capture-pane -t \"$SESSION\" -p -e | grep -q $'\e\\[38;5;201m\U10EEEE'"
tmux send-keys -t "$SESSION" p
check "[kitty] p hides the pane: no placeholder is left" "sleep 0.5; [ \$(placeholders) -eq 0 ]"
check "[kitty] the job finishes" "wait_for \"done .*${id:0:8}\" 20"
tmux send-keys -t "$SESSION" v
check "[kitty] the viewer draws its image as placeholders" "wait_for 'Esc/q close' 5 && sleep 1 && [ \$(placeholders) -gt 500 ]"
tmux send-keys -t "$SESSION" Escape
check "[kitty] Esc closes the viewer: no placeholder is left" \
    "wait_for 'Queue' 5 && sleep 0.5 && [ \$(placeholders) -eq 0 ]"
tmux send-keys -t "$SESSION" q
check "[kitty] q quits with status 0" "wait_for 'EXIT=0' 5"
tmux kill-session -t "$SESSION"

# A terminal too small from the start.
tmux new-session -d -s "$SESSION" -x 20 -y 6 "env LANG=C.UTF-8 TERM=tmux-256color bash --norc --noprofile"
tmux send-keys -t "$SESSION" "PS1='$ '; cd $WORK && $BIN --url $URL --data-dir $WORK/store; echo EXIT=\$?" Enter
check "[20x6] starts on the too-small screen" "wait_for 'need' 10"
tmux send-keys -t "$SESSION" q
check "[20x6] q quits with status 0" "wait_for 'EXIT=0' 5"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
