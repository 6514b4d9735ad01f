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
 * Tags.  Each slot has a tag byte, in an array after the slots: 0 while
 * the slot is empty, else a byte of its cookie's hash (table.h).  Probes,
 * readers' and writers' alike, walk the tags and read a slot only where
 * the tag matches; an empty tag ends them.  A tag is written after its
 * slot (release), and cleared before it, so a reader that sees a tag sees
 * the slot's key and value; the counts below cover tags as they cover
 * keys.
 *
 * Read sections.  Readers (pni_table_find, inline in table.h) take no
 * lock.  They run inside a read section: the reader claims one of
 * PNI_RSLOTS cache-line-sized read slots, picked by its stack address so
 * that threads seldom meet, with one compare-and-swap that makes the
 * slot's sequence number odd and records a tag of the cookie it looks up
 * (portable builds: the same two stores under the rmw lock, pn_atomic.h);
 * leaving is one release store that makes the sequence even.  A slot
 * another reader holds is skipped for the next one.  Writers hold the
 * mount lock, but for the publish of a built vnode (below).
 *
 * - A slot's first claim sets its bit in tb_used, for good: writers scan
 *   only the slots readers have used (mark_used), two for two threads
 *   rather than all PNI_RSLOTS.
 * - A grace period (pn_read_synchronize) waits until every slot that was
 *   held when it began has changed its sequence number.  A steady stream
 *   of readers cannot starve it: any new claim changes the number.
 * - Removing a node waits the same way, but only for the slots that
 *   announce the node's cookie (or any cookie), after the removal and
 *   outside the mount lock (pni_table_remove_wait).  Once that returns,
 *   no read section that could have found the entry is left.
 *   So a reader that finds a cookie's vnode may call the host's vnode_get
 *   on it without pinning anything: the host frees a vnode only after
 *   pn_putvnode has taken its entry out, so not before the reader leaves.
 * - Insert fills an empty slot: value, then key, then tag, with release
 *   stores.  The value is the vnode when the node was built before its
 *   entry, the BUILDING node otherwise (node.c: build first or
 *   placeholder).  A reader that misses an entry being inserted
 *   concurrently is simply ordered before the insert.  Where a key is
 *   two 32-bit halves (portable builds) the insert is bracketed by its
 *   stripe's sequence count like a removal, so a half-written key is
 *   never believed.
 * - Publishing a built vnode takes no lock: its builder swaps the entry's
 *   value from the BUILDING node to the vnode with one compare-and-swap.
 *   Writers that move entries (removal, growth) hold the mount lock and
 *   freeze a BUILDING value before moving it (PNI_SLOT_FROZEN), restoring
 *   it in its new slot only after the key; a builder whose swap meets a
 *   frozen or vacated slot looks again once the writer is done.  So a
 *   slot holding the BUILDING value is always the entry's one slot.
 * - Remove uses backward-shift deletion (no tombstones, so the table never
 *   needs a same-size rehash).  Shifting can hide an entry from a reader
 *   for a moment, or show it a key and a value written by different
 *   moves, so removal brackets its moves with sequence counts and a
 *   reader confirms every answer against them: a hit or a miss is only
 *   believed when no removal overlapped the probe.  The counts are
 *   striped by 64-slot block (table.h): a removal makes odd those of the
 *   stripes it writes, a reader checks those of the stripes it read.
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
#include "hostcall.h"

#define MIN_SLOTS	16
/* Most slots a hash hint can ask for up front; the table grows past it. */
#define MAX_INIT_SLOTS	((size_t)1 << (SIZE_MAX > 0xffffffffu ? 27 : 20))

_Static_assert(_Alignof(struct pn_node) >= 4, "BUILDING and FROZEN bits");

/* ---- read sections ---- */

/* In a slot's word as rslot_word gives it: the low bit of the sequence. */
#define SEQ_HELD	((uint64_t)1 << 32)

/*
 * Mark read slot s used, for good, before a reader claims it: a writer
 * waits on the slots its sequentially consistent load of the bits shows.
 * A reader that finds its bit set (acquire) claims after the bit was
 * set; so a writer whose load misses the bit comes before the claim, and
 * the reader sees the writer's change.
 */
