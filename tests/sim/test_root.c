/*
 * test_root.c -- the root is reclaimed and rebuilt: by vgone while in
 * use (the old vnode stays valid and dead for its holder, a new one is
 * built on the next walk) and by the LRU under pressure.
 */
#include "simtest.h"

int
main(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_vnode_info vi;
	struct pn_sim_stats st;
	struct pn_vnode *root, *root2, *vp;
	struct pn_sim *sim;
	pn_cookie_t rc;

	sim = simtest_mount(50, 4, 4, PN_SIM_NAMECACHE, &srv);
	rc = pn_sim_server_root(srv);
	CHECK_OK(pn_sim_root(sim, &root));
	CHECK(simtest_vcookie(sim, root) == rc);
	CHECK_OK(pn_sim_lookup(sim, root, "d1", &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));

	/* vgone the root while we hold it. */
	CHECK_OK(pn_sim_vgone(sim, root));
	CHECK_OK(pn_sim_vnode_info(sim, root, &vi));
	CHECK(vi.vi_state == PN_SIM_VS_DEAD && vi.vi_usecount == 1);
	CHECK(pn_vnode2node(pn_sim_mount(sim), root) == NULL);
	CHECK(pn_sim_cache_lookup(sim, root, "d1", &vp) == PN_ENOENT);

	/* Rebuilt: a new vnode, same cookie. */
	CHECK_OK(pn_sim_root(sim, &root2));
	CHECK(root2 != root);
	CHECK(simtest_vcookie(sim, root2) == rc);
	CHECK_OK(pn_cookie2vnode(pn_sim_mount(sim), rc, 0, &vp));
	CHECK(vp == root2);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_vrele(sim, root));	/* the dead one goes */
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.freed == 1 && st.reclaimed == 1);

	/* The LRU reclaims an inactive root too. */
	CHECK_OK(pn_sim_vrele(sim, root2));
	CHECK_OK(pn_sim_drain(sim, 0, NULL));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.vnodes == 0);
	CHECK(pn_cookie2vnode(pn_sim_mount(sim), rc + 1, 0, &vp) ==
	    PN_ENOENT);
	CHECK_OK(pn_sim_namei(sim, "/d2/d9", &vp));	/* rebuilt on the way */
	CHECK(simtest_vcookie(sim, vp) == simtest_server_resolve(srv,
	    "/d2/d9"));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.reclaimed >= 3);
	simtest_done(sim, srv);
	return 0;
}
