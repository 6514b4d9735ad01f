/*
 * posix.c -- libpuffsnode-posix: the generic host members over malloc,
 * pthreads, clock_gettime and standard error (see <puffsnode/posix.h>).
 *
 * A mutex records its holder, a per-thread address, after it is taken and
 * clears it before it is released.  Only the holder writes its own
 * address there, so a thread reading the field sees its own address
 * exactly when it holds the lock: lock_held is exact without reading any
 * other thread's state, and the same test catches a recursive enter, an
 * exit or a wait without the lock and a fini of a held lock.  Such
 * misuse is a bug of the caller that a default pthread mutex turns into
 * a deadlock or undefined behaviour; here it is reported and aborts.
 *
 * pn_posix_fill_ops() takes the table's version from its caller: a table
 * compiled against an older header is shorter, and the kit must neither
 * write a member past its end nor announce one to the core.
 *
 * On Linux a mutex is a futex word (0 free, 1 held, 2 held with
 * sleepers) taken with one compare-and-swap and released with one swap,
 * after a short spin, and a condition variable is a futex sequence
 * count: the core's critical sections are a few dozen instructions, and
 * a pthread mutex's own bookkeeping cost as much again.  Elsewhere they
 * are pthread mutexes (adaptive where the C library has them) and
 * condition variables.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sys/mman.h>

#include <puffsnode/posix.h>

#define PN_POSIX_EXPORT	__attribute__((visibility("default")))

#ifdef __linux__
#include <sys/syscall.h>
#endif
#if defined(__linux__) && defined(SYS_futex)
#define PN_POSIX_FUTEX	1
#include <limits.h>
#include <unistd.h>

/* futex(2) operations, as <linux/futex.h> has them (not every libc ships it). */
#ifndef FUTEX_WAIT_PRIVATE
#define FUTEX_WAIT_PRIVATE	(0 | 128)
#define FUTEX_WAKE_PRIVATE	(1 | 128)
#endif

typedef _Atomic uint32_t	mtx_word;
typedef _Atomic uint32_t	cnd_word;
#else
typedef pthread_mutex_t		mtx_word;
typedef pthread_cond_t		cnd_word;
#endif

struct pn_lock {
	mtx_word		lk_mtx;
	_Atomic uintptr_t	lk_owner;	/* self() of the holder, 0 */
};

struct pn_cv {
	cnd_word		cv_cond;
};

/*
 * A unique, nonzero id of the calling thread.  Initial-exec: one load
 * from the thread pointer, not a __tls_get_addr call per lock operation
 * in the shared library (one byte of the static TLS surplus).
 */
static inline uintptr_t
self(void)
{
	static _Thread_local char marker
	    __attribute__((__tls_model__("initial-exec")));

	return (uintptr_t)&marker;
}

static inline uintptr_t
owner(const struct pn_lock *lk)
{
	return atomic_load_explicit(&lk->lk_owner, memory_order_relaxed);
}

static inline void
set_owner(struct pn_lock *lk, uintptr_t who)
{
	atomic_store_explicit(&lk->lk_owner, who, memory_order_relaxed);
}

/* A caller's bug: say which and stop. */
static _Noreturn void
misuse(const char *call, const char *what)
{
	fprintf(stderr, "puffsnode-posix: %s: %s\n", call, what);
	abort();
}

/* ---- memory ---- */

#ifdef MADV_HUGEPAGE
/*
 * Big blocks -- the cookie table's arrays, from about 10^5 nodes on --
 * are mappings of their own, 2 MB aligned and advised for transparent
 * huge pages: a lookup reads a tag and a slot at random across tens of
 * megabytes, and with 4 KB pages each costs a TLB miss (two-level page
 * walks, under a hypervisor).  The length is rounded to 64 KB, a
 * multiple of every page size in use, not to 2 MB: the last partial
 * 2 MB of a block stays in small pages rather than taking a whole huge
 * one.  Freed with the size alloc was given, which the core always
 * passes (host.h).
 */
#define BIG_ALIGN	((size_t)2 << 20)
#define BIG_MIN		(2 * BIG_ALIGN)
#define BIG_PAGE	((size_t)64 << 10)

static size_t
big_len(size_t size)
{
	return (size + BIG_PAGE - 1) & ~(BIG_PAGE - 1);
}

