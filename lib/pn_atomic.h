/*
 * pn_atomic.h -- the core's atomic vocabulary.  Never installed.
 *
 * Every atomic type and operation of the core is spelled here and
 * nowhere else, so a port to an environment with atomics of its own (a
 * kernel) rewrites this one file.  Two designs, chosen at compile time:
 *
 * native    C11 atomics, lock-free at 32 and 64 bits and for pointers
 *           (x86, ARMv7-A and later, AArch64, RV64A).  The cookie table's
 *           64-bit keys and read slots are single words; read-modify-
 *           writes are single instructions.
 *
 * portable  Only what every compiler inlines: loads and stores of bytes
 *           (the table's tags) and of 32-bit and pointer-sized words
 *           (Cortex-M0/M3/M4, RV32, 32-bit MIPS and PowerPC).  64-bit
 *           values are never atomic objects: the table keeps a cookie
 *           as two 32-bit halves under its sequence count, a read slot
 *           is two words.  Read-modify-writes run under the mount's rmw
 *           lock, a host lock held for a few instructions and around
 *           nothing else (a leaf: take no lock while holding it).  No
 *           __atomic_* or __sync_* library call is ever needed.
 *
 * PN_ATOMICS_PORTABLE (-Datomics=portable) forces the portable design on
 * any target, which is how hosted test runs cover it.
 *
 * Loads and stores themselves are C11 atomics, but for clang on ARMv6-M:
 * it inlines no atomic access at all there (its lock-free size is 0), so
 * on that single-core architecture they are volatile word accesses with a
 * barrier after a load and around a store.
 */
#ifndef PN_ATOMIC_H
#define PN_ATOMIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#if !defined(PN_ATOMICS_PORTABLE) && ATOMIC_LLONG_LOCK_FREE == 2 && \
    ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_POINTER_LOCK_FREE == 2
#define PN_ATOMIC64	1	/* native */
#else
#define PN_ATOMIC64	0	/* portable */
#endif

struct pn_mount;

#if defined(__clang__) && defined(__ARM_ARCH_6M__)
#define PNI_VOLATILE_ATOMICS	1
#else
#define PNI_VOLATILE_ATOMICS	0
#endif

/* An atomic object of type T; 32 bits or a pointer, or 64 bits if native. */
#if PNI_VOLATILE_ATOMICS
#define PN_ATOMIC(T)		T volatile
#else
#define PN_ATOMIC(T)		_Atomic(T)
#endif

typedef PN_ATOMIC(uint32_t)	pn_atomic_u32;
#if PN_ATOMIC64
typedef PN_ATOMIC(uint64_t)	pn_atomic_u64;
#endif

/* Memory orders. */
#define PN_RELAXED	memory_order_relaxed
#define PN_ACQUIRE	memory_order_acquire
#define PN_RELEASE	memory_order_release
#define PN_ACQ_REL	memory_order_acq_rel
#define PN_SEQ_CST	memory_order_seq_cst

#if PNI_VOLATILE_ATOMICS

#define pni_barrier()		__asm__ __volatile__("dmb" ::: "memory")
#define pn_atomic_init(p, v)	((void)(*(p) = (v)))
#define pn_load(p, mo)		__extension__ ({			\
	__typeof__(*(p)) pni_v_ = *(p);					\
	(void)(mo);							\
	pni_barrier();							\
	pni_v_;								\
})
#define pn_store(p, v, mo)	do {					\
	(void)(mo);							\
	pni_barrier();							\
	*(p) = (v);							\
	pni_barrier();							\
} while (0)

#else

/* Initialise an object no other thread can see yet. */
#define pn_atomic_init(p, v)	atomic_init((p), (v))

/* Loads and stores: inline on every target. */
#define pn_load(p, mo)		atomic_load_explicit((p), (mo))
#define pn_store(p, v, mo)	atomic_store_explicit((p), (v), (mo))

#endif

#if PN_ATOMIC64

/* One strong compare-and-swap of a 64-bit word (the read slots). */
static inline bool
pn_cas64(pn_atomic_u64 *p, uint64_t *expected, uint64_t desired,
    memory_order success)
{
	return atomic_compare_exchange_strong_explicit(p, expected, desired,
	    success, memory_order_relaxed);
}

/* 32-bit read-modify-writes.  mp names the rmw lock in portable builds. */
static inline uint32_t
pn_fetch_add32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	(void)mp;
	return atomic_fetch_add_explicit(p, d, mo);
}

