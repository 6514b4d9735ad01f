/*
 * edges.c -- the corners of every public call, and the core's defensive
 * paths reached on purpose: NULL and out-of-range arguments, a minimal
 * host (every optional member NULL), a host that lies about its locks,
 * an unmount that begins in the middle of a build, a table that cannot
 * grow, a pool walk in progress at destroy time, counters at their
 * limits, the credential accessors and the access check, and the
 * metadata cache's clock clamping.  White-box where the public API
 * cannot get there (pni_test.h).  Every check names what it expects.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pni_test.h"
#include "testhost.h"
#include "wraphost.h"

#define ROOT	((pn_cookie_t)1)

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "edges: %s:%d: %s\n", __FILE__, __LINE__, \
		    #cond);						\
		failures++;						\
	}								\
} while (0)
#define EQ(a, b) do {							\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) {							\
		fprintf(stderr, "edges: %s:%d: %s == %lld, want %s == %lld\n", \
		    __FILE__, __LINE__, #a, a_, #b, b_);		\
		failures++;						\
	}								\
} while (0)

struct env {
	struct th_host	 th;
	struct wraphost	 w;
	struct pn_mount	*mp;
};

static void
env_init(struct env *e, unsigned wflags)
{
	struct pn_mount_args a = th_args(ROOT);

	th_init(&e->th);
	wh_init(&e->w, &e->th.h_ops, &e->th, wflags);
	EQ(pn_mount_create(&e->w.ops, &e->w, &a, &e->mp), PN_OK);
	e->th.h_mp = e->mp;
}

static void
env_fini(struct env *e)
{
	atomic_store(&e->w.lie_held, false);
	atomic_store(&e->w.dying_after, 0);
	e->w.exit_hook = NULL;
	CHECK(th_reclaim_unused(&e->th) >= 0);
	EQ(pn_mount_destroy(e->mp), PN_OK);
	EQ(wh_check(&e->w), 0);
	EQ(th_fini(&e->th), 0);
}

/* ---- arguments ---- */

static void
null_arguments(void)
{
	struct env e;
	struct pn_vnode *vp;
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	struct pn_metacache mc;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_cn cn = { 0, 0, NULL, 1, NULL, NULL };
	void *h = (void *)1;
	int64_t eob;
	int ev;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, NULL), PN_EINVAL);
	EQ(pn_getvnode(NULL, 5, PN_VREG, 0, 0, &vp), PN_EINVAL);
	EQ(pn_newnode(e.mp, NULL, 5, NULL, PN_VREG, 0, NULL), PN_EINVAL);
	EQ(pn_newnode(NULL, NULL, 5, NULL, PN_VREG, 0, &vp), PN_EINVAL);
	EQ(pn_newnode(e.mp, NULL, 5, &cn, PN_VREG, 0, &vp), PN_EINVAL);
	EQ(pn_makeroot(e.mp, NULL), PN_EINVAL);
	EQ(pn_makeroot(NULL, &vp), PN_EINVAL);
	EQ(pn_cookie2vnode(e.mp, 5, 0, NULL), PN_EINVAL);
	EQ(pn_cookie2vnode(NULL, 5, 0, &vp), PN_EINVAL);
	EQ(pn_cookie2vnode(e.mp, 5, 0x100, &vp), PN_EINVAL);
	EQ(pn_referencenode(NULL), PN_EINVAL);
	EQ(pn_releasenode(NULL), PN_EINVAL);
	CHECK(pn_vnode2node(NULL, (struct pn_vnode *)1) == NULL);
	CHECK(pn_vnode2node(e.mp, NULL) == NULL);
	EQ(pn_node_cookie(NULL), 0);
	EQ(pn_node_gen(NULL), 0);
	EQ(pn_node_type(NULL), PN_VNON);
	CHECK(pn_node_vnode(NULL) == NULL);
	CHECK(pn_node_mount(NULL) == NULL);
	EQ(pn_node_refs(NULL), 0);
	EQ(pn_node_walk(NULL, NULL, NULL), PN_EINVAL);
	EQ(pn_node_walk(e.mp, NULL, NULL), PN_EINVAL);
	EQ(pn_pool_stats(NULL, &ps), PN_EINVAL);
	EQ(pn_pool_stats(e.mp, NULL), PN_EINVAL);
	EQ(pn_pool_setlimit(NULL, 1), PN_EINVAL);
	EQ(pn_pool_drain(NULL, NULL), PN_EINVAL);
	EQ(pn_table_stats(NULL, &ts), PN_EINVAL);
	EQ(pn_table_stats(e.mp, NULL), PN_EINVAL);
	EQ(pn_updatenode(NULL, PN_UPDATE_ATIME), PN_EINVAL);
	EQ(pn_gop_markupdate(NULL, 0x4), PN_EINVAL);
	EQ(pn_gop_markupdate(NULL, PN_GOP_UPDATE_ACCESSED), PN_EINVAL);
	EQ(pn_gop_size(NULL, 1, NULL, 0), PN_EINVAL);
	EQ(pn_gop_size(NULL, 1, &eob, 0), PN_EINVAL);
	EQ(pn_updatevpsize(NULL), PN_EINVAL);
	EQ(pn_metacache_take(NULL, NULL), PN_EINVAL);
	EQ(pn_metacache_take(NULL, &mc), PN_EINVAL);
	EQ(pn_parkdone_asyncbioread(NULL, NULL, 0, NULL, 0, 0), PN_EINVAL);
	EQ(pn_parkdone_asyncbioread(e.mp, NULL, 0, NULL, 0, 0), PN_EINVAL);
	EQ(pn_parkdone_poll(NULL, 0, 0), PN_EINVAL);
	EQ(pn_node_revents(NULL, NULL, false), PN_EINVAL);
	EQ(pn_node_revents(NULL, &ev, false), PN_EINVAL);
	EQ(pn_mount_create(NULL, NULL, NULL, NULL), PN_EINVAL);
	EQ(pn_mount_destroy(NULL), PN_EINVAL);
	CHECK(pn_mount_host(NULL, &h) == NULL && h == NULL);
	CHECK(pn_mount_host(NULL, NULL) == NULL);
	CHECK(pn_mount_host(e.mp, NULL) == &e.mp->mnt_ops);
	EQ(pn_mount_rootcookie(NULL), 0);
	EQ(pn_mount_rootcookie(e.mp), ROOT);
	EQ(pn_mp_reference(NULL), PN_EINVAL);
	EQ(pn_mp_release(NULL), PN_EINVAL);
	EQ(pn_mp_drain(NULL), PN_EINVAL);
	EQ(pn_credcvt(e.mp, NULL, PN_NOCRED), PN_EINVAL);
	EQ(pn_credcvt(e.mp, &kc, NULL), PN_EINVAL);
	EQ(pn_credcvt(NULL, &kc, (const struct pn_cred *)&e), PN_EINVAL);
	EQ(pn_credcvt(NULL, &kc, PN_FSCRED), PN_OK);
	CHECK(pn_cred_isfs(&kc));
	EQ(pn_cidcvt(e.mp, NULL, NULL), PN_EINVAL);
	EQ(pn_cidcvt(NULL, &kid, NULL), PN_OK);
	EQ(kid.pkcid_type, PN_CID_TYPE_FAKE);
	EQ(pn_cidcvt(NULL, &kid, (const struct pn_caller *)&e), PN_EINVAL);
	EQ(pn_makecn(e.mp, NULL, NULL, NULL, NULL, false), PN_EINVAL);
	env_fini(&e);
}

