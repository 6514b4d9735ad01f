/*
 * node.c -- cookies to nodes to vnodes: get-or-create, create-only,
 * lookup-only, the root, reclaim, node references and node walks.
 *
 * Node states (the top bits of pn_word) and their transitions:
 *
 *	FREE --pool_get--> BUILDING --built--> ACTIVE --putvnode--> DEAD
 *	  ^                    |                                     |
 *	  +----build failed----+----------last reference-------------+
 *
 * - FREE: on the pool's free list; in no table.
 * - BUILDING: in the table as a placeholder while its vnode is built
 *   without locks held.  Get-or-create and create-only calls for the same
 *   cookie wait for it; lookups treat it as absent.  This makes the
 *   duplicate check atomic with the insert (cf. NetBSD's vcache loading
 *   state, Linux's I_NEW).
 * - ACTIVE: in the table with its vnode.  Lookups may return it.
 * - DEAD: reclaim has begun.  Out of the table once putvnode returns;
 *   lives on while requests hold references.
 * Every transition and table change happens under the mount lock, and
 * those a get-or-create caller may wait for are followed by a broadcast
 * on the mount's condition variable (BUILDING->ACTIVE only when a caller
 * waits: waiters count themselves in mnt_waiters), so waiters recheck
 * under the lock and lose nothing.
 *
 * Locks: the mount lock (table writers, states, the pool, waits); a
 * node's stripe lock (metadata cache, poll state, its vnode pointer for
 * completions) is taken alone.  No core lock is held across a host vnode
 * operation other than vnode_getdata.
 *
 * References.  pn_refs counts the vnode's reference (taken at build,
 * dropped by putvnode) plus one per outstanding request; the last release
 * of a DEAD node returns it to the pool.  Releasing an unreferenced node,
 * or a live node's last reference, is reported and refused.
 *
 * Lookups run lock-free (table.c) inside a read section that announces
 * the cookie looked up.  The table holds each ACTIVE cookie's vnode, and
 * taking an entry out waits for the read sections announcing its cookie;
 * so a lookup may call vnode_get on the vnode it found, which the host
 * cannot free before putvnode returns, and the host refuses a vnode
 * being reclaimed.  Node walks pin instead: a pin counts in the state
 * word, is refused unless the node is ACTIVE, and putvnode waits until
 * no pin remains.
 */
#include "pn_impl.h"

/* What a lock-free lookup found. */
enum found {
	F_VNODE,	/* *vpp referenced */
	F_NONE,		/* no node */
	F_BUSY,		/* being built, or being reclaimed */
	F_ERROR		/* vnode_get failed: *errorp */
};

/* Pin pn if it is ACTIVE; *stp gets the state seen. */
bool
pn_node_pin(struct pn_node *pn, uint32_t *stp)
{
	uint32_t w;

	w = atomic_fetch_add_explicit(&pn->pn_word, 1, memory_order_acquire);
	*stp = w & PN_ST_MASK;
	if (*stp == PN_ST_ACTIVE)
		return true;
	atomic_fetch_sub_explicit(&pn->pn_word, 1, memory_order_release);
	return false;
}

void
pn_node_unpin(struct pn_node *pn)
{
	atomic_fetch_sub_explicit(&pn->pn_word, 1, memory_order_release);
}

struct pn_lock *
pn_node_stripe(const struct pn_node *pn)
{
	uintptr_t a = (uintptr_t)pn;

	return pn->pn_mp->mnt_mclock[(a ^ (a >> 7) ^ (a >> 13)) %
	    PN_MCSTRIPES];
}

static void
set_state_locked(struct pn_mount *mp, struct pn_node *pn, uint32_t st)
{
	uint32_t w = atomic_load_explicit(&pn->pn_word, memory_order_relaxed);

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	while (!atomic_compare_exchange_weak_explicit(&pn->pn_word, &w,
	    (w & PN_PIN_MASK) | st, memory_order_acq_rel,
	    memory_order_relaxed))
		continue;
}

static bool
mount_dying(struct pn_mount *mp)
{
	return atomic_load_explicit(&mp->mnt_dying, memory_order_acquire) ||
	    (mp->mnt_ops.mount_dying != NULL &&
	    mp->mnt_ops.mount_dying(mp->mnt_host));
}

