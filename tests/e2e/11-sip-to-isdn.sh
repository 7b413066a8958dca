#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A call from a SIP phone to the ISDN network through sipgwd: the E.164
# Request-URI becomes a national called number in the Q.931 SETUP, the
# switch answers, audio both ways (tone frequency and level at each far
# end), DTMF both ways exactly once, and the phone's BYE becomes a
# DISCONNECT with cause 16.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init sip-to-isdn
gw_setup auto || e2e_done
sip_capture_start

baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=' 10" "INVITE -> Q.931 SETUP reaches the switch"
ring=$(grep -E '^EVENT RING ' "$E2E_DIR/pstnsim.out" | tail -n 1)
diag "$ring"
id=$(sim_id RING)
ok 'grep -q "called=30555 called_ton=national" <<<"$ring"' \
	"Request-URI sip:+4930555 -> called party number 30555, type national (country code 49 removed)"
ok 'grep -q "calling=30123456 calling_ton=national" <<<"$ring"' \
	"From sip:+4930123456 -> calling party number 30123456, type national"
ok 'grep -q "bearer=speech" <<<"$ring"' "bearer capability speech"

sim "alert $id"
# pstnsim's ALERTING says in-band information is available (progress
# indicator 8: the network plays ringback), so the 180 carries SDP and
# baresip reports early media as CALL_PROGRESS
check "baresip_wait_event $PHONE_CTRL CALL_PROGRESS 5" "ALERTING (in-band) -> 180 Ringing with SDP: early media at the phone"
sim "answer $id"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5" "CONNECT -> 200 OK: the phone's call is established"

out=$(ctl show calls)
ok 'grep -qE "sip->isdn +ACTIVE +1/[0-9]+ +\+4930123456 +\+4930555" <<<"$out"' "sipgwctl show calls lists the call"
ok 'ctl show channels | grep -qE "^1/[0-9]+ +busy +[0-9]+"' "sipgwctl show channels shows its B-channel busy"

baresip_dtmf $PHONE_CTRL "123"
wait_for_count "^EVENT DTMF id=$id " 3 5
sim "dtmf $id 456"
baresip_wait_event $PHONE_CTRL CALL_DTMF_START 5 3
sleep 1
got=$(grep -E "^EVENT DTMF id=$id " "$E2E_DIR/pstnsim.out" | sed 's/.*digit=//' | tr -d '\n')
ok '[ "$got" = "123" ]' "RFC 4733 digits 123 from the phone arrive in-band at the switch, each once: '$got'"
digits=$(baresip_event_params $PHONE_CTRL CALL_DTMF_START | tr -d '\n')
ok '[ "$digits" = "456" ]' "in-band digits 456 from the switch arrive at the phone as RFC 4733, each once: '$digits'"

sim "tone $id $SWITCH_TONE -10"
sleep 1
read -r f l < <(sim_measure "$id" 2000)
ok "within $f $PHONE_TONE 0.5%" "the switch hears the phone's $PHONE_TONE Hz: $f Hz"
ok "within $l $PHONE_LEVEL_DBM0 1.0" "at the level the phone sent ($PHONE_LEVEL_DBM0 dBm0): $l dBm0"

baresip_hangup $PHONE_CTRL
check "sim_wait '^EVENT DISCONNECT id=$id cause=16' 5" "the phone's BYE -> DISCONNECT cause 16 (normal call clearing)"
check "sim_wait '^EVENT HANGUP id=$id' 5" "the switch's call is released"
read -r f l < <(phone_measure 1)
ok "within $f $SWITCH_TONE 0.5%" "the phone heard the switch's $SWITCH_TONE Hz: $f Hz"
ok "within $l -10 1.0" "at -10 dBm0: $l dBm0"
sip_capture_stop
trace=$(sip_trace)
diag "SIP: $(tr '\n' ',' <<<"$trace")"
ok 'grep -qx "180" <<<"$trace" && grep -qx "200" <<<"$trace"' "180 and 200 on the wire"
q931=$(q931_trace | cut -d'|' -f1 | tr '\n' ' ')
diag "Q.931: $q931"
ok 'grep -q "0x07 0x0f" <<<"$q931"' "the gateway acknowledges the switch's CONNECT (Q.931 CONNECT ACKNOWLEDGE 0x0f)"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left"
# lib/fsm's counters (ARCHITECTURE.md "State machines"): one call made and
# ended by each machine, none failed, none left in the gw and ISDN ones
wait_until 5 'ctl show machines | grep -qE "^isdn call +1 +0 +1 "'
machines=$(ctl show machines)
diag "$(tr '\n' ';' <<<"$machines")"
ok 'grep -qE "^call +1 +0 +1 +0 +0 " <<<"$machines"' \
	"show machines: the call machine made 1, has 0, ended 1, failed 0, refused 0"
ok 'grep -qE "^isdn call +1 +0 +1 +0 " <<<"$machines"' \
	"show machines: the ISDN call machine made 1, has 0, ended 1, failed 0"
ok 'grep -qE "^sip call +1 +[01] " <<<"$machines"' \
	"show machines: the SIP dialog machine made 1 (kept until its transactions end, RFC 3261 17.2.2)"
gw_finish
e2e_done
