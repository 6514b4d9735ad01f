/*
 * fsstress.c -- processes changing one small tree at random at once,
 * then the tree compared with another view of it.
 *
 *	fsstress [-p PROCS] [-n OPS] [-s SEED] DIR
 *	fsstress -c DIR1 DIR2
 *
 * The first form runs PROCS processes (default 4) on DIR, OPS operations
 * in all (default 20000), each process with its own seeded generator:
 * create and write a file, mkdir, rename (files and directories, over
 * existing names too), link, symlink, unlink, rmdir, pwrite, truncate,
 * chmod, stat, readdir, read, on names drawn from a small set (a few
 * directories two levels deep, a few names in each), so that the
 * processes keep meeting each other.  Failures the race explains
 * (ENOENT, EEXIST, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL, EXDEV, EMLINK,
 * ELOOP, EBUSY, ENAMETOOLONG for a rename into its own subtree ...) are
 * counted; any other errno (EIO, ESTALE, EBADF, ENOMEM, ...) is a
 * failure.
 *
 * The second form walks both trees and prints, for every entry in name
 * order, its path, type, size, mode, link count and, for a symlink its
 * target, for a file a checksum of its data; the two listings must be
 * the same line for line.  Directory sizes are left out: they are the
 * backing file system's business.
 *
 * Exit status: 0 ok, 1 failure or difference, 2 usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NDIRS	7	/* "", d0, d1, d2, d0/e0, d1/e0, d2/e1 */
#define NNAMES	6

static const char *const dirs[NDIRS] = { "", "d0/", "d1/", "d2/",
	"d0/e0/", "d1/e0/", "d2/e1/" };
static const char *const names[NNAMES] = { "a", "b", "c", "d0", "d1",
	"e0" };

static uint64_t rs;

static uint64_t
rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * UINT64_C(2685821657736338717);
}

