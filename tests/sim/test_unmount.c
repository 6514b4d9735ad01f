/*
 * test_unmount.c -- unmount with a busy vnode is refused, changes
 * nothing, and succeeds once the vnode is released; a forced unmount
 * reclaims a busy vnode, which stays valid (dead) until its holder lets
 * go; calls after unmount fail with PN_ENXIO.
 */
#include "simtest.h"

static void
refused_then_released(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_vnode_info vi;
	struct pn_sim_stats st;
	struct pn_vnode *vp, *vp2;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 16, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_namei(sim, "/d1/d5", &vp));
	CHECK_OK(pn_sim_namei(sim, "/d2", &vp2));
	CHECK_OK(pn_sim_vrele(sim, vp2));	/* inactive: cached */

	CHECK(pn_sim_unmount(sim, false) == PN_EBUSY);
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(!st.unmounted);
	CHECK(st.reclaimed == 0);		/* nothing was done */
	CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
	CHECK(vi.vi_state == PN_SIM_VS_ACTIVE && vi.vi_usecount == 1);

	/* The mount still works. */
	CHECK_OK(pn_sim_namei(sim, "/d2", &vp2));
	CHECK_OK(pn_sim_vrele(sim, vp2));

	CHECK_OK(pn_sim_vrele(sim, vp));
	simtest_done(sim, srv);
}

static void
forced(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_vnode_info vi;
	struct pn_sim_stats st;
	struct pn_vnode *vp, *vp2;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 16, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_namei(sim, "/d1/d5", &vp));
	CHECK_OK(pn_sim_unmount(sim, true));
	CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
	CHECK(vi.vi_state == PN_SIM_VS_DEAD);
	CHECK(vi.vi_usecount == 1);
	CHECK(vi.vi_cookie == 0);
	CHECK(pn_sim_vget(sim, vp) == PN_ENOENT);
	CHECK(pn_sim_namei(sim, "/d1", &vp2) == PN_ENXIO);
	CHECK(pn_sim_unmount(sim, false) == PN_ENXIO);
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.unmounted && st.final_pool.in_use == 0);
	CHECK(st.vnodes == 1);			/* the dead one, still held */
	CHECK(pn_sim_fini(sim) == PN_EBUSY);
	CHECK_OK(pn_sim_vrele(sim, vp));	/* frees it */
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.vnodes == 0 && st.core_bytes == 0);
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

int
main(void)
{
	refused_then_released();
	forced();
	return 0;
}
