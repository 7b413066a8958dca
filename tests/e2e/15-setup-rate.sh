#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The setup-rate benchmark's quick mode (bench/setup-rate --quick) as a
# test: 8 virtual E1 spans, 10 calls/s each way for 5 s, every call must
# complete. It counts calls, never times them (the benchmark's figures are
# printed as diagnostics, not checked: scripts/check never asserts
# wall-clock time). SIP to ISDN: SIPp's INVITE -> 200 -> ACK, BYE -> 200
# (RFC 3261) becoming Q.931 SETUP -> CONNECT and DISCONNECT (cause 16) ->
# RELEASE at the switch; ISDN to SIP: pstnsim's SETUPs answered with
# CONNECT after SIPp's 200, and its DISCONNECT becoming the gateway's BYE.
. "$(dirname "$0")/lib.sh"
e2e_init setup-rate
if ! command -v sipp >/dev/null; then
	echo "1..0 # SKIP sipp missing (sip-tester; scripts/deps installs it)"
	exit 0
fi

# scripts/check already runs this test in a network namespace of its own
"$E2E_TOP/bench/setup-rate" --quick --build "$E2E_BUILD" --no-netns --no-pin \
	--raw "$E2E_DIR/raw.txt" >"$E2E_DIR/bench.log" 2>&1
st=$?
sed 's/^/  /' "$E2E_DIR/bench.log" | grep -v '^  $' | while IFS= read -r l; do diag "$l"; done
ok "[ $st -eq 0 ]" "bench/setup-rate --quick runs to its end (exit $st)"

# field DIR KEY: KEY's value in the raw line of direction DIR
field() {
	grep "^dir=$1 " "$E2E_DIR/raw.txt" 2>/dev/null | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

att=$(field sip2isdn attempted)
ok '[ "${att:-0}" -ge 40 ]' "SIP to ISDN: SIPp offered at least 40 calls at 10 calls/s ($att)"
ok '[ "$(field sip2isdn completed)" = "$att" ] && [ "$(field sip2isdn failed)" = 0 ]' \
	"every INVITE got a 200 and every BYE its 200 (RFC 3261): $(field sip2isdn completed) of $att, $(field sip2isdn failed) failed"
ok '[ "$(field sip2isdn setup)" = "$att" ]' \
	"each INVITE became one Q.931 SETUP at the switch ($(field sip2isdn setup))"
ok '[ "$(field sip2isdn disc16)" = "$att" ] && [ "$(field sip2isdn released)" = "$att" ]' \
	"each BYE became a Q.931 DISCONNECT with cause 16 and the call was released ($(field sip2isdn disc16), $(field sip2isdn released))"
ok '[ "$(field sip2isdn left_busy)" = 0 ]' "no B-channel is left busy in sipgwctl show channels"

att=$(field isdn2sip attempted)
ok '[ "${att:-0}" -ge 40 ]' "ISDN to SIP: pstnsim sent at least 40 SETUPs at 10 calls/s ($att)"
ok '[ "$(field isdn2sip completed)" = "$att" ] && [ "$(field isdn2sip failed)" = 0 ]' \
	"every SETUP was answered with CONNECT and released after our DISCONNECT (Q.931): $(field isdn2sip completed) of $att"
ok '[ "$(field isdn2sip sipp_ok)" = "$att" ]' \
	"each became an INVITE answered 200, ACKed, and ended by the gateway's BYE (RFC 3261) at SIPp ($(field isdn2sip sipp_ok))"
ok '[ "$(field isdn2sip left_busy)" = 0 ]' "no B-channel is left busy in sipgwctl show channels"
e2e_done
