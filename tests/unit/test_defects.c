/*
 * test_defects.c -- one test per defect of the seed (puffs_subr.c 1.39)
 * that puffsnode must not repeat (DESIGN.md, "Seed defects").  Each test
 * states the seed's behaviour it would catch.  The threaded ones are kept
 * short and also run under ThreadSanitizer (suite tsan).
 *
 * Threads never call CMocka asserts; they record what they saw and the
 * main thread checks it.
 */
#include "unit.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "pni_test.h"

#define NTHREADS	8

/* ---- 1: table changes under the mount lock ---- */

struct churn {
	struct ut	*u;
	pn_cookie_t	 base;
	int		 errors;
	pthread_barrier_t *bar;
};

#define CHURN	300
#define KEEP	20

static void *
churner(void *arg)
{
	struct churn *a = arg;
	struct pn_vnode *vp;
	int i;

	pthread_barrier_wait(a->bar);
	for (i = 0; i < CHURN; i++) {
		pn_cookie_t c = a->base + (pn_cookie_t)i;

		if (pn_getvnode(a->u->mp, c, PN_VREG, 0, 0, &vp) != PN_OK) {
			a->errors++;
			continue;
		}
		th_vrele(&a->u->h, vp);
		if (i >= KEEP && th_reclaim(&a->u->h, vp) != PN_OK)
			a->errors++;
	}
	return NULL;
}

/*
 * Seed: LIST_INSERT_HEAD into the hash list in getvnode and LIST_REMOVE
 * in putvnode, with no lock.  Here every table insert and remove asserts
 * the mount lock through the host's exact lock_held (a failed assertion
 * stops), and threads inserting and removing at once leave exactly the
 * entries they should, each one found.
 */
