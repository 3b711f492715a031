/* SPDX-License-Identifier: MIT */
#ifndef PK_CTX_INTERNAL_H
#define PK_CTX_INTERNAL_H

#include "pekexec/ctx.h"

struct pk_ctx {
	pk_log_fn log_fn;
	void *log_user;
	enum pk_log_level log_level;
	char errmsg[1024];
};

#endif
