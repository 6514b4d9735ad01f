/*
 * impl_floor.c -- the floor: what a cookie lookup costs with no safety
 * net.  Open addressing, linear probing over node pointers, the same
 * hash as puffsnode, grown past 3/4 full; each hit takes and drops an
 * atomic reference on the node.  Lookups take no lock and do nothing to
 * survive a concurrent writer, so the bench never runs writers beside
 * them; writers (populate, churn) take a spin lock when two threads run.
 */
#include <stdlib.h>

#include "bench.h"

struct fnode {
	uint64_t		cookie;
	_Atomic uint32_t	ref;
};

struct floor {
	struct fnode	**slot;
	size_t		  mask;
	size_t		  count;
	atomic_flag	  lock;
	struct fnode	**handle;	/* by index */
};

static void *
f_create(size_t n)
{
	struct floor *f = calloc(1, sizeof(*f));

	f->mask = 15;
	f->slot = calloc(f->mask + 1, sizeof(*f->slot));
	f->handle = calloc(n, sizeof(*f->handle));
	atomic_flag_clear(&f->lock);
	return f;
}

static void
f_destroy(void *inst)
{
	struct floor *f = inst;
	size_t i;

	for (i = 0; i <= f->mask; i++)
		free(f->slot[i]);
	free(f->slot);
	free(f->handle);
	free(f);
}

static void
f_lock(struct floor *f, int nthreads)
{
	if (nthreads > 1)
		while (atomic_flag_test_and_set_explicit(&f->lock,
		    memory_order_acquire))
			__builtin_ia32_pause();
}

static void
f_unlock(struct floor *f, int nthreads)
{
	if (nthreads > 1)
		atomic_flag_clear_explicit(&f->lock, memory_order_release);
}

static void
f_put(struct fnode **slot, size_t mask, struct fnode *n)
{
	size_t i = (size_t)bench_fmix64(n->cookie) & mask;

	while (slot[i] != NULL)
		i = (i + 1) & mask;
	slot[i] = n;
}

static void
f_insert(struct floor *f, struct fnode *n)
{
	if (f->count + 1 > (f->mask + 1) / 4 * 3) {
		size_t nm = f->mask * 2 + 1, i;
		struct fnode **ns = calloc(nm + 1, sizeof(*ns));

		for (i = 0; i <= f->mask; i++)
			if (f->slot[i] != NULL)
				f_put(ns, nm, f->slot[i]);
		free(f->slot);
		f->slot = ns;
		f->mask = nm;
	}
	f_put(f->slot, f->mask, n);
	f->count++;
}

static void
f_remove(struct floor *f, struct fnode *n)
{
	size_t mask = f->mask, i, j, k;
	struct fnode *e;

	i = (size_t)bench_fmix64(n->cookie) & mask;
	while (f->slot[i] != n)
		i = (i + 1) & mask;
	for (j = (i + 1) & mask; (e = f->slot[j]) != NULL; j = (j + 1) & mask) {
		k = (size_t)bench_fmix64(e->cookie) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		f->slot[i] = e;
		i = j;
	}
	f->slot[i] = NULL;
	f->count--;
}

static struct fnode *
f_new(uint64_t c)
{
	struct fnode *n = malloc(sizeof(*n));

	n->cookie = c;
	atomic_init(&n->ref, 0);
	return n;
}

static void
f_populate(void *inst, size_t n, int tid, int nthreads)
{
	struct floor *f = inst;
	size_t i;

	for (i = (size_t)tid; i < n; i += (size_t)nthreads) {
		struct fnode *fn = f_new(bench_key(i));

		f_lock(f, nthreads);
		f_insert(f, fn);
		f_unlock(f, nthreads);
		f->handle[i] = fn;
	}
}

static inline struct fnode *
f_find(const struct floor *f, uint64_t c)
{
	size_t i = (size_t)bench_fmix64(c) & f->mask;
	struct fnode *n;

	while ((n = f->slot[i]) != NULL) {
		if (n->cookie == c)
			return n;
		i = (i + 1) & f->mask;
	}
	return NULL;
}

static uint64_t
f_lookups(void *inst, struct bench_rng *r, size_t n, bool miss, uint64_t count)
{
	const struct floor *f = inst;
	uint64_t found = 0;

	while (count-- > 0) {
		uint64_t c = miss ? bench_misskey(bench_rand(r)) :
		    bench_key(bench_below(r, n));
		struct fnode *fn = f_find(f, c);

		if (fn != NULL) {
			atomic_fetch_add_explicit(&fn->ref, 1,
			    memory_order_acquire);
			atomic_fetch_sub_explicit(&fn->ref, 1,
			    memory_order_release);
			found++;
		}
	}
	return found;
}

static void
f_churn(void *inst, struct bench_rng *r, size_t n, int tid, int nthreads,
    uint64_t count, uint64_t *seq)
{
	struct floor *f = inst;
	size_t share = n / (size_t)nthreads;

	while (count-- > 0) {
		size_t i = bench_below(r, share) * (size_t)nthreads + (size_t)tid;
		struct fnode *old = f->handle[i], *fn;

		f_lock(f, nthreads);
		f_remove(f, old);
		f_unlock(f, nthreads);
		free(old);
		fn = f_new(bench_newkey(tid, (*seq)++));
		f_lock(f, nthreads);
		f_insert(f, fn);
		f_unlock(f, nthreads);
		f->handle[i] = fn;
	}
}

const struct bench_impl bench_floor = {
	.name = "floor",
	.create = f_create,
	.destroy = f_destroy,
	.populate = f_populate,
	.lookups = f_lookups,
	.churn = f_churn,
};
