#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Calls that are never answered, both ways, with the cause read off both
# wires (tshark on the SIP port, the switch's D-channel capture, pstnsim's
# events): busy (486 <-> cause 17), unknown number (404 <-> cause 1) and
# CANCEL before answer from either side (RFC 3261 section 9, Reason
# header RFC 3326). Afterwards no call and no busy B-channel may be left,
# and one more call must go through.
#
# The phone runs in manual answer mode: incoming calls ring (180) until the
# test accepts or rejects them. baresip 1.0.0 rejects a ringing call
# (ctrl_tcp "hangup") with "486 Rejected": status 486, its own reason
# phrase; it ignores a status code given as "params".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init busy-cancel
gw_setup manual || e2e_done

# Q.931 message types (Q.931 table 4-2), as q931_trace prints them
Q_DISCONNECT=0x45
Q_RELEASE=0x4d
Q_RELEASE_COMPLETE=0x5a

# scenario TEXT: start one: a fresh SIP capture, remember where the D-channel
# trace and the phone's event counts stand
scenario() {
	local t
	diag "---- $*"
	Q931_FROM=$(($(q931_trace | wc -l) + 1))
	for t in CALL_INCOMING CALL_PROGRESS CALL_ESTABLISHED CALL_CLOSED; do
		printf -v "BASE_$t" %s "$(baresip_count $PHONE_CTRL $t)"
	done
	sip_capture_start
}

# phone_wait TYPE TIMEOUT: the phone reports one more TYPE in this scenario
phone_wait() {
	local base="BASE_$1"
	baresip_wait_event $PHONE_CTRL "$1" "$2" $((${!base} + 1))
}

# closed_param: the param of the phone's CALL_CLOSED in this scenario
closed_param() {
	baresip_event_params $PHONE_CTRL CALL_CLOSED | sed -n "$((BASE_CALL_CLOSED + 1))p"
}

# scenario_end NAME: stop the capture (kept as sip-NAME.pcap), set $trace
# (sip_trace of this scenario) and $q931 ("TYPE|CAUSE" lines of this scenario)
scenario_end() {
	sip_capture_stop
	cp "$E2E_DIR/sip.pcap" "$E2E_DIR/sip-$1.pcap"
	trace=$(sip_trace)
	q931=$(q931_trace | tail -n +"$Q931_FROM")
	diag "SIP: $(tr '\n' ',' <<<"$trace")"
	diag "Q.931: $(tr '\n' ' ' <<<"$q931")"
}

OK_TO_CANCEL='sip.Status-Code == 200 && sip.CSeq.method == "CANCEL"'
OK_TO_INVITE='sip.Status-Code == 200 && sip.CSeq.method == "INVITE"'

no_call_left() {
	[ -z "$(ctl show calls | tail -n +2)" ]
}

ISDN_CALL="call called=30123456 called_ton=national calling=301111 calling_ton=national"

# ---- 1. the SIP phone is busy: 486 -> cause 17 (RFC 3398 8.2.6.1)
scenario "1: the SIP phone rejects an ISDN call as busy"
sim "$ISDN_CALL"
check "phone_wait CALL_INCOMING 10" "SETUP -> INVITE: the phone rings (manual answer)"
id=$(sim_id CALL)
check "sim_wait '^EVENT ALERTING id=$id ' 5" "180 Ringing -> Q.931 ALERTING at the switch"
baresip_hangup $PHONE_CTRL
check "sim_wait '^EVENT DISCONNECT id=$id cause=17\$' 5" \
	"486 -> Q.931 DISCONNECT cause 17 user busy at the switch (RFC 3398 8.2.6.1)"
ok "grep -qE 'failed: .*\\(status 486, no Reason\\)' '$E2E_DIR/sipgwd.log' && ! grep -q 'cause -1' '$E2E_DIR/sipgwd.log'" \
	"the log says 'status 486, no Reason' (baresip's 486 has no RFC 3326 Reason), never 'cause -1'"
check "sim_wait '^EVENT HANGUP id=$id ' 5" "the switch's call is released (RELEASE/RELEASE COMPLETE)"
check "phone_wait CALL_CLOSED 5" "the phone's call is closed"
scenario_end busy-sip
ok 'grep -qx "486" <<<"$trace"' "the phone's 486 is on the wire"
ok 'grep -qx "ACK" <<<"$trace"' "the gateway ACKs the 486 (RFC 3261 section 17.1.1.3)"
ok 'grep -qx "$Q_DISCONNECT|17" <<<"$q931"' "the D-channel carries DISCONNECT with cause 17 (Q.931 5.3.3)"
ok no_call_left "no call is left"