/*
 * Lock-free lookup of cookie c, whose hash is h.  F_BUSY: the node is
 * being built or reclaimed; when the host refused the vnode (reclaim
 * begun, putvnode not yet called), *dyingp and *dyinggen name the node,
 * for the slow path to wait on.  Inline, so that a hit keeps everything
 * in registers.
 */
static inline __attribute__((always_inline)) enum found
lookup(struct pn_mount *mp, pn_cookie_t c, uint64_t h, struct pn_vnode **vpp,
    struct pn_node **dyingp, uint64_t *dyinggen, int *errorp)
{
	uint64_t rw;
	_Atomic uint64_t *rs;
	struct pn_node *pn;
	struct pn_vnode *vp;
	uintptr_t v;
	enum found f;
	int error;

	/*
	 * The read section announces c: until it ends, the entry found for c
	 * cannot leave the table for good, so the host cannot free its vnode
	 * (table.c) and the vnode's node stays the same.
	 */
	rs = pn_read_claim(mp, pn_read_tag(h), &rw);
	v = pn_table_find_hash(mp, c, h);
	if (v == 0) {
		f = F_NONE;
	} else if (PN_UNLIKELY(v & PN_SLOT_BUILDING)) {
		f = F_BUSY;
	} else {
		vp = (struct pn_vnode *)v;
		error = mp->mnt_ops.vnode_get(mp->mnt_host, vp);
		if (PN_LIKELY(error == PN_OK)) {
			*vpp = vp;
			f = F_VNODE;
		} else if (error == PN_ENOENT) {
			pn = mp->mnt_ops.vnode_getdata(mp->mnt_host, vp);
			*dyingp = pn;
			/* The host clears v_data only after putvnode. */
			*dyinggen = pn == NULL ? 0 : pn->pn_gen;	/* GCOVR_EXCL_BR_LINE: see above */
			f = F_BUSY;
		} else {
			*errorp = error;
			f = F_ERROR;
		}
	}
	pn_read_leave(rs, rw);
	return f;
}

/*
 * BUILDING -> ACTIVE: the table entry gets the vnode, under the mount
 * lock; wake the get-or-create callers that wait, if any.
 */
static void
publish_active(struct pn_mount *mp, struct pn_node *pn, struct pn_vnode *vp)
{
	pn_h_enter(mp, mp->mnt_lock);
	set_state_locked(mp, pn, PN_ST_ACTIVE);
	pn_table_publish(mp, pn, vp);
	if (atomic_load_explicit(&mp->mnt_waiters, memory_order_relaxed) != 0)
		mp->mnt_ops.cv_broadcast(mp->mnt_host, mp->mnt_cv);
	pn_h_exit(mp, mp->mnt_lock);
}

/* Take the node out of the table and give it back.  No lock held. */
static void
build_abort(struct pn_mount *mp, struct pn_node *pn)
{
	pn_h_enter(mp, mp->mnt_lock);
	pn_table_remove(mp, pn);
	set_state_locked(mp, pn, PN_ST_DEAD);
	mp->mnt_ops.cv_broadcast(mp->mnt_host, mp->mnt_cv);
	atomic_store_explicit(&pn->pn_refs, 0, memory_order_relaxed);
	pn_pool_put_locked(mp, pn);
	pn_h_exit(mp, mp->mnt_lock);
}

/*
 * Build the vnode of a BUILDING node: the seed's footwork and type
 * dances, done with no lock held.  On failure everything taken is freed.
 */
