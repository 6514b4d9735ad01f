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
 * A mount made with PN_MNT_PARTS has PNI_PARTS parts, each a mount of its
 * own behind the one the host holds (the outer mount): its own lock,
 * condition variable, cookie table and pool.  The parts follow the outer
 * mount in its allocation, so that finding one costs no load but the
 * mask beside the table pointer.  A cookie belongs to the part that bits
 * PNI_PART_SHIFT.. of its hash name, bits that neither the table's index
 * nor its tags use.  The outer mount keeps the users, the dying flag, the
 * stripe locks (which the parts share) and no nodes.
 */
#define PNI_PARTS	4
#define PNI_PART_SHIFT	48

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
	struct pn_mount		*mnt_outer;	/* the host's mount: itself, or a part's */
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

/*
 * The distance from one part to the next in their block: a whole number
 * of cache lines, and an odd number of them past a page, so that the
 * same member of two parts never falls in the same cache set (a mount is
 * about a page: at sizeof apart, the lines lookups read in every part
 * would compete for a few sets).
 */
#define PNI_PART_STRIDE							\
	((sizeof(struct pn_mount) + 4095) / 4096 * 4096 +		\
	    (size_t)11 * PNI_CACHELINE)

/* Mount i of the block that starts at mp: mp itself for 0, else a part. */
static inline struct pn_mount *
pni_block_at(struct pn_mount *mp, size_t i)
{
	return (struct pn_mount *)(void *)((char *)mp + i * PNI_PART_STRIDE);
}

/* The bytes of a block of n mounts: a mount and its n - 1 parts. */
static inline size_t
pni_mount_bytes(size_t n)
{
	return (n - 1) * PNI_PART_STRIDE + sizeof(struct pn_mount);
}

/* The mount (part) that holds cookies of hash h. */
static inline struct pn_mount *
pni_part(struct pn_mount *mp, uint64_t h)
{
	uint32_t m = mp->mnt_table.tb_partmask;

	if (PNI_LIKELY(m == 0))
		return mp;
	return pni_block_at(mp, 1 + ((h >> PNI_PART_SHIFT) & m));
}

/* How many parts mp has, and its i-th: mp itself when it is not split. */
static inline unsigned
pni_nparts(const struct pn_mount *mp)
{
	return mp->mnt_table.tb_partmask + 1;
}

static inline struct pn_mount *
pni_partn(struct pn_mount *mp, unsigned i)
{
	return mp->mnt_table.tb_partmask == 0 ? mp : pni_block_at(mp, 1 + i);
}

/* Is mp split in parts (PN_MNT_PARTS)? */
static inline bool
pni_split(const struct pn_mount *mp)
{
	return mp->mnt_table.tb_partmask != 0;
}

#endif /* !PN_MOUNT_H */
