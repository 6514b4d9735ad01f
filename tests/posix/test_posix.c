/*
 * test_posix.c -- libpuffsnode-posix, every call: the table it fills,
 * memory (on Linux: big blocks mapped, mid-size ones from chunks),
 * mutexes (lock_held exact across threads), condition variables,
 * the clock, the log line, the yield, a mount over the kit, and every
 * error path: NULL arguments (PN_EINVAL), malloc and (pthread builds)
 * pthread init failures (PN_ENOMEM), a clock that cannot be read, and
 * the misuse that aborts (run in a child process).  On Linux the kit's
 * mutexes and condition variables are futex words that cannot fail to
 * initialise; contended_lock makes a mutex sleep and wake.
 *
 * The kit is linked from its archive with the linker's --wrap for malloc,
 * pthread_mutexattr_init, pthread_mutex_init, pthread_cond_init,
 * clock_gettime and mmap, so each can be made to fail once, and munmap,
 * whose chunk unmappings mid_blocks checks.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#ifdef __linux__
#include <sys/syscall.h>
#endif
/* The kit's mutexes are futex words, which cannot fail to initialise. */
#if defined(__linux__) && defined(SYS_futex)
#define KIT_FUTEX	1
#endif

#include <puffsnode/posix.h>

/* ---- failure injection through --wrap ---- */

static int fail_malloc, fail_attr, fail_mutex, fail_cond, fail_clock;

/*
 * The kit's mid-size blocks come from 2 MB chunks of their own on Linux,
 * but not under AddressSanitizer, which checks malloc's blocks.
 */
#if defined(__SANITIZE_ADDRESS__)
#define KIT_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KIT_ASAN	1
#endif
#endif
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(KIT_ASAN)
#define KIT_MID		1
#endif
#define CHUNK_BYTES	((size_t)2 << 20)

/*
 * mmap, as the kit's headers name it (PN_TEST_MMAP: mmap64 for glibc
 * with 64-bit file offsets, tests/posix/meson.build), can be made to
 * fail once; munmap
 * records the 2 MB aligned 2 MB unmappings, the chunks given back.
 */
#define PASTE(a, b)	a##b
#define XPASTE(a, b)	PASTE(a, b)
#define WRAP_MMAP	XPASTE(__wrap_, PN_TEST_MMAP)
#define REAL_MMAP	XPASTE(__real_, PN_TEST_MMAP)

static atomic_int	fail_mmap;
static void * _Atomic	unmapped[16];
static atomic_uint	nunmapped;

void	*REAL_MMAP(void *, size_t, int, int, int, off_t);
void	*WRAP_MMAP(void *, size_t, int, int, int, off_t);
int	 __real_munmap(void *, size_t);
int	 __wrap_munmap(void *, size_t);

void *
WRAP_MMAP(void *a, size_t len, int prot, int flags, int fd, off_t off)
{
	if (atomic_exchange(&fail_mmap, 0))
		return MAP_FAILED;
	return REAL_MMAP(a, len, prot, flags, fd, off);
}

int
__wrap_munmap(void *a, size_t len)
{
	unsigned i;

	if (len == CHUNK_BYTES && (uintptr_t)a % CHUNK_BYTES == 0 &&
	    (i = atomic_fetch_add(&nunmapped, 1)) < 16)
		atomic_store(&unmapped[i], a);
	return __real_munmap(a, len);
}

#ifdef KIT_MID
/* Was a chunk at a unmapped since the record was last cleared? */
static bool
was_unmapped(const void *a)
{
	unsigned i, n = atomic_load(&nunmapped);

	for (i = 0; i < n && i < 16; i++)
		if (atomic_load(&unmapped[i]) == a)
			return true;
	return false;
}
#endif

void	*__real_malloc(size_t);
void	*__wrap_malloc(size_t);
int	 __real_pthread_mutexattr_init(pthread_mutexattr_t *);
int	 __wrap_pthread_mutexattr_init(pthread_mutexattr_t *);
int	 __real_pthread_mutex_init(pthread_mutex_t *,
	    const pthread_mutexattr_t *);
int	 __wrap_pthread_mutex_init(pthread_mutex_t *,
	    const pthread_mutexattr_t *);
int	 __real_pthread_cond_init(pthread_cond_t *, const pthread_condattr_t *);
int	 __wrap_pthread_cond_init(pthread_cond_t *, const pthread_condattr_t *);
int	 __real_clock_gettime(clockid_t, struct timespec *);
int	 __wrap_clock_gettime(clockid_t, struct timespec *);