static void
mark_used(struct pn_mount *mp, unsigned s)
{
	pn_atomic_u32 *u = &mp->mnt_table.tb_used[s / 32];

	if ((pn_load(u, PN_ACQUIRE) & (1u << (s % 32))) == 0)
		(void)pn_fetch_or32(mp, u, 1u << (s % 32), PN_SEQ_CST);
}

#if PN_ATOMIC64

/* The home slot was held or never used: try it and the others. */
struct pni_rsect
pni_read_enter_slow(struct pn_mount *mp, uint32_t tag, unsigned s)
{
	unsigned tries;

	for (tries = 1;; tries++) {
		struct pni_rslot *sl = &mp->mnt_table.tb_readers[s];
		uint64_t w;

		mark_used(mp, s);
		w = pn_load(&sl->rs_word, PN_RELAXED);
		uint64_t nw = ((w >> 32) + 1) << 32 | tag;

		/* Held or changed under us: only when threads race (stress). */
		if ((w & SEQ_HELD) == 0 && pn_cas64(&sl->rs_word, &w, nw,	/* GCOVR_EXCL_BR_LINE */
		    PN_SEQ_CST))
			return (struct pni_rsect){ sl, nw };
		s = (s + 1) & (PNI_RSLOTS - 1);
		if (tries % PNI_RSLOTS == 0)
			pni_h_yield(mp);
	}
}

/* Slot s's sequence and tag, as one word: seq << 32 | tag. */
static uint64_t
rslot_word(struct pni_table *tb, size_t s)
{
	return pn_load(&tb->tb_readers[s].rs_word, PN_SEQ_CST);
}

#else /* portable */

/*
 * Claim a free slot under the rmw lock: the tag first, then the odd
 * sequence, so that a writer that sees the slot held sees its tag.  The
 * sequence is loaded with acquire: the claim is a store, not a
 * read-modify-write, so it does not carry the last holder's release on
 * to a writer by itself; this load makes the last holder's section
 * happen before the claim, hence before any writer that sees the claim.
 */
struct pni_rsect
pni_read_enter_slow(struct pn_mount *mp, uint32_t tag, unsigned s)
{
	unsigned tries;

	for (tries = 1;; tries++) {
		struct pni_rslot *sl = &mp->mnt_table.tb_readers[s];
		uint32_t seq;

		mark_used(mp, s);
		pni_rmw_enter(mp);
		seq = pn_load(&sl->rs_seq, PN_ACQUIRE);
		if ((seq & 1) == 0) {
			pn_store(&sl->rs_tag, tag, PN_RELAXED);
			pn_store(&sl->rs_seq, seq + 1, PN_SEQ_CST);
			pni_rmw_exit(mp);
			return (struct pni_rsect){ sl, seq + 1 };
		}
		pni_rmw_exit(mp);
		s = (s + 1) & (PNI_RSLOTS - 1);
		if (tries % PNI_RSLOTS == 0)
			pni_h_yield(mp);
	}
}

/* Slot s's sequence and tag, as native builds keep them. */
static uint64_t
rslot_word(struct pni_table *tb, size_t s)
{
	uint32_t seq = pn_load(&tb->tb_readers[s].rs_seq, PN_SEQ_CST);

	return (uint64_t)seq << 32 | pn_load(&tb->tb_readers[s].rs_tag,
	    PN_RELAXED);
}

#endif /* PN_ATOMIC64 */

/* Wait for the read slots held now whose tag is tag (any when 0, or 0). */
static void
read_wait(struct pn_mount *mp, uint32_t tag)
{
	struct pni_table *tb = &mp->mnt_table;
	size_t i;

	/*
	 * No fence: every caller's last store before the scan (a stripe's
	 * count after a removal, the new array after growth) is sequentially
	 * consistent, as are the scan's loads and readers' claims.
	 */
	for (i = 0; i < (PNI_RSLOTS + 31) / 32; i++) {
		uint32_t used = pn_load(&tb->tb_used[i], PN_SEQ_CST);

		for (; used != 0; used &= used - 1) {
			size_t s = i * 32 + (size_t)__builtin_ctz(used);
			uint64_t w = rslot_word(tb, s);
			unsigned round = 0;

			if ((w & SEQ_HELD) == 0)
				continue;
			/* A reader of another tag in the slot: a race between threads. */
			if (tag != 0 && (uint32_t)w != 0 && (uint32_t)w != tag)	/* GCOVR_EXCL_BR_LINE */
				continue;
			while (rslot_word(tb, s) >> 32 == w >> 32)
				pni_h_backoff(mp, &round);
		}
	}
}

