/*
 * test_pool.c -- the pnode pool (statistics, limit, drain, nodes shared
 * across threads) and the cookie table (statistics, sizing hint, growth,
 * growth failing, clusters across the sequence stripes' blocks).
 */
#include <pthread.h>

#include "unit.h"

#include "pni_test.h"

/* Create cookies [from, to), each unused but cached. */
static void
make(struct ut *u, pn_cookie_t from, pn_cookie_t to)
{
	pn_cookie_t c;

	for (c = from; c < to; c++)
		th_vrele(&u->h, ut_get(u, c, PN_VREG));
}

/* Cookie c is found, and its vnode's node has cookie c. */
static void
found(struct ut *u, pn_cookie_t c)
{
	struct pn_vnode *vp;

	assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp), PN_OK);
	assert_int_equal(pn_node_cookie(ut_node(u, vp)), c);
	th_vrele(&u->h, vp);
}

static void
reclaim(struct ut *u, pn_cookie_t from, pn_cookie_t to)
{
	struct pn_vnode *vp;
	pn_cookie_t c;

	for (c = from; c < to; c++) {
		assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp), PN_OK);
		th_vrele(&u->h, vp);
		assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	}
}

/*
 * The first n cookies from 2 up, the root's excepted, whose hash has the
 * bits want under mask, into c; the next such one into *absent.
 */
static void
cookies_like(uint64_t want, uint64_t mask, pn_cookie_t *c, int n,
    pn_cookie_t *absent)
{
	pn_cookie_t x;
	int k = 0;

	for (x = 2; k <= n; x++) {
		if (x == UT_ROOT || (pni_cookie_hash(x) & mask) != want)
			continue;
		if (k < n)
			c[k] = x;
		else
			*absent = x;
		k++;
	}
}

/* Hash bits that pick the home slot of a 256-slot table, and the tag. */
#define HOME_AND_TAG	((uint64_t)255 | (uint64_t)0xfe << 56)

static void
pool_stats_basic(void **state)
{
	struct ut *u = *state;
	struct pn_pool_stats ps;
	size_t per = (size_t)PNI_SLAB_NODES;

	assert_int_equal(pn_pool_stats(NULL, &ps), PN_EINVAL);
	assert_int_equal(pn_pool_stats(u->mp, NULL), PN_EINVAL);

	ps = pstats(u);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(ps.slabs, 0);
	assert_int_equal(ps.free, 0);
	assert_int_equal(ps.limit, 0);
	assert_int_equal(ps.allocs, 0);
	assert_int_equal(ps.node_size, sizeof(struct pn_node));
	assert_true(ps.slab_bytes >= per * sizeof(struct pn_node));

	make(u, 2, 2 + 2 * per + 44);
	ps = pstats(u);
	assert_int_equal(ps.in_use, 2 * per + 44);
	assert_int_equal(ps.high_water, 2 * per + 44);
	assert_int_equal(ps.slabs, 3);
	assert_int_equal(ps.free, 3 * per - (2 * per + 44));
	assert_int_equal(ps.allocs, 2 * per + 44);
	assert_int_equal(ps.frees, 0);

	reclaim(u, 2, 2 + 100);
	ps = pstats(u);
	assert_int_equal(ps.in_use, 2 * per + 44 - 100);
	assert_int_equal(ps.high_water, 2 * per + 44);
	assert_int_equal(ps.frees, 100);
	assert_int_equal(ps.free, 3 * per - (2 * per + 44) + 100);
}

