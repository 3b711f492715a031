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
# KEXEC_FILE_UNLOAD.  With SOAK_LOADS (soak-run.sh) the lists hold the
# whole run (soak.cycles=1) and more kinds of line: p (-p load), ta (a load
# while root's program is attached), race (pk-race), e (a program the
# verifier must refuse), ks (the series' kselftest), mc (memcg).  Every
# counted call prints "PKSOAK L name errno seconds".  kmemleak: scan + clear before the first cycle (what
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
loads=0 fails=0 c=0 wrap=
fail() { fails=$((fails + 1)); echo "PKSOAK FAIL $name cycle $c: $*"; }
counted() { # name expected got start: one kexec_file_load() call
	loads=$((loads + 1))
	[ "$3" = "$2" ] || fail "expected errno=$2, got '$3'"
	echo "PKSOAK L $1 $3 $(awk "BEGIN { print $(up) - $4 }")"
	[ $((loads % 50)) -ne 0 ] || echo "PKSOAK PROGRESS loads=$loads fails=$fails t=$(up)"
}
unload() { # [-p]
	u=$(pk-kexec-file "$@" unload)
	[ "$u" = errno=0 ] || fail "unload $*: $u"
}
t() { # name expected-errno image [initrd|-] [cmdline]
	name=$1 want=$2
	shift 2
	s0=$(up)
	got=$($wrap pk-kexec-file load "$@" 2>/tmp/wrap.log)
	counted "$name" "$want" "${got#errno=}" "$s0"
	unload
}
p() { # name expected-errno image: a crash kernel (-p, KEXEC_FILE_ON_CRASH)
	name=$1 want=$2 s0=$(up)
	got=$(pk-kexec-file -p load "$3")
	counted "$name" "$want" "${got#errno=}" "$s0"
	unload -p
}
ta() { # object name expected-errno image...: t while root's program
	# OBJECT is attached to the anchor; it must never run (issue 11, hole 1)
	wrap="pk-bpf-check $1"
	shift
	t "$@"
	wrap=
	grep -qF 'pk-bpf-check: results: 0 0 0' /tmp/wrap.log ||
		fail "root's program ran: $(tail -n 3 /tmp/wrap.log)"
}
race() { # name image: pk-race loads IMAGE and must reach nothing (hole 2)
	# 30 min: its attackers share the one CPU; on the debug kernel a
	# load of real-nested alone takes 130 s, and timeout's SIGTERM makes
	# the verifier give up with EAGAIN
	name=$1 s0=$(up)
	out=$(timeout 1800 pk-race "$2" 2>&1)
	counted "$name" 0 "$(echo "$out" | sed -n 's/^errno=//p')" "$s0"
	echo "$out" | grep -qx 'race: fds-seen=0 fds-written=0 ids-seen=0 ids-written=0 progs-seen=0 getfd-seen=0 getfd-written=0' ||
		fail "the load was reached: $out"
	unload
}
e() { # name object text: loading OBJECT must fail with TEXT (no kexec call)
	name=$1
	if pk-bpf-check "$2" >/tmp/e.log 2>&1; then
		fail "$2 loaded and attached"
	elif ! grep -qF "$3" /tmp/e.log; then
		fail "'$3' not in the log of pk-bpf-check $2: $(tail -n 5 /tmp/e.log)"
	fi
}
ks() { # name image: the series' kselftest passes its 3 tests (its own calls
	# are not counted)
	name=$1
	out=$(KEXEC_BPF_IMAGE=$2 timeout 1800 kexec_bpf_selftest 2>&1)
	echo "$out" | grep -q '^# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0' ||
		fail "kselftest: $(echo "$out" | tail -n 5)"
	unload
}
# memcg (issue 11, hole 7): the load runs alone in a new cgroup with
# memory.max MAX; oom_score_adj -1000, so that a charge over the limit
# fails the allocation instead of killing the loader.  The first line,
# memcg-base, loads the small unsigned UKI (the same parser, a 24 KiB
# kernel) with a limit of 1 GiB: its memory.peak, $base, is what the
# program's load and run cost (the verifier's memory is charged too).
# KSIZE is the kernel in the image.  MAX may use $base.
#   *-within-*: loads; if KSIZE >= $base, memory.peak - $base >= KSIZE:
#     the kernel was in charged buffers on top of what the small load
#     needed (a smaller kernel's buffers hide under the verifier's peak);
#   *-over-*: memory.max reached (memory.events "max"), and the errno;
#   *-control: the stock bzImage loader, whose buffers are not charged:
#     loads with memory.max below KSIZE, memory.peak < KSIZE / 4.
cgroot=/sys/fs/cgroup
base=0
mc() { # name expected-errno image max ksize
	name=$1 want=$2 max=$(($4)) ksize=$5 s0=$(up)
	if [ ! -e $cgroot/cgroup.controllers ]; then
		{ mount -t cgroup2 cgroup2 $cgroot &&
			echo +memory >$cgroot/cgroup.subtree_control; } 2>/dev/null
	fi
	if ! grep -qw memory $cgroot/cgroup.subtree_control 2>/dev/null; then
		echo "PKSOAK SKIP $name: no memory cgroups (CONFIG_MEMCG)"
		got=$(pk-kexec-file load "$3")
		counted "$name" "${got#errno=}" "${got#errno=}" "$s0"
		unload
		return
	fi
	d=$cgroot/$name
	mkdir $d
	echo $max >$d/memory.max
	echo "PKSOAK MEMCG-BEGIN $name"
	got=$(sh -c "echo \$\$ >$d/cgroup.procs &&
		echo -1000 >/proc/self/oom_score_adj &&
		exec pk-kexec-file load $3")
	echo "PKSOAK MEMCG-END $name"
	peak=$(cat $d/memory.peak)
	hit=$(sed -n 's/^max //p' $d/memory.events)
	echo "PKSOAK MEMCG $name errno=${got#errno=} ksize=$ksize max=$max peak=$peak base=$base growth=$((peak - base)) max-events=$hit"
	counted "$name" "$want" "${got#errno=}" "$s0"
	case $name in
	memcg-base) base=$peak ;;
	*-over-*) [ "$hit" -gt 0 ] || fail "memory.max never reached" ;;
	*-within-*) [ "$ksize" -lt "$base" ] || [ $((peak - base)) -ge "$ksize" ] ||
		fail "memory.peak grew by $((peak - base)) < $ksize: the kernel was not charged" ;;
	*-control) [ "$peak" -lt $((ksize / 4)) ] ||
		fail "memory.peak $peak: the stock loader's buffers are charged?" ;;
	esac
	unload
	rmdir $d
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
