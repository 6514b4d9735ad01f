/*
 * vfs.c -- the simulator's file system calls: lookup and path walks,
 * create, remove, rename, getattr, read and poll, as a kernel's VFS
 * calls a puffs mount.
 *
 * A lookup holds its directory's vnode lock shared (changes to a
 * directory hold it exclusively), so the server's answer for a name
 * cannot change while the lookup runs.  It asks the name cache first;
 * on a miss it asks the server (which counts the lookup) and turns the
 * cookie into a vnode with pn_getvnode(), then enters the name.  Every
 * answer is checked: the node behind the returned vnode must carry the
 * cookie the server named (with PN_SIM_VERIFY, cache hits too).  A
 * mismatch counts in the statistics as "wrong": an invariant broke.
 *
 * Creates go through pn_makecn() (the caller's credential and ids in
 * wire form) to the server, then pn_newnode(), which enters the name.
 */
#include <string.h>

#include "sim_impl.h"

#define NAME_MAX_SIM	255

static int
check_name(const char *name, size_t *lenp)
{
	size_t len;

	if (name == NULL)
		return PN_EINVAL;
	len = strnlen(name, NAME_MAX_SIM + 1);
	if (len > NAME_MAX_SIM)
		return PN_ENAMETOOLONG;
	if (len == 0 || memchr(name, '/', len) != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return PN_EINVAL;
	*lenp = len;
	return PN_OK;
}

static void
check_cookie(struct pn_sim *sim, struct pn_vnode *vp, pn_cookie_t want,
    const char *what)
{
	pn_cookie_t got = pn_node_cookie(pn_vnode2node(sim->s_mp, vp));

	STAT_INC(sim, checked);
	if (got != want) {
		STAT_INC(sim, wrong);
		sim_log(sim, PN_LOG_ERR, "%s: vnode of node %#llx where the "
		    "server named %#llx", what, (unsigned long long)got,
		    (unsigned long long)want);
	}
}

/*
 * The entry of every file system call, once the call has checked its own
 * arguments: the name when one is given (lenp not NULL), the simulator's
 * own server when the call needs one (a client's server answers nothing
 * here: PN_EOPNOTSUPP), then the operation gate.  On PN_OK the caller
 * leaves with sim_exit().
 */
static int
vfs_enter(struct pn_sim *sim, bool server, const char *name, size_t *lenp)
{
	int error;

	if (lenp != NULL && (error = check_name(name, lenp)) != PN_OK)
		return error;
	if (server && sim->s_srv == NULL)
		return PN_EOPNOTSUPP;
	return sim_enter(sim);
}

/* One component.  dvp referenced and locked (shared or exclusive). */
static int
lookup_locked(struct pn_sim *sim, struct pn_vnode *dvp, const char *name,
    size_t len, struct pn_vnode **vpp)
{
	struct pn_sim_attr a;
	struct pn_vnode *vp;
	pn_cookie_t dc = atomic_load(&dvp->v_cookie);
	bool nc = (sim->s_cfg.flags & PN_SIM_NAMECACHE) != 0;
	int error;

	*vpp = NULL;
	if (dvp->v_type != PN_VDIR)
		return PN_EINVAL;
	if (nc && sim_nc_lookup(sim, dvp, name, len, &vp) == PN_OK) {
		if (sim->s_cfg.flags & PN_SIM_VERIFY) {
			if (srv_lookup(sim->s_srv, dc, name, len, false, &a) !=
			    PN_OK)
				a.a_cookie = 0;
			check_cookie(sim, vp, a.a_cookie, "name cache");
		}
		STAT_INC(sim, lookups);
		*vpp = vp;
		return PN_OK;
	}
	if ((error = srv_lookup(sim->s_srv, dc, name, len, true, &a)) !=
	    PN_OK)
		return error;
	error = pn_getvnode(sim->s_mp, a.a_cookie, a.a_type, a.a_size,
	    a.a_rdev, &vp);
	if (error != PN_OK) {
		srv_forget(sim->s_srv, a.a_cookie, 1);
		return error;
	}
	check_cookie(sim, vp, a.a_cookie, "lookup");
	sim_addlookup(sim, vp);
	if (nc)
		sim_nc_enter(sim, dvp, vp, name, len);
	STAT_INC(sim, lookups);
	*vpp = vp;
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_root(struct pn_sim *sim, struct pn_vnode **vpp)
{
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (sim == NULL)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, false, NULL, NULL)) != PN_OK)
		return error;
	error = pn_makeroot(sim->s_mp, vpp);
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_lookup(struct pn_sim *sim, struct pn_vnode *dvp, const char *name,
    struct pn_vnode **vpp)
{
	size_t len;
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (sim == NULL || dvp == NULL)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, name, &len)) != PN_OK)
		return error;
	sim_rw_enter(&dvp->v_lock, SIM_LK_VNODE, false);
	error = lookup_locked(sim, dvp, name, len, vpp);
	sim_rw_exit(&dvp->v_lock, SIM_LK_VNODE);
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_namei(struct pn_sim *sim, const char *path, struct pn_vnode **vpp)
{
	struct pn_vnode *vp, *next;
	char comp[NAME_MAX_SIM + 1];
	const char *p = path, *e;
	size_t len;
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (sim == NULL || path == NULL)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, NULL, NULL)) != PN_OK)
		return error;
	if ((error = pn_makeroot(sim->s_mp, &vp)) != PN_OK)
		goto out;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != '/'; e++)
			continue;
		len = (size_t)(e - p);
		if (len > NAME_MAX_SIM) {
			error = PN_ENAMETOOLONG;
			break;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if ((error = check_name(comp, &len)) != PN_OK)
			break;
		sim_rw_enter(&vp->v_lock, SIM_LK_VNODE, false);
		error = lookup_locked(sim, vp, comp, len, &next);
		sim_rw_exit(&vp->v_lock, SIM_LK_VNODE);
		if (error != PN_OK)
			break;
		sim_vrele(sim, vp, true);
		vp = next;
		p = e;
	}
	if (error != PN_OK)
		sim_vrele(sim, vp, true);
	else
		*vpp = vp;