static void
defect01_insert_under_lock(void **state)
{
	struct ut *u = *state;
	struct churn a[NTHREADS];
	pthread_t t[NTHREADS];
	pthread_barrier_t bar;
	struct pn_vnode *vp;
	long yes0 = atomic_load(&u->h.h_held_yes);
	long no0 = atomic_load(&u->h.h_held_no);
	int i, j;

	/*
	 * single-threaded first: every insert and remove is checked (a
	 * "held" contract answered "no" would have stopped the process), and
	 * so is every "no core lock held" contract before a vnode is built
	 */
	for (i = 0; i < 50; i++)
		th_vrele(&u->h, ut_get(u, 100000 + (pn_cookie_t)i, PN_VREG));
	assert_int_equal(th_reclaim_unused(&u->h), 50);
	assert_true(atomic_load(&u->h.h_held_yes) - yes0 >= 100);
	assert_true(atomic_load(&u->h.h_held_no) - no0 >= 50);

	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		a[i].u = u;
		a[i].base = 1000 * (pn_cookie_t)(i + 1);
		a[i].errors = 0;
		a[i].bar = &bar;
		assert_int_equal(pthread_create(&t[i], NULL, churner, &a[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&bar);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(a[i].errors, 0);

	assert_int_equal(atomic_load(&u->h.h_panics), 0);
	assert_int_equal(tstats(u).entries, NTHREADS * KEEP);
	assert_int_equal(pstats(u).in_use, NTHREADS * KEEP);
	for (i = 0; i < NTHREADS; i++)
		for (j = 0; j < CHURN; j++) {
			pn_cookie_t c = a[i].base + (pn_cookie_t)j;
			int error = pn_cookie2vnode(u->mp, c, 0, &vp);

			assert_int_equal(error, j < KEEP ? PN_OK : PN_ENOENT);
			if (error == PN_OK) {
				assert_int_equal(pn_node_cookie(ut_node(u, vp)),
				    c);
				th_vrele(&u->h, vp);
			}
		}
}

/* ---- 2 and 3: racing creates ---- */

struct racer {
	struct ut	*u;
	pn_cookie_t	 c;
	bool		 create_only;
	pthread_barrier_t *bar;
	int		 error;
	struct pn_vnode	*vp;
};

static void *
racer(void *arg)
{
	struct racer *a = arg;
	struct pn_cn cn = { .cn_nameptr = "same", .cn_namelen = 4 };

	pthread_barrier_wait(a->bar);
	if (a->create_only)
		a->error = pn_newnode(a->u->mp, NULL, a->c, &cn, PN_VREG, 0,
		    &a->vp);
	else
		a->error = pn_getvnode(a->u->mp, a->c, PN_VREG, 0, 0, &a->vp);
	return NULL;
}

static void
race(struct ut *u, struct racer *a, pn_cookie_t c, bool create_only)
{
	pthread_t t[NTHREADS];
	pthread_barrier_t bar;
	int i;

	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		a[i].u = u;
		a[i].c = c;
		a[i].create_only = create_only;
		a[i].bar = &bar;
		a[i].error = -1;
		a[i].vp = NULL;
		assert_int_equal(pthread_create(&t[i], NULL, racer, &a[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&bar);
}

/*
 * Seed: puffs_newnode checks for the cookie under the lock, drops it,
 * then builds: with the vnode allocation slowed down, every racer passes
 * the check and each builds a node.  Here exactly one wins; the others
 * get PN_EEXIST: behind a placeholder they wait for the node being built
 * and build nothing; building first, each throws its vnode away.
 */
static void
defect02_newnode_race_one_wins(void **state)
{
	struct ut *u = *state;
	struct racer a[NTHREADS];
	struct pn_vnode *vp = NULL;
	int i, ok = 0, exist = 0;

	atomic_store(&u->h.h_valloc_delay_us, 20000);
	race(u, a, 77, true);
	atomic_store(&u->h.h_valloc_delay_us, 0);
	for (i = 0; i < NTHREADS; i++) {
		if (a[i].error == PN_OK) {
			ok++;
			vp = a[i].vp;
		} else if (a[i].error == PN_EEXIST) {
			exist++;
			assert_null(a[i].vp);
		}
	}
	assert_int_equal(ok, 1);
	assert_int_equal(exist, NTHREADS - 1);
	assert_int_equal(tstats(u).entries, 1);
	assert_int_equal(pni_test_live_nodes(u->mp, 77), 1);
	assert_int_equal(pstats(u).allocs, 1);
	assert_int_equal(atomic_load(&u->h.h_valloc), u->ph ? 1 : NTHREADS);
	assert_int_equal(atomic_load(&u->h.h_valloc) -
	    atomic_load(&u->h.h_vfree), 1);
	assert_int_equal(th_nvnodes(&u->h), 1);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_COOKIE_DUP]),
	    NTHREADS - 1);
	assert_int_equal(th_vusecount(&u->h, vp), 1);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
}

struct looker {
	struct ut	*u;
	pn_cookie_t	 c;
	int		 error;
};

static void *
slow_builder(void *arg)
{
	struct looker *a = arg;
	struct pn_vnode *vp;

	a->error = pn_getvnode(a->u->mp, a->c, PN_VREG, 0, 0, &vp);
	if (a->error == PN_OK)
		th_vrele(&a->u->h, vp);
	return NULL;
}

/*
 * Seed: callers look up, miss, and call getvnode, which builds
 * unconditionally: racing callers make several nodes for one cookie.
 * Here all racers get the same vnode and one node is made; behind a
 * placeholder one vnode is built, building first the losers' vnodes are
 * thrown away.  A lookup-only call during a build neither allocates nor
 * returns the half-built node.
 */
static void
defect03_getvnode_race_same_vnode(void **state)
{
	struct ut *u = *state;
	struct racer a[NTHREADS];
	struct looker b = { .u = u, .c = 88 };
	struct pn_vnode *vp;
	pthread_t t;
	int i;

	atomic_store(&u->h.h_valloc_delay_us, 20000);
	race(u, a, 77, false);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(a[i].error, PN_OK);
		assert_ptr_equal(a[i].vp, a[0].vp);
	}
	assert_int_equal(atomic_load(&u->h.h_valloc), u->ph ? 1 : NTHREADS);
	assert_int_equal(atomic_load(&u->h.h_valloc) -
	    atomic_load(&u->h.h_vfree), 1);
	assert_int_equal(th_nvnodes(&u->h), 1);
	assert_int_equal(pstats(u).allocs, 1);
	assert_int_equal(tstats(u).entries, 1);
	assert_int_equal(pni_test_live_nodes(u->mp, 77), 1);
	assert_int_equal(th_vusecount(&u->h, a[0].vp), NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		th_vrele(&u->h, a[i].vp);

	/* lookup-only while a build is under way */
	atomic_store(&u->h.h_valloc_delay_us, 100000);
	assert_int_equal(pthread_create(&t, NULL, slow_builder, &b), 0);
	usleep(20000);
	assert_int_equal(pn_cookie2vnode(u->mp, 88, 0, &vp), PN_ENOENT);
	assert_null(vp);
	assert_int_equal(pthread_join(t, NULL), 0);
	atomic_store(&u->h.h_valloc_delay_us, 0);
	assert_int_equal(b.error, PN_OK);
	assert_int_equal(atomic_load(&u->h.h_valloc) -
	    atomic_load(&u->h.h_vfree), 2);
	assert_int_equal(pn_cookie2vnode(u->mp, 88, 0, &vp), PN_OK);
	th_vrele(&u->h, vp);
}

/* ---- 4: lookups and makeroot racing a reclaim ---- */

struct waiter {
	struct ut	*u;
	pn_cookie_t	 c;		/* 0: pn_makeroot */
	atomic_int	 done;
	int		 error;
	struct pn_vnode	*vp;
	uint64_t	 gen;
};

static void *
waiter(void *arg)
{
	struct waiter *a = arg;

	if (a->c == 0)
		a->error = pn_makeroot(a->u->mp, &a->vp);
	else
		a->error = pn_getvnode(a->u->mp, a->c, PN_VREG, 0, 0, &a->vp);
	if (a->error == PN_OK)
		a->gen = pn_node_gen(pn_vnode2node(a->u->mp, a->vp));
	atomic_store(&a->done, 1);
	return NULL;
}

/*
 * Wait (5 s at most) until the host has made n vnodes: a thread just
 * started may not have run yet on a loaded machine.
 */
static void
await_valloc(struct ut *u, long n)
{
	int i;

	for (i = 0; i < 1000 && atomic_load(&u->h.h_valloc) < n; i++)
		usleep(5000);
}

/* c's vnode is being reclaimed; a get-or-create must wait for it. */
static void
wait_for_reclaim(struct ut *u, pn_cookie_t c)
{
	struct waiter w = { .u = u, .c = c };
	struct pn_vnode *old, *vp;
	uint64_t oldgen;
	pthread_t t;

	old = ut_get(u, c, PN_VREG);
	oldgen = pn_node_gen(ut_node(u, old));
	th_vrele(&u->h, old);
	th_reclaim_begin(&u->h, old);

	/* a lookup skips the dying vnode */
	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_cookie2vnode(u->mp, c, 0, &vp), PN_ENOENT);
	assert_null(vp);

	assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
	/* Building first, the waiter makes its vnode before it waits. */
	await_valloc(u, u->ph ? 1 : 2);
	usleep(50000);
	/*
	 * No second node while the first is still in the table; building
	 * first, the waiter's vnode is made and waits with it.
	 */
	assert_int_equal(atomic_load(&w.done), 0);
	assert_int_equal(atomic_load(&u->h.h_valloc), u->ph ? 1 : 2);
	assert_int_equal(pni_test_live_nodes(u->mp, c), 1);

	assert_int_equal(th_reclaim_finish(&u->h, old), PN_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.error, PN_OK);
	assert_true(w.gen > oldgen);
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(pni_test_live_nodes(u->mp, c), 1);
	assert_int_equal(th_vstate(&u->h, w.vp), TH_VN_ACTIVE);
	th_vrele(&u->h, w.vp);
}

