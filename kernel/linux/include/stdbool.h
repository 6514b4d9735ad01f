/*
 * stdbool.h for the kernel build of puffsnode's core: the kernel's bool
 * (linux/types.h) and its true and false (linux/stddef.h).
 */
#ifndef PN_KSHIM_STDBOOL_H
#define PN_KSHIM_STDBOOL_H

#include "pn_kshim.h"

#define __bool_true_false_are_defined	1

#endif /* !PN_KSHIM_STDBOOL_H */
