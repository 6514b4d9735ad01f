/*
 * meta.c -- the metadata cache: access, change and modification times
 * stamped from the host clock and the size taken from the vnode, each
 * with its dirty bit, until the host flushes them to the server with
 * pn_metacache_take().  Also the genfs hooks built on it.
 *
 * Locking: a node's cache fields are covered by its stripe lock
 * (pni_node_stripe), so concurrent updates and a take never tear.
 * Times are kept as nanoseconds since the epoch, which covers the years
 * 1678 to 2262; clock values beyond that are clamped.
 */
#include "hostcall.h"

#define NS	INT64_C(1000000000)

static int64_t
ts2ns(const struct pn_timespec *ts)
{
	int64_t s = ts->tv_sec, ns = ts->tv_nsec;

	if (ns < 0 || ns >= NS)
		ns = ns < 0 ? 0 : NS - 1;
	if (s > INT64_MAX / NS - 1)
		return INT64_MAX;
	if (s < INT64_MIN / NS + 1)
		return INT64_MIN;
	return s * NS + ns;
}

/*
 * Floor division by NS.  Long division by hand: on 32-bit targets a
 * 64-bit '/' or '%' is a call into the compiler's runtime library
 * (__divdi3, __moddi3), which a freestanding core does not link.
 */
static struct pn_timespec
ns2ts(int64_t t)
{
	struct pn_timespec ts;
	bool neg = t < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
	uint64_t q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = r << 1 | (u >> i & 1);
		if (r >= (uint64_t)NS) {
			r -= (uint64_t)NS;
			q |= (uint64_t)1 << i;
		}
	}
	if (neg && r != 0) {
		q++;
		r = (uint64_t)NS - r;
	}
	/* q <= 2^63 / NS: the negation cannot overflow. */
	ts.tv_sec = neg ? -(int64_t)q : (int64_t)q;
	ts.tv_nsec = (int64_t)r;
	return ts;
}

PNI_EXPORT int
pn_updatenode(struct pn_node *pn, unsigned flags)
{
	struct pn_mount *mp;
	struct pn_timespec now = { 0, 0 };
	struct pn_vnode *vp = NULL;
	struct pn_lock *stripe;
	int64_t t, size = 0;

	if (!pni_node_held(pn) || (flags & ~(PN_UPDATE_ATIME | PN_UPDATE_CTIME |
	    PN_UPDATE_MTIME | PN_UPDATE_SIZE)) != 0)
		return PN_EINVAL;
	if (flags == 0)
		return PN_OK;
	mp = pn->pn_mp;
	if (flags & (PN_UPDATE_ATIME | PN_UPDATE_CTIME | PN_UPDATE_MTIME))
		pni_h_clock_now(mp, &now);
	t = ts2ns(&now);
	stripe = pni_node_stripe(pn);
	pni_h_enter(mp, stripe);
	if (flags & PN_UPDATE_SIZE) {
		vp = pn_load(&pn->pn_vp, PN_RELAXED);
		if (vp == NULL) {
			pni_h_exit(mp, stripe);
			return PN_ENOENT;	/* reclaimed: no vnode size */
		}
		size = pni_h_vnode_getsize(mp, vp);
	}
	if (flags & PN_UPDATE_ATIME)
		pn->pn_mc_atime = t;
	if (flags & PN_UPDATE_CTIME)
		pn->pn_mc_ctime = t;
	if (flags & PN_UPDATE_MTIME)
		pn->pn_mc_mtime = t;
	if (flags & PN_UPDATE_SIZE)
		pn->pn_mc_size = size;
	pn->pn_mc_flags |= (uint16_t)flags;
	pni_h_exit(mp, stripe);
	return PN_OK;
}

PNI_EXPORT int
pn_gop_markupdate(struct pn_node *pn, unsigned gopflags)
{
	unsigned uflags = 0;

	if ((gopflags & ~(PN_GOP_UPDATE_ACCESSED | PN_GOP_UPDATE_MODIFIED)) !=
	    0)
		return PN_EINVAL;
	if (gopflags & PN_GOP_UPDATE_ACCESSED)
		uflags |= PN_UPDATE_ATIME;
	if (gopflags & PN_GOP_UPDATE_MODIFIED)
		uflags |= PN_UPDATE_MTIME;
	return pn_updatenode(pn, uflags);
}

/* The end of backing store is the file size: the server allocates. */
PNI_EXPORT int
pn_gop_size(struct pn_node *pn, int64_t size, int64_t *eobp, int flags)
{
	(void)flags;
	if (eobp == NULL)
		return PN_EINVAL;
	*eobp = 0;
	if (!pni_node_held(pn) || size < 0)
		return PN_EINVAL;
	*eobp = size;
	return PN_OK;
}

/* Refresh the vnode's size from the server's attributes. */
PNI_EXPORT int
pn_updatevpsize(struct pn_node *pn)
{
	struct pn_mount *mp;
	struct pn_vnode *vp;
	int64_t size = -1;
	int error;

	if (!pni_node_held(pn))
		return PN_EINVAL;
	mp = pn->pn_mp;
	vp = pn_load(&pn->pn_vp, PN_RELAXED);
	if (vp == NULL)
		return PN_ENOENT;
	error = pni_h_vnode_getattr_size(mp, vp, &size);
	if (error != PN_OK)
		return error;
	if (size == -1)
		return PN_OK;		/* VNOVAL: size unknown, keep it */
	if (size < 0) {
		pni_h_misbehaved(mp, PN_BAD_SIZE, pn_node_cookie(pn),
		    "negative file size");
		return PN_EINVAL;
	}
	pni_h_vnode_setsize(mp, vp, size);
	return PN_OK;
}

/* Read the dirty metadata and mark it clean, as one step. */
PNI_EXPORT int
pn_metacache_take(struct pn_node *pn, struct pn_metacache *mc)
{
	struct pn_lock *stripe;

	if (mc == NULL)
		return PN_EINVAL;
	__builtin_memset(mc, 0, sizeof(*mc));
	if (!pni_node_held(pn))
		return PN_EINVAL;
	stripe = pni_node_stripe(pn);
	pni_h_enter(pn->pn_mp, stripe);
	mc->mc_flags = pn->pn_mc_flags;
	if (mc->mc_flags & PN_UPDATE_ATIME)
		mc->mc_atime = ns2ts(pn->pn_mc_atime);
	if (mc->mc_flags & PN_UPDATE_CTIME)
		mc->mc_ctime = ns2ts(pn->pn_mc_ctime);
	if (mc->mc_flags & PN_UPDATE_MTIME)
		mc->mc_mtime = ns2ts(pn->pn_mc_mtime);
	if (mc->mc_flags & PN_UPDATE_SIZE)
		mc->mc_size = pn->pn_mc_size;
	pn->pn_mc_flags = 0;
	pni_h_exit(pn->pn_mp, stripe);
	return PN_OK;
}
