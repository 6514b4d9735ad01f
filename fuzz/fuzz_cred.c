/*
 * fuzz_cred.c -- credentials: pn_credcvt(), the accessors and the POSIX
 * access check.
 *
 * The input first picks a credential to convert: none, PN_NOCRED,
 * PN_FSCRED or a host credential with any uid, gid and group count
 * (within PN_NGROUPS, just past it, huge), with or without a mount and a
 * host fault in cred_get.  The converted credential -- or, when the input
 * says so, a raw pn_kcred taken from the input as an untrusted peer would
 * send it, with any type, kind and group count -- is then put through a
 * list of queries: get uid, gid and groups (into caller buffers of every
 * size, exact heap allocations), is-uid, has-group, is-regular, is-kernel,
 * is-fs, is-juggernaut, and pn_access() with any node type, mode, owner,
 * group and access mode.
 *
 * Every answer and every output is compared with a reference written
 * here from the POSIX rules (owner class, else group class by primary or
 * supplementary group, else other; the superuser and the kernel may do
 * anything but execute a non-directory without any execute bit); outputs
 * sit between guard bytes, and the conversion's output must be zeroed
 * wherever it holds nothing.
 */
#include "fuzz.h"
#include "testhost.h"

static struct th_host host;
static bool host_ready;

/* ---- the reference ---- */

static bool
r_regular(const struct pn_kcred *c)
{
	return c != NULL && c->pkcr_type == PN_CRED_TYPE_UUC &&
	    c->pkcr_uuc.cr_ngroups <= PN_NGROUPS;
}

static bool
r_internal(const struct pn_kcred *c, uint32_t kind)
{
	return c != NULL && c->pkcr_type == PN_CRED_TYPE_INTERNAL &&
	    c->pkcr_internal == kind;
}

/* Answer of the id getters before they write anything. */
static int
r_ids(const struct pn_kcred *c)
{
	if (c == NULL)
		return PN_EINVAL;
	if (r_internal(c, PN_CRED_NOCRED) || r_internal(c, PN_CRED_FSCRED))
		return PN_EOPNOTSUPP;
	return r_regular(c) ? PN_OK : PN_EINVAL;
}

static bool
r_ingroup(const struct pn_kcred *c, uint32_t g)
{
	uint32_t i;

	if (!r_regular(c))
		return false;
	if (c->pkcr_uuc.cr_gid == g)
		return true;
	for (i = 0; i < c->pkcr_uuc.cr_ngroups; i++)
		if (c->pkcr_uuc.cr_groups[i] == g)
			return true;
	return false;
}

static bool
r_super(const struct pn_kcred *c)
{
	return (r_regular(c) && c->pkcr_uuc.cr_uid == 0) ||
	    r_internal(c, PN_CRED_NOCRED) || r_internal(c, PN_CRED_FSCRED);
}

static int
r_access(int type, uint32_t mode, uint32_t ouid, uint32_t ogid, uint32_t acc,
    const struct pn_kcred *c)
{
	static const uint32_t rbit[3] = { 0400, 0040, 0004 };
	static const uint32_t wbit[3] = { 0200, 0020, 0002 };
	static const uint32_t xbit[3] = { 0100, 0010, 0001 };
	int cls;

	if (c == NULL || type < PN_VREG || type > PN_VFIFO ||
	    (acc & ~(uint32_t)(PN_VREAD | PN_VWRITE | PN_VEXEC)) != 0)
		return PN_EINVAL;
	if (!r_regular(c) && !r_internal(c, PN_CRED_NOCRED) &&
	    !r_internal(c, PN_CRED_FSCRED))
		return PN_EINVAL;
	if (r_super(c)) {
		if ((acc & PN_VEXEC) && type != PN_VDIR &&
		    !(mode & (xbit[0] | xbit[1] | xbit[2])))
			return PN_EACCES;
		return PN_OK;
	}
	if (c->pkcr_uuc.cr_uid == ouid)
		cls = 0;
	else if (r_ingroup(c, ogid))
		cls = 1;
	else
		cls = 2;
	if ((acc & PN_VREAD) && !(mode & rbit[cls]))
		return PN_EACCES;
	if ((acc & PN_VWRITE) && !(mode & wbit[cls]))
		return PN_EACCES;
	if ((acc & PN_VEXEC) && !(mode & xbit[cls]))
		return PN_EACCES;
	return PN_OK;
}