static void
pool_limit(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	long nv;

	assert_int_equal(pn_pool_setlimit(NULL, 3), PN_EINVAL);
	assert_int_equal(pn_pool_setlimit(u->mp, 3), PN_OK);
	assert_int_equal(pstats(u).limit, 3);
	make(u, 2, 5);
	nv = th_nvnodes(&u->h);
	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 0, 0, &vp), PN_ENOMEM);
	assert_null(vp);
	assert_int_equal(th_nvnodes(&u->h), nv);
	assert_int_equal(tstats(u).entries, 3);
	assert_int_equal(pstats(u).in_use, 3);
	/* existing nodes are still found */
	assert_int_equal(pn_getvnode(u->mp, 4, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&u->h, vp);

	/* a limit below the nodes in use stops new ones until reclaimed */
	assert_int_equal(pn_pool_setlimit(u->mp, 1), PN_OK);
	reclaim(u, 2, 4);
	assert_int_equal(pn_getvnode(u->mp, 6, PN_VREG, 0, 0, &vp), PN_ENOMEM);
	reclaim(u, 4, 5);
	make(u, 6, 7);
	assert_int_equal(pn_getvnode(u->mp, 7, PN_VREG, 0, 0, &vp), PN_ENOMEM);

	/* 0 removes it */
	assert_int_equal(pn_pool_setlimit(u->mp, 0), PN_OK);
	make(u, 7, 20);
	assert_int_equal(pstats(u).in_use, 14);
}

static int
limit_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	a.node_limit = 2;
	return ut_setup_args(state, &a);
}

static void
pool_limit_from_args(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	struct pn_cn cn = { .cn_nameptr = "x", .cn_namelen = 1 };

	assert_int_equal(pstats(u).limit, 2);
	make(u, 2, 4);
	assert_int_equal(pn_newnode(u->mp, NULL, 9, &cn, PN_VREG, 0, &vp),
	    PN_ENOMEM);
	assert_int_equal(pn_makeroot(u->mp, &vp), PN_ENOMEM);
	assert_int_equal(th_nvnodes(&u->h), 2);
}

static void
pool_drain(void **state)
{
	struct ut *u = *state;
	struct pn_pool_stats ps;
	size_t per = (size_t)PNI_SLAB_NODES, freed = 99;
	pn_cookie_t c;

	assert_int_equal(pn_pool_drain(NULL, &freed), PN_EINVAL);
	assert_int_equal(freed, 0);
	assert_int_equal(pn_pool_drain(u->mp, &freed), PN_OK);
	assert_int_equal(freed, 0);

	/* three slabs; empty the first one */
	make(u, 1000, 1000 + 2 * per + 44);
	reclaim(u, 1000, 1000 + per);
	assert_int_equal(pn_pool_drain(u->mp, &freed), PN_OK);
	assert_int_equal(freed, 1);
	ps = pstats(u);
	assert_int_equal(ps.slabs, 2);
	assert_int_equal(ps.in_use, per + 44);
	assert_int_equal(ps.free, 2 * per - (per + 44));

	/* the survivors are intact */
	for (c = 1000 + per; c < 1000 + 2 * per + 44; c++)
		found(u, c);
	/* the rebuilt free list fills the held slabs before a new one */
	make(u, 5000, 5000 + ps.free);
	assert_int_equal(pstats(u).slabs, 2);
	assert_int_equal(pstats(u).free, 0);
	make(u, 9000, 9001);
	assert_int_equal(pstats(u).slabs, 3);

	/* everything reclaimed: every slab goes back */
	assert_int_equal(th_reclaim_unused(&u->h), (int)(2 * per + 1));
	assert_int_equal(pn_pool_drain(u->mp, NULL), PN_OK);
	ps = pstats(u);
	assert_int_equal(ps.slabs, 0);
	assert_int_equal(ps.free, 0);
	assert_int_equal(ps.in_use, 0);
	/* bytes: only the mount and its table remain */
	assert_int_equal(atomic_load(&u->h.h_bytes),
	    (long long)(sizeof(struct pn_mount) + tstats(u).bytes));
	make(u, 1, 2);			/* a new slab comes on demand */
	assert_int_equal(pstats(u).slabs, 1);
}

