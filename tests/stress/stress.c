/*
 * stress.c -- racing threads on a small cookie space, with a checker.
 *
 * Worker threads hammer the same few cookies with get-or-create,
 * create-only, lookup, makeroot, reclaims (at once, or begun and finished
 * later so that lookups and creates meet a vnode being reclaimed), node
 * references held across reclaims and completed as poll answers or plain
 * releases, read completions, metadata updates, node walks, pool drains
 * and statistics.
 *
 * The checker keeps, per cookie and under a lock, the live node and its
 * generation.  It is set when a thread holding a vnode first sees a node
 * and cleared when that node's reclaim begins (the host refuses the vnode
 * from then on, so no holder can see it again).  After every step:
 * - every vnode handed out is active in the host (never one being
 *   reclaimed), names its node, and the node names the cookie and vnode;
 * - while a thread holds a vnode for cookie c, the checker's node for c is
 *   that node (never two live nodes for a cookie), and a fresh lookup of c
 *   answers that same vnode;
 * - a node built after a reclaim has a newer generation;
 * - a reclaim begun never finds another live node for its cookie.
 * At the end everything is reclaimed and the books must balance: pool
 * and table empty, vnodes allocated == freed + reclaimed, no panic, the
 * mount destroys and the host is clean.
 *
 * Usage: stress [-t threads] [-n operations] [-c cookies] [-u]
 *   -u: unmount under load: pn_mp_drain while the workers run.
 * PN_SOAK_SECONDS=s: run for s seconds instead of n operations.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testhost.h"

#define ROOT		((pn_cookie_t)1)
#define MAXCOOKIES	1024
#define MAXTHREADS	64
#define NPENDING	4

struct cslot {
	pthread_mutex_t	 mtx;
	struct pn_node	*pn;		/* live node seen, or NULL */
	uint64_t	 gen;
	uint64_t	 lastgen;	/* generation of the last node reclaimed */
};

static struct th_host th;
static struct pn_mount *mp;
static struct cslot cs[MAXCOOKIES + 1];
static int ncookies = 64;
static long nops = 1000000;
static int nthreads = 4;
static double soak_seconds;
static atomic_long ops_done;
static atomic_long violations;
static atomic_bool draining;
static atomic_long nstat[16];

enum { S_GET, S_NEW, S_NEWEXIST, S_LOOKUP, S_NOENT, S_ROOT, S_RECLAIM,
    S_SLOWRECLAIM, S_POLL, S_RELEASE, S_READ, S_WALK, S_DRAIN, S_ENXIO,
    S_NSTAT };
static const char *statname[] = { "get", "newnode", "newnode-exist",
    "lookup", "lookup-enoent", "makeroot", "reclaim", "slow-reclaim",
    "poll", "release", "read", "walk", "drain", "enxio" };

static void
violation(const char *what, pn_cookie_t c, int rv)
{
	long n = atomic_fetch_add(&violations, 1);

	if (n < 20)
		fprintf(stderr, "stress: VIOLATION: %s (cookie %" PRIu64
		    ", rv %d %s)\n", what, c, rv, pn_strerror(rv));
}

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int
type_of(pn_cookie_t c)
{
	return c == ROOT ? PN_VDIR : PN_VREG + (int)(c % 7);
}

/* The caller holds vp, which pn_* answered for cookie c. */
static void
observe(pn_cookie_t c, struct pn_vnode *vp)
{
	struct pn_vnode *vp2;
	struct pn_node *pn;
	uint64_t gen;
	int rv;

	if (th_vstate(&th, vp) != TH_VN_ACTIVE)
		violation("vnode handed out is not active", c, 0);
	pn = pn_vnode2node(mp, vp);
	if (pn == NULL || pn_node_cookie(pn) != c || pn_node_vnode(pn) != vp) {
		violation("vnode and node disagree", c, 0);
		return;
	}
	gen = pn_node_gen(pn);
	pthread_mutex_lock(&cs[c].mtx);
	if (cs[c].pn == NULL) {
		if (gen <= cs[c].lastgen)
			violation("node built after a reclaim has an old "
			    "generation", c, 0);
		cs[c].pn = pn;
		cs[c].gen = gen;
	} else if (cs[c].pn != pn || cs[c].gen != gen) {
		violation("two live nodes for one cookie", c, 0);
	}
	pthread_mutex_unlock(&cs[c].mtx);

	/* The table's node for c is this one. */
	rv = pn_cookie2vnode(mp, c, 0, &vp2);
	if (rv == PN_ENXIO && c == ROOT && atomic_load(&draining))
		return;
	if (rv != PN_OK || vp2 != vp)
		violation("lookup of a held cookie answers another vnode", c,
		    rv);
	if (rv == PN_OK)
		th_vrele(&th, vp2);
}

