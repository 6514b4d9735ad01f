/*
 * test_edges.c -- the simulated server at its error edges: renames and
 * removes the server refuses, pn_sim_server_path with bad arguments and
 * short buffers, and the mirror of a tree holding a FIFO, a socket, a
 * symbolic link and a character device.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simtest.h"

static char top[] = "/tmp/pn-edges-XXXXXX";
static pid_t owner;		/* the process that cleans up */

static const char *const rel[] = {
	"d1/x", "d1", "d2", "f", "h", "fifo", "sock", "lnk", "chr", "blk",
	"nr", "ns/z", "ns", "g", "g2",
};

static void
cleanup(void)
{
	char p[256];
	size_t i;

	if (getpid() != owner)
		return;
	snprintf(p, sizeof(p), "%s/ns", top);
	(void)chmod(p, 0755);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", top, rel[i]);
		if (remove(p) != 0 && errno != ENOENT)
			perror(p);
	}
	rmdir(top);
}

static void
mk(const char *r, mode_t mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", top, r);
	if (S_ISDIR(mode))
		CHECK(mkdir(p, mode & 07777) == 0);
	else
		CHECK(mknod(p, mode, 0) == 0);
}

/* Build the tree; false if no socket could be bound (left out then). */
static bool
build(bool *haschr, bool *hasblk)
{
	struct sockaddr_un sa;
	char p[256], q[256];
	int s;
	bool sock = false;

	mk("d1", S_IFDIR | 0755);
	mk("d1/x", S_IFREG | 0644);
	mk("d2", S_IFDIR | 0755);
	mk("f", S_IFREG | 0644);
	snprintf(p, sizeof(p), "%s/f", top);
	snprintf(q, sizeof(q), "%s/h", top);
	CHECK(link(p, q) == 0);
	mk("g", S_IFREG | 0644);		/* a second inode with two names */
	snprintf(p, sizeof(p), "%s/g", top);
	snprintf(q, sizeof(q), "%s/g2", top);
	CHECK(link(p, q) == 0);
	mk("fifo", S_IFIFO | 0644);
	snprintf(q, sizeof(q), "%s/lnk", top);
	CHECK(symlink("f", q) == 0);
	snprintf(q, sizeof(q), "%s/chr", top);
	*haschr = mknod(q, S_IFCHR | 0600, makedev(1, 3)) == 0;
	snprintf(q, sizeof(q), "%s/blk", top);
	*hasblk = mknod(q, S_IFBLK | 0600, makedev(7, 0)) == 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", top);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		sock = bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(s);
	}
	return sock;
}

static void
test_path(struct pn_sim_server *srv)
{
	struct pn_sim_server_stats ss;
	char buf[64];
	size_t i;
	int type, seen = 0;

	CHECK(pn_sim_server_path(NULL, 0, buf, sizeof(buf), &type) ==
	    PN_EINVAL);
	CHECK(pn_sim_server_path(srv, 0, NULL, sizeof(buf), &type) ==
	    PN_EINVAL);
	CHECK(pn_sim_server_path(srv, 0, buf, 0, &type) == PN_EINVAL);
	CHECK_OK(pn_sim_server_stats(srv, &ss));
	CHECK(pn_sim_server_path(srv, ss.initial, buf, sizeof(buf), NULL) ==
	    PN_ENOENT);
	CHECK(buf[0] == '\0');
	/* The root: "/" needs two bytes. */
	CHECK(pn_sim_server_path(srv, 0, buf, 1, &type) == PN_ENAMETOOLONG);
	CHECK_OK(pn_sim_server_path(srv, 0, buf, 2, &type));
	CHECK(strcmp(buf, "/") == 0 && type == PN_VDIR);
	/* "/d1/x" does not fit in five bytes, and leaves the buffer empty. */
	for (i = 1; i < ss.initial; i++) {
		CHECK_OK(pn_sim_server_path(srv, i, buf, sizeof(buf), &type));
		if (strcmp(buf, "/d1/x") != 0)
			continue;
		seen++;
		CHECK(type == PN_VREG);
		CHECK(pn_sim_server_path(srv, i, buf, 5, NULL) ==
		    PN_ENAMETOOLONG);
		CHECK(buf[0] == '\0');
		CHECK_OK(pn_sim_server_path(srv, i, buf, 6, NULL));
		CHECK(strcmp(buf, "/d1/x") == 0);
	}
	CHECK(seen == 1);
}

