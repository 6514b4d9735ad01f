/*
 * namecache.c -- the simulator's name cache: (directory vnode, name) ->
 * vnode, positive entries only, in a red-black tree.
 *
 * Entries hold no reference.  Each is also linked on both its vnodes, so
 * that reclaiming either one purges it: reclaim marks the vnode
 * RECLAIMING before it purges, and a lookup takes its reference with
 * vget under the cache lock, so a hit on a vnode being reclaimed fails
 * (counted as stale) and a reclaimed vnode is never returned.  An entry
 * is made only while both vnodes are ACTIVE, checked under the cache
 * lock, so no entry can be made after the purge.
 *
 * Locks: the cache lock (a rwlock: lookups share it) comes before the
 * vnode interlocks.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_impl.h"

#define NC_NAMEMAX	255

static int
nc_cmp(const struct nc_entry *a, const struct nc_entry *b)
{
	uintptr_t da = (uintptr_t)a->nc_dvp, db = (uintptr_t)b->nc_dvp;

	if (da != db)
		return da < db ? -1 : 1;
	if (a->nc_namelen != b->nc_namelen)
		return a->nc_namelen < b->nc_namelen ? -1 : 1;
	return memcmp(a->nc_name, b->nc_name, a->nc_namelen);
}

SIM_RB_GENERATE_STATIC(nc_tree, nc_entry, nc_tree, nc_cmp) /* GCOVR_EXCL_BR_LINE: libbsd's generated tree code */

void
sim_nc_init(struct pn_sim *sim)
{
	pthread_rwlock_init(&sim->s_nclock, NULL);
	RB_INIT(&sim->s_nctree);
}

/* Cache lock held for writing. */
static void
nc_remove_locked(struct pn_sim *sim, struct nc_entry *e)
{
	RB_REMOVE(nc_tree, &sim->s_nctree, e);
	LIST_REMOVE(e, nc_dlist);
	LIST_REMOVE(e, nc_vlist);
	sim->s_ncount--;
	free(e);
}

void
sim_nc_fini(struct pn_sim *sim)
{
	struct nc_entry *e;

	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, true);
	/* Unmount purged every entry with its vnodes; this is a safety net. */
	while ((e = RB_MIN(nc_tree, &sim->s_nctree)) != NULL)	/* GCOVR_EXCL_BR_LINE */
		nc_remove_locked(sim, e);	/* GCOVR_EXCL_LINE: see above */
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
	pthread_rwlock_destroy(&sim->s_nclock);
}

static bool
active(struct pn_vnode *vp)
{
	bool a;

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	a = vp->v_state == PN_SIM_VS_ACTIVE;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	return a;
}

/* cache_enter: both vnodes referenced by the caller. */
void
sim_nc_enter(struct pn_sim *sim, struct pn_vnode *dvp, struct pn_vnode *vp,
    const char *name, size_t namelen)
{
	struct nc_entry *e, *old;
	char *p;

	if (namelen == 0 || namelen > NC_NAMEMAX || dvp == NULL || vp == NULL)	/* GCOVR_EXCL_BR_LINE: callers check names and vnodes */
		return;
	if ((e = malloc(sizeof(*e) + namelen + 1)) == NULL)
		return;
	p = (char *)(e + 1);
	memcpy(p, name, namelen);
	p[namelen] = '\0';
	e->nc_name = p;
	e->nc_namelen = namelen;
	e->nc_dvp = dvp;
	e->nc_vp = vp;

	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, true);
	/*
	 * The caller holds both vnodes: only a vgone() on another thread
	 * can have started reclaiming one meanwhile.
	 */
	if (!active(dvp) || !active(vp)) {	/* GCOVR_EXCL_BR_LINE: race only */
		sim_rw_exit(&sim->s_nclock, SIM_LK_NC);	/* GCOVR_EXCL_LINE */
		free(e);		/* GCOVR_EXCL_LINE: race only */
		return;			/* GCOVR_EXCL_LINE: race only */
	}
	if ((old = RB_FIND(nc_tree, &sim->s_nctree, e)) != NULL)
		nc_remove_locked(sim, old);
	RB_INSERT(nc_tree, &sim->s_nctree, e);
	LIST_INSERT_HEAD(&dvp->v_dnclist, e, nc_dlist);
	LIST_INSERT_HEAD(&vp->v_nclist, e, nc_vlist);
	sim->s_ncount++;
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
	STAT_INC(sim, nc_enters);
}

/* A hit comes back referenced; a miss or a dying vnode is PN_ENOENT. */
int
sim_nc_lookup(struct pn_sim *sim, struct pn_vnode *dvp, const char *name,
    size_t namelen, struct pn_vnode **vpp)
{
	struct nc_entry key, *e;
	int error = PN_ENOENT;

	*vpp = NULL;
	key.nc_dvp = dvp;
	key.nc_name = name;
	key.nc_namelen = namelen;
	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, false);
	e = RB_FIND(nc_tree, &sim->s_nctree, &key);
	if (e != NULL && (error = sim_vget(sim, e->nc_vp, false)) == 0)
		*vpp = e->nc_vp;
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
	if (error == 0)
		STAT_INC(sim, nc_hits);
	else if (e != NULL)
		STAT_INC(sim, nc_stale);
	else
		STAT_INC(sim, nc_misses);
	return error == 0 ? PN_OK : PN_ENOENT;
}

void
sim_nc_remove(struct pn_sim *sim, struct pn_vnode *dvp, const char *name,
    size_t namelen)
{
	struct nc_entry key, *e;

	key.nc_dvp = dvp;
	key.nc_name = name;
	key.nc_namelen = namelen;
	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, true);
	if ((e = RB_FIND(nc_tree, &sim->s_nctree, &key)) != NULL) {
		nc_remove_locked(sim, e);
		STAT_INC(sim, nc_purged);
	}
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
}

/* Every entry in or naming vp.  vp is RECLAIMING: no new entry can come. */
void
sim_nc_purge(struct pn_sim *sim, struct pn_vnode *vp)
{
	struct nc_entry *e, *next;

	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, true);
	LIST_FOREACH_SAFE(e, &vp->v_dnclist, nc_dlist, next) {
		/* cppcheck, given no sys/queue.h, misses the macro's assignment of e. */
		// cppcheck-suppress uninitvar
		nc_remove_locked(sim, e);
		STAT_INC(sim, nc_purged);
	}
	LIST_FOREACH_SAFE(e, &vp->v_nclist, nc_vlist, next) {
		nc_remove_locked(sim, e);
		STAT_INC(sim, nc_purged);
	}
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
}
