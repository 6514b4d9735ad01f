/*
 * shrinker.c -- makes the kernel forget node ids past --maxvnodes.
 *
 * The kernel forgets a node id only when its inode leaves the kernel's
 * caches.  With --shrink, a thread of its own waits until the kernel
 * holds more node ids than the limit, then asks it to drop entries by
 * (parent, name) (fuse_lowlevel_notify_inval_entry) down to three
 * quarters of the limit; the kernel forgets the inodes no one is using,
 * their vnodes go inactive and are reclaimed.  A notification must not
 * be sent from a request's path, hence the thread.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"

void
shrink_kick(struct bridge *br)
{
	br_mutex_lock(&br->br_shlock);
	br_cond_signal(&br->br_shcv);
	br_mutex_unlock(&br->br_shlock);
}

/* One round: notify up to max entries; returns whether any forget came. */
static bool
shrink_round(struct bridge *br, struct victim *v, size_t max)
{
	size_t n, i, before;

	before = atomic_load(&br->br_nkref);
	n = before - br->br_klimit + br->br_klimit / 4;
	n = kref_pick(br, v, n < max ? n : max);
	CNT(br, shrink_rounds);
	for (i = 0; i < n; i++) {
		if (kref_held_dir(br, v[i].v_parent) &&
		    fuse_lowlevel_notify_inval_entry(br->br_se,
		    v[i].v_parent, v[i].v_name, strlen(v[i].v_name)) == 0)
			CNT(br, shrink_invals);
		free(v[i].v_name);
	}
	return atomic_load(&br->br_nkref) < before;
}

static void *
shrinker_main(void *arg)
{
	struct bridge *br = arg;
	struct victim *v;
	size_t max = 256;
	bool progress;

	if ((v = calloc(max, sizeof(*v))) == NULL)
		return NULL;
	br_mutex_lock(&br->br_shlock);
	for (;;) {
		while (!br->br_shstop &&
		    atomic_load(&br->br_nkref) <= br->br_klimit)
			br_cond_wait(&br->br_shcv, &br->br_shlock);
		if (br->br_shstop)
			break;
		br_mutex_unlock(&br->br_shlock);
		progress = shrink_round(br, v, max);
		/* Give the forgets time to come; longer if none came. */
		usleep(progress ? 1000 : 50000);
		br_mutex_lock(&br->br_shlock);
	}
	br_mutex_unlock(&br->br_shlock);
	free(v);
	return NULL;
}

int
bridge_shrinker_start(struct bridge *br)
{
	int error;

	br_mutex_init(&br->br_shlock);
	br_cond_init(&br->br_shcv);
	if (br->br_klimit == 0)
		return 0;
	if ((error = pthread_create(&br->br_shrinker, NULL, shrinker_main,
	    br)) != 0)
		return error;
	br->br_shrunning = true;
	return 0;
}

void
bridge_shrinker_stop(struct bridge *br)
{
	if (br->br_shrunning) {
		br_mutex_lock(&br->br_shlock);
		br->br_shstop = true;
		br_cond_signal(&br->br_shcv);
		br_mutex_unlock(&br->br_shlock);
		pthread_join(br->br_shrinker, NULL);
		br->br_shrunning = false;
	}
	br_cond_destroy(&br->br_shcv);
	br_mutex_destroy(&br->br_shlock);
}
