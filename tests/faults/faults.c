/*
 * faults.c -- the fault-injection sweep.
 *
 * A scripted workload (mount, root, a node of every type including a
 * character device with an alias, new nodes, table growth past several
 * resizes, lookups, credentials and component names, a size refresh,
 * completions, reclaims, a pool limit and drain, unmount) runs over the
 * wrapping host (wraphost.c), which wraps the test host's table as
 * pn_mount_host() hands it out.  Run N fails the N-th fallible host call;
 * N goes 1, 2, ... until a run completes with no fault hit.  The sweep is
 * done once with single faults and once with faults that never stop, over
 * the full host and over a minimal one (every optional member NULL).
 *
 * After every step: a call that failed returned a PN_E* code and had a
 * fault injected during it (no call fails on its own), the cookie table,
 * the node walk, the pool and the host's vnodes all agree with the
 * workload's model of the live nodes, and no panic was logged.  At the
 * end of every run, everything is reclaimed, the mount destroys cleanly
 * and the host's books (bytes, locks, vnodes) balance.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhost.h"
#include "wraphost.h"

#define ROOT		((pn_cookie_t)1)
#define MAXN		256
#define NGROW		150	/* nodes that push the table through 4 resizes */
#define RDEV		0x55

struct mnode {
	pn_cookie_t	 c;
	struct pn_vnode	*vp;
	uint64_t	 gen;
	bool		 live;
};

struct run {
	struct th_host	 th;
	struct wraphost	 w;
	struct pn_mount	*mp;
	unsigned	 flags;
	bool		 forever;
	long		 fail_at;
	int		 bad;
	struct mnode	 n[MAXN];
	int		 nn;
	struct pn_vnode	*alias;
	struct pn_cred	 cred;
	struct pn_caller caller;
};

static int verbose;

static void
complain(struct run *r, const char *what, int rv, int want)
{
	fprintf(stderr, "faults: %s mode, %s host, fault at %ld: %s: got %d "
	    "(%s), want %d\n", r->forever ? "forever" : "once",
	    (r->flags & WH_MINIMAL) ? "minimal" : "full", r->fail_at, what,
	    rv, pn_strerror(rv), want);
	r->bad++;
}

/*
 * rv from a call that should answer want.  Anything else must be a PN_E*
 * code and the call must have had a fault injected (f0: faults before).
 */
static bool
expect(struct run *r, long f0, int rv, int want, const char *what)
{
	if (rv == want)
		return true;
	if (rv < 1 || rv > PN_ELAST)
		complain(r, what, rv, want);
	else if (atomic_load(&r->w.failed) == f0)
		complain(r, what, rv, want);
	return false;
}

static struct mnode *
model_find(struct run *r, pn_cookie_t c)
{
	int i;

	for (i = 0; i < r->nn; i++)
		if (r->n[i].c == c)
			return &r->n[i];
	return NULL;
}

static void
model_add(struct run *r, pn_cookie_t c, struct pn_vnode *vp)
{
	struct mnode *m = model_find(r, c);
	struct pn_node *pn = pn_vnode2node(r->mp, vp);

	if (m == NULL) {
		if (r->nn == MAXN) {
			fprintf(stderr, "faults: model full\n");
			exit(1);
		}
		m = &r->n[r->nn++];
		m->c = c;
	} else if (m->live && m->vp != vp) {
		complain(r, "second live node for a cookie", 0, 0);
	} else if (!m->live && pn_node_gen(pn) <= m->gen) {
		complain(r, "rebuilt node without a new generation", 0, 0);
	}
	if (pn == NULL || pn_node_cookie(pn) != c || pn_node_vnode(pn) != vp)
		complain(r, "vnode does not name its node", 0, 0);
	m->vp = vp;
	m->gen = pn_node_gen(pn);
	m->live = true;
}

static int
model_nlive(struct run *r)
{
	int i, k = 0;

	for (i = 0; i < r->nn; i++)
		k += r->n[i].live;
	return k;
}

