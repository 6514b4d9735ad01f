/*
 * bridge.h -- puffsnode-fuse's private declarations.
 *
 * The bridge turns FUSE low-level requests from the Linux kernel into
 * calls on the simulator's vnode layer (libpuffsnode-sim), puffsnode's
 * node layer and the passthrough server (server.h):
 *
 *	Linux VFS --/dev/fuse--> bridge --> pn_sim vnodes + puffsnode
 *	                            \--> passthrough server --> backing dir
 *
 * A FUSE node id is a simulator vnode (its address; the root vnode is
 * FUSE_ROOT_ID).  The kernel's lookup count of a node id is kept here,
 * apart from the vnode's own references: while it is nonzero the bridge
 * holds one use reference on the vnode; the FORGET that brings it to zero
 * releases it, the vnode goes inactive, and the simulator reclaims it
 * when more than maxvnodes vnodes exist, which tells the server to drop
 * its node.  The kernel forgets a node id only when its inode leaves the
 * kernel's caches; with --shrink, a shrinker thread asks the kernel to
 * drop entries (fuse_lowlevel_notify_inval_entry) while it holds more
 * than maxvnodes node ids, so the limit binds the kernel's caches too.
 */
#ifndef PNFUSE_BRIDGE_H
#define PNFUSE_BRIDGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <fuse_lowlevel.h>

#include <puffsnode/puffsnode.h>
#include <puffsnode/sim.h>

#include "lock.h"
#include "server.h"

#define KREF_STRIPES	64

struct kref;

/* Kernel lookup counts, by vnode; striped, each stripe a growing hash. */
struct kref_stripe {
	br_mutex_t	  ks_lock;
	struct kref	**ks_buckets;
	size_t		  ks_nbuckets;
	size_t		  ks_count;
};

struct bridge_counters {
	_Atomic uint64_t	klookups;	/* entries replied to the kernel */
	_Atomic uint64_t	kforgets;	/* forget requests */
	_Atomic uint64_t	kforgotten;	/* lookups they returned */
	_Atomic uint64_t	kreleased;	/* node ids released (count to 0) */
	_Atomic uint64_t	nc_used;	/* lookups answered by the name cache */
	_Atomic uint64_t	meta_flushes;	/* metadata cache flushes written */
	_Atomic uint64_t	meta_merged;	/* ... taken into a SETATTR's times */
	_Atomic uint64_t	newnode_dup;	/* creates whose node already existed */
	_Atomic uint64_t	requests;
	_Atomic uint64_t	shrink_rounds;	/* rounds of the shrinker */
	_Atomic uint64_t	shrink_invals;	/* entries the kernel was asked to drop */
	_Atomic uint64_t	groups_read;	/* callers' groups read from /proc */
	_Atomic uint64_t	groups_cached;	/* ... found in the cache */
	_Atomic uint64_t	killpriv;	/* set-uid/set-gid bits cleared by the server */
};

/* Callers' supplementary groups by (pid, uid, gid), for a bounded time. */
#define GCACHE_SLOTS	256

struct gent {
	uint64_t	ge_expires;	/* CLOCK_MONOTONIC ns; 0: empty */
	int32_t		ge_pid;
	uint32_t	ge_uid;
	uint32_t	ge_gid;
	uint32_t	ge_n;
	uint32_t	ge_groups[PN_NGROUPS];
};

struct gcache {
	br_mutex_t	gc_lock;
	uint64_t	gc_life_ns;	/* 0: no caching */
	struct gent	gc_ent[GCACHE_SLOTS];
};

struct bridge {
	struct pn_sim		*br_sim;
	struct pn_mount		*br_mp;
	struct fsrv		*br_srv;
	struct pn_vnode		*br_root;	/* referenced while mounted */
	double			 br_timeout;	/* entry and attribute timeout */
	bool			 br_killpriv;	/* FUSE_HANDLE_KILLPRIV in force */
	struct kref_stripe	 br_kref[KREF_STRIPES];
	_Atomic size_t		 br_nkref;	/* node ids the kernel holds */
	struct bridge_counters	 br_st;
	struct gcache		 br_gc;

