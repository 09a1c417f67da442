/* docker.c - see docker.h. */
#define _GNU_SOURCE
#include "names/docker.h"

#include <curl/curl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/containers.h"
#include "model/event.h"

#define DEFAULT_SOCK "/var/run/docker.sock"
#define MAX_BODY (16 << 20)

struct body {
	char *p;
	size_t n;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * nmemb;
	char *np;

	if (b->n + len > MAX_BODY)
		return 0; /* abort the transfer */
	np = realloc(b->p, b->n + len + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, data, len);
	b->p = np;
	b->n += len;
	b->p[b->n] = '\0';
	return len;
}

/* libcurl, loaded when the API is asked: the commands that never ask
 * (replay, check) do not map it and the thirty libraries it pulls in at
 * every start.  NODELETE: curl's global state outlives the handle. */
struct curl_lib {
	void *h;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*setopt)(CURL *c, CURLoption o, ...);
	CURLcode (*perform)(CURL *c);
	CURLcode (*getinfo)(CURL *c, CURLINFO i, ...);
	void (*cleanup)(CURL *c);
	CURL *c;
};

/* Load libcurl and make an easy handle: 0, or -ENOENT when libcurl is not
 * there (names then come from the other sources), -ENOMEM. */
static int curl_open(struct curl_lib *L)
{
	memset(L, 0, sizeof(*L));
	L->h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!L->h)
		return -ENOENT;
	*(void **)&L->global_init = dlsym(L->h, "curl_global_init");
	*(void **)&L->global_cleanup = dlsym(L->h, "curl_global_cleanup");
	*(void **)&L->easy_init = dlsym(L->h, "curl_easy_init");
	*(void **)&L->setopt = dlsym(L->h, "curl_easy_setopt");
	*(void **)&L->perform = dlsym(L->h, "curl_easy_perform");
	*(void **)&L->getinfo = dlsym(L->h, "curl_easy_getinfo");
	*(void **)&L->cleanup = dlsym(L->h, "curl_easy_cleanup");
	if (!L->global_init || !L->global_cleanup || !L->easy_init || !L->setopt || !L->perform ||
	    !L->getinfo || !L->cleanup) {
		dlclose(L->h);
		return -ENOENT;
	}
	L->global_init(CURL_GLOBAL_NOTHING); /* counted: paired in curl_close */
	if (!(L->c = L->easy_init())) {
		L->global_cleanup();
		dlclose(L->h);
		return -ENOMEM;
	}
	return 0;
}

static void curl_close(struct curl_lib *L)
{
	L->cleanup(L->c);
	L->global_cleanup();
	dlclose(L->h);
}