static uint64_t
rndn(uint64_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

/* A random path under the tree (relative to it). */
static void
rpath(char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", dirs[rndn(NDIRS)], names[rndn(NNAMES)]);
}

/* Errors a racing namespace explains. */
static bool
expected(int e)
{
	switch (e) {
	case ENOENT: case EEXIST: case ENOTEMPTY: case EISDIR: case ENOTDIR:
	case EINVAL: case EXDEV: case EMLINK: case ELOOP: case EBUSY:
	case ENAMETOOLONG: case EPERM: case EACCES:
		return true;
	default:
		return false;
	}
}

struct counts {
	uint64_t	ok, expected, bad;
};

static int dfd = -1;

static void
result(struct counts *c, int r, const char *op, const char *p)
{
	if (r >= 0) {
		c->ok++;
		return;
	}
	if (expected(errno)) {
		c->expected++;
		return;
	}
	c->bad++;
	fprintf(stderr, "fsstress: %s %s: %s\n", op, p, strerror(errno));
}

static void
one(struct counts *c)
{
	static const mode_t modes[] = { 0600, 0644, 0755, 0700, 0444, 0640 };
	char p[64], q[96], data[8192];
	struct stat st;
	size_t len;
	ssize_t n;
	int fd, r;
	DIR *d;

	rpath(p, sizeof(p));
	switch (rndn(16)) {
	case 0:		/* create and write */
	case 1:
		fd = openat(dfd, p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		result(c, fd, "create", p);
		if (fd >= 0) {
			len = (size_t)rndn(sizeof(data));
			memset(data, (int)('a' + rndn(26)), len);
			result(c, (int)write(fd, data, len), "write", p);
			result(c, close(fd), "close", p);
		}
		break;
	case 2:
		result(c, mkdirat(dfd, p, 0755), "mkdir", p);
		break;
	case 3:
	case 4:
		rpath(q, sizeof(q));
		result(c, renameat(dfd, p, dfd, q), "rename", p);
		break;
	case 5:
		rpath(q, sizeof(q));
		result(c, linkat(dfd, p, dfd, q, 0), "link", p);
		break;
	case 6:
		rpath(q, sizeof(q));
		result(c, symlinkat(q, dfd, p), "symlink", p);
		break;
	case 7:
		result(c, unlinkat(dfd, p, 0), "unlink", p);
		break;
	case 8:
		result(c, unlinkat(dfd, p, AT_REMOVEDIR), "rmdir", p);
		break;
	case 9:		/* pwrite somewhere */
		fd = openat(dfd, p, O_WRONLY | O_NOFOLLOW);
		result(c, fd, "open-w", p);
		if (fd >= 0) {
			len = 1 + (size_t)rndn(4096);
			memset(data, (int)('A' + rndn(26)), len);
			result(c, (int)pwrite(fd, data, len,
			    (off_t)rndn(16384)), "pwrite", p);
			result(c, close(fd), "close", p);
		}
		break;
	case 10:	/* truncate through a descriptor */
		fd = openat(dfd, p, O_WRONLY | O_NOFOLLOW);
		result(c, fd, "open-t", p);
		if (fd >= 0) {
			result(c, ftruncate(fd, (off_t)rndn(20000)),
			    "ftruncate", p);
			result(c, close(fd), "close", p);
		}
		break;
	case 11:
		result(c, fchmodat(dfd, p, modes[rndn(6)], 0), "chmod", p);
		break;
	case 12:
		result(c, fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW), "stat", p);
		break;
	case 13:	/* read a directory */
		fd = openat(dfd, p, O_RDONLY | O_DIRECTORY);
		result(c, fd, "opendir", p);
		if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
			errno = 0;
			while (readdir(d) != NULL)
				;
			r = errno != 0 ? -1 : 0;
			result(c, r, "readdir", p);
			closedir(d);
		} else if (fd >= 0) {
			close(fd);
		}
		break;
	case 14:	/* read a file */
		fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW);
		result(c, fd, "open-r", p);
		if (fd >= 0) {
			while ((n = read(fd, data, sizeof(data))) > 0)
				;
			result(c, (int)n, "read", p);
			close(fd);
		}
		break;
	default:	/* a file under a new name, replacing the old (an editor's save) */
		snprintf(q, sizeof(q), "%s.tmp%d", p, (int)getpid());
		fd = openat(dfd, q, O_WRONLY | O_CREAT | O_EXCL, 0600);
		result(c, fd, "create-tmp", q);
		if (fd >= 0) {
			result(c, (int)write(fd, "saved\n", 6), "write", q);
			result(c, close(fd), "close", q);
			r = renameat(dfd, q, dfd, p);
			result(c, r, "rename-tmp", q);
			if (r != 0)
				(void)unlinkat(dfd, q, 0);
		}
		break;
	}
}

static int
stress(const char *dir, unsigned procs, uint64_t ops, uint64_t seed)
{
	struct counts c = { 0, 0, 0 };
	uint64_t per = ops / procs, i;
	unsigned k;
	int status, failed = 0;
	pid_t pid;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "fsstress: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (k = 0; k < procs; k++) {
		if ((pid = fork()) < 0) {
			perror("fsstress: fork");
			return 1;
		}
		if (pid == 0) {
			rs = (seed + k) * UINT64_C(0x9e3779b97f4a7c15) + 1;
			for (i = 0; i < per; i++)
				one(&c);
			printf("fsstress: process %u: %" PRIu64 " done, %"
			    PRIu64 " refused as the race explains, %" PRIu64
			    " failed\n", k, c.ok, c.expected, c.bad);
			fflush(stdout);
			_exit(c.bad != 0);
		}
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	close(dfd);
	return failed;
}

/* ---- the listing ---- */

static uint64_t
checksum(int fd)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	unsigned char b[8192];
	ssize_t n, i;

	while ((n = read(fd, b, sizeof(b))) > 0)
		for (i = 0; i < n; i++)
			h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return n < 0 ? 0 : h;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print the entries of dir (relative path rel) to out, recursively. */
