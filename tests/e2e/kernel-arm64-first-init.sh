#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel-arm64-first-init.sh - /init of the first kernel in
# tests/t-kernel-arm64.sh: the patched arm64 kernel (CONFIG_KEXEC_BPF),
# booted with lockdown=integrity.  Checks that pekexec hands .bpf images
# to the kernel by itself, that unsigned, tampered and untrusted images
# are refused (errno from pk-kexec-file, pekexec's exit code), loads the
# signed UKI and prints the kernel's report (debugfs), then loads the
# signed zboot with pekexec (user initrd and command line: the second
# kernel's), prints the report and kexecs.  In between, the UKI loads again
# while root reaches for the light skeleton's objects (pk-race) and while
# root's own program is on the parser's anchor (pk-bpf-check).
# Lines for the host: "PKVM PASS name", "PKVM FAIL name: why",
# "PKVM REPORT tag line" (one per line of /sys/kernel/debug/kexec_bpf).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security
. /img/env
report=/sys/kernel/debug/kexec_bpf
ok() { echo "PKVM PASS $1"; }
no() { echo "PKVM FAIL $1: $2"; }
up() { cut -d' ' -f1 /proc/uptime; }
show() { sed 's/^/  | /' "$@"; }
print_report() { sed "s/^/PKVM REPORT $1 /" $report; }

# How the parser program runs (docs/kernel-6.12.md, "Run path"): the
# function tracer on the series' run function, on the anchor and on the
# attach of a program to a trampoline, around a load; "PKVM TRACE tag
# runs=N anchor=N link=N" for the host (runs: one per stage).
tr=/sys/kernel/tracing
mount -t tracefs tracefs $tr
trace_fns="kexec_bpf_prog_run kexec_image_parser_anchor bpf_trampoline_link_prog"
trace_on() {
	echo 0 >$tr/tracing_on
	echo nop >$tr/current_tracer
	: >$tr/set_ftrace_filter
	for f in $trace_fns; do
		echo "$f" >>$tr/set_ftrace_filter ||
			echo "PKVM FAIL trace-$f: not traceable"
	done
	: >$tr/trace
	echo function >$tr/current_tracer
	echo 1 >$tr/tracing_on
}
trace_off() { # tag
	echo 0 >$tr/tracing_on
	grep -v '^#' $tr/trace | sed "s/^/PKVM INFO trace $1 /"
	n() { grep -c ": $1 <-" $tr/trace; }
	echo "PKVM TRACE $1 runs=$(n kexec_bpf_prog_run) anchor=$(n kexec_image_parser_anchor) link=$(n bpf_trampoline_link_prog)"
	echo nop >$tr/current_tracer
}

echo "PKVM INFO $(uname -r) lockdown=$(cat /sys/kernel/security/lockdown)"
grep -q '\[integrity\]' /sys/kernel/security/lockdown && ok lockdown ||
	no lockdown "$(cat /sys/kernel/security/lockdown)"

# pekexec's auto-detection (the anchor in /sys/kernel/btf/vmlinux)
pekexec load --dry-run /img/zboot.efi >/tmp/out 2>&1
rc=$?
show /tmp/out
if [ $rc -eq 0 ] && grep -q '^source   kernel-bpf (the running kernel has CONFIG_KEXEC_BPF' /tmp/out; then
	ok dry-run-kernel-bpf
else
	no dry-run-kernel-bpf "exit $rc, no 'source   kernel-bpf' line"
fi

# refused under lockdown: errno of kexec_file_load()
neg() { # name image
	s=$(up)
	got=$(pk-kexec-file load "$2")
	if [ "$got" = errno=EPERM ]; then
		ok "$1 ($got, $(echo "$(up) $s" | awk '{printf "%.1f", $1 - $2}') s)"
	else
		no "$1" "want errno=EPERM, got '$got'"
	fi
	dmesg | tail -n 2 | show
	[ "$(cat /sys/kernel/kexec_loaded)" = 0 ] || no "$1-not-loaded" "kexec_loaded=1"
}
neg unsigned-zboot /img/unsigned.efi
neg tampered-zboot /img/tampered-zboot.efi
neg tampered-uki /img/tampered-uki.efi
neg untrusted-zboot /img/untrusted.efi
pekexec load /img/unsigned.efi >/tmp/out 2>&1
rc=$?
show /tmp/out
[ $rc -eq 4 ] && ok "pekexec-unsigned-exit-4" || no pekexec-unsigned-exit-4 "exit $rc"