/* GET path; the parsed JSON body, or NULL. */
static json_t *api_get(struct curl_lib *L, const struct docker_api *api, const char *path)
{
	struct body b = { NULL, 0 };
	char url[256];
	long code = 0;
	json_t *j = NULL;

	snprintf(url, sizeof(url), "%s%s", api->url, path);
	L->setopt(L->c, CURLOPT_UNIX_SOCKET_PATH, api->unix_path[0] ? api->unix_path : NULL);
	L->setopt(L->c, CURLOPT_URL, url);
	L->setopt(L->c, CURLOPT_TIMEOUT_MS, 2000L);
	L->setopt(L->c, CURLOPT_NOSIGNAL, 1L);
	L->setopt(L->c, CURLOPT_WRITEFUNCTION, on_data);
	L->setopt(L->c, CURLOPT_WRITEDATA, &b);
	if (L->perform(L->c) == CURLE_OK &&
	    L->getinfo(L->c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200 && b.p)
		j = json_loadb(b.p, b.n, 0, NULL);
	free(b.p);
	return j;
}

/* "/var/run/x" and "/run/x" are one file: keep the /run form, as -y shows. */
static void norm_path(const char *in, char *out, size_t n)
{
	snprintf(out, n, "%s", !strncmp(in, "/var/run/", 9) ? in + 4 : in);
}

long long docker_inspect_parse(const json_t *ins, struct container *c)
{
	const json_t *ns = json_object_get(ins, "NetworkSettings");
	const char *key = json_string_value(json_object_get(ns, "SandboxKey"));
	const json_t *pid = json_object_get(json_object_get(ins, "State"), "Pid");

	if (key && key[0])
		norm_path(key, c->netns_path, sizeof(c->netns_path));
	return json_is_integer(pid) && json_integer_value(pid) > 0 ? json_integer_value(pid) : 0;
}

static void fill_from_inspect(struct container *c, const json_t *ins)
{
	long long pid = docker_inspect_parse(ins, c);
	struct stat st;
	char p[64];

	c->pid = pid > 0 && pid <= INT32_MAX ? (int)pid : 0;
	if (c->netns_path[0] && stat(c->netns_path, &st) == 0)
		c->netns_ino = st.st_ino;
	if (!c->netns_ino && pid) {
		snprintf(p, sizeof(p), "/proc/%lld/ns/net", pid);
		if (stat(p, &st) == 0)
			c->netns_ino = st.st_ino;
	}
}

static void first_ip(const json_t *summary, char *out, size_t n)
{
	const json_t *nets = json_object_get(json_object_get(summary, "NetworkSettings"), "Networks");
	const char *k;
	const json_t *v;

	out[0] = '\0';
	json_object_foreach((json_t *)nets, k, v) {
		const char *ip = json_string_value(json_object_get(v, "IPAddress"));
		if (ip && ip[0]) {
			snprintf(out, n, "%s", ip);
			return;
		}
	}
}

/* Has any of its networks an IPv6 address?  Known when the summary lists
 * its networks at all. */
static enum ct_v6 has_v6(const json_t *summary)
{
	const json_t *nets = json_object_get(json_object_get(summary, "NetworkSettings"), "Networks");
	const char *k;
	const json_t *v;

	if (!json_is_object(nets) || !json_object_size(nets))
		return CT_V6_UNKNOWN;
	json_object_foreach((json_t *)nets, k, v) {
		const char *ip = json_string_value(json_object_get(v, "GlobalIPv6Address"));
		if (ip && ip[0])
			return CT_V6_YES;
	}
	return CT_V6_NO;
}

int docker_summary_parse(const json_t *e, struct container *ct)
{
	const char *id = json_string_value(json_object_get(e, "Id"));
	const char *name = json_string_value(json_array_get(json_object_get(e, "Names"), 0));

	memset(ct, 0, sizeof(*ct));
	if (!id || strlen(id) < 12)
		return -EINVAL;
	snprintf(ct->id, sizeof(ct->id), "%.12s", id);
	snprintf(ct->name, sizeof(ct->name), "%s", name ? name + (name[0] == '/') : ct->id);
	ct->kind = CT_DOCKER;
	first_ip(e, ct->ip, sizeof(ct->ip));
	ct->v6 = has_v6(e);
	return 0;
}

int docker_host_parse(const char *host, struct docker_api *api)
{
	memset(api, 0, sizeof(*api));
	if (!host || !host[0])
		return -EINVAL;
	if (!strncmp(host, "unix://", 7))
		host += 7;
	if (host[0] == '/') {
		if (strlen(host) >= sizeof(api->unix_path))
			return -EINVAL;
		snprintf(api->unix_path, sizeof(api->unix_path), "%s", host);
		snprintf(api->url, sizeof(api->url), "http://localhost");
		return 0;
	}
	if (!strncmp(host, "tcp://", 6) && host[6] && strlen(host) < sizeof(api->url) - 1 &&
	    !strpbrk(host + 6, "/?#@ ")) {
		snprintf(api->url, sizeof(api->url), "http://%s", host + 6);
		return 0;
	}
	return -EINVAL; /* fd://, ssh://, npipe://: not reachable from here */
}

/* Does the argument p (n bytes, maybe without its NUL: a process may
 * rewrite its command line) start with lit, or (whole) equal it? */
static bool arg_starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && !memcmp(p, lit, l);
}

static bool arg_is(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && arg_starts(p, n, lit);
}