/*
 * Seed: when vget fails on a vnode being reclaimed, the lookup gives up
 * and the caller builds a second node while the first is still in the
 * table.  Here a lookup answers PN_ENOENT and a get-or-create waits until
 * the old node has left the table, then builds one new node.
 */
static void
defect04_lookup_skips_reclaiming(void **state)
{
	wait_for_reclaim(*state, 5);
}

/*
 * Seed: puffs_makeroot calls getvnode for the root when vget of the
 * cached root fails, while the dying root is still in the hash: two root
 * nodes.  Here makeroot waits for the old root to leave.
 */
static void
defect04_makeroot_waits_for_reclaim(void **state)
{
	struct ut *u = *state;
	struct waiter w = { .u = u, .c = 0 };
	struct pn_vnode *old;
	uint64_t oldgen;
	pthread_t t;

	assert_int_equal(pn_makeroot(u->mp, &old), PN_OK);
	oldgen = pn_node_gen(ut_node(u, old));
	th_vrele(&u->h, old);
	th_reclaim_begin(&u->h, old);
	assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
	/* Building first, the waiter makes its vnode before it waits. */
	await_valloc(u, u->ph ? 1 : 2);
	usleep(50000);
	assert_int_equal(atomic_load(&w.done), 0);
	assert_int_equal(atomic_load(&u->h.h_valloc), u->ph ? 1 : 2);
	assert_int_equal(pni_test_live_nodes(u->mp, UT_ROOT), 1);
	assert_int_equal(th_reclaim_finish(&u->h, old), PN_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.error, PN_OK);
	assert_true(w.gen > oldgen);
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(pni_test_live_nodes(u->mp, UT_ROOT), 1);
	assert_int_equal(pn_node_cookie(ut_node(u, w.vp)), UT_ROOT);
	assert_int_equal(w.vp->v_opskind, PN_VOPS_ROOT);
	th_vrele(&u->h, w.vp);
}

