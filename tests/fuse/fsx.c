/*
 * fsx.c -- random operations on one file, every byte read checked
 * against an in-memory model of the file.
 *
 *	fsx [-n OPS] [-s SEED] [-l MAXLEN] [-r REOPEN] FILE
 *
 * Operations, chosen at random from a seeded generator (the same seed
 * makes the same run): pwrite at a random offset (inside the file,
 * across its end, or past it, leaving a hole), pread of a random range
 * (past the end: a short read), ftruncate up and down, a read through a
 * shared mapping, a write through a shared mapping (msync), fsync,
 * fdatasync, and close and open again every REOPEN operations (so that
 * the kernel's page cache is dropped and the data comes back from the
 * file system).  After every operation the file's size (fstat) must be
 * the model's; at the end the whole file is read back through a fresh
 * descriptor.  On a mismatch it prints the first differing offset and
 * the last operations, and exits 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGN	64

enum op { OP_WRITE, OP_READ, OP_TRUNC, OP_MREAD, OP_MWRITE, OP_FSYNC,
	OP_FDATASYNC, OP_REOPEN, OP_HOLE, OP_NOPS };

static const char *const opname[] = { "write", "read", "truncate",
	"mapread", "mapwrite", "fsync", "fdatasync", "reopen", "holewrite" };

struct logent {
	uint64_t	n;
	enum op		op;
	uint64_t	off, len, size;	/* size: the file's size before */
};

static struct logent oplog[LOGN];
static uint64_t nops;
static const char *path;
static uint64_t seed;
static uint8_t *model, *buf;
static size_t msize, maxlen;
static long pagesz;
static int fd = -1;

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

static void
logop(enum op op, uint64_t off, uint64_t len)
{
	struct logent *e = &oplog[nops % LOGN];

	e->n = nops;
	e->op = op;
	e->off = off;
	e->len = len;
	e->size = msize;
}

static void __attribute__((format(printf, 1, 2), noreturn))
fail(const char *fmt, ...)
{
	va_list ap;
	uint64_t i, first = nops >= LOGN - 1 ? nops - (LOGN - 1) : 0;

	fprintf(stderr, "fsx: %s: seed %" PRIu64 ", operation %" PRIu64 ": ",
	    path, seed, nops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfsx: the last operations (number op offset "
	    "length size-before):\n");
	for (i = first; i <= nops; i++) {
		const struct logent *e = &oplog[i % LOGN];

		if (e->n != i)
			continue;
		fprintf(stderr, "  %8" PRIu64 " %-9s 0x%" PRIx64 " 0x%" PRIx64
		    " 0x%" PRIx64 "\n", e->n, opname[e->op], e->off, e->len,
		    e->size);
	}
	exit(1);
}

/* Compare len bytes read at off with the model. */
static void
check(const uint8_t *got, uint64_t off, uint64_t len, const char *how)
{
	uint64_t i;

	if (memcmp(got, model + off, len) == 0)
		return;
	for (i = 0; i < len && got[i] == model[off + i]; i++)
		;
	fail("%s: byte 0x%" PRIx64 " is 0x%02x, the model has 0x%02x", how,
	    off + i, got[i], model[off + i]);
}

static void
check_size(void)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		fail("fstat: %s", strerror(errno));
	if ((uint64_t)st.st_size != msize)
		fail("size %" PRIu64 ", the model has %zu",
		    (uint64_t)st.st_size, msize);
}

static void
fill(uint8_t *p, uint64_t len)
{
	uint64_t i, v = 0;

	for (i = 0; i < len; i++) {
		if ((i & 7) == 0)
			v = rnd();
		p[i] = (uint8_t)(v >> ((i & 7) * 8));
	}
}

static void
do_write(uint64_t off, uint64_t len, enum op op)
{
	ssize_t n;

	logop(op, off, len);
	fill(buf, len);
	if ((n = pwrite(fd, buf, len, (off_t)off)) != (ssize_t)len)
		fail("pwrite: %s", n < 0 ? strerror(errno) : "short");
	if (off > msize)
		memset(model + msize, 0, off - msize);	/* the hole */
	memcpy(model + off, buf, len);
	if (off + len > msize)
		msize = off + len;
}

static void
do_read(uint64_t off, uint64_t len)
{
	uint64_t want = off >= msize ? 0 : (off + len > msize ? msize - off :
	    len);
	ssize_t n;

	logop(OP_READ, off, len);
	if ((n = pread(fd, buf, len, (off_t)off)) < 0)
		fail("pread: %s", strerror(errno));
	if ((uint64_t)n != want)
		fail("pread of 0x%" PRIx64 " at 0x%" PRIx64 ": %zd bytes, "
		    "want %" PRIu64, len, off, n, want);
	check(buf, off, want, "pread");
}

static void
do_trunc(uint64_t size)
{
	logop(OP_TRUNC, size, 0);
	if (ftruncate(fd, (off_t)size) != 0)
		fail("ftruncate: %s", strerror(errno));
	if (size > msize)
		memset(model + msize, 0, size - msize);
	msize = size;
}

