/*
 * host.c -- struct pn_host_ops on Linux kernel services.
 *
 * Every member runs in process context and may sleep, except vnode_get
 * and vnode_getdata, which the core calls inside its lock-free read
 * sections: they only touch atomics.  The core's locks are mutexes, so a
 * member it calls with one held may sleep too (alloc, cv_wait, yield),
 * but must not re-enter the core for the same mount; none does.  No
 * spinlock of this file is ever held across a call into the core.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/stdarg.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "host.h"

#define H(p)	((struct pn_khost *)(p))

/* ---- memory ---- */

/*
 * The core calls alloc with none of its locks held, but its callers are
 * this file system's operations, which may hold the VFS's locks of this
 * file system (a directory's, during lookup or create), and direct
 * reclaim evicting its inodes calls pn_putvnode(): so, as a file
 * system's allocations do, none here enters the file system (the
 * GFP_NOFS scope, which kvmalloc's vmalloc fallback honours too).
 */
static void *
h_alloc(void *host, size_t size)
{
	struct pn_khost *h = H(host);
	unsigned int nofs;
	void *p;

	nofs = memalloc_nofs_save();
	p = kvmalloc(size, GFP_KERNEL);
	memalloc_nofs_restore(nofs);
	if (p == NULL)
		return NULL;
	/* kmalloc aligns objects of 16 bytes and more to 16 (no slab debug). */
	if (size >= __BIGGEST_ALIGNMENT__ &&
	    !IS_ALIGNED((unsigned long)p, __BIGGEST_ALIGNMENT__))
		atomic64_inc(&h->h_misaligned);
	atomic64_inc(&h->h_allocs);
	atomic64_add(size, &h->h_bytes);
	return p;
}

static void
h_free(void *host, void *p, size_t size)
{
	struct pn_khost *h = H(host);

	kvfree(p);
	atomic64_inc(&h->h_frees);
	atomic64_sub(size, &h->h_bytes);
}

/* ---- mutexes ---- */

/*
 * Each lock has its own lockdep class (a dynamic key): the core takes a
 * stripe lock alone and the mount lock alone, and lockdep checks that.
 * l_owner answers lock_held exactly.
 */
struct pn_lock {
	struct mutex		 l_mtx;
	struct task_struct	*l_owner;	/* READ_ONCE: the holder */
	struct lock_class_key	 l_key;
};

static int
h_lock_init(void *host, struct pn_lock **lkp)
{
	struct pn_lock *lk;

	lk = kzalloc(sizeof(*lk), GFP_KERNEL);
	if (lk == NULL)
		return PN_ENOMEM;
	lockdep_register_key(&lk->l_key);
	__mutex_init(&lk->l_mtx, "pn_lock", &lk->l_key);
	atomic64_inc(&H(host)->h_locks);
	*lkp = lk;
	return 0;
}

static void
h_lock_fini(void *host, struct pn_lock *lk)
{
	mutex_destroy(&lk->l_mtx);
	lockdep_unregister_key(&lk->l_key);
	kfree(lk);
	atomic64_dec(&H(host)->h_locks);
}

static void
h_lock_enter(void *host, struct pn_lock *lk)
{
	mutex_lock(&lk->l_mtx);
	WRITE_ONCE(lk->l_owner, current);
}

static void
h_lock_exit(void *host, struct pn_lock *lk)
{
	WRITE_ONCE(lk->l_owner, NULL);
	mutex_unlock(&lk->l_mtx);
}

static int
h_lock_held(void *host, struct pn_lock *lk)
{
	return READ_ONCE(lk->l_owner) == current;
}

/* ---- condition variables ---- */

/*
 * A wait queue and a sequence number.  The waiter reads the number with
 * the lock held, drops the lock and sleeps until the number moves; a
 * broadcast (made with the same lock held, or after the change it
 * announces) moves it and wakes everyone.  A broadcast between the
 * unlock and the sleep is not lost: wait_event() queues the waiter
 * before it tests the number.  Spurious wakeups are allowed.
 */
struct pn_cv {
	wait_queue_head_t	 cv_wq;
	atomic_long_t		 cv_seq;
};

static int
h_cv_init(void *host, struct pn_cv **cvp)
{
	struct pn_cv *cv;

	cv = kzalloc(sizeof(*cv), GFP_KERNEL);
	if (cv == NULL)
		return PN_ENOMEM;
	init_waitqueue_head(&cv->cv_wq);
	atomic_long_set(&cv->cv_seq, 0);
	atomic64_inc(&H(host)->h_cvs);
	*cvp = cv;
	return 0;
}

static void
h_cv_fini(void *host, struct pn_cv *cv)
{
	WARN_ON_ONCE(waitqueue_active(&cv->cv_wq));
	kfree(cv);
	atomic64_dec(&H(host)->h_cvs);
}

