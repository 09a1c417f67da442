/* strace_text.c - see strace_text.h. */
#define _GNU_SOURCE
#include "import/strace_text.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"

/* The decimal digits of s (all of it, at most 18: no overflow) into *v. */
static bool dec_digits(struct span s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s.n || s.n > 18)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s.p[i] - '0');
	}
	*v = x;
	return true;
}

long span_long(struct span s, bool *ok)
{
	char buf[32];
	char *end;
	uint64_t u;
	long v;

	s = span_trim(s);
	*ok = false;
	/* most numbers in a log are plain decimals: no copy, no strtol */
	if (s.n && (s.p[0] != '0' || s.n == 1) && dec_digits(s, &u)) {
		*ok = true;
		return (long)u;
	}
	if (s.n > 1 && s.p[0] == '-' && s.p[1] != '0' &&
	    dec_digits((struct span){ s.p + 1, s.n - 1 }, &u)) {
		*ok = true;
		return -(long)u;
	}
	if (!s.n || s.n >= sizeof(buf))
		return 0;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	v = strtol(buf, &end, 0);
	*ok = end != buf;
	return v;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Bit k set: p[k] is '"' or '\\' (k < 16; p has 16 readable bytes). */
static inline unsigned quote_mask16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}
#else
static inline unsigned quote_mask16(const char *p)
{
	unsigned m = 0;
	for (int k = 0; k < 16; k++)
		m |= (unsigned)(p[k] == '"' || p[k] == '\\') << k;
	return m;
}
#endif

/* Index just past a quoted string starting at s.p[i] == '"'.  Quotes and
 * backslashes are found 16 bytes at a time: a DNS payload is mostly
 * escapes, and a backslash only ever hides the byte after it. */
static size_t skip_string(struct span s, size_t i)
{
	size_t blk = i + 1, skip = SIZE_MAX; /* skip: the index a backslash hides */

	for (; blk < s.n; blk += 16) {
		unsigned m;
		if (s.n - blk >= 16) {
			m = quote_mask16(s.p + blk);
		} else {
			char pad[16] = { 0 };
			memcpy(pad, s.p + blk, s.n - blk);
			m = quote_mask16(pad);
		}
		for (; m; m &= m - 1) {
			size_t j = blk + (size_t)__builtin_ctz(m);
			if (j == skip)
				continue;
			if (s.p[j] == '"')
				return j + 1;
			skip = j + 1;
		}
	}
	return s.n;
}

#define TOK_DEPTH 64
#define NO_NODE (-2) /* an element the array had no room for */

/* The bytes the tokenizer acts on, its stop bytes, are '"' ( ) , / = [ ]
 * { }.  They are found 16 bytes at a time, as a mask of their positions:
 * most bytes are none of them. */
#ifdef __SSE2__
#include <emmintrin.h>

/* Bit k set: p[k] is a stop byte (k < 16; p has 16 readable bytes). */
static inline unsigned stop_mask16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20));            /* [ { and ] } */
	__m128i pa = _mm_and_si128(v, _mm_set1_epi8((char)0xfe));     /* ( and ) */
	__m128i m = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(pa, _mm_set1_epi8('(')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('=')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(lc, _mm_set1_epi8('{')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(lc, _mm_set1_epi8('}')));
	return (unsigned)_mm_movemask_epi8(m);
}
#else
static inline unsigned stop_mask16(const char *p)
{
	unsigned m = 0;
	for (int k = 0; k < 16; k++) {
		unsigned char u = (unsigned char)p[k];
		m |= (unsigned)(u == '"' || (u & 0xfe) == '(' || u == ',' || u == '/' || u == '=' ||
				(u | 0x20) == '{' || (u | 0x20) == '}') << k;
	}
	return m;
}
#endif

/* The stop mask of s.p[i..i+16), zero past the end of s. */
static inline unsigned block_mask(struct span s, size_t i)
{
	char pad[16];

	if (s.n - i >= 16)
		return stop_mask16(s.p + i);
	memset(pad, 0, sizeof(pad)); /* NUL is no stop byte */
	memcpy(pad, s.p + i, s.n - i);
	return stop_mask16(pad);
}

