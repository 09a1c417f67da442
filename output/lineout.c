/* lineout.c - see lineout.h. */
#include "output/lineout.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINEOUT_CAP (64 * 1024)
#define LINEOUT_MAX_DELAY_NS 200000000LL

struct lineout {
	int fd;
	bool tty;
	size_t len;
	long long last_flush_ns;
	char buf[LINEOUT_CAP];
};

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct lineout *lineout_new(int fd)
{
	struct lineout *lo = malloc(sizeof(*lo));

	if (!lo)
		return NULL;
	lo->fd = fd;
	lo->tty = isatty(fd);
	lo->len = 0;
	lo->last_flush_ns = mono_ns();
	return lo;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int lineout_flush(struct lineout *lo)
{
	int r = 0;

	if (lo->len)
		r = write_all(lo->fd, lo->buf, lo->len);
	lo->len = 0;
	lo->last_flush_ns = mono_ns();
	return r;
}

int lineout_line(struct lineout *lo, const char *line, size_t len)
{
	int r = 0;

	if (lo->len + len + 1 > LINEOUT_CAP)
		r = lineout_flush(lo);
	if (len + 1 > LINEOUT_CAP) { /* too long to batch: one line, one write */
		char *tmp = malloc(len + 1);
		if (!tmp)
			return -ENOMEM;
		memcpy(tmp, line, len);
		tmp[len] = '\n';
		r = write_all(lo->fd, tmp, len + 1);
		free(tmp);
		return r;
	}
	memcpy(lo->buf + lo->len, line, len);
	lo->buf[lo->len + len] = '\n';
	lo->len += len + 1;
	if (lo->tty || mono_ns() - lo->last_flush_ns > LINEOUT_MAX_DELAY_NS)
		r = lineout_flush(lo);
	return r;
}

void lineout_free(struct lineout *lo)
{
	if (!lo)
		return;
	lineout_flush(lo);
	free(lo);
}

int lineout_json(struct lineout *lo, const json_t *o)
{
	char *text;
	int r;

	if (!o)
		return 0;
	text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)); /* no float noise: 19.367, not 19.367000000000001 */
	if (!text)
		return -ENOMEM;
	r = lineout_line(lo, text, strlen(text));
	free(text);
	return r;
}