/* A mapping of size bytes, 2 MB aligned, advised for huge pages or not. */
static void *
big_alloc(size_t size, bool huge)
{
	size_t len;
	uintptr_t m, a;
	void *map;

	if (size > SIZE_MAX - 3 * BIG_ALIGN)
		return NULL;
	len = big_len(size);
	map = mmap(NULL, len + 2 * BIG_ALIGN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	/*
	 * Keep len bytes from the first 2 MB boundary past the start: 1 byte
	 * to 2 MB go back before it, 2 MB to 4 MB after, never none.
	 */
	m = (uintptr_t)map;
	a = (m | (BIG_ALIGN - 1)) + 1;
	(void)munmap(map, a - m);
	(void)munmap((void *)(a + len), 2 * BIG_ALIGN - (a - m));
	/* Advice only: a kernel without huge pages keeps small ones. */
	if (huge)
		(void)madvise((void *)a, len, MADV_HUGEPAGE);
	return (void *)a;
}

#if defined(__SANITIZE_ADDRESS__)
#define MID_BLOCKS	0	/* AddressSanitizer checks malloc's blocks */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MID_BLOCKS	0
#endif
#endif
#ifndef MID_BLOCKS
#define MID_BLOCKS	1
#endif
#endif /* MADV_HUGEPAGE */

#if defined(MADV_HUGEPAGE) && MID_BLOCKS
/*
 * Mid-size blocks -- the pool's slabs (10 KB at 128 nodes) and small
 * tables' arrays -- come from chunks of their own, not from the C
 * library's heap.  There a slab lay between every 128 of the host's
 * vnodes, which a lookup reads: a host over malloc found its vnodes
 * spread over about 3.5 times the memory they fill, past the TLB's
 * reach.  A chunk is a 2 MB aligned mapping (big_alloc) holding blocks
 * of one size class (64-byte steps), handed out from a free list or past
 * the last one used.  The chunks made while MID_HUGE_FROM or more are
 * mapped are advised for huge pages; the first ones are not, so that a
 * small mount's chunks take only the pages its blocks touch, not 2 MB
 * each.  A chunk whose blocks are all free is kept as a spare, for any
 * class, up to MID_SPARES of them, and unmapped past that: the memory of
 * a big mount goes back once its slabs are freed, and mounts made and
 * destroyed again and again (a table's array and slabs: two classes at
 * least) do not map and fault in chunks each time.  One mutex: slabs
 * are taken once every 128 creates.
 */
#define MID_MIN		((size_t)8 << 10)
#define MID_MAX		((size_t)256 << 10)
#define MID_STEP	((size_t)64)
#define MID_CLASSES	((MID_MAX - MID_MIN) / MID_STEP + 1)
#define CHUNK		BIG_ALIGN
#define MID_SPARES	8
#define MID_HUGE_FROM	4

struct chunk {
	struct chunk	*ch_next;	/* the class's chunks with room */
	struct chunk	*ch_prev;
	void		*ch_free;	/* blocks given back */
	size_t		 ch_size;	/* the class's block size */
	size_t		 ch_used;	/* blocks handed out */
	size_t		 ch_top;	/* offset of the first block never used */
};

#define CHUNK_HEAD	((sizeof(struct chunk) + MID_STEP - 1) & ~(MID_STEP - 1))

static pthread_mutex_t	 mid_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk	*mid_room[MID_CLASSES];	/* chunks with a free block */
static struct chunk	*mid_spare;		/* empty chunks, kept */
static unsigned		 mid_nspare;
static size_t		 mid_nchunk;		/* mapped, spares included */

static bool
chunk_full(const struct chunk *ch)
{
	return ch->ch_free == NULL && ch->ch_top + ch->ch_size > CHUNK;
}

static void
room_link(struct chunk **head, struct chunk *ch)
{
	ch->ch_prev = NULL;
	if ((ch->ch_next = *head) != NULL)
		ch->ch_next->ch_prev = ch;
	*head = ch;
}

static void
room_unlink(struct chunk **head, struct chunk *ch)
{
	if (ch->ch_prev != NULL)
		ch->ch_prev->ch_next = ch->ch_next;
	else
		*head = ch->ch_next;
	if (ch->ch_next != NULL)
		ch->ch_next->ch_prev = ch->ch_prev;
}

/*
 * A fork while another thread holds mid_lock would leave it held for good
 * in the child: the forking thread takes it first and both sides let it
 * go, as the C library does with its heap's locks.
 */
static pthread_once_t	 mid_once = PTHREAD_ONCE_INIT;

static void
mid_fork_prepare(void)
{
	pthread_mutex_lock(&mid_lock);
}

static void
mid_fork_done(void)
{
	pthread_mutex_unlock(&mid_lock);
}

static void
mid_init(void)
{
	(void)pthread_atfork(mid_fork_prepare, mid_fork_done, mid_fork_done);
}

/*
 * A chunk for blocks of sz bytes, first in the class's list head: a
 * spare, or a new mapping; NULL when none can be mapped.  mid_lock held.
 */
static struct chunk *
chunk_take(struct chunk **head, size_t sz)
{
	struct chunk *ch;

	if ((ch = mid_spare) != NULL) {
		mid_spare = ch->ch_next;
		mid_nspare--;
	} else if ((ch = big_alloc(CHUNK, mid_nchunk >= MID_HUGE_FROM)) != NULL)
		mid_nchunk++;
	else
		return NULL;
	*ch = (struct chunk){ .ch_size = sz, .ch_top = CHUNK_HEAD };
	room_link(head, ch);
	return ch;
}

/* A block of size bytes, MID_MIN <= size <= MID_MAX, or NULL. */
static void *
mid_alloc(size_t size)
{
	size_t sz = (size + MID_STEP - 1) & ~(MID_STEP - 1);
	struct chunk **head = &mid_room[(sz - MID_MIN) / MID_STEP], *ch;
	void *b;

	(void)pthread_once(&mid_once, mid_init);
	pthread_mutex_lock(&mid_lock);
	if ((ch = *head) == NULL && (ch = chunk_take(head, sz)) == NULL) {
		pthread_mutex_unlock(&mid_lock);
		return NULL;
	}
	if ((b = ch->ch_free) != NULL)
		ch->ch_free = *(void **)b;
	else {
		b = (char *)ch + ch->ch_top;
		ch->ch_top += sz;
	}
	ch->ch_used++;
	if (chunk_full(ch))
		room_unlink(head, ch);
	pthread_mutex_unlock(&mid_lock);
	return b;
}

static void
mid_free(void *p)
{
	struct chunk *ch = (struct chunk *)((uintptr_t)p & ~(CHUNK - 1));
	struct chunk **head = &mid_room[(ch->ch_size - MID_MIN) / MID_STEP];
	bool was_full;

	pthread_mutex_lock(&mid_lock);
	was_full = chunk_full(ch);
	*(void **)p = ch->ch_free;
	ch->ch_free = p;
	if (--ch->ch_used == 0) {
		if (!was_full)
			room_unlink(head, ch);
		if (mid_nspare < MID_SPARES) {
			ch->ch_next = mid_spare;
			mid_spare = ch;
			mid_nspare++;
		} else {
			(void)munmap(ch, CHUNK);
			mid_nchunk--;
		}
	} else if (was_full)
		room_link(head, ch);
	pthread_mutex_unlock(&mid_lock);
}

static bool
is_mid(size_t size)
{
	return size >= MID_MIN && size <= MID_MAX;
}
#endif /* MADV_HUGEPAGE && MID_BLOCKS */

PN_POSIX_EXPORT void *
pn_posix_alloc(void *host, size_t size)
{
	(void)host;
#ifdef MADV_HUGEPAGE
	if (size >= BIG_MIN)
		return big_alloc(size, true);
#if MID_BLOCKS
	if (is_mid(size))
		return mid_alloc(size);
#endif
#endif
	return malloc(size == 0 ? 1 : size);
}

PN_POSIX_EXPORT void
pn_posix_free(void *host, void *p, size_t size)
{
	(void)host;
#ifdef MADV_HUGEPAGE
	if (p != NULL && size >= BIG_MIN) {
		(void)munmap(p, big_len(size));
		return;
	}
#if MID_BLOCKS
	if (p != NULL && is_mid(size)) {
		mid_free(p);
		return;
	}
#endif
#else
	(void)size;
#endif
	free(p);
}

/* ---- mutexes and condition variables underneath ---- */

#ifdef PN_POSIX_FUTEX

/*
 * Spins before a contended lock sleeps: about 18 us of CPU pauses on a
 * current x86 core.  The core's critical sections last well under a
 * microsecond, but a holder can lose its CPU; sleeping and waking cost
 * two system calls and a reschedule, which under a hypervisor is tens
 * of microseconds.  On one CPU the holder cannot run while we spin, so
 * there we sleep at once.
 */
#define SPINS	1000

static int
spins(void)
{
	static _Atomic int n = -1;
	int v = atomic_load_explicit(&n, memory_order_relaxed);

	if (v < 0) {
		v = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? SPINS : 0;
		atomic_store_explicit(&n, v, memory_order_relaxed);
	}
	return v;
}

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#else
#define cpu_relax()	((void)0)
#endif

static void
futex(_Atomic uint32_t *w, int op, uint32_t v)
{
	(void)syscall(SYS_futex, w, op, v, NULL, NULL, 0);
}

/* Cannot fail: 0. */
static int
mtx_init(mtx_word *m)
{
	atomic_init(m, 0);
	return 0;
}

static void
mtx_fini(mtx_word *m)
{
	(void)m;
}

/*
 * The lock is held (the word read c): spin, then sleep.  Out of line, so
 * that the uncontended mtx_lock needs no stack frame.
 */
static __attribute__((__noinline__, __cold__)) void
mtx_lock_slow(mtx_word *m, uint32_t c)
{
	int i, n;

	/*
	 * Held: spin a little while nobody sleeps on it, reading the word
	 * and trying to take it only once it reads free, so that the spinner
	 * does not pull the line away from the holder on every turn.
	 */
	for (i = 0, n = spins(); i < n && c == 1; i++) {
		cpu_relax();
		c = atomic_load_explicit(m, memory_order_relaxed);
		if (c == 0 && atomic_compare_exchange_weak_explicit(m, &c, 1,
		    memory_order_acquire, memory_order_relaxed))
			return;
	}
	/* Sleep, announcing a sleeper (2) so that the holder wakes one. */
	if (c != 2)
		c = atomic_exchange_explicit(m, 2, memory_order_acquire);
	while (c != 0) {
		futex(m, FUTEX_WAIT_PRIVATE, 2);
		c = atomic_exchange_explicit(m, 2, memory_order_acquire);
	}
}

/* Take m if it is free, at once: one compare-and-swap. */
static inline bool
mtx_trylock(mtx_word *m, uint32_t *c)
{
	*c = 0;
	return atomic_compare_exchange_strong_explicit(m, c, 1,
	    memory_order_acquire, memory_order_relaxed);
}

static inline void
mtx_lock(mtx_word *m)
{
	uint32_t c;

	if (!mtx_trylock(m, &c))
		mtx_lock_slow(m, c);
}

static void
mtx_unlock(mtx_word *m)
{
	if (atomic_exchange_explicit(m, 0, memory_order_release) == 2)
		futex(m, FUTEX_WAKE_PRIVATE, 1);
}

/* Cannot fail: 0. */
static int
cnd_init(cnd_word *c)
{
	atomic_init(c, 0);
	return 0;
}

static void
cnd_fini(cnd_word *c)
{
	(void)c;
}

/*
 * The count is read before the mutex is let go: a broadcast after that
 * changes it, and the futex wait then returns at once.  Spurious returns
 * are allowed: callers wait in a loop.
 */
static void
cnd_wait(cnd_word *c, mtx_word *m)
{
	uint32_t seq = atomic_load_explicit(c, memory_order_relaxed);

	mtx_unlock(m);
	futex(c, FUTEX_WAIT_PRIVATE, seq);
	mtx_lock(m);
}

static void
cnd_broadcast(cnd_word *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_release);
	futex(c, FUTEX_WAKE_PRIVATE, INT_MAX);
}

