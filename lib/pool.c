/*
 * pool.c -- the pnode pool: fixed-size nodes carved from host-allocated
 * slabs, one free list, statistics, an optional limit, and a drain that
 * gives empty slabs back to the host.
 *
 * Type stability.  Node walks (pn_node_walk) pin nodes through their
 * state words, FREE ones included, so a node's word stays a valid atomic
 * while its slab lives, and walks block drains.  Lock-free lookups never
 * read a node that may be free: a hit goes from the table to the vnode,
 * and the one case that reads a node (its generation, when the host
 * refuses the vnode) does so inside the read section that keeps the
 * node's table entry, hence the node, alive.  A drain still waits for a
 * read grace period (pn_read_synchronize) before giving slabs back, so
 * that no lookup in flight can hold an address inside them.
 *
 * Locking: the mount lock covers every field of struct pn_pool and the
 * FREE state of nodes: a node is FREE exactly when it is on the free list.
 * Taking a node happens inside get-or-create's locked section anyway, so
 * creating a node takes one lock, not two.
 */
#include "pn_impl.h"

#define PN_SLAB_NODES	128

size_t
pn_pool_slab_nodes(void)
{
	return PN_SLAB_NODES;
}

/* The header, rounded up to the nodes' alignment, then the nodes. */
#define SLAB_HDR	((sizeof(struct pn_slab) + _Alignof(struct pn_node) - 1) & \
			    ~(_Alignof(struct pn_node) - 1))

static size_t
slab_bytes(void)
{
	return SLAB_HDR + PN_SLAB_NODES * sizeof(struct pn_node);
}

/* Give every slab back.  The mount is idle: no reader, no node in use. */
void
pn_pool_fini(struct pn_mount *mp)
{
	struct pn_pool *pl = &mp->mnt_pool;
	struct pn_slab *sl;

	while ((sl = pl->pl_slabs) != NULL) {
		pl->pl_slabs = sl->sl_next;
		pn_h_free(mp, sl, sl->sl_bytes);
	}
}

/* Add a slab to the free list.  Mount lock held. */
static int
slab_add(struct pn_mount *mp)
{
	struct pn_pool *pl = &mp->mnt_pool;
	struct pn_slab *sl;
	size_t i;

	sl = pn_h_alloc(mp, slab_bytes());
	if (sl == NULL)
		return PN_ENOMEM;
	__builtin_memset(sl, 0, slab_bytes());
	sl->sl_bytes = slab_bytes();
	sl->sl_nodes = (struct pn_node *)(void *)((char *)sl + SLAB_HDR);
	for (i = PN_SLAB_NODES; i-- > 0;) {
		struct pn_node *pn = &sl->sl_nodes[i];

		atomic_init(&pn->pn_word, PN_ST_FREE);
		atomic_init(&pn->pn_refs, 0);
		atomic_init(&pn->pn_cookie, 0);
		atomic_init(&pn->pn_vp, NULL);
		pn->pn_mp = mp;
		pn->pn_freenext = pl->pl_free;
		pl->pl_free = pn;
	}
	sl->sl_next = pl->pl_slabs;
	pl->pl_slabs = sl;
	pl->pl_nslabs++;
	pl->pl_nfree += PN_SLAB_NODES;
	return PN_OK;
}

/* Move a node's state, keeping the pins of lookups that hold it. */
static void
set_state(struct pn_node *pn, uint32_t st)
{
	uint32_t w = atomic_load_explicit(&pn->pn_word, memory_order_relaxed);

	while (!atomic_compare_exchange_weak_explicit(&pn->pn_word, &w,
	    (w & PN_PIN_MASK) | st, memory_order_acq_rel,
	    memory_order_relaxed))
		continue;
}

/*
 * Take a node: state BUILDING, one reference, every other field zero.
 * PN_ENOMEM past the limit or when the host has no memory.  Mount lock
 * held.
 */
int
pn_pool_get(struct pn_mount *mp, struct pn_node **pnp)
{
	struct pn_pool *pl = &mp->mnt_pool;
	struct pn_node *pn;
	int error = PN_OK;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	*pnp = NULL;
	if (pl->pl_limit != 0 && pl->pl_inuse >= pl->pl_limit)
		error = PN_ENOMEM;
	else if (pl->pl_free == NULL)
		error = slab_add(mp);
	if (error != PN_OK)
		return error;
	pn = pl->pl_free;
	pl->pl_free = pn->pn_freenext;
	pl->pl_nfree--;
	if (++pl->pl_inuse > pl->pl_highwater)
		pl->pl_highwater = pl->pl_inuse;
	pl->pl_allocs++;
	set_state(pn, PN_ST_BUILDING);

	pn->pn_gen = 0;
	pn->pn_mc_atime = pn->pn_mc_ctime = pn->pn_mc_mtime = 0;
	pn->pn_mc_size = 0;
	pn->pn_mc_flags = 0;
	pn->pn_revents = 0;
	pn->pn_type = PN_VNON;
	atomic_store_explicit(&pn->pn_vp, NULL, memory_order_relaxed);
	atomic_store_explicit(&pn->pn_refs, 1, memory_order_relaxed);
	*pnp = pn;
	return PN_OK;
}

