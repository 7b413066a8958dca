#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The first call after layer 2 comes up is answered (issue 8, finding 1).
# While no line is connected sipgwd's libpri sends SABME into the void every
# T200 (Q.921 5.5.1, N200 times, then again). A switch that establishes
# layer 2 when the line comes up sends its SABME at once and, on the UA,
# its queued SETUP in the same instant. Each side sent SABME: Q.921's rule
# for colliding identical commands (5.5.1 and its SDL) has both answer UA and enter multiple-frame
# operation when their own SABME is acknowledged; an I-frame received
# before that is discarded (Q.921 annex B, state 5 "awaiting
# establishment"). So the gateway must have its SABME on the line at once,
# not at its next T200: the SETUP sent right after the switch's layer 2 is
# up has to get CALL PROCEEDING / ALERTING / CONNECT (Q.931 5.2, call
# establishment at the destination interface), never a
# lost SETUP, a T303 retransmission or RELEASE COMPLETE cause 101 (message
# not compatible with call state, after layer 2 was re-established under
# the call) or cause 38 (the SETUP came before the line's first media
# frame: layer 2 was up a moment before the span), and reach the SIP
# phone. Three ways the line comes up:
#   (a) start-up: the switch connects seconds after sipgwd started;
#   (b) the line drops long enough for both layer 2s to fall (T203 +
#       N200 x T200), and comes back (pstnsim drop / restore);
#   (c) the switch is killed and started again after the same time.
# Each time the line comes up just after one of the gateway's SABMEs into
# the void, so its own next T200 is as far away as it gets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init l2-first-call

CALL="call called=30123456 called_ton=national calling=301111 calling_ton=national"
# Q.931 message types (Q.931 table 4-2), as q931_trace prints them
Q_ALERTING=0x01
Q_CALL_PROCEEDING=0x02
Q_SETUP=0x05
Q_CONNECT=0x07
Q_RELEASE_COMPLETE=0x5a
Q_STATUS=0x7d

# sabmes: how many SABMEs sipgwd's libpri has sent (its Q.921 state trace)
sabmes() {
	grep -c 'libpri: TEI=0 Sending SABME' "$E2E_DIR/sipgwd.log"
}

# next_sabme: wait (up to 6 s) for the gateway's next SABME
next_sabme() {
	local n
	n=$(sabmes)
	wait_until 6 "[ \$(sabmes) -gt $n ]"
}

# l2_downs: how many times sipgwd reported layer 2 down
l2_downs() {
	grep -c 'D-channel layer 2 down' "$E2E_DIR/sipgwd.log"
}

ncalls=0	# calls the phone has had (CALL_ESTABLISHED / CALL_CLOSED)

# answered_on_wire: in $q931, the SETUP is followed by CALL PROCEEDING,
# ALERTING or CONNECT
answered_on_wire() {
	awk -F'|' -v s="$Q_SETUP" -v p="$Q_CALL_PROCEEDING" -v a="$Q_ALERTING" -v c="$Q_CONNECT" '
		$1 == s { seen = 1; next }
		seen && ($1 == p || $1 == a || $1 == c) { ok = 1; exit }
		END { exit !ok }' <<<"$q931"
}

# cause_101_on_wire: in $q931, a RELEASE COMPLETE or STATUS with cause 101
cause_101_on_wire() {
	grep -qE "^($Q_RELEASE_COMPLETE|$Q_STATUS)\|(.*,)?101(,|$)" <<<"$q931"
}

