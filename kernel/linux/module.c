/*
 * module.c -- puffsnode.ko: the puffsnode core (lib/) with a host on
 * Linux kernel services (host.c).  Loading it runs the self-test
 * (selftest.c) unless selftest=0.  The verdict is the test's result line,
 * not the load: the module loads either way, since insmod implementations
 * retry a failed load (busybox falls back from finit_module to
 * init_module) and would run the test twice.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <puffsnode/puffsnode.h>

#include "selftest.h"

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the self-test at load (default: yes)");

static unsigned long cookies = 100000;
module_param(cookies, ulong, 0444);
MODULE_PARM_DESC(cookies, "cookies the self-test gets or creates (default: 100000)");

static int threads = 4;
module_param(threads, int, 0444);
MODULE_PARM_DESC(threads, "self-test threads, even, 2 to 8 (default: 4)");

static unsigned long newnodes = 2000;
module_param(newnodes, ulong, 0444);
MODULE_PARM_DESC(newnodes, "cookies the self-test's pn_newnode races create (default: 2000)");

static int __init
pn_kmod_init(void)
{
	pr_info("puffsnode: core %s\n", pn_version());
	if (selftest)
		(void)pn_kselftest(cookies, threads, newnodes);
	return 0;
}

static void __exit
pn_kmod_exit(void)
{
}

module_init(pn_kmod_init);
module_exit(pn_kmod_exit);

MODULE_DESCRIPTION("puffsnode: the puffs node layer, with a self-test");
MODULE_LICENSE("Dual BSD/GPL");