# ---- 2. the ISDN user is busy: cause 17 -> 486 (RFC 3398 7.2.4.1)
scenario "2: the switch rejects a SIP call with user busy"
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=[0-9]+ .*called=30555 ' 10" "INVITE -> Q.931 SETUP reaches the switch"
id=$(sim_id RING)
sim "hangup $id cause=17"
check "phone_wait CALL_CLOSED 5" "the phone's call fails"
p=$(closed_param)
ok '[ "$p" = "486 Busy Here" ]' \
	"cause 17 user busy -> 486 Busy Here at the phone (RFC 3398 7.2.4.1): '$p'"
check "sim_wait '^EVENT HANGUP id=$id ' 5" "the switch's call is released"
scenario_end busy-isdn
ok 'grep -qx "$Q_DISCONNECT|17" <<<"$q931"' "the switch's DISCONNECT with cause 17 is on the D-channel"
ok 'grep -qx "486 Q.850;cause=17" <<<"$trace"' "the 486 carries Reason: Q.850;cause=17 (RFC 3326)"
ok 'grep -qx "ACK" <<<"$trace"' "the phone ACKs the 486"
ok no_call_left "no call is left"

# ---- 3a. no such SIP user: 404 -> cause 1 (RFC 3398 8.2.6.1)
# 030 999999 becomes sip:+4930999999, a user the phone has no account for.
# libpri clears with RELEASE COMPLETE instead of DISCONNECT for causes 1,
# 34, 44, 81 and 82 (q931.c, __q931_hangup), so either carries the cause.
scenario "3a: the switch calls a number the phone has no account for"
sim "call called=30999999 called_ton=national calling=301111 calling_ton=national"
check "sim_wait '^EVENT CALL id=' 5" "the switch sends SETUP"
id=$(sim_id CALL)
check "sim_wait '^EVENT HANGUP id=$id cause=1\$' 10" \
	"404 Not Found -> the switch's call is cleared with cause 1 unallocated number (RFC 3398 8.2.6.1)"
scenario_end unknown-sip
ok 'grep -q "^INVITE" <<<"$trace" && grep -qx "404" <<<"$trace"' \
	"the phone answers INVITE sip:+4930999999 404 Not Found on the wire"
ok 'grep -qx "ACK" <<<"$trace"' "the gateway ACKs the 404"
ok 'grep -qE "^($Q_DISCONNECT|$Q_RELEASE|$Q_RELEASE_COMPLETE)\|1\$" <<<"$q931"' \
	"the gateway's clearing message on the D-channel carries cause 1 (Q.931 5.3)"
ok no_call_left "no call is left"

# ---- 3b. unallocated ISDN number: cause 1 -> 404 (RFC 3398 7.2.4.1)
scenario "3b: the switch rejects a SIP call as unallocated number"
baresip_dial $PHONE_CTRL "sip:+4930999@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=[0-9]+ .*called=30999 ' 10" "INVITE -> Q.931 SETUP reaches the switch"
id=$(sim_id RING)
sim "hangup $id cause=1"
check "phone_wait CALL_CLOSED 5" "the phone's call fails"
p=$(closed_param)
ok '[ "$p" = "404 Not Found" ]' \
	"cause 1 unallocated number -> 404 Not Found at the phone (RFC 3398 7.2.4.1): '$p'"
scenario_end unknown-isdn
ok 'grep -qE "^($Q_DISCONNECT|$Q_RELEASE_COMPLETE)\|1\$" <<<"$q931"' \
	"the switch's clearing message with cause 1 is on the D-channel"
ok 'grep -qx "404 Q.850;cause=1" <<<"$trace"' "the 404 carries Reason: Q.850;cause=1 (RFC 3326)"
ok "grep -qE '^EVENT HANGUP id=$id cause=1\$' '$E2E_DIR/pstnsim.out'" \
	"the switch's call is gone too (libpri cleared it with RELEASE COMPLETE at once)"
ok no_call_left "no call is left"

# ---- 4. the ISDN caller gives up while the phone rings: CANCEL
scenario "4: the ISDN caller hangs up before the phone answers"
sim "$ISDN_CALL"
check "phone_wait CALL_INCOMING 10" "SETUP -> INVITE: the phone rings"
id=$(sim_id CALL)
check "sim_wait '^EVENT ALERTING id=$id ' 5" "180 Ringing -> ALERTING at the switch"
sim "hangup $id cause=16"
check "phone_wait CALL_CLOSED 5" "DISCONNECT before answer -> CANCEL: the phone stops ringing"
check "sim_wait '^EVENT HANGUP id=$id cause=16\$' 5" "the switch's call is released"
scenario_end cancel-isdn
ok 'grep -qx "$Q_DISCONNECT|16" <<<"$q931"' "the switch's DISCONNECT with cause 16 is on the D-channel"
ok 'grep -qx "CANCEL Q.850;cause=16" <<<"$trace"' \
	"the gateway CANCELs the INVITE (RFC 3261 section 9.1) with Reason: Q.850;cause=16 (RFC 3326)"
