/*
 * cred.c -- credentials, caller ids and component names in wire form,
 * and the libpuffs-style accessors and access check a server uses.
 *
 * Every output is zeroed before it is filled, so no stale bytes reach a
 * server, and nothing is ever written past a wire buffer: a credential
 * with more groups than PN_NGROUPS is PN_ERANGE and a name that does not
 * fit is PN_ENAMETOOLONG, with the output left zeroed and terminated.
 */
#include "hostcall.h"

PNI_EXPORT int
pn_credcvt(struct pn_mount *mp, struct pn_kcred *out,
    const struct pn_cred *cred)
{
	struct pn_uucred *uc;
	size_t n = 0;
	int error;

	if (out == NULL)
		return PN_EINVAL;
	__builtin_memset(out, 0, sizeof(*out));
	if (cred == NULL)
		return PN_EINVAL;
	if (cred == PN_NOCRED || cred == PN_FSCRED) {
		out->pkcr_type = PN_CRED_TYPE_INTERNAL;
		out->pkcr_internal = cred == PN_NOCRED ? PN_CRED_NOCRED :
		    PN_CRED_FSCRED;
		return PN_OK;
	}
	if (mp == NULL)
		return PN_EINVAL;
	uc = &out->pkcr_uuc;
	error = pni_h_cred_get(mp, cred, &uc->cr_uid, &uc->cr_gid,
	    uc->cr_groups, PN_NGROUPS, &n);
	if (error == PN_OK && n > PN_NGROUPS)
		error = PN_ERANGE;
	if (error != PN_OK) {
		__builtin_memset(out, 0, sizeof(*out));
		return error;
	}
	uc->cr_ngroups = (uint32_t)n;
	out->pkcr_type = PN_CRED_TYPE_UUC;
	return PN_OK;
}

PNI_EXPORT int
pn_cidcvt(struct pn_mount *mp, struct pn_kcid *out,
    const struct pn_caller *caller)
{
	int32_t pid = 0, lwpid = 0;

	if (out == NULL)
		return PN_EINVAL;
	__builtin_memset(out, 0, sizeof(*out));
	out->pkcid_type = PN_CID_TYPE_FAKE;
	if (caller == NULL)
		return PN_OK;
	if (mp == NULL)
		return PN_EINVAL;
	if (pni_h_caller_ids(mp, caller, &pid, &lwpid) != 0)
		return PN_OK;		/* no ids to be had: the fake id */
	out->pkcid_type = PN_CID_TYPE_REAL;
	out->pkcid_pid = pid;
	out->pkcid_lwpid = lwpid;
	return PN_OK;
}

/*
 * The component alone, or with full the whole remaining path (the
 * component and what follows it up to the terminating NUL).
 */
PNI_EXPORT int
pn_makecn(struct pn_mount *mp, struct pn_kcn *kcn, struct pn_kcred *kcred,
    struct pn_kcid *kcid, const struct pn_cn *cn, bool full)
{
	size_t len, i;
	int error;

	if (kcn == NULL)
		return PN_EINVAL;
	__builtin_memset(kcn, 0, sizeof(*kcn));
	if (kcred != NULL)
		__builtin_memset(kcred, 0, sizeof(*kcred));
	if (kcid != NULL)
		__builtin_memset(kcid, 0, sizeof(*kcid));
	if (cn == NULL || cn->cn_nameptr == NULL || cn->cn_namelen == 0)
		return PN_EINVAL;
	if (cn->cn_namelen >= PN_KCN_NAMELEN)
		return PN_ENAMETOOLONG;
	for (i = 0; i < cn->cn_namelen; i++)
		if (cn->cn_nameptr[i] == '\0')
			return PN_EINVAL;	/* NUL inside the component */
	len = cn->cn_namelen;
	if (full) {
		len += pni_strnlen(cn->cn_nameptr + len,
		    PN_KCN_NAMELEN - len);
		if (len >= PN_KCN_NAMELEN)
			return PN_ENAMETOOLONG;
	}

	kcn->pkcn_nameiop = cn->cn_nameiop;
	kcn->pkcn_flags = cn->cn_flags;
	kcn->pkcn_namelen = cn->cn_namelen;
	kcn->pkcn_consume = 0;
	__builtin_memcpy(kcn->pkcn_name, cn->cn_nameptr, len);
	kcn->pkcn_name[len] = '\0';

	if (kcid != NULL && (error = pn_cidcvt(mp, kcid, cn->cn_caller)) != 0)
		goto fail;
	if (kcred != NULL && (error = pn_credcvt(mp, kcred, cn->cn_cred)) != 0)
		goto fail;
	return PN_OK;

fail:
	__builtin_memset(kcn, 0, sizeof(*kcn));
	if (kcid != NULL)
		__builtin_memset(kcid, 0, sizeof(*kcid));
	return error;
}

/* ---- accessors ---- */

/* A well-formed uid/gid credential. */
static bool
is_uuc(const struct pn_kcred *c)
{
	return c->pkcr_type == PN_CRED_TYPE_UUC &&
	    c->pkcr_uuc.cr_ngroups <= PN_NGROUPS;
}

