/*
 * bridge.c -- the FUSE low-level operations of puffsnode-fuse.
 *
 * Each request names its nodes by FUSE node id: a simulator vnode, kept
 * in use by the kernel's lookup count (kref.c).  The request's
 * credential (uid, gid, supplementary groups of the calling process) is
 * made the thread's simulator credential and converted to wire form with
 * pn_credcvt() or, for requests that name a component, pn_makecn(); the
 * server performs the request under it, so the backing kernel checks
 * permissions.  The name-cache shortcut in LOOKUP checks search
 * permission itself with pn_access().
 *
 * Lookups.  LOOKUP asks the simulator's name cache, else the server for
 * (cookie, type, size, rdev) and turns the cookie into a vnode with
 * pn_getvnode(); the server's lookup is recorded on the vnode
 * (pn_sim_addlookup) and forgotten when the vnode is reclaimed.
 * CREATE, MKDIR, MKNOD and SYMLINK make their vnode with pn_newnode().
 * Every entry given to the kernel counts one kernel lookup of its node
 * id and carries the node's generation (pn_node_gen), so that a node id
 * or cookie reused later is told apart by the kernel.
 *
 * Metadata cache.  READ marks the access time and WRITE the modification
 * time in the node's metadata cache (pn_updatenode); FLUSH, RELEASE,
 * FSYNC, SETATTR and the last FORGET write them to the backing file
 * (pn_metacache_take, then utimensat as the file system); an access
 * time alone only when relatime rules call for it.  GETATTR does not
 * flush: a flush changes the ctime that tar and git compare.
 *
 * Namespace operations hold the simulator's vnode lock of their
 * directories (two in address order for RENAME), as the simulator's own
 * calls do, and keep its name cache in step.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"

static struct bridge *
req_bridge(fuse_req_t req)
{
	struct bridge *br = fuse_req_userdata(req);

	CNT(br, requests);
	return br;
}

static pn_cookie_t
vcookie(struct bridge *br, struct pn_vnode *vp)
{
	return pn_sim_vnode_cookie(br->br_sim, vp);
}

static int
pnerr(int error)
{
	return pn_sim_errno(error);
}

/* ---- the metadata cache ---- */

/*
 * An access time is worth writing as relatime(8) would: if the file's
 * is not later than its modification or change time, or is a day old.
 * Writing one changes the ctime, which tar, git and rsync watch.
 */
static bool
atime_due(const struct stat *st, const struct pn_timespec *at)
{
	return st->st_atim.tv_sec < st->st_mtim.tv_sec ||
	    (st->st_atim.tv_sec == st->st_mtim.tv_sec &&
	    st->st_atim.tv_nsec <= st->st_mtim.tv_nsec) ||
	    st->st_atim.tv_sec < st->st_ctim.tv_sec ||
	    (st->st_atim.tv_sec == st->st_ctim.tv_sec &&
	    st->st_atim.tv_nsec <= st->st_ctim.tv_nsec) ||
	    at->tv_sec - (int64_t)st->st_atim.tv_sec >= 24 * 60 * 60;
}

/*
 * Take the node's cached times: *ts (UTIME_OMIT where none) if any is
 * worth writing, else false.
 */
static bool
meta_take(struct bridge *br, struct pn_vnode *vp, struct timespec ts[2])
{
	struct pn_metacache mc;
	struct pn_node *pn;
	struct stat st;
	pn_cookie_t c;

	if ((pn = pn_vnode2node(br->br_mp, vp)) == NULL ||
	    (c = pn_node_cookie(pn)) == 0 ||
	    pn_metacache_take(pn, &mc) != PN_OK ||
	    (mc.mc_flags & (PN_UPDATE_ATIME | PN_UPDATE_MTIME)) == 0)
		return false;
	if ((mc.mc_flags & (PN_UPDATE_ATIME | PN_UPDATE_MTIME)) ==
	    PN_UPDATE_ATIME && (fsrv_getattr(br->br_srv, c, &st) != 0 ||
	    !atime_due(&st, &mc.mc_atime)))
		return false;
	ts[0].tv_sec = ts[1].tv_sec = 0;
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	if (mc.mc_flags & PN_UPDATE_ATIME) {
		ts[0].tv_sec = (time_t)mc.mc_atime.tv_sec;
		ts[0].tv_nsec = (long)mc.mc_atime.tv_nsec;
	}
	if (mc.mc_flags & PN_UPDATE_MTIME) {
		ts[1].tv_sec = (time_t)mc.mc_mtime.tv_sec;
		ts[1].tv_nsec = (long)mc.mc_mtime.tv_nsec;
	}
	return true;
}

