/*
 * stddef.h for the kernel build of puffsnode's core: size_t and ptrdiff_t
 * (linux/types.h), NULL and offsetof (linux/stddef.h), and max_align_t,
 * which the kernel does not define.  On x86_64 the strictest fundamental
 * alignment is 16 bytes (long double, __int128).
 */
#ifndef PN_KSHIM_STDDEF_H
#define PN_KSHIM_STDDEF_H

#include "pn_kshim.h"

typedef struct {
	long long	pn_ll __attribute__((__aligned__(__BIGGEST_ALIGNMENT__)));
} max_align_t;

#endif /* !PN_KSHIM_STDDEF_H */
