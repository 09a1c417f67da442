/* strace_line.c - see strace_line.h. */
#define _GNU_SOURCE
#include "import/strace_line.h"

#include <errno.h>
#include <string.h>

#include "model/parse.h"


#define NAME_ROW(a) [a] = 1, [a + 1] = 1, [a + 2] = 1, [a + 3] = 1, [a + 4] = 1
const bool strace_name_chars[256] = {
	NAME_ROW('0'), NAME_ROW('5'), ['_'] = 1, NAME_ROW('a'), NAME_ROW('f'),
	NAME_ROW('k'), NAME_ROW('p'), NAME_ROW('u'), ['z'] = 1,
};
#undef NAME_ROW

#define PID_LIMIT 0x3fffffff /* above the kernel's PID_MAX_LIMIT: not a pid */

int strace_read_pid(struct span l, size_t *i)
{
	const char *p = l.p;
	size_t k = *i, n = l.n;
	long v = 0;

	while (k < n && strace_isdig(p[k])) {
		if (v <= PID_LIMIT)
			v = v * 10 + (p[k] - '0');
		k++;
	}
	if (k == *i)
		return -1;
	*i = k;
	return v > PID_LIMIT ? -2 : (int)v;
}

/* What -Y and --decode-pids=pidns add after a pid: "<comm>" (into
 * *comm), and a comment (7 in strace's PID NS).  Returns the index past
 * them. */
static size_t skip_pid_notes(struct span l, size_t i, struct span *comm)
{
	if (i < l.n && l.p[i] == '<') {
		const char *gt = memchr(l.p + i, '>', l.n - i < 72 ? l.n - i : 72);
		if (gt) {
			*comm = (struct span){ l.p + i + 1, (size_t)(gt - l.p) - i - 1 };
			i = (size_t)(gt - l.p) + 1;
		}
	}
	if (i + 3 < l.n && l.p[i] == ' ' && l.p[i + 1] == '/' && l.p[i + 2] == '*') {
		const char *end = memmem(l.p + i, l.n - i, "*/", 2);
		if (end)
			i = (size_t)(end - l.p) + 2;
	}
	return i;
}

int strace_prefix(struct span *l, struct span *comm)
{
	size_t i = 0;
	int tid;

	comm->n = 0;
	if (l->n && strace_isdig(l->p[0])) { /* "7055 " (-f to a file): the common form */
		size_t k;
		tid = strace_read_pid(*l, &i);
		for (k = i; k < l->n && l->p[k] == ' '; k++)
			;
		if (k > i && k < l->n && l->p[k] != '/') { /* not a pidns comment */
			l->p += k, l->n -= k;
			return tid < 0 ? -1 : tid;
		}
		if (k == i && i < l->n && l->p[i] != '<')
			return 0; /* digits, then no space: a time, not a pid */
		i = 0;
	}
	if (l->n > 5 && !memcmp(l->p, "[pid ", 5)) {
		i = 5;
		while (i < l->n && l->p[i] == ' ')
			i++;
		if ((tid = strace_read_pid(*l, &i)) < 0)
			return tid == -2 ? -1 : 0;
		i = skip_pid_notes(*l, i, comm);
		if (i < l->n && l->p[i] == ']') {
			l->p += i + 1, l->n -= i + 1;
			*l = span_trim(*l);
			return tid;
		}
		return 0;
	}
	if ((tid = strace_read_pid(*l, &i)) == -1)
		return 0;
	i = skip_pid_notes(*l, i, comm);
	if (i < l->n && l->p[i] == ' ') { /* digits then a space: a pid, not a time */
		l->p += i, l->n -= i;
		*l = span_trim(*l);
		return tid < 0 ? -1 : tid;
	}
	return 0;
}

#define DAY_US (86400ull * 1000000ull)

/* d(p[i]): the digit's value, or more than 9. */
#define D(i) ((unsigned)((unsigned char)p[i] - '0'))

/* A wall-clock time strace printed, as µs after the previous line's *ts:
 * the day is not printed, so a jump back of hours is midnight. */
static unsigned long long clock_time(unsigned long long sec, unsigned long long us,
				     unsigned long long prev)
{
	unsigned long long t = sec * 1000000ull + us;
	unsigned long long day = prev < DAY_US ? 0 : prev - prev % DAY_US; /* no divide on day one */

	t += day;
	if (t + DAY_US / 2 < prev)
		t += DAY_US;
	return t;
}

/* "HH:MM:SS.uuuuuu " of -tt, nearly every line of most logs: straight,
 * and its "HH:MM:SS" read once for all the lines of that second. */