/* Wait until every read section begun before the call has ended. */
void
pni_read_synchronize(struct pn_mount *mp)
{
	read_wait(mp, 0);
}

/* ---- arrays ---- */

static struct pni_tab *
tab_alloc(struct pn_mount *mp, size_t nslots)
{
	struct pni_tab *t;
	size_t bytes;

	bytes = sizeof(*t) +
	    nslots * (sizeof(t->t_slot[0]) + sizeof(pni_tag_t));
	t = pni_h_alloc(mp, bytes);
	if (t == NULL)
		return NULL;
	t->t_mask = nslots - 1;
	t->t_bytes = bytes;
	/* Zero bytes: empty slots and tags.  No reader sees the array yet. */
	__builtin_memset(t->t_slot, 0, bytes - sizeof(*t));
	return t;
}

static inline struct pni_tab *
cur_locked(struct pn_mount *mp)
{
	return pn_load(&mp->mnt_table.tb_cur, PN_RELAXED);
}

static inline uint64_t
key_of(const struct pni_slot *sl)
{
	return pni_slot_key(sl, PN_RELAXED);
}

/* Slot i's tag, for a writer. */
static inline uint8_t
tag_of(const struct pni_tab *t, size_t i)
{
	return pn_load(&pni_tab_tags(t)[i], PN_RELAXED);
}

int
pni_table_init(struct pn_mount *mp, size_t hint)
{
	struct pni_table *tb = &mp->mnt_table;
	struct pni_tab *t;
	size_t n = MIN_SLOTS, s;

	/* Room for hint entries at most 3/4 full, within a sane bound. */
	while (n / 4 * 3 < hint && n < MAX_INIT_SLOTS)
		n <<= 1;
	t = tab_alloc(mp, n);
	if (t == NULL)
		return PN_ENOMEM;
	pn_atomic_init(&tb->tb_cur, t);
	pn_atomic_init(&tb->tb_mask, t->t_mask);
	for (s = 0; s < PNI_SEQSTRIPES; s++)
		pn_atomic_init(&tb->tb_seqs[s].ss_seq, 0);
	for (s = 0; s < (PNI_RSLOTS + 31) / 32; s++)
		pn_atomic_init(&tb->tb_used[s], 0);
	for (s = 0; s < PNI_RSLOTS; s++) {
#if PN_ATOMIC64
		pn_atomic_init(&tb->tb_readers[s].rs_word, 0);
#else
		pn_atomic_init(&tb->tb_readers[s].rs_seq, 0);
		pn_atomic_init(&tb->tb_readers[s].rs_tag, 0);
#endif
	}
	return PN_OK;
}

void
pni_table_fini(struct pn_mount *mp)
{
	struct pni_tab *t = cur_locked(mp);

	if (t != NULL)
		pni_h_free(mp, t, t->t_bytes);
}

/* ---- lookups ---- */

/*
 * The lookup's retry: the inline probe (pni_table_find) left its home
 * block, or overlapped a writer moving keys.  Probe again, loading each
 * stripe's count before the first slot read in it, until no writer
 * overlaps.
 */