#else /* pthreads */

static int
mtx_init(mtx_word *m)
{
#ifdef PTHREAD_MUTEX_ADAPTIVE_NP
	pthread_mutexattr_t attr;
	int error;

	if (pthread_mutexattr_init(&attr) != 0)
		return pthread_mutex_init(m, NULL);
	(void)pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	error = pthread_mutex_init(m, &attr);
	(void)pthread_mutexattr_destroy(&attr);
	return error;
#else
	return pthread_mutex_init(m, NULL);
#endif
}

static void
mtx_fini(mtx_word *m)
{
	(void)pthread_mutex_destroy(m);
}

static inline bool
mtx_trylock(mtx_word *m, uint32_t *c)
{
	*c = 0;
	return pthread_mutex_trylock(m) == 0;
}

static void
mtx_lock_slow(mtx_word *m, uint32_t c)
{
	(void)c;
	(void)pthread_mutex_lock(m);
}

static void
mtx_unlock(mtx_word *m)
{
	(void)pthread_mutex_unlock(m);
}

static int
cnd_init(cnd_word *c)
{
	return pthread_cond_init(c, NULL);
}

static void
cnd_fini(cnd_word *c)
{
	(void)pthread_cond_destroy(c);
}

static void
cnd_wait(cnd_word *c, mtx_word *m)
{
	(void)pthread_cond_wait(c, m);
}

