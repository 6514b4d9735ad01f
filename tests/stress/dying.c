/*
 * dying.c -- unmount racing lock-free lookups.
 *
 * One thread holds a live node and calls pn_getvnode on it in a loop: the
 * lookup finds it without taking the mount lock.  Another thread starts
 * the unmount (pn_mp_drain).  The getvnode calls must go from answering
 * the node to PN_ENXIO, and under ThreadSanitizer the mount's dying flag
 * must be read and written without a data race.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "testhost.h"

#define ROOT	((pn_cookie_t)1)

static struct th_host th;
static atomic_bool started, stop;
static atomic_long ok_calls, enxio_calls, bad_calls;

static void *
getter(void *arg)
{
	struct pn_vnode *vp;
	int rv;

	(void)arg;
	while (!atomic_load(&stop)) {
		rv = pn_getvnode(th.h_mp, 7, PN_VREG, 0, 0, &vp);
		if (rv == PN_OK) {
			atomic_fetch_add(&ok_calls, 1);
			th_vrele(&th, vp);
		} else if (rv == PN_ENXIO) {
			atomic_fetch_add(&enxio_calls, 1);
		} else {
			atomic_fetch_add(&bad_calls, 1);
		}
		atomic_store(&started, true);
	}
	return NULL;
}

int
main(void)
{
	struct pn_mount_args args = th_args(ROOT);
	struct pn_vnode *held;
	pthread_t t;
	long enxio;
	int fail = 0, i;

	th_init(&th);
	if (th_mount(&th, &args) != PN_OK ||
	    pn_getvnode(th.h_mp, 7, PN_VREG, 0, 0, &held) != PN_OK)
		return 1;
	pthread_create(&t, NULL, getter, NULL);
	while (!atomic_load(&started))
		sched_yield();
	usleep(10000);
	if (pn_mp_drain(th.h_mp) != PN_OK)
		fail = 1;
	for (i = 0; i < 1000 && atomic_load(&enxio_calls) == 0; i++)
		usleep(1000);
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	enxio = atomic_load(&enxio_calls);
	printf("dying: %ld answered, %ld refused after the unmount began, "
	    "%ld wrong\n", (long)atomic_load(&ok_calls), enxio,
	    (long)atomic_load(&bad_calls));
	if (enxio == 0 || atomic_load(&bad_calls) != 0)
		fail = 1;
	th_vrele(&th, held);
	if (th_reclaim_unused(&th) != 1 || pn_mount_destroy(th.h_mp) != PN_OK ||
	    th_fini(&th) != 0)
		fail = 1;
	return fail;
}