uintptr_t
pni_table_find_retry(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pni_table *tb = &mp->mnt_table;
	unsigned round = 0;

	for (;;) {
		struct pni_tab *t = pn_load(&tb->tb_cur, PN_SEQ_CST);
		size_t m = t->t_mask, i = (size_t)h & m;
		uint32_t snap[PNI_SEQSTRIPES], have = 0, odd = 0, r;
		pni_tag_t *tg = pni_tab_tags(t);
		uint8_t want = pni_slot_tag(h), g;
		uintptr_t v = 0;

		for (;; i = (i + 1) & m) {
			r = PNI_SEQ_STRIPE(i);
			if ((have & 1u << r) == 0) {
				snap[r] = pn_load(&tb->tb_seqs[r].ss_seq,
				    PN_SEQ_CST);
				have |= 1u << r;
				odd |= snap[r] & 1;
			}
			if ((g = pn_load(&tg[i], PN_SEQ_CST)) == 0)
				break;
			if (g == want && pni_slot_key(&t->t_slot[i],
			    PN_SEQ_CST) == c) {
				v = pn_load(&t->t_slot[i].s_val, PN_SEQ_CST);
				break;
			}
		}
		/* As in pni_table_find. */
		for (; odd == 0 && have != 0; have &= have - 1) {
			r = (uint32_t)__builtin_ctz(have);
			if (pn_load(&tb->tb_seqs[r].ss_seq, PN_RELAXED) !=
			    snap[r])
				break;
		}
		if (odd == 0 && have == 0)
			return v;
		pni_h_backoff(mp, &round);
	}
}

/*
 * The slot of cookie c (hash h), or NULL with *hole set to the empty slot
 * that ended the probe, where an insert of c belongs.  Mount lock held.
 */
static struct pni_slot *
slot_locked(struct pni_tab *t, pn_cookie_t c, uint64_t h, size_t *hole)
{
	size_t m = t->t_mask, i = (size_t)h & m;
	uint8_t want = pni_slot_tag(h), g;

	while ((g = tag_of(t, i)) != 0) {
		if (g == want && key_of(&t->t_slot[i]) == c)
			return &t->t_slot[i];
		i = (i + 1) & m;
	}
	*hole = i;
	return NULL;
}

/*
 * The value of cookie c, whose hash is h, or 0.  When 0, *hole is where
 * pni_table_insert puts c in this hold of the mount lock (no other slot
 * fills meanwhile; growth drops the lock, so a hole never outlives the
 * array it is in).  Mount lock held.
 */
uintptr_t
pni_table_find_locked(struct pn_mount *mp, pn_cookie_t c, uint64_t h,
    size_t *hole)
{
	struct pni_slot *sl;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	sl = slot_locked(cur_locked(mp), c, h, hole);
	return sl == NULL ? 0 : pn_load(&sl->s_val, PN_RELAXED);
}

/* ---- writers: mount lock held ---- */

/*
 * A bracket of key writes: keys_odd makes odd the count of slot i's
 * stripe, once, before the first write in it; keys_end makes every count
 * it made odd even again.  The odd store is ordered before the key writes
 * by their release stores; the even ones are sequentially consistent,
 * like the read-slot scan that may follow and a reader's claim and count
 * loads: a reader whose claim the scan misses reads these counts (or
 * later ones) and so sees the writes.
 */
static void
keys_odd(struct pni_table *tb, uint32_t *odd, size_t i)
{
	uint32_t r = PNI_SEQ_STRIPE(i);
	pn_atomic_u32 *sq = &tb->tb_seqs[r].ss_seq;

	if ((*odd & 1u << r) != 0)
		return;
	*odd |= 1u << r;
	pn_store(sq, pn_load(sq, PN_RELAXED) + 1, PN_RELAXED);
}

static void
keys_end(struct pni_table *tb, uint32_t odd)
{
	for (; odd != 0; odd &= odd - 1) {
		pn_atomic_u32 *sq =
		    &tb->tb_seqs[__builtin_ctz(odd)].ss_seq;

		pn_store(sq, pn_load(sq, PN_RELAXED) + 1, PN_SEQ_CST);
	}
}

/* The first empty slot from the home of hash h. */
static size_t
tab_hole(struct pni_tab *t, uint64_t h)
{
	size_t i = (size_t)h & t->t_mask;

	while (tag_of(t, i) != 0)
		i = (i + 1) & t->t_mask;
	return i;
}

/*
 * Fill empty slot i of t with cookie c (hash h) and value v: the value
 * first, then the key, then the tag, the last two with store order mo
 * (release where lookups may see them), so that a reader that sees the
 * tag sees the key and the value.
 */
