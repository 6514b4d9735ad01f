/*
 * test_node.c -- nodes over the test host: get-or-create, create-only,
 * lookup-only, the root, reclaim, node references, accessors and walks.
 */
#include "unit.h"

#include "pni_test.h"

static long
misbehaved(struct ut *u, int reason)
{
	return atomic_load(&u->h.h_misbehaved[reason]);
}

static size_t
in_use(struct ut *u)
{
	struct pn_pool_stats ps;

	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	return ps.in_use;
}

static size_t
entries(struct ut *u)
{
	struct pn_table_stats ts;

	assert_int_equal(pn_table_stats(u->mp, &ts), PN_OK);
	return ts.entries;
}

/* ---- pn_getvnode ---- */

static void
getvnode_bad_args(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	const int badtypes[] = { PN_VNON, PN_VBAD, -1, 100 };
	size_t i;

	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 0, 0, NULL),
	    PN_EINVAL);
	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_getvnode(NULL, 5, PN_VREG, 0, 0, &vp), PN_EINVAL);
	assert_null(vp);
	for (i = 0; i < sizeof(badtypes) / sizeof(badtypes[0]); i++) {
		vp = (struct pn_vnode *)u;
		assert_int_equal(pn_getvnode(u->mp, 5, badtypes[i], 0, 0, &vp),
		    PN_EINVAL);
		assert_null(vp);
	}
	assert_int_equal(misbehaved(u, PN_BAD_VTYPE), 4);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), 5);

	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_getvnode(u->mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	assert_null(vp);
	assert_int_equal(misbehaved(u, PN_BAD_COOKIE_ZERO), 1);

	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, -1, 0, &vp),
	    PN_EINVAL);
	assert_null(vp);
	assert_int_equal(misbehaved(u, PN_BAD_SIZE), 1);
	assert_int_equal(atomic_load(&u->h.h_valloc), 0);
	assert_int_equal(in_use(u), 0);
}

