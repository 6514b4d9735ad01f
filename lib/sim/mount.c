/*
 * mount.c -- the simulator's mount: creating it over a server, the
 * operation gate, unmount, statistics, tuning and its log.
 *
 * Every file system call enters the gate (sim_enter) and leaves it
 * (sim_exit); unmount closes the gate and waits for the calls in
 * progress, so it runs alone.  Calls arriving meanwhile wait, and go on
 * if the unmount is refused.  Unmount, as NetBSD's dounmount:
 *
 *  1. flush: refuse with PN_EBUSY, having done nothing, if a vnode is in
 *     use (unless forced); else reclaim every vnode (forced: in use too;
 *     their holders keep valid, dead vnodes);
 *  2. mark the mount dying (mount_dying op: no new nodes) and
 *     pn_mp_drain(): wait for the server's answers still in flight;
 *  3. record the pool's statistics, pn_mount_destroy().
 *
 * Vnode references are not gated: vrele works at any time, and a dead
 * vnode is freed by its last release, before or after unmount.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_impl.h"

static const char *const level_names[] = {
	"debug", "info", "warn", "error", "panic"
};

/* One line on stderr, if level reaches the mount's (any, for NULL). */
void
sim_log(struct pn_sim *sim, int level, const char *fmt, ...)
{
	va_list ap;

	if (sim != NULL && level < atomic_load(&sim->s_loglevel))
		return;
	flockfile(stderr);
	fprintf(stderr, "puffsnode-sim: %s: ",
	    level >= 0 && level <= PN_LOG_PANIC ? level_names[level] : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int
sim_enter(struct pn_sim *sim)
{
	int error = PN_OK;

	pthread_mutex_lock(&sim->s_gatelock);
	while (sim->s_unmounting && !sim->s_unmounted)
		pthread_cond_wait(&sim->s_gatecv, &sim->s_gatelock);
	if (sim->s_unmounted)
		error = PN_ENXIO;
	else
		sim->s_inflight++;
	pthread_mutex_unlock(&sim->s_gatelock);
	return error;
}

void
sim_exit(struct pn_sim *sim)
{
	pthread_mutex_lock(&sim->s_gatelock);
	if (--sim->s_inflight == 0)
		pthread_cond_broadcast(&sim->s_gatecv);
	pthread_mutex_unlock(&sim->s_gatelock);
}

static void
sim_free(struct pn_sim *sim)
{
	sim_nc_fini(sim);
	pthread_cond_destroy(&sim->s_gatecv);
	pthread_mutex_destroy(&sim->s_gatelock);
	pthread_mutex_destroy(&sim->s_listlock);
	free(sim);
}

/* The server's lookups of a reclaimed vnode: to the simulated server or the client's. */
void
sim_forget(struct pn_sim *sim, pn_cookie_t c, uint64_t n)
{
	if (sim->s_srv != NULL)
		srv_forget(sim->s_srv, c, n);
	else
		sim->s_client.forget(sim->s_client.arg, c, n);
}

static bool
srv_attach_if(struct pn_sim_server *srv, bool on)
{
	return srv == NULL || srv_attach(srv, on);
}

/* A simulator over srv, or (srv NULL) over the client's server cl. */
static int
sim_init(const struct pn_sim_config *cfg, struct pn_sim_server *srv,
    const struct pn_sim_client *cl, struct pn_sim **simp)
{
	struct pn_mount_args args;
	struct pn_sim_attr root;
	struct pn_sim *sim;
	int error;

	if (simp == NULL)
		return PN_EINVAL;
	*simp = NULL;
	if (cfg == NULL || cfg->version != PN_SIM_CONFIG_VERSION ||
	    (srv == NULL) == (cl == NULL))	/* GCOVR_EXCL_BR_LINE: both given: no caller passes both */
		return PN_EINVAL;
	if (srv != NULL) {
		/* A server always has its root: */
		if ((error = pn_sim_server_getattr(srv,	/* GCOVR_EXCL_BR_LINE */
		    pn_sim_server_root(srv), &root)) != PN_OK)
			return error;
	} else {
		if (cl->version != PN_SIM_CLIENT_VERSION ||
		    cl->root_cookie == 0 || cl->forget == NULL)
			return PN_EINVAL;
		memset(&root, 0, sizeof(root));
		root.a_cookie = cl->root_cookie;
		root.a_type = cl->root_type;
		root.a_size = cl->root_size;
		root.a_rdev = cl->root_rdev;
	}
	if (!srv_attach_if(srv, true))
		return PN_EBUSY;
	if ((sim = calloc(1, sizeof(*sim))) == NULL) {
		srv_attach_if(srv, false);
		return PN_ENOMEM;
	}
	sim->s_cfg = *cfg;
	sim->s_srv = srv;
	if (cl != NULL)
		sim->s_client = *cl;
	sim->s_maxvnodes = cfg->maxvnodes == 0 ? 1024 : cfg->maxvnodes;
	atomic_init(&sim->s_loglevel, cfg->loglevel);
	pthread_mutex_init(&sim->s_listlock, NULL);
	TAILQ_INIT(&sim->s_vnodes);
	TAILQ_INIT(&sim->s_lru);
	pthread_mutex_init(&sim->s_gatelock, NULL);
	pthread_cond_init(&sim->s_gatecv, NULL);
	sim_nc_init(sim);

	memset(&args, 0, sizeof(args));
	args.version = PN_MOUNT_ARGS_VERSION;
	args.root_cookie = root.a_cookie;
	args.root_type = root.a_type;
	args.root_size = root.a_size;
	args.root_rdev = root.a_rdev;
	args.hash_hint = cfg->hash_hint;
	args.node_limit = cfg->node_limit;
	args.flags = ((cfg->flags & PN_SIM_NAMECACHE) ? PN_MNT_NAMECACHE : 0) |
	    ((cfg->flags & PN_SIM_PARTS) ? PN_MNT_PARTS : 0);
	if ((error = pn_mount_create(pn_sim_host_ops(), sim, &args,
	    &sim->s_mp)) != PN_OK) {
		srv_attach_if(srv, false);
		sim_free(sim);
		return error;
	}
	if ((error = sim_aio_start(sim)) != PN_OK) {
		sim_aio_stop(sim);
		pn_mount_destroy(sim->s_mp);
		srv_attach_if(srv, false);
		sim_free(sim);
		return error;
	}
	*simp = sim;
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_init(const struct pn_sim_config *cfg, struct pn_sim_server *srv,
    struct pn_sim **simp)
{
	if (srv == NULL) {
		if (simp != NULL)
			*simp = NULL;
		return PN_EINVAL;
	}
	return sim_init(cfg, srv, NULL, simp);
}

PN_SIM_EXPORT int
pn_sim_init_client(const struct pn_sim_config *cfg,
    const struct pn_sim_client *cl, struct pn_sim **simp)
{
	if (cl == NULL) {
		if (simp != NULL)
			*simp = NULL;
		return PN_EINVAL;
	}
	return sim_init(cfg, NULL, cl, simp);
}

PN_SIM_EXPORT int
pn_sim_unmount(struct pn_sim *sim, bool force)
{
	struct pn_mount *mp;
	size_t busy = 0;
	int error;

	if (sim == NULL)
		return PN_EINVAL;
	pthread_mutex_lock(&sim->s_gatelock);
	if (sim->s_unmounted || sim->s_unmounting) {
		error = sim->s_unmounted ? PN_ENXIO : PN_EBUSY;
		pthread_mutex_unlock(&sim->s_gatelock);
		return error;
	}
	sim->s_unmounting = true;
	while (sim->s_inflight > 0)
		pthread_cond_wait(&sim->s_gatecv, &sim->s_gatelock);
	pthread_mutex_unlock(&sim->s_gatelock);

	if ((error = sim_flush(sim, force, &busy)) != PN_OK) {
		sim_log(sim, PN_LOG_INFO, "unmount refused: %zu vnodes in use",
		    busy);
		goto reopen;
	}
	mp = sim->s_mp;
	atomic_store(&sim->s_dying, true);
	pn_mp_drain(mp);
	(void)sim_flush(sim, true, NULL);	/* nothing can be left */
	pn_pool_stats(mp, &sim->s_finalpool);
	if ((error = pn_mount_destroy(mp)) != PN_OK) {	/* GCOVR_EXCL_BR_LINE: drained and flushed: nothing is held */
		/* GCOVR_EXCL_START: never: see above */
		/* Something is still held: keep the mount, dying, for stats. */
		sim_log(sim, PN_LOG_ERR, "pn_mount_destroy: %s",
		    pn_strerror(error));
		/* GCOVR_EXCL_STOP */
	} else {
		sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
		sim->s_mp = NULL;
		sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	}
	pthread_mutex_lock(&sim->s_gatelock);
	sim->s_unmounted = true;
	pthread_cond_broadcast(&sim->s_gatecv);
	pthread_mutex_unlock(&sim->s_gatelock);
	return error;

reopen:
	pthread_mutex_lock(&sim->s_gatelock);
	sim->s_unmounting = false;
	pthread_cond_broadcast(&sim->s_gatecv);
	pthread_mutex_unlock(&sim->s_gatelock);
	return error;
}

PN_SIM_EXPORT int
pn_sim_fini(struct pn_sim *sim)
{
	bool unmounted;
	size_t left;
	int error;

	if (sim == NULL)
		return PN_EINVAL;
	pthread_mutex_lock(&sim->s_gatelock);
	unmounted = sim->s_unmounted;
	pthread_mutex_unlock(&sim->s_gatelock);
	if (!unmounted && (error = pn_sim_unmount(sim, false)) != PN_OK)
		return error;
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	left = sim->s_numvnodes;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	if (left > 0 || sim->s_mp != NULL)	/* GCOVR_EXCL_BR_LINE: s_mp stays only if destroy failed */
		return PN_EBUSY;	/* dead vnodes still referenced */
	sim_aio_stop(sim);
	srv_attach_if(sim->s_srv, false);
	sim_free(sim);
	return PN_OK;
}

PN_SIM_EXPORT struct pn_mount *
pn_sim_mount(struct pn_sim *sim)
{
	struct pn_mount *mp;

	if (sim == NULL)
		return NULL;
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	mp = sim->s_mp;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	return mp;
}

PN_SIM_EXPORT int
pn_sim_stats(struct pn_sim *sim, struct pn_sim_stats *st)
{
	if (sim == NULL || st == NULL)
		return PN_EINVAL;
	memset(st, 0, sizeof(*st));
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	st->vnodes = sim->s_numvnodes;
	st->vnodes_high = sim->s_vnodes_high;
	st->inactive_now = sim->s_nlru;
	st->maxvnodes = sim->s_maxvnodes;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	sim_rw_enter(&sim->s_nclock, SIM_LK_NC, false);
	st->nc_entries = sim->s_ncount;
	sim_rw_exit(&sim->s_nclock, SIM_LK_NC);
	st->built = STAT_GET(sim, built);
	st->aborted = STAT_GET(sim, aborted);
	st->inactive = STAT_GET(sim, inactive);
	st->reactivated = STAT_GET(sim, reactivated);
	st->reclaimed = STAT_GET(sim, reclaimed);
	st->freed = STAT_GET(sim, freed);
	st->vget_dying = STAT_GET(sim, vget_dying);
	st->nc_hits = STAT_GET(sim, nc_hits);
	st->nc_misses = STAT_GET(sim, nc_misses);
	st->nc_stale = STAT_GET(sim, nc_stale);
	st->nc_enters = STAT_GET(sim, nc_enters);
	st->nc_purged = STAT_GET(sim, nc_purged);
	st->lookups = STAT_GET(sim, lookups);
	st->checked = STAT_GET(sim, checked);
	st->wrong = STAT_GET(sim, wrong);
	st->reads = STAT_GET(sim, reads);
	st->polls = STAT_GET(sim, polls);
	st->poll_notes = STAT_GET(sim, poll_notes);
	st->bios_done = STAT_GET(sim, bios_done);
	st->misbehaved = STAT_GET(sim, misbehaved);
	st->panics = STAT_GET(sim, panics);
	st->core_bytes = atomic_load(&sim->s_st.core_bytes);
	st->core_allocs = STAT_GET(sim, core_allocs);
	pthread_mutex_lock(&sim->s_gatelock);
	st->unmounted = sim->s_unmounted;
	if (st->unmounted)
		st->final_pool = sim->s_finalpool;
	pthread_mutex_unlock(&sim->s_gatelock);
	return PN_OK;
}

PN_SIM_EXPORT void
pn_sim_setloglevel(struct pn_sim *sim, int level)
{
	if (sim != NULL)
		atomic_store(&sim->s_loglevel, level);
}

PN_SIM_EXPORT int
pn_sim_setmaxvnodes(struct pn_sim *sim, size_t maxvnodes)
{
	if (sim == NULL || maxvnodes == 0)
		return PN_EINVAL;
	sim_mtx_enter(&sim->s_listlock, SIM_LK_LIST);
	sim->s_maxvnodes = maxvnodes;
	sim_mtx_exit(&sim->s_listlock, SIM_LK_LIST);
	(void)sim_reclaim_lru(sim, maxvnodes, NULL);
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_drain(struct pn_sim *sim, size_t target, size_t *nreclaimed)
{
	if (sim == NULL)
		return PN_EINVAL;
	(void)sim_reclaim_lru(sim, target, nreclaimed);
	return PN_OK;
}