/* The list being read at one nesting depth. */
struct tframe {
	int parent; /* the element the list is in: -1 top level, NO_NODE lost */
	int last;   /* the list's last linked node */
	int cur;    /* the element being read */
	size_t start, eq;
};

#define IDENT_ROW(a) [a] = 1, [a + 1] = 1, [a + 2] = 1, [a + 3] = 1, [a + 4] = 1
static const uint8_t ident_char[256] = {
	IDENT_ROW('0'), IDENT_ROW('5'), ['_'] = 1,
	IDENT_ROW('a'), IDENT_ROW('f'), IDENT_ROW('k'), IDENT_ROW('p'), IDENT_ROW('u'), ['z'] = 1,
	IDENT_ROW('A'), IDENT_ROW('F'), IDENT_ROW('K'), IDENT_ROW('P'), IDENT_ROW('U'), ['Z'] = 1,
};
#undef IDENT_ROW

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

#define HOT static inline __attribute__((always_inline))

HOT void elem_begin(struct stoks *tk, struct tframe *f, size_t pos)
{
	f->start = pos;
	f->eq = SIZE_MAX;
	f->cur = NO_NODE;
	if (f->parent == NO_NODE)
		return;
	if (tk->n >= tk->cap) {
		tk->full = true;
		return;
	}
	f->cur = tk->n++;
	tk->t[f->cur].kid = -1;
	tk->t[f->cur].next = -1;
	tk->t[f->cur].key.n = 0;
}

/* The key of "key=" or "key(N)=" in k (no leading blanks; k.p[k.n] is
 * the '=', which ends the scan): an identifier, perhaps with a count. */
HOT bool key_of(struct span k, struct span *key)
{
	size_t i = 0;

	while (ident_char[(uint8_t)k.p[i]])
		i++;
	if (!i)
		return false;
	*key = (struct span){ k.p, i };
	while (k.n > i && is_blank(k.p[k.n - 1]))
		k.n--;
	if (i == k.n)
		return true;
	if (k.p[i] != '(' || k.p[k.n - 1] != ')')
		return false;
	for (size_t j = i + 1; j + 1 < k.n; j++)
		if (k.p[j] < '0' || k.p[j] > '9')
			return false;
	return true;
}

HOT void elem_end(struct stoks *tk, struct tframe *f, struct span s, size_t pos, int *first,
		  bool closing)
{
	struct stok *t;
	size_t a = f->start, b = pos;

	if (f->cur < 0)
		return;
	t = &tk->t[f->cur];
	while (a < b && is_blank(s.p[a]))
		a++;
	if (f->eq != SIZE_MAX && key_of((struct span){ s.p + a, f->eq - a }, &t->key))
		for (a = f->eq + 1; a < b && is_blank(s.p[a]); a++)
			;
	while (b > a && is_blank(s.p[b - 1]))
		b--;
	t->val = (struct span){ s.p + a, b - a };
	if (!t->val.n && !t->key.n && closing && f->last < 0) {
		if (f->cur == tk->n - 1) /* "()", "[]", "{}": no element */
			tk->n--;
		return;
	}
	if (f->last >= 0)
		tk->t[f->last].next = f->cur;
	else if (f->parent >= 0)
		tk->t[f->parent].kid = f->cur;
	else
		*first = f->cur;
	f->last = f->cur;
}

/* Past a comment "/" "*" ... "*" "/" that starts at s.p[i]. */
static size_t skip_comment(struct span s, size_t i)
{
	const char *e = memmem(s.p + i + 2, s.n - i - 2, "*/", 2);

	return e ? (size_t)(e - s.p) + 2 : s.n;
}

/* The structural bytes of s in order ( { [ ( } ] ) , = ), strings and
 * comments stepped over, found through block masks. */