static void
h_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk)
{
	long seq = atomic_long_read(&cv->cv_seq);

	atomic64_inc(&H(host)->h_cvwaits);
	h_lock_exit(host, lk);
	wait_event(cv->cv_wq, atomic_long_read(&cv->cv_seq) != seq);
	h_lock_enter(host, lk);
}

static void
h_cv_broadcast(void *host, struct pn_cv *cv)
{
	atomic_long_inc(&cv->cv_seq);
	wake_up_all(&cv->cv_wq);
}

/* ---- vnodes ---- */

static void
vn_unlist(struct pn_khost *h, struct pn_vnode *vp)
{
	spin_lock(&h->h_vlock);
	if (vp->v_listed) {
		list_del_init(&vp->v_list);
		vp->v_listed = false;
	}
	spin_unlock(&h->h_vlock);
}

static void
vn_destroy(struct pn_khost *h, struct pn_vnode *vp)
{
	mutex_destroy(&vp->v_lock);
	kmem_cache_free(h->h_vcache, vp);
	atomic64_inc(&h->h_vfrees);
}

static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct pn_khost *h = H(host);
	struct pn_vnode *vp;

	vp = kmem_cache_zalloc(h->h_vcache, GFP_KERNEL);
	if (vp == NULL)
		return PN_ENOMEM;
	atomic_set(&vp->v_use, 1);	/* the caller's reference */
	vp->v_type = type;
	INIT_LIST_HEAD(&vp->v_list);
	mutex_init(&vp->v_lock);
	vp->v_host = h;
	atomic64_inc(&h->h_vallocs);
	*vpp = vp;
	return 0;
}

/*
 * A vnode the core made and never handed out: its build failed, or it was
 * built first and another caller entered the cookie before it.
 */
static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	struct pn_khost *h = H(host);

	vn_unlist(h, vp);
	atomic64_inc(&h->h_vlosers);
	vn_destroy(h, vp);
}

/*
 * vget.  Called inside a read section: must not sleep, and refuses at
 * once a vnode whose reclaim has begun.  An inactive vnode (no user) is
 * taken back, as the inode cache does.
 */
static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	int use = atomic_read(&vp->v_use);

	do {
		if (use & PN_KVN_DYING)
			return PN_ENOENT;
		if (use == PN_KVN_DYING - 1)
			return PN_ERANGE;
	} while (!atomic_try_cmpxchg(&vp->v_use, &use, use + 1));
	return 0;
}

void
pn_kvn_rele(struct pn_vnode *vp)
{
	int use = atomic_dec_return(&vp->v_use);

	/* A release of a reference not held is the caller's bug. */
	if (WARN_ON_ONCE(use < 0 || (use & PN_KVN_DYING)))
		atomic64_inc(&vp->v_host->h_badcalls);
}

static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	pn_kvn_rele(vp);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	WRITE_ONCE(vp->v_data, pn);
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	return READ_ONCE(vp->v_data);
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	WRITE_ONCE(vp->v_size, size);
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	return READ_ONCE(vp->v_size);
}

static int
h_vnode_attach(void *host, struct pn_vnode *vp)
{
	struct pn_khost *h = H(host);

	if (atomic_add_unless(&h->h_fail_attach, -1, 0))
		return PN_ENOMEM;
	spin_lock(&h->h_vlock);
	list_add_tail(&vp->v_list, &h->h_vnodes);
	vp->v_listed = true;
	spin_unlock(&h->h_vlock);
	return 0;
}

static void
h_vnode_setops(void *host, struct pn_vnode *vp, unsigned kind)
{
	vp->v_ops |= kind;
}

static void
h_vnode_lock(void *host, struct pn_vnode *vp)
{
	mutex_lock(&vp->v_lock);
}

void
pn_kvn_unlock(struct pn_vnode *vp)
{
	mutex_unlock(&vp->v_lock);
}

static void
h_vnode_unlock(void *host, struct pn_vnode *vp)
{
	pn_kvn_unlock(vp);
}

int
pn_khost_reclaim(struct pn_khost *h)
{
	struct pn_vnode *vp, *found = NULL;
	bool empty;
	int error;

	spin_lock(&h->h_vlock);
	list_for_each_entry(vp, &h->h_vnodes, v_list) {
		int idle = 0;

		/* Inactive to dying: from here on vnode_get refuses it. */
		if (atomic_try_cmpxchg(&vp->v_use, &idle, PN_KVN_DYING)) {
			list_del_init(&vp->v_list);
			vp->v_listed = false;
			found = vp;
			break;
		}
	}
	empty = list_empty(&h->h_vnodes);
	spin_unlock(&h->h_vlock);
	if (found == NULL)
		return empty ? -ENOENT : 0;

	/* No spinlock held: pn_putvnode() sleeps on the mount lock. */
	error = pn_putvnode(h->h_mp, found);
	if (error != PN_OK) {
		pr_err("puffsnode: pn_putvnode: %s\n", pn_strerror(error));
		atomic64_inc(&h->h_badcalls);
		/* The core still points at it: leak rather than free. */
		return -EIO;
	}
	atomic64_inc(&h->h_reclaims);
	vn_destroy(h, found);
	return 1;
}

