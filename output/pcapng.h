/* pcapng.h - the bytes of a pcapng file, and the IP packets in it.
 *
 * Pure encoders into the caller's buffer: blocks of the pcapng format
 * (IETF draft-ietf-opsawg-pcapng: section header, interface description,
 * enhanced packet), and IPv4/IPv6 packets with a UDP or TCP header around a
 * payload, checksums included, for link type RAW (101: the packet starts
 * with its IP header).  Little-endian blocks, microsecond timestamps (the
 * format's default resolution).  Each returns the bytes written, or 0 when
 * they do not fit in cap or the input cannot be encoded. */
#ifndef NST_PCAPNG_H
#define NST_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

#define PCAPNG_LINKTYPE_RAW 101
/* The largest payload pkt_build takes: an IPv4 total length is 16 bits. */
#define PKT_MAX_PAYLOAD (65535 - 20 - 20 - 2)

/* A datagram or segment as it would have crossed the wire.  src and dst are
 * of one family, AF_INET or AF_INET6. */
struct pkt_spec {
	const struct nst_addr *src, *dst;
	bool tcp;           /* one segment, PSH|ACK, with DNS's 2-byte length prefix */
	uint32_t seq, ack;  /* TCP only */
	const uint8_t *payload;
	size_t len;         /* the bytes captured */
	size_t full;        /* the payload's real length (>= len, at most
	                       PKT_MAX_PAYLOAD): the headers say this much */
};

/* The packet's captured bytes into buf; *wire gets its real length.  A
 * packet cut short has no transport checksum (0: not computed). */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *p, size_t *wire);

/* The section header; app names the writer (shb_userappl), may be NULL. */
size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app);
/* An interface: its link type, name (if_name) and description
 * (if_description, may be NULL). */
size_t pcapng_idb(uint8_t *buf, size_t cap, uint16_t linktype, const char *name,
		  const char *desc);
/* A packet on interface ifid at ts_us (µs since the epoch): len bytes
 * captured of wire, with a comment (opt_comment, may be NULL). */
size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t ifid, uint64_t ts_us, const uint8_t *pkt,
		  size_t len, size_t wire, const char *comment);

#endif
