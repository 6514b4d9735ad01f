/*
 * fuzz_park.c -- request completions: pn_parkdone_asyncbioread() and
 * pn_parkdone_poll(), with the server's answers untrusted.
 *
 * The input is a list of steps on one mount with a few nodes:
 * - a read completion with any server error, any residual (negative, 0,
 *   the buffer's size, beyond it, huge), any buffer size (also 0, also
 *   with no buffer at all: the host's fault, not reported as the
 *   server's), and an answer of any length, carried in an
 *   exact-size heap copy or not at all, on a buffer with preset flags;
 * - a poll completion with any server error and any event bits, on a live
 *   node, on a node whose vnode was reclaimed while a request held it,
 *   and on a node already back in the pool; with or without the request
 *   reference the completion drops;
 * - references, reclaims and reads of the node's folded poll events.
 *
 * The checks: the read buffer sits between guard bytes and exactly the
 * bytes the answer says were read are copied (the rest untouched); the
 * buffer is completed exactly once per call with the error, residual and
 * flags the reference says; poll events are folded, notified (live nodes
 * only), reported and dropped as the reference says; every misbehaving
 * answer is reported to the host under its reason; and at the end every
 * node and vnode is gone and the host is clean.
 */
#include "fuzz.h"
#include "testhost.h"

#define NNODES	4

struct pnode {
	struct pn_node	*pn;
	struct pn_vnode	*vp;		/* NULL once reclaimed */
	uint32_t	 nrefs;		/* references held for requests */
	int		 revents, vrevents;
	bool		 freed;		/* back in the pool */
};

static struct th_host host;
static struct pnode nodes[NNODES];
static long misb[16], bio_done, poll_notify, panics;

static void
check_counters(void)
{
	int i;

	for (i = 0; i < 16; i++)
		FZ_EQ(atomic_load(&host.h_misbehaved[i]), misb[i],
		    "misbehaviour reports");
	FZ_EQ(atomic_load(&host.h_bio_done), bio_done, "bio_done calls");
	FZ_EQ(atomic_load(&host.h_poll_notify), poll_notify,
	    "poll_notify calls");
	FZ_EQ(atomic_load(&host.h_panics), panics, "panic reports");
}

