/*
 * table.h -- the cookie table (table.c): its layout, read sections and
 * the inline lookup fast path.  Never installed.
 */
#ifndef PN_TABLE_H
#define PN_TABLE_H

#include "pn_base.h"

/*
 * A slot: a cookie (0: empty) and what it maps to.  The value is the
 * vnode of an ACTIVE node (vnode pointers are even), or the node's
 * address with the low bit set while it is BUILDING.  So a lookup that
 * hits reads one slot and goes straight to the vnode.  Without native
 * 64-bit atomics the cookie is two 32-bit halves, and every write of a
 * key is bracketed by the table's sequence count, so a reader never
 * believes a key it read torn.
 */
#define PNI_SLOT_BUILDING	((uintptr_t)1)
/*
 * A BUILDING value a writer is moving (removal's shift, growth): its
 * builder's lock-free publish must not land in the slot being vacated,
 * so the mover freezes it first and the builder retries (table.c).  Only
 * ever seen by lock-free readers, who take it for BUILDING.
 */
#define PNI_SLOT_FROZEN		((uintptr_t)2)

struct pni_slot {
#if PN_ATOMIC64
	pn_atomic_u64		 s_key;
#else
	pn_atomic_u32		 s_klo;
	pn_atomic_u32		 s_khi;
#endif
	PN_ATOMIC(uintptr_t)	 s_val;
};

/*
 * An array: t_mask + 1 slots, then as many tags (pni_tab_tags).  A slot's
 * tag is 0 while it is empty, else a byte of its cookie's hash
 * (pni_slot_tag), never 0.  Probes read the tags, a byte a slot, and a
 * slot only where its tag matches: a lookup of an absent cookie reads no
 * slot at all, and the tags of a million-entry table fit in 2 MB.
 */
struct pni_tab {
	size_t			 t_mask;	/* slots - 1 */
	size_t			 t_bytes;
	struct pni_slot		 t_slot[];	/* host memory: max_align_t aligned */
};

typedef PN_ATOMIC(uint8_t)	pni_tag_t;

/*
 * Read slots: a read section holds one.  It carries a sequence number
 * (odd while held) and the tag of the cookie the holder looks up (0:
 * any): one 64-bit word where that is native, else two 32-bit words.
 * Kept a cache line apart by padding rather than by alignment, since host
 * memory is only max_align_t aligned: with a PNI_CACHELINE stride no two
 * slots share a line, wherever the mount starts.
 */
struct pni_rslot {
	union {
		struct {
#if PN_ATOMIC64
			pn_atomic_u64	 rs_word;	/* seq << 32 | tag */
#else
			pn_atomic_u32	 rs_seq;
			pn_atomic_u32	 rs_tag;
#endif
		};
		char		 rs_line[PNI_CACHELINE];
	};
};

/*
 * Sequence stripes.  A writer that moves keys (removal; portable builds:
 * insertion too) makes odd the sequence count of every stripe whose slots
 * it writes, and even again when done; a lookup confirms its answer
 * against the counts of the stripes its probe read.  Stripe i of an array
 * covers the blocks of PNI_SEQ_BLOCK slots whose number is i modulo
 * PNI_SEQSTRIPES, so two threads' removals and lookups seldom share a
 * count, or its cache line.  As many stripes as read slots, up to 16.
 */
#define PNI_SEQ_BLOCK		64
#define PNI_SEQSTRIPES		(PNI_RSLOTS < 16 ? PNI_RSLOTS : 16)
#define PNI_SEQ_STRIPE(i)	(((i) / PNI_SEQ_BLOCK) & (PNI_SEQSTRIPES - 1))

_Static_assert(PNI_SEQSTRIPES <= 32, "a writer's stripes fit a 32-bit mask");

struct pni_seqstripe {
	union {
		pn_atomic_u32	 ss_seq;	/* odd while keys are written */
		char		 ss_line[PNI_CACHELINE];
	};
};

struct pni_table {
	char			 tb_pad0[PNI_CACHELINE];
	/* read by every lookup; written rarely */
	PN_ATOMIC(struct pni_tab *) tb_cur;
	PN_ATOMIC(size_t)	 tb_mask;	/* tb_cur's, for prefetch hints only */
	/* read slots ever claimed, a bit each: writers wait on these only */
	pn_atomic_u32		 tb_used[(PNI_RSLOTS + 31) / 32];
	/* the mount's parts less one, on the lookups' line (mount.h) */
	uint32_t		 tb_partmask;
	char			 tb_pad1[PNI_CACHELINE];
	/* writers: the mount lock */
	size_t			 tb_count;
	uint64_t		 tb_resizes;
	char			 tb_pad2[PNI_CACHELINE];
	struct pni_seqstripe	 tb_seqs[PNI_SEQSTRIPES];
	struct pni_rslot	 tb_readers[PNI_RSLOTS];
};