static void
pool_drain_during_walk(void **state)
{
	struct ut *u = *state;
	size_t freed = 99;

	make(u, 2, 3);
	reclaim(u, 2, 3);
	struct pni_pool_iter it;

	pni_pool_iter_begin(u->mp, &it);
	assert_int_equal(pn_pool_drain(u->mp, &freed), PN_EBUSY);
	assert_int_equal(freed, 0);
	assert_int_equal(pstats(u).slabs, 1);
	pni_pool_iter_end(u->mp, &it);
	assert_int_equal(pn_pool_drain(u->mp, &freed), PN_OK);
	assert_int_equal(freed, 1);
}

/* ---- table ---- */

static void
table_stats_and_growth(void **state)
{
	struct ut *u = *state;
	struct pn_table_stats ts;
	pn_cookie_t c;

	assert_int_equal(pn_table_stats(NULL, &ts), PN_EINVAL);
	assert_int_equal(pn_table_stats(u->mp, NULL), PN_EINVAL);
	ts = tstats(u);
	assert_int_equal(ts.entries, 0);
	assert_int_equal(ts.buckets, 16);
	assert_int_equal(ts.longest_probe, 0);
	assert_int_equal(ts.resizes, 0);
	assert_true(ts.bytes >= 16 * sizeof(void *));

	make(u, 2, 14);				/* 12: 3/4 of 16 */
	ts = tstats(u);
	assert_int_equal(ts.entries, 12);
	assert_int_equal(ts.buckets, 16);
	assert_int_equal(ts.resizes, 0);
	assert_true(ts.longest_probe >= 1 && ts.longest_probe <= 12);
	make(u, 14, 15);
	ts = tstats(u);
	assert_int_equal(ts.entries, 13);
	assert_int_equal(ts.buckets, 32);
	assert_int_equal(ts.resizes, 1);
	assert_true(ts.bytes >= 32 * sizeof(void *));

	make(u, 15, 2000);
	ts = tstats(u);
	assert_int_equal(ts.entries, 1998);
	assert_true(ts.buckets / 4 * 3 >= 1998);
	assert_int_equal(ts.buckets & (ts.buckets - 1), 0);
	assert_int_equal(ts.resizes, 8);		/* 16 -> 4096 */
	assert_int_equal(pni_test_bad_tags(u->mp), 0);	/* growth re-tags */
	/* a slot and its one-byte tag each */
	assert_int_equal(ts.bytes, sizeof(struct pni_tab) +
	    ts.buckets * (sizeof(struct pni_slot) + sizeof(pni_tag_t)));
	for (c = 2; c < 2000; c++) {
		struct pn_vnode *vp;

		assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp), PN_OK);
		th_vrele(&u->h, vp);
	}
	reclaim(u, 2, 1000);
	ts = tstats(u);
	assert_int_equal(ts.entries, 1000);
	assert_int_equal(ts.resizes, 8);		/* never shrinks */
	assert_int_equal(pni_test_bad_tags(u->mp), 0);
	for (c = 2; c < 2000; c++) {
		struct pn_vnode *vp;

		assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp),
		    c < 1000 ? PN_ENOENT : PN_OK);
		if (c >= 1000)
			th_vrele(&u->h, vp);
	}
}

static int
hint_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	a.hash_hint = 1000;
	return ut_setup_args(state, &a);
}

static void
table_hint(void **state)
{
	struct ut *u = *state;
	struct pn_table_stats ts = tstats(u);

	assert_int_equal(ts.buckets, 2048);
	make(u, 2, 1002);
	ts = tstats(u);
	assert_int_equal(ts.resizes, 0);
	assert_int_equal(ts.entries, 1000);
}

