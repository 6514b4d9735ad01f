/*
 * minimal-host.c -- the smallest complete puffsnode host for a hosted
 * (POSIX) system: the POSIX host kit (libpuffsnode-posix) gives memory,
 * mutexes, condition variables, the clock, the log and the yield, and
 * the host writes its vnodes alone.  A vnode is a reference count, a
 * "being reclaimed" flag, a data pointer and a size.  main() mounts, makes
 * the root, turns the cookies a server answers with into vnodes, holds a
 * node across a reclaim and unmounts; it exits 0 only if every answer was
 * as expected and nothing leaked.  See docs/porting.md, pn_host_ops(3)
 * and pn_posix_fill_ops(3).
 *
 * Build: cc minimal-host.c $(pkg-config --cflags --libs puffsnode-posix)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <puffsnode/posix.h>
#include <puffsnode/puffsnode.h>

/* The host's vnode.  The library only passes pointers to it. */
struct pn_vnode {
	unsigned	 refs;		/* references; the last one reclaims */
	bool		 reclaiming;	/* reclaim begun: vnode_get refuses */
	int		 type;		/* enum pn_vtype */
	int64_t		 size;		/* v_size */
	struct pn_node	*data;		/* v_data: the vnode's node */
};

/* The context, passed first to every host op. */
struct host {
	struct pn_mount	*mp;
	size_t		 bytes;		/* allocated and not yet freed */
	long		 reclaims;	/* vnodes reclaimed */
	long		 panics;	/* PN_LOG_PANIC: a rule was broken */
};

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "minimal-host: FAILED: %s\n", what);
		exit(1);
	}
}

static void
expect(int error, int want, const char *what)
{
	if (error != want)
		fprintf(stderr, "minimal-host: %s: %s, expected %s\n", what,
		    pn_strerror(error), pn_strerror(want));
	check(error == want, what);
}

/*
 * ---- memory: the kit's, counted, so that main() can tell nothing
 * leaked.  A host wraps a kit member this way, after pn_posix_fill_ops().
 */
static void *
h_alloc(void *host, size_t size)
{
	void *p = pn_posix_alloc(host, size);	/* aligned for any type */

	if (p != NULL)
		((struct host *)host)->bytes += size;
	return p;
}

static void
h_free(void *host, void *p, size_t size)
{
	((struct host *)host)->bytes -= size;
	pn_posix_free(host, p, size);
}

/* ---- vnodes ---- */
static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = h_alloc(host, sizeof(*vp));

	if (vp == NULL)
		return PN_ENOMEM;	/* host ops answer PN_E* codes */
	*vp = (struct pn_vnode){ .refs = 1, .type = type };
	*vpp = vp;			/* holding the caller's reference */
	return 0;
}

/* A vnode never handed out (a build failed), or the end of a reclaim. */
static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	h_free(host, vp, sizeof(*vp));
}

/* vget: a vnode being reclaimed is refused at once, never waited for. */
static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	if (vp->reclaiming)
		return PN_ENOENT;
	vp->refs++;
	return 0;
}

/*
 * vrele.  The last reference reclaims: mark the vnode for vnode_get, give
 * its node back with pn_putvnode() (no host lock held), then free it.
 */
static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	struct host *h = host;

	check(vp->refs > 0, "vnode released with no reference");
	if (--vp->refs > 0)
		return;
	vp->reclaiming = true;
	expect(pn_putvnode(h->mp, vp), PN_OK, "pn_putvnode");
	h->reclaims++;
	h_vnode_free(h, vp);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	vp->data = pn;
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	return vp->data;
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	vp->size = size;
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	return vp->size;
}

/*
 * PN_LOG_PANIC: a rule was broken (bad servers are logged at
 * PN_LOG_WARN).  Counted, then printed by the kit.
 */
