// SPDX-License-Identifier: MIT
/*
 * policy.c - the rules of DESIGN.md §4 that do not depend on any image
 * format: which signature outcome is acceptable in which mode, what
 * counts as the user's command line, and when it equals the image's.
 */
#include <ctype.h>
#include <stdio.h>

#include "stages.h"

int pk_verify_mode_from_name(const char *name, enum pk_verify_mode *ret)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "auto"))
		*ret = PK_VERIFY_AUTO;
	else if (!strcmp(name, "require"))
		*ret = PK_VERIFY_REQUIRE;
	else if (!strcmp(name, "off"))
		*ret = PK_VERIFY_OFF;
	else
		return -EINVAL;
	return 0;
}

const char *pk_verify_mode_name(enum pk_verify_mode mode)
{
	switch (mode) {
	case PK_VERIFY_AUTO:
		return "auto";
	case PK_VERIFY_REQUIRE:
		return "require";
	case PK_VERIFY_OFF:
		return "off";
	}
	return "unknown";
}

const char *pk_sig_state_name(enum pk_sig_state s)
{
	switch (s) {
	case PK_SIG_NOT_CHECKED:
		return "not-checked";
	case PK_SIG_UNSIGNED:
		return "unsigned";
	case PK_SIG_VERIFIED:
		return "verified";
	case PK_SIG_UNTRUSTED:
		return "untrusted";
	}
	return "unknown";
}

const char *pk_source_name(enum pk_source s)
{
	switch (s) {
	case PK_SOURCE_NONE:
		return "none";
	case PK_SOURCE_IMAGE:
		return "image";
	case PK_SOURCE_USER:
		return "user";
	case PK_SOURCE_BOTH:
		return "both";
	}
	return "unknown";
}

/* Map authenticode.h's errors to the pipeline's (one meaning each). */
static int sig_err(int r)
{
	switch (r) {
	case -ENODATA:
	case -EBADMSG:
	case -EKEYREJECTED:
	case -ENOEXEC:
	case -ENOMEM:
		return r;
	default:
		return -ENOEXEC;
	}
}

/*
 * Not enforcing (auto without lockdown): an unsigned image is fine, a
 * signature that does not match the image (or whose PKCS#7 signature is
 * invalid) is not, an untrusted but valid one is noted.
 */
static int verify_if_signed(struct pk_ctx *ctx, const struct pk_pe *pe,
			    const char *name, const struct pk_trust *trust,
			    enum pk_sig_state *ret_state, char *ret_signer)
{
	struct pk_sig_info *sigs = NULL;
	int n, i, best = -1;

	n = pk_authenticode_list(ctx, pe, trust, &sigs);
	if (n < 0)
		return pk_err_prefix(ctx, sig_err(n), "%s: signature", name);
	if (n == 0) {
		*ret_state = PK_SIG_UNSIGNED;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!sigs[i].digest_ok || !sigs[i].sig_ok)
			continue;
		if (best < 0 || (sigs[i].trusted && !sigs[best].trusted))
			best = i;
	}
	if (best < 0) {
		int err = pk_err(ctx, -EBADMSG,
				 "%s: signed, but no signature matches the image (%s)",
				 name, sigs[0].reason[0] ? sigs[0].reason : "digest mismatch");

		free(sigs);
		return err;
	}
	*ret_state = sigs[best].trusted ? PK_SIG_VERIFIED : PK_SIG_UNTRUSTED;
	snprintf(ret_signer, 256, "%s", sigs[best].subject);
	free(sigs);
	return 0;
}

int pk_policy_verify(struct pk_ctx *ctx, const struct pk_pe *pe,
		     const char *name, bool enforcing, bool off,
		     const struct pk_trust *trust, enum pk_sig_state *ret_state,
		     char *ret_signer)
{
	struct pk_sig_info signer;
	struct pk_trust *none = NULL;
	int r;

	*ret_state = PK_SIG_NOT_CHECKED;
	ret_signer[0] = '\0';
	if (off)
		return 0;
	if (!enforcing)
		return verify_if_signed(ctx, pe, name, trust, ret_state, ret_signer);

	if (!trust) {
		/* No anchors at all: an empty set, so the answer is "untrusted"
		 * (or unsigned / bad digest), never a crash. */
		none = pk_trust_new();
		if (!none)
			return -ENOMEM;
		trust = none;
	}
	r = pk_authenticode_verify(ctx, pe, trust, &signer);
	pk_trust_free(none);
	if (r < 0)
		return pk_err_prefix(ctx, sig_err(r), "%s: signature required", name);
	*ret_state = PK_SIG_VERIFIED;
	snprintf(ret_signer, 256, "%s", signer.subject);
	return 0;
}

size_t pk_cmdline_text_len(const uint8_t *p, size_t n)
{
	const uint8_t *nul = n ? memchr(p, '\0', n) : NULL;

	if (nul)
		n = (size_t)(nul - p);
	while (n && isspace(p[n - 1]))
		n--;
	return n;
}

int pk_user_cmdline(const char *line, char **ret_line, unsigned int *ret_profile)
{
	const char *p = line ? line : "";
	unsigned int n = 0;
	size_t len;
	char *out;

	*ret_profile = 0;
	/* systemd-stub: "@N" then a space or the end selects profile N. */
	if (p[0] == '@' && isdigit((unsigned char)p[1])) {
		const char *q = p + 1;
		int digits = 0;

		while (isdigit((unsigned char)*q) && digits < 4) {
			n = n * 10 + (unsigned int)(*q - '0');
			q++;
			digits++;
		}
		if (*q == '\0' || *q == ' ') {
			*ret_profile = n;
			p = q;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	len = pk_cmdline_text_len((const uint8_t *)p, strlen(p));
	out = strndup(p, len);
	if (!out)
		return -ENOMEM;
	*ret_line = out;
	return 0;
}

bool pk_cmdline_is_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	/* Word by word; every loop advances i or j, or returns. */
	for (;;) {
		while (i < alen && isspace((unsigned char)a[i]))
			i++;
		while (j < blen && isspace((unsigned char)b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		while (i < alen && j < blen && !isspace((unsigned char)a[i]) &&
		       !isspace((unsigned char)b[j])) {
			if (a[i] != b[j])
				return false;
			i++;
			j++;
		}
		/* one word ended before the other */
		if ((i < alen && !isspace((unsigned char)a[i])) ||
		    (j < blen && !isspace((unsigned char)b[j])))
			return false;
	}
}
