/* fwmatch.c - see fwmatch.h. */
#include "model/fwmatch.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next word after p: up to a space, or a whole "{ ... }" set. */
static size_t word(const char *p, char *w, size_t n)
{
	size_t l = p[0] == '{' ? strcspn(p, "}") + (p[strcspn(p, "}")] == '}') : strcspn(p, " ");

	snprintf(w, n, "%.*s", (int)l, p);
	return l;
}

static bool port_in(const char *list)
{
	char item[64];

	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ",{} ");
		char *sep;
		if (l) {
			snprintf(item, sizeof(item), "%.*s", (int)l, p);
			if (!strcmp(item, "53") || !strcmp(item, "domain"))
				return true;
			if ((sep = strpbrk(item, ":-")) && sep != item) {
				*sep = '\0';
				long lo = strtol(item, NULL, 10), hi = sep[1] ? strtol(sep + 1, NULL, 10) : 65535;
				if (lo <= 53 && 53 <= hi)
					return true;
			}
		}
		p += l;
		p += strspn(p, ",{} ");
	}
	return false;
}

bool fw_rule_port53(const char *rule)
{
	static const char *const keys[] = { "--dport ", "--dports ", "dport ", "--destination-port " };
	char w[256];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (const char *p = strstr(rule, keys[k]); p; p = strstr(p + 1, keys[k])) {
			const char *v = p + strlen(keys[k]);
			if (p > rule && p[-1] != ' ' && keys[k][0] != '-')
				continue; /* "sport" is not "dport" */
			if (p > rule + 1 && p[-2] == '!')
				continue;
			if (!strncmp(v, "!= ", 3))
				continue;
			word(v, w, sizeof(w));
			if (port_in(w))
				return true;
		}
	return false;
}

/* ip inside the network "a/len" or equal to the address "a". */
static bool in_net(const char *net, const char *ip)
{
	unsigned char a[16], b[16];
	char addr[64];
	const char *slash = strchr(net, '/');
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET, bits = fam == AF_INET ? 32 : 128;

	snprintf(addr, sizeof(addr), "%.*s", (int)(slash ? (size_t)(slash - net) : strlen(net)), net);
	if (inet_pton(fam, addr, a) != 1 || inet_pton(fam, ip, b) != 1)
		return false;
	if (slash)
		bits = atoi(slash + 1);
	if (bits < 0 || bits > (fam == AF_INET ? 32 : 128))
		return false;
	for (int i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool fw_rule_daddr(const char *rule, const char *ip)
{
	static const char *const keys[] = { "-d ", "--destination ", "daddr " };
	char w[256];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (const char *p = strstr(rule, keys[k]); p; p = strstr(p + 1, keys[k])) {
			const char *v = p + strlen(keys[k]);
			if (p > rule && p[-1] != ' ')
				continue;
			if (p > rule + 1 && p[-2] == '!')
				continue;
			if (!strncmp(v, "!= ", 3))
				continue;
			word(v, w, sizeof(w));
			for (char *e = w; *e;) { /* "{ a, b }" or "a,b" */
				size_t l;
				char one[64];
				e += strspn(e, "{ ,");
				l = strcspn(e, "} ,");
				if (!l)
					break;
				snprintf(one, sizeof(one), "%.*s", (int)l, e);
				if (in_net(one, ip))
					return true;
				e += l;
			}
		}
	return false;
}

bool fw_rule_soft_reject(const char *rule)
{
	static const char *const soft[] = {
		"host-unreachable", "net-unreachable", "host-prohibited", "net-prohibited",
		"admin-prohibited", "adm-prohibited", "no-route", "addr-unreachable",
	};
	const char *w = strstr(rule, "reject-with");

	if (!w)
		w = strstr(rule, "reject with");
	if (!w)
		return false;
	for (size_t i = 0; i < sizeof(soft) / sizeof(soft[0]); i++)
		if (strstr(w, soft[i]))
			return true;
	return false;
}