int dockerd_cmdline_api(const char *args, size_t len, struct docker_api *api)
{
	const char *p = args, *end = args + len;

	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));
		const char *v = NULL;
		char arg[256];
		if (arg_starts(p, n, "-H") && n > 2)
			v = p[2] == '=' ? p + 3 : p + 2; /* -Hunix://x, -H=unix://x */
		else if (arg_starts(p, n, "--host="))
			v = p + 7;
		else if ((arg_is(p, n, "-H") || arg_is(p, n, "--host")) && p + n + 1 < end)
			v = p + n + 1;
		if (v) {
			snprintf(arg, sizeof(arg), "%.*s", (int)strnlen(v, (size_t)(end - v)), v);
			if (docker_host_parse(arg, api) == 0) {
				api->source = "dockerd -H";
				return 0;
			}
		}
		p += n + 1;
	}
	return -ENOENT;
}

/* A unix socket that is there, or an http one (not probed here). */
static bool reachable(const struct docker_api *api)
{
	return !api->unix_path[0] || access(api->unix_path, W_OK) == 0;
}

static int cmdline_api(pid_t pid, struct docker_api *api)
{
	char path[64], args[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	args[n] = '\0';
	/* only a dockerd says where its API is with -H */
	const char *base = strrchr(args, '/');
	if (!nst_is_dockerd(base ? base + 1 : args))
		return -ENOENT;
	return dockerd_cmdline_api(args, (size_t)n, api);
}

/* dockerd's -H names a socket in its own mount namespace (a rootless or
 * lab dockerd may have one of its own): reach it through /proc/PID/root
 * when this namespace does not have it. */
static int from_dockerd(pid_t pid, struct docker_api *api)
{
	int r = cmdline_api(pid, api);
	char alt[sizeof(api->unix_path)];

	if (r < 0 || !api->unix_path[0] || access(api->unix_path, W_OK) == 0)
		return r;
	if (snprintf(alt, sizeof(alt), "/proc/%d/root%s", pid, api->unix_path) < (int)sizeof(alt) &&
	    access(alt, W_OK) == 0)
		memcpy(api->unix_path, alt, sizeof(alt));
	return r;
}

int podman_find_api(struct docker_api *api)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char user[160];

	snprintf(user, sizeof(user), "%s/podman/podman.sock", xdg ? xdg : "");
	if ((docker_host_parse("/run/podman/podman.sock", api) == 0 && reachable(api)) ||
	    (xdg && docker_host_parse(user, api) == 0 && reachable(api))) {
		api->source = "podman";
		api->podman = true;
		return 0;
	}
	return -ENOENT;
}

int docker_find_api(const pid_t *pids, int npids, struct docker_api *api)
{
	const char *env = getenv("DOCKER_HOST"), *xdg = getenv("XDG_RUNTIME_DIR");
	char rootless[128];

	if (env && docker_host_parse(env, api) == 0 && reachable(api)) {
		api->source = "DOCKER_HOST";
		return 0;
	}
	for (int i = 0; i < npids; i++)
		if (from_dockerd(pids[i], api) == 0 && reachable(api))
			return 0;
	if (docker_host_parse(DEFAULT_SOCK, api) == 0 && reachable(api)) {
		api->source = "default";
		return 0;
	}
	snprintf(rootless, sizeof(rootless), "%s/docker.sock", xdg ? xdg : "");
	if (xdg && docker_host_parse(rootless, api) == 0 && reachable(api)) {
		api->source = "rootless";
		return 0;
	}
	return -ENOENT;
}

/* Is any network of this container --internal?  Asked once per network id. */
static bool on_internal_net(struct curl_lib *c, const struct docker_api *api, const json_t *summary,
			    json_t *seen)
{
	const json_t *nets = json_object_get(json_object_get(summary, "NetworkSettings"), "Networks");
	const char *k;
	const json_t *v;
	bool internal = false;

	json_object_foreach((json_t *)nets, k, v) {
		const char *id = json_string_value(json_object_get(v, "NetworkID"));
		json_t *known;
		char path[128];
		if (!id || !id[0])
			continue;
		if (!(known = json_object_get(seen, id))) {
			json_t *net;
			snprintf(path, sizeof(path), "/networks/%.64s", id);
			net = api_get(c, api, path);
			known = json_boolean(json_is_true(json_object_get(net, "Internal")));
			json_object_set_new(seen, id, known);
			json_decref(net);
		}
		internal |= json_is_true(known);
	}
	return internal;
}

