/*
 * stdint.h for the kernel build of puffsnode's core.  linux/types.h has
 * the exact-width types and uintptr_t, pn_kshim.h intptr_t and the
 * greatest-width types; this adds the rest of C11's <stdint.h>: the
 * limits and the constant macros.  LP64 (x86_64 and the kernel's other
 * 64-bit ports) and ILP32 are both covered through the compiler's
 * predefined __SIZEOF_POINTER__.
 */
#ifndef PN_KSHIM_STDINT_H
#define PN_KSHIM_STDINT_H

#include "pn_kshim.h"

#define INT8_MIN	(-128)
#define INT16_MIN	(-32767 - 1)
#define INT32_MIN	(-2147483647 - 1)
#define INT64_MIN	(-9223372036854775807LL - 1)
#define INT8_MAX	127
#define INT16_MAX	32767
#define INT32_MAX	2147483647
#define INT64_MAX	9223372036854775807LL
#define UINT8_MAX	255
#define UINT16_MAX	65535
#define UINT32_MAX	4294967295U
#define UINT64_MAX	18446744073709551615ULL

#define INTMAX_MIN	INT64_MIN
#define INTMAX_MAX	INT64_MAX
#define UINTMAX_MAX	UINT64_MAX

#if __SIZEOF_POINTER__ == 8
#define INTPTR_MIN	INT64_MIN
#define INTPTR_MAX	INT64_MAX
#ifndef UINTPTR_MAX			/* vdso/limits.h has it */
#define UINTPTR_MAX	UINT64_MAX
#endif
#define PTRDIFF_MIN	INT64_MIN
#define PTRDIFF_MAX	INT64_MAX
#else
#define INTPTR_MIN	INT32_MIN
#define INTPTR_MAX	INT32_MAX
#ifndef UINTPTR_MAX
#define UINTPTR_MAX	UINT32_MAX
#endif
#define PTRDIFF_MIN	INT32_MIN
#define PTRDIFF_MAX	INT32_MAX
#endif
/* SIZE_MAX comes from linux/limits.h. */

#define INT8_C(c)	c
#define INT16_C(c)	c
#define INT32_C(c)	c
#define INT64_C(c)	c ## LL
#define UINT8_C(c)	c
#define UINT16_C(c)	c
#define UINT32_C(c)	c ## U
#define UINT64_C(c)	c ## ULL
#define INTMAX_C(c)	c ## LL
#define UINTMAX_C(c)	c ## ULL

#endif /* !PN_KSHIM_STDINT_H */