struct walkarg {
	struct run	*r;
	int		 n;
};

static int
walk_fn(struct pn_node *pn, void *arg)
{
	struct walkarg *wa = arg;
	struct mnode *m = model_find(wa->r, pn_node_cookie(pn));

	wa->n++;
	if (m == NULL || !m->live || m->vp != pn_node_vnode(pn))
		complain(wa->r, "walk found a node the model does not have",
		    0, 0);
	/* The vnode's reference and the walk's. */
	if (pn_node_refs(pn) != 2)
		complain(wa->r, "node reference count", (int)pn_node_refs(pn),
		    2);
	return 0;
}

/* Table, walk, pool, host vnodes and the model agree. */
static void
check(struct run *r, const char *step)
{
	struct pn_table_stats ts;
	struct pn_pool_stats ps;
	struct walkarg wa = { r, 0 };
	int nlive = model_nlive(r);
	long extra = r->alias != NULL && r->th.h_alias == r->alias;
	char what[128];

	if (pn_table_stats(r->mp, &ts) != PN_OK ||
	    pn_pool_stats(r->mp, &ps) != PN_OK ||
	    pn_node_walk(r->mp, walk_fn, &wa) != 0) {
		complain(r, "stats", -1, 0);
		return;
	}
	snprintf(what, sizeof(what), "%s: table entries", step);
	if (ts.entries != (size_t)nlive)
		complain(r, what, (int)ts.entries, nlive);
	snprintf(what, sizeof(what), "%s: walked nodes", step);
	if (wa.n != nlive)
		complain(r, what, wa.n, nlive);
	snprintf(what, sizeof(what), "%s: pool in use", step);
	if (ps.in_use != (size_t)nlive)
		complain(r, what, (int)ps.in_use, nlive);
	snprintf(what, sizeof(what), "%s: host vnodes", step);
	if (th_nvnodes(&r->th) != nlive + extra)
		complain(r, what, (int)th_nvnodes(&r->th), (int)(nlive + extra));
	snprintf(what, sizeof(what), "%s: panics", step);
	if (atomic_load(&r->th.h_panics) != 0)
		complain(r, what, (int)atomic_load(&r->th.h_panics), 0);
}

/* getvnode and drop the reference; the model follows. */
static void
get_one(struct run *r, pn_cookie_t c, int type, int64_t size, uint64_t rdev)
{
	struct pn_vnode *vp;
	long f0 = atomic_load(&r->w.failed);
	int rv;

	rv = pn_getvnode(r->mp, c, type, size, rdev, &vp);
	if (!expect(r, f0, rv, PN_OK, "getvnode"))
		return;
	model_add(r, c, vp);
	th_vrele(&r->th, vp);
}

static void
step_types(struct run *r)
{
	struct pn_vnode *vp;
	int t, rv;
	long f0;

	for (t = PN_VREG; t < PN_VBAD; t++) {
		pn_cookie_t c = 100 + (pn_cookie_t)t;

		f0 = atomic_load(&r->w.failed);
		rv = pn_getvnode(r->mp, c, t, t == PN_VREG ? 512 : 0,
		    t == PN_VCHR ? RDEV : 0, &vp);
		if (!expect(r, f0, rv, PN_OK, "getvnode of a type"))
			continue;
		if (t == PN_VCHR && !(r->flags & WH_MINIMAL) && vp != r->alias)
			complain(r, "device alias not adopted", 0, 0);
		if (t == PN_VREG && th_vstate(&r->th, vp) == TH_VN_ACTIVE &&
		    vp->v_size != 512)
			complain(r, "regular file size", (int)vp->v_size, 512);
		model_add(r, c, vp);
		th_vrele(&r->th, vp);
	}
	if (r->alias != NULL && r->th.h_alias == NULL) {
		/* Adopted: drop the reference the test held. */
		th_vrele(&r->th, r->alias);
		r->alias = NULL;
	}
}

