/*
 * test_cred.c -- credentials, caller ids and component names in wire
 * form; the credential accessors and the access check.
 */
#include "unit.h"

static const struct pn_cred user = {
	.c_uid = 1000, .c_gid = 100, .c_ngroups = 3,
	.c_groups = { 5, 6, 7 },
};

static struct pn_kcred
kuser(uint32_t uid, uint32_t gid, uint32_t ngroups, const uint32_t *groups)
{
	struct pn_kcred k;
	uint32_t i;

	memset(&k, 0, sizeof(k));
	k.pkcr_type = PN_CRED_TYPE_UUC;
	k.pkcr_uuc.cr_uid = uid;
	k.pkcr_uuc.cr_gid = gid;
	k.pkcr_uuc.cr_ngroups = ngroups;
	for (i = 0; i < ngroups; i++)
		k.pkcr_uuc.cr_groups[i] = groups[i];
	return k;
}

static struct pn_kcred
kinternal(uint32_t which)
{
	struct pn_kcred k;

	memset(&k, 0, sizeof(k));
	k.pkcr_type = PN_CRED_TYPE_INTERNAL;
	k.pkcr_internal = which;
	return k;
}

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n-- > 0)
		if (*c++ != 0)
			return false;
	return true;
}

/* ---- pn_credcvt ---- */

static void
credcvt_sentinels(void **state)
{
	struct ut *u = *state;
	struct pn_kcred k;

	assert_int_equal(pn_credcvt(u->mp, NULL, &user), PN_EINVAL);
	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, NULL), PN_EINVAL);
	assert_true(all_zero(&k, sizeof(k)));

	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, PN_NOCRED), PN_OK);
	assert_int_equal(k.pkcr_type, PN_CRED_TYPE_INTERNAL);
	assert_int_equal(k.pkcr_internal, PN_CRED_NOCRED);
	assert_true(all_zero(&k.pkcr_uuc, sizeof(k.pkcr_uuc)));

	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(NULL, &k, PN_FSCRED), PN_OK);
	assert_int_equal(k.pkcr_type, PN_CRED_TYPE_INTERNAL);
	assert_int_equal(k.pkcr_internal, PN_CRED_FSCRED);
	assert_true(all_zero(&k.pkcr_uuc, sizeof(k.pkcr_uuc)));
}

static void
credcvt_uuc(void **state)
{
	struct ut *u = *state;
	struct pn_kcred k;
	struct pn_cred c = user;
	uint32_t i;

	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, &user), PN_OK);
	assert_int_equal(k.pkcr_type, PN_CRED_TYPE_UUC);
	assert_int_equal(k.pkcr_internal, 0);
	assert_int_equal(k.pkcr_uuc.cr_uid, 1000);
	assert_int_equal(k.pkcr_uuc.cr_gid, 100);
	assert_int_equal(k.pkcr_uuc.cr_ngroups, 3);
	assert_int_equal(k.pkcr_uuc.cr_groups[0], 5);
	assert_int_equal(k.pkcr_uuc.cr_groups[2], 7);
	assert_true(all_zero(&k.pkcr_uuc.cr_groups[3],
	    (PN_NGROUPS - 3) * sizeof(uint32_t)));

	/* a real credential needs the mount */
	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(NULL, &k, &user), PN_EINVAL);
	assert_true(all_zero(&k, sizeof(k)));

	/* exactly PN_NGROUPS fits */
	c.c_ngroups = PN_NGROUPS;
	for (i = 0; i < PN_NGROUPS; i++)
		c.c_groups[i] = 200 + i;
	assert_int_equal(pn_credcvt(u->mp, &k, &c), PN_OK);
	assert_int_equal(k.pkcr_uuc.cr_ngroups, PN_NGROUPS);
	assert_int_equal(k.pkcr_uuc.cr_groups[PN_NGROUPS - 1],
	    200 + PN_NGROUPS - 1);

	/* one more is an error, with the output zeroed */
	c.c_ngroups = PN_NGROUPS + 1;
	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, &c), PN_ERANGE);
	assert_true(all_zero(&k, sizeof(k)));
	c.c_ngroups = 64;
	assert_int_equal(pn_credcvt(u->mp, &k, &c), PN_ERANGE);
	assert_true(all_zero(&k, sizeof(k)));

	/* the host fails */
	u->h.h_w.mask = 1u << WH_CRED;
	wh_fail_at(&u->h.h_w, 1, false);
	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, &user), PN_ENOMEM);
	assert_true(all_zero(&k, sizeof(k)));
	wh_fail_at(&u->h.h_w, 0, false);
}