static void
getvnode_creates_then_finds(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp, *vp2;
	struct pn_node *pn;

	assert_int_equal(pn_getvnode(u->mp, 42, PN_VDIR, 0, 0, &vp), PN_OK);
	pn = ut_node(u, vp);
	assert_int_equal(pn_node_cookie(pn), 42);
	assert_int_equal(pn_node_type(pn), PN_VDIR);
	assert_ptr_equal(pn_node_vnode(pn), vp);
	assert_ptr_equal(pn_node_mount(pn), u->mp);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_true(pn_node_gen(pn) != 0);
	assert_true(vp->v_attached);
	assert_true(vp->v_inited);
	assert_int_equal(vp->v_opskind, 0);
	assert_int_equal(vp->v_size, 0);
	assert_int_equal(th_vusecount(&u->h, vp), 1);

	assert_int_equal(pn_getvnode(u->mp, 42, PN_VDIR, 0, 0, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	assert_int_equal(th_vusecount(&u->h, vp), 2);
	assert_int_equal(atomic_load(&u->h.h_valloc), 1);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(in_use(u), 1);
	assert_int_equal(entries(u), 1);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, vp);
}

static void
getvnode_types(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;
	int t;

	assert_int_equal(pn_getvnode(u->mp, 10, PN_VREG, 12345, 0, &vp),
	    PN_OK);
	assert_int_equal(vp->v_size, 12345);
	assert_int_equal(vp->v_opskind, 0);
	th_vrele(&u->h, vp);

	assert_int_equal(pn_getvnode(u->mp, 11, PN_VDIR, 12345, 0, &vp),
	    PN_OK);
	assert_int_equal(vp->v_size, 0);		/* only VREG takes it */
	th_vrele(&u->h, vp);

	assert_int_equal(pn_getvnode(u->mp, 12, PN_VCHR, 0, 77, &vp), PN_OK);
	assert_int_equal(vp->v_opskind, PN_VOPS_SPEC);
	assert_int_equal(vp->v_rdev, 77);
	th_vrele(&u->h, vp);

	assert_int_equal(pn_getvnode(u->mp, 13, PN_VBLK, 0, 78, &vp), PN_OK);
	assert_int_equal(vp->v_opskind, PN_VOPS_SPEC);
	assert_int_equal(vp->v_rdev, 78);
	th_vrele(&u->h, vp);

	assert_int_equal(pn_getvnode(u->mp, 14, PN_VFIFO, 0, 0, &vp), PN_OK);
	assert_int_equal(vp->v_opskind, PN_VOPS_FIFO);
	th_vrele(&u->h, vp);

	for (t = PN_VLNK; t <= PN_VSOCK; t++) {
		assert_int_equal(pn_getvnode(u->mp, 15 + (pn_cookie_t)t, t, 9,
		    0, &vp), PN_OK);
		assert_int_equal(vp->v_opskind, 0);
		assert_int_equal(vp->v_size, 0);
		assert_int_equal(pn_node_type(ut_node(u, vp)), t);
		th_vrele(&u->h, vp);
	}
	assert_int_equal(atomic_load(&u->h.h_vfree), 0);
}

/* A device vnode that already exists is adopted; the new one is freed. */
static void
getvnode_alias_adopted(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *alias, *vp;

	assert_int_equal(u->h.h_ops.vnode_alloc(&u->h, PN_VCHR, &alias),
	    PN_OK);
	alias->v_rdev = 9;
	u->h.h_alias = alias;
	assert_int_equal(pn_getvnode(u->mp, 30, PN_VCHR, 0, 9, &vp), PN_OK);
	assert_ptr_equal(vp, alias);
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(atomic_load(&u->h.h_vfree), 1);
	assert_int_equal(th_nvnodes(&u->h), 1);
	assert_ptr_equal(pn_node_vnode(ut_node(u, vp)), alias);
	assert_int_equal(pn_node_cookie(ut_node(u, alias)), 30);
	assert_int_equal(th_vusecount(&u->h, alias), 2);
	th_vrele(&u->h, alias);
	th_vrele(&u->h, alias);
}

static void
getvnode_root_ops(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp, *rvp;

	assert_int_equal(pn_getvnode(u->mp, UT_ROOT, PN_VDIR, 0, 0, &rvp),
	    PN_OK);
	assert_int_equal(rvp->v_opskind, PN_VOPS_ROOT);
	vp = ut_get(u, 2, PN_VDIR);
	assert_int_equal(vp->v_opskind, 0);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, rvp);
}

static void
getvnode_generations(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *a, *b;
	uint64_t ga, gb, ga2;

	a = ut_get(u, 50, PN_VREG);
	b = ut_get(u, 51, PN_VREG);
	ga = pn_node_gen(ut_node(u, a));
	gb = pn_node_gen(ut_node(u, b));
	assert_true(gb > ga);
	th_vrele(&u->h, a);
	assert_int_equal(th_reclaim(&u->h, a), PN_OK);
	a = ut_get(u, 50, PN_VREG);
	ga2 = pn_node_gen(ut_node(u, a));
	assert_true(ga2 > gb);
	th_vrele(&u->h, a);
	th_vrele(&u->h, b);
}

