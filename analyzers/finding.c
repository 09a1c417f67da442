/* finding.c - a finding's names and copies; see finding.h. */
#include "analyzers/finding.h"
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "model/print.h"

void stack_save(struct saved_stack *dst, const struct nst_stack *src)
{
	dst->n = src->nframes < SAVED_FRAMES ? src->nframes : SAVED_FRAMES;
	for (uint32_t i = 0; i < dst->n; i++) {
		const struct nst_frame *f = &src->frames[i];
		dst->f[i].addr = f->addr;
		dst->f[i].offset = f->offset;
		str_copy(dst->f[i].module, sizeof(dst->f[i].module), f->module ? f->module : "?");
		str_copy(dst->f[i].function, sizeof(dst->f[i].function), f->function);
	}
}

const char *severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

const char *dns_proto_name(enum dns_proto p)
{
	return p == PROTO_TCP ? "tcp" : "udp";
}

const char *result_name(enum dns_result r)
{
	static const char *const names[RES_COUNT] = {
		[RES_OK] = "ok", [RES_REFUSED] = "refused", [RES_UNREACHABLE] = "unreachable",
		[RES_TIMEOUT] = "timeout", [RES_PENDING] = "pending", [RES_BLOCKED] = "blocked",
		[RES_UNPARSED] = "not-understood", [RES_UNSEEN] = "unknown",
		[RES_REJECTED] = "rejected",
	};
	return (unsigned)r < RES_COUNT ? names[r] : "?";
}

const char *path_name(enum dns_path p)
{
	static const char *const names[] = { "self", "container", "resolver", "other" };
	return names[p];
}

const char *finding_upstream_ip(const struct finding *f, char *buf, size_t n)
{
	const char *u = f->upstream;
	size_t len;

	if (u[0] == '[') {
		u++;
		len = strcspn(u, "]");
	} else {
		len = strcspn(u, ":");
	}
	snprintf(buf, n, "%.*s", (int)len, u);
	return buf;
}

void finding_asker_text(const struct finding *f, const struct containers *names, char *buf, size_t n)
{
	const struct container *c;
	char ns[512], ip[64];

	if (f->client.family != AF_INET && f->client.family != AF_INET6) {
		const struct container *k = containers_find(names, f->asker.ino, f->asker.path);
		if (k)
			container_text(k, buf, n);
		else
			ns_ref_text(&f->asker, names, buf, n);
		return;
	}
	print_addr(ip, sizeof(ip), &f->client);
	ip[strlen(ip) - 2] = '\0'; /* its ":0" */
	if ((c = containers_find_ip(names, &f->client))) {
		container_text(c, buf, n);
		return;
	}
	ns_ref_text(&f->asker, names, ns, sizeof(ns));
	snprintf(buf, n, "client %s in %s", ip, ns);
}