static inline uint32_t
pn_fetch_sub32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	(void)mp;
	return atomic_fetch_sub_explicit(p, d, mo);
}

/* Strong: fails only when *p differs from *expected, which gets *p. */
static inline bool
pn_cas32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t *expected,
    uint32_t desired, memory_order success)
{
	(void)mp;
	return atomic_compare_exchange_strong_explicit(p, expected, desired,
	    success, memory_order_relaxed);
}

static inline uint32_t
pn_fetch_or32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	(void)mp;
	return atomic_fetch_or_explicit(p, d, mo);
}

/* The same for a pointer-sized word (the table's slot values). */
static inline bool
pn_casuptr(struct pn_mount *mp, PN_ATOMIC(uintptr_t) *p, uintptr_t *expected,
    uintptr_t desired, memory_order success)
{
	(void)mp;
	return atomic_compare_exchange_strong_explicit(p, expected, desired,
	    success, memory_order_relaxed);
}

/* Swap in a pointer-sized word, returning the old one. */
static inline uintptr_t
pn_xchguptr(struct pn_mount *mp, PN_ATOMIC(uintptr_t) *p, uintptr_t v,
    memory_order mo)
{
	(void)mp;
	return atomic_exchange_explicit(p, v, mo);
}

#else /* portable */

/* The mount's rmw lock (hostcall.c). */
void	pni_rmw_enter(struct pn_mount *);
void	pni_rmw_exit(struct pn_mount *);

/*
 * Under the rmw lock every read-modify-write of an object is one critical
 * section; the core never plainly stores to an object that a
 * read-modify-write may change at the same time.  The load and the store
 * carry the acquire and release halves of the order asked for.
 */
static inline memory_order
pni_load_order(memory_order mo)
{
	return mo == memory_order_relaxed || mo == memory_order_release ?
	    memory_order_relaxed : memory_order_acquire;
}

static inline memory_order
pni_store_order(memory_order mo)
{
	if (mo == memory_order_seq_cst)
		return memory_order_seq_cst;
	return mo == memory_order_release || mo == memory_order_acq_rel ?
	    memory_order_release : memory_order_relaxed;
}

static inline uint32_t
pn_fetch_add32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	uint32_t v;

	pni_rmw_enter(mp);
	v = pn_load(p, pni_load_order(mo));
	pn_store(p, v + d, pni_store_order(mo));
	pni_rmw_exit(mp);
	return v;
}

static inline uint32_t
pn_fetch_sub32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	return pn_fetch_add32(mp, p, (uint32_t)0 - d, mo);
}

static inline bool
pn_cas32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t *expected,
    uint32_t desired, memory_order success)
{
	uint32_t v;
	bool ok;

	pni_rmw_enter(mp);
	v = pn_load(p, pni_load_order(success));
	ok = v == *expected;
	if (ok)
		pn_store(p, desired, pni_store_order(success));
	else
		*expected = v;
	pni_rmw_exit(mp);
	return ok;
}

static inline uint32_t
pn_fetch_or32(struct pn_mount *mp, pn_atomic_u32 *p, uint32_t d,
    memory_order mo)
{
	uint32_t v;

	pni_rmw_enter(mp);
	v = pn_load(p, pni_load_order(mo));
	pn_store(p, v | d, pni_store_order(mo));
	pni_rmw_exit(mp);
	return v;
}

static inline bool
pn_casuptr(struct pn_mount *mp, PN_ATOMIC(uintptr_t) *p, uintptr_t *expected,
    uintptr_t desired, memory_order success)
{
	uintptr_t v;
	bool ok;

	pni_rmw_enter(mp);
	v = pn_load(p, pni_load_order(success));
	ok = v == *expected;
	if (ok)
		pn_store(p, desired, pni_store_order(success));
	else
		*expected = v;
	pni_rmw_exit(mp);
	return ok;
}

static inline uintptr_t
pn_xchguptr(struct pn_mount *mp, PN_ATOMIC(uintptr_t) *p, uintptr_t v,
    memory_order mo)
{
	uintptr_t old;

	pni_rmw_enter(mp);
	old = pn_load(p, pni_load_order(mo));
	pn_store(p, v, pni_store_order(mo));
	pni_rmw_exit(mp);
	return old;
}

#endif /* PN_ATOMIC64 */

#endif /* !PN_ATOMIC_H */
