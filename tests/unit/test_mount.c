/*
 * test_mount.c -- mounts: host table and argument validation, creation
 * failing at every allocation and lock, destruction refused while busy,
 * the user count and drain, the mount_dying op; pn_version, pn_strerror.
 */
#include "unit.h"

#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#include "pni_test.h"

/* ---- pn_version, pn_strerror ---- */

static void
version_matches(void **state)
{
	(void)state;
	assert_non_null(pn_version());
	assert_string_equal(pn_version(), PN_VERSION_STRING);
	assert_string_equal(pn_version(), "1.0.0");
	assert_int_equal(PN_VERSION_NUMBER, 10000);
}

static void
strerror_every_code(void **state)
{
	const char *s[PN_ELAST + 1];
	int i, j;

	(void)state;
	for (i = 0; i <= PN_ELAST; i++) {
		s[i] = pn_strerror(i);
		assert_non_null(s[i]);
		assert_true(strlen(s[i]) > 0);
		assert_string_not_equal(s[i], "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(s[i], s[j]);
	}
	assert_string_equal(pn_strerror(PN_OK), "success");
	assert_string_equal(pn_strerror(PN_ENOENT), "no such node");
	assert_string_equal(pn_strerror(PN_EEXIST), "node already exists");
	assert_string_equal(pn_strerror(PN_ENAMETOOLONG), "name too long");
	assert_string_equal(pn_strerror(PN_EOPNOTSUPP),
	    "operation not supported");
}

static void
strerror_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(pn_strerror(-1), "unknown error");
	assert_string_equal(pn_strerror(PN_ELAST + 1), "unknown error");
	assert_string_equal(pn_strerror(INT_MAX), "unknown error");
	assert_string_equal(pn_strerror(INT_MIN), "unknown error");
}

/* ---- host table validation ---- */

#define MEMBER(m)	{ #m, offsetof(struct pn_host_ops, m) }
static const struct {
	const char	*name;
	size_t		 off;
} mandatory[] = {
	MEMBER(alloc), MEMBER(free),
	MEMBER(lock_init), MEMBER(lock_fini), MEMBER(lock_enter),
	MEMBER(lock_exit),
	MEMBER(cv_init), MEMBER(cv_fini), MEMBER(cv_wait),
	MEMBER(cv_broadcast),
	MEMBER(vnode_alloc), MEMBER(vnode_free), MEMBER(vnode_get),
	MEMBER(vnode_rele), MEMBER(vnode_setdata), MEMBER(vnode_getdata),
	MEMBER(vnode_setsize), MEMBER(vnode_getsize),
}, optional[] = {
	MEMBER(lock_held), MEMBER(vnode_attach), MEMBER(mount_dying),
	MEMBER(vnode_setops), MEMBER(vnode_checkalias), MEMBER(vnode_lock),
	MEMBER(vnode_unlock), MEMBER(vnode_getattr_size), MEMBER(node_init),
	MEMBER(node_fini), MEMBER(namecache_enter), MEMBER(cred_get),
	MEMBER(caller_ids), MEMBER(poll_notify), MEMBER(bio_done),
	MEMBER(clock_now), MEMBER(log), MEMBER(server_misbehaved),
	MEMBER(yield),
};
#undef MEMBER

static void
clear_member(struct pn_host_ops *o, size_t off)
{
	void (*nullfn)(void) = NULL;

	memcpy((char *)o + off, &nullfn, sizeof(nullfn));
}

static void
host_table_mandatory_null(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_host_ops o;
	struct pn_mount *mp;
	size_t i;

	(void)state;
	th_init(&h);
	for (i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
		o = h.h_ops;
		clear_member(&o, mandatory[i].off);
		mp = (struct pn_mount *)&o;
		if (pn_mount_create(&o, &h, &a, &mp) != PN_EINVAL)
			fail_msg("mount created without %s", mandatory[i].name);
		assert_null(mp);
	}
	assert_int_equal(atomic_load(&h.h_allocs), 0);
	assert_int_equal(th_fini(&h), 0);
}