/* A read section in progress: its slot and what leaving writes. */
struct pni_rsect {
	struct pni_rslot	*rs_slot;
#if PN_ATOMIC64
	uint64_t		 rs_word;
#else
	uint32_t		 rs_seq;
#endif
};

/* ---- table.c ---- */

int	pni_table_init(struct pn_mount *, size_t);
void	pni_table_fini(struct pn_mount *);
void	pni_read_synchronize(struct pn_mount *);
struct pni_rsect pni_read_enter_slow(struct pn_mount *, uint32_t, unsigned);
uintptr_t pni_table_find_retry(struct pn_mount *, pn_cookie_t, uint64_t);
uintptr_t pni_table_find_locked(struct pn_mount *, pn_cookie_t, uint64_t,
	    size_t *);
bool	pni_table_needs_room(struct pn_mount *, size_t *);
int	pni_table_grow(struct pn_mount *, size_t);	/* no lock held */
int	pni_table_reserve(struct pn_mount *);
void	pni_table_insert(struct pn_mount *, size_t, pn_cookie_t, uint64_t,
	    uintptr_t);
void	pni_table_publish(struct pn_mount *, pn_cookie_t, uint64_t,
	    struct pn_node *, struct pn_vnode *);	/* no lock held */
void	pni_table_remove(struct pn_mount *, pn_cookie_t, uint64_t);
void	pni_table_remove_wait(struct pn_mount *, uint64_t);

/* ---- inline: hashing, slots, the lookup fast path ---- */

/* murmur3's 64-bit finalizer: every cookie bit reaches every hash bit. */
static inline uint64_t
pni_cookie_hash(pn_cookie_t c)
{
	c ^= c >> 33;
	c *= UINT64_C(0xff51afd7ed558ccd);
	c ^= c >> 33;
	c *= UINT64_C(0xc4ceb9fe1a85ec53);
	c ^= c >> 33;
	return c;
}

/* The tags of array t, after its slots. */
static inline pni_tag_t *
pni_tab_tags(const struct pni_tab *t)
{
	return (pni_tag_t *)(uintptr_t)&t->t_slot[t->t_mask + 1];
}

/* The slot tag of a hash: its top byte, never 0 (0 is an empty slot). */
static inline uint8_t
pni_slot_tag(uint64_t h)
{
	return (uint8_t)(h >> 56) | 1;
}

/* The read-slot tag of a hash: never 0, which stands for any cookie. */
static inline uint32_t
pni_read_tag(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1;
}

static inline uint64_t
pni_slot_key(const struct pni_slot *sl, memory_order mo)
{
#if PN_ATOMIC64
	return pn_load(&sl->s_key, mo);
#else
	uint32_t lo = pn_load(&sl->s_klo, mo);

	return (uint64_t)pn_load(&sl->s_khi, mo) << 32 | lo;
#endif
}

/* Write a slot's key.  Portable builds: inside a stripe's bracket. */
static inline void
pni_slot_setkey(struct pni_slot *sl, uint64_t k, memory_order mo)
{
#if PN_ATOMIC64
	pn_store(&sl->s_key, k, mo);
#else
	pn_store(&sl->s_klo, (uint32_t)k, mo);
	pn_store(&sl->s_khi, (uint32_t)(k >> 32), mo);
#endif
}

/* The read slot a reader on this stack tries first. */
static inline unsigned
pni_read_home(void)
{
#if PNI_RSLOTS == 1
	return 0;
#else
	/*
	 * A local's address: unlike the frame address, needs no frame.
	 * Threads' stacks lie at least 4 KB apart (kernel stacks 16 KB, a
	 * user thread's megabytes), so the page number tells them apart.
	 */
	char here;
	uintptr_t a = (uintptr_t)&here;

	return (unsigned)(((uint64_t)(a >> 12) *
	    UINT64_C(0x9e3779b97f4a7c15)) >> (64 - __builtin_ctz(PNI_RSLOTS)));
#endif
}