/* The host has no memory to grow the table: it fills to one free slot. */
static void
table_growth_fails(void **state)
{
	struct ut *u = *state;
	struct pn_table_stats ts;
	struct pn_vnode *vp;
	pn_cookie_t c;
	int error;

	make(u, 2, 3);				/* the slab exists */
	u->h.h_w.mask = 1u << WH_ALLOC;
	wh_fail_at(&u->h.h_w, 1, true);
	for (c = 3;; c++) {
		error = pn_getvnode(u->mp, c, PN_VREG, 0, 0, &vp);
		if (error != PN_OK)
			break;
		th_vrele(&u->h, vp);
		assert_true(c < 100);
	}
	wh_fail_at(&u->h.h_w, 0, false);
	assert_int_equal(error, PN_ENOMEM);
	assert_null(vp);
	ts = tstats(u);
	assert_int_equal(ts.buckets, 16);
	assert_int_equal(ts.entries, 15);
	assert_int_equal(ts.resizes, 0);
	assert_int_equal(pstats(u).in_use, 15);
	assert_int_equal(th_nvnodes(&u->h), 15);
	/* every entry is found, and an absent cookie still ends its probe */
	for (c = 2; c < 17; c++) {
		assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp), PN_OK);
		th_vrele(&u->h, vp);
	}
	assert_int_equal(pn_cookie2vnode(u->mp, 17, 0, &vp), PN_ENOENT);
	assert_int_equal(pn_cookie2vnode(u->mp, 123456, 0, &vp), PN_ENOENT);
	/* memory again: the table grows */
	make(u, 17, 18);
	ts = tstats(u);
	assert_int_equal(ts.buckets, 32);
	assert_int_equal(ts.entries, 16);
}

/*
 * Random inserts and removals in a table kept at 16 slots and up to 3/4
 * full, so clusters often wrap around its end: after every change each
 * live cookie has exactly one live node and is found, and each removed
 * one is gone.
 */
static void
table_random_churn(void **state)
{
	struct ut *u = *state;
	pn_cookie_t live[12];
	struct pn_vnode *vp;
	unsigned seed = 12345;
	int nlive = 0, round, i, j;

	for (round = 0; round < 400; round++) {
		/* fill to 12, then drain to 4 */
		bool fill = (round / 8) % 2 == 0;

		if (fill && nlive < 12) {
			seed = seed * 1103515245u + 12345u;
			live[nlive] = ((pn_cookie_t)seed << 20) | (pn_cookie_t)round | 2;
			vp = ut_get(u, live[nlive], PN_VREG);
			th_vrele(&u->h, vp);
			nlive++;
		} else if (!fill && nlive > 4) {
			seed = seed * 1103515245u + 12345u;
			i = (int)(seed >> 16) % nlive;
			assert_int_equal(pn_cookie2vnode(u->mp, live[i], 0, &vp),
			    PN_OK);
			th_vrele(&u->h, vp);
			assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
			assert_int_equal(pn_cookie2vnode(u->mp, live[i], 0, &vp),
			    PN_ENOENT);
			assert_int_equal(pni_test_live_nodes(u->mp, live[i]), 0);
			live[i] = live[--nlive];
		}
		for (j = 0; j < nlive; j++) {
			assert_int_equal(pni_test_live_nodes(u->mp, live[j]), 1);
			found(u, live[j]);
		}
		assert_int_equal(tstats(u).entries, (size_t)nlive);
		assert_int_equal(pni_test_bad_tags(u->mp), 0);
	}
	assert_int_equal(tstats(u).buckets, 16);
	assert_int_equal(tstats(u).resizes, 0);
}

static int
stripe_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	a.hash_hint = 192;		/* 256 slots: four 64-slot blocks */
	return ut_setup_args(state, &a);
}

/* The slot of cookie c in the table's array, or -1. */
static long
slot_of(struct ut *u, pn_cookie_t c)
{
	struct pni_tab *t = pn_load(&u->mp->mnt_table.tb_cur, PN_RELAXED);
	size_t i;

	for (i = 0; i <= t->t_mask; i++)
		if (pni_slot_key(&t->t_slot[i], PN_RELAXED) == c)
			return (long)i;
	return -1;
}

/* The sequence count of the stripe of slot i. */
static uint32_t
stripe_seq(struct ut *u, size_t i)
{
	return pn_load(&u->mp->mnt_table.tb_seqs[PNI_SEQ_STRIPE(i)].ss_seq,
	    PN_RELAXED);
}

