/*
 * puffsnode-sim -- run a multi-threaded file system workload through
 * puffsnode on the simulator host, and report what happened.
 *
 * The simulated server serves a synthetic tree (--nodes, --fanout) or a
 * mirror of a real directory (--tree).  Worker threads walk paths and
 * change the tree (workload.c) while vnodes are built, cached and
 * reclaimed under a --maxvnodes limit.  At the end the mount is unmounted
 * and the report gives operation rates, vnode, name cache, cookie table
 * and pool figures, and the invariant checks; the exit status is 1 if an
 * invariant failed, 2 on a usage or set-up error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <puffsnode/sim.h>

#include "workload.h"

struct opts {
	unsigned	 threads;
	uint64_t	 ops;
	double		 duration;
	const char	*tree;
	size_t		 nodes;
	unsigned	 fanout;
	size_t		 maxvnodes;
	unsigned	 mix[WL_NKINDS];
	uint64_t	 seed;
	bool		 json;
	bool		 quiet;
	bool		 namecache;
	int		 loglevel;
};

struct figures {
	struct pn_sim_stats		before;	/* at the end of the run */
	struct pn_sim_stats		after;	/* after unmount */
	struct pn_table_stats		table;
	struct pn_pool_stats		pool;
	struct pn_sim_server_stats	srv;
	struct wl_result		tot;
	double				secs;
	int				unmount_error;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: puffsnode-sim [options]\n"
"  --threads N      worker threads (default 2)\n"
"  --ops N          operations in all (default 100000 without --duration)\n"
"  --duration S     stop after S seconds (and after --ops, if given)\n"
"  --tree DIR       mirror the directory tree at DIR\n"
"  --nodes N        synthetic tree of N nodes (default 10000)\n"
"  --fanout N       entries per synthetic directory (default 8)\n"
"  --maxvnodes N    vnodes cached before inactive ones are reclaimed\n"
"                   (default 1024)\n"
"  --mix L,C,R,G,D[,N]  weights of lookup, create, remove, getattr, read\n"
"                   and rename (default 70,10,5,10,5,0)\n"
"  --seed N         workload seed (default 1): same seed and thread count,\n"
"                   same operations (with --ops, the same digest)\n"
"  --no-namecache   run without the name cache\n"
"  --json           print the report as JSON\n"
"  --quiet          no progress line\n"
"  --verbose        log the simulator's and the core's messages\n"
"  --help           this text\n");
}

static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || *s == '-')
		return false;
	*v = x;
	return true;
}

static bool
parse_mix(const char *s, unsigned mix[WL_NKINDS])
{
	unsigned k = 0, total = 0;
	uint64_t v;
	char buf[128], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	memset(mix, 0, WL_NKINDS * sizeof(mix[0]));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (k == WL_NKINDS || !parse_u64(tok, &v) || v > 1000000)
			return false;
		mix[k++] = (unsigned)v;
		total += (unsigned)v;
	}
	return k >= 5 && total > 0;
}

