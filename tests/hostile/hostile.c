/*
 * hostile.c -- the hostile-server table: one test per bad input.
 *
 * The file server is untrusted and the host can misuse the library.  Each
 * case below asserts the exact answer, the report to the host where there
 * is one, and that nothing was lost or corrupted: the live nodes set up by
 * the fixture are still in the table, still found by lookup with the same
 * vnode and generation, the pool counts only them, and the mount still
 * destroys cleanly with the host's books balanced.
 *
 *  case                                       answer
 *  ----                                       ------
 *  getvnode cookie 0                          PN_EINVAL, misbehaved COOKIE_ZERO
 *  newnode cookie 0                           PN_EOPNOTSUPP (server cannot)
 *  cookie2vnode cookie 0                      PN_EINVAL
 *  newnode with the root cookie               PN_EEXIST, misbehaved COOKIE_ROOT
 *  newnode with a live node's cookie          PN_EEXIST, misbehaved COOKIE_DUP
 *                                             (cookie reported), node untouched
 *  cookie2vnode of a node being reclaimed     PN_ENOENT
 *  getvnode of a node being reclaimed         waits for the reclaim, then a new
 *                                             node with a newer generation
 *  newnode of a node being reclaimed          waits, then PN_OK (a new node)
 *  node type < 0, PN_VNON, PN_VBAD, large     PN_EINVAL, misbehaved VTYPE
 *  mount with a bad root type or cookie 0     PN_EINVAL
 *  component name >= PN_KCN_NAMELEN           PN_ENAMETOOLONG, output zeroed
 *  full path >= PN_KCN_NAMELEN                PN_ENAMETOOLONG, output zeroed
 *  full path of PN_KCN_NAMELEN - 1            PN_OK, terminated
 *  empty component name                       PN_EINVAL
 *  component with an embedded NUL             PN_EINVAL
 *  more groups than PN_NGROUPS                PN_ERANGE, output zeroed
 *  read residual > buffer                     PN_EINVAL, misbehaved RESID,
 *                                             bio done with PN_EIO, buffer intact
 *  read residual < 0                          PN_EINVAL, misbehaved SIZE, PN_EIO
 *  read answer shorter than claimed           PN_EINVAL, misbehaved SIZE, PN_EIO
 *  read error from the server                 PN_OK, bio done with that error
 *  getvnode size < 0                          PN_EINVAL, misbehaved SIZE
 *  updatevpsize answer < -1                   PN_EINVAL, misbehaved SIZE, size kept
 *  updatevpsize answer -1 (unknown)           PN_OK, size kept
 *  poll answer for a node already reclaimed   PN_OK, no notify, node freed
 *  poll events outside PN_POLL_ALL            PN_EINVAL, misbehaved EVENTS,
 *                                             known bits | POLLERR kept, ref dropped
 *  poll answer with an error                  PN_OK, POLLERR
 *  release of a live node's last reference    PN_EINVAL, panic logged, refs kept
 *  release / reference of a freed node        PN_EINVAL, panic logged
 *  mount release below zero                   PN_EINVAL, panic logged
 *  putvnode twice, or of a foreign vnode      PN_EINVAL
 *  destroy with live nodes                    PN_EBUSY
 *  destroy with a mount reference             PN_EBUSY
 *  destroy with a request holding a dead node PN_EBUSY
 *  destroy during a node walk                 PN_EBUSY
 *  calls after a refused destroy              work; the mount then destroys
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testhost.h"

#define ROOT	((pn_cookie_t)1)
#define NLIVE	3

struct fx {
	struct th_host	 th;
	struct pn_mount	*mp;
	pn_cookie_t	 c[NLIVE];
	struct pn_vnode	*vp[NLIVE];
	uint64_t	 gen[NLIVE];
	long		 panics;	/* panics the case expects */
	size_t		 extra;		/* nodes the case leaves in the table */
};

