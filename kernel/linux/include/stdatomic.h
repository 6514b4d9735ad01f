/*
 * stdatomic.h for the kernel build of puffsnode's core: C11 atomics on
 * the compiler's __atomic builtins, which is what the compiler's own
 * header does too.  The kernel forbids that header (-nostdinc) but not
 * the builtins: on x86_64 every operation here on objects of 1, 2, 4 or
 * 8 bytes compiles inline to plain moves, locked instructions, xchg or
 * cmpxchg, and never to a libatomic call, which the kernel does not have.
 * A port to a kernel whose architecture lacks some width lock-free would
 * see ATOMIC_LLONG_LOCK_FREE below 2 here, as the core expects.
 *
 * _Atomic is the compiler's keyword (the kernel builds as gnu11).  The
 * core uses the _explicit forms; the plain ones are seq_cst as in C11.
 * Deviation: atomic_fetch_add/sub on an atomic pointer add bytes, not
 * elements (the builtins' rule); the core has no atomic pointer
 * arithmetic.
 */
#ifndef PN_KSHIM_STDATOMIC_H
#define PN_KSHIM_STDATOMIC_H

#include "pn_kshim.h"

typedef enum {
	memory_order_relaxed = __ATOMIC_RELAXED,
	memory_order_consume = __ATOMIC_CONSUME,
	memory_order_acquire = __ATOMIC_ACQUIRE,
	memory_order_release = __ATOMIC_RELEASE,
	memory_order_acq_rel = __ATOMIC_ACQ_REL,
	memory_order_seq_cst = __ATOMIC_SEQ_CST
} memory_order;

#define ATOMIC_BOOL_LOCK_FREE		__GCC_ATOMIC_BOOL_LOCK_FREE
#define ATOMIC_CHAR_LOCK_FREE		__GCC_ATOMIC_CHAR_LOCK_FREE
#define ATOMIC_CHAR16_T_LOCK_FREE	__GCC_ATOMIC_CHAR16_T_LOCK_FREE
#define ATOMIC_CHAR32_T_LOCK_FREE	__GCC_ATOMIC_CHAR32_T_LOCK_FREE
#define ATOMIC_WCHAR_T_LOCK_FREE	__GCC_ATOMIC_WCHAR_T_LOCK_FREE
#define ATOMIC_SHORT_LOCK_FREE		__GCC_ATOMIC_SHORT_LOCK_FREE
#define ATOMIC_INT_LOCK_FREE		__GCC_ATOMIC_INT_LOCK_FREE
#define ATOMIC_LONG_LOCK_FREE		__GCC_ATOMIC_LONG_LOCK_FREE
#define ATOMIC_LLONG_LOCK_FREE		__GCC_ATOMIC_LLONG_LOCK_FREE
#define ATOMIC_POINTER_LOCK_FREE	__GCC_ATOMIC_POINTER_LOCK_FREE

typedef _Atomic _Bool			atomic_bool;
typedef _Atomic char			atomic_char;
typedef _Atomic signed char		atomic_schar;
typedef _Atomic unsigned char		atomic_uchar;
typedef _Atomic short			atomic_short;
typedef _Atomic unsigned short		atomic_ushort;
typedef _Atomic int			atomic_int;
typedef _Atomic unsigned int		atomic_uint;
typedef _Atomic long			atomic_long;
typedef _Atomic unsigned long		atomic_ulong;
typedef _Atomic long long		atomic_llong;
typedef _Atomic unsigned long long	atomic_ullong;
typedef _Atomic int8_t			atomic_int8_t;
typedef _Atomic uint8_t			atomic_uint8_t;
typedef _Atomic int16_t			atomic_int16_t;
typedef _Atomic uint16_t		atomic_uint16_t;
typedef _Atomic int32_t			atomic_int32_t;
typedef _Atomic uint32_t		atomic_uint32_t;
typedef _Atomic int64_t			atomic_int64_t;
typedef _Atomic uint64_t		atomic_uint64_t;
typedef _Atomic intptr_t		atomic_intptr_t;
typedef _Atomic uintptr_t		atomic_uintptr_t;
typedef _Atomic size_t			atomic_size_t;
typedef _Atomic ptrdiff_t		atomic_ptrdiff_t;

