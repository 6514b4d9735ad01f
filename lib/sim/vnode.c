/*
 * vnode.c -- the simulator's vnodes, in the manner of NetBSD's vcache.
 *
 * States and transitions (v_state, under the vnode's interlock):
 *
 *	BUILDING --setdata--> ACTIVE --reclaim begins--> RECLAIMING
 *	    |                                               |
 *	 vnode_free (never handed out)                 pn_putvnode
 *	    v                                               v
 *	  freed                 freed <--last use/hold-- DEAD
 *
 * Counts.  v_usecount counts users (vget/vrele); a vnode whose last use is
 * released while ACTIVE becomes inactive and goes on the tail of the LRU
 * list, where it stays cached.  v_holdcount keeps the memory of a vnode
 * alive without keeping it ACTIVE (the reclaimer holds one while it
 * works).  A DEAD vnode is freed when both counts reach zero.
 *
 * Reclaim: under the interlock, mark RECLAIMING (from now on vget fails
 * with PN_ENOENT, without sleeping: the core waits or retries) and take a
 * hold; then, with no interlock held: take the vnode lock, purge the name
 * cache, tell the server to forget its lookups, call pn_putvnode(), mark
 * DEAD, drop the hold.  Under pressure -- maxvnodes vnodes exist when
 * one is to be allocated -- inactive vnodes are reclaimed oldest first.
 *
 * The interlock is a leaf for puffsnode: nothing here calls into the core
 * while holding one.  The list lock (mount vnode list, LRU, counts) comes
 * after the interlock; the LRU drain walks the list and only try-locks.
 */
#include <sched.h>
#include <stdlib.h>

#include "sim_impl.h"

/* A unique, nonzero id of the calling thread: the vnode lock's owner. */
uintptr_t
sim_self(void)
{
	static _Thread_local char marker;

	return (uintptr_t)&marker;
}

/* Take an inactive vnode off the LRU, if it is there.  List lock held. */
static void
lru_remove_locked(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (vp->v_onlru) {
		TAILQ_REMOVE(&sim->s_lru, vp, v_lru);
		vp->v_onlru = false;
		sim->s_nlru--;
	}
}

static void
vnode_destroy(struct pn_sim *sim, struct pn_vnode *vp)
{
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	if (vp->v_attached)
		TAILQ_REMOVE(&sim->s_vnodes, vp, v_mntlist);
	sim->s_numvnodes--;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	pthread_rwlock_destroy(&vp->v_lock);
	pthread_mutex_destroy(&vp->v_interlock);
	free(vp);
}

/* getnewvnode: make room under pressure, then a BUILDING vnode, one use. */
int
sim_vnode_alloc(struct pn_sim *sim, int type, struct pn_vnode **vpp)
{
	struct pn_vnode *vp;
	size_t max;

	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	max = sim->s_maxvnodes;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	(void)sim_reclaim_lru(sim, max > 0 ? max - 1 : 0, NULL);	/* GCOVR_EXCL_BR_LINE: maxvnodes is never 0 */

	if ((vp = calloc(1, sizeof(*vp))) == NULL)
		return PN_ENOMEM;
	pthread_mutex_init(&vp->v_interlock, NULL);
	pthread_rwlock_init(&vp->v_lock, NULL);
	vp->v_sim = sim;
	vp->v_state = PN_SIM_VS_BUILDING;
	vp->v_usecount = 1;
	vp->v_type = type;
	LIST_INIT(&vp->v_dnclist);
	LIST_INIT(&vp->v_nclist);

	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	if (++sim->s_numvnodes > sim->s_vnodes_high)
		sim->s_vnodes_high = sim->s_numvnodes;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	*vpp = vp;
	return 0;
}

/* ungetnewvnode: a vnode the core built no node for. */
void
sim_vnode_free(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (vp->v_state != PN_SIM_VS_BUILDING)	/* GCOVR_EXCL_BR_LINE: the core frees only vnodes it has not handed out */
		/* GCOVR_EXCL_START: never: see above */
		sim_log(sim, PN_LOG_PANIC, "vnode_free of a vnode handed out");
		/* GCOVR_EXCL_STOP */
	STAT_INC(sim, aborted);
	vnode_destroy(sim, vp);
}

/* The core attached its node: the vnode may be handed out. */
void
sim_vnode_built(struct pn_sim *sim, struct pn_vnode *vp)
{
	pn_cookie_t c = pn_node_cookie(atomic_load(&vp->v_data));

	atomic_store(&vp->v_cookie, c);
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vp->v_state = PN_SIM_VS_ACTIVE;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	STAT_INC(sim, built);
}

/* vget: never sleeps on a reclaim. */
int
sim_vget(struct pn_sim *sim, struct pn_vnode *vp, bool unused)
{
	(void)unused;
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (vp->v_state != PN_SIM_VS_ACTIVE) {
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		STAT_INC(sim, vget_dying);
		return PN_ENOENT;
	}
	if (vp->v_usecount++ == 0) {
		sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
		lru_remove_locked(sim, vp);
		sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
		STAT_INC(sim, reactivated);
	}
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	return 0;
}

