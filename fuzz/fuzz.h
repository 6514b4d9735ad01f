/*
 * fuzz.h -- what the fuzz targets share: the libFuzzer entry point's
 * prototype, a reader that turns the input into typed values (all zero
 * once the input runs out, so every input is a complete program), and
 * the check that aborts on any difference from a target's model.
 */
#ifndef PN_FUZZ_H
#define PN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, consumed front to back. */
struct fz {
	const uint8_t	*p;
	size_t		 n;
};

static inline bool
fz_empty(const struct fz *f)
{
	return f->n == 0;
}

static inline uint8_t
fz_u8(struct fz *f)
{
	uint8_t v;

	if (f->n == 0)
		return 0;
	v = *f->p++;
	f->n--;
	return v;
}

static inline uint16_t
fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);

	return (uint16_t)(v | (uint16_t)fz_u8(f) << 8);
}

static inline uint32_t
fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);

	return v | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t
fz_u64(struct fz *f)
{
	uint64_t v = fz_u32(f);

	return v | (uint64_t)fz_u32(f) << 32;
}

/* Up to max bytes of the input, as they are; *lenp gets how many. */
static inline const uint8_t *
fz_bytes(struct fz *f, size_t max, size_t *lenp)
{
	const uint8_t *p = f->p;
	size_t n = max < f->n ? max : f->n;

	f->p += n;
	f->n -= n;
	*lenp = n;
	return p;
}

/* An int64 that is often at an edge. */
static inline int64_t
fz_i64_edgy(struct fz *f)
{
	uint8_t b = fz_u8(f);

	switch (b & 7) {
	case 0:
		return 0;
	case 1:
		return (int64_t)(b >> 3);
	case 2:
		return -1 - (int64_t)(b >> 3);
	case 3:
		return INT64_MAX - (int64_t)(b >> 3);
	case 4:
		return INT64_MIN + (int64_t)(b >> 3);
	case 5:
		return (int64_t)fz_u16(f);
	default:
		return (int64_t)fz_u64(f);
	}
}

/* Abort with a message: the library differs from the model. */
#define FZ_FAIL(...) do {						\
	fprintf(stderr, "%s:%d: model mismatch: ", __FILE__, __LINE__);	\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

#define FZ_CHECK(cond, what) do {					\
	if (!(cond))							\
		FZ_FAIL("%s: %s", (what), #cond);			\
} while (0)

/* Compare an answer with the model's; print both on a difference. */
#define FZ_EQ(got, want, what) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_)							\
		FZ_FAIL("%s: got %lld, want %lld", (what), g_, w_);	\
} while (0)

/* Guard bytes around an output structure. */
#define FZ_CANARY	0xa5
#define FZ_GUARD	64

static inline void
fz_guard_check(const uint8_t *buf, size_t len, const char *what)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != FZ_CANARY)
			FZ_FAIL("%s: guard byte %zu overwritten (0x%02x)",
			    what, i, buf[i]);
}

#endif /* !PN_FUZZ_H */
