/*
 * consumer-core.c -- an outside program built against an installed
 * libpuffsnode and its POSIX host kit through `pkg-config puffsnode-posix`.
 *
 * It includes nothing but the installed headers and the C library; the
 * kit gives its host memory, locks and condition variables, and it brings
 * its own vnodes.  It does a real job through the library: mount, build
 * the root and a node, find it again by its cookie, reclaim it, unmount.
 * Every answer is checked.
 *
 * usage: consumer-core VERSION
 * Exit status 0 when every check passes, 1 otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <puffsnode/posix.h>
#include <puffsnode/puffsnode.h>

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "consumer-core: %s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)

struct pn_vnode {
	unsigned	 refs;
	bool		 reclaiming;
	int		 type;
	struct pn_node	*data;
	int64_t		 size;
};

struct host {
	struct pn_mount	*mp;
	size_t		 bytes;		/* held by the library */
	unsigned	 vnodes;	/* allocated and not freed */
	unsigned	 reclaims;	/* pn_putvnode calls */
};

/* The kit's memory, counted. */
static void *
h_alloc(void *h, size_t n)
{
	struct host *host = h;
	void *p = pn_posix_alloc(h, n);

	if (p != NULL)
		host->bytes += n;
	return p;
}

static void
h_free(void *h, void *p, size_t n)
{
	struct host *host = h;

	host->bytes -= n;
	pn_posix_free(h, p, n);
}

static int
h_vnode_alloc(void *h, int type, struct pn_vnode **vpp)
{
	struct host *host = h;
	struct pn_vnode *vp = calloc(1, sizeof(*vp));

	if (vp == NULL)
		return PN_ENOMEM;
	vp->refs = 1;
	vp->type = type;
	host->vnodes++;
	*vpp = vp;
	return PN_OK;
}

static void
h_vnode_free(void *h, struct pn_vnode *vp)
{
	struct host *host = h;

	host->vnodes--;
	free(vp);
}

static int
h_vnode_get(void *h, struct pn_vnode *vp)
{
	(void)h;
	if (vp->reclaiming)
		return PN_ENOENT;
	vp->refs++;
	return PN_OK;
}

/* The last reference reclaims the vnode at once. */
static void
h_vnode_rele(void *h, struct pn_vnode *vp)
{
	struct host *host = h;

	CHECK(vp->refs > 0);
	if (--vp->refs > 0)
		return;
	vp->reclaiming = true;
	CHECK(pn_putvnode(host->mp, vp) == PN_OK);
	host->reclaims++;
	h_vnode_free(h, vp);
}

static void
h_vnode_setdata(void *h, struct pn_vnode *vp, struct pn_node *pn)
{
	(void)h;
	vp->data = pn;
}

static struct pn_node *
h_vnode_getdata(void *h, struct pn_vnode *vp)
{
	(void)h;
	return vp->data;
}

static void
h_vnode_setsize(void *h, struct pn_vnode *vp, int64_t size)
{
	(void)h;
	vp->size = size;
}

static int64_t
h_vnode_getsize(void *h, struct pn_vnode *vp)
{
	(void)h;
	return vp->size;
}

static struct pn_host_ops host_ops = {
	.vnode_alloc = h_vnode_alloc,
	.vnode_free = h_vnode_free,
	.vnode_get = h_vnode_get,
	.vnode_rele = h_vnode_rele,
	.vnode_setdata = h_vnode_setdata,
	.vnode_getdata = h_vnode_getdata,
	.vnode_setsize = h_vnode_setsize,
	.vnode_getsize = h_vnode_getsize,
};