struct stops {
	struct span s;
	size_t blk, next; /* the block masked, and where the next one starts */
	unsigned m;       /* its stop bytes not yet taken */
};

static inline void stops_init(struct stops *it, struct span s, size_t from)
{
	*it = (struct stops){ .s = s, .blk = from, .next = from };
}

/* Go on from index e (the end of a string or of a group kept whole). */
static inline void stops_skip(struct stops *it, size_t e)
{
	if (e >= it->next) {
		it->next = e;
		it->m = 0;
	} else {
		it->m &= ~0u << (e - it->blk);
	}
}

/* The next structural byte's index, s.n at the end. */
HOT size_t stops_next(struct stops *it)
{
	const struct span s = it->s;

	for (;;) {
		while (!it->m) {
			if ((it->blk = it->next) >= s.n)
				return s.n;
			it->m = block_mask(s, it->blk);
			it->next = it->blk + 16;
		}
		size_t j = it->blk + (size_t)__builtin_ctz(it->m);
		it->m &= it->m - 1;
		if (s.p[j] == '"')
			stops_skip(it, skip_string(s, j));
		else if (s.p[j] != '/')
			return j;
		else if (j + 1 < s.n && s.p[j + 1] == '*')
			stops_skip(it, skip_comment(s, j));
	}
}

/* Past the group that opens at s.p[i] ('{', '[' or '('), its strings and
 * comments and nested groups: the index after its closing bracket. */
static size_t skip_group(struct span s, size_t i)
{
	struct stops it;
	unsigned depth = 0;
	size_t j;

	stops_init(&it, s, i);
	while ((j = stops_next(&it)) < s.n) {
		char c = s.p[j];
		if (c == '{' || c == '[' || c == '(')
			depth++;
		else if ((c == '}' || c == ']' || c == ')') && --depth == 0)
			return j + 1;
	}
	return s.n;
}

/* Is the element of frame f, whose value opens a group at s.p[i], keyed
 * tk->lazy (its group is then kept whole, not tokenized)? */
static bool lazy_group(const struct stoks *tk, const struct tframe *f, struct span s, size_t i)
{
	size_t a = f->start, l;

	if (!tk->lazy || f->cur < 0 || f->eq == SIZE_MAX || f->eq + 1 != i)
		return false;
	while (a < f->eq && is_blank(s.p[a]))
		a++;
	l = strlen(tk->lazy);
	return f->eq - a == l && !memcmp(s.p + a, tk->lazy, l);
}

int strace_tokenize(struct span s, struct stoks *tk)
{
	struct tframe st[TOK_DEPTH];
	int d = 0, first = -1;
	unsigned deep = 0; /* brackets past TOK_DEPTH, read as text */
	struct stops it;
	size_t i;

	tk->n = 0;
	tk->full = false;
	st[0] = (struct tframe){ .parent = -1, .last = -1 };
	elem_begin(tk, &st[0], 0);
	stops_init(&it, s, 0);
	while ((i = stops_next(&it)) < s.n) {
		char c = s.p[i];
		if (c == ',') {
			if (!deep) {
				elem_end(tk, &st[d], s, i, &first, false);
				elem_begin(tk, &st[d], i + 1);
			}
		} else if (c == '=') {
			if (!deep && st[d].eq == SIZE_MAX)
				st[d].eq = i;
		} else if (c == '{' || c == '[' || c == '(') {
			if (!deep && lazy_group(tk, &st[d], s, i)) {
				stops_skip(&it, skip_group(s, i));
			} else if (d + 1 >= TOK_DEPTH || deep) {
				deep++;
			} else {
				st[d + 1] = (struct tframe){ .parent = st[d].cur, .last = -1 };
				if (st[d].cur >= 0)
					tk->t[st[d].cur].kid = -1; /* the last group's elements */
				d++;
				elem_begin(tk, &st[d], i + 1);
			}
		} else if (deep) { /* a closing bracket */
			deep--;
		} else if (d > 0) {
			elem_end(tk, &st[d], s, i, &first, true);
			d--;
		}
	}
	for (; d > 0; d--) /* the text ended inside a bracket */
		elem_end(tk, &st[d], s, s.n, &first, true);
	elem_end(tk, &st[0], s, s.n, &first, true);
	return first;
}