/*
 * A cluster across the end of a 64-slot block lies under two stripes'
 * counts.  Lookups that cross the block find every entry and end a miss
 * at the cluster's end; a removal that shifts entries back across it
 * makes both stripes' counts odd and even again, once each.
 */
static void
table_block_crossing(void **state)
{
	struct ut *u = *state;
	pn_cookie_t c[6], absent = 0;
	struct pn_vnode *vp;
	uint32_t s0, s1;
	int k;

	assert_int_equal(tstats(u).buckets, 256);
	/* Cookies whose home is slot 62, the next-to-last of block 0. */
	cookies_like(62, 255, c, 6, &absent);
	for (k = 0; k < 6; k++)
		make(u, c[k], c[k] + 1);
	/* The first at its home (or next to it), the last past the block. */
	assert_true(slot_of(u, c[0]) == 62 || slot_of(u, c[0]) == 63);
	assert_true(slot_of(u, c[5]) >= 64);
	for (k = 0; k < 6; k++)
		found(u, c[k]);
	assert_int_equal(pn_cookie2vnode(u->mp, absent, 0, &vp), PN_ENOENT);

	/* Take the first out: the others shift back, one across the block. */
	s0 = stripe_seq(u, 0);
	s1 = stripe_seq(u, 64);
	reclaim(u, c[0], c[0] + 1);
	if (PNI_SEQ_STRIPE(0) != PNI_SEQ_STRIPE(64)) {
		assert_int_equal(stripe_seq(u, 0), s0 + 2);
		assert_int_equal(stripe_seq(u, 64), s1 + 2);
	} else {
		assert_int_equal(stripe_seq(u, 0), s0 + 2);	/* one stripe */
	}
	assert_true(slot_of(u, c[1]) == 62 || slot_of(u, c[1]) == 63);
	assert_int_equal(slot_of(u, c[0]), -1);
	assert_int_equal(pn_cookie2vnode(u->mp, c[0], 0, &vp), PN_ENOENT);
	for (k = 1; k < 6; k++) {
		assert_int_equal(pni_test_live_nodes(u->mp, c[k]), 1);
		found(u, c[k]);
	}
	assert_int_equal(pn_cookie2vnode(u->mp, absent, 0, &vp), PN_ENOENT);
	assert_int_equal(tstats(u).entries, 5);
	assert_int_equal(pni_test_bad_tags(u->mp), 0);
}

/*
 * Cookies with one home slot and one tag: a probe whose tag matches a
 * slot of another cookie reads its key and goes on.  Every one is found
 * wherever it sits in the cluster, an absent cookie of the same home and
 * tag is not, and removals that shift the cluster carry the tags along.
 */
static void
table_tag_collisions(void **state)
{
	struct ut *u = *state;
	pn_cookie_t c[5], absent = 0;
	struct pn_vnode *vp;
	int k, gone;

	assert_int_equal(tstats(u).buckets, 256);
	/* The slot tag is the top byte with the low bit set: 7 bits count. */
	cookies_like(pni_cookie_hash(2) & HOME_AND_TAG, HOME_AND_TAG, c, 5,
	    &absent);
	assert_int_equal(c[0], 2);
	for (k = 1; k < 5; k++)
		assert_int_equal(pni_slot_tag(pni_cookie_hash(c[k])),
		    pni_slot_tag(pni_cookie_hash(c[0])));
	assert_int_equal(pni_slot_tag(pni_cookie_hash(absent)),
	    pni_slot_tag(pni_cookie_hash(c[0])));
	for (k = 0; k < 5; k++)
		make(u, c[k], c[k] + 1);
	assert_int_equal(pni_test_bad_tags(u->mp), 0);
	for (gone = 0; gone < 5; gone++) {
		for (k = gone; k < 5; k++)
			found(u, c[k]);
		assert_int_equal(pn_cookie2vnode(u->mp, absent, 0, &vp),
		    PN_ENOENT);
		/* From the middle of the cluster where there is one. */
		k = gone + (5 - gone) / 2;
		reclaim(u, c[k], c[k] + 1);
		assert_int_equal(pn_cookie2vnode(u->mp, c[k], 0, &vp),
		    PN_ENOENT);
		assert_int_equal(pni_test_bad_tags(u->mp), 0);
		c[k] = c[gone];
	}
	assert_int_equal(tstats(u).entries, 0);
}

