/*
 * pn_kshim.h -- what the kernel build of puffsnode's core needs in place
 * of the compiler's freestanding headers.
 *
 * The kernel compiles with -nostdinc and without the compiler's own
 * include directory, so <stdbool.h>, <stddef.h>, <stdint.h> and
 * <stdatomic.h> are the ones beside this file.  They define the C11 names
 * the core uses on top of the kernel's own types (linux/types.h), so that
 * core and kernel code agree on size_t, bool and the fixed-width types.
 */
#ifndef PN_KSHIM_H
#define PN_KSHIM_H

#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* C11 types the kernel does not define. */
typedef long			intptr_t;
typedef long long		intmax_t;
typedef unsigned long long	uintmax_t;

#endif /* !PN_KSHIM_H */