void *
__wrap_malloc(size_t n)
{
	if (fail_malloc) {
		fail_malloc = 0;
		return NULL;
	}
	return __real_malloc(n);
}

int
__wrap_pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	if (fail_attr) {
		fail_attr = 0;
		return ENOMEM;
	}
	return __real_pthread_mutexattr_init(a);
}

int
__wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	if (fail_mutex) {
		fail_mutex = 0;
		return EAGAIN;
	}
	return __real_pthread_mutex_init(m, a);
}

int
__wrap_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	if (fail_cond) {
		fail_cond = 0;
		return EAGAIN;
	}
	return __real_pthread_cond_init(c, a);
}

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (fail_clock) {
		fail_clock = 0;
		errno = EINVAL;
		return -1;
	}
	return __real_clock_gettime(id, ts);
}

/* ---- the table ---- */

static void
fill_ops(void **state)
{
	struct pn_host_ops ops;
	int (*vget)(void *, struct pn_vnode *) =
	    (int (*)(void *, struct pn_vnode *))(uintptr_t)0x1234;

	struct pn_host_ops before;
	int bad[] = { 0, -1, PN_HOST_OPS_VERSION + 1 };
	size_t i;

	(void)state;
	memset(&ops, 0, sizeof(ops));
	ops.vnode_get = vget;
	assert_int_equal(pn_posix_fill_ops(&ops, PN_HOST_OPS_VERSION), PN_OK);
	assert_int_equal(ops.version, PN_HOST_OPS_VERSION);
	assert_ptr_equal(ops.alloc, pn_posix_alloc);
	assert_ptr_equal(ops.free, pn_posix_free);
	assert_ptr_equal(ops.lock_init, pn_posix_lock_init);
	assert_ptr_equal(ops.lock_fini, pn_posix_lock_fini);
	assert_ptr_equal(ops.lock_enter, pn_posix_lock_enter);
	assert_ptr_equal(ops.lock_exit, pn_posix_lock_exit);
	assert_ptr_equal(ops.lock_held, pn_posix_lock_held);
	assert_ptr_equal(ops.cv_init, pn_posix_cv_init);
	assert_ptr_equal(ops.cv_fini, pn_posix_cv_fini);
	assert_ptr_equal(ops.cv_wait, pn_posix_cv_wait);
	assert_ptr_equal(ops.cv_broadcast, pn_posix_cv_broadcast);
	assert_ptr_equal(ops.clock_now, pn_posix_clock_now);
	assert_ptr_equal(ops.log, pn_posix_log);
	assert_ptr_equal(ops.yield, pn_posix_yield);
	assert_ptr_equal(ops.panic, pn_posix_panic);	/* version 2 */
	/* the vnode members are the embedder's: left alone */
	assert_ptr_equal(ops.vnode_get, vget);
	assert_null(ops.vnode_alloc);
	assert_null(ops.server_misbehaved);
	assert_null(ops.mount_dying);

	/* A version 1 table: no panic member written or announced. */
	memset(&ops, 0, sizeof(ops));
	assert_int_equal(pn_posix_fill_ops(&ops, 1), PN_OK);
	assert_int_equal(ops.version, 1);
	assert_ptr_equal(ops.lock_held, pn_posix_lock_held);
	assert_null(ops.panic);

	/* Refused: nothing written. */
	assert_int_equal(pn_posix_fill_ops(NULL, PN_HOST_OPS_VERSION),
	    PN_EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ops, 0, sizeof(ops));
		before = ops;
		assert_int_equal(pn_posix_fill_ops(&ops, bad[i]), PN_EINVAL);
		assert_memory_equal(&ops, &before, sizeof(ops));
	}
}

/* ---- memory ---- */

