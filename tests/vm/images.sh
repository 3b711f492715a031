# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# images.sh - the test images of the CONFIG_KEXEC_BPF series, made one way
# for tests/vm/run.sh (make check) and tests/vm/soak-run.sh (make
# soak-kernel).  Sourced; every function fails the caller (set -e) on error.
#
#   vm_tools TOP BUILD WORK
#       WORK/parser.lskel.o: the VM test parser (tests/vm/progs) as the light
#       skeleton a .bpf section holds; WORK/vm_pe_parser.bpf.o, its ELF;
#       WORK/pk-kexec-file: the static loader the guests run;
#       WORK/vm_attack_*.bpf.o: root's own programs of the attack tests.
#   vm_guest_tools TOP KSRC WORK
#       The static attack and check tools the guests run: WORK/pk-race,
#       WORK/pk-bpf-check, and the series' kselftest WORK/kexec_bpf_selftest
#       from the patched tree KSRC (built like the kselftests: -Wall, the
#       harness has unused parameters).
#   vm_images TOP IMG KERNEL BPF KEYS STUB
#       IMG must hold `cmdline` and `initrd`.  With systemd's UKI stub STUB
#       and the program BPF around the bzImage KERNEL (tests/vm/mkimage.sh):
#       unsigned, signed (KEYS/test), untrusted (KEYS/untrusted), tampered
#       (one .cmdline byte of signed changed after signing); and the
#       malformed ones: corrupt-gzip (bytes flipped mid-stream),
#       truncated-zstd, noprogress (no .linux), badcmd (an unknown section
#       the program turns into an unknown command), nest2 and nest5 (each
#       level's .linux is the previous image, from unsigned); the hostile
#       ones: probe-stack (signed; its program reads the kernel stack),
#       probe-cmdline (reads the user's command line), zstd-1g (signed; a
#       zstd stream of 1 GiB of zeros that declares its size), xz-slow (an
#       xz stream of 480 MiB of zeros: seconds to decompress under TCG).
#   vm_real_images IMG KERNEL KEYS STUB PEKEXEC UCODE
#       What the project's own tools make with the built-in parsers, signed
#       with KEYS/test: real-uki (UCODE, IMG/initrd, IMG/cmdline),
#       real-zboot-{gzip,zstd22,xzkern,lz4} (x86_64), real-nested (a UKI
#       around real-zboot-zstd22), real-zboot-badsize (the size after the
#       zstd stream disagrees with it: the program gives up).
#   vm_tiny_kernel KERNEL OUT SIZE
#       A bzImage that the x86_64 loader (bzImage64_probe/_load) accepts
#       but that is SIZE bytes (at least the setup + 8 KiB): KERNEL's setup
#       sectors, then 8 KiB of its payload, then zeros; init_size (0x260)
#       set to SIZE rounded up to 1 MiB, so the loader reserves little.
#       Never run: the soak only loads and unloads it.
#   vm_small_images TOP IMG TINY BPF KEYS STUB PEKEXEC UCODE
#       The soak's cheap loads (issue 11): IMG/s-* like vm_images' but
#       around TINY and signed where a malformed one may be (so that it
#       runs under lockdown): s-signed, s-unsigned, s-untrusted,
#       s-tampered, s-corrupt-gzip, s-truncated-zstd, s-noprogress,
#       s-badcmd, s-probe-stack (all signed but s-unsigned/s-untrusted);
#       and vm_real_images around TINY in IMG/s/.
#   vm_cheap_images IMG TINY PROG KEYS PEKEXEC
#       The soak's cheapest loads (issue 11): `build-zboot --parser PROG`
#       zboots around TINY, PROG the upstream-style zboot program
#       (tests/bpf-progs/zboot_parser.lskel.o: 163 instructions for 6.1's
#       verifier, the VM parser 29,812): IMG/c-zboot-{gzip,zstd22,xzkern,lz4}
#       signed with sbsign (the non-gzip ones with the appended size
#       counted in payload_size, as that program wants), c-unsigned,
#       c-tampered (a payload byte changed after signing), c-corrupt-gzip
#       (a payload byte changed, then signed).

