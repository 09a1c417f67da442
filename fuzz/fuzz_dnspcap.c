/* fuzz_dnspcap.c - a recording through the analyzers into the pcapng
 * writer (-w): every DNS message they see becomes a packet, with its
 * interface and comments, into /dev/null. */
#include "model/fwfacts.h"
#include "output/dnspcap.h"
#include "fuzz/fuzz_rec.h"

static struct dns_pcap *cap;

static void on_message(const struct dns_seen *d, const struct dns_exchange *x, void *ctx)
{
	(void)ctx;
	dnspcap_message(cap, d, x);
}

static void on_outcome(uint64_t xid, uint32_t rows, void *ctx)
{
	(void)ctx;
	dnspcap_outcome(cap, xid, rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts o = { .dns_timeout_us = 5000000, .on_message = on_message,
				   .on_outcome = on_outcome };
	struct containers names = { 0 };
	struct fw_facts *fw = calloc(1, sizeof(*fw));
	struct fuzz_rec c = { calloc(1, sizeof(struct rec_reader)), NULL };

	cap = dnspcap_open("/dev/null", &names, 1000000);
	c.a = analyzer_new(&o);
	if (c.r && c.a && fw && cap) {
		c.r->names = &names;
		c.r->fw = fw;
		fuzz_lines(data, size, fuzz_rec_line, &c);
		analyzer_finish(c.a, c.r->end_ts);
	}
	analyzer_free(c.a);
	if (cap)
		dnspcap_close(cap, NULL);
	containers_free(&names);
	free(fw);
	free(c.r);
	return 0;
}
