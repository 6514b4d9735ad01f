/*
 * selftest.c -- the module's self-test: one mount's life on the kernel
 * host, with kernel threads racing where a file system's callers would.
 *
 *  1. mount, the root (its node's cookie checked); bad input refused
 *     and reported, a failing host member passed on and undone;
 *  2. get-or-create of every cookie by nthreads threads in lockstep
 *     over the same cookies, half of them starting half a lap ahead, so
 *     that every cookie is built by a race and then found by the others:
 *     every answer's node must carry the cookie asked for, and exactly
 *     one node per cookie must exist afterwards;
 *  3. lookups (pn_cookie2vnode) of every cookie, checked the same way,
 *     and of cookies never made (PN_ENOENT);
 *  4. reclaim of every vnode by two threads while two threads keep
 *     looking up: a lookup finds a vnode of the right cookie or nothing;
 *     afterwards no node is in use;
 *  5. pn_newnode races: nthreads threads create the same cookies in the
 *     same order; each cookie has exactly one winner, every loser gets
 *     PN_EEXIST and is reported as a duplicate by the core;
 *  6. unmount: drain, reclaim, pn_pool_stats shows 0 in use, the mount
 *     is destroyed and the host's counters balance.
 * One line with the counts and PASS or FAIL ends it.  A kernel warning
 * raised meanwhile (the kernel's W or D taint) fails it too.
 */
#include <linux/completion.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/stdarg.h>

#include "host.h"
#include "selftest.h"

#define ROOT_COOKIE	1ull
#define FIRST_COOKIE	2ull
#define MAX_THREADS	8
#define MAX_REPORTS	8	/* failures printed in full */

struct st {
	struct pn_khost		 host;
	struct pn_mount		*mp;
	unsigned long		 ncookies;	/* FIRST_COOKIE .. + ncookies - 1 */
	unsigned long		 nnew;		/* pn_newnode cookies */
	int			 nthreads;
	struct pn_vnode		*dvp;		/* the root, for pn_newnode */
	atomic_t		*winners;	/* per pn_newnode cookie */
	atomic_t		 stop;		/* lookups of phase 4 end */
	atomic_t		 failures;
	long long		 in_use_end;	/* pn_pool_stats at unmount; -1 unknown */
	long long		 getvnode_waits;	/* cv waits of phase 2 */

	/* counts for the result line */
	atomic64_t		 gets;		/* pn_getvnode answers checked */
	atomic64_t		 lookups;	/* pn_cookie2vnode hits checked */
	atomic64_t		 misses;	/* PN_ENOENT, where allowed */
	atomic64_t		 rlookups;	/* lookups during reclaim */
	atomic64_t		 rhits;
	atomic64_t		 reclaimed;
	atomic64_t		 newok;
	atomic64_t		 neweexist;
};

struct st_thread {
	struct st		*t;
	int			 id;
	int			(*fn)(struct st *, int);
	struct task_struct	*task;
	struct completion	 done;
};

