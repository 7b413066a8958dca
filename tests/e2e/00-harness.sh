#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 00-harness: the harness (lib.sh) and the real peers every gateway test
# depends on, with no gateway in between. Two baresip phones call each
# other directly over loopback, each sending its own tone; each must
# receive the other's tone at the frequency and level sent (through
# G.711), and RFC 4733 digits sent by one must arrive at the other exactly
# once, in order. When this fails, the gateway tests' results mean nothing.
. "$(dirname "$0")/lib.sh"
e2e_init 00-harness

A_SIP=5160 A_CTRL=4460	# alice: calls, sends 1004 Hz at -13 dBFS
B_SIP=5162 B_CTRL=4462	# bob: answers, sends 440 Hz at -18 dBFS
A_FREQ=1004 A_LEVEL=-13
B_FREQ=440 B_LEVEL=-18
A_DIGITS='123*#0'
B_DIGITS='98'

# The harness's own tools first: they judge everything else.
gen_tone_wav "$E2E_DIR/alice.wav" "$A_FREQ" 60 "$A_LEVEL"
gen_tone_wav "$E2E_DIR/bob.wav" "$B_FREQ" 60 "$B_LEVEL"
read -r f l < <(measure_wav "$E2E_DIR/alice.wav" 1 2)
ok "within $f $A_FREQ 0.5% && within $l $A_LEVEL 0.2" \
	"measure_wav reads back gen_tone_wav: $A_FREQ Hz $A_LEVEL dBFS (got $f Hz $l dBFS)"
start=$(_e2e_now)
wait_for /dev/null 'never' 0.3
st=$?
ok "[ $st -eq 1 ] && awk -v s=$start -v n=$(_e2e_now) 'BEGIN { exit !(n - s >= 0.3 && n - s < 2) }'" \
	"wait_for returns 1 after its timeout"
if [ "$(id -u)" -eq 0 ]; then
	links=$(in_netns ip -o link show 2>"$E2E_DIR/in_netns.err" | awk -F': ' '{ print $2 }' | tr '\n' ' ')
	why=$(tr '\n' ' ' <"$E2E_DIR/in_netns.err" | cut -c1-300)
	ok "[ '$links' = 'lo ' ] && in_netns ip -o addr show dev lo | grep -q 'inet 127.0.0.1/8'" \
		"in_netns: a namespace with only loopback, up (links: $links${why:+; $why})"
else
	echo "ok $((E2E_N += 1)) - in_netns # SKIP needs root"
fi

# Two phones.
check "baresip_start alice $A_SIP $A_CTRL alice '$E2E_DIR/alice.wav'" \
	"baresip alice starts (SIP 127.0.0.1:$A_SIP, ctrl_tcp $A_CTRL)" || e2e_done
check "baresip_start bob $B_SIP $B_CTRL bob '$E2E_DIR/bob.wav'" \
	"baresip bob starts (SIP 127.0.0.1:$B_SIP, ctrl_tcp $B_CTRL)" || e2e_done

# A call, straight from alice to bob.
check "baresip_dial $A_CTRL sip:bob@127.0.0.1:$B_SIP" "alice dials bob (ctrl_tcp dial)"
check "baresip_wait_event $A_CTRL CALL_ESTABLISHED 10 && baresip_wait_event $B_CTRL CALL_ESTABLISHED 10" \
	"the call is established on both sides (RFC 3261 INVITE/200/ACK, auto-answer)" || e2e_done

# Let audio flow before any digit: the measured window holds no DTMF.
sleep 3

# Digits both ways, one direction at a time.
baresip_dtmf "$A_CTRL" "$A_DIGITS"
baresip_dtmf "$B_CTRL" "$B_DIGITS"
sleep 1
got_b=$(baresip_event_params "$B_CTRL" CALL_DTMF_START | tr -d '\n')
got_a=$(baresip_event_params "$A_CTRL" CALL_DTMF_START | tr -d '\n')
ok "[ '$got_b' = '$A_DIGITS' ]" \
	"bob receives alice's digits $A_DIGITS exactly once, in order (RFC 4733; got '$got_b')"
ok "[ '$got_a' = '$B_DIGITS' ]" \
	"alice receives bob's digits $B_DIGITS exactly once, in order (RFC 4733; got '$got_a')"

# Hang up: both sides see the end, bob as the far end's BYE.
check "baresip_hangup $A_CTRL" "alice hangs up (ctrl_tcp hangup)"
check "baresip_wait_event $A_CTRL CALL_CLOSED 5 && baresip_wait_event $B_CTRL CALL_CLOSED 5" \
	"the call is closed on both sides (RFC 3261 BYE)"
reason=$(baresip_event_params "$B_CTRL" CALL_CLOSED | tail -n 1)
ok "[ '$reason' = 'Connection reset by peer' ]" "bob's CALL_CLOSED says the peer ended it ('$reason')"

# What each one heard, from the recordings, in the window before the digits.
rec_a=$(baresip_rec alice)
rec_b=$(baresip_rec bob)
read -r fb lb < <(measure_wav "$rec_b" 0.5 2)
read -r fa la < <(measure_wav "$rec_a" 0.5 2)
diag "bob heard $fb Hz $lb dBFS ($rec_b)"
diag "alice heard $fa Hz $la dBFS ($rec_a)"
ok "[ -s '$rec_b' ] && within $fb $A_FREQ 2% && within $lb $A_LEVEL 3" \
	"bob hears alice's tone: $A_FREQ Hz +-2%, $A_LEVEL dBFS +-3 dB through G.711 (got $fb Hz $lb dBFS)"
ok "[ -s '$rec_a' ] && within $fa $B_FREQ 2% && within $la $B_LEVEL 3" \
	"alice hears bob's tone: $B_FREQ Hz +-2%, $B_LEVEL dBFS +-3 dB through G.711 (got $fa Hz $la dBFS)"

# The standards' test data the tests read is tests/data/standards, a copy
# of ../shared/testdata/standards (so that a bare clone runs them): it must
# be the same as the original wherever the original is beside the tree.
orig=$E2E_TOP/../shared/testdata/standards
if [ -d "$orig" ]; then
	ok "diff -r '$orig' '$E2E_TOP/tests/data/standards' >'$E2E_DIR/testdata.diff' 2>&1" \
		"tests/data/standards is a true copy of ../shared/testdata/standards (diff -r; if not: copy it again)"
else
	echo "ok $((E2E_N += 1)) - tests/data/standards against ../shared # SKIP no ../shared beside the tree"
fi

e2e_done
