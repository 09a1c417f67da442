/* version.h - nstrace's version, as --version, recordings, the JSON
 * summary and pcapng files give it. */
#ifndef NST_VERSION_H
#define NST_VERSION_H

#define NST_VERSION "0.3.0"

#endif
