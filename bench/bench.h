/*
 * bench.h -- shared pieces of puffsnode-bench: the cookie generator, the
 * random number generator and the table each implementation fills in.
 *
 * Cookies are a bijective mix of an index, so every implementation sees
 * the same random-looking 64-bit cookies, lookups need no key array, and
 * a cookie outside the populated index range is a guaranteed miss.
 */
#ifndef PN_BENCH_H
#define PN_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bijection on 64-bit integers with mix(0) = 0 (each step inverts). */
static inline uint64_t
bench_mix(uint64_t x)
{
	x ^= x >> 31;
	x *= UINT64_C(0x7fb5d329728ea185);
	x ^= x >> 27;
	x *= UINT64_C(0x81dadef4bc2dd44d);
	x ^= x >> 33;
	return x;
}

/* The cookie of populated node i (i < 2^40): never 0. */
static inline uint64_t
bench_key(size_t i)
{
	return bench_mix((uint64_t)i + 1);
}

/* A cookie no populated node has. */
static inline uint64_t
bench_misskey(uint64_t r)
{
	return bench_mix((UINT64_C(1) << 60) | (r & ((UINT64_C(1) << 40) - 1)));
}

/* The seq-th new cookie of thread tid in the churn phase. */
static inline uint64_t
bench_newkey(int tid, uint64_t seq)
{
	return bench_mix(((uint64_t)(tid + 1) << 61) | (seq & ((UINT64_C(1) << 56) - 1)));
}

/* The cookie of the puffsnode mount's root: no populated node has it. */
#define BENCH_ROOTKEY	bench_mix(UINT64_C(1) << 63)

/* murmur3's 64-bit finalizer: the hash the floor and rculfhash use. */
static inline uint64_t
bench_fmix64(uint64_t c)
{
	c ^= c >> 33;
	c *= UINT64_C(0xff51afd7ed558ccd);
	c ^= c >> 33;
	c *= UINT64_C(0xc4ceb9fe1a85ec53);
	c ^= c >> 33;
	return c;
}

/* xorshift64*: cheap and good enough to pick indices. */
struct bench_rng {
	uint64_t s;
};

static inline uint64_t
bench_rand(struct bench_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* Uniform in [0, n), n < 2^32. */
static inline size_t
bench_below(struct bench_rng *r, size_t n)
{
	return (size_t)(((bench_rand(r) >> 32) * (uint64_t)n) >> 32);
}

/*
 * One implementation under test.  An instance holds n nodes, indexed
 * 0..n-1, each with a handle (its node or vnode) for the churn phase.
 */
struct bench_impl {
	const char *name;
	/* NULL when the implementation is not built in. */
	void	*(*create)(size_t n);
	void	 (*destroy)(void *inst);
	void	 (*thread_init)(void *inst);	/* optional */
	void	 (*thread_fini)(void *inst);	/* optional */
	/* Insert nodes tid, tid + nthreads, ... < n: get-or-create of new cookies. */
	void	 (*populate)(void *inst, size_t n, int tid, int nthreads);
	/*
	 * count lookups of random cookies: populated ones (miss false), each
	 * a reference taken and dropped, or absent ones.  Returns the number
	 * found.
	 */
	uint64_t (*lookups)(void *inst, struct bench_rng *r, size_t n, bool miss,
	    uint64_t count);
	/*
	 * count times: reclaim a random node of this thread's share and create
	 * a node with a new cookie in its place.
	 */
	void	 (*churn)(void *inst, struct bench_rng *r, size_t n, int tid,
	    int nthreads, uint64_t count, uint64_t *seq);
};

extern const struct bench_impl bench_floor, bench_puffsnode, bench_seed,
    bench_glib, bench_rculfhash;

/* puffsnode's own memory figures for an instance (impl_puffsnode.c). */
struct bench_pn_mem {
	double	pool_bytes;	/* slab bytes per node */
	double	table_bytes;	/* table bytes per node */
	size_t	node_size;
	size_t	buckets;
	size_t	longest_probe;
	size_t	vnode_bytes;	/* host vnode footprint, per node */
};
void	bench_pn_mem(void *inst, struct bench_pn_mem *m);
int	bench_pn_race(size_t n, double secs);
extern unsigned bench_pn_flags;	/* PN_MNT_* of puffsnode's mounts */
extern size_t bench_pn_vnode_bytes;	/* --vnode-bytes; 0: sizeof */

#endif /* !PN_BENCH_H */