/* ---- reading operands ---- */

/* An id, usually one of a few so that ids match. */
static uint32_t
rd_id(struct fz *f)
{
	uint8_t b = fz_u8(f);

	return b < 0xf0 ? b & 3 : fz_u32(f);
}

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

/* ---- the conversion ---- */

static void
convert(struct fz *f, struct pn_kcred *out)
{
	struct pn_kcred want;
	struct pn_cred cred;
	const struct pn_cred *cp;
	uint8_t b = fz_u8(f);
	bool usemp = !(b & 4), fault = (b & 8) != 0;
	size_t i, n;
	int wrv = PN_OK;

	memset(&cred, 0, sizeof(cred));
	memset(&want, 0, sizeof(want));
	switch (b & 3) {
	case 0:
		cp = NULL;
		wrv = PN_EINVAL;
		break;
	case 1:
		cp = PN_NOCRED;
		want.pkcr_type = PN_CRED_TYPE_INTERNAL;
		want.pkcr_internal = PN_CRED_NOCRED;
		break;
	case 2:
		cp = PN_FSCRED;
		want.pkcr_type = PN_CRED_TYPE_INTERNAL;
		want.pkcr_internal = PN_CRED_FSCRED;
		break;
	default:
		cred.c_uid = rd_id(f);
		cred.c_gid = rd_id(f);
		n = fz_u8(f);
		cred.c_ngroups = n < 0xf0 ? n % (PN_NGROUPS + 3) :
		    n == 0xff ? SIZE_MAX : n;
		for (i = 0; i < PN_NGROUPS + 2; i++)
			cred.c_groups[i] = rd_id(f);
		cp = &cred;
		if (!usemp) {
			wrv = PN_EINVAL;
		} else if (fault) {
			wrv = PN_ENOMEM;
		} else if (cred.c_ngroups > PN_NGROUPS) {
			wrv = PN_ERANGE;
		} else {
			want.pkcr_type = PN_CRED_TYPE_UUC;
			want.pkcr_uuc.cr_uid = cred.c_uid;
			want.pkcr_uuc.cr_gid = cred.c_gid;
			want.pkcr_uuc.cr_ngroups = (uint32_t)cred.c_ngroups;
			memcpy(want.pkcr_uuc.cr_groups, cred.c_groups,
			    cred.c_ngroups * sizeof(uint32_t));
		}
		break;
	}
	if (wrv != PN_OK)
		memset(&want, 0, sizeof(want));
	fault = fault && wrv == PN_ENOMEM;
	if (fault) {
		host.h_w.mask = 1u << WH_CRED;
		wh_fail_at(&host.h_w, 1, false);
	} else {
		wh_fail_at(&host.h_w, 0, false);
	}
	if (b & 0x10) {
		FZ_EQ(pn_credcvt(usemp ? host.h_mp : NULL, NULL, cp),
		    PN_EINVAL, "credcvt without output");
		memset(out, 0, sizeof(*out));
		return;
	}
	FZ_EQ(pn_credcvt(usemp ? host.h_mp : NULL, out, cp), wrv,
	    "credcvt answer");
	if (memcmp(out, &want, sizeof(want)) != 0)
		FZ_FAIL("credcvt output differs from the reference");
	if (fault)
		FZ_EQ(atomic_load(&host.h_w.failed), 1, "cred_get fault used");
	wh_fail_at(&host.h_w, 0, false);
}

/* ---- the queries ---- */