ok '[ "$(sip_count "$OK_TO_CANCEL")" -eq 1 ]' "the phone answers the CANCEL 200 (RFC 3261 section 9.2)"
ok 'grep -qx "487" <<<"$trace"' "and the INVITE 487 Request Terminated (RFC 3261 section 9.2)"
ok 'grep -qx "ACK" <<<"$trace"' "the gateway ACKs the 487"
ok '[ "$(sip_count "$OK_TO_INVITE")" -eq 0 ]' "no 200 to the INVITE: the call was never answered"
ok no_call_left "no call is left"

# ---- 5. the SIP caller gives up while the ISDN side rings: CANCEL
scenario "5: the SIP caller hangs up before the switch answers"
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=[0-9]+ .*called=30555 ' 10" "INVITE -> Q.931 SETUP reaches the switch"
id=$(sim_id RING)
sim "alert $id"
check "phone_wait CALL_PROGRESS 5" "ALERTING -> 180 Ringing (with SDP) at the phone"
baresip_hangup $PHONE_CTRL
check "sim_wait '^EVENT DISCONNECT id=$id cause=16\$' 5" \
	"CANCEL -> DISCONNECT cause 16 normal call clearing (RFC 3398 8.2.6.1, CANCEL)"
check "sim_wait '^EVENT HANGUP id=$id ' 5" "the switch's call is released"
check "phone_wait CALL_CLOSED 5" "the phone's call is closed"
scenario_end cancel-sip
ok 'grep -q "^CANCEL" <<<"$trace"' "the phone's CANCEL is on the wire"
ok '[ "$(sip_count "$OK_TO_CANCEL")" -eq 1 ]' "the gateway answers the CANCEL 200 (RFC 3261 section 9.2)"
ok 'grep -qE "^487( |\$)" <<<"$trace"' "and the INVITE 487 Request Terminated (RFC 3261 section 9.2)"
ok '[ "$(sip_count "$OK_TO_INVITE")" -eq 0 ]' "no 200 to the INVITE: the call was never answered"
ok 'grep -qx "$Q_DISCONNECT|16" <<<"$q931"' "the gateway's DISCONNECT with cause 16 is on the D-channel"

# ---- 6. nothing leaked, and the gateway still connects calls
ok no_call_left "sipgwctl show calls is empty after all that"
chans=$(ctl show channels)
nall=$(tail -n +2 <<<"$chans" | grep -c .)
nidle=$(tail -n +2 <<<"$chans" | grep -cE '^1/[0-9]+ +idle +-$')
ok '[ "$nall" -eq 30 ] && [ "$nidle" -eq "$nall" ]' \
	"sipgwctl show channels: all 30 B-channels idle, none stuck ($nidle of $nall idle)"
[ "$nidle" -eq "$nall" ] || diag "$(tail -n +2 <<<"$chans" | grep -vE ' idle ')"

scenario "6: one more call"
sim "$ISDN_CALL"
check "phone_wait CALL_INCOMING 10" "SETUP -> INVITE: the phone rings"
id=$(sim_id CALL)
baresip_cmd $PHONE_CTRL '{"command":"accept"}' >/dev/null
check "sim_wait '^EVENT CONNECT id=$id ' 5" "the phone answers: 200 OK -> CONNECT at the switch"
check "phone_wait CALL_ESTABLISHED 5" "the phone has the call established"
sleep 1
read -r f _ < <(sim_measure "$id" 1000)
ok "within $f $PHONE_TONE 0.5%" "the switch hears the phone's $PHONE_TONE Hz: $f Hz"
sim "hangup $id cause=16"
check "phone_wait CALL_CLOSED 5" "DISCONNECT -> BYE: the call ends"
check "sim_wait '^EVENT HANGUP id=$id cause=16\$' 5" "the switch's call is released"
scenario_end last
ok 'grep -qx "BYE Q.850;cause=16" <<<"$trace"' "the BYE carries Reason: Q.850;cause=16 (RFC 3326)"
ok no_call_left "no call is left"
ok '[ "$(tail -n +2 <<<"$(ctl show channels)" | grep -cvE " idle +-\$")" -eq 0 ]' "every B-channel is idle again"
gw_finish
e2e_done
