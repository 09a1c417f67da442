/* fwsnap.c - see fwsnap.h. */
#define _GNU_SOURCE
#include "firewall/fwsnap.h"
#include "firewall/nftables.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* a node with 100k rules takes nft several seconds to print */
#define RUN_TIMEOUT_MS 30000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_table(void *ctx, const char *family, const char *name)
{
	FILE *out = ctx;

	for (const char *c = name; *c; c++)
		if ((unsigned char)*c <= ' ')
			return; /* not a name nft takes on its command line */
	fprintf(out, "%s %s\n", family ? family : "?", name);
}

/* The child: argv run in the netns, or (argv NULL) the netns's nf_tables
 * tables printed, "FAMILY NAME" a line. */
static void child(int nsfd, int out, char *const argv[])
{
	int null = open("/dev/null", O_RDWR);
	FILE *f;

	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
		_exit(126);
	dup2(null, 0);
	dup2(out, 1);
	dup2(null, 2);
	if (!argv) {
		f = fdopen(1, "w");
		_exit(f && nft_tables_dump(print_table, f) >= 0 && fflush(f) == 0 ? 0 : 1);
	}
	execvp(argv[0], argv);
	_exit(127);
}

/* Where what a child prints goes, as it comes. */
typedef int (*feed_fn)(void *ctx, const char *buf, size_t len);

static int feed_reader(void *ctx, const char *buf, size_t len)
{
	return fw_reader_feed(ctx, buf, len);
}

/* Run argv (NULL: the table list) in the netns, feeding what it prints to
 * feed as it comes (memory follows the rules, not the tool's output).  0;
 * -ENOENT when the tool is not there; -ETIMEDOUT, -EIO (it failed), or
 * feed's error. */
static int run(int nsfd, char *const argv[], feed_fn feed, void *ctx)
{
	int p[2], status = 0, rc = 0;
	long long deadline = now_ms() + RUN_TIMEOUT_MS;
	char buf[65536];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid == 0)
		child(nsfd, p[1], argv);
	close(p[1]);
	while (!rc) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long long left = deadline - now_ms();
		ssize_t r;
		if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
			rc = -ETIMEDOUT;
			break;
		}
		r = read(p[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		rc = feed(ctx, buf, (size_t)r);
	}
	close(p[0]);
	if (rc)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!rc && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		rc = -ENOENT;
	else if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status)))
		rc = -EIO;
	return rc;
}

/* A tool's reading into s: the reader fed as the tool prints, then ended;
 * nothing of it stays when the tool or the reader fails.  err gets the
 * reader's complaint. */
static int read_tool(int nsfd, char *const argv[], enum fw_format format, enum fw_tool tool,
		     struct fw_ruleset *s, char *err, size_t errlen)
{
	struct fw_mark mark = fw_ruleset_mark(s);
	struct fw_reader rd;
	int rc;

	fw_reader_init(&rd, s, format, tool, err, errlen);
	rc = run(nsfd, argv, feed_reader, &rd);
	if (!rc)
		rc = fw_reader_end(&rd);
	fw_reader_free(&rd);
	if (rc < 0)
		fw_ruleset_rollback(s, mark);
	return rc;
}

struct text {
	char b[16384];
	size_t n;
};

static int feed_text(void *ctx, const char *buf, size_t len)
{
	struct text *t = ctx;

	if (t->n + len >= sizeof(t->b))
		return -EFBIG; /* thousands of tables: list the ruleset instead */
	memcpy(t->b + t->n, buf, len);
	t->n += len;
	t->b[t->n] = '\0';
	return 0;
}

/* nft's share: the tables iptables-nft does not manage, each listed alone
 * (the kernel says which there are); the whole ruleset when it cannot say.
 * 0, -ENOENT (no nft), or the failure. */