static void
no_cred_ops(struct th_host *h)
{
	h->h_ops.cred_get = NULL;
	h->h_ops.caller_ids = NULL;
}

static int
nocredget_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	return ut_setup_host(state, &a, no_cred_ops);
}

static void
credcvt_cidcvt_no_host_ops(void **state)
{
	struct ut *u = *state;
	struct pn_kcred k;
	struct pn_kcid id;
	struct pn_caller l = { .l_pid = 3, .l_lwpid = 4 };

	memset(&k, 0xab, sizeof(k));
	assert_int_equal(pn_credcvt(u->mp, &k, &user), PN_EOPNOTSUPP);
	assert_true(all_zero(&k, sizeof(k)));
	assert_int_equal(pn_credcvt(u->mp, &k, PN_FSCRED), PN_OK);
	memset(&id, 0xab, sizeof(id));
	assert_int_equal(pn_cidcvt(u->mp, &id, &l), PN_OK);
	assert_int_equal(id.pkcid_type, PN_CID_TYPE_FAKE);
	assert_int_equal(id.pkcid_pid, 0);
	assert_int_equal(id.pkcid_lwpid, 0);
}

/* ---- accessors ---- */

static void
accessors_uuc(void **state)
{
	const uint32_t g[] = { 5, 6, 7 };
	struct pn_kcred k = kuser(1000, 100, 3, g);
	uint32_t v = 0, gids[4] = { 0, 0, 0, 0xdead };
	size_t n;

	(void)state;
	assert_int_equal(pn_cred_getuid(&k, &v), PN_OK);
	assert_int_equal(v, 1000);
	assert_int_equal(pn_cred_getgid(&k, &v), PN_OK);
	assert_int_equal(v, 100);
	assert_int_equal(pn_cred_getuid(&k, NULL), PN_EINVAL);
	assert_int_equal(pn_cred_getgid(&k, NULL), PN_EINVAL);
	assert_int_equal(pn_cred_getuid(NULL, &v), PN_EINVAL);
	assert_int_equal(pn_cred_getgid(NULL, &v), PN_EINVAL);

	n = 4;
	assert_int_equal(pn_cred_getgroups(&k, gids, &n), PN_OK);
	assert_int_equal(n, 3);
	assert_int_equal(gids[0], 5);
	assert_int_equal(gids[2], 7);
	assert_int_equal(gids[3], 0xdead);

	/* at most the caller's count; says how many there are */
	memset(gids, 0, sizeof(gids));
	gids[2] = 0xbeef;
	n = 2;
	assert_int_equal(pn_cred_getgroups(&k, gids, &n), PN_OK);
	assert_int_equal(n, 3);
	assert_int_equal(gids[0], 5);
	assert_int_equal(gids[1], 6);
	assert_int_equal(gids[2], 0xbeef);

	n = 0;					/* size query */
	assert_int_equal(pn_cred_getgroups(&k, NULL, &n), PN_OK);
	assert_int_equal(n, 3);
	n = 1;
	assert_int_equal(pn_cred_getgroups(&k, NULL, &n), PN_EINVAL);
	assert_int_equal(pn_cred_getgroups(&k, gids, NULL), PN_EINVAL);
	n = 4;
	assert_int_equal(pn_cred_getgroups(NULL, gids, &n), PN_EINVAL);

	assert_true(pn_cred_isuid(&k, 1000));
	assert_false(pn_cred_isuid(&k, 0));
	assert_false(pn_cred_isuid(NULL, 1000));
	assert_true(pn_cred_hasgroup(&k, 100));		/* primary */
	assert_true(pn_cred_hasgroup(&k, 6));
	assert_false(pn_cred_hasgroup(&k, 8));
	assert_false(pn_cred_hasgroup(NULL, 100));
	assert_true(pn_cred_isregular(&k));
	assert_false(pn_cred_iskernel(&k));
	assert_false(pn_cred_isfs(&k));
	assert_false(pn_cred_isjuggernaut(&k));
	k.pkcr_uuc.cr_uid = 0;
	assert_true(pn_cred_isjuggernaut(&k));
	assert_true(pn_cred_isuid(&k, 0));
}

