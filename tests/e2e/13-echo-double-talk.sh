#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Double talk with no echo path, in the manner of ITU-T G.168 (near-end
# quality kept, the canceller not diverging): the SIP phone talks (440 Hz
# at -10 dBm0, the whole call) and the switch returns no echo at all; after
# the phone has talked alone for a while, the switch (the ISDN party, the
# canceller's near end) sends 1004 Hz at -30 dBm0, then 440 Hz at -30 (the
# phone's own frequency), then 2600 Hz at -10 (a harmonic of the periodic
# G.711 error of a 440 Hz tone). Each must reach the phone at its level
# within 0.5 dB, with the canceller on as with it off (issue 8, finding 2:
# they arrived 9 dB low, vanished, and wobbled by 10 dB). tests/e2e/13-echo.sh
# checks that the echo itself still goes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init echo-double-talk

ALONE_S=3		# the phone talks alone first
SEG_S=4			# each of the switch's tones lasts this long
MEAS_S=2		# measured: the middle of each segment
TONES="1004:-30 440:-30 2600:-10"

gw_setup auto || e2e_done
# The phone's source: 440 Hz at -10 dBm0 (gen_tone_wav's scale: -13 dBFS
# is -6.9 dBm0), replacing gw_setup's for every call.
gen_tone_wav "$E2E_DIR/phone.wav" "$PHONE_TONE" 60 \
	"$(awk -v l="$PHONE_LEVEL_DBM0" 'BEGIN { printf "%.2f", -13 - (l + 10) }')" ||
	{ ok false "sox makes the phone's tone"; e2e_done; }
read -r pf pl < <("$E2E_BUILD/tests/tools/pstnsim" --analyse "$E2E_DIR/phone.wav" 1 2 |
	sed -n 's/.*freq=\([-0-9.]*\) level=\([-0-9.]*\).*/\1 \2/p')
diag "the phone sends $pf Hz at $pl dBm0"

ncalls=0
# dt_call WHAT: one call ISDN->SIP, no echo; the switch silent for ALONE_S,
# then each of TONES for SEG_S; sets $rec (the phone's recording)
dt_call() {
	local id prev t
	prev=$(baresip_rec phone)
	ncalls=$((ncalls + 1))
	sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
	wait_for_count '^EVENT CONNECT id=' "$ncalls" 10 || { echo "no CONNECT $ncalls"; return 1; }
	id=$(sim_id CALL)
	sim "silence $id"
	baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5 "$ncalls" || { echo "phone: no CALL_ESTABLISHED $ncalls"; return 1; }
	sleep "$ALONE_S"
	for t in $TONES; do
		sim "tone $id ${t%%:*} ${t##*:}"
		sleep "$SEG_S"
	done
	sim "hangup $id cause=16"
	baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 "$ncalls" || { echo "phone: no CALL_CLOSED $ncalls"; return 1; }
	sim_wait "^EVENT HANGUP id=$id " 5 || { echo "switch: no HANGUP of $id"; return 1; }
	sleep 1.1 # the next call's recording gets a name of its own (one per second)
	rec=$(baresip_rec phone)
	[ -n "$rec" ] && [ "$rec" != "$prev" ]
}

# measure_segments LABEL: one line per tone, "FREQ LEVEL" of the middle
# MEAS_S seconds of its segment, counted from the recording's end (the
# hangup follows the last segment)
measure_segments() {
	local n=0 k t from
	k=$(wc -w <<<"$TONES")
	for t in $TONES; do
		n=$((n + 1))
		from=$(awk -v k="$k" -v n="$n" -v s="$SEG_S" -v m="$MEAS_S" \
			'BEGIN { print (k - n) * s + (s - m) / 2 + m }')
		read -r f l < <(phone_measure "$MEAS_S" "$from")
		echo "${t%%:*} ${t##*:} $f $l"
	done
}

# 1. canceller off: the measure
gw_config "$E2E_DIR/gw.conf" echo_cancel=no
check "ctl reload" "sipgwctl reload takes echo_cancel = no"
check dt_call "call 1 (canceller off): ISDN->SIP answered, the phone sends 440 Hz -10 dBm0, no echo path"
while read -r hz lv f l; do
	diag "canceller off: the switch's $hz Hz at $lv dBm0 reaches the phone as $f Hz at $l dBm0"
	ok "within $l $lv 0.5" "canceller off: the switch's $hz Hz at $lv dBm0 arrives within 0.5 dB: $l dBm0"
done < <(measure_segments off)

# 2. canceller on (the default)
gw_config "$E2E_DIR/gw.conf" echo_cancel=yes
check "ctl reload" "sipgwctl reload takes echo_cancel = yes"
check dt_call "call 2 (canceller on): ISDN->SIP answered, the phone sends 440 Hz -10 dBm0, no echo path"
while read -r hz lv f l; do
	diag "canceller on: the switch's $hz Hz at $lv dBm0 reaches the phone as $f Hz at $l dBm0"
	ok "within $f $hz 1%" "G.168 double talk: the phone hears the switch's $hz Hz ($f Hz), not its own 440 Hz or an artefact"
	ok "within $l $lv 0.5" \
		"G.168 double talk, no echo path: the switch's $hz Hz at $lv dBm0 arrives within 0.5 dB while the phone sends 440 Hz at -10 dBm0: $l dBm0"
done < <(measure_segments on)

ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left"
gw_finish
e2e_done
