/*
 * puffsnode-fuse -- mount a directory through puffsnode.
 *
 *	puffsnode-fuse [-fd] [-o opt,...] [--maxvnodes N] [--threads N]
 *	    [--timeout SEC] [--groups-timeout SEC] [--shrink]
 *	    BACKING MOUNTPOINT
 *
 * NetBSD's perfuse runs FUSE file systems under puffs; this is the other
 * way round.  Linux is the VFS above, libpuffsnode-sim's vnode layer and
 * puffsnode's node layer play the puffs kernel side, and a passthrough
 * server over BACKING plays the puffs file server.  The files:
 *
 *	main.c		set-up, the session, shutdown and its statistics
 *	options.c	the command line
 *	bridge.c	the FUSE operations
 *	creds.c		a request's credential, the callers' groups
 *	kref.c		the kernel's lookup counts of node ids
 *	shrinker.c	asks the kernel to forget node ids past --maxvnodes
 *	server.c	the passthrough server's nodes and descriptors
 *	srv_ops.c	its requests
 *	ids.c		running a request under its caller's ids
 *	lock.h		the locks of the bridge's own tables
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
#include "options.h"

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

/*
 * The server's cached node descriptors: the limit less an eighth (at
 * least 64) for open files, directories and libfuse's own; running out
 * all the same closes cached ones (the server lowers its limit).
 */
static size_t
maxopen(void)
{
	struct rlimit rl;
	rlim_t keep;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 65536;
	keep = rl.rlim_cur / 8 > 64 ? rl.rlim_cur / 8 : 64;
	return rl.rlim_cur > keep + 64 ? (size_t)(rl.rlim_cur - keep) : 64;
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
	    fuse_opt_add_arg(&args, "-o") != 0 ||
	    fuse_opt_add_arg(&args, "default_permissions") != 0 ||
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
	fsrv_become(br->br_srv, NULL);	/* a worker may be this thread */
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

/* The passthrough server and the simulator over it, the root referenced. */
static int
start(struct bridge *br, const struct options *o)
{
	struct pn_sim_config cfg;
	struct pn_sim_client cl;
	struct stat st;
	int error;

	br->br_timeout = o->timeout;
	creds_init(br, o->groups_timeout);
	if ((error = fsrv_init(o->backing, maxopen(), &br->br_srv)) != 0 ||
	    (error = fsrv_getattr(br->br_srv, fsrv_root(br->br_srv),
	    &st)) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->backing,
		    strerror(error));
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = o->maxvnodes;
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
		return -1;
	}
	br->br_mp = pn_sim_mount(br->br_sim);
	return 0;
}

/* What shutdown saw: the simulator before and after each step. */
struct shutdown {
	struct pn_sim_stats	sm;	/* when the session ended */
	struct pn_sim_stats	s0;	/* the kernel's lookups given back */
	struct pn_sim_stats	s1;	/* unmounted */
	struct pn_table_stats	ts;
	struct fsrv_stats	fs;
	size_t			held;	/* node ids the kernel held */
	bool			failed;
};

/* The kernel is gone: give back its lookups, then the root; unmount. */
static void
stop(struct bridge *br, struct shutdown *sd)
{
	int error;

	memset(sd, 0, sizeof(*sd));
	pn_sim_stats(br->br_sim, &sd->sm);
	sd->held = bridge_release_all(br);
	pn_sim_vrele(br->br_sim, br->br_root);
	br->br_root = NULL;
	pn_sim_stats(br->br_sim, &sd->s0);
	pn_table_stats(br->br_mp, &sd->ts);
	if ((error = pn_sim_unmount(br->br_sim, false)) != PN_OK) {
		fprintf(stderr, PROG ": unmount: %s\n", pn_strerror(error));
		sd->failed = true;
		(void)pn_sim_unmount(br->br_sim, true);
	}
	pn_sim_stats(br->br_sim, &sd->s1);
	if ((error = pn_sim_fini(br->br_sim)) != PN_OK) {
		fprintf(stderr, PROG ": simulator: %s\n", pn_strerror(error));
		sd->failed = true;
	}
	fsrv_forget(br->br_srv, fsrv_root(br->br_srv), 1);	/* the mount's */
	fsrv_stats(br->br_srv, &sd->fs);
}

static void
report_vnodes(const struct bridge *br, const struct shutdown *sd)
{
	const struct pn_sim_stats *s1 = &sd->s1;

	fprintf(stderr,
	    PROG ": vnodes: built %llu, reclaimed %llu (%llu while mounted, "
	    "%llu when the kernel's lookups were given back, %llu at "
	    "unmount), high water %zu, maxvnodes %zu\n",
	    (unsigned long long)s1->built, (unsigned long long)s1->reclaimed,
	    (unsigned long long)sd->sm.reclaimed,
	    (unsigned long long)(sd->s0.reclaimed - sd->sm.reclaimed),
	    (unsigned long long)(s1->reclaimed - sd->s0.reclaimed),
	    s1->vnodes_high, s1->maxvnodes);
	fprintf(stderr,
	    PROG ": kernel: lookups %llu, forgets %llu (%llu lookups, %llu "
	    "node ids released), node ids held at unmount %zu, requests "
	    "%llu; shrinker: %llu rounds, %llu entries dropped\n",
	    (unsigned long long)br->br_st.klookups,
	    (unsigned long long)br->br_st.kforgets,
	    (unsigned long long)br->br_st.kforgotten,
	    (unsigned long long)br->br_st.kreleased, sd->held,
	    (unsigned long long)br->br_st.requests,
	    (unsigned long long)br->br_st.shrink_rounds,
	    (unsigned long long)br->br_st.shrink_invals);
	fprintf(stderr,
	    PROG ": name cache: hits %llu, misses %llu, stale %llu, entered "
	    "%llu, purged %llu; vget of dying vnodes %llu, reactivated "
	    "%llu\n",
	    (unsigned long long)s1->nc_hits, (unsigned long long)s1->nc_misses,
	    (unsigned long long)s1->nc_stale,
	    (unsigned long long)s1->nc_enters,
	    (unsigned long long)s1->nc_purged,
	    (unsigned long long)s1->vget_dying,
	    (unsigned long long)s1->reactivated);
}