static void
test_types(struct pn_sim *sim, bool sock, bool chr, bool blk)
{
	struct pn_sim_stats before, after;
	size_t n;
	struct pn_sim_attr a;
	struct pn_vnode *vp;

	CHECK_OK(pn_sim_namei(sim, "/fifo", &vp));
	CHECK_OK(pn_sim_getattr(sim, vp, &a));
	CHECK(a.a_type == PN_VFIFO);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK_OK(pn_sim_namei(sim, "/lnk", &vp));
	CHECK_OK(pn_sim_getattr(sim, vp, &a));
	CHECK(a.a_type == PN_VLNK);
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK(pn_sim_namei(sim, "/sock", &vp) == (sock ? PN_OK : PN_ENOENT));
	if (sock) {
		CHECK_OK(pn_sim_getattr(sim, vp, &a));
		CHECK(a.a_type == PN_VSOCK);
		CHECK_OK(pn_sim_vrele(sim, vp));
	}
	CHECK(pn_sim_namei(sim, "/chr", &vp) == (chr ? PN_OK : PN_ENOENT));
	if (chr) {
		CHECK_OK(pn_sim_getattr(sim, vp, &a));
		CHECK(a.a_type == PN_VCHR);
		CHECK_OK(pn_sim_vrele(sim, vp));
	}
	CHECK(pn_sim_namei(sim, "/blk", &vp) == (blk ? PN_OK : PN_ENOENT));
	if (blk) {
		CHECK_OK(pn_sim_getattr(sim, vp, &a));
		CHECK(a.a_type == PN_VBLK);
		CHECK_OK(pn_sim_vrele(sim, vp));
	}
	/* All of them unused now: a drain reclaims them and says how many. */
	CHECK_OK(pn_sim_stats(sim, &before));
	CHECK(before.vnodes >= 3);
	CHECK(pn_sim_drain(NULL, 0, &n) == PN_EINVAL);
	n = SIZE_MAX;
	CHECK_OK(pn_sim_drain(sim, 0, &n));
	CHECK_OK(pn_sim_stats(sim, &after));
	CHECK(n > 0 && n == before.vnodes - after.vnodes);
}

static void
test_read(struct pn_sim *sim)
{
	struct pn_vnode *vp;
	char buf[8];
	size_t resid = 0;

	CHECK_OK(pn_sim_namei(sim, "/d1", &vp));
	/* The server reads regular files only; the error comes back whole. */
	CHECK(pn_sim_read(sim, vp, 0, buf, sizeof(buf), &resid) == PN_EINVAL);
	CHECK_OK(pn_sim_vrele(sim, vp));
}

