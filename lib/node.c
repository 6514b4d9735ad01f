/*
 * node.c -- cookies to nodes to vnodes: get-or-create, create-only,
 * lookup-only, the root, reclaim, node references and node walks.
 *
 * Node states (the top bits of pn_word) and their transitions:
 *
 *	        +---------------built first---------------+
 *	        |                                          v
 *	FREE --placeholder--> BUILDING --built--> ACTIVE --putvnode--> DEAD
 *	  ^                      |                                      |
 *	  +-----build failed-----+-----------last reference-------------+
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
 * One function makes every transition, pni_node_set_state: under the
 * mount lock, from the state it asserts, along an edge of the diagram
 * above only.  It also owns the wake-up rule: leaving BUILDING or ACTIVE
 * takes an entry out of the way of get-or-create callers that wait (they
 * count themselves in mnt_waiters under the mount lock), so such a
 * transition broadcasts the mount's condition variable when one waits;
 * waiters recheck under the lock and lose nothing.  Every writer of the
 * state word holds the mount lock or is the builder of a BUILDING node,
 * so a transition is one store.
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
 * being reclaimed.  Node walks take their references under the mount
 * lock, from ACTIVE nodes only, a batch at a time.
 *
 * Get-or-create comes in two ways; both start with a lock-free lookup
 * (lookup) and, under the mount lock, wait until the cookie's entry is
 * absent or usable (await_entry_locked).
 * - Built first, the default: the vnode is made with no lock held
 *   (vnode_make), then one hold of the mount lock checks that the cookie
 *   is still absent and enters the node ACTIVE with its vnode
 *   (enter_active_locked).  When another caller entered the cookie first,
 *   the vnode is thrown away (vnode_discard) and the lookup repeated, as
 *   FreeBSD's vfs_hash_insert does.  One lock round trip per create.
 * - Behind a placeholder: a BUILDING node is entered first
 *   (enter_building_locked), the vnode built with no lock held (build),
 *   which ends in publish_active or build_abort.  Racing callers wait
 *   instead of building vnodes of their own.  Chosen for device nodes,
 *   whose vnode may turn out to be an existing alias that must not be
 *   thrown away, and for every node of a mount with PN_MNT_PLACEHOLDER:
 *   hosts whose vnodes are costly to make or to throw away.
 */
#include "hostcall.h"

/* ---- the state machine ---- */

#define ST(x)		((x) >> PNI_ST_SHIFT)
#define EDGE(f, t)	(1u << (ST(f) * 4 + ST(t)))

/* The edges of the diagram above. */
#define EDGES	(EDGE(PNI_ST_FREE, PNI_ST_BUILDING) |			\
		 EDGE(PNI_ST_FREE, PNI_ST_ACTIVE) |			\
		 EDGE(PNI_ST_BUILDING, PNI_ST_ACTIVE) |			\
		 EDGE(PNI_ST_BUILDING, PNI_ST_FREE) |			\
		 EDGE(PNI_ST_ACTIVE, PNI_ST_DEAD) |			\
		 EDGE(PNI_ST_DEAD, PNI_ST_FREE))

/* The one edge taken without the mount lock, by the node's builder. */
#define UNLOCKED_EDGE	EDGE(PNI_ST_BUILDING, PNI_ST_ACTIVE)

/*
 * Move pn from state from to state to, and wake the get-or-create callers
 * waiting when the node leaves BUILDING or ACTIVE.
 * Mount lock held, but for BUILDING -> ACTIVE: its builder makes it with
 * no lock held once the vnode is published (the table's value, which is
 * what waiters look at, changed first, sequentially consistent, and the
 * waiter count is read after it: a waiter either saw the vnode or is
 * counted, and then the broadcast takes the lock so as not to slip in
 * before the waiter sleeps).
 */
void
pni_node_set_state(struct pn_mount *mp, struct pn_node *pn, uint32_t from,
    uint32_t to)
{
	bool locked = EDGE(from, to) != UNLOCKED_EDGE;

	PNI_ASSERT(mp, locked ? pni_h_held(mp, mp->mnt_lock) :
	    pni_h_notheld(mp, mp->mnt_lock));
	PNI_ASSERT(mp, (EDGES & EDGE(from, to)) != 0);
	PNI_ASSERT(mp, pn_load(&pn->pn_word, PN_RELAXED) == from);
	pn_store(&pn->pn_word, to, PN_RELEASE);
	if ((from != PNI_ST_BUILDING && from != PNI_ST_ACTIVE) ||
	    pn_load(&mp->mnt_waiters, PN_SEQ_CST) == 0)
		return;
	if (locked) {
		pni_h_cv_broadcast(mp, mp->mnt_cv);
	} else {
		pni_h_enter(mp, mp->mnt_lock);
		pni_h_cv_broadcast(mp, mp->mnt_cv);
		pni_h_exit(mp, mp->mnt_lock);
	}
}