static void
tab_fill(struct pni_tab *t, size_t i, uint64_t c, uint64_t h, uintptr_t v,
    memory_order mo)
{
	pn_store(&t->t_slot[i].s_val, v, PN_RELAXED);
	pni_slot_setkey(&t->t_slot[i], c, mo);
	pn_store(&pni_tab_tags(t)[i], pni_slot_tag(h), mo);
}

/*
 * Slot sl's value, for a writer that moves it.  A BUILDING value is
 * frozen in place first, so that its builder's publish (lock-free) cannot
 * land in a slot being vacated; a value the builder published first is
 * moved as it is.  Mount lock held.
 */
static uintptr_t
take_val(struct pn_mount *mp, struct pni_slot *sl)
{
	uintptr_t v;

	/*
	 * A vnode is read with acquire, also after a swap lost to its
	 * publish (whose failure load is relaxed): the mover hands the
	 * vnode on to readers of its new slot, and they must see what the
	 * builder wrote before publishing it.
	 */
	for (;;) {
		v = pn_load(&sl->s_val, PN_ACQUIRE);
		if ((v & PNI_SLOT_BUILDING) == 0 ||
		    pn_casuptr(mp, &sl->s_val, &v, v | PNI_SLOT_FROZEN,	/* GCOVR_EXCL_BR_LINE: a publish racing */
		    PN_ACQ_REL))
			return v;
	}
}

/* A larger array for the table of n slots, or NULL.  Any lock or none. */
static struct pni_tab *
tab_alloc_grown(struct pn_mount *mp, size_t n)
{
	const size_t per = sizeof(struct pni_slot) + sizeof(pni_tag_t);

	/* The table would fill the address space long before: unreachable. */
	if (n > SIZE_MAX / 2 / per)	/* GCOVR_EXCL_BR_LINE */
		return NULL;	/* GCOVR_EXCL_LINE: see above */
	return tab_alloc(mp, n * 2);
}

/*
 * Move every entry of the current array into t, empty and twice its
 * size, and publish t.  The old array is the caller's to free after a
 * grace period (pni_read_synchronize).  Mount lock held.
 */
static struct pni_tab *
tab_move(struct pn_mount *mp, struct pni_tab *t)
{
	struct pni_table *tb = &mp->mnt_table;
	struct pni_tab *old = cur_locked(mp);
	size_t i;

	PNI_ASSERT(mp, t->t_mask == old->t_mask * 2 + 1);
	for (i = 0; i <= old->t_mask; i++) {
		uint64_t k = key_of(&old->t_slot[i]), h;

		if (k != 0) {
			h = pni_cookie_hash(k);
			tab_fill(t, tab_hole(t, h), k, h,
			    take_val(mp, &old->t_slot[i]), PN_RELAXED);
		}
	}
	/* Publishes the slots written above. */
	pn_store(&tb->tb_cur, t, PN_SEQ_CST);
	pn_store(&tb->tb_mask, t->t_mask, PN_RELAXED);
	tb->tb_resizes++;
	return old;
}

/*
 * Would an insert have to grow the table first?  Its size goes to *np.
 * Mount lock held.
 */
bool
pni_table_needs_room(struct pn_mount *mp, size_t *np)
{
	size_t n = cur_locked(mp)->t_mask + 1;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	*np = n;
	return mp->mnt_table.tb_count + 1 > n / 4 * 3;
}

/*
 * Grow the table of n slots, holding the mount lock only to move the
 * entries: the new array is allocated and cleared (the first touch of
 * its pages) before the lock is taken, the old one waits out its readers
 * and goes back to the host after the lock is dropped.  PN_OK too when
 * another writer grew the table meanwhile (the new array is then thrown
 * away).  PN_ENOMEM when the host has no memory.  No lock held.
 */