static int
build(struct pn_mount *mp, struct pn_node *pn, int type, int64_t size,
    uint64_t rdev, struct pn_vnode **vpp)
{
	const struct pn_host_ops *o = &mp->mnt_ops;
	void *h = mp->mnt_host;
	struct pn_vnode *vp = NULL, *alias = NULL;
	int error;

	if ((error = o->vnode_alloc(h, type, &vp)) != PN_OK)
		goto fail;
	if (PN_UNLIKELY(((uintptr_t)vp & PN_SLOT_BUILDING) != 0)) {
		/* The table keeps a flag in the low bit (host.h). */
		pn_h_log(mp, PN_LOG_PANIC,
		    "puffsnode: host vnode at an odd address", 0, 0);
		error = PN_EINVAL;
		goto fail;
	}
	if (mount_dying(mp)) {
		error = PN_ENXIO;
		goto fail;
	}
	if (o->vnode_attach != NULL && (error = o->vnode_attach(h, vp)) != 0)
		goto fail;
	o->vnode_setsize(h, vp, 0);
	switch (type) {
	case PN_VCHR:
	case PN_VBLK:
		if (o->vnode_setops != NULL)
			o->vnode_setops(h, vp, PN_VOPS_SPEC);
		if (o->vnode_checkalias != NULL) {
			error = o->vnode_checkalias(h, vp, rdev, &alias);
			if (error != PN_OK)
				goto fail;
			if (alias != NULL) {
				/* An existing device vnode: adopt it. */
				o->vnode_free(h, vp);
				vp = alias;
			}
		}
		break;
	case PN_VFIFO:
		if (o->vnode_setops != NULL)
			o->vnode_setops(h, vp, PN_VOPS_FIFO);
		break;
	case PN_VREG:
		o->vnode_setsize(h, vp, size);
		break;
	default:
		break;
	}
	if (atomic_load_explicit(&pn->pn_cookie, memory_order_relaxed) ==
	    mp->mnt_rootcookie && o->vnode_setops != NULL)
		o->vnode_setops(h, vp, PN_VOPS_ROOT);
	if (o->node_init != NULL)
		o->node_init(h, vp);
	o->vnode_setdata(h, vp, pn);
	atomic_store_explicit(&pn->pn_vp, vp, memory_order_relaxed);

	publish_active(mp, pn, vp);
	*vpp = vp;
	return PN_OK;

fail:
	if (vp != NULL)
		o->vnode_free(h, vp);
	build_abort(mp, pn);
	return error;
}

/* Is vp the vnode of node pn at generation gen?  Mount lock held. */
static bool
node_is(struct pn_mount *mp, struct pn_vnode *vp, const struct pn_node *pn,
    uint64_t gen)
{
	return mp->mnt_ops.vnode_getdata(mp->mnt_host, vp) == pn &&
	    pn->pn_gen == gen;
}

/*
 * Get-or-create (create_only false) and create-only (true) for cookie c.
 * Returns the vnode referenced.
 */
static int
get_or_create(struct pn_mount *mp, pn_cookie_t c, int type, int64_t size,
    uint64_t rdev, bool create_only, struct pn_vnode **vpp)
{
	struct pn_node *pn, *busy;
	struct pn_vnode *vp;
	uint64_t h = pn_cookie_hash(c), busygen;
	uintptr_t v;
	bool waiting;
	int error;

	for (;;) {
		busy = NULL;
		busygen = 0;
		error = PN_OK;
		switch (lookup(mp, c, h, &vp, &busy, &busygen, &error)) {
		case F_VNODE:
			if (!create_only) {
				*vpp = vp;
				return PN_OK;
			}
			mp->mnt_ops.vnode_rele(mp->mnt_host, vp);
			pn_h_misbehaved(mp, PN_BAD_COOKIE_DUP, c,
			    "new node with the cookie of a live node");
			return PN_EEXIST;
		case F_ERROR:
			return error;
		case F_NONE:
		case F_BUSY:
			break;
		}

		pn_h_enter(mp, mp->mnt_lock);
		waiting = false;
		for (;;) {
			if (mount_dying(mp)) {
				v = 0;
				error = PN_ENXIO;
				break;
			}
			v = pn_table_find_locked_hash(mp, c, h);
			if (v == 0)
				break;
			/* ACTIVE and not the node we saw dying: use it. */
			if ((v & PN_SLOT_BUILDING) == 0 && (busy == NULL ||
			    !node_is(mp, (struct pn_vnode *)v, busy, busygen)))
				break;
			/* Entries change under the lock: sleep until one does. */
			if (!waiting) {
				atomic_fetch_add_explicit(&mp->mnt_waiters, 1,
				    memory_order_relaxed);
				waiting = true;
			}
			mp->mnt_ops.cv_wait(mp->mnt_host, mp->mnt_cv,
			    mp->mnt_lock);
		}
		if (waiting)
			atomic_fetch_sub_explicit(&mp->mnt_waiters, 1,
			    memory_order_relaxed);
		if (error == PN_ENXIO) {
			pn_h_exit(mp, mp->mnt_lock);
			return error;
		}
		if (v == 0)
			break;		/* create it, lock held */
		pn_h_exit(mp, mp->mnt_lock);
	}

	error = pn_pool_get(mp, &pn);
	if (error == PN_OK) {
		atomic_store_explicit(&pn->pn_cookie, c, memory_order_relaxed);
		pn->pn_gen = atomic_fetch_add_explicit(&mp->mnt_nextgen, 1,
		    memory_order_relaxed);
		pn->pn_type = type;
		error = pn_table_insert_hash(mp, pn, h);
		if (error != PN_OK) {
			atomic_store_explicit(&pn->pn_refs, 0,
			    memory_order_relaxed);
			pn_pool_put_locked(mp, pn);
		}
	}
	pn_h_exit(mp, mp->mnt_lock);
	if (error != PN_OK)
		return error;
	return build(mp, pn, type, size, rdev, vpp);
}

