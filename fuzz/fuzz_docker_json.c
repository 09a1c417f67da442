/* fuzz_docker_json.c - Docker Engine API answers: GET /containers/json
 * entries and GET /containers/ID/json, as names/docker.c reads them. */
#include "names/docker.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	struct container ct;
	size_t i;
	json_t *e;

	if (json_is_array(j))
		json_array_foreach(j, i, e)
			if (docker_summary_parse(e, &ct) == 0)
				(void)docker_inspect_parse(e, &ct);
	if (json_is_object(j)) {
		memset(&ct, 0, sizeof(ct));
		(void)docker_inspect_parse(j, &ct);
		(void)docker_summary_parse(j, &ct);
	}
	json_decref(j);
	return 0;
}
