/*
 * fuzz_ops.c -- the node layer as a program of operations.
 *
 * The input is a short header (the mount's root cookie, root type, size,
 * device, flags and node limit) and then a list of operations, each an
 * opcode byte and its operands: create (pn_newnode), get-or-create
 * (pn_getvnode), lookup (pn_cookie2vnode), makeroot, vrele, reclaim (the
 * host's reclaim, which calls pn_putvnode), a reclaim caught half-way,
 * node references and releases, poll and read completions, metadata
 * cache updates and takes, mount references, drain and destroy, pool
 * drain and limit, node walks (which may drain or reclaim from inside),
 * and host fault injection.  Cookies come from a small space so that they
 * collide, plus 0, the root's and arbitrary 64-bit values; types, sizes
 * and flags may be invalid.
 *
 * A reference model runs alongside over the test host (tests/common):
 * which cookies are live, with which node, vnode, type and generation;
 * the vnode uses and node references the program holds; nodes reclaimed
 * but still referenced; the metadata cache and poll events of each node;
 * the mount's users and whether it is dying; what every call must answer;
 * which server-misbehaviour reports and panics the host must have seen.
 * After every operation the library's state (pool and table statistics,
 * every node's accessors, every vnode's host state, the host's counters)
 * is compared with the model, and any difference aborts.  At the end
 * everything is released and reclaimed, pn_mount_destroy() must succeed
 * and the host must be clean: no vnode, byte or lock left.
 *
 * With fault injection armed, a call that saw an injected fault may
 * answer PN_ENOMEM, PN_ENXIO or PN_EIO instead of succeeding; the model
 * then follows what the library says happened, and the state checks make
 * sure a failed call left nothing behind.
 */
#include "fuzz.h"
#include "testhost.h"

#define MAXNODES	192	/* model nodes, live or reclaimed-but-referenced */
#define MAXSTALE	32	/* freed nodes kept to probe misuse with */

struct mnode {
	pn_cookie_t	 c;
	uint64_t	 gen;
	int		 type;
	struct pn_node	*pn;
	struct pn_vnode	*vp;		/* NULL once reclaimed */
	int		 vrefs;		/* vnode uses this program holds */
	uint32_t	 nrefs;		/* node references this program holds */
	int		 revents;	/* folded into the node */
	int		 vrevents;	/* notified to the vnode */
	unsigned	 mcflags;	/* metadata cache */
	int64_t		 atime, ctime, mtime, size;
	bool		 visited;	/* by the walk in progress */
};

static struct {
	struct th_host		 h;
	struct pn_mount		*mp;
	struct pn_mount_args	 args;
	struct mnode		 n[MAXNODES];
	size_t			 nn;
	struct pn_node		*stale[MAXSTALE];
	size_t			 nstale;
	uint64_t		 maxgen;
	uint32_t		 mprefs;
	bool			 dying;
	size_t			 limit;
	size_t			 slabnodes;
	long			 misb[16];
	long			 panics, bio_done, poll_notify, namecache;
	long			 failed;	/* host's fault count before a call */
	int			 step;
} S;

#define NODE_LIVE(m)	((m)->vp != NULL)

/* ---- model helpers ---- */

static struct mnode *
find_live(pn_cookie_t c)
{
	size_t i;

	for (i = 0; i < S.nn; i++)
		if (NODE_LIVE(&S.n[i]) && S.n[i].c == c)
			return &S.n[i];
	return NULL;
}

static size_t
nlive(void)
{
	size_t i, k = 0;

	for (i = 0; i < S.nn; i++)
		k += NODE_LIVE(&S.n[i]);
	return k;
}

static void
stale_add(struct pn_node *pn)
{
	if (S.nstale < MAXSTALE)
		S.stale[S.nstale++] = pn;
}

static void
stale_forget(struct pn_node *pn)
{
	size_t i;

	for (i = 0; i < S.nstale; i++)
		if (S.stale[i] == pn)
			S.stale[i--] = S.stale[--S.nstale];
}

/* The node is gone: back to the pool, its pointer stale. */
static void
node_freed(struct mnode *m)
{
	stale_add(m->pn);
	*m = S.n[--S.nn];
}

/* Did the call just made see an injected fault? */
static bool
injected(void)
{
	long f = atomic_load(&S.h.h_w.failed);
	bool inj = f != S.failed;

	S.failed = f;
	return inj;
}

static bool
fault_error(int rv)
{
	return rv == PN_ENOMEM || rv == PN_ENXIO || rv == PN_EIO;
}

/* ---- reading operands ---- */

static pn_cookie_t
rd_cookie(struct fz *f)
{
	uint8_t b = fz_u8(f);

	switch (b >> 6) {
	case 0:
	case 1:
		return b & 15;			/* small: collides, includes 0 */
	case 2:
		return S.args.root_cookie;
	default:
		return (b & 1) ? fz_u64(f) : (pn_cookie_t)-(int64_t)(b & 7);
	}
}

