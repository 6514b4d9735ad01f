/*
 * wraphost.h -- a host that wraps another host's table, in the manner of
 * SQLite's wrapped methods: every member calls through to the inner host,
 * and the fallible ones can be made to fail.  It is the tests' one fault
 * injector: testhost.h's table goes through one (th_host.h_w), and a test
 * may wrap any table again.
 *
 * The wrapper counts the fallible host calls (alloc, lock_init, cv_init,
 * vnode_alloc, vnode_get, vnode_attach, vnode_checkalias, cred_get,
 * vnode_getattr_size) and fails the N-th one, once or from then on.  It
 * keeps its own books (bytes, locks and condition variables outstanding)
 * so a leak is seen whatever the inner host is.  It can also hide every
 * optional member (a minimal host), answer mount_dying from a countdown,
 * lie in lock_held, refuse allocations above a size, and run a hook after
 * a lock is released.
 */
#ifndef PN_WRAPHOST_H
#define PN_WRAPHOST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <puffsnode/puffsnode.h>

enum wh_kind {
	WH_ALLOC, WH_LOCK, WH_CV, WH_VALLOC, WH_VGET, WH_ATTACH, WH_ALIAS,
	WH_CRED, WH_GETATTR, WH_NKINDS
};

/* wh_init() flags. */
#define WH_MINIMAL	0x1u	/* every optional member NULL */

struct wraphost;
typedef void wh_hook_fn(struct wraphost *w, struct pn_lock *lk);

struct wraphost {
	struct pn_host_ops	 ops;		/* hand this to pn_mount_create, with w */
	struct pn_host_ops	 inner;		/* the wrapped table, copied */
	void			*ih;		/* the wrapped host */

	/* fault injection */
	atomic_long		 calls;		/* fallible calls since wh_fail_at */
	long			 fail_at;	/* 0: never */
	bool			 forever;
	unsigned		 mask;		/* 1 << wh_kind eligible */
	int			 fail_code;	/* error to inject; 0: per kind */
	atomic_long		 failed;	/* faults injected */
	atomic_long		 kind_calls[WH_NKINDS];
	atomic_long		 kind_failed[WH_NKINDS];

	/* books */
	atomic_llong		 bytes;		/* bytes outstanding */
	atomic_long		 nallocs;	/* allocations outstanding */
	atomic_long		 locks;		/* locks outstanding */
	atomic_long		 cvs;		/* condition variables outstanding */

	/* scripted behaviour */
	size_t			 alloc_cap;	/* allocations above fail; 0: none */
	atomic_long		 dying_after;	/* mount_dying true from this call on; 0: never */
	atomic_long		 dying_calls;
	atomic_bool		 lie_held;	/* lock_held answers 0 */
	atomic_int		 vget_delay_us;	/* sleep in vnode_get (a long read section) */
	wh_hook_fn		*exit_hook;	/* after every lock_exit */
	void			*hook_arg;
};

void	wh_init(struct wraphost *w, const struct pn_host_ops *inner,
	    void *ih, unsigned flags);
/* Fail the n-th fallible call from now (1 = the next); 0 disables. */
void	wh_fail_at(struct wraphost *w, long n, bool forever);
/* 0 if the books balance; complains on stderr otherwise. */
int	wh_check(struct wraphost *w);
/* Fallible calls that would be counted since wh_fail_at. */
long	wh_calls(struct wraphost *w);

#endif /* !PN_WRAPHOST_H */