vm_tools() { # top build work
	local top=$1 build=$2 work=$3 p

	make -s -C "$top" BUILD="$build" "$build/pk-lskel-gen"
	clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -I"$top/include" \
		-I/usr/include/"$(gcc -print-multiarch)" \
		-c -o "$work/vm_pe_parser.bpf.o" \
		"$top/tests/vm/progs/vm_pe_parser.bpf.c"
	"$build/pk-lskel-gen" "$work/vm_pe_parser.bpf.o" "$work/parser.lskel.o"
	for p in inject atomic helper frame; do
		clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -I"$top/include" \
			-I/usr/include/"$(gcc -print-multiarch)" \
			-c -o "$work/vm_attack_$p.bpf.o" \
			"$top/tests/vm/progs/vm_attack_$p.bpf.c"
	done
	gcc -static -O2 -Wall -Wextra -Werror -o "$work/pk-kexec-file" \
		"$top/tests/vm/pk-kexec-file.c"
}

vm_guest_tools() { # top ksrc work
	gcc -static -O2 -Wall -Werror -o "$3/kexec_bpf_selftest" \
		"$2/tools/testing/selftests/kexec/kexec_bpf.c"
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$3/pk-race" \
		"$1/tests/vm/pk-race.c"
	gcc -static -O2 -Wall -Wextra -Werror -o "$3/pk-bpf-check" \
		"$1/tests/vm/pk-bpf-check.c" -lbpf -lelf -lz -lzstd
}

vm_images() { # top img kernel bpf keys stub
	local top=$1 img=$2 kernel=$3 bpf=$4 keys=$5 stub=$6
	local tmp off size n prev

	mk() { "$top/tests/vm/mkimage.sh" -s "$stub" "$@"; }
	mk "$img/unsigned.efi" .cmdline="$img/cmdline" .initrd="$img/initrd" \
		.linux="$kernel" .bpf="$bpf"
	mk -k "$keys/test.key" -c "$keys/test.crt" "$img/signed.efi" \
		.cmdline="$img/cmdline" .initrd="$img/initrd" .linux="$kernel" \
		.bpf="$bpf"
	mk -k "$keys/untrusted.key" -c "$keys/untrusted.crt" \
		"$img/untrusted.efi" .cmdline="$img/cmdline" \
		.initrd="$img/initrd" .linux="$kernel" .bpf="$bpf"
	cp "$img/signed.efi" "$img/tampered.efi"
	off=$(objdump -h "$img/signed.efi" | awk '$2 == ".cmdline" { print $6 }')
	printf 'X' | dd of="$img/tampered.efi" bs=1 seek=$((0x$off + 14)) \
		conv=notrunc status=none

	tmp=$(mktemp -d)
	# fast levels: a bzImage is compressed already
	gzip -1 -c <"$kernel" >"$tmp/linux.corrupt"
	size=$(stat -c %s "$tmp/linux.corrupt")
	printf '\xff\x00\xff\x00' | dd of="$tmp/linux.corrupt" bs=1 \
		seek=$((size / 2)) conv=notrunc status=none
	zstd -3 -q -c <"$kernel" >"$tmp/linux.zstd"
	head -c $((size / 2)) "$tmp/linux.zstd" >"$tmp/linux.truncated"
	mk "$img/corrupt-gzip.efi" .linux="$tmp/linux.corrupt" .bpf="$bpf"
	mk "$img/truncated-zstd.efi" .linux="$tmp/linux.truncated" .bpf="$bpf"
	mk "$img/noprogress.efi" .cmdline="$img/cmdline" .bpf="$bpf"
	printf x >"$tmp/one-byte"	# objcopy drops empty sections
	mk "$img/badcmd.efi" .badcmd="$tmp/one-byte" .linux="$kernel" \
		.bpf="$bpf"
	mk "$img/nest2.efi" .linux="$img/unsigned.efi" .bpf="$bpf"
	prev=$img/nest2.efi
	for n in 3 4 5; do
		mk "$tmp/nest$n.efi" .linux="$prev" .bpf="$bpf"
		prev=$tmp/nest$n.efi
	done
	mv "$tmp/nest5.efi" "$img/nest5.efi"
	printf s >"$tmp/probe-s"
	mk -k "$keys/test.key" -c "$keys/test.crt" "$img/probe-stack.efi" \
		.probe="$tmp/probe-s" .linux="$kernel" .bpf="$bpf"
	printf u >"$tmp/probe-u"
	mk "$img/probe-cmdline.efi" .probe="$tmp/probe-u" .linux="$kernel" \
		.bpf="$bpf"
	truncate -s 1G "$tmp/zeros"	# sparse: no disk, fast to compress
	zstd -1 -q -c "$tmp/zeros" >"$tmp/linux.1g"
	rm -f "$tmp/zeros"
	mk -k "$keys/test.key" -c "$keys/test.crt" "$img/zstd-1g.efi" \
		.linux="$tmp/linux.1g" .bpf="$bpf"
	truncate -s 480M "$tmp/zeros"
	xz -0 -T1 --check=crc32 -q -c "$tmp/zeros" >"$tmp/linux.slow"
	rm -f "$tmp/zeros"
	mk "$img/xz-slow.efi" .linux="$tmp/linux.slow" .bpf="$bpf"
	rm -rf "$tmp"
}

