/*
 * hostcall.h -- the host-call layer (with hostcall.c): every member of
 * the host's table is called through one wrapper here, which applies the
 * member's default when the host left it NULL.  No other file of the core
 * calls through mnt_ops.  Never installed.
 *
 * Lock contracts (host.h) are asserted here where the host can answer:
 * pni_h_held / pni_h_notheld.
 */
#ifndef PN_HOSTCALL_H
#define PN_HOSTCALL_H

#include "mount.h"

/* ---- installing a table (mount creation) ---- */

bool	pni_host_valid(const struct pn_host_ops *);
struct pn_mount *pni_host_mount_alloc(const struct pn_host_ops *, void *,
	    size_t);

/* ---- out of line (hostcall.c) ---- */

void	pni_h_log(struct pn_mount *, int, const char *, unsigned long long,
	    unsigned long long);
void	pni_h_misbehaved(struct pn_mount *, int, uint64_t, const char *);
void	pni_h_yield(struct pn_mount *);
void	pni_h_backoff(struct pn_mount *, unsigned *);

/* ---- memory ---- */

static inline void *
pni_h_alloc(struct pn_mount *mp, size_t n)
{
	return mp->mnt_ops.alloc(mp->mnt_host, n);
}

static inline void
pni_h_free(struct pn_mount *mp, void *p, size_t n)
{
	mp->mnt_ops.free(mp->mnt_host, p, n);
}

/* ---- locks and condition variables ---- */

static inline int
pni_h_lock_init(struct pn_mount *mp, struct pn_lock **lkp)
{
	return mp->mnt_ops.lock_init(mp->mnt_host, lkp);
}

static inline void
pni_h_lock_fini(struct pn_mount *mp, struct pn_lock *lk)
{
	mp->mnt_ops.lock_fini(mp->mnt_host, lk);
}

static inline void
pni_h_enter(struct pn_mount *mp, struct pn_lock *lk)
{
	mp->mnt_ops.lock_enter(mp->mnt_host, lk);
}

static inline void
pni_h_exit(struct pn_mount *mp, struct pn_lock *lk)
{
	mp->mnt_ops.lock_exit(mp->mnt_host, lk);
}

/* The host's answer: 1 the caller holds lk, 0 it does not, -1 unknown. */
static inline int
pni_h_lock_held(struct pn_mount *mp, struct pn_lock *lk)
{
	if (mp->mnt_ops.lock_held == NULL)
		return -1;
	return mp->mnt_ops.lock_held(mp->mnt_host, lk);
}

/* For assertions: true unless the host can tell the caller lacks lk. */
static inline bool
pni_h_held(struct pn_mount *mp, struct pn_lock *lk)
{
	return pni_h_lock_held(mp, lk) != 0;
}

/* For assertions: true unless the host can tell the caller holds lk. */
static inline bool
pni_h_notheld(struct pn_mount *mp, struct pn_lock *lk)
{
	return pni_h_lock_held(mp, lk) != 1;
}

static inline int
pni_h_cv_init(struct pn_mount *mp, struct pn_cv **cvp)
{
	return mp->mnt_ops.cv_init(mp->mnt_host, cvp);
}

static inline void
pni_h_cv_fini(struct pn_mount *mp, struct pn_cv *cv)
{
	mp->mnt_ops.cv_fini(mp->mnt_host, cv);
}

static inline void
pni_h_cv_wait(struct pn_mount *mp, struct pn_cv *cv, struct pn_lock *lk)
{
	mp->mnt_ops.cv_wait(mp->mnt_host, cv, lk);
}

static inline void
pni_h_cv_broadcast(struct pn_mount *mp, struct pn_cv *cv)
{
	mp->mnt_ops.cv_broadcast(mp->mnt_host, cv);
}

/* ---- vnodes (mandatory) ---- */

static inline int
pni_h_vnode_alloc(struct pn_mount *mp, int type, struct pn_vnode **vpp)
{
	return mp->mnt_ops.vnode_alloc(mp->mnt_host, type, vpp);
}

static inline void
pni_h_vnode_free(struct pn_mount *mp, struct pn_vnode *vp)
{
	mp->mnt_ops.vnode_free(mp->mnt_host, vp);
}

static inline int
pni_h_vnode_get(struct pn_mount *mp, struct pn_vnode *vp)
{
	return mp->mnt_ops.vnode_get(mp->mnt_host, vp);
}

static inline void
pni_h_vnode_rele(struct pn_mount *mp, struct pn_vnode *vp)
{
	mp->mnt_ops.vnode_rele(mp->mnt_host, vp);
}

static inline void
pni_h_vnode_setdata(struct pn_mount *mp, struct pn_vnode *vp,
    struct pn_node *pn)
{
	mp->mnt_ops.vnode_setdata(mp->mnt_host, vp, pn);
}

static inline struct pn_node *
pni_h_vnode_getdata(struct pn_mount *mp, struct pn_vnode *vp)
{
	return mp->mnt_ops.vnode_getdata(mp->mnt_host, vp);
}