void
meta_flush(struct bridge *br, struct pn_vnode *vp)
{
	struct timespec ts[2];

	if (meta_take(br, vp, ts) &&
	    fsrv_settimes(br->br_srv, vcookie(br, vp), ts) == 0)
		CNT(br, meta_flushes);
}

/*
 * SETATTR and the node's cached times.  A request that sets explicit
 * times (tar, cp -p, touch -d) takes the cached ones it does not set
 * along: one utimensat for both, and the request's own win.  Otherwise
 * the cached times are written first, as the file system.
 */
static void
meta_setattr(struct bridge *br, struct pn_vnode *vp, struct stat *attr,
    unsigned *valid)
{
	struct timespec ts[2];

	if (!meta_take(br, vp, ts))
		return;
	if ((*valid & (FSRV_SET_ATIME | FSRV_SET_MTIME)) == 0 ||
	    (*valid & (FSRV_SET_ATIME_NOW | FSRV_SET_MTIME_NOW)) != 0) {
		if (fsrv_settimes(br->br_srv, vcookie(br, vp), ts) == 0)
			CNT(br, meta_flushes);
		return;
	}
	if (!(*valid & FSRV_SET_ATIME) && ts[0].tv_nsec != UTIME_OMIT) {
		attr->st_atim = ts[0];
		*valid |= FSRV_SET_ATIME;
	}
	if (!(*valid & FSRV_SET_MTIME) && ts[1].tv_nsec != UTIME_OMIT) {
		attr->st_mtim = ts[1];
		*valid |= FSRV_SET_MTIME;
	}
	CNT(br, meta_merged);
}

static void
meta_mark(struct bridge *br, struct pn_vnode *vp, unsigned flags)
{
	struct pn_node *pn;

	if ((pn = pn_vnode2node(br->br_mp, vp)) != NULL)
		(void)pn_updatenode(pn, flags);
}

/* ---- entries ---- */

static void
fill_entry(struct bridge *br, struct pn_vnode *vp, const struct stat *st,
    struct fuse_entry_param *e)
{
	struct pn_node *pn = pn_vnode2node(br->br_mp, vp);

	memset(e, 0, sizeof(*e));
	e->ino = vp2ino(br, vp);
	e->generation = pn != NULL ? pn_node_gen(pn) : 0;
	e->attr = *st;
	e->attr_timeout = br->br_timeout;
	e->entry_timeout = br->br_timeout;
}

/* A vnode for a cookie the server just counted a lookup of. */
static int
cookie_vnode(struct bridge *br, pn_cookie_t c, const struct stat *st,
    struct pn_vnode **vpp)
{
	int error;

	error = pn_getvnode(br->br_mp, c, fsrv_vtype(st->st_mode),
	    (int64_t)st->st_size, (uint64_t)st->st_rdev, vpp);
	if (error != PN_OK) {
		fsrv_forget(br->br_srv, c, 1);
		return pnerr(error);
	}
	(void)pn_sim_addlookup(br->br_sim, *vpp);
	return 0;
}

/*
 * One component: the name cache (with a search-permission check on the
 * directory), else the server.  Returns the vnode referenced, and its
 * attributes.
 */
static int
do_lookup(struct bridge *br, struct pn_vnode *dvp, const char *name,
    struct rcred *rc, struct stat *st, struct pn_vnode **vpp)
{
	struct pn_vnode *vp;
	struct stat dst;
	pn_cookie_t c;
	int error;