static int read_nft(int nsfd, struct fw_ruleset *s, char *err, size_t errlen)
{
	static char *const all[] = { "nft", "-j", "list", "ruleset", NULL };
	struct text *t = calloc(1, sizeof(*t));
	struct fw_mark mark = fw_ruleset_mark(s);
	int rc = -ENOMEM;

	if (t && run(nsfd, NULL, feed_text, t) == 0) {
		rc = 0;
		for (char *line = t->b, *nl; !rc && (nl = strchr(line, '\n')); line = nl + 1) {
			char *name = strchr(line, ' ');
			*nl = '\0';
			if (!name || name > nl)
				continue;
			*name++ = '\0';
			if (!strcmp(line, "?") || fw_iptables_nft_table(line, name))
				continue; /* iptables-save reads those; nft knows no "?" */
			char *argv[] = { "nft", "-j", "list", "table", line, name, NULL };
			rc = read_tool(nsfd, argv, FW_NFT_JSON, FW_NFT, s, err, errlen);
		}
		/* all of nft's reading, or none: a table missing from one
		 * reading would look new in the other */
		if (rc < 0)
			fw_ruleset_rollback(s, mark);
	} else {
		rc = read_tool(nsfd, all, FW_NFT_JSON, FW_NFT, s, err, errlen);
	}
	free(t);
	return rc;
}

int fw_read(int nsfd, struct fw_ruleset *s, char *why, size_t n)
{
	static const struct {
		const char *argv[5];
		enum fw_tool tool;
	} tools[] = {
		{ { "iptables-save", "-c", NULL }, FW_IPTABLES },
		{ { "ip6tables-save", "-c", NULL }, FW_IP6TABLES },
		{ { "nft", NULL }, FW_NFT },
	};
	int read_any = 0, last = -ENOENT;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char err[160] = "";
		int rc = tools[i].tool == FW_NFT
				 ? read_nft(nsfd, s, err, sizeof(err))
				 : read_tool(nsfd, (char *const *)tools[i].argv, FW_IPTABLES_SAVE, tools[i].tool, s,
					     err, sizeof(err));
		if (rc == -EINVAL || rc == -ENOMEM) {
			snprintf(why, n, "%s printed what nstrace cannot read: %s", tools[i].argv[0], err);
			last = rc;
			continue;
		}
		if (rc < 0) {
			if (rc != -ENOENT)
				last = rc;
			continue;
		}
		read_any = 1;
	}
	if (read_any) {
		fw_reach(s);
		return 0;
	}
	if (last == -ENOENT)
		snprintf(why, n, "neither iptables-save nor nft is installed");
	else if (!why[0])
		snprintf(why, n, "iptables-save/nft failed: %s", strerror(-last));
	return last;
}

static uint64_t ns_ino(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int fw_watch_start_paths(struct fw_watch *w, const char *const *paths, int n)
{
	int rc = -ENOENT;

	memset(w, 0, sizeof(*w));
	for (int i = 0; i < n && w->n < FW_WATCH_NS; i++) {
		int fd, k;
		uint64_t ino;
		if ((fd = open(paths[i], O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		ino = ns_ino(fd);
		for (k = 0; k < w->n && w->ino[k] != ino; k++)
			;
		if (k < w->n) { /* watched already */
			close(fd);
			continue;
		}
		rc = fw_read(fd, &w->before[w->n], w->why, sizeof(w->why));
		if (rc < 0) {
			fw_ruleset_free(&w->before[w->n]);
			close(fd);
			continue;
		}
		w->fd[w->n] = fd;
		w->ino[w->n++] = ino;
	}
	if (w->n)
		w->why[0] = '\0';
	else if (!w->why[0])
		snprintf(w->why, sizeof(w->why), "no network namespace of the traced processes could be read");
	return w->n ? 0 : rc;
}

int fw_watch_start(struct fw_watch *w, const pid_t *pids, int npids)
{
	char bufs[FW_WATCH_NS][32];
	const char *paths[FW_WATCH_NS];
	int n = 0;

	for (int i = 0; i < (npids ? npids : 1) && n < FW_WATCH_NS; i++) {
		snprintf(bufs[n], sizeof(bufs[n]), "/proc/%d/ns/net", npids ? pids[i] : getpid());
		paths[n] = bufs[n];
		n++;
	}
	return fw_watch_start_paths(w, paths, n);
}

void fw_watch_finish(struct fw_watch *w, struct fw_facts *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->why, sizeof(out->why), "%s", w->why);
	for (int i = 0; i < w->n; i++) {
		struct fw_ruleset after = { 0 };
		if (fw_read(w->fd[i], &after, out->why, sizeof(out->why)) == 0) {
			fw_diff(&w->before[i], &after, w->ino[i], out);
			out->checked = true;
		}
		fw_ruleset_free(&after);
		fw_ruleset_free(&w->before[i]);
		close(w->fd[i]);
	}
	if (out->checked)
		out->why[0] = '\0';
	w->n = 0;
}