static void
cnd_broadcast(cnd_word *c)
{
	(void)pthread_cond_broadcast(c);
}

#endif /* PN_POSIX_FUTEX */

/* ---- mutexes ---- */

PN_POSIX_EXPORT int
pn_posix_lock_init(void *host, struct pn_lock **lkp)
{
	struct pn_lock *lk;

	(void)host;
	if (lkp == NULL)
		return PN_EINVAL;
	if ((lk = malloc(sizeof(*lk))) == NULL)
		return PN_ENOMEM;
	if (mtx_init(&lk->lk_mtx) != 0) {	/* GCOVR_EXCL_BR_LINE: fails in pthread builds only */
		/* GCOVR_EXCL_START: pthread builds only */
		free(lk);
		return PN_ENOMEM;
		/* GCOVR_EXCL_STOP */
	}
	atomic_init(&lk->lk_owner, 0);
	*lkp = lk;
	return PN_OK;
}

PN_POSIX_EXPORT void
pn_posix_lock_fini(void *host, struct pn_lock *lk)
{
	(void)host;
	if (lk == NULL)
		return;
	if (owner(lk) == self())
		misuse("lock_fini", "the caller holds the lock");
	mtx_fini(&lk->lk_mtx);
	free(lk);
}

/* lk is held by another thread (its word read c): wait for it. */
static __attribute__((__noinline__)) void
lock_enter_slow(struct pn_lock *lk, uint32_t c)
{
	mtx_lock_slow(&lk->lk_mtx, c);
	set_owner(lk, self());
}

