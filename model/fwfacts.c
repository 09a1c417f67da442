/* fwfacts.c - see fwfacts.h. */
#include "model/fwfacts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdicts[] = { "other", "accept", "drop", "reject" };
static const char *const hooks[] = { "prerouting", "input", "forward", "output", "postrouting" };

const char *fw_verdict_name(enum fw_verdict v)
{
	return (unsigned)v < 4 ? verdicts[v] : "other";
}

static const char *const tools[] = { "?", "iptables", "ip6tables", "nft" };

const char *fw_tool_name(enum fw_tool t)
{
	return (unsigned)t < 4 ? tools[t] : "?";
}

enum fw_tool fw_tool_from_name(const char *name)
{
	for (unsigned i = 1; name && i < 4; i++)
		if (!strcmp(name, tools[i]))
			return (enum fw_tool)i;
	return FW_TOOL_UNKNOWN;
}

const char *fw_hook_name(unsigned mask)
{
	for (unsigned i = 0; i < 5; i++)
		if (mask & (1u << i))
			return hooks[i];
	return "";
}

void fw_rule_text(const struct fw_grown *g, char *buf, size_t n)
{
	if (g->tool == FW_NFT)
		snprintf(buf, n, "nft: %s chain %s: %s", g->table, g->chain, g->rule);
	else
		snprintf(buf, n, "%s -t %s %s", fw_tool_name(g->tool), g->table, g->rule);
}

static json_t *hooks_json(unsigned mask)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < 5 && a; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(hooks[i]));
	return a;
}

json_t *fw_facts_to_json(const struct fw_facts *f)
{
	json_t *o, *a;

	if (!f->checked)
		return json_pack("{s:b, s:s}", "checked", 0, "why", f->why);
	if (!(a = json_array()))
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		const struct fw_grown *g = &f->g[i];
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:I}",
			"netns_inode", g->netns ? json_integer((json_int_t)g->netns) : json_null(),
			"tool", fw_tool_name(g->tool), "table", g->table, "chain", g->chain, "rule", g->rule,
			"verdict", fw_verdict_name(g->verdict), "policy", g->policy, "added", g->added,
			"hooks", hooks_json(g->hooks), "packets", (json_int_t)g->packets));
	}
	o = json_pack("{s:b, s:o}", "checked", 1, "grown", a);
	if (o && f->dropped)
		json_object_set_new(o, "dropped", json_integer((json_int_t)f->dropped));
	return o;
}

static void str(char *dst, size_t n, const json_t *v)
{
	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int fw_facts_from_json(struct fw_facts *f, const json_t *o)
{
	const json_t *a = json_object_get(o, "grown"), *e, *h;
	size_t i, k;

	memset(f, 0, sizeof(*f));
	if (!json_is_object(o))
		return -EINVAL;
	f->checked = json_is_true(json_object_get(o, "checked"));
	str(f->why, sizeof(f->why), json_object_get(o, "why"));
	f->dropped = (unsigned long)json_integer_value(json_object_get(o, "dropped"));
	json_array_foreach(a, i, e) {
		struct fw_grown *g;
		const char *v;
		if (f->n == FW_MAX_GROWN)
			break;
		g = &f->g[f->n++];
		g->netns = (uint64_t)json_integer_value(json_object_get(e, "netns_inode"));
		g->tool = fw_tool_from_name(json_string_value(json_object_get(e, "tool")));
		str(g->table, sizeof(g->table), json_object_get(e, "table"));
		str(g->chain, sizeof(g->chain), json_object_get(e, "chain"));
		str(g->rule, sizeof(g->rule), json_object_get(e, "rule"));
		v = json_string_value(json_object_get(e, "verdict"));
		for (int t = 0; v && t < 4; t++)
			if (!strcmp(v, verdicts[t]))
				g->verdict = (enum fw_verdict)t;
		g->policy = json_is_true(json_object_get(e, "policy"));
		g->added = json_is_true(json_object_get(e, "added"));
		json_array_foreach(json_object_get(e, "hooks"), k, h)
			for (unsigned t = 0; t < 5; t++)
				if (json_is_string(h) && !strcmp(json_string_value(h), hooks[t]))
					g->hooks |= 1u << t;
		g->packets = (uint64_t)json_integer_value(json_object_get(e, "packets"));
	}
	return 0;
}
