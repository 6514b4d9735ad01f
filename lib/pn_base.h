/*
 * pn_base.h -- what every file of the core uses: the public headers, the
 * atomic vocabulary, the build-time knobs, assertions.  Never installed.
 *
 * The core is freestanding: only compiler-provided headers, every service
 * through the host ops.  Internal names that cross files start with pni_
 * (functions, types) or PNI_ (macros); pn_ is the public API.  Nothing
 * here is exported: the version script and -fvisibility=hidden keep it so.
 */
#ifndef PN_BASE_H
#define PN_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <puffsnode/puffsnode.h>

#include "pn_atomic.h"

#define PNI_EXPORT	__attribute__((__visibility__("default")))

#define PNI_LIKELY(x)	__builtin_expect(!!(x), 1)
#define PNI_UNLIKELY(x)	__builtin_expect(!!(x), 0)

/* Where a member ends: the byte count of a versioned struct's version. */
#define PNI_END_OF(type, member)	\
	(offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * Build-time knobs for small memory (Meson options slab_nodes,
 * read_slots, cache_line; docs/porting.md).
 *   PNI_SLAB_NODES  nodes carved from one host allocation of the pool
 *   PNI_RSLOTS      read-section slots of a mount (a power of two)
 *   PNI_CACHELINE   the stride that keeps read slots on lines of their own
 */
#ifndef PNI_SLAB_NODES
#define PNI_SLAB_NODES	128
#endif
#ifndef PNI_RSLOTS
#define PNI_RSLOTS	32
#endif
#ifndef PNI_CACHELINE
#define PNI_CACHELINE	64
#endif

_Static_assert(PNI_SLAB_NODES >= 1 && PNI_SLAB_NODES <= 65536,
    "slab_nodes: 1 to 65536");
_Static_assert(PNI_RSLOTS >= 1 && PNI_RSLOTS <= 1024 &&
    (PNI_RSLOTS & (PNI_RSLOTS - 1)) == 0, "read_slots: a power of two, 1 to 1024");
_Static_assert(PNI_CACHELINE >= 8 && PNI_CACHELINE <= 256 &&
    (PNI_CACHELINE & (PNI_CACHELINE - 1)) == 0, "cache_line: a power of two, 8 to 256");

/*
 * Assertions state invariants the core relies on.  With NDEBUG they
 * compile away (the condition is still type-checked, never evaluated).
 * Otherwise a failed one stops: the host's panic member is called, and if
 * the host has none, or it returns, the failure is logged at PN_LOG_PANIC
 * and the core traps.  It never continues into undefined behaviour.
 */
_Noreturn void	pni_assert_fail(struct pn_mount *, const char *, int,
		    const char *);

#ifdef NDEBUG
#define PNI_ASSERT(mp, cond)	((void)sizeof(!(cond)))
#else
#define PNI_ASSERT(mp, cond) do {					\
	if (PNI_UNLIKELY(!(cond)))					\
		pni_assert_fail((mp), __FILE__, __LINE__, #cond);	\
} while (0)
#endif

/* Own copies of the tiny string helpers: the core calls no libc. */
static inline size_t
pni_strnlen(const char *s, size_t max)
{
	size_t n;

	for (n = 0; n < max && s[n] != '\0'; n++)
		continue;
	return n;
}

#endif /* !PN_BASE_H */
