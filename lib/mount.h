/*
 * mount.h -- the mount (mount.c): what it owns and which lock covers
 * what.  Never installed.
 */
#ifndef PN_MOUNT_H
#define PN_MOUNT_H

#include "pool.h"
#include "table.h"

#define PNI_MCSTRIPES	16

/*
 * The mount lock covers table writers, node state changes, the pool, the
 * user count, the waiter count and the generation counter.  The
 * condition variable wakes get-or-create callers waiting on a node and
 * the unmount waiting for the last user.  Stripe locks cover per-node
 * data (metadata cache, poll state, the vnode pointer for completions).
 * Portable builds have one more lock, the rmw lock (pn_atomic.h), a leaf.
 */
struct pn_mount {
	struct pni_table	 mnt_table;
	struct pn_host_ops	 mnt_ops;	/* the host's table, copied */
	void			*mnt_host;
	pn_cookie_t		 mnt_rootcookie;
	int			 mnt_roottype;
	int64_t			 mnt_rootsize;
	uint64_t		 mnt_rootrdev;
	unsigned		 mnt_flags;
	struct pn_lock		*mnt_lock;
	struct pn_cv		*mnt_cv;
	uint32_t		 mnt_refcount;	/* users (pn_mp_reference) */
	pn_atomic_u32		 mnt_waiters;	/* get-or-create callers waiting; written under the mount lock */
	PN_ATOMIC(bool)		 mnt_dying;	/* set under the mount lock by pn_mp_drain */
	struct pn_lock		*mnt_mclock[PNI_MCSTRIPES];
#if !PN_ATOMIC64
	struct pn_lock		*mnt_rmwlock;
#endif
	/*
	 * What every create and reclaim writes under the mount lock, on
	 * lines of its own: with two threads, the fields above, which they
	 * only read, stay in both caches.
	 */
	char			 mnt_pad0[PNI_CACHELINE];
	uint64_t		 mnt_nextgen;
	struct pni_pool		 mnt_pool;
	char			 mnt_pad1[PNI_CACHELINE];
};

#endif /* !PN_MOUNT_H */
