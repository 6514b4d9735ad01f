/*
 * aio.c -- the server's request channel: asynchronous reads and polls.
 *
 * A caller queues a request and sleeps on it; server threads take
 * requests off the queue, ask the server, and complete them through
 * puffsnode as a kernel completes a parked request: reads with
 * pn_parkdone_asyncbioread() (which fills the host buffer and calls
 * bio_done), polls with pn_parkdone_poll() (which folds the events into
 * the node, calls poll_notify, and drops the node reference the caller
 * took when it issued the poll).
 *
 * Every request holds a mount reference (pn_mp_reference) from issue to
 * completion, so unmount's pn_mp_drain waits for answers in flight.
 * The requester's frame holds the request: the server thread touches it
 * last under the channel lock, when it marks it done.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_impl.h"

#define AIO_READ	1
#define AIO_POLL	2

struct aio_req {
	TAILQ_ENTRY(aio_req)	 r_link;
	int			 r_kind;
	pn_cookie_t		 r_cookie;
	uint64_t		 r_off;
	struct pn_bio		 r_bio;
	struct pn_node		*r_pn;
	int			 r_events;
	bool			 r_done;	/* channel lock */
	pthread_cond_t		 r_cv;
};

static void
req_done(struct pn_sim *sim, struct aio_req *r)
{
	pthread_mutex_lock(&sim->s_aiolock);
	r->r_done = true;
	pthread_cond_signal(&r->r_cv);
	pthread_mutex_unlock(&sim->s_aiolock);
}

/* bio_done: the read's buffer is complete. */
void
sim_aio_biodone(struct pn_sim *sim, struct pn_bio *bp)
{
	req_done(sim, bp->b_private);
}

static void
serve(struct pn_sim *sim, struct aio_req *r)
{
	struct pn_mount *mp = sim->s_mp;
	void *tmp;
	size_t n = 0, len;
	int error, rev = 0;

	if (r->r_kind == AIO_READ) {
		len = r->r_bio.b_bcount;
		if ((tmp = malloc(len == 0 ? 1 : len)) == NULL)
			error = PN_ENOMEM;
		else
			error = srv_read(sim->s_srv, r->r_cookie, r->r_off,
			    tmp, len, &n);
		if (error != PN_OK)
			pn_parkdone_asyncbioread(mp, &r->r_bio, error, NULL, 0,
			    (int64_t)len);
		else
			pn_parkdone_asyncbioread(mp, &r->r_bio, 0, tmp, n,
			    (int64_t)(len - n));
		free(tmp);
		/* bio_done woke the reader: r is gone. */
	} else {
		error = srv_poll(sim->s_srv, r->r_cookie, r->r_events, &rev);
		pn_parkdone_poll(r->r_pn, error, rev);
		req_done(sim, r);
	}
	pn_mp_release(mp);
}

static void *
server_thread(void *arg)
{
	struct pn_sim *sim = arg;
	struct aio_req *r;

	pthread_mutex_lock(&sim->s_aiolock);
	for (;;) {
		while ((r = TAILQ_FIRST(&sim->s_aioq)) == NULL &&
		    !sim->s_aiostop)
			pthread_cond_wait(&sim->s_aiocv, &sim->s_aiolock);
		if (r == NULL)
			break;
		TAILQ_REMOVE(&sim->s_aioq, r, r_link);
		pthread_mutex_unlock(&sim->s_aiolock);
		serve(sim, r);
		pthread_mutex_lock(&sim->s_aiolock);
	}
	pthread_mutex_unlock(&sim->s_aiolock);
	return NULL;
}

int
sim_aio_start(struct pn_sim *sim)
{
	unsigned i, n = sim->s_cfg.aio_threads == 0 ? 1 :
	    sim->s_cfg.aio_threads;

	pthread_mutex_init(&sim->s_aiolock, NULL);
	pthread_cond_init(&sim->s_aiocv, NULL);
	TAILQ_INIT(&sim->s_aioq);
	if ((sim->s_aiothreads = calloc(n, sizeof(pthread_t))) == NULL)
		return PN_ENOMEM;
	for (i = 0; i < n; i++) {
		if (pthread_create(&sim->s_aiothreads[i], NULL, server_thread,
		    sim) != 0)
			break;
		sim->s_naiothreads++;
	}
	return sim->s_naiothreads > 0 ? PN_OK : PN_ENOMEM;
}

