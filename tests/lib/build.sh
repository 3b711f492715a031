# SPDX-License-Identifier: MIT
# tests/lib/build.sh - sourced by tests/t-build-*.sh: read PE layouts with
# LLVM's llvm-readobj and binutils' objdump (the oracles, no pekexec code)
# and compare bytes by sha256.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need() { for c in "$@"; do command -v "$c" >/dev/null || skip "$c not installed"; done; }

# Section rows "idx name vsize va rawsize rawptr characteristics", decimal,
# idx from 0, as llvm-readobj reads the section table.
sections() {
	llvm-readobj --sections "$1" | awk '
		/^ *Number:/ { idx = $2 - 1 }
		/^ *Name:/ { name = $2 }
		/^ *VirtualSize:/ { vs = $2 }
		/^ *VirtualAddress:/ { va = $2 }
		/^ *RawDataSize:/ { rs = $2 }
		/^ *PointerToRawData:/ { rp = $2 }
		/^ *Characteristics \[/ { ch = $3; gsub(/[()]/, "", ch)
			print idx, name, vs, va, rs, rp, ch }' |
	while read -r i n vs va rs rp ch; do
		echo "$i $n $((vs)) $((va)) $((rs)) $((rp)) $((ch))"
	done
}

# An optional/file header field (decimal) as llvm-readobj reads it.
pe_field() {
	local v
	v=$(llvm-readobj --file-headers "$1" | awk -v f="$2:" '$1 == f {print $2; exit}')
	[ -n "$v" ] || fail "$1: llvm-readobj shows no $2"
	echo $((v))
}

# objdump that understands FILE's machine (GNU objdump on x86_64 knows only
# x86 PE; the arm64 cross binutils know pei-aarch64), or nothing.
objdump_for() {
	if objdump -h "$1" >/dev/null 2>&1; then
		echo objdump
	elif command -v aarch64-linux-gnu-objdump >/dev/null &&
	     aarch64-linux-gnu-objdump -h "$1" >/dev/null 2>&1; then
		echo aarch64-linux-gnu-objdump
	fi
}

# Second oracle: objdump -h agrees with llvm-readobj on every section's
# name, VMA and file offset.  Returns 1 (and says so) if no objdump reads it.
check_objdump_agrees() {
	local od a b
	od=$(objdump_for "$1")
	[ -n "$od" ] || { echo "note: no objdump for $1"; return 0; }
	a=$("$od" -h -w "$1" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $4, $6}' |
		while read -r i n va off; do echo "$i $n $((0x$va)) $((0x$off))"; done)
	b=$(sections "$1" | awk '{print $1, $2, $4, $6}')
	[ "$a" = "$b" ] || fail "$1: objdump -h and llvm-readobj disagree:
$a
---
$b"
}

# SIZE bytes at OFFSET (decimal) of FILE.  head closing the pipe early is
# not an error (pipefail would take tail's SIGPIPE for one).
slice() {
	{ tail -c +$(($2 + 1)) "$1" | head -c "$3"; } || true
}

# sha256 of SIZE bytes at OFFSET (decimal) of FILE.
range_sha() {
	slice "$@" | sha256sum | cut -d' ' -f1
}

file_sha() { sha256sum "$1" | cut -d' ' -f1; }

# What a loader reads of section IDX: min(VirtualSize, SizeOfRawData) bytes.
section_sha() {
	local row
	row=$(sections "$1" | awk -v i="$2" '$1 == i')
	[ -n "$row" ] || fail "$1 has no section $2"
	set -- "$1" $row
	local n=$4
	[ "$4" -eq 0 ] || [ "$6" -lt "$4" ] && n=$6
	range_sha "$1" "$7" "$n"
}

# Index of the first section called NAME with an index above AFTER (default -1).
section_index() {
	sections "$1" | awk -v n="$2" -v a="${3:--1}" '$2 == n && $1 > a {print $1; exit}'
}

section_names() { sections "$1" | awk '{printf "%s ", $2}'; }

le32_at() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# The PE rules on FILE's headers and section table: raw data at
# FileAlignment after SizeOfHeaders, raw data of two sections never
# overlapping, sections from index FIRST_NEW on each adjacent to the memory
# before it at SectionAlignment, SizeOfImage covering the last byte.
check_layout() {
	local f=$1 first_new=$2 fa sa soi soh idx name vs va rs rp ch
	local mem_end=0 msz prev_raw_end=0
	fa=$(pe_field "$f" FileAlignment)
	sa=$(pe_field "$f" SectionAlignment)
	soi=$(pe_field "$f" SizeOfImage)
	soh=$(pe_field "$f" SizeOfHeaders)
	[ $((soh % fa)) -eq 0 ] || fail "$f: SizeOfHeaders $soh not a multiple of $fa"
	while read -r idx name vs va rs rp ch; do
		msz=$vs
		[ "$vs" -eq 0 ] && msz=$rs
		if [ "$rs" -gt 0 ]; then
			[ $((rp % fa)) -eq 0 ] || fail "$f: $name raw data at $rp not aligned to $fa"
			[ "$rp" -ge "$soh" ] || fail "$f: $name raw data at $rp inside the headers ($soh)"
			[ "$rp" -ge "$prev_raw_end" ] ||
				fail "$f: $name raw data at $rp overlaps the section before (ends $prev_raw_end)"
			prev_raw_end=$((rp + rs))
		fi
		if [ "$idx" -ge "$first_new" ]; then
			local want=$(((mem_end + sa - 1) / sa * sa))
			[ "$va" -eq "$want" ] || fail "$f: $name at VirtualAddress $va, expected $want"
			[ "$rs" -eq $(((vs + fa - 1) / fa * fa)) ] ||
				fail "$f: $name SizeOfRawData $rs for VirtualSize $vs"
		fi
		[ $((va + msz)) -gt "$mem_end" ] && mem_end=$((va + msz))
	done < <(sections "$f")
	[ "$soi" -eq $(((mem_end + sa - 1) / sa * sa)) ] ||
		fail "$f: SizeOfImage $soi, sections end at $mem_end (SectionAlignment $sa)"
}

# Every section i of ORIG is section i of NEW with the same name, sizes,
# address, characteristics and bytes (its raw data may have moved).
check_sections_kept() {
	local orig=$1 new=$2 idx name vs va rs rp ch row
	while read -r idx name vs va rs rp ch; do
		row=$(sections "$new" | awk -v i="$idx" '$1 == i')
		set -- $row
		[ "$2 $3 $4 $5 $7" = "$name $vs $va $rs $ch" ] ||
			fail "$new: section $idx is '$2 $3 $4 $5 $7', $orig had '$name $vs $va $rs $ch'"
		[ "$(range_sha "$new" "$6" "$rs")" = "$(range_sha "$orig" "$rp" "$rs")" ] ||
			fail "$new: section $idx ($name) bytes differ from $orig"
	done < <(sections "$orig")
}

make_signer() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
		-subj "/CN=pekexec build test" -days 2 >/dev/null 2>&1 ||
		fail "openssl req failed"
}