static void
strings(void)
{
	int i;

	CHECK(strcmp(pn_version(), PN_VERSION_STRING) == 0);
	for (i = 0; i <= PN_ELAST; i++)
		CHECK(pn_strerror(i) != NULL && strcmp(pn_strerror(i),
		    "unknown error") != 0);
	CHECK(strcmp(pn_strerror(-1), "unknown error") == 0);
	CHECK(strcmp(pn_strerror(PN_ELAST + 1), "unknown error") == 0);
}

/* ---- mount creation ---- */

static void
mount_validation(void)
{
	struct th_host th;
	struct pn_host_ops ops;
	struct pn_mount_args a;
	struct pn_mount *mp;
	size_t off;
	static const size_t mandatory[] = {
		offsetof(struct pn_host_ops, alloc),
		offsetof(struct pn_host_ops, free),
		offsetof(struct pn_host_ops, lock_init),
		offsetof(struct pn_host_ops, lock_fini),
		offsetof(struct pn_host_ops, lock_enter),
		offsetof(struct pn_host_ops, lock_exit),
		offsetof(struct pn_host_ops, cv_init),
		offsetof(struct pn_host_ops, cv_fini),
		offsetof(struct pn_host_ops, cv_wait),
		offsetof(struct pn_host_ops, cv_broadcast),
		offsetof(struct pn_host_ops, vnode_alloc),
		offsetof(struct pn_host_ops, vnode_free),
		offsetof(struct pn_host_ops, vnode_get),
		offsetof(struct pn_host_ops, vnode_rele),
		offsetof(struct pn_host_ops, vnode_setdata),
		offsetof(struct pn_host_ops, vnode_getdata),
		offsetof(struct pn_host_ops, vnode_setsize),
		offsetof(struct pn_host_ops, vnode_getsize),
	};
	size_t i;

	th_init(&th);
	for (i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
		ops = th.h_ops;
		off = mandatory[i];
		memset((char *)&ops + off, 0, sizeof(void (*)(void)));
		a = th_args(ROOT);
		mp = (struct pn_mount *)1;
		EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
		CHECK(mp == NULL);
	}
	ops = th.h_ops;
	a = th_args(ROOT);
	ops.version = 0;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	ops.version = PN_HOST_OPS_VERSION + 1;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	ops = th.h_ops;
	EQ(pn_mount_create(&ops, &th, NULL, &mp), PN_EINVAL);
	a.version = 0;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	a = th_args(ROOT);
	a.root_size = -1;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	a = th_args(ROOT);
	a.flags = 0x80;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	a = th_args(ROOT);
	a.root_type = PN_VBAD;
	EQ(pn_mount_create(&ops, &th, &a, &mp), PN_EINVAL);
	EQ(th_fini(&th), 0);
}

/* A host whose lock_init answers an error that is not a PN_E* code. */
static void
mount_odd_errors(void)
{
	static const int codes[] = { -1, PN_ELAST + 1, PN_EIO };
	struct pn_mount_args a = th_args(ROOT);
	struct th_host th;
	struct wraphost w;
	struct pn_mount *mp;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		th_init(&th);
		wh_init(&w, &th.h_ops, &th, 0);
		w.fail_code = codes[i];
		w.mask = 1u << WH_LOCK;
		wh_fail_at(&w, 3, false);
		EQ(pn_mount_create(&w.ops, &w, &a, &mp),
		    codes[i] == PN_EIO ? PN_EIO : PN_ENOMEM);
		EQ(wh_check(&w), 0);
		EQ(th_fini(&th), 0);
	}
}

/* A huge hint: the table is sized within its bound and the host refuses. */
static void
huge_hint(void)
{
	struct pn_mount_args a = th_args(ROOT);
	struct th_host th;
	struct wraphost w;
	struct pn_mount *mp;
	struct pn_table_stats ts;

	th_init(&th);
	wh_init(&w, &th.h_ops, &th, 0);
	/*
	 * The bound is 2^27 slots on 64-bit hosts, 2^20 on 32-bit ones: both
	 * tables are larger than 2 MiB, every other allocation is smaller.
	 */
	w.alloc_cap = (size_t)1 << 21;
	a.hash_hint = SIZE_MAX;
	EQ(pn_mount_create(&w.ops, &w, &a, &mp), PN_ENOMEM);
	a.hash_hint = 1000;
	EQ(pn_mount_create(&w.ops, &w, &a, &mp), PN_OK);
	EQ(pn_table_stats(mp, &ts), PN_OK);
	EQ(ts.buckets, 2048);
	EQ(pn_mount_destroy(mp), PN_OK);
	EQ(wh_check(&w), 0);
	EQ(th_fini(&th), 0);
}

/* ---- the minimal host: every optional member's default ---- */

