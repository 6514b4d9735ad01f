/*
 * host.c -- the simulator's struct pn_host_ops: the POSIX host kit's
 * mutexes, condition variables, clock and yield; memory from the kit,
 * counted; the vnode ops (forwarded to vnode.c and namecache.c);
 * credentials and caller ids of the calling thread; buffer and poll
 * completions; logging and the server-misbehaved counter.
 *
 * The context pointer every op receives is the struct pn_sim.  Ops the
 * core may call under one of its locks (poll_notify, bio_done, log,
 * server_misbehaved, the lock ops) only take simulator leaf locks and
 * never call back into puffsnode.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <puffsnode/posix.h>

#include "sim_impl.h"

/* ---- memory ---- */

static void *
h_alloc(void *host, size_t size)
{
	struct pn_sim *sim = host;
	void *p;

	if ((p = pn_posix_alloc(host, size)) == NULL)
		return NULL;
	atomic_fetch_add(&sim->s_st.core_bytes, size);
	STAT_INC(sim, core_allocs);
	return p;
}

static void
h_free(void *host, void *p, size_t size)
{
	struct pn_sim *sim = host;

	if (p == NULL)
		return;
	atomic_fetch_sub(&sim->s_st.core_bytes, size);
	pn_posix_free(host, p, size);
}

/* ---- vnodes ---- */

static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	return sim_vnode_alloc(host, type, vpp);
}

static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	sim_vnode_free(host, vp);
}

static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	return sim_vget(host, vp, false);
}

static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	sim_vrele(host, vp, false);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	atomic_store(&vp->v_data, pn);
	if (pn != NULL)
		sim_vnode_built(host, vp);
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	return atomic_load(&vp->v_data);
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	atomic_store(&vp->v_size, size);
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	return atomic_load(&vp->v_size);
}

static int
h_vnode_attach(void *host, struct pn_vnode *vp)
{
	struct pn_sim *sim = host;

	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	TAILQ_INSERT_TAIL(&sim->s_vnodes, vp, v_mntlist);
	vp->v_attached = true;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	return 0;
}

static bool
h_mount_dying(void *host)
{
	struct pn_sim *sim = host;

	return atomic_load(&sim->s_dying);
}

static void
h_vnode_setops(void *host, struct pn_vnode *vp, unsigned kind)
{
	vp->v_opskind |= kind;
}

static void
h_vnode_lock(void *host, struct pn_vnode *vp)
{
	pn_sim_vlock(host, vp);
}

static int
h_vnode_getattr_size(void *host, struct pn_vnode *vp, int64_t *sizep)
{
	*sizep = atomic_load(&vp->v_size);
	return 0;
}

static void
h_namecache_enter(void *host, struct pn_vnode *dvp, struct pn_vnode *vp,
    const char *name, size_t namelen)
{
	struct pn_sim *sim = host;

	if (sim->s_cfg.flags & PN_SIM_NAMECACHE)
		sim_nc_enter(sim, dvp, vp, name, namelen);
}

/* ---- credentials and callers ---- */

static _Thread_local struct pn_cred cur_cred;
static _Thread_local struct pn_caller cur_caller;

/* The calling thread's ids, read afresh on every call. */
PN_SIM_EXPORT const struct pn_cred *
pn_sim_curcred(void)
{
	gid_t g[64];
	int n, i;

	cur_cred.cr_uid = (uint32_t)getuid();
	cur_cred.cr_gid = (uint32_t)getgid();
	n = getgroups(64, g);
	if (n < 0) {
		/* More than we keep: say how many, so the core refuses it. */
		n = getgroups(0, NULL);
		cur_cred.cr_ngroups = n < 0 ? 0 : (size_t)n;
		return &cur_cred;
	}
	for (i = 0; i < n; i++)
		cur_cred.cr_groups[i] = (uint32_t)g[i];
	cur_cred.cr_ngroups = (size_t)n;
	return &cur_cred;
}

PN_SIM_EXPORT const struct pn_caller *
pn_sim_curcaller(void)
{
	cur_caller.ca_pid = (int32_t)getpid();
	cur_caller.ca_lwpid = (int32_t)gettid();
	return &cur_caller;
}

PN_SIM_EXPORT int
pn_sim_setids(uint32_t uid, uint32_t gid, const uint32_t *groups,
    size_t ngroups, int32_t pid, int32_t lwpid, const struct pn_cred **credp,
    const struct pn_caller **callerp)
{
	size_t i;

	if (credp == NULL || callerp == NULL ||
	    ngroups > sizeof(cur_cred.cr_groups) /
	    sizeof(cur_cred.cr_groups[0]) || (groups == NULL && ngroups != 0))
		return PN_EINVAL;
	cur_cred.cr_uid = uid;
	cur_cred.cr_gid = gid;
	for (i = 0; i < ngroups; i++)
		cur_cred.cr_groups[i] = groups[i];
	cur_cred.cr_ngroups = ngroups;
	cur_caller.ca_pid = pid;
	cur_caller.ca_lwpid = lwpid;
	*credp = &cur_cred;
	*callerp = &cur_caller;
	return PN_OK;
}