/* One option and its value into o: 1 taken, 0 a bad value, -1 unknown. */
static int
parse_opt(int c, const char *arg, struct opts *o)
{
	uint64_t v;
	char *end;

	switch (c) {
	case 't':
		if (!parse_u64(arg, &v) || v == 0 || v > 1024)
			return 0;
		o->threads = (unsigned)v;
		return 1;
	case 'o':
		return parse_u64(arg, &o->ops);
	case 'd':
		errno = 0;
		o->duration = strtod(arg, &end);
		return errno == 0 && *end == '\0' && o->duration > 0;
	case 'T':
		o->tree = arg;
		return 1;
	case 'n':
		if (!parse_u64(arg, &v) || v == 0)
			return 0;
		o->nodes = (size_t)v;
		return 1;
	case 'f':
		if (!parse_u64(arg, &v) || v == 0 || v > 65536)
			return 0;
		o->fanout = (unsigned)v;
		return 1;
	case 'm':
		if (!parse_u64(arg, &v) || v == 0)
			return 0;
		o->maxvnodes = (size_t)v;
		return 1;
	case 'x':
		return parse_mix(arg, o->mix);
	case 's':
		return parse_u64(arg, &o->seed);
	case 'N':
		o->namecache = false;
		return 1;
	case 'j':
		o->json = true;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case 'v':
		o->loglevel = PN_LOG_DEBUG;
		return 1;
	default:
		return -1;
	}
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "tree", required_argument, NULL, 'T' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "fanout", required_argument, NULL, 'f' },
		{ "maxvnodes", required_argument, NULL, 'm' },
		{ "mix", required_argument, NULL, 'x' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-namecache", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->threads = 2;
	o->nodes = 10000;
	o->fanout = 8;
	o->maxvnodes = 1024;
	o->seed = 1;
	o->namecache = true;
	o->loglevel = PN_LOG_ERR;
	(void)parse_mix("70,10,5,10,5,0", o->mix);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if ((r = parse_opt(c, optarg, o)) < 0) {
			usage(stderr);
			return -1;
		}
		if (r == 0) {
			fprintf(stderr, "puffsnode-sim: bad option value: %s\n",
			    optarg);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (o->ops == 0 && o->duration == 0)
		o->ops = 100000;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for the workers; a progress line on a terminal after 2 seconds. */
static void
supervise(struct wl *wl, const struct opts *o, double start)
{
	struct pn_sim_stats st;
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	double t, last = 0;
	bool tty = !o->quiet && isatty(STDERR_FILENO), shown = false;
	uint64_t done;

	while (atomic_load(&wl->running) > 0) {
		nanosleep(&tick, NULL);
		t = now() - start;
		if (o->duration > 0 && t >= o->duration)
			atomic_store(&wl->stop, true);
		if (tty && t >= 2 && t - last >= 1) {
			last = t;
			done = atomic_load(&wl->progress);
			pn_sim_stats(wl->sim, &st);
			fprintf(stderr, "\r\033[K%6.1f s  %10" PRIu64 " ops  "
			    "%9.0f ops/s  vnodes %zu  reclaimed %" PRIu64,
			    t, done, (double)done / t, st.vnodes,
			    st.reclaimed);
			shown = true;
		}
	}
	if (shown)
		fprintf(stderr, "\r\033[K");
	wl_wait(wl);
}

/* ---- the report ---- */

struct check {
	const char	*key;		/* JSON */
	const char	*what;
	bool		 ok;
	char		 detail[160];
};

static int
checks(const struct figures *f, struct check c[4])
{
	const struct pn_sim_stats *b = &f->before, *a = &f->after;
	int failed = 0, i;

	c[0].key = "lookups_correct";
	c[0].what = "every lookup resolved to the node the server named";
	c[0].ok = b->wrong == 0 && f->tot.mismatch == 0;
	snprintf(c[0].detail, sizeof(c[0].detail),
	    "%" PRIu64 " answers checked, %" PRIu64 " wrong, %" PRIu64
	    " contradicted the server", a->checked, a->wrong,
	    f->tot.mismatch);
	c[1].key = "pool_empty";
	c[1].what = "nothing left in the pool after unmount";
	c[1].ok = f->unmount_error == PN_OK && a->unmounted &&
	    a->final_pool.in_use == 0;
	snprintf(c[1].detail, sizeof(c[1].detail),
	    "unmount %s, %zu nodes in use", pn_strerror(f->unmount_error),
	    a->final_pool.in_use);
	c[2].key = "references_returned";
	c[2].what = "every reference returned";
	c[2].ok = f->unmount_error == PN_OK && a->vnodes == 0 &&
	    f->srv.outstanding == 0 && a->core_bytes == 0 &&
	    a->final_pool.allocs == a->final_pool.frees;
	snprintf(c[2].detail, sizeof(c[2].detail),
	    "%zu vnodes left, %" PRIu64 " server lookups unforgotten, "
	    "%zu core bytes held", a->vnodes, f->srv.outstanding,
	    a->core_bytes);
	c[3].key = "no_misbehaved";
	c[3].what = "no server_misbehaved reports";
	c[3].ok = a->misbehaved == 0 && a->panics == 0;
	snprintf(c[3].detail, sizeof(c[3].detail),
	    "%" PRIu64 " reports, %" PRIu64 " panics", a->misbehaved,
	    a->panics);
	for (i = 0; i < 4; i++)
		failed += !c[i].ok;
	return failed;
}

static uint64_t
failures(const struct wl_result *r)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < WL_NKINDS; k++)
		n += r->failed[k];
	return n;
}

static double
hitrate(const struct pn_sim_stats *s)
{
	uint64_t all = s->nc_hits + s->nc_misses + s->nc_stale;

	return all == 0 ? 0 : 100.0 * (double)s->nc_hits / (double)all;
}