static void
minimal_host(void)
{
	struct env e;
	struct pn_vnode *vp, *vp2;
	struct pn_node *pn;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_metacache mc;
	struct pn_cred cr = { .c_uid = 1 };
	struct pn_caller cl = { .l_pid = 9 };
	struct pn_bio bio = { 0 };
	struct pn_cn cn = { PN_NAMEI_CREATE, PN_CN_MAKEENTRY, "m", 1, &cr, &cl };
	int t;

	env_init(&e, WH_MINIMAL);
	for (t = PN_VREG; t < PN_VBAD; t++) {
		EQ(pn_getvnode(e.mp, 100 + (pn_cookie_t)t, t, 5, 9, &vp), PN_OK);
		th_vrele(&e.th, vp);
	}
	EQ(pn_newnode(e.mp, vp, 200, &cn, PN_VREG, 0, &vp2), PN_OK);
	th_vrele(&e.th, vp2);
	EQ(pn_cookie2vnode(e.mp, 200, PN_LOOKUP_LOCK, &vp2), PN_OK);
	pn = pn_vnode2node(e.mp, vp2);
	EQ(pn_updatevpsize(pn), PN_EOPNOTSUPP);
	EQ(pn_updatenode(pn, PN_UPDATE_MTIME | PN_UPDATE_CTIME), PN_OK);
	EQ(pn_metacache_take(pn, &mc), PN_OK);
	EQ(mc.mc_mtime.tv_sec, 0);
	EQ(pn_referencenode(pn), PN_OK);
	EQ(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_OK);
	th_vrele(&e.th, vp2);
	EQ(pn_credcvt(e.mp, &kc, &cr), PN_EOPNOTSUPP);
	EQ(pn_cidcvt(e.mp, &kid, &cl), PN_OK);
	EQ(kid.pkcid_type, PN_CID_TYPE_FAKE);
	/* Defaults: misbehaving reported through log (none), no bio_done. */
	EQ(pn_getvnode(e.mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	EQ(pn_parkdone_asyncbioread(e.mp, &bio, 0, NULL, 0, 0), PN_OK);
	EQ(pn_releasenode(pn), PN_EINVAL);
	/* Without yield, spin-waits pause: a drain gives slabs back. */
	CHECK(th_reclaim_unused(&e.th) > 0);
	EQ(pn_pool_drain(e.mp, NULL), PN_OK);
	env_fini(&e);
}

/* The full host's misbehaved default goes through log when absent. */
static void
misbehaved_via_log(void)
{
	struct env e;
	struct pn_vnode *vp;

	env_init(&e, 0);
	e.mp->mnt_ops.server_misbehaved = NULL;
	EQ(pn_getvnode(e.mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	EQ(atomic_load(&e.th.h_warns), 1);
	EQ(atomic_load(&e.th.h_misbehaved[PN_BAD_COOKIE_ZERO]), 0);
	env_fini(&e);
}

/* ---- unmount in the middle of things ---- */

static void
dying_midway(void)
{
	struct env e;
	struct pn_vnode *vp;
	struct pn_pool_stats ps;
	long before;

	env_init(&e, 0);
	/* pn_getvnode's check (1) passes, the locked re-check (2) fails. */
	atomic_store(&e.w.dying_calls, 0);
	atomic_store(&e.w.dying_after, 2);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	/* Both checks pass, the mount dies during the build (3). */
	before = atomic_load(&e.th.h_vfree);
	atomic_store(&e.w.dying_calls, 0);
	atomic_store(&e.w.dying_after, 3);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	EQ(atomic_load(&e.th.h_vfree), before + 1);
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.in_use, 0);
	/* Host dying from the first check on. */
	atomic_store(&e.w.dying_calls, 0);
	atomic_store(&e.w.dying_after, 1);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	EQ(pn_newnode(e.mp, NULL, 5, NULL, PN_VREG, 0, &vp), PN_ENXIO);
	atomic_store(&e.w.dying_after, 0);
	/* The drained mount refuses users and creates. */
	EQ(pn_mp_drain(e.mp), PN_OK);
	EQ(pn_mp_reference(e.mp), PN_ENXIO);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_ENXIO);
	EQ(pn_makeroot(e.mp, &vp), PN_ENXIO);
	env_fini(&e);
}

/* ---- failed assertions ---- */

static jmp_buf panic_jmp;
static atomic_int panic_calls;

static void
panic_jump(void *host, const char *what, const char *file, int line)
{
	(void)host;
	CHECK(what != NULL && file != NULL && line > 0);
	atomic_fetch_add(&panic_calls, 1);
	longjmp(panic_jmp, 1);
}

static void
panic_return(void *host, const char *what, const char *file, int line)
{
	(void)host;
	(void)what;
	(void)file;
	(void)line;
}

/*
 * A host whose lock_held says the core does not hold the mount lock when
 * it does: the first contract asserted stops the call, before anything
 * changed.  A device node, built behind a placeholder: no vnode is made
 * before the mount lock (a node built first would leave its vnode behind
 * when the test jumps out of the core).
 */
static void
lying_lock_held(void)
{
	struct env e;
	struct pn_table_stats ts;
	struct pn_vnode *vp = NULL;
	volatile int rv = -1;

	env_init(&e, 0);
	e.mp->mnt_ops.panic = panic_jump;
	atomic_store(&panic_calls, 0);
	atomic_store(&e.w.lie_held, true);
	if (setjmp(panic_jmp) == 0)
		rv = pn_getvnode(e.mp, 5, PN_VCHR, 0, 0, &vp);
	EQ(rv, -1);
	EQ(atomic_load(&panic_calls), 1);
	/* Stopped under the mount lock, nothing entered. */
	pni_h_exit(e.mp, e.mp->mnt_lock);
	atomic_store(&e.w.lie_held, false);
	EQ(pn_table_stats(e.mp, &ts), PN_OK);
	EQ(ts.entries, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	e.mp->mnt_ops.panic = NULL;
	env_fini(&e);
}

/* ---- table ---- */

/* Growth fails: inserts go on until one slot is left. */
static void
table_full(void)
{
	struct env e;
	struct pn_vnode *vp;
	struct pn_table_stats ts;
	struct pn_pool_stats ps;
	int i, rv = PN_OK;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 1000, PN_VREG, 0, 0, &vp), PN_OK);	/* a slab */
	th_vrele(&e.th, vp);
	e.w.alloc_cap = 64;
	for (i = 1; i < 20 && rv == PN_OK; i++) {
		rv = pn_getvnode(e.mp, 1000 + (pn_cookie_t)i, PN_VREG, 0, 0,
		    &vp);
		if (rv == PN_OK)
			th_vrele(&e.th, vp);
	}
	EQ(rv, PN_ENOMEM);
	EQ(pn_table_stats(e.mp, &ts), PN_OK);
	EQ(ts.buckets, 16);
	EQ(ts.entries, 15);
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.in_use, 15);
	e.w.alloc_cap = 0;
	/* With memory again, the table grows and everything is found. */
	EQ(pn_getvnode(e.mp, 2000, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	for (i = 0; i < 15; i++) {
		EQ(pn_cookie2vnode(e.mp, 1000 + (pn_cookie_t)i, 0, &vp), PN_OK);
		th_vrele(&e.th, vp);
	}
	/*
	 * A grower that finds the table grown by another meanwhile (its
	 * size no longer the one it saw) throws its new array away.
	 */
	EQ(pn_table_stats(e.mp, &ts), PN_OK);
	EQ(pni_table_grow(e.mp, ts.buckets / 2), PN_OK);
	{
		struct pn_table_stats ts2;

		EQ(pn_table_stats(e.mp, &ts2), PN_OK);
		EQ(ts2.buckets, ts.buckets);
		EQ(ts2.resizes, ts.resizes);
		EQ(ts2.entries, 16);
	}
	/* And one that sees its size grows it, entries kept. */
	EQ(pni_table_grow(e.mp, ts.buckets), PN_OK);
	EQ(pn_table_stats(e.mp, &ts), PN_OK);
	EQ(ts.buckets, 64);
	EQ(ts.entries, 16);
	for (i = 0; i < 15; i++) {
		EQ(pn_cookie2vnode(e.mp, 1000 + (pn_cookie_t)i, 0, &vp), PN_OK);
		th_vrele(&e.th, vp);
	}
	env_fini(&e);
}

/*
 * A failed assertion stops.  With a panic member, the host gets the
 * failure and must not return (here it jumps back to the test); without
 * one, or when it returns, the core logs at PN_LOG_PANIC and traps: run
 * in a child process, which must die of a signal.  Here the assertion is
 * the table's: removing a cookie that is not in it.
 */
/* Remove an absent cookie; returns only through the panic member. */
static void
remove_absent(struct env *e)
{
	pni_h_enter(e->mp, e->mp->mnt_lock);
	if (setjmp(panic_jmp) == 0)
		pni_table_remove(e->mp, 77, pni_cookie_hash(77));
	pni_h_exit(e->mp, e->mp->mnt_lock);
}

/*
 * In the child: the trap ends it.  A coverage build (PN_TEST_GCOV) writes
 * the counts of the path that trapped first, then exits with 99.
 */
#ifdef PN_TEST_GCOV
void	__gcov_dump(void);

static void
on_trap(int sig)
{
	(void)sig;
	__gcov_dump();
	_exit(99);
}
#endif

static bool
child_traps(struct env *e, void (*panic)(void *, const char *,
    const char *, int))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0) {
#ifdef PN_TEST_GCOV
		signal(SIGILL, on_trap);
		signal(SIGTRAP, on_trap);
#endif
		e->mp->mnt_ops.panic = panic;
		pni_h_enter(e->mp, e->mp->mnt_lock);
		pni_table_remove(e->mp, 77, pni_cookie_hash(77));
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && (WIFSIGNALED(st) ||
	    (WIFEXITED(st) && WEXITSTATUS(st) == 99));
}

static void
assertion_stops(void)
{
	struct env e;
	struct pn_table_stats ts;
	struct pn_vnode *vp;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	e.mp->mnt_ops.panic = panic_jump;
	atomic_store(&panic_calls, 0);
	remove_absent(&e);
	EQ(atomic_load(&panic_calls), 1);
	/* Nothing moved: the cookie that is there is still found. */
	EQ(pn_table_stats(e.mp, &ts), PN_OK);
	EQ(ts.entries, 1);
	th_vrele(&e.th, vp);
	EQ(pn_cookie2vnode(e.mp, 5, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	/* No panic member, or one that returns: the process traps. */
	CHECK(child_traps(&e, NULL));
	CHECK(child_traps(&e, panic_return));
	e.mp->mnt_ops.panic = NULL;
	env_fini(&e);
}

/*
 * Lookups meeting odd nodes: a FREE node whose entry is still in the
 * table (busy: no vnode for it) and a live node whose own cookie field
 * changes under them (lookups read the table, never the node: they keep
 * finding the vnode).
 */
struct flipper {
	struct env	*e;
	struct pn_node	*pn;
	atomic_bool	 stop;
	atomic_long	 flips;
};

static void *
unpublish_later(void *arg)
{
	struct flipper *f = arg;

	usleep(20000);
	pni_h_enter(f->e->mp, f->e->mp->mnt_lock);
	pni_table_remove(f->e->mp, 88, pni_cookie_hash(88));
	pni_h_exit(f->e->mp, f->e->mp->mnt_lock);
	return NULL;
}

static void *
flip_cookie(void *arg)
{
	struct flipper *f = arg;

	while (!atomic_load(&f->stop)) {
		__atomic_store_n(&f->pn->pn_cookie, 91, __ATOMIC_RELAXED);
		__atomic_store_n(&f->pn->pn_cookie, 90, __ATOMIC_RELAXED);
		atomic_fetch_add(&f->flips, 1);
	}
	return NULL;
}

static void
lookup_races(void)
{
	struct env e;
	struct flipper f = { .e = &e };
	struct pn_vnode *vp;
	struct pn_node *pn;
	pthread_t t;
	size_t hole;
	int i, rv;

	env_init(&e, 0);
	/* A FREE node left in a slot. */
	EQ(pni_pool_grow(e.mp), PN_OK);
	pni_h_enter(e.mp, e.mp->mnt_lock);
	CHECK(!pni_pool_needs_slab(&e.mp->mnt_pool));
	EQ(pni_pool_get(e.mp, &pn), PN_OK);
	pn->pn_cookie = 88;
	EQ(pni_table_reserve(e.mp), PN_OK);
	EQ(pni_table_find_locked(e.mp, 88, pni_cookie_hash(88), &hole), 0);
	pni_table_insert(e.mp, hole, 88, pni_cookie_hash(88),
	    (uintptr_t)pn | PNI_SLOT_BUILDING);
	pni_pool_put(e.mp, pn);
	pni_h_exit(e.mp, e.mp->mnt_lock);
	f.pn = pn;
	pthread_create(&t, NULL, unpublish_later, &f);
	EQ(pn_cookie2vnode(e.mp, 88, 0, &vp), PN_ENOENT);
	pthread_join(t, NULL);

	/* A live node whose cookie flips under the lookups. */
	EQ(pn_getvnode(e.mp, 90, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	f.pn = pn_vnode2node(e.mp, vp);
	pthread_create(&t, NULL, flip_cookie, &f);
	for (i = 0; i < 200000; i++) {
		struct pn_vnode *vp2;

		rv = pn_cookie2vnode(e.mp, 90, 0, &vp2);
		CHECK(rv == PN_OK || rv == PN_ENOENT);
		if (rv == PN_OK) {
			CHECK(vp2 == vp);
			th_vrele(&e.th, vp2);
		}
	}
	atomic_store(&f.stop, true);
	pthread_join(t, NULL);
	__atomic_store_n(&f.pn->pn_cookie, 90, __ATOMIC_RELAXED);
	env_fini(&e);
}

/*
 * A host whose vnodes sit at odd addresses breaks the table's encoding:
 * the build is refused with PN_EINVAL and a panic report, the vnode is
 * given back, and nothing is left in the table or the pool.
 */
static struct pn_host_ops odd_inner;

static int
odd_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct pn_vnode *vp;
	int error = odd_inner.vnode_alloc(host, type, &vp);

	if (error == PN_OK)
		*vpp = (struct pn_vnode *)(void *)((char *)vp + 1);
	return error;
}

static void
odd_vnode_free(void *host, struct pn_vnode *vp)
{
	odd_inner.vnode_free(host, (struct pn_vnode *)(void *)((char *)vp - 1));
}

static void
odd_vnodes(void)
{
	struct pn_mount_args a = th_args(ROOT);
	struct th_host th;
	struct wraphost w;
	struct pn_mount *mp;
	struct pn_vnode *vp = NULL;
	struct pn_pool_stats ps;
	struct pn_table_stats ts;

	th_init(&th);
	wh_init(&w, &th.h_ops, &th, 0);
	odd_inner = w.ops;
	w.ops.vnode_alloc = odd_vnode_alloc;
	w.ops.vnode_free = odd_vnode_free;
	EQ(pn_mount_create(&w.ops, &w, &a, &mp), PN_OK);
	th.h_mp = mp;
	EQ(pn_getvnode(mp, 7, PN_VREG, 0, 0, &vp), PN_EINVAL);
	CHECK(vp == NULL);
	EQ(atomic_load(&th.h_panics), 1);
	EQ(pn_cookie2vnode(mp, 7, 0, &vp), PN_ENOENT);
	EQ(pn_pool_stats(mp, &ps), PN_OK);
	EQ(ps.in_use, 0);
	EQ(pn_table_stats(mp, &ts), PN_OK);
	EQ(ts.entries, 0);
	atomic_store(&th.h_panics, 0);
	EQ(pn_mount_destroy(mp), PN_OK);
	EQ(wh_check(&w), 0);
	EQ(th_fini(&th), 0);
}

/* ---- pool ---- */

static void
destroy_hook(struct wraphost *w, struct pn_lock *lk)
{
	struct env *e = w->hook_arg;

	/* The first unlock of the walk: pn_pool_walk_begin's. */
	if (lk != e->mp->mnt_lock)
		return;
	w->exit_hook = NULL;
	/* Called right after the walk registered: no node, one walker. */
	EQ(pn_mount_destroy(e->mp), PN_EBUSY);
	EQ(pn_pool_drain(e->mp, NULL), PN_EBUSY);
}

static int
count_fn(struct pn_node *pn, void *arg)
{
	(void)pn;
	++*(int *)arg;
	return 0;
}

static void
pool_walk_busy(void)
{
	struct env e;
	struct pn_vnode *vp;
	size_t freed = 99;
	int n = 0;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	EQ(th_reclaim(&e.th, vp), PN_OK);
	e.w.hook_arg = &e;
	e.w.exit_hook = destroy_hook;
	EQ(pn_node_walk(e.mp, count_fn, &n), 0);
	EQ(n, 0);
	CHECK(e.w.exit_hook == NULL);
	EQ(pn_pool_drain(e.mp, &freed), PN_OK);
	EQ(freed, 1);
	EQ(pn_pool_drain(e.mp, &freed), PN_OK);
	EQ(freed, 0);
	env_fini(&e);
}

/* Slabs with live nodes stay; their free nodes stay usable. */
static void
pool_drain_partial(void)
{
	struct env e;
	struct pn_vnode *vp[300];
	struct pn_pool_stats ps;
	size_t freed;
	int i;

	env_init(&e, 0);
	for (i = 0; i < 300; i++) {
		EQ(pn_getvnode(e.mp, 10 + (pn_cookie_t)i, PN_VREG, 0, 0,
		    &vp[i]), PN_OK);
		th_vrele(&e.th, vp[i]);
	}
	for (i = 1; i < 300; i++)
		EQ(th_reclaim(&e.th, vp[i]), PN_OK);
	EQ(pn_pool_drain(e.mp, &freed), PN_OK);
	EQ(freed, 2);
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.slabs, 1);
	EQ(ps.in_use, 1);
	EQ(ps.free, (size_t)PNI_SLAB_NODES - 1);
	for (i = 1; i < 50; i++) {
		EQ(pn_getvnode(e.mp, 10 + (pn_cookie_t)i, PN_VREG, 0, 0,
		    &vp[i]), PN_OK);
		th_vrele(&e.th, vp[i]);
	}
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.slabs, 1);
	env_fini(&e);
}

/* ---- counters at their limits ---- */

static void
counter_limits(void)
{
	struct env e;
	struct pn_vnode *vp;
	struct pn_node *pn;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	pn = pn_vnode2node(e.mp, vp);
	atomic_store(&pn->pn_refs, UINT32_MAX);
	EQ(pn_referencenode(pn), PN_ERANGE);
	atomic_store(&pn->pn_refs, 1);
	e.mp->mnt_refcount = UINT32_MAX;
	EQ(pn_mp_reference(e.mp), PN_ERANGE);
	e.mp->mnt_refcount = 0;
	th_vrele(&e.th, vp);
	env_fini(&e);
}

/* ---- metadata cache ---- */

static void
metadata(void)
{
	static const struct {
		int64_t	sec, nsec;
		int64_t	wsec, wnsec;
	} clk[] = {
		{ 5, 7, 5, 7 },
		{ 5, -3, 5, 0 },
		{ 5, 2000000000, 5, 999999999 },
		{ -1, 500, -1, 500 },
		{ INT64_MAX, 0, INT64_MAX / 1000000000, INT64_MAX % 1000000000 },
		{ INT64_MIN, 0, INT64_MIN / 1000000000 - 1,
		  1000000000 + INT64_MIN % 1000000000 },
	};
	struct env e;
	struct pn_vnode *vp;
	struct pn_node *pn;
	struct pn_metacache mc;
	int64_t eob;
	size_t i;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 33, 0, &vp), PN_OK);
	pn = pn_vnode2node(e.mp, vp);
	for (i = 0; i < sizeof(clk) / sizeof(clk[0]); i++) {
		e.th.h_now.tv_sec = clk[i].sec;
		e.th.h_now.tv_nsec = clk[i].nsec;
		EQ(pn_gop_markupdate(pn, PN_GOP_UPDATE_ACCESSED |
		    PN_GOP_UPDATE_MODIFIED), PN_OK);
		EQ(pn_updatenode(pn, PN_UPDATE_CTIME), PN_OK);
		EQ(pn_metacache_take(pn, &mc), PN_OK);
		EQ(mc.mc_flags, PN_UPDATE_ATIME | PN_UPDATE_MTIME |
		    PN_UPDATE_CTIME);
		EQ(mc.mc_atime.tv_sec, clk[i].wsec);
		EQ(mc.mc_atime.tv_nsec, clk[i].wnsec);
		EQ(mc.mc_mtime.tv_sec, clk[i].wsec);
		EQ(mc.mc_ctime.tv_nsec, clk[i].wnsec);
	}
	EQ(pn_updatenode(pn, 0), PN_OK);
	EQ(pn_updatenode(pn, 0x100), PN_EINVAL);
	EQ(pn_gop_markupdate(pn, 0), PN_OK);
	EQ(pn_updatenode(pn, PN_UPDATE_SIZE), PN_OK);
	EQ(pn_metacache_take(pn, &mc), PN_OK);
	EQ(mc.mc_flags, PN_UPDATE_SIZE);
	EQ(mc.mc_size, 33);
	EQ(mc.mc_atime.tv_sec, 0);
	EQ(pn_metacache_take(pn, &mc), PN_OK);
	EQ(mc.mc_flags, 0);
	EQ(pn_gop_size(pn, 12, &eob, 0), PN_OK);
	EQ(eob, 12);
	EQ(pn_gop_size(pn, -12, &eob, 0), PN_EINVAL);
	EQ(eob, 0);
	/* A host whose getattr fails: the error, size kept. */
	e.w.mask = 1u << WH_GETATTR;
	wh_fail_at(&e.w, 1, false);
	EQ(pn_updatevpsize(pn), PN_EIO);
	wh_fail_at(&e.w, 0, false);
	/* Reclaimed, held by a request: times yes, size no. */
	EQ(pn_referencenode(pn), PN_OK);
	th_vrele(&e.th, vp);
	EQ(th_reclaim(&e.th, vp), PN_OK);
	EQ(pn_updatenode(pn, PN_UPDATE_ATIME), PN_OK);
	EQ(pn_updatenode(pn, PN_UPDATE_SIZE), PN_ENOENT);
	EQ(pn_updatevpsize(pn), PN_ENOENT);
	EQ(pn_metacache_take(pn, &mc), PN_OK);
	EQ(mc.mc_flags, PN_UPDATE_ATIME);
	EQ(pn_releasenode(pn), PN_OK);
	/* Freed: refused. */
	EQ(pn_updatenode(pn, PN_UPDATE_ATIME), PN_EINVAL);
	EQ(pn_node_revents(pn, &(int){ 0 }, false), PN_EINVAL);
	env_fini(&e);
}

