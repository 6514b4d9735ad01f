/*
 * pool.c -- the pnode pool: fixed-size nodes carved from host-allocated
 * slabs, one free list, statistics, an optional limit, a drain that gives
 * empty slabs back to the host, and an iterator over every node.  The
 * pool hands out and takes back FREE nodes only: every state change is
 * node.c's (pni_node_set_state).
 *
 * Type stability.  Node walks (pn_node_walk) read the state words of
 * nodes in every state, FREE ones included, so a node's word stays a
 * valid atomic while its slab lives, and walks block drains.  Lock-free
 * lookups never read a node that may be free: a hit goes from the table
 * to the vnode, and the one case that reads a node (its generation, when
 * the host refuses the vnode) does so inside the read section that keeps
 * the node's table entry, hence the node, alive.  A drain still waits for a
 * read grace period (pni_read_synchronize) before giving slabs back, so
 * that no lookup in flight can hold an address inside them.
 *
 * Locking: the mount lock covers every field of struct pni_pool but the
 * dead stack, and the free list; a node is FREE exactly when it is on the
 * free list, but for the moment, inside one hold of the mount lock,
 * between pni_pool_get and its move to ACTIVE or BUILDING.  Taking a node
 * happens inside get-or-create's locked section anyway, so creating a
 * node takes one lock, not two.
 */
#include "hostcall.h"

/* The header, rounded up to the nodes' alignment, then the nodes. */
#define SLAB_HDR	((sizeof(struct pni_slab) + _Alignof(struct pn_node) - 1) & \
			    ~(_Alignof(struct pn_node) - 1))

static size_t
slab_bytes(void)
{
	return SLAB_HDR + PNI_SLAB_NODES * sizeof(struct pn_node);
}

/* Give every slab back.  The mount is idle: no reader, no node in use. */
void
pni_pool_fini(struct pn_mount *mp)
{
	struct pni_pool *pl = &mp->mnt_pool;
	struct pni_slab *sl;

	while ((sl = pl->pl_slabs) != NULL) {
		pl->pl_slabs = sl->sl_next;
		pni_h_free(mp, sl, sl->sl_bytes);
	}
}

/*
 * Make slab sl ready: zeroed, every node FREE, chained in address order.
 * The slab is nobody's yet: no lock needed.  This is where a fresh slab's
 * pages are first touched, so growth calls it with no lock held.
 */
static void
slab_init(struct pn_mount *mp, struct pni_slab *sl)
{
	size_t i;

	__builtin_memset(sl, 0, slab_bytes());
	sl->sl_bytes = slab_bytes();
	sl->sl_nodes = (struct pn_node *)(void *)((char *)sl + SLAB_HDR);
	for (i = 0; i < PNI_SLAB_NODES; i++) {
		struct pn_node *pn = &sl->sl_nodes[i];

		pn_atomic_init(&pn->pn_word, PNI_ST_FREE);
		pn_atomic_init(&pn->pn_refs, 0);
		pn_atomic_init(&pn->pn_vp, NULL);
		pn->pn_mp = mp;
		pn->pn_freenext = i + 1 < PNI_SLAB_NODES ? pn + 1 : NULL;
	}
}

/* Put ready slab sl's nodes in front of the free list.  Mount lock held. */
static void
slab_link(struct pni_pool *pl, struct pni_slab *sl)
{
	sl->sl_nodes[PNI_SLAB_NODES - 1].pn_freenext = pl->pl_free;
	pl->pl_free = &sl->sl_nodes[0];
	sl->sl_next = pl->pl_slabs;
	pl->pl_slabs = sl;
	pl->pl_nslabs++;
}

/*
 * Add a slab made with no lock held: the host's allocation and the first
 * touch of its pages (page faults, in a process) happen outside the
 * mount lock, and the lock is held only to link it.  Mount lock not held.
 */
int
pni_pool_grow(struct pn_mount *mp)
{
	struct pni_slab *sl;

	PNI_ASSERT(mp, pni_h_notheld(mp, mp->mnt_lock));
	sl = pni_h_alloc(mp, slab_bytes());
	if (sl == NULL)
		return PN_ENOMEM;
	slab_init(mp, sl);
	pni_h_enter(mp, mp->mnt_lock);
	slab_link(&mp->mnt_pool, sl);
	pni_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}

