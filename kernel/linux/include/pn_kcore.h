/*
 * pn_kcore.h -- forced into each file of the core (lib/) by Kbuild, after the
 * kernel's compiler_types.h.
 *
 * The kernel defines some GNU attribute names as macros, e.g.
 * noinline as __attribute__((__noinline__)).  Inside an attribute list
 * such as __attribute__((noinline, cold)) that macro would expand to a
 * nested __attribute__ and break the build.  The core includes no kernel
 * header of its own, so in its files the bare name can go back to
 * meaning the attribute.
 */
#ifndef PN_KCORE_H
#define PN_KCORE_H

#undef noinline
#define noinline	__noinline__

#endif /* !PN_KCORE_H */
