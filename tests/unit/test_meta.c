/*
 * test_meta.c -- the metadata cache: times from the host clock, size from
 * the vnode, dirty bits, take-and-clear, the genfs hooks, and
 * pn_updatevpsize.  Threads update one node at once (suite tsan too).
 */
#include "unit.h"

#include <pthread.h>

#include "pni_test.h"

static void
set_clock(struct ut *u, int64_t s, int64_t ns)
{
	pthread_mutex_lock(&u->h.h_mtx);
	u->h.h_now.tv_sec = s;
	u->h.h_now.tv_nsec = ns;
	pthread_mutex_unlock(&u->h.h_mtx);
}

static struct pn_metacache
take(struct pn_node *pn)
{
	struct pn_metacache mc;

	assert_int_equal(pn_metacache_take(pn, &mc), PN_OK);
	return mc;
}

static void
updatenode_times_and_size(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_metacache mc;

	assert_int_equal(pn_updatenode(NULL, PN_UPDATE_ATIME), PN_EINVAL);
	assert_int_equal(pn_updatenode(pn, 0x10), PN_EINVAL);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME | 0x100),
	    PN_EINVAL);
	assert_int_equal(pn_updatenode(pn, 0), PN_OK);
	assert_int_equal(take(pn).mc_flags, 0);

	set_clock(u, 100, 5);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME), PN_OK);
	set_clock(u, 200, 7);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_CTIME | PN_UPDATE_MTIME),
	    PN_OK);
	u->h.h_ops.vnode_setsize(&u->h, vp, 31337);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_SIZE), PN_OK);
	u->h.h_ops.vnode_setsize(&u->h, vp, 1);	/* cached value stays */

	mc = take(pn);
	assert_int_equal(mc.mc_flags, PN_UPDATE_ATIME | PN_UPDATE_CTIME |
	    PN_UPDATE_MTIME | PN_UPDATE_SIZE);
	assert_int_equal(mc.mc_atime.tv_sec, 100);
	assert_int_equal(mc.mc_atime.tv_nsec, 5);
	assert_int_equal(mc.mc_ctime.tv_sec, 200);
	assert_int_equal(mc.mc_ctime.tv_nsec, 7);
	assert_int_equal(mc.mc_mtime.tv_sec, 200);
	assert_int_equal(mc.mc_mtime.tv_nsec, 7);
	assert_int_equal(mc.mc_size, 31337);

	/* take cleared it */
	memset(&mc, 0xa5, sizeof(mc));
	mc = take(pn);
	assert_int_equal(mc.mc_flags, 0);
	assert_int_equal(mc.mc_atime.tv_sec, 0);
	assert_int_equal(mc.mc_size, 0);

	/* only the dirty fields are reported */
	set_clock(u, 300, 0);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_MTIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_flags, PN_UPDATE_MTIME);
	assert_int_equal(mc.mc_mtime.tv_sec, 300);
	assert_int_equal(mc.mc_atime.tv_sec, 0);
	assert_int_equal(mc.mc_ctime.tv_sec, 0);
	assert_int_equal(mc.mc_size, 0);
	th_vrele(&u->h, vp);
}

static void
times_edge_values(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_metacache mc;

	set_clock(u, -1, 500);			/* before the epoch */
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_atime.tv_sec, -1);
	assert_int_equal(mc.mc_atime.tv_nsec, 500);

	set_clock(u, 10, 2000000000);		/* nanoseconds clamped */
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_atime.tv_sec, 10);
	assert_int_equal(mc.mc_atime.tv_nsec, 999999999);

	set_clock(u, 10, -3);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_atime.tv_sec, 10);
	assert_int_equal(mc.mc_atime.tv_nsec, 0);

	set_clock(u, INT64_MAX, 0);		/* seconds clamped */
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_CTIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_ctime.tv_sec, INT64_MAX / 1000000000);
	assert_int_equal(mc.mc_ctime.tv_nsec, INT64_MAX % 1000000000);

	set_clock(u, INT64_MIN, 0);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_CTIME), PN_OK);
	mc = take(pn);
	assert_true(mc.mc_ctime.tv_sec < -9000000000ll);
	assert_true(mc.mc_ctime.tv_nsec >= 0 &&
	    mc.mc_ctime.tv_nsec < 1000000000);
	th_vrele(&u->h, vp);
}