/*
 * Enter a read section announcing the cookie (tag) looked up.  Native:
 * claim the home slot, picked by the stack address so that threads seldom
 * meet, with one sequentially consistent compare-and-swap; the slow path
 * tries the others.  Portable: the claim runs under the rmw lock.
 */
static inline struct pni_rsect
pni_read_enter(struct pn_mount *mp, struct pni_table *tb, uint32_t tag)
{
	unsigned s = pni_read_home();
#if PN_ATOMIC64
	pn_atomic_u64 *p = &tb->tb_readers[s].rs_word;
	uint64_t w = pn_load(p, PN_RELAXED);
	uint64_t nw = ((w >> 32) + 1) << 32 | tag;

	/*
	 * A slot never claimed (word 0: tags are never 0) goes to the slow
	 * path, which sets its used bit first (table.c); the claims after
	 * it read from the releases of the ones before, back to that first
	 * claim, so they too come after the bit.
	 */
	if (PNI_LIKELY(w != 0) &&
	    PNI_LIKELY((w & ((uint64_t)1 << 32)) == 0) &&
	    PNI_LIKELY(pn_cas64(p, &w, nw, PN_SEQ_CST)))
		return (struct pni_rsect){ &tb->tb_readers[s], nw };
#else
	(void)tb;
#endif
	return pni_read_enter_slow(mp, tag, s);
}

/* Leave: one release store making the sequence even.  Only the holder writes. */
static inline void
pni_read_leave(struct pni_rsect rs)
{
#if PN_ATOMIC64
	pn_store(&rs.rs_slot->rs_word, rs.rs_word + ((uint64_t)1 << 32),
	    PN_RELEASE);
#else
	pn_store(&rs.rs_slot->rs_seq, rs.rs_seq + 1, PN_RELEASE);
#endif
}

/*
 * The value of cookie c (hash h): a vnode, a BUILDING node, or 0 when c
 * is not in the table.  Caller is in a read section.  Every answer, hit or
 * miss, is confirmed against the sequence count of the stripe the probe
 * read, which writers make odd while they move its keys (removals;
 * portable builds: inserts too): a slot read while it changed is never
 * believed.  A probe within its home block is inline; one that leaves
 * it, or overlapped a writer, is retried in table.c.
 */
static inline uintptr_t
pni_table_find(struct pn_mount *mp, struct pni_table *tb, pn_cookie_t c,
    uint64_t h)
{
	struct pni_tab *t = pn_load(&tb->tb_cur, PN_SEQ_CST);
	size_t m = t->t_mask, i = (size_t)h & m;
	pn_atomic_u32 *sq = &tb->tb_seqs[PNI_SEQ_STRIPE(i)].ss_seq;
	uint32_t s0 = pn_load(sq, PN_SEQ_CST);
	pni_tag_t *tg = pni_tab_tags(t);
	uint8_t want = pni_slot_tag(h), g;
	uintptr_t v = 0;

	__builtin_prefetch(&t->t_slot[i]);
	while ((g = pn_load(&tg[i], PN_SEQ_CST)) != 0) {
		if (g == want &&
		    pni_slot_key(&t->t_slot[i], PN_SEQ_CST) == c) {
			v = pn_load(&t->t_slot[i].s_val, PN_SEQ_CST);
			break;
		}
		i = (i + 1) & m;
		if (PNI_UNLIKELY(i % PNI_SEQ_BLOCK == 0))
			return pni_table_find_retry(mp, c, h);
	}
	/*
	 * The slot loads are acquires, so this load stays after them; a slot
	 * written by a bracketed writer carries the odd count with it
	 * (release store after the count).
	 */
	if (PNI_LIKELY((s0 & 1) == 0) &&
	    PNI_LIKELY(pn_load(sq, PN_RELAXED) == s0))
		return v;
	return pni_table_find_retry(mp, c, h);
}

/*
 * Start loading the home slot of hash h before taking the mount lock, so
 * that the writer's probe does not miss the cache with the lock held.  A
 * hint: the array may be replaced and freed meanwhile, so nothing is read
 * through it here, only an address computed (prefetches do not fault).
 */
static inline void
pni_table_prefetch(struct pni_table *tb, uint64_t h)
{
	uintptr_t t = (uintptr_t)pn_load(&tb->tb_cur, PN_RELAXED);
	size_t i = (size_t)h & pn_load(&tb->tb_mask, PN_RELAXED);

	__builtin_prefetch((const void *)(t + offsetof(struct pni_tab, t_slot) +
	    i * sizeof(struct pni_slot)), 1);
}

#endif /* !PN_TABLE_H */