int stok_nth(const struct stoks *tk, int node, int i)
{
	while (node >= 0 && i-- > 0)
		node = tk->t[node].next;
	return node;
}

int stok_field_n(const struct stoks *tk, int node, const char *key, size_t kl, int pos)
{
	bool keyed = false;

	if (node < 0)
		return -1;
	for (int k = tk->t[node].kid; k >= 0; k = tk->t[k].next) {
		const struct span *ks = &tk->t[k].key;
		if (ks->n == kl && kl && ks->p[0] == key[0] && !memcmp(ks->p, key, kl))
			return k;
		keyed |= ks->n != 0;
	}
	return keyed || pos < 0 ? -1 : stok_nth(tk, tk->t[node].kid, pos);
}

struct span stok_val(const struct stoks *tk, int node)
{
	return node >= 0 ? tk->t[node].val : (struct span){ "", 0 };
}

/* What a one-letter escape stands for (0: none of them). */
static const uint8_t esc_char[128] = {
	['n'] = '\n', ['t'] = '\t', ['r'] = '\r', ['v'] = '\v', ['f'] = '\f', ['a'] = '\a',
	['b'] = '\b',
};

static bool is_oct(char c)
{
	return c >= '0' && c <= '7';
}

/* The escape at *p (past its backslash, before e): its byte, *p past it.
 * Octal first: \N, \NN, \NNN are most bytes of a DNS payload. */
static inline uint8_t unescape(const char **p, const char *e)
{
	char c = *(*p)++;
	int v, d, k;

	if (is_oct(c)) {
		v = c - '0';
		if (*p < e && is_oct(**p)) {
			v = v * 8 + (*(*p)++ - '0');
			if (*p < e && is_oct(**p))
				v = v * 8 + (*(*p)++ - '0');
		}
		return (uint8_t)v;
	}
	if (c == 'x') {
		for (v = 0, k = 0; k < 2 && *p < e && (d = hex_digit(**p)) >= 0; k++, (*p)++)
			v = v * 16 + d;
		return (uint8_t)v;
	}
	if ((unsigned char)c < 128 && esc_char[(unsigned char)c])
		return esc_char[(unsigned char)c];
	return (uint8_t)c; /* \" \\ and anything else literal */
}

/* How many bytes from p on (before e) are neither '"' nor '\\': text
 * that stands for itself, copied in bulk (an HTTP or JSON payload is
 * mostly that, a DNS one mostly escapes). */
static size_t plain_run(const char *p, const char *e)
{
	const char *q = p;

	while (e - q >= 16) {
		unsigned m = quote_mask16(q);
		if (m)
			return (size_t)(q - p) + (size_t)__builtin_ctz(m);
		q += 16;
	}
	while (q < e && *q != '"' && *q != '\\')
		q++;
	return (size_t)(q - p);
}

long strace_unquote(struct span s, uint8_t *out, size_t cap, bool *cut)
{
	const char *p, *e;
	uint8_t *o = out, *oe = out + cap;
	bool closed = false;

	s = span_trim(s);
	*cut = false;
	if (s.n < 2 || s.p[0] != '"')
		return -1;
	p = s.p + 1;
	e = s.p + s.n;
	while (p < e) {
		if (*p != '"' && *p != '\\') {
			size_t run = plain_run(p, e), room = (size_t)(oe - o), k = run < room ? run : room;
			if (k)
				memcpy(o, p, k);
			o += k;
			if (k < run)
				*cut = true;
			p += run;
			continue;
		}
		if (*p++ == '"') {
			closed = true;
			break;
		}
		if (p >= e)
			break;
		uint8_t b = unescape(&p, e);
		if (o == oe) {
			*cut = true;
			continue;
		}
		*o++ = b;
	}
	if (!closed)
		*cut = true; /* the line ended inside the string */
	else if (e - p >= 3 && !memcmp(p, "...", 3))
		*cut = true;
	return (long)(o - out);
}