struct rrace {
	struct ut	*u;
	pn_cookie_t	 c;		/* UT_ROOT: use pn_makeroot */
	atomic_int	*stop;
	long		 got, bad;
	int		 errors;
	int		 maxdup;	/* most table entries seen for c */
};

static void *
rr_looker(void *arg)
{
	struct rrace *a = arg;
	struct pn_vnode *vp;
	int error, n;

	while (atomic_load(a->stop) == 0) {
		if (a->c == UT_ROOT)
			error = pn_makeroot(a->u->mp, &vp);
		else
			error = pn_cookie2vnode(a->u->mp, a->c, 0, &vp);
		if (error == PN_ENOENT && a->c != UT_ROOT)
			continue;
		if (error != PN_OK) {
			a->errors++;
			continue;
		}
		a->got++;
		if (th_vstate(&a->u->h, vp) != TH_VN_ACTIVE ||
		    pn_node_cookie(pn_vnode2node(a->u->mp, vp)) != a->c)
			a->bad++;
		n = pni_test_live_nodes(a->u->mp, a->c);
		if (n > a->maxdup)
			a->maxdup = n;
		th_vrele(&a->u->h, vp);
		usleep(20);
	}
	return NULL;
}

#define RECLAIMS	150

/* One reclaimer, three lookers, one cookie. */
static void
reclaim_race(struct ut *u, pn_cookie_t c)
{
	struct rrace a[3];
	pthread_t t[3];
	atomic_int stop = 0;
	struct pn_vnode *vp;
	int i, n, errors = 0;

	for (i = 0; i < 3; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].u = u;
		a[i].c = c;
		a[i].stop = &stop;
		assert_int_equal(pthread_create(&t[i], NULL, rr_looker, &a[i]),
		    0);
	}
	for (n = 0; n < RECLAIMS; n++) {
		if ((c == UT_ROOT ? pn_makeroot(u->mp, &vp) :
		    pn_getvnode(u->mp, c, PN_VREG, 0, 0, &vp)) != PN_OK) {
			errors++;
			continue;
		}
		th_vrele(&u->h, vp);
		while (th_reclaim(&u->h, vp) == PN_EBUSY)
			sched_yield();
	}
	atomic_store(&stop, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(errors, 0);
	assert_int_equal(atomic_load(&u->h.h_vreclaimed), RECLAIMS);
	for (i = 0; i < 3; i++) {
		assert_int_equal(a[i].errors, 0);
		assert_int_equal(a[i].bad, 0);
		assert_true(a[i].maxdup <= 1);
	}
	assert_true(tstats(u).entries <= 1);
	assert_int_equal(atomic_load(&u->h.h_panics), 0);
}

