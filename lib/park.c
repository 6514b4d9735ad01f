/*
 * park.c -- completions of the server's answers to asynchronous requests:
 * reads into a host buffer, and polls.
 *
 * The server is untrusted.  A read's residual is checked against the
 * buffer and against the bytes the answer carries before anything is
 * copied; a bad answer still completes the buffer (with PN_EIO), so no
 * waiter hangs, and is reported to the host.
 */
#include "hostcall.h"

static void
bio_finish(struct pn_mount *mp, struct pn_bio *bp, int error, size_t resid)
{
	bp->b_error = error;
	bp->b_resid = resid;
	if (error != 0)
		bp->b_flags |= PN_B_ERROR;
	pni_h_bio_done(mp, bp);
}

/*
 * rv is the server's error (0: success); data/datalen what the answer
 * carries; resid the bytes the server says it did not read.
 */
PNI_EXPORT int
pn_parkdone_asyncbioread(struct pn_mount *mp, struct pn_bio *bp, int rv,
    const void *data, size_t datalen, int64_t resid)
{
	size_t moved;

	if (mp == NULL || bp == NULL)
		return PN_EINVAL;
	if (rv != 0) {
		bio_finish(mp, bp, rv, bp->b_bcount);
		return PN_OK;
	}
	if (resid < 0) {
		pni_h_misbehaved(mp, PN_BAD_SIZE, 0, "negative read residual");
		bio_finish(mp, bp, PN_EIO, bp->b_bcount);
		return PN_EINVAL;
	}
	if ((uint64_t)resid > bp->b_bcount) {
		pni_h_misbehaved(mp, PN_BAD_RESID, 0,
		    "read residual larger than the buffer");
		bio_finish(mp, bp, PN_EIO, bp->b_bcount);
		return PN_EINVAL;
	}
	moved = bp->b_bcount - (size_t)resid;
	if (moved != 0 && bp->b_data == NULL) {
		/* The host gave no buffer for the bytes it asked for. */
		bio_finish(mp, bp, PN_EIO, bp->b_bcount);
		return PN_EINVAL;
	}
	if (moved > datalen || (moved != 0 && data == NULL)) {
		pni_h_misbehaved(mp, PN_BAD_SIZE, 0,
		    "read answer shorter than its residual claims");
		bio_finish(mp, bp, PN_EIO, bp->b_bcount);
		return PN_EINVAL;
	}
	if (moved != 0)
		__builtin_memcpy(bp->b_data, data, moved);
	bio_finish(mp, bp, 0, (size_t)resid);
	return PN_OK;
}

/*
 * Fold a poll answer into the node, notify its vnode if it still has one,
 * and drop the request's node reference.
 */
PNI_EXPORT int
pn_parkdone_poll(struct pn_node *pn, int rv, int events)
{
	struct pn_mount *mp;
	struct pn_lock *stripe;
	struct pn_vnode *vp;
	int revents, rel, error = PN_OK;

	/* refs == 0 while not FREE: only between last release and the pool. */
	if (!pni_node_held(pn))
		return PN_EINVAL;
	mp = pn->pn_mp;
	if (rv != 0) {
		revents = PN_POLLERR;
	} else if ((events & ~PN_POLL_ALL) != 0) {
		pni_h_misbehaved(mp, PN_BAD_EVENTS, pn_node_cookie(pn),
		    "poll events outside the defined bits");
		revents = (events & PN_POLL_ALL) | PN_POLLERR;
		error = PN_EINVAL;
	} else {
		revents = events;
	}
	stripe = pni_node_stripe(pn);
	pni_h_enter(mp, stripe);
	pn->pn_revents |= (uint16_t)revents;
	vp = pn_load(&pn->pn_vp, PN_RELAXED);
	/* Under the stripe lock: putvnode cannot finish, vp stays valid. */
	if (vp != NULL)
		pni_h_poll_notify(mp, vp, revents);
	pni_h_exit(mp, stripe);
	rel = pn_releasenode(pn);
	return error != PN_OK ? error : rel;
}

/* The poll events folded into the node so far, cleared on request. */
PNI_EXPORT int
pn_node_revents(struct pn_node *pn, int *revents, bool clear)
{
	struct pn_lock *stripe;

	if (revents == NULL)
		return PN_EINVAL;
	*revents = 0;
	/* Freed: FREE, or DEAD with its last reference gone (node.h). */
	if (pn == NULL || pni_node_state(pn) == PNI_ST_FREE ||
	    pn_load(&pn->pn_refs, PN_RELAXED) == 0)
		return PN_EINVAL;
	stripe = pni_node_stripe(pn);
	pni_h_enter(pn->pn_mp, stripe);
	*revents = pn->pn_revents;
	if (clear)
		pn->pn_revents = 0;
	pni_h_exit(pn->pn_mp, stripe);
	return PN_OK;
}
