/*
 * stress_sim.c -- racing threads over the simulator host, whose vcache
 * reclaims inactive vnodes oldest first past maxvnodes: the reclaim
 * pressure comes from the host itself, as in a kernel.
 *
 * Threads race get-or-create, create-only, lookup, makeroot, path
 * lookups through the simulator's name cache and server, node references
 * held across reclaims and completed as polls or releases, read and poll
 * round trips through the simulator's server threads, LRU drains and
 * node walks, all on the first 64 nodes of a synthetic tree.
 *
 * The checker keeps per cookie the node that threads hold and how many
 * hold it: while one thread holds a vnode for cookie c, every vnode any
 * thread gets for c is that same node (never two live nodes for one
 * cookie), a fresh lookup of c answers it, and a node seen after all
 * holders left is the same node or a newer generation.  Every vnode
 * handed out is ACTIVE in the simulator, never being reclaimed.  At the
 * end the simulator's own cross-check (lookups compared with the
 * server) found nothing wrong, nothing panicked, and the unmount finds
 * the pool empty.
 *
 * Usage: stress-sim [-t threads] [-n operations] [-m maxvnodes] [-s]
 * -s, or PN_SOAK_SECONDS in the environment: run for PN_SOAK_SECONDS
 * (default 300) instead of n operations.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <puffsnode/sim.h>

#define NC		64
#define MAXTHREADS	64
#define NPENDING	4

struct hslot {
	pthread_mutex_t	 mtx;
	pn_cookie_t	 c;
	int		 type;
	char		 path[256];
	struct pn_node	*pn;
	uint64_t	 gen;
	uint64_t	 maxgen;
	int		 holders;
};

static struct pn_sim *sim;
static struct pn_mount *mp;
static struct hslot hs[NC];
static int nc;
static long nops = 1000000;
static int nthreads = 4;
static double soak_seconds;
static atomic_long ops_done, violations;
static atomic_long nstat[12];

enum { S_GET, S_NEW, S_NEWEXIST, S_LOOKUP, S_NOENT, S_ROOT, S_NAMEI,
    S_POLLREQ, S_READ, S_POLL, S_DRAIN, S_WALK };
static const char *statname[] = { "get", "newnode", "newnode-exist",
    "lookup", "lookup-enoent", "makeroot", "namei", "node-request",
    "sim-read", "sim-poll", "lru-drain", "walk" };

static void
violation(const char *what, pn_cookie_t c, int rv)
{
	if (atomic_fetch_add(&violations, 1) < 20)
		fprintf(stderr, "stress-sim: VIOLATION: %s (cookie %" PRIu64
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

/* The caller holds vp for slot i. */
static void
hold(int i, struct pn_vnode *vp, bool lookup_again)
{
	struct hslot *h = &hs[i];
	struct pn_sim_vnode_info vi;
	struct pn_vnode *vp2;
	struct pn_node *pn;
	uint64_t gen;
	int rv;

	if (pn_sim_vnode_info(sim, vp, &vi) != PN_OK ||
	    vi.vi_state != PN_SIM_VS_ACTIVE || vi.vi_usecount == 0)
		violation("vnode handed out is not active and used", h->c, 0);
	pn = pn_vnode2node(mp, vp);
	if (pn == NULL || pn_node_cookie(pn) != h->c ||
	    pn_node_vnode(pn) != vp) {
		violation("vnode and node disagree", h->c, 0);
		pn = NULL;
	}
	gen = pn_node_gen(pn);
	pthread_mutex_lock(&h->mtx);
	if (h->holders == 0) {
		if (gen < h->maxgen)
			violation("an older node came back", h->c, 0);
		h->pn = pn;
		h->gen = gen;
		if (gen > h->maxgen)
			h->maxgen = gen;
	} else if (h->pn != pn || h->gen != gen) {
		violation("two live nodes for one cookie", h->c, 0);
	}
	h->holders++;
	pthread_mutex_unlock(&h->mtx);

	if (lookup_again) {
		rv = pn_cookie2vnode(mp, h->c, 0, &vp2);
		if (rv != PN_OK || vp2 != vp)
			violation("lookup of a held cookie answers another "
			    "vnode", h->c, rv);
		if (rv == PN_OK)
			pn_sim_vrele(sim, vp2);
	}
}

static void
unhold(int i, struct pn_vnode *vp)
{
	pthread_mutex_lock(&hs[i].mtx);
	if (--hs[i].holders < 0)
		violation("checker holders", hs[i].c, 0);
	pthread_mutex_unlock(&hs[i].mtx);
	if (pn_sim_vrele(sim, vp) != PN_OK)
		violation("vrele", hs[i].c, 0);
}

