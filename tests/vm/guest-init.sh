#!/bin/busybox sh
# The guest's /init (busybox initramfs built by tests/vm/mkinitramfs.sh).
# Brings up two E1 spans joined by dahdi_dynamic_loc, runs /vmtest/guest.sh (the
# GUEST_SCRIPT), prints "VMTEST EXIT <code>" and powers off.
#
# Kernel command line: vmtest.timeout=SECONDS (guest script time limit, default 600),
# vmtest.NAME=VALUE (exported to the guest script as NAME=VALUE).
# The guest script runs in /vmtest with VMTEST_OUT=/vmtest/out: files left there are
# sent to the host as a tar over the second serial port (run.sh -o DIR).
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb VMTEST_DIR=/vmtest VMTEST_OUT=/vmtest/out
umask 022
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /dev/pts /tmp /run /root /vmtest/out
mount -t tmpfs shm /dev/shm	# dahdi_cfg takes a POSIX named semaphore there
mount -t devpts devpts /dev/pts
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
ip link set lo up
hostname vmtest

TIMEOUT=600
for a in $(cat /proc/cmdline); do
	case $a in
	vmtest.timeout=*) TIMEOUT=${a#vmtest.timeout=} ;;
	vmtest.*=*) a=${a#vmtest.}; export "${a%%=*}=${a#*=}" ;;
	esac
done
up() { cut -d' ' -f1 /proc/uptime; }
echo "=== VMTEST guest up: $(uname -r), uptime $(up) s, $(nproc) CPU"

fail() {
	echo "VMTEST setup failed: $*"
	dmesg | tail -30
	echo "VMTEST EXIT 125"
	poweroff -f
}
M=/lib/modules/dahdi
# Debian's dahdi defaults to auto_assign_spans=0 (udev assigns spans): without it
# the spans get no channels. dahdi_dummy is not loaded: it would take span 1.
insmod $M/dahdi.ko auto_assign_spans=1 || fail "insmod dahdi.ko"
insmod $M/dahdi_dynamic.ko || fail "insmod dahdi_dynamic.ko"
insmod $M/dahdi_dynamic_loc.ko || fail "insmod dahdi_dynamic_loc.ko"
# dahdi-tools 3.1.0: create the dynamic spans and channels from a file without span=
# lines, then configure and start each span with -S/-C (see conf/system-create.conf)
dahdi_cfg -c /etc/dahdi/system-create.conf > /tmp/dahdi_cfg.log 2>&1 || { cat /tmp/dahdi_cfg.log; fail "dahdi_cfg (create)"; }
dahdi_cfg -v -c /etc/dahdi/system.conf -S 1 -C 1-31 >> /tmp/dahdi_cfg.log 2>&1 || { cat /tmp/dahdi_cfg.log; fail "dahdi_cfg -S 1"; }
dahdi_cfg -v -c /etc/dahdi/system.conf -S 2 -C 32-62 >> /tmp/dahdi_cfg.log 2>&1 || { cat /tmp/dahdi_cfg.log; fail "dahdi_cfg -S 2"; }
echo "=== VMTEST dahdi up: spans $(ls /proc/dahdi | tr '\n' ' ')uptime $(up) s"

cd /vmtest
echo "=== VMTEST guest script start (time limit $TIMEOUT s)"
timeout -s KILL "$TIMEOUT" sh /vmtest/guest.sh < /dev/null 2>&1
rc=$?
[ $rc = 137 ] && echo "VMTEST guest script killed after $TIMEOUT s"
echo "=== VMTEST guest script end, uptime $(up) s"

# artefacts -> host, as a tar on the second serial port (qemu writes it to a file)
if [ -n "$(ls -A /vmtest/out)" ] && [ -c /dev/ttyS1 ]; then
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	tar -c -C /vmtest/out . > /dev/ttyS1
	sleep 1
fi
sync
echo "VMTEST EXIT $rc"
poweroff -f
