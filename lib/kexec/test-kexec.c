// SPDX-License-Identifier: MIT
/*
 * test-kexec.c - the errno advice table, lockdown parsing (against the
 * host's own /sys/kernel/security/lockdown when there is one), and
 * pk_kexec_load() on an image no kernel loads: the errno it returns must
 * be the one the host kernel gives the same bytes through a direct
 * kexec_file_load(2).  Nothing is ever loaded or unloaded on the host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>

#include "check.h"
#include "pekexec/ctx.h"
#include "pekexec/kexec.h"

static void check_has(const char *s, const char *word)
{
	if (!strstr(s, word))
		printf("  \"%s\" lacks \"%s\"\n", s, word);
	CHECK(strstr(s, word) != NULL);
}

static void test_advice(void)
{
	const char *generic = pk_kexec_advice(-EXDEV, 0, NULL);

	check_has(pk_kexec_advice(-EPERM, 0, "integrity"), "requires a signed image");
	check_has(pk_kexec_advice(-EPERM, 0, "confidentiality"), "lockdown");
	check_has(pk_kexec_advice(-EPERM, 0, "none"), "root");
	check_has(pk_kexec_advice(-EPERM, 0, NULL), "CAP_SYS_BOOT");
	check_has(pk_kexec_advice(-EKEYREJECTED, 0, NULL), "keyring");
	check_has(pk_kexec_advice(-ENOEXEC, 0, NULL), "cannot load this image format");
	check_has(pk_kexec_advice(-EADDRNOTAVAIL, PK_KEXEC_CRASH, NULL), "crashkernel=");
	check_has(pk_kexec_advice(-ENOMEM, PK_KEXEC_CRASH, NULL), "crashkernel=");
	CHECK(!strstr(pk_kexec_advice(-ENOMEM, 0, NULL), "crashkernel="));
	CHECK(!strstr(pk_kexec_advice(-EADDRNOTAVAIL, 0, NULL), "crashkernel="));
	check_has(pk_kexec_advice(-EBUSY, 0, NULL), "unload");
	check_has(pk_kexec_advice(-ENOSYS, 0, NULL), "CONFIG_KEXEC_FILE");
	check_has(pk_kexec_advice(-EINVAL, 0, NULL), "CONFIG_KEXEC_FILE");
	/* every row is reachable and differs from the fallback */
	CHECK(strcmp(pk_kexec_advice(-EBADMSG, 0, NULL), generic));
	CHECK(strcmp(pk_kexec_advice(-ENOKEY, 0, NULL), generic));
	CHECK(strcmp(pk_kexec_advice(-E2BIG, 0, NULL), generic));
	CHECK(strcmp(pk_kexec_advice(-EFBIG, 0, NULL), generic));
	CHECK(strcmp(pk_kexec_advice(-EOPNOTSUPP, 0, NULL), generic));
}

static void test_lockdown(void)
{
	char buf[256];
	FILE *f;
	size_t n;
	const char *m;

	CHECK(!strcmp(pk_kexec_lockdown_mode("[none] integrity confidentiality\n"), "none"));
	CHECK(!strcmp(pk_kexec_lockdown_mode("none integrity [confidentiality]"), "confidentiality"));
	CHECK(!strcmp(pk_kexec_lockdown_mode("none [integrity] confidentiality"), "integrity"));
	CHECK(pk_kexec_lockdown_mode("none integrity") == NULL);
	CHECK(pk_kexec_lockdown_mode("[integ] x") == NULL);
	CHECK(pk_kexec_lockdown_mode("[none") == NULL);
	CHECK(pk_kexec_lockdown_mode(NULL) == NULL);

	/* the host's file: the selected word between brackets */
	f = fopen("/sys/kernel/security/lockdown", "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	m = pk_kexec_lockdown_mode(buf);
	CHECK(m != NULL);
	if (m) {
		char want[64];

		snprintf(want, sizeof(want), "[%s]", m);
		CHECK(strstr(buf, want) != NULL);
	}
}

static void test_load_error(void)
{
	static const uint8_t junk[4096]; /* zeros: no kexec loader accepts them */
	struct pk_kexec_image img = { junk, sizeof(junk), NULL, 0, "x=1" };
	struct pk_ctx *ctx = pk_ctx_new();
	int fd, r, want;

	CHECK(ctx != NULL);
	if (!ctx)
		return;
	/* argument checks first */
	CHECK_EQ_INT(pk_kexec_load(ctx, &(struct pk_kexec_image){ 0 }, 0, NULL), -EINVAL);
	CHECK_EQ_INT(pk_kexec_load(ctx, &img, 0x80, NULL), -EINVAL);

	/* oracle: the host kernel's own answer to the same bytes */
	fd = memfd_create("oracle", MFD_CLOEXEC);
	CHECK(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
#ifdef SYS_kexec_file_load
	want = syscall(SYS_kexec_file_load, fd, -1, 4ul, "x=1", (unsigned long)KEXEC_FILE_NO_INITRAMFS) < 0 ?
		       -errno : 0;
#else
	want = -ENOSYS;
#endif
	close(fd);
	CHECK(want < 0);
	r = pk_kexec_load(ctx, &img, 0, NULL);
	CHECK_EQ_INT(r, want);
	/* the message carries the advice for that errno */
	if (r < 0)
		check_has(pk_ctx_errmsg(ctx), pk_kexec_advice(r, 0, NULL));
	pk_ctx_free(ctx);
}

int main(void)
{
	test_advice();
	test_lockdown();
	test_load_error();
	return CHECK_RESULT();
}
