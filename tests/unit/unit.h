/*
 * unit.h -- shared fixture for the unit tests: a testhost with a mount
 * whose root cookie is UT_ROOT, living in the test's *state.
 *
 * The teardown reclaims every unused vnode, destroys the mount and fails
 * the test if the host is left holding a vnode, a byte or a lock.
 */
#ifndef PN_UNIT_H
#define PN_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testhost.h"

#define UT_ROOT	((pn_cookie_t)1)

struct ut {
	struct th_host	h;
	struct pn_mount	*mp;
	bool		ph;	/* PN_MNT_PLACEHOLDER */
};

/*
 * A mount made with args a over the test host, whose members adjust (when
 * not NULL) may change first: h->h_ops is what the mount copies.
 */
static inline int
ut_setup_host(void **state, const struct pn_mount_args *a,
    void (*adjust)(struct th_host *))
{
	struct ut *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return -1;
	th_init(&u->h);
	if (adjust != NULL)
		adjust(&u->h);
	if (th_mount(&u->h, a) != PN_OK) {
		free(u);
		return -1;
	}
	u->mp = u->h.h_mp;
	*state = u;
	return 0;
}

static inline int
ut_setup_args(void **state, const struct pn_mount_args *a)
{
	return ut_setup_host(state, a, NULL);
}

static inline int
ut_setup(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	return ut_setup_args(state, &a);
}

/* A mount that builds every new vnode behind a placeholder. */
static inline int
ut_setup_placeholder(void **state)
{
	struct pn_mount_args a = th_args(UT_ROOT);

	a.flags |= PN_MNT_PLACEHOLDER;
	if (ut_setup_args(state, &a) != 0)
		return -1;
	((struct ut *)*state)->ph = true;
	return 0;
}

static inline int
ut_teardown(void **state)
{
	struct ut *u = *state;
	int bad = 0;

	if (u == NULL)
		return 0;
	if (th_reclaim_unused(&u->h) < 0) {
		fprintf(stderr, "teardown: reclaim failed\n");
		bad = 1;
	}
	if (u->mp != NULL && pn_mount_destroy(u->mp) != PN_OK) {
		fprintf(stderr, "teardown: mount still busy\n");
		bad = 1;
	} else if (th_fini(&u->h) != 0) {
		bad = 1;
	}
	free(u);
	*state = NULL;
	return bad ? -1 : 0;
}

/* Get-or-create a node and return its vnode, referenced. */
static inline struct pn_vnode *
ut_get(struct ut *u, pn_cookie_t c, int type)
{
	struct pn_vnode *vp = NULL;

	assert_int_equal(pn_getvnode(u->mp, c, type, 0, 0, &vp), PN_OK);
	assert_non_null(vp);
	return vp;
}

static inline struct pn_node *
ut_node(struct ut *u, struct pn_vnode *vp)
{
	struct pn_node *pn = pn_vnode2node(u->mp, vp);

	assert_non_null(pn);
	return pn;
}

/* The pool's and the table's statistics, asserted to be available. */
static inline struct pn_pool_stats
pstats(struct ut *u)
{
	struct pn_pool_stats ps;

	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	return ps;
}

static inline struct pn_table_stats
tstats(struct ut *u)
{
	struct pn_table_stats ts;

	assert_int_equal(pn_table_stats(u->mp, &ts), PN_OK);
	return ts;
}

#endif /* !PN_UNIT_H */