int strace_family(struct span s)
{
#define FAM(s) s, sizeof(s) - 1
	static const struct { const char *n; size_t len; int v; } f[] = {
		{ FAM("INET"), AF_INET }, { FAM("INET6"), AF_INET6 }, { FAM("UNIX"), AF_UNIX },
		{ FAM("LOCAL"), AF_UNIX }, { FAM("FILE"), AF_UNIX }, { FAM("NETLINK"), AF_NETLINK },
		{ FAM("PACKET"), AF_PACKET }, { FAM("UNSPEC"), AF_UNSPEC },
	};
#undef FAM
	bool ok;
	long v;

	s = span_trim(s);
	if (s.n > 3 && (s.p[0] == 'A' || s.p[0] == 'P') && s.p[1] == 'F' && s.p[2] == '_') {
		struct span n = { s.p + 3, s.n - 3 };
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (n.n == f[i].len && !memcmp(n.p, f[i].n, n.n))
				return f[i].v;
		return AF_UNSPEC;
	}
	v = span_long(s, &ok);
	return ok && v > 0 && v < 64 ? (int)v : AF_UNSPEC;
}

/* The child of the call node fn(...) at pos: htons(53) -> 53. */
static inline int call_arg(const struct stoks *tk, int node, const char *fn, int pos)
{
	struct span v = stok_val(tk, node);
	size_t l = strlen(fn);

	if (v.n < l + 2 || v.p[l] != '(' || v.p[0] != fn[0] || memcmp(v.p, fn, l))
		return -1;
	return stok_nth(tk, tk->t[node].kid, pos);
}

/* "\"1.2.3.4\"" as strace prints it, read in place; false for anything
 * else (inet_pton then decides). */
static bool in4_quoted(struct span s, uint8_t *out)
{
	const char *p = s.p + 1, *end = s.p + s.n - 1; /* between the quotes */

	if (s.n < 9 || s.p[0] != '"' || *end != '"')
		return false;
	for (int k = 0; k < 4; k++) {
		const char *first = p;
		unsigned v = 0;
		while (p < end && *p >= '0' && *p <= '9' && p - first < 4)
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == first || p - first > 3 || v > 255 || (p - first > 1 && *first == '0'))
			return false;
		out[k] = (uint8_t)v;
		if (k < 3 && (p >= end || *p++ != '.'))
			return false;
	}
	return p == end;
}

static bool ip_from(struct span s, int af, uint8_t *out)
{
	uint8_t buf[64];
	bool cut;
	long n;

	if (af == AF_INET && in4_quoted(s, out))
		return true;
	n = strace_unquote(s, buf, sizeof(buf) - 1, &cut);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return inet_pton(af, (char *)buf, out) == 1;
}


/* k: the sun_path node, or -1 (unnamed). */
static int sockaddr_unix(const struct stoks *tk, int k, struct nst_addr *a)
{
	uint8_t path[NST_UNIX_PATH_LEN + 1];
	struct span v;
	bool cut, abstract;
	long n;

	a->family = AF_UNIX;
	if (k < 0)
		return 0;
	v = tk->t[k].val;
	abstract = v.n && v.p[0] == '@';
	if (abstract)
		v.p++, v.n--;
	n = strace_unquote(v, path, NST_UNIX_PATH_LEN - 1, &cut);
	if (n < 0)
		return -1;
	a->u.unix_path[0] = '@';
	memcpy(a->u.unix_path + abstract, path, (size_t)n);
	a->u.unix_path[n + abstract] = '\0';
	return 0;
}

/* The port of a sin_port / sin6_port node's htons(N). */
static uint16_t port_in(const struct stoks *tk, int node)
{
	bool ok;
	long v = span_long(stok_val(tk, call_arg(tk, node, "htons", 0)), &ok);

	return ok && v >= 0 && v <= 65535 ? (uint16_t)v : 0;
}