static int
setup(void **state)
{
	static struct fx f;
	struct pn_mount_args a = th_args(ROOT);
	int i;

	memset(&f, 0, sizeof(f));
	th_init(&f.th);
	assert_int_equal(th_mount(&f.th, &a), PN_OK);
	f.mp = f.th.h_mp;
	for (i = 0; i < NLIVE; i++) {
		f.c[i] = 10 + (pn_cookie_t)i;
		assert_int_equal(pn_getvnode(f.mp, f.c[i], PN_VREG, 100, 0,
		    &f.vp[i]), PN_OK);
		f.gen[i] = pn_node_gen(pn_vnode2node(f.mp, f.vp[i]));
		th_vrele(&f.th, f.vp[i]);
	}
	*state = &f;
	return 0;
}

/* The fixture's nodes are intact and nothing else is counted. */
static void
intact(struct fx *f)
{
	struct pn_table_stats ts;
	struct pn_pool_stats ps;
	struct pn_vnode *vp;
	int i;

	for (i = 0; i < NLIVE; i++) {
		assert_int_equal(pn_cookie2vnode(f->mp, f->c[i], 0, &vp),
		    PN_OK);
		assert_ptr_equal(vp, f->vp[i]);
		assert_int_equal(pn_node_gen(pn_vnode2node(f->mp, vp)),
		    f->gen[i]);
		assert_int_equal(pn_node_refs(pn_vnode2node(f->mp, vp)), 1);
		assert_int_equal(th_vstate(&f->th, vp), TH_VN_ACTIVE);
		th_vrele(&f->th, vp);
	}
	assert_int_equal(pn_table_stats(f->mp, &ts), PN_OK);
	assert_int_equal(ts.entries, NLIVE + f->extra);
	assert_int_equal(pn_pool_stats(f->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, NLIVE + f->extra);
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	struct pn_pool_stats ps;

	intact(f);
	assert_int_equal(atomic_load(&f->th.h_panics), f->panics);
	th_reclaim_unused(&f->th);
	assert_int_equal(pn_pool_stats(f->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(pn_mount_destroy(f->mp), PN_OK);
	assert_int_equal(atomic_load(&f->th.h_valloc),
	    atomic_load(&f->th.h_vfree) + atomic_load(&f->th.h_vreclaimed));
	assert_int_equal(th_fini(&f->th), 0);
	return 0;
}

static long
misbehaved(struct fx *f, int reason)
{
	return atomic_load(&f->th.h_misbehaved[reason]);
}

/* ---- cookies ---- */

static void
zero_cookie(void **state)
{
	struct fx *f = *state;
	struct pn_cn cn = { PN_NAMEI_CREATE, 0, "z", 1, PN_NOCRED, NULL };
	struct pn_vnode *vp = (struct pn_vnode *)1;

	assert_int_equal(pn_getvnode(f->mp, 0, PN_VREG, 0, 0, &vp), PN_EINVAL);
	assert_null(vp);
	assert_int_equal(misbehaved(f, PN_BAD_COOKIE_ZERO), 1);
	assert_int_equal(pn_newnode(f->mp, NULL, 0, &cn, PN_VREG, 0, &vp),
	    PN_EOPNOTSUPP);
	assert_null(vp);
	assert_int_equal(pn_cookie2vnode(f->mp, 0, 0, &vp), PN_EINVAL);
	assert_null(vp);
}

static void
root_cookie_reused(void **state)
{
	struct fx *f = *state;
	struct pn_cn cn = { PN_NAMEI_CREATE, 0, "r", 1, PN_NOCRED, NULL };
	struct pn_vnode *vp, *root;

	/* Root not built yet, then built. */
	assert_int_equal(pn_newnode(f->mp, NULL, ROOT, &cn, PN_VDIR, 0, &vp),
	    PN_EEXIST);
	assert_null(vp);
	assert_int_equal(misbehaved(f, PN_BAD_COOKIE_ROOT), 1);
	assert_int_equal(pn_makeroot(f->mp, &root), PN_OK);
	assert_int_equal(pn_newnode(f->mp, NULL, ROOT, &cn, PN_VDIR, 0, &vp),
	    PN_EEXIST);
	assert_int_equal(misbehaved(f, PN_BAD_COOKIE_ROOT), 2);
	assert_int_equal(atomic_load(&f->th.h_lastcookie), ROOT);
	assert_int_equal(pn_cookie2vnode(f->mp, ROOT, 0, &vp), PN_OK);
	assert_ptr_equal(vp, root);
	th_vrele(&f->th, vp);
	th_vrele(&f->th, root);
	f->extra = 1;
}

static void
duplicate_cookie(void **state)
{
	struct fx *f = *state;
	struct pn_cn cn = { PN_NAMEI_CREATE, PN_CN_MAKEENTRY, "d", 1,
	    PN_NOCRED, NULL };
	struct pn_vnode *vp = (struct pn_vnode *)1;
	long nc = atomic_load(&f->th.h_namecache);

	assert_int_equal(pn_newnode(f->mp, NULL, f->c[1], &cn, PN_VDIR, 0,
	    &vp), PN_EEXIST);
	assert_null(vp);
	assert_int_equal(misbehaved(f, PN_BAD_COOKIE_DUP), 1);
	assert_int_equal(atomic_load(&f->th.h_lastreason), PN_BAD_COOKIE_DUP);
	assert_int_equal(atomic_load(&f->th.h_lastcookie), f->c[1]);
	assert_int_equal(atomic_load(&f->th.h_namecache), nc);
	/* The vnode reference the check took was given back. */
	assert_int_equal(th_vusecount(&f->th, f->vp[1]), 0);
	assert_int_equal(pn_node_type(pn_vnode2node(f->mp, f->vp[1])),
	    PN_VREG);
}

struct racer {
	struct fx	*f;
	pn_cookie_t	 c;
	bool		 create_only;
	int		 rv;
	struct pn_vnode	*vp;
	atomic_bool	 done;
};

static void *
racer_main(void *arg)
{
	struct racer *r = arg;
	struct pn_cn cn = { PN_NAMEI_CREATE, 0, "w", 1, PN_NOCRED, NULL };

	if (r->create_only)
		r->rv = pn_newnode(r->f->mp, NULL, r->c, &cn, PN_VREG, 0,
		    &r->vp);
	else
		r->rv = pn_getvnode(r->f->mp, r->c, PN_VREG, 0, 0, &r->vp);
	atomic_store(&r->done, true);
	return NULL;
}

static void
reclaiming_cookie(struct fx *f, bool create_only)
{
	struct racer r = { .f = f, .c = 20, .create_only = create_only };
	struct pn_vnode *vp, *old;
	uint64_t oldgen;
	pthread_t t;

	assert_int_equal(pn_getvnode(f->mp, 20, PN_VREG, 0, 0, &old), PN_OK);
	oldgen = pn_node_gen(pn_vnode2node(f->mp, old));
	th_vrele(&f->th, old);
	th_reclaim_begin(&f->th, old);

	/* A lookup never returns a vnode being reclaimed. */
	vp = (struct pn_vnode *)1;
	assert_int_equal(pn_cookie2vnode(f->mp, 20, 0, &vp), PN_ENOENT);
	assert_null(vp);

	/* get-or-create (or create-only) waits for the reclaim to end. */
	assert_int_equal(pthread_create(&t, NULL, racer_main, &r), 0);
	usleep(50000);
	assert_false(atomic_load(&r.done));
	assert_int_equal(th_reclaim_finish(&f->th, old), PN_OK);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.rv, PN_OK);
	assert_non_null(r.vp);
	assert_int_equal(pn_node_cookie(pn_vnode2node(f->mp, r.vp)), 20);
	assert_true(pn_node_gen(pn_vnode2node(f->mp, r.vp)) > oldgen);
	assert_int_equal(th_vstate(&f->th, r.vp), TH_VN_ACTIVE);
	if (create_only)
		th_vunlock(&f->th, r.vp);
	th_vrele(&f->th, r.vp);
	f->extra = 1;
}

static void
reclaiming_getvnode(void **state)
{
	reclaiming_cookie(*state, false);
}

static void
reclaiming_newnode(void **state)
{
	reclaiming_cookie(*state, true);
}

/* ---- types ---- */

static void
invalid_types(void **state)
{
	static const int bad[] = { -1, PN_VNON, PN_VBAD, 1000, -2147483647 - 1 };
	struct fx *f = *state;
	struct pn_cn cn = { PN_NAMEI_CREATE, 0, "t", 1, PN_NOCRED, NULL };
	struct pn_mount_args a = th_args(ROOT);
	struct pn_mount *mp2 = (struct pn_mount *)1;
	struct pn_vnode *vp;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vp = (struct pn_vnode *)1;
		assert_int_equal(pn_getvnode(f->mp, 30, bad[i], 0, 0, &vp),
		    PN_EINVAL);
		assert_null(vp);
		assert_int_equal(pn_newnode(f->mp, NULL, 31, &cn, bad[i], 0,
		    &vp), PN_EINVAL);
		/* Not even for a live node's cookie. */
		assert_int_equal(pn_getvnode(f->mp, f->c[0], bad[i], 0, 0,
		    &vp), PN_EINVAL);
		a.root_type = bad[i];
		assert_int_equal(pn_mount_create(&f->th.h_ops, &f->th, &a,
		    &mp2), PN_EINVAL);
		assert_null(mp2);
	}
	assert_int_equal(misbehaved(f, PN_BAD_VTYPE), 15);
	a = th_args(0);
	assert_int_equal(pn_mount_create(&f->th.h_ops, &f->th, &a, &mp2),
	    PN_EINVAL);
}

/* ---- names and credentials ---- */

static void
names(void **state)
{
	static char path[3 * PN_KCN_NAMELEN];
	struct fx *f = *state;
	struct pn_kcn kcn;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_cn cn = { PN_NAMEI_LOOKUP, 0, path, 0, PN_NOCRED, NULL };
	static const struct pn_kcn zero;

	memset(path, 'a', sizeof(path) - 1);

	/* A component longer than the wire buffer. */
	cn.cn_namelen = PN_KCN_NAMELEN;
	memset(&kcn, 0x5a, sizeof(kcn));
	assert_int_equal(pn_makecn(f->mp, &kcn, &kc, &kid, &cn, false),
	    PN_ENAMETOOLONG);
	assert_memory_equal(&kcn, &zero, sizeof(kcn));
	cn.cn_namelen = 2 * PN_KCN_NAMELEN;
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, true),
	    PN_ENAMETOOLONG);

	/* A short component, the full path longer than the buffer. */
	cn.cn_namelen = 4;
	memset(&kcn, 0x5a, sizeof(kcn));
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, true),
	    PN_ENAMETOOLONG);
	assert_memory_equal(&kcn, &zero, sizeof(kcn));
	/* ... while the component alone fits. */
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, false),
	    PN_OK);
	assert_string_equal(kcn.pkcn_name, "aaaa");

	/* A full path of exactly PN_KCN_NAMELEN - 1 fits, terminated. */
	path[PN_KCN_NAMELEN - 1] = '\0';
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, true), PN_OK);
	assert_int_equal(strlen(kcn.pkcn_name), PN_KCN_NAMELEN - 1);
	assert_int_equal(kcn.pkcn_namelen, 4);
	path[PN_KCN_NAMELEN - 1] = 'a';

	/* Empty, embedded NUL, missing. */
	cn.cn_namelen = 0;
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, false),
	    PN_EINVAL);
	cn.cn_nameptr = "ab\0cd";
	cn.cn_namelen = 5;
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, false),
	    PN_EINVAL);
	assert_memory_equal(&kcn, &zero, sizeof(kcn));
	cn.cn_nameptr = NULL;
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, &cn, false),
	    PN_EINVAL);
	assert_int_equal(pn_makecn(f->mp, &kcn, NULL, NULL, NULL, false),
	    PN_EINVAL);
}

