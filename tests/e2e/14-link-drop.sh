#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The line goes away mid-call (virt-span.md: a closed socket is a red
# alarm): the active call is cleared with Q.850 cause 38 (network out of
# order) toward SIP (BYE with Reason, RFC 3326), the span shows down with
# a red alarm, a call from SIP meanwhile fails with 503 (RFC 3398 7.2.4.1)
# and never reaches the switch; when the line comes back the span is up
# again and calls complete. Then loss of frame: frames stop while the
# sockets stay connected -> red alarm after 1 s, the call is cleared; frames
# resume -> the span comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init link-drop
gw_setup auto || e2e_done
sip_capture_start

ncalls=0	# calls the switch placed (EVENT CONNECT lines expected)
nclosed=0	# calls closed at the phone (CALL_CLOSED events expected)

# isdn_call: a call from the switch to the phone, answered, with audio:
# the switch hears the phone's tone. Sets $id.
isdn_call() {
	local f l
	ncalls=$((ncalls + 1))
	sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
	wait_for_count '^EVENT CONNECT id=' "$ncalls" 10 || { echo "no CONNECT"; return 1; }
	id=$(sim_id CALL)
	baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5 "$ncalls" || { echo "not established"; return 1; }
	sleep 0.5
	read -r f l < <(sim_measure "$id" 1000)
	echo "the switch hears $f Hz at $l dBm0"
	within "$f" "$PHONE_TONE" 0.5% && within "$l" "$PHONE_LEVEL_DBM0" 1.0
}

# span_is STATE ALARM: sipgwctl show spans (text and JSON) says so
span_is() {
	local up=$1 alarm=$2 txt json
	txt=$(ctl show spans | awk '$1 == 1')
	json=$(ctl --json show spans)
	echo "show spans: $txt"
	echo "--json: $json"
	# columns after the NAME (which has spaces): STATE L2 MEDIA ALARM ...
	txt=${txt#*)}
	[ "$(awk '{ print $1 }' <<<"$txt")" = "$up" ] &&
		[ "$(awk '{ print $4 }' <<<"$txt")" = "$alarm" ] &&
		grep -q "\"up\":$([ "$up" = up ] && echo true || echo false)," <<<"$json" &&
		grep -q "\"alarm\":\"$alarm\"" <<<"$json"
}

# wait_span STATE ALARM TIMEOUT_S
wait_span() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		span_is "$1" "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	span_is "$1" "$2"
}

# ---- 1. the line drops during an active call ----
check isdn_call "call 1 ISDN->SIP is active, audio established (the switch hears the phone's $PHONE_TONE Hz)"
diag "$(ctl show calls | tail -n +2)"
sim drop
check "sim_wait '^EVENT LINK state=down' 5" "the switch drops the line (both sockets closed)"
nclosed=$((nclosed + 1))
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 $nclosed" "the phone's call is ended by the gateway"
reason=$(baresip_event_params $PHONE_CTRL CALL_CLOSED | tail -n 1)
ok '[ "$reason" = "Connection reset by peer" ]' "by a BYE from the gateway: '$reason'"
check "wait_span down red 3" "sipgwctl show spans: span 1 down, alarm red (text and --json \"up\":false,\"alarm\":\"red\")"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "sipgwctl show calls is empty"

# ---- 2. a call from SIP while the span is down ----
rings=$(sim_count '^EVENT RING ')
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
nclosed=$((nclosed + 1))
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 10 $nclosed" "a call from the phone while the span is down fails"
reason=$(baresip_event_params $PHONE_CTRL CALL_CLOSED | tail -n 1)
ok '[[ "$reason" == 503* ]]' "with 503 (cause 38 network out of order -> 503, RFC 3398 7.2.4.1): '$reason'"
sleep 0.5
ok '[ "$(sim_count "^EVENT RING ")" -eq "$rings" ]' "no SETUP reaches the switch"

# ---- 3. the line comes back ----
sim restore
check "sim_wait '^EVENT LINK state=up' 10" "the switch restores the line: layer 2 up again (EVENT LINK state=up)"
check "wait_span up none 5" "sipgwctl show spans: span 1 up, alarm none"
ok '[ "$(sim_count "^EVENT RING ")" -eq "$rings" ]' "the refused call's SETUP does not turn up after the restore either"
check isdn_call "call 2 ISDN->SIP completes with audio after the restore"
sim "hangup $id cause=16"
nclosed=$((nclosed + 1))
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 $nclosed" "call 2 ends normally (DISCONNECT cause 16 -> BYE)"
sim_wait "^EVENT HANGUP id=$id " 5

# ---- 4. loss of frame: the sockets stay, the frames stop ----
check isdn_call "call 3 ISDN->SIP is active before the frames stop"
sim stopframes
sleep 2
check "wait_span down red 1" "frames stopped for 2 s (sockets connected): span 1 down, alarm red (loss of frame)"
nclosed=$((nclosed + 1))
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 3 $nclosed" "and the active call is cleared toward the phone"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "sipgwctl show calls is empty"
sim startframes
check "sim_wait '^EVENT HANGUP id=$id ' 5" "the switch's call is released"
diag "$(grep -E "^EVENT (DISCONNECT|HANGUP) id=$id " "$E2E_DIR/pstnsim.out" | tr '\n' ' ')"
ok 'grep -qE "^EVENT (DISCONNECT|HANGUP) id=$id cause=38" "$E2E_DIR/pstnsim.out"' \
	"the switch gets cause 38 (network out of order) for the call"
check "wait_span up none 5" "frames resume: span 1 up, alarm none"
check isdn_call "call 4 ISDN->SIP completes with audio after the frames resumed"
sim "hangup $id cause=16"
nclosed=$((nclosed + 1))
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 $nclosed" "call 4 ends normally"

sip_capture_stop
trace=$(sip_trace)
diag "SIP: $(tr '\n' ',' <<<"$trace")"
ok '[ "$(grep -cx "BYE Q.850;cause=38" <<<"$trace")" -eq 2 ]' \
	"both cleared calls' BYEs carry Reason: Q.850;cause=38 (RFC 3326)"
ok 'grep -qxE "503 Q.850;cause=(38|34)" <<<"$trace"' \
	"the refused call's 503 carries Reason: Q.850;cause=38 (or 34)"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left"
gw_finish
e2e_done