static void
take_bad_args(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_metacache mc;

	assert_int_equal(pn_metacache_take(pn, NULL), PN_EINVAL);
	memset(&mc, 0xff, sizeof(mc));
	assert_int_equal(pn_metacache_take(NULL, &mc), PN_EINVAL);
	assert_int_equal(mc.mc_flags, 0);
	assert_int_equal(mc.mc_size, 0);
	assert_int_equal(mc.mc_mtime.tv_nsec, 0);

	/* a freed node */
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	memset(&mc, 0xff, sizeof(mc));
	assert_int_equal(pn_metacache_take(pn, &mc), PN_EINVAL);
	assert_int_equal(mc.mc_flags, 0);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME), PN_EINVAL);
}

static void
gop_markupdate(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_metacache mc;

	assert_int_equal(pn_gop_markupdate(NULL, PN_GOP_UPDATE_ACCESSED),
	    PN_EINVAL);
	assert_int_equal(pn_gop_markupdate(pn, 0x4), PN_EINVAL);
	assert_int_equal(take(pn).mc_flags, 0);

	set_clock(u, 11, 0);
	assert_int_equal(pn_gop_markupdate(pn, PN_GOP_UPDATE_ACCESSED), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_flags, PN_UPDATE_ATIME);
	assert_int_equal(mc.mc_atime.tv_sec, 11);
	assert_int_equal(pn_gop_markupdate(pn, PN_GOP_UPDATE_MODIFIED), PN_OK);
	assert_int_equal(take(pn).mc_flags, PN_UPDATE_MTIME);
	assert_int_equal(pn_gop_markupdate(pn, PN_GOP_UPDATE_ACCESSED |
	    PN_GOP_UPDATE_MODIFIED), PN_OK);
	assert_int_equal(take(pn).mc_flags, PN_UPDATE_ATIME | PN_UPDATE_MTIME);
	assert_int_equal(pn_gop_markupdate(pn, 0), PN_OK);
	assert_int_equal(take(pn).mc_flags, 0);
	th_vrele(&u->h, vp);
}

static void
gop_size(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	int64_t eob = 99;

	assert_int_equal(pn_gop_size(pn, 10, NULL, 0), PN_EINVAL);
	assert_int_equal(pn_gop_size(NULL, 10, &eob, 0), PN_EINVAL);
	assert_int_equal(eob, 0);
	eob = 99;
	assert_int_equal(pn_gop_size(pn, -1, &eob, 0), PN_EINVAL);
	assert_int_equal(eob, 0);
	assert_int_equal(pn_gop_size(pn, 123456789, &eob, 0), PN_OK);
	assert_int_equal(eob, 123456789);
	assert_int_equal(pn_gop_size(pn, 0, &eob, 1), PN_OK);
	assert_int_equal(eob, 0);
	th_vrele(&u->h, vp);
}

/* A node reclaimed while a request holds it has no vnode size. */
static void
after_reclaim(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_metacache mc;

	set_clock(u, 42, 0);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_MTIME), PN_OK);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);

	assert_int_equal(pn_updatenode(pn, PN_UPDATE_SIZE), PN_ENOENT);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_ATIME | PN_UPDATE_SIZE),
	    PN_ENOENT);
	assert_int_equal(pn_updatevpsize(pn), PN_ENOENT);
	assert_int_equal(pn_updatenode(pn, PN_UPDATE_CTIME), PN_OK);
	mc = take(pn);
	assert_int_equal(mc.mc_flags, PN_UPDATE_MTIME | PN_UPDATE_CTIME);
	assert_int_equal(mc.mc_mtime.tv_sec, 42);
	assert_int_equal(pn_releasenode(pn), PN_OK);
}

static void
updatevpsize(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);

	assert_int_equal(pn_updatevpsize(NULL), PN_EINVAL);
	u->h.h_ops.vnode_setsize(&u->h, vp, 77);

	vp->v_attrsize = -1;			/* VNOVAL: keep the size */
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(vp->v_size, 77);

	vp->v_attrsize = 500;
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(vp->v_size, 500);

	vp->v_attrsize = 0;
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(vp->v_size, 0);

	vp->v_attrsize = -5;
	assert_int_equal(pn_updatevpsize(pn), PN_EINVAL);
	assert_int_equal(vp->v_size, 0);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_SIZE]), 1);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), 5);

	vp->v_attrsize = INT64_MIN;
	assert_int_equal(pn_updatevpsize(pn), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_SIZE]), 2);

	/* the host's error comes back */
	vp->v_attrsize = 900;
	u->h.h_w.mask = 1u << WH_GETATTR;
	wh_fail_at(&u->h.h_w, 1, false);
	assert_int_equal(pn_updatevpsize(pn), PN_EIO);
	wh_fail_at(&u->h.h_w, 0, false);
	assert_int_equal(vp->v_size, 0);
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(vp->v_size, 900);
	th_vrele(&u->h, vp);
}