/*
 * Reclaim one unused vnode: of cookie c, or any (c == 0).  Slow: yield a
 * while between the reclaim's start and its end.  false if none.
 */
static bool
reclaim_one(pn_cookie_t c, bool slow, uint64_t *seed)
{
	struct pn_vnode *vp;
	struct pn_node *pn = NULL;
	pn_cookie_t vc = 0;
	int rv, k;

	pthread_mutex_lock(&th.h_mtx);
	for (vp = th.h_vnodes; vp != NULL; vp = vp->v_next) {
		if (vp->v_usecount != 0 || vp->v_state != TH_VN_ACTIVE ||
		    vp->v_data == NULL)
			continue;
		vc = pn_node_cookie(vp->v_data);
		if (c == 0 || vc == c)
			break;
	}
	if (vp != NULL) {
		vp->v_state = TH_VN_RECLAIMING;
		pn = vp->v_data;
	}
	pthread_mutex_unlock(&th.h_mtx);
	if (vp == NULL)
		return false;

	if (vc == 0 || vc > (pn_cookie_t)ncookies) {
		violation("reclaim of a node with a bad cookie", vc, 0);
		return false;
	}
	pthread_mutex_lock(&cs[vc].mtx);
	if (cs[vc].pn == pn) {
		cs[vc].lastgen = cs[vc].gen;
		cs[vc].pn = NULL;
	} else if (cs[vc].pn != NULL) {
		violation("reclaim found another live node for its cookie",
		    vc, 0);
	}
	pthread_mutex_unlock(&cs[vc].mtx);
	if (slow)
		for (k = (int)(rnd(seed) % 8); k >= 0; k--)
			sched_yield();
	if ((rv = th_reclaim_finish(&th, vp)) != PN_OK)
		violation("putvnode refused", vc, rv);
	return true;
}

static int
walk_fn(struct pn_node *pn, void *arg)
{
	pn_cookie_t c = pn_node_cookie(pn);

	(void)arg;
	if (c == 0 || c > (pn_cookie_t)ncookies)
		violation("walk found a bad cookie", c, 0);
	/* The walk's reference at least (another thread may reclaim it). */
	if (pn_node_refs(pn) < 1)
		violation("walked node without a reference", c,
		    (int)pn_node_refs(pn));
	return 0;
}

static void
complete(struct pn_node *pn, uint64_t *seed)
{
	int rv;

	if (rnd(seed) % 2) {
		rv = pn_parkdone_poll(pn, 0, PN_POLLIN | PN_POLLRDNORM);
		atomic_fetch_add(&nstat[S_POLL], 1);
	} else {
		rv = pn_releasenode(pn);
		atomic_fetch_add(&nstat[S_RELEASE], 1);
	}
	if (rv != PN_OK)
		violation("completion of a held node", pn_node_cookie(pn), rv);
}

static bool
still_running(long i, struct timespec *t0)
{
	struct timespec t;

	if (soak_seconds <= 0)
		return i < nops / nthreads;
	if (i % 1024 != 0)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9 < soak_seconds;
}

/* A create that the unmount refused. */
static bool
refused(int rv)
{
	if (rv == PN_ENXIO && atomic_load(&draining)) {
		atomic_fetch_add(&nstat[S_ENXIO], 1);
		return true;
	}
	return false;
}

