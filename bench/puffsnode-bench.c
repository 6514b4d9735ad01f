/*
 * puffsnode-bench -- cookie lookups, misses, get-or-create and reclaim
 * churn of puffsnode against the seed's table, GHashTable, liburcu's
 * rculfhash and an unsynchronized "floor", side by side in one run.
 *
 * For each table size N every implementation is populated (the insert
 * rate: fresh instances populated until the timed part lasts the
 * measurement time, or once when that takes longer), then measured in interleaved rounds -- op by op, thread count by
 * thread count, implementation by implementation -- so that noise from
 * the machine falls on all of them alike; each figure is the median of
 * its rounds.  Every measurement runs for a fixed time, not a fixed op
 * count, so the seed's linear chains cost no more time than the others.
 *
 * Usage: puffsnode-bench [--quick] [--csv] [--csv-file FILE] [--plot FILE.png]
 *	[--sizes N,N,...] [--threads T,T] [--time SECONDS] [--rounds R]
 *	[--impl NAME,NAME,...] [--ops hit,miss,churn] [--cputime] [--parts]
 *	[--vnode-bytes B]
 *	[--sizes N] [--parts] --race SECONDS
 *
 * --race checks puffsnode instead of measuring it: two threads look up
 * while a third reclaims and creates nodes (run it under ThreadSanitizer).
 * --cputime divides by the threads' CPU time instead of the wall clock: for
 * comparisons on a busy machine, not for the record (a thread asleep on a
 * mutex costs no CPU time).
 * --parts mounts puffsnode with PN_MNT_PARTS (before --race: checks that).
 * --vnode-bytes B gives the bench host's vnodes B bytes (at least their
 * own size), as a kernel's vnodes are bigger: puffsnode's hits end on the
 * vnode, the floor's on a node of 16 bytes and the peers' on their own.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <puffsnode/puffsnode.h>

#include "bench.h"

enum { OP_HIT, OP_MISS, OP_INSERT, OP_CHURN, NOPS };
static const char *const opname[NOPS] = { "hit", "miss", "insert", "churn" };

#define MAXIMPL		5
#define MAXSIZES	8
#define MAXTHREADS	2
#define MAXREPS		2000	/* populates of one insert measurement */
#define MAXROUNDS	9

static const struct bench_impl *const all_impls[MAXIMPL] = {
	&bench_floor, &bench_puffsnode, &bench_seed, &bench_glib,
	&bench_rculfhash,
};

static struct {
	bool	 quick, csv, cputime;
	unsigned ops;		/* bit per op to measure */
	const char *csvfile, *plotfile;
	size_t	 sizes[MAXSIZES];
	int	 nsizes;
	int	 threads[MAXTHREADS];
	int	 nthreads;
	double	 secs;
	int	 rounds;
	bool	 use[MAXIMPL];
} opt;

/* samples[impl][op][size][threads-index][round] */
static double samples[MAXIMPL][NOPS][MAXSIZES][MAXTHREADS][MAXROUNDS];
static int nsamples[MAXIMPL][NOPS][MAXSIZES][MAXTHREADS];

struct pnmem {
	bool	have;
	struct bench_pn_mem m;
	double	rss_per_node;
} pnmem[MAXSIZES];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- workers ---- */

struct job {
	const struct bench_impl	*im;
	void			*inst;
	size_t			 n;
	int			 op;
	int			 tid, nthreads;
	double			 secs;
	uint64_t		*seq;		/* churn: this thread's counter */
	pthread_barrier_t	*bar;
	/* results */
	uint64_t		 ops;
	double			 t0, t1;
	double			 c0, c1;	/* thread CPU time */
};

