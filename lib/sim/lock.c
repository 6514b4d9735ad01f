/*
 * lock.c -- the simulator's lock order (sim_impl.h), checked.
 *
 * Every thread counts the simulator locks it holds, by rank: the vnode
 * lock, the server namespace lock, the name cache lock, the vnode
 * interlock, the vnode list lock, outermost first.  In a debug build (no
 * NDEBUG) a blocking acquire of a lock whose rank is below one held, or
 * equal to one held (except vnode locks: a rename or a create holds two)
 * is reported and aborts; try-locks cannot deadlock and are only
 * counted.  With NDEBUG the sim_*_enter/exit calls are the pthread calls
 * alone (sim_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_impl.h"

#ifndef NDEBUG

static const char *const rank_names[SIM_LK_NRANKS] = {
	[SIM_LK_VNODE] = "vnode lock",
	[SIM_LK_SERVER] = "server lock",
	[SIM_LK_NC] = "name cache lock",
	[SIM_LK_INTERLOCK] = "vnode interlock",
	[SIM_LK_LIST] = "vnode list lock",
};

static _Thread_local unsigned held[SIM_LK_NRANKS];

static _Noreturn void
order_broken(const char *what, int rank, int other)
{
	fprintf(stderr, "puffsnode-sim: lock order: %s %s while holding %s\n",
	    what, rank_names[rank], rank_names[other]);
	abort();
}

/* Before a blocking acquire of a lock of this rank. */
void
sim_lo_check(int rank)
{
	int r;

	for (r = SIM_LK_NRANKS - 1; r > rank; r--)
		if (held[r] != 0)
			order_broken("taking", rank, r);
	if (rank != SIM_LK_VNODE && held[rank] != 0)
		order_broken("taking another", rank, rank);
}

/* A lock of this rank is now held. */
void
sim_lo_held(int rank)
{
	held[rank]++;
}

/* A lock of this rank is released. */
void
sim_lo_released(int rank)
{
	if (held[rank] == 0)
		order_broken("releasing an unheld", rank, rank);
	held[rank]--;
}

/* How many locks of this rank the calling thread holds (the tests). */
unsigned
sim_lo_count(int rank)
{
	return held[rank];
}

#endif /* !NDEBUG */
