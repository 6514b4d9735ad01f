/*
 * test_counts.c -- exact counts of builds, inactive calls (last-use
 * releases), reactivations, reclaims and frees for scripted sequences;
 * and a misbehaving server is counted.
 *
 * Synthetic tree, fan-out 4: /d1 and /d2 are directories, /d1/d5 too.
 */
#include <unistd.h>

#include "simtest.h"

#define EXPECT(st, f, v) do {						\
	if ((st).f != (v)) {						\
		fprintf(stderr, "%s:%d: %s is %llu, expected %llu\n",	\
		    __FILE__, __LINE__, #f,				\
		    (unsigned long long)(st).f, (unsigned long long)(v)); \
		exit(1);						\
	}								\
} while (0)

static void
walk_twice_then_drain(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_vnode *vp, *root;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 100, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_namei(sim, "/d1", &vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 2);		/* root, d1 */
	EXPECT(st, inactive, 1);	/* root released by the walk */
	EXPECT(st, nc_misses, 1);
	EXPECT(st, nc_entries, 1);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, inactive, 2);

	CHECK_OK(pn_sim_namei(sim, "/d1", &vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 2);		/* both cached */
	EXPECT(st, reactivated, 2);
	EXPECT(st, nc_hits, 1);
	EXPECT(st, inactive, 3);
	CHECK_OK(pn_sim_vrele(sim, vp));

	CHECK_OK(pn_sim_drain(sim, 0, NULL));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, inactive, 4);
	EXPECT(st, reclaimed, 2);
	EXPECT(st, freed, 2);
	EXPECT(st, vnodes, 0);
	EXPECT(st, nc_entries, 0);	/* purged with the vnodes */

	/* Oldest first: root went inactive before d1, so with one to go... */
	CHECK_OK(pn_sim_namei(sim, "/d1", &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));	/* LRU: root, d1 */
	CHECK_OK(pn_sim_drain(sim, 1, NULL));
	CHECK_OK(pn_sim_root(sim, &root));	/* ... root was reclaimed */
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 5);
	EXPECT(st, reclaimed, 3);
	CHECK_OK(pn_sim_cache_lookup(sim, root, "d1", &vp) == PN_ENOENT ?
	    PN_OK : PN_EINVAL);		/* the new root has no entries */
	CHECK_OK(pn_sim_vrele(sim, root));
	simtest_done(sim, srv);
}

static void
pressure(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_vnode *vp;
	struct pn_sim *sim;

	/* maxvnodes 2: the third vnode costs the oldest inactive one. */
	sim = simtest_mount(100, 4, 2, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_namei(sim, "/d1/d5", &vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 3);
	EXPECT(st, reclaimed, 1);	/* root, inactive while d5 was built */
	EXPECT(st, inactive, 2);	/* root, d1 */
	EXPECT(st, vnodes, 2);
	EXPECT(st, vnodes_high, 2);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, inactive, 3);
	EXPECT(st, reclaimed, 1);
	EXPECT(st, inactive_now, 2);
	simtest_done(sim, srv);
}

static void
vgone_in_use(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_vnode *vp, *dvp;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 100, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_namei(sim, "/d1", &dvp));
	CHECK_OK(pn_sim_create(sim, dvp, "new", PN_VREG, &vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 3);
	EXPECT(st, nc_entries, 2);	/* d1, and new (by pn_newnode) */
	CHECK_OK(pn_sim_vgone(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, reclaimed, 1);
	EXPECT(st, freed, 0);		/* still used */
	EXPECT(st, nc_entries, 1);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, inactive, 1);	/* root only: a dead vnode is not inactive */
	EXPECT(st, freed, 1);
	/* The server still has the file; a lookup builds a new vnode. */
	CHECK_OK(pn_sim_lookup(sim, dvp, "new", &vp));
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, built, 4);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_remove(sim, dvp, "new"));
	CHECK(pn_sim_lookup(sim, dvp, "new", &vp) == PN_ENOENT);
	CHECK(pn_sim_create(sim, dvp, "d5", PN_VREG, NULL) == PN_EEXIST);
	CHECK_OK(pn_sim_vrele(sim, dvp));
	simtest_done(sim, srv);
}

static void
misbehaving_server(void)
{
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_vnode *vp, *dvp;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 100, PN_SIM_NAMECACHE, &srv);
	pn_sim_setloglevel(sim, PN_LOG_PANIC + 1);
	CHECK_OK(pn_sim_namei(sim, "/d1", &dvp));
	pn_sim_server_fault_dupcookie(srv, 1);	/* answers d1's cookie */
	CHECK(pn_sim_create(sim, dvp, "x", PN_VREG, &vp) == PN_EEXIST);
	CHECK(vp == NULL);
	CHECK_OK(pn_sim_stats(sim, &st));
	EXPECT(st, misbehaved, 1);
	CHECK_OK(pn_sim_vrele(sim, dvp));
	CHECK_OK(pn_sim_unmount(sim, false));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.final_pool.in_use == 0 && st.vnodes == 0);
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

/* Credentials, caller ids, the clock and the metadata cache through the sim. */
static void
host_services(void)
{
	struct pn_sim_server *srv;
	struct pn_metacache mc;
	struct pn_kcred kc;
	struct pn_kcid kid;
	struct pn_vnode *vp;
	struct pn_node *pn;
	struct pn_sim *sim;
	uint32_t uid;
	char buf[16];
	size_t resid;

	sim = simtest_mount(100, 4, 100, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_credcvt(pn_sim_mount(sim), &kc, pn_sim_curcred()));
	CHECK_OK(pn_cred_getuid(&kc, &uid));
	CHECK(uid == (uint32_t)getuid());
	CHECK(pn_cred_hasgroup(&kc, (uint32_t)getgid()) ||
	    kc.pkcr_uuc.cr_gid == (uint32_t)getgid());
	CHECK_OK(pn_cidcvt(pn_sim_mount(sim), &kid, pn_sim_curcaller()));
	CHECK(kid.pkcid_type == PN_CID_TYPE_REAL);
	CHECK(kid.pkcid_pid == (int32_t)getpid());
	CHECK(kid.pkcid_lwpid == (int32_t)gettid());

	CHECK_OK(pn_sim_namei(sim, "/d1/d6/f25", &vp));
	CHECK_OK(pn_sim_read(sim, vp, 0, buf, sizeof(buf), &resid));
	CHECK(resid < sizeof(buf));
	CHECK(buf[0] == (char)pn_sim_synthetic_byte(
	    pn_sim_vnode_cookie(sim, vp), 0));
	pn = pn_vnode2node(pn_sim_mount(sim), vp);
	CHECK_OK(pn_metacache_take(pn, &mc));
	CHECK((mc.mc_flags & PN_UPDATE_ATIME) && mc.mc_atime.tv_sec > 0);
	CHECK_OK(pn_sim_vrele(sim, vp));
	simtest_done(sim, srv);
}

int
main(void)
{
	host_services();
	walk_twice_then_drain();
	pressure();
	vgone_in_use();
	misbehaving_server();
	return 0;
}