struct pn_lock *
pni_node_stripe(const struct pn_node *pn)
{
	uintptr_t a = (uintptr_t)pn;

	return pn->pn_mp->mnt_mclock[(a ^ (a >> 7) ^ (a >> 13)) %
	    PNI_MCSTRIPES];
}

/* ---- lookups ---- */

/* What a lock-free lookup found. */
enum found {
	F_VNODE,	/* the vnode, referenced */
	F_NONE,		/* no node */
	F_BUSY,		/* being built, or being reclaimed */
	F_ERROR		/* vnode_get failed */
};

/* What a failed lookup leaves for the slow paths. */
struct miss {
	int			 m_error;	/* F_ERROR: vnode_get's error */
	struct pn_node		*m_dying;	/* F_BUSY: the node being reclaimed */
	uint64_t		 m_dyinggen;	/* and its generation */
};

/*
 * Lock-free lookup of cookie c, whose hash is h: F_VNODE with *vpp
 * referenced, or why not, with the details in *m.  F_BUSY: the node is
 * being built or reclaimed; when the host refused the vnode (reclaim
 * begun, putvnode not yet called), m_dying and m_dyinggen name the node,
 * for await_entry_locked.  Inline, so that a hit keeps everything in
 * registers and writes nothing but *vpp.  No core lock held.
 */
static inline __attribute__((__always_inline__)) enum found
lookup(struct pn_mount *mp, pn_cookie_t c, uint64_t h, struct pn_vnode **vpp,
    struct miss *m)
{
	struct pni_rsect rs;
	struct pn_vnode *vp;
	struct pn_node *pn;
	enum found f;
	uintptr_t v;
	int error;

	/*
	 * The read section announces c: until it ends, the entry found for c
	 * cannot leave the table for good, so the host cannot free its vnode
	 * (table.c) and the vnode's node stays the same.
	 */
	rs = pni_read_enter(mp, &mp->mnt_table, pni_read_tag(h));
	v = pni_table_find(mp, &mp->mnt_table, c, h);
	if (v == 0 || PNI_UNLIKELY(v & PNI_SLOT_BUILDING)) {
		f = v == 0 ? F_NONE : F_BUSY;
		m->m_dying = NULL;
		m->m_dyinggen = 0;
	} else {
		vp = (struct pn_vnode *)v;
		error = pni_h_vnode_get(mp, vp);
		if (PNI_LIKELY(error == PN_OK)) {
			*vpp = vp;
			f = F_VNODE;
		} else if (error == PN_ENOENT) {
			pn = pni_h_vnode_getdata(mp, vp);
			m->m_dying = pn;
			/* The host clears v_data only after putvnode. */
			m->m_dyinggen = pn == NULL ? 0 : pn->pn_gen;	/* GCOVR_EXCL_BR_LINE: see above */
			f = F_BUSY;
		} else {
			m->m_error = error;
			f = F_ERROR;
		}
	}
	pni_read_leave(rs);
	return f;
}

/* ---- get-or-create ---- */

/* Is vp the vnode of node pn at generation gen?  Mount lock held. */
static bool
node_is(struct pn_mount *mp, struct pn_vnode *vp, const struct pn_node *pn,
    uint64_t gen)
{
	return pni_h_vnode_getdata(mp, vp) == pn && pn->pn_gen == gen;
}

enum await {
	AW_CREATE,	/* no entry: create one */
	AW_LOOKUP,	/* a usable entry: look it up again */
	AW_DYING	/* the mount is going away */
};

/*
 * Wait until cookie c's entry is absent or usable: neither BUILDING nor
 * the node the failed lookup m saw being reclaimed.  AW_CREATE: *hole is
 * the slot an insert of c fills (pni_table_find_locked).  Mount lock held
 * on entry and on return.
 */
