#!/bin/bash
# SPDX-License-Identifier: MIT
# t-inspect-bpf.sh - inspect reports an image's .bpf program and the stages
# it produces.  Oracles: readelf (the program's instruction count is the
# size of its executable sections / 8), sha256sum of the files build-uki
# was given (the stage result), and a program the verifier must reject.
set -u
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "SKIP: jq missing (scripts/deps.sh ensure test)"; exit 77; }

head -c 300001 /dev/urandom > initrd.img
cmdline="console=ttyS0 pekexec.inspect=1"
"$PEKEXEC" build-uki --linux "$IMAGES/vmlinuz-amd64" --initrd initrd.img \
	--cmdline "$cmdline" -o uki.efi || fail "build-uki"
"$PEKEXEC" inspect --json uki.efi > uki.json || fail "inspect exit $?"

# the program, against readelf of the object it came from
obj="$BUILD/bpf/uki.bpf.o"
[ -f "$obj" ] || fail "$obj missing"
bytes=0
for size in $(readelf -SW "$obj" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$7 ~ /X/ {print $5}'); do
	bytes=$((bytes + 0x$size))
done
[ "$(jq -r .bpf.program.accepted uki.json)" = true ] || fail "program not accepted"
[ "$(jq -r .bpf.program.instructions uki.json)" = $((bytes / 8)) ] ||
	fail "instructions $(jq -r .bpf.program.instructions uki.json), readelf says $((bytes / 8))"
[ "$(jq -r .bpf.program.form uki.json)" = "light skeleton" ] || fail "form"
jq -e '.bpf.program.maps | map(select(.type == "ringbuf")) | length >= 1' uki.json >/dev/null ||
	fail "no ring buffer among the maps"

# the stages, against the inputs
[ "$(jq -r .bpf.stages.ok uki.json)" = true ] || fail "stages: $(jq -r .bpf.stages.error uki.json)"
[ "$(jq -r '.bpf.stages.stages | length' uki.json)" = 1 ] || fail "one stage expected"
want=$(sha256sum < "$IMAGES/vmlinuz-amd64" | cut -c1-64)
[ "$(jq -r .bpf.stages.kernel_sha256 uki.json)" = "$want" ] || fail "kernel sha256"
[ "$(jq -r '.bpf.stages.stages[0].kernel_out_sha256' uki.json)" = "$want" ] || fail "stage kernel sha256"
want=$(sha256sum < initrd.img | cut -c1-64)
[ "$(jq -r .bpf.stages.initrd_sha256 uki.json)" = "$want" ] || fail "initrd sha256"
[ "$(jq -r .bpf.stages.cmdline uki.json)" = "$cmdline" ] || fail "cmdline"
# the COPY/KERNEL payloads add up to the kernel
sum=$(jq '[.bpf.stages.stages[0].commands[] | select(.cmd == "COPY" and .subcmd == "KERNEL") | .payload_size] | add' uki.json)
[ "$sum" = "$(stat -c %s "$IMAGES/vmlinuz-amd64")" ] || fail "COPY/KERNEL payloads sum to $sum"

# text form says the same
"$PEKEXEC" inspect uki.efi > uki.txt || fail "inspect text"
grep -q "verifier: accepted" uki.txt || fail "text: verdict"
grep -q "cmdline \"$cmdline\"" uki.txt || fail "text: cmdline"

# a program the verifier rejects: reported, inspect itself still succeeds
bad="$BUILD/bpf-progs/reject_null.bpf.o"
[ -f "$bad" ] || fail "$bad missing"
"$PEKEXEC" add-bpf --parser "$bad" uki.efi bad.efi 2>/dev/null || fail "add-bpf"
"$PEKEXEC" inspect --json bad.efi > bad.json || fail "inspect of a rejected program exits $?"
[ "$(jq -r .bpf.program.accepted bad.json)" = false ] || fail "rejected program shown as accepted"
jq -r .bpf.program.verdict bad.json | grep -q 'insn [0-9]' || fail "verdict names no instruction"
[ "$(jq -r .bpf.stages.ok bad.json)" = false ] || fail "stages ran with a rejected program"

# no .bpf: the member stays as it was
"$PEKEXEC" inspect --json "$IMAGES/vmlinuz-amd64" | jq -e '.bpf == null' >/dev/null || fail "vmlinuz bpf"
echo "inspect reports program ($((bytes / 8)) instructions) and stages; rejected program reported"
