/*
 * sim_impl.h -- libpuffsnode-sim's private declarations.  Never installed.
 *
 * Lock order, outermost first:
 *
 *	vnode lock (v_lock, a sleep lock)
 *	  -> server namespace lock (srv_lock)
 *	  -> name cache lock (s_nclock)
 *	    -> vnode interlock (v_interlock)
 *	      -> vnode list lock (s_listlock: mount list, LRU, counts)
 *
 * The LRU drain walks the list under s_listlock and only try-locks an
 * interlock.  No sim lock but a vnode lock is held across a call into
 * puffsnode; in particular never an interlock (the host contract).
 *
 * These five are taken and released through the sim_*_enter/exit calls
 * below, which check the order in debug builds (lock.c).  The gate, the
 * request channel's and the server's attribute locks are leaves.
 */
#ifndef PN_SIM_IMPL_H
#define PN_SIM_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>

#include <puffsnode/sim.h>

#define PN_SIM_EXPORT	__attribute__((visibility("default")))

/* libbsd's RB_GENERATE_STATIC relies on a __unused it leaves undefined. */
#define SIM_RB_GENERATE_STATIC(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, \
	    __attribute__((__unused__)) static)

/* ---- the lock order, checked in debug builds (lock.c) ---- */

enum {
	SIM_LK_VNODE = 1, SIM_LK_SERVER, SIM_LK_NC, SIM_LK_INTERLOCK,
	SIM_LK_LIST, SIM_LK_NRANKS
};

#ifndef NDEBUG
void	sim_lo_check(int);
void	sim_lo_held(int);
void	sim_lo_released(int);
unsigned sim_lo_count(int);
#else
#define sim_lo_check(rank)	((void)0)
#define sim_lo_held(rank)	((void)0)
#define sim_lo_released(rank)	((void)0)
#endif

static inline void
sim_mtx_enter(pthread_mutex_t *m, int rank)
{
	sim_lo_check(rank);
	pthread_mutex_lock(m);
	sim_lo_held(rank);
}

static inline bool
sim_mtx_tryenter(pthread_mutex_t *m, int rank)
{
	if (pthread_mutex_trylock(m) != 0)
		return false;
	sim_lo_held(rank);
	return true;
}

static inline void
sim_mtx_exit(pthread_mutex_t *m, int rank)
{
	sim_lo_released(rank);
	pthread_mutex_unlock(m);
}

static inline void
sim_rw_enter(pthread_rwlock_t *rw, int rank, bool write)
{
	sim_lo_check(rank);
	if (write)
		pthread_rwlock_wrlock(rw);
	else
		pthread_rwlock_rdlock(rw);
	sim_lo_held(rank);
}

static inline void
sim_rw_exit(pthread_rwlock_t *rw, int rank)
{
	sim_lo_released(rank);
	pthread_rwlock_unlock(rw);
}

#define STAT_INC(sim, f) \
	atomic_fetch_add_explicit(&(sim)->s_st.f, 1, memory_order_relaxed)
#define STAT_GET(sim, f) \
	atomic_load_explicit(&(sim)->s_st.f, memory_order_relaxed)

/* ---- credentials and callers (host.c) ---- */

struct pn_cred {
	uint32_t		cr_uid;
	uint32_t		cr_gid;
	size_t			cr_ngroups;
	uint32_t		cr_groups[64];
};

struct pn_caller {
	int32_t			ca_pid;
	int32_t			ca_lwpid;
};

/* ---- vnodes (vnode.c) ---- */

struct nc_entry;
LIST_HEAD(nc_list, nc_entry);

struct pn_vnode {
	pthread_mutex_t		 v_interlock;	/* counts, state, v_nlookup */
	pthread_rwlock_t	 v_lock;	/* the vnode lock */
	_Atomic uintptr_t	 v_lockowner;	/* exclusive holder, 0 */
	struct pn_sim		*v_sim;
	int			 v_state;	/* PN_SIM_VS_*: interlock */
	unsigned		 v_usecount;	/* interlock */
	unsigned		 v_holdcount;	/* interlock */
	uint64_t		 v_nlookup;	/* server lookups to forget: interlock */
	bool			 v_onlru;	/* list lock */
	bool			 v_attached;	/* on the mount list: list lock */
	int			 v_type;
	unsigned		 v_opskind;	/* PN_VOPS_* */
	_Atomic int64_t		 v_size;
	_Atomic(struct pn_node *) v_data;
	_Atomic pn_cookie_t	 v_cookie;	/* set when built, 0 once reclaimed */
	int			 v_revents;	/* poll notifications: interlock */
	TAILQ_ENTRY(pn_vnode)	 v_mntlist;	/* list lock */
	TAILQ_ENTRY(pn_vnode)	 v_lru;		/* list lock */
	struct nc_list		 v_dnclist;	/* entries in this directory: nc lock */
	struct nc_list		 v_nclist;	/* entries naming this vnode: nc lock */
};

TAILQ_HEAD(vnode_list, pn_vnode);

uintptr_t sim_self(void);
int	sim_vnode_alloc(struct pn_sim *, int, struct pn_vnode **);
void	sim_vnode_free(struct pn_sim *, struct pn_vnode *);
void	sim_vnode_built(struct pn_sim *, struct pn_vnode *);
int	sim_vget(struct pn_sim *, struct pn_vnode *, bool);
void	sim_vrele(struct pn_sim *, struct pn_vnode *, bool);
int	sim_reclaim_lru(struct pn_sim *, size_t, size_t *);
int	sim_flush(struct pn_sim *, bool, size_t *);
void	sim_addlookup(struct pn_sim *, struct pn_vnode *);

