/*
 * main.c -- a program of a project that embeds puffsnode as a Meson
 * subproject.  It checks that the library it was linked with is the
 * version Meson resolved, and asks it a few questions whose answers are
 * known: POSIX permission checks on a credential, an error string, a mount
 * refused for an incomplete host table.
 */
#include <stdio.h>
#include <string.h>

#include <puffsnode/puffsnode.h>

#ifndef EXPECTED_VERSION
#error "EXPECTED_VERSION: the version of the puffsnode dependency"
#endif

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "consumer: %s:%d: check failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)

int
main(void)
{
	struct pn_kcred cred = {
		.pkcr_type = PN_CRED_TYPE_UUC,
		.pkcr_uuc = {
			.cr_uid = 1000,
			.cr_gid = 100,
			.cr_ngroups = 1,
			.cr_groups = { 20 },
		},
	};
	struct pn_host_ops ops = { .version = PN_HOST_OPS_VERSION };
	struct pn_mount_args args = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = 1,
		.root_type = PN_VDIR,
	};
	struct pn_mount *mp = NULL;
	uint32_t uid;

	CHECK(strcmp(pn_version(), EXPECTED_VERSION) == 0);
	CHECK(strcmp(pn_version(), PN_VERSION_STRING) == 0);
	CHECK(strcmp(pn_strerror(PN_ENOENT), pn_strerror(PN_EEXIST)) != 0);

	CHECK(pn_cred_getuid(&cred, &uid) == PN_OK && uid == 1000);
	CHECK(pn_cred_isregular(&cred) && !pn_cred_isjuggernaut(&cred));
	CHECK(pn_cred_hasgroup(&cred, 20) && !pn_cred_hasgroup(&cred, 21));
	/* rw-r----- owned by the caller, by its group, by somebody else. */
	CHECK(pn_access(PN_VREG, 0640, 1000, 5, PN_VWRITE, &cred) == PN_OK);
	CHECK(pn_access(PN_VREG, 0640, 7, 20, PN_VREAD, &cred) == PN_OK);
	CHECK(pn_access(PN_VREG, 0640, 7, 20, PN_VWRITE, &cred) != PN_OK);
	CHECK(pn_access(PN_VREG, 0640, 7, 5, PN_VREAD, &cred) != PN_OK);

	/* A host table without its mandatory members is refused. */
	CHECK(pn_mount_create(&ops, NULL, &args, &mp) == PN_EINVAL);
	CHECK(mp == NULL);

	if (failures != 0)
		return 1;
	printf("consumer: puffsnode %s as a subproject: ok\n", pn_version());
	return 0;
}