/* ---- credentials ---- */

static void
credentials(void)
{
	struct pn_kcred reg = { PN_CRED_TYPE_UUC, 0,
	    { 100, 200, 2, { 300, 400 } } };
	struct pn_kcred root = { PN_CRED_TYPE_UUC, 0, { 0, 0, 0, { 0 } } };
	struct pn_kcred nocred = { PN_CRED_TYPE_INTERNAL, PN_CRED_NOCRED,
	    { 0, 0, 0, { 0 } } };
	struct pn_kcred fscred = { PN_CRED_TYPE_INTERNAL, PN_CRED_FSCRED,
	    { 0, 0, 0, { 0 } } };
	struct pn_kcred bad = { 99, 0, { 0, 0, 0, { 0 } } };
	struct pn_kcred badint = { PN_CRED_TYPE_INTERNAL, 7,
	    { 0, 0, 0, { 0 } } };
	struct pn_kcred badn = { PN_CRED_TYPE_UUC, 0,
	    { 1, 1, PN_NGROUPS + 1, { 0 } } };
	uint32_t id, g[4];
	size_t n;

	EQ(pn_cred_getuid(&reg, &id), PN_OK);
	EQ(id, 100);
	EQ(pn_cred_getgid(&reg, &id), PN_OK);
	EQ(id, 200);
	EQ(pn_cred_getuid(&reg, NULL), PN_EINVAL);
	EQ(pn_cred_getgid(&reg, NULL), PN_EINVAL);
	EQ(pn_cred_getuid(NULL, &id), PN_EINVAL);
	EQ(pn_cred_getuid(&nocred, &id), PN_EOPNOTSUPP);
	EQ(pn_cred_getgid(&fscred, &id), PN_EOPNOTSUPP);
	EQ(pn_cred_getuid(&bad, &id), PN_EINVAL);
	EQ(pn_cred_getuid(&badint, &id), PN_EINVAL);
	EQ(pn_cred_getuid(&badn, &id), PN_EINVAL);
	n = 4;
	EQ(pn_cred_getgroups(&reg, g, &n), PN_OK);
	EQ(n, 2);
	EQ(g[1], 400);
	n = 1;
	g[1] = 0;
	EQ(pn_cred_getgroups(&reg, g, &n), PN_OK);
	EQ(n, 2);
	EQ(g[1], 0);
	n = 0;
	EQ(pn_cred_getgroups(&reg, NULL, &n), PN_OK);
	EQ(n, 2);
	n = 1;
	EQ(pn_cred_getgroups(&reg, NULL, &n), PN_EINVAL);
	EQ(pn_cred_getgroups(&reg, g, NULL), PN_EINVAL);
	n = 4;
	EQ(pn_cred_getgroups(&nocred, g, &n), PN_EOPNOTSUPP);

	CHECK(pn_cred_isregular(&reg) && !pn_cred_isregular(&nocred) &&
	    !pn_cred_isregular(NULL) && !pn_cred_isregular(&badn));
	CHECK(pn_cred_iskernel(&nocred) && !pn_cred_iskernel(&fscred) &&
	    !pn_cred_iskernel(&reg) && !pn_cred_iskernel(NULL));
	CHECK(pn_cred_isfs(&fscred) && !pn_cred_isfs(&nocred) &&
	    !pn_cred_isfs(&reg) && !pn_cred_isfs(NULL));
	CHECK(pn_cred_isuid(&reg, 100) && !pn_cred_isuid(&reg, 101) &&
	    !pn_cred_isuid(&nocred, 0));
	CHECK(pn_cred_hasgroup(&reg, 200) && pn_cred_hasgroup(&reg, 400) &&
	    !pn_cred_hasgroup(&reg, 500) && !pn_cred_hasgroup(&fscred, 0));
	CHECK(pn_cred_isjuggernaut(&root) && pn_cred_isjuggernaut(&nocred) &&
	    pn_cred_isjuggernaut(&fscred) && !pn_cred_isjuggernaut(&reg));

	/* Owner, group, other; root; bad arguments. */
	EQ(pn_access(PN_VREG, 0640, 100, 1, PN_VREAD | PN_VWRITE, &reg), PN_OK);
	EQ(pn_access(PN_VREG, 0440, 100, 1, PN_VWRITE, &reg), PN_EACCES);
	EQ(pn_access(PN_VREG, 0040, 1, 400, PN_VREAD, &reg), PN_OK);
	EQ(pn_access(PN_VREG, 0400, 1, 200, PN_VREAD, &reg), PN_EACCES);
	EQ(pn_access(PN_VREG, 0001, 1, 1, PN_VEXEC, &reg), PN_OK);
	EQ(pn_access(PN_VREG, 0770, 1, 1, PN_VREAD, &reg), PN_EACCES);
	EQ(pn_access(PN_VREG, 0, 1, 1, PN_VREAD | PN_VWRITE, &root), PN_OK);
	EQ(pn_access(PN_VREG, 0644, 1, 1, PN_VEXEC, &root), PN_EACCES);
	EQ(pn_access(PN_VREG, 0100, 1, 1, PN_VEXEC, &nocred), PN_OK);
	EQ(pn_access(PN_VDIR, 0, 1, 1, PN_VEXEC, &fscred), PN_OK);
	EQ(pn_access(PN_VREG, 0777, 1, 1, PN_VREAD, NULL), PN_EINVAL);
	EQ(pn_access(PN_VNON, 0777, 1, 1, PN_VREAD, &reg), PN_EINVAL);
	EQ(pn_access(PN_VBAD, 0777, 1, 1, PN_VREAD, &reg), PN_EINVAL);
	EQ(pn_access(PN_VREG, 0777, 1, 1, 0x10, &reg), PN_EINVAL);
	EQ(pn_access(PN_VREG, 0777, 1, 1, PN_VREAD, &bad), PN_EINVAL);
}

