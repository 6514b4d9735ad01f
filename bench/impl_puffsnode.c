/*
 * impl_puffsnode.c -- puffsnode through its public API, over a minimal
 * bench host: the POSIX host kit (libpuffsnode-posix: malloc, adaptive
 * pthread mutexes that know their holder, condition variables) and
 * vnodes that are a use count and two fields.
 *
 * vnode_get is one atomic increment of the use count (refused once the
 * vnode is being reclaimed); the bench drops the reference with one atomic
 * decrement.  Reclaim, as a host does it: mark the unused vnode dying,
 * pn_putvnode(), free it.  --vnode-bytes makes the vnodes bigger, as a
 * kernel's are (the hit rows depend on it: docs/performance.md).  The
 * mount is told the node count to expect
 * (hash_hint), as rculfhash's table is presized; GHashTable and the
 * floor grow from their minimum.
 */
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <puffsnode/posix.h>
#include <puffsnode/puffsnode.h>

#include "bench.h"

#define VN_DYING	0x80000000u

struct pn_vnode {
	_Atomic uint32_t	 use;		/* references | VN_DYING */
	struct pn_node		*data;
	int64_t			 size;
};

/* Extra PN_MNT_* flags of the bench's mounts (--parts). */
unsigned bench_pn_flags;

/* Bytes asked of malloc for a vnode (--vnode-bytes); 0: sizeof. */
size_t bench_pn_vnode_bytes;

struct ptab {
	struct pn_mount	 *mp;
	struct pn_vnode	**handle;
	size_t		  n;
};

/* ---- the host: the POSIX kit's members, and these vnodes ---- */

static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = malloc(bench_pn_vnode_bytes > sizeof(*vp) ?
	    bench_pn_vnode_bytes : sizeof(*vp));

	(void)host;
	(void)type;
	if (vp == NULL)
		return PN_ENOMEM;
	atomic_init(&vp->use, 1);	/* the caller's reference */
	vp->data = NULL;
	vp->size = 0;
	*vpp = vp;
	return PN_OK;
}

static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	(void)host;
	free(vp);
}

static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	(void)host;
	if (atomic_fetch_add_explicit(&vp->use, 1, memory_order_acquire) &
	    VN_DYING) {
		atomic_fetch_sub_explicit(&vp->use, 1, memory_order_relaxed);
		return PN_ENOENT;
	}
	return PN_OK;
}

static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	(void)host;
	atomic_fetch_sub_explicit(&vp->use, 1, memory_order_release);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	(void)host;
	vp->data = pn;
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	(void)host;
	return vp->data;
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	(void)host;
	vp->size = size;
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	(void)host;
	return vp->size;
}

static struct pn_host_ops bench_host_ops = {
	.vnode_alloc = h_vnode_alloc,
	.vnode_free = h_vnode_free,
	.vnode_get = h_vnode_get,
	.vnode_rele = h_vnode_rele,
	.vnode_setdata = h_vnode_setdata,
	.vnode_getdata = h_vnode_getdata,
	.vnode_setsize = h_vnode_setsize,
	.vnode_getsize = h_vnode_getsize,
};

static void
die(const char *what, int error)
{
	fprintf(stderr, "puffsnode-bench: %s: %s\n", what, pn_strerror(error));
	exit(1);
}

/* Drop the reference a lookup or create took. */
static inline void
vn_drop(struct pn_vnode *vp)
{
	atomic_fetch_sub_explicit(&vp->use, 1, memory_order_release);
}

/* The host's reclaim of an unused vnode. */
static void
vn_reclaim(struct pn_mount *mp, struct pn_vnode *vp)
{
	uint32_t u = 0;
	int error;

	while (!atomic_compare_exchange_weak_explicit(&vp->use, &u, VN_DYING,
	    memory_order_acq_rel, memory_order_relaxed)) {
		u = 0;		/* a lookup holds it for a moment */
		sched_yield();
	}
	if ((error = pn_putvnode(mp, vp)) != PN_OK)
		die("pn_putvnode", error);
	free(vp);
}

/* ---- the implementation ---- */

static void *
p_create(size_t n)
{
	struct ptab *p = calloc(1, sizeof(*p));
	struct pn_mount_args a = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = BENCH_ROOTKEY,
		.root_type = PN_VDIR,
		.hash_hint = n,		/* presized, as rculfhash is */
		.flags = bench_pn_flags,
	};
	int error;

	if ((error = pn_posix_fill_ops(&bench_host_ops,
	    PN_HOST_OPS_VERSION)) != PN_OK ||
	    (error = pn_mount_create(&bench_host_ops, NULL, &a, &p->mp)) != 0)
		die("pn_mount_create", error);
	p->handle = calloc(n, sizeof(*p->handle));
	p->n = n;
	return p;
}

static void
p_destroy(void *inst)
{
	struct ptab *p = inst;
	size_t i;
	int error;

	for (i = 0; i < p->n; i++)
		if (p->handle[i] != NULL)
			vn_reclaim(p->mp, p->handle[i]);
	if ((error = pn_mount_destroy(p->mp)) != PN_OK)
		die("pn_mount_destroy", error);
	free(p->handle);
	free(p);
}

static void
p_populate(void *inst, size_t n, int tid, int nthreads)
{
	struct ptab *p = inst;
	struct pn_vnode *vp;
	size_t i;
	int error;

	for (i = (size_t)tid; i < n; i += (size_t)nthreads) {
		error = pn_getvnode(p->mp, bench_key(i), PN_VREG, 0, 0, &vp);
		if (error != PN_OK)
			die("pn_getvnode", error);
		vn_drop(vp);
		p->handle[i] = vp;
	}
}

