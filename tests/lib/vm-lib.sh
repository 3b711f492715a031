# SPDX-License-Identifier: MIT
#
# tests/lib/vm-lib.sh - shell functions for QEMU tests (sourced).
#
#   vm_kernel_out SERIES          the output directory of the patched kernel
#                                 of SERIES (mk/kernel.mk: 6.1 $BUILD/kernel,
#                                 6.12 $BUILD/kernel-6.12); exit 1, nothing
#                                 printed, for another SERIES
#   vm_require_qemu ARCH          SKIP (exit 77, with the reason) unless
#                                 qemu-system-ARCH exists and starts
#   vm_check_kernels SERIES ARCH  SKIP (exit 77) when `make check` left the
#                                 kernel VM test of SERIES on ARCH out: it
#                                 exports PK_CHECK_KERNELS, its
#                                 CHECK_KERNELS (mk/kernel.mk); unset, as
#                                 for `make check-kernel` or a test run by
#                                 hand, every one runs
#   vm_root DIR                   an initramfs tree with busybox-static and
#                                 its applets (sh, mount, cat, ...)
#   vm_add_binary DIR BIN [DEST]  copy a dynamic binary and what ldd lists
#   vm_cpio DIR OUT               newc cpio of DIR (sorted, reproducible order)
#   vm_cached_cpio KEY OUT CMD... build OUT once per KEY under $VM_CACHE
#   vm_boot_x86 LOG TIMEOUT KERNEL INITRD APPEND [QEMU ARGS...]
#                                 boot on TCG with the serial console in LOG;
#                                 sets VM_SECONDS and VM_RC (124: timeout)
#   vm_boot_arm64 LOG TIMEOUT KERNEL INITRD APPEND [QEMU ARGS...]
#                                 the same on qemu-system-aarch64 -M virt
#                                 (cortex-a57, PL011 console: ttyAMA0)
#   vm_busybox_arm64              path of an arm64 busybox-static (apt-get
#                                 download, once per $VM_CACHE); fails with
#                                 the reason on stderr
#   vm_root_foreign BUSYBOX DIR   vm_root for a busybox the host cannot run:
#                                 only /bin/busybox and /bin/sh; the guest's
#                                 /init runs `busybox --install -s` itself
#   vm_log_tail LOG [N]           print the serial log (last N lines) on failure
#   vm_grep LOG REGEX             first matching line of LOG (exit 1 if none)
#
# Guest side convention: lines "PKVM PASS name" / "PKVM FAIL name: why"
# printed to the console by the guest's /init; vm_results LOG counts them.
# VM_CACHE defaults to $BUILD/vm-cache.

VM_CACHE=${VM_CACHE:-${BUILD:-build}/vm-cache}

vm_kernel_out() {
	case "$1" in
	6.1) echo "$BUILD/kernel" ;;
	6.12) echo "$BUILD/kernel-6.12" ;;
	*) return 1 ;;
	esac
}

vm_check_kernels() {
	[ -n "${PK_CHECK_KERNELS+set}" ] || return 0
	case " $PK_CHECK_KERNELS " in
	*" $1-$2 "*) return 0 ;;
	esac
	echo "SKIP: $1 on $2 is not in this make check (CHECK_KERNELS='$PK_CHECK_KERNELS');" \
		"make check-kernel KSERIES=$1 ARCH=$2 runs it"
	exit 77
}

vm_require_qemu() {
	local q=qemu-system-$1
	command -v "$q" >/dev/null ||
		{ echo "SKIP: $q not installed (scripts/deps.sh ensure qemu)"; exit 77; }
	"$q" -machine help >/dev/null 2>&1 ||
		{ echo "SKIP: $q cannot run on this machine"; exit 77; }
	command -v busybox >/dev/null && busybox --list >/dev/null 2>&1 ||
		{ echo "SKIP: busybox-static not installed (scripts/deps.sh ensure qemu)"; exit 77; }
	command -v cpio >/dev/null || { echo "SKIP: cpio not installed"; exit 77; }
}

vm_root() {
	local d=$1 a bb
	bb=$(command -v busybox)
	# busybox-static: no libraries needed
	if ldd "$bb" >/dev/null 2>&1; then
		echo "vm_root: $bb is not static (install busybox-static)" >&2
		return 1
	fi
	mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc"
	cp "$bb" "$d/bin/busybox"
	# no "init"/"linuxrc": without a working /init the kernel must panic
	# (and QEMU exit with panic=-1 -no-reboot), not wait on a console
	for a in $("$bb" --list); do
		case $a in init | linuxrc) continue ;; esac
		[ -e "$d/bin/$a" ] || ln -s busybox "$d/bin/$a"
	done
}

vm_add_binary() {
	local d=$1 bin=$2 dest=${3:-/bin/$(basename "$2")} lib
	mkdir -p "$d$(dirname "$dest")"
	cp "$bin" "$d$dest"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$d$lib" ] && continue
		mkdir -p "$d$(dirname "$lib")"
		cp -L "$lib" "$d$lib"
	done
}

