/*
 * impl_seed.c -- a model of the seed's cookie table (NetBSD puffs_subr.c
 * 1.39): 256 LIST buckets picked by hash32_buf over the cookie's bytes,
 * one mount mutex around every table access, a reference count per node.
 * Creation inserts at the head with no duplicate check, as
 * puffs_getvnode did; reclaim unlinks the node it is given.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "bench.h"

#define SEED_BUCKETS	256
#define HASH32_BUF_INIT	5381

struct snode {
	LIST_ENTRY(snode)	link;
	uint64_t		cookie;
	_Atomic uint32_t	ref;
};

LIST_HEAD(shead, snode);

struct seed {
	pthread_mutex_t	 lock;
	struct shead	 hash[SEED_BUCKETS];
	struct snode	**handle;
};

/* NetBSD <sys/hash.h> hash32_buf: the "nemesi" multiplier 257. */
static inline uint32_t
hash32_buf(const void *bf, size_t len, uint32_t hash)
{
	const uint8_t *s = bf;

	while (len-- != 0)
		hash = hash * 257 + *s++;
	return hash * 257;
}

static inline struct shead *
s_bucket(struct seed *s, uint64_t c)
{
	return &s->hash[hash32_buf(&c, sizeof(c), HASH32_BUF_INIT) %
	    SEED_BUCKETS];
}

static void *
s_create(size_t n)
{
	struct seed *s = calloc(1, sizeof(*s));
	pthread_mutexattr_t a;
	size_t i;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&s->lock, &a);
	pthread_mutexattr_destroy(&a);
	for (i = 0; i < SEED_BUCKETS; i++)
		LIST_INIT(&s->hash[i]);
	s->handle = calloc(n, sizeof(*s->handle));
	return s;
}

static void
s_destroy(void *inst)
{
	struct seed *s = inst;
	struct snode *n;
	size_t i;

	for (i = 0; i < SEED_BUCKETS; i++)
		while ((n = LIST_FIRST(&s->hash[i])) != NULL) {
			LIST_REMOVE(n, link);
			free(n);
		}
	pthread_mutex_destroy(&s->lock);
	free(s->handle);
	free(s);
}

static struct snode *
s_new(struct seed *s, uint64_t c)
{
	struct snode *n = malloc(sizeof(*n));

	n->cookie = c;
	atomic_init(&n->ref, 0);
	pthread_mutex_lock(&s->lock);
	LIST_INSERT_HEAD(s_bucket(s, c), n, link);
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void
s_populate(void *inst, size_t n, int tid, int nthreads)
{
	struct seed *s = inst;
	size_t i;

	for (i = (size_t)tid; i < n; i += (size_t)nthreads)
		s->handle[i] = s_new(s, bench_key(i));
}

static uint64_t
s_lookups(void *inst, struct bench_rng *r, size_t n, bool miss, uint64_t count)
{
	struct seed *s = inst;
	uint64_t found = 0;

	while (count-- > 0) {
		uint64_t c = miss ? bench_misskey(bench_rand(r)) :
		    bench_key(bench_below(r, n));
		struct shead *h = s_bucket(s, c);
		struct snode *sn;

		pthread_mutex_lock(&s->lock);
		LIST_FOREACH(sn, h, link)
			if (sn->cookie == c)
				break;
		if (sn != NULL)
			atomic_fetch_add_explicit(&sn->ref, 1,
			    memory_order_acquire);
		pthread_mutex_unlock(&s->lock);
		if (sn != NULL) {
			atomic_fetch_sub_explicit(&sn->ref, 1,
			    memory_order_release);
			found++;
		}
	}
	return found;
}

static void
s_churn(void *inst, struct bench_rng *r, size_t n, int tid, int nthreads,
    uint64_t count, uint64_t *seq)
{
	struct seed *s = inst;
	size_t share = n / (size_t)nthreads;

	while (count-- > 0) {
		size_t i = bench_below(r, share) * (size_t)nthreads + (size_t)tid;
		struct snode *old = s->handle[i];

		pthread_mutex_lock(&s->lock);
		LIST_REMOVE(old, link);
		pthread_mutex_unlock(&s->lock);
		free(old);
		s->handle[i] = s_new(s, bench_newkey(tid, (*seq)++));
	}
}

const struct bench_impl bench_seed = {
	.name = "seed",
	.create = s_create,
	.destroy = s_destroy,
	.populate = s_populate,
	.lookups = s_lookups,
	.churn = s_churn,
};
