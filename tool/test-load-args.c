// SPDX-License-Identifier: MIT
/*
 * test-load-args.c - the command lines of pekexec load/exec/unload and of
 * kexec-tools' 'kexec' as systemd and scripts write them, and
 * --reuse-cmdline's filtering.  No root, no VM.
 */
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "load-args.h" /* load-args.o: linked in by the Makefile */

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])) - 1)

static int parse(struct load_args *a, enum load_op op, int argc, char **argv)
{
	char err[256];
	int r = load_args_parse(a, op, argc, argv, err, sizeof(err));

	if (r < 0)
		printf("  (parse error: %s)\n", err);
	return r;
}

static void test_systemd(void)
{
	/* systemd's load_kexec_kernel(): KEXEC --load KERNEL --append OPTS --initrd INITRD */
	char *v[] = { "kexec", "--load", "/boot/vmlinuz", "--append", "root=/dev/vda ro",
		      "--initrd", "/boot/initrd.img", NULL };
	char *w[] = { "/usr/sbin/kexec", "-l", "/boot/vmlinuz", "--append=quiet",
		      "--initrd=/boot/i", NULL };
	struct load_args a;

	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(v), v), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_LOAD);
	CHECK(!a.crash);
	CHECK(a.image && !strcmp(a.image, "/boot/vmlinuz"));
	CHECK(a.pipe.append && !strcmp(a.pipe.append, "root=/dev/vda ro"));
	CHECK(a.pipe.initrd && !strcmp(a.pipe.initrd, "/boot/initrd.img"));

	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(w), w), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_LOAD);
	CHECK(a.pipe.append && !strcmp(a.pipe.append, "quiet"));
	CHECK(a.pipe.initrd && !strcmp(a.pipe.initrd, "/boot/i"));
}

static void test_compat_ops(void)
{
	char *e[] = { "kexec", "-e", NULL };
	char *u[] = { "kexec", "-u", NULL };
	char *up[] = { "kexec", "-u", "-p", NULL };
	char *pu[] = { "kexec", "-p", "-u", NULL };
	char *p[] = { "kexec", "-p", "/k", "--command-line=x y", "--reuse-cmdline", NULL };
	char *s[] = { "kexec", "-s", "-l", "-t", "bzImage", "/k", "-x", "-i", NULL };
	char *none[] = { "kexec", "/k", NULL };
	char *two[] = { "kexec", "-l", "-e", "/k", NULL };
	char *c[] = { "kexec", "-c", "-l", "/k", NULL };
	char *eimg[] = { "kexec", "-e", "/k", NULL };
	char *sp[] = { "kexec", "-S", "-p", NULL };
	char *dd[] = { "kexec", "--load", "--initrd=/i", "--", "/k", NULL };
	struct load_args a;

	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(e), e), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_EXEC);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(u), u), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_UNLOAD);
	CHECK(!a.crash);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(up), up), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_UNLOAD);
	CHECK(a.crash);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(pu), pu), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_UNLOAD);
	CHECK(a.crash);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(p), p), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_LOAD);
	CHECK(a.crash && a.reuse_cmdline);
	CHECK(a.pipe.append && !strcmp(a.pipe.append, "x y"));
	/* -t is kexec-tools' --type here, not --trust */
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(s), s), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_LOAD);
	CHECK_EQ_INT(a.ntrust, 0);
	CHECK(a.image && !strcmp(a.image, "/k"));
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(sp), sp), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_STATUS);
	CHECK(a.crash);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(dd), dd), 0);
	CHECK(a.image && !strcmp(a.image, "/k") && a.pipe.initrd && !strcmp(a.pipe.initrd, "/i"));

	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(none), none), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(two), two), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(c), c), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(eimg), eimg), -EINVAL);
}

/* pekexec's own long options in kexec mode; kexec-tools wins on -t */
static void test_compat_pekexec_opts(void)
{
	char *v[] = { "kexec", "-l", "/uki.efi", "--verify", "require", "--trust=/c.crt",
		      "--trust", "/d", "--addon=/a.efi", "--dry-run", "--no-kernel-bpf", NULL };
	char *t[] = { "kexec", "-l", "-t", "bzImage", "--trust", "/c.crt", "-y",
		      "--no-sync", "/k", NULL };
	char *kb[] = { "kexec", "--load", "/k", "--kernel-bpf", "--append", "a b", NULL };
	struct load_args a;

	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(v), v), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_LOAD);
	CHECK_EQ_INT(a.pipe.verify, PK_VERIFY_REQUIRE);
	CHECK_EQ_INT(a.ntrust, 2);
	CHECK(a.ntrust == 2 && !strcmp(a.trust[0], "/c.crt") && !strcmp(a.trust[1], "/d"));
	CHECK(a.pipe.naddons == 1 && !strcmp(a.pipe.addons[0], "/a.efi"));
	CHECK(a.dry_run && a.kernel_bpf == PK_KERNEL_BPF_NO);
	CHECK(a.image && !strcmp(a.image, "/uki.efi"));
	/* -t bzImage is the type; --trust still counts */
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(t), t), 0);
	CHECK(a.ntrust == 1 && !strcmp(a.trust[0], "/c.crt"));
	CHECK(a.image && !strcmp(a.image, "/k"));
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(kb), kb), 0);
	CHECK(a.kernel_bpf == PK_KERNEL_BPF_YES && a.pipe.append && !strcmp(a.pipe.append, "a b"));
}

