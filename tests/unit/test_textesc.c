/* test_textesc.c - what a tracee controls reaches the text report escaped:
 * no line it can end, no control sequence it can send to a terminal. */
#include <stdlib.h>

#include "analyzers/findings.h"
#include "output/report.h"
#include "output/textesc.h"
#include "tests/unit/unit.h"

static void controls_are_escaped_as_strace_does(void)
{
	char b[256];

	CHECK_STR(text_esc(b, sizeof(b), "plain-name_1.2"), "plain-name_1.2");
	CHECK_STR(text_esc(b, sizeof(b), "a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
	CHECK_STR(text_esc(b, sizeof(b), "\033[2J\033]0;x\007"), "\\033[2J\\033]0;x\\007");
	CHECK_STR(text_esc(b, sizeof(b), "del\177"), "del\\177");
	/* UTF-8 stays; C1 controls (8-bit CSI), stray and overlong bytes do not */
	CHECK_STR(text_esc(b, sizeof(b), "caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
	CHECK_STR(text_esc(b, sizeof(b), "\xc2\x9b" "31m"), "\\302\\23331m");
	CHECK_STR(text_esc(b, sizeof(b), "\xff\xc0\xaf"), "\\377\\300\\257");
	CHECK_STR(text_esc(b, sizeof(b), "\xe2\x9c"), "\\342\\234"); /* cut sequence */
}

static void cut_at_a_whole_escape(void)
{
	char b[8];

	CHECK_STR(text_esc(b, sizeof(b), "abcd\033xyz"), "abcd"); /* \033 would not fit */
	CHECK_STR(text_esc(b, sizeof(b), "abcdefghij"), "abcdefg");
	CHECK_STR(text_esc(b, 1, "abc"), "");
}

/* A process named to forge a report line: its finding is one line, and
 * the forged line and the escape codes are not there. */
static void a_forged_comm_stays_on_its_line(void)
{
	struct findings *fs = findings_new(NULL, NULL);
	struct finding f;
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *out;

	memset(&f, 0, sizeof(f));
	f.pid = 42;
	snprintf(f.comm, sizeof(f.comm), "x\n[ok] \033[2J");
	f.result = RES_TIMEOUT;
	f.rcode = -1;
	f.netns.ino = 4026531833ull;
	snprintf(f.upstream, sizeof(f.upstream), "198.51.100.53:53");
	f.proto = PROTO_UDP;
	findings_offer(fs, SUBJECT_QUERY, &f);
	CHECK(findings_count(fs) >= 1);
	out = open_memstream(&text, &len);
	finding_print_text(out, findings_get(fs, 0), NULL, false);
	fclose(out);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	CHECK(lines == 1 && !strchr(text, '\033') && strstr(text, "x\\n[ok] \\033[2J[42]"));
	free(text);
	findings_free(fs);
}

int main(void)
{
	RUN(controls_are_escaped_as_strace_does, "newlines, tabs, ESC, DEL, C1 controls and bytes that are not UTF-8 are escaped; UTF-8 text is kept");
	RUN(cut_at_a_whole_escape, "a string cut to fit never ends inside an escape");
	RUN(a_forged_comm_stays_on_its_line, "a comm made of a newline, a fake line and escape codes prints as one escaped line");
	return UNIT_DONE();
}
