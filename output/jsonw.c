/* jsonw.c - see jsonw.h. */
#include "output/jsonw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct jw *w, size_t more)
{
	size_t ncap;
	char *n;

	if (w->err)
		return false;
	if (w->len + more <= w->cap)
		return true;
	ncap = w->cap ? w->cap : 4096;
	while (ncap < w->len + more)
		ncap *= 2;
	n = realloc(w->p, ncap);
	if (!n) {
		w->err = true;
		return false;
	}
	w->p = n;
	w->cap = ncap;
	return true;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (reserve(w, n)) {
		memcpy(w->p + w->len, s, n);
		w->len += n;
	}
}

static void put_c(struct jw *w, char c)
{
	put(w, &c, 1);
}

/* Before a value: the ',' that separates it from the one before. */
static void sep(struct jw *w)
{
	if (w->comma)
		put_c(w, ',');
	w->comma = true;
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->comma = false;
	w->err = false;
}

void jw_free(struct jw *w)
{
	free(w->p);
	memset(w, 0, sizeof(*w));
}

static void open_(struct jw *w, char c)
{
	sep(w);
	put_c(w, c);
	w->comma = false;
}

static void close_(struct jw *w, char c)
{
	put_c(w, c);
	w->comma = true;
}

void jw_obj_begin(struct jw *w) { open_(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr_begin(struct jw *w) { open_(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_string(struct jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, run;
	char esc[8];

	put_c(w, '"');
	while (i < n) {
		/* copy the longest run that needs no escaping in one go */
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' &&
			      s[run] != '\\';
		     run++)
			;
		put(w, str + i, run - i);
		i = run;
		if (i == n)
			break;
		if (s[i] >= 0x80) {
			size_t l = utf8_len(s + i, n - i);
			if (l)
				put(w, str + i, l);
			else
				put(w, "\xef\xbf\xbd", 3); /* U+FFFD */
			i += l ? l : 1;
			continue;
		}
		switch (s[i]) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", s[i]);
			put(w, esc, 6);
			break;
		}
		i++;
	}
	put_c(w, '"');
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	put_string(w, key);
	put_c(w, ':');
	w->comma = false;
}

void jw_str(struct jw *w, const char *s)
{
	sep(w);
	put_string(w, s);
}

void jw_hex(struct jw *w, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	sep(w);
	if (!reserve(w, 2 * n + 2))
		return;
	w->p[w->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		w->p[w->len++] = digits[b[i] >> 4];
		w->p[w->len++] = digits[b[i] & 15];
	}
	w->p[w->len++] = '"';
}

void jw_str_or_null(struct jw *w, const char *s)
{
	if (s)
		jw_str(w, s);
	else
		jw_null(w);
}

void jw_int(struct jw *w, long long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	sep(w);
	put(w, buf, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}
