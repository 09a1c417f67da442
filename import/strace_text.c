/* strace_text.c - see strace_text.h. */
#define _GNU_SOURCE
#include "import/strace_text.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/parse.h"

struct span span_trim(struct span s)
{
	while (s.n && (*s.p == ' ' || *s.p == '\t'))
		s.p++, s.n--;
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}

bool span_eq(struct span s, const char *lit)
{
	size_t l = strlen(lit);
	return s.n == l && !memcmp(s.p, lit, l);
}

long span_long(struct span s, bool *ok)
{
	char buf[32];
	char *end;
	long v;

	s = span_trim(s);
	*ok = false;
	if (!s.n || s.n >= sizeof(buf))
		return 0;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	v = strtol(buf, &end, 0);
	*ok = end != buf;
	return v;
}

/* Index just past a quoted string starting at s.p[i] == '"'. */
static size_t skip_string(struct span s, size_t i)
{
	for (i++; i < s.n; i++) {
		if (s.p[i] == '\\')
			i++;
		else if (s.p[i] == '"')
			return i + 1;
	}
	return s.n;
}

int strace_split_args(struct span s, struct span *args, int max)
{
	size_t i = 0, start = 0;
	int depth = 0, n = 0;

	s = span_trim(s);
	if (!s.n)
		return 0;
	while (i < s.n) {
		char c = s.p[i];
		if (c == '"') {
			i = skip_string(s, i);
			continue;
		}
		if (c == '{' || c == '[' || c == '(')
			depth++;
		else if ((c == '}' || c == ']' || c == ')') && depth > 0)
			depth--;
		else if (c == ',' && depth == 0) {
			if (n < max)
				args[n++] = span_trim((struct span){ s.p + start, i - start });
			start = i + 1;
		}
		i++;
	}
	if (n < max)
		args[n++] = span_trim((struct span){ s.p + start, s.n - start });
	return n;
}

long strace_unquote(struct span s, uint8_t *out, size_t cap, bool *cut)
{
	size_t i = 1, o = 0;

	s = span_trim(s);
	*cut = false;
	if (s.n < 2 || s.p[0] != '"')
		return -1;
	while (i < s.n && s.p[i] != '"') {
		uint8_t b;
		char c = s.p[i++];
		if (c != '\\') {
			b = (uint8_t)c;
		} else if (i >= s.n) {
			break;
		} else {
			c = s.p[i++];
			switch (c) {
			case 'n': b = '\n'; break;
			case 't': b = '\t'; break;
			case 'r': b = '\r'; break;
			case 'v': b = '\v'; break;
			case 'f': b = '\f'; break;
			case 'a': b = '\a'; break;
			case 'b': b = '\b'; break;
			case 'x': {
				int v = 0, d, k;
				for (k = 0; k < 2 && i < s.n && (d = hex_digit(s.p[i])) >= 0; k++, i++)
					v = v * 16 + d;
				b = (uint8_t)v;
				break;
			}
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', k;
					for (k = 1; k < 3 && i < s.n && s.p[i] >= '0' && s.p[i] <= '7'; k++, i++)
						v = v * 8 + (s.p[i] - '0');
					b = (uint8_t)v;
				} else {
					b = (uint8_t)c; /* \" \\ and anything else literal */
				}
			}
		}
		if (o < cap)
			out[o++] = b;
		else
			*cut = true;
	}
	if (i < s.n && s.p[i] == '"')
		i++;
	else
		*cut = true; /* the line ended inside the string */
	if (s.n - i >= 3 && !memcmp(s.p + i, "...", 3))
		*cut = true;
	return (long)o;
}

bool strace_field(struct span s, const char *key, struct span *val)
{
	struct span f[32];
	size_t kl = strlen(key);
	int n;

	s = span_trim(s);
	if (s.n < 2 || s.p[0] != '{')
		return false;
	n = strace_split_args((struct span){ s.p + 1, s.n - 2 }, f, 32);
	for (int i = 0; i < n; i++)
		if (f[i].n > kl && !memcmp(f[i].p, key, kl) && f[i].p[kl] == '=') {
			*val = (struct span){ f[i].p + kl + 1, f[i].n - kl - 1 };
			return true;
		}
	return false;
}