out:
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_cache_lookup(struct pn_sim *sim, struct pn_vnode *dvp,
    const char *name, struct pn_vnode **vpp)
{
	size_t len;
	int error;

	if (vpp == NULL)
		return PN_EINVAL;
	*vpp = NULL;
	if (sim == NULL || dvp == NULL)
		return PN_EINVAL;
	if ((error = check_name(name, &len)) != PN_OK)
		return error;
	return sim_nc_lookup(sim, dvp, name, len, vpp);
}

/* A component name for the server, with the calling thread's ids. */
static int
makecn(struct pn_sim *sim, uint32_t op, const char *name, size_t len,
    struct pn_kcn *kcn, struct pn_kcred *kcred, struct pn_cn *cn)
{
	struct pn_kcid kcid;

	memset(cn, 0, sizeof(*cn));
	cn->cn_nameiop = op;
	cn->cn_flags = op == PN_NAMEI_CREATE ? PN_CN_MAKEENTRY : 0;
	cn->cn_nameptr = name;
	cn->cn_namelen = len;
	cn->cn_cred = pn_sim_curcred();
	cn->cn_caller = pn_sim_curcaller();
	return pn_makecn(sim->s_mp, kcn, kcred, &kcid, cn, false);
}

PN_SIM_EXPORT int
pn_sim_create(struct pn_sim *sim, struct pn_vnode *dvp, const char *name,
    int type, struct pn_vnode **vpp)
{
	struct pn_sim_attr a;
	struct pn_kcred kcred;
	struct pn_kcn kcn;
	struct pn_cn cn;
	struct pn_vnode *vp = NULL;
	size_t len;
	int error;

	if (vpp != NULL)
		*vpp = NULL;
	if (sim == NULL || dvp == NULL || (type != PN_VREG && type != PN_VDIR))
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, name, &len)) != PN_OK)
		return error;
	pn_sim_vlock(sim, dvp);
	if (dvp->v_type != PN_VDIR)
		error = PN_EINVAL;
	else if ((error = makecn(sim, PN_NAMEI_CREATE, name, len, &kcn,
	    &kcred, &cn)) == PN_OK &&
	    (error = srv_create(sim->s_srv, atomic_load(&dvp->v_cookie),
	    &kcn, &kcred, type, &a)) == PN_OK) {
		error = pn_newnode(sim->s_mp, dvp, a.a_cookie, &cn, type,
		    a.a_rdev, &vp);
		if (error != PN_OK) {
			srv_forget(sim->s_srv, a.a_cookie, 1);
		} else {
			check_cookie(sim, vp, a.a_cookie, "create");
			sim_addlookup(sim, vp);
			pn_sim_vunlock(sim, vp);	/* pn_newnode locked it */
		}
	}
	pn_sim_vunlock(sim, dvp);
	sim_exit(sim);
	if (vp != NULL) {
		if (vpp != NULL)
			*vpp = vp;
		else
			sim_vrele(sim, vp, true);
	}
	return error;
}