static int
list(int pfd, const char *rel, FILE *out)
{
	char **v = NULL, tgt[4096], sub[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	int fd, error = 0;
	ssize_t tl;
	DIR *d;

	if ((fd = openat(pfd, rel[0] != '\0' ? rel : ".",
	    O_RDONLY | O_DIRECTORY)) < 0 || (d = fdopendir(fd)) == NULL) {
		fprintf(stderr, "fsstress: open %s: %s\n", rel, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
		}
		if ((v[n++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (v != NULL)
		qsort(v, n, sizeof(*v), cmpstr);
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		    v[i]);
		if (fstatat(pfd, sub, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			fprintf(stderr, "fsstress: stat %s: %s\n", sub,
			    strerror(errno));
			error = 1;
			continue;
		}
		fprintf(out, "%s %s %06o nlink %ju", sub,
		    S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" :
		    S_ISREG(st.st_mode) ? "file" : "other",
		    (unsigned)st.st_mode, (uintmax_t)st.st_nlink);
		if (S_ISREG(st.st_mode)) {
			int ffd = openat(pfd, sub, O_RDONLY | O_NOFOLLOW);

			fprintf(out, " size %jd sum %016" PRIx64,
			    (intmax_t)st.st_size, ffd >= 0 ? checksum(ffd) : 0);
			if (ffd >= 0)
				close(ffd);
			else
				error = 1;
		} else if (S_ISLNK(st.st_mode)) {
			tl = readlinkat(pfd, sub, tgt, sizeof(tgt) - 1);
			tgt[tl > 0 ? tl : 0] = '\0';
			fprintf(out, " size %jd -> %s", (intmax_t)st.st_size,
			    tgt);
		}
		fputc('\n', out);
		if (S_ISDIR(st.st_mode))
			error |= list(pfd, sub, out);
		free(v[i]);
	}
	free(v);
	return error;
}

static int
compare(const char *a, const char *b)
{
	char *ta = NULL, *tb = NULL, *la, *lb, *sa, *sb;
	size_t na = 0, nb = 0, lines = 0;
	FILE *fa = open_memstream(&ta, &na), *fb = open_memstream(&tb, &nb);
	int afd = open(a, O_RDONLY | O_DIRECTORY), bfd = open(b, O_RDONLY |
	    O_DIRECTORY), error = 0;

	if (fa == NULL || fb == NULL || afd < 0 || bfd < 0) {
		fprintf(stderr, "fsstress: cannot open %s or %s\n", a, b);
		return 1;
	}
	error |= list(afd, "", fa);
	error |= list(bfd, "", fb);
	fclose(fa);
	fclose(fb);
	la = strtok_r(ta, "\n", &sa);
	lb = strtok_r(tb, "\n", &sb);
	while (la != NULL || lb != NULL) {
		if (la == NULL || lb == NULL || strcmp(la, lb) != 0) {
			fprintf(stderr, "fsstress: differ:\n  %s: %s\n  %s: %s\n",
			    a, la != NULL ? la : "(end)", b,
			    lb != NULL ? lb : "(end)");
			error = 1;
			break;
		}
		lines++;
		la = strtok_r(NULL, "\n", &sa);
		lb = strtok_r(NULL, "\n", &sb);
	}
	if (error == 0)
		printf("fsstress: %zu entries, the same in %s and %s\n", lines,
		    a, b);
	free(ta);
	free(tb);
	close(afd);
	close(bfd);
	return error;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fsstress [-p PROCS] [-n OPS] [-s SEED] DIR\n"
	    "       fsstress -c DIR1 DIR2\n");
	exit(2);
}

static uint64_t
num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || *s == '-')
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	uint64_t ops = 20000, seed = 1, procs = 4;
	bool cmp = false;
	int c;

	while ((c = getopt(argc, argv, "p:n:s:c")) != -1) {
		switch (c) {
		case 'p': procs = num(optarg); break;
		case 'n': ops = num(optarg); break;
		case 's': seed = num(optarg); break;
		case 'c': cmp = true; break;
		default: usage();
		}
	}
	if (cmp) {
		if (argc - optind != 2)
			usage();
		return compare(argv[optind], argv[optind + 1]);
	}
	if (argc - optind != 1 || procs == 0 || procs > 64)
		usage();
	return stress(argv[optind], (unsigned)procs, ops, seed);
}
