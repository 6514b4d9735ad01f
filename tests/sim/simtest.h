/*
 * simtest.h -- helpers for the simulator's integration tests: plain C
 * programs that exit 0 (pass), 1 (fail) or 77 (skip).
 */
#ifndef PN_SIMTEST_H
#define PN_SIMTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <puffsnode/sim.h>

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		exit(1);						\
	}								\
} while (0)

#define CHECK_OK(expr) do {						\
	int e_ = (expr);						\
	if (e_ != PN_OK) {						\
		fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__,	\
		    #expr, pn_strerror(e_));				\
		exit(1);						\
	}								\
} while (0)

/* A synthetic server and a simulator over it. */
static inline struct pn_sim *
simtest_mount(size_t nodes, unsigned fanout, size_t maxvnodes,
    unsigned flags, struct pn_sim_server **srvp)
{
	struct pn_sim_config cfg;
	struct pn_sim *sim;

	CHECK_OK(pn_sim_server_synthetic(nodes, fanout, srvp));
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = maxvnodes;
	cfg.loglevel = PN_LOG_ERR;
	cfg.flags = flags;
	/* The -parts runs (meson.build): the same over a split mount. */
	if (getenv("PN_TEST_PARTS") != NULL &&
	    strcmp(getenv("PN_TEST_PARTS"), "1") == 0)
		cfg.flags |= PN_SIM_PARTS;
	CHECK_OK(pn_sim_init(&cfg, *srvp, &sim));
	return sim;
}

/* Unmount, check nothing is left anywhere, free everything. */
static inline void
simtest_done(struct pn_sim *sim, struct pn_sim_server *srv)
{
	struct pn_sim_server_stats ss;
	struct pn_sim_stats st;

	CHECK_OK(pn_sim_unmount(sim, false));
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.unmounted);
	CHECK(st.final_pool.in_use == 0);
	CHECK(st.vnodes == 0);
	CHECK(st.core_bytes == 0);
	CHECK(st.wrong == 0);
	CHECK(st.misbehaved == 0);
	CHECK(st.panics == 0);
	CHECK_OK(pn_sim_server_stats(srv, &ss));
	CHECK(ss.outstanding == 0);
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

/* The cookie the server names for path, asked one component at a time. */
static inline pn_cookie_t
simtest_server_resolve(struct pn_sim_server *srv, const char *path)
{
	struct pn_sim_attr a;
	pn_cookie_t c = pn_sim_server_root(srv);
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (pn_sim_server_peek(srv, c, tok, &a) != PN_OK)
			return 0;
		c = a.a_cookie;
	}
	return c;
}

/* The cookie of the node behind a vnode, as puffsnode has it. */
static inline pn_cookie_t
simtest_vcookie(struct pn_sim *sim, struct pn_vnode *vp)
{
	return pn_node_cookie(pn_vnode2node(pn_sim_mount(sim), vp));
}

#endif /* !PN_SIMTEST_H */
