#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# More calls than the span has channels, and calls that never reach a final
# state (issue 7, "Overload"):
#  1. SIPp (Debian's sip-tester) as a SIP trunk offers 60 calls at 100
#     calls/s, each held 2 s, to one E1 of 30 B-channels whose switch
#     answers at once: 30 complete, the other 30 are refused with one 503
#     each carrying Retry-After (RFC 3261 sections 21.5.4, 20.33) and Reason
#     cause 34 (RFC 3326, Q.850 no circuit/channel available); afterwards
#     every channel is idle and a new call completes.
#  2. The switch only rings: the call toward ISDN is cleared by the
#     no-answer timer with Q.931 DISCONNECT cause 19 and SIP 480
#     (RFC 3398 section 8.2.6.1 row 19).
#  3. The SIP phone only rings: the call toward SIP is cancelled by RFC 3261
#     Timer C (section 16.6; here 3 s) and the switch gets cause 19.
#  4. The phone vanishes from an answered call (no RTP, no BYE): the call
#     is cleared after rtp_timeout (here 4 s) with cause 102.
#  5. The trunk is overloaded (503, Retry-After: 3): that call gets cause 41
#     (RFC 3398), the next SETUPs cause 42 at once with no INVITE sent,
#     until the 3 s are over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init overload
command -v sipp >/dev/null || { echo "1..0 # SKIP sipp (sip-tester) not installed"; exit 0; }

GW_GENERAL="no_answer_timeout = 3
sip_timer_c = 3
retry_after = 7
rtp_timeout = 4"
SIM_ARGS="--auto answer"
gw_setup manual || e2e_done

SIPP_PORT=25070
Q_DISCONNECT=0x45

# sip_calls FILTER: distinct Call-IDs among the messages matching FILTER
sip_calls() {
	tshark -r "$E2E_DIR/sip.pcap" -Y "sip && ($1)" -T fields -e sip.Call-ID 2>/dev/null |
		sort -u | grep -c .
}

# timed_out T0 TEXT: a check that the 3 s timer, started at T0, fired: not
# before 2.9 s, and within 8 s (room for a loaded machine)
timed_out() {
	local el
	el=$(awk -v a="$1" -v b="$(_e2e_now)" 'BEGIN { printf "%.1f", b - a }')
	ok "awk 'BEGIN { exit !($el >= 2.9 && $el < 8) }'" "$2 ($el s)"
}

# chan_states: how many of span 1's channels sipgwctl shows idle, and busy
chan_states() {
	ctl show channels | awk 'NR > 1 { n[$2]++ } END { printf "%d idle %d busy", n["idle"], n["busy"] }'
}

# ---- 1. a burst of 60 calls onto 30 channels
diag "---- 1: 60 calls at 100/s onto 30 channels, held 2 s"
sip_capture_start
timeout 60 sipp -sf "$E2E_TOP/bench/sipp/uac.xml" -d 2000 \
	-i 127.0.0.1 -p $SIPP_PORT -mi 127.0.0.1 -mp 26000 -s +4930555 \
	-m 60 -r 100 -l 60 -timeout 40s -timeout_error -nostdin \
	-trace_stat -stf "$E2E_DIR/sipp-stat.csv" -trace_err -error_file "$E2E_DIR/sipp-err.log" \
	127.0.0.1:$GW_SIP_PORT >"$E2E_DIR/sipp.out" 2>&1
sipp_rc=$?
sip_capture_stop
cp "$E2E_DIR/sip.pcap" "$E2E_DIR/sip-burst.pcap"
n_inv=$(sip_count 'sip.Method == "INVITE"')
n_200=$(sip_calls 'sip.Status-Code == 200 && sip.CSeq.method == "INVITE"')
n_503=$(sip_count 'sip.Status-Code == 503')
n_503_ra=$(tshark -r "$E2E_DIR/sip.pcap" -Y 'sip.Status-Code == 503' -T fields -E separator='|' \
	-e sip.Retry-After -e sip.Reason 2>/dev/null | grep -cx '7|Q.850;cause=34')
