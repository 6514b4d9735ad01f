/*
 * tree.c -- the simulated server's initial tree: a synthetic one (a
 * complete tree with a given fan-out, files at the leaves) or a mirror of
 * a real directory walked with nftw(3), one node per inode (st_dev,
 * st_ino), so hard links share a node.  Plus the server's public calls.
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

/* ---- public calls ---- */

PN_SIM_EXPORT int
pn_sim_server_destroy(struct pn_sim_server *srv)
{
	size_t i;

	if (srv == NULL)
		return PN_EINVAL;
	if (atomic_load(&srv->s_attached))
		return PN_EBUSY;
	for (i = 0; i < srv->s_nnodes; i++)
		if (srv->s_nodes[i] != NULL)
			srv_node_free(srv->s_nodes[i]);
	free(srv->s_nodes);
	pthread_mutex_destroy(&srv->s_attrlock);
	pthread_rwlock_destroy(&srv->s_lock);
	free(srv);
	return PN_OK;
}

PN_SIM_EXPORT pn_cookie_t
pn_sim_server_root(const struct pn_sim_server *srv)
{
	return srv == NULL || srv->s_nnodes == 0 ? 0 :
	    srv->s_nodes[0]->n_cookie;
}

PN_SIM_EXPORT int
pn_sim_server_stats(struct pn_sim_server *srv, struct pn_sim_server_stats *st)
{
	size_t i;

	if (srv == NULL || st == NULL)
		return PN_EINVAL;
	memset(st, 0, sizeof(*st));
	pthread_rwlock_rdlock(&srv->s_lock);
	st->initial = srv->s_ninitial;
	st->dirs = srv->s_ndirs;
	st->files = srv->s_nfiles;
	st->hardlinks = srv->s_nhardlinks;
	st->live = srv->s_live;
	for (i = 0; i < srv->s_nnodes; i++)
		if (srv->s_nodes[i] != NULL)
			st->outstanding += atomic_load(
			    &srv->s_nodes[i]->n_nlookup);
	pthread_rwlock_unlock(&srv->s_lock);
	st->lookups = atomic_load(&srv->s_st.lookups);
	st->getattrs = atomic_load(&srv->s_st.getattrs);
	st->creates = atomic_load(&srv->s_st.creates);
	st->removes = atomic_load(&srv->s_st.removes);
	st->renames = atomic_load(&srv->s_st.renames);
	st->reads = atomic_load(&srv->s_st.reads);
	st->polls = atomic_load(&srv->s_st.polls);
	st->forgets = atomic_load(&srv->s_st.forgets);
	return PN_OK;
}

PN_SIM_EXPORT int
pn_sim_server_path(struct pn_sim_server *srv, size_t index, char *buf,
    size_t len, int *typep)
{
	struct srv_node *n;
	size_t comp[256], depth = 0, at = 0, l;
	int error = PN_OK;

	if (srv == NULL || buf == NULL || len == 0)
		return PN_EINVAL;
	buf[0] = '\0';
	pthread_rwlock_rdlock(&srv->s_lock);
	if (index >= srv->s_ninitial || srv->s_nodes[index] == NULL) {
		error = PN_ENOENT;
		goto out;
	}
	if (typep != NULL)
		*typep = srv->s_nodes[index]->n_type;
	for (n = srv->s_nodes[index]; n != NULL && n->n_parent != SIZE_MAX;
	    n = srv->s_nodes[n->n_parent]) {
		if (depth == 256) {
			error = PN_ENAMETOOLONG;
			goto out;
		}
		comp[depth++] = n->n_index;
	}
	if (depth == 0) {
		error = len < 2 ? PN_ENAMETOOLONG : PN_OK;
		if (error == PN_OK)
			memcpy(buf, "/", 2);
		goto out;
	}
	while (depth > 0) {
		n = srv->s_nodes[comp[--depth]];
		l = strlen(n->n_name);
		if (at + 1 + l + 1 > len) {
			error = PN_ENAMETOOLONG;
			buf[0] = '\0';
			goto out;
		}
		buf[at++] = '/';
		memcpy(buf + at, n->n_name, l + 1);
		at += l;
	}
out:
	pthread_rwlock_unlock(&srv->s_lock);
	return error;
}

PN_SIM_EXPORT int
pn_sim_server_peek(struct pn_sim_server *srv, pn_cookie_t dir,
    const char *name, struct pn_sim_attr *attr)
{
	if (srv == NULL || name == NULL || attr == NULL)
		return PN_EINVAL;
	return srv_lookup(srv, dir, name, strlen(name), false, attr);
}

PN_SIM_EXPORT int
pn_sim_server_getattr(struct pn_sim_server *srv, pn_cookie_t c,
    struct pn_sim_attr *a)
{
	struct srv_node *n;
	int error = PN_OK;

	if (srv == NULL || a == NULL)
		return PN_EINVAL;
	memset(a, 0, sizeof(*a));
	pthread_rwlock_rdlock(&srv->s_lock);
	if ((n = srv_node_get(srv, c)) == NULL)
		error = PN_ENOENT;
	else {
		a->a_cookie = n->n_cookie;
		a->a_type = n->n_type;
		a->a_mode = n->n_mode;
		a->a_uid = n->n_uid;
		a->a_gid = n->n_gid;
		a->a_nlink = n->n_nlink;
		a->a_size = n->n_size;
		a->a_rdev = n->n_rdev;
		pthread_mutex_lock(&srv->s_attrlock);
		a->a_atime = n->n_atime;
		a->a_mtime = n->n_mtime;
		a->a_ctime = n->n_ctime;
		pthread_mutex_unlock(&srv->s_attrlock);
	}
	pthread_rwlock_unlock(&srv->s_lock);
	atomic_fetch_add(&srv->s_st.getattrs, 1);
	return error;
}

PN_SIM_EXPORT uint8_t
pn_sim_synthetic_byte(pn_cookie_t c, uint64_t off)
{
	uint64_t x = (c ^ (off >> 12)) * UINT64_C(0xff51afd7ed558ccd);

	return (uint8_t)((x >> 56) + off);
}

PN_SIM_EXPORT void
pn_sim_server_fault_dupcookie(struct pn_sim_server *srv, unsigned n)
{
	if (srv != NULL)
		atomic_store(&srv->s_fault_dup, n);
}
