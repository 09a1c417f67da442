/* resolvconf.c - resolv.conf as glibc's res_init reads it (resolvconf.h). */
#include "diagnose/resolvconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/print.h"

#define LINE_MAX_RC 1024

void resolv_conf_defaults(struct resolv_conf *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->ndots = 1;
	rc->timeout_s = 5;
	rc->attempts = 2;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word of [*p, end) into w (cut to n-1): false at the line's end. */
static bool word(const char **p, const char *end, char *w, size_t n)
{
	const char *s = *p, *e;

	while (s < end && is_space(*s))
		s++;
	if (s == end)
		return false;
	for (e = s; e < end && !is_space(*e); e++)
		;
	size_t len = (size_t)(e - s) < n - 1 ? (size_t)(e - s) : n - 1;
	memcpy(w, s, len);
	w[len] = '\0';
	*p = e;
	return true;
}

/* "192.0.2.1", "2001:db8::1", "fe80::1%eth0" (the scope is kept as 0). */
static bool read_ip(const char *w, struct nst_addr *a)
{
	char buf[64];

	memset(a, 0, sizeof(*a));
	str_copy(buf, sizeof(buf), w);
	buf[strcspn(buf, "%")] = '\0';
	if (inet_pton(AF_INET, buf, a->u.in4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->u.in6) == 1)
		a->family = AF_INET6;
	else
		return false;
	a->port = 53;
	return true;
}

/* "ndots:5" with key "ndots:": its value, capped; def when unreadable. */
static unsigned opt_num(const char *w, const char *key, unsigned cap, unsigned def)
{
	size_t k = strlen(key);
	char *end;
	unsigned long v;

	if (strncmp(w, key, k) || !w[k])
		return def;
	v = strtoul(w + k, &end, 10);
	if (*end || w[k] == '-')
		return def;
	return v > cap ? cap : (unsigned)v;
}

static void options(const char *p, const char *end, struct resolv_conf *rc)
{
	char w[64];

	while (word(&p, end, w, sizeof(w))) {
		if (!strncmp(w, "ndots:", 6))
			rc->ndots = opt_num(w, "ndots:", 15, rc->ndots);
		else if (!strncmp(w, "timeout:", 8))
			rc->timeout_s = opt_num(w, "timeout:", 30, rc->timeout_s);
		else if (!strncmp(w, "attempts:", 9))
			rc->attempts = opt_num(w, "attempts:", 5, rc->attempts);
		else if (!strcmp(w, "rotate"))
			rc->rotate = true;
		else if (!strcmp(w, "use-vc"))
			rc->use_vc = true;
		else if (!strcmp(w, "single-request"))
			rc->single_request = true;
		else if (!strcmp(w, "single-request-reopen"))
			rc->single_request_reopen = true;
		else if (!strcmp(w, "edns0"))
			rc->edns0 = true;
		else if (!strcmp(w, "no-aaaa"))
			rc->no_aaaa = true;
	}
	if (!rc->timeout_s)
		rc->timeout_s = 1; /* glibc: a timeout of 0 waits a second */
	if (!rc->attempts)
		rc->attempts = 1;
}

/* search and domain: the last such line wins, as in glibc. */
static void search(const char *p, const char *end, struct resolv_conf *rc, bool domain)
{
	char w[RC_NAME];

	rc->nsearch = 0;
	while (rc->nsearch < RC_SEARCH && word(&p, end, w, sizeof(w))) {
		str_copy(rc->search[rc->nsearch++], RC_NAME, w);
		if (domain)
			break;
	}
}

/* Docker's "# ExtServers: [host(192.0.2.1) 198.51.100.53]" and
 * "# Overrides: [nameservers search]". */
static void docker_comment(const char *p, const char *end, struct resolv_conf *rc)
{
	char w[96];
	bool ext;

	if (!word(&p, end, w, sizeof(w)))
		return;
	if (!strcmp(w, "ExtServers:"))
		ext = true;
	else if (!strcmp(w, "Overrides:"))
		ext = false;
	else
		return;
	rc->docker = true;
	rc->ext_said |= ext;
	while (word(&p, end, w, sizeof(w))) {
		char *s = w + strspn(w, "[");
		s[strcspn(s, "]")] = '\0';
		if (!ext) {
			if (!strcmp(s, "nameservers"))
				rc->override_ns = true;
			continue;
		}
		bool host = !strncmp(s, "host(", 5);
		if (host) {
			s += 5;
			s[strcspn(s, ")")] = '\0';
		}
		if (*s && rc->next < RC_SERVERS && read_ip(s, &rc->ext[rc->next].addr))
			rc->ext[rc->next++].host = host;
	}
}

static void line(const char *p, const char *end, unsigned no, struct resolv_conf *rc)
{
	char w[64];

	if (p < end && (*p == '#' || *p == ';')) {
		docker_comment(p + 1, end, rc);
		return;
	}
	if (!word(&p, end, w, sizeof(w)))
		return;
	if (!strcmp(w, "nameserver")) {
		char ip[64];
		struct nst_addr a;
		if (!word(&p, end, ip, sizeof(ip)) || !read_ip(ip, &a)) {
			if (!rc->ns_bad++)
				rc->first_bad_line = no;
		} else if (rc->nns == RC_SERVERS) {
			rc->ns_dropped++;
		} else {
			rc->ns[rc->nns].addr = a;
			rc->ns[rc->nns++].line = no;
		}
	} else if (!strcmp(w, "search") || !strcmp(w, "domain")) {
		search(p, end, rc, w[0] == 'd');
	} else if (!strcmp(w, "options")) {
		options(p, end, rc);
	}
}

void resolv_conf_parse(const char *text, size_t len, struct resolv_conf *rc)
{
	const char *p = text, *end = text + len;
	unsigned no = 0;

	resolv_conf_defaults(rc);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		no++;
		line(p, (size_t)(le - p) > LINE_MAX_RC ? p + LINE_MAX_RC : le, no, rc);
		p = nl ? nl + 1 : end;
	}
}
