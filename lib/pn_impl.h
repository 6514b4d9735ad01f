/*
 * pn_impl.h -- puffsnode's private declarations.  Never installed.
 *
 * The core is freestanding: only compiler-provided headers, all services
 * through the host ops.  Nothing declared here is exported; the version
 * script and -fvisibility=hidden keep it so.
 */
#ifndef PN_IMPL_H
#define PN_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <puffsnode/puffsnode.h>

#define PN_EXPORT	__attribute__((visibility("default")))

#define PN_LIKELY(x)	__builtin_expect(!!(x), 1)
#define PN_UNLIKELY(x)	__builtin_expect(!!(x), 0)

#define PN_CACHELINE	64

/*
 * Node state word: the top two bits are the state, the rest counts pins.
 * A pin is a lookup's short hold that keeps the node from being reclaimed
 * while the lookup takes its vnode reference (see node.c).
 */
#define PN_ST_SHIFT	30
#define PN_ST_MASK	(3u << PN_ST_SHIFT)
#define PN_PIN_MASK	(~PN_ST_MASK)
#define PN_ST_FREE	(0u << PN_ST_SHIFT)	/* in the pool */
#define PN_ST_BUILDING	(1u << PN_ST_SHIFT)	/* in the table, vnode being built */
#define PN_ST_ACTIVE	(2u << PN_ST_SHIFT)	/* in the table, vnode usable */
#define PN_ST_DEAD	(3u << PN_ST_SHIFT)	/* reclaim begun; leaving the table */

/*
 * A node.  Lookups never read it: the cookie table holds each cookie with
 * its vnode (table.c).  Kept to 80 bytes: with the table's 16-byte slots
 * that is under 128 bytes a node at a million nodes.
 */
struct pn_node {
	_Atomic uint32_t		pn_word;	/* state | pins */
	_Atomic uint32_t		pn_refs;	/* vnode + outstanding requests */
	_Atomic uint64_t		pn_cookie;
	_Atomic(struct pn_vnode *)	pn_vp;		/* NULL once reclaimed */
	struct pn_mount			*pn_mp;
	uint64_t			pn_gen;		/* per-mount generation */
	/* metadata cache and poll state: the node's stripe lock */
	union {
		int64_t			pn_mc_atime;	/* nanoseconds */
		struct pn_node		*pn_freenext;	/* FREE: pool free list */
	};
	int64_t				pn_mc_ctime;
	int64_t				pn_mc_mtime;
	int64_t				pn_mc_size;
	uint16_t			pn_mc_flags;
	uint16_t			pn_revents;
	int32_t				pn_type;
};

/* ---- pool (pool.c) ---- */

struct pn_slab {
	struct pn_slab		*sl_next;
	size_t			 sl_bytes;
	struct pn_node		*sl_nodes;	/* inside the slab */
};

/* Every field: the mount lock. */
struct pn_pool {
	struct pn_slab		*pl_slabs;
	struct pn_node		*pl_free;
	size_t			 pl_nslabs;
	size_t			 pl_nfree;
	size_t			 pl_inuse;
	size_t			 pl_highwater;
	size_t			 pl_limit;
	size_t			 pl_walkers;	/* node walks in progress: no drain */
	uint64_t		 pl_allocs;
	uint64_t		 pl_frees;
};

/* ---- cookie table (table.c) ---- */

/*
 * A slot: a cookie (0: empty) and what it maps to.  The value is the
 * vnode of an ACTIVE node (vnode pointers are even), or the node's
 * address with the low bit set while it is BUILDING.  So a lookup that
 * hits reads one slot and goes straight to the vnode.
 */
#define PN_SLOT_BUILDING	((uintptr_t)1)

struct pn_slot {
	_Atomic uint64_t	 s_key;
	_Atomic uintptr_t	 s_val;
};

struct pn_tab {
	size_t			 t_mask;	/* slots - 1 */
	size_t			 t_bytes;
	struct pn_slot		 t_slot[];	/* 16-byte aligned (host memory) */
};

/*
 * Read slots: a read section holds one.  The word is a sequence number
 * (odd while held) and the tag of the cookie the holder looks up (0: any).
 * Kept a cache line apart by padding rather than by alignment, since host
 * memory is only max_align_t aligned: with a 64-byte stride no two slots
 * ever share a line, wherever the mount starts.
 */
#define PN_RSLOTS	32
#define PN_RSLOT_BITS	5	/* log2(PN_RSLOTS) */

struct pn_rslot {
	_Atomic uint64_t	 rs_word;	/* seq << 32 | tag */
	char			 rs_pad[PN_CACHELINE - sizeof(uint64_t)];
};