static void
step_newnodes(struct run *r, struct pn_vnode *dvp)
{
	struct pn_vnode *vp;
	struct pn_cn cn;
	char name[16];
	struct mnode *m;
	long f0;
	int i, rv;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		cn = (struct pn_cn){ PN_NAMEI_CREATE, PN_CN_MAKEENTRY, name,
		    strlen(name), &r->cred, &r->caller };
		f0 = atomic_load(&r->w.failed);
		rv = pn_newnode(r->mp, dvp, 200 + (pn_cookie_t)i, &cn,
		    i % 2 ? PN_VDIR : PN_VREG, 0, &vp);
		if (!expect(r, f0, rv, PN_OK, "newnode"))
			continue;
		model_add(r, 200 + (pn_cookie_t)i, vp);
		if (!(r->flags & WH_MINIMAL))
			th_vunlock(&r->th, vp);
		th_vrele(&r->th, vp);
	}
	/* A duplicate: refused while the first one lives. */
	m = model_find(r, 200);
	cn = (struct pn_cn){ PN_NAMEI_CREATE, 0, "dup", 3, &r->cred, NULL };
	f0 = atomic_load(&r->w.failed);
	rv = pn_newnode(r->mp, dvp, 200, &cn, PN_VREG, 0, &vp);
	if (m != NULL && m->live) {
		expect(r, f0, rv, PN_EEXIST, "duplicate newnode");
		if (rv == PN_OK)
			th_vrele(&r->th, vp);
	} else if (expect(r, f0, rv, PN_OK, "newnode of a free cookie")) {
		model_add(r, 200, vp);
		if (!(r->flags & WH_MINIMAL))
			th_vunlock(&r->th, vp);
		th_vrele(&r->th, vp);
	}
}

static void
step_lookups(struct run *r)
{
	struct pn_vnode *vp;
	struct mnode *m;
	pn_cookie_t c;
	unsigned fl;
	long f0;
	int i, rv;

	for (i = 0; i <= r->nn; i++) {
		c = i < r->nn ? r->n[i].c : 5000;	/* and one never made */
		m = model_find(r, c);
		fl = i % 2 ? PN_LOOKUP_LOCK : 0;
		f0 = atomic_load(&r->w.failed);
		rv = pn_cookie2vnode(r->mp, c, fl, &vp);
		if (c == ROOT && (m == NULL || !m->live)) {
			/* The root cookie goes through makeroot. */
			if (!expect(r, f0, rv, PN_OK, "lookup of the root"))
				continue;
			model_add(r, c, vp);
		} else if (m == NULL || !m->live) {
			expect(r, f0, rv, PN_ENOENT, "lookup of a dead cookie");
			continue;
		} else if (!expect(r, f0, rv, PN_OK, "lookup")) {
			continue;
		} else if (vp != m->vp) {
			complain(r, "lookup answered another vnode", 0, 0);
		}
		if (fl && !(r->flags & WH_MINIMAL))
			th_vunlock(&r->th, vp);
		th_vrele(&r->th, vp);
	}
	/* get-or-create of a live cookie answers the live node. */
	m = model_find(r, 1000);
	f0 = atomic_load(&r->w.failed);
	rv = pn_getvnode(r->mp, 1000, PN_VREG, 0, 0, &vp);
	if (expect(r, f0, rv, PN_OK, "getvnode of a live cookie")) {
		if (m != NULL && m->live && m->vp != vp)
			complain(r, "getvnode built a second node", 0, 0);
		model_add(r, 1000, vp);
		th_vrele(&r->th, vp);
	}
}