static double
cpunow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct bench_rng r = { bench_mix(UINT64_C(0x9e3779b97f4a7c15) *
	    (uint64_t)(j->tid + 1) + (uint64_t)j->op) | 1 };
	uint64_t batch = 1, ops = 0;
	double t, tb;

	if (j->im->thread_init != NULL)
		j->im->thread_init(j->inst);
	pthread_barrier_wait(j->bar);
	j->c0 = cpunow();
	j->t0 = t = now();
	if (j->op == OP_INSERT) {
		j->im->populate(j->inst, j->n, j->tid, j->nthreads);
		ops = (j->n - (size_t)j->tid + (size_t)j->nthreads - 1) /
		    (size_t)j->nthreads;
		t = now();
	} else {
		do {
			tb = t;
			if (j->op == OP_CHURN)
				j->im->churn(j->inst, &r, j->n, j->tid,
				    j->nthreads, batch, j->seq);
			else
				(void)j->im->lookups(j->inst, &r, j->n,
				    j->op == OP_MISS, batch);
			ops += batch;
			t = now();
			if (batch < 4096 && t - tb < 100e-6)
				batch *= 2;
		} while (t - j->t0 < j->secs);
	}
	j->t1 = t;
	j->c1 = cpunow();
	j->ops = ops;
	if (j->im->thread_fini != NULL)
		j->im->thread_fini(j->inst);
	return NULL;
}

