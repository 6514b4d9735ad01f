/*
 * lock.h -- the mutex and condition variable puffsnode-fuse's own tables
 * use (the kernel lookup counts, the shrinker, the passthrough server),
 * kept apart so that another lock implementation replaces them here.
 * The simulator brings its own locks for the node layer's host table.
 */
#ifndef PNFUSE_LOCK_H
#define PNFUSE_LOCK_H

#include <pthread.h>

typedef pthread_mutex_t	br_mutex_t;
typedef pthread_cond_t	br_cond_t;

static inline void
br_mutex_init(br_mutex_t *m)
{
	(void)pthread_mutex_init(m, NULL);
}

static inline void
br_mutex_destroy(br_mutex_t *m)
{
	(void)pthread_mutex_destroy(m);
}

static inline void
br_mutex_lock(br_mutex_t *m)
{
	(void)pthread_mutex_lock(m);
}

static inline void
br_mutex_unlock(br_mutex_t *m)
{
	(void)pthread_mutex_unlock(m);
}

static inline void
br_cond_init(br_cond_t *cv)
{
	(void)pthread_cond_init(cv, NULL);
}

static inline void
br_cond_destroy(br_cond_t *cv)
{
	(void)pthread_cond_destroy(cv);
}

static inline void
br_cond_wait(br_cond_t *cv, br_mutex_t *m)
{
	(void)pthread_cond_wait(cv, m);
}

static inline void
br_cond_signal(br_cond_t *cv)
{
	(void)pthread_cond_signal(cv);
}

#endif /* !PNFUSE_LOCK_H */