/* Each fallible host call in a build fails in turn: nothing leaks. */
static void
getvnode_fails_part_way(void **state)
{
	struct ut *u = *state;
	static const struct {
		enum wh_kind	kind;
		int		error;
	} steps[] = {
		{ WH_ALLOC, PN_ENOMEM },	/* the pool's first slab */
		{ WH_VALLOC, PN_ENOMEM },
		{ WH_ATTACH, PN_ENXIO },
		{ WH_ALIAS, PN_ENOMEM },
	};
	struct pn_vnode *vp;
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		u->h.h_w.mask = 1u << steps[i].kind;
		wh_fail_at(&u->h.h_w, 1, false);
		vp = (struct pn_vnode *)u;
		if (pn_getvnode(u->mp, 60, PN_VCHR, 0, 5, &vp) !=
		    steps[i].error)
			fail_msg("step %zu: wrong answer", i);
		assert_int_equal(atomic_load(&u->h.h_w.failed), 1);
		wh_fail_at(&u->h.h_w, 0, false);
		assert_null(vp);
		assert_int_equal(in_use(u), 0);
		assert_int_equal(entries(u), 0);
		assert_int_equal(th_nvnodes(&u->h), 0);
	}
	/* the vnodes of the attach and alias failures were freed */
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(atomic_load(&u->h.h_vfree), 2);
	/* and then it works */
	u->h.h_w.mask = ~0u;
	assert_int_equal(pn_getvnode(u->mp, 60, PN_VCHR, 0, 5, &vp), PN_OK);
	assert_int_equal(entries(u), 1);
	th_vrele(&u->h, vp);
}

/* The host cannot get the vnode: its error comes back, nothing is built. */
static void
getvnode_vget_error(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 70, PN_VREG), *vp2;

	u->h.h_w.mask = 1u << WH_VGET;
	wh_fail_at(&u->h.h_w, 1, false);
	vp2 = (struct pn_vnode *)u;
	assert_int_equal(pn_getvnode(u->mp, 70, PN_VREG, 0, 0, &vp2),
	    PN_EIO);
	assert_null(vp2);
	wh_fail_at(&u->h.h_w, 1, false);
	assert_int_equal(pn_cookie2vnode(u->mp, 70, 0, &vp2), PN_EIO);
	assert_null(vp2);
	wh_fail_at(&u->h.h_w, 0, false);
	assert_int_equal(atomic_load(&u->h.h_valloc), 1);
	assert_int_equal(th_vusecount(&u->h, vp), 1);
	th_vrele(&u->h, vp);
}

/* ---- pn_newnode ---- */

static void
newnode_bad_args(void **state)
{
	struct ut *u = *state;
	struct pn_cn cn = { .cn_nameptr = "n", .cn_namelen = 1 };
	struct pn_cn nocn = { .cn_nameptr = NULL, .cn_namelen = 1 };
	struct pn_vnode *vp;

	assert_int_equal(pn_newnode(u->mp, NULL, 5, &cn, PN_VREG, 0, NULL),
	    PN_EINVAL);
	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_newnode(NULL, NULL, 5, &cn, PN_VREG, 0, &vp),
	    PN_EINVAL);
	assert_null(vp);
	assert_int_equal(pn_newnode(u->mp, NULL, 5, &nocn, PN_VREG, 0, &vp),
	    PN_EINVAL);
	assert_int_equal(pn_newnode(u->mp, NULL, 0, &cn, PN_VREG, 0, &vp),
	    PN_EOPNOTSUPP);
	assert_null(vp);
	assert_int_equal(pn_newnode(u->mp, NULL, 5, &cn, PN_VNON, 0, &vp),
	    PN_EINVAL);
	assert_int_equal(pn_newnode(u->mp, NULL, 5, &cn, PN_VBAD, 0, &vp),
	    PN_EINVAL);
	assert_int_equal(misbehaved(u, PN_BAD_VTYPE), 2);
	assert_int_equal(pn_newnode(u->mp, NULL, UT_ROOT, &cn, PN_VDIR, 0,
	    &vp), PN_EEXIST);
	assert_null(vp);
	assert_int_equal(misbehaved(u, PN_BAD_COOKIE_ROOT), 1);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), UT_ROOT);
	assert_int_equal(atomic_load(&u->h.h_valloc), 0);
}