struct pn_table {
	char			 tb_pad0[PN_CACHELINE];
	/* read by every lookup; written rarely */
	_Atomic(struct pn_tab *) tb_cur;
	_Atomic uint32_t	 tb_seq;	/* odd while entries move */
	char			 tb_pad1[PN_CACHELINE];
	/* writers: the mount lock */
	size_t			 tb_count;
	uint64_t		 tb_resizes;
	struct pn_rslot		 tb_readers[PN_RSLOTS];
};

/* ---- mount ---- */

#define PN_MCSTRIPES	16

struct pn_mount {
	struct pn_table		 mnt_table;
	struct pn_host_ops	 mnt_ops;	/* the host's table, copied */
	void			*mnt_host;
	pn_cookie_t		 mnt_rootcookie;
	int			 mnt_roottype;
	int64_t			 mnt_rootsize;
	uint64_t		 mnt_rootrdev;
	unsigned		 mnt_flags;
	struct pn_lock		*mnt_lock;	/* table writers, states, pool, refs */
	struct pn_cv		*mnt_cv;	/* node state changed, refs drained */
	uint32_t		 mnt_refcount;	/* mount lock */
	atomic_bool		 mnt_dying;	/* set under the mount lock by pn_mp_drain */
	_Atomic uint32_t	 mnt_waiters;	/* get-or-create callers waiting (node.c) */
	_Atomic uint64_t	 mnt_nextgen;
	struct pn_pool		 mnt_pool;
	struct pn_lock		*mnt_mclock[PN_MCSTRIPES];
};

/* ---- host op wrappers (mount.c) ---- */

void	pn_h_log(struct pn_mount *, int, const char *, unsigned long long,
	    unsigned long long);
void	pn_h_misbehaved(struct pn_mount *, int, uint64_t, const char *);
void	pn_h_yield(struct pn_mount *);
void	pn_assert_fail(struct pn_mount *, const char *, int, const char *);

#define PN_ASSERT(mp, cond) do {					\
	if (PN_UNLIKELY(!(cond)))					\
		pn_assert_fail((mp), __FILE__, __LINE__, #cond);	\
} while (0)

static inline void *
pn_h_alloc(struct pn_mount *mp, size_t n)
{
	return mp->mnt_ops.alloc(mp->mnt_host, n);
}

static inline void
pn_h_free(struct pn_mount *mp, void *p, size_t n)
{
	mp->mnt_ops.free(mp->mnt_host, p, n);
}

static inline void
pn_h_enter(struct pn_mount *mp, struct pn_lock *lk)
{
	mp->mnt_ops.lock_enter(mp->mnt_host, lk);
}

static inline void
pn_h_exit(struct pn_mount *mp, struct pn_lock *lk)
{
	mp->mnt_ops.lock_exit(mp->mnt_host, lk);
}

/* True unless the host can tell the caller does not hold lk. */
static inline bool
pn_h_held(struct pn_mount *mp, struct pn_lock *lk)
{
	if (mp->mnt_ops.lock_held == NULL)
		return true;
	return mp->mnt_ops.lock_held(mp->mnt_host, lk) != 0;
}

/* ---- the lookup fast path (table.c), inline ---- */

unsigned pn_read_enter_slow(struct pn_mount *, uint32_t, unsigned);

/* murmur3's 64-bit finalizer: every cookie bit reaches every hash bit. */
static inline uint64_t
pn_cookie_hash(pn_cookie_t c)
{
	c ^= c >> 33;
	c *= UINT64_C(0xff51afd7ed558ccd);
	c ^= c >> 33;
	c *= UINT64_C(0xc4ceb9fe1a85ec53);
	c ^= c >> 33;
	return c;
}

/* The read-slot tag of a hash: never 0, which stands for any cookie. */
static inline uint32_t
pn_read_tag(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1;
}

/* The read slot a reader on this stack tries first. */
static inline unsigned
pn_read_home(void)
{
	/* A local's address: unlike the frame address, needs no frame. */
	char here;
	uintptr_t a = (uintptr_t)&here;

	return (unsigned)(((uint64_t)(a >> 16) *
	    UINT64_C(0x9e3779b97f4a7c15)) >> (64 - PN_RSLOT_BITS));
}

/*
 * Enter a read section announcing the cookie (tag) looked up: claim a read
 * slot, picked by the stack address so that threads seldom meet, with one
 * sequentially consistent compare-and-swap.  Returns the slot's word; *wp
 * gets the word written, both for pn_read_leave.
 */
