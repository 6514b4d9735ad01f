/*
 * fuzz_cn.c -- pn_makecn(): component names, with the caller id and the
 * credential, in wire form.
 *
 * The input picks which arguments are NULL, the credential (none,
 * PN_NOCRED, PN_FSCRED or a host credential with any uid, gid and group
 * count, PN_NGROUPS and beyond), the caller (none, real, or one the host
 * has no ids for), a host fault in cred_get, the name operation and
 * flags, the component length (0, within the name, past its end, at and
 * beyond PN_KCN_NAMELEN, huge), full or component-only, and the name
 * itself: the rest of the input, which may hold NULs.  The name is handed
 * over in an exact-size heap copy with one terminating NUL, so that any
 * read past it trips AddressSanitizer.
 *
 * Each output structure sits between guard bytes and starts out filled
 * with junk.  The check: no guard byte changes, every output is exactly
 * what a reference implementation written here produces (zeroed first,
 * all zero on error, the name copied and NUL-terminated), and the answer
 * is the reference's.
 */
#include "fuzz.h"
#include "testhost.h"

static struct th_host host;
static bool host_ready;

/* A structure of n bytes between two guards, filled with junk. */
static void *
guarded(size_t n)
{
	uint8_t *p = malloc(n + 2 * FZ_GUARD);

	if (p == NULL)
		abort();
	memset(p, FZ_CANARY, n + 2 * FZ_GUARD);
	memset(p + FZ_GUARD, 0x5a, n);
	return p + FZ_GUARD;
}

static void
guarded_check_free(void *obj, size_t n, const char *what)
{
	uint8_t *p = (uint8_t *)obj - FZ_GUARD;

	fz_guard_check(p, FZ_GUARD, what);
	fz_guard_check(p + FZ_GUARD + n, FZ_GUARD, what);
	free(p);
}

struct args {
	bool			 full, mp, kcn, kcred, kcid, cn, nameptr;
	bool			 fault;
	const struct pn_cred	*cred;
	const struct pn_caller	*caller;
	struct pn_cn		 c;
	size_t			 slen;	/* length of the name string */
};

/* The reference: what pn_makecn() must answer and write. */
static int
ref_makecn(const struct args *a, struct pn_kcn *kcn, struct pn_kcred *kcred,
    struct pn_kcid *kcid)
{
	size_t len, n;
	int error = PN_OK;

	memset(kcn, 0, sizeof(*kcn));
	memset(kcred, 0, sizeof(*kcred));
	memset(kcid, 0, sizeof(*kcid));
	if (!a->kcn)
		return PN_EINVAL;
	if (!a->cn || !a->nameptr || a->c.cn_namelen == 0)
		return PN_EINVAL;
	if (a->c.cn_namelen >= PN_KCN_NAMELEN)
		return PN_ENAMETOOLONG;
	if (a->c.cn_namelen > a->slen)
		return PN_EINVAL;		/* the NUL is inside */
	len = a->full ? a->slen : a->c.cn_namelen;
	if (len >= PN_KCN_NAMELEN)
		return PN_ENAMETOOLONG;

	kcn->pkcn_nameiop = a->c.cn_nameiop;
	kcn->pkcn_flags = a->c.cn_flags;
	kcn->pkcn_namelen = a->c.cn_namelen;
	memcpy(kcn->pkcn_name, a->c.cn_nameptr, len);

	if (a->kcid) {
		kcid->pkcid_type = PN_CID_TYPE_FAKE;
		if (a->caller != NULL && !a->mp)
			error = PN_EINVAL;
		else if (a->caller != NULL && !a->caller->l_fail) {
			kcid->pkcid_type = PN_CID_TYPE_REAL;
			kcid->pkcid_pid = a->caller->l_pid;
			kcid->pkcid_lwpid = a->caller->l_lwpid;
		}
	}
	if (error == PN_OK && a->kcred) {
		if (a->cred == NULL) {
			error = PN_EINVAL;
		} else if (a->cred == PN_NOCRED || a->cred == PN_FSCRED) {
			kcred->pkcr_type = PN_CRED_TYPE_INTERNAL;
			kcred->pkcr_internal = a->cred == PN_NOCRED ?
			    PN_CRED_NOCRED : PN_CRED_FSCRED;
		} else if (!a->mp) {
			error = PN_EINVAL;
		} else if (a->fault) {
			error = PN_ENOMEM;
		} else if (a->cred->c_ngroups > PN_NGROUPS) {
			error = PN_ERANGE;
		} else {
			kcred->pkcr_type = PN_CRED_TYPE_UUC;
			kcred->pkcr_uuc.cr_uid = a->cred->c_uid;
			kcred->pkcr_uuc.cr_gid = a->cred->c_gid;
			n = a->cred->c_ngroups;
			kcred->pkcr_uuc.cr_ngroups = (uint32_t)n;
			memcpy(kcred->pkcr_uuc.cr_groups, a->cred->c_groups,
			    n * sizeof(uint32_t));
		}
	}
	if (error != PN_OK) {
		memset(kcn, 0, sizeof(*kcn));
		memset(kcred, 0, sizeof(*kcred));
		memset(kcid, 0, sizeof(*kcid));
	}
	return error;
}

