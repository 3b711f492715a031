// SPDX-License-Identifier: MIT
/*
 * profile.c - the --profile SPEC of build-uki:
 *
 *	ID=id[,TITLE=text][,KEY=value]...[,cmdline=text][,initrd=FILE]...
 *
 * UPPERCASE keys become lines of the .profile section (systemd-stub reads
 * it like os-release: ID= and TITLE= matter), "cmdline" gives the
 * profile's own .cmdline, each "initrd" adds a file to its own .initrd.
 * A comma not followed by such a KEY= belongs to the value before it, so
 * "cmdline=console=ttyS0,115200" keeps its comma.
 */
#include <ctype.h>

#include "internal.h"
#include "pekexec/build.h"

#define PROFILE_MAX_INITRDS 64

/* Does @p start a field "KEY=" with a key we know (UPPERCASE, cmdline, initrd)? */
static size_t key_len(const char *p)
{
	size_t n = 0;
	bool upper = true;

	if (!strncmp(p, "cmdline=", 8))
		return 7;
	if (!strncmp(p, "initrd=", 7))
		return 6;
	while (p[n] && p[n] != '=' && p[n] != ',') {
		if (!isupper((unsigned char)p[n]) && p[n] != '_' &&
		    !(n && isdigit((unsigned char)p[n])))
			upper = false;
		n++;
	}
	return p[n] == '=' && n && upper ? n : 0;
}

/* End of the value that starts at @v: the next ",KEY=" or the end. */
static const char *value_end(const char *v)
{
	const char *c;

	for (c = strchr(v, ','); c; c = strchr(c + 1, ','))
		if (key_len(c + 1))
			return c;
	return v + strlen(v);
}

struct profile_parts {
	struct pk_buf text;
	char *cmdline;
	char **initrds;
	size_t ninitrds;
	bool has_id;
};

static void parts_free(struct profile_parts *p)
{
	size_t i;

	pk_buf_free(&p->text);
	free(p->cmdline);
	for (i = 0; i < p->ninitrds; i++)
		free(p->initrds[i]);
	free(p->initrds);
}

static int take_field(struct pk_ctx *ctx, const char *spec, const char *k,
		      size_t klen, const char *v, size_t vlen,
		      struct profile_parts *p)
{
	char *s;
	int r;

	if (memchr(v, '\n', vlen))
		return pk_err(ctx, -EINVAL, "--profile \"%s\": %.*s: newline in value",
			      spec, (int)klen, k);
	if (klen == 7 && !strncmp(k, "cmdline", 7)) {
		if (p->cmdline)
			return pk_err(ctx, -EINVAL, "--profile \"%s\": cmdline given twice", spec);
		p->cmdline = strndup(v, vlen);
		return p->cmdline ? 0 : pk_err(ctx, -ENOMEM, "out of memory");
	}
	if (klen == 6 && !strncmp(k, "initrd", 6)) {
		char **n;

		if (!vlen || p->ninitrds >= PROFILE_MAX_INITRDS)
			return pk_err(ctx, -EINVAL, "--profile \"%s\": empty initrd or more than %d",
				      spec, PROFILE_MAX_INITRDS);
		n = realloc(p->initrds, (p->ninitrds + 1) * sizeof(*n));
		if (!n)
			return pk_err(ctx, -ENOMEM, "out of memory");
		p->initrds = n;
		s = strndup(v, vlen);
		if (!s)
			return pk_err(ctx, -ENOMEM, "out of memory");
		p->initrds[p->ninitrds++] = s;
		return 0;
	}
	if (klen == 2 && !strncmp(k, "ID", 2)) {
		if (!vlen || p->has_id)
			return pk_err(ctx, -EINVAL, "--profile \"%s\": ID empty or given twice", spec);
		p->has_id = true;
	}
	r = pk_buf_append(&p->text, k, klen + 1); /* KEY= */
	if (r >= 0)
		r = pk_buf_append(&p->text, v, vlen);
	if (r >= 0)
		r = pk_buf_append(&p->text, "\n", 1);
	return r < 0 ? pk_err(ctx, r, "out of memory") : 0;
}

int pk_profile_parse(struct pk_ctx *ctx, const char *spec, char **ret_text,
		     char **ret_cmdline, char ***ret_initrds,
		     size_t *ret_ninitrds)
{
	struct profile_parts p = { 0 };
	const char *f = spec, *v, *end;
	size_t klen;
	int r = 0;

	if (!spec || !*spec)
		return pk_err(ctx, -EINVAL, "--profile: empty specification");
	while (*f) {
		klen = key_len(f);
		if (!klen) {
			r = pk_err(ctx, -EINVAL,
				   "--profile \"%s\": \"%s\" does not start with KEY= (UPPERCASE key, cmdline or initrd)",
				   spec, f);
			break;
		}
		v = f + klen + 1;
		end = value_end(v);
		r = take_field(ctx, spec, f, klen, v, (size_t)(end - v), &p);
		if (r < 0)
			break;
		f = *end ? end + 1 : end;
	}
	if (r >= 0 && !p.has_id)
		r = pk_err(ctx, -EINVAL, "--profile \"%s\": no ID=", spec);
	if (r >= 0)
		r = pk_buf_append(&p.text, "", 1) < 0 ?
			    pk_err(ctx, -ENOMEM, "out of memory") : 0;
	if (r < 0) {
		parts_free(&p);
		return r;
	}
	*ret_text = (char *)pk_buf_steal(&p.text, NULL);
	*ret_cmdline = p.cmdline;
	*ret_initrds = p.initrds;
	*ret_ninitrds = p.ninitrds;
	return 0;
}
