/* fuzz_diagnose.c - what diagnose reads from outside: a target's
 * resolv.conf (the container's to write), /proc/net socket lines, and the
 * probe child's result lines. */
#include "diagnose/listeners.h"
#include "diagnose/probe.h"
#include "diagnose/resolvconf.h"
#include "fuzz/fuzz.h"

static void line(const char *p, size_t len, unsigned long no, void *ctx)
{
	struct net_sock s;
	struct probe_result r;
	char out[512];

	(void)no;
	(void)ctx;
	(void)proc_net_parse_line(p, len, false, false, &s);
	(void)proc_net_parse_line(p, len, true, true, &s);
	if (probe_result_parse(p, len, &r) == 0)
		(void)probe_result_format(&r, out, sizeof(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resolv_conf rc;
	uint8_t q[300];
	char name[300];

	resolv_conf_parse((const char *)data, size, &rc);
	fuzz_lines(data, size, line, NULL);
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	(void)dns_build_query(q, sizeof(q), 1, name, 1);
	return 0;
}
