/*
 * limits.h for the kernel build of puffsnode's core: the int, long and
 * long long limits come from the kernel (linux/limits.h, vdso/limits.h);
 * this adds the char limits.  The kernel builds with signed char
 * (-fsigned-char on x86, and unsigned where the ABI says so).
 */
#ifndef PN_KSHIM_LIMITS_H
#define PN_KSHIM_LIMITS_H

#include "pn_kshim.h"

#define CHAR_BIT	__CHAR_BIT__
#define SCHAR_MIN	(-SCHAR_MAX - 1)
#define SCHAR_MAX	__SCHAR_MAX__
#define UCHAR_MAX	(SCHAR_MAX * 2 + 1)
#ifdef __CHAR_UNSIGNED__
#define CHAR_MIN	0
#define CHAR_MAX	UCHAR_MAX
#else
#define CHAR_MIN	SCHAR_MIN
#define CHAR_MAX	SCHAR_MAX
#endif

#endif /* !PN_KSHIM_LIMITS_H */
