/*
 * server.c -- the simulated file server: nodes named by cookies, the
 * namespace operations, reads, polls and forgets, and its public calls
 * (tree.c builds the initial tree).
 *
 * Cookies.  Node i (its slot in s_nodes) has cookie (i + 1) * K for an
 * odd K, a bijection on 64 bits: cookies look random to the cookie table,
 * and the server finds a node from its cookie without a search.  Slots
 * are never reused, so neither are cookies.
 *
 * Lifetime, as puffs servers with lookup counts: a node lives while it
 * has a name (n_nlink) or lookups the host has not forgotten
 * (n_nlookup).  Every answer that hands a cookie to the host (lookup,
 * create) counts one; the host's reclaim forgets them all at once.
 *
 * Locks: s_lock (rwlock) covers the node array and the namespace;
 * lookups, reads, polls and forgets share it, changes take it
 * exclusively.  n_nlookup is atomic (counted under the shared lock);
 * s_attrlock covers times.  The server never calls into puffsnode.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define COOKIE_K	UINT64_C(0x9e3779b97f4a7c15)

static int
dirent_cmp(const struct srv_dirent *a, const struct srv_dirent *b)
{
	if (a->d_namelen != b->d_namelen)
		return a->d_namelen < b->d_namelen ? -1 : 1;
	return memcmp(a->d_name, b->d_name, a->d_namelen);
}

RB_GENERATE(srv_dir, srv_dirent, d_tree, dirent_cmp) /* GCOVR_EXCL_BR_LINE: libbsd's generated tree code */

struct pn_sim_server *
srv_alloc(void)
{
	struct pn_sim_server *srv;
	uint64_t inv = COOKIE_K;
	int i;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	for (i = 0; i < 6; i++)		/* Newton: inverse of K mod 2^64 */
		inv *= 2 - COOKIE_K * inv;
	srv->s_kinv = inv;
	pthread_rwlock_init(&srv->s_lock, NULL);
	pthread_mutex_init(&srv->s_attrlock, NULL);
	return srv;
}

/* Server lock held. */
struct srv_node *
srv_node_get(struct pn_sim_server *srv, pn_cookie_t c)
{
	uint64_t i = c * srv->s_kinv - 1;
	struct srv_node *n;

	if (c == 0 || i >= srv->s_nnodes)
		return NULL;
	n = srv->s_nodes[i];
	return n != NULL && n->n_cookie == c ? n : NULL;
}