static void
accessors_internal_and_malformed(void **state)
{
	struct pn_kcred no = kinternal(PN_CRED_NOCRED);
	struct pn_kcred fs = kinternal(PN_CRED_FSCRED);
	struct pn_kcred bad = kinternal(7);
	struct pn_kcred zero, over;
	const uint32_t g[] = { 5 };
	uint32_t v = 77, gids[2];
	size_t n = 2;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	over = kuser(1, 1, 1, g);
	over.pkcr_uuc.cr_ngroups = PN_NGROUPS + 1;

	/* an internal credential has no ids: an error, not a zero uid */
	assert_int_equal(pn_cred_getuid(&no, &v), PN_EOPNOTSUPP);
	assert_int_equal(v, 77);
	assert_int_equal(pn_cred_getgid(&fs, &v), PN_EOPNOTSUPP);
	assert_int_equal(pn_cred_getgroups(&no, gids, &n), PN_EOPNOTSUPP);
	assert_false(pn_cred_isuid(&no, 0));
	assert_false(pn_cred_isuid(&fs, 0));
	assert_false(pn_cred_hasgroup(&no, 0));
	assert_false(pn_cred_isregular(&no));
	assert_true(pn_cred_iskernel(&no));
	assert_false(pn_cred_isfs(&no));
	assert_true(pn_cred_isfs(&fs));
	assert_false(pn_cred_iskernel(&fs));
	assert_true(pn_cred_isjuggernaut(&no));
	assert_true(pn_cred_isjuggernaut(&fs));
	assert_false(pn_cred_isjuggernaut(NULL));
	assert_false(pn_cred_iskernel(NULL));
	assert_false(pn_cred_isfs(NULL));
	assert_false(pn_cred_isregular(NULL));

	/* malformed: unknown type, unknown internal kind, too many groups */
	assert_int_equal(pn_cred_getuid(&zero, &v), PN_EINVAL);
	assert_int_equal(pn_cred_getuid(&bad, &v), PN_EINVAL);
	assert_int_equal(pn_cred_getgid(&over, &v), PN_EINVAL);
	assert_int_equal(pn_cred_getgroups(&over, gids, &n), PN_EINVAL);
	assert_false(pn_cred_isregular(&zero));
	assert_false(pn_cred_isregular(&over));
	assert_false(pn_cred_iskernel(&bad));
	assert_false(pn_cred_isfs(&bad));
	assert_false(pn_cred_hasgroup(&over, 5));
	assert_false(pn_cred_isjuggernaut(&bad));
}

/* ---- pn_access ---- */