	*vpp = NULL;
	if (pn_sim_cache_lookup(br->br_sim, dvp, name, &vp) == PN_OK) {
		/* The server was not asked: check search permission here. */
		bool root = pn_cred_isjuggernaut(&rc->rc_kcred);

		error = root ? 0 : fsrv_getattr(br->br_srv, vcookie(br, dvp),
		    &dst);
		if (error == 0 && !root && pn_access(PN_VDIR,
		    dst.st_mode & 07777, dst.st_uid, dst.st_gid, PN_VEXEC,
		    &rc->rc_kcred) != PN_OK)
			error = EACCES;
		if (error == 0)
			error = fsrv_getattr(br->br_srv, vcookie(br, vp), st);
		if (error == 0) {
			CNT(br, nc_used);
			*vpp = vp;
			return 0;
		}
		pn_sim_vrele(br->br_sim, vp);
		if (error == EACCES)
			return error;
	}
	if ((error = fsrv_lookup(br->br_srv, &rc->rc_kcred, vcookie(br, dvp),
	    name, st, &c)) != 0)
		return error;
	if ((error = cookie_vnode(br, c, st, &vp)) != 0)
		return error;
	(void)pn_sim_cache_enter(br->br_sim, dvp, vp, name);
	*vpp = vp;
	return 0;
}

