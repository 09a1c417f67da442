/* events.h - the text and JSON forms of an event.
 *
 * Pure: an event (and the names known for namespaces, which may be NULL)
 * in, text out. */
#ifndef NST_EVENTS_H
#define NST_EVENTS_H

#include <stddef.h>

#include "model/containers.h"
#include "model/event.h"
#include "output/jsonw.h"

/* One strace-like line without the newline, e.g.
 *   [pid 7055] write(39<udp 172.18.0.2:50886->192.168.29.2:53
 *     net:[4026532281] /run/docker/netns/x FOREIGN>, "w\364..."..., 45) = 45
 * Returns the length written (truncated to n-1). */
size_t print_event_text(char *buf, size_t n, const struct nst_event *ev,
			const struct containers *names);

/* Socket tag "udp 1.2.3.4:5->6.7.8.9:53 net:[X] PATH FOREIGN". */
size_t print_sock_tag(char *buf, size_t n, const struct nst_sock *s,
		      const struct containers *names);

/* The event as one line of JSON (no newline) in w, the recording format
 * (fixtures/README.md).  A socket's id and "sock_gone" are printed only
 * when known, so that an event read from an older recording prints back as
 * it was.  Returns 0, or -ENOMEM with w's text incomplete. */
int print_event_json(struct jw *w, const struct nst_event *ev, const struct containers *names);

/* "dockerd(github.com/docker/libnetwork.(*resolver).ServeDNS+0x2a1) [0x55…]",
 * or "module+0xoff [addr]" without a symbol. */
size_t print_frame(char *buf, size_t n, const struct nst_frame *f);

#endif