int
pni_table_grow(struct pn_mount *mp, size_t n)
{
	struct pni_tab *t, *old;

	PNI_ASSERT(mp, pni_h_notheld(mp, mp->mnt_lock));
	if ((t = tab_alloc_grown(mp, n)) == NULL)
		return PN_ENOMEM;
	pni_h_enter(mp, mp->mnt_lock);
	old = cur_locked(mp)->t_mask + 1 == n ? tab_move(mp, t) : t;
	pni_h_exit(mp, mp->mnt_lock);
	if (old != t)
		pni_read_synchronize(mp);
	pni_h_free(mp, old, old->t_bytes);
	return PN_OK;
}

/*
 * Is there room for one more entry?  The table grows past 3/4 full
 * (pni_table_needs_room, pni_table_grow, before the lock is taken for
 * the insert); when the host had no memory for that, it fills on until
 * one slot is left.  PN_ENOMEM then.  Mount lock held.
 */
int
pni_table_reserve(struct pn_mount *mp)
{
	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	if (mp->mnt_table.tb_count + 2 > cur_locked(mp)->t_mask + 1)
		return PN_ENOMEM;
	return PN_OK;
}

/*
 * Enter cookie c (hash h) with value v in slot hole, which the
 * pni_table_find_locked that did not find c named: an ACTIVE node's
 * vnode, which lookups may return from the key's store on, or a BUILDING
 * node, which they see busy until pni_table_publish gives it its vnode.
 * Room made first (pni_table_reserve).  Mount lock held, since that find.
 */
void
pni_table_insert(struct pn_mount *mp, size_t hole, pn_cookie_t c, uint64_t h,
    uintptr_t v)
{
	struct pni_table *tb = &mp->mnt_table;
	struct pni_tab *t = cur_locked(mp);

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	PNI_ASSERT(mp, tb->tb_count + 2 <= t->t_mask + 1);
	PNI_ASSERT(mp, hole == tab_hole(t, h));
#if PN_ATOMIC64
	tab_fill(t, hole, c, h, v, PN_RELEASE);
#else
	{
		uint32_t odd = 0;

		keys_odd(tb, &odd, hole);
		tab_fill(t, hole, c, h, v, PN_RELEASE);
		keys_end(tb, odd);
	}
#endif
	tb->tb_count++;
}

/*
 * Cookie c's BUILDING node pn has its vnode: lookups may return it from
 * now on.  No lock held: one sequentially consistent compare-and-swap of
 * the entry's value from the BUILDING node to the vnode.  Writers that
 * move entries meanwhile freeze a BUILDING value before they move it
 * (take_val), so the swap either lands before the move, which then
 * carries the vnode, or fails, and the builder finds the entry again
 * once the writer is done.  The read section keeps the array alive.
 */
void
pni_table_publish(struct pn_mount *mp, pn_cookie_t c, uint64_t h,
    struct pn_node *pn, struct pn_vnode *vp)
{
	struct pni_table *tb = &mp->mnt_table;
	uintptr_t want = (uintptr_t)pn | PNI_SLOT_BUILDING;
	unsigned round = 0;

	/* An even vnode (build checks) for a BUILDING entry only its builder publishes. */
	PNI_ASSERT(mp, ((uintptr_t)vp & PNI_SLOT_BUILDING) == 0);	/* GCOVR_EXCL_BR_LINE: see above */
	for (;;) {
		struct pni_rsect rs = pni_read_enter(mp, tb, pni_read_tag(h));
		struct pni_tab *t = pn_load(&tb->tb_cur, PN_SEQ_CST);
		size_t i = (size_t)h & t->t_mask;
		bool done = false;
		uint64_t k;

		/*
		 * want is in one slot at most, and only where the key is c
		 * (writers restore it only after the key, see remove), so a
		 * key read while it moves can at worst make this pass fail.
		 */
		while ((k = pni_slot_key(&t->t_slot[i], PN_ACQUIRE)) != 0) {
			if (k == c) {
				uintptr_t v = want;

				done = pn_casuptr(mp, &t->t_slot[i].s_val, &v,
				    (uintptr_t)vp, PN_SEQ_CST);
				break;
			}
			i = (i + 1) & t->t_mask;
		}
		pni_read_leave(rs);
		if (done)
			return;
		/* A writer is moving the entry: let it finish. */
		pni_h_backoff(mp, &round);
	}
}