/* A new node with no name.  Server lock held exclusively. */
struct srv_node *
srv_node_new(struct pn_sim_server *srv, int type, uint32_t mode,
    uint32_t uid, uint32_t gid)
{
	struct srv_node *n, **nv;
	size_t cap;

	if (srv->s_nnodes == srv->s_cap) {
		cap = srv->s_cap == 0 ? 1024 : srv->s_cap * 2;
		if ((nv = reallocarray(srv->s_nodes, cap,
		    sizeof(struct srv_node *))) == NULL)
			return NULL;
		srv->s_nodes = nv;
		srv->s_cap = cap;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->n_index = srv->s_nnodes;
	n->n_cookie = (n->n_index + 1) * COOKIE_K;
	n->n_type = type;
	n->n_mode = mode;
	n->n_uid = uid;
	n->n_gid = gid;
	n->n_parent = SIZE_MAX;
	RB_INIT(&n->n_dir);
	srv->s_nodes[srv->s_nnodes++] = n;
	srv->s_live++;
	return n;
}

/* Name n in directory d.  Server lock held exclusively. */
int
srv_dir_add(struct srv_node *d, const char *name, size_t len,
    struct srv_node *n)
{
	struct srv_dirent *de;
	char *p;

	if ((de = malloc(sizeof(*de) + len + 1)) == NULL)
		return PN_ENOMEM;
	p = (char *)(de + 1);
	memcpy(p, name, len);
	p[len] = '\0';
	de->d_name = p;
	de->d_namelen = len;
	de->d_node = n;
	/* Every caller has looked the name up under the same write lock. */
	if (RB_INSERT(srv_dir, &d->n_dir, de) != NULL) {	/* GCOVR_EXCL_BR_LINE */
		free(de);		/* GCOVR_EXCL_LINE: see above */
		return PN_EEXIST;	/* GCOVR_EXCL_LINE: see above */
	}
	d->n_nentries++;
	n->n_nlink++;
	if (n->n_type == PN_VDIR)
		d->n_nlink++;
	return PN_OK;
}

static struct srv_dirent *
dir_find(struct srv_node *d, const char *name, size_t len)
{
	struct srv_dirent key;

	key.d_name = name;
	key.d_namelen = len;
	return RB_FIND(srv_dir, &d->n_dir, &key);
}

static void
srv_node_free(struct srv_node *n)
{
	struct srv_dirent *de;

	while ((de = RB_MIN(srv_dir, &n->n_dir)) != NULL) {
		RB_REMOVE(srv_dir, &n->n_dir, de);
		free(de);
	}
	free(n->n_real);
	free(n->n_name);
	free(n);
}

/* Free n if nothing names or remembers it.  Server lock held exclusively. */
static void
maybe_free(struct pn_sim_server *srv, struct srv_node *n)
{
	if (n->n_nlink != 0 || atomic_load(&n->n_nlookup) != 0 ||
	    n->n_index == 0)
		return;
	srv->s_nodes[n->n_index] = NULL;
	srv->s_live--;
	srv_node_free(n);
}

/* Unlink de from d.  Server lock held exclusively. */
static void
unlink_entry(struct pn_sim_server *srv, struct srv_node *d,
    struct srv_dirent *de)
{
	struct srv_node *n = de->d_node;

	RB_REMOVE(srv_dir, &d->n_dir, de);
	free(de);
	d->n_nentries--;
	if (n->n_type == PN_VDIR) {
		n->n_nlink = 0;
		d->n_nlink--;
	} else {
		n->n_nlink--;
	}
	maybe_free(srv, n);
}

static void
fill_attr(struct pn_sim_server *srv, const struct srv_node *n,
    struct pn_sim_attr *a)
{
	memset(a, 0, sizeof(*a));
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

/* The owner of a new node: the credential's ids, root for internal ones. */
static void
cred_ids(const struct pn_kcred *kcred, uint32_t *uid, uint32_t *gid)
{
	/* The simulator passes callers' credentials only: never internal. */
	if (pn_cred_getuid(kcred, uid) != PN_OK)	/* GCOVR_EXCL_BR_LINE */
		*uid = 0;	/* GCOVR_EXCL_LINE: internal credentials */
	if (pn_cred_getgid(kcred, gid) != PN_OK)	/* GCOVR_EXCL_BR_LINE */
		*gid = 0;	/* GCOVR_EXCL_LINE: internal credentials */
}

static int
dir_writable(struct srv_node *d, const struct pn_kcred *kcred)
{
	if (d->n_type != PN_VDIR)
		return PN_EINVAL;
	return pn_access(PN_VDIR, d->n_mode, d->n_uid, d->n_gid,
	    PN_VWRITE | PN_VEXEC, kcred);
}

/* ---- operations ---- */

int
srv_lookup(struct pn_sim_server *srv, pn_cookie_t dc, const char *name,
    size_t len, bool count, struct pn_sim_attr *attr)
{
	struct srv_node *d;
	struct srv_dirent *de;
	int error = PN_OK;

	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	d = srv_node_get(srv, dc);
	if (d != NULL && d->n_type != PN_VDIR)
		error = PN_EINVAL;
	else if (d == NULL || (de = dir_find(d, name, len)) == NULL)
		error = PN_ENOENT;
	else {
		if (count)
			atomic_fetch_add(&de->d_node->n_nlookup, 1);
		fill_attr(srv, de->d_node, attr);
	}
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	if (count)
		atomic_fetch_add(&srv->s_st.lookups, 1);
	return error;
}

int
srv_create(struct pn_sim_server *srv, pn_cookie_t dc,
    const struct pn_kcn *kcn, const struct pn_kcred *kcred, int type,
    struct pn_sim_attr *attr)
{
	struct srv_node *d, *n;
	uint32_t uid, gid;
	unsigned f;
	int error;

	cred_ids(kcred, &uid, &gid);
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, true);
	/*
	 * The directory's vnode holds a lookup, so its node is there; the
	 * simulator checked it is a directory, and directories are 0777.
	 */
	if ((d = srv_node_get(srv, dc)) == NULL) {	/* GCOVR_EXCL_BR_LINE */
		error = PN_ENOENT;	/* GCOVR_EXCL_LINE: see above */
		goto out;		/* GCOVR_EXCL_LINE: see above */
	}
	if ((error = dir_writable(d, kcred)) != PN_OK)	/* GCOVR_EXCL_BR_LINE */
		goto out;		/* GCOVR_EXCL_LINE: see above */
	if (dir_find(d, kcn->pkcn_name, kcn->pkcn_namelen) != NULL) {
		error = PN_EEXIST;
		goto out;
	}
	n = srv_node_new(srv, type, type == PN_VDIR ? 0777 : 0644, uid, gid);
	if (n == NULL) {
		error = PN_ENOMEM;
		goto out;
	}
	if ((error = srv_dir_add(d, kcn->pkcn_name, kcn->pkcn_namelen, n))
	    != PN_OK) {
		srv->s_nodes[n->n_index] = NULL;
		srv->s_live--;
		srv_node_free(n);
		goto out;
	}
	if (type == PN_VDIR)
		n->n_nlink++;		/* "." */
	fill_attr(srv, n, attr);
	f = atomic_load(&srv->s_fault_dup);
	if (f > 0 && atomic_compare_exchange_strong(&srv->s_fault_dup, &f,
	    f - 1))
		attr->a_cookie = d->n_cookie;	/* the injected fault */
	else
		atomic_fetch_add(&n->n_nlookup, 1);
out:
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.creates, 1);
	return error;
}

