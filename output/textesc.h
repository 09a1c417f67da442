/* textesc.h - what a tracee controls (its comm, paths, container and
 * symbol names, firewall rule comments), made safe for a terminal and for
 * a report that is read line by line, as strace prints strings.
 *
 * Pure. */
#ifndef NST_TEXTESC_H
#define NST_TEXTESC_H

#include <stddef.h>

/* s as the text report prints it, into buf (n > 0 bytes): \n \t \r \\ for
 * those, \ooo for every other control byte (ESC, DEL, C1 controls) and
 * for bytes that are not UTF-8; UTF-8 text is kept.  Cut at a whole
 * escape to fit n.  Returns buf. */
const char *text_esc(char *buf, size_t n, const char *s);

#endif
