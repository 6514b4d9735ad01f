/*
 * host.h -- puffsnode's host on Linux kernel services.
 *
 * One struct pn_khost per mount: a vnode cache (a list of every vnode
 * built, in use or inactive) and the counters the self-test checks.  A
 * vnode is a small object from a kmem_cache with an atomic use count;
 * its last release leaves it inactive on the list, as the kernel's inode
 * cache keeps unused inodes, and pn_khost_reclaim() is the eviction that
 * takes an inactive vnode, calls pn_putvnode() and frees it.
 *
 * What maps to what (docs/porting.md, "In a kernel"):
 *	alloc/free		kvmalloc/kvfree in a GFP_NOFS scope
 *	lock_*			struct mutex, with an owner for lock_held
 *	cv_*			a wait queue and a sequence number
 *	vnode_*			struct pn_vnode below
 *	clock_now		ktime_get_real_ts64
 *	log			printk
 *	yield			cond_resched, else cpu_relax
 *	panic			BUG
 */
#ifndef PN_KHOST_H
#define PN_KHOST_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <puffsnode/puffsnode.h>

/* The use count's flag: reclaim has begun, vnode_get refuses. */
#define PN_KVN_DYING	0x40000000

struct pn_vnode {
	atomic_t		 v_use;		/* users | PN_KVN_DYING */
	int			 v_type;	/* enum pn_vtype */
	struct pn_node		*v_data;	/* the node; READ_ONCE */
	int64_t			 v_size;	/* READ_ONCE */
	unsigned		 v_ops;		/* PN_VOPS_* */
	bool			 v_listed;	/* on the host's list (h_vlock) */
	struct list_head	 v_list;	/* the host's vnodes */
	struct mutex		 v_lock;	/* vnode_lock: the vnode's sleep lock */
	struct pn_khost		*v_host;
};

struct pn_khost {
	struct pn_mount		*h_mp;		/* set once mounted */
	struct kmem_cache	*h_vcache;	/* struct pn_vnode */
	spinlock_t		 h_vlock;	/* h_vnodes, v_listed */
	struct list_head	 h_vnodes;	/* attached vnodes, oldest first */

	/* Counters: what the self-test checks balance. */
	atomic64_t		 h_allocs;	/* alloc calls that succeeded */
	atomic64_t		 h_frees;
	atomic64_t		 h_bytes;	/* bytes held by the core now */
	atomic64_t		 h_misaligned;	/* alloc results not max_align_t aligned */
	atomic64_t		 h_vallocs;	/* vnodes made */
	atomic64_t		 h_vfrees;	/* vnodes freed, either way */
	atomic64_t		 h_vlosers;	/* vnode_free: made, never handed out */
	atomic64_t		 h_reclaims;	/* pn_putvnode() calls that succeeded */
	atomic64_t		 h_locks;	/* mutexes live */
	atomic64_t		 h_cvs;		/* condition variables live */
	atomic64_t		 h_cvwaits;	/* cv_wait calls */
	atomic64_t		 h_panics;	/* PN_LOG_PANIC messages, assertions */
	atomic64_t		 h_misbehaved[PN_BAD_EVENTS + 1];
	atomic64_t		 h_badcalls;	/* host rules broken (below) */

	/* Fault injection (tests): vnode_attach calls to fail with PN_ENOMEM. */
	atomic_t		 h_fail_attach;
};

extern const struct pn_host_ops pn_khost_ops;

int	pn_khost_init(struct pn_khost *h);
void	pn_khost_fini(struct pn_khost *h);

/* The VFS side: a vnode reference taken and dropped outside the core. */
void	pn_kvn_rele(struct pn_vnode *vp);
void	pn_kvn_unlock(struct pn_vnode *vp);

/*
 * Reclaim one inactive vnode (oldest first): 1 if one was reclaimed, 0 if
 * every vnode left is in use, -ENOENT if none is left, -EIO if
 * pn_putvnode() refused.  May sleep; the caller holds no spinlock.
 */
int	pn_khost_reclaim(struct pn_khost *h);

#endif /* !PN_KHOST_H */