/* Caller ids: a real one, one the host cannot name, a failing cred. */
static void
callers(void)
{
	struct env e;
	struct pn_kcid kid;
	struct pn_kcred kc;
	struct pn_kcn kcn;
	struct pn_cred cr = { .c_uid = 3 };
	struct pn_caller ok = { .l_pid = 10, .l_lwpid = 2 };
	struct pn_caller nope = { .l_fail = true };
	struct pn_cn cn = { PN_NAMEI_LOOKUP, 0, "c", 1, &cr, &ok };

	env_init(&e, 0);
	EQ(pn_cidcvt(e.mp, &kid, &ok), PN_OK);
	EQ(kid.pkcid_type, PN_CID_TYPE_REAL);
	EQ(kid.pkcid_lwpid, 2);
	EQ(pn_cidcvt(e.mp, &kid, &nope), PN_OK);
	EQ(kid.pkcid_type, PN_CID_TYPE_FAKE);
	EQ(pn_makecn(e.mp, &kcn, &kc, &kid, &cn, false), PN_OK);
	EQ(kc.pkcr_uuc.cr_uid, 3);
	EQ(pn_makecn(NULL, &kcn, &kc, &kid, &cn, false), PN_EINVAL);
	EQ(kid.pkcid_type, 0);
	CHECK(kcn.pkcn_name[0] == '\0');
	e.w.mask = 1u << WH_CRED;
	wh_fail_at(&e.w, 1, false);
	EQ(pn_makecn(e.mp, &kcn, &kc, NULL, &cn, false), PN_ENOMEM);
	wh_fail_at(&e.w, 0, false);
	env_fini(&e);
}

