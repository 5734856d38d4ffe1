#ifndef COMFYTOP_CNCURSES_SHIM_H
#define COMFYTOP_CNCURSES_SHIM_H
// Wide-character ncurses: the define must come before the include or cchar_t and the *_wch calls vanish.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncurses.h>

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
#endif
