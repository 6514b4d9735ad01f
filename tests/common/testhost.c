/*
 * testhost.c -- the test host (see testhost.h).
 */
#include "testhost.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <puffsnode/posix.h>

#define H(p)	((struct th_host *)(p))

/* Allocations carry their size in front, to check free's size argument. */
struct hdr {
	size_t	size;
	size_t	magic;
};
#define MAGIC	((size_t)0x70756666736e6f64ull)

static void *
h_alloc(void *host, size_t size)
{
	struct th_host *h = H(host);
	struct hdr *p;

	p = pn_posix_alloc(host, sizeof(*p) + size);
	if (p == NULL)
		return NULL;
	p->size = size;
	p->magic = MAGIC;
	atomic_fetch_add(&h->h_allocs, 1);
	atomic_fetch_add(&h->h_bytes, (long long)size);
	return p + 1;
}

static void
h_free(void *host, void *ptr, size_t size)
{
	struct th_host *h = H(host);
	struct hdr *p = (struct hdr *)ptr - 1;

	if (p->magic != MAGIC || p->size != size) {
		fprintf(stderr, "testhost: bad free of %p (size %zu, had %zu)\n",
		    ptr, size, p->size);
		abort();
	}
	p->magic = 0;
	atomic_fetch_add(&h->h_frees, 1);
	atomic_fetch_sub(&h->h_bytes, (long long)size);
	pn_posix_free(host, p, sizeof(*p) + size);
}

/* The kit's exact answer, counted (test_defects checks the core asks). */
static int
h_lock_held(void *host, struct pn_lock *lk)
{
	int held = pn_posix_lock_held(host, lk);

	atomic_fetch_add(held ? &H(host)->h_held_yes : &H(host)->h_held_no, 1);
	return held;
}

/* ---- vnodes ---- */

static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct th_host *h = H(host);
	struct pn_vnode *vp;
	int delay;

	if ((vp = calloc(1, sizeof(*vp))) == NULL)
		return PN_ENOMEM;
	if ((delay = atomic_load(&h->h_valloc_delay_us)) > 0)
		usleep((useconds_t)delay);
	vp->v_state = TH_VN_ACTIVE;
	vp->v_type = type;
	vp->v_usecount = 1;
	vp->v_attrsize = -1;
	pthread_mutex_lock(&h->h_mtx);
	vp->v_next = h->h_vnodes;
	if (h->h_vnodes != NULL)
		h->h_vnodes->v_prev = vp;
	h->h_vnodes = vp;
	pthread_mutex_unlock(&h->h_mtx);
	atomic_fetch_add(&h->h_valloc, 1);
	*vpp = vp;
	return PN_OK;
}

static void
vnode_unlink_free(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	if (vp->v_prev != NULL)
		vp->v_prev->v_next = vp->v_next;
	else
		h->h_vnodes = vp->v_next;
	if (vp->v_next != NULL)
		vp->v_next->v_prev = vp->v_prev;
	pthread_mutex_unlock(&h->h_mtx);
	free(vp);
}

static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	atomic_fetch_add(&H(host)->h_vfree, 1);
	vnode_unlink_free(H(host), vp);
}

static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	struct th_host *h = H(host);
	int error = PN_OK;

	pthread_mutex_lock(&h->h_mtx);
	if (vp->v_state != TH_VN_ACTIVE)
		error = PN_ENOENT;
	else
		vp->v_usecount++;
	pthread_mutex_unlock(&h->h_mtx);
	atomic_fetch_add(error ? &h->h_vget_fail : &h->h_vget, 1);
	return error;
}

static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	th_vrele(H(host), vp);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	pthread_mutex_lock(&H(host)->h_mtx);
	vp->v_data = pn;
	pthread_mutex_unlock(&H(host)->h_mtx);
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	struct pn_node *pn;

	pthread_mutex_lock(&H(host)->h_mtx);
	pn = vp->v_data;
	pthread_mutex_unlock(&H(host)->h_mtx);
	return pn;
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	pthread_mutex_lock(&H(host)->h_mtx);
	vp->v_size = size;
	pthread_mutex_unlock(&H(host)->h_mtx);
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	int64_t size;

	pthread_mutex_lock(&H(host)->h_mtx);
	size = vp->v_size;
	pthread_mutex_unlock(&H(host)->h_mtx);
	return size;
}

static int
h_vnode_attach(void *host, struct pn_vnode *vp)
{
	(void)host;
	vp->v_attached = true;
	return PN_OK;
}

static void
h_vnode_setops(void *host, struct pn_vnode *vp, unsigned kind)
{
	(void)host;
	vp->v_opskind |= kind;
}

static int
h_vnode_checkalias(void *host, struct pn_vnode *vp, uint64_t rdev,
    struct pn_vnode **aliasp)
{
	struct th_host *h = H(host);