/* Run op on nthreads threads; the rate per second over all threads. */
static double
run(const struct bench_impl *im, void *inst, size_t n, int op, int nthreads,
    uint64_t *seqs)
{
	pthread_t th[MAXTHREADS];
	struct job jobs[MAXTHREADS];
	pthread_barrier_t bar;
	double rate = 0, t0 = 1e300, t1 = 0;
	int i;

	pthread_barrier_init(&bar, NULL, (unsigned)nthreads);
	for (i = 0; i < nthreads; i++) {
		jobs[i] = (struct job){ .im = im, .inst = inst, .n = n,
		    .op = op, .tid = i, .nthreads = nthreads, .secs = opt.secs,
		    .seq = &seqs[i], .bar = &bar };
		if (pthread_create(&th[i], NULL, worker, &jobs[i]) != 0) {
			perror("pthread_create");
			exit(1);
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	if (op == OP_INSERT) {
		for (i = 0; i < nthreads; i++) {
			if (jobs[i].t0 < t0)
				t0 = jobs[i].t0;
			if (jobs[i].t1 > t1)
				t1 = jobs[i].t1;
		}
		if (opt.cputime) {
			for (i = 0, t1 = 0; i < nthreads; i++)
				t1 += jobs[i].c1 - jobs[i].c0;
			return (double)n * nthreads / t1;
		}
		return (double)n / (t1 - t0);
	}
	for (i = 0; i < nthreads; i++)
		rate += (double)jobs[i].ops / (opt.cputime ?
		    jobs[i].c1 - jobs[i].c0 : jobs[i].t1 - jobs[i].t0);
	return rate;
}

static void
record(int ii, int op, int si, int ti, double v)
{
	int *k = &nsamples[ii][op][si][ti];

	if (*k < MAXROUNDS)
		samples[ii][op][si][ti][(*k)++] = v;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the rounds; 0 when not measured. */
static double
result(int ii, int op, int si, int ti)
{
	int k = nsamples[ii][op][si][ti];
	double v[MAXROUNDS];

	if (k == 0)
		return 0;
	memcpy(v, samples[ii][op][si][ti], sizeof(double) * (size_t)k);
	qsort(v, (size_t)k, sizeof(double), cmpd);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* ---- one table size ---- */

struct inst {
	void		*p;
	uint64_t	 seq[MAXTHREADS];
};

static void
one_size(int si)
{
	size_t n = opt.sizes[si];
	struct inst in[MAXIMPL];
	int ii, ti, op, r;
	size_t rss0, rss1;
	double t, secs;
	int reps;

	memset(in, 0, sizeof(in));
	/*
	 * Populate: every thread count, implementations in turn; keep the
	 * instance the last thread count built.  puffsnode goes first so that
	 * its memory is measured on a quiet heap.
	 */
	for (ti = 0; ti < opt.nthreads; ti++) {
		static const int order[MAXIMPL] = { 1, 0, 2, 3, 4 };
		int k;

		for (k = 0; k < MAXIMPL; k++) {
			const struct bench_impl *im;

			ii = order[k];
			im = all_impls[ii];
			if (!opt.use[ii])
				continue;
			malloc_trim(0);
			rss0 = rss_bytes();
			fprintf(stderr, "  N=%zu %-9s populate, %d thread%s ...",
			    n, im->name, opt.threads[ti],
			    opt.threads[ti] > 1 ? "s" : "");
			t = now();
			/*
			 * First a populate thrown away, untimed: the heap then
			 * holds the memory a populate needs (see main), so that
			 * the timed ones insert into memory the process already
			 * has, as a running file server's creates do, for every
			 * implementation, size and repetition alike.
			 */
			in[ii].p = im->create(n);
			(void)run(im, in[ii].p, n, OP_INSERT, opt.threads[ti],
			    in[ii].seq);
			im->destroy(in[ii].p);
			/*
			 * Populate fresh instances until the timed part adds
			 * up to the measurement time (one populate at large
			 * N): a single populate of 10^3 cookies lasts tens of
			 * microseconds, too short to time.
			 */
			for (reps = 0, secs = 0;;) {
				in[ii].p = im->create(n);
				secs += (double)n / run(im, in[ii].p, n,
				    OP_INSERT, opt.threads[ti], in[ii].seq);
				if (ii == 1 && !pnmem[si].have) {
					rss1 = rss_bytes();
					pnmem[si].have = true;
					bench_pn_mem(in[ii].p, &pnmem[si].m);
					pnmem[si].rss_per_node = ((double)rss1 -
					    (double)rss0) / (double)n -
					    (double)pnmem[si].m.vnode_bytes;
				}
				if (++reps >= MAXREPS || secs >= opt.secs)
					break;
				im->destroy(in[ii].p);
			}
			record(ii, OP_INSERT, si, ti, (double)n * reps / secs);
			fprintf(stderr, " %.2f s (%d populate%s)\n", now() - t,
			    reps, reps > 1 ? "s" : "");
			if (ti + 1 < opt.nthreads) {
				im->destroy(in[ii].p);
				in[ii].p = NULL;
			}
		}
	}

	for (r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "  N=%zu round %d/%d\n", n, r + 1, opt.rounds);
		for (op = OP_HIT; op <= OP_MISS; op++)
			for (ti = 0; ti < opt.nthreads && (opt.ops >> op & 1); ti++)
				for (ii = 0; ii < MAXIMPL; ii++)
					if (in[ii].p != NULL)
						record(ii, op, si, ti,
						    run(all_impls[ii], in[ii].p,
						    n, op, opt.threads[ti],
						    in[ii].seq));
	}
	/* Churn last: it replaces the cookies the lookups use. */
	for (r = 0; r < opt.rounds && (opt.ops >> OP_CHURN & 1); r++)
		for (ti = 0; ti < opt.nthreads; ti++)
			for (ii = 0; ii < MAXIMPL; ii++)
				if (in[ii].p != NULL)
					record(ii, OP_CHURN, si, ti,
					    run(all_impls[ii], in[ii].p, n,
					    OP_CHURN, opt.threads[ti],
					    in[ii].seq));
	for (ii = 0; ii < MAXIMPL; ii++)
		if (in[ii].p != NULL)
			all_impls[ii]->destroy(in[ii].p);
}

/* ---- output ---- */

static const char *
fmt_rate(char *buf, size_t len, double v)
{
	if (v <= 0)
		snprintf(buf, len, "-");
	else if (v >= 1e9)
		snprintf(buf, len, "%.3gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

static const char *
fmt_n(char *buf, size_t len, size_t n)
{
	size_t m = n;
	int e = 0;

	while (m >= 10 && m % 10 == 0) {
		m /= 10;
		e++;
	}
	if (m == 1 && e > 0)
		snprintf(buf, len, "10^%d", e);
	else
		snprintf(buf, len, "%zu", n);
	return buf;
}

static void
print_table(FILE *f)
{
	char b1[32], b2[32];
	int si, op, ti, ii;
	static const int opord[NOPS] = { OP_HIT, OP_MISS, OP_INSERT, OP_CHURN };

	fprintf(f, "%-6s %-6s %3s ", "N", "op", "thr");
	for (ii = 0; ii < MAXIMPL; ii++)
		if (opt.use[ii])
			fprintf(f, ii == 0 ? " %8s" : " %15s", all_impls[ii]->name);
	fprintf(f, "\n");
	for (si = 0; si < opt.nsizes; si++) {
		for (op = 0; op < NOPS; op++)
			for (ti = 0; ti < opt.nthreads; ti++) {
				double fl = result(0, opord[op], si, ti);

				fprintf(f, "%-6s %-6s %3d ", fmt_n(b1, sizeof(b1),
				    opt.sizes[si]), opname[opord[op]],
				    opt.threads[ti]);
				for (ii = 0; ii < MAXIMPL; ii++) {
					double v = result(ii, opord[op], si, ti);

					if (!opt.use[ii])
						continue;
					if (ii == 0) {
						fprintf(f, " %8s", fmt_rate(b2,
						    sizeof(b2), v));
						continue;
					}
					if (fl > 0 && v > 0)
						snprintf(b1, sizeof(b1), "%.2fx",
						    v / fl);
					else
						snprintf(b1, sizeof(b1), "-");
					fprintf(f, " %8s %6s", fmt_rate(b2,
					    sizeof(b2), v), b1);
				}
				fprintf(f, "\n");
			}
	}
	fprintf(f, "\nRates are operations per second, all threads together; "
	    "(x) is the ratio to floor\nat the same N and thread count.  "
	    "Median of %d round%s of %.2f s each.\n", opt.rounds,
	    opt.rounds > 1 ? "s" : "", opt.secs);
	fprintf(f, "\npuffsnode bytes per node (library side: pnode pool + "
	    "table; host vnode excluded):\n");
	for (si = 0; si < opt.nsizes; si++) {
		struct pnmem *m = &pnmem[si];

		if (!m->have)
			continue;
		fprintf(f, "  N=%-5s node %zu B, pool %.1f + table %.1f = %.1f "
		    "B/node (%zu slots, longest probe %zu); RSS %.1f B/node\n",
		    fmt_n(b1, sizeof(b1), opt.sizes[si]), m->m.node_size,
		    m->m.pool_bytes, m->m.table_bytes,
		    m->m.pool_bytes + m->m.table_bytes, m->m.buckets,
		    m->m.longest_probe, m->rss_per_node);
	}
}

static void
print_csv(FILE *f)
{
	int si, op, ti, ii;

	fprintf(f, "impl,op,n,threads,per_s\n");
	for (si = 0; si < opt.nsizes; si++)
		for (op = 0; op < NOPS; op++)
			for (ti = 0; ti < opt.nthreads; ti++)
				for (ii = 0; ii < MAXIMPL; ii++)
					if (opt.use[ii] &&
					    nsamples[ii][op][si][ti] > 0)
						fprintf(f, "%s,%s,%zu,%d,%.0f\n",
						    all_impls[ii]->name,
						    opname[op], opt.sizes[si],
						    opt.threads[ti],
						    result(ii, op, si, ti));
}

static int
plot(const char *file)
{
	char dat[] = "/tmp/puffsnode-bench-XXXXXX";
	static const char *const color[MAXIMPL] = { "#000000", "#d62728",
	    "#7f7f7f", "#1f77b4", "#2ca02c" };
	FILE *f, *g;
	int fd, si, ti, ii, op, first;

	if ((fd = mkstemp(dat)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		perror("puffsnode-bench: plot data");
		return -1;
	}
	/* One block per (op, impl, threads), separated by two blank lines. */
	for (op = OP_HIT; op <= OP_MISS; op++)
		for (ii = 0; ii < MAXIMPL; ii++)
			for (ti = 0; ti < opt.nthreads; ti++) {
				for (si = 0; si < opt.nsizes; si++)
					if (result(ii, op, si, ti) > 0)
						fprintf(f, "%zu %g\n",
						    opt.sizes[si],
						    result(ii, op, si, ti));
				fprintf(f, "\n\n");
			}
	fclose(f);
	if ((g = popen("gnuplot", "w")) == NULL) {
		perror("puffsnode-bench: gnuplot");
		remove(dat);
		return -1;
	}
	fprintf(g, "set terminal pngcairo size 1400,600 noenhanced\n"
	    "set output '%s'\nset multiplot layout 1,2\n"
	    "set logscale xy\nset grid\nset xlabel 'N (nodes in the table)'\n"
	    "set ylabel 'lookups per second'\nset key outside right\n"
	    "set format y '%%.0e'\n", file);
	for (op = OP_HIT; op <= OP_MISS; op++) {
		fprintf(g, "set title '%s'\nplot ", op == OP_HIT ?
		    "hits (a reference taken and dropped)" : "misses");
		first = 1;
		for (ii = 0; ii < MAXIMPL; ii++)
			for (ti = 0; ti < opt.nthreads; ti++) {
				int idx = ((op - OP_HIT) * MAXIMPL + ii) *
				    opt.nthreads + ti;

				if (!opt.use[ii] || nsamples[ii][op][0][ti] == 0)
					continue;
				fprintf(g, "%s'%s' index %d with linespoints "
				    "lw 2 lc rgb '%s' dt %d title '%s %dT'",
				    first ? "" : ", ", dat, idx, color[ii],
				    ti == 0 ? 1 : 2, all_impls[ii]->name,
				    opt.threads[ti]);
				first = 0;
			}
		fprintf(g, "\n");
	}
	fprintf(g, "unset multiplot\n");
	if (pclose(g) != 0) {
		fprintf(stderr, "puffsnode-bench: gnuplot failed\n");
		remove(dat);
		return -1;
	}
	remove(dat);
	return 0;
}

/* ---- options ---- */

static void
usage(void)
{
	fprintf(stderr, "usage: puffsnode-bench [--quick] [--csv] "
	    "[--csv-file FILE] [--plot FILE.png]\n"
	    "\t[--sizes N,...] [--threads T,...] [--time SECONDS] "
	    "[--rounds R] [--impl NAME,...]\n"
	    "\t[--ops hit,miss,churn] [--cputime] [--parts] [--vnode-bytes B]\n"
	    "       puffsnode-bench [--sizes N] [--parts] --race SECONDS\n");
	exit(2);
}

static void
parse_sizes(const char *s)
{
	char *end;

	opt.nsizes = 0;
	while (*s != '\0' && opt.nsizes < MAXSIZES) {
		double v = strtod(s, &end);

		if (end == s || v < 2 || v > 1e9)
			usage();
		opt.sizes[opt.nsizes++] = (size_t)v & ~(size_t)1;
		s = *end == ',' ? end + 1 : end;
	}
}

int
main(int argc, char **argv)
{
	int i, si, ii;
	bool secs_set = false, rounds_set = false;
	double t;

	for (ii = 0; ii < MAXIMPL; ii++)
		opt.use[ii] = true;
	opt.sizes[0] = 1000;
	opt.sizes[1] = 100000;
	opt.sizes[2] = 1000000;
	opt.sizes[3] = 10000000;
	opt.nsizes = 4;
	opt.threads[0] = 1;
	opt.threads[1] = 2;
	opt.nthreads = 2;
	opt.ops = (1u << NOPS) - 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--quick") == 0) {
			opt.quick = true;
			opt.sizes[0] = 1000;
			opt.sizes[1] = 1000000;
			opt.nsizes = 2;
		} else if (strcmp(a, "--race") == 0 && i + 1 < argc) {
			return bench_pn_race(opt.sizes[0], strtod(argv[++i],
			    NULL));
		} else if (strcmp(a, "--cputime") == 0) {
			opt.cputime = true;
		} else if (strcmp(a, "--parts") == 0) {
			bench_pn_flags |= PN_MNT_PARTS;
		} else if (strcmp(a, "--vnode-bytes") == 0 && i + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);

			if (*end != '\0' || v == 0 || v > 65536)
				usage();
			bench_pn_vnode_bytes = (size_t)v;
		} else if (strcmp(a, "--ops") == 0 && i + 1 < argc) {
			const char *o = argv[++i];
			int k;

			opt.ops = 1u << OP_INSERT;
			for (k = 0; k < NOPS; k++)
				if (strstr(o, opname[k]) != NULL)
					opt.ops |= 1u << k;
		} else if (strcmp(a, "--csv") == 0) {
			opt.csv = true;
		} else if (strcmp(a, "--csv-file") == 0 && i + 1 < argc) {
			opt.csvfile = argv[++i];
		} else if (strcmp(a, "--plot") == 0 && i + 1 < argc) {
			opt.plotfile = argv[++i];
		} else if (strcmp(a, "--sizes") == 0 && i + 1 < argc) {
			parse_sizes(argv[++i]);
		} else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
			char *end;

			opt.nthreads = 0;
			for (a = argv[++i]; *a != '\0' && opt.nthreads <
			    MAXTHREADS; a = *end == ',' ? end + 1 : end) {
				long v = strtol(a, &end, 10);

				if (end == a || v < 1 || v > MAXTHREADS)
					usage();
				opt.threads[opt.nthreads++] = (int)v;
			}
		} else if (strcmp(a, "--time") == 0 && i + 1 < argc) {
			opt.secs = strtod(argv[++i], NULL);
			secs_set = opt.secs > 0;
			if (!secs_set)
				usage();
		} else if (strcmp(a, "--rounds") == 0 && i + 1 < argc) {
			opt.rounds = atoi(argv[++i]);
			if (opt.rounds < 1 || opt.rounds > MAXROUNDS)
				usage();
			rounds_set = true;
		} else if (strcmp(a, "--impl") == 0 && i + 1 < argc) {
			const char *s = argv[++i];

			for (ii = 0; ii < MAXIMPL; ii++)
				opt.use[ii] = ii == 0;	/* floor always */
			while (*s != '\0') {
				size_t len = strcspn(s, ",");

				for (ii = 0; ii < MAXIMPL; ii++)
					if (strlen(all_impls[ii]->name) == len &&
					    strncmp(s, all_impls[ii]->name,
					    len) == 0)
						opt.use[ii] = true;
				s += len + (s[len] == ',');
			}
		} else {
			usage();
		}
	}
	/*
	 * The heap keeps what it is given (blocks under 32 MB, and no trim
	 * but the explicit one before each implementation's populates): the
	 * insert rate then times inserts, not the machine's page faults.
	 * Memory handed back to the kernel and faulted in anew by the next
	 * populate made the 10^5 row 2.5M or 9.8M by the heap's state.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
	if (!secs_set)
		opt.secs = opt.quick ? 0.2 : 0.4;
	if (!rounds_set)
		opt.rounds = opt.quick ? 2 : 3;
	for (ii = 0; ii < MAXIMPL; ii++)
		if (opt.use[ii] && all_impls[ii]->create == NULL) {
			fprintf(stderr, "puffsnode-bench: %s not built in "
			    "(its library was not found): rows skipped\n",
			    all_impls[ii]->name);
			opt.use[ii] = false;
		}
	/* rculfhash's teardown runs here and must be a registered thread. */
	if (opt.use[4] && bench_rculfhash.thread_init != NULL)
		bench_rculfhash.thread_init(NULL);

	t = now();
	for (si = 0; si < opt.nsizes; si++)
		one_size(si);
	fprintf(stderr, "puffsnode-bench: %.0f s\n", now() - t);

	if (opt.csv) {
		print_csv(stdout);
	} else {
		print_table(stdout);
	}
	if (opt.csvfile != NULL) {
		FILE *f = fopen(opt.csvfile, "w");

		if (f == NULL) {
			fprintf(stderr, "puffsnode-bench: %s: %s\n",
			    opt.csvfile, strerror(errno));
			return 1;
		}
		print_csv(f);
		fclose(f);
	}
	if (opt.plotfile != NULL && plot(opt.plotfile) != 0)
		return 1;
	return 0;
}
