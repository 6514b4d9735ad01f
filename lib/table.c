/*
 * table.c -- the cookie table: open addressing with linear probing over
 * tagged node pointers, lock-free lookups, one writer at a time.
 *
 * Slots.  A slot holds a node pointer with PN_TAG_BITS of the cookie's
 * hash in its low bits (nodes are PN_NODE_ALIGN-aligned), or 0.  A probe
 * compares the tag first, so a lookup dereferences almost only the node
 * it is looking for, and a miss almost none.
 *
 * Read sections.  Readers (pn_table_find*, inline in pn_impl.h) take no
 * lock.  They run inside a read section: the reader claims one of
 * PN_RSLOTS cache-line-sized read slots, picked by its stack address so
 * that threads seldom meet, with one compare-and-swap that makes the
 * slot's sequence number odd and records a tag of the cookie it looks up;
 * leaving is one release store that makes the sequence even.  A slot
 * another reader holds is skipped for the next one.  Writers hold the
 * mount lock.
 *
 * - A grace period (pn_read_synchronize) waits until every slot that was
 *   held when it began has changed its sequence number.  A steady stream
 *   of readers cannot starve it: any new claim changes the number.
 * - Removing a node waits the same way, but only for the slots that
 *   announce the node's cookie (or any cookie).  Once pn_table_remove
 *   returns, no read section that could have found the node is left.  So
 *   a reader that finds a node with its cookie may use it -- read its
 *   state and vnode, call the host's vnode_get -- without pinning it: the
 *   node can be neither reclaimed nor reused before the reader leaves.
 * - Insert fills an empty slot with a release store.  A reader that misses
 *   a node being inserted concurrently is simply ordered before the insert.
 * - Remove uses backward-shift deletion (no tombstones, so the table never
 *   needs a same-size rehash).  Shifting can hide an entry from a reader
 *   for a moment, so removal brackets its moves with a sequence count and
 *   a reader confirms every miss against it: a miss is only reported when
 *   no removal overlapped the probe.
 * - Growth builds a doubled array while lookups go on in the old one
 *   (writers wait), publishes it, waits for a grace period and frees the
 *   old one.  Lookups never wait for growth.
 *
 * Ordering: a reader's claim is a sequentially consistent read-modify-
 * write and its loads of the array pointer and the slots are sequentially
 * consistent (plain loads on x86 and ARMv8); a writer publishes, then
 * issues a sequentially consistent fence before it reads the read slots.
 * Either the writer sees the claim and waits, or the reader sees what the
 * writer published (the new array, the removal).
 *
 * The grace period is also what lets the pool give slabs back (pool.c).
 */
#include "pn_impl.h"

#define MIN_SLOTS	16
/* Most slots a hash hint can ask for up front; the table grows past it. */
#define MAX_INIT_SLOTS	((size_t)1 << (SIZE_MAX > 0xffffffffu ? 27 : 20))

_Static_assert(PN_RSLOTS == 1u << PN_RSLOT_BITS, "PN_RSLOT_BITS");
_Static_assert(PN_NODE_ALIGN >= 2 && sizeof(struct pn_node) %
    PN_NODE_ALIGN == 0, "node alignment");

/* ---- read sections ---- */

#define SEQ_HELD	((uint64_t)1 << 32)	/* low bit of the sequence */

/* The home slot was held: try the others, then wait for one. */
unsigned
pn_read_enter_slow(struct pn_mount *mp, uint32_t tag, unsigned s)
{
	unsigned tries;

	for (tries = 1;; tries++) {
		_Atomic uint64_t *p = &mp->mnt_table.tb_readers[s].rs_word;
		uint64_t w = atomic_load_explicit(p, memory_order_relaxed);

		/* Held or changed under us: only when a writer races (stress). */
		if ((w & SEQ_HELD) == 0 && atomic_compare_exchange_strong_explicit( /* GCOVR_EXCL_BR_LINE */
		    p, &w, ((w >> 32) + 1) << 32 | tag, memory_order_seq_cst,
		    memory_order_relaxed))
			return s;
		s = (s + 1) & (PN_RSLOTS - 1);
		if (tries % PN_RSLOTS == 0)
			pn_h_yield(mp);
	}
}

/* Wait for the read slots held now whose tag is tag (any when 0, or 0). */
static void
read_wait(struct pn_mount *mp, uint32_t tag)
{
	size_t s;

	/*
	 * No fence: every caller's last store before the scan (the table
	 * count after a removal, the new array after growth) is sequentially
	 * consistent, as are the scan's loads and readers' claims.
	 */
	for (s = 0; s < PN_RSLOTS; s++) {
		_Atomic uint64_t *p = &mp->mnt_table.tb_readers[s].rs_word;
		uint64_t w = atomic_load_explicit(p, memory_order_seq_cst);

		if ((w & SEQ_HELD) == 0)
			continue;
		/* A reader of another tag in the slot: a race between threads. */
		if (tag != 0 && (uint32_t)w != 0 && (uint32_t)w != tag)	/* GCOVR_EXCL_BR_LINE */
			continue;
		while (atomic_load_explicit(p, memory_order_seq_cst) == w)
			pn_h_yield(mp);
	}
}