static void
reply_entry(struct bridge *br, fuse_req_t req, fuse_ino_t parent,
    const char *name, struct pn_vnode *vp, const struct stat *st)
{
	struct fuse_entry_param e;
	int error;

	fill_entry(br, vp, st, &e);
	if ((error = kref_take(br, vp, parent, name)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	fuse_reply_entry(req, &e);
}

static void
br_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *vp;
	struct rcred rc;
	struct stat st;
	int error;

	if ((error = req_cred(br, req, &rc)) != 0 ||
	    (error = do_lookup(br, ino2vp(br, parent), name, &rc, &st,
	    &vp)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	reply_entry(br, req, parent, name, vp, &st);
}

static void
br_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct bridge *br = req_bridge(req);

	CNT(br, kforgets);
	kref_drop(br, ino2vp(br, ino), nlookup);
	fuse_reply_none(req);
}

static void
br_forget_multi(fuse_req_t req, size_t count,
    struct fuse_forget_data *forgets)
{
	struct bridge *br = req_bridge(req);
	size_t i;

	for (i = 0; i < count; i++) {
		CNT(br, kforgets);
		kref_drop(br, ino2vp(br, forgets[i].ino), forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

/* ---- attributes ---- */

static void
br_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *vp = ino2vp(br, ino);
	struct stat st;
	int error;

	(void)fi;
	/* No flush here: writing times changes the ctime a caller checks. */
	if ((error = fsrv_getattr(br->br_srv, vcookie(br, vp), &st)) != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_attr(req, &st, br->br_timeout);
}

static unsigned
setattr_valid(int to_set)
{
	unsigned valid = 0;

	if (to_set & FUSE_SET_ATTR_MODE)
		valid |= FSRV_SET_MODE;
	if (to_set & FUSE_SET_ATTR_UID)
		valid |= FSRV_SET_UID;
	if (to_set & FUSE_SET_ATTR_GID)
		valid |= FSRV_SET_GID;
	if (to_set & FUSE_SET_ATTR_SIZE)
		valid |= FSRV_SET_SIZE;
	if (to_set & FUSE_SET_ATTR_ATIME)
		valid |= FSRV_SET_ATIME;
	if (to_set & FUSE_SET_ATTR_MTIME)
		valid |= FSRV_SET_MTIME;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		valid |= FSRV_SET_ATIME | FSRV_SET_ATIME_NOW;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		valid |= FSRV_SET_MTIME | FSRV_SET_MTIME_NOW;
	return valid;
}

/*
 * Set-uid and set-gid bits.  Before a write, a truncate or a chown by a
 * caller without CAP_FSETID, the kernel sends a SETATTR that clears them,
 * as the caller, who need not own the file (the kernel forces the change
 * past its own owner check): with the mode they leave, or with nothing
 * to change where its rules find nothing to clear (a set-gid bit without
 * group execute).  Under default_permissions no other mode change from a
 * non-owner, and no empty SETATTR, reaches us; the server clears the
 * bits as the backing file system's rules would for the caller, as the
 * file system itself (fsrv_setattr), and makes the rest as the caller.
 * The reply carries the new mode to the kernel's cache.
 */
static void
br_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *vp = ino2vp(br, ino);
	unsigned valid = setattr_valid(to_set);
	struct rcred rc;
	struct stat st;
	int error;

	if ((error = req_cred(br, req, &rc)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	if (to_set == 0 && fuse_req_ctx(req)->uid != 0)
		valid = FSRV_SET_KILLPRIV;
	meta_setattr(br, vp, attr, &valid);
	/* fi: only for a size change of an open file (ftruncate, O_TRUNC). */
	if ((error = fsrv_setattr(br->br_srv, &rc.rc_kcred, vcookie(br, vp),
	    fi != NULL ? (int)fi->fh : -1, attr, valid, &st)) != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_attr(req, &st, br->br_timeout);
}

static void
br_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct bridge *br = req_bridge(req);
	struct rcred rc;
	struct stat st;
	uint32_t acc = 0;
	int error;

	if ((error = req_cred(br, req, &rc)) != 0 ||
	    (error = fsrv_getattr(br->br_srv, vcookie(br, ino2vp(br, ino)),
	    &st)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	if (mask & R_OK)
		acc |= PN_VREAD;
	if (mask & W_OK)
		acc |= PN_VWRITE;
	if (mask & X_OK)
		acc |= PN_VEXEC;
	if (acc != 0)
		error = pnerr(pn_access(fsrv_vtype(st.st_mode),
		    st.st_mode & 07777, st.st_uid, st.st_gid, acc,
		    &rc.rc_kcred));
	fuse_reply_err(req, error);
}

static void
br_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct bridge *br = req_bridge(req);
	char buf[PATH_MAX + 1];
	size_t len;
	int error;

	if ((error = fsrv_readlink(br->br_srv, vcookie(br, ino2vp(br, ino)),
	    buf, sizeof(buf) - 1, &len)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	buf[len] = '\0';
	fuse_reply_readlink(req, buf);
}

static void
br_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct bridge *br = req_bridge(req);
	struct statvfs sv;
	int error;

	if ((error = fsrv_statfs(br->br_srv, vcookie(br, ino2vp(br, ino)),
	    &sv)) != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- creating names ---- */

/*
 * The vnode of a node the server just made (and counted a lookup of):
 * pn_newnode(), which enters the name; if a vnode for the cookie exists
 * already (the backing tree changed behind our back) that one.
 */
static int
new_vnode(struct bridge *br, struct pn_vnode *dvp, const struct pn_cn *cn,
    pn_cookie_t c, const struct stat *st, struct pn_vnode **vpp)
{
	int error;

	error = pn_newnode(br->br_mp, dvp, c, cn, fsrv_vtype(st->st_mode),
	    (uint64_t)st->st_rdev, vpp);
	if (error == PN_OK) {
		pn_sim_vunlock(br->br_sim, *vpp);	/* returned locked */
		(void)pn_sim_addlookup(br->br_sim, *vpp);
		return 0;
	}
	if (error == PN_EEXIST) {
		CNT(br, newnode_dup);
		return cookie_vnode(br, c, st, vpp);
	}
	fsrv_forget(br->br_srv, c, 1);
	return pnerr(error);
}

static void
make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    dev_t rdev, const char *target)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *dvp = ino2vp(br, parent), *vp = NULL;
	struct pn_kcn kcn;
	struct pn_cn cn;
	struct rcred rc;
	struct stat st;
	pn_cookie_t c;
	int error;

	if ((error = req_cn(br, req, PN_NAMEI_CREATE, name, &rc, &cn,
	    &kcn)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	pn_sim_vlock(br->br_sim, dvp);
	error = fsrv_mknod(br->br_srv, &rc.rc_kcred, vcookie(br, dvp),
	    kcn.pkcn_name, mode, rdev, target, &st, &c);
	if (error == 0)
		error = new_vnode(br, dvp, &cn, c, &st, &vp);
	pn_sim_vunlock(br->br_sim, dvp);
	if (error != 0)
		fuse_reply_err(req, error);
	else
		reply_entry(br, req, parent, name, vp, &st);
}

static void
br_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_node(req, parent, name, S_IFDIR | (mode & 07777), 0, NULL);
}

static void
br_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    dev_t rdev)
{
	make_node(req, parent, name, mode, rdev, NULL);
}

static void
br_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
    const char *name)
{
	make_node(req, parent, name, S_IFLNK | 0777, 0, link);
}

static void
br_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *dvp = ino2vp(br, parent), *vp = NULL;
	struct fuse_entry_param e;
	struct pn_kcn kcn;
	struct pn_cn cn;
	struct rcred rc;
	struct stat st;
	pn_cookie_t c;
	int error, fd = -1;

	if ((error = req_cn(br, req, PN_NAMEI_CREATE, name, &rc, &cn,
	    &kcn)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	pn_sim_vlock(br->br_sim, dvp);
	error = fsrv_create(br->br_srv, &rc.rc_kcred, vcookie(br, dvp),
	    kcn.pkcn_name, mode, fi->flags, &fd, &st, &c);
	if (error == 0 && (error = new_vnode(br, dvp, &cn, c, &st, &vp)) != 0)
		close(fd);
	pn_sim_vunlock(br->br_sim, dvp);
	if (error != 0) {
		fuse_reply_err(req, error);
		return;
	}
	fill_entry(br, vp, &st, &e);
	if ((error = kref_take(br, vp, parent, name)) != 0) {
		close(fd);
		fuse_reply_err(req, error);
		return;
	}
	fi->fh = (uint64_t)fd;
	fi->noflush = 1;		/* see br_flush */
	if (fuse_reply_create(req, &e, fi) != 0)
		close(fd);	/* the kernel gave up: no release will come */
}

static void
br_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
    const char *newname)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *dvp = ino2vp(br, newparent), *vp;
	struct pn_kcn kcn;
	struct pn_cn cn;
	struct rcred rc;
	struct stat st;
	pn_cookie_t c;
	int error;

	if ((error = req_cn(br, req, PN_NAMEI_CREATE, newname, &rc, &cn,
	    &kcn)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	pn_sim_vlock(br->br_sim, dvp);
	error = fsrv_link(br->br_srv, &rc.rc_kcred,
	    vcookie(br, ino2vp(br, ino)), vcookie(br, dvp), kcn.pkcn_name,
	    &st, &c);
	if (error == 0 && (error = cookie_vnode(br, c, &st, &vp)) == 0)
		(void)pn_sim_cache_enter(br->br_sim, dvp, vp, kcn.pkcn_name);
	pn_sim_vunlock(br->br_sim, dvp);
	if (error != 0)
		fuse_reply_err(req, error);
	else
		reply_entry(br, req, newparent, newname, vp, &st);
}

/* ---- removing and renaming names ---- */

static void
remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, bool isdir)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *dvp = ino2vp(br, parent);
	struct pn_kcn kcn;
	struct pn_cn cn;
	struct rcred rc;
	int error;

	if ((error = req_cn(br, req, PN_NAMEI_DELETE, name, &rc, &cn,
	    &kcn)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	pn_sim_vlock(br->br_sim, dvp);
	error = fsrv_unlink(br->br_srv, &rc.rc_kcred, vcookie(br, dvp),
	    kcn.pkcn_name, isdir);
	if (error == 0)
		(void)pn_sim_cache_remove(br->br_sim, dvp, kcn.pkcn_name);
	pn_sim_vunlock(br->br_sim, dvp);
	fuse_reply_err(req, error);
}

static void
br_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, false);
}

static void
br_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, true);
}

static void
br_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
    fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct bridge *br = req_bridge(req);
	struct pn_vnode *fdvp = ino2vp(br, parent), *tdvp = ino2vp(br,
	    newparent), *first, *second;
	struct pn_kcn fkcn, tkcn;
	struct pn_cn fcn, tcn;
	struct rcred rc, trc;
	int error;

	if ((error = req_cn(br, req, PN_NAMEI_RENAME, name, &rc, &fcn,
	    &fkcn)) != 0 ||
	    (error = req_cn(br, req, PN_NAMEI_RENAME, newname, &trc, &tcn,
	    &tkcn)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	first = (uintptr_t)fdvp < (uintptr_t)tdvp ? fdvp : tdvp;
	second = first == fdvp ? tdvp : fdvp;
	pn_sim_vlock(br->br_sim, first);
	if (second != first)
		pn_sim_vlock(br->br_sim, second);
	error = fsrv_rename(br->br_srv, &rc.rc_kcred, vcookie(br, fdvp),
	    fkcn.pkcn_name, vcookie(br, tdvp), tkcn.pkcn_name, flags);
	if (error == 0) {
		(void)pn_sim_cache_remove(br->br_sim, fdvp, fkcn.pkcn_name);
		(void)pn_sim_cache_remove(br->br_sim, tdvp, tkcn.pkcn_name);
	}
	if (second != first)
		pn_sim_vunlock(br->br_sim, second);
	pn_sim_vunlock(br->br_sim, first);
	fuse_reply_err(req, error);
}

/* ---- files ---- */

/*
 * The kernel's cached attributes of ino are out of date: a request of
 * the server cleared set-uid or set-gid bits the kernel did not ask to
 * clear (FUSE_HANDLE_KILLPRIV).  An exec must not find them there.
 */
static void
attr_gone(struct bridge *br, fuse_ino_t ino)
{
	CNT(br, killpriv);
	(void)fuse_lowlevel_notify_inval_inode(br->br_se, ino, -1, 0);
}

static void
br_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct rcred rc;
	bool priv = false;
	int error, fd;

	if ((error = req_cred(br, req, &rc)) != 0 ||
	    (error = fsrv_open(br->br_srv, &rc.rc_kcred,
	    vcookie(br, ino2vp(br, ino)), fi->flags, &fd, &priv)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	if (priv && br->br_killpriv)
		attr_gone(br, ino);	/* the O_TRUNC cleared them */
	fi->fh = (uint64_t)fd;
	fi->noflush = 1;		/* see br_flush */
	if (fuse_reply_open(req, fi) != 0)
		close(fd);
}

static void
br_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	meta_mark(br, ino2vp(br, ino), PN_UPDATE_ATIME);
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = (int)fi->fh;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

/*
 * Set-uid and set-gid bits before a write (FUSE_HANDLE_KILLPRIV): a
 * write by another user than root clears them, as the backing file
 * system's rules would for the writer (killpriv_mode in srv_ops.c).  A
 * writer of uid 0 is taken to hold CAP_FSETID and keeps them.  Pages
 * written back from a shared mapping (fi->writepage) clear nothing, as
 * on a local file system.  Without FUSE_HANDLE_KILLPRIV the kernel has
 * sent the clearing SETATTR already (br_setattr).
 */
static int
write_killpriv(struct bridge *br, fuse_req_t req, fuse_ino_t ino,
    struct fuse_file_info *fi)
{
	struct rcred rc;
	bool cleared;
	int error;

	if (!br->br_killpriv || fi->writepage ||
	    fuse_req_ctx(req)->uid == 0 || !fsrv_privbits((int)fi->fh))
		return 0;
	if ((error = req_cred(br, req, &rc)) != 0 ||
	    (error = fsrv_killpriv_fd(br->br_srv, &rc.rc_kcred, (int)fi->fh,
	    &cleared)) != 0)
		return error;
	if (cleared)
		attr_gone(br, ino);
	return 0;
}

static void
br_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
    off_t off, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	ssize_t n;
	int error;

	if ((error = write_killpriv(br, req, ino, fi)) != 0) {
		fuse_reply_err(req, error);
		return;
	}
	/*
	 * As the daemon: the set-uid and set-gid bits this write clears are
	 * cleared already (write_killpriv, or br_setattr); a backing kernel
	 * clearing them again by its own reckoning would leave the kernel's
	 * cached attributes stale.
	 */
	fsrv_become(br->br_srv, NULL);
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = (int)fi->fh;
	out.buf[0].pos = off;
	if ((n = fuse_buf_copy(&out, in, 0)) < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	meta_mark(br, ino2vp(br, ino), PN_UPDATE_MTIME | PN_UPDATE_CTIME);
	fuse_reply_write(req, (size_t)n);
}

/*
 * fallocate on the open file, as the daemon (the descriptor was opened
 * for writing as the caller); set-uid and set-gid bits go as before a
 * write.
 */
static void
br_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
    off_t len, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	int error;

	if ((error = write_killpriv(br, req, ino, fi)) == 0) {
		fsrv_become(br->br_srv, NULL);
		if (fallocate((int)fi->fh, mode, off, len) != 0)
			error = errno;
	}
	fuse_reply_err(req, error);
}

static void
br_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	int fd, error = 0;

	/*
	 * Files are opened with FOPEN_NOFLUSH (fi->noflush): a close costs
	 * no round trip.  Writes reach the backing file at once (no
	 * writeback cache), a local backing file system reports nothing at
	 * close, POSIX locks are the kernel's, and RELEASE writes the cached
	 * times.  A kernel without FOPEN_NOFLUSH still sends FLUSH:
	 * close() of a duplicate reports what the backing close would.
	 */
	if ((fd = dup((int)fi->fh)) < 0 || close(fd) != 0)
		error = errno;
	meta_flush(br, ino2vp(br, ino));
	fuse_reply_err(req, error);
}

static void
br_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);

	close((int)fi->fh);
	meta_flush(br, ino2vp(br, ino));
	fuse_reply_err(req, 0);
}

static void
br_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	int error = 0;

	meta_flush(br, ino2vp(br, ino));
	if ((datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) != 0)
		error = errno;
	fuse_reply_err(req, error);
}

/* ---- directories ---- */

struct dirh {
	DIR		*d_dp;
	off_t		 d_off;		/* position of d_ent */
	struct dirent	*d_ent;		/* read, not yet replied */
};

static void
br_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bridge *br = req_bridge(req);
	struct dirh *d;
	struct rcred rc;
	int error;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if ((error = req_cred(br, req, &rc)) != 0 ||
	    (error = fsrv_opendir(br->br_srv, &rc.rc_kcred,
	    vcookie(br, ino2vp(br, ino)), &d->d_dp)) != 0) {
		free(d);
		fuse_reply_err(req, error);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	if (fuse_reply_open(req, fi) != 0) {
		closedir(d->d_dp);
		free(d);
	}
}

static bool
dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * One directory entry into the reply buffer (with its lookup, for
 * readdirplus).  Returns the space it took; more than rem: it did not fit
 * and nothing was taken.  *errorp: a kernel lookup could not be counted.
 */
static size_t
add_entry(struct bridge *br, fuse_req_t req, fuse_ino_t ino,
    const struct dirent *de, struct rcred *rc, char *p, size_t rem,
    int *errorp)
{
	struct fuse_entry_param e;
	struct pn_vnode *vp = NULL;
	struct stat st;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.attr.st_ino = de->d_ino;
	e.attr.st_mode = (mode_t)de->d_type << 12;
	if (rc == NULL)
		return fuse_add_direntry(req, p, rem, de->d_name, &e.attr,
		    de->d_off);
	if (!dot_or_dotdot(de->d_name) && do_lookup(br, ino2vp(br, ino),
	    de->d_name, rc, &st, &vp) == 0)
		fill_entry(br, vp, &st, &e);
	n = fuse_add_direntry_plus(req, p, rem, de->d_name, &e, de->d_off);
	if (vp != NULL) {
		if (n > rem)
			pn_sim_vrele(br->br_sim, vp);
		else if (kref_take(br, vp, ino, de->d_name) != 0)
			*errorp = ENOMEM;
	}
	return n;
}

static void
do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi, bool plus)
{
	struct bridge *br = req_bridge(req);
	struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;
	struct rcred rc;
	size_t rem = size, n;
	char *buf;
	int error = 0;

	if ((buf = calloc(1, size)) == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (plus && (error = req_cred(br, req, &rc)) != 0)
		goto out;
	if (off != d->d_off) {
		seekdir(d->d_dp, off);
		d->d_ent = NULL;
		d->d_off = off;
	}
	for (;;) {
		if (d->d_ent == NULL) {
			errno = 0;
			if ((d->d_ent = readdir(d->d_dp)) == NULL) {
				error = errno;
				break;
			}
		}
		n = add_entry(br, req, ino, d->d_ent, plus ? &rc : NULL,
		    buf + (size - rem), rem, &error);
		if (n > rem || error != 0)
			break;	/* full: d_ent is the next call's first */
		rem -= n;
		d->d_off = d->d_ent->d_off;
		d->d_ent = NULL;
	}
out:
	/* An error after some entries: reply them, the error comes again. */
	if (error != 0 && rem == size)
		fuse_reply_err(req, error);
	else
		fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

static void
br_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void
br_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void
br_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;

	(void)ino;
	(void)req_bridge(req);
	closedir(d->d_dp);
	free(d);
	fuse_reply_err(req, 0);
}

static void
br_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;
	int fd = dirfd(d->d_dp), error = 0;

	(void)ino;
	(void)req_bridge(req);
	if ((datasync ? fdatasync(fd) : fsync(fd)) != 0)
		error = errno;
	fuse_reply_err(req, error);
}

