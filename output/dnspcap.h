/* dnspcap.h - -w FILE: the DNS nstrace saw, as a pcapng file that
 * Wireshark and tshark open as is.
 *
 * Each DNS message becomes one IP packet (output/pcapng.h) built from its
 * socket's addresses and ports, on one interface per network namespace (the
 * socket's: where the packet really went), timestamped with its event.  A
 * comment on each names the process and thread, what the message was, the
 * netns and its container, the asking container of a relayed lookup, and
 * the findings its exchange (analyzer.h) went to.
 *
 * An exchange's findings are known only at its end (an answer, a timeout,
 * a lookup that got nothing), so packets wait, in order, until their
 * exchange has its outcome or they are hold_us old in event time.  Memory
 * is bounded: past 65536 packets or 64 MiB the oldest are written at once,
 * their findings not known yet (counted in capture_stats.early). */
#ifndef NST_DNSPCAP_H
#define NST_DNSPCAP_H

#include <stdint.h>

#include "analyzers/analyzer.h"
#include "model/containers.h"

struct dnspcap_stats {
	unsigned long packets;  /* written */
	unsigned long early;    /* written before their exchange's outcome */
	unsigned long unbuilt;  /* messages with no packet (too big to build) */
};

struct dns_pcap;

/* Create (or truncate) path and write the section header.  names is read
 * when each interface and comment is written, so names learned later still
 * show; it must outlive c.  NULL with errno set on failure. */
struct dns_pcap *dnspcap_open(const char *path, const struct containers *names, uint64_t hold_us);

/* One DNS message (analyzer_opts.on_message); writes what has waited long
 * enough. */
void dnspcap_message(struct dns_pcap *c, const struct dns_seen *d, const struct dns_exchange *x);
/* An exchange's outcome (analyzer_opts.on_outcome). */
void dnspcap_outcome(struct dns_pcap *c, uint64_t xid, uint32_t rows);

/* Write every packet still waiting, close the file and free c.  0, or the
 * -errno of the first failed write (the file is then incomplete).  *st (may
 * be NULL) gets the counts. */
int dnspcap_close(struct dns_pcap *c, struct dnspcap_stats *st);

#endif
