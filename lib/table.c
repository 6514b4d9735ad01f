/*
 * table.c -- the cookie table: open addressing with linear probing over
 * node pointers, lock-free lookups, one writer at a time.
 *
 * Readers (pn_table_find) take no lock.  They run inside a read section
 * (pn_read_enter/exit): a counter in one of PN_RSHARDS cache-line-sized
 * shards, picked by the reader's stack address so that threads seldom
 * share one.  Writers hold the mount lock.
 *
 * A grace period (pn_read_synchronize) flips the phase that new read
 * sections count in, then waits for the old phase's counters to drain.
 * New readers never count in the drained phase, so a steady stream of
 * lookups cannot starve it.  A reader that read the old phase but counts
 * only after the waiter saw zero is safe: its increment and the waiter's
 * scan are sequentially consistent, so it sees everything published
 * before the grace period began.
 *
 * - Insert fills an empty slot with a release store.  A reader that misses
 *   a node being inserted concurrently is simply ordered before the insert.
 * - Remove uses backward-shift deletion (no tombstones, so the table never
 *   needs a same-size rehash).  Shifting can hide an entry from a reader
 *   for a moment, so removal brackets its moves with a sequence count and
 *   a reader confirms every miss against it: a miss is only reported when
 *   no removal overlapped the probe.  Hits need no confirmation: the
 *   caller pins the node and re-checks its cookie (node.c).
 * - Growth builds a doubled array while lookups go on in the old one
 *   (writers wait), publishes it, waits for a read grace period -- every
 *   read section that might still see the old array has ended -- and frees
 *   the old one.  Lookups never wait for growth.
 *
 * The grace period is also what lets the pool give slabs back (pool.c).
 */
#include "pn_impl.h"

#define MIN_SLOTS	16

/* murmur3's 64-bit finalizer: every cookie bit reaches the low bits. */
static inline uint64_t
cookie_hash(pn_cookie_t c)
{
	c ^= c >> 33;
	c *= UINT64_C(0xff51afd7ed558ccd);
	c ^= c >> 33;
	c *= UINT64_C(0xc4ceb9fe1a85ec53);
	c ^= c >> 33;
	return c;
}

/* ---- read sections ---- */

/* Enter a read section; the answer (shard and phase) goes to exit. */
unsigned
pn_read_enter(struct pn_mount *mp)
{
	uintptr_t a = (uintptr_t)__builtin_frame_address(0);
	unsigned s, ph;

	s = (unsigned)(((uint64_t)(a >> 16) * UINT64_C(0x9e3779b97f4a7c15)) >>
	    59) & (PN_RSHARDS - 1);
	ph = atomic_load_explicit(&mp->mnt_table.tb_phase,
	    memory_order_relaxed) & 1;
	atomic_fetch_add_explicit(&mp->mnt_table.tb_readers[s].rs_count[ph],
	    1, memory_order_seq_cst);
	return s << 1 | ph;
}

void
pn_read_exit(struct pn_mount *mp, unsigned rs)
{
	atomic_fetch_sub_explicit(
	    &mp->mnt_table.tb_readers[rs >> 1].rs_count[rs & 1], 1,
	    memory_order_release);
}

/*
 * Wait until every read section begun before the call has ended.  Mount
 * lock held, so grace periods never overlap: the two rounds drain one
 * phase each.
 */
void
pn_read_synchronize(struct pn_mount *mp)
{
	struct pn_table *tb = &mp->mnt_table;
	unsigned ph, round;
	size_t s;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	atomic_thread_fence(memory_order_seq_cst);
	for (round = 0; round < 2; round++) {
		ph = atomic_fetch_add_explicit(&tb->tb_phase, 1,
		    memory_order_seq_cst) & 1;
		for (s = 0; s < PN_RSHARDS; s++)
			while (atomic_load_explicit(
			    &tb->tb_readers[s].rs_count[ph],
			    memory_order_seq_cst) != 0)
				pn_h_yield(mp);
	}
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
		atomic_init(&t->t_slot[i], NULL);
	return t;
}

static inline struct pn_tab *
cur_locked(struct pn_mount *mp)
{
	return atomic_load_explicit(&mp->mnt_table.tb_cur,
	    memory_order_relaxed);
}