/* Inner value of a call like htons(53) or inet_addr("1.2.3.4"). */
static bool call_arg(struct span s, const char *fn, struct span *in)
{
	size_t l = strlen(fn);

	s = span_trim(s);
	if (s.n < l + 2 || memcmp(s.p, fn, l) || s.p[l] != '(' || s.p[s.n - 1] != ')')
		return false;
	*in = (struct span){ s.p + l + 1, s.n - l - 2 };
	return true;
}

static bool ip_from(struct span s, int af, uint8_t *out)
{
	uint8_t buf[64];
	bool cut;
	long n = strace_unquote(s, buf, sizeof(buf) - 1, &cut);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return inet_pton(af, (char *)buf, out) == 1;
}

int strace_sockaddr(struct span s, struct nst_addr *a)
{
	struct span v, in;
	bool ok;

	memset(a, 0, sizeof(*a));
	if (!strace_field(s, "sa_family", &v))
		return -1;
	if (span_eq(v, "AF_INET")) {
		a->family = AF_INET;
		if (strace_field(s, "sin_port", &v) && call_arg(v, "htons", &in))
			a->port = (uint16_t)span_long(in, &ok);
		if (!strace_field(s, "sin_addr", &v) || !call_arg(v, "inet_addr", &in) ||
		    !ip_from(in, AF_INET, a->u.in4))
			return -1;
		return 0;
	}
	if (span_eq(v, "AF_INET6")) {
		struct span f[8];
		int n;
		a->family = AF_INET6;
		if (strace_field(s, "sin6_port", &v) && call_arg(v, "htons", &in))
			a->port = (uint16_t)span_long(in, &ok);
		/* inet_pton(AF_INET6, "::1", &sin6_addr) is a bare member */
		s = span_trim(s);
		n = strace_split_args((struct span){ s.p + 1, s.n - 2 }, f, 8);
		for (int i = 0; i < n; i++) {
			struct span args[3];
			if (call_arg(f[i], "inet_pton", &in) && strace_split_args(in, args, 3) == 3)
				return ip_from(args[1], AF_INET6, a->u.in6) ? 0 : -1;
		}
		return -1;
	}
	if (span_eq(v, "AF_UNIX")) {
		uint8_t path[NST_UNIX_PATH_LEN + 1];
		bool cut, abstract;
		long n;
		a->family = AF_UNIX;
		if (!strace_field(s, "sun_path", &v))
			return 0;
		v = span_trim(v);
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
	a->family = AF_UNSPEC;
	return 0;
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
	const char *lb = memchr(p, '[', n), *colon = memchr(p, ':', n);
	struct { const char *name; int family, proto; } kinds[] = {
		{ "UDP", AF_INET, SOCK_DGRAM }, { "TCP", AF_INET, SOCK_STREAM },
		{ "UDPv6", AF_INET6, SOCK_DGRAM }, { "TCPv6", AF_INET6, SOCK_STREAM },
		{ "UNIX", AF_UNIX, 0 }, { "UNIX-STREAM", AF_UNIX, SOCK_STREAM },
		{ "UNIX-DGRAM", AF_UNIX, SOCK_DGRAM }, { "NETLINK", AF_NETLINK, SOCK_RAW },
		{ "socket", 0, 0 },
	};

	if (n && p[0] == '/') {
		note->kind = NOTE_PATH;
		memcpy(note->path, p, n < sizeof(note->path) ? n : sizeof(note->path) - 1);
		return;
	}
	if (!colon || !lb || lb != colon + 1 || p[n - 1] != ']') {
		note->kind = NOTE_OTHER;
		return;
	}
	size_t tl = (size_t)(colon - p);
	const char *in = lb + 1;
	size_t il = n - (size_t)(in - p) - 1;
	if (tl == 3 && !memcmp(p, "net", 3)) {
		note->kind = NOTE_NETNS;
		note->ino = strtoull(in, NULL, 10);
		return;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strlen(kinds[k].name) != tl || memcmp(p, kinds[k].name, tl))
			continue;
		note->kind = NOTE_SOCKET;
		note->family = kinds[k].family;
		note->proto = kinds[k].proto;
		/* -y: [inode]; -yy inet: [local->peer] or [local] */
		const char *arrow = memmem(in, il, "->", 2);
		if (il && in[0] >= '0' && in[0] <= '9' && !memchr(in, ':', il) && !memchr(in, '.', il)) {
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

	memset(note, 0, sizeof(*note));
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