int
srv_remove(struct pn_sim_server *srv, pn_cookie_t dc,
    const struct pn_kcn *kcn, const struct pn_kcred *kcred)
{
	struct srv_node *d;
	struct srv_dirent *de;
	int error;

	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, true);
	d = srv_node_get(srv, dc);
	if (d != NULL && (error = dir_writable(d, kcred)) != PN_OK)
		;
	else if (d == NULL || (de = dir_find(d, kcn->pkcn_name,
	    kcn->pkcn_namelen)) == NULL)
		error = PN_ENOENT;
	else if (de->d_node->n_type == PN_VDIR && de->d_node->n_nentries > 0)
		error = PN_EBUSY;	/* directory not empty */
	else
		unlink_entry(srv, d, de);
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.removes, 1);
	return error;
}

/* Directories move only within their parent (no cycle checks needed). */
int
srv_rename(struct pn_sim_server *srv, pn_cookie_t fdc,
    const struct pn_kcn *fkcn, pn_cookie_t tdc, const struct pn_kcn *tkcn,
    const struct pn_kcred *kcred)
{
	struct srv_node *fd, *td, *n;
	struct srv_dirent *fde, *tde;
	int error;

	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, true);
	fd = srv_node_get(srv, fdc);
	td = srv_node_get(srv, tdc);
	/* Both directory vnodes hold lookups: their nodes are there. */
	if (fd == NULL || td == NULL) {	/* GCOVR_EXCL_BR_LINE */
		error = PN_ENOENT;	/* GCOVR_EXCL_LINE: see above */
		goto out;		/* GCOVR_EXCL_LINE: see above */
	}
	if ((error = dir_writable(fd, kcred)) != PN_OK ||
	    (error = dir_writable(td, kcred)) != PN_OK)
		goto out;
	if ((fde = dir_find(fd, fkcn->pkcn_name, fkcn->pkcn_namelen)) ==
	    NULL) {
		error = PN_ENOENT;
		goto out;
	}
	n = fde->d_node;
	if (n->n_type == PN_VDIR && fd != td) {
		error = PN_EOPNOTSUPP;
		goto out;
	}
	tde = dir_find(td, tkcn->pkcn_name, tkcn->pkcn_namelen);
	if (tde == fde)
		goto out;
	if (tde != NULL) {
		if ((tde->d_node->n_type == PN_VDIR) !=
		    (n->n_type == PN_VDIR)) {
			error = PN_EEXIST;
			goto out;
		}
		if (tde->d_node->n_type == PN_VDIR &&
		    tde->d_node->n_nentries > 0) {
			error = PN_EBUSY;
			goto out;
		}
		if (tde->d_node == n) {		/* two names, one node */
			goto out;
		}
		unlink_entry(srv, td, tde);
	}
	/* Move the entry: n keeps its link count. */
	RB_REMOVE(srv_dir, &fd->n_dir, fde);
	free(fde);
	fd->n_nentries--;
	if (n->n_type == PN_VDIR)
		fd->n_nlink--;
	n->n_nlink--;		/* srv_dir_add() counts it again */
	if ((error = srv_dir_add(td, tkcn->pkcn_name, tkcn->pkcn_namelen,
	    n)) != PN_OK)
		maybe_free(srv, n);
