/*
 * wraphost.c -- the wrapping host (see wraphost.h).
 */
#include "wraphost.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define W(p)	((struct wraphost *)(p))

static bool
fault(struct wraphost *w, enum wh_kind k)
{
	long n;

	atomic_fetch_add(&w->kind_calls[k], 1);
	if ((w->mask & (1u << k)) == 0)
		return false;
	n = atomic_fetch_add(&w->calls, 1) + 1;
	if (w->fail_at == 0)
		return false;
	if (n == w->fail_at || (w->forever && n > w->fail_at)) {
		atomic_fetch_add(&w->failed, 1);
		atomic_fetch_add(&w->kind_failed[k], 1);
		return true;
	}
	return false;
}

static int
code(struct wraphost *w, int dflt)
{
	return w->fail_code != 0 ? w->fail_code : dflt;
}

static void *
w_alloc(void *host, size_t size)
{
	struct wraphost *w = W(host);
	void *p;

	if (fault(w, WH_ALLOC))
		return NULL;
	if (w->alloc_cap != 0 && size > w->alloc_cap)
		return NULL;
	p = w->inner.alloc(w->ih, size);
	if (p != NULL) {
		atomic_fetch_add(&w->bytes, (long long)size);
		atomic_fetch_add(&w->nallocs, 1);
	}
	return p;
}

static void
w_free(void *host, void *p, size_t size)
{
	struct wraphost *w = W(host);

	atomic_fetch_sub(&w->bytes, (long long)size);
	atomic_fetch_sub(&w->nallocs, 1);
	w->inner.free(w->ih, p, size);
}

static int
w_lock_init(void *host, struct pn_lock **lkp)
{
	struct wraphost *w = W(host);
	int error;

	if (fault(w, WH_LOCK))
		return code(w, PN_ENOMEM);
	if ((error = w->inner.lock_init(w->ih, lkp)) == 0)
		atomic_fetch_add(&w->locks, 1);
	return error;
}

static void
w_lock_fini(void *host, struct pn_lock *lk)
{
	atomic_fetch_sub(&W(host)->locks, 1);
	W(host)->inner.lock_fini(W(host)->ih, lk);
}

static void
w_lock_enter(void *host, struct pn_lock *lk)
{
	W(host)->inner.lock_enter(W(host)->ih, lk);
}

static void
w_lock_exit(void *host, struct pn_lock *lk)
{
	struct wraphost *w = W(host);

	w->inner.lock_exit(w->ih, lk);
	if (w->exit_hook != NULL)
		w->exit_hook(w, lk);
}

static int
w_lock_held(void *host, struct pn_lock *lk)
{
	struct wraphost *w = W(host);

	if (atomic_load(&w->lie_held))
		return 0;
	if (w->inner.lock_held == NULL)
		return -1;
	return w->inner.lock_held(w->ih, lk);
}

static int
w_cv_init(void *host, struct pn_cv **cvp)
{
	struct wraphost *w = W(host);
	int error;

	if (fault(w, WH_CV))
		return code(w, PN_ENOMEM);
	if ((error = w->inner.cv_init(w->ih, cvp)) == 0)
		atomic_fetch_add(&w->cvs, 1);
	return error;
}

static void
w_cv_fini(void *host, struct pn_cv *cv)
{
	atomic_fetch_sub(&W(host)->cvs, 1);
	W(host)->inner.cv_fini(W(host)->ih, cv);
}

static void
w_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk)
{
	W(host)->inner.cv_wait(W(host)->ih, cv, lk);
}

static void
w_cv_broadcast(void *host, struct pn_cv *cv)
{
	W(host)->inner.cv_broadcast(W(host)->ih, cv);
}

static int
w_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct wraphost *w = W(host);

	if (fault(w, WH_VALLOC))
		return code(w, PN_ENOMEM);
	return w->inner.vnode_alloc(w->ih, type, vpp);
}

static void
w_vnode_free(void *host, struct pn_vnode *vp)
{
	W(host)->inner.vnode_free(W(host)->ih, vp);
}

static int
w_vnode_get(void *host, struct pn_vnode *vp)
{
	struct wraphost *w = W(host);
	int delay = atomic_load(&w->vget_delay_us);

	if (delay > 0)
		usleep((useconds_t)delay);
	/* Never PN_ENOENT: that means "being reclaimed" and is waited on. */
	if (fault(w, WH_VGET))
		return code(w, PN_EIO);
	return w->inner.vnode_get(w->ih, vp);
}