PN_POSIX_EXPORT void
pn_posix_lock_enter(void *host, struct pn_lock *lk)
{
	uintptr_t me = self();
	uint32_t c;

	(void)host;
	if (lk == NULL)
		misuse("lock_enter", "NULL lock");
	if (owner(lk) == me)
		misuse("lock_enter", "the caller holds the lock already");
	/* Uncontended: no call, so no frame. */
	if (!mtx_trylock(&lk->lk_mtx, &c)) {
		lock_enter_slow(lk, c);
		return;
	}
	set_owner(lk, me);
}

PN_POSIX_EXPORT void
pn_posix_lock_exit(void *host, struct pn_lock *lk)
{
	(void)host;
	if (lk == NULL)
		misuse("lock_exit", "NULL lock");
	if (owner(lk) != self())
		misuse("lock_exit", "the caller does not hold the lock");
	set_owner(lk, 0);
	mtx_unlock(&lk->lk_mtx);
}

PN_POSIX_EXPORT int
pn_posix_lock_held(void *host, struct pn_lock *lk)
{
	(void)host;
	return lk != NULL && owner(lk) == self();
}

/* ---- condition variables ---- */

PN_POSIX_EXPORT int
pn_posix_cv_init(void *host, struct pn_cv **cvp)
{
	struct pn_cv *cv;

	(void)host;
	if (cvp == NULL)
		return PN_EINVAL;
	if ((cv = malloc(sizeof(*cv))) == NULL)
		return PN_ENOMEM;
	if (cnd_init(&cv->cv_cond) != 0) {	/* GCOVR_EXCL_BR_LINE: fails in pthread builds only */
		/* GCOVR_EXCL_START: pthread builds only */
		free(cv);
		return PN_ENOMEM;
		/* GCOVR_EXCL_STOP */
	}
	*cvp = cv;
	return PN_OK;
}