static int
rd_type(struct fz *f)
{
	uint8_t b = fz_u8(f);

	if (b < 224)
		return 1 + b % 7;		/* PN_VREG .. PN_VFIFO */
	switch (b & 7) {
	case 0:
		return PN_VNON;
	case 1:
		return PN_VBAD;
	case 2:
		return -1;
	case 3:
		return INT32_MIN;
	case 4:
		return INT32_MAX;
	default:
		return (int)fz_u32(f);
	}
}

/* A model node (live or reclaimed), or NULL. */
static struct mnode *
rd_node(struct fz *f)
{
	uint8_t b = fz_u8(f);

	return S.nn == 0 ? NULL : &S.n[b % S.nn];
}

static struct mnode *
rd_live(struct fz *f)
{
	struct mnode *m = rd_node(f);
	size_t i;

	if (m == NULL || NODE_LIVE(m))
		return m;
	for (i = 0; i < S.nn; i++)
		if (NODE_LIVE(&S.n[i]))
			return &S.n[i];
	return NULL;
}

/* A node to poke at: a model node, or (high bit) a stale pointer. */
static struct pn_node *
rd_target(struct fz *f, struct mnode **mp)
{
	uint8_t b = fz_u8(f);

	*mp = NULL;
	if ((b & 0x80) && S.nstale != 0)
		return S.stale[b % S.nstale];
	if (S.nn == 0)
		return NULL;
	*mp = &S.n[b % S.nn];
	return (*mp)->pn;
}

/* ---- the whole-state check ---- */

static void
check_all(void)
{
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	size_t i, live = nlive();
	int r;

	FZ_EQ(pn_pool_stats(S.mp, &ps), PN_OK, "pool_stats");
	FZ_EQ(ps.in_use, S.nn, "pool in_use == nodes alive");
	FZ_EQ(ps.limit, S.limit, "pool limit");
	FZ_EQ(ps.allocs - ps.frees, ps.in_use, "pool allocs - frees");
	FZ_CHECK(ps.high_water >= ps.in_use, "pool high water");
	if (ps.slabs != 0) {
		if (S.slabnodes == 0) {
			FZ_EQ((ps.free + ps.in_use) % ps.slabs, 0,
			    "pool nodes per slab");
			S.slabnodes = (ps.free + ps.in_use) / ps.slabs;
		}
		FZ_EQ(ps.free + ps.in_use, ps.slabs * S.slabnodes,
		    "pool free + in_use");
	} else {
		FZ_EQ(ps.free + ps.in_use, 0, "pool without slabs");
	}
	FZ_EQ(pn_table_stats(S.mp, &ts), PN_OK, "table_stats");
	FZ_EQ(ts.entries, live, "table entries == live nodes");
	FZ_CHECK(ts.entries < ts.buckets, "table has a free slot");
	FZ_CHECK(ts.longest_probe <= ts.buckets, "table probe length");
	FZ_EQ(th_nvnodes(&S.h), live, "host vnodes == live nodes");

	for (i = 0; i < S.nn; i++) {
		struct mnode *m = &S.n[i];

		FZ_EQ((uintptr_t)pn_node_mount(m->pn), (uintptr_t)S.mp,
		    "node mount");
		FZ_EQ(pn_node_cookie(m->pn), m->c, "node cookie");
		FZ_EQ(pn_node_gen(m->pn), m->gen, "node generation");
		FZ_EQ(pn_node_type(m->pn), m->type, "node type");
		FZ_EQ((uintptr_t)pn_node_vnode(m->pn), (uintptr_t)m->vp,
		    "node vnode");
		FZ_EQ(pn_node_refs(m->pn), (NODE_LIVE(m) ? 1u : 0u) + m->nrefs,
		    "node references");
		FZ_EQ(pn_node_revents(m->pn, &r, false), PN_OK, "revents");
		FZ_EQ(r, m->revents, "node poll events");
		if (!NODE_LIVE(m)) {
			FZ_CHECK(m->nrefs != 0, "reclaimed node referenced");
			continue;
		}
		FZ_EQ((uintptr_t)pn_vnode2node(S.mp, m->vp),
		    (uintptr_t)m->pn, "vnode2node");
		FZ_EQ(m->vp->v_usecount, m->vrefs, "vnode use count");
		FZ_EQ(m->vp->v_lockcount, 0, "vnode unlocked");
		FZ_EQ(m->vp->v_state, TH_VN_ACTIVE, "vnode active");
		FZ_CHECK(m->vp->v_inited && m->vp->v_attached, "vnode set up");
		FZ_EQ(m->vp->v_revents, m->vrevents, "vnode poll events");
	}

	for (i = 0; i < 16; i++)
		FZ_EQ(atomic_load(&S.h.h_misbehaved[i]), S.misb[i],
		    "server misbehaviour reports");
	FZ_EQ(atomic_load(&S.h.h_panics), S.panics, "panic reports");
	FZ_EQ(atomic_load(&S.h.h_bio_done), S.bio_done, "bio_done calls");
	FZ_EQ(atomic_load(&S.h.h_poll_notify), S.poll_notify,
	    "poll_notify calls");
	FZ_EQ(atomic_load(&S.h.h_namecache), S.namecache,
	    "namecache_enter calls");
}