static int
walk_fn(struct pn_node *pn, void *arg)
{
	(void)arg;
	if (pn_node_cookie(pn) == 0 || pn_node_refs(pn) < 1)
		violation("walk", pn_node_cookie(pn), 0);
	return 0;
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

static void *
worker(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 7;
	struct pn_node *pending[NPENDING] = { NULL };
	struct timespec t0;
	struct pn_vnode *vp;
	struct pn_node *pn;
	struct pn_cn cn;
	char buf[32];
	size_t resid;
	long n;
	int i, r, k, rv, ev;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; still_running(n, &t0); n++) {
		atomic_fetch_add_explicit(&ops_done, 1, memory_order_relaxed);
		i = (int)(rnd(&seed) % (uint64_t)nc);
		r = (int)(rnd(&seed) % 100);
		if (r < 30) {
			rv = pn_getvnode(mp, hs[i].c, hs[i].type, 0, 0, &vp);
			if (rv != PN_OK) {
				violation("getvnode", hs[i].c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_GET], 1);
			hold(i, vp, r < 15);
			unhold(i, vp);
		} else if (r < 38) {
			cn = (struct pn_cn){ PN_NAMEI_CREATE, 0, "x", 1,
			    PN_NOCRED, NULL };
			rv = pn_newnode(mp, NULL, hs[i].c, &cn, hs[i].type, 0,
			    &vp);
			if (rv == PN_EEXIST) {
				atomic_fetch_add(&nstat[S_NEWEXIST], 1);
				continue;
			}
			if (rv != PN_OK) {
				violation("newnode", hs[i].c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_NEW], 1);
			hold(i, vp, true);
			pn_sim_vunlock(sim, vp);
			unhold(i, vp);
		} else if (r < 50) {
			rv = pn_cookie2vnode(mp, hs[i].c, r % 2 ?
			    PN_LOOKUP_LOCK : 0, &vp);
			if (rv == PN_ENOENT && i != 0) {
				atomic_fetch_add(&nstat[S_NOENT], 1);
				continue;
			}
			if (rv != PN_OK) {
				violation("cookie2vnode", hs[i].c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_LOOKUP], 1);
			hold(i, vp, false);
			if (r % 2)
				pn_sim_vunlock(sim, vp);
			unhold(i, vp);
		} else if (r < 55) {
			if ((rv = pn_makeroot(mp, &vp)) != PN_OK) {
				violation("makeroot", hs[0].c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_ROOT], 1);
			hold(0, vp, true);
			unhold(0, vp);
		} else if (r < 65) {
			if ((rv = pn_sim_namei(sim, hs[i].path, &vp)) != PN_OK) {
				violation("namei", hs[i].c, rv);
				continue;
			}
			atomic_fetch_add(&nstat[S_NAMEI], 1);
			hold(i, vp, false);
			unhold(i, vp);
		} else if (r < 75) {
			k = (int)(rnd(&seed) % NPENDING);
			if (pending[k] != NULL) {
				rv = r % 2 ? pn_parkdone_poll(pending[k], 0,
				    PN_POLLOUT) : pn_releasenode(pending[k]);
				if (rv != PN_OK)
					violation("completion", 0, rv);
				pending[k] = NULL;
			}
			rv = pn_getvnode(mp, hs[i].c, hs[i].type, 0, 0, &vp);
			if (rv != PN_OK) {
				violation("getvnode", hs[i].c, rv);
				continue;
			}
			hold(i, vp, false);
			pn = pn_vnode2node(mp, vp);
			if (pn_referencenode(pn) == PN_OK)
				pending[k] = pn;
			else
				violation("referencenode", hs[i].c, 0);
			unhold(i, vp);
			atomic_fetch_add(&nstat[S_POLLREQ], 1);
		} else if (r < 82) {
			if (hs[i].type != PN_VREG)
				continue;
			if ((rv = pn_sim_namei(sim, hs[i].path, &vp)) != PN_OK) {
				violation("namei", hs[i].c, rv);
				continue;
			}
			hold(i, vp, false);
			rv = pn_sim_read(sim, vp, 0, buf, sizeof(buf), &resid);
			if (rv != PN_OK || resid > sizeof(buf) ||
			    (resid < sizeof(buf) && (uint8_t)buf[0] !=
			    pn_sim_synthetic_byte(hs[i].c, 0)))
				violation("read", hs[i].c, rv);
			atomic_fetch_add(&nstat[S_READ], 1);
			unhold(i, vp);
		} else if (r < 86) {
			if ((rv = pn_sim_namei(sim, hs[i].path, &vp)) != PN_OK) {
				violation("namei", hs[i].c, rv);
				continue;
			}
			hold(i, vp, false);
			rv = pn_sim_poll(sim, vp, PN_POLLIN, &ev);
			if (rv != PN_OK || (ev & ~PN_POLL_ALL) != 0)
				violation("poll", hs[i].c, rv);
			atomic_fetch_add(&nstat[S_POLL], 1);
			unhold(i, vp);
		} else if (r < 92) {
			if ((rv = pn_sim_drain(sim, (size_t)(r % 3) * 4,
			    NULL)) != PN_OK)
				violation("sim drain", 0, rv);
			atomic_fetch_add(&nstat[S_DRAIN], 1);
		} else if (r < 95) {
			if ((rv = pn_node_walk(mp, walk_fn, NULL)) != 0)
				violation("walk", 0, rv);
			atomic_fetch_add(&nstat[S_WALK], 1);
		} else {
			rv = pn_pool_drain(mp, NULL);
			if (rv != PN_OK && rv != PN_EBUSY)
				violation("pool drain", 0, rv);
		}
	}
	for (k = 0; k < NPENDING; k++)
		if (pending[k] != NULL && pn_releasenode(pending[k]) != PN_OK)
			violation("release", 0, 0);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct pn_sim_config cfg = { .version = PN_SIM_CONFIG_VERSION,
	    .maxvnodes = 16, .loglevel = PN_LOG_ERR,
	    .flags = PN_SIM_NAMECACHE | PN_SIM_VERIFY, .aio_threads = 2 };
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_vnode *vp;
	pthread_t tids[MAXTHREADS];
	struct timespec t0, t1;
	const char *soak = getenv("PN_SOAK_SECONDS");
	double secs;
	int ch, i, rv, fail = 0;

	while ((ch = getopt(argc, argv, "t:n:m:s")) != -1) {
		switch (ch) {
		case 't': nthreads = atoi(optarg); break;
		case 'n': nops = atol(optarg); break;
		case 'm': cfg.maxvnodes = (size_t)atol(optarg); break;
		case 's': soak_seconds = 300; break;
		default:
			fprintf(stderr, "usage: stress-sim [-t threads] "
			    "[-n operations] [-m maxvnodes]\n");
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAXTHREADS || nops < 1)
		return 2;
	if (soak != NULL && atof(soak) > 0)
		soak_seconds = atof(soak);

	if ((rv = pn_sim_server_synthetic(200, 4, &srv)) != PN_OK ||
	    (rv = pn_sim_init(&cfg, srv, &sim)) != PN_OK) {
		fprintf(stderr, "stress-sim: set-up: %s\n", pn_strerror(rv));
		return 1;
	}
	mp = pn_sim_mount(sim);
	for (i = 0; i < NC; i++) {
		struct hslot *h = &hs[i];

		pthread_mutex_init(&h->mtx, NULL);
		if (pn_sim_server_path(srv, (size_t)i, h->path,
		    sizeof(h->path), &h->type) != PN_OK)
			break;
		if ((rv = pn_sim_namei(sim, h->path, &vp)) != PN_OK) {
			fprintf(stderr, "stress-sim: namei %s: %s\n", h->path,
			    pn_strerror(rv));
			return 1;
		}
		h->c = pn_sim_vnode_cookie(sim, vp);
		pn_sim_vrele(sim, vp);
	}
	nc = i;
	if (nc < 2 || hs[0].c != pn_mount_rootcookie(mp)) {
		fprintf(stderr, "stress-sim: bad synthetic tree\n");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nthreads; i++)
		pthread_create(&tids[i], NULL, worker,
		    (void *)(uintptr_t)(i + 1));
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	pn_sim_stats(sim, &st);
	printf("stress-sim: %ld operations, %d threads, %d cookies, "
	    "maxvnodes %zu, %.2f s\n", (long)atomic_load(&ops_done),
	    nthreads, nc, st.maxvnodes, secs);
	for (i = 0; i < (int)(sizeof(statname) / sizeof(statname[0])); i++)
		printf("  %-14s %ld\n", statname[i],
		    (long)atomic_load(&nstat[i]));
	printf("  vnodes built %" PRIu64 ", reclaimed %" PRIu64 ", freed %"
	    PRIu64 ", vget refused (dying) %" PRIu64 ", high %zu; lookups "
	    "checked %" PRIu64 ", wrong %" PRIu64 "\n", st.built,
	    st.reclaimed, st.freed, st.vget_dying, st.vnodes_high,
	    st.checked, st.wrong);
	if (st.wrong != 0 || st.panics != 0 || st.reclaimed == 0) {
		fprintf(stderr, "stress-sim: %" PRIu64 " wrong lookups, %"
		    PRIu64 " panics, %" PRIu64 " reclaims\n", st.wrong,
		    st.panics, st.reclaimed);
		fail = 1;
	}
	if ((rv = pn_sim_unmount(sim, false)) != PN_OK) {
		fprintf(stderr, "stress-sim: unmount: %s\n", pn_strerror(rv));
		fail = 1;
	}
	pn_sim_stats(sim, &st);
	if (st.final_pool.in_use != 0 || !st.unmounted) {
		fprintf(stderr, "stress-sim: %zu nodes in use at unmount\n",
		    st.final_pool.in_use);
		fail = 1;
	}
	if (pn_sim_fini(sim) != PN_OK || pn_sim_server_destroy(srv) != PN_OK)
		fail = 1;
	for (i = 0; i < NC; i++)
		pthread_mutex_destroy(&hs[i].mtx);
	if (atomic_load(&violations) != 0) {
		fprintf(stderr, "stress-sim: %ld violations\n",
		    (long)atomic_load(&violations));
		fail = 1;
	}
	return fail;
}