/*
 * Take a FREE node off the free list, every field but the state word and
 * the mount zero, the state still FREE: the caller moves it on.
 * PN_ENOMEM past the limit.  The caller asked pni_pool_needs_slab first
 * in the same hold of the mount lock, and added a slab when it said so.
 * Mount lock held.
 */
int
pni_pool_get(struct pn_mount *mp, struct pn_node **pnp)
{
	struct pni_pool *pl = &mp->mnt_pool;
	struct pn_node *pn;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	*pnp = NULL;
	if (pl->pl_limit != 0 && pl->pl_inuse >= pl->pl_limit)
		return PN_ENOMEM;
	/* Below the limit pni_pool_needs_slab said no: a node is free. */
	pn = pl->pl_free;
	PNI_ASSERT(mp, pn != NULL);
	PNI_ASSERT(mp, pni_node_state(pn) == PNI_ST_FREE);
	pl->pl_free = pn->pn_freenext;
	if (++pl->pl_inuse > pl->pl_highwater)
		pl->pl_highwater = pl->pl_inuse;
	pl->pl_allocs++;

	/* A FREE node has no vnode and no reference; its cache may be dirty. */
	PNI_ASSERT(mp, pn_load(&pn->pn_vp, PN_RELAXED) == NULL &&
	    pn_load(&pn->pn_refs, PN_RELAXED) == 0);
	pn->pn_cookie = 0;
	pn->pn_gen = 0;
	pn->pn_mc_atime = pn->pn_mc_ctime = pn->pn_mc_mtime = 0;
	pn->pn_mc_size = 0;
	pn->pn_mc_flags = 0;
	pn->pn_revents = 0;
	pn->pn_type = PN_VNON;
	*pnp = pn;
	return PN_OK;
}

/*
 * Take back a node made FREE: no table entry, no reference, no vnode.
 * Mount lock held.
 */
void
pni_pool_put(struct pn_mount *mp, struct pn_node *pn)
{
	struct pni_pool *pl = &mp->mnt_pool;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	PNI_ASSERT(mp, pni_node_state(pn) == PNI_ST_FREE);
	pn->pn_freenext = pl->pl_free;
	pl->pl_free = pn;
	pl->pl_inuse--;
}

/*
 * Push a DEAD node whose last reference is gone onto the dead stack; it
 * stays DEAD, so that no drain takes its slab, until a holder of the
 * mount lock collects it (pni_node_collect, node.c).  No lock needed: the
 * release that ends a reclaim takes none.
 */
void
pni_pool_defer(struct pn_mount *mp, struct pn_node *pn)
{
	struct pni_pool *pl = &mp->mnt_pool;
	uintptr_t head = pn_load(&pl->pl_dead, PN_RELAXED);

	do
		pn->pn_freenext = (struct pn_node *)head;
	while (!pn_casuptr(mp, &pl->pl_dead, &head, (uintptr_t)pn,	/* GCOVR_EXCL_BR_LINE: a push racing */
	    PN_RELEASE));
}

/* Take the whole dead stack.  Mount lock held. */
struct pn_node *
pni_pool_take_dead(struct pn_mount *mp)
{
	struct pni_pool *pl = &mp->mnt_pool;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	if (pn_load(&pl->pl_dead, PN_RELAXED) == 0)
		return NULL;
	return (struct pn_node *)pn_xchguptr(mp, &pl->pl_dead, 0, PN_ACQUIRE);
}

/* ---- iteration: the slab list is stable while one runs ---- */

void
pni_pool_iter_begin(struct pn_mount *mp, struct pni_pool_iter *it)
{
	pni_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_walkers++;
	it->it_slab = mp->mnt_pool.pl_slabs;
	it->it_i = 0;
	pni_h_exit(mp, mp->mnt_lock);
}

/* The next node of the pool in any state, or NULL at the end. */
struct pn_node *
pni_pool_iter_next(struct pni_pool_iter *it)
{
	if (it->it_i == PNI_SLAB_NODES) {
		it->it_slab = it->it_slab->sl_next;
		it->it_i = 0;
	}
	if (it->it_slab == NULL)
		return NULL;
	return &it->it_slab->sl_nodes[it->it_i++];
}

