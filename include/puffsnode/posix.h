/*
 * puffsnode/posix.h -- the POSIX host kit: the generic members of a
 * struct pn_host_ops for a hosted embedder.
 *
 * libpuffsnode-posix implements the host members that do not depend on
 * the embedder's vnodes: memory (malloc), mutexes and condition variables
 * (pthreads), the clock (clock_gettime), logging (standard error), the
 * yield (sched_yield) and the assertion stop (abort).  pn_posix_fill_ops()
 * writes them into a table; the embedder adds its vnode members and hands
 * the table to pn_mount_create().  Each member is also a public function, for a table
 * written as a constant initializer or a host that wraps one member.
 *
 * The members never look at the host context pointer, so any context
 * goes with them.  The mutex records its holder: pn_posix_lock_held()
 * answers exactly (1 when the calling thread holds the lock, 0 when it
 * does not), and misuse (a recursive enter, an exit or a wait without
 * the lock, a fini of a held lock, a NULL lock or condition variable)
 * is reported on standard error and aborts.  All calls are thread-safe.
 */
#ifndef PUFFSNODE_POSIX_H
#define PUFFSNODE_POSIX_H

#include <stdarg.h>
#include <stddef.h>

#include <puffsnode/puffsnode.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PN_POSIX_PRINTF(f, a)	__attribute__((__format__(__printf__, f, a)))
#else
#define PN_POSIX_PRINTF(f, a)
#endif

/*
 * Set ops->version to version and the members alloc, free, lock_init,
 * lock_fini, lock_enter, lock_exit, lock_held, cv_init, cv_fini, cv_wait,
 * cv_broadcast, clock_now, log and yield, and from version 2 on panic, to
 * the calls below.  Every other member is left as it was.  Pass the
 * PN_HOST_OPS_VERSION of the header ops was compiled with: the kit then
 * never writes or announces a member the caller's table lacks.  0, or
 * PN_EINVAL for a NULL ops or a version outside 1 .. the kit's
 * PN_HOST_OPS_VERSION.
 */
int	pn_posix_fill_ops(struct pn_host_ops *ops, int version);

/*
 * Memory: malloc(3) and free(3); on Linux, mappings of their own for
 * blocks of 4 MB and more, and 2 MB chunks of one block size for blocks
 * of 8 KB to 256 KB (pn_posix_fill_ops(3)).  A size of 0 allocates one
 * byte; free needs the size alloc was given.
 */
void	*pn_posix_alloc(void *host, size_t size);
void	 pn_posix_free(void *host, void *p, size_t size);

/* Mutexes: pthread mutexes that know their holder. */
int	 pn_posix_lock_init(void *host, struct pn_lock **lkp);	/* 0, PN_EINVAL, PN_ENOMEM */
void	 pn_posix_lock_fini(void *host, struct pn_lock *lk);	/* NULL: nothing */
void	 pn_posix_lock_enter(void *host, struct pn_lock *lk);
void	 pn_posix_lock_exit(void *host, struct pn_lock *lk);
int	 pn_posix_lock_held(void *host, struct pn_lock *lk);	/* 1 held by the caller, 0 not */

/* Condition variables: pthread condition variables. */
int	 pn_posix_cv_init(void *host, struct pn_cv **cvp);	/* 0, PN_EINVAL, PN_ENOMEM */
void	 pn_posix_cv_fini(void *host, struct pn_cv *cv);	/* NULL: nothing */
void	 pn_posix_cv_wait(void *host, struct pn_cv *cv, struct pn_lock *lk);
void	 pn_posix_cv_broadcast(void *host, struct pn_cv *cv);

/* The time of day (CLOCK_REALTIME); 0 if the clock cannot be read. */
void	 pn_posix_clock_now(void *host, struct pn_timespec *ts);

/* One line on standard error: "puffsnode: <level>: <message>". */
void	 pn_posix_log(void *host, int level, const char *fmt, ...)
	    PN_POSIX_PRINTF(3, 4);
/* The same with a va_list, for a host's log member that wraps it. */
void	 pn_posix_vlog(void *host, int level, const char *fmt, va_list ap)
	    PN_POSIX_PRINTF(3, 0);

/* sched_yield(2). */
void	 pn_posix_yield(void *host);

/* A failed assertion: one line on standard error, then abort(3). */
void	 pn_posix_panic(void *host, const char *what, const char *file,
	    int line);

#ifdef __cplusplus
}
#endif

#endif /* !PUFFSNODE_POSIX_H */