static void
too_many_groups(void **state)
{
	struct fx *f = *state;
	struct pn_cred cr = { .c_uid = 5, .c_gid = 6 };
	struct pn_kcred kc, zero;
	struct pn_kcn kcn;
	struct pn_cn cn = { PN_NAMEI_LOOKUP, 0, "g", 1, &cr, NULL };
	size_t i;

	for (i = 0; i < 64; i++)
		cr.c_groups[i] = (uint32_t)(100 + i);
	memset(&zero, 0, sizeof(zero));
	cr.c_ngroups = PN_NGROUPS + 1;
	memset(&kc, 0x5a, sizeof(kc));
	assert_int_equal(pn_credcvt(f->mp, &kc, &cr), PN_ERANGE);
	assert_memory_equal(&kc, &zero, sizeof(kc));
	cr.c_ngroups = 64;
	assert_int_equal(pn_credcvt(f->mp, &kc, &cr), PN_ERANGE);
	assert_int_equal(pn_makecn(f->mp, &kcn, &kc, NULL, &cn, false),
	    PN_ERANGE);
	assert_memory_equal(&kc, &zero, sizeof(kc));
	assert_int_equal(kcn.pkcn_name[0], '\0');
	/* Exactly what the wire holds. */
	cr.c_ngroups = PN_NGROUPS;
	assert_int_equal(pn_credcvt(f->mp, &kc, &cr), PN_OK);
	assert_int_equal(kc.pkcr_uuc.cr_ngroups, PN_NGROUPS);
	assert_int_equal(kc.pkcr_uuc.cr_groups[PN_NGROUPS - 1],
	    100 + PN_NGROUPS - 1);
}

