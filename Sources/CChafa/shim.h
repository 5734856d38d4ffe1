#ifndef COMFYTOP_CCHAFA_SHIM_H
#define COMFYTOP_CCHAFA_SHIM_H
// libchafa (Debian: libchafa-dev, whose headers include glib's: libglib2.0-dev).
#include <stdlib.h>
#include <string.h>
#include <chafa.h>

/* A GString's text copied out and the GString freed, so Swift never touches glib's allocator. Returns the
   length; `out` receives a malloc'd copy (free() it) or NULL. */
static inline size_t ct_chafa_take_string(GString *s, char **out) {
    *out = NULL;
    if (s == NULL) return 0;
    size_t n = s->len;
    char *copy = (char *)malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, s->str, n);
        copy[n] = 0;
        *out = copy;
    } else {
        n = 0;
    }
    g_string_free(s, TRUE);
    return n;
}
#endif