void
pni_pool_iter_end(struct pn_mount *mp, struct pni_pool_iter *it)
{
	it->it_slab = NULL;
	pni_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_walkers--;
	pni_h_exit(mp, mp->mnt_lock);
}

/* ---- public: statistics, limit, drain ---- */

/* The pool's figures.  Mount lock held, dead nodes collected. */
void
pni_pool_stats_locked(struct pn_mount *mp, struct pn_pool_stats *st)
{
	struct pni_pool *pl = &mp->mnt_pool;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	st->in_use = pl->pl_inuse;
	st->high_water = pl->pl_highwater;
	st->slabs = pl->pl_nslabs;
	st->free = pl->pl_nslabs * PNI_SLAB_NODES - pl->pl_inuse;
	st->limit = pl->pl_limit;
	st->allocs = pl->pl_allocs;
	st->frees = pl->pl_allocs - pl->pl_inuse;
	st->node_size = sizeof(struct pn_node);
	st->slab_bytes = slab_bytes();
}

/*
 * A limit below the nodes now in use is accepted: it stops new nodes until
 * enough are reclaimed.  0 removes the limit.  A split mount (PN_MNT_PARTS)
 * takes none: its parts' pools would have to share one count, which every
 * create and reclaim would write.
 */
PNI_EXPORT int
pn_pool_setlimit(struct pn_mount *mp, size_t limit)
{
	if (mp == NULL)
		return PN_EINVAL;
	if (pni_split(mp))
		return limit == 0 ? PN_OK : PN_EOPNOTSUPP;
	pni_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_limit = limit;
	pni_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}

static bool
slab_empty(const struct pni_slab *sl)
{
	size_t i;

	for (i = 0; i < PNI_SLAB_NODES; i++)
		if (pni_node_state(&sl->sl_nodes[i]) != PNI_ST_FREE)
			return false;
	return true;
}

/*
 * Unlink the empty slabs: *gonep gets them, to free once no lookup can
 * hold an address inside them (after a grace period) and the lock is
 * dropped (pni_pool_free_slabs).  PN_EBUSY while a node walk runs (the
 * walk holds pointers into the slabs).  Mount lock held, dead nodes
 * collected.
 */
int
pni_pool_unlink_empty(struct pn_mount *mp, struct pni_slab **gonep,
    size_t *np)
{
	struct pni_pool *pl = &mp->mnt_pool;
	struct pni_slab *sl, **slp, *gone = NULL;
	size_t n = 0, i;

	PNI_ASSERT(mp, pni_h_held(mp, mp->mnt_lock));
	*gonep = NULL;
	*np = 0;
	if (pl->pl_walkers != 0)
		return PN_EBUSY;
	for (slp = &pl->pl_slabs; (sl = *slp) != NULL;) {
		if (slab_empty(sl)) {
			*slp = sl->sl_next;
			sl->sl_next = gone;
			gone = sl;
			n++;
		} else {
			slp = &sl->sl_next;
		}
	}
	if (n != 0) {
		/* Rebuild the free list from the slabs that stay. */
		pl->pl_free = NULL;
		for (sl = pl->pl_slabs; sl != NULL; sl = sl->sl_next)
			for (i = PNI_SLAB_NODES; i-- > 0;) {
				struct pn_node *pn = &sl->sl_nodes[i];

				if (pni_node_state(pn) != PNI_ST_FREE)
					continue;
				pn->pn_freenext = pl->pl_free;
				pl->pl_free = pn;
			}
		pl->pl_nslabs -= n;
	}
	*gonep = gone;
	*np = n;
	return PN_OK;
}

/* Give unlinked slabs back to the host.  No core lock held. */
void
pni_pool_free_slabs(struct pn_mount *mp, struct pni_slab *gone)
{
	struct pni_slab *sl;

	while ((sl = gone) != NULL) {
		gone = sl->sl_next;
		pni_h_free(mp, sl, sl->sl_bytes);
	}
}
