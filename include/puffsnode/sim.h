/*
 * puffsnode/sim.h -- the simulator host: a userspace vnode layer under
 * puffsnode, and a simulated file server above it.
 *
 * libpuffsnode-sim implements struct pn_host_ops the way NetBSD's vnode
 * cache does: vnodes with use and hold counts and a life cycle (being
 * built, active, being reclaimed, dead), inactive vnodes kept on an LRU
 * list up to a maxvnodes limit and reclaimed oldest first, per-vnode
 * locks, a name cache, a mount with its vnode list, credentials and
 * caller ids from the calling thread, buffers and poll notification for
 * the server's asynchronous answers.
 *
 * The simulated file server (struct pn_sim_server) hands out cookies for
 * a synthetic tree or for a mirror of a real directory, and answers
 * lookup, getattr, create, mkdir, remove, rename, read, poll and forget.
 *
 * Every call returns 0 (PN_OK) or a PN_E* code; vnodes come back through
 * the last argument with one use reference, which the caller gives back
 * with pn_sim_vrele().  All calls are thread-safe.  Hosted: pthreads.
 */
#ifndef PUFFSNODE_SIM_H
#define PUFFSNODE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <puffsnode/puffsnode.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pn_sim;
struct pn_sim_server;

/* ---- the simulated file server ---- */

/* A node's attributes, as the server answers them. */
struct pn_sim_attr {
	pn_cookie_t		a_cookie;
	int			a_type;		/* enum pn_vtype */
	uint32_t		a_mode;		/* permission bits */
	uint32_t		a_uid;
	uint32_t		a_gid;
	uint32_t		a_nlink;
	int64_t			a_size;
	uint64_t		a_rdev;
	struct pn_timespec	a_atime;
	struct pn_timespec	a_mtime;
	struct pn_timespec	a_ctime;
};

struct pn_sim_server_stats {
	size_t		initial;	/* nodes of the initial tree */
	size_t		dirs;		/* directories of the initial tree */
	size_t		files;		/* regular files of the initial tree */
	size_t		hardlinks;	/* extra names of the initial tree */
	size_t		live;		/* nodes alive now */
	uint64_t	outstanding;	/* lookups not yet forgotten (nlookup sum) */
	uint64_t	lookups;
	uint64_t	getattrs;
	uint64_t	creates;
	uint64_t	removes;
	uint64_t	renames;
	uint64_t	reads;
	uint64_t	polls;
	uint64_t	forgets;
};

/* A synthetic tree of nodes nodes (root included), fanout entries a directory. */
int	pn_sim_server_synthetic(size_t nodes, unsigned fanout,
	    struct pn_sim_server **srvp);
/* A mirror of the directory tree at dir: one node per inode, hard links share one. */
int	pn_sim_server_mirror(const char *dir, struct pn_sim_server **srvp);
/* PN_EBUSY while a simulator uses the server. */
int	pn_sim_server_destroy(struct pn_sim_server *srv);

pn_cookie_t pn_sim_server_root(const struct pn_sim_server *srv);
int	pn_sim_server_stats(struct pn_sim_server *srv,
	    struct pn_sim_server_stats *st);
/* The initial tree, by index 0 .. initial-1 (0 is the root): path and type. */
int	pn_sim_server_path(struct pn_sim_server *srv, size_t index,
	    char *buf, size_t len, int *typep);
/* What the server answers now, without counting a lookup. */
int	pn_sim_server_peek(struct pn_sim_server *srv, pn_cookie_t dir,
	    const char *name, struct pn_sim_attr *attr);
int	pn_sim_server_getattr(struct pn_sim_server *srv, pn_cookie_t cookie,
	    struct pn_sim_attr *attr);
/* Content of a synthetic file: byte off of the node with cookie c. */
uint8_t	pn_sim_synthetic_byte(pn_cookie_t c, uint64_t off);
/* Make the server misbehave: the next n creates answer the parent's cookie. */
void	pn_sim_server_fault_dupcookie(struct pn_sim_server *srv, unsigned n);

/* ---- the simulator host ---- */

#define PN_SIM_CONFIG_VERSION	1

/* pn_sim_config.flags */
#define PN_SIM_NAMECACHE	0x1u	/* keep a name cache, enter new names in it */
#define PN_SIM_VERIFY		0x2u	/* check every name cache hit against the server */
#define PN_SIM_PARTS		0x4u	/* mount with PN_MNT_PARTS (no node_limit then) */