n_bye_ok=$(sip_calls 'sip.Status-Code == 200 && sip.CSeq.method == "BYE"')
diag "sipp exit $sipp_rc; INVITEs $n_inv, 200 $n_200, 503 $n_503 ($n_503_ra with Retry-After 7 and cause 34), BYE answered $n_bye_ok"
ok "[ $n_inv -ge 60 ]" "SIPp sent its 60 INVITEs ($n_inv with retransmissions)"
ok "[ $n_200 -eq 30 ]" \
	"RFC 3261 section 13.3.1.4: the 30 calls that found a channel are answered ($n_200 calls with a 200)"
ok "[ $n_bye_ok -eq 30 ]" "RFC 3261 section 15.1.2: each of those 30 is cleared by its BYE ($n_bye_ok answered)"
ok "[ $n_503 -eq 30 ]" "RFC 3398 8.2.6.1 (cause 34 -> 503): the other 30 get exactly one 503 each ($n_503)"
ok "[ $n_503_ra -eq 30 ]" "RFC 3261 20.33, RFC 3326: every 503 carries Retry-After: 7 and Reason: Q.850;cause=34 ($n_503_ra)"
check "wait_until 10 '[ \"\$(chan_states)\" = \"30 idle 0 busy\" ]'" \
	"after the burst, sipgwctl show channels: all 30 idle ($(chan_states))"
ok "[ -z \"\$(ctl show calls | tail -n +2)\" ]" "and sipgwctl show calls lists no call"

# a new call completes
n0=$(baresip_count $PHONE_CTRL CALL_ESTABLISHED)
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10 $((n0 + 1))" \
	"RFC 3261 section 13: a new call after the burst is answered"
baresip_hangup $PHONE_CTRL
check "wait_until 10 '[ \"\$(chan_states)\" = \"30 idle 0 busy\" ]'" "and cleared: all 30 idle again"

# ---- 2. the switch only rings: the no-answer timer
diag "---- 2: the switch rings but never answers (no_answer_timeout = 3)"
sim "auto alert"
sim_wait '^EVENT AUTO mode=alert' 5
sip_capture_start
Q931_FROM=$(($(q931_trace | wc -l) + 1))
t0=$(_e2e_now)
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING ' 10" "the SETUP reaches the switch, which sends ALERTING only"
id=$(sim_id RING)
check "sim_wait '^EVENT DISCONNECT id=$id cause=19\$' 10" \
	"Q.850 cause 19 (no answer from user, user alerted): the gateway's DISCONNECT at the switch"
timed_out "$t0" "after the no-answer timer of 3 s, counted from the INVITE"
sleep 1
sip_capture_stop
q931=$(q931_trace | tail -n +"$Q931_FROM")
ok "grep -qx '$Q_DISCONNECT|19' <<<\"\$q931\"" "Q.931 on the D-channel: DISCONNECT cause 19 ($(tr '\n' ' ' <<<"$q931"))"
n480=$(sip_count 'sip.Status-Code == 480 && sip.Reason == "Q.850;cause=19"')
ok "[ $n480 -eq 1 ]" "RFC 3398 8.2.6.1 (cause 19 -> 480): one 480 with Reason: Q.850;cause=19 to the phone ($n480)"
check "wait_until 10 '[ \"\$(chan_states)\" = \"30 idle 0 busy\" ]'" "all 30 channels idle again"

# ---- 3. the phone only rings: Timer C
diag "---- 3: the SIP phone rings but never answers (sip_timer_c = 3)"
sip_capture_start
n0=$(baresip_count $PHONE_CTRL CALL_INCOMING)
t0=$(_e2e_now)
sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
check "baresip_wait_event $PHONE_CTRL CALL_INCOMING 10 $((n0 + 1))" "the switch's SETUP rings the phone"
id=$(sim_id CALL)
check "sim_wait '^EVENT DISCONNECT id=$id cause=19\$' 10" \
	"RFC 3261 Timer C: the switch gets DISCONNECT cause 19 (the phone rang)"
timed_out "$t0" "after Timer C of 3 s, counted from the SETUP"
sleep 1
sip_capture_stop
ncancel=$(sip_count 'sip.Method == "CANCEL"')
n487=$(sip_count 'sip.Status-Code == 487')
ok "[ $ncancel -ge 1 ] && [ $n487 -ge 1 ]" \
	"RFC 3261 section 16.8 / 9.1: the INVITE is cancelled (CANCEL $ncancel, 487 $n487)"
