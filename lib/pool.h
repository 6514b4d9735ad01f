/*
 * pool.h -- the node pool (pool.c): FREE nodes carved from host slabs,
 * and an iterator over every node of every slab.  Never installed.
 */
#ifndef PN_POOL_H
#define PN_POOL_H

#include "node.h"

struct pni_slab {
	struct pni_slab		*sl_next;
	size_t			 sl_bytes;
	struct pn_node		*sl_nodes;	/* PNI_SLAB_NODES, inside the slab */
};

/*
 * Every field but pl_dead: the mount lock.  Two lists hold DEAD nodes on
 * their way back to the free list (node.c, pni_node_collect):
 * - pl_limbo: nodes whose putvnode dropped the last reference under the
 *   mount lock; each is back once its pn_vp is NULL, which putvnode
 *   stores last, with no lock.
 * - pl_dead: a stack of nodes whose last reference a request released,
 *   pushed without a lock.
 */
struct pni_pool {
	/*
	 * Written by every create and reclaim.  The free nodes and the frees
	 * are not counted: pl_nslabs * PNI_SLAB_NODES - pl_inuse and
	 * pl_allocs - pl_inuse.
	 */
	struct pn_node		*pl_free;
	struct pn_node		*pl_limbo;
	size_t			 pl_inuse;
	size_t			 pl_highwater;
	uint64_t		 pl_allocs;
	/* read by them, written seldom */
	size_t			 pl_limit;
	size_t			 pl_walkers;	/* iterations in progress: no drain */
	struct pni_slab		*pl_slabs;
	size_t			 pl_nslabs;
	PN_ATOMIC(uintptr_t)	 pl_dead;
};

/*
 * An iteration over every node of the pool, whatever its state: the slab
 * list stays while one runs (drains answer PN_EBUSY).  Begin and end take
 * the mount lock; next takes none.
 */
struct pni_pool_iter {
	struct pni_slab		*it_slab;
	size_t			 it_i;
};

/*
 * The free list is empty, or the limit reached, while DEAD nodes wait in
 * limbo or on the dead stack: collect them first (pni_node_collect).
 * Mount lock held.
 */
static inline bool
pni_pool_short(struct pni_pool *pl)
{
	return (pl->pl_free == NULL || (pl->pl_limit != 0 &&
	    pl->pl_inuse >= pl->pl_limit)) && (pl->pl_limbo != NULL ||
	    pn_load(&pl->pl_dead, PN_RELAXED) != 0);
}

/*
 * Would pni_pool_get have to add a slab?  Not at the limit: it refuses
 * then.  Mount lock held, dead nodes collected (pni_node_collect) when
 * the pool is short.
 */
static inline bool
pni_pool_needs_slab(const struct pni_pool *pl)
{
	return pl->pl_free == NULL &&
	    (pl->pl_limit == 0 || pl->pl_inuse < pl->pl_limit);
}

/* Mount lock held: */
int	pni_pool_get(struct pn_mount *, struct pn_node **);
void	pni_pool_put(struct pn_mount *, struct pn_node *);
struct pn_node *pni_pool_take_dead(struct pn_mount *);
void	pni_pool_stats_locked(struct pn_mount *, struct pn_pool_stats *);
int	pni_pool_unlink_empty(struct pn_mount *, struct pni_slab **, size_t *);
/* Any lock or none: */
void	pni_pool_defer(struct pn_mount *, struct pn_node *);
/* No core lock held: */
int	pni_pool_grow(struct pn_mount *);
void	pni_pool_free_slabs(struct pn_mount *, struct pni_slab *);
void	pni_pool_fini(struct pn_mount *);
void	pni_pool_iter_begin(struct pn_mount *, struct pni_pool_iter *);
struct pn_node *pni_pool_iter_next(struct pni_pool_iter *);
void	pni_pool_iter_end(struct pn_mount *, struct pni_pool_iter *);

#endif /* !PN_POOL_H */
