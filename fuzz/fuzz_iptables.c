/* fuzz_iptables.c - `iptables-save -c` text through the firewall reader,
 * whole and in pieces, and the difference of the two readings. */
#include "fuzz/fuzz_firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_fw(data, size, FW_IPTABLES_SAVE);
	return 0;
}
