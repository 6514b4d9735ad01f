/*
 * replay.c -- a main() for builds without libFuzzer: runs
 * LLVMFuzzerTestOneInput once over every file named on the command line
 * and every file under every directory named, so that plain gcc builds
 * replay the corpora as regression tests.  Exits non-zero if a path
 * cannot be read; a model mismatch aborts, as under libFuzzer.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static long nrun;

static int
run_file(const char *path, off_t size)
{
	uint8_t *buf;
	FILE *fp;
	size_t n;

	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL || (fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		free(buf);
		return 1;
	}
	n = fread(buf, 1, (size_t)size, fp);
	if (ferror(fp) || n != (size_t)size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		fclose(fp);
		free(buf);
		return 1;
	}
	fclose(fp);
	/* An exact-size copy: reads past the input trip the sanitizers. */
	(void)LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	nrun++;
	return 0;
}

static int
run_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int bad = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, st.st_size);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char *sub;
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		len = strlen(path) + strlen(de->d_name) + 2;
		if ((sub = malloc(len)) == NULL) {
			bad = 1;
			break;
		}
		snprintf(sub, len, "%s/%s", path, de->d_name);
		bad |= run_path(sub);
		free(sub);
	}
	closedir(d);
	return bad;
}

int
main(int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-directory ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		bad |= run_path(argv[i]);
	printf("replay: %ld inputs run\n", nrun);
	return bad;
}
