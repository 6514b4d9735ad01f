/*
 * initfix.c -- FUSE_HANDLE_KILLPRIV in the INIT reply of libfuse < 3.16.
 *
 * The bridge clears set-uid and set-gid bits itself (bridge.c,
 * write_killpriv), so that the kernel need not fetch a file's attributes
 * before every chown.  It says so with FUSE_CAP_HANDLE_KILLPRIV, but
 * libfuse before 3.16 takes the capability into conn->want and never
 * puts FUSE_HANDLE_KILLPRIV into its INIT reply.  There, the bridge's
 * init callback arms initfix_arm(); libfuse writes the INIT reply with
 * writev() from the same thread as soon as the callback returns; this
 * writev, defined in the executable, receives libfuse's calls and adds
 * the flag to that one reply.  Every other call passes through as it is.
 * The flag counts only if the reply carries it: initfix_applied() says
 * whether it did.  With libfuse 3.16 and later none of this is built.
 */
#include <fuse_lowlevel.h>

#if FUSE_VERSION < 316
#include <linux/fuse.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bridge.h"

static _Thread_local bool armed;
static atomic_bool applied;

void
initfix_arm(void)
{
	armed = true;
}

bool
initfix_applied(void)
{
	return atomic_load(&applied);
}

/* The INIT reply: a header and a fuse_init_out that reaches past flags. */
static bool
is_init_reply(const struct iovec *iov, int iovcnt)
{
	const struct fuse_out_header *oh;

	if (iovcnt != 2 || iov[0].iov_len != sizeof(*oh) ||
	    iov[1].iov_len < offsetof(struct fuse_init_out, flags) +
	    sizeof(uint32_t) || iov[1].iov_len > sizeof(struct fuse_init_out))
		return false;
	oh = iov[0].iov_base;
	return oh->error == 0 && oh->len == iov[0].iov_len + iov[1].iov_len;
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct fuse_init_out out;
	struct iovec v[2];

	if (armed && is_init_reply(iov, iovcnt)) {
		armed = false;
		memset(&out, 0, sizeof(out));
		memcpy(&out, iov[1].iov_base, iov[1].iov_len);
		out.flags |= FUSE_HANDLE_KILLPRIV;
		v[0] = iov[0];
		v[1].iov_base = &out;
		v[1].iov_len = iov[1].iov_len;
		atomic_store(&applied, true);
		return syscall(SYS_writev, fd, v, iovcnt);
	}
	return syscall(SYS_writev, fd, iov, iovcnt);
}
#endif
