#!/usr/bin/env bash
# Installs what comfytop needs to build and test on Debian/Ubuntu, and says clearly what to do when it cannot.
set -euo pipefail

need_python=0
need_bench=0
[ "${1:-}" = "--with-python" ] && need_python=1
[ "${1:-}" = "--with-bench" ] && need_python=1 && need_bench=1

say() { printf 'comfytop setup: %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
    say "the Swift toolchain (6.1 or newer) is not on PATH. Install it from swift.org and run make again."
    exit 1
fi

apt_install() {
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    else
        say "missing Debian packages: $*"
        say "run as root or with sudo: apt-get install $*   (then run make again)"
        exit 1
    fi
}

if ! { [ -f /usr/include/ncurses.h ] || [ -f /usr/include/ncursesw/ncurses.h ]; } \
    || ! { ls /usr/lib/*/libncursesw.so || ls /usr/lib/libncursesw.so; } >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        say "installing libncurses-dev (ncursesw headers and library)…"
        apt_install libncurses-dev
    else
        say "ncursesw development files are missing and this is not a Debian-like system;"
        say "install your distribution's ncurses development package and run make again."
        exit 1
    fi
fi

if [ ! -f /usr/include/sqlite3.h ]; then
    if command -v apt-get >/dev/null 2>&1; then
        say "installing libsqlite3-dev (the local history store)…"
        apt_install libsqlite3-dev
    else
        say "SQLite development files are missing; install your distribution's sqlite3 dev package."
        exit 1
    fi
fi

# Pictures (issue 11): libjpeg-turbo, libspng, libwebp and libchafa (whose headers include glib's: Debian's
# libchafa-dev does not pull libglib2.0-dev in).
image_missing=()
[ -f /usr/include/turbojpeg.h ] || image_missing+=(libturbojpeg0-dev)
[ -f /usr/include/spng.h ] || image_missing+=(libspng-dev)
[ -f /usr/include/webp/decode.h ] || image_missing+=(libwebp-dev)
[ -f /usr/include/chafa/chafa.h ] || image_missing+=(libchafa-dev)
[ -f /usr/include/glib-2.0/glib.h ] || image_missing+=(libglib2.0-dev)
command -v pkg-config >/dev/null 2>&1 || image_missing+=(pkg-config)
if [ ${#image_missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        say "installing ${image_missing[*]} (image decoding and terminal pictures)…"
        apt_install "${image_missing[@]}"
    else
        say "missing image libraries (${image_missing[*]}); install your distribution's libjpeg-turbo, libspng,"
        say "libwebp, chafa and glib development packages and run make again."
        exit 1
    fi
fi

if [ "$need_python" = 1 ]; then
    missing=()
    command -v tmux >/dev/null 2>&1 || missing+=(tmux)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    # comfytop doctor's end-to-end test puts nginx in front of the mock and makes certificates with openssl.
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]} for the end-to-end tests…"
        apt_install "${missing[@]}"
    fi
    if ! python3 -c 'import requests, websocket' >/dev/null 2>&1; then
        say "installing the Python test client's packages (requests, websocket-client)…"
        python3 -m pip install --quiet requests websocket-client >/dev/null 2>&1 \
            || python3 -m pip install --quiet --user requests websocket-client >/dev/null 2>&1 \
            || python3 -m pip install --quiet --break-system-packages requests websocket-client \
            || { say "could not install requests and websocket-client with pip; install them and run make again."; exit 1; }
    fi
fi

if [ "$need_bench" = 1 ] && ! python3 -c 'import rich, pyte' >/dev/null 2>&1; then
    say "installing the benchmark's Python packages (rich: the peer's progress display; pyte: a terminal emulator)…"
    python3 -m pip install --quiet rich pyte >/dev/null 2>&1 \
        || python3 -m pip install --quiet --user rich pyte >/dev/null 2>&1 \
        || python3 -m pip install --quiet --break-system-packages rich pyte \
        || { say "could not install rich and pyte with pip; install them and run make bench again."; exit 1; }
fi

if [ "$need_bench" = 1 ] && ! python3 -c 'import term_image' >/dev/null 2>&1; then
    say "installing term-image (B9's peer: the picture drawing of Pyro's CLI; it brings Pillow)…"
    python3 -m pip install --quiet term-image >/dev/null 2>&1 \
        || python3 -m pip install --quiet --user term-image >/dev/null 2>&1 \
        || python3 -m pip install --quiet --break-system-packages term-image \
        || { say "could not install term-image with pip; install it and run make bench again."; exit 1; }
fi
