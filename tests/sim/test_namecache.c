/*
 * test_namecache.c -- the name cache never returns a reclaimed vnode.
 *
 * Scripted: an entry goes when either of its vnodes is reclaimed (vgone
 * of the target in use, LRU reclaim of the target, reclaim of the
 * directory), and remove and rename drop theirs.  Concurrent (argv[1]
 * threads): readers hit the cache while another thread reclaims every
 * inactive vnode and repopulates; every hit is a live vnode of the node
 * the server names.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "simtest.h"

static void
scripted(void)
{
	struct pn_sim_server *srv;
	struct pn_vnode *root, *d1, *vp, *hit;
	struct pn_sim *sim;

	sim = simtest_mount(100, 4, 100, PN_SIM_NAMECACHE, &srv);
	CHECK_OK(pn_sim_root(sim, &root));
	CHECK(pn_sim_cache_lookup(sim, root, "d1", &hit) == PN_ENOENT);
	CHECK_OK(pn_sim_lookup(sim, root, "d1", &d1));
	CHECK_OK(pn_sim_cache_lookup(sim, root, "d1", &hit));
	CHECK(hit == d1);
	CHECK_OK(pn_sim_vrele(sim, hit));

	/* vgone of the target, in use. */
	CHECK_OK(pn_sim_vgone(sim, d1));
	CHECK(pn_sim_cache_lookup(sim, root, "d1", &hit) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, d1));

	/* LRU reclaim of the target. */
	CHECK_OK(pn_sim_lookup(sim, root, "d2", &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_drain(sim, 1, NULL));	/* root is in use */
	CHECK(pn_sim_cache_lookup(sim, root, "d2", &hit) == PN_ENOENT);

	/* Reclaim of the directory. */
	CHECK_OK(pn_sim_lookup(sim, root, "d1", &d1));
	CHECK_OK(pn_sim_lookup(sim, d1, "d5", &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_vgone(sim, d1));
	CHECK(pn_sim_cache_lookup(sim, d1, "d5", &hit) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, d1));

	/* remove and rename. */
	CHECK_OK(pn_sim_lookup(sim, root, "d3", &d1));
	CHECK_OK(pn_sim_create(sim, d1, "a", PN_VREG, NULL));
	CHECK_OK(pn_sim_cache_lookup(sim, d1, "a", &hit));
	CHECK_OK(pn_sim_vrele(sim, hit));
	CHECK_OK(pn_sim_rename(sim, d1, "a", d1, "b"));
	CHECK(pn_sim_cache_lookup(sim, d1, "a", &hit) == PN_ENOENT);
	CHECK_OK(pn_sim_lookup(sim, d1, "b", &vp));
	CHECK(simtest_vcookie(sim, vp) ==
	    simtest_server_resolve(srv, "/d3/b"));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_remove(sim, d1, "b"));
	CHECK(pn_sim_cache_lookup(sim, d1, "b", &hit) == PN_ENOENT);
	CHECK(pn_sim_lookup(sim, d1, "b", &hit) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, d1));
	CHECK_OK(pn_sim_vrele(sim, root));
	simtest_done(sim, srv);
}

#define NAMES	24
#define ROUNDS	3000

static struct pn_sim *csim;
static struct pn_sim_server *csrv;
static struct pn_vnode *croot;
static atomic_bool cstop;
static atomic_ulong chits;

static void
name_of(unsigned k, char *buf, size_t len)
{
	/* Children of the root: d1 .. d<fanout>. */
	snprintf(buf, len, "d%u", k + 1);
}

static void *
reader(void *arg)
{
	struct pn_sim_vnode_info vi;
	struct pn_vnode *vp;
	unsigned x = (unsigned)(uintptr_t)arg * 2654435761u + 1;
	char name[16];

	while (!atomic_load(&cstop)) {
		x = x * 1103515245u + 12345u;
		name_of((x >> 16) % NAMES, name, sizeof(name));
		if (pn_sim_cache_lookup(csim, croot, name, &vp) != PN_OK)
			continue;
		CHECK_OK(pn_sim_vnode_info(csim, vp, &vi));
		CHECK(vi.vi_state == PN_SIM_VS_ACTIVE);
		CHECK(vi.vi_usecount >= 1);
		CHECK(simtest_vcookie(csim, vp) ==
		    pn_sim_vnode_cookie(csim, vp));
		CHECK(pn_sim_vnode_cookie(csim, vp) ==
		    simtest_server_resolve(csrv, name));
		CHECK_OK(pn_sim_vrele(csim, vp));
		atomic_fetch_add(&chits, 1);
	}
	return NULL;
}

static void
concurrent(long nreaders)
{
	struct pn_vnode *vp;
	pthread_t t[16];
	char name[16];
	unsigned r, k;
	long i;

	csim = simtest_mount(NAMES * (NAMES + 1) + 1, NAMES, NAMES * 4,
	    PN_SIM_NAMECACHE | PN_SIM_VERIFY, &csrv);
	CHECK_OK(pn_sim_root(csim, &croot));
	for (i = 0; i < nreaders; i++)
		CHECK(pthread_create(&t[i], NULL, reader, (void *)i) == 0);
	for (r = 0; r < ROUNDS; r++) {
		for (k = r % 3; k < NAMES; k += 3) {
			name_of(k, name, sizeof(name));
			CHECK_OK(pn_sim_lookup(csim, croot, name, &vp));
			CHECK_OK(pn_sim_vrele(csim, vp));
		}
		CHECK_OK(pn_sim_drain(csim, 1, NULL));	/* all but the root */
	}
	atomic_store(&cstop, true);
	for (i = 0; i < nreaders; i++)
		pthread_join(t[i], NULL);
	printf("%lu hits during %u reclaim rounds\n",
	    (unsigned long)atomic_load(&chits), ROUNDS);
	CHECK_OK(pn_sim_vrele(csim, croot));
	simtest_done(csim, csrv);
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

	CHECK(n >= 0 && n <= 16);
	scripted();
	if (n > 0)
		concurrent(n);
	return 0;
}
