/*
 * test_mock.c -- the exact host call sequences, against a mock host of
 * plain functions (CMocka's expect_function_call / check_expected /
 * will_return).  Memory and locks are the POSIX host kit's, counted;
 * every vnode operation is a strict expectation, so an extra, missing or
 * reordered host call fails the test.  The vnode operations, the node hooks and
 * namecache_enter also check that no core lock is held (host.h's locking
 * contract).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <puffsnode/posix.h>
#include <puffsnode/puffsnode.h>

#define UT_ROOT	((pn_cookie_t)1)

/* The mock host's vnode. */
struct pn_vnode {
	struct pn_node	*data;
	int64_t		 size;
	int		 id;
};

static long allocated;		/* bytes outstanding */
static int locks_held;		/* core locks held now (one thread) */
/*
 * Locks held when a new vnode gets its node: the mount lock when it was
 * built first, none behind a placeholder (devices).  Clearing it: none.
 */
static int setdata_locks;
static int dying_calls, dying_from;
static long panics;
static struct pn_vnode vn[4];

/*
 * Memory, locks and condition variables: the POSIX host kit's, counted
 * (allocated: bytes, locks and cvs outstanding; locks_held: core locks
 * held now).  cv_wait is never expected in a single-threaded test.
 */
static void *
m_alloc(void *host, size_t n)
{
	allocated += (long)n;
	return pn_posix_alloc(host, n);
}

static void
m_free(void *host, void *p, size_t n)
{
	allocated -= (long)n;
	pn_posix_free(host, p, n);
}

static int
m_lock_init(void *host, struct pn_lock **lkp)
{
	int error = pn_posix_lock_init(host, lkp);

	allocated += error == PN_OK;
	return error;
}

static void
m_lock_fini(void *host, struct pn_lock *lk)
{
	pn_posix_lock_fini(host, lk);
	allocated--;
}

static void
m_lock_enter(void *host, struct pn_lock *lk)
{
	pn_posix_lock_enter(host, lk);
	locks_held++;
}

static void
m_lock_exit(void *host, struct pn_lock *lk)
{
	locks_held--;
	pn_posix_lock_exit(host, lk);
}

static int
m_cv_init(void *host, struct pn_cv **cvp)
{
	int error = pn_posix_cv_init(host, cvp);

	allocated += error == PN_OK;
	return error;
}

static void
m_cv_fini(void *host, struct pn_cv *cv)
{
	pn_posix_cv_fini(host, cv);
	allocated--;
}

static void
m_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk)
{
	(void)host;
	(void)cv;
	(void)lk;
	fail_msg("cv_wait in a single-threaded test");
}

/* ---- vnode operations: strict ---- */

static int
m_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	(void)host;
	function_called();
	check_expected(type);
	assert_int_equal(locks_held, 0);
	*vpp = mock_ptr_type(struct pn_vnode *);
	return mock_type(int);
}

static void
m_vnode_free(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	check_expected_ptr(vp);
	assert_int_equal(locks_held, 0);
}

static int
m_vnode_get(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
	return mock_type(int);
}

static void
m_vnode_rele(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
}

static void
m_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, pn != NULL ? setdata_locks : 0);
	check_expected_ptr(vp);
	check_expected_ptr(pn);
	vp->data = pn;
}

static struct pn_node *
m_vnode_getdata(void *host, struct pn_vnode *vp)
{
	(void)host;
	assert_int_equal(locks_held, 0);
	return vp->data;
}

static void
m_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
	check_expected(size);
	vp->size = size;
}

static int64_t
m_vnode_getsize(void *host, struct pn_vnode *vp)
{
	(void)host;
	return vp->size;
}

static int
m_vnode_attach(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
	return mock_type(int);
}

static bool
m_mount_dying(void *host)
{
	(void)host;
	dying_calls++;
	return dying_from != 0 && dying_calls >= dying_from;
}

static void
m_vnode_setops(void *host, struct pn_vnode *vp, unsigned kind)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
	check_expected(kind);
}

static int
m_vnode_checkalias(void *host, struct pn_vnode *vp, uint64_t rdev,
    struct pn_vnode **aliasp)
{
	(void)host;
	function_called();
	assert_int_equal(locks_held, 0);
	check_expected_ptr(vp);
	check_expected(rdev);
	*aliasp = mock_ptr_type(struct pn_vnode *);
	return mock_type(int);
}