static void
defect04_lookup_racing_reclaim_threads(void **state)
{
	reclaim_race(*state, 9);
}

static void
defect04_makeroot_racing_reclaim_threads(void **state)
{
	reclaim_race(*state, UT_ROOT);
}

/* ---- 5: full path copy ---- */

/*
 * Seed: strcpy of the whole remaining path into a MAXPATHLEN buffer.
 * Here a path that does not fit is PN_ENAMETOOLONG and nothing is written
 * past pkcn_name.
 */
static void
defect05_makecn_full_bounded(void **state)
{
	struct ut *u = *state;
	struct {
		struct pn_kcn	kcn;
		unsigned char	canary[4096];
	} g;
	char *path = malloc(8192);
	struct pn_cn cn = { .cn_nameptr = path, .cn_namelen = 5,
	    .cn_cred = PN_FSCRED };
	size_t i;

	assert_non_null(path);
	memset(path, 'p', 8191);
	path[8191] = '\0';
	memset(&g, 0x5a, sizeof(g));
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, true),
	    PN_ENAMETOOLONG);
	for (i = 0; i < sizeof(g.canary); i++)
		if (g.canary[i] != 0x5a)
			fail_msg("byte %zu past the name buffer written", i);
	assert_int_equal(g.kcn.pkcn_name[0], '\0');
	assert_int_equal(g.kcn.pkcn_name[PN_KCN_NAMELEN - 1], '\0');
	/* the component alone still fits */
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_OK);
	assert_string_equal(g.kcn.pkcn_name, "ppppp");
	free(path);
}

/* ---- 6: read residual ---- */

/*
 * Seed: moved = bcount - resid with a server-chosen resid; resid >
 * bcount underflows and the copy runs off the buffer.  Here the answer is
 * refused before any copy and the buffer completed once, with an error.
 */
static void
defect06_residual_beyond_buffer(void **state)
{
	struct ut *u = *state;
	struct {
		unsigned char	buf[64];
		unsigned char	canary[64];
	} m;
	static unsigned char answer[4096];
	const int64_t resids[] = { 65, 4096, INT64_MAX };
	struct pn_bio b;
	size_t i, j;

	memset(answer, 'A', sizeof(answer));
	for (i = 0; i < sizeof(resids) / sizeof(resids[0]); i++) {
		long done = atomic_load(&u->h.h_bio_done);

		memset(&m, 0x5a, sizeof(m));
		memset(&b, 0, sizeof(b));
		b.b_data = m.buf;
		b.b_bcount = sizeof(m.buf);
		assert_int_equal(pn_parkdone_asyncbioread(u->mp, &b, 0, answer,
		    sizeof(answer), resids[i]), PN_EINVAL);
		for (j = 0; j < sizeof(m); j++)
			if (((unsigned char *)&m)[j] != 0x5a)
				fail_msg("resid %lld: byte %zu written",
				    (long long)resids[i], j);
		assert_int_equal(b.b_error, PN_EIO);
		assert_true(b.b_flags & PN_B_ERROR);
		assert_int_equal(b.b_resid, sizeof(m.buf));
		assert_int_equal(atomic_load(&u->h.h_bio_done), done + 1);
	}
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_RESID]), 3);
}