/*
 * Creates call the host's alloc with no core lock held: slabs and grown
 * tables are allocated, and their pages first touched, outside the mount
 * lock, so other creators do not wait on them.  The test host's members
 * are wrapped to count the locks held, the allocations made under one,
 * and the slab-sized allocations.
 */
static struct pn_host_ops watch_inner;	/* the test host's own members */
static int watch_held;			/* core locks held now (one thread) */
static long watch_locked;		/* allocations with a lock held */
static size_t watch_size;		/* a slab's bytes; 0: not known yet */
static long watch_slabs;
static bool watch_fail;			/* refuse slab allocations */

static void *
watch_alloc(void *host, size_t n)
{
	watch_locked += watch_held != 0;
	if (watch_size != 0 && n == watch_size) {
		watch_slabs++;
		if (watch_fail)
			return NULL;
	}
	return watch_inner.alloc(host, n);
}

static void
watch_enter(void *host, struct pn_lock *lk)
{
	watch_inner.lock_enter(host, lk);
	watch_held++;
}

static void
watch_exit(void *host, struct pn_lock *lk)
{
	watch_held--;
	watch_inner.lock_exit(host, lk);
}

static void
watch_host(struct th_host *h)
{
	watch_inner = h->h_ops;
	h->h_ops.alloc = watch_alloc;
	h->h_ops.lock_enter = watch_enter;
	h->h_ops.lock_exit = watch_exit;
}

static int
watch_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	watch_held = 0;
	watch_size = 0;
	watch_slabs = watch_locked = 0;
	watch_fail = false;
	return ut_setup_host(state, &a, watch_host);
}

static void
pool_slabs_unlocked(void **state)
{
	struct ut *u = *state;
	size_t per = (size_t)PNI_SLAB_NODES;
	struct pn_pool_stats ps;
	struct pn_vnode *vp;
	long vnodes;

	watch_size = pstats(u).slab_bytes;
	make(u, 2, 2 + 2 * (pn_cookie_t)per + 1);	/* three slabs */
	assert_int_equal(pstats(u).slabs, 3);
	assert_int_equal(watch_slabs, 3);
	assert_true(tstats(u).resizes >= 2);		/* from 16 slots */
	assert_true(tstats(u).buckets / 4 * 3 >= 2 * per + 1);
	assert_int_equal(watch_locked, 0);
	assert_int_equal(watch_held, 0);

	/* Reclaimed nodes come back: no slab more. */
	reclaim(u, 2, 2 + (pn_cookie_t)per);
	make(u, 100000, 100000 + (pn_cookie_t)per);
	assert_int_equal(pstats(u).slabs, 3);
	assert_int_equal(watch_slabs, 3);

	/* The pool full, a slab refused: ENOMEM, nothing taken or left. */
	make(u, 200000, 200000 + (pn_cookie_t)(pstats(u).free));
	ps = pstats(u);
	assert_int_equal(ps.free, 0);
	vnodes = th_nvnodes(&u->h);
	watch_fail = true;
	assert_int_equal(pn_getvnode(u->mp, 300000, PN_VREG, 0, 0, &vp),
	    PN_ENOMEM);
	assert_null(vp);
	assert_int_equal(th_nvnodes(&u->h), vnodes);	/* its vnode discarded */
	assert_int_equal(pn_cookie2vnode(u->mp, 300000, 0, &vp), PN_ENOENT);
	assert_int_equal(pstats(u).slabs, ps.slabs);
	assert_int_equal(pstats(u).in_use, ps.in_use);
	assert_int_equal(tstats(u).entries, ps.in_use);
	assert_int_equal(watch_locked, 0);
	assert_int_equal(watch_held, 0);

	/* Memory again: the same cookie is created. */
	watch_fail = false;
	make(u, 300000, 300001);
	found(u, 300000);
	assert_int_equal(pstats(u).slabs, ps.slabs + 1);
	assert_int_equal(watch_locked, 0);
}

