#!/bin/bash
# SPDX-License-Identifier: MIT
#
# t-entries.sh - `pekexec entries` on an ESP made here with Type #1
# entries (sort-key / machine-id / version / boot counting / plain ids
# that sort as versions / an id bootctl calls invalid) and Type #2 UKIs (objcopy on systemd's stub, with
# .osrel ID/VERSION_ID, IMAGE_ID/IMAGE_VERSION, PRETTY_NAME; one without
# .osrel, which is not listed).  Oracle: systemd-boot's bootctl, unpacked
# into $IMAGES by scripts/fetch-images.sh (never installed)
# (`SYSTEMD_RELAX_ESP_CHECKS=1 bootctl --esp-path=DIR --no-variables list`,
# the ESP bind-mounted on itself in a private mount namespace because
# bootctl wants a mount point): the same ids in the same order, the same
# default, for two loader.conf default patterns and none.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
for c in unshare mount jq objcopy objdump; do
	command -v "$c" >/dev/null || skip "$c not installed"
done
STUB=$IMAGES/linuxx64.efi.stub
[ -f "$STUB" ] || skip "no \$IMAGES/linuxx64.efi.stub"
BOOTCTL=$IMAGES/bootctl
[ -x "$BOOTCTL" ] || skip "no \$IMAGES/bootctl (make images fetches it)"
"$BOOTCTL" --version >/dev/null 2>&1 || skip "\$IMAGES/bootctl does not run with this host's systemd"
unshare -m true 2>/dev/null || skip "no private mount namespace (unshare -m)"

esp=$PWD/esp
mkdir -p "$esp/loader/entries" "$esp/EFI/Linux"
conf() { # NAME LINES...
	local f=$esp/loader/entries/$1
	shift
	printf '%s\n' "$@" >"$f"
}
conf a.conf "title Plain A" "linux /vmlinuz" "options quiet"
conf z.conf "title Plain Z" "linux /vmlinuz"
conf linux-6.1.0-9.conf "title Linux 9" "linux /vmlinuz-9"
conf linux-6.1.0-10.conf "title Linux 10" "linux /vmlinuz-10"
conf linux-6.1.0-10-rc1.conf "title Linux 10 rc1" "linux /vmlinuz-10rc"
conf 'bad~name.conf' "title not a valid id" "linux /x"
conf deb-9.conf "title Debian" "sort-key debian" "version 6.1.0-9-amd64" \
	"machine-id 0123456789abcdef0123456789abcdef" "linux /v9" "initrd /i9" "initrd /ucode"
conf deb-10.conf "title Debian" "sort-key debian" "version 6.1.0-10-amd64" \
	"machine-id 0123456789abcdef0123456789abcdef" "linux /v10"
conf deb-other.conf "title Debian" "sort-key debian" "version 6.1.0-11-amd64" \
	"machine-id fedcba9876543210fedcba9876543210" "linux /v11"
conf fed+3-1.conf "title Fedora" "sort-key fedora" "version 38" "linux /f"
conf arch.conf "title Arch" "sort-key arch" "linux /a"

printf 'k' >linux.bin
printf 'root=/dev/vda ro' >cmdline.txt
printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >os1.txt
printf 'ID=debian\nIMAGE_ID=appliance\nIMAGE_VERSION=1.2.3\n' >os2.txt
printf "NAME='Plain'\n" >os3.txt
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$esp/EFI/Linux/debian-12.efi" \
	.osrel=os1.txt .cmdline=cmdline.txt .linux=linux.bin
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$esp/EFI/Linux/appliance-1.2.3.efi" \
	.osrel=os2.txt .linux=linux.bin
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$esp/EFI/Linux/plain.efi" \
	.osrel=os3.txt .linux=linux.bin
bash "$TOP/tests/lib/mkuki-objcopy.sh" "$STUB" "$esp/EFI/Linux/no-osrel.efi" .linux=linux.bin

bootctl_list() { # OUT-IDS OUT-DEFAULT
	unshare -m sh -c 'mount --bind "$1" "$1" &&
		SYSTEMD_RELAX_ESP_CHECKS=1 "$3" --esp-path="$1" --no-variables list --json=short >"$2.json" &&
		SYSTEMD_RELAX_ESP_CHECKS=1 "$3" --esp-path="$1" --no-variables list >"$2.txt"' \
		sh "$esp" bootctl "$BOOTCTL" 2>bootctl.err || { cat bootctl.err; skip "bootctl list failed here"; }
	# one JSON object per line (252) or one array (newer)
	jq -r 'if type == "array" then .[].id else .id end' bootctl.json >"$1"
	awk '/title:.*\(default\)/ {d = 1; next} d && /id:/ {print $2; exit}' bootctl.txt >"$2"
}

check() { # what
	bootctl_list want.ids want.default
	"$PEKEXEC" entries --json --no-variables --esp "$esp" >ours.json
	jq -r '.entries[].id' ours.json >got.ids
	jq -r '.entries[] | select(.default) | .id' ours.json >got.default
	diff -u want.ids got.ids || fail "$1: order differs from bootctl's"
	diff -u want.default got.default || fail "$1: default differs from bootctl's"
	[ "$(wc -l <got.ids)" -ge 12 ] || fail "$1: only $(wc -l <got.ids) entries"
	echo "$1: $(tr '\n' ' ' <got.ids)| default $(cat got.default)"
}

check "no loader.conf"
printf 'timeout 3\ndefault linux-*\n' >"$esp/loader/loader.conf"
check "default linux-*"
printf 'default DEB-1*\n' >"$esp/loader/loader.conf"
check "default DEB-1* (case folded)"
printf 'default nothing-matches\n' >"$esp/loader/loader.conf"
check "default matching nothing"
# without variables there is no LoaderEntryLastBooted: the first entry
printf 'default @saved\n' >"$esp/loader/loader.conf"
check "default @saved"

# fields: Type #1 keys, Type #2 from .osrel/.cmdline; no-osrel.efi not listed
jq -e '.entries[] | select(.id == "deb-9.conf") | .initrd == ["/i9", "/ucode"] and .version == "6.1.0-9-amd64"' ours.json >/dev/null ||
	fail "deb-9.conf fields"
jq -e '.entries[] | select(.id == "debian-12.efi") | .title == "Debian GNU/Linux 12 (bookworm)" and .options == "root=/dev/vda ro" and .sort_key == "debian" and .version == "12" and .type == "type2"' ours.json >/dev/null ||
	fail "debian-12.efi fields"
jq -e '[.entries[].id] | index("no-osrel.efi") == null and index("bad~name.conf") == null' ours.json >/dev/null ||
	fail "no-osrel.efi or bad~name.conf listed"
jq -e '.entries[] | select(.id == "fed.conf")' ours.json >/dev/null || fail "boot counter not stripped from fed+3-1.conf"
# the text form stars the same default
"$PEKEXEC" entries --no-variables --esp "$esp" >ours.txt
[ "$(awk '$1 == "*" {print $3}' ours.txt)" = "$(cat got.default)" ] || fail "text: default not starred"
[ "$(grep -c . ours.txt)" -eq "$(wc -l <got.ids)" ] || fail "text: entry count"
echo "ok"
