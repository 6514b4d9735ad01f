/*
 * selftest.h -- the module's self-test (selftest.c).
 */
#ifndef PN_KSELFTEST_H
#define PN_KSELFTEST_H

/*
 * Run one mount's life: ncookies cookies, nthreads threads (even, at most
 * 8), nnew pn_newnode races.  Prints one line, "puffsnode: selftest PASS:"
 * or "... FAIL:", with the counts; 0 on PASS, -EIO on FAIL.
 */
int	pn_kselftest(unsigned long ncookies, int nthreads, unsigned long nnew);

#endif /* !PN_KSELFTEST_H */