/* ---- sizes and residuals ---- */

static void
bio_residuals(void **state)
{
	struct fx *f = *state;
	struct pn_bio bio;
	char buf[16], data[32];
	long done = atomic_load(&f->th.h_bio_done);

	memset(data, 'd', sizeof(data));
	memset(&bio, 0, sizeof(bio));
	memset(buf, 'b', sizeof(buf));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);

	/* Residual larger than the buffer. */
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, data,
	    sizeof(data), (int64_t)sizeof(buf) + 1), PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_RESID), 1);
	assert_int_equal(bio.b_error, PN_EIO);
	assert_true(bio.b_flags & PN_B_ERROR);
	assert_int_equal(bio.b_resid, sizeof(buf));
	assert_int_equal(atomic_load(&f->th.h_bio_done), done + 1);
	assert_int_equal(buf[0], 'b');
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, data,
	    sizeof(data), INT64_MAX), PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_RESID), 2);

	/* Negative residual. */
	memset(&bio, 0, sizeof(bio));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, data,
	    sizeof(data), -1), PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_SIZE), 1);
	assert_int_equal(bio.b_error, PN_EIO);
	assert_int_equal(buf[0], 'b');

	/* An answer shorter than the residual claims. */
	memset(&bio, 0, sizeof(bio));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, data, 4, 0),
	    PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_SIZE), 2);
	assert_int_equal(bio.b_error, PN_EIO);
	assert_int_equal(buf[0], 'b');
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, NULL, 0, 0),
	    PN_EINVAL);

	/* The server's own error completes the buffer with it. */
	memset(&bio, 0, sizeof(bio));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, PN_EACCES,
	    NULL, 0, 0), PN_OK);
	assert_int_equal(bio.b_error, PN_EACCES);
	assert_int_equal(bio.b_resid, sizeof(buf));

	/* A good answer, partly read. */
	memset(&bio, 0, sizeof(bio));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);
	assert_int_equal(pn_parkdone_asyncbioread(f->mp, &bio, 0, data, 12, 4),
	    PN_OK);
	assert_int_equal(bio.b_resid, 4);
	assert_int_equal(buf[11], 'd');
	assert_int_equal(buf[12], 'b');
}