vm_real_images() { # img kernel keys stub pekexec ucode
	local img=$1 kernel=$2 keys=$3 stub=$4 pk=$5 ucode=$6 c bad
	local pksign=(--key "$keys/test.key" --cert "$keys/test.crt")

	"$pk" build-uki --linux "$kernel" --ucode "$ucode" \
		--initrd "$img/initrd" --cmdline @"$img/cmdline" --stub "$stub" \
		"${pksign[@]}" -o "$img/real-uki.efi" >/dev/null
	for c in gzip zstd22 xzkern lz4; do
		"$pk" build-zboot --image "$kernel" --compress $c \
			--machine x86_64 "${pksign[@]}" \
			-o "$img/real-zboot-$c.efi" >/dev/null
	done
	"$pk" build-uki --linux "$img/real-zboot-zstd22.efi" --ucode "$ucode" \
		--initrd "$img/initrd" --cmdline @"$img/cmdline" --stub "$stub" \
		"${pksign[@]}" -o "$img/real-nested.efi" >/dev/null
	# the le32 after the payload (offset + size at 8 and 12) says 1 byte
	bad=$img/real-zboot-badsize.efi
	cp "$img/real-zboot-zstd22.efi" "$bad"
	printf '\001\000\000\000' | dd of="$bad" bs=1 conv=notrunc status=none \
		seek=$(($(vm_le32 "$bad" 8) + $(vm_le32 "$bad" 12)))
}

vm_tiny_kernel() { # kernel out size
	local kernel=$1 out=$2 size=$3 setup

	setup=$((($(od -An -tu1 -j $((0x1f1)) -N1 "$kernel" | tr -d ' ') + 1) * 512))
	head -c $((setup + 8192)) "$kernel" >"$out"
	[ "$size" -le $((setup + 8192)) ] || truncate -s "$size" "$out"
	size=$(stat -c %s "$out")
	vm_put_le32 "$out" $((0x260)) $(((size + (1 << 20) - 1) >> 20 << 20))
}