static void
host_table_bad_version(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_host_ops o;
	struct pn_mount *mp;
	const int bad[] = { 0, -1, PN_HOST_OPS_VERSION + 1, INT_MAX };
	size_t i;

	(void)state;
	th_init(&h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = h.h_ops;
		o.version = bad[i];
		mp = (struct pn_mount *)&o;
		assert_int_equal(pn_mount_create(&o, &h, &a, &mp), PN_EINVAL);
		assert_null(mp);
	}
	assert_int_equal(th_fini(&h), 0);
}

/* Only the mandatory members: the core applies every default. */
static void
host_table_optional_null(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_host_ops o;
	struct pn_mount *mp = NULL;
	struct pn_vnode *vp, *vp2;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_cred cr = { .c_uid = 5 };
	struct pn_caller l = { .l_pid = 3, .l_lwpid = 4 };
	struct pn_bio b = { 0 };
	struct pn_metacache mc;
	size_t i;

	(void)state;
	th_init(&h);
	o = h.h_ops;
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		clear_member(&o, optional[i].off);
	assert_int_equal(pn_mount_create(&o, &h, &a, &mp), PN_OK);
	assert_non_null(mp);

	assert_int_equal(pn_getvnode(mp, 7, PN_VCHR, 0, 3, &vp), PN_OK);
	assert_int_equal(vp->v_opskind, 0);		/* no setops */
	assert_false(vp->v_attached);			/* no attach */
	assert_false(vp->v_inited);			/* no node_init */
	assert_int_equal(pn_cookie2vnode(mp, 7, PN_LOOKUP_LOCK, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	assert_int_equal(vp->v_lockcount, 0);		/* no vnode_lock */
	assert_int_equal(pn_updatevpsize(pn_vnode2node(mp, vp)),
	    PN_EOPNOTSUPP);
	/* clock_now absent: times are 0 */
	h.h_now.tv_sec = 99;
	assert_int_equal(pn_updatenode(pn_vnode2node(mp, vp),
	    PN_UPDATE_ATIME), PN_OK);
	assert_int_equal(pn_metacache_take(pn_vnode2node(mp, vp), &mc), PN_OK);
	assert_int_equal(mc.mc_flags, PN_UPDATE_ATIME);
	assert_int_equal(mc.mc_atime.tv_sec, 0);
	th_vrele(&h, vp);
	th_vrele(&h, vp);

	assert_int_equal(pn_credcvt(mp, &kc, &cr), PN_EOPNOTSUPP);
	assert_int_equal(pn_cidcvt(mp, &kid, &l), PN_OK);
	assert_int_equal(kid.pkcid_type, PN_CID_TYPE_FAKE);
	b.b_bcount = 0;
	assert_int_equal(pn_parkdone_asyncbioread(mp, &b, 0, NULL, 0, 0),
	    PN_OK);
	assert_int_equal(atomic_load(&h.h_bio_done), 0);
	/* server_misbehaved and log absent: still refused, silently */
	assert_int_equal(pn_getvnode(mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	assert_int_equal(atomic_load(&h.h_misbehaved[PN_BAD_COOKIE_ZERO]), 0);

	h.h_mp = mp;
	assert_int_equal(th_reclaim_unused(&h), 1);
	assert_int_equal(pn_mount_destroy(mp), PN_OK);
	assert_int_equal(th_fini(&h), 0);
}

/* No server_misbehaved op: the report goes to log at PN_LOG_WARN. */
static void
misbehaved_defaults_to_log(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_vnode *vp = NULL;

	(void)state;
	th_init(&h);
	h.h_ops.server_misbehaved = NULL;
	assert_int_equal(th_mount(&h, &a), PN_OK);
	assert_int_equal(pn_getvnode(h.h_mp, 5, PN_VBAD, 0, 0, &vp),
	    PN_EINVAL);
	assert_int_equal(atomic_load(&h.h_warns), 1);
	assert_int_equal(atomic_load(&h.h_misbehaved[PN_BAD_VTYPE]), 0);
	assert_int_equal(pn_mount_destroy(h.h_mp), PN_OK);
	assert_int_equal(th_fini(&h), 0);
}

/* ---- mount arguments ---- */

static void
args_validation(void **state)
{
	struct th_host h;
	struct pn_mount_args good = th_args(UT_ROOT), a;
	struct pn_mount *mp;
	int i;

	(void)state;
	th_init(&h);
	assert_int_equal(pn_mount_create(&h.h_ops, &h, &good, NULL),
	    PN_EINVAL);
	mp = (struct pn_mount *)&h;
	assert_int_equal(pn_mount_create(NULL, &h, &good, &mp), PN_EINVAL);
	assert_null(mp);
	mp = (struct pn_mount *)&h;
	assert_int_equal(pn_mount_create(&h.h_ops, &h, NULL, &mp), PN_EINVAL);
	assert_null(mp);

	for (i = 0; i < 10; i++) {
		a = good;
		switch (i) {
		case 0: a.version = 0; break;
		case 1: a.version = PN_MOUNT_ARGS_VERSION + 1; break;
		case 2: a.root_cookie = 0; break;
		case 3: a.root_type = PN_VNON; break;
		case 4: a.root_type = PN_VBAD; break;
		case 5: a.root_type = -1; break;
		case 6: a.root_size = -1; break;
		case 7: a.flags = 0x8; break;
		case 8: a.flags = PN_MNT_NAMECACHE | 0x80000000u; break;
		/* One node limit over a split mount's pools: not offered. */
		case 9: a.flags = PN_MNT_PARTS; a.node_limit = 10; break;
		}
		mp = (struct pn_mount *)&h;
		if (pn_mount_create(&h.h_ops, &h, &a, &mp) != PN_EINVAL)
			fail_msg("bad mount argument %d accepted", i);
		assert_null(mp);
	}
	assert_int_equal(atomic_load(&h.h_allocs), 0);

	/* Every root type in range, a root size and rdev are taken. */
	for (i = PN_VREG; i < PN_VBAD; i++) {
		a = good;
		a.root_type = i;
		a.root_size = 4096;
		a.root_rdev = 12;
		a.flags = 0;
		assert_int_equal(pn_mount_create(&h.h_ops, &h, &a, &mp), PN_OK);
		assert_int_equal(pn_mount_rootcookie(mp), UT_ROOT);
		assert_int_equal(pn_mount_destroy(mp), PN_OK);
	}
	assert_int_equal(th_fini(&h), 0);
}

/* The mount copies the table: later changes to the caller's copy do nothing. */
static void
table_is_copied(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_host_ops o;
	struct pn_mount *mp;
	const struct pn_host_ops *got;
	struct pn_vnode *vp;
	void *hp = NULL;

	(void)state;
	th_init(&h);
	o = h.h_ops;
	assert_int_equal(pn_mount_create(&o, &h, &a, &mp), PN_OK);
	got = pn_mount_host(mp, &hp);
	assert_ptr_equal(hp, &h);
	assert_non_null(got);
	assert_ptr_not_equal(got, &o);
	assert_memory_equal(got, &o, sizeof(o));
	assert_ptr_equal(pn_mount_host(mp, NULL), got);

	o.vnode_alloc = NULL;
	o.version = 0;
	assert_int_equal(pn_getvnode(mp, 9, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&h, vp);
	h.h_mp = mp;
	assert_int_equal(th_reclaim_unused(&h), 1);
	assert_int_equal(pn_mount_destroy(mp), PN_OK);
	assert_int_equal(th_fini(&h), 0);
}

static void
mount_host_and_rootcookie_null(void **state)
{
	void *hp = (void *)&hp;

	(void)state;
	assert_null(pn_mount_host(NULL, &hp));
	assert_null(hp);
	assert_null(pn_mount_host(NULL, NULL));
	assert_int_equal(pn_mount_rootcookie(NULL), 0);
}

static void
rootcookie(void **state)
{
	struct th_host h;
	struct pn_mount_args a = th_args(0xfeedface12345678ull);

	(void)state;
	th_init(&h);
	assert_int_equal(th_mount(&h, &a), PN_OK);
	assert_int_equal(pn_mount_rootcookie(h.h_mp), 0xfeedface12345678ull);
	assert_int_equal(pn_mount_destroy(h.h_mp), PN_OK);
	assert_int_equal(th_fini(&h), 0);
}

/* ---- creation failing at each allocation and lock ---- */

static void
create_fails_at_each_step(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);
	struct th_host h;
	struct pn_mount *mp;
	long n;
	int error, forever;

	(void)state;
	for (forever = 0; forever <= 1; forever++) {
		for (n = 1;; n++) {
			th_init(&h);
			wh_fail_at(&h.h_w, n, forever);
			mp = (struct pn_mount *)&h;
			error = pn_mount_create(&h.h_ops, &h, &a, &mp);
			if (error == PN_OK) {
				assert_int_equal(atomic_load(&h.h_w.failed), 0);
				assert_int_equal(pn_mount_destroy(mp), PN_OK);
				assert_int_equal(th_fini(&h), 0);
				break;
			}
			assert_int_equal(error, PN_ENOMEM);
			assert_null(mp);
			assert_true(atomic_load(&h.h_w.failed) >= 1);
			if (th_fini(&h) != 0)
				fail_msg("leak after failure at step %ld", n);
			assert_true(n < 1000);
		}
		/* mount, lock, cv, 16 stripes, table: 20 steps */
		assert_true(n >= 1 + 1 + 1 + PNI_MCSTRIPES + 1 + 1);
	}
}

/* ---- destroy refuses while busy ---- */

static void
destroy_null(void **state)
{
	(void)state;
	assert_int_equal(pn_mount_destroy(NULL), PN_EINVAL);
}

static void
destroy_busy_with_node(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp, *vp2;
	long warns = atomic_load(&u->h.h_warns);

	vp = ut_get(u, 5, PN_VREG);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	assert_true(atomic_load(&u->h.h_warns) > warns);
	/* still usable */
	assert_int_equal(pn_cookie2vnode(u->mp, 5, 0, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	th_vrele(&u->h, vp2);
	vp2 = ut_get(u, 6, PN_VDIR);
	th_vrele(&u->h, vp2);
	th_vrele(&u->h, vp);
	/* unused but not reclaimed: the table still holds them */
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	assert_int_equal(th_reclaim_unused(&u->h), 2);
	/* teardown destroys it */
}

static void
destroy_busy_with_users(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp;

	assert_int_equal(pn_mp_reference(u->mp), PN_OK);
	assert_int_equal(pn_mp_reference(u->mp), PN_OK);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	assert_int_equal(pn_mp_release(u->mp), PN_OK);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	vp = ut_get(u, 3, PN_VLNK);
	th_vrele(&u->h, vp);
	assert_int_equal(pn_mp_release(u->mp), PN_OK);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);	/* the node */
	assert_int_equal(th_reclaim_unused(&u->h), 1);
}

/* A node out of the table but still referenced by a request. */
static void
destroy_busy_with_request_ref(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 8, PN_VREG);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_table_stats ts;

	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	assert_int_equal(pn_table_stats(u->mp, &ts), PN_OK);
	assert_int_equal(ts.entries, 0);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	assert_int_equal(pn_releasenode(pn), PN_OK);
}

static void
destroy_busy_during_walk(void **state)
{
	struct ut *u = *state;

	struct pni_pool_iter it;

	pni_pool_iter_begin(u->mp, &it);
	assert_int_equal(pn_mount_destroy(u->mp), PN_EBUSY);
	pni_pool_iter_end(u->mp, &it);
}

static int
destroy_in_walk(struct pn_node *pn, void *arg)
{
	(void)pn;
	return pn_mount_destroy(arg);
}

static void
destroy_busy_from_walk(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 4, PN_VDIR);

	th_vrele(&u->h, vp);
	assert_int_equal(pn_node_walk(u->mp, destroy_in_walk, u->mp),
	    PN_EBUSY);
}

/* ---- users and drain ---- */

static void
mp_reference_release(void **state)
{
	struct ut *u = *state;
	long panics = atomic_load(&u->h.h_panics);

	assert_int_equal(pn_mp_reference(NULL), PN_EINVAL);
	assert_int_equal(pn_mp_release(NULL), PN_EINVAL);
	assert_int_equal(pn_mp_drain(NULL), PN_EINVAL);

	assert_int_equal(pn_mp_release(u->mp), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 1);
	assert_int_equal(u->mp->mnt_refcount, 0);

	assert_int_equal(pn_mp_reference(u->mp), PN_OK);
	assert_int_equal(u->mp->mnt_refcount, 1);
	assert_int_equal(pn_mp_release(u->mp), PN_OK);
	assert_int_equal(pn_mp_release(u->mp), PN_EINVAL);
	assert_int_equal(atomic_load(&u->h.h_panics), panics + 2);

	u->mp->mnt_refcount = UINT32_MAX;
	assert_int_equal(pn_mp_reference(u->mp), PN_ERANGE);
	u->mp->mnt_refcount = 0;
}

static atomic_int released, release_error;

static void *
release_later(void *arg)
{
	struct ut *u = arg;

	usleep(50 * 1000);
	atomic_store(&released, 1);
	atomic_store(&release_error, pn_mp_release(u->mp));
	return NULL;
}

static void
drain_waits_for_users(void **state)
{
	struct ut *u = *state;
	pthread_t t;

	assert_int_equal(pn_mp_reference(u->mp), PN_OK);
	atomic_store(&released, 0);
	atomic_store(&release_error, -1);
	assert_int_equal(pthread_create(&t, NULL, release_later, u), 0);
	assert_int_equal(pn_mp_drain(u->mp), PN_OK);
	/* drain returned only after the user left */
	assert_int_equal(atomic_load(&released), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&release_error), PN_OK);
	assert_int_equal(pn_mp_reference(u->mp), PN_ENXIO);
	assert_int_equal(pn_mp_drain(u->mp), PN_OK);	/* again: no users */
}

static void
drained_mount_refuses(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = NULL, *old;
	struct pn_cn cn = { .cn_nameptr = "x", .cn_namelen = 1 };
	struct pn_pool_stats ps;

	old = ut_get(u, 20, PN_VREG);
	assert_int_equal(pn_mp_drain(u->mp), PN_OK);
	assert_int_equal(pn_getvnode(u->mp, 21, PN_VREG, 0, 0, &vp),
	    PN_ENXIO);
	assert_null(vp);
	assert_int_equal(pn_newnode(u->mp, NULL, 22, &cn, PN_VREG, 0, &vp),
	    PN_ENXIO);
	assert_int_equal(pn_makeroot(u->mp, &vp), PN_ENXIO);
	assert_int_equal(pn_cookie2vnode(u->mp, UT_ROOT, 0, &vp), PN_ENXIO);
	assert_int_equal(pn_mp_reference(u->mp), PN_ENXIO);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, 1);
	assert_int_equal(th_nvnodes(&u->h), 1);
	/* the existing node can still be reclaimed */
	th_vrele(&u->h, old);
	assert_int_equal(th_reclaim(&u->h, old), PN_OK);
}

/* On a dying mount an existing root is still handed out; none is built. */
static void
drained_mount_keeps_root(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *root, *vp;

	assert_int_equal(pn_makeroot(u->mp, &root), PN_OK);
	th_vrele(&u->h, root);
	assert_int_equal(pn_mp_drain(u->mp), PN_OK);
	assert_int_equal(pn_makeroot(u->mp, &vp), PN_OK);
	assert_ptr_equal(vp, root);
	th_vrele(&u->h, vp);
	assert_int_equal(pn_cookie2vnode(u->mp, UT_ROOT, 0, &vp), PN_OK);
	assert_ptr_equal(vp, root);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, root), PN_OK);
	assert_int_equal(pn_makeroot(u->mp, &vp), PN_ENXIO);
	assert_null(vp);
	assert_int_equal(atomic_load(&u->h.h_valloc), 1);
}

