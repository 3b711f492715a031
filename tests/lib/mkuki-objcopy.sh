#!/bin/bash
# SPDX-License-Identifier: MIT
#
# mkuki-objcopy.sh STUB OUT .NAME=FILE... - assemble a UKI the way users do
# with binutils (the systemd / Arch wiki recipe): each FILE becomes section
# .NAME, placed with --change-section-vma after the end of the stub's last
# section (from `objdump -h`), each VMA rounded up to the stub's
# SectionAlignment (from `objdump -p`).  Used by tests as an independent way
# to build UKIs (no pekexec code involved).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 STUB OUT .NAME=FILE..." >&2; exit 2; }
stub=$1 out=$2
shift 2
align=$((0x$(objdump -p "$stub" | awk '/^SectionAlignment/ {print $2}')))
end=0
while read -r idx _ size vma _; do
	case $idx in
	[0-9]*) e=$((0x$size + 0x$vma)); [ "$e" -gt "$end" ] && end=$e ;;
	esac
done < <(objdump -h -w "$stub")
args=()
for spec in "$@"; do
	name=${spec%%=*} file=${spec#*=}
	vma=$(((end + align - 1) / align * align))
	args+=(--add-section "$name=$file" --change-section-vma "$name=$(printf '0x%x' "$vma")")
	end=$((vma + $(stat -L -c %s "$file")))
done
objcopy "${args[@]}" "$stub" "$out"
