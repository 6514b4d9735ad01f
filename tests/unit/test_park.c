/*
 * test_park.c -- completions of asynchronous reads and polls.  Whatever
 * the server answers, the buffer is completed exactly once and nothing is
 * copied beyond it; a poll answer drops exactly the request's reference.
 */
#include "unit.h"

#include "pni_test.h"

#define BUFSZ	16

struct rd {
	unsigned char	buf[BUFSZ];
	unsigned char	canary[16];
	struct pn_bio	b;
};

static void
rd_init(struct rd *r, size_t bcount)
{
	memset(r, 0, sizeof(*r));
	memset(r->buf, 0xee, sizeof(r->buf));
	memset(r->canary, 0x5a, sizeof(r->canary));
	r->b.b_data = r->buf;
	r->b.b_bcount = bcount;
	r->b.b_resid = 12345;
	r->b.b_error = -7;
}

static bool
untouched(const struct rd *r, size_t from)
{
	size_t i;

	for (i = from; i < BUFSZ; i++)
		if (r->buf[i] != 0xee)
			return false;
	for (i = 0; i < sizeof(r->canary); i++)
		if (r->canary[i] != 0x5a)
			return false;
	return true;
}

static const unsigned char answer[32] = "abcdefghijklmnopqrstuvwxyz012345";

static long
done(struct ut *u)
{
	return atomic_load(&u->h.h_bio_done);
}

static void
bioread_bad_args(void **state)
{
	struct ut *u = *state;
	struct rd r;

	rd_init(&r, BUFSZ);
	assert_int_equal(pn_parkdone_asyncbioread(NULL, &r.b, 0, answer,
	    BUFSZ, 0), PN_EINVAL);
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, NULL, 0, answer,
	    BUFSZ, 0), PN_EINVAL);
	assert_int_equal(done(u), 0);
	assert_true(untouched(&r, 0));
}

static void
bioread_good(void **state)
{
	struct ut *u = *state;
	struct rd r;

	rd_init(&r, 8);
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, &r.b, 0, answer, 5,
	    3), PN_OK);
	assert_memory_equal(r.buf, "abcde", 5);
	assert_true(untouched(&r, 5));
	assert_int_equal(r.b.b_resid, 3);
	assert_int_equal(r.b.b_error, 0);
	assert_int_equal(r.b.b_flags & PN_B_ERROR, 0);
	assert_int_equal(done(u), 1);

	/* full read; the answer may carry more than was asked */
	rd_init(&r, BUFSZ);
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, &r.b, 0, answer,
	    sizeof(answer), 0), PN_OK);
	assert_memory_equal(r.buf, answer, BUFSZ);
	assert_true(untouched(&r, BUFSZ));
	assert_int_equal(r.b.b_resid, 0);
	assert_int_equal(done(u), 2);

	/* nothing read at all */
	rd_init(&r, BUFSZ);
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, &r.b, 0, NULL, 0,
	    BUFSZ), PN_OK);
	assert_true(untouched(&r, 0));
	assert_int_equal(r.b.b_resid, BUFSZ);
	assert_int_equal(r.b.b_error, 0);
	assert_int_equal(done(u), 3);

	/* an empty buffer */
	rd_init(&r, 0);
	r.b.b_data = NULL;
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, &r.b, 0, NULL, 0, 0),
	    PN_OK);
	assert_int_equal(r.b.b_resid, 0);
	assert_int_equal(done(u), 4);
}

static void
bioread_server_error(void **state)
{
	struct ut *u = *state;
	struct rd r;

	rd_init(&r, BUFSZ);
	assert_int_equal(pn_parkdone_asyncbioread(u->mp, &r.b, PN_EIO, answer,
	    BUFSZ, 0), PN_OK);
	assert_true(untouched(&r, 0));
	assert_int_equal(r.b.b_error, PN_EIO);
	assert_true(r.b.b_flags & PN_B_ERROR);
	assert_int_equal(r.b.b_resid, BUFSZ);
	assert_int_equal(done(u), 1);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_RESID]), 0);
}

static void
bioread_bad_answers(void **state)
{
	struct ut *u = *state;
	static const struct {
		size_t	datalen;
		int64_t	resid;
		bool	nodata;
		int	reason;
	} bad[] = {
		{ BUFSZ, BUFSZ + 1, false, PN_BAD_RESID },	/* resid > buffer */
		{ BUFSZ, INT64_MAX, false, PN_BAD_RESID },
		{ BUFSZ, -1, false, PN_BAD_SIZE },		/* negative */
		{ BUFSZ, INT64_MIN, false, PN_BAD_SIZE },
		{ 4, 10, false, PN_BAD_SIZE },	/* claims 6 bytes, carries 4 */
		{ 0, 0, false, PN_BAD_SIZE },
		{ BUFSZ, 0, true, PN_BAD_SIZE },	/* no data at all */
	};
	struct rd r;
	size_t i;
	long d, m;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rd_init(&r, BUFSZ);
		d = done(u);
		m = atomic_load(&u->h.h_misbehaved[bad[i].reason]);
		if (pn_parkdone_asyncbioread(u->mp, &r.b, 0,
		    bad[i].nodata ? NULL : answer, bad[i].datalen,
		    bad[i].resid) != PN_EINVAL)
			fail_msg("bad answer %zu accepted", i);
		assert_true(untouched(&r, 0));
		assert_int_equal(r.b.b_error, PN_EIO);
		assert_true(r.b.b_flags & PN_B_ERROR);
		assert_int_equal(r.b.b_resid, BUFSZ);
		assert_int_equal(done(u), d + 1);
		assert_int_equal(atomic_load(&u->h.h_misbehaved[bad[i].reason]),
		    m + 1);
	}
}

