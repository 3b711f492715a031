#!/bin/sh
# SPDX-License-Identifier: MIT
# sb-guest.sh - the guest's steps of tests/t-e2e-secureboot.sh, run by
# systemd (pksb.service) on every boot of the root disk.  The next step is
# kept on the disk (/var/lib/pksb/next), so one VM walks the whole chain:
#   first           (booted by the firmware from BOOTX64.EFI): Secure Boot
#                   and lockdown; the refusals (case 3); systemd's own
#                   kexec argv; then `systemctl kexec` of the Type #2 entry
#                   ESP/EFI/Linux/pksb-2.efi (case 1)
#   after-systemctl `pekexec load --verify require` + `pekexec exec` of the
#                   same UKI (case 2)
#   after-pekexec   `pekexec load -p` of the same UKI, then a crash (case 4:
#                   the capture kernel reports from the initrd and stops)
# Each check prints "PKVM PASS name" or "PKVM FAIL name: why"; each boot's
# command line and initrd marker are printed by the initrd.
exec >/dev/ttyS0 2>&1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
uki=/efi/EFI/Linux/pksb-2.efi
dir=/efi/pksb
state=/var/lib/pksb/next

next() {
	mkdir -p "${state%/*}"
	echo "$1" >"$state"
	sync
}

. /usr/local/lib/pkvm-expect.sh

# nothing is loaded: the kernel's own word
unloaded() {
	if [ "$(cat /sys/kernel/kexec_loaded)" = 0 ]; then
		echo "PKVM PASS $1-nothing-loaded"
	else
		echo "PKVM FAIL $1-nothing-loaded: /sys/kernel/kexec_loaded is 1"
		kexec -u >/dev/null 2>&1
	fi
}

# case 2: pekexec's own verbs
pekexec_exec() {
	next after-pekexec
	expect pekexec-load 0 "" pekexec load --verify require "$uki"
	echo "PKVM STEP pekexec-exec"
	echo "PKVM TIME $(cut -d' ' -f1 /proc/uptime)"
	sync
	pekexec exec
	echo "PKVM FAIL pekexec-exec: returned $?"
}

first() {
	v=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
	if [ "$(od -An -tu1 -j4 -N1 "$v" 2>/dev/null | tr -d ' ')" = 1 ]; then
		echo "PKVM PASS secure-boot-on"
	else
		echo "PKVM FAIL secure-boot-on: $v says $(od -An -tu1 "$v" 2>&1)"
	fi
	if grep -q '\[integrity\]' /sys/kernel/security/lockdown; then
		echo "PKVM PASS lockdown-integrity"
	else
		echo "PKVM FAIL lockdown-integrity: $(cat /sys/kernel/security/lockdown)"
	fi
	unloaded start

	# case 3: refused, and nothing reaches the kernel
	expect tampered-cmdline 5 "" pekexec load --verify require "$dir/tampered.efi"
	unloaded tampered-cmdline
	expect unsigned 4 "" pekexec load --verify require "$dir/unsigned.efi"
	unloaded unsigned
	expect untrusted-signer 6 "" pekexec load --verify require "$dir/untrusted.efi"
	unloaded untrusted-signer
	expect other-cmdline 8 "" pekexec load --verify require --append "console=ttyS0 pksb.other=1" "$uki"
	unloaded other-cmdline
	# the same tampered UKI the way systemd would load it (its own, changed
	# .cmdline as --append; no --verify: lockdown makes auto require)
	expect systemd-argv-tampered 5 "" /sbin/kexec --load "$dir/tampered.efi" \
		--append "$(sed 's/pksb.uki=2/pksb.uki=3/' "$dir/cmdline-2")"
	unloaded systemd-argv-tampered

	# case 1: first what `systemctl kexec` is going to run, by hand
	systemctl --dry-run kexec 2>&1 | sed 's/^/PKVM INFO systemctl --dry-run kexec: /'
	expect systemd-argv 0 "" /sbin/kexec --load "$uki" --append "$(cat "$dir/cmdline-2")"
	loaded=$(cat /sys/kernel/kexec_loaded)
	kexec -u >/dev/null 2>&1
	if [ "$loaded" = 1 ]; then
		next after-systemctl
		echo "PKVM STEP systemctl-kexec"
		echo "PKVM TIME $(cut -d' ' -f1 /proc/uptime)"
		systemctl kexec
		echo "PKVM STEP systemctl-kexec returned $?"
		# systemd goes on shutting down: the next kernel reports
		exit 0
	fi
	# systemd would fall back to a reboot: go on with case 2 from here
	echo "PKVM STEP skip-systemctl-kexec"
	pekexec_exec
}

step=$(cat "$state" 2>/dev/null || echo first)
echo "PKVM INFO step $step: systemd $(systemctl --version | head -n1 | cut -d' ' -f2)"
case $step in
first)
	first
	;;
after-systemctl)
	pekexec_exec
	;;
after-pekexec)
	# case 4: a crash kernel
	next crash
	expect crash-load 0 "" pekexec load -p --verify require "$uki"
	expect crash-loaded 0 "" grep -qx 1 /sys/kernel/kexec_crash_loaded
	echo "PKVM STEP crash"
	echo "PKVM TIME $(cut -d' ' -f1 /proc/uptime)"
	sync
	echo c >/proc/sysrq-trigger
	echo "PKVM FAIL crash: still running"
	;;
*)
	echo "PKVM FAIL step $step: booted again after the crash"
	;;
esac
systemctl poweroff -ff
