/*
 * puffsnode/cred.h -- credentials, caller ids and component names in the
 * file server's wire form, and the accessors a server uses on them.
 *
 * These structures are what a file server receives.  They are plain data,
 * fixed size, and always fully initialized by the conversion calls, so no
 * stale bytes ever reach a server.
 */
#ifndef PUFFSNODE_CRED_H
#define PUFFSNODE_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pn_mount;

/* Opaque host handles: the host defines these types, the core only passes them. */
struct pn_cred;		/* a host credential */
struct pn_caller;	/* a host caller (thread / lwp) */

/* The two credential sentinels.  Never dereferenced. */
#define PN_NOCRED	((const struct pn_cred *)(uintptr_t)-1)	/* no credential (kernel) */
#define PN_FSCRED	((const struct pn_cred *)(uintptr_t)-2)	/* the file system itself */

/* Number of supplementary groups the wire form holds. */
#define PN_NGROUPS	16

/* Credential types (pn_kcred.pkcr_type). */
#define PN_CRED_TYPE_UUC	1	/* uid/gid/groups */
#define PN_CRED_TYPE_INTERNAL	2	/* one of the sentinels */

/* Internal credential kinds (pn_kcred.pkcr_internal). */
#define PN_CRED_NOCRED	1
#define PN_CRED_FSCRED	2

struct pn_uucred {
	uint32_t	cr_uid;
	uint32_t	cr_gid;
	uint32_t	cr_ngroups;		/* valid entries in cr_groups */
	uint32_t	cr_groups[PN_NGROUPS];
};

struct pn_kcred {
	uint32_t	pkcr_type;		/* PN_CRED_TYPE_* */
	uint32_t	pkcr_internal;		/* PN_CRED_* when INTERNAL, else 0 */
	struct pn_uucred pkcr_uuc;		/* when UUC, else all zero */
};

/* Caller id types (pn_kcid.pkcid_type). */
#define PN_CID_TYPE_REAL	1
#define PN_CID_TYPE_FAKE	2

struct pn_kcid {
	uint32_t	pkcid_type;		/* PN_CID_TYPE_* */
	int32_t		pkcid_pid;
	int32_t		pkcid_lwpid;
};

/* Size of the wire name buffer, terminator included (MAXPATHLEN). */
#define PN_KCN_NAMELEN	1024

/* Name operations (pn_cn.cn_nameiop), as namei(9). */
#define PN_NAMEI_LOOKUP	0
#define PN_NAMEI_CREATE	1
#define PN_NAMEI_DELETE	2
#define PN_NAMEI_RENAME	3

/* Component name flags (pn_cn.cn_flags) the core interprets. */
#define PN_CN_MAKEENTRY	0x00004000u	/* enter the name in the name cache */

/* A component name as the host's lookup code holds it (input). */
struct pn_cn {
	uint32_t		 cn_nameiop;	/* PN_NAMEI_* */
	uint32_t		 cn_flags;	/* passed through; PN_CN_MAKEENTRY honoured */
	const char		*cn_nameptr;	/* component; rest of the path follows */
	size_t			 cn_namelen;	/* length of the component */
	const struct pn_cred	*cn_cred;	/* may be PN_NOCRED / PN_FSCRED */
	const struct pn_caller	*cn_caller;	/* NULL: no caller */
};

/* A component name in wire form (output). */
struct pn_kcn {
	uint32_t	pkcn_nameiop;
	uint32_t	pkcn_flags;
	size_t		pkcn_namelen;		/* length of the component */
	size_t		pkcn_consume;		/* set by the server; 0 on conversion */
	char		pkcn_name[PN_KCN_NAMELEN];	/* always NUL-terminated */
};

/* Access modes for pn_access(). */
#define PN_VEXEC	0x01u
#define PN_VWRITE	0x02u
#define PN_VREAD	0x04u

int	pn_credcvt(struct pn_mount *mp, struct pn_kcred *out,
	    const struct pn_cred *cred);
int	pn_cidcvt(struct pn_mount *mp, struct pn_kcid *out,
	    const struct pn_caller *caller);
int	pn_makecn(struct pn_mount *mp, struct pn_kcn *kcn,
	    struct pn_kcred *kcred, struct pn_kcid *kcid,
	    const struct pn_cn *cn, bool full);

int	pn_cred_getuid(const struct pn_kcred *cred, uint32_t *uid);
int	pn_cred_getgid(const struct pn_kcred *cred, uint32_t *gid);
int	pn_cred_getgroups(const struct pn_kcred *cred, uint32_t *gids,
	    size_t *ngids);
bool	pn_cred_isuid(const struct pn_kcred *cred, uint32_t uid);
bool	pn_cred_hasgroup(const struct pn_kcred *cred, uint32_t gid);
bool	pn_cred_isregular(const struct pn_kcred *cred);
bool	pn_cred_iskernel(const struct pn_kcred *cred);
bool	pn_cred_isfs(const struct pn_kcred *cred);
bool	pn_cred_isjuggernaut(const struct pn_kcred *cred);
int	pn_access(int type, uint32_t file_mode, uint32_t owner_uid,
	    uint32_t owner_gid, uint32_t acc_mode, const struct pn_kcred *cred);

#ifdef __cplusplus
}
#endif

#endif /* !PUFFSNODE_CRED_H */