static void
alloc_free(void **state)
{
	static const size_t big[] = {
		((size_t)4 << 20) - 1,
		(size_t)4 << 20,
		((size_t)4 << 20) + 1,
		((size_t)6 << 20) + 4095,
	};
	unsigned char *p;
	size_t i;
	void *z;

	(void)state;
	p = pn_posix_alloc(NULL, 100);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
	memset(p, 0xa5, 100);
	pn_posix_free(NULL, p, 100);

	/* large: the table's size */
	p = pn_posix_alloc(NULL, (size_t)8 << 20);
	assert_non_null(p);
	memset(p, 0x5a, (size_t)8 << 20);
	pn_posix_free(NULL, p, (size_t)8 << 20);

	/* either side of the big-block threshold, sizes not page multiples */
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		p = pn_posix_alloc(NULL, big[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
#ifdef __linux__
		/* Linux: big blocks are 2 MB aligned, for huge pages. */
		if (big[i] >= ((size_t)4 << 20))
			assert_int_equal((uintptr_t)p % ((size_t)2 << 20), 0);
#endif
		p[0] = 1;
		p[big[i] - 1] = 2;
		pn_posix_free(NULL, p, big[i]);
	}

	/* more than any address space: NULL, nothing taken */
	assert_null(pn_posix_alloc(NULL, SIZE_MAX));
	assert_null(pn_posix_alloc(NULL, SIZE_MAX - ((size_t)2 << 20)));
	if (sizeof(size_t) == 8)
		assert_null(pn_posix_alloc(NULL, SIZE_MAX / 2));

	z = pn_posix_alloc(&z, 0);	/* any context; 0 bytes: one */
	assert_non_null(z);
	pn_posix_free(&z, z, 0);

	pn_posix_free(NULL, NULL, 0);	/* nothing */

	fail_malloc = 1;
	assert_null(pn_posix_alloc(NULL, 16));
}

#ifdef KIT_MID
/* The chunk a mid-size block lies in. */
static uintptr_t
chunk_of(const void *p)
{
	return (uintptr_t)p & ~(CHUNK_BYTES - 1);
}
#endif

/* Empty chunks the kit keeps (MID_SPARES in posix.c). */
#define KIT_SPARES	8

/*
 * Mid-size blocks (8 KB to 256 KB: the pool's slabs) on Linux: chunks of
 * one size class filled one after the other, relinked when a block comes
 * back to a full one; emptied chunks kept as spares, KIT_SPARES of them,
 * the rest unmapped; spares reused by any class, newest first; a chunk
 * that cannot be mapped gives NULL.  Runs on a kit with no mid-size
 * block out and no spare: first in the list to use them.
 */
static void
mid_blocks(void **state)
{
	static const size_t edge[] = { 8191, 8192, 262144, 262145 };
	enum { NCHUNK = KIT_SPARES + 2 };
	const size_t slab = 10264;	/* 128 80-byte nodes and a header */
	static unsigned char *b[NCHUNK * (CHUNK_BYTES / 10264 + 1)];
	unsigned char *p, *q[KIT_SPARES];
	uintptr_t c[NCHUNK];
	size_t n, i, k, first;

	(void)state;
	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		p = pn_posix_alloc(NULL, edge[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		p[0] = 1;
		p[edge[i] - 1] = 2;
		pn_posix_free(NULL, p, edge[i]);
	}
#ifdef KIT_MID
	/*
	 * Chunks filled in turn, each with as many blocks as fit, until the
	 * first block of the NCHUNK-th.
	 */
	for (n = 0, k = 0, first = 0; k < NCHUNK; n++) {
		b[n] = pn_posix_alloc(NULL, slab);
		assert_non_null(b[n]);
		assert_int_equal((uintptr_t)b[n] % 64, 0);
		memset(b[n], (int)(n & 0xff), slab);
		if (k > 0 && chunk_of(b[n]) == c[k - 1])
			continue;
		/* the chunk before is full */
		if (k > 0)
			assert_true(n - first >= CHUNK_BYTES / slab - 1 &&
			    n - first <= CHUNK_BYTES / slab);
		c[k++] = chunk_of(b[n]);
		first = n;
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(b[i][0], i & 0xff);
		assert_int_equal(b[i][slab - 1], i & 0xff);
	}

	/* a block back to a full chunk: it has room again, and the block is next */
	pn_posix_free(NULL, b[5], slab);
	p = pn_posix_alloc(NULL, slab);
	assert_ptr_equal(p, b[5]);

	/* emptied in turn: the first KIT_SPARES kept, the others unmapped */
	atomic_store(&nunmapped, 0);
	for (i = 0; i < n; i++)
		pn_posix_free(NULL, b[i], slab);
	for (k = 0; k < NCHUNK; k++)
		assert_int_equal(was_unmapped((void *)c[k]), k >= KIT_SPARES);

	/* the spares serve other classes, the last one kept first */
	for (k = 0; k < KIT_SPARES; k++) {
		q[k] = pn_posix_alloc(NULL, 20000 + 64 * k);
		assert_int_equal(chunk_of(q[k]), c[KIT_SPARES - 1 - k]);
		memset(q[k], 0x11, 20000 + 64 * k);
	}

	/* no spare, no chunk with room, no mapping: NULL, nothing taken */
	atomic_store(&fail_mmap, 1);
	assert_null(pn_posix_alloc(NULL, 30000));
	assert_int_equal(atomic_load(&fail_mmap), 0);

	/* with a spare back, no mapping is needed */
	pn_posix_free(NULL, q[0], 20000);
	atomic_store(&fail_mmap, 1);
	p = pn_posix_alloc(NULL, 40000);
	assert_int_equal(chunk_of(p), c[KIT_SPARES - 1]);
	assert_int_equal(atomic_load(&fail_mmap), 1);
	atomic_store(&fail_mmap, 0);
	pn_posix_free(NULL, p, 40000);
	for (k = 1; k < KIT_SPARES; k++)
		pn_posix_free(NULL, q[k], 20000 + 64 * k);

	/*
	 * Two chunks of a class with room, the one filled first at the head
	 * of the list: the other, emptied, leaves it from behind and is the
	 * spare taken next.
	 */
	for (n = 0; n == 0 || chunk_of(b[n - 1]) == chunk_of(b[0]); n++)
		assert_non_null(b[n] = pn_posix_alloc(NULL, 12000));
	c[1] = chunk_of(b[n - 1]);
	pn_posix_free(NULL, b[0], 12000);
	pn_posix_free(NULL, b[n - 1], 12000);
	p = pn_posix_alloc(NULL, 50000);
	assert_int_equal(chunk_of(p), c[1]);
	pn_posix_free(NULL, p, 50000);
	for (i = 1; i < n - 1; i++)
		pn_posix_free(NULL, b[i], 12000);
#else
	(void)b;
	(void)c;
	(void)n;
	(void)k;
	(void)first;
	(void)q;
	(void)slab;
#endif
}

struct mid_peer {
	unsigned	seed;
	atomic_int	bad;
};

/* Blocks of three classes taken, filled, checked and given back. */
static void *
mid_churn(void *arg)
{
	static const size_t sz[] = { 10264, 16384, 65536 };
	struct mid_peer *mp = arg;
	unsigned char *p[3];
	unsigned r = mp->seed;
	int i, k, j;

	for (i = 0; i < 3000; i++) {
		for (k = 0; k < 3; k++) {
			r = r * 1103515245u + 12345u;
			if ((p[k] = pn_posix_alloc(NULL, sz[k])) == NULL) {
				atomic_fetch_add(&mp->bad, 1);
				return NULL;
			}
			memset(p[k], (int)(r >> 24), sz[k]);
		}
		for (k = 0; k < 3; k++) {
			for (j = 1; j < 64; j++)
				if (p[k][sz[k] / 64 * (size_t)j] != p[k][0])
					atomic_fetch_add(&mp->bad, 1);
			pn_posix_free(NULL, p[k], sz[k]);
		}
	}
	return NULL;
}

/*
 * A fork beside a thread taking and giving back mid-size blocks: the
 * child, whatever the other thread was doing, takes and gives back
 * blocks of its own (the kit's fork handlers), and so does the parent.
 */
static void
mid_fork(void **state)
{
	struct mid_peer peer = { .seed = 3 };
	unsigned char *p;
	pthread_t th;
	int status, i;
	pid_t pid;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, mid_churn, &peer), 0);
	for (i = 0; i < 8; i++) {
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			p = pn_posix_alloc(NULL, 10264);
			if (p == NULL)
				_exit(1);
			memset(p, 0x33, 10264);
			pn_posix_free(NULL, p, 10264);
			_exit(0);	/* no leak or thread check of the child */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&peer.bad), 0);
	p = pn_posix_alloc(NULL, 10264);
	assert_non_null(p);
	pn_posix_free(NULL, p, 10264);
}