static void
query(struct fz *f, const struct pn_kcred *kc)
{
	uint8_t op = fz_u8(f);
	const struct pn_kcred *c = (op & 0x80) ? NULL : kc;
	uint32_t v = 0xdeadbeef, id;
	uint32_t *gids;
	size_t ng, want_ng, i;
	int want;

	switch (op & 7) {
	case 0:
		want = r_ids(c);
		if (op & 0x40) {
			FZ_EQ(pn_cred_getuid(c, NULL), PN_EINVAL, "getuid NULL");
			break;
		}
		FZ_EQ(pn_cred_getuid(c, &v), want, "getuid");
		FZ_EQ(v, want == PN_OK ? c->pkcr_uuc.cr_uid : 0xdeadbeef,
		    "getuid value");
		break;
	case 1:
		want = r_ids(c);
		if (op & 0x40) {
			FZ_EQ(pn_cred_getgid(c, NULL), PN_EINVAL, "getgid NULL");
			break;
		}
		FZ_EQ(pn_cred_getgid(c, &v), want, "getgid");
		FZ_EQ(v, want == PN_OK ? c->pkcr_uuc.cr_gid : 0xdeadbeef,
		    "getgid value");
		break;
	case 2:
		if (op & 0x40) {
			ng = fz_u8(f) & 3;
			want = ng == 0 ? r_ids(c) : PN_EINVAL;
			FZ_EQ(pn_cred_getgroups(c, NULL, &ng), want,
			    "getgroups NULL buffer");
			FZ_EQ(pn_cred_getgroups(c, NULL, NULL), PN_EINVAL,
			    "getgroups NULL count");
			break;
		}
		ng = fz_u8(f) % (PN_NGROUPS + 4);
		gids = guarded(ng * sizeof(uint32_t));
		want = r_ids(c);
		want_ng = want == PN_OK ? c->pkcr_uuc.cr_ngroups : ng;
		{
			size_t got = ng;

			FZ_EQ(pn_cred_getgroups(c, gids, &got), want,
			    "getgroups");
			FZ_EQ(got, want_ng, "getgroups count");
		}
		for (i = 0; i < ng; i++) {
			if (want == PN_OK && i < c->pkcr_uuc.cr_ngroups)
				FZ_EQ(gids[i], c->pkcr_uuc.cr_groups[i],
				    "getgroups value");
			else if (gids[i] != 0x5a5a5a5au)
				FZ_FAIL("getgroups wrote entry %zu", i);
		}
		guarded_check_free(gids, ng * sizeof(uint32_t),
		    "getgroups guard");
		break;
	case 3:
		id = rd_id(f);
		FZ_EQ(pn_cred_isuid(c, id),
		    r_regular(c) && c->pkcr_uuc.cr_uid == id, "isuid");
		break;
	case 4:
		id = rd_id(f);
		FZ_EQ(pn_cred_hasgroup(c, id), r_ingroup(c, id), "hasgroup");
		break;
	case 5:
		FZ_EQ(pn_cred_isregular(c), r_regular(c), "isregular");
		FZ_EQ(pn_cred_iskernel(c), r_internal(c, PN_CRED_NOCRED),
		    "iskernel");
		FZ_EQ(pn_cred_isfs(c), r_internal(c, PN_CRED_FSCRED), "isfs");
		FZ_EQ(pn_cred_isjuggernaut(c), r_super(c), "isjuggernaut");
		break;
	default: {
		uint8_t t = fz_u8(f);
		int type = t < 0xf0 ? t % 10 - 1 : (int)fz_u32(f);
		uint32_t mode = (fz_u8(f) & 0x80) ? fz_u32(f) :
		    fz_u16(f) & 0777;
		uint32_t ouid = rd_id(f), ogid = rd_id(f);
		uint8_t a = fz_u8(f);
		uint32_t acc = a < 0xf0 ? a & 7 : fz_u32(f);

		FZ_EQ(pn_access(type, mode, ouid, ogid, acc, c),
		    r_access(type, mode, ouid, ogid, acc, c), "access");
		break;
	}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct pn_kcred *kc;
	uint8_t tweak;
	size_t n;

	if (!host_ready) {
		th_init(&host);
		if (th_mount(&host, &(struct pn_mount_args){
		    .version = PN_MOUNT_ARGS_VERSION, .root_cookie = 1,
		    .root_type = PN_VDIR }) != PN_OK)
			abort();
		host_ready = true;
	}

	kc = guarded(sizeof(*kc));
	tweak = fz_u8(&f);
	if (tweak & 1) {
		/* A raw credential, as an untrusted peer may send one. */
		const uint8_t *raw = fz_bytes(&f, sizeof(*kc), &n);

		memset(kc, 0, sizeof(*kc));
		memcpy(kc, raw, n);
		/* Mostly near the valid values, so the checks are reached. */
		if (tweak & 2)
			kc->pkcr_type = 1 + kc->pkcr_type % 3;
		if (tweak & 4)
			kc->pkcr_internal = kc->pkcr_internal % 4;
		if (tweak & 8)
			kc->pkcr_uuc.cr_ngroups %= PN_NGROUPS + 2;
	} else {
		convert(&f, kc);
	}
	while (!fz_empty(&f))
		query(&f, kc);
	guarded_check_free(kc, sizeof(*kc), "kcred guard");
	return 0;
}
