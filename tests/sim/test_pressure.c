/*
 * test_pressure.c -- reclaim under pressure keeps lookups correct.
 *
 * A tree far larger than maxvnodes, walked at random by one or more
 * threads (argv[1]): every vnode a walk returns must be ACTIVE, used,
 * and carry the cookie the server names for the path, while inactive
 * vnodes are reclaimed all the time.  Afterwards the cache is back under
 * its limit and everything is given back at unmount.
 */
#include <pthread.h>

#include "simtest.h"

#define NODES		4000
#define MAXVNODES	64
#define WALKS		4000

static struct pn_sim *sim;
static struct pn_sim_server *srv;

static void *
walker(void *arg)
{
	struct pn_sim_vnode_info vi;
	struct pn_vnode *vp;
	uint64_t x = (uintptr_t)arg * 7919 + 1;
	char path[1024];
	size_t i;
	int n, type;

	for (n = 0; n < WALKS; n++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		i = (size_t)(x >> 33) % NODES;
		CHECK_OK(pn_sim_server_path(srv, i, path, sizeof(path),
		    &type));
		CHECK_OK(pn_sim_namei(sim, path, &vp));
		CHECK(simtest_vcookie(sim, vp) ==
		    simtest_server_resolve(srv, path));
		CHECK(pn_node_type(pn_vnode2node(pn_sim_mount(sim), vp)) ==
		    type);
		CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
		CHECK(vi.vi_state == PN_SIM_VS_ACTIVE);
		CHECK(vi.vi_usecount >= 1);
		CHECK(!vi.vi_inactive);
		CHECK_OK(pn_sim_vrele(sim, vp));
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct pn_sim_stats st;
	pthread_t t[16];
	long nthreads = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	long k;

	CHECK(nthreads >= 1 && nthreads <= 16);
	sim = simtest_mount(NODES, 6, MAXVNODES,
	    PN_SIM_NAMECACHE | PN_SIM_VERIFY, &srv);
	for (k = 0; k < nthreads; k++)
		CHECK(pthread_create(&t[k], NULL, walker, (void *)k) == 0);
	for (k = 0; k < nthreads; k++)
		pthread_join(t[k], NULL);

	CHECK_OK(pn_sim_stats(sim, &st));
	printf("built %llu reclaimed %llu hits %llu misses %llu stale %llu "
	    "high %zu\n", (unsigned long long)st.built,
	    (unsigned long long)st.reclaimed, (unsigned long long)st.nc_hits,
	    (unsigned long long)st.nc_misses,
	    (unsigned long long)st.nc_stale, st.vnodes_high);
	CHECK(st.reclaimed > 0);
	CHECK(st.vnodes <= MAXVNODES);
	CHECK(st.inactive_now == st.vnodes);	/* nobody holds one */
	CHECK(st.checked > 0 && st.wrong == 0);
	simtest_done(sim, srv);
	return 0;
}