/* Wait until every read section begun before the call has ended. */
void
pn_read_synchronize(struct pn_mount *mp)
{
	read_wait(mp, 0);
}

/* ---- arrays ---- */

static struct pn_tab *
tab_alloc(struct pn_mount *mp, size_t nslots)
{
	struct pn_tab *t;
	size_t bytes, i;

	bytes = sizeof(*t) + nslots * sizeof(t->t_slot[0]);
	t = pn_h_alloc(mp, bytes);
	if (t == NULL)
		return NULL;
	t->t_mask = nslots - 1;
	t->t_bytes = bytes;
	for (i = 0; i < nslots; i++)
		atomic_init(&t->t_slot[i], 0);
	return t;
}

static inline struct pn_tab *
cur_locked(struct pn_mount *mp)
{
	return atomic_load_explicit(&mp->mnt_table.tb_cur,
	    memory_order_relaxed);
}

static inline struct pn_node *
slot_node(uintptr_t e)
{
	return (struct pn_node *)(e & ~PN_TAG_MASK);
}

static inline uint64_t
node_hash(const struct pn_node *pn)
{
	return pn_cookie_hash(atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed));
}

int
pn_table_init(struct pn_mount *mp, size_t hint)
{
	struct pn_tab *t;
	size_t n = MIN_SLOTS, s;

	/* Room for hint entries at most 3/4 full, within a sane bound. */
	while (n / 4 * 3 < hint && n < MAX_INIT_SLOTS)
		n <<= 1;
	t = tab_alloc(mp, n);
	if (t == NULL)
		return PN_ENOMEM;
	atomic_init(&mp->mnt_table.tb_cur, t);
	atomic_init(&mp->mnt_table.tb_seq, 0);
	for (s = 0; s < PN_RSLOTS; s++)
		atomic_init(&mp->mnt_table.tb_readers[s].rs_word, 0);
	return PN_OK;
}

void
pn_table_fini(struct pn_mount *mp)
{
	struct pn_tab *t = cur_locked(mp);

	if (t != NULL)
		pn_h_free(mp, t, t->t_bytes);
}

/* ---- lookups ---- */

/*
 * The lookup's retry: the inline probe (pn_table_find_hash) missed while
 * a removal was moving entries.  Probe again until a miss is confirmed.
 */
struct pn_node *
pn_table_find_retry(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pn_table *tb = &mp->mnt_table;
	uintptr_t tag = pn_slot_tag(h);

	for (;;) {
		uint32_t s0;
		struct pn_tab *t;
		size_t i;
		uintptr_t e;

		pn_h_yield(mp);
		s0 = atomic_load_explicit(&tb->tb_seq, memory_order_seq_cst);
		t = atomic_load_explicit(&tb->tb_cur, memory_order_seq_cst);
		i = (size_t)h & t->t_mask;
		while ((e = atomic_load_explicit(&t->t_slot[i],
		    memory_order_seq_cst)) != 0) {
			if ((e & PN_TAG_MASK) == tag && atomic_load_explicit(
			    &slot_node(e)->pn_cookie, memory_order_relaxed) == c)
				return slot_node(e);
			i = (i + 1) & t->t_mask;
		}
		/* As in pn_table_find_hash. */
		if ((s0 & 1) == 0 && atomic_load_explicit(&tb->tb_seq,
		    memory_order_relaxed) == s0)
			return NULL;
	}
}

/* Exact lookup for writers of cookie c, whose hash is h.  Mount lock held. */
struct pn_node *
pn_table_find_locked_hash(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pn_tab *t = cur_locked(mp);
	uintptr_t tag = pn_slot_tag(h), e;
	size_t i = (size_t)h & t->t_mask;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	while ((e = atomic_load_explicit(&t->t_slot[i],
	    memory_order_relaxed)) != 0) {
		if ((e & PN_TAG_MASK) == tag && atomic_load_explicit(
		    &slot_node(e)->pn_cookie, memory_order_relaxed) == c)
			return slot_node(e);
		i = (i + 1) & t->t_mask;
	}
	return NULL;
}

/* ---- writers: mount lock held ---- */

static void
tab_put(struct pn_tab *t, struct pn_node *pn, uint64_t h, memory_order mo)
{
	size_t i = (size_t)h & t->t_mask;

	while (atomic_load_explicit(&t->t_slot[i], memory_order_relaxed) != 0)
		i = (i + 1) & t->t_mask;
	atomic_store_explicit(&t->t_slot[i], (uintptr_t)pn | pn_slot_tag(h),
	    mo);
}

