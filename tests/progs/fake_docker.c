/* fake_docker - a Docker API on a unix socket, serving a list of running
 * containers, to measure what naming them costs nstrace.
 *
 * usage: fake_docker SOCKET IDS_FILE COUNT_FILE
 *
 * IDS_FILE holds one "ID NAME" per line (64-hex ids).  GET
 * /containers/json lists them all (one network each, bridge, an IP);
 * GET /containers/ID/json answers their inspect (no SandboxKey, Pid 0);
 * anything else is a 404.  Every request is counted into COUNT_FILE
 * (rewritten each time) as "LIST INSPECT OTHER".  HTTP/1.1 keep-alive, one
 * client at a time.  Exits after 120 s. */
#include "common.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#define MAXC 4096

static char ids[MAXC][65], names[MAXC][64];
static int n;
static unsigned long nlist, ninspect, nother;
static const char *count_file;

static void count(void)
{
	FILE *f = fopen(count_file, "w");
	if (f) {
		fprintf(f, "%lu %lu %lu\n", nlist, ninspect, nother);
		fclose(f);
	}
}

static void reply(int fd, int code, const char *body, size_t len)
{
	char head[256];
	int h = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			 code, code == 200 ? "OK" : "Not Found", len);
	if (write(fd, head, (size_t)h) < 0 || write(fd, body, len) < 0)
		return;
}

static void list(int fd)
{
	size_t cap = (size_t)n * 512 + 16, k = 0;
	char *b = malloc(cap);

	if (!b)
		FAIL("out of memory");
	b[k++] = '[';
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(b + k, cap - k,
				      "%s{\"Id\":\"%s\",\"Names\":[\"/%s\"],\"State\":\"running\","
				      "\"HostConfig\":{\"NetworkMode\":\"bridge\"},\"NetworkSettings\":"
				      "{\"Networks\":{\"bridge\":{\"NetworkID\":\"\",\"IPAddress\":\"198.18.%d.%d\"}}}}",
				      i ? "," : "", ids[i], names[i], i / 250, i % 250 + 2);
	b[k++] = ']';
	reply(fd, 200, b, k);
	free(b);
}

static void serve(int fd)
{
	char req[8192];
	size_t have = 0;

	for (;;) {
		ssize_t r = read(fd, req + have, sizeof(req) - 1 - have);
		char *end;
		if (r <= 0)
			return;
		have += (size_t)r;
		req[have] = '\0';
		while ((end = strstr(req, "\r\n\r\n"))) {
			char path[512] = "";
			size_t used = (size_t)(end + 4 - req);
			sscanf(req, "GET %511s", path);
			char *q = strchr(path, '?');
			if (q)
				*q = '\0';
			if (!strcmp(path, "/containers/json")) {
				nlist++;
				list(fd);
			} else if (!strncmp(path, "/containers/", 12) && strstr(path, "/json")) {
				static const char ins[] = "{\"State\":{\"Pid\":0},\"NetworkSettings\":{\"SandboxKey\":\"\"}}";
				ninspect++;
				reply(fd, 200, ins, sizeof(ins) - 1);
			} else {
				nother++;
				reply(fd, 404, "{}", 2);
			}
			count();
			memmove(req, req + used, have - used + 1);
			have -= used;
		}
		if (have == sizeof(req) - 1)
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	FILE *f;
	int s;

	if (argc != 4)
		FAIL("usage: fake_docker SOCKET IDS_FILE COUNT_FILE");
	count_file = argv[3];
	if (!(f = fopen(argv[2], "r")))
		FAIL("%s: %s", argv[2], strerror(errno));
	while (n < MAXC && fscanf(f, "%64s %63s", ids[n], names[n]) == 2)
		n++;
	fclose(f);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	unlink(a.sun_path);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0)
		FAIL("listen %s: %s", argv[1], strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	count();
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		serve(c);
		close(c);
	}
}