static void
test_rename_remove(struct pn_sim *sim, struct pn_sim_server *srv)
{
	struct pn_sim_attr a, b;
	struct pn_vnode *root, *d1, *vp, *nvp;
	pn_cookie_t rc = pn_sim_server_root(srv);

	CHECK_OK(pn_sim_root(sim, &root));
	CHECK_OK(pn_sim_namei(sim, "/d1", &d1));

	/* Renames the server refuses. */
	CHECK(pn_sim_rename(sim, root, "nope", root, "z") == PN_ENOENT);
	CHECK(pn_sim_rename(sim, root, "d2", d1, "d2") == PN_EOPNOTSUPP);
	CHECK(pn_sim_rename(sim, root, "f", root, "d2") == PN_EEXIST);
	CHECK(pn_sim_rename(sim, root, "d2", root, "f") == PN_EEXIST);
	CHECK(pn_sim_rename(sim, root, "d2", root, "d1") == PN_EBUSY);
	/* Renames that change nothing: onto itself, onto another name of it. */
	CHECK_OK(pn_sim_rename(sim, root, "f", root, "f"));
	CHECK_OK(pn_sim_rename(sim, root, "f", root, "h"));
	CHECK_OK(pn_sim_server_peek(srv, rc, "f", &a));
	CHECK_OK(pn_sim_server_peek(srv, rc, "h", &b));
	CHECK(a.a_cookie == b.a_cookie && a.a_nlink == 2);
	CHECK_OK(pn_sim_server_peek(srv, rc, "d2", &a));
	CHECK(a.a_type == PN_VDIR);

	/* Only a directory takes names. */
	CHECK_OK(pn_sim_namei(sim, "/g", &vp));
	CHECK(pn_sim_create(sim, vp, "z", PN_VREG, &nvp) == PN_EINVAL);
	CHECK(pn_sim_remove(sim, vp, "z") == PN_EINVAL);
	CHECK(pn_sim_rename(sim, vp, "z", root, "q") == PN_EINVAL);
	CHECK(pn_sim_rename(sim, root, "f", vp, "q") == PN_EINVAL);
	CHECK_OK(pn_sim_vrele(sim, vp));

	/* Removes the server refuses. */
	CHECK(pn_sim_remove(sim, root, "nope") == PN_ENOENT);
	CHECK(pn_sim_remove(sim, root, "d1") == PN_EBUSY);
	CHECK_OK(pn_sim_server_peek(srv, rc, "d1", &a));
	/* An empty directory goes; then d1 once emptied. */
	CHECK_OK(pn_sim_remove(sim, root, "d2"));
	CHECK(pn_sim_server_peek(srv, rc, "d2", &a) == PN_ENOENT);
	CHECK_OK(pn_sim_remove(sim, d1, "x"));
	CHECK_OK(pn_sim_remove(sim, root, "d1"));
	/* A removed directory the server still knows while it is looked up. */
	CHECK_OK(pn_sim_create(sim, d1, "y", PN_VREG, &vp));
	CHECK_OK(pn_sim_vrele(sim, vp));
	CHECK(pn_sim_create(sim, d1, "y", PN_VREG, &vp) == PN_EEXIST);
	CHECK_OK(pn_sim_remove(sim, d1, "y"));
	CHECK(pn_sim_rename(sim, d1, "y", root, "y") == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, d1));
	CHECK_OK(pn_sim_vrele(sim, root));
}

/*
 * Directories the mirror cannot read or search, seen by an unprivileged
 * user (root reads everything): in a child that gives up root.  "nr"
 * cannot be read: mirrored empty.  "ns" can be read but not searched:
 * its entry "z" cannot be stat'ed and is left out.
 */