static void
negative_sizes(void **state)
{
	struct fx *f = *state;
	struct pn_vnode *vp = (struct pn_vnode *)1;
	struct pn_node *pn = pn_vnode2node(f->mp, f->vp[0]);

	assert_int_equal(pn_getvnode(f->mp, 40, PN_VREG, -1, 0, &vp),
	    PN_EINVAL);
	assert_null(vp);
	assert_int_equal(pn_getvnode(f->mp, 40, PN_VREG, INT64_MIN, 0, &vp),
	    PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_SIZE), 2);

	/* The server answers a negative size: refused, size kept. */
	th_vref(&f->th, f->vp[0]);
	f->vp[0]->v_attrsize = -5;
	assert_int_equal(pn_updatevpsize(pn), PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_SIZE), 3);
	assert_int_equal(f->vp[0]->v_size, 100);
	f->vp[0]->v_attrsize = INT64_MIN;
	assert_int_equal(pn_updatevpsize(pn), PN_EINVAL);
	assert_int_equal(f->vp[0]->v_size, 100);
	/* -1: unknown, size kept. */
	f->vp[0]->v_attrsize = -1;
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(f->vp[0]->v_size, 100);
	f->vp[0]->v_attrsize = 7;
	assert_int_equal(pn_updatevpsize(pn), PN_OK);
	assert_int_equal(f->vp[0]->v_size, 7);
	th_vrele(&f->th, f->vp[0]);
}

