/*
 * test_args.c -- every pn_sim_* call with each invalid argument in turn
 * (NULL pointers, bad names, bad configurations), and the error answers
 * reachable through the public interface: calls on a reclaimed vnode,
 * calls after unmount, a second simulator on a busy server, server
 * answers for missing nodes, and calls that wait on an unmount in
 * progress.
 */
#include <pthread.h>
#include <unistd.h>

#include "simtest.h"
#include "sim_impl.h"	/* the unmount gate, to wait on its state */

/* Names check_name refuses, and the answer for each. */
static const struct {
	const char	*name;
	int		error;
} badnames[] = {
	{ NULL,		PN_EINVAL },
	{ "",		PN_EINVAL },
	{ ".",		PN_EINVAL },
	{ "..",		PN_EINVAL },
	{ "a/b",	PN_EINVAL },
	{ "/",		PN_EINVAL },
	{ NULL,		PN_ENAMETOOLONG },	/* longname, filled in main */
};
#define NBAD	(sizeof(badnames) / sizeof(badnames[0]))

static char longname[300];

static const char *
badname(size_t i)
{
	return i == NBAD - 1 ? longname : badnames[i].name;
}

static struct pn_sim_config
config(unsigned flags)
{
	struct pn_sim_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = 64;
	cfg.loglevel = PN_LOG_PANIC + 1;	/* quiet: errors are expected */
	cfg.flags = flags;
	return cfg;
}

static void
test_server_args(void)
{
	struct pn_sim_server *srv, *srv2;
	struct pn_sim_server_stats ss;
	struct pn_sim_attr a;
	pn_cookie_t rc;

	srv = (struct pn_sim_server *)&a;	/* overwritten on failure */
	CHECK(pn_sim_server_synthetic(10, 3, NULL) == PN_EINVAL);
	CHECK(pn_sim_server_synthetic(0, 3, &srv) == PN_EINVAL);
	CHECK(srv == NULL);
	CHECK(pn_sim_server_synthetic(10, 0, &srv) == PN_EINVAL);
	CHECK(srv == NULL);
	CHECK(pn_sim_server_mirror(".", NULL) == PN_EINVAL);
	CHECK(pn_sim_server_mirror(NULL, &srv) == PN_EINVAL);
	CHECK(srv == NULL);
	CHECK(pn_sim_server_mirror("/nonexistent/puffsnode", &srv) ==
	    PN_ENOENT);
	CHECK(pn_sim_server_mirror("/dev/null", &srv) == PN_ENOENT);
	CHECK(srv == NULL);
	CHECK(pn_sim_server_destroy(NULL) == PN_EINVAL);
	CHECK(pn_sim_server_root(NULL) == 0);
	pn_sim_server_fault_dupcookie(NULL, 1);	/* ignored */

	CHECK_OK(pn_sim_server_synthetic(10, 3, &srv));
	rc = pn_sim_server_root(srv);
	CHECK(rc != 0);
	CHECK(pn_sim_server_stats(NULL, &ss) == PN_EINVAL);
	CHECK(pn_sim_server_stats(srv, NULL) == PN_EINVAL);
	CHECK(pn_sim_server_peek(NULL, rc, "x", &a) == PN_EINVAL);
	CHECK(pn_sim_server_peek(srv, rc, NULL, &a) == PN_EINVAL);
	CHECK(pn_sim_server_peek(srv, rc, "x", NULL) == PN_EINVAL);
	CHECK(pn_sim_server_getattr(NULL, rc, &a) == PN_EINVAL);
	CHECK(pn_sim_server_getattr(srv, rc, NULL) == PN_EINVAL);
	/* Cookies of no node: zero, and far past the node table. */
	CHECK(pn_sim_server_getattr(srv, 0, &a) == PN_ENOENT);
	CHECK(a.a_cookie == 0);
	CHECK(pn_sim_server_getattr(srv, ~(pn_cookie_t)0 >> 1, &a) ==
	    PN_ENOENT);
	CHECK(pn_sim_server_peek(srv, 0, "x", &a) == PN_ENOENT);
	CHECK_OK(pn_sim_server_getattr(srv, rc, &a));
	CHECK(a.a_cookie == rc && a.a_type == PN_VDIR);

	/* A mirror of a directory works where a file did not. */
	CHECK_OK(pn_sim_server_mirror("/dev", &srv2));
	CHECK_OK(pn_sim_server_stats(srv2, &ss));
	CHECK(ss.initial >= 1 && ss.dirs >= 1);
	CHECK_OK(pn_sim_server_destroy(srv2));
	CHECK_OK(pn_sim_server_destroy(srv));
}