static void
newnode_locked_and_duplicate(void **state)
{
	struct ut *u = *state;
	struct pn_cn cn = { .cn_nameptr = "f", .cn_namelen = 1 };
	struct pn_vnode *vp, *vp2;

	assert_int_equal(pn_newnode(u->mp, NULL, 80, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_int_equal(vp->v_lockcount, 1);
	assert_int_equal(pn_node_refs(ut_node(u, vp)), 1);
	assert_int_equal(vp->v_size, 0);
	vp2 = (struct pn_vnode *)u;
	assert_int_equal(pn_newnode(u->mp, NULL, 80, &cn, PN_VREG, 0, &vp2),
	    PN_EEXIST);
	assert_null(vp2);
	assert_int_equal(misbehaved(u, PN_BAD_COOKIE_DUP), 1);
	assert_int_equal(th_vusecount(&u->h, vp), 1);	/* lookup ref dropped */
	assert_int_equal(entries(u), 1);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);

	/* a device node through newnode takes its rdev */
	assert_int_equal(pn_newnode(u->mp, NULL, 81, NULL, PN_VBLK, 33, &vp),
	    PN_OK);
	assert_int_equal(vp->v_rdev, 33);
	assert_int_equal(vp->v_opskind, PN_VOPS_SPEC);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
}

static void
newnode_namecache(void **state)
{
	struct ut *u = *state;
	struct pn_cn cn = { .cn_nameptr = "entry", .cn_namelen = 5,
	    .cn_flags = PN_CN_MAKEENTRY };
	struct pn_vnode *dvp = ut_get(u, 90, PN_VDIR), *vp;

	assert_int_equal(pn_newnode(u->mp, dvp, 91, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_int_equal(atomic_load(&u->h.h_namecache), 1);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);

	cn.cn_flags = 0;
	assert_int_equal(pn_newnode(u->mp, dvp, 92, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_int_equal(atomic_load(&u->h.h_namecache), 1);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);

	cn.cn_flags = PN_CN_MAKEENTRY;
	assert_int_equal(pn_newnode(u->mp, NULL, 93, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_int_equal(atomic_load(&u->h.h_namecache), 1);	/* no dvp */
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, dvp);
}

static int
nocache_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	a.flags = 0;
	return ut_setup_args(state, &a);
}

static void
newnode_namecache_off(void **state)
{
	struct ut *u = *state;
	struct pn_cn cn = { .cn_nameptr = "entry", .cn_namelen = 5,
	    .cn_flags = PN_CN_MAKEENTRY };
	struct pn_vnode *dvp = ut_get(u, 90, PN_VDIR), *vp;

	assert_int_equal(pn_newnode(u->mp, dvp, 91, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_int_equal(atomic_load(&u->h.h_namecache), 0);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, dvp);
}

/* ---- pn_cookie2vnode, pn_makeroot ---- */

static void
cookie2vnode_cases(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 100, PN_VREG), *vp2;
	struct pn_pool_stats ps;
	long valloc;

	vp2 = (struct pn_vnode *)u;
	assert_int_equal(pn_cookie2vnode(u->mp, 100, 0, NULL), PN_EINVAL);
	assert_int_equal(pn_cookie2vnode(NULL, 100, 0, &vp2), PN_EINVAL);
	assert_null(vp2);
	assert_int_equal(pn_cookie2vnode(u->mp, 0, 0, &vp2), PN_EINVAL);
	assert_int_equal(pn_cookie2vnode(u->mp, 100, 0x2, &vp2), PN_EINVAL);
	assert_null(vp2);

	/* absent: ENOENT, and a lookup never allocates */
	valloc = atomic_load(&u->h.h_valloc);
	assert_int_equal(pn_cookie2vnode(u->mp, 101, 0, &vp2), PN_ENOENT);
	assert_null(vp2);
	assert_int_equal(atomic_load(&u->h.h_valloc), valloc);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.allocs, 1);

	assert_int_equal(pn_cookie2vnode(u->mp, 100, 0, &vp2), PN_OK);
	assert_ptr_equal(vp2, vp);
	assert_int_equal(th_vusecount(&u->h, vp), 2);
	assert_int_equal(vp->v_lockcount, 0);
	assert_int_equal(pn_cookie2vnode(u->mp, 100, PN_LOOKUP_LOCK, &vp2),
	    PN_OK);
	assert_int_equal(vp->v_lockcount, 1);
	assert_int_equal(th_vusecount(&u->h, vp), 3);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, vp);

	/* a vnode being reclaimed is not returned */
	th_vrele(&u->h, vp);
	th_reclaim_begin(&u->h, vp);
	assert_int_equal(pn_cookie2vnode(u->mp, 100, 0, &vp2), PN_ENOENT);
	assert_null(vp2);
	assert_int_equal(th_reclaim_finish(&u->h, vp), PN_OK);
	assert_int_equal(pn_cookie2vnode(u->mp, 100, 0, &vp2), PN_ENOENT);
}

static void
cookie2vnode_root_builds(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp, *vp2;

	assert_int_equal(pn_cookie2vnode(u->mp, UT_ROOT, PN_LOOKUP_LOCK, &vp),
	    PN_OK);
	assert_int_equal(atomic_load(&u->h.h_valloc), 1);
	assert_int_equal(vp->v_opskind, PN_VOPS_ROOT);
	assert_int_equal(vp->v_lockcount, 1);
	assert_int_equal(pn_makeroot(u->mp, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	assert_int_equal(th_vusecount(&u->h, vp), 2);
	th_vunlock(&u->h, vp);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, vp);
}

static int
regroot_setup(void **state)
{
	struct pn_mount_args a = th_args(77);

	a.root_type = PN_VREG;
	a.root_size = 4096;
	return ut_setup_args(state, &a);
}

static void
makeroot_cases(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp, *vp2;
	struct pn_node *pn;

	vp = (struct pn_vnode *)u;
	assert_int_equal(pn_makeroot(u->mp, NULL), PN_EINVAL);
	assert_int_equal(pn_makeroot(NULL, &vp), PN_EINVAL);
	assert_null(vp);

	assert_int_equal(pn_makeroot(u->mp, &vp), PN_OK);
	pn = ut_node(u, vp);
	assert_int_equal(pn_node_cookie(pn), 77);
	assert_int_equal(pn_node_type(pn), PN_VREG);
	assert_int_equal(vp->v_size, 4096);
	assert_int_equal(vp->v_opskind, PN_VOPS_ROOT);
	assert_int_equal(pn_makeroot(u->mp, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	assert_int_equal(atomic_load(&u->h.h_valloc), 1);
	th_vrele(&u->h, vp);
	th_vrele(&u->h, vp);

	/* the root is reclaimed: the next makeroot builds a new one */
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	assert_int_equal(pn_makeroot(u->mp, &vp2), PN_OK);
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(pn_node_cookie(ut_node(u, vp2)), 77);
	assert_int_equal(entries(u), 1);
	th_vrele(&u->h, vp2);
}

/* ---- pn_putvnode ---- */

static void
putvnode_cases(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 110, PN_VREG), *bare;
	struct pn_node *pn = ut_node(u, vp);
	long panics = atomic_load(&u->h.h_panics);

	assert_int_equal(pn_putvnode(NULL, vp), PN_EINVAL);
	assert_int_equal(pn_putvnode(u->mp, NULL), PN_EINVAL);

	/* a vnode that is not ours: refused and reported */
	assert_int_equal(u->h.h_ops.vnode_alloc(&u->h, PN_VREG, &bare), PN_OK);
	assert_int_equal(pn_putvnode(u->mp, bare), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 1);

	/* reclaim with a request still holding the node */
	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&u->h, vp);
	th_reclaim_begin(&u->h, vp);
	assert_int_equal(pn_putvnode(u->mp, vp), PN_OK);
	assert_false(vp->v_inited);			/* node_fini */
	assert_null(vp->v_data);
	assert_null(pn_node_vnode(pn));
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(pn_node_cookie(pn), 110);
	assert_int_equal(entries(u), 0);
	assert_int_equal(in_use(u), 1);

	/* again: not live any more, reported */
	assert_int_equal(pn_putvnode(u->mp, vp), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 2);
	u->h.h_ops.vnode_free(&u->h, vp);

	/* a vnode naming a dead node */
	bare->v_data = pn;
	assert_int_equal(pn_putvnode(u->mp, bare), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 3);
	bare->v_data = NULL;
	u->h.h_ops.vnode_free(&u->h, bare);

	assert_int_equal(pn_releasenode(pn), PN_OK);
	assert_int_equal(in_use(u), 0);
}

static void
putvnode_other_mount(void **state)
{
	struct ut *u = *state;
	struct th_host h2;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_vnode *vp;

	th_init(&h2);
	assert_int_equal(th_mount(&h2, &a), PN_OK);
	assert_int_equal(pn_getvnode(h2.h_mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	assert_int_equal(pn_putvnode(u->mp, vp), PN_EINVAL);
	th_vrele(&h2, vp);
	assert_int_equal(th_reclaim(&h2, vp), PN_OK);
	assert_int_equal(pn_mount_destroy(h2.h_mp), PN_OK);
	assert_int_equal(th_fini(&h2), 0);
}

/* ---- references ---- */

static void
references(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 120, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_pool_stats ps;
	long panics = atomic_load(&u->h.h_panics);

	assert_int_equal(pn_referencenode(NULL), PN_EINVAL);
	assert_int_equal(pn_releasenode(NULL), PN_EINVAL);

	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_node_refs(pn), 3);
	assert_int_equal(pn_releasenode(pn), PN_OK);
	assert_int_equal(pn_releasenode(pn), PN_OK);
	assert_int_equal(pn_node_refs(pn), 1);

	/* the live node's last reference belongs to its vnode */
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 1);
	assert_int_equal(pn_node_refs(pn), 1);

	/* saturation */
	atomic_store(&pn->pn_refs, UINT32_MAX);
	assert_int_equal(pn_referencenode(pn), PN_ERANGE);
	assert_int_equal(pn_node_refs(pn), UINT32_MAX);
	atomic_store(&pn->pn_refs, 1);

	/* reclaimed, held by a request: the last release frees it */
	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(pn_referencenode(pn), PN_OK);	/* dead but held */
	assert_int_equal(pn_releasenode(pn), PN_OK);
	assert_int_equal(pn_releasenode(pn), PN_OK);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(ps.frees, 1);

	/* freed: both refused and reported, nothing freed twice */
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(pn_referencenode(pn), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 3);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.frees, 1);
	assert_int_equal(ps.in_use, 0);
}

/* ---- accessors ---- */

static void
accessors_null(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 130, PN_VSOCK);

	assert_null(pn_vnode2node(NULL, vp));
	assert_null(pn_vnode2node(u->mp, NULL));
	assert_int_equal(pn_node_cookie(NULL), 0);
	assert_int_equal(pn_node_gen(NULL), 0);
	assert_int_equal(pn_node_type(NULL), PN_VNON);
	assert_null(pn_node_vnode(NULL));
	assert_null(pn_node_mount(NULL));
	assert_int_equal(pn_node_refs(NULL), 0);
	assert_ptr_equal(pn_vnode2node(u->mp, vp), vp->v_data);
	assert_int_equal(pn_node_type(ut_node(u, vp)), PN_VSOCK);
	th_vrele(&u->h, vp);
}