struct getter {
	struct ut	*u;
	atomic_int	 done;
	int		 error;
};

static void *
get_blocked(void *arg)
{
	struct getter *g = arg;
	struct pn_vnode *vp = NULL;

	g->error = pn_getvnode(g->u->mp, 30, PN_VREG, 0, 0, &vp);
	if (g->error == PN_OK)
		th_vrele(&g->u->h, vp);
	atomic_store(&g->done, 1);
	return NULL;
}

/*
 * A caller waiting for a node to finish its reclaim learns of the unmount
 * when pn_mp_drain starts it, not only when the reclaim ends.
 */
static void
drain_wakes_waiters(void **state)
{
	struct ut *u = *state;
	struct getter g = { .u = u };
	struct pn_vnode *vp = ut_get(u, 30, PN_VREG);
	pthread_t t;
	int i;

	th_vrele(&u->h, vp);
	th_reclaim_begin(&u->h, vp);
	assert_int_equal(pthread_create(&t, NULL, get_blocked, &g), 0);
	usleep(20000);
	assert_int_equal(atomic_load(&g.done), 0);	/* waits for the reclaim */
	assert_int_equal(pn_mp_drain(u->mp), PN_OK);
	for (i = 0; i < 1000 && atomic_load(&g.done) == 0; i++)
		usleep(5000);
	assert_int_equal(atomic_load(&g.done), 1);
	assert_int_equal(th_reclaim_finish(&u->h, vp), PN_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(g.error, PN_ENXIO);
	/* The waiter's vnode, built first, is thrown away. */
	assert_int_equal(atomic_load(&u->h.h_valloc), 2);
	assert_int_equal(atomic_load(&u->h.h_vfree), 1);
}

/* ---- the host's mount_dying op ---- */

static atomic_int dying_calls;
static atomic_int dying_from;	/* answer true from this call on; 0: never */

static bool
h_dying(void *host)
{
	int n = atomic_fetch_add(&dying_calls, 1) + 1;
	int from = atomic_load(&dying_from);

	(void)host;
	return from != 0 && n >= from;
}

static void
with_dying(struct th_host *h)
{
	h->h_ops.mount_dying = h_dying;
}

static int
dying_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	atomic_store(&dying_calls, 0);
	atomic_store(&dying_from, 0);
	return ut_setup_host(state, &a, with_dying);
}

