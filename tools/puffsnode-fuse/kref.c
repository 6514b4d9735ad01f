/*
 * kref.c -- the kernel's lookup counts of puffsnode-fuse's node ids.
 *
 * Every entry replied to the kernel counts one lookup of its node id (a
 * simulator vnode); FORGET gives lookups back.  While a node id's count
 * is nonzero the bridge holds one use reference on its vnode, taken from
 * the reply's caller on the first lookup, released by the FORGET that
 * brings the count to zero.  The counts live in KREF_STRIPES stripes,
 * each a chained hash table under its own mutex, growing as it fills.
 * Each record also keeps the (parent, name) of the entry last given, for
 * the shrinker, which asks the kernel to drop entries by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

struct kref {
	struct pn_vnode	*k_vp;
	uint64_t	 k_nlookup;
	struct kref	*k_next;
	fuse_ino_t	 k_parent;	/* the entry last given: parent, name */
	char		*k_name;
};

static size_t
vp_hash(const struct pn_vnode *vp)
{
	uint64_t h = (uint64_t)(uintptr_t)vp * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 20);
}

static struct kref_stripe *
kstripe(struct bridge *br, const struct pn_vnode *vp, size_t *hp)
{
	size_t h = vp_hash(vp);

	*hp = h / KREF_STRIPES;
	return &br->br_kref[h % KREF_STRIPES];
}

/* Stripe lock held.  On failure keeps the old buckets. */
static void
kstripe_grow(struct kref_stripe *ks)
{
	size_t nb = ks->ks_nbuckets * 2, i;
	struct kref **b, *k, *next;

	if ((b = calloc(nb, sizeof(*b))) == NULL)
		return;
	for (i = 0; i < ks->ks_nbuckets; i++) {
		for (k = ks->ks_buckets[i]; k != NULL; k = next) {
			size_t h = vp_hash(k->k_vp) / KREF_STRIPES % nb;

			next = k->k_next;
			k->k_next = b[h];
			b[h] = k;
		}
	}
	free(ks->ks_buckets);
	ks->ks_buckets = b;
	ks->ks_nbuckets = nb;
}

/* Stripe lock held.  The record of vp; with kpp, the link pointing to it. */
static struct kref *
kstripe_find(struct kref_stripe *ks, size_t h, const struct pn_vnode *vp,
    struct kref ***kpp)
{
	struct kref *k, **kp;

	for (kp = &ks->ks_buckets[h % ks->ks_nbuckets]; (k = *kp) != NULL;
	    kp = &k->k_next)
		if (k->k_vp == vp)
			break;
	if (kpp != NULL)
		*kpp = kp;
	return k;
}

/* Stripe lock held.  Remember the entry's name for the shrinker. */
static void
kref_name(struct kref *k, fuse_ino_t parent, const char *name)
{
	char *n;

	if (name == NULL || (k->k_name != NULL && k->k_parent == parent &&
	    strcmp(k->k_name, name) == 0))
		return;
	if ((n = strdup(name)) == NULL)
		return;
	free(k->k_name);
	k->k_name = n;
	k->k_parent = parent;
}

/* Stripe lock held.  A new record for vp's first lookup; NULL: no memory. */
static struct kref *
kstripe_insert(struct kref_stripe *ks, size_t h, struct pn_vnode *vp)
{
	struct kref *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->k_vp = vp;
	k->k_next = ks->ks_buckets[h % ks->ks_nbuckets];
	ks->ks_buckets[h % ks->ks_nbuckets] = k;
	if (++ks->ks_count > ks->ks_nbuckets)
		kstripe_grow(ks);
	return k;
}

/*
 * The kernel is given an entry for vp, on which the caller holds one
 * use reference: count a kernel lookup, keeping the reference for the
 * kernel if it is the node id's first, else releasing it.
 */
int
kref_take(struct bridge *br, struct pn_vnode *vp, fuse_ino_t parent,
    const char *name)
{
	struct kref_stripe *ks;
	struct kref *k;
	size_t h;
	bool first = false;

	CNT(br, klookups);
	if (vp == br->br_root) {
		pn_sim_vrele(br->br_sim, vp);	/* the mount holds the root */
		return 0;
	}
	ks = kstripe(br, vp, &h);
	br_mutex_lock(&ks->ks_lock);
	if ((k = kstripe_find(ks, h, vp, NULL)) == NULL) {
		if ((k = kstripe_insert(ks, h, vp)) == NULL) {
			br_mutex_unlock(&ks->ks_lock);
			pn_sim_vrele(br->br_sim, vp);
			return ENOMEM;
		}
		first = true;
	}
	k->k_nlookup++;
	kref_name(k, parent, name);
	br_mutex_unlock(&ks->ks_lock);
	if (!first)
		pn_sim_vrele(br->br_sim, vp);
	else if (atomic_fetch_add(&br->br_nkref, 1) + 1 > br->br_klimit &&
	    br->br_klimit != 0)
		shrink_kick(br);
	return 0;
}

