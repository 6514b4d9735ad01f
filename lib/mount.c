/*
 * mount.c -- mounts: creation with host-table and argument validation,
 * destruction that refuses while anything is still in use, and the
 * mount's user count that unmount drains.  Also pn_version() and
 * pn_strerror().
 *
 * A mount owns its cookie table, its pnode pool, one mount lock and one
 * condition variable, a few stripe locks for per-node data, and in
 * portable builds the rmw lock (mount.h says what each covers).  The
 * condition variable is broadcast when a node leaves BUILDING or ACTIVE
 * while a get-or-create caller waits (node.c), when the user count drops
 * to zero and when the drain begins.
 *
 * A mount made with PN_MNT_PARTS holds its nodes in PNI_PARTS parts
 * (mount.h), each made here as a mount of its own with the host's table:
 * its own lock, condition variable, cookie table and pool, and the outer
 * mount's stripe locks (and rmw lock).  The outer mount keeps the users
 * and the dying flag; calls on the whole mount (destroy, drain,
 * statistics, walks) go over the parts in turn, one part's lock at a
 * time.
 */
#include "hostcall.h"

PNI_EXPORT const char *
pn_version(void)
{
	return PN_VERSION_STRING;
}

PNI_EXPORT const char *
pn_strerror(int error)
{
	static const char *const msgs[] = {
		[PN_OK] = "success",
		[PN_EPERM] = "operation not permitted",
		[PN_ENOENT] = "no such node",
		[PN_EIO] = "input/output error",
		[PN_ENXIO] = "mount is going away",
		[PN_ENOMEM] = "out of memory or node limit reached",
		[PN_EACCES] = "permission denied",
		[PN_EBUSY] = "still in use",
		[PN_EEXIST] = "node already exists",
		[PN_EINVAL] = "invalid argument",
		[PN_ERANGE] = "result does not fit the wire form",
		[PN_ENAMETOOLONG] = "name too long",
		[PN_EOPNOTSUPP] = "operation not supported",
	};

	if (error < 0 || error > PN_ELAST)
		return "unknown error";
	return msgs[error];
}

/* ---- mount creation and destruction ---- */

/*
 * Bytes of the mount arguments each version defines: the versioning
 * policy of the host table (hostcall.c).
 */
static const size_t args_size[PN_MOUNT_ARGS_VERSION + 1] = {
	[1] = PNI_END_OF(struct pn_mount_args, flags),
};
_Static_assert(PN_MOUNT_ARGS_VERSION == 1 &&
    PNI_END_OF(struct pn_mount_args, flags) <= sizeof(struct pn_mount_args),
    "args_size: one entry per version");

/* A known version's members, copied into a for validation and use. */
static bool
args_get(const struct pn_mount_args *args, struct pn_mount_args *a)
{
	if (args->version < 1 || args->version > PN_MOUNT_ARGS_VERSION)
		return false;
	__builtin_memset(a, 0, sizeof(*a));
	__builtin_memcpy(a, args, args_size[args->version]);
	return a->root_cookie != 0 &&
	    a->root_type > PN_VNON && a->root_type < PN_VBAD &&
	    a->root_size >= 0 &&
	    (a->flags & ~(PN_MNT_NAMECACHE | PN_MNT_PLACEHOLDER |
	    PN_MNT_PARTS)) == 0 &&
	    /* One limit over several pools: not offered (pn_pool_setlimit). */
	    ((a->flags & PN_MNT_PARTS) == 0 || a->node_limit == 0);
}

/* What a mount, or a part, owns alone: its table, pool, cv and lock. */
static void
part_teardown(struct pn_mount *mp)
{
	pni_table_fini(mp);
	pni_pool_fini(mp);
	if (mp->mnt_cv != NULL)
		pni_h_cv_fini(mp, mp->mnt_cv);
	if (mp->mnt_lock != NULL)
		pni_h_lock_fini(mp, mp->mnt_lock);
}