static uint64_t
p_lookups(void *inst, struct bench_rng *r, size_t n, bool miss, uint64_t count)
{
	struct pn_mount *mp = ((struct ptab *)inst)->mp;
	uint64_t found = 0;

	while (count-- > 0) {
		uint64_t c = miss ? bench_misskey(bench_rand(r)) :
		    bench_key(bench_below(r, n));
		struct pn_vnode *vp;

		if (pn_cookie2vnode(mp, c, 0, &vp) == PN_OK) {
			vn_drop(vp);
			found++;
		}
	}
	return found;
}

static void
p_churn(void *inst, struct bench_rng *r, size_t n, int tid, int nthreads,
    uint64_t count, uint64_t *seq)
{
	struct ptab *p = inst;
	size_t share = n / (size_t)nthreads;
	struct pn_vnode *vp;
	int error;

	while (count-- > 0) {
		size_t i = bench_below(r, share) * (size_t)nthreads + (size_t)tid;

		vn_reclaim(p->mp, p->handle[i]);
		error = pn_getvnode(p->mp, bench_newkey(tid, (*seq)++), PN_VREG,
		    0, 0, &vp);
		if (error != PN_OK)
			die("pn_getvnode", error);
		vn_drop(vp);
		p->handle[i] = vp;
	}
}

void
bench_pn_mem(void *inst, struct bench_pn_mem *m)
{
	struct ptab *p = inst;
	struct pn_pool_stats ps;
	struct pn_table_stats ts;

	if (pn_pool_stats(p->mp, &ps) != PN_OK ||
	    pn_table_stats(p->mp, &ts) != PN_OK || ps.in_use == 0) {
		*m = (struct bench_pn_mem){ 0 };
		return;
	}
	m->pool_bytes = (double)ps.slabs * (double)ps.slab_bytes /
	    (double)ps.in_use;
	m->table_bytes = (double)ts.bytes / (double)ps.in_use;
	m->node_size = ps.node_size;
	m->buckets = ts.buckets;
	m->longest_probe = ts.longest_probe;
	/* glibc: the usable size plus the chunk header. */
	m->vnode_bytes = p->handle[0] != NULL ?
	    malloc_usable_size(p->handle[0]) + sizeof(size_t) : 0;
}

const struct bench_impl bench_puffsnode = {
	.name = "puffsnode",
	.create = p_create,
	.destroy = p_destroy,
	.populate = p_populate,
	.lookups = p_lookups,
	.churn = p_churn,
};

/* ---- race check: lookups beside reclaim churn (for ThreadSanitizer) ---- */

struct race {
	struct ptab	*p;
	size_t		 n;
	int		 tid;
	atomic_bool	*stop;
	uint64_t	 hits, misses, bad;
};

static void *
race_lookups(void *arg)
{
	struct race *r = arg;
	struct bench_rng rng = { bench_mix((uint64_t)r->tid + 7) | 1 };
	struct pn_vnode *vp;

	while (!atomic_load_explicit(r->stop, memory_order_relaxed)) {
		uint64_t c = bench_key(bench_below(&rng, r->n));

		if (pn_cookie2vnode(r->p->mp, c, 0, &vp) != PN_OK) {
			r->misses++;
			continue;
		}
		/* Referenced: the host cannot reclaim it under us. */
		if (pn_node_cookie(pn_vnode2node(r->p->mp, vp)) != c)
			r->bad++;
		r->hits++;
		vn_drop(vp);
	}
	return NULL;
}

static void *
race_churn(void *arg)
{
	struct race *r = arg;
	struct bench_rng rng = { UINT64_C(0x1234567) };
	struct pn_vnode *vp;
	int error;

	/* Reclaim a node and bring its cookie back: a new incarnation. */
	while (!atomic_load_explicit(r->stop, memory_order_relaxed)) {
		size_t i = bench_below(&rng, r->n);

		vn_reclaim(r->p->mp, r->p->handle[i]);
		error = pn_getvnode(r->p->mp, bench_key(i), PN_VREG, 0, 0, &vp);
		if (error != PN_OK)
			die("pn_getvnode", error);
		vn_drop(vp);
		r->p->handle[i] = vp;
		r->hits++;
	}
	return NULL;
}

/*
 * Two threads look up while a third reclaims and creates nodes; every vnode
 * a lookup returns must carry the cookie asked for.  0 when all was well.
 */
int
bench_pn_race(size_t n, double secs)
{
	struct ptab *p = p_create(n);
	struct race r[3];
	pthread_t th[3];
	atomic_bool stop;
	struct timespec ts = { (time_t)secs,
	    (long)((secs - (double)(time_t)secs) * 1e9) };
	int i;

	atomic_init(&stop, false);
	p_populate(p, n, 0, 1);
	for (i = 0; i < 3; i++) {
		r[i] = (struct race){ .p = p, .n = n, .tid = i, .stop = &stop };
		pthread_create(&th[i], NULL, i < 2 ? race_lookups : race_churn,
		    &r[i]);
	}
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	p_destroy(p);
	printf("race: %llu + %llu lookups (%llu + %llu misses), %llu churned, "
	    "%llu wrong\n", (unsigned long long)r[0].hits,
	    (unsigned long long)r[1].hits, (unsigned long long)r[0].misses,
	    (unsigned long long)r[1].misses, (unsigned long long)r[2].hits,
	    (unsigned long long)(r[0].bad + r[1].bad));
	return r[0].bad + r[1].bad != 0;
}