static int
check_type(struct pn_mount *mp, pn_cookie_t c, int type)
{
	if (type > PN_VNON && type < PN_VBAD)
		return PN_OK;
	pn_h_misbehaved(mp, PN_BAD_VTYPE, c, "node type out of range");
	return PN_EINVAL;
}

PN_EXPORT int
pn_getvnode(struct pn_mount *mp, pn_cookie_t cookie, int type, int64_t size,
    uint64_t rdev, struct pn_vnode **vpp)
{
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (mp == NULL)
		return PN_EINVAL;
	if ((error = check_type(mp, cookie, type)) != PN_OK)
		return error;
	if (cookie == 0) {
		pn_h_misbehaved(mp, PN_BAD_COOKIE_ZERO, 0, "node with cookie 0");
		return PN_EINVAL;
	}
	if (size < 0) {
		pn_h_misbehaved(mp, PN_BAD_SIZE, cookie, "negative size");
		return PN_EINVAL;
	}
	if (mount_dying(mp))
		return PN_ENXIO;
	return get_or_create(mp, cookie, type, size, rdev, false, vpp);
}

PN_EXPORT int
pn_newnode(struct pn_mount *mp, struct pn_vnode *dvp, pn_cookie_t cookie,
    const struct pn_cn *cn, int type, uint64_t rdev, struct pn_vnode **vpp)
{
	const struct pn_host_ops *o;
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (mp == NULL || (cn != NULL && cn->cn_nameptr == NULL))
		return PN_EINVAL;
	o = &mp->mnt_ops;
	if (cookie == 0) {
		/* The server does not support the operation. */
		return PN_EOPNOTSUPP;
	}
	if ((error = check_type(mp, cookie, type)) != PN_OK)
		return error;
	if (cookie == mp->mnt_rootcookie) {
		pn_h_misbehaved(mp, PN_BAD_COOKIE_ROOT, cookie,
		    "new node with the root's cookie");
		return PN_EEXIST;
	}
	if (mount_dying(mp))
		return PN_ENXIO;
	error = get_or_create(mp, cookie, type, 0, rdev, true, vpp);
	if (error != PN_OK)
		return error;
	if (o->vnode_lock != NULL)
		o->vnode_lock(mp->mnt_host, *vpp);
	if ((mp->mnt_flags & PN_MNT_NAMECACHE) && dvp != NULL && cn != NULL &&
	    (cn->cn_flags & PN_CN_MAKEENTRY) && o->namecache_enter != NULL)
		o->namecache_enter(mp->mnt_host, dvp, *vpp, cn->cn_nameptr,
		    cn->cn_namelen);
	return PN_OK;
}

PN_EXPORT int
pn_makeroot(struct pn_mount *mp, struct pn_vnode **vpp)
{
	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (mp == NULL)
		return PN_EINVAL;
	/* On a dying mount an existing root is still returned; building fails. */
	return get_or_create(mp, mp->mnt_rootcookie, mp->mnt_roottype,
	    mp->mnt_rootsize, mp->mnt_rootrdev, false, vpp);
}

