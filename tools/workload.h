/*
 * workload.h -- puffsnode-sim's multi-threaded workload over a simulator
 * mount: path walks and changes, with their own checks.
 */
#ifndef PN_SIM_WORKLOAD_H
#define PN_SIM_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <puffsnode/sim.h>

enum wl_kind {
	WL_LOOKUP,
	WL_CREATE,
	WL_REMOVE,
	WL_GETATTR,
	WL_READ,
	WL_RENAME,
	WL_NKINDS
};

extern const char *const wl_kind_names[WL_NKINDS];

struct wl_result {
	uint64_t	done[WL_NKINDS];	/* operations run, by kind */
	uint64_t	failed[WL_NKINDS];	/* ... that failed */
	uint64_t	mismatch;	/* answers that contradict the server */
	uint64_t	polls;
	uint64_t	bytes;		/* bytes read */
	uint64_t	digest;		/* the operations and their outcomes */
};

struct wl {
	/* set by the caller */
	struct pn_sim		*sim;
	struct pn_sim_server	*srv;
	unsigned		 threads;
	uint64_t		 ops;		/* all threads together; 0: no limit */
	uint64_t		 seed;
	unsigned		 mix[WL_NKINDS];
	bool			 synthetic;	/* check read data */

	/* set by wl_prepare */
	size_t			 ninitial;
	size_t			*dirs;
	size_t			 ndirs;
	size_t			*files;
	size_t			 nfiles;

	/* while running */
	_Atomic bool		 stop;
	_Atomic uint64_t	 progress;	/* operations finished */
	_Atomic unsigned	 running;	/* threads not finished */
	struct wl_result	*results;	/* one per thread */
	void			*tids;
};

int	wl_prepare(struct wl *);
int	wl_start(struct wl *);
void	wl_wait(struct wl *);
void	wl_total(const struct wl *, struct wl_result *);
void	wl_free(struct wl *);

#endif /* !PN_SIM_WORKLOAD_H */