struct pn_sim_config {
	int		version;	/* PN_SIM_CONFIG_VERSION */
	size_t		maxvnodes;	/* vnodes kept before reclaiming inactive ones; 0 = 1024 */
	int		loglevel;	/* PN_LOG_*: lower levels are not printed */
	unsigned	flags;		/* PN_SIM_* */
	size_t		hash_hint;	/* pn_mount_args.hash_hint */
	size_t		node_limit;	/* pn_mount_args.node_limit */
	unsigned	aio_threads;	/* server threads answering reads and polls; 0 = 1 */
};

/* Vnode states, as NetBSD's vcache. */
#define PN_SIM_VS_BUILDING	1	/* allocated, not handed out yet */
#define PN_SIM_VS_ACTIVE	2	/* in use, or inactive on the LRU */
#define PN_SIM_VS_RECLAIMING	3	/* vget fails; reclaim in progress */
#define PN_SIM_VS_DEAD		4	/* reclaimed; freed with its last reference */

struct pn_sim_vnode_info {
	int		vi_state;	/* PN_SIM_VS_* */
	unsigned	vi_usecount;
	unsigned	vi_holdcount;
	int		vi_type;
	pn_cookie_t	vi_cookie;	/* 0 once reclaimed */
	bool		vi_inactive;	/* on the LRU list */
	bool		vi_locked;	/* vnode lock held (exclusively) */
};

struct pn_sim_stats {
	size_t		vnodes;		/* vnodes allocated now */
	size_t		vnodes_high;	/* most at once */
	size_t		inactive_now;	/* on the LRU list now */
	size_t		maxvnodes;
	uint64_t	built;		/* vnodes built and handed out */
	uint64_t	aborted;	/* vnodes freed before being handed out */
	uint64_t	inactive;	/* last-use releases (VOP_INACTIVE) */
	uint64_t	reactivated;	/* vgets of an inactive vnode */
	uint64_t	reclaimed;	/* reclaims (pn_putvnode calls) */
	uint64_t	freed;		/* vnodes freed after reclaim */
	uint64_t	vget_dying;	/* vgets refused: vnode being reclaimed */
	uint64_t	nc_hits;
	uint64_t	nc_misses;
	uint64_t	nc_stale;	/* hits on a vnode being reclaimed */
	uint64_t	nc_enters;
	uint64_t	nc_purged;
	size_t		nc_entries;
	uint64_t	lookups;	/* pn_sim_lookup calls that resolved */
	uint64_t	checked;	/* of those, compared with the server's cookie */
	uint64_t	wrong;		/* ... and found different: an invariant broke */
	uint64_t	reads;
	uint64_t	polls;
	uint64_t	poll_notes;	/* poll_notify calls */
	uint64_t	bios_done;	/* bio_done calls */
	uint64_t	misbehaved;	/* server_misbehaved reports */
	uint64_t	panics;		/* PN_LOG_PANIC messages */
	size_t		core_bytes;	/* bytes the core holds from alloc */
	uint64_t	core_allocs;
	bool		unmounted;
	struct pn_pool_stats final_pool;	/* pool just before pn_mount_destroy */
};

const struct pn_host_ops *pn_sim_host_ops(void);

/* Mount srv's tree on a new simulator host. */
int	pn_sim_init(const struct pn_sim_config *cfg,
	    struct pn_sim_server *srv, struct pn_sim **simp);
/* Flush, drain and destroy the mount.  PN_EBUSY (nothing done) if a vnode is in use, unless force. */
int	pn_sim_unmount(struct pn_sim *sim, bool force);
/* Free the host; unmounts (not forced) first if needed. */
int	pn_sim_fini(struct pn_sim *sim);

struct pn_mount *pn_sim_mount(struct pn_sim *sim);
int	pn_sim_stats(struct pn_sim *sim, struct pn_sim_stats *st);
void	pn_sim_setloglevel(struct pn_sim *sim, int level);
int	pn_sim_setmaxvnodes(struct pn_sim *sim, size_t maxvnodes);
/* Reclaim inactive vnodes, oldest first, until at most target remain; *nreclaimed. */
int	pn_sim_drain(struct pn_sim *sim, size_t target, size_t *nreclaimed);

/* ---- vnodes ---- */

int	pn_sim_vget(struct pn_sim *sim, struct pn_vnode *vp);	/* PN_ENOENT if dying */
int	pn_sim_vrele(struct pn_sim *sim, struct pn_vnode *vp);
void	pn_sim_vhold(struct pn_sim *sim, struct pn_vnode *vp);
void	pn_sim_vdrop(struct pn_sim *sim, struct pn_vnode *vp);
/*
 * Reclaim now, in use or not (vgone).  The caller's references stay valid
 * (the vnode is dead).  The caller must not hold the vnode's lock.
 */