static void test_verbs(void)
{
	char *l[] = { "load", "-p", "-l", "-s", "--trust", "a.crt", "-t", "d/",
		      "--verify", "require", "--addon", "x.addon.efi", "--dry-run",
		      "--kernel-bpf", "uki.efi", NULL };
	char *nokbpf[] = { "load", "--no-kernel-bpf", "uki.efi", NULL };
	char *plain[] = { "load", "uki.efi", NULL };
	char *bad_verify[] = { "load", "--verify", "maybe", "uki.efi", NULL };
	char *noimg[] = { "load", "--dry-run", NULL };
	char *unl[] = { "unload", "-p", NULL };
	char *unl_l[] = { "unload", "-l", NULL };
	char *ex[] = { "exec", NULL };
	char *ex_p[] = { "exec", "-p", NULL };
	char *ex_i[] = { "exec", "--initrd", "x", NULL };
	char *unknown[] = { "load", "--frobnicate", "x", NULL };
	struct load_args a;

	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(l), l), 0);
	CHECK(a.crash && a.dry_run && a.kernel_bpf == PK_KERNEL_BPF_YES);
	CHECK_EQ_INT(a.ntrust, 2);
	CHECK(a.ntrust == 2 && !strcmp(a.trust[1], "d/"));
	CHECK_EQ_INT(a.pipe.naddons, 1);
	CHECK_EQ_INT(a.pipe.verify, PK_VERIFY_REQUIRE);
	CHECK(a.image && !strcmp(a.image, "uki.efi"));
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(nokbpf), nokbpf), 0);
	CHECK_EQ_INT(a.kernel_bpf, PK_KERNEL_BPF_NO);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(plain), plain), 0);
	CHECK_EQ_INT(a.kernel_bpf, PK_KERNEL_BPF_AUTO);

	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(bad_verify), bad_verify), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(noimg), noimg), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_UNLOAD, ARGC(unl), unl), 0);
	CHECK(a.crash);
	CHECK_EQ_INT(parse(&a, LOAD_OP_UNLOAD, ARGC(unl_l), unl_l), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_EXEC, ARGC(ex), ex), 0);
	CHECK_EQ_INT(a.op, LOAD_OP_EXEC);
	CHECK_EQ_INT(parse(&a, LOAD_OP_EXEC, ARGC(ex_p), ex_p), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_EXEC, ARGC(ex_i), ex_i), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(unknown), unknown), -EINVAL);
}

static void check_str(char *got, const char *want)
{
	if (!got || strcmp(got, want))
		printf("  got \"%s\", want \"%s\"\n", got ? got : "(null)", want);
	CHECK(got && !strcmp(got, want));
	free(got);
}

/* --entry ID / --default replace IMAGE, --initrd and the command line. */
static void test_entry(void)
{
	char *ok[] = { "load", "--entry", "deb.efi@rescue", "--esp", "/efi", "--dry-run", NULL };
	char *def[] = { "load", "--default", "--verify", "require", NULL };
	char *compat[] = { "kexec", "-l", "--entry=a.conf", NULL };
	char *img[] = { "load", "--entry", "a.conf", "/k", NULL };
	char *initrd[] = { "load", "--default", "--initrd", "/i", NULL };
	char *app[] = { "load", "--entry", "a.conf", "--append", "x", NULL };
	char *reuse[] = { "load", "--default", "--reuse-cmdline", NULL };
	char *both[] = { "load", "--entry", "a.conf", "--default", NULL };
	char *exec[] = { "exec", "--default", NULL };
	struct load_args a;

	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(ok), ok), 0);
	CHECK(a.pipe.entry && !strcmp(a.pipe.entry, "deb.efi@rescue") && !a.image);
	CHECK(a.pipe.esp && !strcmp(a.pipe.esp, "/efi") && a.dry_run);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(def), def), 0);
	CHECK(a.pipe.entry_default && !a.pipe.entry && a.pipe.verify == PK_VERIFY_REQUIRE);
	CHECK_EQ_INT(parse(&a, LOAD_OP_NONE, ARGC(compat), compat), 0);
	CHECK(a.op == LOAD_OP_LOAD && a.pipe.entry && !strcmp(a.pipe.entry, "a.conf"));
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(img), img), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(initrd), initrd), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(app), app), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(reuse), reuse), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_LOAD, ARGC(both), both), -EINVAL);
	CHECK_EQ_INT(parse(&a, LOAD_OP_EXEC, ARGC(exec), exec), -EINVAL);
}

static void test_cmdline(void)
{
	struct load_args a = { 0 };
	const char *proc = "BOOT_IMAGE=/vmlinuz-6.1 root=/dev/vda1 ro crashkernel=256M "
			   "BOOT_IMAGEX=keep quiet\n";
	bool none;

	check_str(load_reuse_cmdline(proc, false),
		  "root=/dev/vda1 ro crashkernel=256M BOOT_IMAGEX=keep quiet");
	check_str(load_reuse_cmdline(proc, true), "root=/dev/vda1 ro BOOT_IMAGEX=keep quiet");
	check_str(load_reuse_cmdline("", false), "");

	CHECK(load_user_cmdline(&a, proc, &none) == NULL);
	CHECK(none);
	a.pipe.append = "x=1";
	check_str(load_user_cmdline(&a, proc, &none), "x=1");
	CHECK(!none);
	a.reuse_cmdline = true;
	check_str(load_user_cmdline(&a, "BOOT_IMAGE=/k a=b\n", &none), "a=b x=1");
	a.pipe.append = NULL;
	check_str(load_user_cmdline(&a, "BOOT_IMAGE=/k a=b\n", &none), "a=b");
	CHECK(!none);
}

int main(void)
{
	test_systemd();
	test_entry();
	test_compat_ops();
	test_compat_pekexec_opts();
	test_verbs();
	test_cmdline();
	return CHECK_RESULT();
}
