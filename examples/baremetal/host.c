/*
 * host.c -- a puffsnode host with no operating system: what an embedder
 * writes for a microcontroller.  One thread; memory from a static array
 * (a first-fit allocator that coalesces, so that every byte can be
 * counted back); locks that are flags; a vnode that is a use count, a data
 * pointer and a size; output through the C library's stdio, which is
 * semihosting under qemu (picolibc's semihost oslib), and the exit status
 * through exit(), which semihosting hands to qemu.
 *
 * main() mounts with a hash hint for BM_COOKIES nodes and the root, makes
 * the root, gets-or-creates BM_COOKIES cookies (each twice: the second
 * get must find the first one's vnode), looks each one up, reclaims them
 * all and unmounts.  It prints one line: the board, the heap's peak and
 * what each node cost, the stack's peak (bare metal) and that the whole
 * heap came back; and exits 0 only if every answer was as expected, the
 * pool showed no node in use before the unmount, the table never grew and
 * every byte of the heap was returned.
 *
 * Build-time parameters (examples/baremetal/meson.build sets them per
 * board):
 *   BM_BOARD        the board and the processor, for the result line
 *   BM_COOKIES      cookies held at once
 *   BM_HEAP_BYTES   the static heap
 *   BM_STACK_PAINT  measure the stack: fill it with a pattern at start and
 *                   find the deepest byte overwritten at the end (picolibc's
 *                   linker script: the stack is [__heap_end, __stack))
 */
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <puffsnode/puffsnode.h>

#ifndef BM_BOARD
#define BM_BOARD	"native"
#endif
#ifndef BM_COOKIES
#define BM_COOKIES	1000
#endif
#ifndef BM_HEAP_BYTES
#define BM_HEAP_BYTES	524288
#endif

#define ROOT_COOKIE	1

/* ---- the host's handle types: the library only passes pointers ---- */

struct pn_lock {
	bool		 held;		/* one thread: a mutex is a flag */
};

struct pn_cv {
	char		 unused;	/* one thread: no one ever waits */
};

/*
 * 16 bytes on a 32-bit machine.  A use count of 0 means the reclaim has
 * begun: the last release reclaims, and vnode_get then refuses the vnode.
 */
struct pn_vnode {
	int64_t		 size;		/* v_size */
	struct pn_node	*data;		/* v_data: the vnode's node */
	uint32_t	 use;		/* use count */
};

/* A free heap block, kept in address order. */
struct blk {
	size_t		 size;		/* bytes, a multiple of GRAIN */
	struct blk	*next;
};

/* The allocation unit: aligned for any type, and room for a free block. */
#define GRAIN		(sizeof(struct blk) > alignof(max_align_t) ? \
			    sizeof(struct blk) : alignof(max_align_t))

_Static_assert(GRAIN % alignof(max_align_t) == 0, "grains stay aligned");
_Static_assert(BM_HEAP_BYTES % GRAIN == 0, "the heap is whole grains");

/* The context, passed first to every host op. */
struct host {
	struct pn_mount	*mp;
	struct blk	*free;		/* free blocks, by address */
	size_t		 used;		/* bytes allocated, in grains */
	size_t		 peak;		/* most bytes allocated at once */
	unsigned long	 reclaims;	/* vnodes reclaimed */
	unsigned long	 complaints;	/* log calls at PN_LOG_WARN and above */
};

static alignas(max_align_t) unsigned char heap[BM_HEAP_BYTES];

static void
fail(const char *what)
{
	printf("baremetal %s: FAILED: %s\n", BM_BOARD, what);
	exit(1);
}

static void
check(bool ok, const char *what)
{
	if (!ok)
		fail(what);
}

static void
expect(int error, int want, const char *what)
{
	if (error != want) {
		printf("baremetal %s: %s: %s, expected %s\n", BM_BOARD, what,
		    pn_strerror(error), pn_strerror(want));
		fail(what);
	}
}

/* ---- memory: first fit over the static heap, coalescing on free ---- */

static size_t
grains(size_t size)
{
	return size == 0 ? GRAIN : (size + GRAIN - 1) / GRAIN * GRAIN;
}

static void
heap_init(struct host *h)
{
	h->free = (struct blk *)(void *)heap;
	h->free->size = sizeof(heap);
	h->free->next = NULL;
	h->used = h->peak = 0;
}

