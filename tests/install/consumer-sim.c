/*
 * consumer-sim.c -- an outside program built against an installed
 * libpuffsnode-sim through `pkg-config puffsnode-sim`.
 *
 * It mounts a small synthetic tree on the simulator, walks to every node
 * of it, checks each vnode against what the server says, reads a file and
 * compares its bytes with the server's content, creates and removes a
 * file, then unmounts and checks that everything came back.
 *
 * usage: consumer-sim VERSION
 * Exit status 0 when every check passes, 1 otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <puffsnode/sim.h>

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "consumer-sim: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)

#define NODES	60

int
main(int argc, char **argv)
{
	struct pn_sim_config cfg = {
		.version = PN_SIM_CONFIG_VERSION,
		.maxvnodes = 16,
		.loglevel = PN_LOG_WARN,
		.flags = PN_SIM_NAMECACHE | PN_SIM_VERIFY,
	};
	struct pn_sim_server_stats ss;
	struct pn_sim_stats st;
	struct pn_sim_server *srv;
	struct pn_sim_attr a;
	struct pn_sim *sim;
	struct pn_vnode *vp, *root;
	unsigned char buf[256];
	char path[256];
	size_t i, resid, files = 0, bytes_read = 0;
	int type;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer-sim VERSION\n");
		return 2;
	}
	CHECK(strcmp(pn_version(), argv[1]) == 0);
	CHECK(strcmp(pn_version(), PN_VERSION_STRING) == 0);
	CHECK(pn_sim_errno(PN_ENOENT) != 0 && pn_sim_errno(PN_OK) == 0);

	if (pn_sim_server_synthetic(NODES, 4, &srv) != PN_OK ||
	    pn_sim_init(&cfg, srv, &sim) != PN_OK) {
		fprintf(stderr, "consumer-sim: cannot set up the simulator\n");
		return 1;
	}
	CHECK(pn_sim_server_stats(srv, &ss) == PN_OK);
	CHECK(ss.initial == NODES);

	/* Every node of the tree, by its path: the vnode of the server's cookie. */
	for (i = 0; i < NODES; i++) {
		CHECK(pn_sim_server_path(srv, i, path, sizeof(path), &type) ==
		    PN_OK);
		if (pn_sim_namei(sim, path, &vp) != PN_OK) {
			fprintf(stderr, "consumer-sim: namei %s failed\n",
			    path);
			failures++;
			continue;
		}
		CHECK(pn_sim_getattr(sim, vp, &a) == PN_OK);
		CHECK(a.a_type == type);
		CHECK(a.a_cookie == pn_sim_vnode_cookie(sim, vp));
		if (type == PN_VREG) {
			uint64_t off = 3;

			files++;
			memset(buf, 0, sizeof(buf));
			CHECK(pn_sim_read(sim, vp, off, buf, sizeof(buf),
			    &resid) == PN_OK);
			CHECK(resid <= sizeof(buf));
			for (size_t k = 0; k < sizeof(buf) - resid; k++)
				CHECK(buf[k] ==
				    pn_sim_synthetic_byte(a.a_cookie, off + k));
			bytes_read += sizeof(buf) - resid;
		}
		CHECK(pn_sim_vrele(sim, vp) == PN_OK);
	}
	CHECK(files > 0);

	/* A new file in the root, found by name, then removed. */
	CHECK(pn_sim_root(sim, &root) == PN_OK);
	CHECK(pn_sim_create(sim, root, "consumer", PN_VREG, &vp) == PN_OK);
	CHECK(pn_sim_vrele(sim, vp) == PN_OK);
	CHECK(pn_sim_lookup(sim, root, "consumer", &vp) == PN_OK);
	CHECK(pn_sim_vrele(sim, vp) == PN_OK);
	CHECK(pn_sim_remove(sim, root, "consumer") == PN_OK);
	CHECK(pn_sim_lookup(sim, root, "consumer", &vp) == PN_ENOENT);
	CHECK(pn_sim_vrele(sim, root) == PN_OK);

	CHECK(pn_sim_stats(sim, &st) == PN_OK);
	CHECK(st.wrong == 0 && st.misbehaved == 0 && st.panics == 0);

	CHECK(pn_sim_unmount(sim, false) == PN_OK);
	CHECK(pn_sim_stats(sim, &st) == PN_OK);
	CHECK(st.unmounted && st.vnodes == 0 && st.core_bytes == 0);
	CHECK(st.final_pool.in_use == 0);
	CHECK(pn_sim_fini(sim) == PN_OK);
	CHECK(pn_sim_server_stats(srv, &ss) == PN_OK);
	CHECK(ss.outstanding == 0);
	CHECK(pn_sim_server_destroy(srv) == PN_OK);

	if (failures != 0)
		return 1;
	printf("consumer-sim: libpuffsnode-sim %s: %d nodes walked, %zu files read (%zu bytes), unmount clean: ok\n",
	    pn_version(), NODES, files, bytes_read);
	return 0;
}
