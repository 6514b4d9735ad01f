/*
 * puffsnode-fuse -- mount a directory through puffsnode.
 *
 *	puffsnode-fuse [-fd] [-o opt,...] [--maxvnodes N] [--threads N]
 *	    [--timeout SEC] BACKING MOUNTPOINT
 *
 * NetBSD's perfuse runs FUSE file systems under puffs; this is the other
 * way round.  Linux is the VFS above, libpuffsnode-sim's vnode layer and
 * puffsnode's node layer play the puffs kernel side, and a passthrough
 * server over BACKING plays the puffs file server (server.c).  The FUSE
 * operations are in bridge.c.
 *
 * Shutdown.  When the file system is unmounted (fusermount3 -u, umount)
 * or the daemon gets SIGTERM, SIGINT or SIGHUP, the session loop ends,
 * the mount is taken down, and the kernel's outstanding lookups are given
 * back (the kernel sends no FORGET at unmount).  The simulator then
 * unmounts: every vnode is reclaimed, each reclaim telling the server to
 * forget its node.  The statistics go to standard error; the exit status
 * is 0 only if nothing leaked: no node in the pool, no vnode, no server
 * node, no broken invariant.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"

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
	char		*fuseopts;	/* -o, comma-joined */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: " PROG " [-fdhV] [-o opt[,opt...]] [--maxvnodes N] "
	    "[--threads N]\n"
	    "           [--timeout SEC] [--shrink] BACKING MOUNTPOINT\n"
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

/* 0: go on; 1: exit 0 (help, version); -1: usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "maxvnodes", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "shrink", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t n;
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->maxvnodes = 1024;
	o->threads = 4;
	o->timeout = 1.0;
	while ((ch = getopt_long(argc, argv, "fdo:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = o->foreground = true;
			break;
		case 'o':
			if (add_opt(o, optarg) != 0)
				return -1;
			break;
		case 'm':
			if (parse_size(optarg, &o->maxvnodes) != 0 ||
			    o->maxvnodes == 0) {
				fprintf(stderr, PROG ": bad --maxvnodes: %s\n",
				    optarg);
				return -1;
			}
			break;
		case 't':
			if (parse_size(optarg, &n) != 0 || n == 0 ||
			    n > 1024) {
				fprintf(stderr, PROG ": bad --threads: %s\n",
				    optarg);
				return -1;
			}
			o->threads = (unsigned)n;
			break;
		case 'T':
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(o->timeout >= 0.0 && o->timeout <= 86400.0)) {
				fprintf(stderr, PROG ": bad --timeout: %s\n",
				    optarg);
				return -1;
			}
			break;
		case 'S':
			o->shrink = true;
			break;
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
	if (argc - optind != 2)
		return -1;
	o->backing = argv[optind];
	o->mountpoint = argv[optind + 1];
	return 0;
}

/* Node descriptors and open files: allow as many as we may. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The server's cached node descriptors: half the limit, the rest for open files. */
static size_t
maxopen(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 4096;
	return rl.rlim_cur / 2 > 64 ? (size_t)(rl.rlim_cur / 2) : 64;
}

static void
forget_cb(void *arg, pn_cookie_t cookie, uint64_t nlookup)
{
	struct bridge *br = arg;

	fsrv_forget(br->br_srv, cookie, nlookup);
}