vm_put_le32() { # file offset value
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($3 & 255)) \
		$(($3 >> 8 & 255)) $(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

vm_small_images() { # top img tiny bpf keys stub pekexec ucode
	local top=$1 img=$2 tiny=$3 bpf=$4 keys=$5 stub=$6 pk=$7 ucode=$8
	local tmp off size
	local sign=(-k "$keys/test.key" -c "$keys/test.crt")

	mk() { "$top/tests/vm/mkimage.sh" -s "$stub" "$@"; }
	mk "${sign[@]}" "$img/s-signed.efi" .cmdline="$img/cmdline" \
		.initrd="$img/initrd" .linux="$tiny" .bpf="$bpf"
	mk "$img/s-unsigned.efi" .cmdline="$img/cmdline" \
		.initrd="$img/initrd" .linux="$tiny" .bpf="$bpf"
	mk -k "$keys/untrusted.key" -c "$keys/untrusted.crt" \
		"$img/s-untrusted.efi" .cmdline="$img/cmdline" \
		.initrd="$img/initrd" .linux="$tiny" .bpf="$bpf"
	cp "$img/s-signed.efi" "$img/s-tampered.efi"
	off=$(objdump -h "$img/s-signed.efi" | awk '$2 == ".cmdline" { print $6 }')
	printf 'X' | dd of="$img/s-tampered.efi" bs=1 seek=$((0x$off + 14)) \
		conv=notrunc status=none

	tmp=$(mktemp -d)
	gzip -1 -c <"$tiny" >"$tmp/linux.corrupt"
	size=$(stat -c %s "$tmp/linux.corrupt")
	printf '\xff\x00\xff\x00' | dd of="$tmp/linux.corrupt" bs=1 \
		seek=$((size / 2)) conv=notrunc status=none
	zstd -3 -q -c <"$tiny" >"$tmp/linux.zstd"
	head -c $(($(stat -c %s "$tmp/linux.zstd") / 2)) "$tmp/linux.zstd" \
		>"$tmp/linux.truncated"
	mk "${sign[@]}" "$img/s-corrupt-gzip.efi" .linux="$tmp/linux.corrupt" \
		.bpf="$bpf"
	mk "${sign[@]}" "$img/s-truncated-zstd.efi" \
		.linux="$tmp/linux.truncated" .bpf="$bpf"
	mk "${sign[@]}" "$img/s-noprogress.efi" .cmdline="$img/cmdline" \
		.bpf="$bpf"
	printf x >"$tmp/one-byte"
	mk "${sign[@]}" "$img/s-badcmd.efi" .badcmd="$tmp/one-byte" \
		.linux="$tiny" .bpf="$bpf"
	printf s >"$tmp/probe-s"
	mk "${sign[@]}" "$img/s-probe-stack.efi" .probe="$tmp/probe-s" \
		.linux="$tiny" .bpf="$bpf"
	rm -rf "$tmp"
	mkdir -p "$img/s"
	cp "$img/cmdline" "$img/initrd" "$img/s/"
	vm_real_images "$img/s" "$tiny" "$keys" "$stub" "$pk" "$ucode"
	rm "$img/s/cmdline" "$img/s/initrd"
}

vm_cheap_images() { # img tiny prog keys pekexec
	local img=$1 tiny=$2 prog=$3 keys=$4 pk=$5 c off
	local sign=(--key "$keys/test.key" --cert "$keys/test.crt")

	for c in gzip zstd22 xzkern lz4; do
		"$pk" build-zboot --image "$tiny" --compress $c --machine x86_64 \
			--parser "$prog" -o "$img/c-$c.tmp" >/dev/null
		# the upstream program passes payload_size - 4 bytes of a
		# non-gzip payload (DESIGN.md 5): count the appended size in
		[ $c = gzip ] || vm_put_le32 "$img/c-$c.tmp" 12 \
			$(($(vm_le32 "$img/c-$c.tmp" 12) + 4))
		sbsign "${sign[@]}" --output "$img/c-zboot-$c.efi" \
			"$img/c-$c.tmp" 2>/dev/null
	done
	mv "$img/c-gzip.tmp" "$img/c-unsigned.efi"
	rm "$img"/c-*.tmp
	# the middle of the gzip payload (offset + size at 8 and 12)
	off=$(($(vm_le32 "$img/c-unsigned.efi" 8) + \
		$(vm_le32 "$img/c-unsigned.efi" 12) / 2))
	cp "$img/c-zboot-gzip.efi" "$img/c-tampered.efi"
	printf '\xff\x00\xff\x00' | dd of="$img/c-tampered.efi" bs=1 \
		seek=$off conv=notrunc status=none
	cp "$img/c-unsigned.efi" "$img/c-corrupt.tmp"
	printf '\xff\x00\xff\x00' | dd of="$img/c-corrupt.tmp" bs=1 \
		seek=$off conv=notrunc status=none
	sbsign "${sign[@]}" --output "$img/c-corrupt-gzip.efi" \
		"$img/c-corrupt.tmp" 2>/dev/null
	rm "$img/c-corrupt.tmp"
}

vm_le32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
