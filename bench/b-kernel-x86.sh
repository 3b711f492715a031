#!/bin/bash
# SPDX-License-Identifier: MIT
# b-kernel-x86.sh - the price of the KEXEC_BPF path on x86_64 (issue #6):
# inside qemu-system-x86_64 (TCG, 1 vCPU), booted on the patched kernel
# ($BUILD/kernel/x86_64, `make kernel`; with KSERIES=6.12, the 6.12 series
# in $BUILD/kernel-6.12/x86_64, `make kernel KSERIES=6.12`:
# bench/b-kernel-x86-6.12.sh) with lockdown=integrity, the time of
# kexec_file_load(2) of
#   - a signed UKI made by `pekexec build-uki` (the built-in uki parser):
#     the kernel checks the envelope's signature, loads and runs the .bpf
#     program, which hands over .linux/.initrd/.cmdline, then the bzImage64
#     loader; against
#   - the same bzImage, signed with the same key, plus the same initrd and
#     command line given separately, through the stock bzImage64 loader
#     (signature check and load only).
# Guest clock (/proc/uptime, 10 ms, around tests/vm/pk-kexec-file), one
# untimed load of each first, then best and median of BENCH_KEXEC_RUNS (3)
# each, KEXEC_FILE_UNLOAD after every load.  TCG makes every number
# several times a real machine's; the ratio is what to read.
# Then, in the same boot, the kernel verifier's count for each parser
# program (issue 17): tests/vm/pk-bpf-check -s loads the ELF object the
# .bpf section's light skeleton is generated from ($BUILD/bpf/uki.bpf.o,
# zboot.bpf.o; the VM test's tests/vm/progs/vm_pe_parser.bpf.c; the
# upstream-style tests/bpf-progs/zboot_parser.bpf.c) as a program of the
# anchor with BPF_PROG_LOAD and log level BPF_LOG_STATS; the row is the
# "processed N insns" of the kernel's log (bpf_prog_info.verified_insns
# must agree).
# Without the patched kernel (or QEMU) it prints one "skipped: ..." row and
# exits 0.
set -eu
. "$TOP/bench/lib.sh"
. "$TOP/tests/lib/vm-lib.sh"
kseries=${KSERIES:-6.1}
kout=$(vm_kernel_out "$kseries") ||
	{ echo "b-kernel-x86: unknown KSERIES '$kseries'" >&2; exit 2; }
sfx=$([ "$kseries" = 6.1 ] || echo " $kseries")
name="kexec_file_load x86_64$sfx: KEXEC_BPF UKI / stock bzImage"
kdir=$kout/x86_64
keys=$kout/keys
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
skipped() { row "$name" "-" "" "skipped: $*"; exit 0; }
[ -f "$kdir/bzImage" ] && [ -f "$keys/test.key" ] &&
	grep -qx 'CONFIG_KEXEC_BPF=y' "$kdir/.config" 2>/dev/null ||
	skipped "no patched x86_64 kernel in $kdir (make kernel$([ "$kseries" = 6.1 ] || echo " KSERIES=$kseries"))"
command -v qemu-system-x86_64 >/dev/null || skipped "qemu-system-x86_64 missing"
command -v sbsign >/dev/null || skipped "sbsign missing"
command -v clang >/dev/null || skipped "clang missing"
[ -f "$stub" ] || skipped "$stub missing (systemd-boot-efi)"
progs="$BUILD/bpf/uki.bpf.o $BUILD/bpf/zboot.bpf.o $BUILD/bpf-progs/zboot_parser.bpf.o"
for p in $progs; do
	[ -f "$p" ] || skipped "$p not built (make bench builds it)"
done
runs=${BENCH_KEXEC_RUNS:-3}

cd "$BENCH_WORK"
mkdir -p "kernel-x86-$kseries" && cd "kernel-x86-$kseries"
rm -rf root && mkdir -p root/bin root/img
kernel=$kdir/bzImage
head -c $((16 << 20)) /dev/urandom >initrd.img
cmdline="console=ttyS0 panic=-1 bench=1"
"$PEKEXEC" build-uki --linux "$kernel" --initrd initrd.img --cmdline "$cmdline" \
	--stub "$stub" --key "$keys/test.key" --cert "$keys/test.crt" \
	-o root/img/uki.efi >/dev/null
sbsign --key "$keys/test.key" --cert "$keys/test.crt" \
	--output root/img/bzImage.signed "$kernel" >/dev/null 2>&1
cp initrd.img root/img/initrd
gcc -static -O2 -Wall -Wextra -Werror -o root/bin/pk-kexec-file \
	"$TOP/tests/vm/pk-kexec-file.c"
gcc -static -O2 -Wall -Wextra -Werror -o root/bin/pk-bpf-check \
	"$TOP/tests/vm/pk-bpf-check.c" -lbpf -lelf -lz -lzstd
# the parser programs whose verification is counted (as tests/vm/images.sh
# builds the VM test's)
clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -I"$TOP/include" \
	-I/usr/include/"$(gcc -print-multiarch)" \
	-c -o root/img/vm_pe_parser.bpf.o "$TOP/tests/vm/progs/vm_pe_parser.bpf.c"