vm_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2"
}

vm_cached_cpio() {
	local key=$1 out=$2
	shift 2
	mkdir -p "$VM_CACHE"
	if [ ! -s "$VM_CACHE/$key.cpio" ]; then
		local tmp
		tmp=$(mktemp -d "$VM_CACHE/tmp.XXXXXX")
		"$@" "$tmp" && vm_cpio "$tmp" "$VM_CACHE/$key.cpio.new" &&
			mv "$VM_CACHE/$key.cpio.new" "$VM_CACHE/$key.cpio"
		rm -rf "$tmp"
	fi
	cp "$VM_CACHE/$key.cpio" "$out"
}

vm_boot_x86() {
	local log=$1 timeout_s=$2 kernel=$3 initrd=$4 append=$5 t0
	shift 5
	t0=$(date +%s.%N)
	VM_RC=0
	timeout "$timeout_s" qemu-system-x86_64 -accel tcg -m "${VM_MEM:-1024}" -smp 1 \
		-display none -monitor none -serial "file:$log" -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$append" "$@" || VM_RC=$?
	VM_SECONDS=$(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f')
}

vm_boot_arm64() {
	local log=$1 timeout_s=$2 kernel=$3 initrd=$4 append=$5 t0
	shift 5
	t0=$(date +%s.%N)
	VM_RC=0
	timeout "$timeout_s" qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg \
		-m "${VM_MEM:-1024}" -smp 1 \
		-display none -monitor none -serial "file:$log" -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "$append" "$@" || VM_RC=$?
	VM_SECONDS=$(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f')
}

# Debian's busybox-static:arm64 cannot be installed next to the host's
# (same /bin/busybox), so it is downloaded (`scripts/deps.sh ensure arm64`
# enables the architecture) and unpacked under $VM_CACHE.
vm_busybox_arm64() {
	local d=$VM_CACHE/busybox-arm64 tmp
	if [ ! -x "$d/busybox" ]; then
		mkdir -p "$VM_CACHE"
		tmp=$(mktemp -d "$VM_CACHE/tmp.XXXXXX")
		(cd "$tmp" && apt-get download busybox-static:arm64) >"$tmp/log" 2>&1 &&
			dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x" ||
			{ echo "apt-get download busybox-static:arm64 failed:" \
				"$(tail -n 2 "$tmp/log" | tr '\n' ' ')" >&2; rm -rf "$tmp"; return 1; }
		readelf -h "$tmp/x/bin/busybox" 2>/dev/null | grep -q 'Machine:.*AArch64' ||
			{ echo "busybox-static:arm64 is not an AArch64 ELF" >&2; rm -rf "$tmp"; return 1; }
		# only the binary: the package's *.d folders have no place in $BUILD
		rm -rf "$d"
		mkdir -p "$d"
		mv "$tmp/x/bin/busybox" "$d/busybox"
		rm -rf "$tmp"
	fi
	echo "$d/busybox"
}

# (BUSYBOX first, so that `vm_cached_cpio KEY OUT vm_root_foreign BUSYBOX` works)
vm_root_foreign() {
	local d=$2
	mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc"
	cp "$1" "$d/bin/busybox"
	ln -s busybox "$d/bin/sh"
}

vm_log_tail() {
	echo "---- serial log $1 ----"
	tail -n "${2:-80}" "$1" | tr -d '\r' | sed 's/^/    /'
	echo "---- end of serial log ----"
}

# (grep reads the whole log: with grep -m1, tr could die of SIGPIPE and a
# caller's pipefail turn a match into a miss)
vm_grep() {
	local lines
	lines=$(tr -d '\r' <"$1" | grep -E "$2") || return 1
	printf '%s\n' "${lines%%$'\n'*}"
}

# (never fails, so that set -e -o pipefail callers go on to print the log)
vm_results() {
	tr -d '\r' <"$1" | { grep -E '^PKVM (PASS|FAIL)' || true; } | sed 's/^PKVM //'
}

# vm_signed_uki PEKEXEC KERNEL CMDLINE SUBJECT: what both e2e tests load.
# Writes second.cpio (the UKI's own initrd: tests/e2e/second-init.sh prints
# a marker and /proc/cmdline, then powers off), base.cpio (busybox only),
# e2e.key/e2e.crt (a throw-away signer, CN=SUBJECT) and signed.efi: a UKI
# of KERNEL + second.cpio + CMDLINE signed with that key.
_vm_second_root() {
	vm_root "$1"
	cp "$TOP/tests/e2e/second-init.sh" "$1/init"
}

vm_signed_uki() {
	vm_cached_cpio "second-$(sha256sum "$TOP/tests/e2e/second-init.sh" | cut -c1-12)" \
		second.cpio _vm_second_root
	vm_cached_cpio busybox base.cpio vm_root
	openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=$4/" -days 2 \
		-keyout e2e.key -out e2e.crt 2>/dev/null
	"$1" build-uki --linux "$2" --initrd second.cpio --cmdline "$3" \
		--key e2e.key --cert e2e.crt -o signed.efi
}