/* --- containers' namespaces from /proc ----------------------------------- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool cgroup_container_id(const char *text, size_t len, char id[65])
{
	bool found = false;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && is_hex(text[j]))
			j++;
		if (j - i == 64) {
			memcpy(id, text + i, 64);
			id[64] = '\0';
			found = true;
		}
		i = j > i ? j : i + 1;
	}
	return found;
}

/* A running container the API listed, and what /proc says of it. */
struct want {
	char id[65];
	uint64_t ino;             /* its netns, 0 until a process shows it */
	unsigned long long start; /* that process's start time: the earliest wins */
	int pid;                  /* that process */
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct want *)a)->id, ((const struct want *)b)->id);
}

/* Read up to n - 1 bytes of a small /proc file; its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return ~0ull;
	/* after "(comm)": state is field 3, starttime field 22 */
	for (int f = 3; *p && f < 22; p++)
		if (*p == ' ')
			f++;
	return sscanf(p, "%llu", &st) == 1 ? st : ~0ull;
}

/* One pass over /proc: each wanted container's netns, from its earliest
 * process; dockerd's pids (their /run/docker/netns names the sandboxes). */
static void proc_pass(struct want *w, size_t n, pid_t *dockerds, int *ndockerd, int maxd)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	*ndockerd = 0;
	while (d && (de = readdir(d))) {
		char path[64], buf[4096], id[65];
		pid_t pid = (pid_t)atoi(de->d_name);
		struct want key, *hit;
		struct stat st;
		ssize_t len;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (*ndockerd < maxd && read_small(path, buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (nst_is_dockerd(buf))
				dockerds[(*ndockerd)++] = pid;
		}
		snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
		if ((len = read_small(path, buf, sizeof(buf))) <= 0 || !cgroup_container_id(buf, (size_t)len, id))
			continue;
		memcpy(key.id, id, sizeof(id));
		if (!(hit = bsearch(&key, w, n, sizeof(*w), by_id)))
			continue;
		unsigned long long t0 = start_time(pid);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		if (t0 < hit->start && stat(path, &st) == 0) {
			hit->ino = st.st_ino;
			hit->start = t0;
			hit->pid = pid;
		}
	}
	if (d)
		closedir(d);
}

/* dockerd's sandboxes, each netns file's inode and name: in the host's
 * /run/docker/netns and in each dockerd's own view (its mount namespace
 * may hold them alone).  Read once; looked up by inode. */
struct sandboxes {
	struct sandbox {
		uint64_t ino;
		char name[65];
	} *v;
	size_t n, cap;
};

static int by_ino(const void *a, const void *b)
{
	uint64_t x = ((const struct sandbox *)a)->ino, y = ((const struct sandbox *)b)->ino;

	return x < y ? -1 : x > y;
}

static void sandboxes_read(struct sandboxes *sb, const pid_t *dockerds, int nd)
{
	for (int i = -1; i < nd; i++) {
		char dir[96], p[400];
		DIR *d;
		struct dirent *de;
		struct stat st;
		if (i < 0)
			snprintf(dir, sizeof(dir), "/run/docker/netns");
		else
			snprintf(dir, sizeof(dir), "/proc/%d/root/run/docker/netns", dockerds[i]);
		if (!(d = opendir(dir)))
			continue;
		while ((de = readdir(d)) && sb->n < 65536) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (stat(p, &st) < 0)
				continue;
			if (sb->n == sb->cap) {
				size_t cap = sb->cap ? sb->cap * 2 : 64;
				struct sandbox *v = realloc(sb->v, cap * sizeof(*v));
				if (!v)
					break;
				sb->v = v;
				sb->cap = cap;
			}
			sb->v[sb->n].ino = st.st_ino;
			snprintf(sb->v[sb->n++].name, sizeof(sb->v[0].name), "%.64s", de->d_name);
		}
		closedir(d);
	}
	if (sb->n)
		qsort(sb->v, sb->n, sizeof(sb->v[0]), by_ino);
}