/*
 * Waits the core spins through: a grace period for a reader inside vnode_get, the unmount for its users; with
 * the host's yield and with the default pause.
 */
struct waiter {
	struct env	*e;
	struct pn_vnode	*vp;
	int		 rv;
};

static void *
lookup_main(void *arg)
{
	struct waiter *w = arg;
	struct pn_vnode *vp;

	w->rv = pn_cookie2vnode(w->e->mp, 5, 0, &vp);
	if (w->rv == PN_OK)
		th_vrele(&w->e->th, vp);
	return NULL;
}

static void *
reclaim_main(void *arg)
{
	struct waiter *w = arg;

	w->rv = th_reclaim(&w->e->th, w->vp);
	return NULL;
}

/*
 * A reclaimed node in limbo whose putvnode has not ended (it waits for a
 * lookup of the cookie inside vnode_get) stays there when the pool
 * collects, and comes back once putvnode is over.
 */
static void
limbo_in_flight(void)
{
	struct env e;
	struct waiter lw = { .e = &e }, rw = { .e = &e };
	struct pn_pool_stats ps;
	struct pn_vnode *vp;
	pthread_t lt, rt;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	atomic_store(&e.w.vget_delay_us, 200000);
	pthread_create(&lt, NULL, lookup_main, &lw);
	usleep(50000);			/* the lookup sleeps in vnode_get */
	rw.vp = vp;
	pthread_create(&rt, NULL, reclaim_main, &rw);
	usleep(50000);			/* putvnode waits for the lookup */
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.in_use, 1);		/* in limbo, not collected */
	pthread_join(lt, NULL);
	pthread_join(rt, NULL);
	atomic_store(&e.w.vget_delay_us, 0);
	EQ(rw.rv, PN_OK);
	EQ(lw.rv, PN_ENOENT);
	EQ(pn_pool_stats(e.mp, &ps), PN_OK);
	EQ(ps.in_use, 0);
	EQ(ps.free, ps.slabs * PNI_SLAB_NODES);	/* back on the free list */
	env_fini(&e);
}