# the signed UKI (two stages): load, report, unload
trace_on
s=$(up)
got=$(pk-kexec-file load /img/uki.efi)
e=$(up)
trace_off uki1
if [ "$got" = errno=0 ]; then
	ok "uki-load ($(echo "$e $s" | awk '{printf "%.1f", $1 - $2}') s)"
else
	no uki-load "got '$got'"
	dmesg | tail -n 10 | show
fi
print_report uki1
pk-kexec-file unload >/dev/null

# root reaches for the light skeleton's maps and programs by fd, id and
# pidfd_getfd() while the signed UKI loads (issue 11, hole 2): nothing
got=$(pk-race /img/uki.efi 2>&1)
if echo "$got" | grep -qx 'errno=0' &&
	echo "$got" | grep -qx 'race: fds-seen=0 fds-written=0 ids-seen=0 ids-written=0 progs-seen=0 getfd-seen=0 getfd-written=0'; then
	ok race-uki
else
	no race-uki "$(echo "$got" | tr '\n' ' ')"
fi
pk-kexec-file unload >/dev/null

# root's own sleepable program on kexec_image_parser_anchor asks for the
# parser context and appends to the command line while the signed UKI
# loads (issue 11, hole 1).  TA_ATTACH is what the attach must return (the
# host reads the kernel's .config): 0 with ftrace direct calls (6.12),
# -524 (ENOTSUPP) without (6.1: no BPF trampoline for a kernel function on
# arm64).  Either way the program must never run: the series calls the
# parser itself and never the anchor.  While it is attached the
# trampoline's symbol (bpf_trampoline_KEY) must be in /proc/kallsyms.
trace_on
got=$(pk-bpf-check /vm_attack_inject.bpf.o sh -c \
	'echo "trampolines=$(grep -c " bpf_trampoline_[0-9]" /proc/kallsyms)"; pk-kexec-file load /img/uki.efi' \
	2>/tmp/ta.log)
trace_off uki-ta
show /tmp/ta.log
echo "$got" | show
att=$(sed -n 's/^pk-bpf-check: attach inject: //p' /tmp/ta.log)
if [ "$att" = "$TA_ATTACH" ]; then
	ok "anchor-attach (attach $att)"
else
	no anchor-attach "attach '$att', want $TA_ATTACH"
fi
if grep -qx 'pk-bpf-check: results: 0 0 0' /tmp/ta.log; then
	ok anchor-inject-never-ran
else
	no anchor-inject-never-ran "$(grep 'results:' /tmp/ta.log)"
fi
if [ "$TA_ATTACH" = 0 ]; then
	echo "$got" | grep -qx 'errno=0' && ok anchor-uki-load ||
		no anchor-uki-load "$(echo "$got" | tr '\n' ' ')"
	t=$(echo "$got" | sed -n 's/^trampolines=//p')
	[ "${t:-0}" -ge 1 ] && ok "anchor-trampoline ($t)" ||
		no anchor-trampoline "no bpf_trampoline_ in /proc/kallsyms while attached"
	print_report uki-ta
	pk-kexec-file unload >/dev/null
fi

# the signed zboot through pekexec load (the kernel-bpf path), with the
# second kernel's initrd and command line from "user space"
s=$(up)
pekexec load --initrd /img/second.cpio --append "$APPEND2" /img/zboot.efi >/tmp/out 2>&1
rc=$?
e=$(up)
show /tmp/out
if [ $rc -eq 0 ]; then
	ok "zboot-load ($(echo "$e $s" | awk '{printf "%.1f", $1 - $2}') s)"
else
	no zboot-load "pekexec load exit $rc"
	dmesg | tail -n 10 | show
fi
print_report zboot
[ "$(cat /sys/kernel/kexec_loaded)" = 1 ] && ok kexec_loaded ||
	no kexec_loaded "$(cat /sys/kernel/kexec_loaded)"
echo "PKVM EXEC zboot uptime=$(up)"
pekexec exec
no exec "pekexec exec returned $?"
poweroff -f