static enum await
await_entry_locked(struct pn_mount *mp, pn_cookie_t c, uint64_t h,
    const struct miss *m, size_t *hole)
{
	bool waiting = false;
	enum await aw;
	uintptr_t v;

	for (;;) {
		if (pn_load(&mp->mnt_dying, PN_ACQUIRE)) {
			aw = AW_DYING;
			break;
		}
		v = pni_table_find_locked(mp, c, h, hole);
		if (v == 0) {
			aw = AW_CREATE;
			break;
		}
		if ((v & PNI_SLOT_BUILDING) == 0 && (m->m_dying == NULL ||
		    !node_is(mp, (struct pn_vnode *)v, m->m_dying,
		    m->m_dyinggen))) {
			aw = AW_LOOKUP;
			break;
		}
		/*
		 * Sleep until the entry changes.  Counted before the entry
		 * is read again: a builder publishing without the lock reads
		 * the count after its swap (pni_node_set_state).
		 */
		if (!waiting) {
			pn_store(&mp->mnt_waiters, pn_load(&mp->mnt_waiters,
			    PN_RELAXED) + 1, PN_SEQ_CST);
			waiting = true;
			continue;
		}
		pni_h_cv_wait(mp, mp->mnt_cv, mp->mnt_lock);
	}
	if (waiting)
		pn_store(&mp->mnt_waiters, pn_load(&mp->mnt_waiters,
		    PN_RELAXED) - 1, PN_RELAXED);
	return aw;
}

/* What a create needs before it can take a node and an entry. */
enum room {
	R_READY,	/* nothing: go on, lock held */
	R_TABLE,	/* the table must grow */
	R_SLAB		/* the pool needs a slab */
};

/*
 * Does a create have to grow the table or the pool first?  Both are done
 * with the mount lock dropped (pni_table_grow, pni_pool_grow): the host's
 * allocation and the first touch of the new memory (page faults, in a
 * process) stall no other creator.  A table that could not grow
 * (table_full) fills on (pni_table_reserve).  The dead nodes are
 * collected when the pool is short.  *np: the table's size.  Mount lock
 * held.
 */
static enum room
room_locked(struct pn_mount *mp, bool table_full, size_t *np)
{
	if (!table_full && pni_table_needs_room(mp, np))
		return R_TABLE;
	if (pni_pool_short(&mp->mnt_pool))
		pni_node_collect(mp);
	return pni_pool_needs_slab(&mp->mnt_pool) ? R_SLAB : R_READY;
}

/*
 * Take a FREE node for cookie c (hash h) of type type, holding the
 * reference its vnode will own, with room for its table entry.  Mount
 * lock held on entry and on return.
 */
static int
node_take_locked(struct pn_mount *mp, pn_cookie_t c, int type,
    struct pn_node **pnp)
{
	struct pn_node *pn;
	int error;

	if ((error = pni_table_reserve(mp)) != PN_OK)
		return error;
	/* room_locked made room, in this hold of the lock. */
	if ((error = pni_pool_get(mp, &pn)) != PN_OK)
		return error;
	pn->pn_cookie = c;
	/* A split mount's parts count PNI_PARTS apart (mount.c). */
	pn->pn_gen = mp->mnt_nextgen;
	mp->mnt_nextgen += pni_nparts(mp->mnt_outer);
	pn->pn_type = type;
	pn_store(&pn->pn_refs, 1, PN_RELAXED);
	*pnp = pn;
	return PN_OK;
}

/*
 * Placeholder: enter a BUILDING node for cookie c (hash h) in slot hole.
 * Mount lock held on entry and on return.
 */
static int
enter_building_locked(struct pn_mount *mp, pn_cookie_t c, uint64_t h,
    size_t hole, int type, struct pn_node **pnp)
{
	struct pn_node *pn;
	int error;

	if ((error = node_take_locked(mp, c, type, &pn)) != PN_OK)
		return error;
	pni_node_set_state(mp, pn, PNI_ST_FREE, PNI_ST_BUILDING);
	pni_table_insert(mp, hole, c, h, (uintptr_t)pn | PNI_SLOT_BUILDING);
	*pnp = pn;
	return PN_OK;
}

/*
 * Built first: enter cookie c (hash h) ACTIVE in slot hole with vp, its
 * vnode, made by vnode_make.  The vnode gets its node before lookups can
 * find it, so vnode_setdata runs under the mount lock here (host.h).
 * Mount lock held on entry and on return.
 */
static int
enter_active_locked(struct pn_mount *mp, pn_cookie_t c, uint64_t h,
    size_t hole, int type, struct pn_vnode *vp)
{
	struct pn_node *pn;
	int error;

	if ((error = node_take_locked(mp, c, type, &pn)) != PN_OK)
		return error;
	pn_store(&pn->pn_vp, vp, PN_RELAXED);
	pni_h_vnode_setdata(mp, vp, pn);
	pni_node_set_state(mp, pn, PNI_ST_FREE, PNI_ST_ACTIVE);
	/* The key's release store publishes the node and the vnode's data. */
	pni_table_insert(mp, hole, c, h, (uintptr_t)vp);
	return PN_OK;
}

