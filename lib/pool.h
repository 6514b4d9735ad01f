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

/* Every field: the mount lock. */
struct pni_pool {
	struct pni_slab		*pl_slabs;
	struct pn_node		*pl_free;
	size_t			 pl_nslabs;
	size_t			 pl_nfree;
	size_t			 pl_inuse;
	size_t			 pl_highwater;
	size_t			 pl_limit;
	size_t			 pl_walkers;	/* iterations in progress: no drain */
	uint64_t		 pl_allocs;
	uint64_t		 pl_frees;
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

/* Mount lock held: */
int	pni_pool_get(struct pn_mount *, struct pn_node **);
void	pni_pool_put(struct pn_mount *, struct pn_node *);
/* No core lock held: */
void	pni_pool_fini(struct pn_mount *);
void	pni_pool_iter_begin(struct pn_mount *, struct pni_pool_iter *);
struct pn_node *pni_pool_iter_next(struct pni_pool_iter *);
void	pni_pool_iter_end(struct pn_mount *, struct pni_pool_iter *);

#endif /* !PN_POOL_H */