/* ---- name cache (namecache.c) ---- */

struct nc_entry {
	RB_ENTRY(nc_entry)	 nc_tree;
	LIST_ENTRY(nc_entry)	 nc_dlist;	/* on nc_dvp->v_dnclist */
	LIST_ENTRY(nc_entry)	 nc_vlist;	/* on nc_vp->v_nclist */
	struct pn_vnode		*nc_dvp;
	struct pn_vnode		*nc_vp;
	size_t			 nc_namelen;
	const char		*nc_name;	/* stored after the entry */
};

RB_HEAD(nc_tree, nc_entry);

void	sim_nc_init(struct pn_sim *);
void	sim_nc_fini(struct pn_sim *);
void	sim_nc_enter(struct pn_sim *, struct pn_vnode *, struct pn_vnode *,
	    const char *, size_t);
int	sim_nc_lookup(struct pn_sim *, struct pn_vnode *, const char *,
	    size_t, struct pn_vnode **);
void	sim_nc_remove(struct pn_sim *, struct pn_vnode *, const char *,
	    size_t);
void	sim_nc_purge(struct pn_sim *, struct pn_vnode *);

/* ---- the server's request channel (aio.c) ---- */

struct aio_req;
TAILQ_HEAD(aio_queue, aio_req);

int	sim_aio_start(struct pn_sim *);
void	sim_aio_stop(struct pn_sim *);
int	sim_aio_read(struct pn_sim *, struct pn_vnode *, uint64_t, void *,
	    size_t, size_t *);
int	sim_aio_poll(struct pn_sim *, struct pn_vnode *, int, int *);
void	sim_aio_biodone(struct pn_sim *, struct pn_bio *);

/* ---- the server (server.c, tree.c) ---- */

struct srv_node;

int	srv_lookup(struct pn_sim_server *, pn_cookie_t, const char *, size_t,
	    bool, struct pn_sim_attr *);
int	srv_create(struct pn_sim_server *, pn_cookie_t, const struct pn_kcn *,
	    const struct pn_kcred *, int, struct pn_sim_attr *);
int	srv_remove(struct pn_sim_server *, pn_cookie_t, const struct pn_kcn *,
	    const struct pn_kcred *);
int	srv_rename(struct pn_sim_server *, pn_cookie_t,
	    const struct pn_kcn *, pn_cookie_t, const struct pn_kcn *,
	    const struct pn_kcred *);
int	srv_read(struct pn_sim_server *, pn_cookie_t, uint64_t, void *,
	    size_t, size_t *);
int	srv_poll(struct pn_sim_server *, pn_cookie_t, int, int *);
void	srv_forget(struct pn_sim_server *, pn_cookie_t, uint64_t);
int	srv_settimes(struct pn_sim_server *, pn_cookie_t,
	    const struct pn_metacache *);
bool	srv_attach(struct pn_sim_server *, bool);

/* ---- the simulator ---- */

struct sim_counters {
	_Atomic uint64_t	built, aborted, inactive, reactivated;
	_Atomic uint64_t	reclaimed, freed, vget_dying;
	_Atomic uint64_t	nc_hits, nc_misses, nc_stale, nc_enters;
	_Atomic uint64_t	nc_purged;
	_Atomic uint64_t	lookups, checked, wrong;
	_Atomic uint64_t	reads, polls, poll_notes, bios_done;
	_Atomic uint64_t	misbehaved, panics;
	_Atomic uint64_t	core_allocs;
	_Atomic size_t		core_bytes;
};

struct pn_sim {
	struct pn_sim_config	 s_cfg;
	struct pn_sim_server	*s_srv;		/* NULL: a client's server */
	struct pn_sim_client	 s_client;	/* when s_srv is NULL */
	struct pn_mount		*s_mp;		/* NULL once unmounted */
	_Atomic int		 s_loglevel;
	_Atomic bool		 s_dying;	/* mount_dying */

	/* vnode list lock: the mount's vnode list, the LRU, the counts */
	pthread_mutex_t		 s_listlock;
	struct vnode_list	 s_vnodes;
	struct vnode_list	 s_lru;
	size_t			 s_numvnodes;
	size_t			 s_vnodes_high;
	size_t			 s_nlru;
	size_t			 s_maxvnodes;

	/* the operation gate: unmount waits for calls in progress */
	pthread_mutex_t		 s_gatelock;
	pthread_cond_t		 s_gatecv;
	unsigned		 s_inflight;
	bool			 s_unmounting;

	/* name cache */
	pthread_rwlock_t	 s_nclock;
	struct nc_tree		 s_nctree;
	size_t			 s_ncount;

	/* the server's request channel */
	pthread_mutex_t		 s_aiolock;
	pthread_cond_t		 s_aiocv;
	struct aio_queue	 s_aioq;
	bool			 s_aiostop;
	pthread_t		*s_aiothreads;
	unsigned		 s_naiothreads;

	struct sim_counters	 s_st;
	struct pn_pool_stats	 s_finalpool;
	bool			 s_unmounted;
};

/* mount.c */
void	sim_log(struct pn_sim *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	sim_enter(struct pn_sim *);
void	sim_forget(struct pn_sim *, pn_cookie_t, uint64_t);
void	sim_exit(struct pn_sim *);

#endif /* !PN_SIM_IMPL_H */