/*
 * Take cookie c (hash h) out, shifting its cluster back over the hole.
 * The cookie must be in the table.  The caller then waits, with the lock
 * or without, for the read sections that may have found it
 * (pni_table_remove_wait) before the entry's vnode may go.
 */
void
pni_table_remove(struct pn_mount *mp, pn_cookie_t c, uint64_t h)
{
	struct pni_table *tb = &mp->mnt_table;
	struct pni_tab *t = cur_locked(mp);
	/* Read once: the stores below are atomics the compiler cannot see past. */
	size_t m = t->t_mask, i, j, home;
	pni_tag_t *tg = pni_tab_tags(t);
	struct pni_slot *sl;
	uintptr_t v;
	uint64_t k;
	uint32_t odd = 0;
	uint8_t g;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	sl = slot_locked(t, c, h, &i);
	PNI_ASSERT(mp, sl != NULL);
	i = (size_t)(sl - t->t_slot);

	/* Each slot written is first in a stripe made odd: i, then each j moved. */
	keys_odd(tb, &odd, i);
	for (j = (i + 1) & m; (g = pn_load(&tg[j], PN_RELAXED)) != 0;
	    j = (j + 1) & m) {
		k = key_of(&t->t_slot[j]);
		home = (size_t)pni_cookie_hash(k) & m;
		/* The entry may fill the hole unless its home lies in (i, j]. */
		if (i <= j ? (i < home && home <= j) :
		    (i < home || home <= j))
			continue;
		keys_odd(tb, &odd, j);
		v = take_val(mp, &t->t_slot[j]);
		/* A BUILDING value becomes publishable only under its key. */
		pn_store(&t->t_slot[i].s_val, v | ((v & PNI_SLOT_BUILDING) << 1),
		    PN_RELEASE);
		pni_slot_setkey(&t->t_slot[i], k, PN_RELEASE);
		if (v & PNI_SLOT_BUILDING)
			pn_store(&t->t_slot[i].s_val, v, PN_RELEASE);
		pn_store(&tg[i], g, PN_RELEASE);
		i = j;
	}
	pn_store(&tg[i], 0, PN_RELEASE);
	pni_slot_setkey(&t->t_slot[i], 0, PN_RELEASE);
	pn_store(&t->t_slot[i].s_val, 0, PN_RELEASE);
	keys_end(tb, odd);
	tb->tb_count--;
}

/*
 * After a removal of a cookie whose hash is h: wait for the read sections
 * that may have found its entry (see the top).  Any lock or none.
 */
void
pni_table_remove_wait(struct pn_mount *mp, uint64_t h)
{
	read_wait(mp, pni_read_tag(h));
}

/* ---- public statistics ---- */

/* Add the figures of mp, a part or an unsplit mount, to *st. */
static void
part_stats(struct pn_mount *mp, struct pn_table_stats *st)
{
	struct pni_tab *t;
	size_t i, longest = 0;

	pni_h_enter(mp, mp->mnt_lock);
	t = cur_locked(mp);
	for (i = 0; i <= t->t_mask; i++) {
		uint64_t k = key_of(&t->t_slot[i]);
		size_t home, d;

		if (k == 0)
			continue;
		home = (size_t)pni_cookie_hash(k) & t->t_mask;
		d = ((i - home) & t->t_mask) + 1;
		if (d > longest)
			longest = d;
	}
	st->entries += mp->mnt_table.tb_count;
	st->buckets += t->t_mask + 1;
	if (longest > st->longest_probe)
		st->longest_probe = longest;
	st->bytes += t->t_bytes;
	st->resizes += mp->mnt_table.tb_resizes;
	pni_h_exit(mp, mp->mnt_lock);
}

/* A split mount's figures: its parts' summed, the longest probe of any. */
PNI_EXPORT int
pn_table_stats(struct pn_mount *mp, struct pn_table_stats *st)
{
	unsigned i;

	if (mp == NULL || st == NULL)
		return PN_EINVAL;
	*st = (struct pn_table_stats){ 0 };
	for (i = 0; i < pni_nparts(mp); i++)
		part_stats(pni_partn(mp, i), st);
	return PN_OK;
}