static inline void
pni_h_vnode_setsize(struct pn_mount *mp, struct pn_vnode *vp, int64_t size)
{
	mp->mnt_ops.vnode_setsize(mp->mnt_host, vp, size);
}

static inline int64_t
pni_h_vnode_getsize(struct pn_mount *mp, struct pn_vnode *vp)
{
	return mp->mnt_ops.vnode_getsize(mp->mnt_host, vp);
}

/* ---- vnodes (optional): the default is in each wrapper ---- */

static inline int
pni_h_vnode_attach(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp->mnt_ops.vnode_attach == NULL)
		return PN_OK;
	return mp->mnt_ops.vnode_attach(mp->mnt_host, vp);
}

/* The core's own flag, then the host's member (no core lock held). */
static inline bool
pni_h_mount_dying(struct pn_mount *mp)
{
	PNI_ASSERT(mp, pni_h_notheld(mp, mp->mnt_lock));
	if (pn_load(&mp->mnt_dying, PN_ACQUIRE))
		return true;
	return mp->mnt_ops.mount_dying != NULL &&
	    mp->mnt_ops.mount_dying(mp->mnt_host);
}

static inline void
pni_h_vnode_setops(struct pn_mount *mp, struct pn_vnode *vp, unsigned kind)
{
	if (mp->mnt_ops.vnode_setops != NULL)
		mp->mnt_ops.vnode_setops(mp->mnt_host, vp, kind);
}

static inline int
pni_h_vnode_checkalias(struct pn_mount *mp, struct pn_vnode *vp,
    uint64_t rdev, struct pn_vnode **aliasp)
{
	*aliasp = NULL;
	if (mp->mnt_ops.vnode_checkalias == NULL)
		return PN_OK;
	return mp->mnt_ops.vnode_checkalias(mp->mnt_host, vp, rdev, aliasp);
}

static inline void
pni_h_vnode_lock(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp->mnt_ops.vnode_lock != NULL)
		mp->mnt_ops.vnode_lock(mp->mnt_host, vp);
}

static inline int
pni_h_vnode_getattr_size(struct pn_mount *mp, struct pn_vnode *vp,
    int64_t *sizep)
{
	if (mp->mnt_ops.vnode_getattr_size == NULL)
		return PN_EOPNOTSUPP;
	return mp->mnt_ops.vnode_getattr_size(mp->mnt_host, vp, sizep);
}

static inline void
pni_h_node_init(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp->mnt_ops.node_init != NULL)
		mp->mnt_ops.node_init(mp->mnt_host, vp);
}

static inline void
pni_h_node_fini(struct pn_mount *mp, struct pn_vnode *vp)
{
	if (mp->mnt_ops.node_fini != NULL)
		mp->mnt_ops.node_fini(mp->mnt_host, vp);
}

static inline void
pni_h_namecache_enter(struct pn_mount *mp, struct pn_vnode *dvp,
    struct pn_vnode *vp, const char *name, size_t namelen)
{
	if (mp->mnt_ops.namecache_enter != NULL)
		mp->mnt_ops.namecache_enter(mp->mnt_host, dvp, vp, name,
		    namelen);
}

/* ---- credentials and callers ---- */

static inline int
pni_h_cred_get(struct pn_mount *mp, const struct pn_cred *cred,
    uint32_t *uid, uint32_t *gid, uint32_t *groups, size_t maxgroups,
    size_t *ngroups)
{
	if (mp->mnt_ops.cred_get == NULL)
		return PN_EOPNOTSUPP;
	return mp->mnt_ops.cred_get(mp->mnt_host, cred, uid, gid, groups,
	    maxgroups, ngroups);
}

static inline int
pni_h_caller_ids(struct pn_mount *mp, const struct pn_caller *caller,
    int32_t *pid, int32_t *lwpid)
{
	if (mp->mnt_ops.caller_ids == NULL)
		return PN_EOPNOTSUPP;
	return mp->mnt_ops.caller_ids(mp->mnt_host, caller, pid, lwpid);
}

/* ---- completions ---- */

static inline void
pni_h_poll_notify(struct pn_mount *mp, struct pn_vnode *vp, int revents)
{
	if (mp->mnt_ops.poll_notify != NULL)
		mp->mnt_ops.poll_notify(mp->mnt_host, vp, revents);
}

static inline void
pni_h_bio_done(struct pn_mount *mp, struct pn_bio *bp)
{
	if (mp->mnt_ops.bio_done != NULL)
		mp->mnt_ops.bio_done(mp->mnt_host, bp);
}

/* ---- time ---- */

static inline void
pni_h_clock_now(struct pn_mount *mp, struct pn_timespec *ts)
{
	ts->tv_sec = 0;
	ts->tv_nsec = 0;
	if (mp->mnt_ops.clock_now != NULL)
		mp->mnt_ops.clock_now(mp->mnt_host, ts);
}

#endif /* !PN_HOSTCALL_H */
