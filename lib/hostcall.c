/*
 * hostcall.c -- the host-call layer: installing a host table, the wrappers
 * too large to inline, assertion failures and the rmw lock of portable
 * builds.  The inline wrappers are in hostcall.h.
 *
 * Versions.  A table (struct pn_host_ops) and the mount arguments
 * (struct pn_mount_args) follow one policy: members are only appended; a
 * caller names the version it was written for; any version from 1 to the
 * newest is accepted and only that version's bytes are read, so newer
 * members stay zero (NULL: their defaults).  The byte counts are derived
 * from the members with offsetof.
 */
#include "hostcall.h"

static const size_t ops_size[PN_HOST_OPS_VERSION + 1] = {
	[1] = PNI_END_OF(struct pn_host_ops, yield),
	[2] = PNI_END_OF(struct pn_host_ops, panic),
};
_Static_assert(PN_HOST_OPS_VERSION == 2 &&
    PNI_END_OF(struct pn_host_ops, panic) == sizeof(struct pn_host_ops),
    "ops_size: one entry per version, the last one ends the table");

/* Every mandatory member of the table is set and its version known. */
bool
pni_host_valid(const struct pn_host_ops *ops)
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

/*
 * n zeroed mounts in one block of the host's memory (a split mount and
 * its parts, mount.h), each with the members of the table's version
 * installed (the rest stay NULL), or NULL.  The table is valid.
 */
struct pn_mount *
pni_host_mount_alloc(const struct pn_host_ops *ops, void *host, size_t n)
{
	struct pn_mount *mp;
	size_t i;

	if ((mp = ops->alloc(host, pni_mount_bytes(n))) == NULL)
		return NULL;
	__builtin_memset(mp, 0, pni_mount_bytes(n));
	for (i = 0; i < n; i++) {
		__builtin_memcpy(&pni_block_at(mp, i)->mnt_ops, ops,
		    ops_size[ops->version]);
		pni_block_at(mp, i)->mnt_host = host;
	}
	return mp;
}

void
pni_h_log(struct pn_mount *mp, int level, const char *fmt,
    unsigned long long a, unsigned long long b)
{
	if (mp->mnt_ops.log != NULL)
		mp->mnt_ops.log(mp->mnt_host, level, fmt, a, b);
}

void
pni_h_misbehaved(struct pn_mount *mp, int reason, uint64_t cookie,
    const char *what)
{
	if (mp->mnt_ops.server_misbehaved != NULL)
		mp->mnt_ops.server_misbehaved(mp->mnt_host, reason, cookie,
		    what);
	else
		pni_h_log(mp, PN_LOG_WARN,
		    "puffsnode: server misbehaved (reason %llu, cookie %llu)",
		    (uint64_t)reason, cookie);
}

/* A hint to the CPU that this thread spins; nothing where there is none. */
static inline void
cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void
pni_h_yield(struct pn_mount *mp)
{
	if (mp->mnt_ops.yield != NULL)
		mp->mnt_ops.yield(mp->mnt_host);
	else
		cpu_pause();
}

/*
 * Wait a moment for another thread to end a short step (a writer moving
 * keys, a reader leaving its section): pause the CPU for the first
 * BACKOFF_SPINS rounds, then yield to the host on each.  A step lasts
 * tens to hundreds of nanoseconds; a yield is often a system call.
 */
#define BACKOFF_SPINS	64

void
pni_h_backoff(struct pn_mount *mp, unsigned *round)
{
	if (*round < BACKOFF_SPINS) {
		++*round;
		cpu_pause();
		return;
	}
	pni_h_yield(mp);
}

_Noreturn void
pni_assert_fail(struct pn_mount *mp, const char *file, int line,
    const char *what)
{
	if (mp->mnt_ops.panic != NULL)
		mp->mnt_ops.panic(mp->mnt_host, what, file, line);
	if (mp->mnt_ops.log != NULL)
		mp->mnt_ops.log(mp->mnt_host, PN_LOG_PANIC,
		    "puffsnode: assertion \"%s\" failed at %s:%d", what, file,
		    line);
	__builtin_trap();
}

#if !PN_ATOMIC64
void
pni_rmw_enter(struct pn_mount *mp)
{
	pni_h_enter(mp, mp->mnt_rmwlock);
}

void
pni_rmw_exit(struct pn_mount *mp)
{
	pni_h_exit(mp, mp->mnt_rmwlock);
}
#endif