static void
report_text(const struct opts *o, const struct figures *f,
    const struct check c[4], int failed)
{
	const struct pn_sim_stats *b = &f->before, *a = &f->after;
	uint64_t all = 0;
	int k;

	for (k = 0; k < WL_NKINDS; k++)
		all += f->tot.done[k];
	printf("puffsnode-sim %s: %s%s: %zu nodes (%zu directories, %zu "
	    "files, %zu extra hard links)\n", pn_version(),
	    o->tree != NULL ? "mirror of " : "synthetic tree",
	    o->tree != NULL ? o->tree : "", f->srv.initial, f->srv.dirs,
	    f->srv.files, f->srv.hardlinks);
	printf("workload: %u threads, seed %" PRIu64 ", maxvnodes %zu, "
	    "name cache %s\n", o->threads, o->seed, o->maxvnodes,
	    o->namecache ? "on" : "off");
	printf("ran %.2f s: %" PRIu64 " operations, %.0f ops/s, digest "
	    "%016" PRIx64 "\n\n", f->secs, all, (double)all / f->secs,
	    f->tot.digest);
	printf("  %-10s %12s %12s %8s\n", "operation", "count", "ops/s",
	    "failed");
	for (k = 0; k < WL_NKINDS; k++)
		if (o->mix[k] != 0)
			printf("  %-10s %12" PRIu64 " %12.0f %8" PRIu64 "\n",
			    wl_kind_names[k], f->tot.done[k],
			    (double)f->tot.done[k] / f->secs,
			    f->tot.failed[k]);
	printf("\n");
	printf("vnodes       built %" PRIu64 ", reclaimed %" PRIu64
	    ", inactive %" PRIu64 ", reactivated %" PRIu64 ", vget refused "
	    "%" PRIu64 "; at end %zu (%zu inactive), high %zu\n",
	    b->built, b->reclaimed, b->inactive, b->reactivated,
	    b->vget_dying, b->vnodes, b->inactive_now, b->vnodes_high);
	printf("name cache   hit rate %.1f%%: %" PRIu64 " hits, %" PRIu64
	    " misses, %" PRIu64 " stale; %zu entries\n", hitrate(b),
	    b->nc_hits, b->nc_misses, b->nc_stale, b->nc_entries);
	printf("cookie table %zu entries, %zu buckets, longest probe %zu, "
	    "%" PRIu64 " resizes\n", f->table.entries, f->table.buckets,
	    f->table.longest_probe, f->table.resizes);
	printf("pool         %zu in use, high water %zu, %zu slabs; "
	    "after unmount %zu in use\n", f->pool.in_use,
	    f->pool.high_water, f->pool.slabs, a->final_pool.in_use);
	printf("server       %" PRIu64 " lookups, %" PRIu64 " forgets, %"
	    PRIu64 " reads, %" PRIu64 " polls; %zu nodes alive\n",
	    f->srv.lookups, f->srv.forgets, f->srv.reads, f->srv.polls,
	    f->srv.live);
	printf("\ninvariants\n");
	for (k = 0; k < 4; k++)
		printf("  %-52s %s (%s)\n", c[k].what, c[k].ok ? "ok" :
		    "FAILED", c[k].detail);
	printf("  %-52s %s (%" PRIu64 ")\n", "no operation failed",
	    failures(&f->tot) == 0 ? "ok" : "FAILED", failures(&f->tot));
	printf("result: %s\n", failed == 0 ? "PASS" : "FAIL");
}