/* ---- creating and finding nodes ---- */

/* Check a node just built and add it to the model. */
static void
node_new(pn_cookie_t c, int type, int64_t size, uint64_t rdev,
    struct pn_vnode *vp)
{
	struct mnode *m;
	unsigned kind = 0;
	size_t i;

	if (S.nn == MAXNODES)
		FZ_FAIL("model full");	/* callers make sure there is room */
	m = &S.n[S.nn++];
	memset(m, 0, sizeof(*m));
	m->c = c;
	m->type = type;
	m->vp = vp;
	m->vrefs = 1;
	m->pn = pn_vnode2node(S.mp, vp);
	FZ_CHECK(m->pn != NULL, "new vnode has a node");
	/* Distinct from every node alive; one live node per cookie. */
	for (i = 0; i + 1 < S.nn; i++) {
		FZ_CHECK(S.n[i].pn != m->pn, "one node per model node");
		FZ_CHECK(!NODE_LIVE(&S.n[i]) || S.n[i].c != c,
		    "one live node per cookie");
	}
	stale_forget(m->pn);
	m->gen = pn_node_gen(m->pn);
	if (m->gen <= S.maxgen)
		FZ_FAIL("generation %llu not above %llu",
		    (unsigned long long)m->gen,
		    (unsigned long long)S.maxgen);
	S.maxgen = m->gen;
	FZ_EQ(vp->v_type, type, "vnode type");
	FZ_EQ(vp->v_size, type == PN_VREG ? size : 0, "vnode size");
	if (type == PN_VCHR || type == PN_VBLK) {
		kind |= PN_VOPS_SPEC;
		FZ_EQ(vp->v_rdev, rdev, "vnode rdev");
	}
	if (type == PN_VFIFO)
		kind |= PN_VOPS_FIFO;
	if (c == S.args.root_cookie)
		kind |= PN_VOPS_ROOT;
	FZ_EQ(vp->v_opskind, kind, "vnode ops kind");
}

/* A call returned vp referenced (and locked if locked). */
static void
got_vnode(struct mnode *m, struct pn_vnode *vp, bool locked)
{
	FZ_EQ((uintptr_t)vp, (uintptr_t)m->vp, "the live node's vnode");
	FZ_EQ(vp->v_lockcount, locked ? 1 : 0, "vnode lock");
	if (locked)
		th_vunlock(&S.h, vp);
	m->vrefs++;
}

/*
 * The answer of a get-or-create of c: PN_OK with *mp the live node, PN_OK
 * with *mp NULL when a node is to be built, or an error.  On a dying
 * mount pn_getvnode() and pn_newnode() refuse at once (dying_first);
 * pn_makeroot() still returns an existing root.
 */
static int
model_get(pn_cookie_t c, bool dying_first, struct mnode **mp)
{
	*mp = find_live(c);
	if (S.dying && (dying_first || *mp == NULL))
		return PN_ENXIO;
	if (*mp != NULL)
		return PN_OK;
	if (S.limit != 0 && S.nn >= S.limit)
		return PN_ENOMEM;
	return PN_OK;
}

/*
 * Settle a get-or-create whose model answer was want (with m the live
 * node or NULL); rv and vp are the library's answer.
 */
static void
settle_get(int want, struct mnode *m, int rv, struct pn_vnode *vp,
    pn_cookie_t c, int type, int64_t size, uint64_t rdev, bool locked)
{
	bool inj = injected();

	if (rv != PN_OK) {
		FZ_CHECK(vp == NULL, "no vnode on error");
		/*
		 * A fault injected into the vnode: past the node limit too,
		 * when the node is built first (the limit is met under the
		 * mount lock, after the build).
		 */
		if (inj && (want == PN_OK || want == PN_ENOMEM) &&
		    fault_error(rv))
			return;
		FZ_EQ(rv, want, "get-or-create answer");
		return;
	}
	FZ_EQ(rv, want, "get-or-create answer");
	FZ_CHECK(vp != NULL, "vnode on success");
	if (m != NULL) {
		got_vnode(m, vp, locked);
		return;
	}
	FZ_EQ(vp->v_lockcount, locked ? 1 : 0, "new vnode lock");
	if (locked)
		th_vunlock(&S.h, vp);
	node_new(c, type, size, rdev, vp);
}

static bool
type_ok(int type)
{
	return type > PN_VNON && type < PN_VBAD;
}

static void
op_getvnode(struct fz *f)
{
	pn_cookie_t c = rd_cookie(f);
	int type = rd_type(f);
	int64_t size = fz_i64_edgy(f);
	uint64_t rdev = fz_u8(f);
	struct pn_vnode *vp = (struct pn_vnode *)&vp;
	struct mnode *m = NULL;
	int want, rv;

	if (!type_ok(type)) {
		S.misb[PN_BAD_VTYPE]++;
		want = PN_EINVAL;
	} else if (c == 0) {
		S.misb[PN_BAD_COOKIE_ZERO]++;
		want = PN_EINVAL;
	} else if (size < 0) {
		S.misb[PN_BAD_SIZE]++;
		want = PN_EINVAL;
	} else {
		want = model_get(c, true, &m);
	}
	if (want == PN_OK && m == NULL && S.nn == MAXNODES)
		return;
	rv = pn_getvnode(S.mp, c, type, size, rdev, &vp);
	settle_get(want, m, rv, vp, c, type, size, rdev, false);
}

