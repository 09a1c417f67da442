/* nftables.c - see nftables.h. */
#include "firewall/nftables.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *family_name(uint8_t f)
{
	switch (f) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return NULL;
	}
}

/* The table name attribute of one NEWTABLE message's payload. */
static void one_table(const uint8_t *p, size_t len, nft_table_cb cb, void *ctx)
{
	size_t off = NLMSG_ALIGN(sizeof(struct nfgenmsg));
	uint8_t family = len ? p[0] : 0; /* nfgen_family, read as a byte: buf may be unaligned */

	if (len < sizeof(struct nfgenmsg))
		return;
	while (off + sizeof(struct nlattr) <= len) {
		struct nlattr a;
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < sizeof(a) || off + a.nla_len > len)
			return;
		if ((a.nla_type & NLA_TYPE_MASK) == NFTA_TABLE_NAME) {
			char name[NFT_TABLE_MAXNAMELEN + 1];
			size_t n = a.nla_len - sizeof(a);
			const char *s = (const char *)p + off + sizeof(a);
			n = strnlen(s, n < NFT_TABLE_MAXNAMELEN ? n : NFT_TABLE_MAXNAMELEN);
			memcpy(name, s, n);
			name[n] = '\0';
			cb(ctx, family_name(family), name);
			return;
		}
		off += NLA_ALIGN(a.nla_len);
	}
}

int nft_tables_parse(const uint8_t *buf, size_t len, nft_table_cb cb, void *ctx)
{
	size_t off = 0;

	while (off + sizeof(struct nlmsghdr) <= len) {
		struct nlmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || off + h.nlmsg_len > len)
			return -EINVAL;
		if (h.nlmsg_type == NLMSG_DONE)
			return 1;
		if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;
			if (h.nlmsg_len < sizeof(h) + sizeof(e))
				return -EINVAL;
			memcpy(&e, buf + off + sizeof(h), sizeof(e));
			return e.error < 0 ? e.error : -EIO;
		}
		if ((h.nlmsg_type & 0xff) == NFT_MSG_NEWTABLE && (h.nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES)
			one_table(buf + off + sizeof(h), h.nlmsg_len - sizeof(h), cb, ctx);
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return off == len ? 0 : -EINVAL;
}

struct counter {
	nft_table_cb cb;
	void *ctx;
	int n;
};

static void count_one(void *ctx, const char *family, const char *name)
{
	struct counter *c = ctx;

	c->n++;
	c->cb(c->ctx, family, name);
}

int nft_tables_dump(nft_table_cb cb, void *ctx)
{
	struct {
		struct nlmsghdr h;
		struct nfgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.g = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0 },
	};
	struct counter c = { cb, ctx, 0 };
	static uint8_t buf[65536]; /* a child's, one dump at a time */
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER), rc = 0;

	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		rc = -errno;
	while (!rc) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		rc = nft_tables_parse(buf, (size_t)n, count_one, &c);
	}
	close(fd);
	return rc < 0 ? rc : c.n;
}
