/*
 * server.c -- the passthrough file server: cookies for the inodes of a
 * backing directory.
 *
 * Nodes.  One node per backing inode (st_dev, st_ino), found through a
 * hash table, with a lookup count.  A node's cookie is its slot number
 * plus one; slots are reused once a node is dropped, so cookies are
 * reused too, as a real server's would be -- telling a reused cookie from
 * the node it replaces is the node layer's job (pn_node_gen).
 *
 * Descriptors.  A node reaches its inode through an O_PATH descriptor.
 * The kernel above may hold far more nodes than a process may hold
 * descriptors, so a node also keeps the inode's file handle
 * (name_to_handle_at) and its descriptor is a cache entry: closed, oldest
 * unused first, beyond a limit, and opened again from the handle
 * (open_by_handle_at) when a request needs it.  A descriptor opened again
 * while the cache is full serves its request and is closed: a tree
 * larger than the cache, walked again and again (find, ls -lR, du),
 * reopens only the part that does not fit, not all of it (as a plain
 * LRU would).  A system call failing with EMFILE or ENFILE closes cached
 * descriptors, lowers the limit and tries again.  A request pins the
 * descriptor while it uses it.  The handle carries the inode's
 * generation, so an inode number reused by the backing file system is
 * told from the node of the inode it replaces (which then answers
 * ESTALE).  Where handles are not available the descriptor stays open
 * for the node's life.
 *
 * The requests are in srv_ops.c, running as the caller in ids.c.
 *
 * Locking: one mutex covers the slots, the hash table, the descriptor
 * cache and the counts.  Opening a descriptor from its handle happens
 * under it; every other system call runs outside it, on a pinned
 * descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_impl.h"

/* ---- nodes ---- */

static size_t
hash_of(const struct fsrv *srv, dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)dev * UINT64_C(0xc2b2ae3d27d4eb4f);

	return (size_t)(h >> 17) & (srv->s_nbuckets - 1);
}

/* Lock held.  Doubles the hash table; on failure keeps the old one. */
static void
hash_grow(struct fsrv *srv)
{
	size_t nb = srv->s_nbuckets * 2, i, old = srv->s_nbuckets;
	struct snode **oh = srv->s_hash, *n, *next;

	if ((srv->s_hash = calloc(nb, sizeof(*srv->s_hash))) == NULL) {
		srv->s_hash = oh;
		return;
	}
	srv->s_nbuckets = nb;
	for (i = 0; i < old; i++) {
		for (n = oh[i]; n != NULL; n = next) {
			size_t h = hash_of(srv, n->n_dev, n->n_ino);

			next = n->n_hnext;
			n->n_hnext = srv->s_hash[h];
			srv->s_hash[h] = n;
		}
	}
	free(oh);
}

/* Lock held. */
static struct snode *
node_get(struct fsrv *srv, pn_cookie_t c)
{
	if (c == 0 || c > srv->s_nslots)
		return NULL;
	return srv->s_slots[c - 1];
}

/* Lock held.  Close unpinned cached descriptors down to keep, oldest first. */
static void
fd_close_to(struct fsrv *srv, size_t keep)
{
	struct snode *n;

	while (srv->s_nopen > keep &&
	    (n = TAILQ_FIRST(&srv->s_lru)) != NULL) {
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
		n->n_onlru = false;
		close(n->n_fd);
		n->n_fd = -1;
		srv->s_nopen--;
		srv->s_st.fdcloses++;
	}
}

/* Lock held.  Close unpinned cached descriptors beyond the limit. */
static void
fd_trim(struct fsrv *srv)
{
	fd_close_to(srv, srv->s_maxopen);
}

bool
fsrv_fd_relieve(struct fsrv *srv, int error)
{
	size_t before;
	bool closed;

	if (error != EMFILE && error != ENFILE)
		return false;
	br_mutex_lock(&srv->s_lock);
	before = srv->s_nopen;
	fd_close_to(srv, srv->s_nopen > 64 ? srv->s_nopen - 64 : 0);
	closed = srv->s_nopen < before;
	if (srv->s_maxopen > 64 && closed)
		srv->s_maxopen -= 64;	/* the limit was too high: lower it */
	br_mutex_unlock(&srv->s_lock);
	return closed;
}

