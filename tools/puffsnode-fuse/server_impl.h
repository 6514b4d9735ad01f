/*
 * server_impl.h -- the passthrough server's private structures, shared by
 * server.c (nodes, descriptors, set-up), ids.c (running as the caller)
 * and srv_ops.c (the requests).
 */
#ifndef PNFUSE_SERVER_IMPL_H
#define PNFUSE_SERVER_IMPL_H

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/queue.h>

#include "lock.h"
#include "server.h"

struct snode {
	pn_cookie_t	 n_cookie;
	dev_t		 n_dev;
	ino_t		 n_ino;
	int		 n_fd;		/* O_PATH; -1 while closed */
	int		 n_mnt;		/* s_mnts index; -1: no handle */
	struct file_handle *n_fh;	/* NULL: no handle, n_fd stays open */
	bool		 n_symlink;
	bool		 n_hashed;	/* in the (dev, ino) hash */
	bool		 n_dropped;	/* forgotten while pinned */
	bool		 n_onlru;
	bool		 n_transient;	/* n_fd closes at the last unpin */
	unsigned	 n_busy;	/* pins of n_fd */
	uint64_t	 n_nlookup;
	struct snode	*n_hnext;	/* hash chain */
	TAILQ_ENTRY(snode) n_lru;	/* open, unpinned, with a handle */
};

TAILQ_HEAD(snode_lru, snode);

#define MAX_MNTS	32

/* A pinned node descriptor. */
struct pin {
	struct snode	*p_node;
	int		 p_fd;
	bool		 p_symlink;
};

struct fsrv {
	br_mutex_t	  s_lock;
	struct snode	**s_slots;	/* cookie - 1 -> node, NULL: free */
	size_t		  s_nslots;
	size_t		 *s_free;	/* free slot numbers (a stack) */
	size_t		  s_nfree;
	struct snode	**s_hash;
	size_t		  s_nbuckets;	/* a power of two */
	struct fsrv_stats s_st;
	struct snode_lru  s_lru;	/* descriptors to close first */
	size_t		  s_nopen;	/* cached descriptors open */
	size_t		  s_maxopen;
	struct { int id, fd; } s_mnts[MAX_MNTS];	/* mount id -> mount fd */
	int		  s_nmnts;
	bool		  s_handles;	/* try file handles */
	bool		  s_switch;	/* can switch ids (running as root) */
	gid_t		  s_gid0;	/* the daemon's gid */
	_Atomic uint64_t  s_idcalls;	/* setgroups, setfsgid, setfsuid calls */
	gid_t		  s_groups0[NGROUPS_MAX];	/* the daemon's groups */
	int		  s_ngroups0;
};

/* server.c */
/* Pin the descriptor of node c, opening it from its handle if closed. */
int	node_pin(struct fsrv *srv, pn_cookie_t c, struct pin *p);
void	node_unpin(struct fsrv *srv, struct pin *p);
/* Count one lookup of the inode behind fd (O_PATH; given to the node or closed). */
int	node_enter(struct fsrv *srv, int fd, const struct stat *st,
	    pn_cookie_t *cp);

/* Out of descriptors (error EMFILE, ENFILE): close cached ones; whether to retry. */
bool	fsrv_fd_relieve(struct fsrv *srv, int error);

/* ids.c */
/* Make the calling thread run as cr (NULL: as the daemon). */
void	ids_set(struct fsrv *srv, const struct pn_kcred *cr);

#endif /* !PNFUSE_SERVER_IMPL_H */
