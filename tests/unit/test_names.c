/* test_names.c - finding the Docker Engine API: DOCKER_HOST forms, a
 * dockerd's own -H, and the order they are tried in. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "names/docker.h"
#include "tests/unit/unit.h"

static void host_forms(void)
{
	struct docker_api api;
	char longp[200];

	CHECK(docker_host_parse("unix:///run/user/1000/docker.sock", &api) == 0);
	CHECK_STR(api.unix_path, "/run/user/1000/docker.sock");
	CHECK_STR(api.url, "http://localhost");
	CHECK(docker_host_parse("/var/run/docker.sock", &api) == 0);
	CHECK_STR(api.unix_path, "/var/run/docker.sock");
	CHECK(docker_host_parse("tcp://198.51.100.7:2375", &api) == 0);
	CHECK_STR(api.unix_path, "");
	CHECK_STR(api.url, "http://198.51.100.7:2375");
	/* what nstrace cannot reach is refused, not guessed at */
	CHECK(docker_host_parse("fd://", &api) == -EINVAL);
	CHECK(docker_host_parse("ssh://me@host", &api) == -EINVAL);
	CHECK(docker_host_parse("npipe:////./pipe/docker_engine", &api) == -EINVAL);
	CHECK(docker_host_parse("tcp://", &api) == -EINVAL);
	CHECK(docker_host_parse("tcp://h:1/path", &api) == -EINVAL);
	CHECK(docker_host_parse("", &api) == -EINVAL);
	CHECK(docker_host_parse(NULL, &api) == -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK(docker_host_parse(longp, &api) == -EINVAL); /* over sun_path */
}

#define ARGS(s) s, sizeof(s) - 1

static void cmdline_forms(void)
{
	struct docker_api api;

	CHECK(dockerd_cmdline_api(ARGS("dockerd\0-H\0fd://\0-H\0unix:///x.sock\0"), &api) == 0);
	CHECK_STR(api.unix_path, "/x.sock"); /* the first one nstrace can reach */
	CHECK_STR(api.source, "dockerd -H");
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0--host=tcp://127.0.0.1:2375\0"), &api) == 0);
	CHECK_STR(api.url, "http://127.0.0.1:2375");
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0--host\0/y.sock\0"), &api) == 0);
	CHECK_STR(api.unix_path, "/y.sock");
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0-H=unix:///z.sock\0"), &api) == 0);
	CHECK_STR(api.unix_path, "/z.sock");
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0-Hunix:///w.sock\0"), &api) == 0);
	CHECK_STR(api.unix_path, "/w.sock");
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0--debug\0-H\0"), &api) == -ENOENT);
	CHECK(dockerd_cmdline_api(ARGS("dockerd\0--data-root\0/d\0"), &api) == -ENOENT);
	/* a value cut off at the end of the buffer is read only as far as it goes */
	CHECK(dockerd_cmdline_api("dockerd\0-H\0/abc", 15, &api) == 0);
	/* so is an option cut there, its NUL gone (a rewritten command line):
	 * a heap copy, so that the sanitizer sees a read past it */
	char *cut = malloc(12);
	memcpy(cut, "dockerd\0--ho", 12);
	CHECK(dockerd_cmdline_api(cut, 12, &api) == -ENOENT);
	free(cut);
	CHECK_STR(api.unix_path, "/abc");
}

/* A process's container from its cgroup, whatever the driver names it. */
static void cgroup_ids(void)
{
	const char *id = "8f2a6f0c1b7d4e9a8f2a6f0c1b7d4e9a8f2a6f0c1b7d4e9a8f2a6f0c1b7d4e9a";
	char line[512], got[65];

	snprintf(line, sizeof(line), "0::/system.slice/docker-%s.scope\n", id);
	CHECK(cgroup_container_id(line, strlen(line), got) && !strcmp(got, id));
	snprintf(line, sizeof(line), "0::/docker/%s\n", id);
	CHECK(cgroup_container_id(line, strlen(line), got) && !strcmp(got, id));
	snprintf(line, sizeof(line), "0::/machine.slice/libpod-%s.scope/container\n", id);
	CHECK(cgroup_container_id(line, strlen(line), got) && !strcmp(got, id));
	/* v1: many lines; a pod's uid is not 64 hex digits, its container's is */
	snprintf(line, sizeof(line), "12:pids:/kubepods/besteffort/pod1f2e3d4c-aaaa-bbbb-cccc-0123456789ab/%s\n"
		 "1:name=systemd:/kubepods/besteffort/pod1f2e3d4c-aaaa-bbbb-cccc-0123456789ab/%s\n", id, id);
	CHECK(cgroup_container_id(line, strlen(line), got) && !strcmp(got, id));
	snprintf(line, sizeof(line), "0::/user.slice/user-0.slice/session-1.scope\n");
	CHECK(!cgroup_container_id(line, strlen(line), got));
	/* 65 hex digits is no id; 63 neither */
	snprintf(line, sizeof(line), "0::/docker/%sa", id);
	CHECK(!cgroup_container_id(line, strlen(line), got));
	snprintf(line, sizeof(line), "0::/docker/%.63s", id);
	CHECK(!cgroup_container_id(line, strlen(line), got));
}

/* A process whose command line is a dockerd's: sh run as "dockerd". */
static pid_t fake_dockerd(const char *host)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "/usr/sbin/dockerd", "-c", "sleep 10; :", "-H", host, (char *)NULL);
		_exit(127);
	}
	usleep(100000);
	return pid;
}

static void lookup_order(void)
{
	char dir[] = "/tmp/nst-names-XXXXXX", a[128], b[128], h[160];
	struct docker_api api;
	pid_t pid;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/env.sock", dir);
	snprintf(b, sizeof(b), "%s/dockerd.sock", dir);
	CHECK((fd = open(a, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	CHECK((fd = open(b, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	snprintf(h, sizeof(h), "unix://%s", b);
	pid = fake_dockerd(h);

	setenv("DOCKER_HOST", a, 1);
	CHECK(docker_find_api(&pid, 1, &api) == 0);
	CHECK_STR(api.source, "DOCKER_HOST"); /* first */
	CHECK_STR(api.unix_path, a);
	setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock", 1);
	CHECK(docker_find_api(&pid, 1, &api) == 0);
	CHECK_STR(api.source, "dockerd -H"); /* a socket that is not there is passed over */
	CHECK_STR(api.unix_path, b);
	unsetenv("DOCKER_HOST");
	CHECK(docker_find_api(&pid, 1, &api) == 0);
	CHECK_STR(api.source, "dockerd -H");
	/* not a dockerd: its -H means nothing */
	{
		pid_t self = getpid();
		if (docker_find_api(&self, 1, &api) == 0)
			CHECK(strcmp(api.source, "dockerd -H"));
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(a);
	unlink(b);
	rmdir(dir);
}

int main(void)
{
	RUN(host_forms, "DOCKER_HOST forms: unix:// and plain paths, tcp:// as http; fd://, ssh://, npipe:// and oversized paths refused");
	RUN(cmdline_forms, "a dockerd's -H/--host in every spelling, the first reachable one, a cut-off value read safely");
	RUN(cgroup_ids, "a container's id is read from its processes' cgroups: systemd and cgroupfs drivers, podman, kubepods, v1 lines; 63 or 65 hex digits are not one");
	RUN(lookup_order, "the API is looked for in DOCKER_HOST, then the traced dockerd's -H; missing sockets and non-dockerd processes are passed over");
	return UNIT_DONE();
}
