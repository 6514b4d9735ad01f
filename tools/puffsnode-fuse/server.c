/*
 * server.c -- the passthrough file server: cookies for the inodes of a
 * backing directory.
 *
 * Nodes.  One node per backing inode (st_dev, st_ino), found through a
 * hash table; each holds an O_PATH descriptor of its inode, which keeps
 * the inode (and so its number) alive while the node exists, and a
 * lookup count.  A node's cookie is its slot number plus one; slots are
 * reused once a node is dropped, so cookies are reused too, as a real
 * server's would be -- telling a reused cookie from the node it replaces
 * is the node layer's job (pn_node_gen).
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
 * Locking: one mutex covers the slots, the hash table and the counts.
 * System calls run outside it; a descriptor read under it stays valid
 * because the host holds a lookup on every node it names in a request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server.h"

struct snode {
	pn_cookie_t	 n_cookie;
	dev_t		 n_dev;
	ino_t		 n_ino;
	int		 n_fd;		/* O_PATH */
	bool		 n_symlink;
	uint64_t	 n_nlookup;
	struct snode	*n_hnext;	/* hash chain */
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

/* The node's descriptor, or -1 (ESTALE) for an unknown cookie. */
static int
node_fd(struct fsrv *srv, pn_cookie_t c, bool *symlinkp)
{
	struct snode *n;
	int fd = -1;

	pthread_mutex_lock(&srv->s_lock);
	if ((n = node_get(srv, c)) != NULL) {
		fd = n->n_fd;
		if (symlinkp != NULL)
			*symlinkp = n->n_symlink;
	}
	pthread_mutex_unlock(&srv->s_lock);
	return fd;
}

/*
 * Count one lookup of the inode behind fd (an O_PATH descriptor, given
 * to the node or closed), making its node if there is none.
 */
static int
node_enter(struct fsrv *srv, int fd, const struct stat *st, pn_cookie_t *cp)
{
	struct snode *n;
	size_t h, slot;

	pthread_mutex_lock(&srv->s_lock);
	h = hash_of(srv, st->st_dev, st->st_ino);
	for (n = srv->s_hash[h]; n != NULL; n = n->n_hnext)
		if (n->n_dev == st->st_dev && n->n_ino == st->st_ino)
			break;
	if (n != NULL) {
		n->n_nlookup++;
		srv->s_st.outstanding++;
		srv->s_st.lookups++;
		*cp = n->n_cookie;
		pthread_mutex_unlock(&srv->s_lock);
		close(fd);
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
	n->n_symlink = S_ISLNK(st->st_mode);
	n->n_nlookup = 1;
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
	pthread_mutex_unlock(&srv->s_lock);
	return 0;
nomem:
	pthread_mutex_unlock(&srv->s_lock);
	close(fd);
	return ENOMEM;
}

void
fsrv_forget(struct fsrv *srv, pn_cookie_t c, uint64_t nlookup)
{
	struct snode *n, **pp;
	int fd = -1;

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
		pp = &srv->s_hash[hash_of(srv, n->n_dev, n->n_ino)];
		while (*pp != n)
			pp = &(*pp)->n_hnext;
		*pp = n->n_hnext;
		srv->s_slots[c - 1] = NULL;
		srv->s_free[srv->s_nfree++] = (size_t)(c - 1);
		srv->s_st.live--;
		srv->s_st.dropped++;
		fd = n->n_fd;
		free(n);
	}
	pthread_mutex_unlock(&srv->s_lock);
	if (fd >= 0)
		close(fd);
}

/* ---- set-up ---- */