/* ---- completions ---- */

static void
poll_after_reclaim(void **state)
{
	struct fx *f = *state;
	struct pn_pool_stats ps;
	struct pn_vnode *vp;
	struct pn_node *pn;
	long notes = atomic_load(&f->th.h_poll_notify);

	assert_int_equal(pn_getvnode(f->mp, 50, PN_VFIFO, 0, 0, &vp), PN_OK);
	pn = pn_vnode2node(f->mp, vp);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&f->th, vp);
	assert_int_equal(th_reclaim(&f->th, vp), PN_OK);
	/* The request's reference keeps the node, out of the table. */
	assert_int_equal(pn_pool_stats(f->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, NLIVE + 1);
	assert_null(pn_node_vnode(pn));
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_OK);
	assert_int_equal(atomic_load(&f->th.h_poll_notify), notes);
	assert_int_equal(pn_pool_stats(f->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, NLIVE);
	/* A second answer for the same request: the node is gone. */
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_EINVAL);
}

static void
poll_bad_events(void **state)
{
	struct fx *f = *state;
	struct pn_node *pn = pn_vnode2node(f->mp, f->vp[2]);
	int ev;

	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, 0x10000 | PN_POLLIN),
	    PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_EVENTS), 1);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(pn_node_revents(pn, &ev, true), PN_OK);
	assert_int_equal(ev, PN_POLLIN | PN_POLLERR);
	assert_int_equal(f->vp[2]->v_revents, PN_POLLIN | PN_POLLERR);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, -1), PN_EINVAL);
	assert_int_equal(misbehaved(f, PN_BAD_EVENTS), 2);
	assert_int_equal(pn_node_revents(pn, &ev, true), PN_OK);
	assert_int_equal(ev, PN_POLL_ALL);
	/* The server's error is POLLERR. */
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, PN_EIO, PN_POLLOUT), PN_OK);
	assert_int_equal(pn_node_revents(pn, &ev, true), PN_OK);
	assert_int_equal(ev, PN_POLLERR);
}

/* ---- references ---- */

static void
refcount_underflow(void **state)
{
	struct fx *f = *state;
	struct pn_node *pn = pn_vnode2node(f->mp, f->vp[0]), *dead;
	struct pn_vnode *vp;

	/* The vnode's own reference cannot be released by a request. */
	assert_int_equal(pn_releasenode(pn), PN_EINVAL);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(atomic_load(&f->th.h_panics), 1);

	/* A node back in the pool. */
	assert_int_equal(pn_getvnode(f->mp, 60, PN_VREG, 0, 0, &vp), PN_OK);
	dead = pn_vnode2node(f->mp, vp);
	th_vrele(&f->th, vp);
	assert_int_equal(th_reclaim(&f->th, vp), PN_OK);
	assert_int_equal(pn_releasenode(dead), PN_EINVAL);
	assert_int_equal(pn_referencenode(dead), PN_EINVAL);
	assert_int_equal(atomic_load(&f->th.h_panics), 3);

	/* The mount's user count. */
	assert_int_equal(pn_mp_release(f->mp), PN_EINVAL);
	assert_int_equal(atomic_load(&f->th.h_panics), 4);
	f->panics = 4;
}

