/* nftables.h - the nf_tables tables of a netns, asked of the kernel
 * directly (one netlink dump), so that `nft` is run only for the tables
 * iptables-nft does not manage, each alone: `nft list tables` and `nft
 * list ruleset` fetch every rule first, which on a node with 50,000
 * iptables-nft rules takes seconds.
 *
 * nft_tables_parse is pure (bytes in, tables out); nft_tables_dump does
 * the netlink I/O in the calling thread's netns. */
#ifndef NST_NFTABLES_H
#define NST_NFTABLES_H

#include <stddef.h>
#include <stdint.h>

/* One table: its family as nft names it ("ip", "ip6", "inet", "arp",
 * "bridge", "netdev"; NULL for one nft does not know) and its name. */
typedef void (*nft_table_cb)(void *ctx, const char *family, const char *name);

/* The NFT_MSG_NEWTABLE messages in buf (len bytes of one netlink recv):
 * cb for each.  1 once the dump's NLMSG_DONE is in it, 0 when more is to
 * come, -errno for an NLMSG_ERROR, -EINVAL for a malformed message (nothing
 * is read outside buf). */
int nft_tables_parse(const uint8_t *buf, size_t len, nft_table_cb cb, void *ctx);

/* Dump the tables of the calling thread's netns through NETLINK_NETFILTER.
 * The number of tables, or -errno (-EPROTONOSUPPORT without nf_tables). */
int nft_tables_dump(nft_table_cb cb, void *ctx);

#endif