static void
m_vnode_lock(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	check_expected_ptr(vp);
	assert_int_equal(locks_held, 0);
}

static void
m_node_init(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	check_expected_ptr(vp);
	assert_int_equal(locks_held, 0);
}

static void
m_node_fini(void *host, struct pn_vnode *vp)
{
	(void)host;
	function_called();
	check_expected_ptr(vp);
	assert_int_equal(locks_held, 0);
}

static void
m_namecache_enter(void *host, struct pn_vnode *dvp, struct pn_vnode *vp,
    const char *name, size_t namelen)
{
	(void)host;
	function_called();
	check_expected_ptr(dvp);
	check_expected_ptr(vp);
	check_expected_ptr(name);
	check_expected(namelen);
	assert_int_equal(locks_held, 0);
}

static void
m_log(void *host, int level, const char *fmt, ...)
{
	(void)host;
	(void)fmt;
	if (level >= PN_LOG_PANIC)
		panics++;
}

static void
m_misbehaved(void *host, int reason, uint64_t cookie, const char *what)
{
	(void)host;
	function_called();
	check_expected(reason);
	check_expected(cookie);
	assert_non_null(what);
}

static const struct pn_host_ops mock_ops = {
	.version = PN_HOST_OPS_VERSION,
	.alloc = m_alloc,
	.free = m_free,
	.lock_init = m_lock_init,
	.lock_fini = m_lock_fini,
	.lock_enter = m_lock_enter,
	.lock_exit = m_lock_exit,
	.lock_held = pn_posix_lock_held,
	.cv_init = m_cv_init,
	.cv_fini = m_cv_fini,
	.cv_wait = m_cv_wait,
	.cv_broadcast = pn_posix_cv_broadcast,
	.vnode_alloc = m_vnode_alloc,
	.vnode_free = m_vnode_free,
	.vnode_get = m_vnode_get,
	.vnode_rele = m_vnode_rele,
	.vnode_setdata = m_vnode_setdata,
	.vnode_getdata = m_vnode_getdata,
	.vnode_setsize = m_vnode_setsize,
	.vnode_getsize = m_vnode_getsize,
	.vnode_attach = m_vnode_attach,
	.mount_dying = m_mount_dying,
	.vnode_setops = m_vnode_setops,
	.vnode_checkalias = m_vnode_checkalias,
	.vnode_lock = m_vnode_lock,
	.node_init = m_node_init,
	.node_fini = m_node_fini,
	.namecache_enter = m_namecache_enter,
	.log = m_log,
	.server_misbehaved = m_misbehaved,
};

/* ---- expectation helpers ---- */

static void
x_alloc(int type, struct pn_vnode *vp, int error)
{
	expect_function_call(m_vnode_alloc);
	expect_value(m_vnode_alloc, type, type);
	will_return(m_vnode_alloc, vp);
	will_return(m_vnode_alloc, error);
}

static void
x_free(struct pn_vnode *vp)
{
	expect_function_call(m_vnode_free);
	expect_value(m_vnode_free, vp, vp);
}

static void
x_get(struct pn_vnode *vp, int error)
{
	expect_function_call(m_vnode_get);
	expect_value(m_vnode_get, vp, vp);
	will_return(m_vnode_get, error);
}

static void
x_rele(struct pn_vnode *vp)
{
	expect_function_call(m_vnode_rele);
	expect_value(m_vnode_rele, vp, vp);
}

static void
x_attach(struct pn_vnode *vp, int error)
{
	expect_function_call(m_vnode_attach);
	expect_value(m_vnode_attach, vp, vp);
	will_return(m_vnode_attach, error);
}

static void
x_setsize(struct pn_vnode *vp, int64_t size)
{
	expect_function_call(m_vnode_setsize);
	expect_value(m_vnode_setsize, vp, vp);
	expect_value(m_vnode_setsize, size, size);
}

static void
x_setops(struct pn_vnode *vp, unsigned kind)
{
	expect_function_call(m_vnode_setops);
	expect_value(m_vnode_setops, vp, vp);
	expect_value(m_vnode_setops, kind, kind);
}

static void
x_checkalias(struct pn_vnode *vp, uint64_t rdev, struct pn_vnode *alias,
    int error)
{
	expect_function_call(m_vnode_checkalias);
	expect_value(m_vnode_checkalias, vp, vp);
	expect_value(m_vnode_checkalias, rdev, rdev);
	will_return(m_vnode_checkalias, alias);
	will_return(m_vnode_checkalias, error);
}