static void
step_creds(struct run *r)
{
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_kcn kcn;
	struct pn_cred big;
	struct pn_cn cn = { PN_NAMEI_LOOKUP, 0, "a/b/c", 1, &r->cred,
	    &r->caller };
	int want = (r->flags & WH_MINIMAL) ? PN_EOPNOTSUPP : PN_OK;
	uint32_t uid;
	long f0;
	int rv;

	f0 = atomic_load(&r->w.failed);
	rv = pn_credcvt(r->mp, &kc, &r->cred);
	if (expect(r, f0, rv, want, "credcvt") && rv == PN_OK &&
	    (pn_cred_getuid(&kc, &uid) != PN_OK || uid != 1234))
		complain(r, "credcvt uid", (int)uid, 1234);
	if (pn_credcvt(r->mp, &kc, PN_NOCRED) != PN_OK || !pn_cred_iskernel(&kc))
		complain(r, "credcvt of NOCRED", 0, 0);
	big = r->cred;
	big.c_ngroups = PN_NGROUPS + 1;
	f0 = atomic_load(&r->w.failed);
	rv = pn_credcvt(r->mp, &kc, &big);
	expect(r, f0, rv, (r->flags & WH_MINIMAL) ? PN_EOPNOTSUPP : PN_ERANGE,
	    "credcvt of too many groups");

	f0 = atomic_load(&r->w.failed);
	rv = pn_makecn(r->mp, &kcn, &kc, &kid, &cn, true);
	if (expect(r, f0, rv, want, "makecn") && rv == PN_OK &&
	    (strcmp(kcn.pkcn_name, "a/b/c") != 0 || kcn.pkcn_namelen != 1 ||
	    kid.pkcid_type != PN_CID_TYPE_REAL || kid.pkcid_pid != 42))
		complain(r, "makecn output", 0, 0);
}

static void
step_completions(struct run *r)
{
	struct mnode *m;
	struct pn_node *pn;
	struct pn_metacache mc;
	struct pn_bio bio;
	char buf[8];
	long f0;
	int rv, ev;

	/* Size refresh of the regular file. */
	m = model_find(r, 100 + PN_VREG);
	if (m != NULL && m->live) {
		pn = pn_vnode2node(r->mp, m->vp);
		m->vp->v_attrsize = 4096;
		f0 = atomic_load(&r->w.failed);
		rv = pn_updatevpsize(pn);
		if (expect(r, f0, rv, (r->flags & WH_MINIMAL) ? PN_EOPNOTSUPP :
		    PN_OK, "updatevpsize") && rv == PN_OK &&
		    m->vp->v_size != 4096)
			complain(r, "updatevpsize size", (int)m->vp->v_size,
			    4096);
		if (pn_updatenode(pn, PN_UPDATE_ATIME | PN_UPDATE_SIZE) !=
		    PN_OK || pn_metacache_take(pn, &mc) != PN_OK ||
		    mc.mc_flags != (PN_UPDATE_ATIME | PN_UPDATE_SIZE))
			complain(r, "metadata cache", 0, 0);
	}
	/* A poll answer for a live node. */
	m = model_find(r, 100 + PN_VFIFO);
	if (m != NULL && m->live) {
		pn = pn_vnode2node(r->mp, m->vp);
		if (pn_referencenode(pn) != PN_OK ||
		    pn_parkdone_poll(pn, 0, PN_POLLIN) != PN_OK ||
		    pn_node_revents(pn, &ev, true) != PN_OK ||
		    ev != PN_POLLIN)
			complain(r, "poll completion", 0, 0);
	}
	/* A read answer. */
	memset(&bio, 0, sizeof(bio));
	bio.b_data = buf;
	bio.b_bcount = sizeof(buf);
	if (pn_parkdone_asyncbioread(r->mp, &bio, 0, "abcdefgh", 8, 3) !=
	    PN_OK || bio.b_resid != 3 || bio.b_error != 0 ||
	    memcmp(buf, "abcde", 5) != 0)
		complain(r, "read completion", 0, 0);
}