int	pn_sim_vgone(struct pn_sim *sim, struct pn_vnode *vp);
void	pn_sim_vlock(struct pn_sim *sim, struct pn_vnode *vp);
void	pn_sim_vunlock(struct pn_sim *sim, struct pn_vnode *vp);
int	pn_sim_vnode_info(struct pn_sim *sim, struct pn_vnode *vp,
	    struct pn_sim_vnode_info *vi);
pn_cookie_t pn_sim_vnode_cookie(struct pn_sim *sim, struct pn_vnode *vp);

/* ---- file system calls ---- */

int	pn_sim_root(struct pn_sim *sim, struct pn_vnode **vpp);
/* One component in dvp: name cache, else the server and pn_getvnode. */
int	pn_sim_lookup(struct pn_sim *sim, struct pn_vnode *dvp,
	    const char *name, struct pn_vnode **vpp);
/* A whole path from the root ("/a/b", "a/b"). */
int	pn_sim_namei(struct pn_sim *sim, const char *path,
	    struct pn_vnode **vpp);
/* The name cache alone: a hit referenced, or PN_ENOENT. */
int	pn_sim_cache_lookup(struct pn_sim *sim, struct pn_vnode *dvp,
	    const char *name, struct pn_vnode **vpp);
int	pn_sim_create(struct pn_sim *sim, struct pn_vnode *dvp,
	    const char *name, int type, struct pn_vnode **vpp);
int	pn_sim_remove(struct pn_sim *sim, struct pn_vnode *dvp,
	    const char *name);
int	pn_sim_rename(struct pn_sim *sim, struct pn_vnode *fdvp,
	    const char *fname, struct pn_vnode *tdvp, const char *tname);
int	pn_sim_getattr(struct pn_sim *sim, struct pn_vnode *vp,
	    struct pn_sim_attr *attr);
/* An asynchronous read through a buffer, waited for; *resid: bytes not read. */
int	pn_sim_read(struct pn_sim *sim, struct pn_vnode *vp, uint64_t off,
	    void *buf, size_t len, size_t *resid);
/* An asynchronous poll, waited for; *revents as notified. */
int	pn_sim_poll(struct pn_sim *sim, struct pn_vnode *vp, int events,
	    int *revents);

/* The calling thread's credential and caller handles. */
const struct pn_cred *pn_sim_curcred(void);
const struct pn_caller *pn_sim_curcaller(void);

/* ---- a file server of the caller's own ---- */

/*
 * A simulator over a server the caller runs itself (a FUSE bridge, say):
 * the caller asks its server, turns the answers into vnodes with
 * pn_getvnode() / pn_newnode() on pn_sim_mount(), records each server
 * lookup on the vnode with pn_sim_addlookup(), and is told at reclaim how
 * many lookups of the cookie to forget.  The simulator's own file system
 * calls (pn_sim_lookup ... pn_sim_poll) answer PN_EOPNOTSUPP on it;
 * vnodes, the LRU, the name cache, statistics and unmount work as usual.
 */
#define PN_SIM_CLIENT_VERSION	1

struct pn_sim_client {
	int		version;	/* PN_SIM_CLIENT_VERSION */
	pn_cookie_t	root_cookie;	/* the server's root: nonzero */
	int		root_type;	/* enum pn_vtype, usually PN_VDIR */
	int64_t		root_size;
	uint64_t	root_rdev;
	/* A vnode of cookie was reclaimed: forget nlookup lookups (maybe 0).
	   Called with the vnode's lock held: must not call the simulator. */
	void		(*forget)(void *arg, pn_cookie_t cookie,
			    uint64_t nlookup);
	void		*arg;		/* passed to forget */
};

int	pn_sim_init_client(const struct pn_sim_config *cfg,
	    const struct pn_sim_client *cl, struct pn_sim **simp);
/* One server lookup of vp's node, forgotten when vp is reclaimed (at once if it is being reclaimed). */
int	pn_sim_addlookup(struct pn_sim *sim, struct pn_vnode *vp);
/* Enter dvp's name for vp in the name cache (nothing without PN_SIM_NAMECACHE). */
int	pn_sim_cache_enter(struct pn_sim *sim, struct pn_vnode *dvp,
	    struct pn_vnode *vp, const char *name);
/* Drop dvp's entry for name, after a remove or a rename. */
int	pn_sim_cache_remove(struct pn_sim *sim, struct pn_vnode *dvp,
	    const char *name);
/* Make the calling thread's credential and caller these ids (a request served for another process); returns them. */
int	pn_sim_setids(uint32_t uid, uint32_t gid, const uint32_t *groups,
	    size_t ngroups, int32_t pid, int32_t lwpid,
	    const struct pn_cred **credp, const struct pn_caller **callerp);

/* errno value for a PN_E* code. */
int	pn_sim_errno(int error);

#ifdef __cplusplus
}
#endif

#endif /* !PUFFSNODE_SIM_H */