int
fsrv_init(const char *backing, struct fsrv **srvp)
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
		close(srv->s_slots[i]->n_fd);
		free(srv->s_slots[i]);
		left++;
	}
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
	int dirfd, error;
	bool sw;

	if ((error = check_name(name)) != 0)
		return error;
	if ((dirfd = node_fd(srv, dir, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	error = enter_name(srv, dirfd, name, st, cp);
	as_exit(srv, sw);
	return denied(srv, error);
}

int
fsrv_create(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, mode_t mode, int flags, int *fdp, struct stat *st,
    pn_cookie_t *cp)
{
	char path[64];
	int dirfd, fd, pfd, error = 0;
	bool sw;

	*fdp = -1;
	if ((error = check_name(name)) != 0)
		return error;
	if ((dirfd = node_fd(srv, dir, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	fd = openat(dirfd, name, (flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) &
	    ~O_NOCTTY, mode & 07777);
	as_exit(srv, sw);
	if (fd < 0)
		return denied(srv, errno);
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
	int dirfd, r, error;
	bool sw;

	if ((error = check_name(name)) != 0)
		return error;
	if ((dirfd = node_fd(srv, dir, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	if (S_ISDIR(mode))
		r = mkdirat(dirfd, name, mode & 07777);
	else if (S_ISLNK(mode))
		r = target == NULL ? (errno = EINVAL, -1) :
		    symlinkat(target, dirfd, name);
	else
		r = mknodat(dirfd, name, mode, rdev);
	error = r != 0 ? errno : enter_name(srv, dirfd, name, st, cp);
	as_exit(srv, sw);
	return denied(srv, error);
}

int
fsrv_link(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    pn_cookie_t dir, const char *name, struct stat *st, pn_cookie_t *cp)
{
	char path[64];
	int fd, dirfd, error;
	bool sw;

	if ((error = check_name(name)) != 0)
		return error;
	if ((fd = node_fd(srv, c, NULL)) < 0 ||
	    (dirfd = node_fd(srv, dir, NULL)) < 0)
		return ESTALE;
	procpath(path, sizeof(path), fd);
	sw = as_enter(srv, cr);
	if (linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW) != 0)
		error = errno;
	else
		error = enter_name(srv, dirfd, name, st, cp);
	as_exit(srv, sw);
	return denied(srv, error);
}

/* ---- requests on a node ---- */

int
fsrv_getattr(struct fsrv *srv, pn_cookie_t c, struct stat *st)
{
	int fd;

	if ((fd = node_fd(srv, c, NULL)) < 0)
		return ESTALE;
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
		return errno;
	return 0;
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
	int fd, error = 0;
	bool sw, symlink = false;

	if ((fd = node_fd(srv, c, &symlink)) < 0)
		return ESTALE;
	procpath(path, sizeof(path), fd);
	sw = as_enter(srv, cr);
	if (valid & FSRV_SET_MODE) {
		if (symlink)
			error = EOPNOTSUPP;
		else if (chmod(path, attr->st_mode & 07777) != 0)
			error = errno;
	}
	if (error == 0 && (valid & (FSRV_SET_UID | FSRV_SET_GID))) {
		uid_t uid = (valid & FSRV_SET_UID) ? attr->st_uid : (uid_t)-1;
		gid_t gid = (valid & FSRV_SET_GID) ? attr->st_gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid,
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
		if (ofd >= 0 && !symlink)
			error = futimens(ofd, ts) == 0 ? 0 : errno;
		else
			error = set_times(fd, symlink, ts);
	}
	as_exit(srv, sw);
	return denied(srv, error);
}

int
fsrv_settimes(struct fsrv *srv, pn_cookie_t c, const struct timespec ts[2])
{
	bool symlink = false;
	int fd;

	if ((fd = node_fd(srv, c, &symlink)) < 0)
		return ESTALE;
	return set_times(fd, symlink, ts);
}

int
fsrv_open(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    int flags, int *fdp)
{
	char path[64];
	int fd, nfd;
	bool sw;

	*fdp = -1;
	if ((fd = node_fd(srv, c, NULL)) < 0)
		return ESTALE;
	procpath(path, sizeof(path), fd);
	sw = as_enter(srv, cr);
	nfd = open(path, (flags | O_CLOEXEC) &
	    ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW));
	as_exit(srv, sw);
	if (nfd < 0)
		return denied(srv, errno);
	*fdp = nfd;
	return 0;
}

int
fsrv_opendir(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    DIR **dpp)
{
	int fd, dfd, error;
	bool sw;

	*dpp = NULL;
	if ((fd = node_fd(srv, c, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	as_exit(srv, sw);
	if (dfd < 0)
		return denied(srv, errno);
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
	ssize_t n;
	int fd;

	if ((fd = node_fd(srv, c, NULL)) < 0)
		return ESTALE;
	if ((n = readlinkat(fd, "", buf, size)) < 0)
		return errno;
	*lenp = (size_t)n;
	return 0;
}

int
fsrv_statfs(struct fsrv *srv, pn_cookie_t c, struct statvfs *sv)
{
	int fd;

	if ((fd = node_fd(srv, c, NULL)) < 0)
		return ESTALE;
	return fstatvfs(fd, sv) == 0 ? 0 : errno;
}

/* ---- namespace changes ---- */

int
fsrv_unlink(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t dir,
    const char *name, bool isdir)
{
	int dirfd, error;
	bool sw;

	if ((error = check_name(name)) != 0)
		return error;
	if ((dirfd = node_fd(srv, dir, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	error = unlinkat(dirfd, name, isdir ? AT_REMOVEDIR : 0) == 0 ? 0 :
	    errno;
	as_exit(srv, sw);
	return denied(srv, error);
}

int
fsrv_rename(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t fdir,
    const char *fname, pn_cookie_t tdir, const char *tname, unsigned flags)
{
	int ffd, tfd, error;
	bool sw;

	if ((error = check_name(fname)) != 0 ||
	    (error = check_name(tname)) != 0)
		return error;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return EINVAL;
	if ((ffd = node_fd(srv, fdir, NULL)) < 0 ||
	    (tfd = node_fd(srv, tdir, NULL)) < 0)
		return ESTALE;
	sw = as_enter(srv, cr);
	error = renameat2(ffd, fname, tfd, tname, flags) == 0 ? 0 : errno;
	as_exit(srv, sw);
	return denied(srv, error);
}