/* Two threads taking and giving back mid-size blocks: none shared. */
static void
mid_threads(void **state)
{
	struct mid_peer peer[2] = { { .seed = 1 }, { .seed = 2 } };
	pthread_t th[2];
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mid_churn,
		    &peer[i]), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(atomic_load(&peer[i].bad), 0);
	}
}

/* ---- mutexes ---- */

struct peer {
	struct pn_lock	*lk;
	struct pn_cv	*cv;
	atomic_int	 held;		/* lock_held as the peer saw it */
	atomic_int	 step;
};

static void *
peer_held(void *arg)
{
	struct peer *p = arg;

	atomic_store(&p->held, pn_posix_lock_held(NULL, p->lk));
	return NULL;
}

static int
held_by_peer(struct pn_lock *lk)
{
	struct peer p = { .lk = lk };
	pthread_t t;

	atomic_init(&p.held, -1);
	assert_int_equal(pthread_create(&t, NULL, peer_held, &p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return atomic_load(&p.held);
}

static void
lock_basics(void **state)
{
	struct pn_lock *lk = NULL, *lk2 = NULL;

	(void)state;
	assert_int_equal(pn_posix_lock_init(NULL, &lk), PN_OK);
	assert_non_null(lk);
	assert_int_equal(pn_posix_lock_held(NULL, lk), 0);
	pn_posix_lock_enter(NULL, lk);
	assert_int_equal(pn_posix_lock_held(NULL, lk), 1);
	/* exact: another thread is told it does not hold it */
	assert_int_equal(held_by_peer(lk), 0);

	/* a second lock, taken inside the first */
	assert_int_equal(pn_posix_lock_init(NULL, &lk2), PN_OK);
	assert_int_equal(pn_posix_lock_held(NULL, lk2), 0);
	pn_posix_lock_enter(NULL, lk2);
	assert_int_equal(pn_posix_lock_held(NULL, lk2), 1);
	pn_posix_lock_exit(NULL, lk2);
	assert_int_equal(pn_posix_lock_held(NULL, lk2), 0);
	assert_int_equal(pn_posix_lock_held(NULL, lk), 1);
	pn_posix_lock_fini(NULL, lk2);

	pn_posix_lock_exit(NULL, lk);
	assert_int_equal(pn_posix_lock_held(NULL, lk), 0);
	assert_int_equal(held_by_peer(lk), 0);
	pn_posix_lock_fini(NULL, lk);

	assert_int_equal(pn_posix_lock_held(NULL, NULL), 0);
	pn_posix_lock_fini(NULL, NULL);		/* nothing */
}

static void *
peer_hold(void *arg)
{
	struct peer *p = arg;

	pn_posix_lock_enter(NULL, p->lk);
	atomic_store(&p->held, pn_posix_lock_held(NULL, p->lk));
	atomic_store(&p->step, 1);
	while (atomic_load(&p->step) != 2)
		pn_posix_yield(NULL);
	pn_posix_lock_exit(NULL, p->lk);
	return NULL;
}

/* Held by another thread: the caller is told 0, the holder 1. */
static void
lock_held_elsewhere(void **state)
{
	struct peer p;
	pthread_t t;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(pn_posix_lock_init(NULL, &p.lk), PN_OK);
	assert_int_equal(pthread_create(&t, NULL, peer_hold, &p), 0);
	while (atomic_load(&p.step) != 1)
		pn_posix_yield(NULL);
	assert_int_equal(atomic_load(&p.held), 1);
	assert_int_equal(pn_posix_lock_held(NULL, p.lk), 0);
	atomic_store(&p.step, 2);
	pn_posix_lock_enter(NULL, p.lk);	/* waits for the peer's exit */
	assert_int_equal(pn_posix_lock_held(NULL, p.lk), 1);
	pn_posix_lock_exit(NULL, p.lk);
	assert_int_equal(pthread_join(t, NULL), 0);
	pn_posix_lock_fini(NULL, p.lk);
}

/*
 * Contention: two threads add under the lock (spinning takes it), and
 * two wait while a holder sleeps (they sleep too, the second finding a
 * sleeper announced); no increment is lost.
 */
struct crowd {
	struct pn_lock	*lk;
	long		 sum;		/* under lk */
	atomic_int	 in;
};

static void *
crowd_add(void *arg)
{
	struct crowd *c = arg;
	int i;

	atomic_fetch_add(&c->in, 1);
	for (i = 0; i < 200000; i++) {
		pn_posix_lock_enter(NULL, c->lk);
		c->sum++;
		pn_posix_lock_exit(NULL, c->lk);
	}
	return NULL;
}

static void
contended_lock(void **state)
{
	struct crowd c;
	pthread_t t[2];
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(pn_posix_lock_init(NULL, &c.lk), PN_OK);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, crowd_add, &c), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(c.sum, 400000);

	/* Held across a sleep: the adders must sleep, not spin forever. */
	c.sum = 0;
	atomic_store(&c.in, 0);
	pn_posix_lock_enter(NULL, c.lk);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, crowd_add, &c), 0);
	while (atomic_load(&c.in) != 2)
		pn_posix_yield(NULL);
	usleep(50000);
	assert_int_equal(c.sum, 0);
	pn_posix_lock_exit(NULL, c.lk);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(c.sum, 400000);
	pn_posix_lock_fini(NULL, c.lk);
}

