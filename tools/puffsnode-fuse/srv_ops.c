/*
 * srv_ops.c -- the passthrough server's requests.
 *
 * Each request pins the descriptors of the nodes it names and makes its
 * system calls on them, under the caller's ids where it has a regular
 * credential (ids.c).  Requests reach the backing inodes through their
 * descriptors, or through /proc/self/fd/N where a system call wants a
 * path (open, chmod, truncate, utimensat), never through a path name of
 * the backing tree, so renames elsewhere cannot redirect them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_impl.h"

static int
denied(struct fsrv *srv, int error)
{
	if (error == EACCES || error == EPERM) {
		br_mutex_lock(&srv->s_lock);
		srv->s_st.denied++;
		br_mutex_unlock(&srv->s_lock);
	}
	return error;
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

	if ((fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 &&
	    (!fsrv_fd_relieve(srv, errno) || (fd = openat(dirfd, name,
	    O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0))
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

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	ids_set(srv, cr);
	error = enter_name(srv, d.p_fd, name, st, cp);
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

	*fdp = -1;
	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	ids_set(srv, cr);
	/* EMFILE comes before the name is made: trying again is safe. */
	do
		fd = openat(d.p_fd, name, (flags | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC) & ~O_NOCTTY, mode & 07777);
	while (fd < 0 && fsrv_fd_relieve(srv, errno));
	error = fd < 0 ? errno : 0;
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

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	ids_set(srv, cr);
	if (S_ISDIR(mode))
		r = mkdirat(d.p_fd, name, mode & 07777);
	else if (S_ISLNK(mode))
		r = target == NULL ? (errno = EINVAL, -1) :
		    symlinkat(target, d.p_fd, name);
	else
		r = mknodat(d.p_fd, name, mode, rdev);
	error = r != 0 ? errno : enter_name(srv, d.p_fd, name, st, cp);
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

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, c, &f)) != 0)
		return error;
	if ((error = node_pin(srv, dir, &d)) != 0) {
		node_unpin(srv, &f);
		return error;
	}
	procpath(path, sizeof(path), f.p_fd);
	ids_set(srv, cr);
	if (linkat(AT_FDCWD, path, d.p_fd, name, AT_SYMLINK_FOLLOW) != 0)
		error = errno;
	else
		error = enter_name(srv, d.p_fd, name, st, cp);
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
set_times(int fd, const struct timespec ts[2])
{
	return utimensat(fd, "", ts, AT_EMPTY_PATH) == 0 ? 0 : errno;
}

/* The times valid and attr ask for; whether any. */
static bool
times_of(const struct stat *attr, unsigned valid, struct timespec ts[2])
{
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
	return (valid & (FSRV_SET_ATIME | FSRV_SET_MTIME)) != 0;
}

/* Through an open file: every change on ofd, no node descriptor. */
static int
setattr_fd(int ofd, const struct stat *attr, unsigned valid,
    struct stat *st)
{
	struct timespec ts[2];
	uid_t uid = (valid & FSRV_SET_UID) ? attr->st_uid : (uid_t)-1;
	gid_t gid = (valid & FSRV_SET_GID) ? attr->st_gid : (gid_t)-1;

	if ((valid & FSRV_SET_MODE) && fchmod(ofd, attr->st_mode & 07777) != 0)
		return errno;
	if ((valid & (FSRV_SET_UID | FSRV_SET_GID)) &&
	    fchown(ofd, uid, gid) != 0)
		return errno;
	if ((valid & FSRV_SET_SIZE) && ftruncate(ofd, attr->st_size) != 0)
		return errno;
	if (times_of(attr, valid, ts) && futimens(ofd, ts) != 0)
		return errno;
	return fstat(ofd, st) == 0 ? 0 : errno;
}

