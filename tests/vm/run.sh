#!/bin/bash
# Run GUEST_SCRIPT inside a qemu guest (software emulation, TCG) that has the real
# DAHDI driver with two E1 spans joined back to back by dahdi_dynamic_loc.
#
# Usage: run.sh [-o DIR] [-t SECONDS] [-e NAME=VALUE]... GUEST_SCRIPT [FILE[:GUEST_PATH]...]
#   FILEs are copied into the guest with their shared libraries (see mkinitramfs.sh):
#   ELF files land in /usr/local/bin (on PATH), other files in /vmtest (the cwd).
#   -o DIR        extract what the guest script leaves in $VMTEST_OUT into DIR
#   -t SECONDS    time limit of the guest script (default $VM_TIMEOUT or 300); the
#                 whole qemu run is limited to that plus 120 s
#   -e NAME=VALUE exported to the guest script (no spaces: it goes on the kernel line)
# Environment: SIPGW_VM_CACHE (cache dir, default $TOP/build-vm), VM_LOG (console log,
#   default $CACHE/run/NAME.log), VM_MEM (MiB, 1024), VM_SMP (2), VM_QUIET=1 (log
#   only, no console on stdout), VM_APPEND (more kernel parameters), VM_QEMU_ARGS (more
#   qemu options, e.g. "-icount shift=auto,sleep=on": guest time then follows the
#   instructions run, so the host descheduling qemu does not make the guest's clocks
#   jump; single-threaded TCG, several times slower), VM_NICE (qemu's nice value, default
#   0; negative needs root: the emulated card's clock is only as steady as qemu's share
#   of a busy host's CPUs).
# Steps: setup.sh and build-modules.sh (fast no-ops when done), mkinitramfs.sh, boot;
# each step's duration is printed. Exit status: the guest script's (from the
# "VMTEST EXIT <code>" line), 1 when there is no such line (hung, crashed, timed
# out), 77 when qemu cannot run here (automake's SKIP).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

OUTDIR=; TMO=${VM_TIMEOUT:-300}; APPEND=
while getopts o:t:e: opt; do
	case $opt in
	o) OUTDIR=$OPTARG ;;
	t) TMO=$OPTARG ;;
	e) [[ $OPTARG = [A-Za-z_]*=* && $OPTARG != *' '* ]] || vm_die "-e NAME=VALUE without spaces"
	   APPEND="$APPEND vmtest.$OPTARG" ;;
	*) sed -n '5,6p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '5,6p' "$0" >&2; exit 2; }
SCRIPT=$1; shift
[ -f "$SCRIPT" ] || vm_die "guest script $SCRIPT not found"
NAME=$(basename "$SCRIPT" .sh)
RUN=$CACHE/run
LOG=${VM_LOG:-$RUN/$NAME.log}
INITRD=$RUN/$NAME.cpio.gz
OUTTAR=$RUN/$NAME.out.tar
T_ALL=$(vm_now)

step() {	# step NAME CMD...: run, print the duration, stop on failure
	local n=$1 s rc; shift
	s=$(vm_now)
	"$@" > "$RUN/$NAME.$n.log" 2>&1; rc=$?
	printf 'vm: %-12s %6.1f s  rc=%d\n' "$n" "$(vm_since "$s")" $rc
	if [ $rc != 0 ]; then
		tail -20 "$RUN/$NAME.$n.log" | sed 's/^/vm:   /'
		[ $rc = 77 ] && { echo "vm: SKIP: cannot prepare the host for qemu (see above)"; exit 77; }
		exit 1
	fi
}
mkdir -p "$RUN" "$(dirname "$LOG")" || exit 1
step setup "$VM_DIR/setup.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "vm: SKIP: qemu-system-x86_64 not available"; exit 77; }
step modules "$VM_DIR/build-modules.sh"
step initramfs "$VM_DIR/mkinitramfs.sh" "$INITRD" "$SCRIPT" "$@"

KV=$(vm_kver)
rm -f "$OUTTAR"
# /dev/kvm on this kind of host cannot boot a stock Debian kernel: software emulation.
s=$(vm_now)
{
	timeout -k 10 $((TMO + 120)) nice -n "${VM_NICE:-0}" qemu-system-x86_64 -accel tcg -cpu max \
		-m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" -nodefaults -no-reboot -display none \
		-serial stdio -serial "file:$OUTTAR" \
		-kernel "$CACHE/kimg/boot/vmlinuz-$KV" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 vmtest.timeout=$TMO$APPEND ${VM_APPEND:-}" \
		${VM_QEMU_ARGS:-} < /dev/null 2>&1
	echo "vm: qemu exit status $?"
} | tr -d '\r' | if [ "${VM_QUIET:-0}" = 1 ]; then cat > "$LOG"; else tee "$LOG"; fi
printf 'vm: %-12s %6.1f s  (console log %s)\n' boot+test "$(vm_since "$s")" "$LOG"

if [ -n "$OUTDIR" ] && [ -s "$OUTTAR" ]; then
	mkdir -p "$OUTDIR" && tar -xf "$OUTTAR" -C "$OUTDIR" 2>/dev/null &&
		echo "vm: guest artefacts in $OUTDIR" || echo "vm: could not extract $OUTTAR"
fi
rc=$(sed -n 's/^VMTEST EXIT \([0-9][0-9]*\)$/\1/p' "$LOG" | tail -1)
if [ -z "$rc" ]; then
	echo "vm: no 'VMTEST EXIT' line: the guest hung, crashed or timed out (${TMO}s); see $LOG"
	rc=1
fi
printf 'vm: %-12s %6.1f s  exit %d\n' total "$(vm_since "$T_ALL")" "$rc"
exit "$rc"