static void
lock_init_errors(void **state)
{
	struct pn_lock *lk = (struct pn_lock *)&lk;

	(void)state;
	assert_int_equal(pn_posix_lock_init(NULL, NULL), PN_EINVAL);

	fail_malloc = 1;
	assert_int_equal(pn_posix_lock_init(NULL, &lk), PN_ENOMEM);
	assert_ptr_equal(lk, (struct pn_lock *)&lk);	/* untouched */

#ifndef KIT_FUTEX
	fail_mutex = 1;
	assert_int_equal(pn_posix_lock_init(NULL, &lk), PN_ENOMEM);
	assert_ptr_equal(lk, (struct pn_lock *)&lk);

	/* no attributes: a default mutex, as good */
	fail_attr = 1;
#endif
	assert_int_equal(pn_posix_lock_init(NULL, &lk), PN_OK);
	pn_posix_lock_enter(NULL, lk);
	assert_int_equal(pn_posix_lock_held(NULL, lk), 1);
	pn_posix_lock_exit(NULL, lk);
	pn_posix_lock_fini(NULL, lk);
}

/* ---- condition variables ---- */

static void *
peer_signal(void *arg)
{
	struct peer *p = arg;

	pn_posix_lock_enter(NULL, p->lk);
	atomic_store(&p->step, 1);
	pn_posix_cv_broadcast(NULL, p->cv);
	pn_posix_lock_exit(NULL, p->lk);
	return NULL;
}

