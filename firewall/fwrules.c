/* fwrules.c - see fwrules.h. */
#define _GNU_SOURCE
#include "firewall/fwrules.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* src cut to fit dst (n bytes with its NUL). */
static void cut(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = '\0';
}

void fw_ruleset_free(struct fw_ruleset *s)
{
	free(s->r);
	free(s->c);
	free(s->hidx);
	memset(s, 0, sizeof(*s));
}

static struct fw_rule *new_rule(struct fw_ruleset *s)
{
	if (s->n == FW_MAX_RULES) {
		s->dropped++;
		return NULL;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct fw_rule *v = realloc(s->r, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->r = v;
		s->cap = cap;
	}
	memset(&s->r[s->n], 0, sizeof(s->r[0]));
	return &s->r[s->n++];
}

static uint32_t chain_hash(const char *tool, const char *table, const char *chain)
{
	uint32_t h = 2166136261u;

	for (const char *p = chain; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (const char *p = table; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return (h ^ (uint8_t)tool[0]) * 16777619u;
}

static struct fw_chain *chain_find(const struct fw_ruleset *s, const char *tool, const char *table,
				   const char *chain)
{
	if (!s->hcap)
		return NULL;
	for (size_t i = chain_hash(tool, table, chain) & (s->hcap - 1);; i = (i + 1) & (s->hcap - 1)) {
		struct fw_chain *c;
		if (!s->hidx[i])
			return NULL;
		c = &s->c[s->hidx[i] - 1];
		if (!strcmp(c->chain, chain) && !strcmp(c->table, table) && !strcmp(c->tool, tool))
			return c;
	}
}

static void hash_put(struct fw_ruleset *s, size_t idx)
{
	const struct fw_chain *c = &s->c[idx];
	size_t i = chain_hash(c->tool, c->table, c->chain) & (s->hcap - 1);

	while (s->hidx[i])
		i = (i + 1) & (s->hcap - 1);
	s->hidx[i] = (uint32_t)idx + 1;
}

/* Keep the hash at most half full. */
static int hash_grow(struct fw_ruleset *s)
{
	size_t cap = s->hcap ? s->hcap * 2 : 128;
	uint32_t *v;

	if ((s->nc + 1) * 2 <= s->hcap)
		return 0;
	if (!(v = calloc(cap, sizeof(*v))))
		return -ENOMEM;
	free(s->hidx);
	s->hidx = v;
	s->hcap = cap;
	for (size_t i = 0; i < s->nc; i++)
		hash_put(s, i);
	return 0;
}

static struct fw_chain *chain_add(struct fw_ruleset *s, const char *tool, const char *table,
				  const char *chain, unsigned hook)
{
	struct fw_chain *c = chain_find(s, tool, table, chain);

	if (c)
		return c;
	if (s->nc == FW_MAX_CHAINS) {
		s->dropped++;
		return NULL;
	}
	if (hash_grow(s) < 0)
		return NULL;
	if (s->nc == s->ccap) {
		size_t cap = s->ccap ? s->ccap * 2 : 64;
		struct fw_chain *v = realloc(s->c, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->c = v;
		s->ccap = cap;
	}
	c = &s->c[s->nc++];
	memset(c, 0, sizeof(*c));
	snprintf(c->tool, sizeof(c->tool), "%s", tool);
	snprintf(c->table, sizeof(c->table), "%s", table);
	snprintf(c->chain, sizeof(c->chain), "%s", chain);
	c->hook = hook;
	hash_put(s, (size_t)(c - s->c));
	return c;
}

static bool same_chain(const struct fw_rule *a, const struct fw_rule *b)
{
	return !strcmp(a->chain, b->chain) && !strcmp(a->table, b->table) && !strcmp(a->tool, b->tool);
}

/* Identical rules in one chain are told apart by their order (both tools
 * print a chain's rules together). */
static void number(struct fw_ruleset *s, struct fw_rule *r)
{
	for (struct fw_rule *o = r; o-- > s->r && same_chain(o, r);)
		if (!o->policy && !strcmp(o->rule, r->rule))
			r->nth++;
}

/* --- iptables-save -c --------------------------------------------------------- */

static unsigned builtin_hook(const char *chain)
{
	static const char *const names[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };

	for (unsigned i = 0; i < 5; i++)
		if (!strcmp(chain, names[i]))
			return 1u << i;
	return 0;
}

static enum fw_verdict verdict_of(const char *target)
{
	if (!strcmp(target, "DROP"))
		return FW_DROP;
	if (!strcmp(target, "REJECT"))
		return FW_REJECT;
	if (!strcmp(target, "ACCEPT"))
		return FW_ACCEPT;
	return FW_OTHER;
}

/* "-j TARGET" or "-g CHAIN" of a rule line; "" when none. */
static void rule_target(const char *line, char *target, size_t n, bool *jump)
{
	const char *p = line;

	target[0] = '\0';
	*jump = false;
	while ((p = strstr(p, " -"))) {
		p += 2;
		if ((p[0] == 'j' || p[0] == 'g') && p[1] == ' ') {
			snprintf(target, n, "%.*s", (int)strcspn(p + 2, " "), p + 2);
			*jump = true;
		}
	}
}

static int ipt_line(struct fw_ruleset *s, const char *tool, const char *table, const char *l,
		    size_t len, char *err, size_t errlen, unsigned lineno)
{
	char line[1024], chain[64], policy[32], target[64];
	unsigned long long pk = 0, by = 0;
	struct fw_rule *r;
	bool jump;

	snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), l);
	if (line[0] == ':') { /* ":OUTPUT ACCEPT [12:345]" */
		if (sscanf(line, ":%63s %31s [%llu:%llu]", chain, policy, &pk, &by) < 2) {
			snprintf(err, errlen, "line %u: a chain line without a name and policy", lineno);
			return -EINVAL;
		}
		chain_add(s, tool, table, chain, builtin_hook(chain));
		if (!strcmp(policy, "-") || !(r = new_rule(s)))
			return 0;
		snprintf(r->tool, sizeof(r->tool), "%s", tool);
		snprintf(r->table, sizeof(r->table), "%s", table);
		snprintf(r->chain, sizeof(r->chain), "%s", chain);
		snprintf(r->rule, sizeof(r->rule), "-P %s %s", chain, policy);
		r->verdict = verdict_of(policy);
		r->policy = true;
		r->counted = true;
		r->packets = pk;
		return 0;
	}
	const char *rule = line;
	bool counted = false;
	if (line[0] == '[') { /* "[12:345] -A OUTPUT ..." */
		int used = 0;
		if (sscanf(line, "[%llu:%llu]%n", &pk, &by, &used) < 2 || !used) {
			snprintf(err, errlen, "line %u: a malformed [packets:bytes] counter", lineno);
			return -EINVAL;
		}
		rule = line + used + (line[used] == ' ');
		counted = true;
	}
	if (strncmp(rule, "-A ", 3) || sscanf(rule + 3, "%63s", chain) != 1) {
		snprintf(err, errlen, "line %u: not a rule (\"-A CHAIN ...\")", lineno);
		return -EINVAL;
	}
	if (!(r = new_rule(s)))
		return s->n == FW_MAX_RULES ? 0 : -ENOMEM;
	snprintf(r->tool, sizeof(r->tool), "%s", tool);
	snprintf(r->table, sizeof(r->table), "%s", table);
	snprintf(r->chain, sizeof(r->chain), "%s", chain);
	cut(r->rule, sizeof(r->rule), rule);
	rule_target(rule, target, sizeof(target), &jump);
	r->verdict = verdict_of(target);
	if (jump && r->verdict == FW_OTHER && chain_find(s, tool, table, target)) /* not DNAT, LOG... */
		snprintf(r->target, sizeof(r->target), "%s", target);
	r->counted = counted;
	r->packets = pk;
	number(s, r);
	return 0;
}

int fw_parse_iptables_save(struct fw_ruleset *s, const char *tool, const char *text, size_t len,
			   char *err, size_t errlen)
{
	char table[32] = "";
	unsigned lineno = 0;

	for (size_t i = 0; i < len;) {
		const char *l = text + i;
		size_t n = 0;
		int rc;
		while (i + n < len && text[i + n] != '\n')
			n++;
		i += n + 1;
		lineno++;
		if (!n || l[0] == '#' || (n == 6 && !memcmp(l, "COMMIT", 6)))
			continue;
		if (l[0] == '*') {
			snprintf(table, sizeof(table), "%.*s", (int)(n - 1 < 31 ? n - 1 : 31), l + 1);
			continue;
		}
		if (!table[0]) {
			snprintf(err, errlen, "line %u: a rule before any *table line", lineno);
			return -EINVAL;
		}
		if ((rc = ipt_line(s, tool, table, l, n, err, errlen, lineno)) < 0)
			return rc;
	}
	return 0;
}

/* --- nft -j list ruleset -------------------------------------------------------- */

static bool iptables_nft_table(const char *family, const char *name)
{
	static const char *const t[] = { "filter", "nat", "mangle", "raw", "security" };

	if (strcmp(family, "ip") && strcmp(family, "ip6"))
		return false;
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(name, t[i]))
			return true;
	return false;
}

static unsigned nft_hook(const char *h)
{
	static const char *const names[] = { "prerouting", "input", "forward", "output", "postrouting" };

	for (unsigned i = 0; h && i < 5; i++)
		if (!strcmp(h, names[i]))
			return 1u << i;
	return 0;
}

/* A readable form of an expression's operand: 53, "udp dport", 10.0.0.0/8, { 53, 853 }. */
static int nft_value(char *b, size_t n, const json_t *v)
{
	const json_t *x;

	if (json_is_integer(v))
		return snprintf(b, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_string(v))
		return snprintf(b, n, "%s", json_string_value(v));
	if ((x = json_object_get(v, "payload")))
		return snprintf(b, n, "%s %s", json_string_value(json_object_get(x, "protocol")) ?: "?",
				json_string_value(json_object_get(x, "field")) ?: "?");
	if ((x = json_object_get(v, "meta")) || (x = json_object_get(v, "ct")))
		return snprintf(b, n, "%s %s", json_object_get(v, "meta") ? "meta" : "ct",
				json_string_value(json_object_get(x, "key")) ?: "?");
	if ((x = json_object_get(v, "prefix")))
		return snprintf(b, n, "%s/%" JSON_INTEGER_FORMAT,
				json_string_value(json_object_get(x, "addr")) ?: "?",
				json_integer_value(json_object_get(x, "len")));
	if ((x = json_object_get(v, "range")) && json_array_size(x) == 2) {
		int k = nft_value(b, n, json_array_get(x, 0));
		if (k >= 0 && (size_t)k < n)
			k += snprintf(b + k, n - (size_t)k, "-");
		if (k >= 0 && (size_t)k < n)
			k += nft_value(b + k, n - (size_t)k, json_array_get(x, 1));
		return k;
	}
	if ((x = json_object_get(v, "set")) && json_is_array(x)) {
		size_t i;
		const json_t *e;
		int k = snprintf(b, n, "{ ");
		json_array_foreach(x, i, e) {
			if (k < 0 || (size_t)k >= n)
				break;
			k += nft_value(b + k, n - (size_t)k, e);
			if ((size_t)k < n)
				k += snprintf(b + k, n - (size_t)k, i + 1 < json_array_size(x) ? ", " : " }");
		}
		return k;
	}
	return snprintf(b, n, "?");
}

/* One rule's expressions as nft prints them, its verdict, jump target and
 * counter. */
static void nft_rule_text(const json_t *exprs, struct fw_rule *r)
{
	size_t i, k = 0;
	const json_t *e;
	char *b = r->rule;
	const size_t n = sizeof(r->rule);

	json_array_foreach(exprs, i, e) {
		const char *key;
		const json_t *v;
		if (k >= n - 1)
			break;
		json_object_foreach((json_t *)e, key, v) {
			int w = 0;
			if (!strcmp(key, "match")) {
				const char *op = json_string_value(json_object_get(v, "op"));
				w = nft_value(b + k, n - k, json_object_get(v, "left"));
				if (w >= 0 && k + (size_t)w < n && op && strcmp(op, "==") && strcmp(op, "in"))
					w += snprintf(b + k + w, n - k - (size_t)w, " %s", op);
				if (w >= 0 && k + (size_t)w < n)
					w += snprintf(b + k + w, n - k - (size_t)w, " ");
				if (w >= 0 && k + (size_t)w < n)
					w += nft_value(b + k + w, n - k - (size_t)w, json_object_get(v, "right"));
			} else if (!strcmp(key, "counter")) {
				r->counted = true;
				r->packets = (uint64_t)json_integer_value(json_object_get(v, "packets"));
				w = snprintf(b + k, n - k, "counter");
			} else if (!strcmp(key, "jump") || !strcmp(key, "goto")) {
				const char *t = json_string_value(json_object_get(v, "target"));
				snprintf(r->target, sizeof(r->target), "%s", t ? t : "");
				w = snprintf(b + k, n - k, "%s %s", key, t ? t : "?");
			} else if (!strcmp(key, "reject")) {
				const char *how = json_string_value(json_object_get(v, "expr"));
				r->verdict = FW_REJECT;
				w = how ? snprintf(b + k, n - k, "reject with %s", how) : snprintf(b + k, n - k, "reject");
			} else {
				if (!strcmp(key, "drop"))
					r->verdict = FW_DROP;
				else if (!strcmp(key, "accept"))
					r->verdict = FW_ACCEPT;
				w = snprintf(b + k, n - k, "%s", key);
			}
			if (w < 0)
				w = 0;
			k += (size_t)w;
			if (k < n - 1)
				b[k++] = ' ';
		}
	}
	while (k && (k >= n || b[k - 1] == ' '))
		k = k >= n ? n - 1 : k - 1;
	b[k] = '\0';
}

int fw_parse_nft_json(struct fw_ruleset *s, const char *text, size_t len, char *err,
		      size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	const json_t *list = json_object_get(root, "nftables"), *item;
	size_t i;

	if (!json_is_array(list)) {
		snprintf(err, errlen, "line %d: %s", jerr.line,
			 root ? "no \"nftables\" array" : jerr.text);
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(list, i, item) {
		const json_t *c = json_object_get(item, "chain"), *ru = json_object_get(item, "rule");
		const json_t *o = c ? c : ru;
		const char *fam = json_string_value(json_object_get(o, "family"));
		const char *tab = json_string_value(json_object_get(o, "table"));
		char table[32];
		struct fw_rule *r;
		if (!o || !fam || !tab || iptables_nft_table(fam, tab))
			continue;
		snprintf(table, sizeof(table), "%s %s", fam, tab);
		if (c) {
			const char *name = json_string_value(json_object_get(c, "name"));
			if (name)
				chain_add(s, "nft", table, name,
					  nft_hook(json_string_value(json_object_get(c, "hook"))));
			continue;
		}
		if (!json_string_value(json_object_get(ru, "chain")) || !(r = new_rule(s)))
			continue;
		snprintf(r->tool, sizeof(r->tool), "nft");
		snprintf(r->table, sizeof(r->table), "%s", table);
		snprintf(r->chain, sizeof(r->chain), "%s", json_string_value(json_object_get(ru, "chain")));
		nft_rule_text(json_object_get(ru, "expr"), r); /* uncounted: kept for its jumps */
		number(s, r);
	}
	json_decref(root);
	return 0;
}

/* --- reach and difference ---------------------------------------------------- */

void fw_reach(struct fw_ruleset *s)
{
	bool changed = true;

	for (size_t i = 0; i < s->nc; i++)
		s->c[i].reach = s->c[i].hook;
	for (int round = 0; changed && round < 64; round++) {
		changed = false;
		for (size_t i = 0; i < s->n; i++) {
			const struct fw_rule *r = &s->r[i];
			struct fw_chain *from, *to;
			if (!r->target[0] || !(to = chain_find(s, r->tool, r->table, r->target)) ||
			    !(from = chain_find(s, r->tool, r->table, r->chain)))
				continue;
			if ((to->reach | from->reach) != to->reach) {
				to->reach |= from->reach;
				changed = true;
			}
		}
	}
}

static bool same(const struct fw_rule *o, const struct fw_rule *r)
{
	return o->nth == r->nth && o->policy == r->policy && same_chain(o, r) &&
	       (r->policy || !strcmp(o->rule, r->rule));
}

/* r's reading in s: where it was (hint, its index in the other reading),
 * else anywhere. */
static const struct fw_rule *same_rule(const struct fw_ruleset *s, const struct fw_rule *r,
				       size_t hint)
{
	if (hint < s->n && same(&s->r[hint], r))
		return &s->r[hint];
	for (size_t i = 0; i < s->n; i++)
		if (same(&s->r[i], r))
			return &s->r[i];
	return NULL;
}

void fw_diff(const struct fw_ruleset *before, const struct fw_ruleset *after, uint64_t ino,
	     struct fw_facts *out)
{
	for (int pass = 0; pass < 2; pass++) /* port 53 rules first */
		for (size_t i = 0; i < after->n; i++) {
			const struct fw_rule *r = &after->r[i], *b;
			const struct fw_chain *c;
			struct fw_grown *g;
			uint64_t grew;
			if ((r->verdict != FW_DROP && r->verdict != FW_REJECT) || !r->counted ||
			    !r->packets || fw_rule_port53(r->rule) != !pass)
				continue;
			b = same_rule(before, r, i);
			grew = b ? (r->packets > b->packets ? r->packets - b->packets : 0) : r->packets;
			if (!grew)
				continue;
			if (out->n == FW_MAX_GROWN) {
				out->dropped++;
				continue;
			}
			g = &out->g[out->n++];
			memset(g, 0, sizeof(*g));
			g->netns = ino;
			snprintf(g->tool, sizeof(g->tool), "%s", r->tool);
			snprintf(g->table, sizeof(g->table), "%s", r->table);
			snprintf(g->chain, sizeof(g->chain), "%s", r->chain);
			snprintf(g->rule, sizeof(g->rule), "%s", r->rule);
			g->verdict = r->verdict;
			g->policy = r->policy;
			g->added = !b;
			c = chain_find(after, r->tool, r->table, r->chain);
			g->hooks = c ? c->reach : 0;
			g->packets = grew;
		}
}
