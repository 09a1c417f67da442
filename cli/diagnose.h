/* diagnose.h - `nstrace diagnose TARGET [NAME...]`: why a container (a
 * pid, an ip netns, a netns path) cannot resolve. */
#ifndef NST_DIAGNOSE_H
#define NST_DIAGNOSE_H

/* argv[0] is "diagnose".  Exit status: 0 every NAME resolved, 1 one did
 * not, 2 bad input. */
int diagnose_main(int argc, char **argv);

#endif