/* ---- time, log, diagnostics ---- */

static void
h_clock_now(void *host, struct pn_timespec *ts)
{
	struct timespec64 now;

	ktime_get_real_ts64(&now);
	ts->tv_sec = now.tv_sec;
	ts->tv_nsec = now.tv_nsec;
}

/* The core's formats use %s, %d and %llu only; printk has them all. */
static void
h_log(void *host, int level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	switch (level) {
	case PN_LOG_DEBUG:
		pr_debug("%pV\n", &vaf);
		break;
	case PN_LOG_INFO:
		pr_info("%pV\n", &vaf);
		break;
	case PN_LOG_WARN:
		pr_warn("%pV\n", &vaf);
		break;
	case PN_LOG_ERR:
		pr_err("%pV\n", &vaf);
		break;
	default:
		/* A broken rule: the core refused and goes on; so does the host. */
		atomic64_inc(&H(host)->h_panics);
		pr_crit("%pV\n", &vaf);
		break;
	}
	va_end(ap);
}

/* Counted; a real host would also unmount a server that keeps at it. */
static void
h_server_misbehaved(void *host, int reason, uint64_t cookie,
    const char *what)
{
	struct pn_khost *h = H(host);

	if (reason < 0 || reason > PN_BAD_EVENTS)
		reason = 0;
	atomic64_inc(&h->h_misbehaved[reason]);
	pr_debug("puffsnode: server misbehaved: %s (cookie %llu)\n", what,
	    (unsigned long long)cookie);
}

/*
 * A core assertion failed: the core must not go on.  BUG() kills the
 * calling thread with an oops (a panic with oops=panic), the kernel's
 * answer to a broken invariant.
 */
static void
h_panic(void *host, const char *what, const char *file, int line)
{
	atomic64_inc(&H(host)->h_panics);
	pr_crit("puffsnode: assertion \"%s\" failed at %s:%d\n", what, file,
	    line);
	BUG();
}

/* Spin-waits of the core: never under a spinlock here, so it may sleep. */
static void
h_yield(void *host)
{
	if (!cond_resched())
		cpu_relax();
}

const struct pn_host_ops pn_khost_ops = {
	.version		= PN_HOST_OPS_VERSION,
	.alloc			= h_alloc,
	.free			= h_free,
	.lock_init		= h_lock_init,
	.lock_fini		= h_lock_fini,
	.lock_enter		= h_lock_enter,
	.lock_exit		= h_lock_exit,
	.lock_held		= h_lock_held,
	.cv_init		= h_cv_init,
	.cv_fini		= h_cv_fini,
	.cv_wait		= h_cv_wait,
	.cv_broadcast		= h_cv_broadcast,
	.vnode_alloc		= h_vnode_alloc,
	.vnode_free		= h_vnode_free,
	.vnode_get		= h_vnode_get,
	.vnode_rele		= h_vnode_rele,
	.vnode_setdata		= h_vnode_setdata,
	.vnode_getdata		= h_vnode_getdata,
	.vnode_setsize		= h_vnode_setsize,
	.vnode_getsize		= h_vnode_getsize,
	.vnode_attach		= h_vnode_attach,
	.vnode_setops		= h_vnode_setops,
	.vnode_lock		= h_vnode_lock,
	.vnode_unlock		= h_vnode_unlock,
	.clock_now		= h_clock_now,
	.log			= h_log,
	.server_misbehaved	= h_server_misbehaved,
	.yield			= h_yield,
	.panic			= h_panic,
};

int
pn_khost_init(struct pn_khost *h)
{
	memset(h, 0, sizeof(*h));
	h->h_vcache = kmem_cache_create("puffsnode_vnode",
	    sizeof(struct pn_vnode), 0, 0, NULL);
	if (h->h_vcache == NULL)
		return -ENOMEM;
	spin_lock_init(&h->h_vlock);
	INIT_LIST_HEAD(&h->h_vnodes);
	return 0;
}

/* Every vnode must be gone: kmem_cache_destroy() reports any left. */
void
pn_khost_fini(struct pn_khost *h)
{
	kmem_cache_destroy(h->h_vcache);
	h->h_vcache = NULL;
}