int
pn_table_init(struct pn_mount *mp, size_t hint)
{
	struct pn_tab *t;
	size_t n = MIN_SLOTS;

	/* Room for hint entries at most 3/4 full, within a sane bound. */
	while (n / 4 * 3 < hint && n < ((size_t)1 << 40))
		n <<= 1;
	t = tab_alloc(mp, n);
	if (t == NULL)
		return PN_ENOMEM;
	atomic_init(&mp->mnt_table.tb_cur, t);
	atomic_init(&mp->mnt_table.tb_seq, 0);
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
 * The node whose cookie is c, or NULL.  Caller is in a read section; the
 * answer is a candidate only, to be pinned and checked (node.c).
 */
struct pn_node *
pn_table_find(struct pn_mount *mp, pn_cookie_t c)
{
	struct pn_table *tb = &mp->mnt_table;
	uint64_t h = cookie_hash(c);

	for (;;) {
		uint32_t s0 = atomic_load_explicit(&tb->tb_seq,
		    memory_order_acquire);
		struct pn_tab *t = atomic_load_explicit(&tb->tb_cur,
		    memory_order_acquire);
		size_t i = (size_t)h & t->t_mask;
		struct pn_node *pn;

		while ((pn = atomic_load_explicit(&t->t_slot[i],
		    memory_order_acquire)) != NULL) {
			if (atomic_load_explicit(&pn->pn_cookie,
			    memory_order_relaxed) == c)
				return pn;
			i = (i + 1) & t->t_mask;
		}
		atomic_thread_fence(memory_order_acquire);
		if ((s0 & 1) == 0 && atomic_load_explicit(&tb->tb_seq,
		    memory_order_relaxed) == s0)
			return NULL;
		pn_h_yield(mp);
	}
}

/* Exact lookup for writers.  Mount lock held. */
struct pn_node *
pn_table_find_locked(struct pn_mount *mp, pn_cookie_t c)
{
	struct pn_tab *t = cur_locked(mp);
	size_t i = (size_t)cookie_hash(c) & t->t_mask;
	struct pn_node *pn;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	while ((pn = atomic_load_explicit(&t->t_slot[i],
	    memory_order_relaxed)) != NULL) {
		if (atomic_load_explicit(&pn->pn_cookie,
		    memory_order_relaxed) == c)
			return pn;
		i = (i + 1) & t->t_mask;
	}
	return NULL;
}

/* ---- writers: mount lock held ---- */

static void
tab_put(struct pn_tab *t, struct pn_node *pn, memory_order mo)
{
	size_t i = (size_t)cookie_hash(atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed)) & t->t_mask;

	while (atomic_load_explicit(&t->t_slot[i], memory_order_relaxed) !=
	    NULL)
		i = (i + 1) & t->t_mask;
	atomic_store_explicit(&t->t_slot[i], pn, mo);
}

static int
grow(struct pn_mount *mp)
{
	struct pn_table *tb = &mp->mnt_table;
	struct pn_tab *old = cur_locked(mp), *t;
	size_t n = old->t_mask + 1, i;

	if (n > SIZE_MAX / 2 / sizeof(t->t_slot[0]))
		return PN_ENOMEM;
	t = tab_alloc(mp, n * 2);
	if (t == NULL)
		return PN_ENOMEM;
	for (i = 0; i < n; i++) {
		struct pn_node *pn = atomic_load_explicit(&old->t_slot[i],
		    memory_order_relaxed);

		if (pn != NULL)
			tab_put(t, pn, memory_order_relaxed);
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
	struct pn_table *tb = &mp->mnt_table;
	size_t n = cur_locked(mp)->t_mask + 1;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	if (tb->tb_count + 1 > n / 4 * 3 && grow(mp) != PN_OK &&
	    tb->tb_count + 2 > n)
		return PN_ENOMEM;
	tab_put(cur_locked(mp), pn, memory_order_release);
	tb->tb_count++;
	return PN_OK;
}

/* Unpublish a node, shifting its cluster back over the hole. */
void
pn_table_remove(struct pn_mount *mp, struct pn_node *pn)
{
	struct pn_table *tb = &mp->mnt_table;
	struct pn_tab *t = cur_locked(mp);
	size_t i, j, k;
	uint32_t s;
	struct pn_node *e;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	i = (size_t)cookie_hash(atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed)) & t->t_mask;
	while ((e = atomic_load_explicit(&t->t_slot[i],
	    memory_order_relaxed)) != pn) {
		if (e == NULL) {
			PN_ASSERT(mp, e != NULL);	/* not in the table */
			return;
		}
		i = (i + 1) & t->t_mask;
	}

	s = atomic_load_explicit(&tb->tb_seq, memory_order_relaxed);
	atomic_store_explicit(&tb->tb_seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (j = (i + 1) & t->t_mask;; j = (j + 1) & t->t_mask) {
		e = atomic_load_explicit(&t->t_slot[j], memory_order_relaxed);
		if (e == NULL)
			break;
		k = (size_t)cookie_hash(atomic_load_explicit(&e->pn_cookie,
		    memory_order_relaxed)) & t->t_mask;
		/* e may fill the hole unless its home lies in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		atomic_store_explicit(&t->t_slot[i], e, memory_order_release);
		i = j;
	}
	atomic_store_explicit(&t->t_slot[i], NULL, memory_order_release);
	atomic_store_explicit(&tb->tb_seq, s + 2, memory_order_release);
	tb->tb_count--;
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
		struct pn_node *pn = atomic_load_explicit(&t->t_slot[i],
		    memory_order_relaxed);
		size_t home, d;

		if (pn == NULL)
			continue;
		home = (size_t)cookie_hash(atomic_load_explicit(
		    &pn->pn_cookie, memory_order_relaxed)) & t->t_mask;
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