static void
op_newnode(struct fz *f)
{
	pn_cookie_t c = rd_cookie(f);
	int type = rd_type(f);
	uint64_t rdev = fz_u8(f);
	uint8_t how = fz_u8(f);
	struct mnode *dm = rd_live(f);
	struct pn_vnode *vp = (struct pn_vnode *)&vp, *dvp;
	struct pn_cn cn = {
		.cn_nameiop = PN_NAMEI_CREATE,
		.cn_flags = (how & 2) ? PN_CN_MAKEENTRY : 0,
		.cn_nameptr = "name",
		.cn_namelen = 4,
	};
	struct mnode *m = NULL;
	bool withcn = (how & 1) != 0;
	int want, rv;

	dvp = (how & 4) && dm != NULL ? dm->vp : NULL;
	if (c == 0) {
		want = PN_EOPNOTSUPP;
	} else if (!type_ok(type)) {
		S.misb[PN_BAD_VTYPE]++;
		want = PN_EINVAL;
	} else if (c == S.args.root_cookie) {
		S.misb[PN_BAD_COOKIE_ROOT]++;
		want = PN_EEXIST;
	} else {
		want = model_get(c, true, &m);
		if (want == PN_OK && m != NULL) {
			S.misb[PN_BAD_COOKIE_DUP]++;
			want = PN_EEXIST;
		}
	}
	if (want == PN_OK && S.nn == MAXNODES)
		return;
	rv = pn_newnode(S.mp, dvp, c, withcn ? &cn : NULL, type, rdev, &vp);
	if (rv != PN_OK && injected() && fault_error(rv)) {
		/* A failed vnode_get answers instead of the duplicate check. */
		if (want == PN_EEXIST && m != NULL)
			S.misb[PN_BAD_COOKIE_DUP]--;
		FZ_CHECK(vp == NULL, "no vnode on error");
		return;
	}
	S.failed = atomic_load(&S.h.h_w.failed);
	if (rv == PN_OK && (S.args.flags & PN_MNT_NAMECACHE) && dvp != NULL &&
	    withcn && (cn.cn_flags & PN_CN_MAKEENTRY))
		S.namecache++;
	settle_get(want, NULL, rv, vp, c, type, 0, rdev, true);
}

static void
op_lookup(struct fz *f)
{
	pn_cookie_t c = rd_cookie(f);
	uint8_t b = fz_u8(f);
	unsigned flags = (b & 0x80) ? (unsigned)fz_u32(f) : (b & 1);
	struct pn_vnode *vp = (struct pn_vnode *)&vp;
	struct mnode *m = NULL;
	bool locked = (flags & PN_LOOKUP_LOCK) != 0;
	int want, rv;

	if (c == 0 || (flags & ~PN_LOOKUP_LOCK) != 0) {
		want = PN_EINVAL;
	} else if (c == S.args.root_cookie) {
		want = model_get(c, false, &m);
		if (want == PN_OK && m == NULL && S.nn == MAXNODES)
			return;
	} else {
		m = find_live(c);
		want = m != NULL ? PN_OK : PN_ENOENT;
	}
	rv = pn_cookie2vnode(S.mp, c, flags, &vp);
	settle_get(want, m, rv, vp, c, S.args.root_type, S.args.root_size,
	    S.args.root_rdev, locked);
}

static void
op_makeroot(struct fz *f)
{
	pn_cookie_t c = S.args.root_cookie;
	struct pn_vnode *vp = (struct pn_vnode *)&vp;
	struct mnode *m;
	int want, rv;

	(void)f;
	want = model_get(c, false, &m);
	if (want == PN_OK && m == NULL && S.nn == MAXNODES)
		return;
	rv = pn_makeroot(S.mp, &vp);
	settle_get(want, m, rv, vp, c, S.args.root_type, S.args.root_size,
	    S.args.root_rdev, false);
}

/* ---- vnode uses and reclaim ---- */

static void
op_vrele(struct fz *f)
{
	struct mnode *m = rd_live(f);

	if (m != NULL && m->vrefs > 0) {
		th_vrele(&S.h, m->vp);
		m->vrefs--;
	}
}

/* The host reclaimed m's vnode: model side. */
static void
reclaimed(struct mnode *m)
{
	m->vp = NULL;
	if (m->nrefs == 0)
		node_freed(m);
}

static void
drop_vrefs(struct mnode *m)
{
	for (; m->vrefs > 0; m->vrefs--)
		th_vrele(&S.h, m->vp);
}

static void
op_reclaim(struct fz *f)
{
	struct mnode *m = rd_live(f);

	if (m == NULL)
		return;
	drop_vrefs(m);
	FZ_EQ(th_reclaim(&S.h, m->vp), PN_OK, "reclaim");
	reclaimed(m);
}