check "wait_until 10 '[ \"\$(chan_states)\" = \"30 idle 0 busy\" ] && [ -z \"\$(ctl show calls | tail -n +2)\" ]'" \
	"no call left and all 30 channels idle"

# ---- 4. the phone vanishes mid-call (SIGSTOP: no RTP, no BYE): after
# rtp_timeout the call is cleared, cause 102 toward ISDN
diag "---- 4: the phone stops sending RTP in an answered call (rtp_timeout = 4)"
n0=$(baresip_count $PHONE_CTRL CALL_INCOMING)
sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
check "baresip_wait_event $PHONE_CTRL CALL_INCOMING 10 $((n0 + 1))" "the switch's SETUP rings the phone"
id=$(sim_id CALL)
baresip_cmd $PHONE_CTRL '{"command":"accept"}' >/dev/null
check "sim_wait '^EVENT CONNECT id=$id' 10" "the phone answers: CONNECT at the switch"
sleep 5
ok "! grep -qE '^EVENT (DISCONNECT|HANGUP) id=$id ' '$E2E_DIR/pstnsim.out'" \
	"while the phone sends RTP, the call stays up past rtp_timeout (5 s)"
bpid=$(cat "$E2E_DIR/.ctrl-$PHONE_CTRL/baresip.pid")
kill -STOP "$bpid"
t0=$(_e2e_now)
check "sim_wait '^EVENT DISCONNECT id=$id cause=102\$' 12" \
	"Q.850 cause 102 (recovery on timer expiry): the switch's call is cleared once no RTP came for 4 s"
el=$(awk -v a="$t0" -v b="$(_e2e_now)" 'BEGIN { printf "%.1f", b - a }')
ok "awk 'BEGIN { exit !($el >= 3.5 && $el < 10) }'" "after rtp_timeout, not before ($el s after the phone stopped)"
kill -CONT "$bpid"
check "wait_until 10 '[ -z \"\$(ctl show calls | tail -n +2)\" ]'" "no call left"

# ---- 5. the trunk is overloaded: 503 with Retry-After toward SIP -> cause
# 41 (RFC 3398 8.2.6.1), then no INVITE to it for 3 s: cause 42 at once
diag "---- 5: the trunk answers 503 with Retry-After: 3"
baresip_stop $PHONE_CTRL
e2e_spawn "$E2E_DIR/sipp-503.out" sipp -sf "$E2E_TOP/tests/e2e/sipp/uas-503.xml" \
	-i 127.0.0.1 -p "$PHONE_SIP_PORT" -m 2 -nostdin -timeout 60s 127.0.0.1:$GW_SIP_PORT
sleep 0.5
sip_capture_start
ISDN_CALL="call called=30123456 called_ton=national calling=301111 calling_ton=national"
sim "$ISDN_CALL"
id=$(sim_id CALL)
check "sim_wait '^EVENT DISCONNECT id=$id cause=41\$' 10" \
	"RFC 3398 8.2.6.1: the trunk's 503 -> DISCONNECT cause 41 at the switch"
t0=$(_e2e_now)
sim "$ISDN_CALL"
sim_wait "^EVENT CALL id=$((id + 1)) " 5
check "sim_wait '^EVENT DISCONNECT id=$((id + 1)) cause=42\$' 2" \
	"RFC 3261 21.5.4: a SETUP within the Retry-After gets cause 42 (switching equipment congestion) at once"
sleep 1
ok "[ \$(sip_count 'sip.Method == \"INVITE\"') -eq 1 ]" "and no INVITE goes to the trunk for it"
wait_until 5 "awk -v a=$t0 -v b=\$(_e2e_now) 'BEGIN { exit !(b - a > 3.2) }'"
sim "$ISDN_CALL"
check "sim_wait '^EVENT DISCONNECT id=$((id + 2)) cause=41\$' 10" \
	"after the 3 s the next SETUP is offered to the trunk again (its 503: cause 41)"
sip_capture_stop
ok "[ \$(sip_count 'sip.Method == \"INVITE\"') -eq 2 ] && [ \$(sip_count 'sip.Status-Code == 503') -eq 2 ]" \
	"on the wire: 2 INVITEs, 2 503s ($(sip_count 'sip.Method == "INVITE"') INVITEs)"

gw_finish
e2e_done
