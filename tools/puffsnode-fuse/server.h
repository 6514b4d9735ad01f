/*
 * server.h -- the passthrough file server under puffsnode-fuse.
 *
 * The server plays the puffs file server: it hands out one cookie per
 * backing inode (st_dev, st_ino), keeps an O_PATH descriptor and a
 * lookup count per node, and answers requests by cookie.  Every call
 * that names a node by a path component counts one lookup of the node it
 * answers; the host gives lookups back with fsrv_forget(), and the node
 * is dropped (its descriptor closed, its cookie free for reuse) when its
 * count reaches zero.
 *
 * Requests carry the caller's credential in wire form (struct pn_kcred);
 * the server performs them under those ids, switching the calling
 * thread's file-system uid, gid and groups, so the backing kernel makes
 * the permission checks.  Internal credentials (PN_FSCRED, PN_NOCRED)
 * act as the file system itself.
 *
 * All calls return 0 or an errno value.  All are thread-safe.
 */
#ifndef PNFUSE_SERVER_H
#define PNFUSE_SERVER_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <puffsnode/puffsnode.h>

struct fsrv;

struct fsrv_stats {
	size_t		live;		/* nodes held now (the root included) */
	size_t		high;		/* most nodes at once */
	uint64_t	outstanding;	/* lookups not forgotten (sum of counts) */
	uint64_t	lookups;	/* lookups answered */
	uint64_t	forgets;	/* forget calls */
	uint64_t	dropped;	/* nodes dropped */
	uint64_t	reused;		/* cookies handed out again */
	uint64_t	denied;		/* requests refused with EACCES / EPERM */
	uint64_t	stale;		/* nodes of inodes whose number was reused */
	uint64_t	fdopens;	/* descriptors opened again from handles */
	uint64_t	fdcloses;	/* cached descriptors closed */
	uint64_t	idcalls;	/* setgroups, setfsgid, setfsuid calls */
};

/* fsrv_setattr() valid bits. */
#define FSRV_SET_MODE		0x01u
#define FSRV_SET_UID		0x02u
#define FSRV_SET_GID		0x04u
#define FSRV_SET_SIZE		0x08u
#define FSRV_SET_ATIME		0x10u
#define FSRV_SET_MTIME		0x20u
#define FSRV_SET_ATIME_NOW	0x40u
#define FSRV_SET_MTIME_NOW	0x80u
#define FSRV_SET_KILLPRIV	0x100u	/* clear set-uid/set-gid bits as before a write */

/* maxopen: node descriptors kept open; 0: every node keeps one, no handles. */
int	fsrv_init(const char *backing, size_t maxopen, struct fsrv **srvp);
/* Frees the server; returns the number of nodes it still held. */
size_t	fsrv_fini(struct fsrv *srv);
pn_cookie_t fsrv_root(const struct fsrv *srv);
void	fsrv_stats(struct fsrv *srv, struct fsrv_stats *st);

/* enum pn_vtype of a st_mode. */
int	fsrv_vtype(mode_t mode);

/* Name lookups: each success counts one lookup of *cp. */
int	fsrv_lookup(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t dir, const char *name, struct stat *st,
	    pn_cookie_t *cp);
int	fsrv_create(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t dir, const char *name, mode_t mode, int flags,
	    int *fdp, struct stat *st, pn_cookie_t *cp);
/* mkdir (S_IFDIR), mknod (S_IFIFO, S_IFCHR, ...), symlink (S_IFLNK, target). */
int	fsrv_mknod(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t dir, const char *name, mode_t mode, dev_t rdev,
	    const char *target, struct stat *st, pn_cookie_t *cp);
int	fsrv_link(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t c, pn_cookie_t dir, const char *name,
	    struct stat *st, pn_cookie_t *cp);
void	fsrv_forget(struct fsrv *srv, pn_cookie_t c, uint64_t nlookup);

/*
 * Make the calling thread act as cr (NULL: as the daemon) for system
 * calls the host makes on descriptors the server gave it (writes).
 */
void	fsrv_become(struct fsrv *srv, const struct pn_kcred *cr);

/* Requests on a node. */
int	fsrv_getattr(struct fsrv *srv, pn_cookie_t c, struct stat *st);
/* Through open file fd if not -1; *st: the attributes after. */
int	fsrv_setattr(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t c, int fd, const struct stat *attr, unsigned valid,
	    struct stat *st);
/* Times from the metadata cache, written as the file system. */
int	fsrv_settimes(struct fsrv *srv, pn_cookie_t c,
	    const struct timespec ts[2]);
/* *privp: the file had set-uid / set-gid bits before an O_TRUNC open by cr (uid not 0). */
int	fsrv_open(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t c, int flags, int *fdp, bool *privp);
/* Whether open file fd is a regular file with set-uid or set-gid bits. */
bool	fsrv_privbits(int fd);
/*
 * Before a write by cr (uid not 0) to open file fd: clear its set-uid and
 * set-gid bits as the backing file system's rules would for cr, as the
 * file system itself.  *clearedp: whether any bit went.
 */
int	fsrv_killpriv_fd(struct fsrv *srv, const struct pn_kcred *cr, int fd,
	    bool *clearedp);
int	fsrv_opendir(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t c, DIR **dpp);
int	fsrv_readlink(struct fsrv *srv, pn_cookie_t c, char *buf,
	    size_t size, size_t *lenp);
int	fsrv_statfs(struct fsrv *srv, pn_cookie_t c, struct statvfs *sv);

/* Namespace changes in directories. */
int	fsrv_unlink(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t dir, const char *name, bool isdir);
int	fsrv_rename(struct fsrv *srv, const struct pn_kcred *cr,
	    pn_cookie_t fdir, const char *fname, pn_cookie_t tdir,
	    const char *tname, unsigned flags);

#endif /* !PNFUSE_SERVER_H */