static int
h_cred_get(void *host, const struct pn_cred *cred, uint32_t *uid,
    uint32_t *gid, uint32_t *groups, size_t maxgroups, size_t *ngroups)
{
	size_t i;

	*uid = cred->cr_uid;
	*gid = cred->cr_gid;
	for (i = 0; i < cred->cr_ngroups && i < maxgroups &&
	    i < sizeof(cred->cr_groups) / sizeof(cred->cr_groups[0]); i++)
		groups[i] = cred->cr_groups[i];
	*ngroups = cred->cr_ngroups;
	return 0;
}

static int
h_caller_ids(void *host, const struct pn_caller *caller, int32_t *pid,
    int32_t *lwpid)
{
	*pid = caller->ca_pid;
	*lwpid = caller->ca_lwpid;
	return 0;
}

/* ---- completions ---- */

/* Under a core lock: only the interlock, no call into puffsnode. */
static void
h_poll_notify(void *host, struct pn_vnode *vp, int revents)
{
	struct pn_sim *sim = host;

	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	vp->v_revents |= revents;
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	STAT_INC(sim, poll_notes);
}

static void
h_bio_done(void *host, struct pn_bio *bp)
{
	struct pn_sim *sim = host;

	STAT_INC(sim, bios_done);
	sim_aio_biodone(sim, bp);
}

/* ---- time, logging, diagnostics ---- */

static void
h_log(void *host, int level, const char *fmt, ...)
{
	struct pn_sim *sim = host;
	char buf[512];
	va_list ap;

	if (level >= PN_LOG_PANIC)
		STAT_INC(sim, panics);
	if (level < atomic_load(&sim->s_loglevel))
		return;
	va_start(ap, fmt);
	/* The core's format strings are its own, never the server's. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, sizeof(buf), fmt, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	sim_log(NULL, level, "%s", buf);
}

static void
h_server_misbehaved(void *host, int reason, uint64_t cookie,
    const char *what)
{
	struct pn_sim *sim = host;

	STAT_INC(sim, misbehaved);
	sim_log(sim, PN_LOG_WARN, "server misbehaved: %s (reason %d, "
	    "cookie %#llx)", what, reason, (unsigned long long)cookie);
}

static const struct pn_host_ops sim_ops = {
	.version = PN_HOST_OPS_VERSION,
	.alloc = h_alloc,
	.free = h_free,
	.lock_init = pn_posix_lock_init,
	.lock_fini = pn_posix_lock_fini,
	.lock_enter = pn_posix_lock_enter,
	.lock_exit = pn_posix_lock_exit,
	.lock_held = pn_posix_lock_held,
	.cv_init = pn_posix_cv_init,
	.cv_fini = pn_posix_cv_fini,
	.cv_wait = pn_posix_cv_wait,
	.cv_broadcast = pn_posix_cv_broadcast,
	.vnode_alloc = h_vnode_alloc,
	.vnode_free = h_vnode_free,
	.vnode_get = h_vnode_get,
	.vnode_rele = h_vnode_rele,
	.vnode_setdata = h_vnode_setdata,
	.vnode_getdata = h_vnode_getdata,
	.vnode_setsize = h_vnode_setsize,
	.vnode_getsize = h_vnode_getsize,
	.vnode_attach = h_vnode_attach,
	.mount_dying = h_mount_dying,
	.vnode_setops = h_vnode_setops,
	.vnode_checkalias = NULL,	/* no device aliases in the simulation */
	.vnode_lock = h_vnode_lock,
	.vnode_unlock = NULL,	/* reserved: the core never calls it */
	.vnode_getattr_size = h_vnode_getattr_size,
	.node_init = NULL,
	.node_fini = NULL,
	.namecache_enter = h_namecache_enter,
	.cred_get = h_cred_get,
	.caller_ids = h_caller_ids,
	.poll_notify = h_poll_notify,
	.bio_done = h_bio_done,
	.clock_now = pn_posix_clock_now,
	.log = h_log,
	.server_misbehaved = h_server_misbehaved,
	.yield = pn_posix_yield,
};

PN_SIM_EXPORT const struct pn_host_ops *
pn_sim_host_ops(void)
{
	return &sim_ops;
}

PN_SIM_EXPORT int
pn_sim_errno(int error)
{
	static const int map[] = {
		[PN_OK] = 0, [PN_EPERM] = EPERM, [PN_ENOENT] = ENOENT,
		[PN_EIO] = EIO, [PN_ENXIO] = ENXIO, [PN_ENOMEM] = ENOMEM,
		[PN_EACCES] = EACCES, [PN_EBUSY] = EBUSY,
		[PN_EEXIST] = EEXIST, [PN_EINVAL] = EINVAL,
		[PN_ERANGE] = ERANGE, [PN_ENAMETOOLONG] = ENAMETOOLONG,
		[PN_EOPNOTSUPP] = EOPNOTSUPP,
	};

	if (error < 0 || error > PN_ELAST)
		return EINVAL;
	return map[error];
}