/* pn_cookie2vnode's other cases: the root, a failed lookup. */
static __attribute__((noinline, cold)) int
cookie2vnode_slow(struct pn_mount *mp, pn_cookie_t cookie, enum found f,
    int error, unsigned flags, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = NULL;

	if (f == F_ERROR)
		return error;
	if (cookie != mp->mnt_rootcookie)
		return PN_ENOENT;
	/* The root is made when missing, as pn_makeroot does. */
	if ((error = pn_makeroot(mp, &vp)) != PN_OK)
		return error;
	if ((flags & PN_LOOKUP_LOCK) && mp->mnt_ops.vnode_lock != NULL)
		mp->mnt_ops.vnode_lock(mp->mnt_host, vp);
	*vpp = vp;
	return PN_OK;
}

PN_EXPORT int
pn_cookie2vnode(struct pn_mount *mp, pn_cookie_t cookie, unsigned flags,
    struct pn_vnode **vpp)
{
	struct pn_node *busy;
	struct pn_vnode *vp;
	uint64_t busygen;
	enum found f;
	int error = PN_OK;

	if (PN_UNLIKELY(vpp == NULL))
		return PN_EINVAL;
	*vpp = NULL;
	if (PN_UNLIKELY(mp == NULL || cookie == 0 ||
	    (flags & ~PN_LOOKUP_LOCK) != 0))
		return PN_EINVAL;
	/*
	 * The root's node is found like any other; only when the lookup
	 * fails does the root's cookie matter (cookie2vnode_slow).
	 */
	f = lookup(mp, cookie, pn_cookie_hash(cookie), &vp, &busy, &busygen,
	    &error);
	if (PN_UNLIKELY(f != F_VNODE))
		return cookie2vnode_slow(mp, cookie, f, error, flags, vpp);
	if (PN_UNLIKELY(flags & PN_LOOKUP_LOCK) &&
	    mp->mnt_ops.vnode_lock != NULL)
		mp->mnt_ops.vnode_lock(mp->mnt_host, vp);
	*vpp = vp;
	return PN_OK;
}

/* Drop one reference; the last one of a DEAD node frees it. */
static int
node_release(struct pn_node *pn)
{
	struct pn_mount *mp = pn->pn_mp;
	uint32_t r = atomic_load_explicit(&pn->pn_refs, memory_order_relaxed);

	do {
		if (r == 0) {
			pn_h_log(mp, PN_LOG_PANIC,
			    "puffsnode: node %llu released with no reference",
			    atomic_load_explicit(&pn->pn_cookie,
			    memory_order_relaxed), 0);
			return PN_EINVAL;
		}
		if (r == 1 && pn_node_state(pn) != PN_ST_DEAD) {
			pn_h_log(mp, PN_LOG_PANIC,
			    "puffsnode: node %llu: last reference of a live "
			    "node released", atomic_load_explicit(
			    &pn->pn_cookie, memory_order_relaxed), 0);
			return PN_EINVAL;
		}
	} while (!atomic_compare_exchange_weak_explicit(&pn->pn_refs, &r,
	    r - 1, memory_order_acq_rel, memory_order_relaxed));
	if (r == 1)
		pn_pool_put(mp, pn);
	return PN_OK;
}

PN_EXPORT int
pn_putvnode(struct pn_mount *mp, struct pn_vnode *vp)
{
	const struct pn_host_ops *o;
	struct pn_node *pn;
	struct pn_lock *stripe;

	if (mp == NULL || vp == NULL)
		return PN_EINVAL;
	o = &mp->mnt_ops;
	pn = o->vnode_getdata(mp->mnt_host, vp);
	if (pn == NULL || pn->pn_mp != mp)
		return PN_EINVAL;

	pn_h_enter(mp, mp->mnt_lock);
	if (pn_node_state(pn) != PN_ST_ACTIVE ||
	    atomic_load_explicit(&pn->pn_vp, memory_order_relaxed) != vp) {
		pn_h_exit(mp, mp->mnt_lock);
		pn_h_log(mp, PN_LOG_PANIC,
		    "puffsnode: putvnode of a vnode not live (cookie %llu)",
		    atomic_load_explicit(&pn->pn_cookie, memory_order_relaxed),
		    0);
		return PN_EINVAL;
	}
	set_state_locked(mp, pn, PN_ST_DEAD);
	pn_table_remove(mp, pn);
	o->cv_broadcast(mp->mnt_host, mp->mnt_cv);
	pn_h_exit(mp, mp->mnt_lock);

	/* Let lookups that pinned the node before it died finish with vp. */
	while ((atomic_load_explicit(&pn->pn_word, memory_order_acquire) &
	    PN_PIN_MASK) != 0)
		pn_h_yield(mp);

	if (o->node_fini != NULL)
		o->node_fini(mp->mnt_host, vp);
	stripe = pn_node_stripe(pn);
	pn_h_enter(mp, stripe);
	atomic_store_explicit(&pn->pn_vp, NULL, memory_order_relaxed);
	pn_h_exit(mp, stripe);
	o->vnode_setdata(mp->mnt_host, vp, NULL);
	return node_release(pn);
}

