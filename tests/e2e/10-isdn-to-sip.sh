#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A call from the ISDN network to a SIP phone through sipgwd, checked at
# both far ends: numbers (Q.931 TON national -> E.164, RFC 3966), audio
# both ways (tone frequency and level), DTMF both ways exactly once
# (in-band <-> RFC 4733), clearing with the cause in a Reason header
# (RFC 3326) and sipgwctl's view of the call.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init isdn-to-sip
gw_setup auto || e2e_done
sip_capture_start

# Q.931 SETUP: called 30123456 national, calling 301111 national
sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
check "sim_wait '^EVENT CONNECT id=' 10" "SETUP -> INVITE -> 200 OK -> CONNECT: the call is answered"
id=$(sim_id CALL)
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5" "the SIP phone has the call established"
peer=$(grep -F '"type":"CALL_ESTABLISHED"' "$(baresip_events $PHONE_CTRL)" | head -n 1 |
	sed -n 's/.*"peeruri":"\([^"]*\)".*/\1/p')
ok '[[ "$peer" == "sip:+49301111@"* ]]' \
	"calling number 301111 (national, country code 49) arrives as sip:+49301111 (RFC 3966 E.164): $peer"

out=$(ctl show calls)
ok 'grep -qE "isdn->sip +ACTIVE +1/[0-9]+ +\+49301111 +\+4930123456" <<<"$out"' \
	"sipgwctl show calls lists the active call with both numbers"
diag "$(head -n 2 <<<"$out" | tail -n 1)"
json=$(ctl --json show calls)
ok 'grep -q "\"state\":\"ACTIVE\"" <<<"$json" && grep -q "\"from\":\"+49301111\"" <<<"$json"' \
	"sipgwctl --json show calls gives the same as JSON"

# audio both ways: the switch sends 1004 Hz at -10 dBm0, the phone 440 Hz
sim "tone $id $SWITCH_TONE -10"
sleep 1
read -r f l < <(sim_measure "$id" 2000)
ok "within $f $PHONE_TONE 0.5%" "the switch hears the phone's $PHONE_TONE Hz: $f Hz"
ok "within $l $PHONE_LEVEL_DBM0 1.0" "at the level the phone sent ($PHONE_LEVEL_DBM0 dBm0): $l dBm0"

# DTMF: in-band from the switch -> RFC 4733 at the phone
sim "dtmf $id 1234567890*#"
check "baresip_wait_event $PHONE_CTRL CALL_DTMF_START 8 12" \
	"12 in-band digits from the switch reach the phone as RFC 4733 events"
sleep 1
digits=$(baresip_event_params $PHONE_CTRL CALL_DTMF_START | tr -d '\n')
ok '[ "$digits" = "1234567890*#" ]' "each digit exactly once, in order: '$digits'"
chan=$(grep -E "^EVENT CALL id=$id " "$E2E_DIR/pstnsim.out" | sed -n 's/.* chan=\([0-9]*\).*/\1/p')
ok "grep -q \"DEBUG dsp: span1/B$chan: DTMF '1' start\" '$E2E_DIR/sipgwd.log'" \
	"the log names the digit's channel: 'dsp: span1/B$chan: DTMF '1' start'"

# RFC 4733 from the phone -> in-band at the switch
baresip_dtmf $PHONE_CTRL "#9*0"
wait_for_count "^EVENT DTMF id=$id " 4 5
sleep 1
got=$(grep -E "^EVENT DTMF id=$id " "$E2E_DIR/pstnsim.out" | sed 's/.*digit=//' | tr -d '\n')
ok '[ "$got" = "#9*0" ]' "RFC 4733 digits from the phone arrive in-band at the switch, each once: '$got'"

# the phone heard the switch's tone (its recording, measured after the call)
sleep 1.5
sim "hangup $id cause=16"
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5" "DISCONNECT (cause 16) -> BYE: the phone's call ends"
check "sim_wait '^EVENT HANGUP id=$id cause=16' 5" "the switch's call is released (RELEASE/RELEASE COMPLETE)"
read -r f l < <(phone_measure 1)
ok "within $f $SWITCH_TONE 0.5%" "the phone heard the switch's $SWITCH_TONE Hz: $f Hz"
ok "within $l -10 1.0" "at -10 dBm0: $l dBm0"
sip_capture_stop
trace=$(sip_trace)
diag "SIP: $(tr '\n' ',' <<<"$trace")"
ok 'grep -qx "BYE Q.850;cause=16" <<<"$trace"' "the BYE carries Reason: Q.850;cause=16 (RFC 3326)"
ok 'grep -qx "INVITE" <<<"$trace" && grep -qx "200" <<<"$trace"' "INVITE answered 200 on the wire"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left in sipgwctl show calls"
gw_finish
e2e_done