static int
walk_count(struct pn_node *pn, void *arg)
{
	(void)pn;
	++*(size_t *)arg;
	return 0;
}

/*
 * A reclaim caught between the host's decision and pn_putvnode: lookups
 * must not return the vnode, walks still see the node.  (Get-or-create
 * would wait for the reclaim to finish: not in one thread.)
 */
static void
op_reclaim2(struct fz *f)
{
	struct mnode *m = rd_live(f);
	struct pn_vnode *vp = (struct pn_vnode *)&vp;
	size_t seen = 0;
	int rv;

	if (m == NULL)
		return;
	drop_vrefs(m);
	th_reclaim_begin(&S.h, m->vp);
	if (m->c != S.args.root_cookie) {
		rv = pn_cookie2vnode(S.mp, m->c, PN_LOOKUP_LOCK, &vp);
		if (!(injected() && fault_error(rv)))
			FZ_EQ(rv, PN_ENOENT, "lookup of a vnode being reclaimed");
		FZ_CHECK(vp == NULL, "no vnode on error");
	}
	FZ_EQ(pn_node_walk(S.mp, walk_count, &seen), 0, "walk");
	FZ_EQ(seen, nlive(), "walk during a reclaim");
	FZ_EQ(th_reclaim_finish(&S.h, m->vp), PN_OK, "reclaim finish");
	reclaimed(m);
}

/* ---- node references ---- */

static void
op_refnode(struct fz *f)
{
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);

	if (pn == NULL)
		return;
	if (m == NULL) {
		S.panics++;
		FZ_EQ(pn_referencenode(pn), PN_EINVAL, "reference a freed node");
		return;
	}
	FZ_EQ(pn_referencenode(pn), PN_OK, "reference");
	m->nrefs++;
}

/* Model of a node release; returns the answer. */
static int
model_release(struct mnode *m)
{
	if (m->nrefs == 0) {
		S.panics++;		/* a live node's last reference */
		return PN_EINVAL;
	}
	if (--m->nrefs == 0 && !NODE_LIVE(m))
		node_freed(m);
	return PN_OK;
}

static void
op_relnode(struct fz *f)
{
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);
	int want;

	if (pn == NULL)
		return;
	if (m == NULL) {
		S.panics++;
		want = PN_EINVAL;
	} else {
		want = model_release(m);
	}
	FZ_EQ(pn_releasenode(pn), want, "release");
}

/* ---- completions ---- */

static void
op_poll(struct fz *f)
{
	uint8_t how = fz_u8(f);
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);
	int rv = (how & 2) ? (int)fz_u32(f) : 0;
	int events = (how & 4) ? (int)fz_u32(f) : fz_u16(f) & PN_POLL_ALL;
	int revents, want = PN_OK, rel;

	if (pn == NULL)
		return;
	if (m == NULL) {
		FZ_EQ(pn_parkdone_poll(pn, rv, events), PN_EINVAL,
		    "poll on a freed node");
		return;
	}
	if (how & 1) {			/* the request's reference */
		FZ_EQ(pn_referencenode(pn), PN_OK, "reference for poll");
		m->nrefs++;
	}
	if (rv != 0) {
		revents = PN_POLLERR;
	} else if (events & ~PN_POLL_ALL) {
		S.misb[PN_BAD_EVENTS]++;
		revents = (events & PN_POLL_ALL) | PN_POLLERR;
		want = PN_EINVAL;
	} else {
		revents = events;
	}
	m->revents |= revents;
	if (NODE_LIVE(m)) {
		m->vrevents |= revents;
		S.poll_notify++;
	}
	rel = model_release(m);	/* may free m */
	FZ_EQ(pn_parkdone_poll(pn, rv, events), want != PN_OK ? want : rel,
	    "poll completion");
}

static void
op_revents(struct fz *f)
{
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);
	bool clear = fz_u8(f) & 1;
	int r = -1;

	if (pn == NULL)
		return;
	if (m == NULL) {
		FZ_EQ(pn_node_revents(pn, &r, clear), PN_EINVAL,
		    "revents of a freed node");
		FZ_EQ(r, 0, "revents of a freed node");
		return;
	}
	FZ_EQ(pn_node_revents(pn, &r, clear), PN_OK, "revents");
	FZ_EQ(r, m->revents, "revents");
	if (clear)
		m->revents = 0;
}