static void
x_node_init(struct pn_vnode *vp)
{
	expect_function_call(m_node_init);
	expect_value(m_node_init, vp, vp);
}

static void
x_setdata(struct pn_vnode *vp, bool null)
{
	expect_function_call(m_vnode_setdata);
	expect_value(m_vnode_setdata, vp, vp);
	if (null)
		expect_value(m_vnode_setdata, pn, NULL);
	else
		expect_not_value(m_vnode_setdata, pn, NULL);
}

static void
x_misbehaved(int reason, uint64_t cookie)
{
	expect_function_call(m_misbehaved);
	expect_value(m_misbehaved, reason, reason);
	expect_value(m_misbehaved, cookie, cookie);
}

/* The head of every build: allocate, attach, the size (0 but for VREG). */
static void
x_build_head(int type, struct pn_vnode *vp)
{
	setdata_locks = type == PN_VCHR || type == PN_VBLK ? 0 : 1;
	x_alloc(type, vp, PN_OK);
	x_attach(vp, PN_OK);
	if (type != PN_VREG)
		x_setsize(vp, 0);
}

static void
x_build_tail(struct pn_vnode *vp)
{
	x_node_init(vp);
	x_setdata(vp, false);
}

/* Reclaim: node_fini, then the data pointer cleared. */
static void
reclaim(struct pn_mount *mp, struct pn_vnode *vp)
{
	expect_function_call(m_node_fini);
	expect_value(m_node_fini, vp, vp);
	x_setdata(vp, true);
	assert_int_equal(pn_putvnode(mp, vp), PN_OK);
	assert_null(vp->data);
}

/* ---- fixture ---- */

static int
mk_setup(void **state)
{
	struct pn_mount_args a = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = UT_ROOT,
		.root_type = PN_VDIR,
		.flags = PN_MNT_NAMECACHE,
	};
	struct pn_mount *mp;
	int i;

	allocated = 0;
	locks_held = 0;
	dying_calls = 0;
	dying_from = 0;
	panics = 0;
	memset(vn, 0, sizeof(vn));
	for (i = 0; i < 4; i++)
		vn[i].id = i;
	if (pn_mount_create(&mock_ops, NULL, &a, &mp) != PN_OK)
		return -1;
	*state = mp;
	return 0;
}

static int
mk_teardown(void **state)
{
	if (pn_mount_destroy(*state) != PN_OK)
		return -1;
	if (allocated != 0 || locks_held != 0 || panics != 0)
		return -1;
	return 0;
}

/* ---- sequences ---- */

static void
seq_vreg(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;
	struct pn_node *pn;

	x_build_head(PN_VREG, &vn[0]);
	x_setsize(&vn[0], 4096);	/* the size given: one call */
	x_build_tail(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VREG, 4096, 0, &vp), PN_OK);
	assert_ptr_equal(vp, &vn[0]);
	pn = vn[0].data;
	assert_non_null(pn);
	assert_int_equal(pn_node_cookie(pn), 5);
	assert_ptr_equal(pn_node_vnode(pn), &vn[0]);
	reclaim(mp, vp);
}

static void
seq_plain_types(void **state)
{
	struct pn_mount *mp = *state;
	const int types[] = { PN_VDIR, PN_VLNK, PN_VSOCK };
	struct pn_vnode *vp;
	size_t i;

	for (i = 0; i < 3; i++) {
		x_build_head(types[i], &vn[i]);
		x_build_tail(&vn[i]);
		assert_int_equal(pn_getvnode(mp, 10 + i, types[i], 777, 0,
		    &vp), PN_OK);
		assert_ptr_equal(vp, &vn[i]);
	}
	for (i = 0; i < 3; i++)
		reclaim(mp, &vn[i]);
}

static void
seq_vchr_no_alias(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VCHR, &vn[0]);
	x_setops(&vn[0], PN_VOPS_SPEC);
	x_checkalias(&vn[0], 0x1234, NULL, PN_OK);
	x_build_tail(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VCHR, 0, 0x1234, &vp), PN_OK);
	assert_ptr_equal(vp, &vn[0]);
	reclaim(mp, vp);
}