static __printf(2, 3) void
st_fail(struct st *t, const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	if (atomic_inc_return(&t->failures) > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	pr_err("puffsnode: selftest: %pV\n", &vaf);
	va_end(ap);
}

static unsigned long long
cookie_at(struct st *t, unsigned long i)
{
	return FIRST_COOKIE + i % t->ncookies;
}

/* The size a cookie's file gets, checked on the vnode. */
static int64_t
cookie_size(unsigned long long c)
{
	return (int64_t)(c * 7 % 65536);
}

/* vp is the referenced answer for cookie c: check it, drop it. */
static bool
check_vnode(struct st *t, const char *what, unsigned long long c, int type,
    struct pn_vnode *vp)
{
	struct pn_node *pn = pn_vnode2node(t->mp, vp);
	bool ok = true;

	if (pn_node_cookie(pn) != c || vp->v_type != type ||
	    pn_node_vnode(pn) != vp) {
		st_fail(t, "%s(%llu): node of cookie %llu, type %d",
		    what, c, (unsigned long long)pn_node_cookie(pn),
		    vp->v_type);
		ok = false;
	} else if (type == PN_VREG &&
	    READ_ONCE(vp->v_size) != cookie_size(c)) {
		st_fail(t, "%s(%llu): size %lld", what, c,
		    (long long)READ_ONCE(vp->v_size));
		ok = false;
	}
	pn_kvn_rele(vp);
	return ok;
}

/* ---- the phases' thread bodies ---- */

/* Phase 2: even and odd threads in lockstep; ids 2, 3 mod 4 half a lap on. */
static int
th_getvnode(struct st *t, int id)
{
	unsigned long i, start = (id / 2) * (t->ncookies / 2);
	struct pn_vnode *vp;
	int error;

	for (i = 0; i < t->ncookies; i++) {
		unsigned long long c = cookie_at(t, start + i);

		error = pn_getvnode(t->mp, c, PN_VREG, cookie_size(c), 0, &vp);
		if (error != PN_OK) {
			st_fail(t, "pn_getvnode(%llu): %s", c,
			    pn_strerror(error));
			return error;
		}
		if (check_vnode(t, "pn_getvnode", c, PN_VREG, vp))
			atomic64_inc(&t->gets);
		cond_resched();
	}
	return 0;
}

/* Phase 3: every cookie, from a different place per thread, then misses. */
static int
th_lookup(struct st *t, int id)
{
	unsigned long i, start = id * (t->ncookies / t->nthreads);
	struct pn_vnode *vp;
	int error;

	for (i = 0; i < t->ncookies; i++) {
		unsigned long long c = cookie_at(t, start + i);

		error = pn_cookie2vnode(t->mp, c, 0, &vp);
		if (error != PN_OK) {
			st_fail(t, "pn_cookie2vnode(%llu): %s", c,
			    pn_strerror(error));
			return error;
		}
		if (check_vnode(t, "pn_cookie2vnode", c, PN_VREG, vp))
			atomic64_inc(&t->lookups);
		cond_resched();
	}
	for (i = 0; i < 1000; i++) {
		unsigned long long c = FIRST_COOKIE + t->ncookies + i;

		error = pn_cookie2vnode(t->mp, c, 0, &vp);
		if (error != PN_ENOENT || vp != NULL) {
			st_fail(t, "pn_cookie2vnode(%llu) never made: %s", c,
			    pn_strerror(error));
			return PN_EINVAL;
		}
		atomic64_inc(&t->misses);
	}
	return 0;
}

/* Phase 4, lookups: a vnode of the right cookie, or nothing. */
static int
th_rlookup(struct st *t, int id)
{
	unsigned long i = id * 7919;
	struct pn_vnode *vp;
	int error;

	while (!atomic_read(&t->stop)) {
		unsigned long long c = cookie_at(t, i++);

		error = pn_cookie2vnode(t->mp, c, 0, &vp);
		atomic64_inc(&t->rlookups);
		if (error == PN_OK) {
			if (check_vnode(t, "lookup during reclaim", c,
			    PN_VREG, vp))
				atomic64_inc(&t->rhits);
		} else if (error != PN_ENOENT) {
			st_fail(t, "pn_cookie2vnode(%llu) during reclaim: %s",
			    c, pn_strerror(error));
			return error;
		}
		cond_resched();
	}
	return 0;
}

/* Phase 4, and unmount: reclaim until no vnode is left. */
static int
th_reclaim(struct st *t, int id)
{
	int r;

	while ((r = pn_khost_reclaim(&t->host)) != -ENOENT) {
		if (r < 0) {
			st_fail(t, "reclaim: pn_putvnode refused");
			return r;
		}
		if (r == 1)
			atomic64_inc(&t->reclaimed);
		cond_resched();
	}
	return 0;
}

/* Phase 5: everyone creates the same cookies in the same order. */
static int
th_newnode(struct st *t, int id)
{
	struct pn_cn cn = {
		.cn_nameiop = PN_NAMEI_CREATE,
		.cn_nameptr = "f",
		.cn_namelen = 1,
		.cn_cred = PN_FSCRED,
	};
	unsigned long i;
	struct pn_vnode *vp;
	int error;

	for (i = 0; i < t->nnew; i++) {
		unsigned long long c = FIRST_COOKIE + t->ncookies + i;

		error = pn_newnode(t->mp, t->dvp, c, &cn, PN_VDIR, 0, &vp);
		if (error == PN_OK) {
			atomic_inc(&t->winners[i]);
			atomic64_inc(&t->newok);
			pn_kvn_unlock(vp);	/* pn_newnode locks it */
			check_vnode(t, "pn_newnode", c, PN_VDIR, vp);
		} else if (error == PN_EEXIST && vp == NULL) {
			atomic64_inc(&t->neweexist);
		} else {
			st_fail(t, "pn_newnode(%llu): %s", c,
			    pn_strerror(error));
			return error;
		}
		cond_resched();
	}
	return 0;
}

/* ---- threads ---- */

static int
st_thread_main(void *arg)
{
	struct st_thread *th = arg;

	th->fn(th->t, th->id);
	/* Completes and exits without returning into module text. */
	kthread_complete_and_exit(&th->done, 0);
}

/* Start n threads running fn, numbered from id0. */
static int
st_start(struct st *t, struct st_thread *th, int n, int id0,
    int (*fn)(struct st *, int))
{
	int i;

	for (i = 0; i < n; i++) {
		th[i].t = t;
		th[i].id = id0 + i;
		th[i].fn = fn;
		init_completion(&th[i].done);
		th[i].task = kthread_run(st_thread_main, &th[i], "pn_st%d",
		    id0 + i);
		if (IS_ERR(th[i].task)) {
			st_fail(t, "kthread_run: %ld", PTR_ERR(th[i].task));
			return i;
		}
	}
	return n;
}

/* Wait for n threads; short sleeps keep the hung-task detector quiet. */
static void
st_wait(struct st_thread *th, int n)
{
	int i;

	for (i = 0; i < n; i++)
		while (!wait_for_completion_timeout(&th[i].done, 10 * HZ))
			continue;
}

static int
st_run(struct st *t, int n, int (*fn)(struct st *, int))
{
	struct st_thread th[MAX_THREADS];
	int started = st_start(t, th, n, 0, fn);

	st_wait(th, started);
	return started == n ? 0 : -ECHILD;
}

/* ---- checks ---- */

/* Nodes in use and table entries must be as expected; returns in_use. */
static long long
check_pool(struct st *t, const char *when, size_t in_use, size_t entries)
{
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	int error;

	if ((error = pn_pool_stats(t->mp, &ps)) != PN_OK ||
	    (error = pn_table_stats(t->mp, &ts)) != PN_OK) {
		st_fail(t, "%s: stats: %s", when, pn_strerror(error));
		return -1;
	}
	if (ps.in_use != in_use || ts.entries != entries)
		st_fail(t, "%s: %zu nodes in use, %zu in the table; "
		    "expected %zu, %zu", when, ps.in_use, ts.entries, in_use,
		    entries);
	return (long long)ps.in_use;
}

static long long
live_vnodes(struct st *t)
{
	return atomic64_read(&t->host.h_vallocs) -
	    atomic64_read(&t->host.h_vfrees);
}

static void
check_vnodes(struct st *t, const char *when, long long want)
{
	if (live_vnodes(t) != want)
		st_fail(t, "%s: %lld vnodes live, expected %lld", when,
		    live_vnodes(t), want);
}

/* ---- the test ---- */

static void
phase_mount(struct st *t)
{
	struct pn_mount_args args = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = ROOT_COOKIE,
		.root_type = PN_VDIR,
	};
	struct pn_vnode *vp;
	int error;

	error = pn_mount_create(&pn_khost_ops, &t->host, &args, &t->mp);
	if (error != PN_OK) {
		st_fail(t, "pn_mount_create: %s", pn_strerror(error));
		return;
	}
	t->host.h_mp = t->mp;
	if ((error = pn_makeroot(t->mp, &vp)) != PN_OK) {
		st_fail(t, "pn_makeroot: %s", pn_strerror(error));
		return;
	}
	if (!(vp->v_ops & PN_VOPS_ROOT))
		st_fail(t, "root vnode not marked");
	check_vnode(t, "pn_makeroot", ROOT_COOKIE, PN_VDIR, vp);
}