static void
op_bioread(struct fz *f)
{
	uint8_t how = fz_u8(f);
	size_t bcount = how & 15, datalen, i;
	int64_t resid = (how & 0x80) ? fz_i64_edgy(f) : (int64_t)fz_u8(f) % 17;
	int rv = (how & 0x40) ? (int)(int8_t)fz_u8(f) : 0;
	const uint8_t *data = fz_bytes(f, fz_u8(f) % 17, &datalen);
	uint8_t *buf = malloc(bcount ? bcount : 1);
	struct pn_bio bio = { .b_data = buf, .b_bcount = bcount,
	    .b_flags = (how & 0x20) ? PN_B_ERROR : 0 };
	size_t moved = 0;
	int want = PN_OK, werr = 0;
	size_t wresid = bcount;

	memset(buf, FZ_CANARY, bcount ? bcount : 1);
	if (rv != 0) {
		werr = rv;
	} else if (resid < 0) {
		S.misb[PN_BAD_SIZE]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else if ((uint64_t)resid > bcount) {
		S.misb[PN_BAD_RESID]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else if (bcount - (size_t)resid > datalen) {
		S.misb[PN_BAD_SIZE]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else {
		moved = bcount - (size_t)resid;
		wresid = (size_t)resid;
	}
	S.bio_done++;
	FZ_EQ(pn_parkdone_asyncbioread(S.mp, &bio, rv, data, datalen, resid),
	    want, "bioread answer");
	FZ_EQ(bio.b_error, werr, "bio error");
	FZ_EQ(bio.b_resid, wresid, "bio residual");
	FZ_EQ(bio.b_flags, ((how & 0x20) || werr) ? PN_B_ERROR : 0,
	    "bio flags");
	for (i = 0; i < bcount; i++)
		FZ_EQ(buf[i], i < moved ? data[i] : FZ_CANARY, "bio data");
	free(buf);
}

/* ---- the metadata cache ---- */

#define NS	INT64_C(1000000000)

/* The clock in nanoseconds, saturated beyond what int64 holds. */
static int64_t
model_ns(struct pn_timespec ts)
{
	int64_t ns = ts.tv_nsec < 0 ? 0 : ts.tv_nsec >= NS ? NS - 1 :
	    ts.tv_nsec;

	if (ts.tv_sec >= INT64_MAX / NS)
		return INT64_MAX;
	if (ts.tv_sec <= INT64_MIN / NS)
		return INT64_MIN;
	return ts.tv_sec * NS + ns;
}

static void
check_ts(struct pn_timespec got, int64_t t, const char *what)
{
	int64_t s = t / NS, ns = t % NS;

	if (ns < 0) {
		s--;
		ns += NS;
	}
	FZ_EQ(got.tv_sec, s, what);
	FZ_EQ(got.tv_nsec, ns, what);
}

static int
model_update(struct mnode *m, unsigned flags)
{
	int64_t t = model_ns(S.h.h_now);

	if (flags & ~0xfu)
		return PN_EINVAL;
	if (flags == 0)
		return PN_OK;
	if ((flags & PN_UPDATE_SIZE) && !NODE_LIVE(m))
		return PN_ENOENT;
	if (flags & PN_UPDATE_ATIME)
		m->atime = t;
	if (flags & PN_UPDATE_CTIME)
		m->ctime = t;
	if (flags & PN_UPDATE_MTIME)
		m->mtime = t;
	if (flags & PN_UPDATE_SIZE)
		m->size = m->vp->v_size;
	m->mcflags |= flags;
	return PN_OK;
}

static void
op_update(struct fz *f)
{
	uint8_t how = fz_u8(f);
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);
	unsigned flags = fz_u8(f);
	int64_t size, eob = -1;
	int want;

	if (pn == NULL)
		return;
	switch (how & 3) {
	case 0:
		want = m == NULL ? PN_EINVAL : model_update(m, flags);
		FZ_EQ(pn_updatenode(pn, flags), want, "updatenode");
		break;
	case 1:
		if (flags & ~3u)
			want = PN_EINVAL;
		else if (m == NULL)
			want = PN_EINVAL;
		else
			want = model_update(m,
			    ((flags & PN_GOP_UPDATE_ACCESSED) ?
			    PN_UPDATE_ATIME : 0) |
			    ((flags & PN_GOP_UPDATE_MODIFIED) ?
			    PN_UPDATE_MTIME : 0));
		FZ_EQ(pn_gop_markupdate(pn, flags), want, "gop_markupdate");
		break;
	case 2:
		size = fz_i64_edgy(f);
		want = m == NULL || size < 0 ? PN_EINVAL : PN_OK;
		FZ_EQ(pn_gop_size(pn, size, &eob, (int)flags), want,
		    "gop_size");
		FZ_EQ(eob, want == PN_OK ? size : 0, "gop_size end");
		break;
	default:
		if (m == NULL) {
			want = PN_EINVAL;
		} else if (!NODE_LIVE(m)) {
			want = PN_ENOENT;
		} else if (m->vp->v_attrsize < -1) {
			S.misb[PN_BAD_SIZE]++;
			want = PN_EINVAL;
		} else {
			want = PN_OK;
		}
		size = m != NULL && NODE_LIVE(m) ? m->vp->v_size : 0;
		{
			int rv = pn_updatevpsize(pn);

			if (rv == PN_EIO && injected()) {
				if (want == PN_EINVAL && m != NULL)
					S.misb[PN_BAD_SIZE]--;
				break;
			}
			FZ_EQ(rv, want, "updatevpsize");
		}
		if (want == PN_OK && m->vp->v_attrsize != -1)
			size = m->vp->v_attrsize;
		if (m != NULL && NODE_LIVE(m))
			FZ_EQ(m->vp->v_size, size, "vnode size after getattr");
		break;
	}
}

static void
op_take(struct fz *f)
{
	struct mnode *m;
	struct pn_node *pn = rd_target(f, &m);
	struct pn_metacache mc;

	if (pn == NULL)
		return;
	memset(&mc, 0xa5, sizeof(mc));
	if (m == NULL) {
		FZ_EQ(pn_metacache_take(pn, &mc), PN_EINVAL, "take freed");
		FZ_EQ(mc.mc_flags, 0, "take freed");
		return;
	}
	FZ_EQ(pn_metacache_take(pn, &mc), PN_OK, "metacache_take");
	FZ_EQ(mc.mc_flags, m->mcflags, "metacache flags");
	check_ts(mc.mc_atime, m->mcflags & PN_UPDATE_ATIME ? m->atime : 0,
	    "metacache atime");
	check_ts(mc.mc_ctime, m->mcflags & PN_UPDATE_CTIME ? m->ctime : 0,
	    "metacache ctime");
	check_ts(mc.mc_mtime, m->mcflags & PN_UPDATE_MTIME ? m->mtime : 0,
	    "metacache mtime");
	FZ_EQ(mc.mc_size, m->mcflags & PN_UPDATE_SIZE ? m->size : 0,
	    "metacache size");
	m->mcflags = 0;
}

static void
op_setclock(struct fz *f)
{
	S.h.h_now.tv_sec = fz_i64_edgy(f);
	S.h.h_now.tv_nsec = (fz_u8(f) & 1) ? fz_i64_edgy(f) :
	    (int64_t)(fz_u32(f) % NS);
}

static void
op_setvsize(struct fz *f)
{
	uint8_t how = fz_u8(f);
	struct mnode *m = rd_live(f);
	int64_t size = fz_i64_edgy(f);

	if (m == NULL)
		return;
	if (how & 1)
		m->vp->v_attrsize = size;
	else
		m->vp->v_size = size;
}

/* ---- the mount ---- */

static void
op_mpref(struct fz *f)
{
	(void)f;
	if (S.dying) {
		FZ_EQ(pn_mp_reference(S.mp), PN_ENXIO, "mp_reference dying");
		return;
	}
	FZ_EQ(pn_mp_reference(S.mp), PN_OK, "mp_reference");
	S.mprefs++;
}

static void
op_mprel(struct fz *f)
{
	(void)f;
	if (S.mprefs == 0) {
		S.panics++;
		FZ_EQ(pn_mp_release(S.mp), PN_EINVAL, "mp_release unused");
		return;
	}
	FZ_EQ(pn_mp_release(S.mp), PN_OK, "mp_release");
	S.mprefs--;
}

static void
op_mpdrain(struct fz *f)
{
	(void)f;
	for (; S.mprefs > 0; S.mprefs--)
		FZ_EQ(pn_mp_release(S.mp), PN_OK, "mp_release");
	FZ_EQ(pn_mp_drain(S.mp), PN_OK, "mp_drain");
	S.dying = true;
}

static void
op_pooldrain(struct fz *f)
{
	struct pn_pool_stats a, b;
	size_t freed = 12345;

	(void)f;
	FZ_EQ(pn_pool_stats(S.mp, &a), PN_OK, "pool_stats");
	FZ_EQ(pn_pool_drain(S.mp, &freed), PN_OK, "pool_drain");
	FZ_EQ(pn_pool_stats(S.mp, &b), PN_OK, "pool_stats");
	FZ_EQ(b.slabs, a.slabs - freed, "slabs given back");
	if (b.in_use == 0)
		FZ_EQ(b.slabs, 0, "every slab of an idle pool given back");
	S.nstale = 0;		/* their memory may be gone */
}

static void
op_setlimit(struct fz *f)
{
	S.limit = fz_u8(f) % 12;
	FZ_EQ(pn_pool_setlimit(S.mp, S.limit), PN_OK, "pool_setlimit");
}

struct walk {
	int	 mode;
	size_t	 seen, stop;
};

static int
walk_fn(struct pn_node *pn, void *arg)
{
	struct walk *w = arg;
	struct mnode *m = NULL;
	size_t i, freed = 1;

	for (i = 0; i < S.nn; i++)
		if (S.n[i].pn == pn)
			m = &S.n[i];
	if (m == NULL || !NODE_LIVE(m))
		FZ_FAIL("walk visits a node that is not live");
	if (m->visited)
		FZ_FAIL("walk visits a node twice");
	m->visited = true;
	FZ_EQ(pn_node_refs(pn), 2 + m->nrefs, "references during a walk");
	w->seen++;
	switch (w->mode) {
	case 1:
		if (w->seen == w->stop)
			return 7;
		break;
	case 2:
		FZ_EQ(pn_pool_drain(S.mp, &freed), PN_EBUSY,
		    "pool drain during a walk");
		FZ_EQ(freed, 0, "pool drain during a walk");
		break;
	case 3:
		if (m->vrefs == 0) {
			FZ_EQ(th_reclaim(&S.h, m->vp), PN_OK,
			    "reclaim during a walk");
			FZ_EQ(pn_node_refs(pn), 1 + m->nrefs,
			    "references after a reclaim in a walk");
			m->vp = NULL;
			/* the walk's reference frees it on return */
		}
		break;
	default:
		break;
	}
	return 0;
}

static void
op_walk(struct fz *f)
{
	uint8_t b = fz_u8(f);
	struct walk w = { .mode = b & 3, .stop = 1 + (b >> 2) % 8 };
	size_t i, live = nlive();
	int want;

	for (i = 0; i < S.nn; i++)
		S.n[i].visited = false;
	want = w.mode == 1 && live >= w.stop ? 7 : 0;
	FZ_EQ(pn_node_walk(S.mp, walk_fn, &w), want, "walk answer");
	FZ_EQ(w.seen, want == 7 ? w.stop : live, "nodes walked");
	/* Nodes reclaimed inside the walk and not referenced are gone. */
	for (i = 0; i < S.nn; i++)
		if (!NODE_LIVE(&S.n[i]) && S.n[i].nrefs == 0)
			node_freed(&S.n[i--]);
}

static void
remount(void)
{
	wh_fail_at(&S.h.h_w, 0, false);
	S.failed = 0;
	FZ_EQ(th_mount(&S.h, &S.args), PN_OK, "mount");
	S.mp = S.h.h_mp;
	S.nstale = 0;
	S.maxgen = 0;
	S.dying = false;
	S.limit = S.args.node_limit;
	S.slabnodes = 0;
}

static void
op_destroy(struct fz *f)
{
	bool busy = S.mprefs != 0 || S.nn != 0;

	(void)f;
	if (busy) {
		FZ_EQ(pn_mount_destroy(S.mp), PN_EBUSY, "destroy busy mount");
		return;
	}
	FZ_EQ(pn_mount_destroy(S.mp), PN_OK, "destroy idle mount");
	S.mp = S.h.h_mp = NULL;
	remount();
}

static void
op_fault(struct fz *f)
{
	uint8_t b = fz_u8(f);
	unsigned mask = fz_u8(f);

	/* Allocation, lock, cv, vnode_alloc, vnode_get, attach, alias, -, getattr */
	S.h.h_w.mask = (mask & 0x7f) | ((mask & 0x80) << 1);
	wh_fail_at(&S.h.h_w, (b & 7) == 0 ? 0 : 1 + (b >> 3) % 6, b & 8);
	S.failed = 0;
}

typedef void op_fn(struct fz *);

static op_fn *const ops[] = {
	op_getvnode, op_newnode, op_lookup, op_makeroot, op_vrele,
	op_reclaim, op_reclaim2, op_refnode, op_relnode, op_poll,
	op_revents, op_bioread, op_update, op_take, op_setclock,
	op_setvsize, op_mpref, op_mprel, op_mpdrain, op_pooldrain,
	op_setlimit, op_walk, op_destroy, op_fault,
	/* the common ones twice */
	op_getvnode, op_newnode, op_lookup, op_reclaim,
};

/* Release everything the program holds, reclaim, destroy, check. */
static void
teardown(void)
{
	size_t i, live;

	wh_fail_at(&S.h.h_w, 0, false);
	for (i = 0; i < S.nn; i++)
		if (NODE_LIVE(&S.n[i]))
			drop_vrefs(&S.n[i]);
	for (i = 0; i < S.nn; i++)
		for (; S.n[i].nrefs > 0; S.n[i].nrefs--)
			FZ_EQ(pn_releasenode(S.n[i].pn), PN_OK, "release");
	for (; S.mprefs > 0; S.mprefs--)
		FZ_EQ(pn_mp_release(S.mp), PN_OK, "mp_release");
	live = nlive();
	FZ_EQ(th_reclaim_unused(&S.h), live, "reclaim everything");
	S.nn = 0;
	S.nstale = 0;
	check_all();
	FZ_EQ(pn_mount_destroy(S.mp), PN_OK, "destroy at the end");
	if (th_fini(&S.h) != 0)
		FZ_FAIL("host not clean at the end");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t b;

	memset(&S, 0, sizeof(S));
	th_init(&S.h);

	b = fz_u8(&f);
	S.args = th_args((b & 0x80) ? fz_u64(&f) :
	    (pn_cookie_t)(1 + (b & 7)));
	if (S.args.root_cookie == 0)
		S.args.root_cookie = 1;
	S.args.root_type = 1 + fz_u8(&f) % 7;
	S.args.root_size = fz_u8(&f);
	S.args.root_rdev = fz_u8(&f);
	b = fz_u8(&f);
	S.args.flags = ((b & 1) ? PN_MNT_NAMECACHE : 0) |
	    ((b & 0x20) ? PN_MNT_PLACEHOLDER : 0);
	S.args.node_limit = (b & 0x80) ? (b >> 1) % 8 : 0;
	S.args.hash_hint = (b & 0x40) ? fz_u8(&f) : 0;
	remount();
	check_all();

	while (!fz_empty(&f)) {
		S.step++;
		S.failed = atomic_load(&S.h.h_w.failed);
		ops[fz_u8(&f) % (sizeof(ops) / sizeof(ops[0]))](&f);
		check_all();
	}
	teardown();
	return 0;
}