static void
cv_wait_wakes(void **state)
{
	struct peer p;
	pthread_t t;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(pn_posix_lock_init(NULL, &p.lk), PN_OK);
	assert_int_equal(pn_posix_cv_init(NULL, &p.cv), PN_OK);
	pn_posix_cv_broadcast(NULL, p.cv);	/* nobody waits: nothing */
	pn_posix_lock_enter(NULL, p.lk);
	assert_int_equal(pthread_create(&t, NULL, peer_signal, &p), 0);
	while (atomic_load(&p.step) == 0) {
		pn_posix_cv_wait(NULL, p.cv, p.lk);
		/* the holder again on every return */
		assert_int_equal(pn_posix_lock_held(NULL, p.lk), 1);
	}
	pn_posix_lock_exit(NULL, p.lk);
	assert_int_equal(pthread_join(t, NULL), 0);
	pn_posix_cv_fini(NULL, p.cv);
	pn_posix_lock_fini(NULL, p.lk);
	pn_posix_cv_fini(NULL, NULL);		/* nothing */
}

static void
cv_init_errors(void **state)
{
	struct pn_cv *cv = (struct pn_cv *)&cv;

	(void)state;
	assert_int_equal(pn_posix_cv_init(NULL, NULL), PN_EINVAL);
	fail_malloc = 1;
	assert_int_equal(pn_posix_cv_init(NULL, &cv), PN_ENOMEM);
	assert_ptr_equal(cv, (struct pn_cv *)&cv);
#ifndef KIT_FUTEX
	fail_cond = 1;
	assert_int_equal(pn_posix_cv_init(NULL, &cv), PN_ENOMEM);
	assert_ptr_equal(cv, (struct pn_cv *)&cv);
#endif
}

/* ---- clock, log, yield ---- */

static void
clock_now(void **state)
{
	struct pn_timespec ts = { -1, -1 };
	struct timespec before, after;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &before), 0);
	pn_posix_clock_now(NULL, &ts);
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &after), 0);
	assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	assert_true(ts.tv_sec >= (int64_t)before.tv_sec);
	assert_true(ts.tv_sec <= (int64_t)after.tv_sec);

	fail_clock = 1;
	pn_posix_clock_now(NULL, &ts);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 0);
}

/* Run fn with standard error sent to a file; return what it wrote. */
static char *
capture_stderr(void (*fn)(void))
{
	static char buf[1024];
	FILE *f = tmpfile();
	int saved;
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), 2) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
log_levels(void)
{
	pn_posix_log(NULL, PN_LOG_DEBUG, "d %d", 1);
	pn_posix_log(NULL, PN_LOG_INFO, "i %s", "two");
	pn_posix_log(NULL, PN_LOG_WARN, "w");
	pn_posix_log(NULL, PN_LOG_ERR, "e %c", 'x');
	pn_posix_log(NULL, PN_LOG_PANIC, "p %u", 5u);
	pn_posix_log(NULL, 9, "nine");
	pn_posix_log(NULL, -1, "minus");
}

/* A host's log member that counts, then prints through the kit. */
static int counted;

