/* jsonw.h - a compact JSON writer into one growable buffer.
 *
 * For the per-event hot path (--json --events, -o): the buffer is reused
 * from line to line, so the steady state allocates nothing, unlike building
 * a jansson tree per event.  Output matches jansson's JSON_COMPACT dump,
 * except that invalid UTF-8 in a string becomes U+FFFD (jansson refuses
 * such a string).  An allocation failure sets w->err and stops output. */
#ifndef NST_JSONW_H
#define NST_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw {
	char *p;     /* the text so far, not NUL-terminated */
	size_t len, cap;
	bool comma;  /* a value was written: the next one needs a ',' */
	bool err;    /* ENOMEM: the text is incomplete */
};

/* Start a new document in w's buffer (kept from the previous one). */
void jw_reset(struct jw *w);
void jw_free(struct jw *w);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* An object member's name; the next call writes its value. */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
/* n bytes as a string of lowercase hex digits. */
void jw_hex(struct jw *w, const uint8_t *b, size_t n);
/* s, or null when s is NULL. */
void jw_str_or_null(struct jw *w, const char *s);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

#endif