/* ---- 7: new nodes fully initialized, cache under a lock ---- */

/*
 * Seed: pool_get without zeroing; pn_stat, the metadata cache and the
 * poll state keep whatever the last user left.  Here a node taken from a
 * slot its predecessor left dirty starts clean.
 */
static void
defect07_new_pnode_initialized(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VCHR);
	struct pn_node *pn = ut_node(u, vp), *pn2;
	struct pn_metacache mc;
	pn_cookie_t c;
	int rev = -1;

	u->h.h_now.tv_sec = 1234;
	u->h.h_ops.vnode_setsize(&u->h, vp, 999);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME | PN_UPDATE_CTIME |
	    PN_UPDATE_MTIME | PN_UPDATE_SIZE), PN_OK);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN | PN_POLLOUT),
	    PN_OK);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	/* white-box: the freed node waits on the dead stack until collected */
	{
		struct pn_pool_stats ps;

		assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	}

	/* A split mount reuses the node for a cookie of the same part. */
	c = 6;
	while (pni_part(u->mp, pni_cookie_hash(c)) !=
	    pni_part(u->mp, pni_cookie_hash(5)))
		c++;
	vp = ut_get(u, c, PN_VDIR);
	pn2 = ut_node(u, vp);
	assert_ptr_equal(pn2, pn);		/* the same slot, reused */
	assert_int_equal(pn_node_cookie(pn2), c);
	assert_int_equal(pn_node_type(pn2), PN_VDIR);
	assert_int_equal(pn_node_refs(pn2), 1);
	assert_ptr_equal(pn_node_vnode(pn2), vp);
	memset(&mc, 0xff, sizeof(mc));
	assert_int_equal(pn_metacache_take(pn2, &mc), PN_OK);
	assert_int_equal(mc.mc_flags, 0);
	assert_int_equal(mc.mc_size, 0);
	assert_int_equal(mc.mc_atime.tv_sec, 0);
	assert_int_equal(pn_node_revents(pn2, &rev, false), PN_OK);
	assert_int_equal(rev, 0);
	/* white-box: every cache field is zero */
	assert_int_equal(pn2->pn_mc_atime, 0);
	assert_int_equal(pn2->pn_mc_ctime, 0);
	assert_int_equal(pn2->pn_mc_mtime, 0);
	assert_int_equal(pn2->pn_mc_size, 0);
	assert_null(pn2->pn_freenext);
	th_vrele(&u->h, vp);
}

struct mcarg {
	struct pn_node	*pn;
	unsigned	 flag;
	atomic_int	*go;
	int		 errors;
	unsigned	 seen;
	int		 bad;
};

static void *
mc_updater(void *arg)
{
	struct mcarg *a = arg;
	int i;

	while (atomic_load(a->go) == 0)
		continue;
	for (i = 0; i < 3000; i++)
		if (pn_updatenode(a->pn, a->flag) != PN_OK)
			a->errors++;
	return NULL;
}

static void *
mc_taker(void *arg)
{
	struct mcarg *a = arg;
	struct pn_metacache mc;
	int i;

	while (atomic_load(a->go) == 0)
		continue;
	for (i = 0; i < 3000; i++) {
		if (pn_metacache_take(a->pn, &mc) != PN_OK)
			a->errors++;
		a->seen |= mc.mc_flags;
		if ((mc.mc_flags & PN_UPDATE_MTIME) &&
		    mc.mc_mtime.tv_sec != 77)
			a->bad++;
		if ((mc.mc_flags & PN_UPDATE_SIZE) && mc.mc_size != 31)
			a->bad++;
	}
	return NULL;
}