static void *
drain_main(void *arg)
{
	struct waiter *w = arg;

	w->rv = pn_mp_drain(w->e->mp);
	return NULL;
}

static void
spin_waits(unsigned wflags)
{
	struct env e;
	struct waiter w = { .e = &e };
	struct pn_vnode *vp, *vp2;
	pthread_t t;
	size_t freed;
	int i;

	env_init(&e, wflags);
	/* A grace period waits for a lookup inside vnode_get. */
	for (i = 0; i < 200; i++) {
		EQ(pn_getvnode(e.mp, 10 + (pn_cookie_t)i, PN_VREG, 0, 0,
		    &vp2), PN_OK);
		th_vrele(&e.th, vp2);
	}
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	for (i = 0; i < 200; i++)
		CHECK(th_reclaim_unused(&e.th) >= 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	atomic_store(&e.w.vget_delay_us, 50000);
	pthread_create(&t, NULL, lookup_main, &w);
	usleep(10000);
	EQ(pn_pool_drain(e.mp, &freed), PN_OK);
	EQ(freed, 1);
	pthread_join(t, NULL);
	atomic_store(&e.w.vget_delay_us, 0);
	EQ(w.rv, PN_OK);

	/* The unmount waits for the mount's last user. */
	EQ(pn_mp_reference(e.mp), PN_OK);
	pthread_create(&t, NULL, drain_main, &w);
	usleep(20000);
	EQ(pn_mp_release(e.mp), PN_OK);
	pthread_join(t, NULL);
	EQ(w.rv, PN_OK);
	env_fini(&e);
}

/* More readers than read slots: the last ones wait for a slot. */
static void
readers_past_slots(void)
{
	enum { N = 40 };
	struct env e;
	struct waiter w[N];
	pthread_t t[N];
	struct pn_vnode *vp;
	int i;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	atomic_store(&e.w.vget_delay_us, 100000);
	for (i = 0; i < N; i++) {
		w[i].e = &e;
		pthread_create(&t[i], NULL, lookup_main, &w[i]);
	}
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		EQ(w[i].rv, PN_OK);
	}
	atomic_store(&e.w.vget_delay_us, 0);
	env_fini(&e);
}

