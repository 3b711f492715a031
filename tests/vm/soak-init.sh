#!/bin/sh
# SPDX-License-Identifier: MIT
#
# soak-init.sh - /init of the soak guest (tests/vm/soak-run.sh puts it in
# the initramfs with busybox, pk-kexec-file, the images and two lists).
#
# soak.cycles=N on the kernel command line.  With lockdown off, N times
# every line of /unlocked (the malformed images: each must fail with its
# errno); then lockdown=integrity and N times every line of /locked (the
# signed good images must load, unsigned/tampered/untrusted images and user
# initrd/command line must get EPERM).  Every load is followed by
# KEXEC_FILE_UNLOAD.  kmemleak: scan + clear before the first cycle (what
# boot left is not ours), scan twice after the last (through descriptors
# opened before lockdown, which refuses to open debugfs files); the host
# (soak-run.sh) reads the serial log for every kind of kernel report.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t securityfs securityfs /sys/kernel/security
kml=/sys/kernel/debug/kmemleak
n=$(sed -n 's/.*soak\.cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
n=${n:-1}
up() { cut -d' ' -f1 /proc/uptime; }
loads=0 fails=0 c=0
t() { # name expected-errno image [initrd|-] [cmdline]
	name=$1 want=$2
	shift 2
	got=$(pk-kexec-file load "$@")
	got=${got#errno=}
	loads=$((loads + 1))
	if [ "$got" != "$want" ]; then
		fails=$((fails + 1))
		echo "PKSOAK FAIL $name cycle $c: expected errno=$want, got '$got'"
	fi
	got=$(pk-kexec-file unload)
	if [ "$got" != errno=0 ]; then
		fails=$((fails + 1))
		echo "PKSOAK FAIL $name cycle $c: unload: $got"
	fi
}
cycles() { # list phase
	c=1
	while [ "$c" -le "$n" ]; do
		s=$(up)
		while read -r line; do
			eval "$line"
		done <"$1"
		echo "PKSOAK CYCLE $2 $c $s $(up)"
		c=$((c + 1))
	done
}
# Lockdown (integrity) refuses to open debugfs files: fd 3 (scan) and 4
# (the final report) are opened before it is raised; debugfs checks
# lockdown at open only.
kmemleak_scan() {
	[ -e $kml ] || return 0	# SOAK_HARNESS_ONLY on a kernel without it
	# objects younger than 5 s are not reported yet
	sleep 6
	echo scan >&3 || echo "PKSOAK FAIL kmemleak: scan refused"
}

echo "PKSOAK START $(uname -r) cycles=$n"
if [ -e $kml ]; then
	exec 3>$kml 4<$kml
	kmemleak_scan
	echo "PKSOAK BOOT-LEAKS $(grep -c '^unreferenced object' $kml)"
	echo clear >&3 || echo "PKSOAK FAIL kmemleak: clear refused"
fi
echo "PKSOAK BASELINE"
cycles /unlocked unlocked
echo integrity >/sys/kernel/security/lockdown
echo "PKSOAK lockdown: $(cat /sys/kernel/security/lockdown)"
cycles /locked locked
s=$(up)
kmemleak_scan
kmemleak_scan
if [ -e $kml ]; then
	cat <&4 >/tmp/kmemleak || echo "PKSOAK FAIL kmemleak: report unreadable"
	leaks=$(grep -c '^unreferenced object' /tmp/kmemleak)
	echo "PKSOAK KMEMLEAK scanned=yes leaks=$leaks ($(awk "BEGIN { print $(up) - $s }")s)"
	[ "$leaks" = 0 ] || cat /tmp/kmemleak
else
	echo "PKSOAK KMEMLEAK scanned=no ($kml missing)"
fi
# debug_locks 0: lockdep switched itself off (after a report or an overflow)
echo "PKSOAK LOCKDEP $(awk -F: '/debug_locks:|lock-classes:|direct dependencies:/ {
	n = $1; gsub(/ /, "", n); v = $2; sub(/^ */, "", v); sub(/ .*/, "", v)
	printf "%s=%s ", n, v }' \
	/proc/lockdep_stats 2>/dev/null)"
echo "PKSOAK DONE cycles=$n loads=$loads fails=$fails"
poweroff -f