PN_SIM_EXPORT int
pn_sim_remove(struct pn_sim *sim, struct pn_vnode *dvp, const char *name)
{
	struct pn_kcred kcred;
	struct pn_kcn kcn;
	struct pn_cn cn;
	size_t len;
	int error;

	if (sim == NULL || dvp == NULL)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, name, &len)) != PN_OK)
		return error;
	pn_sim_vlock(sim, dvp);
	if ((error = makecn(sim, PN_NAMEI_DELETE, name, len, &kcn, &kcred,
	    &cn)) == PN_OK &&
	    (error = srv_remove(sim->s_srv, atomic_load(&dvp->v_cookie), &kcn,
	    &kcred)) == PN_OK)
		sim_nc_remove(sim, dvp, name, len);
	pn_sim_vunlock(sim, dvp);
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_rename(struct pn_sim *sim, struct pn_vnode *fdvp, const char *fname,
    struct pn_vnode *tdvp, const char *tname)
{
	struct pn_kcred kcred, tkcred;
	struct pn_kcn fkcn, tkcn;
	struct pn_cn fcn, tcn;
	struct pn_vnode *first, *second;
	size_t flen, tlen;
	int error;

	if (sim == NULL || fdvp == NULL || tdvp == NULL)
		return PN_EINVAL;
	if ((error = check_name(fname, &flen)) != PN_OK ||
	    (error = vfs_enter(sim, true, tname, &tlen)) != PN_OK)
		return error;
	/* Two directory locks: in address order. */
	first = (uintptr_t)fdvp < (uintptr_t)tdvp ? fdvp : tdvp;
	second = first == fdvp ? tdvp : fdvp;
	pn_sim_vlock(sim, first);
	if (second != first)
		pn_sim_vlock(sim, second);
	if ((error = makecn(sim, PN_NAMEI_RENAME, fname, flen, &fkcn, &kcred,
	    &fcn)) == PN_OK &&
	    (error = makecn(sim, PN_NAMEI_RENAME, tname, tlen, &tkcn, &tkcred,
	    &tcn)) == PN_OK) {
		error = srv_rename(sim->s_srv, atomic_load(&fdvp->v_cookie),
		    &fkcn, atomic_load(&tdvp->v_cookie), &tkcn, &kcred);
		/* A failed rename may still have dropped the old name. */
		sim_nc_remove(sim, fdvp, fname, flen);
		sim_nc_remove(sim, tdvp, tname, tlen);
	}
	if (second != first)
		pn_sim_vunlock(sim, second);
	pn_sim_vunlock(sim, first);
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_getattr(struct pn_sim *sim, struct pn_vnode *vp,
    struct pn_sim_attr *attr)
{
	struct pn_metacache mc;
	struct pn_node *pn;
	pn_cookie_t c;
	int error;

