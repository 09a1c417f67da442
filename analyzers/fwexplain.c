/* fwexplain.c - see fwexplain.h. */
#include "analyzers/fwexplain.h"

#include <stdio.h>
#include <string.h>

#include "model/fwmatch.h"

/* The hooks of the netns g was read in that the query's packets met:
 * where its socket lives, the output path; anywhere else (the host, for a
 * container's socket: dockerd's in the article, the container's own
 * program on the default bridge, a pod's), the forwarding path, which an
 * EPERM never reached.  Where either netns is unknown, the socket's being
 * in its process's home says which.  A loopback server's packets meet
 * only their own netns's rules. */
static unsigned path_hooks(const struct finding *f, const struct fw_grown *g)
{
	bool own = !f->foreign || (f->relayed && f->path == PATH_RESOLVER);

	if (g->netns && f->netns.ino)
		own = g->netns == f->netns.ino;
	if (f->loopback && !own)
		return 0; /* a loopback packet never leaves its netns */
	if (own)
		return FW_HOOK_OUTPUT | FW_HOOK_POSTROUTING;
	if (f->result == RES_BLOCKED)
		return 0;
	return FW_HOOK_PREROUTING | FW_HOOK_FORWARD | FW_HOOK_POSTROUTING;
}

/* A timeout fits a DROP, and a REJECT whose error the socket never heard:
 * an unconnected one hears none, a connected one no host-unreachable (and
 * the like) unless it set IP_RECVERR, which is not traced. */
static bool verdict_fits(const struct finding *f, const struct fw_grown *g)
{
	enum fw_verdict v = g->verdict;

	switch (f->result) {
	case RES_REFUSED:
	case RES_UNREACHABLE:
	case RES_REJECTED: return v == FW_REJECT;
	case RES_TIMEOUT:
		return v == FW_DROP || (v == FW_REJECT && (f->deaf || fw_rule_soft_reject(g->rule)));
	case RES_BLOCKED: return v == FW_DROP || v == FW_REJECT;
	default: return false;
	}
}

/* 2: the rule names the upstream's port or address; 1: it is on the path
 * with the right verdict only; 0: it cannot explain f. */
static int fit(const struct finding *f, const struct fw_grown *g)
{
	char ip[64];
	bool v6 = f->upstream[0] == '[';

	if (!finding_row(f)->fw_explains || !(g->hooks & path_hooks(f, g)) || !verdict_fits(f, g))
		return 0;
	finding_upstream_ip(f, ip, sizeof(ip));
	if ((v6 && g->tool == FW_IPTABLES) || (!v6 && g->tool == FW_IP6TABLES))
		return 0;
	return fw_rule_port53(g->rule) || fw_rule_daddr(g->rule, ip) ? 2 : 1;
}

void fw_explain(struct findings *fs, const struct fw_facts *ff)
{
	unsigned long failures[FW_MAX_GROWN] = { 0 };
	size_t n = findings_count(fs);

	for (size_t i = 0; i < n; i++)
		findings_get_mut(fs, i)->nfw = 0;
	if (!ff || !ff->checked)
		return;
	/* the failures each rule could account for, over every finding */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ff->n; k++)
			if (fit(findings_get(fs, i), &ff->g[k]))
				failures[k] += findings_get(fs, i)->count;
	for (size_t i = 0; i < n; i++) {
		struct finding *f = findings_get_mut(fs, i);
		int fits[FW_MAX_GROWN], best = 0;
		for (size_t k = 0; k < ff->n; k++)
			if ((fits[k] = fit(f, &ff->g[k])) > best)
				best = fits[k];
		/* the rules that name port 53 or the server, else the others */
		for (size_t k = 0; best && k < ff->n && f->nfw < FINDING_FW_HITS; k++) {
			const struct fw_grown *g = &ff->g[k];
			if (fits[k] != best)
				continue;
			f->fw[f->nfw].g = g;
			f->fw[f->nfw].likely = best < 2 || g->packets > failures[k];
			f->nfw++;
		}
	}
}