static void	h_log(void *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
h_log(void *host, int level, const char *fmt, ...)
{
	va_list ap;

	if (level == PN_LOG_PANIC)
		((struct host *)host)->panics++;
	va_start(ap, fmt);
	pn_posix_vlog(host, level, fmt, ap);
	va_end(ap);
}

/* The vnode members; pn_posix_fill_ops() adds the rest in main(). */
static struct pn_host_ops ops = {
	.vnode_alloc = h_vnode_alloc, .vnode_free = h_vnode_free,
	.vnode_get = h_vnode_get, .vnode_rele = h_vnode_rele,
	.vnode_setdata = h_vnode_setdata, .vnode_getdata = h_vnode_getdata,
	.vnode_setsize = h_vnode_setsize, .vnode_getsize = h_vnode_getsize,
};

int
main(void)
{
	struct host h = { 0 };
	struct pn_mount_args args = { .version = PN_MOUNT_ARGS_VERSION,
	    .root_cookie = 1, .root_type = PN_VDIR };	/* the server's root */
	struct pn_vnode *root, *vp, *vp2, *none;
	struct pn_node *pn;

	/* memory, locks, condition variables, clock, log, yield: the kit's */
	expect(pn_posix_fill_ops(&ops, PN_HOST_OPS_VERSION), PN_OK,
	    "pn_posix_fill_ops");
	ops.alloc = h_alloc;		/* counted */
	ops.free = h_free;
	ops.log = h_log;
	expect(pn_mount_create(&ops, &h, &args, &h.mp), PN_OK, "mount");
	expect(pn_makeroot(h.mp, &root), PN_OK, "pn_makeroot");

	/* The server answered a lookup: cookie 42, a 4 KiB file. */
	expect(pn_getvnode(h.mp, 42, PN_VREG, 4096, 0, &vp), PN_OK, "get 42");
	pn = pn_vnode2node(h.mp, vp);
	check(pn_node_cookie(pn) == 42 && vp->size == 4096, "node of 42");
	expect(pn_getvnode(h.mp, 42, PN_VREG, 4096, 0, &vp2), PN_OK, "get 42");
	check(vp2 == vp && vp->refs == 2, "one vnode for cookie 42");
	h_vnode_rele(&h, vp2);

	/* The server answered a create: cookie 43 is new. */
	expect(pn_newnode(h.mp, root, 43, NULL, PN_VREG, 0, &vp2), PN_OK,
	    "create 43");
	/* A create answered with a live cookie is the server's fault. */
	expect(pn_newnode(h.mp, root, 43, NULL, PN_VREG, 0, &none), PN_EEXIST,
	    "create 43 again");
	/* Lookup only: a cookie without a vnode is not created. */
	expect(pn_cookie2vnode(h.mp, 44, 0, &none), PN_ENOENT, "lookup 44");

	/* A request in flight holds the mount and the node of cookie 42. */
	expect(pn_mp_reference(h.mp), PN_OK, "pn_mp_reference");
	expect(pn_referencenode(pn), PN_OK, "pn_referencenode");
	h_vnode_rele(&h, vp);		/* the last reference: reclaimed */
	check(h.reclaims == 1 && pn_node_vnode(pn) == NULL &&
	    pn_node_refs(pn) == 1, "the node outlives its vnode");
	expect(pn_cookie2vnode(h.mp, 42, 0, &none), PN_ENOENT, "lookup 42");
	expect(pn_releasenode(pn), PN_OK, "pn_releasenode");	/* pn freed */
	expect(pn_mp_release(h.mp), PN_OK, "pn_mp_release");

	/* Unmount: refuse new users and nodes, wait for the users to leave, */
	expect(pn_mp_drain(h.mp), PN_OK, "pn_mp_drain");
	expect(pn_getvnode(h.mp, 45, PN_VREG, 0, 0, &none), PN_ENXIO,
	    "get after drain");
	/* reclaim every vnode (here: drop the last references), destroy. */
	h_vnode_rele(&h, vp2);
	h_vnode_rele(&h, root);
	expect(pn_mount_destroy(h.mp), PN_OK, "pn_mount_destroy");
	check(h.bytes == 0 && h.panics == 0, "nothing leaked, no rule broken");
	puts("minimal-host: ok");
	return 0;
}
