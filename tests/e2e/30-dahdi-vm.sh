#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# sipgwd's dahdi backend against the real DAHDI kernel driver (issue 3): boots
# a qemu guest (tests/vm/run.sh: Debian's kernel, DAHDI 2.11.1, two E1 spans
# joined by dahdi_dynamic_loc) and runs tests/vm/guest/dahdi-calls.sh in it:
# sipgwd on span 1 (pri_cpe, EuroISDN, A-law), pstnsim --dahdi on span 2
# (libpri NET on the real D-channel, audio on the real B-channels), baresip on
# the guest's loopback. Calls both ways (numbers, tones at both far ends, DTMF,
# causes), a 60-second call with the buffer counters (none may count),
# stops of sipgwd of 25 ms (less than its transmit queue: none may count)
# and one of 300 ms (counted, then nothing more), span 2 taken down and back (red alarm, cause 38,
# recovery), spans as DAHDI names them. The guest's TAP lines become this
# test's; then tshark here reads the causes off the guest's captures (SIP on
# its loopback, span 2's D-channel). Skipped (1..0 # SKIP) only when qemu
# cannot run here (run.sh exits 77). ~2 minutes on a warm cache.
# The guest runs the plain build (scripts/build: build/): this run checks the
# real-time deadlines. 31-dahdi-vm-asan.sh runs this same test with the ASan
# and UBSan build (SIPGW_VM_BUILD, VM_DEADLINES=0: the deadlines reported,
# not counted), so that tdm/dahdi*.c, which no other test reaches, runs under
# the sanitizers too. What once made the guest miss its deadlines was
# pstnsim's, not ASan's cost: its tone analysis in its real-time loop, then
# (under ASan) that analysis allocating in its normal-priority thread - ASan's
# allocator locks are spin locks, and pstnsim's real-time loop spun on one the
# analysis held, starving sipgwd's worker below it.
# The guest kernel and the host packages are fetched before the test, outside
# its network namespace (scripts/check runs this line):
# prepare: scripts/build && tests/vm/setup.sh && tests/vm/build-modules.sh
# Its time limits nest, so that a run slowed down by a busy host is told by
# its own limits, not killed by scripts/check's: the guest script 330 s
# (VM_GUEST_TIMEOUT; ~95 s on a quiet machine, the re-measured windows add
# up to 130 s), qemu that plus 120 s (run.sh), this test 540 s (the line
# below; scripts/check's default is 300 s, which a loaded host's run
# exceeded once: 282 s were seen with both cores busy).
# timeout: 540
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init "${VM_TEST_NAME:-dahdi-vm}"
E2E_BUILD=${SIPGW_VM_BUILD:-$E2E_TOP/build}

VM=$E2E_TOP/tests/vm
for b in gw/sipgwd gw/sipgwctl tests/tools/pstnsim tests/tools/stallwatch tests/tools/stopfor; do
	[ -x "$E2E_BUILD/$b" ] || { ok false "$E2E_BUILD/$b is built (scripts/build; --check for the ASan one)"; e2e_done; }
done
files=(
	"$E2E_BUILD/gw/sipgwd:/build/gw/sipgwd"
	"$E2E_BUILD/gw/sipgwctl:/build/gw/sipgwctl"
	"$E2E_BUILD/tests/tools/pstnsim:/build/tests/tools/pstnsim"
	"$E2E_BUILD/tests/tools/stallwatch:/build/tests/tools/stallwatch"
	"$E2E_BUILD/tests/tools/stopfor:/build/tests/tools/stopfor"
	"$E2E_TOP/tests/e2e/lib.sh" "$E2E_TOP/tests/e2e/gw.sh"
	"$(command -v bash)" "$(command -v perl)"
	/usr/lib/x86_64-linux-gnu/perl-base:/usr/lib/x86_64-linux-gnu/perl-base
	"$(command -v baresip)" "$(command -v dumpcap)"
)
# the phone's source (gw.sh: PHONE_TONE), as long as the longest call: 60 s
# and two re-measured windows of 60 s each, and the rest (~40 s)
gen_tone_wav "$E2E_DIR/phone.wav" 440 300
files+=("$E2E_DIR/phone.wav")