/* Every byte free: one block, the whole heap. */
static bool
heap_whole(const struct host *h)
{
	return h->used == 0 && h->free == (struct blk *)(void *)heap &&
	    h->free->size == sizeof(heap) && h->free->next == NULL;
}

static void *
h_alloc(void *host, size_t size)
{
	struct host *h = host;
	struct blk **bp, *b;
	size_t n = grains(size);

	if (size > sizeof(heap))
		return NULL;
	for (bp = &h->free; (b = *bp) != NULL; bp = &b->next) {
		if (b->size < n)
			continue;
		if (b->size == n) {
			*bp = b->next;
		} else {
			struct blk *rest = (struct blk *)(void *)
			    ((unsigned char *)b + n);

			rest->size = b->size - n;
			rest->next = b->next;
			*bp = rest;
		}
		h->used += n;
		if (h->used > h->peak)
			h->peak = h->used;
		return b;		/* aligned: the heap and every size are */
	}
	return NULL;
}

static void
h_free(void *host, void *p, size_t size)
{
	struct host *h = host;
	unsigned char *c = p;
	struct blk *prev = NULL, *next, *b = p;
	size_t n = grains(size);
	uintptr_t off = (uintptr_t)c - (uintptr_t)heap;

	check(n <= sizeof(heap) && off <= sizeof(heap) - n && off % GRAIN == 0,
	    "free of memory not from the heap");
	check(h->used >= n, "more memory freed than allocated");
	for (next = h->free; next != NULL && (unsigned char *)next < c;
	    next = next->next)
		prev = next;
	/* Neither block beside it may overlap it: a double free would. */
	check(prev == NULL || (unsigned char *)prev + prev->size <= c,
	    "free of a free block");
	check(next == NULL || c + n <= (unsigned char *)next,
	    "free of a free block");
	b->size = n;
	b->next = next;
	if (next != NULL && c + n == (unsigned char *)next) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev == NULL) {
		h->free = b;
	} else if ((unsigned char *)prev + prev->size == c) {
		prev->size += b->size;
		prev->next = b->next;
	} else {
		prev->next = b;
	}
	h->used -= n;
}

/* ---- locks: the core starts no threads, so a mutex is a flag ---- */

static int
h_lock_init(void *host, struct pn_lock **lkp)
{
	struct pn_lock *lk = h_alloc(host, sizeof(*lk));

	if (lk == NULL)
		return PN_ENOMEM;
	lk->held = false;
	*lkp = lk;
	return 0;
}

static void
h_lock_fini(void *host, struct pn_lock *lk)
{
	check(!lk->held, "lock destroyed while held");
	h_free(host, lk, sizeof(*lk));
}

static void
h_lock_enter(void *host, struct pn_lock *lk)
{
	check(!lk->held, "lock taken twice");
	lk->held = true;
}

static void
h_lock_exit(void *host, struct pn_lock *lk)
{
	check(lk->held, "lock released but not held");
	lk->held = false;
}

static int
h_lock_held(void *host, struct pn_lock *lk)
{
	return lk->held;
}

static int
h_cv_init(void *host, struct pn_cv **cvp)
{
	static struct pn_cv cv;		/* no state: one will do */

	*cvp = &cv;
	return 0;
}

static void
h_cv_fini(void *host, struct pn_cv *cv)
{
}

/* One thread: a wait could never end. */
static void
h_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk)
{
	fail("cv_wait: one thread would wait forever");
}

static void
h_cv_broadcast(void *host, struct pn_cv *cv)
{
}

/* ---- vnodes ---- */

static int
h_vnode_alloc(void *host, int type, struct pn_vnode **vpp)
{
	struct pn_vnode *vp = h_alloc(host, sizeof(*vp));

	if (vp == NULL)
		return PN_ENOMEM;
	*vp = (struct pn_vnode){ .use = 1 };	/* the caller's reference */
	*vpp = vp;
	return 0;
}

static void
h_vnode_free(void *host, struct pn_vnode *vp)
{
	h_free(host, vp, sizeof(*vp));
}

/* vget: a vnode being reclaimed is refused, never waited for. */
static int
h_vnode_get(void *host, struct pn_vnode *vp)
{
	if (vp->use == 0)
		return PN_ENOENT;	/* being reclaimed */
	check(vp->use < UINT32_MAX, "use count overflow");
	vp->use++;
	return 0;
}