/* Bad input is refused with its code, reported, and builds nothing. */
static void
phase_badinput(struct st *t)
{
	static const struct {
		unsigned long long	c;
		int			type;
		int64_t			size;
		int			reason;		/* PN_BAD_* */
	} bad[] = {
		{ 0, PN_VREG, 0, PN_BAD_COOKIE_ZERO },
		{ FIRST_COOKIE, PN_VNON, 0, PN_BAD_VTYPE },
		{ FIRST_COOKIE, PN_VBAD, 0, PN_BAD_VTYPE },
		{ FIRST_COOKIE, PN_VREG, -1, PN_BAD_SIZE },
	};
	struct pn_khost *h = &t->host;
	struct pn_vnode *vp;
	long long made = atomic64_read(&h->h_vallocs);
	size_t i;
	int error;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		long long n = atomic64_read(&h->h_misbehaved[bad[i].reason]);

		vp = (struct pn_vnode *)h;	/* must come back NULL */
		error = pn_getvnode(t->mp, bad[i].c, bad[i].type, bad[i].size,
		    0, &vp);
		if (error != PN_EINVAL || vp != NULL ||
		    atomic64_read(&h->h_misbehaved[bad[i].reason]) != n + 1)
			st_fail(t, "pn_getvnode(%llu, type %d, size %lld): %s, "
			    "not reported as %d", bad[i].c, bad[i].type,
			    (long long)bad[i].size, pn_strerror(error),
			    bad[i].reason);
	}
	error = pn_newnode(t->mp, NULL, ROOT_COOKIE, NULL, PN_VREG, 0, &vp);
	if (error != PN_EEXIST || vp != NULL ||
	    atomic64_read(&h->h_misbehaved[PN_BAD_COOKIE_ROOT]) != 1)
		st_fail(t, "pn_newnode(root cookie): %s", pn_strerror(error));
	error = pn_cookie2vnode(t->mp, 0, 0, &vp);
	if (error != PN_EINVAL || vp != NULL)
		st_fail(t, "pn_cookie2vnode(0): %s", pn_strerror(error));
	if (atomic64_read(&h->h_vallocs) != made)
		st_fail(t, "bad input made %lld vnodes",
		    atomic64_read(&h->h_vallocs) - made);

	/* A host failure part-way through a build: passed on, undone. */
	atomic_set(&h->h_fail_attach, 1);
	error = pn_getvnode(t->mp, FIRST_COOKIE, PN_VREG,
	    cookie_size(FIRST_COOKIE), 0, &vp);
	if (error != PN_ENOMEM || vp != NULL ||
	    atomic64_read(&h->h_vlosers) != 1)
		st_fail(t, "pn_getvnode with vnode_attach failing: %s",
		    pn_strerror(error));
	check_pool(t, "after a failed build", 1, 1);
	check_vnodes(t, "after a failed build", 1);
}