static bool time_tt(struct strace_clock *c, struct span *l)
{
	const char *p = l->p;
	unsigned long long sec;
	uint64_t hms;

	if (l->n < 17 || p[8] != '.' || p[15] != ' ')
		return false;
	if ((D(9) > 9) | (D(10) > 9) | (D(11) > 9) | (D(12) > 9) | (D(13) > 9) | (D(14) > 9))
		return false;
	memcpy(&hms, p, sizeof(hms));
	if (hms && hms == c->hms) {
		sec = c->hms_sec;
	} else {
		if (p[2] != ':' || p[5] != ':' ||
		    ((D(0) > 9) | (D(1) > 9) | (D(3) > 9) | (D(4) > 9) | (D(6) > 9) | (D(7) > 9)))
			return false;
		sec = (D(0) * 10 + D(1)) * 3600ull + (D(3) * 10 + D(4)) * 60ull + D(6) * 10 + D(7);
		c->hms = hms;
		c->hms_sec = sec;
	}
	c->ts = clock_time(sec, ((((D(9) * 10 + D(10)) * 10 + D(11)) * 10 + D(12)) * 10 + D(13)) * 10ull + D(14),
			   c->ts);
	p += 16;
	while (p < l->p + l->n && *p == ' ')
		p++;
	l->n -= (size_t)(p - l->p);
	l->p = p;
	return true;
}
#undef D

/* Every line comes here: the span is read through locals. */
bool strace_time(struct strace_clock *c, struct span *l)
{
	const char *p = l->p;
	size_t i = 0, n = l->n;
	unsigned long long sec = 0, us = 0, t;
	int digits = 0;
	bool clock = false;

	if (time_tt(c, l))
		return true;

	if (n > 8 && p[2] == ':' && p[5] == ':' && strace_isdig(p[0]) && strace_isdig(p[1]) && strace_isdig(p[3]) &&
	    strace_isdig(p[4]) && strace_isdig(p[6]) && strace_isdig(p[7])) {
		sec = (unsigned long long)((p[0] - '0') * 10 + p[1] - '0') * 3600 +
		      (unsigned long long)((p[3] - '0') * 10 + p[4] - '0') * 60 +
		      (unsigned long long)((p[6] - '0') * 10 + p[7] - '0');
		i = 8;
		clock = true;
	} else if (n && !strace_isdig(p[0])) {
		return false;
	} else {
		while (i < n && strace_isdig(p[i]) && i < 12)
			sec = sec * 10 + (unsigned long long)(p[i++] - '0');
		if (!i || i >= n || p[i] != '.')
			return false;
	}
	if (i + 7 < n && p[i] == '.' && p[i + 7] == ' ' && strace_isdig(p[i + 1]) && strace_isdig(p[i + 2]) &&
	    strace_isdig(p[i + 3]) && strace_isdig(p[i + 4]) && strace_isdig(p[i + 5]) && strace_isdig(p[i + 6])) {
		for (int k = 1; k <= 6; k++) /* -tt, -ttt: six digits */
			us = us * 10 + (unsigned long long)(p[i + k] - '0');
		i += 7;
		digits = 6;
	} else if (i < n && p[i] == '.') {
		for (i++; i < n && strace_isdig(p[i]); i++, digits++)
			if (digits < 6)
				us = us * 10 + (unsigned long long)(p[i] - '0');
	}
	for (; digits < 6; digits++)
		us *= 10;
	if (i >= n || p[i] != ' ')
		return false;
	t = sec * 1000000ull + us;
	if (clock)
		t = clock_time(sec, us, c->ts);
	else if (sec < 1000000) /* -r: a delta (-ttt is an epoch time) */
		t += c->ts;
	c->ts = t;
	while (i < n && p[i] == ' ')
		i++;
	l->p = p + i;
	l->n = n - i;
	return true;
}

bool strace_ret(struct span r, long long *ret, int *err)
{
	bool ok;
	size_t i = 0;

	r = span_trim(r);
	*ret = 0;
	*err = 0;
	if (r.n && r.p[0] == '?')
		return false; /* unknown: the thread died in the call */
	while (i < r.n && r.p[i] != ' ' && r.p[i] != '<')
		i++;
	*ret = span_long((struct span){ r.p, i }, &ok);
	if (!ok)
		return false;
	if (*ret < 0 && i < r.n) {
		size_t j = i + 1, k = j;
		while (k < r.n && r.p[k] != ' ')
			k++;
		*err = errno_from_name(r.p + j, k - j);
		if (!*err)
			*err = EIO; /* an errno name this libc does not know */
	}
	return true;
}

