/*
 * syscalls.c -- one system call at a time: what a local file system
 * answers, checked one by one.
 *
 *	syscalls DIR
 *
 * Makes DIR/sc.PID and runs about sixty checks in it: open flags
 * (O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW), reads
 * and writes at and past the end of a file, seeks, truncate up and down,
 * fallocate, mkdir and rmdir (ENOTEMPTY, ENOTDIR), unlink (EISDIR),
 * link counts of files and directories, rename (over a file, over an
 * empty and a full directory, into its own subtree, RENAME_NOREPLACE,
 * RENAME_EXCHANGE), a file read and written after its last name went,
 * symlinks and readlink, utimensat and futimens, chmod, chown, access,
 * statfs, a FIFO, a mapping, directories read after changes, and, as
 * root, a user's chmod, chown and open refused.  Each prints "ok N name"
 * or "FAIL N name: what happened (errno)".  Exit status 1 if any check
 * failed, 2 on a usage error.  The same checks pass on a plain directory
 * of a local file system, so that they state its behaviour.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nchecks, nfailed;

/* cond holds; else FAIL with the errno of the failed call. */
static void
ok(const char *name, bool cond)
{
	int e = errno;

	nchecks++;
	if (cond) {
		printf("ok %d %s\n", nchecks, name);
		return;
	}
	nfailed++;
	printf("FAIL %d %s: errno %d (%s)\n", nchecks, name, e, strerror(e));
}

/* r failed with errno want. */
static void
fails(const char *name, long r, int want)
{
	int e = errno;

	nchecks++;
	if (r < 0 && e == want) {
		printf("ok %d %s\n", nchecks, name);
		return;
	}
	nfailed++;
	if (r >= 0)
		printf("FAIL %d %s: succeeded, want %s\n", nchecks, name,
		    strerror(want));
	else
		printf("FAIL %d %s: errno %d (%s), want %s\n", nchecks, name, e,
		    strerror(e), strerror(want));
}

static off_t
size_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_size : -1;
}

static nlink_t
links_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_nlink : 0;
}

static bool
put(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool r;

	if (fd < 0)
		return false;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	return close(fd) == 0 && r;
}