	/* The shrinker: asks the kernel to drop entries past a limit. */
	struct fuse_session	*br_se;
	size_t			 br_klimit;	/* 0: no shrinker */
	pthread_t		 br_shrinker;
	br_mutex_t		 br_shlock;
	br_cond_t		 br_shcv;
	bool			 br_shstop;
	bool			 br_shrunning;
	size_t			 br_shcursor;	/* next stripe to visit */
};

#define CNT(br, f) \
	atomic_fetch_add_explicit(&(br)->br_st.f, 1, memory_order_relaxed)

static inline struct pn_vnode *
ino2vp(struct bridge *br, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return br->br_root;
	return (struct pn_vnode *)(uintptr_t)ino;
}

static inline fuse_ino_t
vp2ino(struct bridge *br, struct pn_vnode *vp)
{
	if (vp == br->br_root)
		return FUSE_ROOT_ID;
	return (fuse_ino_t)(uintptr_t)vp;
}

/* bridge.c: the FUSE operations. */
extern const struct fuse_lowlevel_ops bridge_ops;
/* Whether the kernel leaves set-uid/set-gid clearing to the bridge. */
bool	bridge_killpriv(const struct bridge *br);
/* Write the node's cached times to the backing file (as the file system). */
void	meta_flush(struct bridge *br, struct pn_vnode *vp);

/* creds.c: a request's credential. */
struct rcred {
	struct pn_kcred		 rc_kcred;	/* wire form */
	const struct pn_cred	*rc_cred;	/* the thread's simulator credential */
	const struct pn_caller	*rc_caller;
};

void	creds_init(struct bridge *br, double groups_timeout);
void	creds_fini(struct bridge *br);
/* The request's ids as the thread's simulator credential, and in wire form. */
int	req_cred(struct bridge *br, fuse_req_t req, struct rcred *rc);
/* A component name in wire form, with the request's credential. */
int	req_cn(struct bridge *br, fuse_req_t req, uint32_t op,
	    const char *name, struct rcred *rc, struct pn_cn *cn,
	    struct pn_kcn *kcn);

/* kref.c: the kernel's lookup counts. */
int	bridge_init(struct bridge *br);
/* Give back every kernel lookup (unmount: the kernel sends no forgets); returns the node ids released. */
size_t	bridge_release_all(struct bridge *br);
void	bridge_fini(struct bridge *br);
/* An entry of vp (use reference held by the caller) goes to the kernel. */
int	kref_take(struct bridge *br, struct pn_vnode *vp, fuse_ino_t parent,
	    const char *name);
/* The kernel forgets n lookups of vp: the last one releases the vnode. */
void	kref_drop(struct bridge *br, struct pn_vnode *vp, uint64_t n);
/* Whether the kernel holds node id ino and it is a directory. */
bool	kref_held_dir(struct bridge *br, fuse_ino_t ino);
/* Up to max (parent, name) pairs of held node ids, names strdup'ed. */
struct victim {
	fuse_ino_t	 v_parent;
	char		*v_name;
};
size_t	kref_pick(struct bridge *br, struct victim *v, size_t max);

/*
 * initfix.c (libfuse < 3.16): the next INIT reply this thread writes
 * carries FUSE_HANDLE_KILLPRIV; whether one did.
 */
#if FUSE_VERSION < 316
void	initfix_arm(void);
bool	initfix_applied(void);
#endif

/* shrinker.c: start / stop the shrinker (br_se and br_klimit set). */
int	bridge_shrinker_start(struct bridge *br);
void	bridge_shrinker_stop(struct bridge *br);
/* The kernel holds more node ids than the limit: wake the shrinker. */
void	shrink_kick(struct bridge *br);

#endif /* !PNFUSE_BRIDGE_H */
