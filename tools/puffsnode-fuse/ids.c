/*
 * ids.c -- the passthrough server acts as its caller.
 *
 * A request with a regular credential runs under its ids: the calling
 * thread's file-system uid and gid (setfsuid, setfsgid) and supplementary
 * groups (the raw setgroups system call, which changes the calling thread
 * only, where glibc's changes every thread).  The backing kernel then
 * makes every permission check, and gives new files their owner, as it
 * would for the caller.  Internal credentials (and a NULL one) run as the
 * daemon.  A caller of uid 0 runs with the daemon's groups: with
 * file-system uid 0 its capabilities decide, the groups take no part.
 *
 * The ids stay in force after a request: each thread records the ids it
 * runs under and a request switches only what differs, so a run of
 * requests from one user, or from root to a daemon running as root,
 * costs no system call.  Whatever needs the daemon's own ids (reopening
 * a descriptor from its handle, writing cached times) asks for them the
 * same way.  A new thread inherits its creator's ids, so a thread starts
 * with its ids unknown and its first switch sets all three.
 */
#include <errno.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server_impl.h"

struct ids {
	bool	 known;		/* the thread runs under these */
	bool	 dgroups;	/* the daemon's groups, not ngroups/groups */
	uid_t	 uid;
	gid_t	 gid;
	size_t	 ngroups;
	gid_t	 groups[PN_NGROUPS];
};

static _Thread_local struct ids cur;

/* The ids cr asks for. */
static void
ids_target(const struct fsrv *srv, const struct pn_kcred *cr, struct ids *t)
{
	uint32_t uid, gid, g32[PN_NGROUPS];
	size_t n = PN_NGROUPS, i;

	t->known = true;
	t->dgroups = true;
	t->uid = 0;		/* the daemon: it switches only as root */
	t->gid = srv->s_gid0;
	t->ngroups = 0;
	if (cr == NULL || !pn_cred_isregular(cr) ||
	    pn_cred_getuid(cr, &uid) != PN_OK ||
	    pn_cred_getgid(cr, &gid) != PN_OK)
		return;
	t->uid = (uid_t)uid;
	t->gid = (gid_t)gid;
	if (uid == 0 || pn_cred_getgroups(cr, g32, &n) != PN_OK)
		return;
	if (n > PN_NGROUPS)
		n = PN_NGROUPS;
	t->dgroups = false;
	t->ngroups = n;
	for (i = 0; i < n; i++)
		t->groups[i] = (gid_t)g32[i];
}

static bool
groups_differ(const struct ids *a, const struct ids *b)
{
	if (a->dgroups != b->dgroups)
		return true;
	return !a->dgroups && (a->ngroups != b->ngroups ||
	    memcmp(a->groups, b->groups, a->ngroups * sizeof(gid_t)) != 0);
}

void
ids_set(struct fsrv *srv, const struct pn_kcred *cr)
{
	struct ids t;
	int saved = errno;
	uint64_t calls = 0;

	if (!srv->s_switch)
		return;
	ids_target(srv, cr, &t);
	if (!cur.known || groups_differ(&t, &cur)) {
		if (t.dgroups)
			(void)syscall(SYS_setgroups, (size_t)srv->s_ngroups0,
			    srv->s_groups0);
		else
			(void)syscall(SYS_setgroups, t.ngroups, t.groups);
		calls++;
	}
	if (!cur.known || t.gid != cur.gid) {
		(void)setfsgid(t.gid);
		calls++;
	}
	if (!cur.known || t.uid != cur.uid) {
		(void)setfsuid(t.uid);
		calls++;
	}
	cur = t;
	if (calls != 0)
		atomic_fetch_add_explicit(&srv->s_idcalls, calls,
		    memory_order_relaxed);
	errno = saved;
}

void
fsrv_become(struct fsrv *srv, const struct pn_kcred *cr)
{
	ids_set(srv, cr);
}