/* The ")<spaces>= " before the return value, searched from the end (strace
 * pads short calls to a column; nothing after the arguments is a quoted
 * string).  false when the text has none: the call is not complete. */
static bool find_ret(struct span text, const char *lp, const char **eq, const char **ret_at)
{
	if (text.n < 4)
		return false;
	for (const char *p = text.p + text.n - 3; p > lp; p--) {
		if (p[0] != ' ' || p[1] != '=' || p[2] != ' ')
			continue;
		const char *q = p;
		while (q > lp && q[-1] == ' ')
			q--;
		if (q > lp && q[-1] == ')') {
			*eq = q - 1;
			*ret_at = p + 3;
			return true;
		}
	}
	return false;
}

enum nst_sen strace_socketcall(const struct stoks *tk, int *arg)
{
	static const char *const names[] = {
		"", "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
		"socketpair", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt",
		"getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
	};
	struct span v = stok_val(tk, *arg);
	int n = 0;
	bool ok;
	long k;

	if (v.n > 4 && !memcmp(v.p, "SYS_", 4)) {
		char low[16];
		for (size_t i = 4; i < v.n && n < 15; i++)
			low[n++] = (char)(v.p[i] >= 'A' && v.p[i] <= 'Z' ? v.p[i] + 32 : v.p[i]);
		k = 0;
		for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
			if ((size_t)n == strlen(names[i]) && !memcmp(low, names[i], (size_t)n))
				k = (long)i;
	} else if ((k = span_long(v, &ok)) < 0 || !ok) {
		k = 0;
	}
	if (k <= 0 || (size_t)k >= sizeof(names) / sizeof(names[0]))
		return SEN_UNKNOWN;
	v = stok_val(tk, tk->t[*arg].next);
	if (v.n < 2 || v.p[0] != '[')
		return SEN_UNKNOWN; /* a pointer: the arguments are not shown */
	*arg = tk->t[tk->t[*arg].next].kid;
	return sysent_find(names[k], strlen(names[k]));
}

/* find_ret's search, within rest alone (the '(' is before it). */
bool strace_completes(struct span rest)
{
	for (size_t k = rest.n >= 3 ? rest.n - 2 : 0; k-- > 0;) {
		size_t q = k;
		if (rest.p[k] != ' ' || rest.p[k + 1] != '=' || rest.p[k + 2] != ' ')
			continue;
		while (q > 0 && rest.p[q - 1] == ' ')
			q--;
		if (q > 0 && rest.p[q - 1] == ')')
			return true;
	}
	return false;
}

bool strace_split_call(struct span text, const char *lp, struct call_text *ct)
{
	ct->text = text;
	ct->lp = lp ? lp : memchr(text.p, '(', text.n);
	return ct->lp && find_ret(text, ct->lp, &ct->eq, &ct->ret_at);
}

size_t strace_call_name(struct span l)
{
	size_t i = 0;

	while (i < l.n && strace_name_char(l.p[i]))
		i++;
	return i < l.n && l.p[i] == '(' ? i : 0;
}

bool strace_unfinished(struct span l, struct span *start)
{
	l = span_trim(l);
	if (l.n < 16 || memcmp(l.p + l.n - 16, "<unfinished ...>", 16))
		return false;
	*start = span_trim((struct span){ l.p, l.n - 16 });
	return true;
}

/* The name is read in place; a search only for odd names. */
const char *strace_resumed_end(struct span l)
{
	size_t i = 5;
	const char *gt;

	while (i < l.n && strace_name_char(l.p[i]))
		i++;
	if (l.n - i >= 9 && !memcmp(l.p + i, " resumed>", 9))
		return l.p + i + 9;
	gt = memmem(l.p, l.n, " resumed>", 9);
	return gt ? gt + 9 : NULL;
}

const char *strace_notice(struct span l, int *pid, bool *attached)
{
	const char *p = l.p, *end = l.p + l.n;

	while ((p = memmem(p, (size_t)(end - p), "Process ", 8))) {
		struct span rest = { p + 8, (size_t)(end - p - 8) };
		size_t i = 0;
		int v = strace_read_pid(rest, &i);
		if (v > 0 && i + 9 <= rest.n && (!memcmp(rest.p + i, " attached", 9) ||
						 !memcmp(rest.p + i, " detached", 9))) {
			*pid = v;
			*attached = rest.p[i + 1] == 'a';
			if (p - l.p >= 8 && !memcmp(p - 8, "strace: ", 8))
				p -= 8;
			return p;
		}
		p += 8;
	}
	return NULL;
}

