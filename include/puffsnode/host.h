/*
 * puffsnode/host.h -- the vnode host interface.
 *
 * A host (a kernel, a simulator, a FUSE bridge, a unit test) gives the
 * core everything it must not do itself: memory, locks, vnodes, clocks and
 * logging.  It is a table of function pointers plus one opaque context
 * pointer, passed first to every member.
 *
 * Rules, in the manner of sqlite3_vfs:
 * - The table starts with its version.  Members are only ever appended;
 *   a comment marks where each version's members begin.
 * - pn_mount_create() copies the table and refuses (PN_EINVAL) a table
 *   whose version is unknown or that lacks a mandatory member.
 * - Optional members may be NULL; the core then applies the default given
 *   in the member's comment.
 * - pn_mount_host() returns the installed table and context, so a caller
 *   can wrap them (fault injection, tracing) for another mount.
 *
 * Locking contract.  The vnode operations, node_init/node_fini,
 * namecache_enter, cred_get, caller_ids, bio_done, clock_now and
 * mount_dying are called with no core lock held, and so are alloc and
 * free.  log, yield, panic, vnode_getdata and vnode_setdata may be
 * called with the mount lock held (vnode_setdata gives a vnode built
 * first its node there, just before lookups can find it: all nodes but
 * devices, unless the mount has PN_MNT_PLACEHOLDER), vnode_getsize and
 * poll_notify with a node stripe lock held: those must not call back
 * into puffsnode but for the node accessors (pn_node_cookie() and the
 * like), which take no lock.
 * vnode_get runs inside a lock-free lookup and must neither sleep on the
 * vnode's reclaim (answer PN_ENOENT instead) nor wait for a thread that is
 * inside puffsnode.  Hosts call pn_putvnode() and the lookup calls without
 * holding the interlock of the vnode concerned.  Vnode pointers are at
 * least 2-byte aligned, as any object with a pointer or int member is:
 * the cookie table uses the low bit.
 */
#ifndef PUFFSNODE_HOST_H
#define PUFFSNODE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque host handles.  The host defines them; the core never looks inside. */
struct pn_vnode;	/* a host vnode */
struct pn_lock;		/* a host mutex */
struct pn_cv;		/* a host condition variable */
struct pn_cred;		/* a host credential */
struct pn_caller;	/* a host caller */
struct pn_kcn;
struct pn_bio;
struct pn_node;

#define PN_HOST_OPS_VERSION	2	/* the newest version this header knows */

/* vnode_setops() kinds (bit mask). */
#define PN_VOPS_SPEC	0x1u	/* character or block device: spec ops */
#define PN_VOPS_FIFO	0x2u	/* FIFO: fifo ops */
#define PN_VOPS_ROOT	0x4u	/* the vnode is the mount's root */

/* log() levels. */
#define PN_LOG_DEBUG	0
#define PN_LOG_INFO	1
#define PN_LOG_WARN	2
#define PN_LOG_ERR	3
#define PN_LOG_PANIC	4	/* an invariant broke; the core refused to go on */

/* server_misbehaved() reasons. */
#define PN_BAD_COOKIE_ZERO	1	/* a cookie of 0 where a node was named */
#define PN_BAD_COOKIE_ROOT	2	/* a new node with the root's cookie */
#define PN_BAD_COOKIE_DUP	3	/* a new node with a live node's cookie */
#define PN_BAD_VTYPE		4	/* a node type out of range */
#define PN_BAD_RESID		5	/* a read residual beyond the buffer */
#define PN_BAD_SIZE		6	/* a negative size or length */
#define PN_BAD_EVENTS		7	/* poll events outside the defined bits */

struct pn_timespec {
	int64_t	tv_sec;
	int64_t	tv_nsec;
};

struct pn_host_ops {
	int	version;	/* PN_HOST_OPS_VERSION the host was written for */

	/* ---- version 1 ---- */

	/* Memory (mandatory).  alloc returns NULL on failure; free gets the size given to alloc. */
	void	*(*alloc)(void *host, size_t size);		/* mandatory; aligned for any type (max_align_t) */
	void	 (*free)(void *host, void *p, size_t size);	/* mandatory */

	/* Mutexes (mandatory but lock_held). */
	int	 (*lock_init)(void *host, struct pn_lock **lkp);	/* 0 or PN_ENOMEM */
	void	 (*lock_fini)(void *host, struct pn_lock *lk);
	void	 (*lock_enter)(void *host, struct pn_lock *lk);
	void	 (*lock_exit)(void *host, struct pn_lock *lk);
	int	 (*lock_held)(void *host, struct pn_lock *lk);	/* optional, assertions only: 1 held by caller, 0 not, -1 unknown (default) */

