/* docker.c - see docker.h. */
#define _GNU_SOURCE
#include "names/docker.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/containers.h"

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

/* GET path; the parsed JSON body, or NULL. */
static json_t *api_get(CURL *c, const char *sock, const char *path)
{
	struct body b = { NULL, 0 };
	char url[256];
	long code = 0;
	json_t *j = NULL;

	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(c) == CURLE_OK &&
	    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200 && b.p)
		j = json_loadb(b.p, b.n, 0, NULL);
	free(b.p);
	return j;
}

/* "/var/run/x" and "/run/x" are one file: keep the /run form, as -y shows. */
static void norm_path(const char *in, char *out, size_t n)
{
	snprintf(out, n, "%s", !strncmp(in, "/var/run/", 9) ? in + 4 : in);
}

static void fill_from_inspect(struct container *c, const json_t *ins)
{
	const json_t *ns = json_object_get(ins, "NetworkSettings");
	const char *key = json_string_value(json_object_get(ns, "SandboxKey"));
	const json_t *pid = json_object_get(json_object_get(ins, "State"), "Pid");
	struct stat st;
	char p[64];

	if (key && key[0]) {
		norm_path(key, c->netns_path, sizeof(c->netns_path));
		if (stat(c->netns_path, &st) == 0)
			c->netns_ino = st.st_ino;
	}
	if (!c->netns_ino && json_is_integer(pid) && json_integer_value(pid) > 0) {
		snprintf(p, sizeof(p), "/proc/%lld/ns/net", (long long)json_integer_value(pid));
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

int docker_load(struct containers *t, const char *sock)
{
	static int inited; /* curl_global_init: once per process, by libcurl's rules */
	json_t *list;
	CURL *c;
	size_t i;
	json_t *e;
	int added = 0;

	if (!sock)
		sock = DEFAULT_SOCK;
	if (access(sock, W_OK) < 0)
		return -errno;
	if (!inited) {
		curl_global_init(CURL_GLOBAL_NOTHING);
		inited = 1;
	}
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	list = api_get(c, sock, "/containers/json");
	if (!json_is_array(list)) {
		json_decref(list);
		curl_easy_cleanup(c);
		return -EIO;
	}
	json_array_foreach(list, i, e) {
		struct container ct;
		const char *id = json_string_value(json_object_get(e, "Id"));
		const char *name = json_string_value(json_array_get(json_object_get(e, "Names"), 0));
		char path[128];
		json_t *ins;
		if (!id || strlen(id) < 12)
			continue;
		memset(&ct, 0, sizeof(ct));
		snprintf(ct.id, sizeof(ct.id), "%.12s", id);
		snprintf(ct.name, sizeof(ct.name), "%s", name ? name + (name[0] == '/') : ct.id);
		snprintf(ct.kind, sizeof(ct.kind), "docker");
		first_ip(e, ct.ip, sizeof(ct.ip));
		snprintf(path, sizeof(path), "/containers/%.64s/json", id);
		ins = api_get(c, sock, path);
		if (ins)
			fill_from_inspect(&ct, ins);
		json_decref(ins);
		if (ct.netns_ino || ct.netns_path[0]) {
			containers_add(t, &ct);
			added++;
		}
	}
	json_decref(list);
	curl_easy_cleanup(c);
	return added;
}

static int scan(struct containers *t, const char *dir, const char *kind)
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
		snprintf(ct.kind, sizeof(ct.kind), "%s", kind);
		containers_add(t, &ct);
		added++;
	}
	closedir(d);
	return added;
}

int netns_names_load(struct containers *t)
{
	return scan(t, "/run/netns", "netns") + scan(t, "/run/docker/netns", "sandbox");
}
