/* fwrules.c - see fwrules.h. */
#define _GNU_SOURCE
#include "firewall/fwrules.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fwmatch.h"

#define IX_NONE SIZE_MAX

void fw_ruleset_free(struct fw_ruleset *s)
{
	free(s->r);
	free(s->c);
	free(s->text);
	free(s->chains.slot);
	free(s->last.slot);
	memset(s, 0, sizeof(*s));
}

/* --- hashes and the index ---------------------------------------------------- */

static uint32_t fnv(uint32_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static uint32_t chain_hash(enum fw_tool tool, const char *table, const char *chain)
{
	uint32_t h = (2166136261u ^ (uint8_t)tool) * 16777619u;

	h = fnv(h, table, strlen(table) + 1);
	return fnv(h, chain, strlen(chain) + 1);
}

/* Slots hold (hash, value): growing needs nothing but the index. */
struct fw_slot {
	uint32_t hash, val;
};

static void ix_free(struct fw_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->cap = 0;
}

static void ix_put(struct fw_index *ix, uint32_t h, uint32_t val)
{
	struct fw_slot *sl = (struct fw_slot *)ix->slot;
	size_t i = h & (ix->cap - 1);

	while (sl[i].val)
		i = (i + 1) & (ix->cap - 1);
	sl[i].hash = h;
	sl[i].val = val;
}

/* Room for entry number n + 1, the index at most half full.  0 or -ENOMEM. */
static int ix_reserve(struct fw_index *ix, size_t n)
{
	struct fw_index old = *ix;
	size_t cap = ix->cap ? ix->cap : 64;

	while ((n + 1) * 2 > cap)
		cap *= 2;
	if (cap == ix->cap)
		return 0;
	if (!(ix->slot = calloc(cap, sizeof(struct fw_slot)))) {
		*ix = old;
		return -ENOMEM;
	}
	ix->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		const struct fw_slot *o = &((struct fw_slot *)old.slot)[i];
		if (o->val)
			ix_put(ix, o->hash, o->val);
	}
	free(old.slot);
	return 0;
}

/* The next slot at or after probe position from that holds hash h, or
 * IX_NONE at the first free slot.  Walk: i = ix_find(ix, h, h), then
 * ix_find(ix, h, i + 1). */
static size_t ix_find(const struct fw_index *ix, uint32_t h, size_t from)
{
	const struct fw_slot *sl = (const struct fw_slot *)ix->slot;

	for (size_t i = from & (ix->cap - 1); ix->cap && sl[i].val; i = (i + 1) & (ix->cap - 1))
		if (sl[i].hash == h)
			return i;
	return IX_NONE;
}

static uint32_t ix_val(const struct fw_index *ix, size_t i)
{
	return ((const struct fw_slot *)ix->slot)[i].val;
}

/* --- chains, rules, texts ---------------------------------------------------- */

static void cut(char *dst, size_t n, const char *src, size_t len)
{
	size_t l = len < n - 1 ? len : n - 1;

	memcpy(dst, src, l);
	dst[l] = '\0';
}

static struct fw_chain *chain_find(const struct fw_ruleset *s, enum fw_tool tool, const char *table,
				   const char *chain)
{
	uint32_t h = chain_hash(tool, table, chain);

	for (size_t i = ix_find(&s->chains, h, h); i != IX_NONE; i = ix_find(&s->chains, h, i + 1)) {
		struct fw_chain *c = &s->c[ix_val(&s->chains, i) - 1];
		if (c->tool == tool && !strcmp(c->chain, chain) && !strcmp(c->table, table))
			return c;
	}
	return NULL;
}

static struct fw_chain *chain_add(struct fw_ruleset *s, enum fw_tool tool, const char *table,
				  const char *chain, unsigned hook)
{
	struct fw_chain *c = chain_find(s, tool, table, chain);

	if (c)
		return c;
	if (s->nc == FW_MAX_CHAINS) {
		s->dropped++;
		return NULL;
	}
	if (ix_reserve(&s->chains, s->nc) < 0) {
		s->dropped++;
		return NULL;
	}
	if (s->nc == s->ccap) {
		size_t cap = s->ccap ? s->ccap * 2 : 64;
		struct fw_chain *v = realloc(s->c, cap * sizeof(*v));
		if (!v) {
			s->dropped++;
			return NULL;
		}
		s->c = v;
		s->ccap = cap;
	}
	c = &s->c[s->nc++];
	memset(c, 0, sizeof(*c));
	c->tool = tool;
	cut(c->table, sizeof(c->table), table, strlen(table));
	cut(c->chain, sizeof(c->chain), chain, strlen(chain));
	c->hash = chain_hash(c->tool, c->table, c->chain);
	c->hook = hook;
	ix_put(&s->chains, c->hash, (uint32_t)s->nc);
	return c;
}