static void
step_read(struct fz *f, struct pn_mount *mp)
{
	uint8_t how = fz_u8(f), b;
	size_t bcount, datalen = 0, moved = 0, wresid, i;
	int64_t resid;
	int rv, want = PN_OK, werr = 0;
	uint8_t *raw = NULL, *buf;
	const uint8_t *src;
	const void *data;
	unsigned flags0 = fz_u8(f);
	struct pn_bio bio;

	/* The buffer. */
	switch (how & 3) {
	case 0:
		bcount = fz_u8(f) % 24;
		break;
	case 1:
		bcount = fz_u16(f) % 4097;
		break;
	case 2:
		bcount = 0;
		break;
	default:
		bcount = 1 + fz_u8(f) % 8;
		break;
	}
	/* The residual, often near the buffer's size. */
	b = fz_u8(f);
	switch (b & 7) {
	case 0:
		resid = 0;
		break;
	case 1:
		resid = (int64_t)bcount;
		break;
	case 2:
		resid = (int64_t)bcount - (b >> 3);
		break;
	case 3:
		resid = (int64_t)bcount + 1 + (b >> 3);
		break;
	default:
		resid = fz_i64_edgy(f);
		break;
	}
	rv = (how & 4) ? (int)fz_u32(f) : 0;

	/* The answer: bytes from the input, or a pointer to nothing. */
	if (how & 8) {
		datalen = (how & 0x10) ? (size_t)fz_u64(f) : fz_u8(f);
		data = NULL;
	} else {
		b = fz_u8(f);
		if (resid >= 0 && (uint64_t)resid <= bcount && (b & 0x80))
			datalen = bcount - (size_t)resid + (b & 3) - 1;
		else
			datalen = b & 0x7f;
		if (datalen == SIZE_MAX)
			datalen = 0;
		src = fz_bytes(f, datalen, &datalen);
		raw = malloc(datalen ? datalen : 1);
		if (raw == NULL)
			abort();
		memcpy(raw, src, datalen);
		data = raw;
	}

	buf = malloc(bcount + 2 * FZ_GUARD);
	if (buf == NULL)
		abort();
	memset(buf, FZ_CANARY, bcount + 2 * FZ_GUARD);
	memset(&bio, 0, sizeof(bio));
	bio.b_data = (how & 0x20) ? NULL : buf + FZ_GUARD;
	bio.b_bcount = bcount;
	bio.b_resid = 0x5a5a;
	bio.b_error = 0x5a5a;
	bio.b_flags = flags0;
	bio.b_private = &bio;

	if (how & 0x40) {
		/* No mount or no buffer: refused, nothing completed. */
		FZ_EQ(pn_parkdone_asyncbioread((how & 0x80) ? NULL : mp,
		    (how & 0x80) ? &bio : NULL, rv, data, datalen, resid),
		    PN_EINVAL, "read completion without mount or buffer");
		FZ_EQ(bio.b_error, 0x5a5a, "untouched buffer");
		goto out;
	}

	wresid = bcount;
	if (rv != 0) {
		werr = rv;
	} else if (resid < 0) {
		misb[PN_BAD_SIZE]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else if ((uint64_t)resid > bcount) {
		misb[PN_BAD_RESID]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else if (bcount - (size_t)resid != 0 && bio.b_data == NULL) {
		werr = PN_EIO;		/* the host's fault, not the server's */
		want = PN_EINVAL;
	} else if (bcount - (size_t)resid > datalen ||
	    (bcount - (size_t)resid != 0 && data == NULL)) {
		misb[PN_BAD_SIZE]++;
		werr = PN_EIO;
		want = PN_EINVAL;
	} else {
		moved = bcount - (size_t)resid;
		wresid = (size_t)resid;
	}
	bio_done++;
	FZ_EQ(pn_parkdone_asyncbioread(mp, &bio, rv, data, datalen, resid),
	    want, "read completion");
	FZ_EQ(bio.b_error, werr, "buffer error");
	FZ_EQ(bio.b_resid, wresid, "buffer residual");
	FZ_EQ(bio.b_flags, flags0 | (werr != 0 ? PN_B_ERROR : 0),
	    "buffer flags");
	FZ_EQ(bio.b_bcount, bcount, "buffer size kept");
	FZ_CHECK(bio.b_private == &bio, "buffer private kept");
	for (i = 0; i < moved; i++)
		FZ_EQ(buf[FZ_GUARD + i], raw[i], "bytes read");
	fz_guard_check(buf + FZ_GUARD + moved, bcount - moved, "unread bytes");
out:
	fz_guard_check(buf, FZ_GUARD, "buffer front guard");
	fz_guard_check(buf + FZ_GUARD + bcount, FZ_GUARD, "buffer back guard");
	free(buf);
	free(raw);
}

/* Drop one request reference, as the library must; the model's answer. */
static int
model_release(struct pnode *n)
{
	if (n->nrefs == 0) {
		panics++;
		return PN_EINVAL;
	}
	if (--n->nrefs == 0 && n->vp == NULL)
		n->freed = true;
	return PN_OK;
}

static void
step_node(struct fz *f, struct pn_mount *mp)
{
	uint8_t how = fz_u8(f);
	struct pnode *n = &nodes[(how >> 4) % NNODES];
	int rv, events, revents, want = PN_OK, r = -1, rel;

	(void)mp;
	switch (how & 7) {
	case 0:
	case 1:
	case 2:
		rv = (how & 8) ? (int)fz_u32(f) : 0;
		events = (fz_u8(f) & 1) ? (int)fz_u32(f) :
		    fz_u16(f) & PN_POLL_ALL;
		if (n->freed) {
			FZ_EQ(pn_parkdone_poll(n->pn, rv, events), PN_EINVAL,
			    "poll on a freed node");
			break;
		}
		if (how & 1) {
			FZ_EQ(pn_referencenode(n->pn), PN_OK, "reference");
			n->nrefs++;
		}
		if (rv != 0) {
			revents = PN_POLLERR;
		} else if (events & ~PN_POLL_ALL) {
			misb[PN_BAD_EVENTS]++;
			revents = (events & PN_POLL_ALL) | PN_POLLERR;
			want = PN_EINVAL;
		} else {
			revents = events;
		}
		n->revents |= revents;
		if (n->vp != NULL) {
			n->vrevents |= revents;
			poll_notify++;
		}
		rel = model_release(n);
		FZ_EQ(pn_parkdone_poll(n->pn, rv, events),
		    want != PN_OK ? want : rel, "poll completion");
		if (n->vp != NULL)
			FZ_EQ(n->vp->v_revents, n->vrevents, "vnode notified");
		break;
	case 3:
		if (n->freed)
			break;
		FZ_EQ(pn_referencenode(n->pn), PN_OK, "reference");
		n->nrefs++;
		break;
	case 4:
		if (n->vp == NULL)
			break;
		th_vrele(&host, n->vp);
		FZ_EQ(th_reclaim(&host, n->vp), PN_OK, "reclaim");
		n->vp = NULL;
		n->freed = n->nrefs == 0;
		break;
	case 5:
		if (n->freed) {
			FZ_EQ(pn_node_revents(n->pn, &r, how & 8), PN_EINVAL,
			    "revents of a freed node");
			FZ_EQ(r, 0, "revents of a freed node");
			break;
		}
		FZ_EQ(pn_node_revents(n->pn, &r, how & 8), PN_OK, "revents");
		FZ_EQ(r, n->revents, "revents");
		if (how & 8)
			n->revents = 0;
		break;
	default:
		if (n->freed)
			break;
		FZ_EQ(pn_node_refs(n->pn), (n->vp != NULL) + n->nrefs,
		    "node references");
		FZ_EQ((uintptr_t)pn_node_vnode(n->pn), (uintptr_t)n->vp,
		    "node vnode");
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct pn_mount_args args;
	struct pn_mount *mp;
	int i;

	th_init(&host);
	memset(nodes, 0, sizeof(nodes));
	memset(misb, 0, sizeof(misb));
	bio_done = poll_notify = panics = 0;
	args = th_args(1);
	if (th_mount(&host, &args) != PN_OK)
		abort();
	mp = host.h_mp;
	for (i = 0; i < NNODES; i++) {
		FZ_EQ(pn_getvnode(mp, 100 + (pn_cookie_t)i, PN_VREG, 0, 0,
		    &nodes[i].vp), PN_OK, "getvnode");
		nodes[i].pn = pn_vnode2node(mp, nodes[i].vp);
	}

	while (!fz_empty(&f)) {
		if (fz_u8(&f) & 1)
			step_node(&f, mp);
		else
			step_read(&f, mp);
		check_counters();
	}

	/* Release and reclaim everything; the mount must go, the host be clean. */
	for (i = 0; i < NNODES; i++) {
		struct pnode *n = &nodes[i];

		if (n->vp != NULL)
			th_vrele(&host, n->vp);
		for (; n->nrefs > 0; n->nrefs--)
			FZ_EQ(pn_releasenode(n->pn), PN_OK, "release");
	}
	th_reclaim_unused(&host);
	check_counters();
	FZ_EQ(pn_mount_destroy(mp), PN_OK, "destroy at the end");
	if (th_fini(&host) != 0)
		FZ_FAIL("host not clean at the end");
	return 0;
}
