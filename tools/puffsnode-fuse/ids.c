/*
 * ids.c -- the passthrough server runs a request as its caller.
 *
 * A request with a regular credential runs under its ids: the calling
 * thread's file-system uid and gid (setfsuid, setfsgid) and supplementary
 * groups (the raw setgroups system call, which changes the calling thread
 * only, where glibc's changes every thread).  The backing kernel then
 * makes every permission check, as it would for the caller.  Internal
 * credentials run as the daemon.
 */
#include <errno.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "server_impl.h"

bool
as_enter(struct fsrv *srv, const struct pn_kcred *cr)
{
	uint32_t uid, gid, g32[PN_NGROUPS];
	gid_t groups[PN_NGROUPS];
	size_t n = PN_NGROUPS, i;

	if (!srv->s_switch || cr == NULL || !pn_cred_isregular(cr))
		return false;
	if (pn_cred_getuid(cr, &uid) != PN_OK ||
	    pn_cred_getgid(cr, &gid) != PN_OK ||
	    pn_cred_getgroups(cr, g32, &n) != PN_OK)
		return false;
	if (n > PN_NGROUPS)
		n = PN_NGROUPS;
	for (i = 0; i < n; i++)
		groups[i] = (gid_t)g32[i];
	(void)syscall(SYS_setgroups, n, groups);
	(void)setfsgid((gid_t)gid);
	(void)setfsuid((uid_t)uid);
	return true;
}

void
as_exit(struct fsrv *srv, bool switched)
{
	int saved = errno;

	if (switched) {
		(void)setfsuid(0);
		(void)setfsgid(0);
		(void)syscall(SYS_setgroups, (size_t)srv->s_ngroups0,
		    srv->s_groups0);
	}
	errno = saved;
}