#define ATOMIC_VAR_INIT(v)	(v)
#define kill_dependency(y)	(y)

#define atomic_init(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_is_lock_free(p)	__atomic_is_lock_free(sizeof(*(p)), (p))

#define atomic_thread_fence(mo)	__atomic_thread_fence(mo)
#define atomic_signal_fence(mo)	__atomic_signal_fence(mo)

#define atomic_load_explicit(p, mo)	__atomic_load_n((p), (mo))
#define atomic_store_explicit(p, v, mo)	__atomic_store_n((p), (v), (mo))
#define atomic_exchange_explicit(p, v, mo) \
	__atomic_exchange_n((p), (v), (mo))
#define atomic_compare_exchange_strong_explicit(p, e, v, s, f) \
	__atomic_compare_exchange_n((p), (e), (v), 0, (s), (f))
#define atomic_compare_exchange_weak_explicit(p, e, v, s, f) \
	__atomic_compare_exchange_n((p), (e), (v), 1, (s), (f))
#define atomic_fetch_add_explicit(p, v, mo)	__atomic_fetch_add((p), (v), (mo))
#define atomic_fetch_sub_explicit(p, v, mo)	__atomic_fetch_sub((p), (v), (mo))
#define atomic_fetch_or_explicit(p, v, mo)	__atomic_fetch_or((p), (v), (mo))
#define atomic_fetch_xor_explicit(p, v, mo)	__atomic_fetch_xor((p), (v), (mo))
#define atomic_fetch_and_explicit(p, v, mo)	__atomic_fetch_and((p), (v), (mo))

#define atomic_load(p)		atomic_load_explicit((p), memory_order_seq_cst)
#define atomic_store(p, v)	atomic_store_explicit((p), (v), memory_order_seq_cst)
#define atomic_exchange(p, v)	atomic_exchange_explicit((p), (v), memory_order_seq_cst)
#define atomic_compare_exchange_strong(p, e, v) \
	atomic_compare_exchange_strong_explicit((p), (e), (v), \
	    memory_order_seq_cst, memory_order_seq_cst)
#define atomic_compare_exchange_weak(p, e, v) \
	atomic_compare_exchange_weak_explicit((p), (e), (v), \
	    memory_order_seq_cst, memory_order_seq_cst)
#define atomic_fetch_add(p, v)	atomic_fetch_add_explicit((p), (v), memory_order_seq_cst)
#define atomic_fetch_sub(p, v)	atomic_fetch_sub_explicit((p), (v), memory_order_seq_cst)
#define atomic_fetch_or(p, v)	atomic_fetch_or_explicit((p), (v), memory_order_seq_cst)
#define atomic_fetch_xor(p, v)	atomic_fetch_xor_explicit((p), (v), memory_order_seq_cst)
#define atomic_fetch_and(p, v)	atomic_fetch_and_explicit((p), (v), memory_order_seq_cst)

typedef struct {
	unsigned char	pn_flag;
} atomic_flag;

#define ATOMIC_FLAG_INIT	{ 0 }
#define atomic_flag_test_and_set_explicit(f, mo) \
	__atomic_test_and_set(&(f)->pn_flag, (mo))
#define atomic_flag_test_and_set(f) \
	atomic_flag_test_and_set_explicit((f), memory_order_seq_cst)
#define atomic_flag_clear_explicit(f, mo) \
	__atomic_clear(&(f)->pn_flag, (mo))
#define atomic_flag_clear(f) \
	atomic_flag_clear_explicit((f), memory_order_seq_cst)

#endif /* !PN_KSHIM_STDATOMIC_H */