static int
run_session(struct bridge *br, const struct options *o, const char *argv0)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se;
	char fsname[PATH_MAX + 64];
	int ret = -1;

	snprintf(fsname, sizeof(fsname), "subtype=puffsnode%s%s",
	    strchr(o->backing, ',') == NULL ? ",fsname=" : "",
	    strchr(o->backing, ',') == NULL ? o->backing : "");
	if (fuse_opt_add_arg(&args, argv0) != 0 ||
	    fuse_opt_add_arg(&args, "-o") != 0 ||
	    fuse_opt_add_arg(&args, fsname) != 0 ||
	    (geteuid() != 0 &&	/* the server cannot switch ids */
	    (fuse_opt_add_arg(&args, "-o") != 0 ||
	    fuse_opt_add_arg(&args, "default_permissions") != 0)) ||
	    (o->fuseopts != NULL && (fuse_opt_add_arg(&args, "-o") != 0 ||
	    fuse_opt_add_arg(&args, o->fuseopts) != 0)) ||
	    (o->debug && fuse_opt_add_arg(&args, "-d") != 0)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if ((se = fuse_session_new(&args, &bridge_ops, sizeof(bridge_ops),
	    br)) == NULL)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto destroy;
	if (fuse_session_mount(se, o->mountpoint) != 0)
		goto handlers;
	if (fuse_daemonize(o->foreground) != 0)
		goto unmount;
	br->br_se = se;
	br->br_klimit = o->shrink ? o->maxvnodes : 0;
	if (bridge_shrinker_start(br) != 0) {
		fprintf(stderr, PROG ": cannot start the shrinker\n");
		goto unmount;
	}
	if (o->threads <= 1) {
		ret = fuse_session_loop(se);
	} else {
		struct fuse_loop_config cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.clone_fd = 0;
		cfg.max_idle_threads = o->threads;
		ret = fuse_session_loop_mt(se, &cfg);
	}
	bridge_shrinker_stop(br);
unmount:
	fuse_session_unmount(se);
handlers:
	fuse_remove_signal_handlers(se);
destroy:
	fuse_session_destroy(se);
out:
	fuse_opt_free_args(&args);
	return ret;
}