/* vrele: the last use makes an ACTIVE vnode inactive, a DEAD one gone. */
void
sim_vrele(struct pn_sim *sim, struct pn_vnode *vp, bool drain)
{
	bool gone = false;
	size_t max;

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (vp->v_usecount == 0) {
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		sim_log(sim, PN_LOG_PANIC, "vrele of an unused vnode");
		return;
	}
	if (--vp->v_usecount == 0) {
		if (vp->v_state == PN_SIM_VS_ACTIVE) {
			STAT_INC(sim, inactive);
			sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
			TAILQ_INSERT_TAIL(&sim->s_lru, vp, v_lru);
			vp->v_onlru = true;
			sim->s_nlru++;
			sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
		} else if (vp->v_state == PN_SIM_VS_DEAD &&
		    vp->v_holdcount == 0) {
			gone = true;
		}
	}
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (gone) {
		STAT_INC(sim, freed);
		vnode_destroy(sim, vp);
	} else if (drain) {
		sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
		max = sim->s_maxvnodes;
		sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
		(void)sim_reclaim_lru(sim, max, NULL);
	}
}

/*
 * Reclaim a vnode marked RECLAIMING, with the caller's hold.  No
 * interlock held on entry; the vnode may be freed on return.
 */
static void
reclaim(struct pn_sim *sim, struct pn_vnode *vp)
{
	pn_cookie_t c = atomic_load(&vp->v_cookie);
	uint64_t n;
	bool gone;
	int error;

	sim_rw_enter(&vp->v_lock, SIM_LK_VNODE, true);
	atomic_store(&vp->v_lockowner, sim_self());
	sim_nc_purge(sim, vp);
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	n = vp->v_nlookup;
	vp->v_nlookup = 0;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	sim_forget(sim, c, n);
	if ((error = pn_putvnode(pn_sim_mount(sim), vp)) != PN_OK)	/* GCOVR_EXCL_BR_LINE: the core never refuses a reclaim */
		/* GCOVR_EXCL_START: never: see above */
		sim_log(sim, PN_LOG_ERR, "pn_putvnode(%#llx): %s",
		    (unsigned long long)c, pn_strerror(error));
		/* GCOVR_EXCL_STOP */
	atomic_store(&vp->v_cookie, 0);
	atomic_store(&vp->v_lockowner, 0);
	sim_rw_exit(&vp->v_lock, SIM_LK_VNODE);

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vp->v_state = PN_SIM_VS_DEAD;
	vp->v_holdcount--;
	gone = vp->v_usecount == 0 && vp->v_holdcount == 0;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	STAT_INC(sim, reclaimed);
	if (gone) {
		STAT_INC(sim, freed);
		vnode_destroy(sim, vp);
	}
}

/* ACTIVE -> RECLAIMING with a hold.  Interlock held. */
static void
mark_reclaiming_locked(struct pn_sim *sim, struct pn_vnode *vp)
{
	vp->v_state = PN_SIM_VS_RECLAIMING;
	vp->v_holdcount++;
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	lru_remove_locked(sim, vp);
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
}

/*
 * Reclaim inactive vnodes, oldest first, while more than target vnodes
 * exist.  Returns the number reclaimed (also in *np).
 */
int
sim_reclaim_lru(struct pn_sim *sim, size_t target, size_t *np)
{
	struct pn_vnode *vp;
	size_t n = 0;

	for (;;) {
		sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
		if (sim->s_numvnodes <= target || sim->s_nlru == 0 ||
		    sim->s_mp == NULL) {
			sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
			break;
		}
		TAILQ_FOREACH(vp, &sim->s_lru, v_lru)
			if (sim_mtx_tryenter(&vp->v_interlock, SIM_LK_INTERLOCK))
				break;
		if (vp == NULL) {
			sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
			sched_yield();
			continue;
		}
		/* On the LRU: ACTIVE and unused. */
		vp->v_state = PN_SIM_VS_RECLAIMING;
		vp->v_holdcount++;
		lru_remove_locked(sim, vp);
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
		reclaim(sim, vp);
		n++;
	}
	if (np != NULL)
		*np = n;
	return (int)n;
}

/*
 * Unmount's flush, with calls gated off: refuse (PN_EBUSY, nothing done)
 * if a vnode is in use unless force; else reclaim every live vnode.
 */
