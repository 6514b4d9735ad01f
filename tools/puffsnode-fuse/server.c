/*
 * server.c -- the passthrough file server: cookies for the inodes of a
 * backing directory.
 *
 * Nodes.  One node per backing inode (st_dev, st_ino), found through a
 * hash table, with a lookup count.  A node's cookie is its slot number
 * plus one; slots are reused once a node is dropped, so cookies are
 * reused too, as a real server's would be -- telling a reused cookie from
 * the node it replaces is the node layer's job (pn_node_gen).
 *
 * Descriptors.  A node reaches its inode through an O_PATH descriptor.
 * The kernel above may hold far more nodes than a process may hold
 * descriptors, so a node also keeps the inode's file handle
 * (name_to_handle_at) and its descriptor is a cache entry: closed, oldest
 * unused first, beyond a limit, and opened again from the handle
 * (open_by_handle_at) when a request needs it.  A request pins the
 * descriptor while it uses it.  The handle carries the inode's
 * generation, so an inode number reused by the backing file system is
 * told from the node of the inode it replaces (which then answers
 * ESTALE).  Where handles are not available the descriptor stays open
 * for the node's life.
 *
 * Requests reach the backing inodes through their descriptors, or
 * through /proc/self/fd/N where a system call wants a path (open, chmod,
 * truncate, utimensat), never through a path name of the backing tree,
 * so renames elsewhere cannot redirect them.
 *
 * Credentials.  A request with a regular credential runs under its ids:
 * the calling thread's file-system uid and gid (setfsuid, setfsgid) and
 * supplementary groups (the raw setgroups system call, which changes the
 * calling thread only, where glibc's changes every thread), restored
 * afterwards.  The backing kernel then makes every permission check, as
 * it would for the caller.  Internal credentials run as the daemon.
 *
 * Locking: one mutex covers the slots, the hash table, the descriptor
 * cache and the counts.  Opening a descriptor from its handle happens
 * under it; every other system call runs outside it, on a pinned
 * descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server.h"

struct snode {
	pn_cookie_t	 n_cookie;
	dev_t		 n_dev;
	ino_t		 n_ino;
	int		 n_fd;		/* O_PATH; -1 while closed */
	int		 n_mnt;		/* s_mnts index; -1: no handle */
	struct file_handle *n_fh;	/* NULL: no handle, n_fd stays open */
	bool		 n_symlink;
	bool		 n_hashed;	/* in the (dev, ino) hash */
	bool		 n_dropped;	/* forgotten while pinned */
	bool		 n_onlru;
	unsigned	 n_busy;	/* pins of n_fd */
	uint64_t	 n_nlookup;
	struct snode	*n_hnext;	/* hash chain */
	TAILQ_ENTRY(snode) n_lru;	/* open, unpinned, with a handle */
};

TAILQ_HEAD(snode_lru, snode);

#define MAX_MNTS	32

/* A pinned node descriptor. */
struct pin {
	struct snode	*p_node;
	int		 p_fd;
	bool		 p_symlink;
};

struct fsrv {
	pthread_mutex_t	  s_lock;
	struct snode	**s_slots;	/* cookie - 1 -> node, NULL: free */
	size_t		  s_nslots;
	size_t		 *s_free;	/* free slot numbers (a stack) */
	size_t		  s_nfree;
	struct snode	**s_hash;
	size_t		  s_nbuckets;	/* a power of two */
	struct fsrv_stats s_st;
	struct snode_lru  s_lru;	/* descriptors to close first */
	size_t		  s_nopen;	/* cached descriptors open */
	size_t		  s_maxopen;
	struct { int id, fd; } s_mnts[MAX_MNTS];	/* mount id -> mount fd */
	int		  s_nmnts;
	bool		  s_handles;	/* try file handles */
	bool		  s_switch;	/* can switch ids (running as root) */
	gid_t		  s_groups0[NGROUPS_MAX];	/* the daemon's groups */
	int		  s_ngroups0;
};

/* ---- credentials ---- */