cp $progs root/img/
vm_cached_cpio busybox base.cpio vm_root
cat >root/init <<EOF
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
echo "PKBENCH lockdown \$(cat /sys/kernel/security/lockdown)"
up() { cut -d' ' -f1 /proc/uptime; }
best() { # name pk-kexec-file load arguments...
	name=\$1; shift; b=; all=
	pk-kexec-file load "\$@" >/dev/null; pk-kexec-file unload >/dev/null
	for i in \$(seq $runs); do
		s=\$(up); r=\$(pk-kexec-file load "\$@"); e=\$(up)
		[ "\$r" = errno=0 ] || echo "PKBENCH FAIL \$name \$r"
		pk-kexec-file unload >/dev/null
		d=\$(awk "BEGIN { printf \"%.2f\", \$e - \$s }")
		all="\$all \$d"
		if [ -z "\$b" ] || awk "BEGIN { exit !(\$d < \$b) }"; then b=\$d; fi
	done
	echo "PKBENCH \$name \$b (\$all )"
}
best bpf /img/uki.efi
best stock /img/bzImage.signed /img/initrd "$cmdline"
for p in uki zboot vm_pe_parser zboot_parser; do
	pk-bpf-check -s /img/\$p.bpf.o >/tmp/s.log 2>&1; rc=\$?
	echo "PKBENCH verifier \$p rc=\$rc \$(grep -m1 ' processed [0-9]* insns' /tmp/s.log | sed 's/.*: processed/processed/')"
	echo "PKBENCH verified_insns \$p \$(grep -m1 '^pk-bpf-check: verified_insns ' /tmp/s.log | cut -d' ' -f4)"
	grep -q ' processed [0-9]* insns' /tmp/s.log || tail -n 5 /tmp/s.log
done
poweroff -f
EOF
chmod +x root/init
vm_cpio root run.cpio
cat base.cpio run.cpio >initramfs.cpio
VM_MEM=1536 vm_boot_x86 serial.log 1200 "$kernel" initramfs.cpio \
	"console=ttyS0 panic=-1 loglevel=4 lockdown=integrity"
runs_of() { vm_grep serial.log "^PKBENCH $1 [0-9]" | sed 's/.*(\(.*\) )/\1/'; }
ok=1
vm_grep serial.log '^PKBENCH lockdown .*\[integrity\]' >/dev/null &&
	! vm_grep serial.log '^PKBENCH FAIL' >/dev/null &&
	vm_grep serial.log "^PKBENCH bpf [0-9]" >/dev/null &&
	vm_grep serial.log "^PKBENCH stock [0-9]" >/dev/null || ok=
if [ -z "$ok" ]; then
	echo "b-kernel-x86: guest did not report both timings (qemu exit $VM_RC):" >&2
	vm_log_tail serial.log 40 >&2
	exit 1
fi
# shellcheck disable=SC2046
set -- $(bench_minmed $(runs_of bpf)) $(bench_minmed $(runs_of stock))
b=$1 bm=$2 s=$3 sm=$4
uk=$(($(stat -c %s root/img/uki.efi) >> 10)) bk=$(($(stat -c %s root/img/bzImage.signed) >> 10))
row "kexec_file_load x86_64$sfx TCG: signed UKI ${uk} KiB via KEXEC_BPF" "$b" "s" \
	"best of $runs (median $bm; runs:$(runs_of bpf)); .bpf uki parser + bzImage64 loader"
row "kexec_file_load x86_64$sfx TCG: signed bzImage ${bk} KiB + 16 MiB initrd, stock" \
	"$s" "s" "best of $runs (median $sm; runs:$(runs_of stock)); lockdown=integrity for both"
row "$name" "$(bench_ratio "$b" "$s")" "x" \
	"best/best; median/median $(bench_ratio "$bm" "$sm")x; guest clock; VM boot+runs ${VM_SECONDS}s"
# the verifier's count: the kernel's log line, checked against
# bpf_prog_info.verified_insns; a program that did not load is a row
# without a value, and the part fails
bad=
for p in uki zboot vm_pe_parser zboot_parser; do
	case $p in
	vm_pe_parser) src=tests/vm/progs/vm_pe_parser.bpf.c ;;
	zboot_parser) src=tests/bpf-progs/zboot_parser.bpf.c ;;
	*) src=bpf/$p.bpf.c ;;
	esac
	line=$(vm_grep serial.log "^PKBENCH verifier $p ") || line=
	n=$(echo "$line" | sed -n 's/.* rc=0 processed \([0-9]*\) insns.*/\1/p')
	vi=$(vm_grep serial.log "^PKBENCH verified_insns $p " | cut -d' ' -f4) || vi=
	if [ -z "$n" ] || [ "$n" != "$vi" ]; then
		echo "b-kernel-x86: no verifier count for $p (log '$line', verified_insns '$vi')" >&2
		row "verifier x86_64 $kseries: $p.bpf.o processed insns" "-" "" \
			"did not load: ${line:-no line}; $src"
		bad=1
		continue
	fi
	states=$(echo "$line" | sed -n 's/.*total_states \([0-9]*\) peak_states \([0-9]*\).*/total_states \1, peak_states \2/p')
	row "verifier x86_64 $kseries: $p.bpf.o processed insns" "$n" "insns" \
		"kernel log, BPF_LOG_STATS; $states; $src"
done
if [ -n "$bad" ]; then
	vm_log_tail serial.log 40 >&2
	exit 1
fi
