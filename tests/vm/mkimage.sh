#!/bin/bash
# SPDX-License-Identifier: MIT
#
# mkimage.sh - build a test PE boot image: systemd's UKI stub plus sections,
# optionally signed with sbsign (Authenticode), the way ukify lays them out.
#
#   mkimage.sh [-k KEY -c CERT] [-s STUB] OUT .name=FILE...
#
# Sections go after the stub's last one, each at a 4 KiB aligned VMA, in
# the order given.  An empty FILE still makes a (zero-size) section.
set -euo pipefail

key= cert= stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
while getopts k:c:s: opt; do
	case $opt in
	k) key=$OPTARG ;;
	c) cert=$OPTARG ;;
	s) stub=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
out=${1:?usage: mkimage.sh [-k KEY -c CERT] [-s STUB] OUT .name=FILE...}
shift

# the end of the stub's last section, in its image address space
vma=0
while read -r idx _ size addr _; do
	case $idx in *[!0-9]*|'') continue ;; esac
	end=$((0x$addr + 0x$size))
	[ "$end" -gt "$vma" ] && vma=$end
done < <(objdump -h "$stub")
args=()
for sec in "$@"; do
	name=${sec%%=*} file=${sec#*=}
	vma=$(((vma + 4095) / 4096 * 4096))
	args+=(--add-section "$name=$file"
		--change-section-vma "$name=$(printf '0x%x' "$vma")"
		--set-section-flags "$name=data,readonly")
	vma=$((vma + $(stat -c %s "$file")))
done
tmp=$out.tmp.$$
objcopy "${args[@]}" "$stub" "$tmp"
if [ -n "$key" ]; then
	sbsign --key "$key" --cert "$cert" --output "$out" "$tmp" >/dev/null
	rm -f "$tmp"
else
	mv "$tmp" "$out"
fi
