/*
 * mount.c -- mounts: creation with host-table validation, destruction
 * that refuses while anything is still in use, and the mount's user count
 * that unmount drains.  Also the small host-op wrappers, pn_version() and
 * pn_strerror().
 *
 * A mount owns its cookie table, its pnode pool, one mount lock and one
 * condition variable, and a few stripe locks for per-node data.  The mount
 * lock covers table writers, node state changes, the pool, the user count
 * and the dying flag; the condition variable is broadcast on every node state
 * change and when the user count drops to zero.
 */
#include "pn_impl.h"

PN_EXPORT const char *
pn_version(void)
{
	return PN_VERSION_STRING;
}

PN_EXPORT const char *
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

/* ---- host op wrappers with their defaults ---- */

void
pn_h_log(struct pn_mount *mp, int level, const char *fmt,
    unsigned long long a, unsigned long long b)
{
	if (mp->mnt_ops.log != NULL)
		mp->mnt_ops.log(mp->mnt_host, level, fmt, a, b);
}

void
pn_h_misbehaved(struct pn_mount *mp, int reason, uint64_t cookie,
    const char *what)
{
	if (mp->mnt_ops.server_misbehaved != NULL)
		mp->mnt_ops.server_misbehaved(mp->mnt_host, reason, cookie,
		    what);
	else
		pn_h_log(mp, PN_LOG_WARN,
		    "puffsnode: server misbehaved (reason %llu, cookie %llu)",
		    (uint64_t)reason, cookie);
}

void
pn_h_yield(struct pn_mount *mp)
{
	if (mp->mnt_ops.yield != NULL)
		mp->mnt_ops.yield(mp->mnt_host);
#if defined(__x86_64__) || defined(__i386__)
	else
		__builtin_ia32_pause();
#endif
}

void
pn_assert_fail(struct pn_mount *mp, const char *file, int line,
    const char *what)
{
	if (mp->mnt_ops.log != NULL)
		mp->mnt_ops.log(mp->mnt_host, PN_LOG_PANIC,
		    "puffsnode: assertion \"%s\" failed at %s:%d", what, file,
		    line);
}

/* ---- mount creation and destruction ---- */

/*
 * Bytes of the host table each version defines.  A host written for an
 * older version has a shorter table: only its members are copied, the
 * newer ones stay NULL and get their defaults.
 */
static const size_t ops_size[PN_HOST_OPS_VERSION + 1] = {
	[1] = sizeof(struct pn_host_ops),
};

/* Every mandatory member of a version 1 table is set. */
static bool
ops_valid(const struct pn_host_ops *ops)
{
	if (ops->version < 1 || ops->version > PN_HOST_OPS_VERSION)
		return false;
	return ops->alloc != NULL && ops->free != NULL &&
	    ops->lock_init != NULL && ops->lock_fini != NULL &&
	    ops->lock_enter != NULL && ops->lock_exit != NULL &&
	    ops->cv_init != NULL && ops->cv_fini != NULL &&
	    ops->cv_wait != NULL && ops->cv_broadcast != NULL &&
	    ops->vnode_alloc != NULL && ops->vnode_free != NULL &&
	    ops->vnode_get != NULL && ops->vnode_rele != NULL &&
	    ops->vnode_setdata != NULL && ops->vnode_getdata != NULL &&
	    ops->vnode_setsize != NULL && ops->vnode_getsize != NULL;
}

static bool
args_valid(const struct pn_mount_args *args)
{
	return args->version == PN_MOUNT_ARGS_VERSION &&
	    args->root_cookie != 0 &&
	    args->root_type > PN_VNON && args->root_type < PN_VBAD &&
	    args->root_size >= 0 &&
	    (args->flags & ~PN_MNT_NAMECACHE) == 0;
}

/* Free what mount_create built; every pointer may still be NULL. */
static void
mount_teardown(struct pn_mount *mp)
{
	const struct pn_host_ops *o = &mp->mnt_ops;
	size_t i;

	pn_table_fini(mp);
	pn_pool_fini(mp);
	for (i = 0; i < PN_MCSTRIPES; i++)
		if (mp->mnt_mclock[i] != NULL)
			o->lock_fini(mp->mnt_host, mp->mnt_mclock[i]);
	if (mp->mnt_cv != NULL)
		o->cv_fini(mp->mnt_host, mp->mnt_cv);
	if (mp->mnt_lock != NULL)
		o->lock_fini(mp->mnt_host, mp->mnt_lock);
	o->free(mp->mnt_host, mp, sizeof(*mp));
}