static void
test_unreadable(void)
{
	struct pn_sim_server_stats ss;
	struct pn_sim_server *srv;
	struct pn_sim_attr a;
	const struct pn_host_ops *ops = pn_sim_host_ops();
	uint32_t uid, gid, g[4];
	size_t ng;
	pn_cookie_t rc;
	gid_t groups[70];
	char p[256];
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		printf("unreadable directories: not root, skipped\n");
		return;
	}
	CHECK(chmod(top, 0755) == 0);
	mk("nr", S_IFDIR | 0755);
	mk("ns", S_IFDIR | 0755);
	mk("ns/z", S_IFREG | 0644);
	snprintf(p, sizeof(p), "%s/nr", top);
	CHECK(chmod(p, 0) == 0);
	snprintf(p, sizeof(p), "%s/ns", top);
	CHECK(chmod(p, 0644) == 0);
	CHECK((pid = fork()) >= 0);
	if (pid == 0) {
		groups[0] = 65534;
		if (setgroups(1, groups) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(77);
		CHECK_OK(ops->cred_get(NULL, pn_sim_curcred(), &uid, &gid, g,
		    4, &ng));
		CHECK(uid == 65534 && gid == 65534);
		CHECK(ng == 1 && g[0] == 65534);
		CHECK_OK(pn_sim_server_mirror(top, &srv));
		rc = pn_sim_server_root(srv);
		CHECK_OK(pn_sim_server_peek(srv, rc, "nr", &a));
		CHECK(a.a_type == PN_VDIR);
		CHECK_OK(pn_sim_server_peek(srv, rc, "ns", &a));
		CHECK(a.a_type == PN_VDIR);
		CHECK(pn_sim_server_peek(srv, a.a_cookie, "z", &a) ==
		    PN_ENOENT);
		CHECK_OK(pn_sim_server_stats(srv, &ss));
		CHECK(ss.dirs == 5);	/* top, d1, d2, nr, ns */
		CHECK_OK(pn_sim_server_destroy(srv));
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		printf("unreadable directories: cannot drop root, skipped\n");
	else
		CHECK(WEXITSTATUS(status) == 0);
}

/*
 * A caller in more groups than a credential keeps: pn_sim_curcred()
 * says how many.  In a child (root), which exits normally so that its
 * coverage counts.
 */
static void
test_groups(void)
{
	const struct pn_host_ops *ops = pn_sim_host_ops();
	uint32_t uid, gid, g[4];
	gid_t groups[70];
	size_t ng;
	pid_t pid;
	int i, status;

	if (geteuid() != 0) {
		printf("many groups: not root, skipped\n");
		return;
	}
	CHECK((pid = fork()) >= 0);
	if (pid == 0) {
		for (i = 0; i < 70; i++)
			groups[i] = (gid_t)(1000 + i);
		if (setgroups(70, groups) != 0)
			exit(77);
		CHECK_OK(ops->cred_get(NULL, pn_sim_curcred(), &uid, &gid, g,
		    4, &ng));
		CHECK(uid == 0 && ng == 70);
		groups[0] = 5;
		groups[1] = 6;
		if (setgroups(2, groups) != 0)
			exit(77);
		CHECK_OK(ops->cred_get(NULL, pn_sim_curcred(), &uid, &gid, g,
		    4, &ng));
		CHECK(ng == 2 && g[0] == 5 && g[1] == 6);
		exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		printf("many groups: cannot set groups, skipped\n");
	else
		CHECK(WEXITSTATUS(status) == 0);
}

/* A chain deeper than pn_sim_server_path walks: 256 levels at most. */
static void
test_deep(void)
{
	struct pn_sim_server *srv;
	char buf[4096];
	int type;

	CHECK_OK(pn_sim_server_synthetic(300, 1, &srv));
	CHECK_OK(pn_sim_server_path(srv, 256, buf, sizeof(buf), &type));
	CHECK(type == PN_VDIR && strncmp(buf, "/d1/d2/", 7) == 0);
	CHECK(pn_sim_server_path(srv, 257, buf, sizeof(buf), &type) ==
	    PN_ENAMETOOLONG);
	CHECK(buf[0] == '\0');
	CHECK_OK(pn_sim_server_destroy(srv));
}

int
main(void)
{
	struct pn_sim_config cfg;
	struct pn_sim_server *srv;
	struct pn_sim *sim;
	bool sock, chr, blk;

	if (mkdtemp(top) == NULL)
		return 77;
	owner = getpid();
	atexit(cleanup);
	sock = build(&chr, &blk);
	test_deep();

	CHECK_OK(pn_sim_server_mirror(top, &srv));
	test_path(srv);
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = 8;
	cfg.loglevel = PN_LOG_ERR;
	cfg.flags = PN_SIM_NAMECACHE | PN_SIM_VERIFY;
	sim = (struct pn_sim *)&cfg;
	CHECK(pn_sim_init(&cfg, NULL, &sim) == PN_EINVAL && sim == NULL);
	CHECK(pn_sim_init(&cfg, NULL, NULL) == PN_EINVAL);
	CHECK_OK(pn_sim_init(&cfg, srv, &sim));
	test_read(sim);
	test_types(sim, sock, chr, blk);
	test_rename_remove(sim, srv);
	simtest_done(sim, srv);
	test_unreadable();
	test_groups();
	return 0;
}