static void
phase_reclaim(struct st *t)
{
	struct st_thread th[4];
	int nl, nr;

	atomic_set(&t->stop, 0);
	nl = st_start(t, th, 2, 0, th_rlookup);
	nr = st_start(t, th + nl, 2, nl, th_reclaim);
	st_wait(th + nl, nr);
	atomic_set(&t->stop, 1);
	st_wait(th, nl);
	if (nl != 2 || nr != 2)
		st_fail(t, "reclaim: threads not started");
}

static void
phase_newnode(struct st *t)
{
	unsigned long i;
	int error;

	t->winners = kvcalloc(t->nnew, sizeof(*t->winners), GFP_KERNEL);
	if (t->winners == NULL) {
		st_fail(t, "newnode: out of memory");
		return;
	}
	if ((error = pn_makeroot(t->mp, &t->dvp)) != PN_OK) {
		st_fail(t, "pn_makeroot again: %s", pn_strerror(error));
		return;
	}
	st_run(t, t->nthreads, th_newnode);
	for (i = 0; i < t->nnew; i++)
		if (atomic_read(&t->winners[i]) != 1)
			st_fail(t, "pn_newnode(%llu): %d winners",
			    FIRST_COOKIE + t->ncookies + i,
			    atomic_read(&t->winners[i]));
	if (atomic64_read(&t->neweexist) !=
	    atomic64_read(&t->host.h_misbehaved[PN_BAD_COOKIE_DUP]))
		st_fail(t, "newnode: %lld PN_EEXIST, %lld reported",
		    (long long)atomic64_read(&t->neweexist),
		    (long long)atomic64_read(
		    &t->host.h_misbehaved[PN_BAD_COOKIE_DUP]));
	pn_kvn_rele(t->dvp);
	t->dvp = NULL;
	kvfree(t->winners);
	t->winners = NULL;
}