int
main(int argc, char **argv)
{
	struct pn_sim_config cfg;
	struct pn_sim_client cl;
	struct pn_sim_stats sm, s0, s1;
	struct pn_table_stats ts;
	struct pn_pool_stats ps;
	struct fsrv_stats fs;
	struct bridge *br;
	struct options o;
	struct stat st;
	size_t held, left;
	int error, ret, leak = 0;

	if ((ret = parse_args(argc, argv, &o)) != 0) {
		if (ret < 0)
			usage(stderr);
		free(o.fuseopts);
		return ret < 0 ? 2 : 0;
	}
	umask(0);	/* the kernel applied the caller's umask already */
	raise_nofile();
	if ((br = calloc(1, sizeof(*br))) == NULL ||
	    bridge_init(br) != 0) {
		fprintf(stderr, PROG ": out of memory\n");
		free(o.fuseopts);
		return 1;
	}
	br->br_timeout = o.timeout;
	if ((error = fsrv_init(o.backing, maxopen(), &br->br_srv)) != 0 ||
	    (error = fsrv_getattr(br->br_srv, fsrv_root(br->br_srv),
	    &st)) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", o.backing, strerror(error));
		free(o.fuseopts);
		return 1;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = o.maxvnodes;
	cfg.loglevel = PN_LOG_WARN;
	cfg.flags = PN_SIM_NAMECACHE;
	memset(&cl, 0, sizeof(cl));
	cl.version = PN_SIM_CLIENT_VERSION;
	cl.root_cookie = fsrv_root(br->br_srv);
	cl.root_type = fsrv_vtype(st.st_mode);
	cl.root_size = (int64_t)st.st_size;
	cl.forget = forget_cb;
	cl.arg = br;
	if ((error = pn_sim_init_client(&cfg, &cl, &br->br_sim)) != PN_OK ||
	    (error = pn_sim_root(br->br_sim, &br->br_root)) != PN_OK) {
		fprintf(stderr, PROG ": simulator: %s\n", pn_strerror(error));
		free(o.fuseopts);
		return 1;
	}
	br->br_mp = pn_sim_mount(br->br_sim);

	ret = run_session(br, &o, argv[0]);

	/* The kernel is gone: give back its lookups, then the root. */
	pn_sim_stats(br->br_sim, &sm);
	held = bridge_release_all(br);
	pn_sim_vrele(br->br_sim, br->br_root);
	br->br_root = NULL;
	pn_sim_stats(br->br_sim, &s0);
	pn_table_stats(br->br_mp, &ts);
	if ((error = pn_sim_unmount(br->br_sim, false)) != PN_OK) {
		fprintf(stderr, PROG ": unmount: %s\n", pn_strerror(error));
		leak = 1;
		(void)pn_sim_unmount(br->br_sim, true);
	}
	pn_sim_stats(br->br_sim, &s1);
	ps = s1.final_pool;
	if ((error = pn_sim_fini(br->br_sim)) != PN_OK) {
		fprintf(stderr, PROG ": simulator: %s\n", pn_strerror(error));
		leak = 1;
	}
	fsrv_forget(br->br_srv, fsrv_root(br->br_srv), 1);	/* the mount's */
	fsrv_stats(br->br_srv, &fs);

	fprintf(stderr,
	    PROG ": vnodes: built %llu, reclaimed %llu (%llu while mounted, "
	    "%llu when the kernel's lookups were given back, %llu at "
	    "unmount), high water %zu, maxvnodes %zu\n",
	    (unsigned long long)s1.built, (unsigned long long)s1.reclaimed,
	    (unsigned long long)sm.reclaimed,
	    (unsigned long long)(s0.reclaimed - sm.reclaimed),
	    (unsigned long long)(s1.reclaimed - s0.reclaimed),
	    s1.vnodes_high, s1.maxvnodes);
	fprintf(stderr,
	    PROG ": kernel: lookups %llu, forgets %llu (%llu lookups, %llu "
	    "node ids released), node ids held at unmount %zu, requests "
	    "%llu; shrinker: %llu rounds, %llu entries dropped\n",
	    (unsigned long long)br->br_st.klookups,
	    (unsigned long long)br->br_st.kforgets,
	    (unsigned long long)br->br_st.kforgotten,
	    (unsigned long long)br->br_st.kreleased, held,
	    (unsigned long long)br->br_st.requests,
	    (unsigned long long)br->br_st.shrink_rounds,
	    (unsigned long long)br->br_st.shrink_invals);
	fprintf(stderr,
	    PROG ": name cache: hits %llu, misses %llu, stale %llu, entered "
	    "%llu, purged %llu; vget of dying vnodes %llu, reactivated %llu\n",
	    (unsigned long long)s1.nc_hits, (unsigned long long)s1.nc_misses,
	    (unsigned long long)s1.nc_stale, (unsigned long long)s1.nc_enters,
	    (unsigned long long)s1.nc_purged,
	    (unsigned long long)s1.vget_dying,
	    (unsigned long long)s1.reactivated);
	fprintf(stderr,
	    PROG ": table: %zu entries, %zu buckets, longest probe %zu, "
	    "resizes %llu\n", ts.entries, ts.buckets, ts.longest_probe,
	    (unsigned long long)ts.resizes);
	fprintf(stderr,
	    PROG ": pool: high water %zu, allocs %llu, frees %llu, in use "
	    "%zu, slabs %zu\n", ps.high_water, (unsigned long long)ps.allocs,
	    (unsigned long long)ps.frees, ps.in_use, ps.slabs);
	fprintf(stderr,
	    PROG ": server: lookups %llu, forgets %llu, nodes dropped %llu, "
	    "cookies reused %llu, high water %zu, denied %llu, stale %llu, "
	    "descriptors reopened %llu, closed %llu, nodes held %zu, lookups "
	    "outstanding %llu\n",
	    (unsigned long long)fs.lookups, (unsigned long long)fs.forgets,
	    (unsigned long long)fs.dropped, (unsigned long long)fs.reused,
	    fs.high, (unsigned long long)fs.denied,
	    (unsigned long long)fs.stale, (unsigned long long)fs.fdopens,
	    (unsigned long long)fs.fdcloses, fs.live,
	    (unsigned long long)fs.outstanding);
	fprintf(stderr,
	    PROG ": metadata cache: %llu flushes; misbehaved %llu, broken "
	    "invariants %llu, panics %llu\n",
	    (unsigned long long)br->br_st.meta_flushes,
	    (unsigned long long)s1.misbehaved, (unsigned long long)s1.wrong,
	    (unsigned long long)s1.panics);

	if (!s1.unmounted || ps.in_use != 0 || fs.live != 0 ||
	    fs.outstanding != 0 || s1.vnodes != 0 || s1.wrong != 0 ||
	    s1.panics != 0)
		leak = 1;
	left = fsrv_fini(br->br_srv);
	bridge_fini(br);
	free(br);
	free(o.fuseopts);
	if (leak || left != 0) {
		fprintf(stderr, PROG ": LEAK: pool in use %zu, vnodes %zu, "
		    "server nodes %zu\n", ps.in_use, s1.vnodes, fs.live);
		return 1;
	}
	fprintf(stderr, PROG ": clean unmount: nothing in use\n");
	return ret < 0 ? 1 : 0;
}
