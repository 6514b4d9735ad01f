/*
 * tree.c -- the simulated server's initial tree: a synthetic one (a
 * complete tree with a given fan-out, files at the leaves) or a mirror of
 * a real directory walked with nftw(3), one node per inode (st_dev,
 * st_ino), so hard links share a node.
 *
 * The initial nodes take slots 0 .. initial-1 in walk order (the root
 * first), and remember their first name and parent, so a workload can
 * name any of them by index.  The mirror copies the shape, sizes, types
 * and owners of the tree, reads regular files from the real file; its
 * directories are made writable to all (mode 0777) so that creates work
 * for any user.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server.h"

/* Add an initial node named name in parent (SIZE_MAX: the root). */
static struct srv_node *
add_initial(struct pn_sim_server *srv, size_t parent, const char *name,
    int type, uint32_t mode, uint32_t uid, uint32_t gid, int64_t size)
{
	struct srv_node *n;

	if ((n = srv_node_new(srv, type, mode, uid, gid)) == NULL)
		return NULL;
	n->n_size = size;
	n->n_parent = parent;
	if ((n->n_name = strdup(name)) == NULL)
		return NULL;
	if (parent != SIZE_MAX &&
	    srv_dir_add(srv->s_nodes[parent], name, strlen(name), n) != 0)
		return NULL;
	if (type == PN_VDIR) {
		n->n_nlink++;		/* "." */
		srv->s_ndirs++;
	} else if (type == PN_VREG) {
		srv->s_nfiles++;
	}
	srv->s_ninitial = srv->s_nnodes;
	return n;
}

static void
stamp(struct srv_node *n, int64_t sec)
{
	n->n_atime.tv_sec = n->n_mtime.tv_sec = n->n_ctime.tv_sec = sec;
}

PN_SIM_EXPORT int
pn_sim_server_synthetic(size_t nodes, unsigned fanout,
    struct pn_sim_server **srvp)
{
	struct pn_sim_server *srv;
	struct srv_node *n;
	char name[32];
	size_t i, parent;
	bool dir;

	if (srvp == NULL)
		return PN_EINVAL;
	*srvp = NULL;
	if (nodes == 0 || fanout == 0)
		return PN_EINVAL;
	if ((srv = srv_alloc()) == NULL)
		return PN_ENOMEM;
	if ((n = add_initial(srv, SIZE_MAX, "", PN_VDIR, 0777, 0, 0, 0)) ==
	    NULL)
		goto fail;
	stamp(n, 1000000000);
	for (i = 1; i < nodes; i++) {
		parent = (i - 1) / fanout;
		dir = i <= (nodes - 2) / fanout;	/* has a child */
		snprintf(name, sizeof(name), "%c%zu", dir ? 'd' : 'f', i);
		n = add_initial(srv, parent, name, dir ? PN_VDIR : PN_VREG,
		    dir ? 0777 : 0644, 0, 0,
		    dir ? 0 : (int64_t)((i * 2654435761u) % 65536));
		if (n == NULL)
			goto fail;
		stamp(n, 1000000000 + (int64_t)i);
	}
	*srvp = srv;
	return PN_OK;
fail:
	pn_sim_server_destroy(srv);
	return PN_ENOMEM;
}

/* ---- the mirror ---- */

struct inode_key {
	RB_ENTRY(inode_key)	 ik_tree;
	dev_t			 ik_dev;
	ino_t			 ik_ino;
	size_t			 ik_index;
};

static int
ik_cmp(const struct inode_key *a, const struct inode_key *b)
{
	/* The walk stays on one file system (FTW_MOUNT): one st_dev. */
	if (a->ik_dev != b->ik_dev)	/* GCOVR_EXCL_BR_LINE: one device */
		return a->ik_dev < b->ik_dev ? -1 : 1;	/* GCOVR_EXCL_LINE */
	if (a->ik_ino != b->ik_ino)
		return a->ik_ino < b->ik_ino ? -1 : 1;
	return 0;
}

RB_HEAD(ik_tree, inode_key);
SIM_RB_GENERATE_STATIC(ik_tree, inode_key, ik_tree, ik_cmp) /* GCOVR_EXCL_BR_LINE: libbsd's generated tree code */

/* nftw() takes no argument pointer: one mirror walk at a time. */
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct pn_sim_server	*srv;
	struct ik_tree		 inodes;
	size_t			*stack;		/* directory slot per level */
	size_t			 depth;
	bool			 failed;
} walk;

