/*
 * impl_glib.c -- GHashTable behind one GMutex: the cookie (a 64-bit
 * integer in a pointer) maps to a node with a reference count.
 */
#include "bench.h"

#ifdef BENCH_HAVE_GLIB
#include <glib.h>
#include <stdlib.h>

struct gnode {
	uint64_t		cookie;
	_Atomic uint32_t	ref;
};

struct gtab {
	GMutex		  lock;
	GHashTable	 *ht;
	struct gnode	**handle;
};

static void *
g_create(size_t n)
{
	struct gtab *g = calloc(1, sizeof(*g));

	g_mutex_init(&g->lock);
	g->ht = g_hash_table_new(g_direct_hash, g_direct_equal);
	g->handle = calloc(n, sizeof(*g->handle));
	return g;
}

static void
g_destroy(void *inst)
{
	struct gtab *g = inst;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, g->ht);
	while (g_hash_table_iter_next(&it, &k, &v))
		free(v);
	g_hash_table_destroy(g->ht);
	g_mutex_clear(&g->lock);
	free(g->handle);
	free(g);
}

static struct gnode *
g_new_node(struct gtab *g, uint64_t c)
{
	struct gnode *n = malloc(sizeof(*n));

	n->cookie = c;
	atomic_init(&n->ref, 0);
	g_mutex_lock(&g->lock);
	g_hash_table_insert(g->ht, (gpointer)(uintptr_t)c, n);
	g_mutex_unlock(&g->lock);
	return n;
}

static void
g_populate(void *inst, size_t n, int tid, int nthreads)
{
	struct gtab *g = inst;
	size_t i;

	for (i = (size_t)tid; i < n; i += (size_t)nthreads)
		g->handle[i] = g_new_node(g, bench_key(i));
}

static uint64_t
g_lookups(void *inst, struct bench_rng *r, size_t n, bool miss, uint64_t count)
{
	struct gtab *g = inst;
	uint64_t found = 0;

	while (count-- > 0) {
		uint64_t c = miss ? bench_misskey(bench_rand(r)) :
		    bench_key(bench_below(r, n));
		struct gnode *gn;

		g_mutex_lock(&g->lock);
		gn = g_hash_table_lookup(g->ht, (gpointer)(uintptr_t)c);
		if (gn != NULL)
			atomic_fetch_add_explicit(&gn->ref, 1,
			    memory_order_acquire);
		g_mutex_unlock(&g->lock);
		if (gn != NULL) {
			atomic_fetch_sub_explicit(&gn->ref, 1,
			    memory_order_release);
			found++;
		}
	}
	return found;
}

static void
g_churn(void *inst, struct bench_rng *r, size_t n, int tid, int nthreads,
    uint64_t count, uint64_t *seq)
{
	struct gtab *g = inst;
	size_t share = n / (size_t)nthreads;

	while (count-- > 0) {
		size_t i = bench_below(r, share) * (size_t)nthreads + (size_t)tid;
		struct gnode *old = g->handle[i];

		g_mutex_lock(&g->lock);
		g_hash_table_remove(g->ht, (gpointer)(uintptr_t)old->cookie);
		g_mutex_unlock(&g->lock);
		free(old);
		g->handle[i] = g_new_node(g, bench_newkey(tid, (*seq)++));
	}
}

const struct bench_impl bench_glib = {
	.name = "glib",
	.create = g_create,
	.destroy = g_destroy,
	.populate = g_populate,
	.lookups = g_lookups,
	.churn = g_churn,
};

#else

const struct bench_impl bench_glib = { .name = "glib" };

#endif