	*aliasp = NULL;
	vp->v_rdev = rdev;
	pthread_mutex_lock(&h->h_mtx);
	if (h->h_alias != NULL && h->h_alias->v_rdev == rdev &&
	    h->h_alias->v_state == TH_VN_ACTIVE) {
		h->h_alias->v_usecount++;
		*aliasp = h->h_alias;
		h->h_alias = NULL;	/* adopted once */
	}
	pthread_mutex_unlock(&h->h_mtx);
	return PN_OK;
}

static void
h_vnode_lock(void *host, struct pn_vnode *vp)
{
	pthread_mutex_lock(&H(host)->h_mtx);
	vp->v_lockcount++;
	pthread_mutex_unlock(&H(host)->h_mtx);
}

static int
h_vnode_getattr_size(void *host, struct pn_vnode *vp, int64_t *sizep)
{
	pthread_mutex_lock(&H(host)->h_mtx);
	*sizep = vp->v_attrsize;
	pthread_mutex_unlock(&H(host)->h_mtx);
	return PN_OK;
}

static void
h_node_init(void *host, struct pn_vnode *vp)
{
	(void)host;
	vp->v_inited = true;
}

static void
h_node_fini(void *host, struct pn_vnode *vp)
{
	(void)host;
	vp->v_inited = false;
}

static void
h_namecache_enter(void *host, struct pn_vnode *dvp, struct pn_vnode *vp,
    const char *name, size_t namelen)
{
	(void)dvp;
	(void)vp;
	(void)name;
	(void)namelen;
	atomic_fetch_add(&H(host)->h_namecache, 1);
}

static int
h_cred_get(void *host, const struct pn_cred *cred, uint32_t *uid,
    uint32_t *gid, uint32_t *groups, size_t maxgroups, size_t *ngroups)
{
	size_t i;

	(void)host;
	*uid = cred->c_uid;
	*gid = cred->c_gid;
	for (i = 0; i < cred->c_ngroups && i < maxgroups; i++)
		groups[i] = cred->c_groups[i];
	*ngroups = cred->c_ngroups;
	return PN_OK;
}

static int
h_caller_ids(void *host, const struct pn_caller *l, int32_t *pid,
    int32_t *lwpid)
{
	(void)host;
	if (l->l_fail)
		return PN_EOPNOTSUPP;
	*pid = l->l_pid;
	*lwpid = l->l_lwpid;
	return PN_OK;
}

static void
h_poll_notify(void *host, struct pn_vnode *vp, int revents)
{
	vp->v_revents |= revents;
	atomic_fetch_add(&H(host)->h_poll_notify, 1);
}

static void
h_bio_done(void *host, struct pn_bio *bp)
{
	(void)bp;
	atomic_fetch_add(&H(host)->h_bio_done, 1);
}

static void
h_clock_now(void *host, struct pn_timespec *ts)
{
	pthread_mutex_lock(&H(host)->h_mtx);
	*ts = H(host)->h_now;
	pthread_mutex_unlock(&H(host)->h_mtx);
}

static void	h_log(void *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
h_log(void *host, int level, const char *fmt, ...)
{
	struct th_host *h = H(host);
	va_list ap;

	if (level >= PN_LOG_PANIC)
		atomic_fetch_add(&h->h_panics, 1);
	else if (level >= PN_LOG_WARN)
		atomic_fetch_add(&h->h_warns, 1);
	if (level < h->h_loglevel)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "testhost log(%d): ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
h_misbehaved(void *host, int reason, uint64_t cookie, const char *what)
{
	struct th_host *h = H(host);

	(void)what;
	if (reason >= 0 && reason < 16)
		atomic_fetch_add(&h->h_misbehaved[reason], 1);
	atomic_store(&h->h_lastreason, reason);
	atomic_store(&h->h_lastcookie, cookie);
}

void
th_init(struct th_host *h)
{
	struct pn_host_ops base = {
		.vnode_alloc = h_vnode_alloc,
		.vnode_free = h_vnode_free,
		.vnode_get = h_vnode_get,
		.vnode_rele = h_vnode_rele,
		.vnode_setdata = h_vnode_setdata,
		.vnode_getdata = h_vnode_getdata,
		.vnode_setsize = h_vnode_setsize,
		.vnode_getsize = h_vnode_getsize,
		.vnode_attach = h_vnode_attach,
		.vnode_setops = h_vnode_setops,
		.vnode_checkalias = h_vnode_checkalias,
		.vnode_lock = h_vnode_lock,
		.vnode_getattr_size = h_vnode_getattr_size,
		.node_init = h_node_init,
		.node_fini = h_node_fini,
		.namecache_enter = h_namecache_enter,
		.cred_get = h_cred_get,
		.caller_ids = h_caller_ids,
		.poll_notify = h_poll_notify,
		.bio_done = h_bio_done,
		.server_misbehaved = h_misbehaved,
	};

	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->h_mtx, NULL);
	h->h_loglevel = 99;
	/* The kit's members, then the ones this host counts or sets. */
	(void)pn_posix_fill_ops(&base, PN_HOST_OPS_VERSION);
	base.alloc = h_alloc;
	base.free = h_free;
	base.lock_held = h_lock_held;
	base.clock_now = h_clock_now;
	base.log = h_log;
	/*
	 * Every call goes through the injector, which does nothing until
	 * wh_fail_at(); h is also the injector (its first member).
	 */
	wh_init(&h->h_w, &base, h, 0);
	h->h_ops = h->h_w.ops;
}

int
th_fini(struct th_host *h)
{
	int bad = 0;

	if (h->h_vnodes != NULL) {
		fprintf(stderr, "testhost: %ld vnodes left\n", th_nvnodes(h));
		bad = 1;
	}
	if (atomic_load(&h->h_bytes) != 0) {
		fprintf(stderr, "testhost: %lld bytes left\n",
		    (long long)atomic_load(&h->h_bytes));
		bad = 1;
	}
	if (wh_check(&h->h_w) != 0)
		bad = 1;
	pthread_mutex_destroy(&h->h_mtx);
	return bad;
}

struct pn_mount_args
th_args(pn_cookie_t root)
{
	struct pn_mount_args a = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = root,
		.root_type = PN_VDIR,
		.root_size = 0,
		.flags = PN_MNT_NAMECACHE,
	};

	/* Suites run a second time over split mounts (PN_TEST_PARTS=1). */
	if (th_parts())
		a.flags |= PN_MNT_PARTS;
	return a;
}