PN_EXPORT int
pn_referencenode(struct pn_node *pn)
{
	uint32_t r;

	if (pn == NULL)
		return PN_EINVAL;
	r = atomic_load_explicit(&pn->pn_refs, memory_order_relaxed);
	do {
		/* r == 0 while not FREE: only between last release and the pool. */
		if (r == 0 || pn_node_state(pn) == PN_ST_FREE) {	/* GCOVR_EXCL_BR_LINE */
			pn_h_log(pn->pn_mp, PN_LOG_PANIC,
			    "puffsnode: reference to a freed node", 0, 0);
			return PN_EINVAL;
		}
		if (r == UINT32_MAX)
			return PN_ERANGE;
	} while (!atomic_compare_exchange_weak_explicit(&pn->pn_refs, &r,
	    r + 1, memory_order_acq_rel, memory_order_relaxed));
	return PN_OK;
}

PN_EXPORT int
pn_releasenode(struct pn_node *pn)
{
	if (pn == NULL)
		return PN_EINVAL;
	return node_release(pn);
}

/* ---- accessors ---- */

PN_EXPORT struct pn_node *
pn_vnode2node(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp == NULL || vp == NULL)
		return NULL;
	return mp->mnt_ops.vnode_getdata(mp->mnt_host, vp);
}

PN_EXPORT pn_cookie_t
pn_node_cookie(const struct pn_node *pn)
{
	return pn == NULL ? 0 : atomic_load_explicit(&pn->pn_cookie,
	    memory_order_relaxed);
}

PN_EXPORT uint64_t
pn_node_gen(const struct pn_node *pn)
{
	return pn == NULL ? 0 : pn->pn_gen;
}

PN_EXPORT int
pn_node_type(const struct pn_node *pn)
{
	return pn == NULL ? PN_VNON : pn->pn_type;
}

PN_EXPORT struct pn_vnode *
pn_node_vnode(const struct pn_node *pn)
{
	return pn == NULL ? NULL : atomic_load_explicit(&pn->pn_vp,
	    memory_order_relaxed);
}

PN_EXPORT struct pn_mount *
pn_node_mount(const struct pn_node *pn)
{
	return pn == NULL ? NULL : pn->pn_mp;
}

PN_EXPORT uint32_t
pn_node_refs(const struct pn_node *pn)
{
	return pn == NULL ? 0 : atomic_load_explicit(&pn->pn_refs,
	    memory_order_relaxed);
}

/*
 * Visit every node that is ACTIVE when the walk reaches it, each once.
 * fn runs with a node reference held and no core lock, so it may reclaim
 * the node.  Nodes created during the walk may or may not be visited.
 */
PN_EXPORT int
pn_node_walk(struct pn_mount *mp, pn_walk_fn *fn, void *arg)
{
	struct pn_slab *sl;
	size_t i, n = pn_pool_slab_nodes();
	uint32_t st;
	int rv = 0;

	if (mp == NULL || fn == NULL)
		return PN_EINVAL;
	for (sl = pn_pool_walk_begin(mp); sl != NULL && rv == 0;
	    sl = pn_pool_walk_next(mp, sl)) {
		for (i = 0; i < n && rv == 0; i++) {
			struct pn_node *pn = &sl->sl_nodes[i];

			if (!pn_node_pin(pn, &st))
				continue;
			/* Pinned and ACTIVE: the vnode's reference is held. */
			atomic_fetch_add_explicit(&pn->pn_refs, 1,
			    memory_order_relaxed);
			pn_node_unpin(pn);
			rv = fn(pn, arg);
			(void)node_release(pn);
		}
	}
	pn_pool_walk_end(mp);
	return rv;
}