/*
 * Return a node.  No table entry and no reference may remain.  Mount
 * lock held.
 */
void
pn_pool_put_locked(struct pn_mount *mp, struct pn_node *pn)
{
	struct pn_pool *pl = &mp->mnt_pool;

	PN_ASSERT(mp, pn_h_held(mp, mp->mnt_lock));
	set_state(pn, PN_ST_FREE);
	pn->pn_freenext = pl->pl_free;
	pl->pl_free = pn;
	pl->pl_nfree++;
	pl->pl_inuse--;
	pl->pl_frees++;
}

/* The same, taking the mount lock. */
void
pn_pool_put(struct pn_mount *mp, struct pn_node *pn)
{
	pn_h_enter(mp, mp->mnt_lock);
	pn_pool_put_locked(mp, pn);
	pn_h_exit(mp, mp->mnt_lock);
}

/* ---- node walks: the slab list is stable while a walk runs ---- */

struct pn_slab *
pn_pool_walk_begin(struct pn_mount *mp)
{
	struct pn_slab *sl;

	pn_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_walkers++;
	sl = mp->mnt_pool.pl_slabs;
	pn_h_exit(mp, mp->mnt_lock);
	return sl;
}

struct pn_slab *
pn_pool_walk_next(struct pn_mount *mp, struct pn_slab *sl)
{
	(void)mp;
	return sl->sl_next;
}

void
pn_pool_walk_end(struct pn_mount *mp)
{
	pn_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_walkers--;
	pn_h_exit(mp, mp->mnt_lock);
}

/* ---- public: statistics, limit, drain ---- */

PN_EXPORT int
pn_pool_stats(struct pn_mount *mp, struct pn_pool_stats *st)
{
	struct pn_pool *pl;

	if (mp == NULL || st == NULL)
		return PN_EINVAL;
	pl = &mp->mnt_pool;
	pn_h_enter(mp, mp->mnt_lock);
	st->in_use = pl->pl_inuse;
	st->high_water = pl->pl_highwater;
	st->slabs = pl->pl_nslabs;
	st->free = pl->pl_nfree;
	st->limit = pl->pl_limit;
	st->allocs = pl->pl_allocs;
	st->frees = pl->pl_frees;
	pn_h_exit(mp, mp->mnt_lock);
	st->node_size = sizeof(struct pn_node);
	st->slab_bytes = slab_bytes();
	return PN_OK;
}

/*
 * A limit below the nodes now in use is accepted: it stops new nodes until
 * enough are reclaimed.  0 removes the limit.
 */
PN_EXPORT int
pn_pool_setlimit(struct pn_mount *mp, size_t limit)
{
	if (mp == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	mp->mnt_pool.pl_limit = limit;
	pn_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}

static bool
slab_empty(const struct pn_slab *sl)
{
	size_t i;

	for (i = 0; i < PN_SLAB_NODES; i++)
		if (pn_node_state(&sl->sl_nodes[i]) != PN_ST_FREE)
			return false;
	return true;
}

/*
 * Give empty slabs back to the host.  PN_EBUSY while a node walk runs
 * (the walk holds pointers into the slabs).
 */
PN_EXPORT int
pn_pool_drain(struct pn_mount *mp, size_t *freed)
{
	struct pn_pool *pl;
	struct pn_slab *sl, **slp, *gone = NULL;
	size_t n = 0, i;

	if (freed != NULL)
		*freed = 0;
	if (mp == NULL)
		return PN_EINVAL;
	pl = &mp->mnt_pool;
	pn_h_enter(mp, mp->mnt_lock);
	if (pl->pl_walkers != 0) {
		pn_h_exit(mp, mp->mnt_lock);
		return PN_EBUSY;
	}
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
		pl->pl_nfree = 0;
		for (sl = pl->pl_slabs; sl != NULL; sl = sl->sl_next)
			for (i = PN_SLAB_NODES; i-- > 0;) {
				struct pn_node *pn = &sl->sl_nodes[i];

				if (pn_node_state(pn) != PN_ST_FREE)
					continue;
				pn->pn_freenext = pl->pl_free;
				pl->pl_free = pn;
				pl->pl_nfree++;
			}
		pl->pl_nslabs -= n;
	}
	/* Lookups that could still see a node of the slabs: let them go. */
	if (gone != NULL)
		pn_read_synchronize(mp);
	pn_h_exit(mp, mp->mnt_lock);
	while ((sl = gone) != NULL) {
		gone = sl->sl_next;
		pn_h_free(mp, sl, sl->sl_bytes);
	}
	if (freed != NULL)
		*freed = n;
	return PN_OK;
}
