/*
 * test_lockorder.c -- the simulator's lock order check (lib/sim/lock.c):
 * locks taken in the order sim_impl.h states pass, and a lock taken
 * below or beside one held, or released unheld, aborts with a report.
 * The check is compiled in here from its source; with NDEBUG it does
 * not exist and the test is skipped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_impl.h"

#ifdef NDEBUG
int
main(void)
{
	puts("lockorder: NDEBUG build: no check to test");
	return 77;
}
#else

static int failures;

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		failures++;						\
	}								\
} while (0)

/*
 * A coverage build (PN_TEST_GCOV) writes the child's counts before it
 * dies, so the path that aborted is counted.
 */
#ifdef PN_TEST_GCOV
void	__gcov_dump(void);
#endif

static void
on_abort(int sig)
{
	(void)sig;
#ifdef PN_TEST_GCOV
	__gcov_dump();
#endif
	_exit(99);
}

/* Run fn in a child: it must abort, saying want. */
static void
expect_abort(void (*fn)(void), const char *want)
{
	char buf[512];
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		signal(SIGABRT, on_abort);
		dup2(fds[1], 2);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 99);
	if (strstr(buf, want) == NULL) {
		fprintf(stderr, "expected \"%s\", got \"%s\"\n", want, buf);
		failures++;
	}
}

static void
take(int rank)
{
	sim_lo_check(rank);
	sim_lo_held(rank);
}

static void
list_then_interlock(void)
{
	take(SIM_LK_LIST);
	take(SIM_LK_INTERLOCK);
}

static void
nc_then_server(void)
{
	take(SIM_LK_NC);
	take(SIM_LK_SERVER);
}

static void
interlock_then_vnode(void)
{
	take(SIM_LK_INTERLOCK);
	take(SIM_LK_VNODE);
}

static void
two_interlocks(void)
{
	take(SIM_LK_INTERLOCK);
	take(SIM_LK_INTERLOCK);
}

static void
release_unheld(void)
{
	sim_lo_released(SIM_LK_NC);
}

int
main(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_t m2 = PTHREAD_MUTEX_INITIALIZER;
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	pthread_rwlock_t rw2 = PTHREAD_RWLOCK_INITIALIZER;
	int r;

	/* The whole order, outermost first, two vnode locks. */
	sim_rw_enter(&rw, SIM_LK_VNODE, true);
	sim_rw_enter(&rw2, SIM_LK_VNODE, false);
	CHECK(sim_lo_count(SIM_LK_VNODE) == 2);
	take(SIM_LK_SERVER);
	take(SIM_LK_NC);
	sim_mtx_enter(&m, SIM_LK_INTERLOCK);
	take(SIM_LK_LIST);
	for (r = SIM_LK_VNODE + 1; r < SIM_LK_NRANKS; r++)
		CHECK(sim_lo_count(r) == 1);
	/* A try-lock may go against the order: it cannot deadlock. */
	CHECK(sim_mtx_tryenter(&m2, SIM_LK_INTERLOCK));
	CHECK(sim_lo_count(SIM_LK_INTERLOCK) == 2);
	/* and a busy one is not counted */
	CHECK(!sim_mtx_tryenter(&m2, SIM_LK_INTERLOCK));
	CHECK(sim_lo_count(SIM_LK_INTERLOCK) == 2);
	sim_mtx_exit(&m2, SIM_LK_INTERLOCK);
	sim_lo_released(SIM_LK_LIST);
	sim_mtx_exit(&m, SIM_LK_INTERLOCK);
	sim_lo_released(SIM_LK_NC);
	sim_lo_released(SIM_LK_SERVER);
	sim_rw_exit(&rw2, SIM_LK_VNODE);
	sim_rw_exit(&rw, SIM_LK_VNODE);
	for (r = SIM_LK_VNODE; r < SIM_LK_NRANKS; r++)
		CHECK(sim_lo_count(r) == 0);

	expect_abort(list_then_interlock, "puffsnode-sim: lock order: taking "
	    "vnode interlock while holding vnode list lock");
	expect_abort(nc_then_server, "puffsnode-sim: lock order: taking "
	    "server lock while holding name cache lock");
	expect_abort(interlock_then_vnode, "puffsnode-sim: lock order: "
	    "taking vnode lock while holding vnode interlock");
	expect_abort(two_interlocks, "puffsnode-sim: lock order: taking "
	    "another vnode interlock while holding vnode interlock");
	expect_abort(release_unheld, "puffsnode-sim: lock order: releasing "
	    "an unheld name cache lock");

	if (failures != 0)
		return 1;
	puts("lockorder: ok");
	return 0;
}

#endif /* !NDEBUG */