/* Free what mount_create built; every pointer may still be NULL. */
static void
mount_teardown(struct pn_mount *mp)
{
	size_t i, n = 1;

	if (pni_split(mp)) {
		n += pni_nparts(mp);
		for (i = 0; i < pni_nparts(mp); i++)
			part_teardown(pni_partn(mp, i));
	}
	for (i = 0; i < PNI_MCSTRIPES; i++)
		if (mp->mnt_mclock[i] != NULL)
			pni_h_lock_fini(mp, mp->mnt_mclock[i]);
#if !PN_ATOMIC64
	if (mp->mnt_rmwlock != NULL)
		pni_h_lock_fini(mp, mp->mnt_rmwlock);
#endif
	part_teardown(mp);
	pni_h_free(mp, mp, pni_mount_bytes(n));
}

/* The mount's locks and condition variable. */
static int
mount_locks(struct pn_mount *mp)
{
	size_t i;
	int error;

	if ((error = pni_h_lock_init(mp, &mp->mnt_lock)) != 0 ||
	    (error = pni_h_cv_init(mp, &mp->mnt_cv)) != 0)
		return error;
	for (i = 0; i < PNI_MCSTRIPES; i++)
		if ((error = pni_h_lock_init(mp, &mp->mnt_mclock[i])) != 0)
			return error;
#if !PN_ATOMIC64
	if ((error = pni_h_lock_init(mp, &mp->mnt_rmwlock)) != 0)
		return error;
#endif
	return PN_OK;
}

/* The fields of a mount, or of a part, that come from the arguments. */
static void
mount_fields(struct pn_mount *mp, const struct pn_mount_args *a)
{
	mp->mnt_rootcookie = a->root_cookie;
	mp->mnt_roottype = a->root_type;
	mp->mnt_rootsize = a->root_size;
	mp->mnt_rootrdev = a->root_rdev;
	mp->mnt_flags = a->flags;
	mp->mnt_outer = mp;
	mp->mnt_nextgen = 1;
	pn_atomic_init(&mp->mnt_dying, false);
	pn_atomic_init(&mp->mnt_waiters, 0);
	pn_atomic_init(&mp->mnt_pool.pl_dead, 0);
	mp->mnt_pool.pl_limit = a->node_limit;
}

/*
 * PN_MNT_PARTS: make the parts of mount mp, each presized for its share
 * of the hint.  A part's generations start at its index + 1 and step by
 * PNI_PARTS, so that they stay unique over the mount.  What is made is
 * freed by mount_teardown on failure.
 */
static int
mount_parts(struct pn_mount *mp, const struct pn_mount_args *a)
{
	struct pn_mount *pt;
	unsigned i;
	int error;

	for (i = 0; i < PNI_PARTS; i++) {
		pt = pni_partn(mp, i);
		mount_fields(pt, a);
		pt->mnt_flags &= ~PN_MNT_PARTS;
		pt->mnt_outer = mp;
		pt->mnt_nextgen = 1 + i;
		__builtin_memcpy(pt->mnt_mclock, mp->mnt_mclock,
		    sizeof(pt->mnt_mclock));
#if !PN_ATOMIC64
		pt->mnt_rmwlock = mp->mnt_rmwlock;
#endif
		if ((error = pni_h_lock_init(pt, &pt->mnt_lock)) != 0 ||
		    (error = pni_h_cv_init(pt, &pt->mnt_cv)) != 0 ||
		    (error = pni_table_init(pt, a->hash_hint / PNI_PARTS)) != 0)
			return error;
	}
	return PN_OK;
}