static void
access_owner_group_other(void **state)
{
	const uint32_t g[] = { 20 };
	struct pn_kcred owner = kuser(10, 99, 0, NULL);
	struct pn_kcred member = kuser(11, 99, 1, g);	/* group 20 extra */
	struct pn_kcred other = kuser(12, 30, 0, NULL);

	(void)state;
	/* mode 0750, owner 10, group 20 */
	assert_int_equal(pn_access(PN_VREG, 0750, 10, 20, PN_VREAD, &owner),
	    PN_OK);
	assert_int_equal(pn_access(PN_VREG, 0750, 10, 20, PN_VREAD | PN_VWRITE |
	    PN_VEXEC, &owner), PN_OK);
	assert_int_equal(pn_access(PN_VREG, 0750, 10, 20, PN_VREAD | PN_VEXEC,
	    &member), PN_OK);
	assert_int_equal(pn_access(PN_VREG, 0750, 10, 20, PN_VWRITE, &member),
	    PN_EACCES);
	assert_int_equal(pn_access(PN_VREG, 0750, 10, 20, PN_VREAD, &other),
	    PN_EACCES);
	assert_int_equal(pn_access(PN_VREG, 0754, 10, 20, PN_VREAD, &other),
	    PN_OK);
	assert_int_equal(pn_access(PN_VREG, 0754, 10, 20, PN_VEXEC, &other),
	    PN_EACCES);
	/* primary gid matches the group */
	assert_int_equal(pn_access(PN_VREG, 0070, 10, 99, PN_VREAD, &member),
	    PN_OK);
	/* the owner's bits decide for the owner, even if others may */
	assert_int_equal(pn_access(PN_VREG, 0077, 10, 99, PN_VREAD, &owner),
	    PN_EACCES);
	/* the group's bits decide for a member */
	assert_int_equal(pn_access(PN_VREG, 0707, 10, 20, PN_VREAD, &member),
	    PN_EACCES);
	/* nothing asked: granted */
	assert_int_equal(pn_access(PN_VREG, 0, 10, 20, 0, &other), PN_OK);
	/* directory search */
	assert_int_equal(pn_access(PN_VDIR, 0711, 10, 20, PN_VEXEC, &other),
	    PN_OK);
	assert_int_equal(pn_access(PN_VDIR, 0700, 10, 20, PN_VEXEC, &other),
	    PN_EACCES);
}

static void
access_root_and_internal(void **state)
{
	struct pn_kcred root = kuser(0, 0, 0, NULL);
	struct pn_kcred no = kinternal(PN_CRED_NOCRED);
	struct pn_kcred fs = kinternal(PN_CRED_FSCRED);
	const struct pn_kcred *all[] = { &root, &no, &fs };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(pn_access(PN_VREG, 0, 10, 20, PN_VREAD |
		    PN_VWRITE, all[i]), PN_OK);
		/* exec of a file with no execute bit: refused even to root */
		assert_int_equal(pn_access(PN_VREG, 0644, 10, 20, PN_VEXEC,
		    all[i]), PN_EACCES);
		assert_int_equal(pn_access(PN_VREG, 0001, 10, 20, PN_VEXEC,
		    all[i]), PN_OK);
		assert_int_equal(pn_access(PN_VDIR, 0, 10, 20, PN_VEXEC,
		    all[i]), PN_OK);
	}
}

static void
access_bad_args(void **state)
{
	struct pn_kcred k = kuser(10, 20, 0, NULL), bad = kinternal(9), zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(pn_access(PN_VREG, 0777, 10, 20, PN_VREAD, NULL),
	    PN_EINVAL);
	assert_int_equal(pn_access(PN_VNON, 0777, 10, 20, PN_VREAD, &k),
	    PN_EINVAL);
	assert_int_equal(pn_access(PN_VBAD, 0777, 10, 20, PN_VREAD, &k),
	    PN_EINVAL);
	assert_int_equal(pn_access(PN_VREG, 0777, 10, 20, 0x8, &k), PN_EINVAL);
	assert_int_equal(pn_access(PN_VREG, 0777, 10, 20, PN_VREAD, &bad),
	    PN_EINVAL);
	assert_int_equal(pn_access(PN_VREG, 0777, 10, 20, PN_VREAD, &zero),
	    PN_EINVAL);
}

/* ---- pn_cidcvt ---- */

