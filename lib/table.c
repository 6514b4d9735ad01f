/*
 * table.c -- the cookie table: open addressing with linear probing over
 * (cookie, value) slots, lock-free lookups, one writer at a time.
 *
 * Slots.  A slot holds a cookie (0: empty) and its value: the vnode of an
 * ACTIVE node, or the node's address with the low bit set while the node
 * is BUILDING.  A lookup compares cookies in the slots and, on a hit,
 * goes straight to the vnode: it never reads the node.  At most 3/4 of
 * the slots are in use.
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
 *   returns, no read section that could have found the entry is left.
 *   So a reader that finds a cookie's vnode may call the host's vnode_get
 *   on it without pinning anything: the host frees a vnode only after
 *   pn_putvnode has taken its entry out, so not before the reader leaves.
 * - Insert fills an empty slot: value, then key with a release store.  A
 *   reader that misses an entry being inserted concurrently is simply
 *   ordered before the insert.  Publishing a built vnode is one release
 *   store of the value; the entry does not move.
 * - Remove uses backward-shift deletion (no tombstones, so the table never
 *   needs a same-size rehash).  Shifting can hide an entry from a reader
 *   for a moment, or show it a key and a value written by different
 *   moves, so removal brackets its moves with a sequence count and a
 *   reader confirms every answer against it: a hit or a miss is only
 *   believed when no removal overlapped the probe.
 * - Growth builds a doubled array while lookups go on in the old one
 *   (writers wait), publishes it, waits for a grace period and frees the
 *   old one.  Lookups never wait for growth.
 *
 * Ordering: a reader's claim is a sequentially consistent read-modify-
 * write and its loads of the array pointer and the slots are sequentially
 * consistent (plain loads on x86 and ARMv8); a writer publishes with a
 * sequentially consistent store, then reads the read slots with
 * sequentially consistent loads.
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
_Static_assert(_Alignof(struct pn_node) >= 2, "BUILDING bit");

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
	size_t bytes;

	bytes = sizeof(*t) + nslots * sizeof(t->t_slot[0]);
	t = pn_h_alloc(mp, bytes);
	if (t == NULL)
		return NULL;
	t->t_mask = nslots - 1;
	t->t_bytes = bytes;
	/* All-zero bytes are empty slots; no reader sees the array yet. */
	__builtin_memset(t->t_slot, 0, nslots * sizeof(t->t_slot[0]));
	return t;
}

static inline struct pn_tab *
cur_locked(struct pn_mount *mp)
{
	return atomic_load_explicit(&mp->mnt_table.tb_cur,
	    memory_order_relaxed);
}

static inline uint64_t
key_of(const struct pn_slot *sl)
{
	return atomic_load_explicit(&sl->s_key, memory_order_relaxed);
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
 * The lookup's retry: the inline probe (pn_table_find_hash) overlapped a
 * removal moving entries.  Probe again until no removal overlaps.
 */
uintptr_t
pn_table_find_retry(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pn_table *tb = &mp->mnt_table;

	for (;;) {
		uint32_t s0;
		uintptr_t v;

		pn_h_yield(mp);
		s0 = atomic_load_explicit(&tb->tb_seq, memory_order_seq_cst);
		v = pn_tab_probe(atomic_load_explicit(&tb->tb_cur,
		    memory_order_seq_cst), c, h);
		/* As in pn_table_find_hash. */
		if ((s0 & 1) == 0 && atomic_load_explicit(&tb->tb_seq,
		    memory_order_relaxed) == s0)
			return v;
	}
}

/* The slot of cookie c (hash h), or NULL.  Mount lock held. */
static struct pn_slot *
slot_locked(struct pn_tab *t, pn_cookie_t c, uint64_t h)
{
	size_t i = (size_t)h & t->t_mask;
	uint64_t k;

	while ((k = key_of(&t->t_slot[i])) != 0) {
		if (k == c)
			return &t->t_slot[i];
		i = (i + 1) & t->t_mask;
	}
	return NULL;
}

/* The value of cookie c, whose hash is h, or 0.  Mount lock held. */
uintptr_t
pn_table_find_locked_hash(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pn_slot *sl;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	sl = slot_locked(cur_locked(mp), c, h);
	return sl == NULL ? 0 : atomic_load_explicit(&sl->s_val,
	    memory_order_relaxed);
}

/* ---- writers: mount lock held ---- */

/*
 * Fill the first empty slot from c's home: the value first, then the key
 * with a release store, so that a reader that sees the key sees the value.
 */
static void
tab_put(struct pn_tab *t, uint64_t c, uint64_t h, uintptr_t v,
    memory_order mo)
{
	size_t i = (size_t)h & t->t_mask;

	while (key_of(&t->t_slot[i]) != 0)
		i = (i + 1) & t->t_mask;
	atomic_store_explicit(&t->t_slot[i].s_val, v, memory_order_relaxed);
	atomic_store_explicit(&t->t_slot[i].s_key, c, mo);
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
		uint64_t k = key_of(&old->t_slot[i]);

		if (k != 0)
			tab_put(t, k, pn_cookie_hash(k), atomic_load_explicit(
			    &old->t_slot[i].s_val, memory_order_relaxed),
			    memory_order_relaxed);
	}
	/* Publishes the slots written above. */
	atomic_store_explicit(&tb->tb_cur, t, memory_order_seq_cst);
	tb->tb_resizes++;
	pn_read_synchronize(mp);
	pn_h_free(mp, old, old->t_bytes);
	return PN_OK;
}

