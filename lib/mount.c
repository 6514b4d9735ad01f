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
	    (a->flags & ~(PN_MNT_NAMECACHE | PN_MNT_PLACEHOLDER)) == 0;
}

/* Free what mount_create built; every pointer may still be NULL. */
static void
mount_teardown(struct pn_mount *mp)
{
	size_t i;

	pni_table_fini(mp);
	pni_pool_fini(mp);
	for (i = 0; i < PNI_MCSTRIPES; i++)
		if (mp->mnt_mclock[i] != NULL)
			pni_h_lock_fini(mp, mp->mnt_mclock[i]);
#if !PN_ATOMIC64
	if (mp->mnt_rmwlock != NULL)
		pni_h_lock_fini(mp, mp->mnt_rmwlock);
#endif
	if (mp->mnt_cv != NULL)
		pni_h_cv_fini(mp, mp->mnt_cv);
	if (mp->mnt_lock != NULL)
		pni_h_lock_fini(mp, mp->mnt_lock);
	pni_h_free(mp, mp, sizeof(*mp));
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

	if ((mp = pni_host_mount_alloc(ops, host)) == NULL)
		return PN_ENOMEM;
	mp->mnt_rootcookie = a.root_cookie;
	mp->mnt_roottype = a.root_type;
	mp->mnt_rootsize = a.root_size;
	mp->mnt_rootrdev = a.root_rdev;
	mp->mnt_flags = a.flags;
	mp->mnt_nextgen = 1;
	pn_atomic_init(&mp->mnt_dying, false);
	pn_atomic_init(&mp->mnt_waiters, 0);
	pn_atomic_init(&mp->mnt_pool.pl_dead, 0);
	mp->mnt_pool.pl_limit = a.node_limit;

	if ((error = mount_locks(mp)) != 0 ||
	    (error = pni_table_init(mp, a.hash_hint)) != 0)
		goto fail;
	*mpp = mp;
	return PN_OK;

fail:
	mount_teardown(mp);
	return error > 0 && error <= PN_ELAST ? error : PN_ENOMEM;
}

PNI_EXPORT int
pn_mount_destroy(struct pn_mount *mp)
{
	bool busy;

	if (mp == NULL)
		return PN_EINVAL;
	pni_h_enter(mp, mp->mnt_lock);
	pni_node_collect(mp);
	busy = mp->mnt_refcount != 0 || mp->mnt_table.tb_count != 0 ||
	    mp->mnt_pool.pl_inuse != 0 || mp->mnt_pool.pl_walkers != 0;
	pni_h_exit(mp, mp->mnt_lock);
	if (busy) {
		pni_h_log(mp, PN_LOG_WARN,
		    "puffsnode: destroy of a busy mount refused "
		    "(%llu users, %llu nodes)", mp->mnt_refcount,
		    mp->mnt_pool.pl_inuse);
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
 * last user to leave.
 */
PNI_EXPORT int
pn_mp_drain(struct pn_mount *mp)
{
	if (mp == NULL)
		return PN_EINVAL;
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

PNI_EXPORT int
pn_pool_stats(struct pn_mount *mp, struct pn_pool_stats *st)
{
	if (mp == NULL || st == NULL)
		return PN_EINVAL;
	pni_h_enter(mp, mp->mnt_lock);
	pni_node_collect(mp);
	pni_pool_stats_locked(mp, st);
	pni_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}

/*
 * Give empty slabs back to the host.  PN_EBUSY while a node walk runs
 * (the walk holds pointers into the slabs).
 */
PNI_EXPORT int
pn_pool_drain(struct pn_mount *mp, size_t *freed)
{
	struct pni_slab *gone;
	size_t n;
	int error;

	if (freed != NULL)
		*freed = 0;
	if (mp == NULL)
		return PN_EINVAL;
	pni_h_enter(mp, mp->mnt_lock);
	pni_node_collect(mp);
	error = pni_pool_unlink_empty(mp, &gone, &n);
	/* Lookups that could still see a node of the slabs: let them go. */
	if (gone != NULL)
		pni_read_synchronize(mp);
	pni_h_exit(mp, mp->mnt_lock);
	pni_pool_free_slabs(mp, gone);
	if (freed != NULL)
		*freed = n;
	return error;
}