/* Whether file p holds exactly s. */
static bool
holds(const char *p, const char *s)
{
	char buf[256];
	int fd = open(p, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(s) && memcmp(buf, s, (size_t)n) == 0;
}

static bool
all_zero(const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Entries of directory p other than . and ..; -1 on error. */
static int
entries(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
open_checks(void)
{
	struct stat st;
	char buf[64];
	int fd, fd2;

	fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0644);
	ok("open O_CREAT|O_EXCL makes a file", fd >= 0);
	ok("a new file is empty, mode 0644", fd >= 0 && fstat(fd, &st) == 0 &&
	    st.st_size == 0 && (st.st_mode & 07777) == 0644 &&
	    S_ISREG(st.st_mode));
	fails("open O_CREAT|O_EXCL of an existing name: EEXIST",
	    open("f", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	ok("write 10 bytes", write(fd, "0123456789", 10) == 10);
	ok("fstat after the write: size 10", fstat(fd, &st) == 0 &&
	    st.st_size == 10);
	ok("lseek SEEK_END: 10", lseek(fd, 0, SEEK_END) == 10);
	ok("pread past the end: 0 bytes", pread(fd, buf, 8, 100) == 0);
	ok("pread across the end: short", pread(fd, buf, 8, 6) == 4 &&
	    memcmp(buf, "6789", 4) == 0);
	ok("pwrite past the end leaves a hole of zeros",
	    pwrite(fd, "x", 1, 20) == 1 && pread(fd, buf, 11, 10) == 11 &&
	    all_zero(buf, 10) && buf[10] == 'x');
	ok("lseek past the end, then write", lseek(fd, 30, SEEK_SET) == 30 &&
	    write(fd, "y", 1) == 1 && size_of("f") == 31);
	close(fd);
	fd = open("f", O_WRONLY | O_TRUNC);
	ok("open O_TRUNC empties the file", fd >= 0 && size_of("f") == 0);
	close(fd);
	fd = open("f", O_WRONLY | O_APPEND);
	fd2 = open("f", O_WRONLY | O_APPEND);
	ok("O_APPEND writes of two descriptors both land at the end",
	    fd >= 0 && fd2 >= 0 && write(fd, "ab", 2) == 2 &&
	    write(fd2, "cd", 2) == 2 && write(fd, "ef", 2) == 2 &&
	    holds("f", "abcdef"));
	close(fd);
	close(fd2);
	fd = open("f", O_RDONLY);
	fails("write to an O_RDONLY descriptor: EBADF",
	    fd >= 0 ? write(fd, "z", 1) : 0, EBADF);
	fails("ftruncate of an O_RDONLY descriptor: EINVAL",
	    fd >= 0 ? ftruncate(fd, 0) : 0, EINVAL);
	close(fd);
	fd = open("z0", O_RDWR | O_CREAT | O_EXCL, 0);
	ok("O_CREAT with mode 0: the descriptor still writes", fd >= 0 &&
	    write(fd, "w", 1) == 1 && fstat(fd, &st) == 0 &&
	    (st.st_mode & 07777) == 0);
	close(fd);
	fails("open of a missing name: ENOENT", open("missing", O_RDONLY),
	    ENOENT);
	fails("open below a file: ENOTDIR", open("f/x", O_RDONLY), ENOTDIR);
	fails("open O_DIRECTORY of a file: ENOTDIR",
	    open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	ok("mkdir", mkdir("d", 0755) == 0);
	fails("open a directory O_WRONLY: EISDIR", open("d", O_WRONLY), EISDIR);
	{
		char longname[NAME_MAX + 2];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		fails("a name longer than NAME_MAX: ENAMETOOLONG",
		    open(longname, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
	}
}

static void
size_checks(void)
{
	char buf[4096];
	int fd;

	ok("truncate up: zeros", put("t", "abc") && truncate("t", 4000) == 0 &&
	    size_of("t") == 4000);
	fd = open("t", O_RDONLY);
	ok("the extended part reads as zeros", fd >= 0 &&
	    pread(fd, buf, 4000, 0) == 4000 && memcmp(buf, "abc", 3) == 0 &&
	    all_zero(buf + 3, 3997));
	close(fd);
	ok("truncate down", truncate("t", 2) == 0 && holds("t", "ab"));
	fails("truncate to a negative size: EINVAL", truncate("t", -1), EINVAL);
	fd = open("t", O_RDWR);
	ok("ftruncate through the descriptor", fd >= 0 && ftruncate(fd, 1) == 0 &&
	    size_of("t") == 1);
	ok("fallocate extends the file", fd >= 0 &&
	    fallocate(fd, 0, 0, 8192) == 0 && size_of("t") == 8192);
	ok("fallocate FALLOC_FL_KEEP_SIZE keeps the size", fd >= 0 &&
	    fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192) == 0 &&
	    size_of("t") == 8192);
	memset(buf, 'q', sizeof(buf));
	ok("a punched hole reads as zeros", fd >= 0 &&
	    pwrite(fd, buf, 4096, 0) == 4096 &&
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1024,
	    1024) == 0 && pread(fd, buf, 4096, 0) == 4096 &&
	    buf[1023] == 'q' && all_zero(buf + 1024, 1024) && buf[2048] == 'q' &&
	    size_of("t") == 8192);
	close(fd);
}

static void
dir_checks(void)
{
	struct stat st;

	ok("a new directory has 2 links", links_of("d") == 2 &&
	    stat("d", &st) == 0 && S_ISDIR(st.st_mode));
	fails("mkdir of an existing name: EEXIST", mkdir("d", 0755), EEXIST);
	ok("a subdirectory adds a link to its parent",
	    mkdir("d/sub", 0700) == 0 && links_of("d") == 3);
	fails("rmdir of a directory with entries: ENOTEMPTY", rmdir("d"),
	    ENOTEMPTY);
	fails("rmdir of a file: ENOTDIR", rmdir("f"), ENOTDIR);
	fails("unlink of a directory: EISDIR", unlink("d"), EISDIR);
	ok("rmdir of an empty directory", rmdir("d/sub") == 0 &&
	    links_of("d") == 2);
	fails("rmdir of a missing name: ENOENT", rmdir("d/sub"), ENOENT);
}

static void
link_checks(void)
{
	struct stat a, b;

	ok("link: both names, one inode, 2 links",
	    put("l1", "link") && link("l1", "l2") == 0 && stat("l1", &a) == 0 &&
	    stat("l2", &b) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2);
	fails("link over an existing name: EEXIST", link("l1", "f"), EEXIST);
	fails("link of a directory: EPERM", link("d", "d2"), EPERM);
	ok("unlink one name: 1 link left, data there",
	    unlink("l1") == 0 && links_of("l2") == 1 && holds("l2", "link"));
	fails("unlink again: ENOENT", unlink("l1"), ENOENT);
}

static void
rename_checks(void)
{
	ok("rename over an existing file: its data, the old name gone",
	    put("r1", "one") && put("r2", "two") && rename("r1", "r2") == 0 &&
	    holds("r2", "one") && access("r1", F_OK) != 0);
	ok("rename to the same name", rename("r2", "r2") == 0 &&
	    holds("r2", "one"));
	ok("rename a directory, its entries follow",
	    mkdir("rd", 0755) == 0 && put("rd/x", "x") &&
	    rename("rd", "rd2") == 0 && holds("rd2/x", "x") &&
	    access("rd", F_OK) != 0);
	ok("rename a directory over an empty one",
	    mkdir("empty", 0755) == 0 && rename("rd2", "empty") == 0 &&
	    holds("empty/x", "x"));
	fails("rename a directory over one with entries: ENOTEMPTY",
	    mkdir("rd3", 0755) == 0 ? rename("rd3", "empty") : 0, ENOTEMPTY);
	fails("rename a file over a directory: EISDIR", rename("r2", "rd3"),
	    EISDIR);
	fails("rename a directory over a file: ENOTDIR", rename("rd3", "r2"),
	    ENOTDIR);
	fails("rename a directory into itself: EINVAL",
	    mkdir("rd3/in", 0755) == 0 ? rename("rd3", "rd3/in/x") : 0, EINVAL);
	fails("renameat2 RENAME_NOREPLACE onto a name: EEXIST",
	    put("n1", "n1") ? renameat2(AT_FDCWD, "n1", AT_FDCWD, "r2",
	    RENAME_NOREPLACE) : 0, EEXIST);
	ok("renameat2 RENAME_EXCHANGE swaps two names",
	    renameat2(AT_FDCWD, "n1", AT_FDCWD, "r2", RENAME_EXCHANGE) == 0 &&
	    holds("n1", "one") && holds("r2", "n1"));
	ok("a directory seen after a rename in it",
	    mkdir("rr", 0755) == 0 && put("rr/a", "a") && put("rr/b", "b") &&
	    rename("rr/a", "rr/c") == 0 && entries("rr") == 2 &&
	    access("rr/c", F_OK) == 0 && access("rr/a", F_OK) != 0);
}

static void
unlinked_checks(void)
{
	struct stat st;
	char buf[16];
	int fd;

	fd = open("u", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok("an open file outlives its name",
	    fd >= 0 && write(fd, "still", 5) == 5 && unlink("u") == 0 &&
	    access("u", F_OK) != 0 && pread(fd, buf, 5, 0) == 5 &&
	    memcmp(buf, "still", 5) == 0);
	ok("the nameless file has 0 links", fd >= 0 && fstat(fd, &st) == 0 &&
	    st.st_nlink == 0);
	ok("write and read the nameless file", fd >= 0 &&
	    pwrite(fd, "more", 4, 5) == 4 && pread(fd, buf, 9, 0) == 9 &&
	    memcmp(buf, "stillmore", 9) == 0);
	if (fd >= 0)
		close(fd);
}

static void
symlink_checks(void)
{
	struct stat st;
	char buf[64];
	ssize_t n;

	ok("symlink and readlink", symlink("f", "s") == 0 &&
	    (n = readlink("s", buf, sizeof(buf))) == 1 && buf[0] == 'f');
	ok("lstat: a symlink of size 1; stat follows it",
	    lstat("s", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1 &&
	    stat("s", &st) == 0 && S_ISREG(st.st_mode));
	fails("open O_NOFOLLOW of a symlink: ELOOP",
	    open("s", O_RDONLY | O_NOFOLLOW), ELOOP);
	ok("a dangling symlink: lstat works",
	    symlink("nowhere", "dang") == 0 && lstat("dang", &st) == 0);
	fails("a dangling symlink: stat ENOENT", stat("dang", &st), ENOENT);
	fails("O_CREAT|O_EXCL on a dangling symlink: EEXIST",
	    open("dang", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	fails("readlink of a file: EINVAL", readlink("f", buf, sizeof(buf)),
	    EINVAL);
	fails("symlink over an existing name: EEXIST", symlink("x", "f"),
	    EEXIST);
}

static void
attr_checks(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 },
		{ 1100000000, 987654321 } };
	struct statfs sf;
	struct stat st;
	time_t now = time(NULL);
	int fd;

	ok("utimensat sets both times to the nanosecond",
	    utimensat(AT_FDCWD, "f", ts, 0) == 0 && stat("f", &st) == 0 &&
	    st.st_atim.tv_sec == ts[0].tv_sec &&
	    st.st_atim.tv_nsec == ts[0].tv_nsec &&
	    st.st_mtim.tv_sec == ts[1].tv_sec &&
	    st.st_mtim.tv_nsec == ts[1].tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	ok("utimensat UTIME_NOW and UTIME_OMIT",
	    utimensat(AT_FDCWD, "f", ts, 0) == 0 && stat("f", &st) == 0 &&
	    st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec >= now - 5);
	fd = open("f", O_RDWR);
	ts[0].tv_sec = ts[1].tv_sec = 1200000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 5;
	ok("futimens", fd >= 0 && futimens(fd, ts) == 0 &&
	    fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1200000000 &&
	    st.st_mtim.tv_nsec == 5);
	ok("a write moves the modification time", fd >= 0 &&
	    write(fd, "w", 1) == 1 && fstat(fd, &st) == 0 &&
	    st.st_mtim.tv_sec >= now - 5);
	if (fd >= 0)
		close(fd);
	ok("chmod", chmod("f", 0600) == 0 && stat("f", &st) == 0 &&
	    (st.st_mode & 07777) == 0600);
	ok("chmod keeps set-gid and sticky bits of a directory",
	    chmod("d", 03755) == 0 && stat("d", &st) == 0 &&
	    (st.st_mode & 07777) == 03755);
	fails("chmod of a missing name: ENOENT", chmod("missing", 0600), ENOENT);
	ok("access F_OK, R_OK|W_OK", access("f", F_OK) == 0 &&
	    access("f", R_OK | W_OK) == 0);
	if (geteuid() == 0) {
		fails("access X_OK as root, no execute bit: EACCES",
		    access("f", X_OK), EACCES);
		ok("chown as root", chown("f", 65534, 65534) == 0 &&
		    stat("f", &st) == 0 && st.st_uid == 65534 &&
		    st.st_gid == 65534 && chown("f", 0, 0) == 0);
	}
	ok("statfs: blocks and a block size", statfs(".", &sf) == 0 &&
	    sf.f_bsize > 0 && sf.f_blocks > 0);
	ok("mkfifo", mkfifo("fifo", 0600) == 0 && lstat("fifo", &st) == 0 &&
	    S_ISFIFO(st.st_mode));
}

static void
map_checks(void)
{
	char *p;
	int fd = open("m", O_RDWR | O_CREAT | O_TRUNC, 0644);

	ok("a shared mapping sees a write, and a read sees the mapping's",
	    fd >= 0 && ftruncate(fd, 8192) == 0 &&
	    (p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) !=
	    MAP_FAILED && pwrite(fd, "disk", 4, 100) == 4 &&
	    memcmp(p + 100, "disk", 4) == 0 && memcpy(p + 5000, "map", 3) &&
	    msync(p, 8192, MS_SYNC) == 0 && munmap(p, 8192) == 0);
	if (fd >= 0)
		close(fd);
	{
		char b[3] = { 0 };

		fd = open("m", O_RDONLY);
		ok("the mapping's write reached the file", fd >= 0 &&
		    pread(fd, b, 3, 5000) == 3 && memcmp(b, "map", 3) == 0);
		if (fd >= 0)
			close(fd);
	}
}

static void
readdir_checks(void)
{
	char p[64];
	int i, made = 0;
	DIR *d;
	struct dirent *de;
	int seen[300] = { 0 }, dup = 0, n = 0;

	ok("readdir of a new directory: empty", mkdir("rdx", 0755) == 0 &&
	    entries("rdx") == 0);
	for (i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "rdx/entry-with-a-longish-name-%03d", i);
		made += put(p, "e");
	}
	ok("300 entries made", made == 300);
	if ((d = opendir("rdx")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (sscanf(de->d_name, "entry-with-a-longish-name-%d",
			    &i) == 1 && i >= 0 && i < 300) {
				dup += seen[i]++ != 0;
				n++;
			}
		}
		closedir(d);
	}
	ok("readdir returns each of 300 entries once", n == 300 && dup == 0);
	ok("readdir after unlinks", unlink("rdx/entry-with-a-longish-name-000") ==
	    0 && unlink("rdx/entry-with-a-longish-name-299") == 0 &&
	    entries("rdx") == 298);
	if ((d = opendir("rdx")) != NULL) {
		while (readdir(d) != NULL)
			;
		(void)put("rdx/late", "l");
		rewinddir(d);
		n = 0;
		while ((de = readdir(d)) != NULL)
			n += strcmp(de->d_name, "late") == 0;
		closedir(d);
	}
	ok("rewinddir sees an entry made since", n == 1);
}

/* As user 65534: chmod, chown, open of root's file refused. */
static void
user_checks(void)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return;
	ok("root's private file", put("priv", "p") && chmod("priv", 0600) == 0 &&
	    chmod(".", 0755) == 0);
	if ((pid = fork()) == 0) {
		int bad = 0;

		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(9);
		errno = 0;
		bad |= !(chmod("priv", 0666) < 0 && errno == EPERM);
		bad |= !(chown("priv", 65534, 65534) < 0 && errno == EPERM) << 1;
		bad |= !(open("priv", O_RDONLY) < 0 && errno == EACCES) << 2;
		bad |= !(open("newfile", O_WRONLY | O_CREAT, 0644) < 0 &&
		    errno == EACCES) << 3;
		bad |= !(unlink("priv") < 0 && errno == EACCES) << 4;
		_exit(bad);
	}
	ok("as a user: chmod EPERM, chown EPERM, open EACCES, create and "
	    "unlink in root's directory EACCES", pid > 0 &&
	    waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		printf("    (failed checks, bit mask: %d)\n", WEXITSTATUS(status));
}

int
main(int argc, char **argv)
{
	char dir[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: syscalls DIR\n");
		return 2;
	}
	umask(022);
	snprintf(dir, sizeof(dir), "%s/sc.%ld", argv[1], (long)getpid());
	if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
		fprintf(stderr, "syscalls: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	open_checks();
	size_checks();
	dir_checks();
	link_checks();
	rename_checks();
	unlinked_checks();
	symlink_checks();
	attr_checks();
	map_checks();
	readdir_checks();
	user_checks();
	printf("syscalls: %s: %d checks, %d failed\n", argv[1], nchecks,
	    nfailed);
	return nfailed != 0;
}