# first_call LABEL PCAP FROM: the switch's first SETUP after layer 2 came up
# (pstnsim's --on-up / onup) is answered; PCAP from line FROM of its
# q931_trace is this call's D-channel
first_call() {
	local label=$1 pcap=$2 from=$3 id n
	check "sim_wait '^EVENT CALL id=' 5" \
		"($label) the switch sends its SETUP the moment its layer 2 is up (Q.931 SETUP)" || return 1
	id=$(sim_id CALL)
	check "sim_wait '^EVENT (PROCEEDING|ALERTING|CONNECT) id=$id ' 2" \
		"($label) the gateway answers that SETUP within 2 s (Q.931 CALL PROCEEDING, 5.2)"
	check "sim_wait '^EVENT CONNECT id=$id ' 10" \
		"($label) the call is answered: Q.931 CONNECT"
	ncalls=$((ncalls + 1))
	check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5 $ncalls" \
		"($label) the call reached the SIP phone (INVITE, 200 OK)"
	ok "! grep -qE '^EVENT HANGUP id=$id cause=101' '$E2E_DIR/pstnsim.out'" \
		"($label) the switch's call is not cleared with cause 101"
	q931=$(q931_trace "$pcap" | tail -n +"$from")
	diag "($label) Q.931 on the wire: $(tr '\n' ' ' <<<"$q931")"
	n=$(grep -c "^$Q_SETUP|" <<<"$q931")
	ok "[ $n -eq 1 ]" \
		"($label) one SETUP on the wire, not lost and sent again on T303 (Q.931 5.2.1): $n"
	ok answered_on_wire \
		"($label) on the wire the SETUP is followed by CALL PROCEEDING, ALERTING or CONNECT"
	ok "! cause_101_on_wire" \
		"($label) no RELEASE COMPLETE or STATUS with cause 101 (message not compatible with call state)"
	ok "! grep -q '^$Q_RELEASE_COMPLETE|' <<<\"\$q931\"" "($label) no RELEASE COMPLETE at all before the hangup"
	sim "hangup $id cause=16"
	check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 5 $ncalls" \
		"($label) the call ends normally (DISCONNECT cause 16 -> BYE)"
	sim_wait "^EVENT HANGUP id=$id " 5
}

# ---- (a) start-up: the line comes seconds after sipgwd ----
GW_SPAN_DIR=$E2E_DIR/span1
GW_CTL_SOCK=$E2E_DIR/sipgwd.sock
gw_config "$E2E_DIR/gw.conf"
gen_tone_wav "$E2E_DIR/phone.wav" "$PHONE_TONE" 120
check gw_start_daemon "sipgwd starts on a virtual E1 with no line connected" || e2e_done
BARESIP_ANSWERMODE=auto
check "baresip_start phone 127.0.0.1:$PHONE_SIP_PORT $PHONE_CTRL '$PHONE_USER' '$E2E_DIR/phone.wav'" \
	"baresip starts as the SIP phone" || e2e_done
sleep 2
check next_sabme "(a) sipgwd's layer 2 sends SABME into the void while no line is there (Q.921 5.5.1, T200)"
gw_start_sim --on-up "$CALL"
check "sim_wait '^EVENT READY' 5" "(a) the switch connects and its layer 2 comes up (SABME, UA)"
first_call a "$E2E_DIR/dchan.pcap" 1

# ---- (b) the line drops until both layer 2s fall, and comes back ----
downs=$(l2_downs)
simdowns=$(sim_count '^EVENT DCHAN state=down')
sim drop
check "sim_wait '^EVENT LINK state=down' 5" "(b) the switch drops the line"
check "wait_until 25 '[ \$(l2_downs) -gt $downs ]'" \
	"(b) sipgwd's layer 2 falls (Q.921 T203 idle poll, then N200 x T200 unanswered)"
check "wait_until 25 '[ \$(sim_count \"^EVENT DCHAN state=down\") -gt $simdowns ]'" \
	"(b) and so does the switch's"
from=$(($(q931_trace | wc -l) + 1))
check next_sabme "(b) sipgwd sends SABME into the void"
sim "onup $CALL"
sim restore
check "sim_wait '^EVENT LINK state=up' 5" "(b) the switch restores the line: its layer 2 is up again"
first_call b "$E2E_DIR/dchan.pcap" "$from"

# ---- (c) the switch is killed, and started again later ----
downs=$(l2_downs)
kill -KILL "$SIM_PID"
check "wait_for '$E2E_DIR/sipgwd.log' 'D-channel line gone' 5" "(c) the switch dies (SIGKILL): the gateway sees the line gone"
check "wait_until 25 '[ \$(l2_downs) -gt $downs ]'" \
	"(c) sipgwd's layer 2 falls (Q.921 T203 idle poll, then N200 x T200 unanswered)"
check next_sabme "(c) sipgwd sends SABME into the void"
mv "$E2E_DIR/pstnsim.out" "$E2E_DIR/pstnsim-1.out"
SIM_PCAP=dchan2.pcap gw_start_sim --on-up "$CALL"
check "sim_wait '^EVENT READY' 5" "(c) the switch starts again: its layer 2 comes up"
first_call c "$E2E_DIR/dchan2.pcap" 1

ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left"
gw_finish
e2e_done