/* ---- polls ---- */

static void
poll_folds_and_releases(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VFIFO);
	struct pn_node *pn = ut_node(u, vp);
	int rev = -1;

	assert_int_equal(pn_parkdone_poll(NULL, 0, PN_POLLIN), PN_EINVAL);

	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_OK);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(vp->v_revents, PN_POLLIN);
	assert_int_equal(atomic_load(&u->h.h_poll_notify), 1);
	assert_int_equal(pn_node_revents(pn, &rev, false), PN_OK);
	assert_int_equal(rev, PN_POLLIN);

	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLOUT | PN_POLLRDNORM),
	    PN_OK);
	assert_int_equal(pn_node_revents(pn, &rev, true), PN_OK);
	assert_int_equal(rev, PN_POLLIN | PN_POLLOUT | PN_POLLRDNORM);
	assert_int_equal(pn_node_revents(pn, &rev, false), PN_OK);
	assert_int_equal(rev, 0);

	/* the server failed the poll */
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, PN_EIO, PN_POLLIN), PN_OK);
	assert_int_equal(pn_node_revents(pn, &rev, true), PN_OK);
	assert_int_equal(rev, PN_POLLERR);
	assert_int_equal(pn_node_refs(pn), 1);

	/* unknown bits: reported, kept out, the reference still dropped */
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN | 0x400),
	    PN_EINVAL);
	assert_int_equal(pn_node_revents(pn, &rev, true), PN_OK);
	assert_int_equal(rev, PN_POLLIN | PN_POLLERR);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_int_equal(atomic_load(&u->h.h_misbehaved[PN_BAD_EVENTS]), 1);
	assert_int_equal(atomic_load(&u->h.h_lastcookie), 5);
	assert_int_equal(pn_referencenode(pn), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, -1), PN_EINVAL);
	assert_int_equal(pn_node_revents(pn, &rev, true), PN_OK);
	assert_int_equal(rev, PN_POLL_ALL);
	assert_int_equal(pn_node_refs(pn), 1);

	/* no request reference: the vnode's own one is not dropped */
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_EINVAL);
	assert_int_equal(pn_node_refs(pn), 1);
	assert_true(atomic_load(&u->h.h_panics) >= 1);
	th_vrele(&u->h, vp);
}

/* The node was reclaimed while the poll was out: no notify, node freed. */
static void
poll_after_reclaim(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VFIFO);
	struct pn_node *pn = ut_node(u, vp);
	struct pn_pool_stats ps;
	int rev;

	assert_int_equal(pn_referencenode(pn), PN_OK);
	th_vrele(&u->h, vp);
	assert_int_equal(th_reclaim(&u->h, vp), PN_OK);
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_OK);
	assert_int_equal(atomic_load(&u->h.h_poll_notify), 0);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.in_use, 0);
	assert_int_equal(ps.frees, 1);
	/* the node is gone: further answers are refused */
	assert_int_equal(pn_parkdone_poll(pn, 0, PN_POLLIN), PN_EINVAL);
	assert_int_equal(pn_node_revents(pn, &rev, false), PN_EINVAL);
	assert_int_equal(pn_pool_stats(u->mp, &ps), PN_OK);
	assert_int_equal(ps.frees, 1);
}

static void
revents_bad_args(void **state)
{
	struct ut *u = *state;
	struct pn_vnode *vp = ut_get(u, 5, PN_VFIFO);
	struct pn_node *pn = ut_node(u, vp);
	int rev = 55;

	assert_int_equal(pn_node_revents(pn, NULL, false), PN_EINVAL);
	assert_int_equal(pn_node_revents(NULL, &rev, false), PN_EINVAL);
	assert_int_equal(rev, 0);
	rev = 55;
	assert_int_equal(pn_node_revents(pn, &rev, false), PN_OK);
	assert_int_equal(rev, 0);
	th_vrele(&u->h, vp);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, ut_setup, ut_teardown)
	const struct CMUnitTest tests[] = {
		T(bioread_bad_args),
		T(bioread_good),
		T(bioread_server_error),
		T(bioread_bad_answers),
		T(poll_folds_and_releases),
		T(poll_after_reclaim),
		T(revents_bad_args),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
