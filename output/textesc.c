/* textesc.c - see textesc.h. */
#include "output/textesc.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The length of the UTF-8 sequence at p (1..4) when it is valid and not
 * a C1 control (U+0080..U+009F), else 0. */
static size_t utf8_len(const uint8_t *p)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;

	if (!len || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0; /* C1: 8-bit terminal controls (0x9b is CSI) */
	if ((len == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (len == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
	    (len == 4 && p[0] == 0xf4 && p[1] >= 0x90) || (len == 3 && p[0] == 0xed && p[1] >= 0xa0))
		return 0; /* overlong, past U+10FFFF, surrogates */
	return len;
}

const char *text_esc(char *buf, size_t n, const char *s)
{
	static const char hex[] = "01234567";
	const uint8_t *p = (const uint8_t *)s;
	size_t o = 0;

	while (*p) {
		char e[5];
		size_t k = 0, u = 0;
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == '\\') {
			e[k++] = '\\';
			e[k++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r' : '\\';
		} else if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && !(u = utf8_len(p)))) {
			e[k++] = '\\';
			e[k++] = hex[*p >> 6];
			e[k++] = hex[(*p >> 3) & 7];
			e[k++] = hex[*p & 7];
		}
		if (k) {
			if (o + k >= n)
				break;
			memcpy(buf + o, e, k);
			o += k;
			p++;
			continue;
		}
		u = u ? u : 1;
		if (o + u >= n)
			break;
		memcpy(buf + o, p, u);
		o += u;
		p += u;
	}
	buf[o] = '\0';
	return buf;
}
