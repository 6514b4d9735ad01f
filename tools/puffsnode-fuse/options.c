/*
 * options.c -- puffsnode-fuse's command line: its own options, the FUSE
 * mount options (-o) gathered for libfuse.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fuse_lowlevel.h>

#include <puffsnode/puffsnode.h>

#include "options.h"


void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: " PROG " [-fdhV] [-o opt[,opt...]] [--maxvnodes N] "
	    "[--threads N]\n"
	    "           [--timeout SEC] [--groups-timeout SEC] [--shrink] "
	    "BACKING MOUNTPOINT\n"
	    "  -f               stay in the foreground\n"
	    "  -d               FUSE debug output (implies -f)\n"
	    "  -o opt,...       FUSE mount options (allow_other, ro, ...)\n"
	    "  --maxvnodes N    vnodes kept before inactive ones are "
	    "reclaimed (default 1024)\n"
	    "  --threads N      idle worker threads of the multi-threaded "
	    "loop; 1: single-threaded\n"
	    "                   (default 4)\n"
	    "  --timeout SEC    entry and attribute timeout in the kernel "
	    "(default 1.0)\n"
	    "  --groups-timeout SEC\n"
	    "                   how long a caller's supplementary groups are "
	    "cached\n"
	    "                   (default 1.0; 0: read on every request)\n"
	    "  --shrink         ask the kernel to drop entries while it "
	    "holds more than\n"
	    "                   maxvnodes node ids\n");
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' ||
	    v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
add_opt(struct options *o, const char *opt)
{
	size_t len = o->fuseopts == NULL ? 0 : strlen(o->fuseopts);
	char *p;

	if ((p = realloc(o->fuseopts, len + strlen(opt) + 2)) == NULL)
		return -1;
	if (len > 0)
		p[len++] = ',';
	strcpy(p + len, opt);
	o->fuseopts = p;
	return 0;
}

/* Seconds, 0 to a day. */
static int
parse_secs(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' ||
	    !(v >= 0.0 && v <= 86400.0))
		return -1;
	*out = v;
	return 0;
}

static int
bad(const char *opt, const char *arg)
{
	fprintf(stderr, PROG ": bad --%s: %s\n", opt, arg);
	return -1;
}

/* One option: 0 go on, 1 exit 0, -1 usage error. */
static int
parse_one(int ch, const char *arg, struct options *o)
{
	size_t n;

	switch (ch) {
	case 'f':
		o->foreground = true;
		return 0;
	case 'd':
		o->debug = o->foreground = true;
		return 0;
	case 'o':
		return add_opt(o, arg) != 0 ? -1 : 0;
	case 'm':
		if (parse_size(arg, &o->maxvnodes) != 0 || o->maxvnodes == 0)
			return bad("maxvnodes", arg);
		return 0;
	case 't':
		if (parse_size(arg, &n) != 0 || n == 0 || n > 1024)
			return bad("threads", arg);
		o->threads = (unsigned)n;
		return 0;
	case 'T':
		return parse_secs(arg, &o->timeout) != 0 ?
		    bad("timeout", arg) : 0;
	case 'G':
		return parse_secs(arg, &o->groups_timeout) != 0 ?
		    bad("groups-timeout", arg) : 0;
	case 'S':
		o->shrink = true;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		printf(PROG " %s (libfuse %s)\n", pn_version(),
		    fuse_pkgversion());
		return 1;
	default:
		return -1;
	}
}

int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "maxvnodes", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "groups-timeout", required_argument, NULL, 'G' },
		{ "shrink", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, r;

	memset(o, 0, sizeof(*o));
	o->maxvnodes = 1024;
	o->threads = 4;
	o->timeout = 1.0;
	o->groups_timeout = 1.0;
	while ((ch = getopt_long(argc, argv, "fdo:hV", longopts, NULL)) != -1)
		if ((r = parse_one(ch, optarg, o)) != 0)
			return r;
	if (argc - optind != 2)
		return -1;
	o->backing = argv[optind];
	o->mountpoint = argv[optind + 1];
	return 0;
}