/* make() or reclaim() on a thread of its own. */
struct on_thread {
	struct ut	*u;
	pn_cookie_t	 from, to;
	bool		 reclaim;
};

static void *
on_thread_run(void *p)
{
	struct on_thread *a = p;

	if (a->reclaim)
		reclaim(a->u, a->from, a->to);
	else
		make(a->u, a->from, a->to);
	return NULL;
}

static void
on_thread(struct ut *u, pn_cookie_t from, pn_cookie_t to, bool rec)
{
	struct on_thread a = { u, from, to, rec };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, on_thread_run, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/*
 * Nodes made and given back on other threads' stacks are one pool: a
 * create takes a node another thread gave back, or a slab's free node
 * another thread's create carved, before the pool asks for a slab; a
 * drain gathers them all.
 */
static void
pool_shared_across_threads(void **state)
{
	struct ut *u = *state;
	pn_cookie_t per = (pn_cookie_t)PNI_SLAB_NODES, c;
	struct pn_pool_stats ps;
	size_t freed = 0;

	/* The main thread's slab, all but one node free. */
	make(u, 2, 3);
	assert_int_equal(pstats(u).slabs, 1);
	/* Taken from another thread: no slab more while one node is free. */
	on_thread(u, 1000, 1000 + per - 1, false);
	ps = pstats(u);
	assert_int_equal(ps.slabs, 1);
	assert_int_equal(ps.free, 0);
	assert_int_equal(ps.in_use, per);
	on_thread(u, 2000, 2001, false);
	assert_int_equal(pstats(u).slabs, 2);

	/* Given back on three stacks, taken again on a fourth: still two. */
	on_thread(u, 1000, 1000 + per / 2, true);
	reclaim(u, 2, 3);
	on_thread(u, 2000, 2001, true);
	make(u, 3000, 3000 + 2 * per - (per - 1 - per / 2));
	ps = pstats(u);
	assert_int_equal(ps.slabs, 2);
	assert_int_equal(ps.free, 0);
	for (c = 1000 + per / 2; c < 1000 + per - 1; c++)
		found(u, c);

	/* All back, then drained: every slab goes. */
	assert_int_equal(th_reclaim_unused(&u->h), (int)(2 * per));
	assert_int_equal(pn_pool_drain(u->mp, &freed), PN_OK);
	assert_int_equal(freed, 2);
	ps = pstats(u);
	assert_int_equal(ps.slabs, 0);
	assert_int_equal(ps.free, 0);
	on_thread(u, 4000, 4001, false);
	make(u, 5000, 5000 + per - 1);
	assert_int_equal(pstats(u).slabs, 1);
	assert_int_equal(pstats(u).free, 0);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(pool_stats_basic),
		T(pool_limit),
		cmocka_unit_test_setup_teardown(pool_limit_from_args,
		    limit_setup, ut_teardown),
		T(pool_drain),
		T(pool_drain_during_walk),
		T(pool_shared_across_threads),
		cmocka_unit_test_setup_teardown(pool_slabs_unlocked,
		    watch_setup, ut_teardown),
		T(table_stats_and_growth),
		cmocka_unit_test_setup_teardown(table_hint, hint_setup,
		    ut_teardown),
		T(table_growth_fails),
		T(table_random_churn),
		cmocka_unit_test_setup_teardown(table_tag_collisions,
		    stripe_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(table_block_crossing,
		    stripe_setup, ut_teardown),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