static void
cidcvt_cases(void **state)
{
	struct ut *u = *state;
	struct pn_kcid id;
	struct pn_caller real = { .l_pid = 1234, .l_lwpid = 7 };
	struct pn_caller failing = { .l_pid = 1, .l_lwpid = 1, .l_fail = true };

	assert_int_equal(pn_cidcvt(u->mp, NULL, &real), PN_EINVAL);

	memset(&id, 0xab, sizeof(id));
	assert_int_equal(pn_cidcvt(u->mp, &id, &real), PN_OK);
	assert_int_equal(id.pkcid_type, PN_CID_TYPE_REAL);
	assert_int_equal(id.pkcid_pid, 1234);
	assert_int_equal(id.pkcid_lwpid, 7);

	memset(&id, 0xab, sizeof(id));
	assert_int_equal(pn_cidcvt(NULL, &id, NULL), PN_OK);
	assert_int_equal(id.pkcid_type, PN_CID_TYPE_FAKE);
	assert_int_equal(id.pkcid_pid, 0);
	assert_int_equal(id.pkcid_lwpid, 0);

	memset(&id, 0xab, sizeof(id));
	assert_int_equal(pn_cidcvt(u->mp, &id, &failing), PN_OK);
	assert_int_equal(id.pkcid_type, PN_CID_TYPE_FAKE);
	assert_int_equal(id.pkcid_pid, 0);
	assert_int_equal(id.pkcid_lwpid, 0);

	memset(&id, 0xab, sizeof(id));
	assert_int_equal(pn_cidcvt(NULL, &id, &real), PN_EINVAL);
	assert_int_equal(id.pkcid_pid, 0);
}

/* ---- pn_makecn ---- */

/* A kcn with a guard zone behind it. */
struct guarded {
	struct pn_kcn	kcn;
	unsigned char	canary[256];
};

static void
guard(struct guarded *g)
{
	memset(g, 0x5a, sizeof(*g));
}

static bool
canary_intact(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < sizeof(g->canary); i++)
		if (g->canary[i] != 0x5a)
			return false;
	return true;
}

static void
makecn_component_and_full(void **state)
{
	struct ut *u = *state;
	struct guarded g;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_caller l = { .l_pid = 9, .l_lwpid = 10 };
	struct pn_cn cn = {
		.cn_nameiop = PN_NAMEI_RENAME,
		.cn_flags = PN_CN_MAKEENTRY | 0x80000001u,
		.cn_nameptr = "foo/bar/baz",
		.cn_namelen = 3,
		.cn_cred = &user,
		.cn_caller = &l,
	};

	guard(&g);
	memset(&kc, 0xab, sizeof(kc));
	memset(&kid, 0xab, sizeof(kid));
	assert_int_equal(pn_makecn(u->mp, &g.kcn, &kc, &kid, &cn, false),
	    PN_OK);
	assert_string_equal(g.kcn.pkcn_name, "foo");
	assert_true(all_zero(g.kcn.pkcn_name + 3, PN_KCN_NAMELEN - 3));
	assert_int_equal(g.kcn.pkcn_namelen, 3);
	assert_int_equal(g.kcn.pkcn_consume, 0);
	assert_int_equal(g.kcn.pkcn_nameiop, PN_NAMEI_RENAME);
	assert_int_equal(g.kcn.pkcn_flags, PN_CN_MAKEENTRY | 0x80000001u);
	assert_int_equal(kc.pkcr_type, PN_CRED_TYPE_UUC);
	assert_int_equal(kc.pkcr_uuc.cr_uid, 1000);
	assert_int_equal(kid.pkcid_type, PN_CID_TYPE_REAL);
	assert_int_equal(kid.pkcid_pid, 9);
	assert_true(canary_intact(&g));

	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, true),
	    PN_OK);
	assert_string_equal(g.kcn.pkcn_name, "foo/bar/baz");
	assert_int_equal(g.kcn.pkcn_namelen, 3);
	assert_true(canary_intact(&g));

	/* internal credential and no caller */
	cn.cn_cred = PN_NOCRED;
	cn.cn_caller = NULL;
	assert_int_equal(pn_makecn(u->mp, &g.kcn, &kc, &kid, &cn, false),
	    PN_OK);
	assert_int_equal(kc.pkcr_type, PN_CRED_TYPE_INTERNAL);
	assert_int_equal(kc.pkcr_internal, PN_CRED_NOCRED);
	assert_int_equal(kid.pkcid_type, PN_CID_TYPE_FAKE);
}