static int
check(const struct pn_kcred *c)
{
	if (c == NULL)
		return PN_EINVAL;
	if (c->pkcr_type == PN_CRED_TYPE_INTERNAL &&
	    (c->pkcr_internal == PN_CRED_NOCRED ||
	    c->pkcr_internal == PN_CRED_FSCRED))
		return PN_EOPNOTSUPP;	/* no ids in an internal credential */
	return is_uuc(c) ? PN_OK : PN_EINVAL;
}

PNI_EXPORT int
pn_cred_getuid(const struct pn_kcred *cred, uint32_t *uid)
{
	int error;

	if (uid == NULL)
		return PN_EINVAL;
	if ((error = check(cred)) != PN_OK)
		return error;
	*uid = cred->pkcr_uuc.cr_uid;
	return PN_OK;
}

PNI_EXPORT int
pn_cred_getgid(const struct pn_kcred *cred, uint32_t *gid)
{
	int error;

	if (gid == NULL)
		return PN_EINVAL;
	if ((error = check(cred)) != PN_OK)
		return error;
	*gid = cred->pkcr_uuc.cr_gid;
	return PN_OK;
}

/* Copies at most *ngids groups; *ngids becomes the number there are. */
PNI_EXPORT int
pn_cred_getgroups(const struct pn_kcred *cred, uint32_t *gids,
    size_t *ngids)
{
	size_t n, i;
	int error;

	if (ngids == NULL || (gids == NULL && *ngids != 0))
		return PN_EINVAL;
	if ((error = check(cred)) != PN_OK)
		return error;
	n = cred->pkcr_uuc.cr_ngroups;
	for (i = 0; i < n && i < *ngids; i++)
		gids[i] = cred->pkcr_uuc.cr_groups[i];
	*ngids = n;
	return PN_OK;
}

PNI_EXPORT bool
pn_cred_isregular(const struct pn_kcred *cred)
{
	return cred != NULL && is_uuc(cred);
}

PNI_EXPORT bool
pn_cred_iskernel(const struct pn_kcred *cred)
{
	return cred != NULL && cred->pkcr_type == PN_CRED_TYPE_INTERNAL &&
	    cred->pkcr_internal == PN_CRED_NOCRED;
}

PNI_EXPORT bool
pn_cred_isfs(const struct pn_kcred *cred)
{
	return cred != NULL && cred->pkcr_type == PN_CRED_TYPE_INTERNAL &&
	    cred->pkcr_internal == PN_CRED_FSCRED;
}

PNI_EXPORT bool
pn_cred_isuid(const struct pn_kcred *cred, uint32_t uid)
{
	return pn_cred_isregular(cred) && cred->pkcr_uuc.cr_uid == uid;
}

PNI_EXPORT bool
pn_cred_hasgroup(const struct pn_kcred *cred, uint32_t gid)
{
	uint32_t i;

	if (!pn_cred_isregular(cred))
		return false;
	if (cred->pkcr_uuc.cr_gid == gid)
		return true;
	for (i = 0; i < cred->pkcr_uuc.cr_ngroups; i++)
		if (cred->pkcr_uuc.cr_groups[i] == gid)
			return true;
	return false;
}

/* Root, the kernel or the file system itself: may do anything. */
PNI_EXPORT bool
pn_cred_isjuggernaut(const struct pn_kcred *cred)
{
	return pn_cred_isuid(cred, 0) || pn_cred_iskernel(cred) ||
	    pn_cred_isfs(cred);
}

/*
 * POSIX access check of acc_mode (PN_VREAD|PN_VWRITE|PN_VEXEC) against a
 * file's owner, group and permission bits.  The superuser may do anything
 * but execute a non-directory with no execute bit set.
 */
PNI_EXPORT int
pn_access(int type, uint32_t file_mode, uint32_t owner_uid,
    uint32_t owner_gid, uint32_t acc_mode, const struct pn_kcred *cred)
{
	uint32_t granted;

	if (cred == NULL || type <= PN_VNON || type >= PN_VBAD ||
	    (acc_mode & ~(PN_VREAD | PN_VWRITE | PN_VEXEC)) != 0 ||
	    (!pn_cred_isregular(cred) && !pn_cred_iskernel(cred) &&
	    !pn_cred_isfs(cred)))
		return PN_EINVAL;
	if (pn_cred_isjuggernaut(cred)) {
		if ((acc_mode & PN_VEXEC) && type != PN_VDIR &&
		    (file_mode & 0111) == 0)
			return PN_EACCES;
		return PN_OK;
	}
	if (cred->pkcr_uuc.cr_uid == owner_uid)
		granted = (file_mode >> 6) & 7;
	else if (pn_cred_hasgroup(cred, owner_gid))
		granted = (file_mode >> 3) & 7;
	else
		granted = file_mode & 7;
	return (acc_mode & ~granted) == 0 ? PN_OK : PN_EACCES;
}