/*
 * BUILDING -> ACTIVE: the table entry gets the vnode, then the node its
 * state, both without a lock (table.c, pni_node_set_state).  A putvnode
 * of the vnode between the two waits for the state.  No lock held.
 */
static void
publish_active(struct pn_mount *mp, struct pn_node *pn, uint64_t h,
    struct pn_vnode *vp)
{
	pni_table_publish(mp, pn->pn_cookie, h, pn, vp);
	pni_node_set_state(mp, pn, PNI_ST_BUILDING, PNI_ST_ACTIVE);
}

/* BUILDING -> FREE: out of the table and back to the pool.  No lock held. */
static void
build_abort(struct pn_mount *mp, struct pn_node *pn, uint64_t h)
{
	pni_h_enter(mp, mp->mnt_lock);
	pni_table_remove(mp, pn->pn_cookie, h);
	pn_store(&pn->pn_refs, 0, PN_RELAXED);
	pni_node_set_state(mp, pn, PNI_ST_BUILDING, PNI_ST_FREE);
	pni_pool_put(mp, pn);
	pni_h_exit(mp, mp->mnt_lock);
	pni_table_remove_wait(mp, h);
}

/*
 * The seed's type dances on a new vnode: device vnodes get spec ops and
 * may turn out to alias an existing one, which *vpp then becomes; FIFOs
 * get fifo ops, regular files their size.  No lock held.
 */
static int
vnode_dress(struct pn_mount *mp, int type, int64_t size, uint64_t rdev,
    struct pn_vnode **vpp)
{
	struct pn_vnode *alias;
	int error;

	pni_h_vnode_setsize(mp, *vpp, type == PN_VREG ? size : 0);
	switch (type) {
	case PN_VCHR:
	case PN_VBLK:
		pni_h_vnode_setops(mp, *vpp, PN_VOPS_SPEC);
		error = pni_h_vnode_checkalias(mp, *vpp, rdev, &alias);
		if (error != PN_OK)
			return error;
		if (alias != NULL) {
			/* An existing device vnode: adopt it. */
			pni_h_vnode_free(mp, *vpp);
			*vpp = alias;
		}
		break;
	case PN_VFIFO:
		pni_h_vnode_setops(mp, *vpp, PN_VOPS_FIFO);
		break;
	default:
		break;
	}
	return PN_OK;
}

/*
 * Make the vnode of a node of cookie c and type type, ready but for its
 * data pointer: allocated, attached, dressed, genfs-initialised.  Nothing
 * is taken on failure.  No lock held.
 */
static int
vnode_make(struct pn_mount *mp, pn_cookie_t c, int type, int64_t size,
    uint64_t rdev, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = NULL;
	int error;

	PNI_ASSERT(mp, pni_h_notheld(mp, mp->mnt_lock));
	if ((error = pni_h_vnode_alloc(mp, type, &vp)) != PN_OK)
		goto fail;
	if (PNI_UNLIKELY(((uintptr_t)vp & PNI_SLOT_BUILDING) != 0)) {
		/* The table keeps a flag in the low bit (host.h). */
		pni_h_log(mp, PN_LOG_PANIC,
		    "puffsnode: host vnode at an odd address", 0, 0);
		error = PN_EINVAL;
		goto fail;
	}
	if (pni_h_mount_dying(mp)) {
		error = PN_ENXIO;
		goto fail;
	}
	if ((error = pni_h_vnode_attach(mp, vp)) != PN_OK)
		goto fail;
	if ((error = vnode_dress(mp, type, size, rdev, &vp)) != PN_OK)
		goto fail;
	if (c == mp->mnt_rootcookie)
		pni_h_vnode_setops(mp, vp, PN_VOPS_ROOT);
	pni_h_node_init(mp, vp);
	*vpp = vp;
	return PN_OK;

fail:
	if (vp != NULL)
		pni_h_vnode_free(mp, vp);
	return error;
}

/*
 * Throw away a vnode vnode_make made for a cookie another caller entered
 * first: no lookup has seen it, and it has no data.  No lock held.
 */
static void
vnode_discard(struct pn_mount *mp, struct pn_vnode *vp)
{
	pni_h_node_fini(mp, vp);
	pni_h_vnode_free(mp, vp);
}

/*
 * Placeholder: build the vnode of a BUILDING node and publish it.  On
 * failure everything taken is freed and the node goes back to the pool.
 * No lock held.
 */
