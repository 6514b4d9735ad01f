/*
 * pni_test.h -- the core's internals, for tests only.  Never installed.
 *
 * Unit tests, fault sweeps and fuzzers that reach inside the core include
 * this one header and link the static archive (puffsnode_internal_dep,
 * which passes the core's build-time knobs).
 */
#ifndef PN_PNI_TEST_H
#define PN_PNI_TEST_H

#include "hostcall.h"

/*
 * Live (BUILDING or ACTIVE) nodes of cookie c, counted over every node of
 * the pool under the mount lock: a second live node for one cookie cannot
 * hide here.  No core lock held.
 */
static inline int
pni_test_live_nodes_part(struct pn_mount *mp, pn_cookie_t c)
{
	struct pni_pool_iter it;
	struct pn_node *pn;
	int count = 0;

	pni_pool_iter_begin(mp, &it);
	pni_h_enter(mp, mp->mnt_lock);
	while ((pn = pni_pool_iter_next(&it)) != NULL) {
		uint32_t st = pni_node_state(pn);

		if ((st == PNI_ST_BUILDING || st == PNI_ST_ACTIVE) &&
		    pn->pn_cookie == c)
			count++;
	}
	pni_h_exit(mp, mp->mnt_lock);
	pni_pool_iter_end(mp, &it);
	return count;
}

/* Over every part of a split mount (PN_MNT_PARTS). */
static inline int
pni_test_live_nodes(struct pn_mount *mp, pn_cookie_t c)
{
	unsigned i;
	int count = 0;

	for (i = 0; i < pni_nparts(mp); i++)
		count += pni_test_live_nodes_part(pni_partn(mp, i), c);
	return count;
}

/*
 * Slots of the cookie table whose tag disagrees with their key: 0 for an
 * empty slot, pni_slot_tag of the key's hash otherwise.  0 when the table
 * is consistent.  No core lock held.
 */
static inline size_t
pni_test_bad_tags_part(struct pn_mount *mp)
{
	struct pni_tab *t;
	size_t i, bad = 0;

	pni_h_enter(mp, mp->mnt_lock);
	t = pn_load(&mp->mnt_table.tb_cur, PN_RELAXED);
	for (i = 0; i <= t->t_mask; i++) {
		uint64_t k = pni_slot_key(&t->t_slot[i], PN_RELAXED);
		uint8_t g = pn_load(&pni_tab_tags(t)[i], PN_RELAXED);

		if (g != (k == 0 ? 0 : pni_slot_tag(pni_cookie_hash(k))))
			bad++;
	}
	pni_h_exit(mp, mp->mnt_lock);
	return bad;
}

static inline size_t
pni_test_bad_tags(struct pn_mount *mp)
{
	unsigned i;
	size_t bad = 0;

	for (i = 0; i < pni_nparts(mp); i++)
		bad += pni_test_bad_tags_part(pni_partn(mp, i));
	return bad;
}

#endif /* !PN_PNI_TEST_H */
