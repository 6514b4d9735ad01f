/*
 * node.h -- the node (node.c): layout, states and the calls other files
 * of the core make on nodes.  Never installed.
 */
#ifndef PN_NODE_H
#define PN_NODE_H

#include "pn_base.h"

/*
 * Node state word: one of the states below.  Only pni_node_set_state
 * (node.c) changes it, with one store.
 */
#define PNI_ST_SHIFT	30
#define PNI_ST_MASK	(3u << PNI_ST_SHIFT)
#define PNI_ST_FREE	(0u << PNI_ST_SHIFT)	/* in the pool */
#define PNI_ST_BUILDING	(1u << PNI_ST_SHIFT)	/* in the table, vnode being built */
#define PNI_ST_ACTIVE	(2u << PNI_ST_SHIFT)	/* in the table, vnode usable */
#define PNI_ST_DEAD	(3u << PNI_ST_SHIFT)	/* reclaim begun; out of the table */

/*
 * A node.  Lookups never read it: the cookie table holds each cookie with
 * its vnode (table.c).  80 bytes on 64-bit targets: with the table's
 * 16-byte slots that is under 128 bytes a node at a million nodes.
 */
struct pn_node {
	pn_atomic_u32			pn_word;	/* state */
	pn_atomic_u32			pn_refs;	/* vnode + outstanding requests */
	pn_cookie_t			pn_cookie;	/* set under the mount lock while FREE */
	PN_ATOMIC(struct pn_vnode *)	pn_vp;		/* NULL once reclaimed */
	struct pn_mount			*pn_mp;
	uint64_t			pn_gen;		/* per-mount generation */
	/* metadata cache and poll state: the node's stripe lock */
	union {
		int64_t			pn_mc_atime;	/* nanoseconds */
		struct pn_node		*pn_freenext;	/* FREE: pool free list */
	};
	int64_t				pn_mc_ctime;
	int64_t				pn_mc_mtime;
	int64_t				pn_mc_size;
	uint16_t			pn_mc_flags;
	uint16_t			pn_revents;
	int32_t				pn_type;
};

static inline uint32_t
pni_node_state(const struct pn_node *pn)
{
	return pn_load(&pn->pn_word, PN_ACQUIRE) & PNI_ST_MASK;
}

/*
 * The node is held by the caller: allocated and referenced.  A node
 * whose last reference is gone is freed even while it waits DEAD on the
 * pool's dead stack (node.c, pni_node_collect).
 */
static inline bool
pni_node_held(const struct pn_node *pn)
{
	/*
	 * refs == 0 while not FREE holds only in the instant between the
	 * last release and the node's return to the pool: not reachable
	 * from a single thread.
	 */
	return pn != NULL && pni_node_state(pn) != PNI_ST_FREE &&
	    pn_load(&pn->pn_refs, PN_RELAXED) != 0;	/* GCOVR_EXCL_BR_LINE */
}

/* ---- node.c ---- */

void	pni_node_set_state(struct pn_mount *, struct pn_node *, uint32_t,
	    uint32_t);
struct pn_lock *pni_node_stripe(const struct pn_node *);
void	pni_node_collect(struct pn_mount *);	/* mount lock held */

#endif /* !PN_NODE_H */
