#!/bin/sh
# SPDX-License-Identifier: MIT
# arm64-first-init.sh - /init of the first kernel in tests/t-e2e-arm64.sh.
# The first kernel's command line names the case (pke2e.case=NAME);
# /img/cases/NAME sets IMAGE (under /img) and, for images without their
# own, APPEND and INITRD.  Loads IMAGE under --verify require (dry run
# first, so the host sees what is loaded), then kexecs.  Lines for the
# host: "PKVM PASS name", "PKVM FAIL name: why", "PKVM EXEC ...".
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# the trust anchor (not made on the host: see first-init.sh)
mkdir -p /etc/pekexec/trust.d && cp /img/e2e.crt /etc/pekexec/trust.d/

case_name=$(sed -n 's/.*pke2e\.case=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -r "/img/cases/$case_name" ] || { echo "PKVM FAIL case: no /img/cases/$case_name"; poweroff -f; }
. "/img/cases/$case_name"
echo "PKVM INFO case=$case_name image=$IMAGE kexec_loaded=$(cat /sys/kernel/kexec_loaded)"

# load ARGS...: pekexec load --verify require [--initrd] [--append] ARGS IMAGE
load() {
	if [ -n "${INITRD:-}" ] && [ -n "${APPEND:-}" ]; then
		pekexec load --verify require --initrd "/img/$INITRD" --append "$APPEND" "$@" "/img/$IMAGE"
	elif [ -n "${APPEND:-}" ]; then
		pekexec load --verify require --append "$APPEND" "$@" "/img/$IMAGE"
	else
		pekexec load --verify require "$@" "/img/$IMAGE"
	fi
}

t0=$(cut -d" " -f1 /proc/uptime)
load --dry-run >/tmp/out 2>&1
rc=$?
sed 's/^/  | /' /tmp/out
[ "$rc" -eq 0 ] && echo "PKVM PASS dry-run" || echo "PKVM FAIL dry-run: exit $rc"
t1=$(cut -d" " -f1 /proc/uptime)
load >/tmp/out 2>&1
rc=$?
sed 's/^/  | /' /tmp/out
t2=$(cut -d" " -f1 /proc/uptime)
[ "$rc" -eq 0 ] && echo "PKVM PASS load" || echo "PKVM FAIL load: exit $rc"
[ "$(cat /sys/kernel/kexec_loaded)" = 1 ] && echo "PKVM PASS kexec_loaded" ||
	echo "PKVM FAIL kexec_loaded: $(cat /sys/kernel/kexec_loaded)"
echo "PKVM EXEC uptime=$t2 dry_run_started=$t0 load_started=$t1"
pekexec exec
echo "PKVM FAIL exec: returned $?"
poweroff -f