static int
build(struct pn_mount *mp, struct pn_node *pn, uint64_t h, int64_t size,
    uint64_t rdev, struct pn_vnode **vpp)
{
	struct pn_vnode *vp;
	int error;

	error = vnode_make(mp, pn->pn_cookie, pn->pn_type, size, rdev, &vp);
	if (error != PN_OK) {
		build_abort(mp, pn, h);
		return error;
	}
	pni_h_vnode_setdata(mp, vp, pn);
	pn_store(&pn->pn_vp, vp, PN_RELAXED);
	publish_active(mp, pn, h, vp);
	*vpp = vp;
	return PN_OK;
}

/*
 * Get-or-create (create_only false) and create-only (true) for cookie c.
 * Returns the vnode referenced.  No lock held.
 */
static int
get_or_create(struct pn_mount *mp, pn_cookie_t c, int type, int64_t size,
    uint64_t rdev, bool create_only, struct pn_vnode **vpp)
{
	uint64_t h = pni_cookie_hash(c);
	bool first;
	struct pn_vnode *vp, *nvp = NULL;	/* nvp: built first, not entered */
	struct pn_node *pn;
	bool table_full = false;	/* the table could not grow */
	enum room room = R_READY;
	struct miss m;
	enum found f;
	enum await aw;
	size_t n = 0, hole = 0;
	int error;

	mp = pni_part(mp, h);
	first = (mp->mnt_flags & PN_MNT_PLACEHOLDER) == 0 &&
	    type != PN_VCHR && type != PN_VBLK;
	for (;;) {
		f = lookup(mp, c, h, &vp, &m);
		if (f == F_VNODE && !create_only) {
			*vpp = vp;
			error = PN_OK;
			goto out;
		}
		if (f == F_VNODE) {
			pni_h_vnode_rele(mp, vp);
			pni_h_misbehaved(mp, PN_BAD_COOKIE_DUP, c,
			    "new node with the cookie of a live node");
			error = PN_EEXIST;
			goto out;
		}
		if (f == F_ERROR) {
			error = m.m_error;
			goto out;
		}
		if (pni_h_mount_dying(mp)) {
			error = PN_ENXIO;
			goto out;
		}
		if (first && nvp == NULL &&
		    (error = vnode_make(mp, c, type, size, rdev, &nvp)) != PN_OK)
			return error;
		pni_h_enter(mp, mp->mnt_lock);
		aw = await_entry_locked(mp, c, h, &m, &hole);
		if (aw == AW_CREATE &&
		    (room = room_locked(mp, table_full, &n)) == R_READY)
			break;		/* create it, lock held */
		pni_h_exit(mp, mp->mnt_lock);
		if (aw == AW_DYING) {
			error = PN_ENXIO;
			goto out;
		}
		/* Room made with the lock dropped, then everything rechecked. */
		if (aw == AW_CREATE && room == R_TABLE)
			table_full = pni_table_grow(mp, n) != PN_OK;
		else if (aw == AW_CREATE &&
		    (error = pni_pool_grow(mp)) != PN_OK)
			goto out;
	}
	if (nvp != NULL) {
		error = enter_active_locked(mp, c, h, hole, type, nvp);
		pni_h_exit(mp, mp->mnt_lock);
		if (error == PN_OK) {
			*vpp = nvp;
			return PN_OK;
		}
		vnode_discard(mp, nvp);
		return error;
	}
	error = enter_building_locked(mp, c, h, hole, type, &pn);
	pni_h_exit(mp, mp->mnt_lock);
	if (error != PN_OK)
		return error;
	return build(mp, pn, h, size, rdev, vpp);

out:
	/* Another caller's entry won, or none can be made: not needed. */
	if (nvp != NULL)
		vnode_discard(mp, nvp);
	return error;
}

static int
check_type(struct pn_mount *mp, pn_cookie_t c, int type)
{
	if (type > PN_VNON && type < PN_VBAD)
		return PN_OK;
	pni_h_misbehaved(mp, PN_BAD_VTYPE, c, "node type out of range");
	return PN_EINVAL;
}

PNI_EXPORT int
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
		pni_h_misbehaved(mp, PN_BAD_COOKIE_ZERO, 0, "node with cookie 0");
		return PN_EINVAL;
	}
	if (size < 0) {
		pni_h_misbehaved(mp, PN_BAD_SIZE, cookie, "negative size");
		return PN_EINVAL;
	}
	if (pni_h_mount_dying(mp))
		return PN_ENXIO;
	return get_or_create(mp, cookie, type, size, rdev, false, vpp);
}