bool
th_parts(void)
{
	const char *e = getenv("PN_TEST_PARTS");

	return e != NULL && strcmp(e, "1") == 0;
}

int
th_mount(struct th_host *h, const struct pn_mount_args *args)
{
	return pn_mount_create(&h->h_ops, h, args, &h->h_mp);
}

void
th_vref(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	vp->v_usecount++;
	pthread_mutex_unlock(&h->h_mtx);
}

void
th_vrele(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	if (vp->v_usecount <= 0) {
		fprintf(stderr, "testhost: vrele of an unused vnode\n");
		abort();
	}
	vp->v_usecount--;
	pthread_mutex_unlock(&h->h_mtx);
	atomic_fetch_add(&h->h_vrele, 1);
}

void
th_vunlock(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	if (vp->v_lockcount <= 0) {
		fprintf(stderr, "testhost: unlock of an unlocked vnode\n");
		abort();
	}
	vp->v_lockcount--;
	pthread_mutex_unlock(&h->h_mtx);
}

void
th_reclaim_begin(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	vp->v_state = TH_VN_RECLAIMING;
	pthread_mutex_unlock(&h->h_mtx);
}

int
th_reclaim_finish(struct th_host *h, struct pn_vnode *vp)
{
	int error;

	error = pn_putvnode(h->h_mp, vp);
	if (error != PN_OK)
		return error;
	pthread_mutex_lock(&h->h_mtx);
	vp->v_state = TH_VN_DEAD;
	pthread_mutex_unlock(&h->h_mtx);
	atomic_fetch_add(&h->h_vreclaimed, 1);
	vnode_unlink_free(h, vp);
	return PN_OK;
}

int
th_reclaim(struct th_host *h, struct pn_vnode *vp)
{
	pthread_mutex_lock(&h->h_mtx);
	if (vp->v_usecount != 0 || vp->v_state != TH_VN_ACTIVE) {
		pthread_mutex_unlock(&h->h_mtx);
		return PN_EBUSY;
	}
	vp->v_state = TH_VN_RECLAIMING;
	pthread_mutex_unlock(&h->h_mtx);
	return th_reclaim_finish(h, vp);
}

int
th_reclaim_unused(struct th_host *h)
{
	struct pn_vnode *vp;
	int n = 0;

	for (;;) {
		pthread_mutex_lock(&h->h_mtx);
		for (vp = h->h_vnodes; vp != NULL; vp = vp->v_next)
			if (vp->v_usecount == 0 && vp->v_state == TH_VN_ACTIVE)
				break;
		if (vp != NULL)
			vp->v_state = TH_VN_RECLAIMING;
		pthread_mutex_unlock(&h->h_mtx);
		if (vp == NULL)
			return n;
		if (th_reclaim_finish(h, vp) != PN_OK)
			return -1;
		n++;
	}
}

long
th_nvnodes(struct th_host *h)
{
	struct pn_vnode *vp;
	long n = 0;

	pthread_mutex_lock(&h->h_mtx);
	for (vp = h->h_vnodes; vp != NULL; vp = vp->v_next)
		n++;
	pthread_mutex_unlock(&h->h_mtx);
	return n;
}

int
th_vstate(struct th_host *h, struct pn_vnode *vp)
{
	int st;

	pthread_mutex_lock(&h->h_mtx);
	st = vp->v_state;
	pthread_mutex_unlock(&h->h_mtx);
	return st;
}

int
th_vusecount(struct th_host *h, struct pn_vnode *vp)
{
	int n;

	pthread_mutex_lock(&h->h_mtx);
	n = vp->v_usecount;
	pthread_mutex_unlock(&h->h_mtx);
	return n;
}