static int
grow(struct pn_mount *mp)
{
	struct pn_table *tb = &mp->mnt_table;
	struct pn_tab *old = cur_locked(mp), *t;
	size_t n = old->t_mask + 1, i;

	/* The table would fill the address space long before: unreachable. */
	if (n > SIZE_MAX / 2 / sizeof(t->t_slot[0]))	/* GCOVR_EXCL_BR_LINE */
		return PN_ENOMEM;	/* GCOVR_EXCL_LINE: see above */
	t = tab_alloc(mp, n * 2);
	if (t == NULL)
		return PN_ENOMEM;
	for (i = 0; i < n; i++) {
		uintptr_t e = atomic_load_explicit(&old->t_slot[i],
		    memory_order_relaxed);

		if (e != 0)
			tab_put(t, slot_node(e), node_hash(slot_node(e)),
			    memory_order_relaxed);
	}
	atomic_store_explicit(&tb->tb_cur, t, memory_order_seq_cst);
	tb->tb_resizes++;
	pn_read_synchronize(mp);
	pn_h_free(mp, old, old->t_bytes);
	return PN_OK;
}

/*
 * Publish a node (its cookie set).  Grows the table past 3/4 full; if the
 * host has no memory for that, keeps going until one slot is left.
 */
int
pn_table_insert(struct pn_mount *mp, struct pn_node *pn)
{
	return pn_table_insert_hash(mp, pn, node_hash(pn));
}

/* The same, with the hash h of pn's cookie already at hand. */
int
pn_table_insert_hash(struct pn_mount *mp, struct pn_node *pn, uint64_t h)
{
	struct pn_table *tb = &mp->mnt_table;
	size_t n = cur_locked(mp)->t_mask + 1;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	if (tb->tb_count + 1 > n / 4 * 3 && grow(mp) != PN_OK &&
	    tb->tb_count + 2 > n)
		return PN_ENOMEM;
	tab_put(cur_locked(mp), pn, h, memory_order_release);
	tb->tb_count++;
	return PN_OK;
}

/*
 * Unpublish a node, shifting its cluster back over the hole, then wait
 * for the read sections that may have found it (see the top).
 */
void
pn_table_remove(struct pn_mount *mp, struct pn_node *pn)
{
	struct pn_table *tb = &mp->mnt_table;
	struct pn_tab *t = cur_locked(mp);
	uint64_t h = node_hash(pn);
	size_t i, j, k;
	uint32_t s;
	uintptr_t e;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	i = (size_t)h & t->t_mask;
	while (slot_node(e = atomic_load_explicit(&t->t_slot[i],
	    memory_order_relaxed)) != pn) {
		if (e == 0) {
			PN_ASSERT(mp, e != 0);	/* not in the table */
			return;
		}
		i = (i + 1) & t->t_mask;
	}

	s = atomic_load_explicit(&tb->tb_seq, memory_order_relaxed);
	/* Ordered before the moves by their release stores. */
	atomic_store_explicit(&tb->tb_seq, s + 1, memory_order_relaxed);
	for (j = (i + 1) & t->t_mask;; j = (j + 1) & t->t_mask) {
		e = atomic_load_explicit(&t->t_slot[j], memory_order_relaxed);
		if (e == 0)
			break;
		k = (size_t)node_hash(slot_node(e)) & t->t_mask;
		/* e may fill the hole unless its home lies in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		atomic_store_explicit(&t->t_slot[i], e, memory_order_release);
		i = j;
	}
	atomic_store_explicit(&t->t_slot[i], 0, memory_order_release);
	/*
	 * Sequentially consistent, like the read-slot scan that follows and
	 * a reader's claim and first count load: a reader whose claim the
	 * scan misses reads this count (or a later one) and so sees the
	 * node gone.
	 */
	atomic_store_explicit(&tb->tb_seq, s + 2, memory_order_seq_cst);
	tb->tb_count--;
	read_wait(mp, pn_read_tag(h));
}

/* ---- public statistics ---- */

PN_EXPORT int
pn_table_stats(struct pn_mount *mp, struct pn_table_stats *st)
{
	struct pn_tab *t;
	size_t i, longest = 0;

	if (mp == NULL || st == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	t = cur_locked(mp);
	for (i = 0; i <= t->t_mask; i++) {
		uintptr_t e = atomic_load_explicit(&t->t_slot[i],
		    memory_order_relaxed);
		size_t home, d;

		if (e == 0)
			continue;
		home = (size_t)node_hash(slot_node(e)) & t->t_mask;
		d = ((i - home) & t->t_mask) + 1;
		if (d > longest)
			longest = d;
	}
	st->entries = mp->mnt_table.tb_count;
	st->buckets = t->t_mask + 1;
	st->longest_probe = longest;
	st->bytes = t->t_bytes;
	st->resizes = mp->mnt_table.tb_resizes;
	pn_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}