int
sim_flush(struct pn_sim *sim, bool force, size_t *busyp)
{
	struct pn_vnode *vp;
	size_t busy = 0;

again:
	busy = 0;
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	TAILQ_FOREACH(vp, &sim->s_vnodes, v_mntlist) {
		/* The list lock comes after interlocks: only try. */
		/* Busy only while another thread holds it: a race. */
		if (!sim_mtx_tryenter(&vp->v_interlock, SIM_LK_INTERLOCK)) { /* GCOVR_EXCL_BR_LINE */
			/* GCOVR_EXCL_START: only when another thread holds it */
			sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
			sched_yield();
			goto again;
			/* GCOVR_EXCL_STOP */
		}
		if (vp->v_state == PN_SIM_VS_ACTIVE && vp->v_usecount > 0)
			busy++;
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	}
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	if (busyp != NULL)
		*busyp = busy;
	if (busy > 0 && !force)
		return PN_EBUSY;

	for (;;) {
		bool missed = false;

		sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
		TAILQ_FOREACH(vp, &sim->s_vnodes, v_mntlist) {
			/* Busy only while another thread holds it: a race. */
			if (!sim_mtx_tryenter(&vp->v_interlock, SIM_LK_INTERLOCK)) { /* GCOVR_EXCL_BR_LINE */
				missed = true;	/* GCOVR_EXCL_LINE: race only */
				continue;	/* GCOVR_EXCL_LINE: race only */
			}
			if (vp->v_state == PN_SIM_VS_ACTIVE)
				break;
			sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		}
		sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
		if (vp == NULL) {
			/* missed: an interlock was busy, a race (above). */
			if (!missed)	/* GCOVR_EXCL_BR_LINE */
				break;
			sched_yield();	/* GCOVR_EXCL_LINE: race only */
			continue;	/* GCOVR_EXCL_LINE: race only */
		}
		mark_reclaiming_locked(sim, vp);
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		reclaim(sim, vp);
	}
	return PN_OK;
}

/* One more server lookup for this vnode to forget at reclaim. */
void
sim_addlookup(struct pn_sim *sim, struct pn_vnode *vp)
{
	pn_cookie_t c = 0;

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (vp->v_state == PN_SIM_VS_ACTIVE)
		vp->v_nlookup++;
	else
		c = atomic_load(&vp->v_cookie);
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	/* Not ACTIVE with a cookie: only while another thread reclaims it. */
	if (c != 0)	/* GCOVR_EXCL_BR_LINE: race only */
		sim_forget(sim, c, 1);	/* GCOVR_EXCL_LINE: reclaimed meanwhile */
}

/* ---- public ---- */

PN_SIM_EXPORT int
pn_sim_vget(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (sim == NULL || vp == NULL)
		return PN_EINVAL;
	return sim_vget(sim, vp, false);
}

PN_SIM_EXPORT int
pn_sim_vrele(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (sim == NULL || vp == NULL)
		return PN_EINVAL;
	sim_vrele(sim, vp, true);
	return PN_OK;
}

PN_SIM_EXPORT void
pn_sim_vhold(struct pn_sim *sim, struct pn_vnode *vp)
{
	(void)sim;
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vp->v_holdcount++;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
}

PN_SIM_EXPORT void
pn_sim_vdrop(struct pn_sim *sim, struct pn_vnode *vp)
{
	bool gone;

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vp->v_holdcount--;
	gone = vp->v_holdcount == 0 && vp->v_usecount == 0 &&
	    vp->v_state == PN_SIM_VS_DEAD;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (gone) {
		STAT_INC(sim, freed);
		vnode_destroy(sim, vp);
	}
}

PN_SIM_EXPORT int
pn_sim_vgone(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (sim == NULL || vp == NULL)
		return PN_EINVAL;
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	if (vp->v_state != PN_SIM_VS_ACTIVE) {
		sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
		return PN_ENOENT;
	}
	mark_reclaiming_locked(sim, vp);
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	reclaim(sim, vp);
	return PN_OK;
}

PN_SIM_EXPORT void
pn_sim_vlock(struct pn_sim *sim, struct pn_vnode *vp)
{
	(void)sim;
	sim_rw_enter(&vp->v_lock, SIM_LK_VNODE, true);
	atomic_store(&vp->v_lockowner, sim_self());
}

PN_SIM_EXPORT void
pn_sim_vunlock(struct pn_sim *sim, struct pn_vnode *vp)
{
	(void)sim;
	atomic_store(&vp->v_lockowner, 0);
	sim_rw_exit(&vp->v_lock, SIM_LK_VNODE);
}

PN_SIM_EXPORT int
pn_sim_vnode_info(struct pn_sim *sim, struct pn_vnode *vp,
    struct pn_sim_vnode_info *vi)
{
	if (sim == NULL || vp == NULL || vi == NULL)
		return PN_EINVAL;
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vi->vi_state = vp->v_state;
	vi->vi_usecount = vp->v_usecount;
	vi->vi_holdcount = vp->v_holdcount;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	vi->vi_inactive = vp->v_onlru;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	vi->vi_type = vp->v_type;
	vi->vi_cookie = atomic_load(&vp->v_cookie);
	vi->vi_locked = atomic_load(&vp->v_lockowner) != 0;
	return PN_OK;
}

PN_SIM_EXPORT pn_cookie_t
pn_sim_vnode_cookie(struct pn_sim *sim, struct pn_vnode *vp)
{
	(void)sim;
	return vp == NULL ? 0 : atomic_load(&vp->v_cookie);
}