/* Unmount; false if the mount could not be destroyed (host kept). */
static bool
phase_unmount(struct st *t)
{
	struct pn_vnode *vp;
	int error;

	if ((error = pn_mp_drain(t->mp)) != PN_OK)
		st_fail(t, "pn_mp_drain: %s", pn_strerror(error));
	error = pn_getvnode(t->mp, FIRST_COOKIE, PN_VREG, 0, 0, &vp);
	if (error != PN_ENXIO) {
		st_fail(t, "pn_getvnode after drain: %s", pn_strerror(error));
		if (error == PN_OK)
			pn_kvn_rele(vp);
	}
	th_reclaim(t, 0);
	t->in_use_end = check_pool(t, "unmount", 0, 0);
	if ((error = pn_mount_destroy(t->mp)) != PN_OK) {
		st_fail(t, "pn_mount_destroy: %s", pn_strerror(error));
		return false;
	}
	t->mp = NULL;
	return true;
}

static void
check_host(struct st *t)
{
	struct pn_khost *h = &t->host;

	if (atomic64_read(&h->h_bytes) != 0 ||
	    atomic64_read(&h->h_allocs) != atomic64_read(&h->h_frees))
		st_fail(t, "memory: %lld allocations, %lld frees, %lld bytes "
		    "held", (long long)atomic64_read(&h->h_allocs),
		    (long long)atomic64_read(&h->h_frees),
		    (long long)atomic64_read(&h->h_bytes));
	if (live_vnodes(t) != 0 || atomic64_read(&h->h_locks) != 0 ||
	    atomic64_read(&h->h_cvs) != 0)
		st_fail(t, "left: %lld vnodes, %lld mutexes, %lld cvs",
		    live_vnodes(t), (long long)atomic64_read(&h->h_locks),
		    (long long)atomic64_read(&h->h_cvs));
	if (atomic64_read(&h->h_vallocs) != atomic64_read(&h->h_reclaims) +
	    atomic64_read(&h->h_vlosers))
		st_fail(t, "vnodes: %lld made, %lld reclaimed, %lld never used",
		    (long long)atomic64_read(&h->h_vallocs),
		    (long long)atomic64_read(&h->h_reclaims),
		    (long long)atomic64_read(&h->h_vlosers));
	if (atomic64_read(&h->h_panics) != 0 ||
	    atomic64_read(&h->h_badcalls) != 0 ||
	    atomic64_read(&h->h_misaligned) != 0)
		st_fail(t, "%lld core panics, %lld bad host calls, %lld "
		    "misaligned allocations",
		    (long long)atomic64_read(&h->h_panics),
		    (long long)atomic64_read(&h->h_badcalls),
		    (long long)atomic64_read(&h->h_misaligned));
}

#define BAD_TAINTS	((1ul << TAINT_WARN) | (1ul << TAINT_DIE) | \
			 (1ul << TAINT_BAD_PAGE))

static unsigned long
bad_taints(void)
{
	unsigned long m = 0;

	if (test_taint(TAINT_WARN))
		m |= 1ul << TAINT_WARN;
	if (test_taint(TAINT_DIE))
		m |= 1ul << TAINT_DIE;
	if (test_taint(TAINT_BAD_PAGE))
		m |= 1ul << TAINT_BAD_PAGE;
	return m;
}