/* text (cut to a rule's length) into the pool: its offset, or -1 when
 * the pool is full (counted) or cannot grow. */
static int64_t text_add(struct fw_ruleset *s, const char *text, size_t len)
{
	size_t off = s->tlen;

	if (len > FW_RULE_LEN - 1)
		len = FW_RULE_LEN - 1;
	if (s->tlen + len + 1 > FW_MAX_TEXT) {
		s->dropped++;
		return -1;
	}
	if (s->tlen + len + 1 > s->tcap) {
		size_t cap = s->tcap ? s->tcap * 2 : 65536;
		char *v;
		while (cap < s->tlen + len + 1)
			cap *= 2;
		if (!(v = realloc(s->text, cap))) {
			s->dropped++;
			return -1;
		}
		s->text = v;
		s->tcap = cap;
	}
	memcpy(s->text + off, text, len);
	s->text[off + len] = '\0';
	s->tlen += len + 1;
	return (int64_t)off;
}

/* A rule of chain c with this text, zeroed but for those: NULL when full
 * (counted in dropped) or out of memory. */
static struct fw_rule *new_rule(struct fw_ruleset *s, const struct fw_chain *c, const char *text,
				size_t len)
{
	struct fw_rule *r;
	int64_t off;

	if (s->n == FW_MAX_RULES) {
		s->dropped++;
		return NULL;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct fw_rule *v = realloc(s->r, cap * sizeof(*v));
		if (!v) {
			s->dropped++;
			return NULL;
		}
		s->r = v;
		s->cap = cap;
	}
	if ((off = text_add(s, text, len)) < 0)
		return NULL;
	r = &s->r[s->n++];
	memset(r, 0, sizeof(*r));
	r->chain = (uint32_t)(c - s->c);
	r->text = (uint32_t)off;
	r->key = fnv(c->hash, s->text + off, strlen(s->text + off));
	return r;
}

/* Identical rules of one chain are told apart by their order: r is one
 * more than the last rule before it with its chain and text.  O(1): the
 * last such rule is kept by key. */