static void
step_reclaims(struct run *r)
{
	struct pn_node *pn = NULL;
	struct mnode *m;
	int i, rv;

	/* A request holds node 1001 across its reclaim. */
	m = model_find(r, 1001);
	if (m != NULL && m->live) {
		pn = pn_vnode2node(r->mp, m->vp);
		if (pn_referencenode(pn) != PN_OK)
			complain(r, "referencenode", 0, 0);
	}
	for (i = 0; i < r->nn; i++) {
		m = &r->n[i];
		if (!m->live || m->c < 1000 || m->c >= 1000 + NGROW / 2)
			continue;
		if ((rv = th_reclaim(&r->th, m->vp)) != PN_OK)
			complain(r, "reclaim", rv, PN_OK);
		m->live = false;
	}
	if (pn != NULL) {
		struct pn_pool_stats ps;
		size_t before;

		pn_pool_stats(r->mp, &ps);
		before = ps.in_use;
		/* The answer to a poll on a node already reclaimed. */
		if (pn_parkdone_poll(pn, 0, PN_POLLOUT) != PN_OK)
			complain(r, "poll completion of a dead node", 0, 0);
		pn_pool_stats(r->mp, &ps);
		if (ps.in_use != before - 1)
			complain(r, "dead node not freed by its last release",
			    (int)ps.in_use, (int)before - 1);
	}
}

static void
cleanup(struct run *r, struct pn_vnode *rootvp)
{
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	int rv;

	if (rootvp != NULL)
		th_vrele(&r->th, rootvp);
	if (r->mp != NULL) {
		if (th_reclaim_unused(&r->th) < 0)
			complain(r, "reclaim of everything", -1, 0);
		if ((rv = pn_mp_drain(r->mp)) != PN_OK)
			complain(r, "drain", rv, PN_OK);
		pn_pool_stats(r->mp, &ps);
		pn_table_stats(r->mp, &ts);
		if (ps.in_use != 0 || ts.entries != 0)
			complain(r, "nodes left after reclaiming all",
			    (int)ps.in_use, 0);
		if ((rv = pn_mount_destroy(r->mp)) != PN_OK)
			complain(r, "destroy", rv, PN_OK);
		r->mp = NULL;
	}
	if (r->alias != NULL) {
		r->th.h_alias = NULL;
		r->th.h_ops.vnode_free(&r->th, r->alias);
		r->alias = NULL;
	}
	if (wh_check(&r->w) != 0)
		complain(r, "wrapper books", -1, 0);
	if (atomic_load(&r->th.h_valloc) != atomic_load(&r->th.h_vfree) +
	    atomic_load(&r->th.h_vreclaimed))
		complain(r, "vnodes alloc != freed + reclaimed", -1, 0);
	if (atomic_load(&r->th.h_panics) != 0)
		complain(r, "panics", (int)atomic_load(&r->th.h_panics), 0);
	if (th_fini(&r->th) != 0)
		complain(r, "test host books", -1, 0);
}

