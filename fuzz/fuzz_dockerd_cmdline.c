/* fuzz_dockerd_cmdline.c - what /proc says of processes, as names/ reads
 * it: a dockerd command line as /proc/PID/cmdline holds it (NUL-ended
 * arguments, any bytes): the -H/--host the tool would use to reach the
 * Docker API, each argument as a DOCKER_HOST; and the same bytes as a
 * /proc/PID/cgroup, for the container id in it. */
#include "names/docker.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct docker_api api;
	char *s = malloc(size + 1), id[65];

	if (!s)
		return 0;
	(void)dockerd_cmdline_api((const char *)data, size, &api);
	(void)cgroup_container_id((const char *)data, size, id);
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; i < size; i += strlen(s + i) + 1)
		(void)docker_host_parse(s + i, &api);
	free(s);
	return 0;
}