PNI_EXPORT int
pn_newnode(struct pn_mount *mp, struct pn_vnode *dvp, pn_cookie_t cookie,
    const struct pn_cn *cn, int type, uint64_t rdev, struct pn_vnode **vpp)
{
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (mp == NULL || (cn != NULL && cn->cn_nameptr == NULL))
		return PN_EINVAL;
	if (cookie == 0) {
		/* The server does not support the operation. */
		return PN_EOPNOTSUPP;
	}
	if ((error = check_type(mp, cookie, type)) != PN_OK)
		return error;
	if (cookie == mp->mnt_rootcookie) {
		pni_h_misbehaved(mp, PN_BAD_COOKIE_ROOT, cookie,
		    "new node with the root's cookie");
		return PN_EEXIST;
	}
	if (pni_h_mount_dying(mp))
		return PN_ENXIO;
	error = get_or_create(mp, cookie, type, 0, rdev, true, vpp);
	if (error != PN_OK)
		return error;
	/*
	 * Published already: a PN_LOOKUP_LOCK lookup of the cookie may lock
	 * the vnode first, and this call then waits for it (pn_newnode(3)).
	 */
	pni_h_vnode_lock(mp, *vpp);
	if ((mp->mnt_flags & PN_MNT_NAMECACHE) && dvp != NULL && cn != NULL &&
	    (cn->cn_flags & PN_CN_MAKEENTRY))
		pni_h_namecache_enter(mp, dvp, *vpp, cn->cn_nameptr,
		    cn->cn_namelen);
	return PN_OK;
}

PNI_EXPORT int
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
static __attribute__((__noinline__, __cold__)) int
cookie2vnode_slow(struct pn_mount *mp, pn_cookie_t cookie, bool failed,
    int error, unsigned flags, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = NULL;

	if (failed)
		return error;
	if (cookie != mp->mnt_rootcookie)
		return PN_ENOENT;
	/* The root is made when missing, as pn_makeroot does. */
	if ((error = pn_makeroot(mp, &vp)) != PN_OK)
		return error;
	if (flags & PN_LOOKUP_LOCK)
		pni_h_vnode_lock(mp, vp);
	*vpp = vp;
	return PN_OK;
}

PNI_EXPORT int
pn_cookie2vnode(struct pn_mount *mp, pn_cookie_t cookie, unsigned flags,
    struct pn_vnode **vpp)
{
	struct pn_vnode *vp;
	struct miss m;
	enum found f;
	uint64_t h;

	if (PNI_UNLIKELY(vpp == NULL))
		return PN_EINVAL;
	*vpp = NULL;
	if (PNI_UNLIKELY(mp == NULL || cookie == 0 ||
	    (flags & ~PN_LOOKUP_LOCK) != 0))
		return PN_EINVAL;
	/*
	 * The root's node is found like any other; only when the lookup
	 * fails does the root's cookie matter (cookie2vnode_slow).
	 */
	h = pni_cookie_hash(cookie);
	mp = pni_part(mp, h);	/* the outer mount is mp->mnt_outer */
	f = lookup(mp, cookie, h, &vp, &m);
	if (PNI_UNLIKELY(f != F_VNODE))
		return cookie2vnode_slow(mp->mnt_outer, cookie, f == F_ERROR,
		    f == F_ERROR ? m.m_error : 0, flags, vpp);
	if (PNI_UNLIKELY(flags & PN_LOOKUP_LOCK))
		pni_h_vnode_lock(mp, vp);
	*vpp = vp;
	return PN_OK;
}

/* Drop one reference; the last one of a DEAD node frees it. */
static int
node_release(struct pn_node *pn)
{
	struct pn_mount *mp = pn->pn_mp;
	uint32_t r = pn_load(&pn->pn_refs, PN_RELAXED);

	do {
		if (r == 0) {
			pni_h_log(mp, PN_LOG_PANIC,
			    "puffsnode: node %llu released with no reference",
			    pn->pn_cookie, 0);
			return PN_EINVAL;
		}
		if (r == 1 && pni_node_state(pn) != PNI_ST_DEAD) {
			pni_h_log(mp, PN_LOG_PANIC,
			    "puffsnode: node %llu: last reference of a live "
			    "node released", pn->pn_cookie, 0);
			return PN_EINVAL;
		}
	} while (!pn_cas32(mp, &pn->pn_refs, &r, r - 1, PN_ACQ_REL));
	if (r == 1)
		pni_pool_defer(mp, pn);
	return PN_OK;
}

/* A DEAD node whose last reference is gone: FREE, back on the free list. */
static void
dead_to_pool(struct pn_mount *mp, struct pn_node *pn)
{
	pni_node_set_state(mp, pn, PNI_ST_DEAD, PNI_ST_FREE);
	pni_pool_put(mp, pn);
}

