/*
 * puffsnode/puffsnode.h -- the puffsnode node layer.
 *
 * A file server hands out opaque 64-bit cookies; puffsnode maps each live
 * cookie to one pooled, reference-counted node and one host vnode, builds
 * the root on demand, caches metadata updates for the server, and completes
 * the server's answers to asynchronous requests.  The host's vnode layer
 * plugs in underneath through struct pn_host_ops (puffsnode/host.h).
 *
 * Every call returns 0 (PN_OK) or a PN_E* code; results come back through
 * the last argument, set to NULL on error.  Every call is safe to use from
 * many threads at once on one mount.  See puffsnode(3).
 */
#ifndef PUFFSNODE_PUFFSNODE_H
#define PUFFSNODE_PUFFSNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <puffsnode/cred.h>
#include <puffsnode/host.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PN_VERSION_MAJOR	1
#define PN_VERSION_MINOR	0
#define PN_VERSION_PATCH	0
#define PN_VERSION_STRING	"1.0.0"
/* One number, comparable: 10000 * major + 100 * minor + patch. */
#define PN_VERSION_NUMBER \
	(PN_VERSION_MAJOR * 10000 + PN_VERSION_MINOR * 100 + PN_VERSION_PATCH)

const char *pn_version(void);

/* Error codes.  The hosted libraries map them to errno values. */
enum {
	PN_OK = 0,
	PN_EPERM,		/* operation not permitted */
	PN_ENOENT,		/* no such node */
	PN_EIO,			/* input/output error (server failed a request) */
	PN_ENXIO,		/* mount is going away */
	PN_ENOMEM,		/* out of memory, or the node limit is reached */
	PN_EACCES,		/* permission denied */
	PN_EBUSY,		/* still in use */
	PN_EEXIST,		/* node already exists */
	PN_EINVAL,		/* invalid argument */
	PN_ERANGE,		/* result does not fit the wire form */
	PN_ENAMETOOLONG,	/* name does not fit the wire buffer */
	PN_EOPNOTSUPP,		/* not supported (by the server or the host) */
	PN_ELAST = PN_EOPNOTSUPP
};

const char *pn_strerror(int error);

/* A server's name for a node.  0 means "no node". */
typedef uint64_t pn_cookie_t;

/* Node types, as vnode types. */
enum pn_vtype {
	PN_VNON = 0,
	PN_VREG,
	PN_VDIR,
	PN_VBLK,
	PN_VCHR,
	PN_VLNK,
	PN_VSOCK,
	PN_VFIFO,
	PN_VBAD
};

struct pn_mount;
struct pn_node;

/* ---- mounts ---- */

#define PN_MOUNT_ARGS_VERSION	1

/* Mount flags. */
#define PN_MNT_NAMECACHE	0x1u	/* enter new names in the host's name cache */
#define PN_MNT_PLACEHOLDER	0x2u	/* build new vnodes behind a placeholder entry */
#define PN_MNT_PARTS		0x4u	/* table and pool in parts: parallel creates */

struct pn_mount_args {
	int		version;	/* PN_MOUNT_ARGS_VERSION */
	pn_cookie_t	root_cookie;	/* nonzero */
	int		root_type;	/* enum pn_vtype, usually PN_VDIR */
	int64_t		root_size;
	uint64_t	root_rdev;
	size_t		hash_hint;	/* expected nodes; 0 = automatic */
	size_t		node_limit;	/* most nodes at once; 0 = no limit */
	unsigned	flags;		/* PN_MNT_* */
};

int	pn_mount_create(const struct pn_host_ops *ops, void *host,
	    const struct pn_mount_args *args, struct pn_mount **mpp);
int	pn_mount_destroy(struct pn_mount *mp);
const struct pn_host_ops *pn_mount_host(const struct pn_mount *mp,
	    void **hostp);
pn_cookie_t pn_mount_rootcookie(const struct pn_mount *mp);

int	pn_mp_reference(struct pn_mount *mp);
int	pn_mp_release(struct pn_mount *mp);
int	pn_mp_drain(struct pn_mount *mp);

/* ---- nodes ---- */

/* pn_cookie2vnode() flags. */
#define PN_LOOKUP_LOCK	0x1u	/* return the vnode locked */

int	pn_getvnode(struct pn_mount *mp, pn_cookie_t cookie, int type,
	    int64_t size, uint64_t rdev, struct pn_vnode **vpp);
int	pn_newnode(struct pn_mount *mp, struct pn_vnode *dvp,
	    pn_cookie_t cookie, const struct pn_cn *cn, int type,
	    uint64_t rdev, struct pn_vnode **vpp);
int	pn_cookie2vnode(struct pn_mount *mp, pn_cookie_t cookie,
	    unsigned flags, struct pn_vnode **vpp);