/* Its fields are walked once (this runs for every address of every call):
 * sa_family, then the family's own; an unkeyed member is inet_pton's. */
int strace_sockaddr(const struct stoks *tk, int node, struct nst_addr *a)
{
	struct span v = stok_val(tk, node);
	int fam = -1, port4 = -1, port6 = -1, in4 = -1, in6 = -1, path = -1;

	a->family = AF_UNSPEC;
	a->port = 0;
	a->scope_id = 0;
	memset(a->u.in6, 0, sizeof(a->u.in6));
	if (!v.n || v.p[0] != '{')
		return -1;
	for (int k = tk->t[node].kid; k >= 0; k = tk->t[k].next) { /* the first of each key */
		struct span key = tk->t[k].key;
		if (in6 < 0)
			in6 = call_arg(tk, k, "inet_pton", 1);
		if (!key.n)
			continue;
		if (fam < 0 && span_eq(key, "sa_family"))
			fam = k;
		else if (port4 < 0 && span_eq(key, "sin_port"))
			port4 = k;
		else if (port6 < 0 && span_eq(key, "sin6_port"))
			port6 = k;
		else if (in4 < 0 && span_eq(key, "sin_addr"))
			in4 = k;
		else if (path < 0 && span_eq(key, "sun_path"))
			path = k;
	}
	if (fam < 0)
		return -1;
	a->family = (uint16_t)strace_family(tk->t[fam].val);
	switch (a->family) {
	case AF_INET:
		a->port = port_in(tk, port4);
		in4 = call_arg(tk, in4, "inet_addr", 0);
		return in4 >= 0 && ip_from(tk->t[in4].val, AF_INET, a->u.in4) ? 0 : -1;
	case AF_INET6:
		a->port = port_in(tk, port6);
		return in6 >= 0 && ip_from(tk->t[in6].val, AF_INET6, a->u.in6) ? 0 : -1;
	case AF_UNIX:
		return sockaddr_unix(tk, path, a);
	default:
		a->family = AF_UNSPEC;
		return 0;
	}
}

#define PKTINFO_NODES 64 /* a cmsg list's: a few cmsgs of a dozen nodes */

int strace_pktinfo(const struct stoks *tk, int ctl, bool received, struct nst_addr *a)
{
	struct span v = stok_val(tk, ctl);
	struct stok nodes[PKTINFO_NODES];
	struct stoks own = { .t = nodes, .cap = PKTINFO_NODES };
	int first;

	memset(a, 0, sizeof(*a));
	if (v.n < 2 || v.p[0] != '[')
		return -1;
	first = tk->t[ctl].kid;
	if (first < 0 && v.n > 2) { /* kept whole (tk->lazy): its elements now */
		first = strace_tokenize((struct span){ v.p + 1, v.n - 2 }, &own);
		tk = &own;
	}
	for (int cm = first; cm >= 0; cm = tk->t[cm].next) {
		int data = stok_field(tk, cm, "cmsg_data", -1), ip;
		if (!span_eq(stok_val(tk, stok_field(tk, cm, "cmsg_type", -1)), "IP_PKTINFO"))
			continue;
		if (data < 0 && (data = stok_nth(tk, tk->t[cm].kid, 3)) >= 0 && tk->t[data].key.n)
			data = -1; /* 4.x: the fourth element, without a key */
		ip = call_arg(tk, stok_field(tk, data, received ? "ipi_addr" : "ipi_spec_dst", -1),
			      "inet_addr", 0);
		if (ip < 0 || !ip_from(tk->t[ip].val, AF_INET, a->u.in4))
			return -1;
		if (!received && !memcmp(a->u.in4, "\0\0\0\0", 4))
			return -1; /* the kernel picks the source */
		a->family = AF_INET;
		return 0;
	}
	return -1;
}

