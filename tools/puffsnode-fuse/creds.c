/*
 * creds.c -- a FUSE request's credential, and the callers' groups.
 *
 * A request carries its caller's uid, gid and pid, not the supplementary
 * groups; those are in /proc/PID/status.  Reading that file on every
 * request is what the bridge used to pay most for, so:
 *
 * - A request from uid 0 takes no groups at all.  The server runs it with
 *   file-system uid 0, whose capabilities pass every check the groups
 *   would take part in (and, with default_permissions, the kernel has
 *   already checked the caller's real capabilities).
 * - Other callers' groups are cached by (pid, uid, gid) for
 *   --groups-timeout seconds (default 1).  A process that changes its
 *   group list without changing its uid or gid is seen with the new list
 *   once the entry expires: at most that long after the change.  (The
 *   kernel's own checks under default_permissions see the new list at
 *   once; the server's checks, as the caller, see it after the expiry.)
 *   --groups-timeout 0 reads the file on every request.
 *
 * The wire form holds PN_NGROUPS groups; a caller with more is seen with
 * its first PN_NGROUPS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The "Groups:" line of /proc/PID/status; -1 if the process is gone. */
static int
read_groups(int32_t pid, uint32_t *g, size_t *np)
{
	char path[64], buf[8192], *p, *end;
	unsigned long v;
	ssize_t len;
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	if ((p = strstr(buf, "\nGroups:")) == NULL)
		return -1;
	for (p += 8; n < PN_NGROUPS; p = end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		v = strtoul(p, &end, 10);
		g[n++] = (uint32_t)v;
	}
	*np = n;
	return 0;
}

static size_t
gslot(int32_t pid, uint32_t uid, uint32_t gid)
{
	uint64_t h = ((uint64_t)(uint32_t)pid << 32 | uid) *
	    UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)gid *
	    UINT64_C(0xc2b2ae3d27d4eb4f);

	return (size_t)(h >> 40) % GCACHE_SLOTS;
}

/* The groups of (pid, uid, gid): from the cache while fresh, else read. */
static size_t
caller_groups(struct bridge *br, int32_t pid, uint32_t uid, uint32_t gid,
    uint32_t *g)
{
	struct gcache *gc = &br->br_gc;
	struct gent *e = &gc->gc_ent[gslot(pid, uid, gid)];
	uint64_t now = now_ns();
	size_t n = 0;

	br_mutex_lock(&gc->gc_lock);
	if (e->ge_expires > now && e->ge_pid == pid && e->ge_uid == uid &&
	    e->ge_gid == gid) {
		n = e->ge_n;
		memcpy(g, e->ge_groups, n * sizeof(*g));
		br_mutex_unlock(&gc->gc_lock);
		CNT(br, groups_cached);
		return n;
	}
	br_mutex_unlock(&gc->gc_lock);
	CNT(br, groups_read);
	if (read_groups(pid, g, &n) != 0)
		return 0;	/* not known: the primary group alone */
	if (gc->gc_life_ns == 0)
		return n;
	br_mutex_lock(&gc->gc_lock);
	e->ge_pid = pid;
	e->ge_uid = uid;
	e->ge_gid = gid;
	e->ge_n = (uint32_t)n;
	memcpy(e->ge_groups, g, n * sizeof(*g));
	e->ge_expires = now + gc->gc_life_ns;
	br_mutex_unlock(&gc->gc_lock);
	return n;
}

void
creds_init(struct bridge *br, double groups_timeout)
{
	br_mutex_init(&br->br_gc.gc_lock);
	br->br_gc.gc_life_ns = (uint64_t)(groups_timeout * 1e9);
}

void
creds_fini(struct bridge *br)
{
	br_mutex_destroy(&br->br_gc.gc_lock);
}

int
req_cred(struct bridge *br, fuse_req_t req, struct rcred *rc)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	uint32_t g[PN_NGROUPS];
	size_t n = 0;
	int error;

	if (ctx->uid != 0)
		n = caller_groups(br, (int32_t)ctx->pid, (uint32_t)ctx->uid,
		    (uint32_t)ctx->gid, g);
	if ((error = pn_sim_setids((uint32_t)ctx->uid, (uint32_t)ctx->gid,
	    g, n, (int32_t)ctx->pid, (int32_t)ctx->pid, &rc->rc_cred,
	    &rc->rc_caller)) != PN_OK)
		return pn_sim_errno(error);
	return pn_sim_errno(pn_credcvt(br->br_mp, &rc->rc_kcred,
	    rc->rc_cred));
}

int
req_cn(struct bridge *br, fuse_req_t req, uint32_t op, const char *name,
    struct rcred *rc, struct pn_cn *cn, struct pn_kcn *kcn)
{
	struct pn_kcid kcid;
	int error;

	if ((error = req_cred(br, req, rc)) != 0)
		return error;
	memset(cn, 0, sizeof(*cn));
	cn->cn_nameiop = op;
	cn->cn_flags = op == PN_NAMEI_CREATE ? PN_CN_MAKEENTRY : 0;
	cn->cn_nameptr = name;
	cn->cn_namelen = strlen(name);
	cn->cn_cred = rc->rc_cred;
	cn->cn_caller = rc->rc_caller;
	return pn_sim_errno(pn_makecn(br->br_mp, kcn, &rc->rc_kcred, &kcid,
	    cn, false));
}
