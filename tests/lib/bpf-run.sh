# SPDX-License-Identifier: MIT
# tests/lib/bpf-run.sh - sourced by tests/t-bpf-*.sh: build synthetic zboot
# images with the compression CLIs, run `pekexec bpf run` and read its
# "command N: ..." lines.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need() { for c in "$@"; do command -v "$c" >/dev/null || skip "$c not installed"; done; }

PROGS=$BUILD/bpf-progs
[ -d "$PROGS" ] || skip "no $PROGS (built by make check)"

le32() { # value -> 4 raw bytes, little-endian
	# shellcheck disable=SC2059
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
		$((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}

file_sha() { sha256sum "$1" | cut -d' ' -f1; }
file_size() { stat -c %s "$1"; }

# mkzboot OUT COMPNAME PAYLOAD: the zboot header of DESIGN.md §5 (MZ, "zimg",
# payload offset/size, compression name at 0x18, LINUX_PE_MAGIC at 0x38),
# zero padding to 0x200, then PAYLOAD.
mkzboot() {
	local out=$1 name=$2 payload=$3 off=512
	{
		printf 'MZ\0\0zimg'
		le32 $off
		le32 "$(file_size "$payload")"
		le32 0
		le32 0
		printf '%s' "$name"
		head -c $((0x38 - 0x18 - ${#name})) /dev/zero
		le32 $((0x818223cd))
		le32 64
		head -c $((off - 0x40)) /dev/zero
		cat "$payload"
	} >"$out"
	[ "$(file_size "$out")" -eq $((off + $(file_size "$payload"))) ] || fail "mkzboot: size"
}

# field LOGFILE N KEY: value of KEY=... on the line of command N
field() {
	sed -n "s/^command $2: .* $3=\\([^ ]*\\).*/\\1/p" "$1"
}

commands() { grep -c '^command ' "$1" || true; }
