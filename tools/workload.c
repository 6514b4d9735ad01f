/*
 * workload.c -- the threads of puffsnode-sim.
 *
 * Each thread draws its operations from its own generator, seeded from
 * the run's seed and the thread's number, so a seed and a thread count
 * give the same operations every run.  Outcomes are reproducible too:
 * walks and reads only name nodes of the initial tree, which nothing
 * removes, and a thread removes and renames only names it created itself
 * (t<thread>.<n>, in directories of the initial tree).  The digest folds
 * every operation, its target and its result together.
 *
 * Operations: lookup (walk a path), create (a file, or one time in eight
 * a directory), remove and rename (of the thread's own names), getattr
 * (walk, then ask the server through the mount), read (walk, poll, then
 * an asynchronous read; synthetic content is checked byte by byte).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

const char *const wl_kind_names[WL_NKINDS] = {
	"lookup", "create", "remove", "getattr", "read", "rename"
};

#define PATHMAX	4096

struct made {
	size_t		dir;		/* initial node index */
	uint64_t	serial;
	int		type;
};

struct worker {
	struct wl	*wl;
	unsigned	 no;
	uint64_t	 ops;
	uint64_t	 rng[4];
	struct made	*made;
	size_t		 nmade;
	size_t		 capmade;
	uint64_t	 serial;
	char		 path[PATHMAX];
	unsigned char	 buf[4096];
};

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t
rnd(struct worker *w)
{
	uint64_t *s = w->rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void
fold(struct wl_result *r, uint64_t v)
{
	r->digest = (r->digest ^ v) * UINT64_C(0x100000001b3);
}

int
wl_prepare(struct wl *wl)
{
	struct pn_sim_server_stats st;
	char path[PATHMAX];
	size_t i;
	int type;

	if (pn_sim_server_stats(wl->srv, &st) != PN_OK)
		return -1;
	wl->ninitial = st.initial;
	wl->dirs = calloc(st.initial, sizeof(size_t));
	wl->files = calloc(st.initial, sizeof(size_t));
	if (wl->dirs == NULL || wl->files == NULL)
		return -1;
	for (i = 0; i < st.initial; i++) {
		if (pn_sim_server_path(wl->srv, i, path, sizeof(path),
		    &type) != PN_OK)
			continue;
		if (type == PN_VDIR)
			wl->dirs[wl->ndirs++] = i;
		else if (type == PN_VREG)
			wl->files[wl->nfiles++] = i;
	}
	return wl->ndirs > 0 ? 0 : -1;
}

static int
walk(struct worker *w, size_t index, int *typep, struct pn_vnode **vpp)
{
	int error;

	error = pn_sim_server_path(w->wl->srv, index, w->path,
	    sizeof(w->path), typep);
	if (error != PN_OK)
		return error;
	return pn_sim_namei(w->wl->sim, w->path, vpp);
}

static bool
type_ok(struct worker *w, struct pn_vnode *vp, int type)
{
	struct pn_node *pn = pn_vnode2node(pn_sim_mount(w->wl->sim), vp);

	return pn_node_type(pn) == type;
}

static int
op_lookup(struct worker *w, struct wl_result *r)
{
	struct pn_vnode *vp;
	size_t i = rnd(w) % w->wl->ninitial;
	int type, error;

	fold(r, i);
	if ((error = walk(w, i, &type, &vp)) != PN_OK)
		return error;
	if (!type_ok(w, vp, type))
		r->mismatch++;
	pn_sim_vrele(w->wl->sim, vp);
	return PN_OK;
}

static int
op_create(struct worker *w, struct wl_result *r)
{
	struct pn_vnode *dvp;
	struct made *m;
	char name[64];
	size_t d = w->wl->dirs[rnd(w) % w->wl->ndirs];
	int type = rnd(w) % 8 == 0 ? PN_VDIR : PN_VREG, dtype, error;

	fold(r, d);
	if (w->nmade == w->capmade) {
		w->capmade = w->capmade == 0 ? 64 : w->capmade * 2;
		if ((m = realloc(w->made, w->capmade * sizeof(*m))) == NULL)
			return PN_ENOMEM;
		w->made = m;
	}
	if ((error = walk(w, d, &dtype, &dvp)) != PN_OK)
		return error;
	snprintf(name, sizeof(name), "t%u.%llu", w->no,
	    (unsigned long long)w->serial);
	error = pn_sim_create(w->wl->sim, dvp, name, type, NULL);
	pn_sim_vrele(w->wl->sim, dvp);
	if (error == PN_OK) {
		m = &w->made[w->nmade++];
		m->dir = d;
		m->serial = w->serial;
		m->type = type;
	}
	w->serial++;
	return error;
}

static int
op_remove(struct worker *w, struct wl_result *r)
{
	struct pn_vnode *dvp;
	struct made *m;
	char name[64];
	size_t k;
	int dtype, error;

	if (w->nmade == 0)
		return op_lookup(w, r);
	k = rnd(w) % w->nmade;
	m = &w->made[k];
	fold(r, m->serial);
	if ((error = walk(w, m->dir, &dtype, &dvp)) != PN_OK)
		return error;
	snprintf(name, sizeof(name), "t%u.%llu", w->no,
	    (unsigned long long)m->serial);
	error = pn_sim_remove(w->wl->sim, dvp, name);
	pn_sim_vrele(w->wl->sim, dvp);
	if (error == PN_OK)
		w->made[k] = w->made[--w->nmade];
	return error;
}

static int
op_rename(struct worker *w, struct wl_result *r)
{
	struct pn_vnode *dvp;
	struct made *m;
	char from[64], to[64];
	int dtype, error;

	if (w->nmade == 0)
		return op_lookup(w, r);
	m = &w->made[rnd(w) % w->nmade];
	fold(r, m->serial);
	if ((error = walk(w, m->dir, &dtype, &dvp)) != PN_OK)
		return error;
	snprintf(from, sizeof(from), "t%u.%llu", w->no,
	    (unsigned long long)m->serial);
	snprintf(to, sizeof(to), "t%u.%llu", w->no,
	    (unsigned long long)w->serial);
	error = pn_sim_rename(w->wl->sim, dvp, from, dvp, to);
	pn_sim_vrele(w->wl->sim, dvp);
	if (error == PN_OK)
		m->serial = w->serial;
	w->serial++;
	return error;
}

static int
op_getattr(struct worker *w, struct wl_result *r)
{
	struct pn_sim_attr a;
	struct pn_vnode *vp;
	size_t i = rnd(w) % w->wl->ninitial;
	int type, error;

	fold(r, i);
	if ((error = walk(w, i, &type, &vp)) != PN_OK)
		return error;
	error = pn_sim_getattr(w->wl->sim, vp, &a);
	if (error == PN_OK && (a.a_type != type ||
	    a.a_cookie != pn_sim_vnode_cookie(w->wl->sim, vp)))
		r->mismatch++;
	pn_sim_vrele(w->wl->sim, vp);
	return error;
}

static int
op_read(struct worker *w, struct wl_result *r)
{
	struct pn_vnode *vp;
	uint64_t off;
	size_t i, got, resid;
	pn_cookie_t c;
	int type, rev, error;

	if (w->wl->nfiles == 0)
		return op_lookup(w, r);
	i = w->wl->files[rnd(w) % w->wl->nfiles];
	off = rnd(w) % 65536;
	fold(r, i);
	if ((error = walk(w, i, &type, &vp)) != PN_OK)
		return error;
	error = pn_sim_poll(w->wl->sim, vp, PN_POLLIN, &rev);
	r->polls++;
	if (error == PN_OK && (rev & PN_POLLIN) == 0)
		r->mismatch++;
	if (error == PN_OK)
		error = pn_sim_read(w->wl->sim, vp, off, w->buf,
		    sizeof(w->buf), &resid);
	if (error == PN_OK) {
		got = sizeof(w->buf) - resid;
		r->bytes += got;
		fold(r, got);
		c = pn_sim_vnode_cookie(w->wl->sim, vp);
		for (i = 0; w->wl->synthetic && i < got; i++)
			if (w->buf[i] != pn_sim_synthetic_byte(c, off + i)) {
				r->mismatch++;
				break;
			}
	}
	pn_sim_vrele(w->wl->sim, vp);
	return error;
}

static int (*const ops[WL_NKINDS])(struct worker *, struct wl_result *) = {
	op_lookup, op_create, op_remove, op_getattr, op_read, op_rename
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct wl *wl = w->wl;
	struct wl_result *r = &wl->results[w->no];
	unsigned total = 0, k, pick;
	uint64_t n;
	int error;

	for (k = 0; k < WL_NKINDS; k++)
		total += wl->mix[k];
	for (n = 0; (w->ops == 0 || n < w->ops) &&
	    !atomic_load_explicit(&wl->stop, memory_order_relaxed); n++) {
		pick = (unsigned)(rnd(w) % total);
		for (k = 0; pick >= wl->mix[k]; k++)
			pick -= wl->mix[k];
		error = ops[k](w, r);
		r->done[k]++;
		if (error != PN_OK) {
			r->failed[k]++;
			fprintf(stderr, "puffsnode-sim: thread %u: %s: %s\n",
			    w->no, wl_kind_names[k], pn_strerror(error));
		}
		fold(r, (uint64_t)k << 8 | (uint64_t)error);
		atomic_fetch_add_explicit(&wl->progress, 1,
		    memory_order_relaxed);
	}
	free(w->made);
	atomic_fetch_sub(&wl->running, 1);
	free(w);
	return NULL;
}

int
wl_start(struct wl *wl)
{
	pthread_t *tids;
	struct worker *w;
	uint64_t x;
	unsigned t;
	int i;

	wl->results = calloc(wl->threads, sizeof(*wl->results));
	tids = calloc(wl->threads, sizeof(*tids));
	if (wl->results == NULL || tids == NULL) {
		free(wl->results);
		wl->results = NULL;
		free(tids);
		return -1;
	}
	wl->tids = tids;
	atomic_store(&wl->running, wl->threads);
	for (t = 0; t < wl->threads; t++) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -1;
		w->wl = wl;
		w->no = t;
		if (wl->ops != 0)
			w->ops = wl->ops / wl->threads +
			    (t < wl->ops % wl->threads);
		x = wl->seed * UINT64_C(0x2545f4914f6cdd1d) + t;
		for (i = 0; i < 4; i++)
			w->rng[i] = splitmix(&x);
		wl->results[t].digest = UINT64_C(0xcbf29ce484222325);
		if (pthread_create(&tids[t], NULL, worker_main, w) != 0) {
			free(w);
			return -1;
		}
	}
	return 0;
}

void
wl_wait(struct wl *wl)
{
	pthread_t *tids = wl->tids;
	unsigned t;

	for (t = 0; t < wl->threads; t++)
		pthread_join(tids[t], NULL);
}

void
wl_total(const struct wl *wl, struct wl_result *tot)
{
	unsigned t, k;

	memset(tot, 0, sizeof(*tot));
	tot->digest = UINT64_C(0xcbf29ce484222325);
	for (t = 0; t < wl->threads; t++) {
		const struct wl_result *r = &wl->results[t];

		for (k = 0; k < WL_NKINDS; k++) {
			tot->done[k] += r->done[k];
			tot->failed[k] += r->failed[k];
		}
		tot->mismatch += r->mismatch;
		tot->polls += r->polls;
		tot->bytes += r->bytes;
		fold(tot, r->digest);
	}
}

void
wl_free(struct wl *wl)
{
	free(wl->dirs);
	free(wl->files);
	free(wl->results);
	free(wl->tids);
}
