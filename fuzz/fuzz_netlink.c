/* fuzz_netlink.c - a netlink dump of nf_tables tables (the kernel's bytes,
 * as firewall/nftables.c reads them), whole and cut at every length the
 * input picks. */
#include "firewall/nftables.h"
#include "fuzz/fuzz.h"

static void table(void *ctx, const char *family, const char *name)
{
	volatile size_t *sum = ctx;

	*sum += (family ? strlen(family) : 0) + strlen(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sum = 0;

	(void)nft_tables_parse(data, size, table, (void *)&sum);
	if (size > 1)
		(void)nft_tables_parse(data + 1, data[0] % size, table, (void *)&sum);
	return 0;
}
