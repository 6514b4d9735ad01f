/*
 * test_api.c -- the simulator's public calls at their edges: invalid
 * arguments, calls after unmount, hold counts, vgone, misuse the
 * simulator reports, the host ops called directly, and a simulator over
 * a server of the caller's own.
 */
#include <errno.h>
#include <stdint.h>

#include "simtest.h"

/* ---- a client's server ---- */

static uint64_t forgotten;
static pn_cookie_t forgot_cookie;

static void
forget(void *arg, pn_cookie_t c, uint64_t n)
{
	CHECK(arg == &forgotten);
	forgot_cookie = c;
	forgotten += n;
}

static void
test_client(void)
{
	struct pn_sim_config cfg;
	struct pn_sim_client cl;
	struct pn_sim_attr a;
	struct pn_vnode *root, *vp, *hit;
	struct pn_sim *sim;
	int rev;

	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.loglevel = PN_LOG_ERR;
	cfg.flags = PN_SIM_NAMECACHE;
	memset(&cl, 0, sizeof(cl));
	cl.version = PN_SIM_CLIENT_VERSION;
	cl.root_cookie = 1;
	cl.root_type = PN_VDIR;
	cl.forget = forget;
	cl.arg = &forgotten;

	CHECK(pn_sim_init_client(&cfg, NULL, &sim) == PN_EINVAL);
	CHECK(sim == NULL);
	CHECK(pn_sim_init_client(&cfg, NULL, NULL) == PN_EINVAL);
	cl.version = 0;
	CHECK(pn_sim_init_client(&cfg, &cl, &sim) == PN_EINVAL);
	cl.version = PN_SIM_CLIENT_VERSION;
	cl.root_cookie = 0;
	CHECK(pn_sim_init_client(&cfg, &cl, &sim) == PN_EINVAL);
	cl.root_cookie = 1;
	cl.forget = NULL;
	CHECK(pn_sim_init_client(&cfg, &cl, &sim) == PN_EINVAL);
	cl.forget = forget;
	CHECK_OK(pn_sim_init_client(&cfg, &cl, &sim));

	CHECK_OK(pn_sim_root(sim, &root));
	CHECK(pn_sim_vnode_cookie(sim, root) == 1);
	CHECK_OK(pn_getvnode(pn_sim_mount(sim), 42, PN_VREG, 10, 0, &vp));
	CHECK(pn_sim_addlookup(NULL, vp) == PN_EINVAL);
	CHECK(pn_sim_addlookup(sim, NULL) == PN_EINVAL);
	CHECK_OK(pn_sim_addlookup(sim, vp));
	CHECK_OK(pn_sim_addlookup(sim, vp));

	/* The simulator's own calls need its own server. */
	CHECK(pn_sim_lookup(sim, root, "f", &hit) == PN_EOPNOTSUPP);
	CHECK(pn_sim_namei(sim, "/f", &hit) == PN_EOPNOTSUPP);
	CHECK(pn_sim_create(sim, root, "g", PN_VREG, &hit) ==
	    PN_EOPNOTSUPP);
	CHECK(pn_sim_remove(sim, root, "f") == PN_EOPNOTSUPP);
	CHECK(pn_sim_rename(sim, root, "f", root, "g") == PN_EOPNOTSUPP);
	CHECK(pn_sim_getattr(sim, vp, &a) == PN_EOPNOTSUPP);
	CHECK(pn_sim_poll(sim, vp, PN_POLLIN, &rev) == PN_EOPNOTSUPP);

	/* The name cache, filled by the caller. */
	CHECK(pn_sim_cache_enter(NULL, root, vp, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_enter(sim, root, NULL, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_enter(sim, root, vp, "") == PN_EINVAL);
	CHECK_OK(pn_sim_cache_enter(sim, root, vp, "f"));
	CHECK_OK(pn_sim_cache_lookup(sim, root, "f", &hit));
	CHECK(hit == vp);
	CHECK_OK(pn_sim_vrele(sim, hit));
	CHECK(pn_sim_cache_remove(NULL, root, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_remove(sim, root, "a/b") == PN_EINVAL);
	CHECK_OK(pn_sim_cache_remove(sim, root, "f"));
	CHECK(pn_sim_cache_lookup(sim, root, "f", &hit) == PN_ENOENT);

	/* Reclaim tells the server how many lookups to forget. */
	CHECK_OK(pn_sim_vgone(sim, vp));
	CHECK(forgot_cookie == 42 && forgotten == 2);
	/* A reclaimed vnode takes no more lookups. */
	CHECK_OK(pn_sim_addlookup(sim, vp));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_vrele(sim, root));
	CHECK_OK(pn_sim_unmount(sim, false));
	CHECK_OK(pn_sim_fini(sim));
}

/* ---- edges over the simulated server ---- */

static void
test_edges(void)
{
	const struct pn_host_ops *ops = pn_sim_host_ops();
	const struct pn_cred *cr;
	const struct pn_caller *ca;
	struct pn_sim_server *srv;
	struct pn_sim_vnode_info vi;
	struct pn_sim_stats st;
	struct pn_sim_attr a;
	struct pn_vnode *root, *vp, *vp2, *nv;
	struct pn_sim *sim;
	uint32_t groups[65] = { 7, 8 }, uid, gid, g[4];
	size_t ng;
	int64_t size;

	CHECK(pn_sim_errno(PN_OK) == 0);
	CHECK(pn_sim_errno(PN_ENOENT) == ENOENT);
	CHECK(pn_sim_errno(-1) == EINVAL);
	CHECK(pn_sim_errno(PN_ELAST + 1) == EINVAL);

	CHECK(pn_sim_setids(1, 2, groups, 2, 3, 4, NULL, &ca) == PN_EINVAL);
	CHECK(pn_sim_setids(1, 2, groups, 2, 3, 4, &cr, NULL) == PN_EINVAL);
	CHECK(pn_sim_setids(1, 2, groups, 65, 3, 4, &cr, &ca) == PN_EINVAL);
	CHECK(pn_sim_setids(1, 2, NULL, 2, 3, 4, &cr, &ca) == PN_EINVAL);
	CHECK_OK(pn_sim_setids(1, 2, groups, 2, 3, 4, &cr, &ca));
	CHECK_OK(ops->cred_get(NULL, cr, &uid, &gid, g, 4, &ng));
	CHECK(uid == 1 && gid == 2 && ng == 2 && g[0] == 7 && g[1] == 8);
	(void)pn_sim_curcred();		/* back to the process's ids */

	sim = simtest_mount(40, 4, 100, PN_SIM_NAMECACHE | PN_SIM_VERIFY,
	    &srv);
	CHECK(pn_sim_setmaxvnodes(NULL, 5) == PN_EINVAL);
	CHECK(pn_sim_setmaxvnodes(sim, 0) == PN_EINVAL);
	CHECK_OK(pn_sim_root(sim, &root));

	/* Hold counts keep a vgone'd vnode until the last drop. */
	CHECK_OK(pn_sim_lookup(sim, root, "d1", &vp));
	pn_sim_vhold(sim, vp);
	CHECK_OK(pn_sim_vgone(sim, vp));
	CHECK(pn_sim_vgone(sim, vp) == PN_ENOENT);
	CHECK(pn_sim_getattr(sim, vp, &a) == PN_ENOENT);
	CHECK(pn_sim_vget(sim, vp) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.freed == 0);
	pn_sim_vdrop(sim, vp);
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.freed == 1);

	/* A hold that is not the last keeps the vnode. */
	CHECK_OK(pn_sim_lookup(sim, root, "d2", &vp));
	pn_sim_vhold(sim, vp);
	pn_sim_vdrop(sim, vp);
	CHECK_OK(pn_sim_vrele(sim, vp));

	/* The size ops the core may call, and the lock ops. */
	CHECK_OK(pn_sim_namei(sim, "/d2/d9/f39", &vp));
	ops->vnode_setsize(sim, vp, 1234);
	CHECK(ops->vnode_getsize(sim, vp) == 1234);
	CHECK_OK(ops->vnode_getattr_size(sim, vp, &size));
	CHECK(size == 1234);
	ops->vnode_lock(sim, vp);
	pn_sim_vunlock(sim, vp);
	CHECK(ops->vnode_unlock == NULL);	/* reserved: never called */

	/* A vnode the core builds no node for goes back unseen. */
	CHECK_OK(ops->vnode_alloc(sim, PN_VREG, &nv));
	ops->vnode_free(sim, nv);
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.aborted == 1);

	/* A rename across two directories, then errors of the names. */
	CHECK_OK(pn_sim_lookup(sim, root, "d3", &vp2));
	CHECK_OK(pn_sim_create(sim, root, "moved", PN_VREG, &nv));
	CHECK_OK(pn_sim_vrele(sim, nv));
	CHECK_OK(pn_sim_rename(sim, root, "moved", vp2, "here"));
	CHECK_OK(pn_sim_rename(sim, vp2, "here", root, "back"));
	CHECK(pn_sim_rename(sim, root, "back", vp2, "") == PN_EINVAL);
	CHECK_OK(pn_sim_remove(sim, root, "back"));
	CHECK_OK(pn_sim_vrele(sim, vp2));

	/* PN_SIM_VERIFY finds a name cache entry the server does not know. */
	CHECK_OK(pn_sim_cache_enter(sim, root, vp, "bogus"));
	CHECK_OK(pn_sim_lookup(sim, root, "bogus", &nv));
	CHECK(nv == vp);
	CHECK_OK(pn_sim_vrele(sim, nv));
	CHECK_OK(pn_sim_cache_remove(sim, root, "bogus"));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.wrong == 1);
	CHECK_OK(pn_sim_vrele(sim, vp));

	/* Fewer vnodes kept: the inactive ones go. */
	CHECK_OK(pn_sim_setmaxvnodes(sim, 1));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.inactive_now <= 1);

	/* Misuse is reported, not obeyed. */
	CHECK_OK(pn_sim_setmaxvnodes(sim, 100));
	pn_sim_setloglevel(sim, PN_LOG_PANIC + 1);
	CHECK_OK(pn_sim_namei(sim, "/d2/d9/f38", &vp));
	pn_sim_vhold(sim, vp);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_vrele(sim, vp));	/* vrele of an unused vnode */
	CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
	CHECK(vi.vi_usecount == 0 && vi.vi_holdcount == 1);
	pn_sim_vdrop(sim, vp);

	/* The core's log: counted at PN_LOG_PANIC, printed by level. */
	ops->log(sim, PN_LOG_PANIC, "a panic the test made (%d)", 1);
	pn_sim_setloglevel(sim, -100);
	ops->log(sim, PN_LOG_DEBUG, "a debug message the test made");
	ops->log(sim, -1, "a message of no level the test made");
	ops->log(sim, PN_LOG_PANIC + 1, "a message of no level the test made");
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.panics == 2);
	pn_sim_setloglevel(sim, PN_LOG_ERR);

	CHECK_OK(pn_sim_vrele(sim, root));
	CHECK_OK(pn_sim_unmount(sim, false));
	/* Calls after unmount. */
	CHECK(pn_sim_unmount(sim, false) == PN_ENXIO);
	CHECK(pn_sim_namei(sim, "/d1", &vp) == PN_ENXIO);
	CHECK(pn_sim_root(sim, &vp) == PN_ENXIO);
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

int
main(void)
{
	test_client();
	test_edges();
	return 0;
}