/*
 * Publish a BUILDING node (its cookie set): lookups see it busy until
 * pn_table_publish gives it its vnode.  Grows the table past 3/4 full; if
 * the host has no memory for that, keeps going until one slot is left.
 */
int
pn_table_insert(struct pn_mount *mp, struct pn_node *pn)
{
	return pn_table_insert_hash(mp, pn, pn_cookie_hash(
	    atomic_load_explicit(&pn->pn_cookie, memory_order_relaxed)));
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
	tab_put(cur_locked(mp), atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed), h, (uintptr_t)pn | PN_SLOT_BUILDING,
	    memory_order_release);
	tb->tb_count++;
	return PN_OK;
}

/*
 * A BUILDING node's vnode is ready: lookups may return it from now on.
 * One release store; the entry does not move.
 */
void
pn_table_publish(struct pn_mount *mp, struct pn_node *pn, struct pn_vnode *vp)
{
	pn_cookie_t c = atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed);
	struct pn_slot *sl;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	/* An even vnode (build checks) for a BUILDING entry only its builder publishes. */
	PN_ASSERT(mp, ((uintptr_t)vp & PN_SLOT_BUILDING) == 0);	/* GCOVR_EXCL_BR_LINE: see above */
	sl = slot_locked(cur_locked(mp), c, pn_cookie_hash(c));
	PN_ASSERT(mp, sl != NULL && atomic_load_explicit(&sl->s_val,	/* GCOVR_EXCL_BR_LINE: see above */
	    memory_order_relaxed) == ((uintptr_t)pn | PN_SLOT_BUILDING));
	atomic_store_explicit(&sl->s_val, (uintptr_t)vp, memory_order_release);
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
	pn_cookie_t c = atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed);
	uint64_t h = pn_cookie_hash(c), k;
	struct pn_slot *sl;
	size_t i, j, home;
	uint32_t s;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	sl = slot_locked(t, c, h);
	if (sl == NULL) {
		PN_ASSERT(mp, sl != NULL);	/* not in the table */
		return;
	}
	i = (size_t)(sl - t->t_slot);

	s = atomic_load_explicit(&tb->tb_seq, memory_order_relaxed);
	/* Ordered before the moves by their release stores. */
	atomic_store_explicit(&tb->tb_seq, s + 1, memory_order_relaxed);
	for (j = (i + 1) & t->t_mask; (k = key_of(&t->t_slot[j])) != 0;
	    j = (j + 1) & t->t_mask) {
		home = (size_t)pn_cookie_hash(k) & t->t_mask;
		/* The entry may fill the hole unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) :
		    (i < home || home <= j))
			continue;
		atomic_store_explicit(&t->t_slot[i].s_val, atomic_load_explicit(
		    &t->t_slot[j].s_val, memory_order_relaxed),
		    memory_order_release);
		atomic_store_explicit(&t->t_slot[i].s_key, k,
		    memory_order_release);
		i = j;
	}
	atomic_store_explicit(&t->t_slot[i].s_key, 0, memory_order_release);
	atomic_store_explicit(&t->t_slot[i].s_val, 0, memory_order_release);
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
		uint64_t k = key_of(&t->t_slot[i]);
		size_t home, d;

		if (k == 0)
			continue;
		home = (size_t)pn_cookie_hash(k) & t->t_mask;
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