static void *
worker(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	struct pn_node *pending[NPENDING] = { NULL };
	struct timespec t0;
	struct pn_vnode *vp;
	struct pn_node *pn;
	struct pn_cn cn;
	struct pn_metacache mc;
	struct pn_bio bio;
	char buf[64], src[64];
	pn_cookie_t c;
	long i;
	int rv, r, k;

	memset(src, 'x', sizeof(src));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; still_running(i, &t0); i++) {
		atomic_fetch_add_explicit(&ops_done, 1, memory_order_relaxed);
		c = 1 + rnd(&seed) % (uint64_t)ncookies;
		r = (int)(rnd(&seed) % 100);
		if (r < 25) {
			rv = pn_getvnode(mp, c, type_of(c), 100, 0, &vp);
			if (refused(rv))
				continue;
			if (rv != PN_OK) {
				violation("getvnode", c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_GET], 1);
			observe(c, vp);
			if (r < 5) {
				pn = pn_vnode2node(mp, vp);
				if (pn_updatenode(pn, PN_UPDATE_ATIME |
				    PN_UPDATE_MTIME | PN_UPDATE_SIZE) != PN_OK ||
				    pn_metacache_take(pn, &mc) != PN_OK)
					violation("metadata of a held node", c,
					    0);
			}
			th_vrele(&th, vp);
		} else if (r < 35) {
			cn = (struct pn_cn){ PN_NAMEI_CREATE, PN_CN_MAKEENTRY,
			    "n", 1, PN_NOCRED, NULL };
			rv = pn_newnode(mp, NULL, c, &cn, type_of(c), 0, &vp);
			if (refused(rv))
				continue;
			if (rv == PN_EEXIST) {
				atomic_fetch_add(&nstat[S_NEWEXIST], 1);
				continue;
			}
			if (rv != PN_OK) {
				violation("newnode", c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_NEW], 1);
			if (c == ROOT)
				violation("newnode of the root cookie", c, 0);
			observe(c, vp);
			th_vunlock(&th, vp);
			th_vrele(&th, vp);
		} else if (r < 50) {
			unsigned fl = r % 2 ? PN_LOOKUP_LOCK : 0;

			rv = pn_cookie2vnode(mp, c, fl, &vp);
			if (rv == PN_ENOENT && c != ROOT) {
				atomic_fetch_add(&nstat[S_NOENT], 1);
				continue;
			}
			if (c == ROOT && refused(rv))
				continue;
			if (rv != PN_OK) {
				violation("cookie2vnode", c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_LOOKUP], 1);
			observe(c, vp);
			if (fl)
				th_vunlock(&th, vp);
			th_vrele(&th, vp);
		} else if (r < 55) {
			rv = pn_makeroot(mp, &vp);
			if (refused(rv))
				continue;
			if (rv != PN_OK) {
				violation("makeroot", ROOT, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_ROOT], 1);
			observe(ROOT, vp);
			th_vrele(&th, vp);
		} else if (r < 67) {
			if (reclaim_one(c, r % 2, &seed))
				atomic_fetch_add(&nstat[r % 2 ? S_SLOWRECLAIM :
				    S_RECLAIM], 1);
		} else if (r < 68) {
			while (reclaim_one(0, false, &seed))
				atomic_fetch_add(&nstat[S_RECLAIM], 1);
		} else if (r < 78) {
			/* A request takes a node reference and outlives the vnode. */
			k = (int)(rnd(&seed) % NPENDING);
			if (pending[k] != NULL) {
				complete(pending[k], &seed);
				pending[k] = NULL;
			}
			rv = pn_getvnode(mp, c, type_of(c), 0, 0, &vp);
			if (refused(rv))
				continue;
			if (rv != PN_OK) {
				violation("getvnode", c, rv);
				continue;
			}
			observe(c, vp);
			pn = pn_vnode2node(mp, vp);
			if ((rv = pn_referencenode(pn)) != PN_OK)
				violation("referencenode", c, rv);
			else
				pending[k] = pn;
			th_vrele(&th, vp);
			if (r % 2)
				reclaim_one(c, false, &seed);
		} else if (r < 85) {
			size_t resid = (size_t)(rnd(&seed) % sizeof(buf));

			memset(&bio, 0, sizeof(bio));
			bio.b_data = buf;
			bio.b_bcount = sizeof(buf);
			rv = pn_parkdone_asyncbioread(mp, &bio, 0, src,
			    sizeof(src), (int64_t)resid);
			if (rv != PN_OK || bio.b_resid != resid ||
			    bio.b_error != 0)
				violation("read completion", 0, rv);
			atomic_fetch_add(&nstat[S_READ], 1);
		} else if (r < 90) {
			if ((rv = pn_node_walk(mp, walk_fn, NULL)) != 0)
				violation("walk", 0, rv);
			atomic_fetch_add(&nstat[S_WALK], 1);
		} else if (r < 93) {
			rv = pn_pool_drain(mp, NULL);
			if (rv != PN_OK && rv != PN_EBUSY)
				violation("pool drain", 0, rv);
			atomic_fetch_add(&nstat[S_DRAIN], 1);
		} else if (r < 95) {
			struct pn_table_stats ts;
			struct pn_pool_stats ps;

			if (pn_table_stats(mp, &ts) != PN_OK ||
			    pn_pool_stats(mp, &ps) != PN_OK ||
			    ts.entries > (size_t)ncookies ||
			    ps.in_use > (size_t)(ncookies + nthreads * NPENDING))
				violation("statistics", 0, 0);
		} else {
			k = (int)(rnd(&seed) % NPENDING);
			if (pending[k] != NULL) {
				complete(pending[k], &seed);
				pending[k] = NULL;
			}
		}
	}
	for (k = 0; k < NPENDING; k++)
		if (pending[k] != NULL)
			complete(pending[k], &seed);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: stress [-t threads] [-n operations] "
	    "[-c cookies] [-u]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct pn_mount_args args;
	pthread_t tids[MAXTHREADS];
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	struct timespec t0, t1;
	const char *soak = getenv("PN_SOAK_SECONDS");
	uint64_t seed = 12345;
	bool unmount = false;
	double secs;
	int ch, i, rv, fail = 0;
	long n;

	while ((ch = getopt(argc, argv, "t:n:c:us")) != -1) {
		switch (ch) {
		case 't': nthreads = atoi(optarg); break;
		case 'n': nops = atol(optarg); break;
		case 'c': ncookies = atoi(optarg); break;
		case 'u': unmount = true; break;
		case 's': soak_seconds = 300; break;
		default: usage();
		}
	}
	if (nthreads < 1 || nthreads > MAXTHREADS || ncookies < 2 ||
	    ncookies > MAXCOOKIES || nops < 1)
		usage();
	if (soak != NULL && atof(soak) > 0)
		soak_seconds = atof(soak);

	th_init(&th);
	args = th_args(ROOT);
	if ((rv = th_mount(&th, &args)) != PN_OK) {
		fprintf(stderr, "stress: mount: %s\n", pn_strerror(rv));
		return 1;
	}
	mp = th.h_mp;
	for (i = 0; i <= ncookies; i++)
		pthread_mutex_init(&cs[i].mtx, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, worker,
		    (void *)(uintptr_t)(i + 1)) != 0) {
			fprintf(stderr, "stress: pthread_create failed\n");
			return 1;
		}
	if (unmount) {
		/* Unmount under load: creates are refused from now on. */
		while (atomic_load(&ops_done) < nops / 2)
			usleep(1000);
		atomic_store(&draining, true);
		if ((rv = pn_mp_drain(mp)) != PN_OK)
			violation("drain", 0, rv);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* Everything reclaimed, the checker agrees, the books balance. */
	while (reclaim_one(0, false, &seed))
		continue;
	for (i = 1; i <= ncookies; i++)
		if (cs[i].pn != NULL)
			violation("a live node the reclaims did not see",
			    (pn_cookie_t)i, 0);
	pn_pool_stats(mp, &ps);
	pn_table_stats(mp, &ts);
	if (ps.in_use != 0 || ts.entries != 0) {
		fprintf(stderr, "stress: %zu nodes in use, %zu table entries "
		    "after reclaiming everything\n", ps.in_use, ts.entries);
		fail = 1;
	}
	if (atomic_load(&th.h_valloc) != atomic_load(&th.h_vfree) +
	    atomic_load(&th.h_vreclaimed)) {
		fprintf(stderr, "stress: vnodes: %ld allocated, %ld freed, "
		    "%ld reclaimed\n", (long)atomic_load(&th.h_valloc),
		    (long)atomic_load(&th.h_vfree),
		    (long)atomic_load(&th.h_vreclaimed));
		fail = 1;
	}
	if (atomic_load(&th.h_panics) != 0) {
		fprintf(stderr, "stress: %ld panics logged\n",
		    (long)atomic_load(&th.h_panics));
		fail = 1;
	}
	if (!unmount && (rv = pn_mp_drain(mp)) != PN_OK) {
		fprintf(stderr, "stress: drain: %s\n", pn_strerror(rv));
		fail = 1;
	}
	if ((rv = pn_mount_destroy(mp)) != PN_OK) {
		fprintf(stderr, "stress: destroy: %s\n", pn_strerror(rv));
		fail = 1;
	}
	for (i = 0; i <= ncookies; i++)
		pthread_mutex_destroy(&cs[i].mtx);
	if (th_fini(&th) != 0)
		fail = 1;

	n = atomic_load(&ops_done);
	printf("stress: %ld operations, %d threads, %d cookies, %.2f s "
	    "(%.0f ops/s), pool high water %zu, table resizes %" PRIu64 "\n",
	    n, nthreads, ncookies, secs, (double)n / secs, ps.high_water,
	    ts.resizes);
	for (i = 0; i < S_NSTAT; i++)
		printf("  %-14s %ld\n", statname[i],
		    (long)atomic_load(&nstat[i]));
	printf("  vnodes: %ld allocated, %ld freed unused, %ld reclaimed; "
	    "vget refused %ld\n", (long)atomic_load(&th.h_valloc),
	    (long)atomic_load(&th.h_vfree),
	    (long)atomic_load(&th.h_vreclaimed),
	    (long)atomic_load(&th.h_vget_fail));
	if (atomic_load(&violations) != 0) {
		fprintf(stderr, "stress: %ld violations\n",
		    (long)atomic_load(&violations));
		fail = 1;
	}
	if (atomic_load(&nstat[S_SLOWRECLAIM]) == 0 ||
	    atomic_load(&nstat[S_NEW]) == 0 ||
	    atomic_load(&nstat[S_NEWEXIST]) == 0) {
		fprintf(stderr, "stress: the mix did not happen\n");
		fail = 1;
	}
	return fail;
}