/* A mapping of the pages holding [off, off + len) of the file. */
static uint8_t *
map(uint64_t off, uint64_t len, int prot, uint64_t *pgoff, size_t *mlen)
{
	void *p;

	*pgoff = off - off % (uint64_t)pagesz;
	*mlen = (size_t)(off + len - *pgoff);
	p = mmap(NULL, *mlen, prot, MAP_SHARED, fd, (off_t)*pgoff);
	if (p == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	return p;
}

static void
do_mread(uint64_t off, uint64_t len)
{
	uint64_t pgoff;
	size_t mlen;
	uint8_t *p;

	logop(OP_MREAD, off, len);
	if (len == 0)
		return;
	p = map(off, len, PROT_READ, &pgoff, &mlen);
	check(p + (off - pgoff), off, len, "mapped read");
	munmap(p, mlen);
}

static void
do_mwrite(uint64_t off, uint64_t len)
{
	uint64_t pgoff;
	size_t mlen;
	uint8_t *p;

	logop(OP_MWRITE, off, len);
	if (len == 0)
		return;
	p = map(off, len, PROT_READ | PROT_WRITE, &pgoff, &mlen);
	fill(buf, len);
	memcpy(p + (off - pgoff), buf, len);
	memcpy(model + off, buf, len);
	if (msync(p, mlen, MS_SYNC) != 0)
		fail("msync: %s", strerror(errno));
	munmap(p, mlen);
}

static void
do_open(void)
{
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0) {
		fprintf(stderr, "fsx: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
do_reopen(void)
{
	logop(OP_REOPEN, 0, 0);
	if (close(fd) != 0)
		fail("close: %s", strerror(errno));
	if ((fd = open(path, O_RDWR)) < 0)
		fail("open: %s", strerror(errno));
}

static void
one(uint64_t reopen)
{
	uint64_t off, len, r = rndn(100);
	uint64_t maxio = maxlen / 4;

	if (reopen != 0 && nops % reopen == reopen - 1) {
		do_reopen();
		return;
	}
	if (r < 30) {			/* write inside or across the end */
		off = rndn(msize + 1 < maxlen ? msize + 1 : maxlen);
		len = 1 + rndn(maxio);
		if (off + len > maxlen)
			len = maxlen - off;
		do_write(off, len, OP_WRITE);
	} else if (r < 35) {		/* write past the end: a hole */
		if (msize + 2 >= maxlen) {
			do_trunc(rndn(maxlen / 2));
			return;
		}
		off = msize + 1 + rndn(maxlen - msize - 1);
		len = 1 + rndn(maxlen - off);
		do_write(off, len, OP_HOLE);
	} else if (r < 62) {		/* read, maybe past the end */
		off = rndn(msize + msize / 8 + 2);
		do_read(off, 1 + rndn(maxio));
	} else if (r < 72) {		/* truncate up or down */
		do_trunc(rndn(maxlen + 1));
	} else if (r < 82) {		/* read through a mapping */
		if (msize == 0) {
			do_read(0, 1);
			return;
		}
		off = rndn(msize);
		len = 1 + rndn(msize - off < maxio ? msize - off : maxio);
		do_mread(off, len);
	} else if (r < 92) {		/* write through a mapping */
		if (msize == 0) {
			do_trunc(1 + rndn(maxlen));
			return;
		}
		off = rndn(msize);
		len = 1 + rndn(msize - off < maxio ? msize - off : maxio);
		do_mwrite(off, len);
	} else if (r < 93) {
		logop(OP_FSYNC, 0, 0);
		if (fsync(fd) != 0)
			fail("fsync: %s", strerror(errno));
	} else if (r < 94) {
		logop(OP_FDATASYNC, 0, 0);
		if (fdatasync(fd) != 0)
			fail("fdatasync: %s", strerror(errno));
	} else {			/* a small read anywhere */
		do_read(rndn(msize + 2), 1 + rndn(64));
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: fsx [-n OPS] [-s SEED] [-l MAXLEN] "
	    "[-r REOPEN] FILE\n");
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
	uint64_t n = 10000, reopen = 500;
	ssize_t got;
	int c;

	seed = 1;
	maxlen = 256 * 1024;
	while ((c = getopt(argc, argv, "n:s:l:r:")) != -1) {
		switch (c) {
		case 'n': n = num(optarg); break;
		case 's': seed = num(optarg); break;
		case 'l': maxlen = (size_t)num(optarg); break;
		case 'r': reopen = num(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 1 || maxlen < 16 || maxlen > (1u << 30))
		usage();
	path = argv[optind];
	rs = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
	pagesz = sysconf(_SC_PAGESIZE);
	if ((model = calloc(1, maxlen)) == NULL ||
	    (buf = malloc(maxlen)) == NULL) {
		fprintf(stderr, "fsx: out of memory\n");
		return 1;
	}
	do_open();
	for (nops = 0; nops < n; nops++) {
		one(reopen);
		check_size();
	}
	/* The whole file, through a fresh descriptor. */
	do_reopen();
	logop(OP_READ, 0, msize);
	if ((got = pread(fd, buf, maxlen, 0)) != (ssize_t)msize)
		fail("final read: %zd bytes, the model has %zu", got, msize);
	check(buf, 0, msize, "final read");
	close(fd);
	printf("fsx: %s: %" PRIu64 " operations, seed %" PRIu64 ", final size "
	    "%zu: ok\n", path, n, seed, msize);
	return 0;
}