static void
report_rest(const struct bridge *br, const struct shutdown *sd)
{
	const struct pn_pool_stats *ps = &sd->s1.final_pool;
	const struct fsrv_stats *fs = &sd->fs;

	fprintf(stderr,
	    PROG ": table: %zu entries, %zu buckets, longest probe %zu, "
	    "resizes %llu\n", sd->ts.entries, sd->ts.buckets,
	    sd->ts.longest_probe, (unsigned long long)sd->ts.resizes);
	fprintf(stderr,
	    PROG ": pool: high water %zu, allocs %llu, frees %llu, in use "
	    "%zu, slabs %zu\n", ps->high_water, (unsigned long long)ps->allocs,
	    (unsigned long long)ps->frees, ps->in_use, ps->slabs);
	fprintf(stderr,
	    PROG ": server: lookups %llu, forgets %llu, nodes dropped %llu, "
	    "cookies reused %llu, high water %zu, denied %llu, stale %llu, "
	    "descriptors reopened %llu, closed %llu, nodes held %zu, lookups "
	    "outstanding %llu\n",
	    (unsigned long long)fs->lookups, (unsigned long long)fs->forgets,
	    (unsigned long long)fs->dropped, (unsigned long long)fs->reused,
	    fs->high, (unsigned long long)fs->denied,
	    (unsigned long long)fs->stale, (unsigned long long)fs->fdopens,
	    (unsigned long long)fs->fdcloses, fs->live,
	    (unsigned long long)fs->outstanding);
	fprintf(stderr,
	    PROG ": ids: %llu setgroups/setfsgid/setfsuid calls; callers' "
	    "groups read %llu, cached %llu; set-uid/set-gid cleared by the "
	    "server %llu (%s)\n",
	    (unsigned long long)fs->idcalls,
	    (unsigned long long)br->br_st.groups_read,
	    (unsigned long long)br->br_st.groups_cached,
	    (unsigned long long)br->br_st.killpriv,
	    bridge_killpriv(br) ? "handle_killpriv" : "the kernel asks");
	fprintf(stderr,
	    PROG ": metadata cache: %llu flushes, %llu taken into a SETATTR; "
	    "misbehaved %llu, broken invariants %llu, panics %llu\n",
	    (unsigned long long)br->br_st.meta_flushes,
	    (unsigned long long)br->br_st.meta_merged,
	    (unsigned long long)sd->s1.misbehaved,
	    (unsigned long long)sd->s1.wrong,
	    (unsigned long long)sd->s1.panics);
}

/* Whether anything was left: pool, vnodes, server nodes, invariants. */
static bool
leaked(const struct shutdown *sd)
{
	return sd->failed || !sd->s1.unmounted ||
	    sd->s1.final_pool.in_use != 0 || sd->fs.live != 0 ||
	    sd->fs.outstanding != 0 || sd->s1.vnodes != 0 ||
	    sd->s1.wrong != 0 || sd->s1.panics != 0;
}

int
main(int argc, char **argv)
{
	struct shutdown sd;
	struct bridge *br;
	struct options o;
	size_t left;
	bool leak;
	int ret;

	if ((ret = parse_args(argc, argv, &o)) != 0) {
		if (ret < 0)
			usage(stderr);
		free(o.fuseopts);
		return ret < 0 ? 2 : 0;
	}
	umask(0);	/* the kernel applied the caller's umask already */
	raise_nofile();
	if ((br = calloc(1, sizeof(*br))) == NULL || bridge_init(br) != 0) {
		fprintf(stderr, PROG ": out of memory\n");
		free(o.fuseopts);
		return 1;
	}
	if (start(br, &o) != 0) {
		free(o.fuseopts);
		return 1;
	}
	ret = run_session(br, &o, argv[0]);
	stop(br, &sd);
	report_vnodes(br, &sd);
	report_rest(br, &sd);
	leak = leaked(&sd);
	left = fsrv_fini(br->br_srv);
	creds_fini(br);
	bridge_fini(br);
	free(br);
	free(o.fuseopts);
	if (leak || left != 0) {
		fprintf(stderr, PROG ": LEAK: pool in use %zu, vnodes %zu, "
		    "server nodes %zu\n", sd.s1.final_pool.in_use,
		    sd.s1.vnodes, sd.fs.live);
		return 1;
	}
	fprintf(stderr, PROG ": clean unmount: nothing in use\n");
	return ret < 0 ? 1 : 0;
}