/* Phases 1 to 6; false if the mount could not be destroyed. */
static bool
st_phases(struct st *t)
{
	phase_mount(t);
	if (t->mp == NULL)
		return true;
	if (atomic_read(&t->failures) == 0)
		phase_badinput(t);
	if (atomic_read(&t->failures) == 0) {
		st_run(t, t->nthreads, th_getvnode);
		check_pool(t, "after get-or-create", t->ncookies + 1,
		    t->ncookies + 1);
		check_vnodes(t, "after get-or-create", t->ncookies + 1);
		t->getvnode_waits = atomic64_read(&t->host.h_cvwaits);
		pr_info("puffsnode: selftest: get-or-create done, %lld waits "
		    "for a node another thread was building\n",
		    t->getvnode_waits);
	}
	if (atomic_read(&t->failures) == 0)
		st_run(t, t->nthreads, th_lookup);
	if (atomic_read(&t->failures) == 0) {
		phase_reclaim(t);
		check_pool(t, "after reclaim", 0, 0);
		check_vnodes(t, "after reclaim", 0);
		pr_info("puffsnode: selftest: reclaim done, %lld lookups "
		    "meanwhile (%lld hits)\n",
		    (long long)atomic64_read(&t->rlookups),
		    (long long)atomic64_read(&t->rhits));
	}
	if (atomic_read(&t->failures) == 0)
		phase_newnode(t);
	if (t->dvp != NULL)
		pn_kvn_rele(t->dvp);
	kvfree(t->winners);
	if (!phase_unmount(t))
		return false;
	check_host(t);
	return true;
}

/* The result line. */
static void
st_report(struct st *t, unsigned long long ms)
{
	int failures = atomic_read(&t->failures);

	pr_info("puffsnode: selftest %s: cookies=%lu threads=%d "
	    "getvnode=%lld (cv_waits=%lld) vnode_free=%lld lookups=%lld "
	    "misses=%lld reclaimed=%lld reclaim_lookups=%lld (hits=%lld) "
	    "newnode=%lux%d winners=%lld eexist=%lld in_use=%lld "
	    "allocs=%lld frees=%lld bytes=%lld vnodes=%lld/%lld "
	    "failures=%d ms=%llu\n",
	    failures == 0 ? "PASS" : "FAIL", t->ncookies, t->nthreads,
	    (long long)atomic64_read(&t->gets), t->getvnode_waits,
	    (long long)atomic64_read(&t->host.h_vlosers),
	    (long long)atomic64_read(&t->lookups),
	    (long long)atomic64_read(&t->misses),
	    (long long)atomic64_read(&t->reclaimed),
	    (long long)atomic64_read(&t->rlookups),
	    (long long)atomic64_read(&t->rhits),
	    t->nnew, t->nthreads,
	    (long long)atomic64_read(&t->newok),
	    (long long)atomic64_read(&t->neweexist), t->in_use_end,
	    (long long)atomic64_read(&t->host.h_allocs),
	    (long long)atomic64_read(&t->host.h_frees),
	    (long long)atomic64_read(&t->host.h_bytes),
	    (long long)atomic64_read(&t->host.h_vallocs),
	    (long long)atomic64_read(&t->host.h_vfrees),
	    failures, ms);
}

int
pn_kselftest(unsigned long ncookies, int nthreads, unsigned long nnew)
{
	struct st *t;
	unsigned long taints = bad_taints();
	/*
	 * local_clock(), as the console's time stamps: under TCG on a busy
	 * host the guest's ticks, and with them jiffies and ktime, can lag
	 * behind real time by seconds.
	 */
	u64 t0 = local_clock();
	bool destroyed;
	int failures;

	if (ncookies < 2 || nthreads < 2 || nthreads > MAX_THREADS ||
	    nthreads % 2 != 0 || nnew < 1) {
		pr_err("puffsnode: selftest FAIL: bad parameters (cookies %lu, "
		    "threads %d, newnode %lu)\n", ncookies, nthreads, nnew);
		return -EINVAL;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (t == NULL)
		return -ENOMEM;
	t->ncookies = ncookies;
	t->nthreads = nthreads;
	t->nnew = nnew;
	t->in_use_end = -1;
	if (pn_khost_init(&t->host) != 0) {
		kfree(t);
		return -ENOMEM;
	}

	destroyed = st_phases(t);
	if (bad_taints() & ~taints)
		st_fail(t, "the kernel warned during the test (taint %#lx)",
		    bad_taints() & ~taints);
	st_report(t, div_u64(local_clock() - t0, NSEC_PER_MSEC));
	failures = atomic_read(&t->failures);
	/* A mount that could not be destroyed keeps its host: leak, no crash. */
	if (destroyed) {
		pn_khost_fini(&t->host);
		kfree(t);
	}
	return failures == 0 ? 0 : -EIO;
}
