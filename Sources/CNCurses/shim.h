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
#endif