/*
 * Seed: puffs_updatenode sets the times and pn_stat bits with no lock.
 * Here concurrent updaters and a taker lose no dirty bit and never see a
 * torn value (and ThreadSanitizer sees no race).
 */
static void
defect07_metacache_locked(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	struct mcarg a[5];
	pthread_t t[5];
	atomic_int go = 0;
	struct pn_metacache mc;
	static const unsigned fl[] = { PN_UPDATE_ATIME, PN_UPDATE_CTIME,
	    PN_UPDATE_MTIME, PN_UPDATE_SIZE };
	int i;

	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 31, 0, &vp), PN_OK);
	pthread_mutex_lock(&u->h.h_mtx);
	u->h.h_now.tv_sec = 77;
	pthread_mutex_unlock(&u->h.h_mtx);
	memset(a, 0, sizeof(a));
	for (i = 0; i < 5; i++) {
		a[i].pn = ut_node(u, vp);
		a[i].go = &go;
		a[i].flag = i < 4 ? fl[i] : 0;
		assert_int_equal(pthread_create(&t[i], NULL,
		    i < 4 ? mc_updater : mc_taker, &a[i]), 0);
	}
	atomic_store(&go, 1);
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(a[i].errors, 0);
	assert_int_equal(a[4].bad, 0);
	assert_int_equal(pn_metacache_take(ut_node(u, vp), &mc), PN_OK);
	assert_int_equal(a[4].seen | mc.mc_flags, PN_UPDATE_ATIME |
	    PN_UPDATE_CTIME | PN_UPDATE_MTIME | PN_UPDATE_SIZE);
	th_vrele(&u->h, vp);
}

/* ---- 8: O(1) lookups ---- */

#define MANY	100000

/*
 * Seed: 256 buckets by default, 8192 at most: at 10^5 nodes a lookup
 * walks hundreds (or dozens) of entries.  Here the table grows with the
 * nodes and the longest probe stays short.
 */
static void
defect08_lookups_stay_o1(void **state)
{
	struct ut *u = *state;
	struct pn_table_stats small, big;
	struct pn_vnode *vp;
	pn_cookie_t c;

	for (c = 2; c < 2 + 1000; c++)
		th_vrele(&u->h, ut_get(u, c * 0x9e3779b97f4a7c15ull, PN_VREG));
	small = tstats(u);
	for (; c < 2 + MANY; c++)
		th_vrele(&u->h, ut_get(u, c * 0x9e3779b97f4a7c15ull, PN_VREG));
	big = tstats(u);

	assert_int_equal(big.entries, MANY);
	assert_true(big.buckets > 8192);
	assert_true(big.buckets / 4 * 3 >= big.entries);
	assert_true(big.resizes > small.resizes);
	assert_true(big.longest_probe >= 1);
	/* 10^5 / 8192 > 12 entries per bucket on average in the seed */
	assert_true(big.longest_probe <= 40);
	fprintf(stderr, "# 1e3 nodes: longest probe %zu; 1e5: %zu\n",
	    small.longest_probe, big.longest_probe);

	/* every node is found; sequential cookies too */
	for (c = 2; c < 2 + MANY; c += 997) {
		assert_int_equal(pn_cookie2vnode(u->mp,
		    c * 0x9e3779b97f4a7c15ull, 0, &vp), PN_OK);
		th_vrele(&u->h, vp);
	}
	assert_int_equal(th_reclaim_unused(&u->h), MANY);
	for (c = 1; c <= 20000; c++)
		th_vrele(&u->h, ut_get(u, c << 32, PN_VREG));
	big = tstats(u);
	assert_true(big.longest_probe <= 40);
}

/* ---- 9: refcount underflow ---- */