/* "1.2.3.4:5" or "[::1]:53" from a -yy socket note. */
static void note_addr(const char *s, size_t n, struct nst_addr *a)
{
	char buf[80];

	if (n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_addr(buf, a) < 0)
		memset(a, 0, sizeof(*a));
}

static void parse_note(const char *p, size_t n, struct fd_note *note)
{
	const char *colon = memchr(p, ':', n), *lb = colon ? colon + 1 : NULL;
	uint64_t ino;
#define KIND(s) s, sizeof(s) - 1
	static const struct { const char *name; size_t len; int family, proto; } kinds[] = {
		{ KIND("UDP"), AF_INET, SOCK_DGRAM }, { KIND("TCP"), AF_INET, SOCK_STREAM },
		{ KIND("UDPv6"), AF_INET6, SOCK_DGRAM }, { KIND("TCPv6"), AF_INET6, SOCK_STREAM },
		{ KIND("UNIX"), AF_UNIX, 0 }, { KIND("UNIX-STREAM"), AF_UNIX, SOCK_STREAM },
		{ KIND("UNIX-DGRAM"), AF_UNIX, SOCK_DGRAM }, { KIND("NETLINK"), AF_NETLINK, SOCK_RAW },
		{ KIND("socket"), 0, 0 },
	};
#undef KIND

	if (n && p[0] == '/') {
		note->kind = NOTE_PATH;
		size_t k = n < sizeof(note->path) ? n : sizeof(note->path) - 1;
		memcpy(note->path, p, k);
		note->path[k] = '\0';
		return;
	}
	if (!colon || (size_t)(lb - p) >= n || *lb != '[' || p[n - 1] != ']') {
		note->kind = NOTE_OTHER;
		return;
	}
	size_t tl = (size_t)(colon - p);
	const char *in = lb + 1;
	size_t il = n - (size_t)(in - p) - 1;
	/* the inode of -y, and of what -yy could not look into */
	bool is_ino = dec_digits((struct span){ in, il }, &ino);
	if (tl == 3 && !memcmp(p, "net", 3)) {
		note->kind = NOTE_NETNS;
		note->ino = is_ino ? ino : strtoull(in, NULL, 10);
		return;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (kinds[k].len != tl || memcmp(p, kinds[k].name, tl))
			continue;
		note->kind = NOTE_SOCKET;
		note->family = kinds[k].family;
		note->proto = kinds[k].proto;
		/* -y: [inode]; -yy inet: [local->peer] or [local] */
		const char *arrow = is_ino ? NULL : memmem(in, il, "->", 2);
		if (is_ino) {
			note->ino = ino;
		} else if (il && in[0] >= '0' && in[0] <= '9' && !memchr(in, ':', il) &&
			   !memchr(in, '.', il)) {
			note->ino = strtoull(in, NULL, 10);
		} else if (note->family == AF_INET || note->family == AF_INET6) {
			if (arrow) {
				note_addr(in, (size_t)(arrow - in), &note->local);
				note_addr(arrow + 2, il - (size_t)(arrow - in) - 2, &note->peer);
			} else {
				note_addr(in, il, &note->local);
			}
		}
		return;
	}
	note->kind = NOTE_OTHER;
}

int strace_fd(struct span s, struct fd_note *note)
{
	size_t i = 0;
	long fd = 0;

	/* field by field: every fd argument comes here, few with addresses
	 * (valid when their family is) or a path */
	note->kind = NOTE_NONE;
	note->proto = note->family = 0;
	note->ino = 0;
	note->local.family = note->peer.family = AF_UNSPEC;
	note->path[0] = '\0';
	s = span_trim(s);
	if (!s.n || s.p[0] < '0' || s.p[0] > '9')
		return -1;
	while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && fd < 1 << 24)
		fd = fd * 10 + (s.p[i++] - '0');
	if (i < s.n && s.p[i] == '<' && s.p[s.n - 1] == '>')
		parse_note(s.p + i + 1, s.n - i - 2, note);
	else if (i != s.n)
		return -1;
	return (int)fd;
}
