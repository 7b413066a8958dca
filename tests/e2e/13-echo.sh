#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Echo cancellation measured at the far end, in the manner of ITU-T G.168:
# the switch reflects the gateway's audio back as a hybrid would (20 ms,
# 10 dB loss) and sends nothing else; the SIP phone sends a broadband,
# speech-like signal (band-limited pink noise) and records what comes back,
# which is the echo that got through the gateway. One call with the
# canceller off (the echo arrives at input - 10 dB: the measurement sees
# echo), one with it on: ERLE = level(off) - level(on) after convergence.
# A third call checks double talk: with the canceller on and converged, a
# 1004 Hz tone from the switch reaches the phone at its level.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init echo

ECHO_DELAY_MS=20
ECHO_LOSS_DB=10
CONVERGE_S=10		# each call lasts this long before the measurement ends
MEASURE_S=4		# the last seconds measured (phone_measure: up to 0.5 s before the end)

gw_setup auto || e2e_done
# The phone's source: baresip's aufile opens the WAV at each call's start,
# so replacing gw_setup's tone now makes every call send the noise. Long
# enough for all calls (baresip hangs up when it ends).
sox -q -n -r 8000 -c 1 -b 16 -e signed-integer "$E2E_DIR/phone.wav" \
	synth 60 pinknoise sinc 300-3400 vol 0.7 || { ok false "sox makes the pink noise"; e2e_done; }
read -r _ in_level < <("$E2E_BUILD/tests/tools/pstnsim" --analyse "$E2E_DIR/phone.wav" \
	$((CONVERGE_S - MEASURE_S)) "$MEASURE_S" | sed -n 's/.*freq=\([-0-9.]*\) level=\([-0-9.]*\).*/\1 \2/p')
diag "the phone sends pink noise 300-3400 Hz at $in_level dBm0"

ncalls=0

# echo_call [TONE_AFTER_S]: one call ISDN->SIP with the switch's hybrid echo
# on; with TONE_AFTER_S, the switch also sends 1004 Hz at -10 dBm0 from
# then on (double talk). Sets $rec (the phone's recording of this call),
# $timing (what both sides saw) and $window_late (late echo frames during
# the measured seconds and the second before them).
echo_call() {
	local tone_after=${1:-} id prev
	prev=$(baresip_rec phone)
	ncalls=$((ncalls + 1))
	sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
	wait_for_count '^EVENT CONNECT id=' "$ncalls" 10 || return 1
	id=$(sim_id CALL)
	sim "echo $id $ECHO_DELAY_MS $ECHO_LOSS_DB"
	baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5 "$ncalls" || return 1
	# A frame the gateway answered after its chunk period has part of its
	# echo missing, which looks to the canceller like a changed echo path
	# (it converges again in about a second): counted from a second before
	# the measured seconds to the end.
	local late0 late1 st
	sleep $((CONVERGE_S - MEASURE_S - 1))
	# echo_late: frames of the calls so far that had part of the switch's
	# echo missing (the gateway's answer came after its chunk period, a
	# stall of this host)
	late0=$(sim_status echo_late)
	if [ -n "$tone_after" ]; then
		sleep $((tone_after - (CONVERGE_S - MEASURE_S - 1)))
		sim "tone $id $SWITCH_TONE -10"
		sleep $((CONVERGE_S - tone_after))
	else
		sleep $((MEASURE_S + 1))
	fi
	late1=$(sim_status echo_late)
	window_late=$((late1 - late0))
	st=$(grep -E '^EVENT STATUS ' "$E2E_DIR/pstnsim.out" | tail -n 1)
	timing="call $ncalls timing: late echo frames in the measured seconds $window_late; switch $(grep -oE '(slips|echo_late)=[0-9]+' <<<"$st" | tr '\n' ' ')gateway $(ctl --json show spans | grep -oE '"slips":[0-9]+')"
	sim "hangup $id cause=16"
	baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 "$ncalls" || return 1
	sim_wait "^EVENT HANGUP id=$id " 5 || return 1
	sleep 1.1 # the next call's recording gets a name of its own (one per second)
	rec=$(baresip_rec phone)
	[ -n "$rec" ] && [ "$rec" != "$prev" ]
}

# measured_call WHAT [TONE_AFTER_S]: an echo_call whose measured seconds had
# the whole echo path. One where the host stalled (late echo frames) measures
# a broken line, not the canceller: it is void and made again, at most twice.
measured_call() {
	local what=$1 try
	shift
	for try in 1 2 3; do
		check "echo_call $*" "$what" || return 1
		diag "$timing"
		[ "$window_late" -eq 0 ] && return 0
		[ "$try" -lt 3 ] && diag "$window_late late echo frames in the measured seconds: measurement void, call made again"
	done
	return 0
}

# 1. canceller on (the default)
measured_call "call 1 (canceller on): ISDN->SIP answered, switch echo $ECHO_DELAY_MS ms / $ECHO_LOSS_DB dB, ${CONVERGE_S} s, a recording of its own"
read -r _ on_level < <(phone_measure "$MEASURE_S")
diag "canceller on: the phone receives $on_level dBm0 over the last $MEASURE_S s"

# 2. canceller off: reload applies echo_cancel to new calls
gw_config "$E2E_DIR/gw.conf" echo_cancel=no
check "ctl reload" "sipgwctl reload takes echo_cancel = no"
measured_call "call 2 (canceller off): answered, a recording of its own"
read -r _ off_level < <(phone_measure "$MEASURE_S")
diag "canceller off: the phone receives $off_level dBm0 over the last $MEASURE_S s"
ok 'grep -q "media started.*echo canceller off" "$E2E_DIR/sipgwd.log"' \
	"the reloaded config's echo_cancel = no reaches the new call's media"
expect=$(awk -v i="$in_level" -v l="$ECHO_LOSS_DB" 'BEGIN { printf "%.1f", i - l }')
ok "within $off_level $expect 3" \
	"without the canceller the echo arrives at input - $ECHO_LOSS_DB dB ($expect dBm0, +-3): $off_level dBm0"
erle=$(awk -v a="$off_level" -v b="$on_level" 'BEGIN { printf "%.1f", a - b }')
diag "ERLE = level(off) - level(on) = $off_level - ($on_level) = $erle dB" \
	"(floor: silence through A-law, whose smallest codes are +-8, reads about -66 dBm0)"
ok "awk 'BEGIN { exit !($erle >= 20) }'" \
	"G.168: echo return loss enhancement with the canceller on >= 20 dB: $erle dB"

# 3. double talk: canceller on, converged on the phone's signal, then the
# switch talks too
gw_config "$E2E_DIR/gw.conf" echo_cancel=yes
check "ctl reload" "sipgwctl reload takes echo_cancel = yes again"
measured_call "call 3 (canceller on, double talk): the switch sends $SWITCH_TONE Hz -10 dBm0 over the echo for the last $MEASURE_S s" \
	$((CONVERGE_S - MEASURE_S))
read -r f l < <(phone_measure $((MEASURE_S - 1)))
ok "within $f $SWITCH_TONE 0.5%" "double talk: the phone hears the switch's $SWITCH_TONE Hz: $f Hz"
ok "within $l -10 2" "double talk: at -10 dBm0 (+-2): $l dBm0 (the canceller does not kill the near end)"

ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left"
gw_finish
e2e_done