/* Run as cr's ids.  Returns whether the ids were switched. */
static bool
as_enter(struct fsrv *srv, const struct pn_kcred *cr)
{
	uint32_t uid, gid, g32[PN_NGROUPS];
	gid_t groups[PN_NGROUPS];
	size_t n = PN_NGROUPS, i;

	if (!srv->s_switch || cr == NULL || !pn_cred_isregular(cr))
		return false;
	if (pn_cred_getuid(cr, &uid) != PN_OK ||
	    pn_cred_getgid(cr, &gid) != PN_OK ||
	    pn_cred_getgroups(cr, g32, &n) != PN_OK)
		return false;
	if (n > PN_NGROUPS)
		n = PN_NGROUPS;
	for (i = 0; i < n; i++)
		groups[i] = (gid_t)g32[i];
	(void)syscall(SYS_setgroups, n, groups);
	(void)setfsgid((gid_t)gid);
	(void)setfsuid((uid_t)uid);
	return true;
}

static void
as_exit(struct fsrv *srv, bool switched)
{
	int saved = errno;

	if (switched) {
		(void)setfsuid(0);
		(void)setfsgid(0);
		(void)syscall(SYS_setgroups, (size_t)srv->s_ngroups0,
		    srv->s_groups0);
	}
	errno = saved;
}

static int
denied(struct fsrv *srv, int error)
{
	if (error == EACCES || error == EPERM) {
		pthread_mutex_lock(&srv->s_lock);
		srv->s_st.denied++;
		pthread_mutex_unlock(&srv->s_lock);
	}
	return error;
}

/* ---- nodes ---- */

static size_t
hash_of(const struct fsrv *srv, dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)dev * UINT64_C(0xc2b2ae3d27d4eb4f);

	return (size_t)(h >> 17) & (srv->s_nbuckets - 1);
}

/* Lock held.  Doubles the hash table; on failure keeps the old one. */
static void
hash_grow(struct fsrv *srv)
{
	size_t nb = srv->s_nbuckets * 2, i, old = srv->s_nbuckets;
	struct snode **oh = srv->s_hash, *n, *next;

	if ((srv->s_hash = calloc(nb, sizeof(*srv->s_hash))) == NULL) {
		srv->s_hash = oh;
		return;
	}
	srv->s_nbuckets = nb;
	for (i = 0; i < old; i++) {
		for (n = oh[i]; n != NULL; n = next) {
			size_t h = hash_of(srv, n->n_dev, n->n_ino);

			next = n->n_hnext;
			n->n_hnext = srv->s_hash[h];
			srv->s_hash[h] = n;
		}
	}
	free(oh);
}

/* Lock held. */
static struct snode *
node_get(struct fsrv *srv, pn_cookie_t c)
{
	if (c == 0 || c > srv->s_nslots)
		return NULL;
	return srv->s_slots[c - 1];
}

/* Lock held.  Close unpinned cached descriptors beyond the limit. */
static void
fd_trim(struct fsrv *srv)
{
	struct snode *n;

	while (srv->s_nopen > srv->s_maxopen &&
	    (n = TAILQ_FIRST(&srv->s_lru)) != NULL) {
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
		n->n_onlru = false;
		close(n->n_fd);
		n->n_fd = -1;
		srv->s_nopen--;
		srv->s_st.fdcloses++;
	}
}

/* Lock held, node unpinned and off the slots: free it. */
static void
node_free(struct fsrv *srv, struct snode *n)
{
	if (n->n_onlru)
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
	if (n->n_fd >= 0) {
		close(n->n_fd);
		if (n->n_fh != NULL)
			srv->s_nopen--;
	}
	free(n->n_fh);
	free(n);
}

/* Lock held.  An unpinned node's open descriptor goes on the LRU. */
static void
node_idle(struct fsrv *srv, struct snode *n)
{
	if (n->n_busy == 0 && n->n_fh != NULL && n->n_fd >= 0 &&
	    !n->n_onlru) {
		TAILQ_INSERT_TAIL(&srv->s_lru, n, n_lru);
		n->n_onlru = true;
		fd_trim(srv);
	}
}

