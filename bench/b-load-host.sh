#!/bin/bash
# SPDX-License-Identifier: MIT
# b-load-host.sh - on the host, user space up to the syscall:
# `pekexec load --dry-run --verify require` of a signed UKI (Debian's kernel,
# 32 MiB initrd) against kexec-tools HEAD (bench/peers.sh, built from
# source) `kexec -s -l` of the same UKI (its kexec-uki.c unpacks it).
# kexec-tools has no dry run: it runs under strace with kexec_file_load
# injected to return 0 without entering the kernel (seccomp-bpf filter: no
# other syscall stops).  A static binary cannot take an LD_PRELOAD shim, so
# strace it is; pekexec runs under the same strace command, so both pay its
# start-up alike.  The two alternate, 7 runs each; min and median of wall
# and CPU (user + sys) time, and the ratios pekexec / kexec-tools; then the
# peak RSS of the dry run (min and median of 5) against image + outputs.
# kexec-tools does not check the signature in user space (the kernel does,
# in the syscall it never enters here); pekexec does (--verify require).
# A third row times pekexec's real path the same way (`load`, no dry run:
# the kernel and initrd go to memfds and no digest is printed), which is
# what kexec-tools' run does.
set -eu
. "$TOP/bench/lib.sh"
bench_peer kx kexec-tools "load UKI on the host: kexec-tools HEAD" || exit 0
command -v strace >/dev/null || { echo "strace missing (scripts/deps.sh ensure bench)" >&2; exit 1; }
commit=$("$TOP/bench/peers.sh" info kexec-tools | cut -d' ' -f2 | cut -c1-12)
cd "$BENCH_WORK"
mkdir -p load-host && cd load-host

head -c $((32 << 20)) /dev/urandom >initrd.img
openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=bench/" -days 2 \
	-keyout b.key -out b.crt 2>/dev/null
"$PEKEXEC" build-uki --linux "$IMAGES/vmlinuz-amd64" --initrd initrd.img \
	--cmdline "console=ttyS0 bench=1" --key b.key --cert b.crt -o uki.efi >/dev/null
size=$(stat -c %s uki.efi)

st=(strace -f -qq -o /dev/null --seccomp-bpf -e trace=kexec_file_load
	-e inject=kexec_file_load:retval=0)
# the injection must work, or kexec-tools would really load the image
"${st[@]}" -o strace.log -e signal=none "$kx" -s -l uki.efi >/dev/null 2>&1 ||
	{ echo "kexec-tools -s -l under strace failed" >&2; exit 1; }
grep -q 'kexec_file_load(.*INJECTED' strace.log ||
	{ echo "strace did not inject kexec_file_load" >&2; cat strace.log >&2; exit 1; }

pw=() pc=() lw=() lc=() kw=() kc=()
for i in 1 2 3 4 5 6 7; do
	read -r w c < <(bench_tm "${st[@]}" "$PEKEXEC" load --dry-run --verify require \
		--trust b.crt uki.efi)
	pw+=("$w") pc+=("$c")
	read -r w c < <(bench_tm "${st[@]}" "$PEKEXEC" load --verify require \
		--trust b.crt uki.efi)
	lw+=("$w") lc+=("$c")
	read -r w c < <(bench_tm "${st[@]}" "$kx" -s -l uki.efi)
	kw+=("$w") kc+=("$c")
done
read -r pwmin pwmed < <(bench_minmed "${pw[@]}")
read -r pcmin pcmed < <(bench_minmed "${pc[@]}")
read -r lwmin lwmed < <(bench_minmed "${lw[@]}")
read -r lcmin lcmed < <(bench_minmed "${lc[@]}")
read -r kwmin kwmed < <(bench_minmed "${kw[@]}")
read -r kcmin kcmed < <(bench_minmed "${kc[@]}")
la=$(cut -d' ' -f1-3 /proc/loadavg)
row "load UKI $((size >> 20)) MiB host: pekexec --dry-run require" "$pcmin" "s CPU" \
	"median ${pcmed}s CPU; wall min ${pwmin}s median ${pwmed}s; 7 runs; load avg $la"
row "load UKI host: pekexec load require (syscall injected)" "$lcmin" "s CPU" \
	"median ${lcmed}s CPU; wall min ${lwmin}s median ${lwmed}s; 7 runs: no digests printed, kernel and initrd written to memfds"
row "load UKI host: kexec-tools HEAD -s -l" "$kcmin" "s CPU" \
	"$commit, static; median ${kcmed}s CPU; wall min ${kwmin}s median ${kwmed}s; kexec_file_load injected by strace"
row "load UKI host: pekexec --dry-run / kexec-tools CPU" "$(bench_ratio "$pcmin" "$kcmin")" "x" \
	"of the mins; of the medians $(bench_ratio "$pcmed" "$kcmed")x; goal <= 0.6"
row "load UKI host: pekexec --dry-run / kexec-tools wall" "$(bench_ratio "$pwmin" "$kwmin")" "x" \
	"of the mins; of the medians $(bench_ratio "$pwmed" "$kwmed")x"
row "load UKI host: pekexec load / kexec-tools CPU" "$(bench_ratio "$lcmin" "$kcmin")" "x" \
	"of the mins; of the medians $(bench_ratio "$lcmed" "$kcmed")x; wall $(bench_ratio "$lwmin" "$kwmin")x / $(bench_ratio "$lwmed" "$kwmed")x"

# peak RSS of the dry run (no strace: no syscall to stop) against the
# image + what it would load (the kernel and initrd sizes extract writes)
"$PEKEXEC" extract --verify off -o parts uki.efi >/dev/null
io=$(( (size + $(stat -c %s parts/kernel) + $(stat -c %s parts/initrd)) / 1024 ))
read -r rss rssmed < <(bench_rss_minmed 5 "$PEKEXEC" load --dry-run --verify require \
	--trust b.crt uki.efi)
row "load UKI host: pekexec --dry-run peak RSS" "$rss" "KiB" \
	"min of 5, median $rssmed KiB; image + kernel + initrd ${io} KiB"
row "load UKI host: peak RSS / (image + outputs)" "$(bench_ratio "$rss" "$io")" "x" \
	"of the min; of the median $(bench_ratio "$rssmed" "$io")x; goal <= 1.1"
