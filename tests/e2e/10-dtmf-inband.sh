#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# In-band DTMF from the ISDN side reaches the SIP phone as RFC 4733 events
# only (issue 8): the switch sends the 16 digits in-band (spandsp dtmf_tx,
# -10 dBm0 per tone, 100 ms on, 100 ms off) and nothing else; the phone
# must report each digit once as a telephone-event, and its recording of
# the audio it received must hold none of them: spandsp's dtmf_rx finds no
# digit in it, and no 20 ms of it is louder than -50 dBm0 (pstnsim --scan).
# Before the fix the first 20-40 ms of a digit, heard before the gateway's
# detector was sure, went out in-band. Then the switch sends 1004 Hz at
# -10 dBm0, which the same scan must find: the measure can fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init dtmf-inband

DIGITS='123A456B789C*0#D'
TONE_S=2		# the switch's tone before the hangup

# scan REC FROM_S DUR_S: "DIGITS LOUDEST FREQ BURSTS" of part of a recording
scan() {
	"$E2E_BUILD/tests/tools/pstnsim" --scan "$@" |
		sed -n 's/.*digits=\([^ ]*\) loudest=\([-0-9.]*\) at=[-0-9.]* freq=\([-0-9.]*\) limit=[-0-9]* bursts=\([0-9]*\).*/\1 \2 \3 \4/p'
}

gw_setup auto || e2e_done
sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
check "sim_wait '^EVENT CONNECT id=' 10" "SETUP -> INVITE -> 200 OK -> CONNECT: the call is answered"
id=$(sim_id CALL)
sim "silence $id"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5" "the SIP phone has the call established"
sleep 1

sim "dtmf $id $DIGITS"
check "baresip_wait_event $PHONE_CTRL CALL_DTMF_START 8 ${#DIGITS}" \
	"${#DIGITS} in-band digits from the switch reach the phone as RFC 4733 events"
sleep 1
digits=$(baresip_event_params $PHONE_CTRL CALL_DTMF_START | tr -d '\n')
ok '[ "$digits" = "$DIGITS" ]' "RFC 4733: each digit exactly once, in order: '$digits'"
ok '[ "$(baresip_count $PHONE_CTRL CALL_DTMF_END)" -eq ${#DIGITS} ]' \
	"and each one ends once ($(baresip_count $PHONE_CTRL CALL_DTMF_END) ends)"

sim "tone $id $SWITCH_TONE -10"
sleep "$TONE_S"
sim "hangup $id cause=16"
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5" "DISCONNECT (cause 16) -> BYE: the phone's call ends"
check "sim_wait '^EVENT HANGUP id=$id cause=16' 5" "the switch's call is released"

rec=$(baresip_rec phone)
len=$(awk -v s="$(stat -c %s "$rec" 2>/dev/null || echo 44)" 'BEGIN { printf "%.3f", (s - 44) / 16000 }')
# everything before the tone (with half a second to spare), and the tone
read -r inband loudest freq bursts < <(scan "$rec" 0 "$(awk -v l="$len" -v t="$TONE_S" 'BEGIN { print l - t - 0.5 }')")
read -r _ tone_l tone_f _ < <(scan "$rec" "$(awk -v l="$len" -v t="$TONE_S" 'BEGIN { print l - t + 0.5 }')" 1)
diag "the phone's recording ($len s), call start to the tone: in-band digits '$inband', loudest 20 ms $loudest dBm0 at $freq Hz, $bursts bursts above -50 dBm0"
ok '[ "$inband" = "-" ]' "spandsp's dtmf_rx finds no digit in the audio the phone received: '$inband'"
ok "awk 'BEGIN { exit !($loudest < -50) }'" \
	"no in-band DTMF reaches the phone: no 20 ms of its received audio above -50 dBm0 ($bursts bursts; loudest $loudest dBm0 at $freq Hz)"
ok "within $tone_l -10 1.0 && within $tone_f $SWITCH_TONE 2%" \
	"the same scan sees the switch's $SWITCH_TONE Hz at -10 dBm0 afterwards: $tone_l dBm0 at $tone_f Hz"
chan=$(grep -E "^EVENT CALL id=$id " "$E2E_DIR/pstnsim.out" | sed -n 's/.* chan=\([0-9]*\).*/\1/p')
ok "[ \"\$(grep -c \"DEBUG dsp: span1/B$chan: DTMF '.' start\" '$E2E_DIR/sipgwd.log')\" -eq ${#DIGITS} ]" \
	"the gateway's detector reported each digit once (its log)"
gw_finish
e2e_done