static void
br_init(void *userdata, struct fuse_conn_info *conn)
{
	struct bridge *br = userdata;

	/* Every write goes to the server at once: no writeback cache. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/*
	 * Set-uid and set-gid bits (FUSE_HANDLE_KILLPRIV): the server
	 * clears them.  A write: write_killpriv().  A truncate, an O_TRUNC
	 * open, a chown: made as the caller, so the backing kernel clears
	 * them by its rules; SETATTR's reply, or attr_gone() after an
	 * open, brings the kernel the new mode.  Otherwise the kernel
	 * fetches a file's attributes before every chown to work the mode
	 * out itself: a round trip per file that tar -x and cp -a pay.
	 */
	br->br_killpriv = false;
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV) {
		conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
		br->br_killpriv = true;
#if FUSE_VERSION < 316
		initfix_arm();
#endif
	}
}

/* Whether the kernel was told FUSE_HANDLE_KILLPRIV. */
bool
bridge_killpriv(const struct bridge *br)
{
#if FUSE_VERSION < 316
	return br->br_killpriv && initfix_applied();
#else
	return br->br_killpriv;
#endif
}

const struct fuse_lowlevel_ops bridge_ops = {
	.init = br_init,
	.lookup = br_lookup,
	.forget = br_forget,
	.forget_multi = br_forget_multi,
	.getattr = br_getattr,
	.setattr = br_setattr,
	.readlink = br_readlink,
	.mknod = br_mknod,
	.mkdir = br_mkdir,
	.unlink = br_unlink,
	.rmdir = br_rmdir,
	.symlink = br_symlink,
	.rename = br_rename,
	.link = br_link,
	.open = br_open,
	.read = br_read,
	.write_buf = br_write_buf,
	.flush = br_flush,
	.release = br_release,
	.fsync = br_fsync,
	.fallocate = br_fallocate,
	.opendir = br_opendir,
	.readdir = br_readdir,
	.readdirplus = br_readdirplus,
	.releasedir = br_releasedir,
	.fsyncdir = br_fsyncdir,
	.statfs = br_statfs,
	.access = br_access,
	.create = br_create,
};
