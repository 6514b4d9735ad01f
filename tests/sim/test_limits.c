/*
 * test_limits.c -- the simulator when the node layer says no: a lookup and
 * a path walk past the pool's node limit fail with PN_ENOMEM and leave
 * nothing behind; the metadata cache's change and modification times
 * reach the server on getattr; a removed file still held keeps answering.
 */
#include <time.h>
#include <unistd.h>

#include "simtest.h"

/* The path of the first two leaves of depth one (index 1 and 2). */
static void
paths(struct pn_sim_server *srv, char *p1, char *p2, size_t len)
{
	int type;

	CHECK_OK(pn_sim_server_path(srv, 1, p1, len, &type));
	CHECK_OK(pn_sim_server_path(srv, 2, p2, len, &type));
}

static void
test_node_limit(void)
{
	struct pn_sim_server *srv;
	struct pn_sim *sim;
	struct pn_pool_stats ps;
	struct pn_vnode *vp1, *vp2;
	char p1[256], p2[256];
	size_t n;

	sim = simtest_mount(50, 4, 1000, 0, &srv);
	paths(srv, p1, p2, sizeof(p1));
	CHECK_OK(pn_sim_namei(sim, p1, &vp1));		/* root + vp1 */
	CHECK_OK(pn_pool_setlimit(pn_sim_mount(sim), 2));
	vp2 = (struct pn_vnode *)&n;
	CHECK(pn_sim_namei(sim, p2, &vp2) == PN_ENOMEM);	/* the lookup */
	CHECK(vp2 == NULL);
	CHECK_OK(pn_pool_stats(pn_sim_mount(sim), &ps));
	CHECK(ps.in_use == 2);

	/* Root reclaimed, vp1 still held: the walk cannot build the root. */
	CHECK_OK(pn_sim_drain(sim, 0, &n));
	CHECK(n == 1);
	CHECK_OK(pn_pool_setlimit(pn_sim_mount(sim), 1));
	CHECK(pn_sim_namei(sim, p2, &vp2) == PN_ENOMEM);	/* makeroot */
	CHECK_OK(pn_pool_stats(pn_sim_mount(sim), &ps));
	CHECK(ps.in_use == 1);

	CHECK_OK(pn_pool_setlimit(pn_sim_mount(sim), 0));
	CHECK_OK(pn_sim_namei(sim, p2, &vp2));
	CHECK_OK(pn_sim_vrele(sim, vp2));
	CHECK_OK(pn_sim_vrele(sim, vp1));
	simtest_done(sim, srv);
}

static void
test_times_flushed(void)
{
	struct pn_sim_server *srv;
	struct pn_sim *sim;
	struct pn_sim_attr a0, a1;
	struct pn_vnode *vp;
	char p1[256], p2[256];
	time_t t0;

	sim = simtest_mount(50, 4, 1000, 0, &srv);
	paths(srv, p1, p2, sizeof(p1));
	CHECK_OK(pn_sim_namei(sim, p1, &vp));
	CHECK_OK(pn_sim_getattr(sim, vp, &a0));
	sleep(1);
	t0 = time(NULL);
	CHECK(a0.a_mtime.tv_sec < t0 && a0.a_ctime.tv_sec < t0);
	CHECK_OK(pn_updatenode(pn_vnode2node(pn_sim_mount(sim), vp),
	    PN_UPDATE_MTIME | PN_UPDATE_CTIME));
	CHECK_OK(pn_sim_getattr(sim, vp, &a1));
	CHECK(a1.a_mtime.tv_sec >= t0 && a1.a_ctime.tv_sec >= t0);
	CHECK(a1.a_atime.tv_sec == a0.a_atime.tv_sec &&
	    a1.a_atime.tv_nsec == a0.a_atime.tv_nsec);
	CHECK_OK(pn_sim_vrele(sim, vp));
	simtest_done(sim, srv);
}

/*
 * A removed file whose vnode is still held: the vnode holds a server
 * lookup, so the server keeps the node (no links left) and still answers.
 */
static void
test_getattr_removed(void)
{
	struct pn_sim_server *srv;
	struct pn_sim *sim;
	struct pn_sim_attr a;
	struct pn_vnode *root, *vp;

	sim = simtest_mount(50, 4, 1000, 0, &srv);
	CHECK_OK(pn_sim_root(sim, &root));
	CHECK_OK(pn_sim_create(sim, root, "gone", PN_VREG, &vp));
	CHECK_OK(pn_sim_remove(sim, root, "gone"));
	CHECK_OK(pn_sim_getattr(sim, vp, &a));
	CHECK(a.a_nlink == 0 && a.a_type == PN_VREG);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_vrele(sim, root));
	simtest_done(sim, srv);
}

int
main(void)
{
	test_node_limit();
	test_times_flushed();
	test_getattr_removed();
	return 0;
}
