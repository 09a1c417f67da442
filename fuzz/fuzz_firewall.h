/* fuzz_firewall.h - what the two firewall harnesses share: a reading fed
 * whole and again in pieces, their difference, and a rollback. */
#ifndef NST_FUZZ_FIREWALL_H
#define NST_FUZZ_FIREWALL_H

#include "firewall/fwrules.h"
#include "fuzz/fuzz.h"

/* data read as format twice (whole, then in pieces of a size the first
 * byte picks); the two compared, a rollback to the middle tried. */
static inline void fuzz_fw(const uint8_t *data, size_t size, enum fw_format format)
{
	struct fw_ruleset a = { 0 }, b = { 0 };
	struct fw_facts *f = calloc(1, sizeof(*f));
	struct fw_reader rd;
	char err[160];
	size_t step = size ? (size_t)data[0] % 61 + 1 : 1;
	enum fw_tool tool = format == FW_NFT_JSON ? FW_NFT : FW_IPTABLES;

	if (!f)
		return;
	fw_reader_init(&rd, &a, format, tool, err, sizeof(err));
	if (fw_reader_feed(&rd, (const char *)data, size) == 0)
		fw_reader_end(&rd);
	fw_reader_free(&rd);
	fw_reader_init(&rd, &b, format, tool, err, sizeof(err));
	for (size_t i = 0; i < size; i += step)
		if (fw_reader_feed(&rd, (const char *)data + i, size - i < step ? size - i : step))
			break;
	fw_reader_end(&rd);
	fw_reader_free(&rd);
	fw_reach(&a);
	fw_reach(&b);
	fw_diff(&a, &b, 1, f);
	fw_diff(&b, &a, 1, f);
	struct fw_mark m = { b.n / 2, b.nc, b.n / 2 < b.n ? b.r[b.n / 2].text : b.tlen };
	fw_ruleset_rollback(&b, m);
	fw_reach(&b);
	fw_diff(&a, &b, 1, f);
	fw_ruleset_free(&a);
	fw_ruleset_free(&b);
	free(f);
}

#endif
