/* fwparse - nstrace's own share of a firewall reading, apart from the
 * tools' time to print: two saved readings (before, after) read in 64 KiB
 * pieces as firewall/fwsnap.c reads a pipe, their reach, and their
 * difference.  Prints "rules N read_ms A B diff_ms D grown G rss_kb K".
 *
 * usage: fwparse iptables|nft BEFORE AFTER */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "firewall/fwrules.h"

static double ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int read_file(const char *path, enum fw_format fmt, struct fw_ruleset *s)
{
	static char buf[65536];
	char err[160] = "";
	struct fw_reader rd;
	FILE *f = fopen(path, "r");
	size_t n;
	int rc = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	fw_reader_init(&rd, s, fmt, fmt == FW_NFT_JSON ? FW_NFT : FW_IPTABLES, err, sizeof(err));
	while (!rc && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		rc = fw_reader_feed(&rd, buf, n);
	if (!rc)
		rc = fw_reader_end(&rd);
	fw_reader_free(&rd);
	fclose(f);
	if (rc)
		fprintf(stderr, "%s: %s\n", path, err);
	fw_reach(s);
	return rc;
}

int main(int argc, char **argv)
{
	struct fw_ruleset b = { 0 }, a = { 0 };
	struct fw_facts *f = calloc(1, sizeof(*f));
	struct rusage ru;
	enum fw_format fmt;
	double t0, t1, t2, t3;

	if (argc != 4 || !f) {
		fprintf(stderr, "usage: fwparse iptables|nft BEFORE AFTER\n");
		return 2;
	}
	fmt = !strcmp(argv[1], "nft") ? FW_NFT_JSON : FW_IPTABLES_SAVE;
	t0 = ms();
	if (read_file(argv[2], fmt, &b))
		return 1;
	t1 = ms();
	if (read_file(argv[3], fmt, &a))
		return 1;
	t2 = ms();
	fw_diff(&b, &a, 1, f);
	t3 = ms();
	getrusage(RUSAGE_SELF, &ru);
	printf("rules %zu read_ms %.1f %.1f diff_ms %.1f grown %zu rss_kb %ld\n", a.n, t1 - t0, t2 - t1,
	       t3 - t2, f->n, ru.ru_maxrss);
	fw_ruleset_free(&a);
	fw_ruleset_free(&b);
	free(f);
	return 0;
}