static void	count_log(void *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
count_log(void *host, int level, const char *fmt, ...)
{
	va_list ap;

	counted++;
	va_start(ap, fmt);
	pn_posix_vlog(host, level, fmt, ap);
	va_end(ap);
}

static void
vlog_levels(void)
{
	count_log(NULL, PN_LOG_WARN, "v %d %s", 7, "x");
	count_log(&counted, 12, "twelve");
}

static void
m_vlog_null(void)
{
	void (*volatile logfn)(void *, int, const char *, ...) = count_log;

	logfn(NULL, PN_LOG_ERR, NULL);
}

static void
vlog_lines(void **state)
{
	(void)state;
	counted = 0;
	assert_string_equal(capture_stderr(vlog_levels),
	    "puffsnode: warn: v 7 x\n"
	    "puffsnode: level 12: twelve\n");
	assert_int_equal(counted, 2);
}

static void
log_lines(void **state)
{
	(void)state;
	assert_string_equal(capture_stderr(log_levels),
	    "puffsnode: debug: d 1\n"
	    "puffsnode: info: i two\n"
	    "puffsnode: warn: w\n"
	    "puffsnode: error: e x\n"
	    "puffsnode: panic: p 5\n"
	    "puffsnode: level 9: nine\n"
	    "puffsnode: level -1: minus\n");
}

static void
yield(void **state)
{
	(void)state;
	pn_posix_yield(NULL);
	pn_posix_yield(state);
}

/* ---- misuse: reported, then abort ---- */

/*
 * A coverage build (PN_TEST_GCOV) writes the child's counts before it
 * dies, so the path that aborted is counted.
 */
#ifdef PN_TEST_GCOV
void	__gcov_dump(void);
#endif

/* In the child: keep the coverage counts of the path that aborted. */
static void
on_abort(int sig)
{
	(void)sig;
#ifdef PN_TEST_GCOV
	__gcov_dump();
#endif
	_exit(99);
}

static struct pn_lock *ml;
static struct pn_cv *mcv;

static void m_enter_null(void) { pn_posix_lock_enter(NULL, NULL); }
static void m_exit_null(void) { pn_posix_lock_exit(NULL, NULL); }
static void m_recursive(void) { pn_posix_lock_enter(NULL, ml); pn_posix_lock_enter(NULL, ml); }
static void m_exit_unheld(void) { pn_posix_lock_exit(NULL, ml); }
static void m_fini_held(void) { pn_posix_lock_enter(NULL, ml); pn_posix_lock_fini(NULL, ml); }
static void m_wait_null(void) { pn_posix_cv_wait(NULL, NULL, ml); }
static void m_wait_nolock(void) { pn_posix_cv_wait(NULL, mcv, NULL); }
static void m_wait_unheld(void) { pn_posix_cv_wait(NULL, mcv, ml); }
static void m_broadcast_null(void) { pn_posix_cv_broadcast(NULL, NULL); }
static void m_clock_null(void) { pn_posix_clock_now(NULL, NULL); }
static void m_panic(void) { pn_posix_panic(NULL, "x != 0", "node.c", 7); }
static void m_panic_nulls(void) { pn_posix_panic(&ml, NULL, NULL, 0); }

static void
m_log_null(void)
{
	/* through the table's member type: no format check at compile time */
	void (*volatile logfn)(void *, int, const char *, ...) = pn_posix_log;

	logfn(NULL, PN_LOG_WARN, NULL);
}

/* fn must abort after saying "puffsnode-posix: <what>". */
static void
expect_abort(void (*fn)(void), const char *what)
{
	char buf[512];
	int fds[2], status;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, on_abort);
		dup2(fds[1], 2);
		fn();
		_exit(0);	/* did not abort */
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 99);
	if (strstr(buf, what) == NULL)
		fail_msg("expected \"%s\", got \"%s\"", what, buf);
}

