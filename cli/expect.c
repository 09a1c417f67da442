/* expect.c - see expect.h. */
#include "cli/expect.h"

#include <stdbool.h>
#include <string.h>

#include "analyzers/dns.h"

static const char *const keys[] = { "id", "severity", "result", "upstream", "proto", "netns_path",
				    "qname", "qtype", "asking", "client" };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* The compared fields of a finding, as strings (NULL = none); qt holds the
 * qtype's text, rc the client's rcode. */
static void finding_fields(const struct finding *f, const struct containers *names,
			   const char *v[NKEYS], char qt[16], char rc[16])
{
	const struct container *c = f->relayed ? containers_find(names, f->asker.ino, f->asker.path) : NULL;
	bool query = finding_row(f)->subject == SUBJECT_QUERY;
	bool lookup = finding_row(f)->subject == SUBJECT_LOOKUP;

	v[0] = finding_row(f)->name;
	v[1] = severity_name(f->sev);
	v[2] = query ? result_name(f->result) : NULL;
	v[3] = query ? f->upstream : NULL;
	v[4] = query ? dns_proto_name(f->proto) : NULL;
	v[5] = f->netns.path[0] ? f->netns.path : NULL;
	v[6] = f->ex_qname[0] ? f->ex_qname : NULL;
	v[7] = f->ex_qname[0] ? dns_type_str(f->ex_qtype, qt, 16) : NULL;
	v[8] = c ? c->name : f->relayed && f->asker.path[0] ? f->asker.path : NULL;
	v[9] = !lookup ? NULL : f->client_rcode == ASKED_NOTHING ? "nothing"
		: dns_rcode_str((uint16_t)f->client_rcode, rc, 16);
}

static bool matches(const json_t *e, const struct finding *f, const struct containers *names)
{
	const char *v[NKEYS];
	char qt[16], rc[16];

	finding_fields(f, names, v, qt, rc);
	for (size_t k = 0; k < NKEYS; k++) {
		const json_t *want = json_object_get(e, keys[k]);
		if (!want)
			continue; /* not pinned */
		if (json_is_null(want) ? v[k] != NULL
		    : !json_is_string(want) || !v[k] || strcmp(json_string_value(want), v[k]))
			return false;
	}
	return true;
}

static bool count_ok(const json_t *c, unsigned long n, char *want, size_t wl)
{
	if (!c) {
		snprintf(want, wl, "any");
		return true;
	}
	if (json_is_integer(c)) {
		snprintf(want, wl, "%lld", (long long)json_integer_value(c));
		return (unsigned long)json_integer_value(c) == n;
	}
	long long lo = json_integer_value(json_object_get(c, "min"));
	const json_t *hi = json_object_get(c, "max");
	if (hi)
		snprintf(want, wl, "%lld..%lld", lo, (long long)json_integer_value(hi));
	else
		snprintf(want, wl, ">= %lld", lo);
	return (long long)n >= lo && (!hi || (long long)n <= json_integer_value(hi));
}

static void describe(FILE *out, const char *mark, const char *v[NKEYS], const char *count)
{
	fprintf(out, "%s %s [%s]", mark, v[0] ? v[0] : "*", v[1] ? v[1] : "*");
	if (v[3] || v[4] || v[2])
		fprintf(out, " %s %s result %s", v[4] ? v[4] : "*", v[3] ? v[3] : "*", v[2] ? v[2] : "*");
	fprintf(out, " netns %s", v[5] ? v[5] : "-");
	if (v[8])
		fprintf(out, " asking %s", v[8]);
	if (v[9])
		fprintf(out, " client got %s", v[9]);
	if (v[6])
		fprintf(out, " example %s %s", v[6], v[7] ? v[7] : "");
	fprintf(out, " count %s\n", count);
}

static void expected_fields(const json_t *e, const char *v[NKEYS])
{
	for (size_t k = 0; k < NKEYS; k++)
		v[k] = json_string_value(json_object_get(e, keys[k]));
}

static int validate(const json_t *expect, char *err, size_t errlen)
{
	const json_t *list = json_object_get(expect, "findings");
	size_t i;
	const json_t *e;

	if (!json_is_object(expect) || !json_is_array(list)) {
		snprintf(err, errlen, "expected an object with a \"findings\" array");
		return -1;
	}
	json_array_foreach(list, i, e) {
		const json_t *c = json_object_get(e, "count");
		if (!json_is_object(e) || !json_is_string(json_object_get(e, "id"))) {
			snprintf(err, errlen, "findings[%zu]: needs an \"id\" string", i);
			return -1;
		}
		if (c && !json_is_integer(c) &&
		    !(json_is_object(c) && json_is_integer(json_object_get(c, "min")))) {
			snprintf(err, errlen, "findings[%zu]: count must be a number or {\"min\":N,\"max\":M}", i);
			return -1;
		}
	}
	return 0;
}

int expect_compare(const json_t *expect, const struct findings *fs,
		   const struct containers *names, FILE *out, char *err, size_t errlen)
{
	const json_t *list = json_object_get(expect, "findings"), *e;
	size_t n = findings_count(fs), i;
	bool used[1024] = { false };
	int diff = 0;

	if (validate(expect, err, errlen) < 0)
		return -1;
	json_array_foreach(list, i, e) {
		const char *v[NKEYS];
		char want[64], got[128];
		size_t j;
		expected_fields(e, v);
		for (j = 0; j < n && j < 1024; j++)
			if (!used[j] && matches(e, findings_get(fs, j), names))
				break;
		count_ok(json_object_get(e, "count"), 0, want, sizeof(want));
		if (j == n || j == 1024) {
			describe(out, "- missing:   ", v, want);
			diff = 1;
			continue;
		}
		used[j] = true;
		if (!count_ok(json_object_get(e, "count"), findings_get(fs, j)->count, want, sizeof(want))) {
			snprintf(got, sizeof(got), "%lu (expected %.63s)", findings_get(fs, j)->count, want);
			describe(out, "~ count:     ", v, got);
			diff = 1;
		}
	}
	if (!json_is_true(json_object_get(expect, "allow_extra"))) {
		for (i = 0; i < n && i < 1024; i++) {
			const char *v[NKEYS];
			char got[32], qt[16], rc[16];
			if (used[i])
				continue;
			finding_fields(findings_get(fs, i), names, v, qt, rc);
			snprintf(got, sizeof(got), "%lu", findings_get(fs, i)->count);
			describe(out, "+ unexpected:", v, got);
			diff = 1;
		}
	}
	return diff;
}

json_t *expect_from_findings(const struct findings *fs, const struct containers *names)
{
	json_t *list = json_array();

	for (size_t i = 0; i < findings_count(fs); i++) {
		const char *v[NKEYS];
		char qt[16], rc[16];
		json_t *e = json_object();
		finding_fields(findings_get(fs, i), names, v, qt, rc);
		for (size_t k = 0; k < NKEYS; k++)
			json_object_set_new(e, keys[k], v[k] ? json_string(v[k]) : json_null());
		json_object_set_new(e, "count", json_integer((json_int_t)findings_get(fs, i)->count));
		json_array_append_new(list, e);
	}
	return json_pack("{s:o, s:b}", "findings", list, "allow_extra", 0);
}