/* ---- walks ---- */

struct walk {
	struct ut	*u;
	int		 seen[400];
	int		 calls;
	int		 stop_at;	/* answer 7 on this call; 0: never */
	bool		 reclaim;	/* reclaim each node visited */
	int		 drain;		/* pn_pool_drain's answer inside */
};

static int
walk_fn(struct pn_node *pn, void *arg)
{
	struct walk *w = arg;
	pn_cookie_t c = pn_node_cookie(pn);

	w->calls++;
	if (c < 400)
		w->seen[c]++;
	if (pn_node_refs(pn) < 2)
		return -1;		/* the walk must hold a reference */
	w->drain = pn_pool_drain(w->u->mp, NULL);
	if (w->reclaim && th_reclaim(&w->u->h, pn_node_vnode(pn)) != PN_OK)
		return -2;
	if (w->stop_at != 0 && w->calls == w->stop_at)
		return 7;
	return 0;
}

static void
walk_visits_each_once(void **state)
{
	struct ut *u = *state;
	struct walk *w = calloc(1, sizeof(*w));
	struct pn_vnode *vp;
	pn_cookie_t c;

	assert_non_null(w);
	w->u = u;
	assert_int_equal(pn_node_walk(NULL, walk_fn, w), PN_EINVAL);
	assert_int_equal(pn_node_walk(u->mp, NULL, w), PN_EINVAL);
	assert_int_equal(pn_node_walk(u->mp, walk_fn, w), 0);
	assert_int_equal(w->calls, 0);

	for (c = 2; c < 302; c++) {		/* three slabs */
		vp = ut_get(u, c, PN_VREG);
		th_vrele(&u->h, vp);
	}
	assert_int_equal(pn_node_walk(u->mp, walk_fn, w), 0);
	assert_int_equal(w->calls, 300);
	for (c = 0; c < 400; c++)
		assert_int_equal(w->seen[c], c >= 2 && c < 302 ? 1 : 0);
	assert_int_equal(w->drain, PN_EBUSY);

	/* stops on the first nonzero answer and returns it */
	memset(w->seen, 0, sizeof(w->seen));
	w->calls = 0;
	w->stop_at = 5;
	assert_int_equal(pn_node_walk(u->mp, walk_fn, w), 7);
	assert_int_equal(w->calls, 5);
	/* the nodes taken with the fifth but not visited are let go */
	for (c = 2; c < 302; c++) {
		vp = ut_get(u, c, PN_VREG);
		assert_int_equal(pn_node_refs(ut_node(u, vp)), 1);
		th_vrele(&u->h, vp);
	}

	/* the walk is over: drain is allowed again */
	assert_int_equal(pn_pool_drain(u->mp, NULL), PN_OK);
	free(w);
}