static void
misuse_aborts(void **state)
{
	(void)state;
	assert_int_equal(pn_posix_lock_init(NULL, &ml), PN_OK);
	assert_int_equal(pn_posix_cv_init(NULL, &mcv), PN_OK);
	expect_abort(m_enter_null, "puffsnode-posix: lock_enter: NULL lock");
	expect_abort(m_exit_null, "puffsnode-posix: lock_exit: NULL lock");
	expect_abort(m_recursive,
	    "puffsnode-posix: lock_enter: the caller holds the lock already");
	expect_abort(m_exit_unheld,
	    "puffsnode-posix: lock_exit: the caller does not hold the lock");
	expect_abort(m_fini_held,
	    "puffsnode-posix: lock_fini: the caller holds the lock");
	expect_abort(m_wait_null, "puffsnode-posix: cv_wait: NULL");
	expect_abort(m_wait_nolock, "puffsnode-posix: cv_wait: NULL");
	expect_abort(m_wait_unheld,
	    "puffsnode-posix: cv_wait: the caller does not hold the lock");
	expect_abort(m_broadcast_null,
	    "puffsnode-posix: cv_broadcast: NULL condition variable");
	expect_abort(m_clock_null, "puffsnode-posix: clock_now: NULL timespec");
	/* panic: the member's job, not a misuse */
	expect_abort(m_panic,
	    "puffsnode: panic: assertion \"x != 0\" failed at node.c:7\n");
	expect_abort(m_panic_nulls,
	    "puffsnode: panic: assertion \"?\" failed at ?:0\n");
	expect_abort(m_log_null, "puffsnode-posix: log: NULL format");
	expect_abort(m_vlog_null, "puffsnode-posix: log: NULL format");
	/* the parent's lock was never touched */
	assert_int_equal(pn_posix_lock_held(NULL, ml), 0);
	pn_posix_cv_fini(NULL, mcv);
	pn_posix_lock_fini(NULL, ml);
}

/* ---- a mount over the kit: only the vnode members written here ---- */

struct pn_vnode {
	struct pn_node	*data;
	int64_t		 size;
	int		 use;
};

static int
v_alloc(void *host, int type, struct pn_vnode **vpp)
{
	(void)host;
	(void)type;
	if ((*vpp = calloc(1, sizeof(**vpp))) == NULL)
		return PN_ENOMEM;
	(*vpp)->use = 1;
	return PN_OK;
}

static void v_free(void *host, struct pn_vnode *vp) { (void)host; free(vp); }
static int v_get(void *host, struct pn_vnode *vp) { (void)host; vp->use++; return PN_OK; }
static void v_rele(void *host, struct pn_vnode *vp) { (void)host; vp->use--; }
static void v_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn) { (void)host; vp->data = pn; }
static struct pn_node *v_getdata(void *host, struct pn_vnode *vp) { (void)host; return vp->data; }
static void v_setsize(void *host, struct pn_vnode *vp, int64_t s) { (void)host; vp->size = s; }
static int64_t v_getsize(void *host, struct pn_vnode *vp) { (void)host; return vp->size; }

static void
mount_over_kit(void **state)
{
	struct pn_host_ops ops = {
		.vnode_alloc = v_alloc, .vnode_free = v_free,
		.vnode_get = v_get, .vnode_rele = v_rele,
		.vnode_setdata = v_setdata, .vnode_getdata = v_getdata,
		.vnode_setsize = v_setsize, .vnode_getsize = v_getsize,
	};
	struct pn_mount_args a = {
		.version = PN_MOUNT_ARGS_VERSION,
		.root_cookie = 1,
		.root_type = PN_VDIR,
	};
	struct pn_mount *mp;
	struct pn_vnode *vp, *vp2;

	(void)state;
	/* without the kit's members the table is refused */
	assert_int_equal(pn_mount_create(&ops, NULL, &a, &mp), PN_EINVAL);
	assert_int_equal(pn_posix_fill_ops(&ops, PN_HOST_OPS_VERSION), PN_OK);
	assert_int_equal(pn_mount_create(&ops, NULL, &a, &mp), PN_OK);
	assert_int_equal(pn_getvnode(mp, 7, PN_VREG, 0, 42, &vp), PN_OK);
	assert_int_equal(pn_cookie2vnode(mp, 7, 0, &vp2), PN_OK);
	assert_ptr_equal(vp, vp2);
	assert_int_equal(vp->use, 2);
	vp->use -= 2;
	assert_int_equal(pn_putvnode(mp, vp), PN_OK);
	free(vp);
	assert_int_equal(pn_mount_destroy(mp), PN_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fill_ops),
		cmocka_unit_test(alloc_free),
		cmocka_unit_test(mid_blocks),
		cmocka_unit_test(mid_threads),
		cmocka_unit_test(mid_fork),
		cmocka_unit_test(lock_basics),
		cmocka_unit_test(lock_held_elsewhere),
		cmocka_unit_test(contended_lock),
		cmocka_unit_test(lock_init_errors),
		cmocka_unit_test(cv_wait_wakes),
		cmocka_unit_test(cv_init_errors),
		cmocka_unit_test(clock_now),
		cmocka_unit_test(log_lines),
		cmocka_unit_test(vlog_lines),
		cmocka_unit_test(yield),
		cmocka_unit_test(misuse_aborts),
		cmocka_unit_test(mount_over_kit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
