// SPDX-License-Identifier: MIT
/*
 * btf-dump.c - build tool: write the executor's own BTF (lib/bpf/load/btf-exec.c)
 * as a raw .btf file, for `bpftool btf dump file X format c > vmlinux.h`:
 * the vmlinux.h the test parser programs are compiled against.
 *
 *   pk-btf-dump OUT.btf
 */
#include <bpf/btf.h>
#include <stdio.h>

#include "bpf/load/loader.h"

int main(int argc, char **argv)
{
	struct btf *btf;
	const void *raw;
	__u32 size;
	FILE *f;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: pk-btf-dump OUT.btf\n");
		return 2;
	}
	btf = pk_bpf_exec_btf_new();
	if (!btf) {
		fprintf(stderr, "pk-btf-dump: out of memory\n");
		return 1;
	}
	raw = btf__raw_data(btf, &size);
	f = fopen(argv[1], "wb");
	if (raw && f && fwrite(raw, 1, size, f) == size && !fclose(f))
		ret = 0;
	else
		perror(argv[1]);
	btf__free(btf);
	return ret;
}