# baresip modules the e2e config (lib.sh) loads
export VM_BARESIP_MODULES="account aubridge aufile ctrl_tcp g711 menu sndfile"
export VM_QUIET=1 VM_LOG=$E2E_DIR/console.txt
# The emulated span's clock (DAHDI's core timer in the guest) and the guest's
# processes are only as steady as qemu's share of the host's CPUs: on a host
# busy with other work, qemu's vCPU threads are descheduled for 100 ms and
# more, the guest stalls and the B-channels under- and overrun, as they would
# on a machine that stalls. qemu runs at a higher priority (nice -10) so that
# the buffer policy is measured, not the neighbours.
export VM_NICE=${VM_NICE:--10}
# One vCPU: with two, software emulation's cross-CPU timer traffic let the
# guest's clock stall and catch up in bursts (pstnsim's slips rose 2 -> 36
# and span 1 counted hundreds of underruns); with one, 0 in every run.
export VM_SMP=${VM_SMP:-1}
t0=$(_e2e_now)
vmenv=()	# to the guest script: DEADLINES, the sanitizers' options (no spaces)
[ -n "${VM_DEADLINES:-}" ] && vmenv+=(-e "DEADLINES=$VM_DEADLINES")
for v in ASAN_OPTIONS UBSAN_OPTIONS; do
	[ -n "${!v:-}" ] && vmenv+=(-e "$v=${!v}")
done
"$VM/run.sh" -t "${VM_GUEST_TIMEOUT:-330}" "${vmenv[@]}" -o "$E2E_DIR/guest" "$VM/guest/dahdi-calls.sh" "${files[@]}" \
	>"$E2E_DIR/run.txt" 2>&1
rc=$?
sed 's/^/# /' "$E2E_DIR/run.txt"
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP qemu cannot run here: $(grep -m1 'SKIP' "$E2E_DIR/run.txt" | sed 's/.*SKIP: *//')"
	exit 0
fi

# the guest's TAP, renumbered as this test's
while IFS= read -r line; do
	case "$line" in
	"ok "*" - "*) _e2e_tap 0 "${line#ok * - }" ;;
	"not ok "*" - "*) _e2e_tap 1 "${line#not ok * - }" ;;
	"# "*) echo "$line" ;;
	esac
done < <(sed -n '/^=== VMTEST guest script start/,/^=== VMTEST guest script end/p' "$E2E_DIR/console.txt")
ok "[ $rc -eq 0 ]" "the guest script ran to its end and passed (run.sh exit $rc)"

# ---- causes off the wire: the guest's captures, decoded here (gw.sh) ----
cp "$E2E_DIR/guest/sip.pcap" "$E2E_DIR/guest/dchan.pcap" "$E2E_DIR/" 2>/dev/null
trace=$(sip_trace)
q931=$(q931_trace)
diag "SIP (guest loopback): $(tr '\n' ',' <<<"$trace")"
diag "Q.931 (span 2's D-channel): $(tr '\n' ' ' <<<"$q931")"
ok '[ "$(grep -cx "BYE Q.850;cause=38" <<<"$trace")" -eq 1 ]' \
	"span 1's red alarm clears the call toward the phone with a BYE carrying Reason: Q.850;cause=38 (RFC 3326)"
ok 'grep -qx "BYE Q.850;cause=17" <<<"$trace"' \
	"the switch's DISCONNECT cause 17 reaches the phone as BYE with Reason: Q.850;cause=17 (RFC 3326)"
ok 'grep -qx "0x45|16" <<<"$q931"' \
	"the phone's BYE leaves the gateway as Q.931 DISCONNECT cause 16 on span 1's D-channel (RFC 3398: BYE -> 16 normal clearing)"
ok '[ "$(grep -c "^0x05|" <<<"$q931")" -eq 3 ]' \
	"three Q.931 SETUPs crossed the real D-channel (two from the gateway, one from the switch)"
diag "wall time $(awk -v a="$t0" -v b="$(_e2e_now)" 'BEGIN { printf "%.0f", b - a }') s"
if [ "$E2E_FAILED" -gt 0 ]; then
	# lib.sh's failure report prints the end of every *.log in $E2E_DIR
	cp "$E2E_DIR/console.txt" "$E2E_DIR/console.log"
fi
e2e_done
