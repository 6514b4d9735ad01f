/*
 * server.h -- the simulated file server's private structures, shared by
 * server.c (operations, public calls) and tree.c (the initial tree).
 */
#ifndef PN_SIM_SERVER_H
#define PN_SIM_SERVER_H

#include "sim_impl.h"

struct srv_dirent {
	RB_ENTRY(srv_dirent)	 d_tree;
	struct srv_node		*d_node;
	size_t			 d_namelen;
	const char		*d_name;	/* stored after the entry */
};

RB_HEAD(srv_dir, srv_dirent);
RB_PROTOTYPE(srv_dir, srv_dirent, d_tree, dirent_cmp)

struct srv_node {
	pn_cookie_t		 n_cookie;
	size_t			 n_index;	/* slot in s_nodes */
	int			 n_type;
	uint32_t		 n_mode;
	uint32_t		 n_uid;
	uint32_t		 n_gid;
	uint32_t		 n_nlink;	/* server lock */
	int64_t			 n_size;
	uint64_t		 n_rdev;
	struct pn_timespec	 n_atime;	/* s_attrlock */
	struct pn_timespec	 n_mtime;
	struct pn_timespec	 n_ctime;
	_Atomic uint64_t	 n_nlookup;	/* lookups the host holds */
	struct srv_dir		 n_dir;		/* directory entries */
	size_t			 n_nentries;
	char			*n_real;	/* mirror: the file read from */
	/* initial tree: first name, for pn_sim_server_path() */
	size_t			 n_parent;	/* SIZE_MAX: none */
	char			*n_name;
};

struct srv_counters {
	_Atomic uint64_t	lookups, getattrs, creates, removes, renames;
	_Atomic uint64_t	reads, polls, forgets;
};

struct pn_sim_server {
	pthread_rwlock_t	 s_lock;	/* node array, namespace */
	pthread_mutex_t		 s_attrlock;	/* times */
	struct srv_node		**s_nodes;
	size_t			 s_nnodes;
	size_t			 s_cap;
	size_t			 s_live;
	uint64_t		 s_kinv;	/* inverse of the cookie factor */
	size_t			 s_ninitial;
	size_t			 s_ndirs;
	size_t			 s_nfiles;
	size_t			 s_nhardlinks;
	_Atomic bool		 s_attached;
	_Atomic unsigned	 s_fault_dup;
	struct srv_counters	 s_st;
};

struct pn_sim_server *srv_alloc(void);
struct srv_node *srv_node_get(struct pn_sim_server *, pn_cookie_t);
struct srv_node *srv_node_new(struct pn_sim_server *, int, uint32_t,
	    uint32_t, uint32_t);
int	srv_dir_add(struct srv_node *, const char *, size_t,
	    struct srv_node *);

#endif /* !PN_SIM_SERVER_H */