/* Lock held, node unpinned and off the slots: free it. */
static void
node_free(struct fsrv *srv, struct snode *n)
{
	if (n->n_onlru)
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
	if (n->n_fd >= 0) {
		close(n->n_fd);
		if (n->n_fh != NULL)
			srv->s_nopen--;
	}
	free(n->n_fh);
	free(n);
}

/*
 * Lock held.  An unpinned node's open descriptor goes on the LRU; one
 * opened again while the cache was full is closed at once instead, so
 * that a scan of more nodes than the cache holds does not push out the
 * descriptors it will find there next time.
 */
static void
node_idle(struct fsrv *srv, struct snode *n)
{
	if (n->n_busy == 0 && n->n_transient && n->n_fd >= 0) {
		close(n->n_fd);
		n->n_fd = -1;
		n->n_transient = false;
		srv->s_nopen--;
		srv->s_st.fdcloses++;
		return;
	}
	if (n->n_busy == 0 && n->n_fh != NULL && n->n_fd >= 0 &&
	    !n->n_onlru) {
		TAILQ_INSERT_TAIL(&srv->s_lru, n, n_lru);
		n->n_onlru = true;
		fd_trim(srv);
	}
}

/* Pin the descriptor of node c, opening it from its handle if closed. */
int
node_pin(struct fsrv *srv, pn_cookie_t c, struct pin *p)
{
	struct snode *n;
	int fd;

	p->p_node = NULL;
	p->p_fd = -1;
	p->p_symlink = false;
	br_mutex_lock(&srv->s_lock);
	if ((n = node_get(srv, c)) == NULL) {
		br_mutex_unlock(&srv->s_lock);
		return ESTALE;
	}
	if (n->n_fd < 0) {
		ids_set(srv, NULL);	/* needs CAP_DAC_READ_SEARCH */
		fd = open_by_handle_at(srv->s_mnts[n->n_mnt].fd, n->n_fh,
		    O_PATH | O_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			fd_close_to(srv, srv->s_nopen > 64 ?
			    srv->s_nopen - 64 : 0);
			fd = open_by_handle_at(srv->s_mnts[n->n_mnt].fd,
			    n->n_fh, O_PATH | O_CLOEXEC);
		}
		if (fd < 0) {
			int error = errno;

			br_mutex_unlock(&srv->s_lock);
			if (error == 0)
				error = EIO;	/* failure with no errno: never success */
			return error == ENOENT ? ESTALE : error;
		}
		n->n_fd = fd;
		n->n_transient = srv->s_nopen >= srv->s_maxopen;
		srv->s_nopen++;
		srv->s_st.fdopens++;
	}
	if (n->n_onlru) {
		TAILQ_REMOVE(&srv->s_lru, n, n_lru);
		n->n_onlru = false;
	}
	n->n_busy++;
	p->p_node = n;
	p->p_fd = n->n_fd;
	p->p_symlink = n->n_symlink;
	br_mutex_unlock(&srv->s_lock);
	return 0;
}

void
node_unpin(struct fsrv *srv, struct pin *p)
{
	struct snode *n = p->p_node;

	if (n == NULL)
		return;
	br_mutex_lock(&srv->s_lock);
	if (--n->n_busy == 0) {
		if (n->n_dropped)
			node_free(srv, n);
		else
			node_idle(srv, n);
	}
	br_mutex_unlock(&srv->s_lock);
	p->p_node = NULL;
}

/* Lock held.  The mount fd index for mount id, opened from fd; -1 if none. */
static int
mount_index(struct fsrv *srv, int id, int fd)
{
	char path[64];
	int i, mfd;

	for (i = 0; i < srv->s_nmnts; i++)
		if (srv->s_mnts[i].id == id)
			return i;
	if (srv->s_nmnts == MAX_MNTS)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ids_set(srv, NULL);	/* the mount's root, whoever looked up */
	if ((mfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;	/* not a directory: a handle is of no use */
	srv->s_mnts[srv->s_nmnts].id = id;
	srv->s_mnts[srv->s_nmnts].fd = mfd;
	return srv->s_nmnts++;
}

static struct file_handle *
handle_of(int fd, int *mntid)
{
	struct file_handle *fh;

	if ((fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ)) == NULL)
		return NULL;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(fd, "", fh, mntid, AT_EMPTY_PATH) != 0) {
		free(fh);
		return NULL;
	}
	return fh;
}