/*
 * Return the DEAD nodes whose last reference is gone to the pool: those
 * in limbo whose putvnode is over (pn_vp NULL), and those a release left
 * on the dead stack (the release that ends a reclaim takes no lock).
 * Collected when the pool runs short (node_take_locked) and before its
 * figures are read or its slabs given back.  Mount lock held.
 */
void
pni_node_collect(struct pn_mount *mp)
{
	struct pn_node *pn, *next, **pp = &mp->mnt_pool.pl_limbo;

	while ((pn = *pp) != NULL) {
		if (pn_load(&pn->pn_vp, PN_ACQUIRE) != NULL) {
			pp = &pn->pn_freenext;	/* its putvnode goes on */
			continue;
		}
		*pp = pn->pn_freenext;
		dead_to_pool(mp, pn);
	}
	for (pn = pni_pool_take_dead(mp); pn != NULL; pn = next) {
		next = pn->pn_freenext;
		dead_to_pool(mp, pn);
	}
}

/* Refuse a putvnode, loudly: the host's reclaim path is confused. */
static int
putvnode_refused(struct pn_mount *mp, const char *why, pn_cookie_t c)
{
	pni_h_log(mp, PN_LOG_PANIC, why, c, 0);
	return PN_EINVAL;
}

/*
 * Under the mount lock: take pn, whose vnode is vp, out of the table and
 * make it DEAD.  When no request holds it, drop the vnode's reference
 * now and put the node in limbo, to go back to the pool once putvnode
 * clears pn_vp (*limbo true).  1 when done, 0 when vp is being published
 * (retry), -1 when vp is not live.
 */
static int
unlink_locked(struct pn_mount *mp, struct pn_node *pn, struct pn_vnode *vp,
    uint64_t h, bool *limbo)
{
	uint32_t st = pni_node_state(pn), one = 1;

	if (pn_load(&pn->pn_vp, PN_RELAXED) != vp)
		return -1;
	if (st == PNI_ST_BUILDING)
		return 0;	/* published, not yet ACTIVE: a moment */
	if (st != PNI_ST_ACTIVE)
		return -1;
	pni_node_set_state(mp, pn, PNI_ST_ACTIVE, PNI_ST_DEAD);
	pni_table_remove(mp, pn->pn_cookie, h);
	/*
	 * A DEAD node takes no new reference but from one held (requests),
	 * and the vnode being reclaimed has no user: no reference comes
	 * between this drop and the end of putvnode.
	 */
	*limbo = pn_cas32(mp, &pn->pn_refs, &one, 0, PN_ACQ_REL);
	if (*limbo) {
		pn->pn_freenext = mp->mnt_pool.pl_limbo;
		mp->mnt_pool.pl_limbo = pn;
	}
	return 1;
}

PNI_EXPORT int
pn_putvnode(struct pn_mount *mp, struct pn_vnode *vp)
{
	struct pn_lock *stripe;
	struct pn_node *pn;
	bool limbo = false;
	uint64_t h;
	int r;

	if (mp == NULL || vp == NULL)
		return PN_EINVAL;
	pn = pni_h_vnode_getdata(mp, vp);
	if (pn == NULL)
		return putvnode_refused(mp, "puffsnode: putvnode of a vnode "
		    "with no node (reclaimed twice?)", 0);
	if (pn->pn_mp->mnt_outer != mp)
		return putvnode_refused(mp, "puffsnode: putvnode of another "
		    "mount's node (cookie %llu)", pn->pn_cookie);
	mp = pn->pn_mp;		/* the part that holds it */
	/* The cookie is the node's for good while vp is its live vnode. */
	h = pni_cookie_hash(pn->pn_cookie);
	pni_table_prefetch(&mp->mnt_table, h);
	for (;;) {
		pni_h_enter(mp, mp->mnt_lock);
		r = unlink_locked(mp, pn, vp, h, &limbo);
		pni_h_exit(mp, mp->mnt_lock);
		if (r != 0)
			break;
		pni_h_yield(mp);
	}
	if (r < 0)
		return putvnode_refused(mp, "puffsnode: putvnode of a vnode "
		    "not live (cookie %llu)", pn->pn_cookie);
	/* Lookups that found the entry leave before the host frees vp. */
	pni_table_remove_wait(mp, h);

	pni_h_node_fini(mp, vp);
	if (limbo) {
		/* Last: from this store on the pool may hand the node out. */
		pni_h_vnode_setdata(mp, vp, NULL);
		pn_store(&pn->pn_vp, NULL, PN_RELEASE);
		return PN_OK;
	}
	stripe = pni_node_stripe(pn);
	pni_h_enter(mp, stripe);
	pn_store(&pn->pn_vp, NULL, PN_RELAXED);
	pni_h_exit(mp, stripe);
	pni_h_vnode_setdata(mp, vp, NULL);
	return node_release(pn);
}