PNI_EXPORT int
pn_mount_create(const struct pn_host_ops *ops, void *host,
    const struct pn_mount_args *args, struct pn_mount **mpp)
{
	struct pn_mount_args a;
	struct pn_mount *mp;
	int error;

	if (mpp == NULL)
		return PN_EINVAL;
	*mpp = NULL;
	if (ops == NULL || args == NULL || !pni_host_valid(ops) ||
	    !args_get(args, &a))
		return PN_EINVAL;

	if ((mp = pni_host_mount_alloc(ops, host,
	    (a.flags & PN_MNT_PARTS) != 0 ? 1 + PNI_PARTS : 1)) == NULL)
		return PN_ENOMEM;
	if ((a.flags & PN_MNT_PARTS) != 0)
		mp->mnt_table.tb_partmask = PNI_PARTS - 1;
	mount_fields(mp, &a);
	if ((error = mount_locks(mp)) != 0)
		goto fail;
	if ((a.flags & PN_MNT_PARTS) != 0)
		error = mount_parts(mp, &a);
	else
		error = pni_table_init(mp, a.hash_hint);
	if (error != 0)
		goto fail;
	*mpp = mp;
	return PN_OK;

fail:
	mount_teardown(mp);
	return error > 0 && error <= PN_ELAST ? error : PN_ENOMEM;
}

/*
 * Is a mount or a part in use: users (the outer mount's), nodes, a walk?
 * Adds its users and nodes to *users and *nodes.
 */
static bool
part_busy(struct pn_mount *pt, uint64_t *users, uint64_t *nodes)
{
	bool busy;

	pni_h_enter(pt, pt->mnt_lock);
	pni_node_collect(pt);
	busy = pt->mnt_refcount != 0 || pt->mnt_table.tb_count != 0 ||
	    pt->mnt_pool.pl_inuse != 0 || pt->mnt_pool.pl_walkers != 0;
	*users += pt->mnt_refcount;
	*nodes += pt->mnt_pool.pl_inuse;
	pni_h_exit(pt, pt->mnt_lock);
	return busy;
}

PNI_EXPORT int
pn_mount_destroy(struct pn_mount *mp)
{
	uint64_t users = 0, nodes = 0;
	bool busy;
	unsigned i;

	if (mp == NULL)
		return PN_EINVAL;
	busy = part_busy(mp, &users, &nodes);
	for (i = 0; pni_split(mp) && i < pni_nparts(mp); i++)
		busy |= part_busy(pni_partn(mp, i), &users, &nodes);
	if (busy) {
		pni_h_log(mp, PN_LOG_WARN,
		    "puffsnode: destroy of a busy mount refused "
		    "(%llu users, %llu nodes)", users, nodes);
		return PN_EBUSY;
	}
	mount_teardown(mp);
	return PN_OK;
}

PNI_EXPORT const struct pn_host_ops *
pn_mount_host(const struct pn_mount *mp, void **hostp)
{
	if (mp == NULL) {
		if (hostp != NULL)
			*hostp = NULL;
		return NULL;
	}
	if (hostp != NULL)
		*hostp = mp->mnt_host;
	return &mp->mnt_ops;
}

PNI_EXPORT pn_cookie_t
pn_mount_rootcookie(const struct pn_mount *mp)
{
	return mp == NULL ? 0 : mp->mnt_rootcookie;
}

/* ---- users of the mount ---- */

PNI_EXPORT int
pn_mp_reference(struct pn_mount *mp)
{
	int error = PN_OK;

	if (mp == NULL)
		return PN_EINVAL;
	pni_h_enter(mp, mp->mnt_lock);
	if (pn_load(&mp->mnt_dying, PN_RELAXED))
		error = PN_ENXIO;
	else if (mp->mnt_refcount == UINT32_MAX)
		error = PN_ERANGE;
	else
		mp->mnt_refcount++;
	pni_h_exit(mp, mp->mnt_lock);
	return error;
}

PNI_EXPORT int
pn_mp_release(struct pn_mount *mp)
{
	int error = PN_OK;

	if (mp == NULL)
		return PN_EINVAL;
	pni_h_enter(mp, mp->mnt_lock);
	if (mp->mnt_refcount == 0) {
		error = PN_EINVAL;
	} else if (--mp->mnt_refcount == 0) {
		pni_h_cv_broadcast(mp, mp->mnt_cv);
	}
	pni_h_exit(mp, mp->mnt_lock);
	if (error != PN_OK)
		pni_h_log(mp, PN_LOG_PANIC,
		    "puffsnode: mount released more often than referenced",
		    0, 0);
	return error;
}