static bool
handle_eq(const struct file_handle *a, const struct file_handle *b)
{
	return a->handle_bytes == b->handle_bytes &&
	    a->handle_type == b->handle_type &&
	    memcmp(a->f_handle, b->f_handle, a->handle_bytes) == 0;
}

/* Lock held.  A free slot number; -1: no memory. */
static ssize_t
slot_alloc(struct fsrv *srv)
{
	struct snode **ns;
	size_t *nf, slot;

	if (srv->s_nfree > 0) {
		srv->s_st.reused++;
		return (ssize_t)srv->s_free[--srv->s_nfree];
	}
	slot = srv->s_nslots;
	ns = realloc(srv->s_slots, (slot + 1) * sizeof(*ns));
	if (ns != NULL)
		srv->s_slots = ns;
	nf = realloc(srv->s_free, (slot + 1) * sizeof(*nf));
	if (nf != NULL)
		srv->s_free = nf;
	if (ns == NULL || nf == NULL)
		return -1;
	srv->s_nslots++;
	return (ssize_t)slot;
}

/* Lock held.  One more lookup of existing node n; fd (or -1) may serve it. */
static int
node_again(struct fsrv *srv, struct snode *n, int fd)
{
	n->n_nlookup++;
	srv->s_st.outstanding++;
	srv->s_st.lookups++;
	if (n->n_fd < 0 && n->n_fh != NULL && fd >= 0) {
		n->n_fd = fd;	/* the fresh descriptor serves */
		srv->s_nopen++;
		fd = -1;
		node_idle(srv, n);
	}
	return fd;
}

/* Lock held.  A new node in bucket h for the inode behind fd. */
static struct snode *
node_new(struct fsrv *srv, size_t h, int fd, const struct stat *st,
    struct file_handle *fh, int mntid)
{
	struct snode *n;
	ssize_t slot;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if ((slot = slot_alloc(srv)) < 0) {
		free(n);
		return NULL;
	}
	n->n_cookie = (pn_cookie_t)slot + 1;
	n->n_dev = st->st_dev;
	n->n_ino = st->st_ino;
	n->n_fd = fd;
	n->n_mnt = fh != NULL ? mount_index(srv, mntid, fd) : -1;
	if (n->n_mnt >= 0) {
		n->n_fh = fh;
		srv->s_nopen++;
	} else {
		free(fh);
	}
	n->n_symlink = S_ISLNK(st->st_mode);
	n->n_nlookup = 1;
	n->n_hashed = true;
	srv->s_slots[slot] = n;
	n->n_hnext = srv->s_hash[h];
	srv->s_hash[h] = n;
	if (++srv->s_st.live > srv->s_st.high)
		srv->s_st.high = srv->s_st.live;
	srv->s_st.outstanding++;
	srv->s_st.lookups++;
	return n;
}

/*
 * Count one lookup of the inode behind fd (an O_PATH descriptor, given
 * to the node or closed), making its node if there is none.
 */
int
node_enter(struct fsrv *srv, int fd, const struct stat *st, pn_cookie_t *cp)
{
	struct file_handle *fh;
	struct snode *n, **pp;
	size_t h;
	int mntid = 0;

	fh = srv->s_handles ? handle_of(fd, &mntid) : NULL;
	br_mutex_lock(&srv->s_lock);
	h = hash_of(srv, st->st_dev, st->st_ino);
	for (pp = &srv->s_hash[h]; (n = *pp) != NULL; pp = &n->n_hnext)
		if (n->n_dev == st->st_dev && n->n_ino == st->st_ino)
			break;
	if (n != NULL && n->n_fh != NULL && fh != NULL &&
	    !handle_eq(n->n_fh, fh)) {
		/* The inode number was reused: the old node is stale. */
		*pp = n->n_hnext;
		n->n_hashed = false;
		srv->s_st.stale++;
		n = NULL;
	}
	if (n != NULL) {
		fd = node_again(srv, n, fd);
		*cp = n->n_cookie;
		br_mutex_unlock(&srv->s_lock);
		if (fd >= 0)
			close(fd);
		free(fh);
		return 0;
	}
	if ((n = node_new(srv, h, fd, st, fh, mntid)) == NULL) {
		br_mutex_unlock(&srv->s_lock);
		close(fd);
		free(fh);
		return ENOMEM;
	}
	if (srv->s_st.live > srv->s_nbuckets)
		hash_grow(srv);
	*cp = n->n_cookie;
	node_idle(srv, n);
	br_mutex_unlock(&srv->s_lock);
	return 0;
}