PNI_EXPORT int
pn_referencenode(struct pn_node *pn)
{
	uint32_t r;

	if (pn == NULL)
		return PN_EINVAL;
	r = pn_load(&pn->pn_refs, PN_RELAXED);
	do {
		/* r == 0 while not FREE: only between last release and the pool. */
		if (r == 0 || pni_node_state(pn) == PNI_ST_FREE) {	/* GCOVR_EXCL_BR_LINE */
			pni_h_log(pn->pn_mp, PN_LOG_PANIC,
			    "puffsnode: reference to a freed node", 0, 0);
			return PN_EINVAL;
		}
		if (r == UINT32_MAX)
			return PN_ERANGE;
	} while (!pn_cas32(pn->pn_mp, &pn->pn_refs, &r, r + 1, PN_ACQ_REL));
	return PN_OK;
}

PNI_EXPORT int
pn_releasenode(struct pn_node *pn)
{
	if (pn == NULL)
		return PN_EINVAL;
	return node_release(pn);
}

/* ---- accessors ---- */

PNI_EXPORT struct pn_node *
pn_vnode2node(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp == NULL || vp == NULL)
		return NULL;
	return pni_h_vnode_getdata(mp, vp);
}

PNI_EXPORT pn_cookie_t
pn_node_cookie(const struct pn_node *pn)
{
	return pn == NULL ? 0 : pn->pn_cookie;
}

PNI_EXPORT uint64_t
pn_node_gen(const struct pn_node *pn)
{
	return pn == NULL ? 0 : pn->pn_gen;
}

PNI_EXPORT int
pn_node_type(const struct pn_node *pn)
{
	return pn == NULL ? PN_VNON : pn->pn_type;
}

PNI_EXPORT struct pn_vnode *
pn_node_vnode(const struct pn_node *pn)
{
	return pn == NULL ? NULL : pn_load(&pn->pn_vp, PN_RELAXED);
}

PNI_EXPORT struct pn_mount *
pn_node_mount(const struct pn_node *pn)
{
	return pn == NULL ? NULL : pn->pn_mp->mnt_outer;
}

PNI_EXPORT uint32_t
pn_node_refs(const struct pn_node *pn)
{
	return pn == NULL ? 0 : pn_load(&pn->pn_refs, PN_RELAXED);
}

/* Nodes a walk takes per hold of the mount lock. */
#define WALK_BATCH	32

/*
 * Visit every node that is ACTIVE when the walk reaches it, each once.
 * Under the mount lock, which every change from ACTIVE holds, the walk
 * takes a reference on each ACTIVE node of the next WALK_BATCH in the
 * pool; fn then runs on them with the reference held and no core lock,
 * so it may reclaim the node.  Nodes created during the walk may or may
 * not be visited.
 */
static int
part_walk(struct pn_mount *mp, pn_walk_fn *fn, void *arg)
{
	struct pn_node *batch[WALK_BATCH], *pn = NULL;
	struct pni_pool_iter it;
	size_t n, i, seen;
	int rv = 0;

	pni_pool_iter_begin(mp, &it);
	do {
		n = 0;
		pni_h_enter(mp, mp->mnt_lock);
		for (seen = 0; seen < WALK_BATCH &&
		    (pn = pni_pool_iter_next(&it)) != NULL; seen++) {
			if (pni_node_state(pn) != PNI_ST_ACTIVE)
				continue;
			/* ACTIVE: the vnode's reference is held. */
			pn_fetch_add32(mp, &pn->pn_refs, 1, PN_RELAXED);
			batch[n++] = pn;
		}
		pni_h_exit(mp, mp->mnt_lock);
		for (i = 0; i < n; i++) {
			if (rv == 0)
				rv = fn(batch[i], arg);
			(void)node_release(batch[i]);
		}
	} while (rv == 0 && pn != NULL);
	pni_pool_iter_end(mp, &it);
	return rv;
}

/* A split mount's parts are walked one after the other. */
PNI_EXPORT int
pn_node_walk(struct pn_mount *mp, pn_walk_fn *fn, void *arg)
{
	unsigned i;
	int rv = 0;

	if (mp == NULL || fn == NULL)
		return PN_EINVAL;
	for (i = 0; rv == 0 && i < pni_nparts(mp); i++)
		rv = part_walk(pni_partn(mp, i), fn, arg);
	return rv;
}