	if (sim == NULL || vp == NULL || attr == NULL)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, NULL, NULL)) != PN_OK)
		return error;
	if ((pn = pn_vnode2node(sim->s_mp, vp)) == NULL) {
		error = PN_ENOENT;		/* reclaimed under us (vgone) */
		goto out;
	}
	c = pn_node_cookie(pn);
	/* Flush the metadata cache to the server first. */
	if (pn_metacache_take(pn, &mc) == PN_OK && mc.mc_flags != 0)
		(void)srv_settimes(sim->s_srv, c, &mc);
	/* vp holds a server lookup, so the server keeps the node. */
	if ((error = pn_sim_server_getattr(sim->s_srv, c, attr)) != PN_OK) /* GCOVR_EXCL_BR_LINE */
		goto out;	/* GCOVR_EXCL_LINE: see above */
	STAT_INC(sim, checked);
	/* The invariant check: it reports only if the node layer is wrong. */
	/* GCOVR_EXCL_START */
	if (attr->a_cookie != c || attr->a_type != pn_node_type(pn)) {
		STAT_INC(sim, wrong);
		sim_log(sim, PN_LOG_ERR, "getattr: node %#llx type %d, "
		    "server says %#llx type %d", (unsigned long long)c,
		    pn_node_type(pn), (unsigned long long)attr->a_cookie,
		    attr->a_type);
	}
	/* GCOVR_EXCL_STOP */
	if (attr->a_type == PN_VREG)
		atomic_store(&vp->v_size, attr->a_size);
out:
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_read(struct pn_sim *sim, struct pn_vnode *vp, uint64_t off,
    void *buf, size_t len, size_t *resid)
{
	struct pn_node *pn;
	int error;

	if (sim == NULL || vp == NULL || resid == NULL ||
	    (buf == NULL && len != 0))
		return PN_EINVAL;
	*resid = len;
	if (vp->v_type != PN_VREG)
		return PN_EINVAL;
	if ((error = vfs_enter(sim, true, NULL, NULL)) != PN_OK)
		return error;
	error = sim_aio_read(sim, vp, off, buf, len, resid);
	if (error == PN_OK && (pn = pn_vnode2node(sim->s_mp, vp)) != NULL)
		(void)pn_updatenode(pn, PN_UPDATE_ATIME);
	sim_exit(sim);
	return error;
}

PN_SIM_EXPORT int
pn_sim_poll(struct pn_sim *sim, struct pn_vnode *vp, int events,
    int *revents)
{
	int error;

	if (sim == NULL || vp == NULL || revents == NULL)
		return PN_EINVAL;
	*revents = 0;
	if ((error = vfs_enter(sim, true, NULL, NULL)) != PN_OK)
		return error;
	error = sim_aio_poll(sim, vp, events, revents);
	sim_exit(sim);
	return error;
}

/* ---- a client's server ---- */

PN_SIM_EXPORT int
pn_sim_addlookup(struct pn_sim *sim, struct pn_vnode *vp)
{
	if (sim == NULL || vp == NULL)
		return PN_EINVAL;
	sim_addlookup(sim, vp);
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_cache_enter(struct pn_sim *sim, struct pn_vnode *dvp,
    struct pn_vnode *vp, const char *name)
{
	size_t len;
	int error;

	if (sim == NULL || dvp == NULL || vp == NULL)
		return PN_EINVAL;
	if ((error = check_name(name, &len)) != PN_OK)
		return error;
	if (sim->s_cfg.flags & PN_SIM_NAMECACHE)
		sim_nc_enter(sim, dvp, vp, name, len);
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_cache_remove(struct pn_sim *sim, struct pn_vnode *dvp,
    const char *name)
{
	size_t len;
	int error;

	if (sim == NULL || dvp == NULL)
		return PN_EINVAL;
	if ((error = check_name(name, &len)) != PN_OK)
		return error;
	sim_nc_remove(sim, dvp, name, len);
	return PN_OK;
}