void
fsrv_forget(struct fsrv *srv, pn_cookie_t c, uint64_t nlookup)
{
	struct snode *n, **pp;

	br_mutex_lock(&srv->s_lock);
	srv->s_st.forgets++;
	if ((n = node_get(srv, c)) == NULL) {
		br_mutex_unlock(&srv->s_lock);
		if (nlookup != 0)
			fprintf(stderr, "puffsnode-fuse: server: forget of "
			    "unknown cookie %llu\n", (unsigned long long)c);
		return;
	}
	if (nlookup > n->n_nlookup) {
		fprintf(stderr, "puffsnode-fuse: server: forget %llu of "
		    "cookie %llu with %llu lookups\n",
		    (unsigned long long)nlookup, (unsigned long long)c,
		    (unsigned long long)n->n_nlookup);
		nlookup = n->n_nlookup;
	}
	n->n_nlookup -= nlookup;
	srv->s_st.outstanding -= nlookup;
	if (n->n_nlookup == 0) {
		if (n->n_hashed) {
			pp = &srv->s_hash[hash_of(srv, n->n_dev, n->n_ino)];
			while (*pp != n)
				pp = &(*pp)->n_hnext;
			*pp = n->n_hnext;
		}
		srv->s_slots[c - 1] = NULL;
		srv->s_free[srv->s_nfree++] = (size_t)(c - 1);
		srv->s_st.live--;
		srv->s_st.dropped++;
		if (n->n_busy > 0)
			n->n_dropped = true;	/* the last unpin frees it */
		else
			node_free(srv, n);
	}
	br_mutex_unlock(&srv->s_lock);
}

/* ---- set-up ---- */

int
fsrv_init(const char *backing, size_t maxopen, struct fsrv **srvp)
{
	struct fsrv *srv;
	struct stat st;
	pn_cookie_t c;
	int fd, error;

	*srvp = NULL;
	if ((fd = open(backing, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		error = errno;
		close(fd);
		return error;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->s_hash = calloc(1024, sizeof(*srv->s_hash))) == NULL) {
		free(srv);
		close(fd);
		return ENOMEM;
	}
	srv->s_nbuckets = 1024;
	br_mutex_init(&srv->s_lock);
	TAILQ_INIT(&srv->s_lru);
	srv->s_maxopen = maxopen;
	srv->s_handles = maxopen > 0;
	srv->s_switch = geteuid() == 0;
	srv->s_gid0 = getegid();
	if ((srv->s_ngroups0 = getgroups(NGROUPS_MAX, srv->s_groups0)) < 0)
		srv->s_ngroups0 = 0;
	if ((error = node_enter(srv, fd, &st, &c)) != 0) {
		fsrv_fini(srv);
		return error;
	}
	*srvp = srv;
	return 0;
}

size_t
fsrv_fini(struct fsrv *srv)
{
	size_t i, left = 0;

	if (srv == NULL)
		return 0;
	for (i = 0; i < srv->s_nslots; i++) {
		if (srv->s_slots[i] == NULL)
			continue;
		node_free(srv, srv->s_slots[i]);
		left++;
	}
	for (i = 0; i < (size_t)srv->s_nmnts; i++)
		close(srv->s_mnts[i].fd);
	free(srv->s_slots);
	free(srv->s_free);
	free(srv->s_hash);
	br_mutex_destroy(&srv->s_lock);
	free(srv);
	return left;
}

pn_cookie_t
fsrv_root(const struct fsrv *srv)
{
	(void)srv;
	return 1;	/* the first slot */
}

void
fsrv_stats(struct fsrv *srv, struct fsrv_stats *st)
{
	br_mutex_lock(&srv->s_lock);
	*st = srv->s_st;
	br_mutex_unlock(&srv->s_lock);
	st->idcalls = atomic_load(&srv->s_idcalls);
}

int
fsrv_vtype(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return PN_VREG;
	case S_IFDIR:	return PN_VDIR;
	case S_IFLNK:	return PN_VLNK;
	case S_IFCHR:	return PN_VCHR;
	case S_IFBLK:	return PN_VBLK;
	case S_IFIFO:	return PN_VFIFO;
	case S_IFSOCK:	return PN_VSOCK;
	default:	return PN_VBAD;
	}
}