static void
w_vnode_rele(void *host, struct pn_vnode *vp)
{
	W(host)->inner.vnode_rele(W(host)->ih, vp);
}

static void
w_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	W(host)->inner.vnode_setdata(W(host)->ih, vp, pn);
}

static struct pn_node *
w_vnode_getdata(void *host, struct pn_vnode *vp)
{
	return W(host)->inner.vnode_getdata(W(host)->ih, vp);
}

static void
w_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	W(host)->inner.vnode_setsize(W(host)->ih, vp, size);
}

static int64_t
w_vnode_getsize(void *host, struct pn_vnode *vp)
{
	return W(host)->inner.vnode_getsize(W(host)->ih, vp);
}

static int
w_vnode_attach(void *host, struct pn_vnode *vp)
{
	struct wraphost *w = W(host);

	if (fault(w, WH_ATTACH))
		return code(w, PN_ENXIO);
	return w->inner.vnode_attach != NULL ?
	    w->inner.vnode_attach(w->ih, vp) : 0;
}

static bool
w_mount_dying(void *host)
{
	struct wraphost *w = W(host);
	long after = atomic_load(&w->dying_after);
	long n = atomic_fetch_add(&w->dying_calls, 1) + 1;

	if (after != 0 && n >= after)
		return true;
	return w->inner.mount_dying != NULL && w->inner.mount_dying(w->ih);
}

static void
w_vnode_setops(void *host, struct pn_vnode *vp, unsigned kind)
{
	if (W(host)->inner.vnode_setops != NULL)
		W(host)->inner.vnode_setops(W(host)->ih, vp, kind);
}

static int
w_vnode_checkalias(void *host, struct pn_vnode *vp, uint64_t rdev,
    struct pn_vnode **aliasp)
{
	struct wraphost *w = W(host);

	*aliasp = NULL;
	if (fault(w, WH_ALIAS))
		return code(w, PN_ENOMEM);
	return w->inner.vnode_checkalias != NULL ?
	    w->inner.vnode_checkalias(w->ih, vp, rdev, aliasp) : 0;
}

static void
w_vnode_lock(void *host, struct pn_vnode *vp)
{
	if (W(host)->inner.vnode_lock != NULL)
		W(host)->inner.vnode_lock(W(host)->ih, vp);
}

static int
w_vnode_getattr_size(void *host, struct pn_vnode *vp, int64_t *sizep)
{
	struct wraphost *w = W(host);

	if (fault(w, WH_GETATTR))
		return code(w, PN_EIO);
	if (w->inner.vnode_getattr_size == NULL)
		return PN_EOPNOTSUPP;
	return w->inner.vnode_getattr_size(w->ih, vp, sizep);
}

static void
w_node_init(void *host, struct pn_vnode *vp)
{
	if (W(host)->inner.node_init != NULL)
		W(host)->inner.node_init(W(host)->ih, vp);
}

static void
w_node_fini(void *host, struct pn_vnode *vp)
{
	if (W(host)->inner.node_fini != NULL)
		W(host)->inner.node_fini(W(host)->ih, vp);
}

static void
w_namecache_enter(void *host, struct pn_vnode *dvp, struct pn_vnode *vp,
    const char *name, size_t namelen)
{
	if (W(host)->inner.namecache_enter != NULL)
		W(host)->inner.namecache_enter(W(host)->ih, dvp, vp, name,
		    namelen);
}

static int
w_cred_get(void *host, const struct pn_cred *cred, uint32_t *uid,
    uint32_t *gid, uint32_t *groups, size_t maxgroups, size_t *ngroups)
{
	struct wraphost *w = W(host);

	if (fault(w, WH_CRED))
		return code(w, PN_ENOMEM);
	if (w->inner.cred_get == NULL)
		return PN_EOPNOTSUPP;
	return w->inner.cred_get(w->ih, cred, uid, gid, groups, maxgroups,
	    ngroups);
}

static int
w_caller_ids(void *host, const struct pn_caller *caller, int32_t *pid,
    int32_t *lwpid)
{
	if (W(host)->inner.caller_ids == NULL)
		return PN_EOPNOTSUPP;
	return W(host)->inner.caller_ids(W(host)->ih, caller, pid, lwpid);
}

static void
w_poll_notify(void *host, struct pn_vnode *vp, int revents)
{
	if (W(host)->inner.poll_notify != NULL)
		W(host)->inner.poll_notify(W(host)->ih, vp, revents);
}