static void
no_getattr_size(struct th_host *h)
{
	h->h_ops.vnode_getattr_size = NULL;
}

static int
nogetattr_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	return ut_setup_host(state, &a, no_getattr_size);
}

static void
updatevpsize_no_op(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;

	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 64, 0, &vp), PN_OK);
	assert_int_equal(pn_updatevpsize(ut_node(u, vp)), PN_EOPNOTSUPP);
	assert_int_equal(vp->v_size, 64);
	th_vrele(&u->h, vp);
}

/* ---- many threads on one node's cache ---- */

struct upd {
	struct pn_node	*pn;
	unsigned	 flag;
	atomic_int	*go;
	int		 errors;
	unsigned	 seen;		/* taker: union of flags taken */
	int		 badtimes;
};

#define ROUNDS	2000

static void *
updater(void *arg)
{
	struct upd *a = arg;
	int i;

	while (atomic_load(a->go) == 0)
		continue;
	for (i = 0; i < ROUNDS; i++)
		if (pn_updatenode(a->pn, a->flag) != PN_OK)
			a->errors++;
	return NULL;
}

static void *
taker(void *arg)
{
	struct upd *a = arg;
	struct pn_metacache mc;
	int i;

	while (atomic_load(a->go) == 0)
		continue;
	for (i = 0; i < ROUNDS; i++) {
		if (pn_metacache_take(a->pn, &mc) != PN_OK) {
			a->errors++;
			continue;
		}
		a->seen |= mc.mc_flags;
		if (((mc.mc_flags & PN_UPDATE_ATIME) &&
		    (mc.mc_atime.tv_sec != 1000 || mc.mc_atime.tv_nsec != 1)) ||
		    ((mc.mc_flags & PN_UPDATE_MTIME) &&
		    mc.mc_mtime.tv_sec != 1000) ||
		    ((mc.mc_flags & PN_UPDATE_SIZE) && mc.mc_size != 4242))
			a->badtimes++;
	}
	return NULL;
}

static void
concurrent_updates(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	struct pn_node *pn;
	static const unsigned flags[] = { PN_UPDATE_ATIME, PN_UPDATE_CTIME,
	    PN_UPDATE_MTIME, PN_UPDATE_SIZE };
	struct upd a[5];
	pthread_t t[5];
	atomic_int go = 0;
	struct pn_metacache mc;
	unsigned all;
	int i;

	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 4242, 0, &vp), PN_OK);
	pn = ut_node(u, vp);
	set_clock(u, 1000, 1);
	memset(a, 0, sizeof(a));
	for (i = 0; i < 5; i++) {
		a[i].pn = pn;
		a[i].go = &go;
		a[i].flag = i < 4 ? flags[i] : 0;
		assert_int_equal(pthread_create(&t[i], NULL,
		    i < 4 ? updater : taker, &a[i]), 0);
	}
	atomic_store(&go, 1);
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(a[i].errors, 0);
	assert_int_equal(a[4].badtimes, 0);
	/* Every update lands either in some take or in the last one. */
	mc = take(pn);
	all = a[4].seen | mc.mc_flags;
	assert_int_equal(all, PN_UPDATE_ATIME | PN_UPDATE_CTIME |
	    PN_UPDATE_MTIME | PN_UPDATE_SIZE);
	if (mc.mc_flags & PN_UPDATE_SIZE)
		assert_int_equal(mc.mc_size, 4242);
	if (mc.mc_flags & PN_UPDATE_CTIME)
		assert_int_equal(mc.mc_ctime.tv_sec, 1000);
	assert_int_equal(take(pn).mc_flags, 0);
	th_vrele(&u->h, vp);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(updatenode_times_and_size),
		T(times_edge_values),
		T(take_bad_args),
		T(gop_markupdate),
		T(gop_size),
		T(after_reclaim),
		T(updatevpsize),
		cmocka_unit_test_setup_teardown(updatevpsize_no_op,
		    nogetattr_setup, ut_teardown),
		T(concurrent_updates),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
