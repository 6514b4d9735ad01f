/*
 * stdalign.h for the kernel build of puffsnode's core: the C11 macros
 * over the compiler's keywords.
 */
#ifndef PN_KSHIM_STDALIGN_H
#define PN_KSHIM_STDALIGN_H

#define alignas				_Alignas
#define alignof				_Alignof
#define __alignas_is_defined		1
#define __alignof_is_defined		1

#endif /* !PN_KSHIM_STDALIGN_H */