/* Answer what is queued, then stop the server threads. */
void
sim_aio_stop(struct pn_sim *sim)
{
	unsigned i;

	pthread_mutex_lock(&sim->s_aiolock);
	sim->s_aiostop = true;
	pthread_cond_broadcast(&sim->s_aiocv);
	pthread_mutex_unlock(&sim->s_aiolock);
	for (i = 0; i < sim->s_naiothreads; i++)
		pthread_join(sim->s_aiothreads[i], NULL);
	free(sim->s_aiothreads);
	sim->s_aiothreads = NULL;
	sim->s_naiothreads = 0;
	pthread_cond_destroy(&sim->s_aiocv);
	pthread_mutex_destroy(&sim->s_aiolock);
}

/* Queue r and sleep until it is answered.  Mount reference held. */
static void
issue(struct pn_sim *sim, struct aio_req *r)
{
	pthread_cond_init(&r->r_cv, NULL);
	r->r_done = false;
	pthread_mutex_lock(&sim->s_aiolock);
	TAILQ_INSERT_TAIL(&sim->s_aioq, r, r_link);
	pthread_cond_signal(&sim->s_aiocv);
	while (!r->r_done)
		pthread_cond_wait(&r->r_cv, &sim->s_aiolock);
	pthread_mutex_unlock(&sim->s_aiolock);
	pthread_cond_destroy(&r->r_cv);
}

int
sim_aio_read(struct pn_sim *sim, struct pn_vnode *vp, uint64_t off,
    void *buf, size_t len, size_t *resid)
{
	struct aio_req r;
	int error;

	*resid = len;
	if ((error = pn_mp_reference(sim->s_mp)) != PN_OK)
		return error;
	memset(&r, 0, sizeof(r));
	r.r_kind = AIO_READ;
	r.r_cookie = atomic_load(&vp->v_cookie);
	r.r_off = off;
	r.r_bio.b_data = buf;
	r.r_bio.b_bcount = len;
	r.r_bio.b_private = &r;
	issue(sim, &r);
	STAT_INC(sim, reads);
	*resid = r.r_bio.b_resid;
	return r.r_bio.b_error;
}

int
sim_aio_poll(struct pn_sim *sim, struct pn_vnode *vp, int events,
    int *revents)
{
	struct aio_req r;
	struct pn_node *pn;
	int error;

	*revents = 0;
	if ((pn = pn_vnode2node(sim->s_mp, vp)) == NULL)
		return PN_ENOENT;
	if ((error = pn_mp_reference(sim->s_mp)) != PN_OK)
		return error;
	/* The caller holds vp, so its node holds the vnode's reference. */
	if ((error = pn_referencenode(pn)) != PN_OK) {	/* GCOVR_EXCL_BR_LINE */
		pn_mp_release(sim->s_mp);	/* GCOVR_EXCL_LINE: see above */
		return error;			/* GCOVR_EXCL_LINE: see above */
	}
	memset(&r, 0, sizeof(r));
	r.r_kind = AIO_POLL;
	r.r_cookie = pn_node_cookie(pn);
	r.r_pn = pn;
	r.r_events = events;
	issue(sim, &r);
	STAT_INC(sim, polls);
	/*
	 * The vnode's events accumulate (other polls may be in flight on
	 * it); ours were notified before the request completed.
	 */
	sim_mtx_enter(&vp->v_interlock, SIM_LK_INTERLOCK);
	*revents = vp->v_revents & (events | PN_POLLERR | PN_POLLHUP |
	    PN_POLLNVAL);
	sim_mtx_exit(&vp->v_interlock, SIM_LK_INTERLOCK);
	return PN_OK;
}