static void number(struct fw_ruleset *s, struct fw_rule *r)
{
	uint32_t idx = (uint32_t)(r - s->r) + 1;

	for (size_t i = ix_find(&s->last, r->key, r->key); i != IX_NONE;
	     i = ix_find(&s->last, r->key, i + 1)) {
		const struct fw_rule *o = &s->r[ix_val(&s->last, i) - 1];
		if (o->chain == r->chain && !strcmp(fw_text(s, o), fw_text(s, r))) {
			r->nth = o->nth + 1;
			((struct fw_slot *)s->last.slot)[i].val = idx;
			return;
		}
	}
	if (ix_reserve(&s->last, s->n) == 0) /* else: numbered 0, as a first */
		ix_put(&s->last, r->key, idx);
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

/* The last "-j TARGET" or "-g CHAIN" of a rule line (all of it: a long
 * comment must not hide its verdict); "" when none. */
static void rule_target(const char *line, size_t len, char *target, size_t n, bool *jump)
{
	const char *p = line, *end = line + len;

	target[0] = '\0';
	*jump = false;
	while ((p = memmem(p, (size_t)(end - p), " -", 2))) {
		p += 2;
		if (end - p >= 2 && (p[0] == 'j' || p[0] == 'g') && p[1] == ' ') {
			const char *t = p + 2, *e = t;
			while (e < end && *e != ' ')
				e++;
			cut(target, n, t, (size_t)(e - t));
			*jump = true;
		}
	}
}

static int fail(struct fw_reader *rd, int rc, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(rd->err, rd->errlen, "line %u: ", rd->line);

	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < rd->errlen)
		vsnprintf(rd->err + k, rd->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	rd->rc = rc;
	return rc;
}

static int ipt_policy(struct fw_reader *rd, const char *line)
{
	struct fw_ruleset *s = rd->s;
	char chain[64], policy[32], text[160];
	unsigned long long pk = 0, by = 0;
	struct fw_chain *c;
	struct fw_rule *r;
	int n;

	if (sscanf(line, ":%63s %31s [%llu:%llu]", chain, policy, &pk, &by) < 2)
		return fail(rd, -EINVAL, "a chain line without a name and policy");
	c = chain_add(s, rd->tool, rd->table, chain, builtin_hook(chain));
	if (!c || !strcmp(policy, "-"))
		return 0;
	n = snprintf(text, sizeof(text), "-P %s %s", chain, policy);
	if (!(r = new_rule(s, c, text, (size_t)n)))
		return 0;
	r->verdict = verdict_of(policy);
	r->policy = true;
	r->counted = true;
	r->packets = pk;
	return 0;
}

static int ipt_line(struct fw_reader *rd, const char *l, size_t len)
{
	struct fw_ruleset *s = rd->s;
	char head[1024], chain[64], target[64];
	unsigned long long pk = 0, by = 0;
	const struct fw_chain *c, *to;
	struct fw_rule *r;
	size_t skip = 0;
	bool jump;

	cut(head, sizeof(head), l, len); /* counters and chain sit at the start */
	if (head[0] == ':') /* ":OUTPUT ACCEPT [12:345]" */
		return ipt_policy(rd, head);
	bool counted = false;
	if (head[0] == '[') { /* "[12:345] -A OUTPUT ..." */
		int used = 0;
		if (sscanf(head, "[%llu:%llu]%n", &pk, &by, &used) < 2 || !used)
			return fail(rd, -EINVAL, "a malformed [packets:bytes] counter");
		skip = (size_t)used + (head[used] == ' ');
		counted = true;
	}
	if (strncmp(head + skip, "-A ", 3) || sscanf(head + skip + 3, "%63s", chain) != 1)
		return fail(rd, -EINVAL, "not a rule (\"-A CHAIN ...\")");
	if (!(c = chain_add(s, rd->tool, rd->table, chain, builtin_hook(chain))) ||
	    !(r = new_rule(s, c, l + skip, len - skip)))
		return 0; /* counted in dropped */
	rule_target(l + skip, len - skip, target, sizeof(target), &jump);
	r->verdict = verdict_of(target);
	if (jump && r->verdict == FW_OTHER && (to = chain_find(s, rd->tool, rd->table, target)))
		r->target = (uint32_t)(to - s->c) + 1; /* a chain, not DNAT, LOG... */
	r->counted = counted;
	r->packets = pk;
	number(s, r);
	return 0;
}

/* One line of iptables-save output, without its newline. */
static int ipt_take(struct fw_reader *rd, const char *l, size_t n)
{
	rd->line++;
	if (!n || l[0] == '#' || (n == 6 && !memcmp(l, "COMMIT", 6)))
		return 0;
	if (l[0] == '*') {
		cut(rd->table, sizeof(rd->table), l + 1, n - 1);
		return 0;
	}
	if (!rd->table[0])
		return fail(rd, -EINVAL, "a rule before any *table line");
	return ipt_line(rd, l, n);
}

/* --- nft -j list ruleset -------------------------------------------------------- */

bool fw_iptables_nft_table(const char *family, const char *name)
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

/* A bounded text being built: every write is checked against its buffer
 * (k never passes n - 1; what does not fit is cut). */
struct sbuf {
	char *b;
	size_t n, k;
};

static bool sb_full(const struct sbuf *sb)
{
	return sb->k + 1 >= sb->n;
}

static void sb_put(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (sb_full(sb))
		return;
	va_start(ap, fmt);
	w = vsnprintf(sb->b + sb->k, sb->n - sb->k, fmt, ap);
	va_end(ap);
	if (w > 0)
		sb->k += (size_t)w < sb->n - sb->k ? (size_t)w : sb->n - 1 - sb->k;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A readable form of an expression's operand: 53, "udp dport", 10.0.0.0/8, { 53, 853 }. */
static void nft_value(struct sbuf *sb, const json_t *v)
{
	const json_t *x;

	if (sb_full(sb))
		return;
	if (json_is_integer(v)) {
		sb_put(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_string(v)) {
		sb_put(sb, "%s", json_string_value(v));
	} else if ((x = json_object_get(v, "payload"))) {
		sb_put(sb, "%s %s", jstr(x, "protocol") ?: "?", jstr(x, "field") ?: "?");
	} else if ((x = json_object_get(v, "meta")) || (x = json_object_get(v, "ct"))) {
		sb_put(sb, "%s %s", json_object_get(v, "meta") ? "meta" : "ct", jstr(x, "key") ?: "?");
	} else if ((x = json_object_get(v, "prefix"))) {
		sb_put(sb, "%s/%" JSON_INTEGER_FORMAT, jstr(x, "addr") ?: "?",
		       json_integer_value(json_object_get(x, "len")));
	} else if ((x = json_object_get(v, "range")) && json_array_size(x) == 2) {
		nft_value(sb, json_array_get(x, 0));
		sb_put(sb, "-");
		nft_value(sb, json_array_get(x, 1));
	} else if ((x = json_object_get(v, "set")) && json_is_array(x)) {
		size_t i;
		const json_t *e;
		sb_put(sb, "{ ");
		json_array_foreach(x, i, e) {
			nft_value(sb, e);
			sb_put(sb, i + 1 < json_array_size(x) ? ", " : " }");
		}
	} else {
		sb_put(sb, "?");
	}
}

/* One statement of a rule (one key of an expression object) into sb,
 * setting the rule's verdict, jump target and counter. */
static void nft_stmt(struct fw_ruleset *s, struct fw_rule *r, const char *table, const char *key,
		     const json_t *v, struct sbuf *sb)
{
	if (!strcmp(key, "match")) {
		const char *op = jstr(v, "op");
		nft_value(sb, json_object_get(v, "left"));
		if (op && strcmp(op, "==") && strcmp(op, "in"))
			sb_put(sb, " %s", op);
		sb_put(sb, " ");
		nft_value(sb, json_object_get(v, "right"));
	} else if (!strcmp(key, "counter")) {
		r->counted = true;
		r->packets = (uint64_t)json_integer_value(json_object_get(v, "packets"));
		sb_put(sb, "counter");
	} else if (!strcmp(key, "jump") || !strcmp(key, "goto")) {
		const char *t = jstr(v, "target");
		const struct fw_chain *to = t ? chain_add(s, FW_NFT, table, t, 0) : NULL;
		if (to)
			r->target = (uint32_t)(to - s->c) + 1;
		sb_put(sb, "%s %s", key, t ? t : "?");
	} else if (!strcmp(key, "reject")) {
		const char *how = jstr(v, "expr");
		r->verdict = FW_REJECT;
		if (how)
			sb_put(sb, "reject with %s", how);
		else
			sb_put(sb, "reject");
	} else {
		if (!strcmp(key, "drop"))
			r->verdict = FW_DROP;
		else if (!strcmp(key, "accept"))
			r->verdict = FW_ACCEPT;
		sb_put(sb, "%s", key);
	}
	sb_put(sb, " ");
}

/* One element of the "nftables" list: a chain, a rule, or something else
 * (left alone). */
static int nft_item(struct fw_reader *rd, const json_t *item)
{
	struct fw_ruleset *s = rd->s;
	const json_t *c = json_object_get(item, "chain"), *ru = json_object_get(item, "rule");
	const json_t *o = c ? c : ru, *e, *v;
	const char *fam = jstr(o, "family"), *tab = jstr(o, "table"), *cname, *key;
	char table[32], text[FW_RULE_LEN];
	struct sbuf sb = { text, sizeof(text), 0 };
	struct fw_chain *ch;
	struct fw_rule *r;
	size_t i;

	text[0] = '\0';
	if (!o || !fam || !tab || fw_iptables_nft_table(fam, tab))
		return 0;
	snprintf(table, sizeof(table), "%s %s", fam, tab);
	if (c) {
		if ((cname = jstr(c, "name")))
			chain_add(s, FW_NFT, table, cname, nft_hook(jstr(c, "hook")));
		return 0;
	}
	if (!(cname = jstr(ru, "chain")) || !(ch = chain_add(s, FW_NFT, table, cname, 0)))
		return 0;
	/* the text first, so that the rule is made with it: a scratch rule
	 * takes the verdict, target and counter on the way */
	struct fw_rule t = { 0 };
	json_array_foreach(json_object_get(ru, "expr"), i, e)
		json_object_foreach((json_t *)e, key, v)
			nft_stmt(s, &t, table, key, v, &sb);
	while (sb.k && text[sb.k - 1] == ' ')
		text[--sb.k] = '\0';
	/* chain_add above may have moved the chains: find ch again */
	if (!(ch = chain_find(s, FW_NFT, table, cname)) || !(r = new_rule(s, ch, text, sb.k)))
		return 0;
	r->verdict = t.verdict;
	r->target = t.target;
	r->counted = t.counted; /* uncounted: kept for its jumps, never compared */
	r->packets = t.packets;
	number(s, r);
	return 0;
}

static int nft_elem(struct fw_reader *rd, const char *p, size_t n)
{
	json_error_t jerr;
	json_t *item;
	int rc;

	if (!(item = json_loadb(p, n, 0, &jerr)))
		return fail(rd, -EINVAL, "%s", jerr.text);
	rc = json_is_object(item) ? nft_item(rd, item) : 0;
	json_decref(item);
	return rc;
}

/* part += buf[0, n), within FW_MAX_ELEM.  0, -ENOMEM or -EINVAL. */
static int part_add(struct fw_reader *rd, const char *buf, size_t n, const char *what)
{
	if (rd->plen + n > FW_MAX_ELEM)
		return fail(rd, -EINVAL, "%s longer than %u bytes", what, FW_MAX_ELEM);
	if (rd->plen + n > rd->pcap) {
		size_t cap = rd->pcap ? rd->pcap : 4096;
		char *v;
		while (cap < rd->plen + n)
			cap *= 2;
		if (!(v = realloc(rd->part, cap)))
			return fail(rd, -ENOMEM, "out of memory");
		rd->part = v;
		rd->pcap = cap;
	}
	memcpy(rd->part + rd->plen, buf, n);
	rd->plen += n;
	return 0;
}

/* The bytes of buf, scanned as JSON: each element of the top-level
 * "nftables" list is parsed alone once it is whole, so that memory follows
 * the largest rule, not the ruleset. */
static int nft_feed(struct fw_reader *rd, const char *buf, size_t len)
{
	size_t start = rd->depth >= 3 && rd->in_list ? 0 : len; /* an element's first byte */

	for (size_t i = 0; i < len && !rd->rc; i++) {
		char ch = buf[i];
		if (ch == '\n')
			rd->line++;
		if (rd->in_str) {
			if (rd->esc)
				rd->esc = false;
			else if (ch == '\\')
				rd->esc = true;
			else if (ch == '"')
				rd->in_str = false;
			else if (rd->depth == 1 && rd->klen < sizeof(rd->key) - 1)
				rd->key[rd->klen++] = ch;
			continue;
		}
		switch (ch) {
		case '"':
			rd->in_str = true;
			if (rd->depth == 1)
				rd->klen = 0;
			break;
		case '{':
		case '[':
			if (++rd->depth == 2 && ch == '[' && !rd->seen_list && rd->klen == 8 &&
			    !memcmp(rd->key, "nftables", 8))
				rd->in_list = rd->seen_list = true;
			if (rd->depth == 3 && rd->in_list)
				start = i;
			if (rd->depth > 4096)
				return fail(rd, -EINVAL, "JSON nested deeper than 4096");
			break;
		case '}':
		case ']':
			if (rd->depth == 3 && rd->in_list) {
				int rc;
				if (rd->plen) {
					rc = part_add(rd, buf, i + 1, "an nft element");
					if (!rc)
						rc = nft_elem(rd, rd->part, rd->plen);
					rd->plen = 0;
				} else {
					rc = nft_elem(rd, buf + start, i + 1 - start);
				}
				start = len;
				if (rc)
					return rc;
			}
			if (--rd->depth < 0)
				return fail(rd, -EINVAL, "a '%c' that closes nothing", ch);
			if (rd->depth == 1)
				rd->in_list = false;
			break;
		}
	}
	if (!rd->rc && start < len)
		return part_add(rd, buf + start, len - start, "an nft element");
	return rd->rc;
}

/* --- the reader ------------------------------------------------------------------- */

void fw_reader_init(struct fw_reader *rd, struct fw_ruleset *s, enum fw_format format,
		    enum fw_tool tool, char *err, size_t errlen)
{
	memset(rd, 0, sizeof(*rd));
	rd->s = s;
	rd->format = format;
	rd->tool = tool;
	rd->err = err;
	rd->errlen = errlen;
	if (format == FW_NFT_JSON)
		rd->line = 1;
}

static int ipt_feed(struct fw_reader *rd, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && !rd->rc) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
		if (!nl) /* the rest waits for its newline */
			return part_add(rd, buf + i, n, "a line");
		if (rd->plen) {
			if (!part_add(rd, buf + i, n, "a line"))
				ipt_take(rd, rd->part, rd->plen);
			rd->plen = 0;
		} else {
			ipt_take(rd, buf + i, n);
		}
		i += n + 1;
	}
	return rd->rc;
}

int fw_reader_feed(struct fw_reader *rd, const char *buf, size_t len)
{
	if (rd->rc)
		return rd->rc;
	return rd->format == FW_NFT_JSON ? nft_feed(rd, buf, len) : ipt_feed(rd, buf, len);
}

int fw_reader_end(struct fw_reader *rd)
{
	if (rd->rc)
		return rd->rc;
	if (rd->format == FW_IPTABLES_SAVE) {
		if (rd->plen) /* a last line without its newline */
			ipt_take(rd, rd->part, rd->plen);
		rd->plen = 0;
		return rd->rc;
	}
	if (rd->in_str || rd->depth)
		return fail(rd, -EINVAL, "the JSON ends inside a value (cut short?)");
	if (!rd->seen_list)
		return fail(rd, -EINVAL, "no \"nftables\" list");
	return 0;
}

void fw_reader_free(struct fw_reader *rd)
{
	free(rd->part);
	rd->part = NULL;
	rd->plen = rd->pcap = 0;
}

static int parse_all(struct fw_ruleset *s, enum fw_format format, enum fw_tool tool,
		     const char *text, size_t len, char *err, size_t errlen)
{
	struct fw_reader rd;
	int rc;

	fw_reader_init(&rd, s, format, tool, err, errlen);
	rc = fw_reader_feed(&rd, text, len);
	if (!rc)
		rc = fw_reader_end(&rd);
	fw_reader_free(&rd);
	return rc;
}

int fw_parse_iptables_save(struct fw_ruleset *s, enum fw_tool tool, const char *text, size_t len,
			   char *err, size_t errlen)
{
	return parse_all(s, FW_IPTABLES_SAVE, tool, text, len, err, errlen);
}

int fw_parse_nft_json(struct fw_ruleset *s, const char *text, size_t len, char *err,
		      size_t errlen)
{
	return parse_all(s, FW_NFT_JSON, FW_NFT, text, len, err, errlen);
}

/* --- marks ----------------------------------------------------------------------- */

struct fw_mark fw_ruleset_mark(const struct fw_ruleset *s)
{
	return (struct fw_mark){ s->n, s->nc, s->tlen };
}

/* The indexes are made again from what stays: rare (a tool failed). */
void fw_ruleset_rollback(struct fw_ruleset *s, struct fw_mark m)
{
	if (m.n > s->n || m.nc > s->nc || m.tlen > s->tlen)
		return;
	s->n = m.n;
	s->nc = m.nc;
	s->tlen = m.tlen;
	if (s->chains.slot)
		memset(s->chains.slot, 0, s->chains.cap * sizeof(struct fw_slot));
	if (s->last.slot)
		memset(s->last.slot, 0, s->last.cap * sizeof(struct fw_slot));
	for (size_t i = 0; i < s->nc; i++)
		ix_put(&s->chains, s->c[i].hash, (uint32_t)i + 1);
	for (size_t i = 0; i < s->n; i++) {
		struct fw_rule *r = &s->r[i];
		uint32_t nth = r->nth;
		if (r->policy)
			continue;
		number(s, r); /* puts it, or moves its key's last rule to it */
		r->nth = nth;
	}
}

/* --- reach and difference ---------------------------------------------------- */

void fw_reach(struct fw_ruleset *s)
{
	bool changed = true;

	for (size_t i = 0; i < s->nc; i++)
		s->c[i].reach = s->c[i].hook;
	/* a chain's reach flows along its jumps; chains nest a few deep */
	for (int round = 0; changed && round < 64; round++) {
		changed = false;
		for (size_t i = 0; i < s->n; i++) {
			const struct fw_rule *r = &s->r[i];
			struct fw_chain *to, *from = &s->c[r->chain];
			if (!r->target)
				continue;
			to = &s->c[r->target - 1];
			if ((to->reach | from->reach) != to->reach) {
				to->reach |= from->reach;
				changed = true;
			}
		}
	}
}

static bool blocking(const struct fw_rule *r)
{
	return (r->verdict == FW_DROP || r->verdict == FW_REJECT) && r->counted;
}

/* The key a rule is found by in another reading. */
static uint32_t diff_key(const struct fw_rule *r)
{
	return (r->key ^ (r->nth * 0x9e3779b1u)) + r->policy;
}

static bool same(const struct fw_ruleset *os, const struct fw_rule *o, const struct fw_ruleset *rs,
		 const struct fw_rule *r)
{
	const struct fw_chain *oc = fw_chain_of(os, o), *rc = fw_chain_of(rs, r);

	return o->nth == r->nth && o->policy == r->policy && !strcmp(oc->chain, rc->chain) &&
	       !strcmp(oc->table, rc->table) && oc->tool == rc->tool &&
	       !strcmp(fw_text(os, o), fw_text(rs, r));
}

static void grown_add(const struct fw_ruleset *after, const struct fw_rule *r, uint64_t ino,
		      bool added, uint64_t grew, struct fw_facts *out)
{
	const struct fw_chain *c = fw_chain_of(after, r);
	struct fw_grown *g;

	if (out->n == FW_MAX_GROWN) {
		out->dropped++;
		return;
	}
	g = &out->g[out->n++];
	memset(g, 0, sizeof(*g));
	g->netns = ino;
	g->tool = c->tool;
	snprintf(g->table, sizeof(g->table), "%s", c->table);
	snprintf(g->chain, sizeof(g->chain), "%s", c->chain);
	snprintf(g->rule, sizeof(g->rule), "%s", fw_text(after, r));
	g->verdict = r->verdict;
	g->policy = r->policy;
	g->added = added;
	g->hooks = c->reach;
	g->packets = grew;
}

int fw_diff(const struct fw_ruleset *before, const struct fw_ruleset *after, uint64_t ino,
	    struct fw_facts *out)
{
	struct fw_index ix = { 0 };
	size_t nb = 0;
	int rc = 0;

	/* before's blocking rules by key: each of after's is found in O(1) */
	for (size_t i = 0; i < before->n; i++) {
		const struct fw_rule *o = &before->r[i];
		if (!blocking(o))
			continue;
		if (ix_reserve(&ix, nb) < 0) {
			rc = -ENOMEM;
			break;
		}
		ix_put(&ix, diff_key(o), (uint32_t)i + 1);
		nb++;
	}
	for (int pass = 0; pass < 2; pass++) /* port 53 rules first */
		for (size_t i = 0; i < after->n; i++) {
			const struct fw_rule *r = &after->r[i], *b = NULL;
			uint32_t h;
			uint64_t grew;
			if (!blocking(r) || !r->packets || fw_rule_port53(fw_text(after, r)) != !pass)
				continue;
			h = diff_key(r);
			for (size_t k = ix_find(&ix, h, h); k != IX_NONE && !b; k = ix_find(&ix, h, k + 1))
				if (same(before, &before->r[ix_val(&ix, k) - 1], after, r))
					b = &before->r[ix_val(&ix, k) - 1];
			if (!b && rc) /* not indexed: no claim that it is new */
				continue;
			grew = b ? (r->packets > b->packets ? r->packets - b->packets : 0) : r->packets;
			if (grew)
				grown_add(after, r, ino, !b, grew, out);
		}
	ix_free(&ix);
	return rc;
}