int
main(int argc, char **argv)
{
	struct host host = { 0 };
	struct pn_mount_args args = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = 1,
		.root_type = PN_VDIR,
	};
	struct pn_table_stats ts;
	struct pn_pool_stats ps;
	struct pn_vnode *root, *vp, *again;
	struct pn_node *pn;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer-core VERSION\n");
		return 2;
	}

	/* The kit's members, then the counted memory. */
	CHECK(pn_posix_fill_ops(&host_ops, PN_HOST_OPS_VERSION) == PN_OK);
	CHECK(host_ops.version == PN_HOST_OPS_VERSION);
	host_ops.alloc = h_alloc;
	host_ops.free = h_free;
	CHECK(pn_posix_fill_ops(NULL, PN_HOST_OPS_VERSION) == PN_EINVAL);
	CHECK(pn_posix_fill_ops(&host_ops, PN_HOST_OPS_VERSION + 1) == PN_EINVAL);

	/* The library answering is the one these headers describe. */
	CHECK(strcmp(pn_version(), argv[1]) == 0);
	CHECK(strcmp(pn_version(), PN_VERSION_STRING) == 0);
	CHECK(strcmp(pn_strerror(PN_ENOENT), pn_strerror(PN_OK)) != 0);

	/* A table missing its mandatory members is refused. */
	{
		struct pn_host_ops bad = host_ops;
		struct pn_mount *mp = NULL;

		bad.vnode_get = NULL;
		CHECK(pn_mount_create(&bad, &host, &args, &mp) == PN_EINVAL);
		CHECK(mp == NULL);
	}

	if (pn_mount_create(&host_ops, &host, &args, &host.mp) != PN_OK) {
		fprintf(stderr, "consumer-core: pn_mount_create failed\n");
		return 1;
	}
	CHECK(pn_mount_rootcookie(host.mp) == 1);

	CHECK(pn_makeroot(host.mp, &root) == PN_OK);
	CHECK(root->type == PN_VDIR);

	/* The server answered a lookup: cookie 42, a regular file of 4096 bytes. */
	CHECK(pn_getvnode(host.mp, 42, PN_VREG, 4096, 0, &vp) == PN_OK);
	CHECK(vp->type == PN_VREG && vp->size == 4096);
	pn = pn_vnode2node(host.mp, vp);
	CHECK(pn != NULL && pn_node_cookie(pn) == 42);
	CHECK(pn_node_type(pn) == PN_VREG && pn_node_vnode(pn) == vp);

	/* The same cookie is the same vnode, whichever way it is asked for. */
	CHECK(pn_cookie2vnode(host.mp, 42, 0, &again) == PN_OK);
	CHECK(again == vp && vp->refs == 2);
	h_vnode_rele(&host, again);
	CHECK(pn_getvnode(host.mp, 42, PN_VREG, 4096, 0, &again) == PN_OK);
	CHECK(again == vp);
	h_vnode_rele(&host, again);
	CHECK(pn_cookie2vnode(host.mp, 43, 0, &again) == PN_ENOENT);
	CHECK(again == NULL);

	CHECK(pn_table_stats(host.mp, &ts) == PN_OK);
	CHECK(ts.entries == 2);
	CHECK(pn_pool_stats(host.mp, &ps) == PN_OK);
	CHECK(ps.in_use == 2);

	/* The last references reclaim both vnodes; the library lets go of them. */
	h_vnode_rele(&host, vp);
	h_vnode_rele(&host, root);
	CHECK(host.reclaims == 2 && host.vnodes == 0);
	CHECK(pn_cookie2vnode(host.mp, 42, 0, &again) == PN_ENOENT);
	CHECK(pn_table_stats(host.mp, &ts) == PN_OK);
	CHECK(ts.entries == 0);
	CHECK(pn_pool_stats(host.mp, &ps) == PN_OK);
	CHECK(ps.in_use == 0 && ps.allocs == 2 && ps.frees == 2);

	CHECK(pn_mp_drain(host.mp) == PN_OK);
	CHECK(pn_mount_destroy(host.mp) == PN_OK);
	CHECK(host.bytes == 0);

	if (failures != 0)
		return 1;
	printf("consumer-core: libpuffsnode %s and its POSIX kit: mount, 2 nodes, reclaim, unmount: ok\n",
	    pn_version());
	return 0;
}