static void
putvnode_misuse(void **state)
{
	struct fx *f = *state;
	struct pn_vnode *vp, *foreign;
	long panics;

	assert_int_equal(pn_getvnode(f->mp, 70, PN_VREG, 0, 0, &vp), PN_OK);
	th_vrele(&f->th, vp);
	th_reclaim_begin(&f->th, vp);
	assert_int_equal(pn_putvnode(f->mp, vp), PN_OK);
	panics = atomic_load(&f->th.h_panics);
	/* A second putvnode: refused and reported, as the host is confused. */
	assert_int_equal(pn_putvnode(f->mp, vp), PN_EINVAL);
	assert_int_equal(atomic_load(&f->th.h_panics), panics + 1);
	/* Free the host's side without a second putvnode. */
	f->th.h_ops.vnode_free(&f->th, vp);
	atomic_fetch_sub(&f->th.h_vfree, 1);
	atomic_fetch_add(&f->th.h_vreclaimed, 1);

	/* A vnode with no node. */
	assert_int_equal(f->th.h_ops.vnode_alloc(&f->th, PN_VREG, &foreign),
	    PN_OK);
	assert_int_equal(pn_putvnode(f->mp, foreign), PN_EINVAL);
	assert_int_equal(atomic_load(&f->th.h_panics), panics + 2);
	f->panics = panics + 2;
	assert_null(pn_vnode2node(f->mp, foreign));
	f->th.h_ops.vnode_free(&f->th, foreign);
	assert_int_equal(pn_putvnode(f->mp, NULL), PN_EINVAL);
	assert_int_equal(pn_putvnode(NULL, f->vp[0]), PN_EINVAL);
}

/* ---- destroying a busy mount ---- */

static int
destroy_in_walk(struct pn_node *pn, void *arg)
{
	struct fx *f = arg;

	(void)pn;
	assert_int_equal(pn_mount_destroy(f->mp), PN_EBUSY);
	return 7;
}

static void
destroy_busy(void **state)
{
	struct fx *f = *state;
	struct pn_vnode *vp;
	struct pn_node *pn;
	int i;

	/* Live nodes. */
	assert_int_equal(pn_mount_destroy(f->mp), PN_EBUSY);
	intact(f);
	/* A walk in progress. */
	assert_int_equal(pn_node_walk(f->mp, destroy_in_walk, f), 7);
	intact(f);

	/* No node, but a mount reference. */
	for (i = 0; i < NLIVE; i++)
		assert_int_equal(th_reclaim(&f->th, f->vp[i]), PN_OK);
	assert_int_equal(pn_mp_reference(f->mp), PN_OK);
	assert_int_equal(pn_mount_destroy(f->mp), PN_EBUSY);
	assert_int_equal(pn_mp_release(f->mp), PN_OK);

	/* No node in the table, but a request holds a dead one. */
	assert_int_equal(pn_getvnode(f->mp, 80, PN_VREG, 0, 0, &vp), PN_OK);
	pn = pn_vnode2node(f->mp, vp);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&f->th, vp);
	assert_int_equal(th_reclaim(&f->th, vp), PN_OK);
	assert_int_equal(pn_mount_destroy(f->mp), PN_EBUSY);
	assert_int_equal(pn_releasenode(pn), PN_OK);

	/* Calls after a refused destroy: the mount keeps working. */
	for (i = 0; i < NLIVE; i++) {
		assert_int_equal(pn_getvnode(f->mp, f->c[i], PN_VREG, 100, 0,
		    &f->vp[i]), PN_OK);
		f->gen[i] = pn_node_gen(pn_vnode2node(f->mp, f->vp[i]));
		th_vrele(&f->th, f->vp[i]);
	}
	assert_true(atomic_load(&f->th.h_warns) >= 4);
	/* The teardown then destroys it cleanly. */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(zero_cookie),
		T(root_cookie_reused),
		T(duplicate_cookie),
		T(reclaiming_getvnode),
		T(reclaiming_newnode),
		T(invalid_types),
		T(names),
		T(too_many_groups),
		T(bio_residuals),
		T(negative_sizes),
		T(poll_after_reclaim),
		T(poll_bad_events),
		T(refcount_underflow),
		T(putvnode_misuse),
		T(destroy_busy),
#undef T
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
