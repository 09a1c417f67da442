/* fuzz_dns.c - the DNS message decoder, and the TCP stream framing fed the
 * same bytes in chunks split where the input's first byte says. */
#include <sys/socket.h>

#include "analyzers/dns.h"
#include "analyzers/dnsstream.h"
#include "fuzz/fuzz.h"

static void seen(const struct dns_seen *d, void *ctx)
{
	(void)d;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg m;
	struct dnsstream *ds;
	struct nst_event ev;
	size_t off = 1, step;

	if (dns_parse(data, size, &m) == 0)
		(void)dns_plausible(&m);
	if (!size || !(ds = dnsstream_new()))
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.op = NST_OP_RECV;
	ev.dir = NST_DIR_IN;
	ev.flags = NST_EV_SOCK;
	ev.fd = 3;
	ev.sock.id = 1;
	ev.sock.family = AF_INET;
	ev.sock.type = data[0] & 1 ? SOCK_STREAM : SOCK_DGRAM;
	ev.sock.peer.family = AF_INET;
	ev.sock.peer.port = 53;
	step = (size_t)(data[0] >> 1) + 1; /* random chunk splits */
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		ev.payload = data + off;
		ev.payload_len = (uint32_t)n;
		ev.io_len = n + (data[0] & 2 ? 7 : 0); /* sometimes cut by -s */
		ev.ret = (int64_t)n;
		dnsstream_feed(ds, &ev, seen, NULL);
		off += n;
		step = step * 3 % 97 + 1;
	}
	dnsstream_free(ds);
	return 0;
}