/* The component length: selector sel, value val for the long forms. */
static size_t
pick_namelen(uint8_t sel, uint64_t val, size_t slen)
{
	switch (sel >> 5) {
	case 0:
	case 1:
		return slen;			/* the whole string */
	case 2:
		return (sel & 31) % (slen + 2);	/* within, or one past */
	case 3:
		return 0;
	case 4:
		return PN_KCN_NAMELEN - 2 + (sel & 3);
	case 5:
		return SIZE_MAX - (sel & 31);
	case 6:
		return (uint16_t)val;
	default:
		return (size_t)val;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct pn_kcn *kcn, rkcn;
	struct pn_kcred *kcred, rkcred;
	struct pn_kcid *kcid, rkcid;
	struct pn_cred cred;
	struct pn_caller caller;
	struct args a;
	const uint8_t *name;
	char *nbuf;
	size_t nlen, i;
	uint64_t lenval = 0;
	uint8_t b0, b1, lensel;
	int rv, want;

	if (!host_ready) {
		th_init(&host);
		if (th_mount(&host, &(struct pn_mount_args){
		    .version = PN_MOUNT_ARGS_VERSION, .root_cookie = 1,
		    .root_type = PN_VDIR }) != PN_OK)
			abort();
		host_ready = true;
	}

	memset(&a, 0, sizeof(a));
	memset(&cred, 0, sizeof(cred));
	memset(&caller, 0, sizeof(caller));
	b0 = fz_u8(&f);
	b1 = fz_u8(&f);
	a.full = b0 & 1;
	a.kcred = !(b0 & 2);
	a.kcid = !(b0 & 4);
	a.cn = (b0 & 0x18) != 0x18;
	a.nameptr = (b0 & 0x18) != 0x10;
	a.mp = !(b0 & 0x20);
	a.kcn = (b1 & 0xc0) != 0xc0;
	a.fault = (b1 & 0x20) != 0;
	switch (b0 >> 6) {
	case 0:
		a.cred = NULL;
		break;
	case 1:
		a.cred = PN_NOCRED;
		break;
	case 2:
		a.cred = PN_FSCRED;
		break;
	default:
		cred.c_uid = fz_u32(&f);
		cred.c_gid = fz_u32(&f);
		i = fz_u8(&f);
		cred.c_ngroups = i < 0xf0 ? i % (PN_NGROUPS + 2) :
		    i == 0xff ? SIZE_MAX : i;
		for (i = 0; i < PN_NGROUPS + 2; i++)
			cred.c_groups[i] = fz_u8(&f);
		a.cred = &cred;
		break;
	}
	switch (b1 & 3) {
	case 0:
		a.caller = NULL;
		break;
	case 3:
		caller.l_fail = true;
		/* FALLTHROUGH */
	default:
		caller.l_pid = (int32_t)fz_u32(&f);
		caller.l_lwpid = (int32_t)fz_u32(&f);
		a.caller = &caller;
		break;
	}
	a.c.cn_nameiop = fz_u32(&f);
	a.c.cn_flags = fz_u32(&f);
	a.c.cn_cred = a.cred;
	a.c.cn_caller = a.caller;
	lensel = fz_u8(&f);
	if ((lensel >> 5) >= 6)
		lenval = fz_u64(&f);

	/* The rest is the name: an exact-size copy, NUL-terminated. */
	name = fz_bytes(&f, SIZE_MAX, &nlen);
	nbuf = malloc(nlen + 1);
	if (nbuf == NULL)
		abort();
	memcpy(nbuf, name, nlen);
	nbuf[nlen] = '\0';
	a.slen = strlen(nbuf);
	a.c.cn_namelen = pick_namelen(lensel, lenval, a.slen);
	a.c.cn_nameptr = a.nameptr ? nbuf : NULL;

	kcn = guarded(sizeof(*kcn));
	kcred = guarded(sizeof(*kcred));
	kcid = guarded(sizeof(*kcid));
	if (a.fault) {
		host.h_w.mask = 1u << WH_CRED;
		wh_fail_at(&host.h_w, 1, false);
	} else {
		wh_fail_at(&host.h_w, 0, false);
	}

	want = ref_makecn(&a, &rkcn, &rkcred, &rkcid);
	/* Keep the fault only where the reference says cred_get is reached. */
	if (a.fault && want != PN_ENOMEM) {
		wh_fail_at(&host.h_w, 0, false);
		a.fault = false;
	}
	rv = pn_makecn(a.mp ? host.h_mp : NULL, a.kcn ? kcn : NULL,
	    a.kcred ? kcred : NULL, a.kcid ? kcid : NULL, a.cn ? &a.c : NULL,
	    a.full);
	FZ_EQ(rv, want, "pn_makecn answer");

	if (!a.kcn) {
		/* Nothing may be written at all. */
		for (i = 0; i < sizeof(*kcred); i++)
			FZ_EQ(((uint8_t *)kcred)[i], 0x5a, "untouched kcred");
		for (i = 0; i < sizeof(*kcid); i++)
			FZ_EQ(((uint8_t *)kcid)[i], 0x5a, "untouched kcid");
	} else {
		if (memcmp(kcn, &rkcn, sizeof(rkcn)) != 0)
			FZ_FAIL("kcn differs from the reference (answer %d)",
			    rv);
		if (memchr(kcn->pkcn_name, '\0', PN_KCN_NAMELEN) == NULL)
			FZ_FAIL("kcn name not terminated");
		if (rv == PN_OK && strlen(kcn->pkcn_name) !=
		    (a.full ? a.slen : a.c.cn_namelen))
			FZ_FAIL("kcn name length");
		if (a.kcred && memcmp(kcred, &rkcred, sizeof(rkcred)) != 0)
			FZ_FAIL("kcred differs from the reference");
		if (a.kcid && memcmp(kcid, &rkcid, sizeof(rkcid)) != 0)
			FZ_FAIL("kcid differs from the reference");
	}
	if (a.fault)
		FZ_EQ(atomic_load(&host.h_w.failed), 1, "cred_get fault used");

	guarded_check_free(kcn, sizeof(*kcn), "kcn guard");
	guarded_check_free(kcred, sizeof(*kcred), "kcred guard");
	guarded_check_free(kcid, sizeof(*kcid), "kcid guard");
	free(nbuf);
	return 0;
}