PN_POSIX_EXPORT void
pn_posix_cv_fini(void *host, struct pn_cv *cv)
{
	(void)host;
	if (cv == NULL)
		return;
	cnd_fini(&cv->cv_cond);
	free(cv);
}

PN_POSIX_EXPORT void
pn_posix_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk)
{
	(void)host;
	if (cv == NULL || lk == NULL)
		misuse("cv_wait", "NULL condition variable or lock");
	if (owner(lk) != self())
		misuse("cv_wait", "the caller does not hold the lock");
	set_owner(lk, 0);
	cnd_wait(&cv->cv_cond, &lk->lk_mtx);
	set_owner(lk, self());
}

PN_POSIX_EXPORT void
pn_posix_cv_broadcast(void *host, struct pn_cv *cv)
{
	(void)host;
	if (cv == NULL)
		misuse("cv_broadcast", "NULL condition variable");
	cnd_broadcast(&cv->cv_cond);
}

/* ---- time, logging, yield ---- */

PN_POSIX_EXPORT void
pn_posix_clock_now(void *host, struct pn_timespec *ts)
{
	struct timespec t;

	(void)host;
	if (ts == NULL)
		misuse("clock_now", "NULL timespec");
	if (clock_gettime(CLOCK_REALTIME, &t) != 0) {
		ts->tv_sec = 0;
		ts->tv_nsec = 0;
		return;
	}
	ts->tv_sec = (int64_t)t.tv_sec;
	ts->tv_nsec = (int64_t)t.tv_nsec;
}

PN_POSIX_EXPORT void
pn_posix_vlog(void *host, int level, const char *fmt, va_list ap)
{
	static const char *const names[] = {
		[PN_LOG_DEBUG] = "debug", [PN_LOG_INFO] = "info",
		[PN_LOG_WARN] = "warn", [PN_LOG_ERR] = "error",
		[PN_LOG_PANIC] = "panic",
	};

	(void)host;
	if (fmt == NULL)
		misuse("log", "NULL format");
	flockfile(stderr);
	if (level >= PN_LOG_DEBUG && level <= PN_LOG_PANIC)
		fprintf(stderr, "puffsnode: %s: ", names[level]);
	else
		fprintf(stderr, "puffsnode: level %d: ", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

PN_POSIX_EXPORT void
pn_posix_log(void *host, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pn_posix_vlog(host, level, fmt, ap);
	va_end(ap);
}

PN_POSIX_EXPORT void
pn_posix_yield(void *host)
{
	(void)host;
	(void)sched_yield();
}

PN_POSIX_EXPORT void
pn_posix_panic(void *host, const char *what, const char *file, int line)
{
	(void)host;
	fprintf(stderr, "puffsnode: panic: assertion \"%s\" failed at %s:%d\n",
	    what != NULL ? what : "?", file != NULL ? file : "?", line);
	abort();
}

/* ---- the table ---- */

PN_POSIX_EXPORT int
pn_posix_fill_ops(struct pn_host_ops *ops, int version)
{
	if (ops == NULL || version < 1 || version > PN_HOST_OPS_VERSION)
		return PN_EINVAL;
	ops->version = version;
	ops->alloc = pn_posix_alloc;
	ops->free = pn_posix_free;
	ops->lock_init = pn_posix_lock_init;
	ops->lock_fini = pn_posix_lock_fini;
	ops->lock_enter = pn_posix_lock_enter;
	ops->lock_exit = pn_posix_lock_exit;
	ops->lock_held = pn_posix_lock_held;
	ops->cv_init = pn_posix_cv_init;
	ops->cv_fini = pn_posix_cv_fini;
	ops->cv_wait = pn_posix_cv_wait;
	ops->cv_broadcast = pn_posix_cv_broadcast;
	ops->clock_now = pn_posix_clock_now;
	ops->log = pn_posix_log;
	ops->yield = pn_posix_yield;
	if (version >= 2)
		ops->panic = pn_posix_panic;
	return PN_OK;
}