/*
 * Seed: puffs_releasenode decrements unchecked; a second release of a
 * freed node puts it on the free list twice and two later nodes share
 * it.  Here it is refused and reported, and later nodes are distinct.
 */
static void
defect09_refcount_underflow_refused(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG), *v1, *v2;
	struct pn_node *pn = ut_node(u, vp);
	long panics = atomic_load(&u->h.h_panics);

	/* the live node's vnode reference cannot be released */
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 1);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(pstats(u).frees, 0);

	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	assert_int_equal(pstats(u).frees, 1);
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 3);
	assert_int_equal(pstats(u).frees, 1);
	assert_int_equal(pstats(u).in_use, 0);
	assert_int_equal(pn_node_refs(pn), 0);

	v1 = ut_get(u, 6, PN_VREG);
	v2 = ut_get(u, 7, PN_VREG);
	assert_ptr_not_equal(ut_node(u, v1), ut_node(u, v2));
	assert_int_equal(pstats(u).in_use, 2);
	assert_int_equal(pn_node_cookie(ut_node(u, v1)), 6);
	assert_int_equal(pn_node_cookie(ut_node(u, v2)), 7);
	th_vrele(&u->h, v1);
	th_vrele(&u->h, v2);
}

/* ---- 10: duplicate cookie blamed on the server ---- */

/*
 * Seed: a duplicate cookie in newnode is answered EEXIST to the caller
 * alone.  Here it is also reported to the host as the server's fault.
 */
static void
defect10_duplicate_cookie_reported(void **state)
{
	struct ut *u = *state;
	struct pn_cn cn = { .cn_nameptr = "d", .cn_namelen = 1 };
	struct pn_vnode *vp = ut_get(u, 0xabcdef0123ull, PN_VDIR), *vp2;

	vp2 = (struct pn_vnode *)u;
	assert_int_equal(pn_newnode(u->mp, vp, 0xabcdef0123ull, &cn, PN_VREG,
	    0, &vp2), PN_EEXIST);
	assert_null(vp2);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_COOKIE_DUP]),
	    1);
	assert_int_equal(atomic_load(&u->h.h_lastreason), PN_BAD_COOKIE_DUP);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), 0xabcdef0123ull);
	assert_int_equal(th_vusecount(&u->h, vp), 1);

	assert_int_equal(pn_newnode(u->mp, vp, UT_ROOT, &cn, PN_VDIR, 0,
	    &vp2), PN_EEXIST);
	assert_int_equal(atomic_load(&u->h.h_lastreason), PN_BAD_COOKIE_ROOT);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), UT_ROOT);
	assert_int_equal(tstats(u).entries, 1);
	th_vrele(&u->h, vp);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	/* The same on a mount that builds behind placeholders. */
#define PH(f)	{ #f " (placeholder)", f, ut_setup_placeholder, ut_teardown, NULL }
	const struct CMUnitTest tests[] = {
		T(defect01_insert_under_lock),
		T(defect02_newnode_race_one_wins),
		PH(defect02_newnode_race_one_wins),
		T(defect03_getvnode_race_same_vnode),
		PH(defect03_getvnode_race_same_vnode),
		T(defect04_lookup_skips_reclaiming),
		PH(defect04_lookup_skips_reclaiming),
		T(defect04_makeroot_waits_for_reclaim),
		PH(defect04_makeroot_waits_for_reclaim),
		T(defect04_lookup_racing_reclaim_threads),
		PH(defect04_lookup_racing_reclaim_threads),
		T(defect04_makeroot_racing_reclaim_threads),
		PH(defect04_makeroot_racing_reclaim_threads),
		T(defect05_makecn_full_bounded),
		T(defect06_residual_beyond_buffer),
		T(defect07_new_pnode_initialized),
		T(defect07_metacache_locked),
		T(defect08_lookups_stay_o1),
		T(defect09_refcount_underflow_refused),
		T(defect10_duplicate_cookie_reported),
	};
#undef PH
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