static void
w_bio_done(void *host, struct pn_bio *bp)
{
	if (W(host)->inner.bio_done != NULL)
		W(host)->inner.bio_done(W(host)->ih, bp);
}

static void
w_clock_now(void *host, struct pn_timespec *ts)
{
	if (W(host)->inner.clock_now != NULL)
		W(host)->inner.clock_now(W(host)->ih, ts);
}

static void w_log(void *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
w_log(void *host, int level, const char *fmt, ...)
{
	struct wraphost *w = W(host);
	char buf[512];
	va_list ap;

	if (w->inner.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->inner.log(w->ih, level, "%s", buf);
}

static void
w_misbehaved(void *host, int reason, uint64_t cookie, const char *what)
{
	if (W(host)->inner.server_misbehaved != NULL)
		W(host)->inner.server_misbehaved(W(host)->ih, reason, cookie,
		    what);
}

/*
 * A core assertion failed: the inner host's stop; without one, return
 * and the core logs and traps.
 */
static void
w_panic(void *host, const char *what, const char *file, int line)
{
	if (W(host)->inner.panic != NULL)
		W(host)->inner.panic(W(host)->ih, what, file, line);
}

static void
w_yield(void *host)
{
	if (W(host)->inner.yield != NULL)
		W(host)->inner.yield(W(host)->ih);
}

void
wh_init(struct wraphost *w, const struct pn_host_ops *inner, void *ih,
    unsigned flags)
{
	memset(w, 0, sizeof(*w));
	w->inner = *inner;
	w->ih = ih;
	w->mask = ~0u;
	w->ops = (struct pn_host_ops){
		.version = PN_HOST_OPS_VERSION,
		.alloc = w_alloc,
		.free = w_free,
		.lock_init = w_lock_init,
		.lock_fini = w_lock_fini,
		.lock_enter = w_lock_enter,
		.lock_exit = w_lock_exit,
		.cv_init = w_cv_init,
		.cv_fini = w_cv_fini,
		.cv_wait = w_cv_wait,
		.cv_broadcast = w_cv_broadcast,
		.vnode_alloc = w_vnode_alloc,
		.vnode_free = w_vnode_free,
		.vnode_get = w_vnode_get,
		.vnode_rele = w_vnode_rele,
		.vnode_setdata = w_vnode_setdata,
		.vnode_getdata = w_vnode_getdata,
		.vnode_setsize = w_vnode_setsize,
		.vnode_getsize = w_vnode_getsize,
	};
	if (flags & WH_MINIMAL)
		return;
	w->ops.lock_held = w_lock_held;
	w->ops.vnode_attach = w_vnode_attach;
	w->ops.mount_dying = w_mount_dying;
	w->ops.vnode_setops = w_vnode_setops;
	w->ops.vnode_checkalias = w_vnode_checkalias;
	w->ops.vnode_lock = w_vnode_lock;
	w->ops.vnode_getattr_size = w_vnode_getattr_size;
	w->ops.node_init = w_node_init;
	w->ops.node_fini = w_node_fini;
	w->ops.namecache_enter = w_namecache_enter;
	w->ops.cred_get = w_cred_get;
	w->ops.caller_ids = w_caller_ids;
	w->ops.poll_notify = w_poll_notify;
	w->ops.bio_done = w_bio_done;
	w->ops.clock_now = w_clock_now;
	w->ops.log = w_log;
	w->ops.server_misbehaved = w_misbehaved;
	w->ops.yield = w_yield;
	if (inner->version >= 2)
		w->ops.panic = w_panic;
}

void
wh_fail_at(struct wraphost *w, long n, bool forever)
{
	atomic_store(&w->calls, 0);
	atomic_store(&w->failed, 0);
	w->forever = forever;
	w->fail_at = n;
}

long
wh_calls(struct wraphost *w)
{
	return atomic_load(&w->calls);
}

int
wh_check(struct wraphost *w)
{
	int bad = 0;

	if (atomic_load(&w->bytes) != 0 || atomic_load(&w->nallocs) != 0) {
		fprintf(stderr, "wraphost: %lld bytes in %ld allocations left\n",
		    (long long)atomic_load(&w->bytes),
		    (long)atomic_load(&w->nallocs));
		bad = 1;
	}
	if (atomic_load(&w->locks) != 0 || atomic_load(&w->cvs) != 0) {
		fprintf(stderr, "wraphost: %ld locks, %ld cvs left\n",
		    (long)atomic_load(&w->locks), (long)atomic_load(&w->cvs));
		bad = 1;
	}
	return bad;
}
