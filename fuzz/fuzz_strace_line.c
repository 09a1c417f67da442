/* fuzz_strace_line.c - one strace line: the tokenizer, the sockaddr and fd
 * note decoders, and the importer on the line alone. */
#include "analyzers/analyzer.h"
#include "import/strace_import.h"
#include "import/strace_text.h"
#include "fuzz/fuzz.h"

static struct stok nodes[STRACE_MAX_TOKS];
static struct stoks tk = { .t = nodes, .cap = STRACE_MAX_TOKS };

static void sink(const struct nst_event *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = { (const char *)data, size };
	struct strace_import *imp;
	struct nst_addr a;
	struct fd_note note;
	uint8_t out[64];
	bool cut;

	for (int n = strace_tokenize(s, &tk); n >= 0; n = tk.t[n].next) {
		(void)strace_sockaddr(&tk, n, &a);
		(void)strace_fd(tk.t[n].val, &note);
		(void)strace_unquote(tk.t[n].val, out, sizeof(out), &cut);
	}
	if (!(imp = strace_import_new(sink, NULL, "fuzz")))
		return 0;
	strace_import_line(imp, (const char *)data, size, 1, 0);
	strace_import_end(imp);
	strace_import_free(imp);
	return 0;
}
