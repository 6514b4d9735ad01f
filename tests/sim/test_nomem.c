/*
 * test_nomem.c -- allocation failures in libpuffsnode-sim: this program
 * interposes malloc, calloc, realloc and reallocarray, fails the nth
 * call for n = 0, 1, 2 ... and checks that building a synthetic server,
 * mirroring a directory, mounting and creating either work or answer
 * PN_ENOMEM (a mirror may also answer PN_EIO: nftw's own allocations)
 * and leave nothing behind.  Skipped under sanitizers, which own malloc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simtest.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NOMEM_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define NOMEM_SKIP 1
#endif
#endif

#ifndef NOMEM_SKIP
void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);

static _Atomic long countdown = -1;	/* fail when it reaches 0; -1: off */

static int
fail_now(void)
{
	long c = atomic_load(&countdown);

	while (c >= 0) {
		if (!atomic_compare_exchange_weak(&countdown, &c, c - 1))
			continue;
		if (c != 0)
			return 0;
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

void *
reallocarray(void *p, size_t n, size_t m)
{
	if (m != 0 && n > SIZE_MAX / m)
		return NULL;
	return realloc(p, n * m);
}

/* Run op with the nth allocation failing until it succeeds with none. */
#define SWEEP(what, op, okerr) do {					\
	int n_, r_;							\
	for (n_ = 0; ; n_++) {						\
		atomic_store(&countdown, n_);				\
		r_ = (op);						\
		if (atomic_exchange(&countdown, -1) >= 0) {		\
			CHECK_OK(r_);	/* no failure injected */	\
			break;						\
		}							\
		if (r_ == PN_OK) {					\
			undo_##what();					\
			continue;					\
		}							\
		CHECK(r_ == PN_ENOMEM || r_ == (okerr));		\
		failed_##what();					\
	}								\
	nomem_##what = n_;						\
} while (0)

static struct pn_sim_server *srv;
static struct pn_sim *sim;
static struct pn_vnode *root, *vp;
static int nomem_synthetic, nomem_mirror, nomem_init, nomem_create;
static int nomem_rename;

static void
undo_synthetic(void)
{
	CHECK_OK(pn_sim_server_destroy(srv));
}

static void
undo_mirror(void)
{
	CHECK_OK(pn_sim_server_destroy(srv));
}

static void
undo_init(void)
{
	CHECK_OK(pn_sim_fini(sim));
}

static void
undo_create(void)
{
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_remove(sim, root, "new"));
}

static void
undo_rename(void)
{
	CHECK_OK(pn_sim_rename(sim, root, "b", root, "a"));
}

/* A failed rename leaves "a", or lost the node on the way: make "a" again. */
static void
failed_rename(void)
{
	struct pn_vnode *v;

	CHECK(pn_sim_lookup(sim, root, "b", &v) == PN_ENOENT);
	if (pn_sim_lookup(sim, root, "a", &v) == PN_OK) {
		CHECK_OK(pn_sim_vrele(sim, v));
		return;
	}
	CHECK_OK(pn_sim_create(sim, root, "a", PN_VREG, &v));
	CHECK_OK(pn_sim_vrele(sim, v));
}

static void failed_synthetic(void) { }
static void failed_mirror(void) { }
static void failed_init(void) { }

/* A create may fail after the server made the node. */
static void
failed_create(void)
{
	(void)pn_sim_remove(sim, root, "new");
}

static void
mkfile(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == 1);
	close(fd);
}

int
main(void)
{
	struct pn_sim_config cfg;
	char dir[] = "/tmp/pn-nomem-XXXXXX", p[256], q[256];
	void *probe;

	/* Under valgrind, which replaces malloc, nothing can be injected. */
	atomic_store(&countdown, 0);
	probe = malloc(1);
	atomic_store(&countdown, -1);
	if (probe != NULL) {
		free(probe);
		return 77;
	}

	SWEEP(synthetic, pn_sim_server_synthetic(1100, 8, &srv), PN_ENOMEM);
	undo_synthetic();

	/* A small tree: directories, files, a hard link. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/d/f", dir);
	mkfile(p);
	snprintf(q, sizeof(q), "%s/g", dir);
	CHECK(link(p, q) == 0);
	SWEEP(mirror, pn_sim_server_mirror(dir, &srv), PN_EIO);
	undo_mirror();
	unlink(q);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d", dir);
	rmdir(p);
	rmdir(dir);

	CHECK_OK(pn_sim_server_synthetic(100, 4, &srv));
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.loglevel = PN_LOG_PANIC + 1;
	cfg.flags = PN_SIM_NAMECACHE;
	cfg.aio_threads = 2;
	SWEEP(init, pn_sim_init(&cfg, srv, &sim), PN_ENOMEM);

	CHECK_OK(pn_sim_root(sim, &root));
	SWEEP(create, pn_sim_create(sim, root, "new", PN_VREG, &vp),
	    PN_ENOMEM);
	undo_create();
	CHECK_OK(pn_sim_create(sim, root, "a", PN_VREG, &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));
	SWEEP(rename, pn_sim_rename(sim, root, "a", root, "b"), PN_ENOMEM);
	undo_rename();
	CHECK_OK(pn_sim_remove(sim, root, "a"));
	CHECK_OK(pn_sim_vrele(sim, root));
	fprintf(stderr, "allocations: synthetic %d, mirror %d, init %d, "
	    "create %d, rename %d\n", nomem_synthetic, nomem_mirror,
	    nomem_init, nomem_create, nomem_rename);
	CHECK(nomem_synthetic > 0 && nomem_mirror > 0 && nomem_init > 0 &&
	    nomem_create > 0 && nomem_rename > 0);
	simtest_done(sim, srv);
	return 0;
}
#else
int
main(void)
{
	return 77;
}
#endif