	/* Condition variables (mandatory). */
	int	 (*cv_init)(void *host, struct pn_cv **cvp);	/* 0 or PN_ENOMEM */
	void	 (*cv_fini)(void *host, struct pn_cv *cv);
	void	 (*cv_wait)(void *host, struct pn_cv *cv, struct pn_lock *lk);
	void	 (*cv_broadcast)(void *host, struct pn_cv *cv);

	/* Vnodes (mandatory). */
	int	 (*vnode_alloc)(void *host, int type, struct pn_vnode **vpp);	/* getnewvnode: 0 or error */
	void	 (*vnode_free)(void *host, struct pn_vnode *vp);	/* dispose of a vnode never handed out (ungetnewvnode) */
	int	 (*vnode_get)(void *host, struct pn_vnode *vp);	/* vget: 0, PN_ENOENT if being reclaimed, or error; must not sleep on the vnode's reclaim */
	void	 (*vnode_rele)(void *host, struct pn_vnode *vp);	/* vrele */
	void	 (*vnode_setdata)(void *host, struct pn_vnode *vp, struct pn_node *pn);	/* v_data = pn */
	struct pn_node *(*vnode_getdata)(void *host, struct pn_vnode *vp);	/* v_data */
	void	 (*vnode_setsize)(void *host, struct pn_vnode *vp, int64_t size);	/* uvm_vnp_setsize */
	int64_t	 (*vnode_getsize)(void *host, struct pn_vnode *vp);	/* v_size */

	/* Vnodes (optional). */
	int	 (*vnode_attach)(void *host, struct pn_vnode *vp);	/* put on the mount's vnode list; default: nothing, 0 */
	bool	 (*mount_dying)(void *host);	/* unmount in progress; default: false */
	void	 (*vnode_setops)(void *host, struct pn_vnode *vp, unsigned kind);	/* PN_VOPS_*; default: nothing */
	int	 (*vnode_checkalias)(void *host, struct pn_vnode *vp, uint64_t rdev, struct pn_vnode **aliasp);	/* device alias, returned referenced, or *aliasp = NULL; default: none */
	void	 (*vnode_lock)(void *host, struct pn_vnode *vp);	/* vn_lock exclusive; default: nothing */
	void	 (*vnode_unlock)(void *host, struct pn_vnode *vp);	/* reserved: never called; leave NULL */
	int	 (*vnode_getattr_size)(void *host, struct pn_vnode *vp, int64_t *sizep);	/* VOP_GETATTR(FSCRED) size, -1 = VNOVAL; default: PN_EOPNOTSUPP */
	void	 (*node_init)(void *host, struct pn_vnode *vp);	/* genfs_node_init; default: nothing */
	void	 (*node_fini)(void *host, struct pn_vnode *vp);	/* genfs_node_destroy; default: nothing */
	void	 (*namecache_enter)(void *host, struct pn_vnode *dvp, struct pn_vnode *vp, const char *name, size_t namelen);	/* cache_enter; default: nothing */

	/* Credentials and callers (optional). */
	int	 (*cred_get)(void *host, const struct pn_cred *cred, uint32_t *uid, uint32_t *gid, uint32_t *groups, size_t maxgroups, size_t *ngroups);	/* kauth_cred_to_uucred: copies at most maxgroups, *ngroups = the real count; default: PN_EOPNOTSUPP */
	int	 (*caller_ids)(void *host, const struct pn_caller *caller, int32_t *pid, int32_t *lwpid);	/* pid and lwp id; default: PN_EOPNOTSUPP (fake id) */

	/* Request completions (optional). */
	void	 (*poll_notify)(void *host, struct pn_vnode *vp, int revents);	/* selnotify; default: nothing */
	void	 (*bio_done)(void *host, struct pn_bio *bp);	/* biodone; default: nothing */

	/* Time, logging, diagnostics (optional). */
	void	 (*clock_now)(void *host, struct pn_timespec *ts);	/* nanotime; default: 0 */
	void	 (*log)(void *host, int level, const char *fmt, ...);	/* printf-style; default: silent */
	void	 (*server_misbehaved)(void *host, int reason, uint64_t cookie, const char *what);	/* default: log at PN_LOG_WARN */
	void	 (*yield)(void *host);	/* give the CPU away in a short spin-wait; default: nothing */

	/* ---- version 2 ---- */

	void	 (*panic)(void *host, const char *what, const char *file, int line);	/* a core assertion failed; must not return; default: log at PN_LOG_PANIC, then trap */
};

#ifdef __cplusplus
}
#endif

#endif /* !PUFFSNODE_HOST_H */