PN_EXPORT int
pn_mount_create(const struct pn_host_ops *ops, void *host,
    const struct pn_mount_args *args, struct pn_mount **mpp)
{
	struct pn_mount *mp;
	size_t i;
	int error;

	if (mpp == NULL)
		return PN_EINVAL;
	*mpp = NULL;
	if (ops == NULL || args == NULL || !ops_valid(ops) ||
	    !args_valid(args))
		return PN_EINVAL;

	mp = ops->alloc(host, sizeof(*mp));
	if (mp == NULL)
		return PN_ENOMEM;
	__builtin_memset(mp, 0, sizeof(*mp));
	__builtin_memcpy(&mp->mnt_ops, ops, ops_size[ops->version]);
	mp->mnt_host = host;
	mp->mnt_rootcookie = args->root_cookie;
	mp->mnt_roottype = args->root_type;
	mp->mnt_rootsize = args->root_size;
	mp->mnt_rootrdev = args->root_rdev;
	mp->mnt_flags = args->flags;
	atomic_init(&mp->mnt_nextgen, 1);
	atomic_init(&mp->mnt_dying, false);
	atomic_init(&mp->mnt_waiters, 0);

	if ((error = ops->lock_init(host, &mp->mnt_lock)) != 0 ||
	    (error = ops->cv_init(host, &mp->mnt_cv)) != 0)
		goto fail;
	for (i = 0; i < PN_MCSTRIPES; i++)
		if ((error = ops->lock_init(host, &mp->mnt_mclock[i])) != 0)
			goto fail;
	mp->mnt_pool.pl_limit = args->node_limit;
	if ((error = pn_table_init(mp, args->hash_hint)) != 0)
		goto fail;
	*mpp = mp;
	return PN_OK;

fail:
	mount_teardown(mp);
	return error > 0 && error <= PN_ELAST ? error : PN_ENOMEM;
}

PN_EXPORT int
pn_mount_destroy(struct pn_mount *mp)
{
	bool busy;

	if (mp == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	busy = mp->mnt_refcount != 0 || mp->mnt_table.tb_count != 0 ||
	    mp->mnt_pool.pl_inuse != 0 || mp->mnt_pool.pl_walkers != 0;
	pn_h_exit(mp, mp->mnt_lock);
	if (busy) {
		pn_h_log(mp, PN_LOG_WARN,
		    "puffsnode: destroy of a busy mount refused "
		    "(%llu users, %llu nodes)", mp->mnt_refcount,
		    mp->mnt_pool.pl_inuse);
		return PN_EBUSY;
	}
	mount_teardown(mp);
	return PN_OK;
}

PN_EXPORT const struct pn_host_ops *
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

PN_EXPORT pn_cookie_t
pn_mount_rootcookie(const struct pn_mount *mp)
{
	return mp == NULL ? 0 : mp->mnt_rootcookie;
}

/* ---- users of the mount ---- */

PN_EXPORT int
pn_mp_reference(struct pn_mount *mp)
{
	int error = PN_OK;

	if (mp == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	if (atomic_load_explicit(&mp->mnt_dying, memory_order_relaxed))
		error = PN_ENXIO;
	else if (mp->mnt_refcount == UINT32_MAX)
		error = PN_ERANGE;
	else
		mp->mnt_refcount++;
	pn_h_exit(mp, mp->mnt_lock);
	return error;
}

PN_EXPORT int
pn_mp_release(struct pn_mount *mp)
{
	int error = PN_OK;

	if (mp == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	if (mp->mnt_refcount == 0) {
		error = PN_EINVAL;
	} else if (--mp->mnt_refcount == 0) {
		mp->mnt_ops.cv_broadcast(mp->mnt_host, mp->mnt_cv);
	}
	pn_h_exit(mp, mp->mnt_lock);
	if (error != PN_OK)
		pn_h_log(mp, PN_LOG_PANIC,
		    "puffsnode: mount released more often than referenced",
		    0, 0);
	return error;
}

/*
 * The unmount path: refuse new users and new nodes, then wait for the
 * last user to leave.
 */
PN_EXPORT int
pn_mp_drain(struct pn_mount *mp)
{
	if (mp == NULL)
		return PN_EINVAL;
	pn_h_enter(mp, mp->mnt_lock);
	atomic_store_explicit(&mp->mnt_dying, true, memory_order_release);
	/* Wake callers waiting on a node so they see the mount dying. */
	mp->mnt_ops.cv_broadcast(mp->mnt_host, mp->mnt_cv);
	while (mp->mnt_refcount != 0)
		mp->mnt_ops.cv_wait(mp->mnt_host, mp->mnt_cv, mp->mnt_lock);
	pn_h_exit(mp, mp->mnt_lock);
	return PN_OK;
}