static void
makecn_bad_input(void **state)
{
	struct ut *u = *state;
	struct guarded g;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_cred many = user;
	struct pn_cn cn = { .cn_nameptr = "abc", .cn_namelen = 3,
	    .cn_cred = PN_FSCRED };
	char embedded[] = { 'a', '\0', 'b', '\0' };

	assert_int_equal(pn_makecn(u->mp, NULL, &kc, &kid, &cn, false),
	    PN_EINVAL);

	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, NULL, false),
	    PN_EINVAL);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(canary_intact(&g));

	cn.cn_nameptr = NULL;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_EINVAL);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));

	cn.cn_nameptr = "";			/* empty name */
	cn.cn_namelen = 0;
	memset(&kc, 0xab, sizeof(kc));
	memset(&kid, 0xab, sizeof(kid));
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, &kc, &kid, &cn, false),
	    PN_EINVAL);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(all_zero(&kc, sizeof(kc)));
	assert_true(all_zero(&kid, sizeof(kid)));

	cn.cn_nameptr = embedded;		/* NUL inside the component */
	cn.cn_namelen = 3;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_EINVAL);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(canary_intact(&g));

	/* the credential does not convert: the whole call fails */
	many.c_ngroups = PN_NGROUPS + 1;
	cn.cn_nameptr = "abc";
	cn.cn_cred = &many;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, &kc, &kid, &cn, false),
	    PN_ERANGE);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(all_zero(&kc, sizeof(kc)));
	assert_true(all_zero(&kid, sizeof(kid)));
	cn.cn_cred = NULL;
	assert_int_equal(pn_makecn(u->mp, &g.kcn, &kc, NULL, &cn, false),
	    PN_EINVAL);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	/* no credential wanted: no credential needed */
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_OK);
	assert_string_equal(g.kcn.pkcn_name, "abc");
}

static void
makecn_lengths(void **state)
{
	struct ut *u = *state;
	struct guarded g;
	char *name = malloc(4 * PN_KCN_NAMELEN);
	struct pn_cn cn = { .cn_cred = PN_FSCRED };

	assert_non_null(name);
	memset(name, 'x', 4 * PN_KCN_NAMELEN);
	name[4 * PN_KCN_NAMELEN - 1] = '\0';
	cn.cn_nameptr = name;

	/* the longest component that fits */
	cn.cn_namelen = PN_KCN_NAMELEN - 1;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_OK);
	assert_int_equal(strlen(g.kcn.pkcn_name), PN_KCN_NAMELEN - 1);
	assert_true(canary_intact(&g));

	/* one more does not */
	cn.cn_namelen = PN_KCN_NAMELEN;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, false),
	    PN_ENAMETOOLONG);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(canary_intact(&g));

	/* full path of exactly PN_KCN_NAMELEN - 1 bytes fits */
	name[PN_KCN_NAMELEN - 1] = '\0';
	cn.cn_namelen = 10;
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, true),
	    PN_OK);
	assert_int_equal(strlen(g.kcn.pkcn_name), PN_KCN_NAMELEN - 1);
	assert_int_equal(g.kcn.pkcn_namelen, 10);
	assert_true(canary_intact(&g));

	/* one byte longer: too long, nothing written past the buffer */
	name[PN_KCN_NAMELEN - 1] = 'x';
	name[PN_KCN_NAMELEN] = '\0';
	guard(&g);
	assert_int_equal(pn_makecn(u->mp, &g.kcn, NULL, NULL, &cn, true),
	    PN_ENAMETOOLONG);
	assert_true(all_zero(&g.kcn, sizeof(g.kcn)));
	assert_true(canary_intact(&g));
	free(name);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(credcvt_sentinels),
		T(credcvt_uuc),
		cmocka_unit_test_setup_teardown(credcvt_cidcvt_no_host_ops,
		    nocredget_setup, ut_teardown),
		cmocka_unit_test(accessors_uuc),
		cmocka_unit_test(accessors_internal_and_malformed),
		cmocka_unit_test(access_owner_group_other),
		cmocka_unit_test(access_root_and_internal),
		cmocka_unit_test(access_bad_args),
		T(cidcvt_cases),
		T(makecn_component_and_full),
		T(makecn_bad_input),
		T(makecn_lengths),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
