/*
 * impl_rculfhash.c -- liburcu's lock-free resizable hash table (default
 * "memb" flavor), presized to n buckets: lookups in RCU read sections,
 * each hit a reference taken inside and dropped after; reclaimed nodes
 * freed through call_rcu.
 */
#include "bench.h"

#ifdef BENCH_HAVE_URCU
#include <stdlib.h>
#include <urcu.h>
#include <urcu/rculfhash.h>

struct unode {
	struct cds_lfht_node	lf;
	uint64_t		cookie;
	_Atomic uint32_t	ref;
	struct rcu_head		rh;
};

struct utab {
	struct cds_lfht	 *ht;
	struct unode	**handle;
	size_t		  n;
};

static int
u_match(struct cds_lfht_node *node, const void *key)
{
	return caa_container_of(node, struct unode, lf)->cookie ==
	    *(const uint64_t *)key;
}

static void *
u_create(size_t n)
{
	struct utab *u = calloc(1, sizeof(*u));
	unsigned long sz = 1;

	while (sz < n)
		sz <<= 1;
	u->ht = cds_lfht_new(sz, sz, 0, CDS_LFHT_AUTO_RESIZE |
	    CDS_LFHT_ACCOUNTING, NULL);
	u->handle = calloc(n, sizeof(*u->handle));
	u->n = n;
	return u;
}

static void
u_thread_init(void *inst)
{
	(void)inst;
	rcu_register_thread();
}

static void
u_thread_fini(void *inst)
{
	(void)inst;
	rcu_unregister_thread();
}

static void
u_free_cb(struct rcu_head *rh)
{
	free(caa_container_of(rh, struct unode, rh));
}

/* Runs on a registered thread (the bench's teardown thread). */
static void
u_destroy(void *inst)
{
	struct utab *u = inst;
	size_t i;

	rcu_read_lock();
	for (i = 0; i < u->n; i++)
		if (u->handle[i] != NULL)
			(void)cds_lfht_del(u->ht, &u->handle[i]->lf);
	rcu_read_unlock();
	synchronize_rcu();
	rcu_barrier();
	for (i = 0; i < u->n; i++)
		free(u->handle[i]);
	(void)cds_lfht_destroy(u->ht, NULL);
	free(u->handle);
	free(u);
}

static struct unode *
u_new(struct utab *u, uint64_t c)
{
	struct unode *n = malloc(sizeof(*n));

	cds_lfht_node_init(&n->lf);
	n->cookie = c;
	atomic_init(&n->ref, 0);
	rcu_read_lock();
	cds_lfht_add(u->ht, (unsigned long)bench_fmix64(c), &n->lf);
	rcu_read_unlock();
	return n;
}

static void
u_populate(void *inst, size_t n, int tid, int nthreads)
{
	struct utab *u = inst;
	size_t i;

	for (i = (size_t)tid; i < n; i += (size_t)nthreads)
		u->handle[i] = u_new(u, bench_key(i));
}

static uint64_t
u_lookups(void *inst, struct bench_rng *r, size_t n, bool miss, uint64_t count)
{
	struct utab *u = inst;
	uint64_t found = 0;

	while (count-- > 0) {
		uint64_t c = miss ? bench_misskey(bench_rand(r)) :
		    bench_key(bench_below(r, n));
		struct cds_lfht_iter it;
		struct cds_lfht_node *ln;
		struct unode *un = NULL;

		rcu_read_lock();
		cds_lfht_lookup(u->ht, (unsigned long)bench_fmix64(c), u_match,
		    &c, &it);
		ln = cds_lfht_iter_get_node(&it);
		if (ln != NULL) {
			un = caa_container_of(ln, struct unode, lf);
			atomic_fetch_add_explicit(&un->ref, 1,
			    memory_order_acquire);
		}
		rcu_read_unlock();
		if (un != NULL) {
			atomic_fetch_sub_explicit(&un->ref, 1,
			    memory_order_release);
			found++;
		}
	}
	return found;
}

static void
u_churn(void *inst, struct bench_rng *r, size_t n, int tid, int nthreads,
    uint64_t count, uint64_t *seq)
{
	struct utab *u = inst;
	size_t share = n / (size_t)nthreads;

	while (count-- > 0) {
		size_t i = bench_below(r, share) * (size_t)nthreads + (size_t)tid;
		struct unode *old = u->handle[i];

		rcu_read_lock();
		(void)cds_lfht_del(u->ht, &old->lf);
		rcu_read_unlock();
		call_rcu(&old->rh, u_free_cb);
		u->handle[i] = u_new(u, bench_newkey(tid, (*seq)++));
	}
}

const struct bench_impl bench_rculfhash = {
	.name = "rculfhash",
	.create = u_create,
	.destroy = u_destroy,
	.thread_init = u_thread_init,
	.thread_fini = u_thread_fini,
	.populate = u_populate,
	.lookups = u_lookups,
	.churn = u_churn,
};

#else

const struct bench_impl bench_rculfhash = { .name = "rculfhash" };

#endif