out:
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.renames, 1);
	return error;
}

int
srv_read(struct pn_sim_server *srv, pn_cookie_t c, uint64_t off, void *buf,
    size_t len, size_t *np)
{
	struct srv_node *n;
	uint8_t *p = buf;
	size_t i, want = 0;
	ssize_t got;
	int fd, error = PN_OK;

	*np = 0;
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	if ((n = srv_node_get(srv, c)) == NULL)
		error = PN_ENOENT;
	else if (n->n_type != PN_VREG)
		error = PN_EINVAL;
	else if (off < (uint64_t)n->n_size)
		want = (uint64_t)n->n_size - off < len ?
		    (size_t)((uint64_t)n->n_size - off) : len;
	if (error == PN_OK && want > 0) {
		/* A file the mirror cannot open is served synthetic bytes. */
		if (n->n_real == NULL ||
		    (fd = open(n->n_real, O_RDONLY | O_CLOEXEC)) < 0) {
			for (i = 0; i < want; i++)
				p[i] = pn_sim_synthetic_byte(c, off + i);
			*np = want;
		} else {
			got = pread(fd, buf, want, (off_t)off);
			close(fd);
			if (got < 0)
				error = PN_EIO;
			else
				*np = (size_t)got;
		}
	}
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.reads, 1);
	return error;
}

int
srv_poll(struct pn_sim_server *srv, pn_cookie_t c, int events, int *revp)
{
	int error = PN_OK;

	*revp = 0;
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	if (srv_node_get(srv, c) == NULL)
		error = PN_ENOENT;
	else
		*revp = events & (PN_POLLIN | PN_POLLRDNORM | PN_POLLOUT);
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.polls, 1);
	return error;
}

/* The host reclaimed its vnode: forget n lookups. */
void
srv_forget(struct pn_sim_server *srv, pn_cookie_t c, uint64_t cnt)
{
	struct srv_node *n;
	uint64_t left = 1;
	bool unnamed = false;

	if (cnt == 0 || c == 0)
		return;
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	if ((n = srv_node_get(srv, c)) != NULL) {
		left = atomic_fetch_sub(&n->n_nlookup, cnt) - cnt;
		unnamed = n->n_nlink == 0;
	}
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	atomic_fetch_add(&srv->s_st.forgets, 1);
	if (left == 0 && unnamed) {
		sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, true);
		if ((n = srv_node_get(srv, c)) != NULL)
			maybe_free(srv, n);
		sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	}
}

int
srv_settimes(struct pn_sim_server *srv, pn_cookie_t c,
    const struct pn_metacache *mc)
{
	struct srv_node *n;
	int error = PN_OK;

	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	if ((n = srv_node_get(srv, c)) == NULL) {
		error = PN_ENOENT;
	} else {
		pthread_mutex_lock(&srv->s_attrlock);
		if (mc->mc_flags & PN_UPDATE_ATIME)
			n->n_atime = mc->mc_atime;
		if (mc->mc_flags & PN_UPDATE_MTIME)
			n->n_mtime = mc->mc_mtime;
		if (mc->mc_flags & PN_UPDATE_CTIME)
			n->n_ctime = mc->mc_ctime;
		pthread_mutex_unlock(&srv->s_attrlock);
	}
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
	return error;
}

/* Claim (on) or release the server for a simulator. */
bool
srv_attach(struct pn_sim_server *srv, bool on)
{
	bool was = atomic_exchange(&srv->s_attached, on);

	return !(on && was);
}

/* ---- public calls (pn_sim_server_*) ---- */

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
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	st->initial = srv->s_ninitial;
	st->dirs = srv->s_ndirs;
	st->files = srv->s_nfiles;
	st->hardlinks = srv->s_nhardlinks;
	st->live = srv->s_live;
	for (i = 0; i < srv->s_nnodes; i++)
		if (srv->s_nodes[i] != NULL)
			st->outstanding += atomic_load(
			    &srv->s_nodes[i]->n_nlookup);
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
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
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
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
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
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
	sim_rw_enter(&srv->s_lock, SIM_LK_SERVER, false);
	if ((n = srv_node_get(srv, c)) == NULL)
		error = PN_ENOENT;
	else
		fill_attr(srv, n, a);
	sim_rw_exit(&srv->s_lock, SIM_LK_SERVER);
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