static void
walk_may_reclaim(void **state)
{
	struct ut *u = *state;
	struct walk *w = calloc(1, sizeof(*w));
	struct pn_vnode *vp;
	pn_cookie_t c;

	assert_non_null(w);
	w->u = u;
	w->reclaim = true;
	for (c = 2; c < 202; c++) {
		vp = ut_get(u, c, PN_VREG);
		th_vrele(&u->h, vp);
	}
	assert_int_equal(pn_node_walk(u->mp, walk_fn, w), 0);
	assert_int_equal(w->calls, 200);
	assert_int_equal(in_use(u), 0);
	assert_int_equal(entries(u), 0);
	assert_int_equal(th_nvnodes(&u->h), 0);
	free(w);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(getvnode_bad_args),
		T(getvnode_creates_then_finds),
		T(getvnode_types),
		T(getvnode_alias_adopted),
		T(getvnode_root_ops),
		T(getvnode_generations),
		T(getvnode_fails_part_way),
		T(getvnode_vget_error),
		T(newnode_bad_args),
		T(newnode_locked_and_duplicate),
		T(newnode_namecache),
		cmocka_unit_test_setup_teardown(newnode_namecache_off,
		    nocache_setup, ut_teardown),
		T(cookie2vnode_cases),
		T(cookie2vnode_root_builds),
		cmocka_unit_test_setup_teardown(makeroot_cases,
		    regroot_setup, ut_teardown),
		T(putvnode_cases),
		T(putvnode_other_mount),
		T(references),
		T(accessors_null),
		T(walk_visits_each_once),
		T(walk_may_reclaim),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
