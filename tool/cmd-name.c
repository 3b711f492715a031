// SPDX-License-Identifier: MIT
/*
 * cmd-name.c - the names of the parser commands (DESIGN.md section 3) as
 * `inspect`, `extract` and `bpf run` print them.
 */
#include "tool.h"

#include "kexec_bpf/kexec_bpf.h"

const char *tool_cmd_name(uint16_t cmd, const char *unknown)
{
	switch (cmd) {
	case KEXEC_BPF_CMD_DECOMPRESS:
		return "DECOMPRESS";
	case KEXEC_BPF_CMD_COPY:
		return "COPY";
	}
	return unknown;
}

const char *tool_subcmd_name(uint16_t subcmd, const char *unknown)
{
	switch (subcmd) {
	case KEXEC_BPF_SUBCMD_KERNEL:
		return "KERNEL";
	case KEXEC_BPF_SUBCMD_INITRD:
		return "INITRD";
	case KEXEC_BPF_SUBCMD_CMDLINE:
		return "CMDLINE";
	}
	return unknown;
}