/*
 * vrele.  The last release reclaims: with the use count at 0 vnode_get
 * refuses the vnode; give the node back with pn_putvnode() (no host lock
 * held), then free the vnode.
 */
static void
h_vnode_rele(void *host, struct pn_vnode *vp)
{
	struct host *h = host;

	check(vp->use > 0, "vnode released with no use");
	if (--vp->use > 0)
		return;
	expect(pn_putvnode(h->mp, vp), PN_OK, "pn_putvnode");
	h->reclaims++;
	h_vnode_free(h, vp);
}

static void
h_vnode_setdata(void *host, struct pn_vnode *vp, struct pn_node *pn)
{
	vp->data = pn;
}

static struct pn_node *
h_vnode_getdata(void *host, struct pn_vnode *vp)
{
	return vp->data;
}

static void
h_vnode_setsize(void *host, struct pn_vnode *vp, int64_t size)
{
	vp->size = size;
}

static int64_t
h_vnode_getsize(void *host, struct pn_vnode *vp)
{
	return vp->size;
}

/*
 * The core logs only what went wrong: a broken rule (PN_LOG_PANIC), a bad
 * server answer or a refused call (PN_LOG_WARN).  This run expects none.
 */
static void h_log(void *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
h_log(void *host, int level, const char *fmt, ...)
{
	va_list ap;

	if (level < PN_LOG_WARN)
		return;
	((struct host *)host)->complaints++;
	printf("baremetal %s: the core complained: ", BM_BOARD);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A core assertion failed: report it and stop. */
static void
h_panic(void *host, const char *what, const char *file, int line)
{
	printf("baremetal %s: FAILED: core assertion %s (%s:%d)\n", BM_BOARD,
	    what, file, line);
	exit(1);
}

static const struct pn_host_ops ops = {
	.version = PN_HOST_OPS_VERSION,
	.alloc = h_alloc, .free = h_free,
	.lock_init = h_lock_init, .lock_fini = h_lock_fini,
	.lock_enter = h_lock_enter, .lock_exit = h_lock_exit,
	.lock_held = h_lock_held,
	.cv_init = h_cv_init, .cv_fini = h_cv_fini,
	.cv_wait = h_cv_wait, .cv_broadcast = h_cv_broadcast,
	.vnode_alloc = h_vnode_alloc, .vnode_free = h_vnode_free,
	.vnode_get = h_vnode_get, .vnode_rele = h_vnode_rele,
	.vnode_setdata = h_vnode_setdata, .vnode_getdata = h_vnode_getdata,
	.vnode_setsize = h_vnode_setsize, .vnode_getsize = h_vnode_getsize,
	.log = h_log, .panic = h_panic,
};

/* ---- the stack: painted at start, measured at the end ---- */

#ifdef BM_STACK_PAINT
#define PAINT		0xa5u
#define PAINT_MARGIN	256	/* bytes left alone below the painter's frame */

extern unsigned char __heap_end[], __stack[];	/* picolibc.ld */

/* Paint the stack from its bottom to below this call's frame. */
static void __attribute__((noinline))
stack_paint(void)
{
	unsigned char here;
	uintptr_t a = (uintptr_t)__heap_end;
	uintptr_t end = (uintptr_t)&here - PAINT_MARGIN;

	for (; a < end; a++)
		*(volatile unsigned char *)a = PAINT;
}

/* Bytes of stack ever used: from the top down to the deepest overwritten. */
static size_t
stack_peak(void)
{
	uintptr_t a = (uintptr_t)__heap_end, top = (uintptr_t)__stack;

	while (a < top && *(const volatile unsigned char *)a == PAINT)
		a++;
	return (size_t)(top - a);
}

static size_t
stack_size(void)
{
	return (size_t)((uintptr_t)__stack - (uintptr_t)__heap_end);
}
#endif

/* ---- the run ---- */

/* Distinct, nonzero, never the root's; every bit of 64 in play. */
static pn_cookie_t
cookie(size_t i)
{
	return (pn_cookie_t)(i + 2) * UINT64_C(0x9e3779b97f4a7c15);
}

static int64_t
size_of(size_t i)
{
	return (int64_t)i << 33 | (int64_t)i;
}

int
main(void)
{
	static struct host h;		/* .bss: not on the small stack */
	struct pn_mount_args args = { .version = PN_MOUNT_ARGS_VERSION,
	    .root_cookie = ROOT_COOKIE, .root_type = PN_VDIR,
	    .hash_hint = BM_COOKIES + 1 };	/* the cookies and the root */
	struct pn_pool_stats ps;
	struct pn_table_stats ts;
	struct pn_vnode *root, *vp, *vp2;
	size_t i, fixed, tbytes;

#ifdef BM_STACK_PAINT
	stack_paint();
#endif
	heap_init(&h);
	expect(pn_mount_create(&ops, &h, &args, &h.mp), PN_OK, "mount");
	expect(pn_table_stats(h.mp, &ts), PN_OK, "pn_table_stats");
	fixed = h.used - ts.bytes;	/* the mount; the table sized for N */
	expect(pn_makeroot(h.mp, &root), PN_OK, "pn_makeroot");

	/* Get-or-create every cookie; a second get finds the same vnode. */
	for (i = 0; i < BM_COOKIES; i++) {
		expect(pn_getvnode(h.mp, cookie(i), PN_VREG, size_of(i), 0,
		    &vp), PN_OK, "get-or-create");
		expect(pn_getvnode(h.mp, cookie(i), PN_VREG, size_of(i), 0,
		    &vp2), PN_OK, "get");
		check(vp2 == vp && vp->use == 2, "one vnode per cookie");
		h_vnode_rele(&h, vp2);
	}

	/* Look each one up: its node, its cookie, its size. */
	for (i = 0; i < BM_COOKIES; i++) {
		expect(pn_cookie2vnode(h.mp, cookie(i), 0, &vp), PN_OK,
		    "lookup");
		check(vp->use == 2 && vp->size == size_of(i) &&
		    pn_node_cookie(pn_vnode2node(h.mp, vp)) == cookie(i),
		    "lookup found the cookie's vnode");
		h_vnode_rele(&h, vp);
	}
	expect(pn_pool_stats(h.mp, &ps), PN_OK, "pn_pool_stats");
	expect(pn_table_stats(h.mp, &ts), PN_OK, "pn_table_stats");
	check(ps.in_use == BM_COOKIES + 1 && ts.entries == BM_COOKIES + 1,
	    "every cookie and the root in the pool and the table");
	check(ts.resizes == 0, "the hash hint kept the table from growing");
	tbytes = ts.bytes;

	/* Reclaim them: the lookup's use, then the last one. */
	for (i = 0; i < BM_COOKIES; i++) {
		expect(pn_cookie2vnode(h.mp, cookie(i), 0, &vp), PN_OK,
		    "lookup before reclaim");
		h_vnode_rele(&h, vp);
		h_vnode_rele(&h, vp);
	}
	check(h.reclaims == BM_COOKIES, "every vnode reclaimed");
	expect(pn_cookie2vnode(h.mp, cookie(0), 0, &vp), PN_ENOENT,
	    "lookup after reclaim");

	/* Unmount: no new users, reclaim the root, then the pool is empty. */
	expect(pn_mp_drain(h.mp), PN_OK, "pn_mp_drain");
	h_vnode_rele(&h, root);
	expect(pn_pool_stats(h.mp, &ps), PN_OK, "pn_pool_stats");
	check(ps.in_use == 0 && ps.allocs == ps.frees &&
	    ps.allocs == BM_COOKIES + 1, "the pool shows 0 in use");
	expect(pn_mount_destroy(h.mp), PN_OK, "pn_mount_destroy");
	check(h.complaints == 0, "the core complained");
	check(heap_whole(&h), "every byte of the heap returned");

	printf("baremetal %s: ok: %u cookies; heap peak %zu of %zu B: "
	    "mount %zu + %zu B per node (node %zu, table %zu B); ",
	    BM_BOARD, (unsigned)BM_COOKIES, h.peak, sizeof(heap), fixed,
	    (h.peak - fixed) / BM_COOKIES, ps.node_size, tbytes);
#ifdef BM_STACK_PAINT
	printf("stack peak %zu of %zu B; ", stack_peak(), stack_size());
#endif
	printf("pool 0 in use, heap all returned\n");
	return 0;
}