static void
host_mount_dying(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = (struct pn_vnode *)u;
	struct pn_cn cn = { .cn_nameptr = "x", .cn_namelen = 1 };

	atomic_store(&dying_from, 1);
	assert_int_equal(pn_getvnode(u->mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	assert_null(vp);
	assert_int_equal(pn_newnode(u->mp, NULL, 6, &cn, PN_VREG, 0, &vp),
	    PN_ENXIO);
	assert_int_equal(pn_makeroot(u->mp, &vp), PN_ENXIO);
	assert_int_equal(pn_cookie2vnode(u->mp, UT_ROOT, 0, &vp), PN_ENXIO);
	assert_int_equal(atomic_load(&u->h.h_valloc), 0);
	atomic_store(&dying_from, 0);
	vp = ut_get(u, 5, PN_VREG);
	th_vrele(&u->h, vp);
}

/* The mount starts dying while the vnode is being built. */
static void
host_mount_dying_mid_build(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = NULL;
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	int from;

	/* one answer per check until the vnode is allocated: find how many */
	for (from = 2; from < 6; from++) {
		atomic_store(&dying_calls, 0);
		atomic_store(&dying_from, from);
		if (pn_getvnode(u->mp, 5, PN_VREG, 10, 0, &vp) == PN_OK)
			break;
		assert_null(vp);
		assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
		assert_int_equal(ps.in_use, 0);
		assert_int_equal(pn_table_stats(u->mp, &ts), PN_OK);
		assert_int_equal(ts.entries, 0);
		assert_int_equal(th_nvnodes(&u->h), 0);
	}
	/* at least one attempt died after vnode_alloc: that vnode was freed */
	assert_true(atomic_load(&u->h.h_valloc) >= 2);
	assert_int_equal(atomic_load(&u->h.h_vfree),
	    atomic_load(&u->h.h_valloc) - 1);
	assert_non_null(vp);
	atomic_store(&dying_from, 0);
	th_vrele(&u->h, vp);
}

/* ---- PN_MNT_PARTS ---- */

#define SPLIT_N	200

static int
count_node(struct pn_node *pn, void *arg)
{
	(void)pn;
	(*(int *)arg)++;
	return 0;
}

/*
 * A split mount: cookies spread over its parts, and the calls on the
 * whole mount (statistics, walks, drain, destroy) see every part's.
 */
static void
split_mount(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);
	struct pn_vnode *vp[SPLIT_N];
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	struct pn_mount *mp;
	struct th_host h;
	uint64_t gen[SPLIT_N];
	size_t freed;
	int i, j, walked = 0;

	(void)state;
	th_init(&h);
	a.flags |= PN_MNT_PARTS;
	a.hash_hint = 1000;
	assert_int_equal(th_mount(&h, &a), PN_OK);
	mp = h.h_mp;
	for (i = 0; i < SPLIT_N; i++) {
		struct pn_node *pn;

		assert_int_equal(pn_getvnode(mp, 100 + i, PN_VREG, 0, 0,
		    &vp[i]), PN_OK);
		pn = pn_vnode2node(mp, vp[i]);
		assert_ptr_equal(pn_node_mount(pn), mp);
		assert_int_equal(pn_node_cookie(pn), 100 + i);
		gen[i] = pn_node_gen(pn);
		for (j = 0; j < i; j++)
			assert_true(gen[j] != gen[i]);	/* unique over the parts */
	}
	for (i = 0; i < SPLIT_N; i++) {
		struct pn_vnode *v2;

		assert_int_equal(pn_cookie2vnode(mp, 100 + i, 0, &v2), PN_OK);
		assert_ptr_equal(v2, vp[i]);
		th_vrele(&h, v2);
	}
	/* Sums over the four parts: a slab each, 4 x 512 slots for 1000. */
	assert_int_equal(pn_table_stats(mp, &ts), PN_OK);
	assert_int_equal(ts.entries, SPLIT_N);
	assert_int_equal(ts.buckets, 2048);
	assert_int_equal(ts.resizes, 0);
	assert_true(ts.longest_probe >= 1);
	assert_int_equal(pn_pool_stats(mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, SPLIT_N);
	assert_int_equal(ps.allocs, SPLIT_N);
	assert_int_equal(ps.slabs, 4);
	assert_true(ps.free > 0 && ps.high_water >= SPLIT_N);
	assert_int_equal(ps.limit, 0);
	/* One limit over four pools is not offered; none is. */
	assert_int_equal(pn_pool_setlimit(mp, 10), PN_EOPNOTSUPP);
	assert_int_equal(pn_pool_setlimit(mp, 0), PN_OK);
	assert_int_equal(pn_node_walk(mp, count_node, &walked), 0);
	assert_int_equal(walked, SPLIT_N);
	assert_int_equal(pn_mount_destroy(mp), PN_EBUSY);

	for (i = 0; i < SPLIT_N; i++) {
		th_vrele(&h, vp[i]);
		assert_int_equal(th_reclaim(&h, vp[i]), PN_OK);
	}
	assert_int_equal(pn_pool_stats(mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(ps.frees, SPLIT_N);
	/* A reused cookie's node counts on from the one it replaced. */
	assert_int_equal(pn_getvnode(mp, 100, PN_VREG, 0, 0, &vp[0]), PN_OK);
	assert_true(pn_node_gen(pn_vnode2node(mp, vp[0])) > gen[0]);
	th_vrele(&h, vp[0]);
	assert_int_equal(th_reclaim(&h, vp[0]), PN_OK);
	assert_int_equal(pn_pool_drain(mp, &freed), PN_OK);
	assert_int_equal(freed, 4);
	assert_int_equal(pn_mp_drain(mp), PN_OK);
	assert_int_equal(pn_getvnode(mp, 7, PN_VREG, 0, 0, &vp[0]),
	    PN_ENXIO);
	assert_int_equal(pn_mount_destroy(mp), PN_OK);
	assert_int_equal(th_fini(&h), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_matches),
		cmocka_unit_test(split_mount),
		cmocka_unit_test(strerror_every_code),
		cmocka_unit_test(strerror_out_of_range),
		cmocka_unit_test(host_table_mandatory_null),
		cmocka_unit_test(host_table_bad_version),
		cmocka_unit_test(host_table_optional_null),
		cmocka_unit_test(misbehaved_defaults_to_log),
		cmocka_unit_test(args_validation),
		cmocka_unit_test(table_is_copied),
		cmocka_unit_test(mount_host_and_rootcookie_null),
		cmocka_unit_test(rootcookie),
		cmocka_unit_test(create_fails_at_each_step),
		cmocka_unit_test(destroy_null),
		cmocka_unit_test_setup_teardown(destroy_busy_with_node,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(destroy_busy_with_users,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(destroy_busy_with_request_ref,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(destroy_busy_during_walk,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(destroy_busy_from_walk,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(mp_reference_release,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(drain_waits_for_users,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(drained_mount_refuses,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(drained_mount_keeps_root,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(drain_wakes_waiters,
		    ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(host_mount_dying,
		    dying_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(host_mount_dying_mid_build,
		    dying_setup, ut_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