/* netns ino's sandbox path, in the /run form; false when none shows it. */
static bool sandbox_path(const struct sandboxes *sb, uint64_t ino, char *out, size_t n)
{
	struct sandbox key = { .ino = ino };
	const struct sandbox *hit = sb->n ? bsearch(&key, sb->v, sb->n, sizeof(key), by_ino) : NULL;

	if (hit)
		snprintf(out, n, "/run/docker/netns/%s", hit->name);
	return hit != NULL;
}

/* Not in a netns of its own: the host's (--network host) or another
 * container's (--network container:X), which is named by that one. */
static bool shares_netns(const json_t *summary)
{
	const char *mode = json_string_value(json_object_get(json_object_get(summary, "HostConfig"),
							    "NetworkMode"));

	return mode && (!strcmp(mode, "host") || !strncmp(mode, "container:", 10));
}

int docker_load(struct containers *t, const struct docker_api *api)
{
	struct curl_lib L, *c = &L;
	json_t *list, *seen;
	struct want *w;
	struct sandboxes sb = { 0 };
	pid_t dockerds[8];
	int added = 0, r, nd = 0;
	size_t i, n;
	json_t *e;

	if (!reachable(api))
		return -ENOENT;
	if ((r = curl_open(&L)) < 0)
		return r;
	list = api_get(c, api, "/containers/json");
	if (!json_is_array(list) || !(w = calloc(json_array_size(list) + 1, sizeof(*w)))) {
		json_decref(list);
		curl_close(&L);
		return -EIO;
	}
	n = 0;
	json_array_foreach(list, i, e) {
		const char *id = json_string_value(json_object_get(e, "Id"));
		if (id && strlen(id) == 64 && !shares_netns(e)) {
			memcpy(w[n].id, id, 65);
			w[n++].start = ~0ull;
		}
	}
	qsort(w, n, sizeof(*w), by_id);
	proc_pass(w, n, dockerds, &nd, (int)(sizeof(dockerds) / sizeof(dockerds[0])));
	sandboxes_read(&sb, dockerds, nd);
	seen = json_object();
	json_array_foreach(list, i, e) {
		struct container ct;
		struct want key, *hit;
		const char *id = json_string_value(json_object_get(e, "Id"));
		if (docker_summary_parse(e, &ct) < 0 || shares_netns(e))
			continue;
		if (api->podman)
			ct.kind = CT_PODMAN;
		ct.internal = on_internal_net(c, api, e, seen);
		snprintf(key.id, sizeof(key.id), "%s", id);
		hit = bsearch(&key, w, n, sizeof(*w), by_id);
		if (hit && hit->ino) {
			ct.netns_ino = hit->ino;
			ct.pid = hit->pid;
			sandbox_path(&sb, hit->ino, ct.netns_path, sizeof(ct.netns_path));
		} else { /* /proc does not show it: asked alone */
			char path[128];
			json_t *ins;
			snprintf(path, sizeof(path), "/containers/%.64s/json", id);
			if ((ins = api_get(c, api, path)))
				fill_from_inspect(&ct, ins);
			json_decref(ins);
		}
		if (ct.netns_ino || ct.netns_path[0]) {
			containers_add(t, &ct);
			added++;
		}
	}
	free(w);
	free(sb.v);
	json_decref(list);
	json_decref(seen);
	curl_close(&L);
	return added;
}

static int scan(struct containers *t, const char *dir, enum ct_kind kind)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int added = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct container ct;
		if (de->d_name[0] == '.')
			continue;
		memset(&ct, 0, sizeof(ct));
		snprintf(ct.netns_path, sizeof(ct.netns_path), "%s/%.100s", dir, de->d_name);
		if (stat(ct.netns_path, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		ct.netns_ino = st.st_ino;
		if (containers_find(t, ct.netns_ino, ct.netns_path))
			continue; /* the API named it already */
		snprintf(ct.name, sizeof(ct.name), "%.63s", de->d_name);
		snprintf(ct.id, sizeof(ct.id), "%.12s", de->d_name);
		ct.kind = kind;
		containers_add(t, &ct);
		added++;
	}
	closedir(d);
	return added;
}

int netns_names_load(struct containers *t)
{
	return scan(t, "/run/netns", CT_NETNS) + scan(t, "/run/docker/netns", CT_SANDBOX);
}