/* Host misuse: putvnode of a vnode that is not its node's live vnode. */
static void
putvnode_not_live(void)
{
	struct env e;
	struct pn_vnode *vp, *foreign;
	struct pn_node *pn;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 5, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	pn = pn_vnode2node(e.mp, vp);
	EQ(e.th.h_ops.vnode_alloc(&e.th, PN_VREG, &foreign), PN_OK);
	foreign->v_data = pn;
	EQ(pn_putvnode(e.mp, foreign), PN_EINVAL);
	EQ(atomic_load(&e.th.h_panics), 1);
	/* The node, dead and held by a request. */
	EQ(pn_referencenode(pn), PN_OK);
	EQ(th_reclaim(&e.th, vp), PN_OK);
	EQ(pn_putvnode(e.mp, foreign), PN_EINVAL);
	EQ(atomic_load(&e.th.h_panics), 2);
	EQ(pn_releasenode(pn), PN_OK);
	foreign->v_data = NULL;
	e.th.h_ops.vnode_free(&e.th, foreign);
	/* A read completion whose host buffer is missing. */
	{
		struct pn_bio bio = { .b_bcount = 8 };

		EQ(pn_parkdone_asyncbioread(e.mp, &bio, 0, "12345678", 8, 0),
		    PN_EINVAL);
		EQ(bio.b_error, PN_EIO);
		EQ(bio.b_resid, 8);
		EQ(atomic_load(&e.th.h_misbehaved[PN_BAD_SIZE]), 0);
	}
	atomic_store(&e.th.h_panics, 0);
	env_fini(&e);
}

/*
 * A putvnode that meets its vnode between the publication (the table
 * entry swapped to the vnode) and the node's ACTIVE state waits for the
 * state instead of refusing.  White-box: the node is put back to
 * BUILDING for a moment, as its builder would have it.
 */
static void *
activate_later(void *arg)
{
	struct pn_node *pn = arg;

	usleep(20000);
	atomic_store(&pn->pn_word, PNI_ST_ACTIVE);
	return NULL;
}

static void
putvnode_meets_publication(void)
{
	struct env e;
	struct pn_vnode *vp;
	struct pn_node *pn;
	pthread_t t;

	env_init(&e, 0);
	EQ(pn_getvnode(e.mp, 6, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&e.th, vp);
	pn = pn_vnode2node(e.mp, vp);
	atomic_store(&pn->pn_word, PNI_ST_BUILDING);
	pthread_create(&t, NULL, activate_later, pn);
	EQ(th_reclaim(&e.th, vp), PN_OK);	/* waits for ACTIVE */
	pthread_join(t, NULL);
	EQ(atomic_load(&e.th.h_panics), 0);
	EQ(pn_cookie2vnode(e.mp, 6, 0, &vp), PN_ENOENT);
	env_fini(&e);
}

int
main(void)
{
	spin_waits(0);
	spin_waits(WH_MINIMAL);
	limbo_in_flight();
	readers_past_slots();
	putvnode_not_live();
	putvnode_meets_publication();
	strings();
	null_arguments();
	mount_validation();
	mount_odd_errors();
	huge_hint();
	minimal_host();
	misbehaved_via_log();
	dying_midway();
	lying_lock_held();
	table_full();
	assertion_stops();
	lookup_races();
	odd_vnodes();
	pool_walk_busy();
	pool_drain_partial();
	counter_limits();
	metadata();
	credentials();
	callers();
	if (failures != 0) {
		fprintf(stderr, "edges: %d failures\n", failures);
		return 1;
	}
	printf("edges: all passed\n");
	return 0;
}