static void
test_init_args(void)
{
	struct pn_sim_config cfg = config(0);
	struct pn_sim_client cl;
	struct pn_sim_server *srv;
	struct pn_sim_stats st;
	struct pn_sim *sim, *sim2;

	CHECK_OK(pn_sim_server_synthetic(10, 3, &srv));
	CHECK(pn_sim_init(&cfg, srv, NULL) == PN_EINVAL);
	sim = (struct pn_sim *)&cfg;
	CHECK(pn_sim_init(NULL, srv, &sim) == PN_EINVAL);
	CHECK(sim == NULL);
	cfg.version = PN_SIM_CONFIG_VERSION + 1;
	CHECK(pn_sim_init(&cfg, srv, &sim) == PN_EINVAL);
	cfg.version = PN_SIM_CONFIG_VERSION;
	CHECK(pn_sim_init(&cfg, NULL, &sim) == PN_EINVAL);
	/* Both a server and a client: one or the other. */
	memset(&cl, 0, sizeof(cl));
	cl.version = PN_SIM_CLIENT_VERSION;
	cl.root_cookie = 1;
	cl.root_type = PN_VDIR;
	CHECK(pn_sim_init_client(&cfg, &cl, NULL) == PN_EINVAL);
	CHECK(sim == NULL);

	CHECK_OK(pn_sim_init(&cfg, srv, &sim));
	/* The server serves one simulator at a time. */
	CHECK(pn_sim_init(&cfg, srv, &sim2) == PN_EBUSY);
	CHECK(sim2 == NULL);
	CHECK(pn_sim_server_destroy(srv) == PN_EBUSY);

	CHECK(pn_sim_unmount(NULL, false) == PN_EINVAL);
	CHECK(pn_sim_fini(NULL) == PN_EINVAL);
	CHECK(pn_sim_mount(NULL) == NULL);
	CHECK(pn_sim_mount(sim) != NULL);
	CHECK(pn_sim_stats(NULL, &st) == PN_EINVAL);
	CHECK(pn_sim_stats(sim, NULL) == PN_EINVAL);
	pn_sim_setloglevel(NULL, PN_LOG_DEBUG);	/* ignored */
	CHECK(pn_sim_setmaxvnodes(NULL, 10) == PN_EINVAL);
	CHECK(pn_sim_setmaxvnodes(sim, 0) == PN_EINVAL);
	CHECK_OK(pn_sim_stats(sim, &st));
	CHECK(st.maxvnodes == 64);

	CHECK_OK(pn_sim_unmount(sim, false));
	CHECK(pn_sim_unmount(sim, false) == PN_ENXIO);
	CHECK(pn_sim_mount(sim) == NULL);
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

/* Every call taking a name, with each bad name. */
static void
test_names(struct pn_sim *sim, struct pn_vnode *root, struct pn_vnode *vp)
{
	struct pn_vnode *out;
	size_t i;

	for (i = 0; i < NBAD; i++) {
		const char *n = badname(i);
		int want = badnames[i].error;

		out = root;
		CHECK(pn_sim_lookup(sim, root, n, &out) == want);
		CHECK(out == NULL);
		out = root;
		CHECK(pn_sim_cache_lookup(sim, root, n, &out) == want);
		CHECK(out == NULL);
		out = root;
		CHECK(pn_sim_create(sim, root, n, PN_VREG, &out) == want);
		CHECK(out == NULL);
		CHECK(pn_sim_remove(sim, root, n) == want);
		CHECK(pn_sim_rename(sim, root, n, root, "x") == want);
		CHECK(pn_sim_rename(sim, root, "x", root, n) == want);
		CHECK(pn_sim_cache_enter(sim, root, vp, n) == want);
		CHECK(pn_sim_cache_remove(sim, root, n) == want);
	}
	/* Paths: a component too long, "." and "..". */
	out = root;
	CHECK(pn_sim_namei(sim, longname, &out) == PN_ENAMETOOLONG);
	CHECK(out == NULL);
	CHECK(pn_sim_namei(sim, "/dir/./x", &out) == PN_EINVAL);
	CHECK(pn_sim_namei(sim, "/dir/..", &out) == PN_EINVAL);
	CHECK(pn_sim_namei(sim, "/nope", &out) == PN_ENOENT);
	CHECK(out == NULL);
	CHECK_OK(pn_sim_namei(sim, "//", &out));
	CHECK(out == root);
	CHECK_OK(pn_sim_vrele(sim, out));
}

/* Every call taking a pointer, with each NULL. */
static void
test_nulls(struct pn_sim *sim, struct pn_sim_server *srv, struct pn_vnode *root,
    struct pn_vnode *vp)
{
	struct pn_sim_vnode_info vi;
	struct pn_sim_attr a;
	struct pn_vnode *out;
	char buf[8];
	size_t resid;
	int rev;

	CHECK(pn_sim_vget(NULL, vp) == PN_EINVAL);
	CHECK(pn_sim_vget(sim, NULL) == PN_EINVAL);
	CHECK(pn_sim_vrele(NULL, vp) == PN_EINVAL);
	CHECK(pn_sim_vrele(sim, NULL) == PN_EINVAL);
	CHECK(pn_sim_vgone(NULL, vp) == PN_EINVAL);
	CHECK(pn_sim_vgone(sim, NULL) == PN_EINVAL);
	CHECK(pn_sim_vnode_info(NULL, vp, &vi) == PN_EINVAL);
	CHECK(pn_sim_vnode_info(sim, NULL, &vi) == PN_EINVAL);
	CHECK(pn_sim_vnode_info(sim, vp, NULL) == PN_EINVAL);
	CHECK(pn_sim_vnode_cookie(sim, NULL) == 0);

	CHECK(pn_sim_root(sim, NULL) == PN_EINVAL);
	out = root;
	CHECK(pn_sim_root(NULL, &out) == PN_EINVAL);
	CHECK(out == NULL);
	CHECK(pn_sim_lookup(sim, root, "dir", NULL) == PN_EINVAL);
	out = root;
	CHECK(pn_sim_lookup(NULL, root, "dir", &out) == PN_EINVAL);
	CHECK(out == NULL);
	CHECK(pn_sim_lookup(sim, NULL, "dir", &out) == PN_EINVAL);
	/* A lookup in a file: not a directory. */
	CHECK(pn_sim_lookup(sim, vp, "dir", &out) == PN_EINVAL);
	CHECK(out == NULL);
	CHECK(pn_sim_namei(sim, "/dir", NULL) == PN_EINVAL);
	out = root;
	CHECK(pn_sim_namei(NULL, "/dir", &out) == PN_EINVAL);
	CHECK(out == NULL);
	CHECK(pn_sim_namei(sim, NULL, &out) == PN_EINVAL);
	CHECK(pn_sim_cache_lookup(sim, root, "dir", NULL) == PN_EINVAL);
	CHECK(pn_sim_cache_lookup(NULL, root, "dir", &out) == PN_EINVAL);
	CHECK(pn_sim_cache_lookup(sim, NULL, "dir", &out) == PN_EINVAL);

	CHECK(pn_sim_create(NULL, root, "n", PN_VREG, &out) == PN_EINVAL);
	CHECK(pn_sim_create(sim, NULL, "n", PN_VREG, &out) == PN_EINVAL);
	CHECK(pn_sim_create(sim, root, "n", PN_VLNK, &out) == PN_EINVAL);
	CHECK(pn_sim_create(sim, root, "n", PN_VFIFO, NULL) == PN_EINVAL);
	/* No vpp: the new vnode is released at once. */
	CHECK_OK(pn_sim_create(sim, root, "n", PN_VREG, NULL));
	CHECK_OK(pn_sim_server_peek(srv, pn_sim_vnode_cookie(sim,
	    root), "n", &a));
	CHECK(a.a_type == PN_VREG);
	CHECK(pn_sim_remove(NULL, root, "n") == PN_EINVAL);
	CHECK(pn_sim_remove(sim, NULL, "n") == PN_EINVAL);
	CHECK(pn_sim_rename(NULL, root, "n", root, "m") == PN_EINVAL);
	CHECK(pn_sim_rename(sim, NULL, "n", root, "m") == PN_EINVAL);
	CHECK(pn_sim_rename(sim, root, "n", NULL, "m") == PN_EINVAL);
	CHECK_OK(pn_sim_remove(sim, root, "n"));

	CHECK(pn_sim_getattr(NULL, vp, &a) == PN_EINVAL);
	CHECK(pn_sim_getattr(sim, NULL, &a) == PN_EINVAL);
	CHECK(pn_sim_getattr(sim, vp, NULL) == PN_EINVAL);
	CHECK(pn_sim_read(NULL, vp, 0, buf, sizeof(buf), &resid) ==
	    PN_EINVAL);
	CHECK(pn_sim_read(sim, NULL, 0, buf, sizeof(buf), &resid) ==
	    PN_EINVAL);
	CHECK(pn_sim_read(sim, vp, 0, buf, sizeof(buf), NULL) == PN_EINVAL);
	CHECK(pn_sim_read(sim, vp, 0, NULL, sizeof(buf), &resid) ==
	    PN_EINVAL);
	/* No buffer and no length: a read of nothing. */
	CHECK_OK(pn_sim_read(sim, vp, 0, NULL, 0, &resid));
	CHECK(resid == 0);
	CHECK(pn_sim_poll(NULL, vp, PN_POLLIN, &rev) == PN_EINVAL);
	CHECK(pn_sim_poll(sim, NULL, PN_POLLIN, &rev) == PN_EINVAL);
	CHECK(pn_sim_poll(sim, vp, PN_POLLIN, NULL) == PN_EINVAL);

	CHECK(pn_sim_addlookup(NULL, vp) == PN_EINVAL);
	CHECK(pn_sim_cache_enter(NULL, root, vp, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_enter(sim, NULL, vp, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_enter(sim, root, NULL, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_remove(NULL, root, "f") == PN_EINVAL);
	CHECK(pn_sim_cache_remove(sim, NULL, "f") == PN_EINVAL);
	CHECK(pn_sim_drain(NULL, 0, NULL) == PN_EINVAL);
}

/* A reclaimed vnode: calls on it answer, none crash. */
static void
test_reclaimed(struct pn_sim *sim, struct pn_vnode *root)
{
	struct pn_sim_vnode_info vi;
	struct pn_sim_attr a;
	struct pn_vnode *vp, *out;
	char buf[8];
	size_t resid;
	int rev;

	CHECK_OK(pn_sim_create(sim, root, "gone", PN_VREG, &vp));
	CHECK_OK(pn_sim_vgone(sim, vp));
	CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
	CHECK(vi.vi_state == PN_SIM_VS_DEAD && vi.vi_cookie == 0);
	CHECK(vi.vi_usecount == 1 && !vi.vi_inactive);
	CHECK(pn_sim_vget(sim, vp) == PN_ENOENT);
	CHECK(pn_sim_getattr(sim, vp, &a) == PN_ENOENT);
	rev = -1;
	CHECK(pn_sim_poll(sim, vp, PN_POLLIN, &rev) == PN_ENOENT);
	CHECK(rev == 0);
	CHECK(pn_sim_read(sim, vp, 0, buf, sizeof(buf), &resid) ==
	    PN_ENOENT);
	CHECK(resid == sizeof(buf));
	CHECK(pn_sim_lookup(sim, vp, "x", &out) == PN_EINVAL);
	/* The server still has the name: a new vnode for it. */
	CHECK_OK(pn_sim_lookup(sim, root, "gone", &out));
	CHECK(out != vp);
	CHECK(pn_sim_vnode_cookie(sim, out) != 0);
	CHECK_OK(pn_sim_vrele(sim, out));
	/* Hold and drop on the dead vnode still in use: not freed. */
	pn_sim_vhold(sim, vp);
	pn_sim_vdrop(sim, vp);
	CHECK_OK(pn_sim_vnode_info(sim, vp, &vi));
	CHECK(vi.vi_holdcount == 0 && vi.vi_usecount == 1);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_remove(sim, root, "gone"));
	CHECK(pn_sim_remove(sim, root, "gone") == PN_ENOENT);

	/* A reclaimed directory: its cookie names no node on the server. */
	CHECK_OK(pn_sim_create(sim, root, "deaddir", PN_VDIR, &vp));
	CHECK_OK(pn_sim_vgone(sim, vp));
	CHECK(pn_sim_lookup(sim, vp, "x", &out) == PN_ENOENT);
	CHECK(out == NULL);
	CHECK(pn_sim_create(sim, vp, "x", PN_VREG, &out) == PN_ENOENT);
	CHECK(out == NULL);
	CHECK(pn_sim_remove(sim, vp, "x") == PN_ENOENT);
	CHECK(pn_sim_rename(sim, vp, "x", root, "y") == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_remove(sim, root, "deaddir"));
}

/* Renames over an existing name: a file over a file, a directory over an empty one. */
static void
test_rename_over(struct pn_sim *sim, struct pn_sim_server *srv,
    struct pn_vnode *root)
{
	pn_cookie_t rc = pn_sim_vnode_cookie(sim, root);
	struct pn_sim_attr a, b;

	CHECK_OK(pn_sim_create(sim, root, "ra", PN_VREG, NULL));
	CHECK_OK(pn_sim_create(sim, root, "rb", PN_VREG, NULL));
	CHECK_OK(pn_sim_server_peek(srv, rc, "ra", &a));
	CHECK_OK(pn_sim_rename(sim, root, "ra", root, "rb"));
	CHECK(pn_sim_server_peek(srv, rc, "ra", &b) == PN_ENOENT);
	CHECK_OK(pn_sim_server_peek(srv, rc, "rb", &b));
	CHECK(b.a_cookie == a.a_cookie);
	CHECK_OK(pn_sim_remove(sim, root, "rb"));

	CHECK_OK(pn_sim_create(sim, root, "da", PN_VDIR, NULL));
	CHECK_OK(pn_sim_create(sim, root, "db", PN_VDIR, NULL));
	CHECK_OK(pn_sim_server_peek(srv, rc, "da", &a));
	CHECK_OK(pn_sim_rename(sim, root, "da", root, "db"));
	CHECK_OK(pn_sim_server_peek(srv, rc, "db", &b));
	CHECK(b.a_cookie == a.a_cookie && b.a_type == PN_VDIR);
	/* A lookup in a file: the server refuses it. */
	CHECK_OK(pn_sim_create(sim, root, "rf", PN_VREG, NULL));
	CHECK_OK(pn_sim_server_peek(srv, rc, "rf", &a));
	CHECK(pn_sim_server_peek(srv, a.a_cookie, "x", &b) == PN_EINVAL);
	CHECK_OK(pn_sim_remove(sim, root, "rf"));
	CHECK_OK(pn_sim_remove(sim, root, "db"));
	(void)pn_sim_drain(sim, 0, NULL);
	/* Its nodes freed: their cookies name nothing. */
	CHECK(pn_sim_server_getattr(srv, a.a_cookie, &b) == PN_ENOENT);
}

/* ---- an unmount in progress, and after ---- */

struct waiter {
	struct pn_sim	*sim;
	struct pn_vnode	*dvp;
	struct pn_vnode	*vp;
	int		error;
};

static void *
lookup_thread(void *arg)
{
	struct waiter *w = arg;

	w->error = pn_sim_lookup(w->sim, w->dvp, "dir", &w->vp);
	return NULL;
}

static void *
unmount_thread(void *arg)
{
	struct waiter *w = arg;

	w->error = pn_sim_unmount(w->sim, false);
	return NULL;
}

static void *
root_thread(void *arg)
{
	struct waiter *w = arg;

	w->error = pn_sim_root(w->sim, &w->vp);
	return NULL;
}

/*
 * Wait until sim's gate has at least n calls in flight (unmounting
 * false) or an unmount closing it (true): a thread started to get there
 * may not have run yet.
 */
static void
await_gate(struct pn_sim *sim, unsigned n, bool unmounting)
{
	bool there;

	for (;;) {
		pthread_mutex_lock(&sim->s_gatelock);
		there = unmounting ? sim->s_unmounting : sim->s_inflight >= n;
		pthread_mutex_unlock(&sim->s_gatelock);
		if (there)
			return;
		usleep(1000);
	}
}

static void
test_unmounting(void)
{
	struct pn_sim_config cfg = config(0);
	struct waiter wl, wu, wr;
	struct pn_sim_server *srv;
	struct pn_vnode *root, *d, *d2, *f;
	struct pn_sim *sim;
	pthread_t tl, tu, tr;

	CHECK_OK(pn_sim_server_synthetic(20, 4, &srv));
	CHECK_OK(pn_sim_init(&cfg, srv, &sim));
	CHECK_OK(pn_sim_root(sim, &root));
	CHECK_OK(pn_sim_create(sim, root, "dir", PN_VDIR, &d));
	CHECK_OK(pn_sim_create(sim, root, "file", PN_VREG, &f));
	/* No name cache: entering a name is accepted and does nothing. */
	CHECK_OK(pn_sim_cache_enter(sim, root, d, "dir"));
	CHECK(pn_sim_cache_lookup(sim, root, "dir", &d2) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, d));

	/* A lookup in flight, stopped on the directory's lock. */
	pn_sim_vlock(sim, root);
	memset(&wl, 0, sizeof(wl));
	wl.sim = sim;
	wl.dvp = root;
	CHECK(pthread_create(&tl, NULL, lookup_thread, &wl) == 0);
	await_gate(sim, 1, false);
	/*
	 * An unmount waits for it; calls meanwhile wait for the unmount.
	 * Only once it has closed the gate: an unmount of ours would wait
	 * for the lookup, which waits for the lock we hold.
	 */
	memset(&wu, 0, sizeof(wu));
	wu.sim = sim;
	CHECK(pthread_create(&tu, NULL, unmount_thread, &wu) == 0);
	await_gate(sim, 0, true);
	CHECK(pn_sim_unmount(sim, false) == PN_EBUSY);
	memset(&wr, 0, sizeof(wr));
	wr.sim = sim;
	CHECK(pthread_create(&tr, NULL, root_thread, &wr) == 0);
	usleep(100000);
	pn_sim_vunlock(sim, root);
	CHECK(pthread_join(tl, NULL) == 0);
	CHECK(wl.error == PN_OK && wl.vp != NULL);
	/* The root is in use: the unmount is refused, the gate reopens. */
	CHECK(pthread_join(tu, NULL) == 0);
	CHECK(wu.error == PN_EBUSY);
	CHECK(pthread_join(tr, NULL) == 0);
	CHECK(wr.error == PN_OK && wr.vp == root);
	CHECK_OK(pn_sim_vrele(sim, wr.vp));
	CHECK_OK(pn_sim_vrele(sim, wl.vp));

	/* fini unmounts first: refused while the root is in use. */
	CHECK(pn_sim_fini(sim) == PN_EBUSY);
	/* Forced: the root is reclaimed under us and freed by our vrele. */
	CHECK_OK(pn_sim_unmount(sim, true));
	CHECK(pn_sim_fini(sim) == PN_EBUSY);
	CHECK(pn_sim_lookup(sim, root, "dir", &d) == PN_ENXIO);
	CHECK(d == NULL);
	CHECK(pn_sim_namei(sim, "/dir", &d) == PN_ENXIO);
	CHECK(pn_sim_root(sim, &d) == PN_ENXIO);
	CHECK(pn_sim_create(sim, root, "x", PN_VREG, &d) == PN_ENXIO);
	CHECK(pn_sim_remove(sim, root, "dir") == PN_ENXIO);
	CHECK(pn_sim_rename(sim, root, "dir", root, "x") == PN_ENXIO);
	{
		struct pn_sim_attr a;
		int rev;

		CHECK(pn_sim_getattr(sim, root, &a) == PN_ENXIO);
		CHECK(pn_sim_poll(sim, root, PN_POLLIN, &rev) == PN_ENXIO);
	}
	{
		char buf[4];
		size_t resid = 0;

		CHECK(pn_sim_read(sim, f, 0, buf, sizeof(buf), &resid) ==
		    PN_ENXIO);
		CHECK(resid == sizeof(buf));
	}
	CHECK_OK(pn_sim_vrele(sim, f));
	CHECK_OK(pn_sim_vrele(sim, root));
	CHECK_OK(pn_sim_fini(sim));
	CHECK_OK(pn_sim_server_destroy(srv));
}

int
main(void)
{
	struct pn_sim_config cfg = config(PN_SIM_NAMECACHE);
	struct pn_sim_server *srv;
	struct pn_vnode *root, *f, *d;
	struct pn_sim *sim;

	memset(longname, 'n', sizeof(longname) - 1);
	test_server_args();
	test_init_args();

	CHECK_OK(pn_sim_server_synthetic(50, 4, &srv));
	CHECK_OK(pn_sim_init(&cfg, srv, &sim));
	CHECK_OK(pn_sim_root(sim, &root));
	CHECK_OK(pn_sim_create(sim, root, "dir", PN_VDIR, &d));
	CHECK_OK(pn_sim_create(sim, root, "file", PN_VREG, &f));
	test_names(sim, root, f);
	test_nulls(sim, srv, root, f);
	test_reclaimed(sim, root);
	test_rename_over(sim, srv, root);
	CHECK_OK(pn_sim_vrele(sim, d));
	CHECK_OK(pn_sim_vrele(sim, f));
	CHECK_OK(pn_sim_vrele(sim, root));
	simtest_done(sim, srv);

	test_unmounting();
	return 0;
}