static int
mode_type(mode_t m)
{
	if (S_ISDIR(m))
		return PN_VDIR;
	if (S_ISREG(m))
		return PN_VREG;
	if (S_ISLNK(m))
		return PN_VLNK;
	if (S_ISCHR(m))
		return PN_VCHR;
	if (S_ISBLK(m))
		return PN_VBLK;
	if (S_ISFIFO(m))
		return PN_VFIFO;
	if (S_ISSOCK(m))
		return PN_VSOCK;
	return PN_VBAD;
}

static int
walk_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct pn_sim_server *srv = walk.srv;
	struct inode_key *ik, *old;
	struct srv_node *n;
	size_t parent, *ns, lvl = (size_t)ftw->level;
	const char *name = path + ftw->base;
	int type;

	if (flag == FTW_NS)
		return 0;		/* could not stat: leave it out */
	type = flag == FTW_D || flag == FTW_DNR ? PN_VDIR :
	    mode_type(st->st_mode);
	if (type == PN_VBAD)
		return 0;
	if (lvl == 0) {
		parent = SIZE_MAX;
		name = "";
	} else {
		if (lvl > walk.depth)
			return 0;	/* under a directory we left out */
		parent = walk.stack[lvl - 1];
	}
	/* An inode with more names: recorded at its first, linked at the others. */
	ik = NULL;
	if (type != PN_VDIR && st->st_nlink > 1) {
		if ((ik = malloc(sizeof(*ik))) == NULL)
			goto fail;
		ik->ik_dev = st->st_dev;
		ik->ik_ino = st->st_ino;
		ik->ik_index = SIZE_MAX;
		if ((old = RB_INSERT(ik_tree, &walk.inodes, ik)) != NULL) {
			free(ik);
			n = srv->s_nodes[old->ik_index];
			if (srv_dir_add(srv->s_nodes[parent], name,
			    strlen(name), n) == PN_OK)
				srv->s_nhardlinks++;
			return 0;
		}
	}
	n = add_initial(srv, parent, name, type,
	    type == PN_VDIR ? 0777 : (uint32_t)(st->st_mode & 07777),
	    (uint32_t)st->st_uid, (uint32_t)st->st_gid,
	    type == PN_VDIR ? 0 : (int64_t)st->st_size);
	if (n == NULL)
		goto fail;
	n->n_rdev = (uint64_t)st->st_rdev;
	n->n_atime.tv_sec = st->st_atim.tv_sec;
	n->n_mtime.tv_sec = st->st_mtim.tv_sec;
	n->n_ctime.tv_sec = st->st_ctim.tv_sec;
	if (type == PN_VREG && (n->n_real = strdup(path)) == NULL)
		goto fail;
	if (ik != NULL)
		ik->ik_index = n->n_index;
	if (type == PN_VDIR) {
		if ((ns = realloc(walk.stack, (lvl + 1) * sizeof(*ns))) ==
		    NULL)
			goto fail;
		walk.stack = ns;
		walk.stack[lvl] = n->n_index;
		walk.depth = lvl + 1;
	} else {
		walk.depth = lvl;
	}
	return 0;
fail:
	walk.failed = true;
	return 1;
}

PN_SIM_EXPORT int
pn_sim_server_mirror(const char *dir, struct pn_sim_server **srvp)
{
	struct pn_sim_server *srv;
	struct inode_key *ik;
	struct stat st;
	int rv, error = PN_OK;

	if (srvp == NULL)
		return PN_EINVAL;
	*srvp = NULL;
	if (dir == NULL)
		return PN_EINVAL;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return PN_ENOENT;
	if ((srv = srv_alloc()) == NULL)
		return PN_ENOMEM;
	pthread_mutex_lock(&walk_lock);
	walk.srv = srv;
	RB_INIT(&walk.inodes);
	walk.stack = NULL;
	walk.depth = 0;
	walk.failed = false;
	rv = nftw(dir, walk_fn, 32, FTW_PHYS | FTW_MOUNT);
	if (walk.failed)
		error = PN_ENOMEM;
	else if (rv != 0 || srv->s_nnodes == 0)
		error = PN_EIO;
	while ((ik = RB_MIN(ik_tree, &walk.inodes)) != NULL) {
		RB_REMOVE(ik_tree, &walk.inodes, ik);
		free(ik);
	}
	free(walk.stack);
	walk.srv = NULL;
	pthread_mutex_unlock(&walk_lock);
	if (error != PN_OK) {
		pn_sim_server_destroy(srv);
		return error;
	}
	*srvp = srv;
	return PN_OK;
}