/*
 * The unmount path: refuse new users and new nodes, then wait for the
 * last user to leave.  A split mount's parts are told first, each under
 * its lock: a create that saw its part alive has entered its node by the
 * time the part's lock is free again.
 */
PNI_EXPORT int
pn_mp_drain(struct pn_mount *mp)
{
	struct pn_mount *pt;
	unsigned i;

	if (mp == NULL)
		return PN_EINVAL;
	for (i = 0; pni_split(mp) && i < pni_nparts(mp); i++) {
		pt = pni_partn(mp, i);
		pni_h_enter(pt, pt->mnt_lock);
		pn_store(&pt->mnt_dying, true, PN_RELEASE);
		pni_h_cv_broadcast(pt, pt->mnt_cv);
		pni_h_exit(pt, pt->mnt_lock);
	}
	pni_h_enter(mp, mp->mnt_lock);
	pn_store(&mp->mnt_dying, true, PN_RELEASE);
	/* Wake callers waiting on a node so they see the mount dying. */
	pni_h_cv_broadcast(mp, mp->mnt_cv);
	while (mp->mnt_refcount != 0)
		pni_h_cv_wait(mp, mp->mnt_cv, mp->mnt_lock);
	pni_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}

/* ---- the pool's public calls: dead nodes are collected first ---- */

/*
 * A split mount's figures are the sums of its parts' (each read under its
 * part's lock in turn), its high-water mark the sum of theirs.
 */
PNI_EXPORT int
pn_pool_stats(struct pn_mount *mp, struct pn_pool_stats *st)
{
	struct pn_pool_stats ps;
	struct pn_mount *pt;
	unsigned i;

	if (mp == NULL || st == NULL)
		return PN_EINVAL;
	for (i = 0; i < pni_nparts(mp); i++) {
		pt = pni_partn(mp, i);
		pni_h_enter(pt, pt->mnt_lock);
		pni_node_collect(pt);
		pni_pool_stats_locked(pt, &ps);
		pni_h_exit(pt, pt->mnt_lock);
		if (i == 0) {
			*st = ps;
			continue;
		}
		st->in_use += ps.in_use;
		st->high_water += ps.high_water;
		st->slabs += ps.slabs;
		st->free += ps.free;
		st->allocs += ps.allocs;
		st->frees += ps.frees;
	}
	return PN_OK;
}

/*
 * Give empty slabs back to the host.  PN_EBUSY while a node walk runs
 * (the walk holds pointers into the slabs).
 */
static int
part_drain(struct pn_mount *mp, size_t *freed)
{
	struct pni_slab *gone;
	size_t n;
	int error;

	pni_h_enter(mp, mp->mnt_lock);
	pni_node_collect(mp);
	error = pni_pool_unlink_empty(mp, &gone, &n);
	/* Lookups that could still see a node of the slabs: let them go. */
	if (gone != NULL)
		pni_read_synchronize(mp);
	pni_h_exit(mp, mp->mnt_lock);
	pni_pool_free_slabs(mp, gone);
	*freed += n;
	return error;
}

/* A split mount: every part's empty slabs; PN_EBUSY if a walk ran in one. */
PNI_EXPORT int
pn_pool_drain(struct pn_mount *mp, size_t *freed)
{
	size_t n = 0;
	unsigned i;
	int error = PN_OK, e;

	if (freed != NULL)
		*freed = 0;
	if (mp == NULL)
		return PN_EINVAL;
	for (i = 0; i < pni_nparts(mp); i++)
		if ((e = part_drain(pni_partn(mp, i), &n)) != PN_OK)
			error = e;
	if (freed != NULL)
		*freed = n;
	return error;
}