/* Pin the descriptor of node c, opening it from its handle if closed. */
static int
node_pin(struct fsrv *srv, pn_cookie_t c, struct pin *p)
{
	struct snode *n;
	int fd;

	p->p_node = NULL;
	p->p_fd = -1;
	p->p_symlink = false;
	pthread_mutex_lock(&srv->s_lock);
	if ((n = node_get(srv, c)) == NULL) {
		pthread_mutex_unlock(&srv->s_lock);
		return ESTALE;
	}
	if (n->n_fd < 0) {
		fd = open_by_handle_at(srv->s_mnts[n->n_mnt].fd, n->n_fh,
		    O_PATH | O_CLOEXEC);
		if (fd < 0) {
			int error = errno;

			pthread_mutex_unlock(&srv->s_lock);
			if (error == 0)
				error = EIO;	/* failure with no errno: never success */
			return error == ENOENT ? ESTALE : error;
		}
		n->n_fd = fd;
		srv->s_nopen++;
		srv->s_st.fdopens++;
	}
	if (n->n_onlru) {
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
		n->n_onlru = false;
	}
	n->n_busy++;
	p->p_node = n;
	p->p_fd = n->n_fd;
	p->p_symlink = n->n_symlink;
	pthread_mutex_unlock(&srv->s_lock);
	return 0;
}

static void
node_unpin(struct fsrv *srv, struct pin *p)
{
	struct snode *n = p->p_node;

	if (n == NULL)
		return;
	pthread_mutex_lock(&srv->s_lock);
	if (--n->n_busy == 0) {
		if (n->n_dropped)
			node_free(srv, n);
		else
			node_idle(srv, n);
	}
	pthread_mutex_unlock(&srv->s_lock);
	p->p_node = NULL;
}

/* Lock held.  The mount fd index for mount id, opened from fd; -1 if none. */
static int
mount_index(struct fsrv *srv, int id, int fd)
{
	char path[64];
	int i, mfd;

	for (i = 0; i < srv->s_nmnts; i++)
		if (srv->s_mnts[i].id == id)
			return i;
	if (srv->s_nmnts == MAX_MNTS)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((mfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;	/* not a directory: a handle is of no use */
	srv->s_mnts[srv->s_nmnts].id = id;
	srv->s_mnts[srv->s_nmnts].fd = mfd;
	return srv->s_nmnts++;
}

static struct file_handle *
handle_of(int fd, int *mntid)
{
	struct file_handle *fh;

	if ((fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ)) == NULL)
		return NULL;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", fh, mntid, AT_EMPTY_PATH) != 0) {
		free(fh);
		return NULL;
	}
	return fh;
}

static bool
handle_eq(const struct file_handle *a, const struct file_handle *b)
{
	return a->handle_bytes == b->handle_bytes &&
	    a->handle_type == b->handle_type &&
	    memcmp(a->f_handle, b->f_handle, a->handle_bytes) == 0;
}

/*
 * Count one lookup of the inode behind fd (an O_PATH descriptor, given
 * to the node or closed), making its node if there is none.
 */