/* s as a JSON string. */
static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned)(unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
report_json(const struct opts *o, const struct figures *f,
    const struct check c[4], int failed)
{
	const struct pn_sim_stats *b = &f->before, *a = &f->after;
	int k;

	printf("{\n  \"version\": \"%s\",\n", pn_version());
	printf("  \"tree\": {\"source\": ");
	json_string(o->tree != NULL ? o->tree : "synthetic");
	printf(", \"nodes\": %zu, "
	    "\"directories\": %zu, \"files\": %zu, \"hardlinks\": %zu},\n",
	    f->srv.initial,
	    f->srv.dirs, f->srv.files, f->srv.hardlinks);
	printf("  \"threads\": %u, \"seed\": %" PRIu64 ", \"maxvnodes\": %zu,"
	    " \"seconds\": %.3f, \"digest\": \"%016" PRIx64 "\",\n",
	    o->threads, o->seed, o->maxvnodes, f->secs, f->tot.digest);
	printf("  \"operations\": {");
	for (k = 0; k < WL_NKINDS; k++)
		printf("%s\"%s\": {\"count\": %" PRIu64 ", \"per_second\": "
		    "%.1f, \"failed\": %" PRIu64 "}", k ? ", " : "",
		    wl_kind_names[k], f->tot.done[k],
		    (double)f->tot.done[k] / f->secs, f->tot.failed[k]);
	printf("},\n");
	printf("  \"vnodes\": {\"built\": %" PRIu64 ", \"reclaimed\": %" PRIu64
	    ", \"inactive\": %" PRIu64 ", \"reactivated\": %" PRIu64
	    ", \"vget_refused\": %" PRIu64 ", \"high\": %zu},\n", b->built,
	    b->reclaimed, b->inactive, b->reactivated, b->vget_dying,
	    b->vnodes_high);
	printf("  \"namecache\": {\"hits\": %" PRIu64 ", \"misses\": %" PRIu64
	    ", \"stale\": %" PRIu64 ", \"hit_rate\": %.4f, \"entries\": %zu},\n",
	    b->nc_hits, b->nc_misses, b->nc_stale, hitrate(b) / 100,
	    b->nc_entries);
	printf("  \"table\": {\"entries\": %zu, \"buckets\": %zu, "
	    "\"longest_probe\": %zu, \"resizes\": %" PRIu64 "},\n",
	    f->table.entries, f->table.buckets, f->table.longest_probe,
	    f->table.resizes);
	printf("  \"pool\": {\"in_use\": %zu, \"high_water\": %zu, \"slabs\": "
	    "%zu, \"in_use_after_unmount\": %zu},\n", f->pool.in_use,
	    f->pool.high_water, f->pool.slabs, a->final_pool.in_use);
	printf("  \"invariants\": {");
	for (k = 0; k < 4; k++)
		printf("%s\"%s\": %s", k ? ", " : "", c[k].key,
		    c[k].ok ? "true" : "false");
	printf(", \"no_failed_operations\": %s},\n",
	    failures(&f->tot) == 0 ? "true" : "false");
	printf("  \"pass\": %s\n}\n", failed == 0 ? "true" : "false");
}

int
main(int argc, char **argv)
{
	struct pn_sim_config cfg;
	struct pn_sim_server *srv = NULL;
	struct pn_sim *sim = NULL;
	struct figures f;
	struct check c[4];
	struct opts o;
	struct wl wl;
	double start;
	int error, failed;

	if (parse(argc, argv, &o) != 0)
		return 2;
	error = o.tree != NULL ? pn_sim_server_mirror(o.tree, &srv) :
	    pn_sim_server_synthetic(o.nodes, o.fanout, &srv);
	if (error != PN_OK) {
		fprintf(stderr, "puffsnode-sim: cannot build the tree: %s\n",
		    pn_strerror(error));
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = o.maxvnodes;
	cfg.loglevel = o.loglevel;
	cfg.flags = PN_SIM_VERIFY | (o.namecache ? PN_SIM_NAMECACHE : 0);
	if ((error = pn_sim_init(&cfg, srv, &sim)) != PN_OK) {
		fprintf(stderr, "puffsnode-sim: cannot mount: %s\n",
		    pn_strerror(error));
		return 2;
	}
	memset(&wl, 0, sizeof(wl));
	wl.sim = sim;
	wl.srv = srv;
	wl.threads = o.threads;
	wl.ops = o.ops;
	wl.seed = o.seed;
	wl.synthetic = o.tree == NULL;
	memcpy(wl.mix, o.mix, sizeof(wl.mix));
	if (wl_prepare(&wl) != 0) {
		fprintf(stderr, "puffsnode-sim: the tree has no directory\n");
		return 2;
	}

	start = now();
	if (wl_start(&wl) != 0) {
		fprintf(stderr, "puffsnode-sim: cannot start the workers\n");
		return 2;
	}
	supervise(&wl, &o, start);
	memset(&f, 0, sizeof(f));
	f.secs = now() - start;
	if (f.secs <= 0)
		f.secs = 1e-9;
	wl_total(&wl, &f.tot);

	pn_sim_stats(sim, &f.before);
	pn_table_stats(pn_sim_mount(sim), &f.table);
	pn_pool_stats(pn_sim_mount(sim), &f.pool);
	f.unmount_error = pn_sim_unmount(sim, false);
	pn_sim_stats(sim, &f.after);
	pn_sim_server_stats(srv, &f.srv);

	failed = checks(&f, c) + (failures(&f.tot) != 0);
	if (o.json)
		report_json(&o, &f, c, failed);
	else
		report_text(&o, &f, c, failed);

	if (f.unmount_error == PN_OK && pn_sim_fini(sim) == PN_OK)
		pn_sim_server_destroy(srv);
	wl_free(&wl);
	return failed == 0 ? 0 : 1;
}
