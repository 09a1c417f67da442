/* test_json.c - the per-event JSON writer: jansson's compact output, byte
 * for byte, without a jansson tree per event. */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"
#include "output/events.h"
#include "import/recreader.h"
#include "tests/unit/unit.h"

static void strings_escape_as_jansson_does(void)
{
	struct jw w = { 0 };
	char s[2], *ref;

	for (int c = 1; c < 0x80; c++) { /* every ASCII byte, alone */
		s[0] = (char)c;
		s[1] = '\0';
		jw_reset(&w);
		jw_str(&w, s);
		json_t *j = json_string(s);
		ref = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		CHECK(ref && w.len == strlen(ref) && !memcmp(w.p, ref, w.len));
		free(ref);
		json_decref(j);
	}
	jw_reset(&w);
	jw_str(&w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"); /* valid UTF-8 passes as is */
	CHECK(w.len == 16 && !memcmp(w.p, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"", 16));
	jw_free(&w);
}

static void invalid_utf8_becomes_replacement(void)
{
	static const char *bad[] = { "a\xff", "\xc3", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80",
				     "\xf4\x90\x80\x80", "x\x80y" };
	struct jw w = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		jw_reset(&w);
		jw_str(&w, bad[i]);
		json_t *j = json_loadb(w.p, w.len, JSON_DECODE_ANY, NULL);
		CHECK(j != NULL); /* valid JSON, valid UTF-8 */
		CHECK(j && strstr(json_string_value(j), "\xef\xbf\xbd"));
		json_decref(j);
	}
	jw_free(&w);
}

static void nesting_and_separators(void)
{
	struct jw w = { 0 };

	jw_reset(&w);
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_arr_begin(&w);
	jw_int(&w, -1);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_null(&w);
	jw_arr_end(&w);
	jw_key(&w, "b");
	jw_bool(&w, true);
	jw_key(&w, "c");
	jw_str_or_null(&w, NULL);
	jw_obj_end(&w);
	CHECK(w.len == strlen("{\"a\":[-1,{},null],\"b\":true,\"c\":null}") &&
	      !memcmp(w.p, "{\"a\":[-1,{},null],\"b\":true,\"c\":null}", w.len));
	jw_free(&w);
}

/* Every event line of every recorded fixture (real dockerd, written by the
 * jansson tree this writer replaced) reads back and prints identically. */
static void fixture_events_reprint_identically(void)
{
	static struct rec_reader r;
	struct containers names = { 0 };
	struct jw w = { 0 };
	struct nst_event ev;
	struct dirent *de;
	int files = 0, events = 0;
	DIR *d = opendir("fixtures");
	char path[512], *line = NULL;
	size_t cap = 0;
	ssize_t n;

	CHECK(d != NULL);
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "fixtures/%s", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		files++;
		memset(&r, 0, sizeof(r));
		containers_free(&names);
		r.names = &names; /* the header's names print in the events again */
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] == '\n')
				line[--n] = '\0';
			if (rec_read_line(&r, line, (size_t)n, &ev) != REC_EVENT)
				continue;
			events++;
			CHECK(print_event_json(&w, &ev, &names) == 0);
			if (w.len != (size_t)n || memcmp(w.p, line, w.len)) {
				fprintf(stderr, "  %s: differs:\n  %s\n  %.*s\n", path, line,
					(int)w.len, w.p);
				unit_failed_checks++;
				break;
			}
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	free(line);
	jw_free(&w);
	containers_free(&names);
	CHECK(files >= 3 && events >= 100);
}

int main(void)
{
	RUN(strings_escape_as_jansson_does, "every ASCII byte and valid UTF-8 encode as jansson's");
	RUN(invalid_utf8_becomes_replacement, "invalid UTF-8 becomes U+FFFD, the line stays valid JSON");
	RUN(nesting_and_separators, "objects, arrays and scalars nest with the right separators");
	RUN(fixture_events_reprint_identically,
	    "recorded events from real dockerd print back byte for byte");
	return UNIT_DONE();
}