/* The alias is adopted; the new vnode is freed before anything else. */
static void
seq_vblk_alias(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VBLK, &vn[0]);
	x_setops(&vn[0], PN_VOPS_SPEC);
	x_checkalias(&vn[0], 99, &vn[1], PN_OK);
	x_free(&vn[0]);
	x_build_tail(&vn[1]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VBLK, 0, 99, &vp), PN_OK);
	assert_ptr_equal(vp, &vn[1]);
	assert_null(vn[0].data);
	assert_ptr_equal(pn_node_vnode(vn[1].data), &vn[1]);
	reclaim(mp, &vn[1]);
}

/*
 * Built first, then no node to give it (the node limit): the vnode is
 * thrown away, node_fini first, and no data pointer is ever set.
 */
static void
seq_built_first_discarded(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	assert_int_equal(pn_pool_setlimit(mp, 1), PN_OK);
	x_build_head(PN_VDIR, &vn[0]);
	x_build_tail(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VDIR, 0, 0, &vp), PN_OK);
	x_build_head(PN_VDIR, &vn[1]);
	x_node_init(&vn[1]);
	expect_function_call(m_node_fini);
	expect_value(m_node_fini, vp, &vn[1]);
	x_free(&vn[1]);
	assert_int_equal(pn_getvnode(mp, 6, PN_VDIR, 0, 0, &vp), PN_ENOMEM);
	assert_null(vp);
	assert_null(vn[1].data);
	assert_int_equal(pn_pool_setlimit(mp, 0), PN_OK);
	reclaim(mp, &vn[0]);
}

static void
seq_vfifo(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VFIFO, &vn[0]);
	x_setops(&vn[0], PN_VOPS_FIFO);
	x_build_tail(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VFIFO, 0, 0, &vp), PN_OK);
	reclaim(mp, vp);
}

static void
seq_root(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VDIR, &vn[0]);
	x_setops(&vn[0], PN_VOPS_ROOT);
	x_build_tail(&vn[0]);
	assert_int_equal(pn_makeroot(mp, &vp), PN_OK);
	assert_ptr_equal(vp, &vn[0]);
	assert_int_equal(pn_node_cookie(vn[0].data), UT_ROOT);

	/* the root exists: a vget, nothing else */
	x_get(&vn[0], PN_OK);
	assert_int_equal(pn_makeroot(mp, &vp), PN_OK);
	x_get(&vn[0], PN_OK);
	expect_function_call(m_vnode_lock);
	expect_value(m_vnode_lock, vp, &vn[0]);
	assert_int_equal(pn_cookie2vnode(mp, UT_ROOT, PN_LOOKUP_LOCK, &vp),
	    PN_OK);
	reclaim(mp, &vn[0]);
}

static void
seq_existing(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VDIR, &vn[0]);
	x_build_tail(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VDIR, 0, 0, &vp), PN_OK);
	x_get(&vn[0], PN_OK);
	assert_int_equal(pn_getvnode(mp, 5, PN_VDIR, 0, 0, &vp), PN_OK);
	assert_ptr_equal(vp, &vn[0]);
	x_get(&vn[0], PN_OK);
	assert_int_equal(pn_cookie2vnode(mp, 5, 0, &vp), PN_OK);
	/* absent: no host call at all */
	assert_int_equal(pn_cookie2vnode(mp, 6, 0, &vp), PN_ENOENT);
	/* being reclaimed: the host refuses the vget */
	x_get(&vn[0], PN_ENOENT);
	assert_int_equal(pn_cookie2vnode(mp, 5, 0, &vp), PN_ENOENT);
	assert_null(vp);
	reclaim(mp, &vn[0]);
	assert_int_equal(pn_cookie2vnode(mp, 5, 0, &vp), PN_ENOENT);
}

static void
seq_alloc_fails(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_alloc(PN_VREG, NULL, PN_ENOMEM);
	assert_int_equal(pn_getvnode(mp, 5, PN_VREG, 0, 0, &vp), PN_ENOMEM);
	assert_null(vp);
}

static void
seq_attach_fails(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_alloc(PN_VREG, &vn[0], PN_OK);
	x_attach(&vn[0], PN_ENXIO);
	x_free(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	assert_null(vp);
	assert_null(vn[0].data);
}

static void
seq_alias_fails(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	x_build_head(PN_VCHR, &vn[0]);
	x_setops(&vn[0], PN_VOPS_SPEC);
	x_checkalias(&vn[0], 3, NULL, PN_EIO);
	x_free(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VCHR, 0, 3, &vp), PN_EIO);
	assert_null(vp);
	/* and the cookie is free again */
	x_build_head(PN_VCHR, &vn[1]);
	x_setops(&vn[1], PN_VOPS_SPEC);
	x_checkalias(&vn[1], 3, NULL, PN_OK);
	x_build_tail(&vn[1]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VCHR, 0, 3, &vp), PN_OK);
	reclaim(mp, &vn[1]);
}

