/*
 * testhost.h -- a small, thread-safe host for puffsnode's tests and
 * fuzzers (examples/ has its own, smaller one): vnodes with a use count
 * and a reclaim step, the POSIX host kit's locks and condition variables
 * (lock_held exact, and counted), a settable clock, fake credentials and
 * callers, counters for every callback and byte-exact allocation
 * accounting.  Its table is wrapped by the fault injector of wraphost.h:
 * th_host.h_w, where wh_fail_at() makes the N-th fallible host call fail,
 * once or from then on.
 *
 * One global mutex guards the host's own state; that is plenty for tests.
 */
#ifndef PN_TESTHOST_H
#define PN_TESTHOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <puffsnode/puffsnode.h>

#include "wraphost.h"

enum th_vstate { TH_VN_ACTIVE = 1, TH_VN_RECLAIMING, TH_VN_DEAD };

/* The host's vnode. */
struct pn_vnode {
	struct pn_vnode	*v_next;	/* all vnodes, th_host.h_mtx */
	struct pn_vnode	*v_prev;
	int		 v_state;	/* enum th_vstate */
	int		 v_type;
	int		 v_usecount;
	int		 v_lockcount;
	unsigned	 v_opskind;	/* PN_VOPS_* seen */
	bool		 v_attached;
	bool		 v_inited;	/* node_init called, node_fini not yet */
	int64_t		 v_size;
	int64_t		 v_attrsize;	/* what vnode_getattr_size answers */
	uint64_t	 v_rdev;
	struct pn_node	*v_data;
	int		 v_revents;	/* poll_notify accumulated */
};

/* The host's credential and caller. */
struct pn_cred {
	uint32_t	c_uid;
	uint32_t	c_gid;
	size_t		c_ngroups;
	uint32_t	c_groups[64];
};

struct pn_caller {
	int32_t		l_pid;
	int32_t		l_lwpid;
	bool		l_fail;		/* caller_ids fails */
};

struct th_host {
	/*
	 * The fault injector, first: a struct th_host * is a struct
	 * wraphost *, so h_ops (its wrapped table) takes the th_host as
	 * its context.  wh_fail_at(&h->h_w, ...) injects; h_w.mask picks
	 * the kinds (1 << WH_*), h_w.failed counts the faults.
	 */
	struct wraphost		 h_w;
	struct pn_host_ops	 h_ops;		/* hand this to pn_mount_create, with h */
	struct pn_mount		*h_mp;
	pthread_mutex_t		 h_mtx;
	struct pn_vnode		*h_vnodes;	/* live vnodes */
	struct pn_vnode		*h_alias;	/* checkalias answer, or NULL */
	struct pn_timespec	 h_now;		/* clock_now answer */
	int			 h_loglevel;	/* print logs at or above; 99: none */

	/* counters */
	atomic_long		 h_allocs, h_frees;
	atomic_llong		 h_bytes;	/* bytes outstanding */
	atomic_long		 h_valloc, h_vfree, h_vreclaimed;
	atomic_long		 h_vget, h_vget_fail, h_vrele;
	atomic_long		 h_namecache, h_bio_done, h_poll_notify;
	atomic_long		 h_panics, h_warns;
	atomic_long		 h_misbehaved[16];
	atomic_long		 h_lastreason;
	atomic_ullong		 h_lastcookie;

	/* lock_held answers (the kit's, exact) */
	atomic_long		 h_held_yes, h_held_no;
	/* delay, in microseconds, inside vnode_alloc: widens build windows */
	atomic_int		 h_valloc_delay_us;
};

/* Set up the host (ops filled in and wrapped, no fault armed). */
void	th_init(struct th_host *h);
/* Check the host is clean: no vnode, no byte, no lock or cv left.  0 if so. */
int	th_fini(struct th_host *h);

struct pn_mount_args th_args(pn_cookie_t root);
bool	th_parts(void);	/* PN_TEST_PARTS=1: th_args makes split mounts */
int	th_mount(struct th_host *h, const struct pn_mount_args *args);

/* vrele: drop a use; the vnode stays cached until th_reclaim. */
void	th_vrele(struct th_host *h, struct pn_vnode *vp);
void	th_vref(struct th_host *h, struct pn_vnode *vp);
void	th_vunlock(struct th_host *h, struct pn_vnode *vp);
/* Reclaim an unused vnode: reclaiming, pn_putvnode, freed.  PN_EBUSY if used. */
int	th_reclaim(struct th_host *h, struct pn_vnode *vp);
/* Begin a reclaim without finishing it (vnode_get fails from now on). */
void	th_reclaim_begin(struct th_host *h, struct pn_vnode *vp);
int	th_reclaim_finish(struct th_host *h, struct pn_vnode *vp);
/* Reclaim every unused vnode; returns how many. */
int	th_reclaim_unused(struct th_host *h);
/* Live vnodes. */
long	th_nvnodes(struct th_host *h);
/* A vnode's state (enum th_vstate) and use count, read under the host lock. */
int	th_vstate(struct th_host *h, struct pn_vnode *vp);
int	th_vusecount(struct th_host *h, struct pn_vnode *vp);

#endif /* !PN_TESTHOST_H */