int	pn_makeroot(struct pn_mount *mp, struct pn_vnode **vpp);
int	pn_putvnode(struct pn_mount *mp, struct pn_vnode *vp);

int	pn_referencenode(struct pn_node *pn);
int	pn_releasenode(struct pn_node *pn);

struct pn_node *pn_vnode2node(struct pn_mount *mp, struct pn_vnode *vp);
pn_cookie_t	pn_node_cookie(const struct pn_node *pn);
uint64_t	pn_node_gen(const struct pn_node *pn);
int		pn_node_type(const struct pn_node *pn);
struct pn_vnode *pn_node_vnode(const struct pn_node *pn);
struct pn_mount *pn_node_mount(const struct pn_node *pn);
uint32_t	pn_node_refs(const struct pn_node *pn);

/* Visit every active node.  fn's nonzero answer stops the walk and is returned. */
typedef int pn_walk_fn(struct pn_node *pn, void *arg);
int	pn_node_walk(struct pn_mount *mp, pn_walk_fn *fn, void *arg);

/* ---- the pnode pool and the cookie table ---- */

struct pn_pool_stats {
	size_t	in_use;		/* nodes allocated */
	size_t	high_water;	/* most nodes allocated at once */
	size_t	slabs;		/* slabs held */
	size_t	free;		/* free nodes in held slabs */
	size_t	limit;		/* node limit, 0 = none */
	size_t	node_size;	/* bytes per node */
	size_t	slab_bytes;	/* bytes per slab */
	uint64_t allocs;	/* nodes ever allocated */
	uint64_t frees;		/* nodes ever returned */
};

struct pn_table_stats {
	size_t	entries;	/* nodes in the table */
	size_t	buckets;	/* slots */
	size_t	longest_probe;	/* longest probe sequence now (1 = home slot) */
	size_t	bytes;		/* bytes held by the table */
	uint64_t resizes;	/* times the table grew */
};

int	pn_pool_stats(struct pn_mount *mp, struct pn_pool_stats *st);
int	pn_pool_setlimit(struct pn_mount *mp, size_t limit);
int	pn_pool_drain(struct pn_mount *mp, size_t *freed);
int	pn_table_stats(struct pn_mount *mp, struct pn_table_stats *st);

/* ---- metadata cache ---- */

/* pn_updatenode() flags; also the bits of pn_metacache.mc_flags. */
#define PN_UPDATE_ATIME	0x1u
#define PN_UPDATE_CTIME	0x2u
#define PN_UPDATE_MTIME	0x4u
#define PN_UPDATE_SIZE	0x8u

/* pn_gop_markupdate() flags. */
#define PN_GOP_UPDATE_ACCESSED	0x1u
#define PN_GOP_UPDATE_MODIFIED	0x2u

struct pn_metacache {
	unsigned		mc_flags;	/* PN_UPDATE_* that are dirty */
	struct pn_timespec	mc_atime;
	struct pn_timespec	mc_ctime;
	struct pn_timespec	mc_mtime;
	int64_t			mc_size;
};

int	pn_updatenode(struct pn_node *pn, unsigned flags);
int	pn_gop_markupdate(struct pn_node *pn, unsigned gopflags);
int	pn_gop_size(struct pn_node *pn, int64_t size, int64_t *eobp,
	    int flags);
int	pn_updatevpsize(struct pn_node *pn);
int	pn_metacache_take(struct pn_node *pn, struct pn_metacache *mc);

/* ---- request completions ---- */

/* A host buffer for an asynchronous read (struct buf). */
#define PN_B_ERROR	0x1u

struct pn_bio {
	void		*b_data;	/* destination */
	size_t		 b_bcount;	/* bytes requested, size of b_data */
	size_t		 b_resid;	/* set on completion: bytes not read */
	int		 b_error;	/* set on completion: PN_E* or 0 */
	unsigned	 b_flags;	/* PN_B_ERROR set on error */
	void		*b_private;	/* the host's */
};

/* Poll events, as poll(2). */
#define PN_POLLIN	0x0001
#define PN_POLLPRI	0x0002
#define PN_POLLOUT	0x0004
#define PN_POLLERR	0x0008
#define PN_POLLHUP	0x0010
#define PN_POLLNVAL	0x0020
#define PN_POLLRDNORM	0x0040
#define PN_POLLRDBAND	0x0080
#define PN_POLLWRBAND	0x0100
#define PN_POLL_ALL	0x01ff

int	pn_parkdone_asyncbioread(struct pn_mount *mp, struct pn_bio *bp,
	    int rv, const void *data, size_t datalen, int64_t resid);
int	pn_parkdone_poll(struct pn_node *pn, int rv, int events);
int	pn_node_revents(struct pn_node *pn, int *revents, bool clear);

#ifdef __cplusplus
}
#endif

#endif /* !PUFFSNODE_PUFFSNODE_H */