static inline _Atomic uint64_t *
pn_read_claim(struct pn_mount *mp, uint32_t tag, uint64_t *wp)
{
	unsigned s = pn_read_home();
	_Atomic uint64_t *p = &mp->mnt_table.tb_readers[s].rs_word;
	uint64_t w = atomic_load_explicit(p, memory_order_relaxed);
	uint64_t nw = ((w >> 32) + 1) << 32 | tag;

	if (PN_UNLIKELY((w & ((uint64_t)1 << 32)) != 0) ||
	    PN_UNLIKELY(!atomic_compare_exchange_strong_explicit(p, &w, nw,
	    memory_order_seq_cst, memory_order_relaxed))) {
		s = pn_read_enter_slow(mp, tag, s);
		p = &mp->mnt_table.tb_readers[s].rs_word;
		/* Ours now: no one else writes a held slot. */
		nw = atomic_load_explicit(p, memory_order_relaxed);
	}
	*wp = nw;
	return p;
}

/*
 * Leave: one release store, bumping the sequence to even.  w is the word
 * pn_read_claim wrote; only the holder writes a held slot.
 */
static inline void
pn_read_leave(_Atomic uint64_t *p, uint64_t w)
{
	atomic_store_explicit(p, w + ((uint64_t)1 << 32), memory_order_release);
}

uintptr_t pn_table_find_retry(struct pn_mount *, pn_cookie_t, uint64_t);

/* Probe array t for cookie c (hash h): its value, or 0 at an empty slot. */
static inline uintptr_t
pn_tab_probe(struct pn_tab *t, pn_cookie_t c, uint64_t h)
{
	size_t m = t->t_mask, i = (size_t)h & m;
	uint64_t k;

	while ((k = atomic_load_explicit(&t->t_slot[i].s_key,
	    memory_order_seq_cst)) != 0) {
		if (k == c)
			return atomic_load_explicit(&t->t_slot[i].s_val,
			    memory_order_seq_cst);
		i = (i + 1) & m;
	}
	return 0;
}

/*
 * The value of cookie c (hash h): a vnode, a BUILDING node, or 0 when c
 * is not in the table.  Caller is in a read section.  Every answer, hit or
 * miss, is confirmed against the table's sequence count, which removals
 * make odd while they move entries: a slot read while it moved is never
 * believed.  The first probe is inline; a probe that overlapped a removal
 * is retried in table.c.
 */
static inline uintptr_t
pn_table_find_hash(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pn_table *tb = &mp->mnt_table;
	uint32_t s0 = atomic_load_explicit(&tb->tb_seq, memory_order_seq_cst);
	uintptr_t v = pn_tab_probe(atomic_load_explicit(&tb->tb_cur,
	    memory_order_seq_cst), c, h);

	/*
	 * The slot loads are acquires, so this load stays after them; a slot
	 * written by a removal's move carries the odd count with it (release
	 * store after the count).
	 */
	if (PN_LIKELY((s0 & 1) == 0) && PN_LIKELY(atomic_load_explicit(
	    &tb->tb_seq, memory_order_relaxed) == s0))
		return v;
	return pn_table_find_retry(mp, c, h);
}

/* ---- cross-file internals ---- */

/* pool.c: the mount lock covers the pool */
void	pn_pool_fini(struct pn_mount *);
int	pn_pool_get(struct pn_mount *, struct pn_node **);
void	pn_pool_put(struct pn_mount *, struct pn_node *);
void	pn_pool_put_locked(struct pn_mount *, struct pn_node *);
struct pn_slab *pn_pool_walk_begin(struct pn_mount *);
struct pn_slab *pn_pool_walk_next(struct pn_mount *, struct pn_slab *);
void	pn_pool_walk_end(struct pn_mount *);
size_t	pn_pool_slab_nodes(void);

/* table.c */
int	pn_table_init(struct pn_mount *, size_t);
void	pn_table_fini(struct pn_mount *);
void	pn_read_synchronize(struct pn_mount *);
uintptr_t pn_table_find_locked_hash(struct pn_mount *, pn_cookie_t, uint64_t);
int	pn_table_insert(struct pn_mount *, struct pn_node *);
int	pn_table_insert_hash(struct pn_mount *, struct pn_node *, uint64_t);
void	pn_table_publish(struct pn_mount *, struct pn_node *, struct pn_vnode *);
void	pn_table_remove(struct pn_mount *, struct pn_node *);

/* node.c */
bool	pn_node_pin(struct pn_node *, uint32_t *);
void	pn_node_unpin(struct pn_node *);
struct pn_lock *pn_node_stripe(const struct pn_node *);

static inline uint32_t
pn_node_state(const struct pn_node *pn)
{
	return atomic_load_explicit(&pn->pn_word, memory_order_acquire) &
	    PN_ST_MASK;
}

/* Own copies of the tiny string helpers: the core calls no libc. */
static inline size_t
pn_strnlen(const char *s, size_t max)
{
	size_t n;

	for (n = 0; n < max && s[n] != '\0'; n++)
		continue;
	return n;
}

#endif /* !PN_IMPL_H */