void
kref_drop(struct bridge *br, struct pn_vnode *vp, uint64_t n)
{
	struct kref_stripe *ks;
	struct kref *k, **kp;
	size_t h;
	bool last = false;

	atomic_fetch_add_explicit(&br->br_st.kforgotten, n,
	    memory_order_relaxed);
	if (vp == br->br_root)
		return;
	ks = kstripe(br, vp, &h);
	br_mutex_lock(&ks->ks_lock);
	if ((k = kstripe_find(ks, h, vp, &kp)) == NULL) {
		br_mutex_unlock(&ks->ks_lock);
		fprintf(stderr, "puffsnode-fuse: forget of unknown node id "
		    "%#lx\n", (unsigned long)(uintptr_t)vp);
		return;
	}
	if (n >= k->k_nlookup) {
		if (n > k->k_nlookup)
			fprintf(stderr, "puffsnode-fuse: forget %llu of node "
			    "id %#lx with %llu lookups\n",
			    (unsigned long long)n,
			    (unsigned long)(uintptr_t)vp,
			    (unsigned long long)k->k_nlookup);
		*kp = k->k_next;
		ks->ks_count--;
		free(k->k_name);
		free(k);
		last = true;
	} else {
		k->k_nlookup -= n;
	}
	br_mutex_unlock(&ks->ks_lock);
	if (last) {
		atomic_fetch_sub(&br->br_nkref, 1);
		CNT(br, kreleased);
		meta_flush(br, vp);
		pn_sim_vrele(br->br_sim, vp);
	}
}

bool
kref_held_dir(struct bridge *br, fuse_ino_t ino)
{
	struct pn_vnode *vp = ino2vp(br, ino);
	struct kref_stripe *ks;
	size_t h;
	bool live;

	if (ino == FUSE_ROOT_ID)
		return true;
	ks = kstripe(br, vp, &h);
	br_mutex_lock(&ks->ks_lock);
	/* Held by the kernel's count: the vnode cannot go meanwhile. */
	live = kstripe_find(ks, h, vp, NULL) != NULL &&
	    pn_node_type(pn_vnode2node(br->br_mp, vp)) == PN_VDIR;
	br_mutex_unlock(&ks->ks_lock);
	return live;
}

/* Round robin over the stripes, from the shrinker's cursor. */
size_t
kref_pick(struct bridge *br, struct victim *v, size_t max)
{
	size_t n = 0, visited, b;
	struct kref *k;

	for (visited = 0; visited < KREF_STRIPES && n < max; visited++) {
		struct kref_stripe *ks =
		    &br->br_kref[br->br_shcursor++ % KREF_STRIPES];

		br_mutex_lock(&ks->ks_lock);
		for (b = 0; b < ks->ks_nbuckets && n < max; b++) {
			for (k = ks->ks_buckets[b]; k != NULL && n < max;
			    k = k->k_next) {
				if (k->k_name == NULL ||
				    (v[n].v_name = strdup(k->k_name)) == NULL)
					continue;
				v[n++].v_parent = k->k_parent;
			}
		}
		br_mutex_unlock(&ks->ks_lock);
	}
	return n;
}

int
bridge_init(struct bridge *br)
{
	size_t i;

	for (i = 0; i < KREF_STRIPES; i++) {
		struct kref_stripe *ks = &br->br_kref[i];

		br_mutex_init(&ks->ks_lock);
		ks->ks_nbuckets = 64;
		if ((ks->ks_buckets = calloc(ks->ks_nbuckets,
		    sizeof(*ks->ks_buckets))) == NULL)
			return ENOMEM;
	}
	return 0;
}

size_t
bridge_release_all(struct bridge *br)
{
	struct kref *k;
	size_t i, b, n = 0;

	for (i = 0; i < KREF_STRIPES; i++) {
		struct kref_stripe *ks = &br->br_kref[i];

		for (b = 0; b < ks->ks_nbuckets; b++) {
			while ((k = ks->ks_buckets[b]) != NULL) {
				ks->ks_buckets[b] = k->k_next;
				ks->ks_count--;
				meta_flush(br, k->k_vp);
				pn_sim_vrele(br->br_sim, k->k_vp);
				free(k->k_name);
				free(k);
				atomic_fetch_sub(&br->br_nkref, 1);
				n++;
			}
		}
	}
	return n;
}

void
bridge_fini(struct bridge *br)
{
	size_t i;

	for (i = 0; i < KREF_STRIPES; i++) {
		free(br->br_kref[i].ks_buckets);
		br->br_kref[i].ks_buckets = NULL;
		br_mutex_destroy(&br->br_kref[i].ks_lock);
	}
}