/* One run of the workload, the fail_at-th fallible call failing. */
static void
run(struct run *r, long fail_at, bool forever, unsigned flags)
{
	struct pn_mount_args args = th_args(ROOT);
	const struct pn_host_ops *ops;
	struct pn_mount *probe;
	struct pn_vnode *rootvp = NULL, *vp;
	void *ih;
	long f0;
	int i, rv;

	memset(r, 0, sizeof(*r));
	r->flags = flags;
	r->forever = forever;
	r->fail_at = fail_at;
	r->cred = (struct pn_cred){ .c_uid = 1234, .c_gid = 56,
	    .c_ngroups = 3, .c_groups = { 7, 8, 9 } };
	r->caller = (struct pn_caller){ .l_pid = 42, .l_lwpid = 3 };
	th_init(&r->th);

	/* The host's table, as a mount hands it out. */
	if (pn_mount_create(&r->th.h_ops, &r->th, &args, &probe) != PN_OK) {
		complain(r, "probe mount", -1, 0);
		return;
	}
	ops = pn_mount_host(probe, &ih);
	if (ih != &r->th)
		complain(r, "pn_mount_host context", -1, 0);
	wh_init(&r->w, ops, ih, flags);
	if (pn_mount_destroy(probe) != PN_OK)
		complain(r, "probe destroy", -1, 0);

	/* A device vnode outside the mount, for the alias check. */
	if (r->th.h_ops.vnode_alloc(&r->th, PN_VCHR, &r->alias) != PN_OK)
		complain(r, "alias vnode", -1, 0);
	r->alias->v_rdev = RDEV;
	r->th.h_alias = r->alias;

	wh_fail_at(&r->w, fail_at, forever);
	f0 = 0;
	rv = pn_mount_create(&r->w.ops, &r->w, &args, &r->mp);
	if (!expect(r, f0, rv, PN_OK, "mount_create")) {
		if (r->mp != NULL)
			complain(r, "mount set on failure", 0, 0);
		r->mp = NULL;
		cleanup(r, NULL);
		return;
	}
	r->th.h_mp = r->mp;
	check(r, "mount");

	f0 = atomic_load(&r->w.failed);
	rv = pn_makeroot(r->mp, &rootvp);
	if (expect(r, f0, rv, PN_OK, "makeroot"))
		model_add(r, ROOT, rootvp);
	else
		rootvp = NULL;
	check(r, "makeroot");

	step_types(r);
	check(r, "types");
	step_newnodes(r, rootvp);
	check(r, "newnode");
	for (i = 0; i < NGROW; i++)
		get_one(r, 1000 + (pn_cookie_t)i, PN_VREG, i, 0);
	check(r, "growth");
	step_lookups(r);
	check(r, "lookups");
	step_creds(r);
	step_completions(r);
	check(r, "completions");
	step_reclaims(r);
	check(r, "reclaims");
	for (i = 0; i < 10; i++)
		get_one(r, 1000 + (pn_cookie_t)i, PN_VREG, 0, 0);
	check(r, "rebuild");
	if ((rv = pn_pool_drain(r->mp, NULL)) != PN_OK)
		complain(r, "pool drain", rv, PN_OK);
	/*
	 * A node limit reached is PN_ENOMEM, or the fault injected into the
	 * vnode built first; nothing is left behind either way (check).
	 */
	pn_pool_setlimit(r->mp, (size_t)model_nlive(r));
	f0 = atomic_load(&r->w.failed);
	rv = pn_getvnode(r->mp, 4000, PN_VREG, 0, 0, &vp);
	(void)expect(r, f0, rv, PN_ENOMEM, "getvnode past the node limit");
	pn_pool_setlimit(r->mp, 0);
	check(r, "limit");
	cleanup(r, rootvp);
}

static long
sweep(bool forever, unsigned flags)
{
	static struct run r;
	long n, calls;

	run(&r, 0, forever, flags);
	if (r.bad != 0) {
		fprintf(stderr, "faults: the workload fails with no fault\n");
		exit(1);
	}
	calls = wh_calls(&r.w);
	for (n = 1;; n++) {
		run(&r, n, forever, flags);
		if (r.bad != 0)
			exit(1);
		if (atomic_load(&r.w.failed) == 0)
			break;
		if (verbose)
			printf("fault %ld: %ld injected\n", n,
			    (long)atomic_load(&r.w.failed));
	}
	printf("faults: %s host, %s: %ld fault points swept "
	    "(%ld fallible calls in a clean run)\n",
	    (flags & WH_MINIMAL) ? "minimal" : "full",
	    forever ? "fail-forever" : "fail-once", n - 1, calls);
	if (n - 1 != calls) {
		fprintf(stderr, "faults: swept %ld points, the clean run "
		    "makes %ld fallible calls\n", n - 1, calls);
		exit(1);
	}
	return n - 1;
}

int
main(void)
{
	long total = 0;

	verbose = getenv("PN_FAULTS_VERBOSE") != NULL;
	total += sweep(false, 0);
	total += sweep(true, 0);
	total += sweep(false, WH_MINIMAL);
	total += sweep(true, WH_MINIMAL);
	printf("faults: %ld fault points swept in all\n", total);
	return 0;
}
