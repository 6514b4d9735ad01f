/*
 * options.h -- puffsnode-fuse's command line.
 */
#ifndef PNFUSE_OPTIONS_H
#define PNFUSE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROG	"puffsnode-fuse"

struct options {
	const char	*backing;
	const char	*mountpoint;
	bool		 foreground;
	bool		 debug;
	bool		 shrink;
	size_t		 maxvnodes;
	unsigned	 threads;
	double		 timeout;
	double		 groups_timeout;	/* callers' groups cached */
	char		*fuseopts;	/* -o, comma-joined */
};

void	usage(FILE *fp);
/* 0: go on; 1: exit 0 (help, version); -1: usage error. */
int	parse_args(int argc, char **argv, struct options *o);

#endif /* !PNFUSE_OPTIONS_H */