/* Through the node's descriptor (and /proc/self/fd for a path). */
static int
setattr_node(const struct pin *p, const struct stat *attr, unsigned valid,
    struct stat *st)
{
	struct timespec ts[2];
	char path[64];
	uid_t uid = (valid & FSRV_SET_UID) ? attr->st_uid : (uid_t)-1;
	gid_t gid = (valid & FSRV_SET_GID) ? attr->st_gid : (gid_t)-1;
	int error;

	procpath(path, sizeof(path), p->p_fd);
	if (valid & FSRV_SET_MODE) {
		if (p->p_symlink)
			return EOPNOTSUPP;
		if (chmod(path, attr->st_mode & 07777) != 0)
			return errno;
	}
	if ((valid & (FSRV_SET_UID | FSRV_SET_GID)) && fchownat(p->p_fd, "",
	    uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
		return errno;
	if ((valid & FSRV_SET_SIZE) && truncate(path, attr->st_size) != 0)
		return errno;
	if (times_of(attr, valid, ts) &&
	    (error = set_times(p->p_fd, ts)) != 0)
		return error;
	return fstatat(p->p_fd, "", st, AT_EMPTY_PATH |
	    AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

/*
 * The mode a write by cr leaves on a file of mode and group st: no
 * set-uid bit; no set-gid bit if group execute is set or cr is not in
 * the group (cr is not root: the caller holds no CAP_FSETID).
 */
static mode_t
killpriv_mode(const struct pn_kcred *cr, const struct stat *st)
{
	mode_t m = st->st_mode & 07777;

	m &= ~(mode_t)S_ISUID;
	if ((m & S_ISGID) && ((m & S_IXGRP) ||
	    !pn_cred_hasgroup(cr, (uint32_t)st->st_gid)))
		m &= ~(mode_t)S_ISGID;
	return m;
}

/*
 * Whether a request clears set-uid / set-gid bits before a write,
 * truncate or chown (see br_setattr()): FSRV_SET_KILLPRIV, or a mode
 * change from a caller who is neither root nor the owner that only
 * clears such bits.  *mode: what the bits are to become.
 */
static bool
is_killpriv(const struct pn_kcred *cr, int fd, const struct stat *attr,
    unsigned valid, mode_t *mode)
{
	struct stat st;
	uint32_t uid;
	mode_t cur, gone;

	if (cr == NULL || !pn_cred_isregular(cr) ||
	    pn_cred_getuid(cr, &uid) != PN_OK || uid == 0 ||
	    fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode))
		return false;
	cur = st.st_mode & 07777;
	*mode = killpriv_mode(cr, &st);
	if (valid & FSRV_SET_KILLPRIV)
		return *mode != cur;
	gone = cur & ~(attr->st_mode & 07777);
	return st.st_uid != (uid_t)uid && (attr->st_mode & 07777 & ~cur) == 0 &&
	    gone != 0 && (gone & ~(mode_t)(S_ISUID | S_ISGID)) == 0;
}

/* Through open file ofd if not -1, else the node's descriptor. */
static int
setattr_any(const struct pin *p, int ofd, const struct stat *attr,
    unsigned valid, struct stat *st)
{
	return ofd >= 0 ? setattr_fd(ofd, attr, valid, st) :
	    setattr_node(p, attr, valid, st);
}

int
fsrv_setattr(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    int ofd, const struct stat *attr, unsigned valid, struct stat *st)
{
	struct pin p = { NULL, -1, false };
	struct stat kattr;
	mode_t kmode;
	int error = 0;

	if (ofd < 0 && (error = node_pin(srv, c, &p)) != 0)
		return error;
	if ((valid & (FSRV_SET_MODE | FSRV_SET_KILLPRIV)) &&
	    is_killpriv(cr, ofd >= 0 ? ofd : p.p_fd, attr, valid, &kmode)) {
		kattr = *attr;
		kattr.st_mode = kmode;
		ids_set(srv, NULL);	/* as the file system */
		error = setattr_any(&p, ofd, &kattr, FSRV_SET_MODE, st);
		valid &= ~(unsigned)FSRV_SET_MODE;
	}
	if (error == 0) {
		ids_set(srv, cr);
		error = setattr_any(&p, ofd, attr, valid, st);
	}
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
	ids_set(srv, NULL);	/* as the file system */
	error = set_times(p.p_fd, ts);
	node_unpin(srv, &p);
	return error;
}

/* Whether cr is a regular credential of a uid other than 0. */
static bool
cred_unprivileged(const struct pn_kcred *cr)
{
	uint32_t uid;

	return cr != NULL && pn_cred_isregular(cr) &&
	    pn_cred_getuid(cr, &uid) == PN_OK && uid != 0;
}

static bool
st_privbits(const struct stat *st)
{
	return S_ISREG(st->st_mode) &&
	    (st->st_mode & (S_ISUID | S_ISGID)) != 0;
}

int
fsrv_open(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    int flags, int *fdp, bool *privp)
{
	struct stat st;
	char path[64];
	struct pin p;
	int nfd, error;

	*fdp = -1;
	*privp = false;
	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	/*
	 * An O_TRUNC open by another user than root clears set-uid and
	 * set-gid bits in the backing kernel (the caller's ids hold no
	 * CAP_FSETID): say so, the kernel's cached mode must go.
	 */
	if ((flags & O_TRUNC) && cred_unprivileged(cr) &&
	    fstatat(p.p_fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
		*privp = st_privbits(&st);
	procpath(path, sizeof(path), p.p_fd);
	ids_set(srv, cr);
	do
		nfd = open(path, (flags | O_CLOEXEC) &
		    ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW));
	while (nfd < 0 && fsrv_fd_relieve(srv, errno));
	error = nfd < 0 ? errno : 0;
	node_unpin(srv, &p);
	if (error != 0)
		return denied(srv, error);
	*fdp = nfd;
	return 0;
}

bool
fsrv_privbits(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st_privbits(&st);
}

int
fsrv_killpriv_fd(struct fsrv *srv, const struct pn_kcred *cr, int fd,
    bool *clearedp)
{
	struct stat st;
	mode_t mode;

	*clearedp = false;
	if (!cred_unprivileged(cr))
		return 0;
	if (fstat(fd, &st) != 0)
		return errno;
	if (!st_privbits(&st) ||
	    (mode = killpriv_mode(cr, &st)) == (st.st_mode & 07777))
		return 0;
	ids_set(srv, NULL);	/* as the file system */
	if (fchmod(fd, mode) != 0)
		return errno;
	*clearedp = true;
	return 0;
}

int
fsrv_opendir(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t c,
    DIR **dpp)
{
	char path[64];
	struct pin p;
	int dfd, error;

	*dpp = NULL;
	if ((error = node_pin(srv, c, &p)) != 0)
		return error;
	/* Not openat(fd, "."): a lookup of "." needs search permission. */
	procpath(path, sizeof(path), p.p_fd);
	ids_set(srv, cr);
	do
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (dfd < 0 && fsrv_fd_relieve(srv, errno));
	error = dfd < 0 ? errno : 0;
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

	if ((error = check_name(name)) != 0 ||
	    (error = node_pin(srv, dir, &d)) != 0)
		return error;
	ids_set(srv, cr);
	error = unlinkat(d.p_fd, name, isdir ? AT_REMOVEDIR : 0) == 0 ? 0 :
	    errno;
	node_unpin(srv, &d);
	return denied(srv, error);
}

int
fsrv_rename(struct fsrv *srv, const struct pn_kcred *cr, pn_cookie_t fdir,
    const char *fname, pn_cookie_t tdir, const char *tname, unsigned flags)
{
	struct pin f, t;
	int error;

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
	ids_set(srv, cr);
	error = renameat2(f.p_fd, fname, t.p_fd, tname, flags) == 0 ? 0 :
	    errno;
	node_unpin(srv, &t);
	node_unpin(srv, &f);
	return denied(srv, error);
}
