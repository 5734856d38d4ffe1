#ifndef COMFYTOP_CNCURSES_SHIM_H
#define COMFYTOP_CNCURSES_SHIM_H
// Wide-character ncurses: the define must come before the include or cchar_t and the *_wch calls vanish.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncurses.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

// Globals and macros that Swift 6 cannot import (not concurrency-safe or function-like macros).
static inline WINDOW *ct_stdscr(void) { return stdscr; }
static inline int ct_lines(void) { return LINES; }
static inline int ct_cols(void) { return COLS; }
static inline int ct_colors(void) { return COLORS; }
static inline int ct_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t ct_a_normal(void) { return A_NORMAL; }
static inline attr_t ct_a_bold(void) { return A_BOLD; }
static inline attr_t ct_a_dim(void) { return A_DIM; }
static inline attr_t ct_a_reverse(void) { return A_REVERSE; }
static inline attr_t ct_a_underline(void) { return A_UNDERLINE; }
static inline attr_t ct_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ct_key_resize(void) { return KEY_RESIZE; }
static inline int ct_key_mouse(void) { return KEY_MOUSE; }
static inline int ct_err(void) { return ERR; }
static inline int ct_ok(void) { return OK; }
static inline int ct_key_f1(void) { return KEY_F(1); }
static inline mmask_t ct_mouse_mask(void) {
    return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int ct_is_click(mmask_t m) { return (m & (BUTTON1_CLICKED | BUTTON1_PRESSED)) != 0; }
static inline int ct_is_wheel_up(mmask_t m) { return (m & BUTTON4_PRESSED) != 0; }
static inline int ct_is_wheel_down(mmask_t m) { return (m & BUTTON5_PRESSED) != 0; }
/* Colour pairs and attributes through one call, so Swift needs no macros. */
static inline int ct_set_style(int pair, int bold, int dim, int reverse, int underline) {
    attr_t a = A_NORMAL;
    if (bold) a |= A_BOLD;
    if (dim) a |= A_DIM;
    if (reverse) a |= A_REVERSE;
    if (underline) a |= A_UNDERLINE;
    return attr_set(a, (short)pair, NULL);
}
/* A key as a wide character: OK (a character in *c), KEY_CODE_YES (a function key in *c) or ERR. */
static inline int ct_get_wch(unsigned int *c) {
    wint_t w = 0;
    int r = wget_wch(stdscr, &w);
    *c = (unsigned int)w;
    return r;
}
static inline int ct_key_code_yes(void) { return KEY_CODE_YES; }

/* Crash restore. A Swift trap (SIGILL/SIGTRAP), a bad access (SIGSEGV/SIGBUS), an abort or SIGFPE while curses
   owns the screen must not leave the terminal on the alternate screen with the cursor hidden and the mouse
   reporting: the handler writes bytes computed beforehand and puts back the termios saved at start (both
   async-signal-safe), then hands the signal to the handler that was there before (Swift's backtracer, which now
   prints on the normal screen) and finally dies of it with the default action, so the exit status is the signal's.
   The state is C static storage: a signal handler cannot reach anything else. */
#define CT_CRASH_SIGNALS 6
static inline int *ct_crash_signal_list(void) {
    static int list[CT_CRASH_SIGNALS] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE};
    return list;
}
struct ct_restore_state {
    char bytes[512];
    int length;
    int have_termios;
    struct termios termios;
    struct sigaction previous[CT_CRASH_SIGNALS];
    volatile sig_atomic_t armed;
    /* The descriptor curses writes to (a dup of stdout), and /dev/null to silence it with once restored: another
       thread may still be drawing a frame, and must not draw it over the normal screen. */
    int curses_fd;
    int devnull_fd;
};
static inline struct ct_restore_state *ct_restore_state(void) {
    static struct ct_restore_state state;
    return &state;
}
/* Writes the restore bytes and the saved termios; safe in a signal handler. Once only. */
static inline void ct_restore_now(void) {
    struct ct_restore_state *s = ct_restore_state();
    if (!s->armed) return;
    s->armed = 0;
    const char *p = s->bytes;
    int left = s->length;
    int fd = s->curses_fd > 0 ? s->curses_fd : STDOUT_FILENO;
    if (s->curses_fd > 0 && s->devnull_fd >= 0) {
        /* Silence curses first (its frame in progress goes nowhere), then restore through the same terminal. */
        int out = dup(s->curses_fd);
        dup2(s->devnull_fd, s->curses_fd);
        if (out >= 0) fd = out;
    }
    while (left > 0) {
        ssize_t n = write(fd, p, (size_t)left);
        if (n <= 0) break;
        p += n;
        left -= (int)n;
    }
    if (s->have_termios) tcsetattr(STDIN_FILENO, TCSANOW, &s->termios);
}
static inline void ct_crash_handler(int sig, siginfo_t *info, void *context) {
    ct_restore_now();
    struct ct_restore_state *s = ct_restore_state();
    int *list = ct_crash_signal_list();
    for (int i = 0; i < CT_CRASH_SIGNALS; i++) {
        if (list[i] != sig) continue;
        struct sigaction *old = &s->previous[i];
        if (old->sa_flags & SA_SIGINFO) {
            if (old->sa_sigaction) old->sa_sigaction(sig, info, context);
        } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler != NULL) {
            old->sa_handler(sig);
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}
/* Saves the terminal's termios (call before curses changes it). */
static inline void ct_crash_restore_save_termios(void) {
    struct ct_restore_state *s = ct_restore_state();
    s->have_termios = tcgetattr(STDIN_FILENO, &s->termios) == 0;
}
/* The bytes that undo curses' modes (computed once curses knows the terminal). */
static inline void ct_crash_restore_set_bytes(const char *bytes, int length) {
    struct ct_restore_state *s = ct_restore_state();
    if (length > (int)sizeof(s->bytes)) length = (int)sizeof(s->bytes);
    memcpy(s->bytes, bytes, (size_t)length);
    s->length = length;
}
/* A terminfo string capability, or NULL when the terminal has none. */
static inline const char *ct_cap(const char *name) {
    char *v = tigetstr(name);
    return (v == NULL || v == (char *)-1) ? NULL : v;
}
/* Installs the handlers (after the Swift runtime's own, which are chained). `curses_fd`: where curses writes
   (0: stdout itself, which is then not silenced). */
static inline void ct_crash_restore_arm(int curses_fd) {
    struct ct_restore_state *s = ct_restore_state();
    s->curses_fd = curses_fd;
    if (s->devnull_fd <= 0) s->devnull_fd = open("/dev/null", O_WRONLY);
    int *list = ct_crash_signal_list();
    s->armed = 1;
    for (int i = 0; i < CT_CRASH_SIGNALS; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_sigaction = ct_crash_handler;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(list[i], &action, &s->previous[i]);
    }
}
/* Puts the previous handlers back (the screen gave the terminal back normally). */
static inline void ct_crash_restore_disarm(void) {
    struct ct_restore_state *s = ct_restore_state();
    int *list = ct_crash_signal_list();
    s->armed = 0;
    for (int i = 0; i < CT_CRASH_SIGNALS; i++) sigaction(list[i], &s->previous[i], NULL);
}
#endif