static void
seq_dying_after_alloc(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;

	dying_calls = 0;
	dying_from = 3;		/* entry, table check, then after alloc */
	x_alloc(PN_VREG, &vn[0], PN_OK);
	x_free(&vn[0]);
	assert_int_equal(pn_getvnode(mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	assert_int_equal(dying_calls, 3);
	assert_null(vp);
	dying_from = 0;
}

static void
seq_newnode(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;
	struct pn_cn cn = { .cn_nameptr = "name/rest", .cn_namelen = 4,
	    .cn_flags = PN_CN_MAKEENTRY };

	x_build_head(PN_VREG, &vn[1]);
	x_setsize(&vn[1], 0);	/* pn_newnode: size 0 */
	x_build_tail(&vn[1]);
	expect_function_call(m_vnode_lock);
	expect_value(m_vnode_lock, vp, &vn[1]);
	expect_function_call(m_namecache_enter);
	expect_value(m_namecache_enter, dvp, &vn[0]);
	expect_value(m_namecache_enter, vp, &vn[1]);
	expect_value(m_namecache_enter, name, cn.cn_nameptr);
	expect_value(m_namecache_enter, namelen, 4);
	assert_int_equal(pn_newnode(mp, &vn[0], 7, &cn, PN_VREG, 0, &vp),
	    PN_OK);
	assert_ptr_equal(vp, &vn[1]);

	/* the same cookie again: vget, vrele, report; EEXIST */
	x_get(&vn[1], PN_OK);
	x_rele(&vn[1]);
	x_misbehaved(PN_BAD_COOKIE_DUP, 7);
	assert_int_equal(pn_newnode(mp, &vn[0], 7, &cn, PN_VREG, 0, &vp),
	    PN_EEXIST);
	assert_null(vp);

	/* without MAKEENTRY: no name cache entry */
	cn.cn_flags = 0;
	x_build_head(PN_VDIR, &vn[2]);
	x_build_tail(&vn[2]);
	expect_function_call(m_vnode_lock);
	expect_value(m_vnode_lock, vp, &vn[2]);
	assert_int_equal(pn_newnode(mp, &vn[0], 8, &cn, PN_VDIR, 0, &vp),
	    PN_OK);
	reclaim(mp, &vn[1]);
	reclaim(mp, &vn[2]);
}

static void
seq_misbehaved(void **state)
{
	struct pn_mount *mp = *state;
	struct pn_vnode *vp;
	struct pn_cn cn = { .cn_nameptr = "n", .cn_namelen = 1 };

	x_misbehaved(PN_BAD_COOKIE_ZERO, 0);
	assert_int_equal(pn_getvnode(mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	x_misbehaved(PN_BAD_VTYPE, 9);
	assert_int_equal(pn_getvnode(mp, 9, 42, 0, 0, &vp), PN_EINVAL);
	x_misbehaved(PN_BAD_SIZE, 9);
	assert_int_equal(pn_getvnode(mp, 9, PN_VREG, -4, 0, &vp), PN_EINVAL);
	x_misbehaved(PN_BAD_COOKIE_ROOT, UT_ROOT);
	assert_int_equal(pn_newnode(mp, NULL, UT_ROOT, &cn, PN_VREG, 0, &vp),
	    PN_EEXIST);
	/* cookie 0 on create: the server lacks the operation, no report */
	assert_int_equal(pn_newnode(mp, NULL, 0, &cn, PN_VREG, 0, &vp),
	    PN_EOPNOTSUPP);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, mk_setup, mk_teardown)
	const struct CMUnitTest tests[] = {
		T(seq_vreg),
		T(seq_plain_types),
		T(seq_vchr_no_alias),
		T(seq_vblk_alias),
		T(seq_vfifo),
		T(seq_built_first_discarded),
		T(seq_root),
		T(seq_existing),
		T(seq_alloc_fails),
		T(seq_attach_fails),
		T(seq_alias_fails),
		T(seq_dying_after_alloc),
		T(seq_newnode),
		T(seq_misbehaved),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
