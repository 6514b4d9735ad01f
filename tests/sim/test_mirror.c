/*
 * test_mirror.c -- the mirror of a real directory: one node per inode, so
 * hard links resolve to one vnode; types, sizes and contents come from
 * the real tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simtest.h"

static char top[] = "/tmp/pn-mirror-XXXXXX";

static void
put(const char *rel, const char *text)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	CHECK((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void
cleanup(void)
{
	char p[256];
	const char *rel[] = { "sub/a", "sub/b", "sub/link", "c", "sub" };
	size_t i;

	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", top, rel[i]);
		if (remove(p) != 0 && errno != ENOENT)
			perror(p);
	}
	rmdir(top);
}

int
main(void)
{
	struct pn_sim_server_stats ss;
	struct pn_sim_config cfg;
	struct pn_sim_server *srv;
	struct pn_vnode *a, *b, *c, *l;
	struct pn_sim *sim;
	struct pn_sim_attr at;
	char p[256], q[256], buf[64];
	size_t resid;

	if (mkdtemp(top) == NULL)
		return 77;
	atexit(cleanup);
	snprintf(p, sizeof(p), "%s/sub", top);
	CHECK(mkdir(p, 0755) == 0);
	put("sub/a", "hello, mirror\n");
	put("c", "other\n");
	snprintf(p, sizeof(p), "%s/sub/a", top);
	snprintf(q, sizeof(q), "%s/sub/b", top);
	CHECK(link(p, q) == 0);
	snprintf(q, sizeof(q), "%s/sub/link", top);
	CHECK(symlink("a", q) == 0);

	CHECK_OK(pn_sim_server_mirror(top, &srv));
	CHECK_OK(pn_sim_server_stats(srv, &ss));
	CHECK(ss.initial == 5);		/* top, sub, a=b, link, c */
	CHECK(ss.dirs == 2 && ss.files == 2 && ss.hardlinks == 1);

	memset(&cfg, 0, sizeof(cfg));
	cfg.version = PN_SIM_CONFIG_VERSION;
	cfg.maxvnodes = 8;
	cfg.loglevel = PN_LOG_ERR;
	cfg.flags = PN_SIM_NAMECACHE | PN_SIM_VERIFY;
	CHECK_OK(pn_sim_init(&cfg, srv, &sim));
	CHECK_OK(pn_sim_namei(sim, "/sub/a", &a));
	CHECK_OK(pn_sim_namei(sim, "sub/b", &b));
	CHECK(a == b);			/* hard links: one node, one vnode */
	CHECK_OK(pn_sim_namei(sim, "/c", &c));
	CHECK(c != a);
	CHECK_OK(pn_sim_namei(sim, "/sub/link", &l));
	CHECK(pn_node_type(pn_vnode2node(pn_sim_mount(sim), l)) == PN_VLNK);
	CHECK(pn_sim_read(sim, l, 0, buf, sizeof(buf), &resid) == PN_EINVAL);
	CHECK_OK(pn_sim_vrele(sim, l));
	CHECK_OK(pn_sim_getattr(sim, a, &at));
	CHECK(at.a_type == PN_VREG && at.a_size == 14 && at.a_nlink == 2);
	memset(buf, 0, sizeof(buf));
	CHECK_OK(pn_sim_read(sim, a, 7, buf, sizeof(buf), &resid));
	CHECK(resid == sizeof(buf) - 7);
	CHECK(memcmp(buf, "mirror\n", 7) == 0);
	CHECK(pn_sim_namei(sim, "/sub/a/x", &l) == PN_EINVAL);	/* not a dir */
	CHECK(pn_sim_namei(sim, "/nope", &l) == PN_ENOENT);
	CHECK_OK(pn_sim_vrele(sim, a));
	CHECK_OK(pn_sim_vrele(sim, b));
	CHECK_OK(pn_sim_vrele(sim, c));
	CHECK_OK(pn_sim_namei(sim, "/sub/link", &l));
	CHECK_OK(pn_sim_vrele(sim, l));
	simtest_done(sim, srv);
	return 0;
}