static int
node_enter(struct fsrv *srv, int fd, const struct stat *st, pn_cookie_t *cp)
{
	struct file_handle *fh;
	struct snode *n, **pp;
	size_t h, slot;
	int mntid = 0;

	fh = srv->s_handles ? handle_of(fd, &mntid) : NULL;
	pthread_mutex_lock(&srv->s_lock);
	h = hash_of(srv, st->st_dev, st->st_ino);
	for (pp = &srv->s_hash[h]; (n = *pp) != NULL; pp = &n->n_hnext)
		if (n->n_dev == st->st_dev && n->n_ino == st->st_ino)
			break;
	if (n != NULL && n->n_fh != NULL && fh != NULL &&
	    !handle_eq(n->n_fh, fh)) {
		/* The inode number was reused: the old node is stale. */
		*pp = n->n_hnext;
		n->n_hashed = false;
		srv->s_st.stale++;
		n = NULL;
	}
	if (n != NULL) {
		n->n_nlookup++;
		srv->s_st.outstanding++;
		srv->s_st.lookups++;
		*cp = n->n_cookie;
		if (n->n_fd < 0 && n->n_fh != NULL) {
			n->n_fd = fd;	/* the fresh descriptor serves */
			srv->s_nopen++;
			fd = -1;
			node_idle(srv, n);
		}
		pthread_mutex_unlock(&srv->s_lock);
		if (fd >= 0)
			close(fd);
		free(fh);
		return 0;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto nomem;
	if (srv->s_nfree > 0) {
		slot = srv->s_free[--srv->s_nfree];
		srv->s_st.reused++;
	} else {
		struct snode **ns;
		size_t *nf;

		slot = srv->s_nslots;
		ns = realloc(srv->s_slots, (slot + 1) * sizeof(*ns));
		if (ns != NULL)
			srv->s_slots = ns;
		nf = realloc(srv->s_free, (slot + 1) * sizeof(*nf));
		if (nf != NULL)
			srv->s_free = nf;
		if (ns == NULL || nf == NULL) {
			free(n);
			goto nomem;
		}
		srv->s_nslots++;
	}
	n->n_cookie = (pn_cookie_t)slot + 1;
	n->n_dev = st->st_dev;
	n->n_ino = st->st_ino;
	n->n_fd = fd;
	n->n_mnt = fh != NULL ? mount_index(srv, mntid, fd) : -1;
	if (n->n_mnt >= 0) {
		n->n_fh = fh;
		srv->s_nopen++;
	} else {
		free(fh);
	}
	n->n_symlink = S_ISLNK(st->st_mode);
	n->n_nlookup = 1;
	n->n_hashed = true;
	srv->s_slots[slot] = n;
	n->n_hnext = srv->s_hash[h];
	srv->s_hash[h] = n;
	if (++srv->s_st.live > srv->s_st.high)
		srv->s_st.high = srv->s_st.live;
	srv->s_st.outstanding++;
	srv->s_st.lookups++;
	if (srv->s_st.live > srv->s_nbuckets)
		hash_grow(srv);
	*cp = n->n_cookie;
	node_idle(srv, n);
	pthread_mutex_unlock(&srv->s_lock);
	return 0;
nomem:
	pthread_mutex_unlock(&srv->s_lock);
	close(fd);
	free(fh);
	return ENOMEM;
}

void
fsrv_forget(struct fsrv *srv, pn_cookie_t c, uint64_t nlookup)
{
	struct snode *n, **pp;

	pthread_mutex_lock(&srv->s_lock);
	srv->s_st.forgets++;
	if ((n = node_get(srv, c)) == NULL) {
		pthread_mutex_unlock(&srv->s_lock);
		if (nlookup != 0)
			fprintf(stderr, "puffsnode-fuse: server: forget of "
			    "unknown cookie %llu\n", (unsigned long long)c);
		return;
	}
	if (nlookup > n->n_nlookup) {
		fprintf(stderr, "puffsnode-fuse: server: forget %llu of "
		    "cookie %llu with %llu lookups\n",
		    (unsigned long long)nlookup, (unsigned long long)c,
		    (unsigned long long)n->n_nlookup);
		nlookup = n->n_nlookup;
	}
	n->n_nlookup -= nlookup;
	srv->s_st.outstanding -= nlookup;
	if (n->n_nlookup == 0) {
		if (n->n_hashed) {
			pp = &srv->s_hash[hash_of(srv, n->n_dev, n->n_ino)];
			while (*pp != n)
				pp = &(*pp)->n_hnext;
			*pp = n->n_hnext;
		}
		srv->s_slots[c - 1] = NULL;
		srv->s_free[srv->s_nfree++] = (size_t)(c - 1);
		srv->s_st.live--;
		srv->s_st.dropped++;
		if (n->n_busy > 0)
			n->n_dropped = true;	/* the last unpin frees it */
		else
			node_free(srv, n);
	}
	pthread_mutex_unlock(&srv->s_lock);
}

/* ---- set-up ---- */

int
fsrv_init(const char *backing, size_t maxopen, struct fsrv **srvp)
{
	struct fsrv *srv;
	struct stat st;
	pn_cookie_t c;
	int fd, error;

	*srvp = NULL;
	if ((fd = open(backing, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		error = errno;
		close(fd);
		return error;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->s_hash = calloc(1024, sizeof(*srv->s_hash))) == NULL) {
		free(srv);
		close(fd);
		return ENOMEM;
	}
	srv->s_nbuckets = 1024;
	pthread_mutex_init(&srv->s_lock, NULL);
	TAILQ_INIT(&srv->s_lru);
	srv->s_maxopen = maxopen;
	srv->s_handles = maxopen > 0;
	srv->s_switch = geteuid() == 0;
	if ((srv->s_ngroups0 = getgroups(NGROUPS_MAX, srv->s_groups0)) < 0)
		srv->s_ngroups0 = 0;
	if ((error = node_enter(srv, fd, &st, &c)) != 0) {
		fsrv_fini(srv);
		return error;
	}
	*srvp = srv;
	return 0;
}

size_t
fsrv_fini(struct fsrv *srv)
{
	size_t i, left = 0;

	if (srv == NULL)
		return 0;
	for (i = 0; i < srv->s_nslots; i++) {
		if (srv->s_slots[i] == NULL)
			continue;
		node_free(srv, srv->s_slots[i]);
		left++;
	}
	for (i = 0; i < (size_t)srv->s_nmnts; i++)
		close(srv->s_mnts[i].fd);
	free(srv->s_slots);
	free(srv->s_free);
	free(srv->s_hash);
	pthread_mutex_destroy(&srv->s_lock);
	free(srv);
	return left;
}

pn_cookie_t
fsrv_root(const struct fsrv *srv)
{
	(void)srv;
	return 1;	/* the first slot */
}

void
fsrv_stats(struct fsrv *srv, struct fsrv_stats *st)
{
	pthread_mutex_lock(&srv->s_lock);
	*st = srv->s_st;
	pthread_mutex_unlock(&srv->s_lock);
}

int
fsrv_vtype(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return PN_VREG;
	case S_IFDIR:	return PN_VDIR;
	case S_IFLNK:	return PN_VLNK;
	case S_IFCHR:	return PN_VCHR;
	case S_IFBLK:	return PN_VBLK;
	case S_IFIFO:	return PN_VFIFO;
	case S_IFSOCK:	return PN_VSOCK;
	default:	return PN_VBAD;
	}
}

/* ---- lookups and creations ---- */

static int
check_name(const char *name)
{
	size_t len = strnlen(name, NAME_MAX + 1);

	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if (len == 0 || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return EINVAL;
	return 0;
}

static void
procpath(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* Open name in dirfd as an O_PATH node and count a lookup.  Ids switched or not. */
static int
enter_name(struct fsrv *srv, int dirfd, const char *name, struct stat *st,
    pn_cookie_t *cp)
{
	int fd, error;

	if ((fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno;
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
		error = errno;
		close(fd);
		return error;
	}
	return node_enter(srv, fd, st, cp);
}

int
fsrv_lookup(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, struct stat *st, pn_cookie_t *cp)
{
	struct pin d;
	int error;
	bool sw;

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	sw = as_enter(srv, cr);
	error = enter_name(srv, d.p_fd, name, st, cp);
	as_exit(srv, sw);
	node_unpin(srv, &d);
	return denied(srv, error);
}

int
fsrv_create(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, mode_t mode, int flags, int *fdp, struct stat *st,
    pn_cookie_t *cp)
{
	char path[64];
	struct pin d;
	int fd, pfd, error = 0;
	bool sw;

	*fdp = -1;
	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	sw = as_enter(srv, cr);
	fd = openat(d.p_fd, name, (flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) &
	    ~O_NOCTTY, mode & 07777);
	error = fd < 0 ? errno : 0;
	as_exit(srv, sw);
	node_unpin(srv, &d);
	if (error != 0)
		return denied(srv, error);
	procpath(path, sizeof(path), fd);
	if ((pfd = open(path, O_PATH | O_CLOEXEC)) < 0 ||
	    fstatat(pfd, "", st, AT_EMPTY_PATH) != 0) {
		error = errno;
		if (pfd >= 0)
			close(pfd);
		close(fd);
		return error;
	}
	if ((error = node_enter(srv, pfd, st, cp)) != 0) {
		close(fd);
		return error;
	}
	*fdp = fd;
	return 0;
}

int
fsrv_mknod(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, mode_t mode, dev_t rdev, const char *target,
    struct stat *st, pn_cookie_t *cp)
{
	struct pin d;
	int r, error;
	bool sw;

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	sw = as_enter(srv, cr);
	if (S_ISDIR(mode))
		r = mkdirat(d.p_fd, name, mode & 07777);
	else if (S_ISLNK(mode))
		r = target == NULL ? (errno = EINVAL, -1) :
		    symlinkat(target, d.p_fd, name);
	else
		r = mknodat(d.p_fd, name, mode, rdev);
	error = r != 0 ? errno : enter_name(srv, d.p_fd, name, st, cp);
	as_exit(srv, sw);
	node_unpin(srv, &d);
	return denied(srv, error);
}

int
fsrv_link(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    pn_cookie_t dir, const char *name, struct stat *st, pn_cookie_t *cp)
{
	char path[64];
	struct pin f, d;
	int error;
	bool sw;

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, c, &f)) != 0)
		return error;
	if ((error = node_pin(srv, dir, &d)) != 0) {
		node_unpin(srv, &f);
		return error;
	}
	procpath(path, sizeof(path), f.p_fd);
	sw = as_enter(srv, cr);
	if (linkat(AT_FDCWD, path, d.p_fd, name, AT_SYMLINK_FOLLOW) != 0)
		error = errno;
	else
		error = enter_name(srv, d.p_fd, name, st, cp);
	as_exit(srv, sw);
	node_unpin(srv, &d);
	node_unpin(srv, &f);
	return denied(srv, error);
}

/* ---- requests on a node ---- */

int
fsrv_getattr(struct fsrv *srv, pn_cookie_t c, struct stat *st)
{
	struct pin p;
	int error;

	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	if (fstatat(p.p_fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
		error = errno;
	node_unpin(srv, &p);
	return error;
}

static int
set_times(int fd, bool symlink, const struct timespec ts[2])
{
	char path[64];

	if (symlink)
		return utimensat(fd, "", ts, AT_EMPTY_PATH) == 0 ? 0 : errno;
	procpath(path, sizeof(path), fd);
	return utimensat(AT_FDCWD, path, ts, 0) == 0 ? 0 : errno;
}

int
fsrv_setattr(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    int ofd, const struct stat *attr, unsigned valid)
{
	struct timespec ts[2];
	char path[64];
	struct pin p;
	int error;
	bool sw;

	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	procpath(path, sizeof(path), p.p_fd);
	sw = as_enter(srv, cr);
	if (valid & FSRV_SET_MODE) {
		if (p.p_symlink)
			error = EOPNOTSUPP;
		else if (chmod(path, attr->st_mode & 07777) != 0)
			error = errno;
	}
	if (error == 0 && (valid & (FSRV_SET_UID | FSRV_SET_GID))) {
		uid_t uid = (valid & FSRV_SET_UID) ? attr->st_uid : (uid_t)-1;
		gid_t gid = (valid & FSRV_SET_GID) ? attr->st_gid : (gid_t)-1;

		if (fchownat(p.p_fd, "", uid, gid,
		    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
			error = errno;
	}
	if (error == 0 && (valid & FSRV_SET_SIZE)) {
		if (ofd >= 0 ? ftruncate(ofd, attr->st_size) != 0 :
		    truncate(path, attr->st_size) != 0)
			error = errno;
	}
	if (error == 0 && (valid & (FSRV_SET_ATIME | FSRV_SET_MTIME))) {
		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1] = ts[0];
		if (valid & FSRV_SET_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (valid & FSRV_SET_ATIME)
			ts[0] = attr->st_atim;
		if (valid & FSRV_SET_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (valid & FSRV_SET_MTIME)
			ts[1] = attr->st_mtim;
		if (ofd >= 0 && !p.p_symlink)
			error = futimens(ofd, ts) == 0 ? 0 : errno;
		else
			error = set_times(p.p_fd, p.p_symlink, ts);
	}
	as_exit(srv, sw);
	node_unpin(srv, &p);
	return denied(srv, error);
}

int
fsrv_settimes(struct fsrv *srv, pn_cookie_t c, const struct timespec ts[2])
{
	struct pin p;
	int error;

	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	error = set_times(p.p_fd, p.p_symlink, ts);
	node_unpin(srv, &p);
	return error;
}

int
fsrv_open(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    int flags, int *fdp)
{
	char path[64];
	struct pin p;
	int nfd, error;
	bool sw;

	*fdp = -1;
	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	procpath(path, sizeof(path), p.p_fd);
	sw = as_enter(srv, cr);
	nfd = open(path, (flags | O_CLOEXEC) &
	    ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW));
	error = nfd < 0 ? errno : 0;
	as_exit(srv, sw);
	node_unpin(srv, &p);
	if (error != 0)
		return denied(srv, error);
	*fdp = nfd;
	return 0;
}

int
fsrv_opendir(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    DIR **dpp)
{
	struct pin p;
	int dfd, error;
	bool sw;

	*dpp = NULL;
	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	sw = as_enter(srv, cr);
	dfd = openat(p.p_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	error = dfd < 0 ? errno : 0;
	as_exit(srv, sw);
	node_unpin(srv, &p);
	if (error != 0)
		return denied(srv, error);
	if ((*dpp = fdopendir(dfd)) == NULL) {
		error = errno;
		close(dfd);
		return error;
	}
	return 0;
}

int
fsrv_readlink(struct fsrv *srv, pn_cookie_t c, char *buf, size_t size,
    size_t *lenp)
{
	struct pin p;
	ssize_t n;
	int error;

	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	if ((n = readlinkat(p.p_fd, "", buf, size)) < 0)
		error = errno;
	else
		*lenp = (size_t)n;
	node_unpin(srv, &p);
	return error;
}

int
fsrv_statfs(struct fsrv *srv, pn_cookie_t c, struct statvfs *sv)
{
	struct pin p;
	int error;

	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	if (fstatvfs(p.p_fd, sv) != 0)
		error = errno;
	node_unpin(srv, &p);
	return error;
}

/* ---- namespace changes ---- */

int
fsrv_unlink(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, bool isdir)
{
	struct pin d;
	int error;
	bool sw;

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	sw = as_enter(srv, cr);
	error = unlinkat(d.p_fd, name, isdir ? AT_REMOVEDIR : 0) == 0 ? 0 :
	    errno;
	as_exit(srv, sw);
	node_unpin(srv, &d);
	return denied(srv, error);
}

int
fsrv_rename(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t fdir,
    const char *fname, pn_cookie_t tdir, const char *tname, unsigned flags)
{
	struct pin f, t;
	int error;
	bool sw;

	if ((error = check_name(fname)) != 0 ||
	    (error = check_name(tname)) != 0)
		return error;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return EINVAL;
	if ((error = node_pin(srv, fdir, &f)) != 0)
		return error;
	if ((error = node_pin(srv, tdir, &t)) != 0) {
		node_unpin(srv, &f);
		return error;
	}
	sw = as_enter(srv, cr);
	error = renameat2(f.p_fd, fname, t.p_fd, tname, flags) == 0 ? 0 :
	    errno;
	as_exit(srv, sw);
	node_unpin(srv, &t);
	node_unpin(srv, &f);
	return denied(srv, error);
}
