#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# What an independent far end saw wrong (issue 8), each read off the wire:
#  1. a stranger's INVITE gets exactly one 403, statelessly (RFC 3261
#     section 8.2.6): no 100 Trying, no retransmission until Timer H;
#  2. a tel: Request-URI (RFC 3966) from the trunk is routed;
#  3. numbers dialled with a prefix reach the switch as E.164 numbers do
#     (Q.931 4.5.10 type of number): 030555 national 30555, 0049305551
#     national 305551, 00441234567 international 441234567;
#  4. our INVITE's From and To keep ;user=phone inside the URI (RFC 3261
#     sections 19.1.1, 20.10, 20.20, 20.39);
#  5. a national number written with its prefix (030123456) becomes
#     +4930123456 (ITU-T E.164), not +49030123456;
#  6. cause 44 on the channel asked for (Q.931 5.2.3.1, RFC 3398 8.2.6.1):
#     the SETUP goes again on another channel and the call completes;
#  7. a 60 KB SDP offer is taken; an unusable one is logged as unusable,
#     not as a late offer (a SIP failure without a Reason: 12-busy-cancel);
#  8. a 488 with a media Warning (RFC 3261 20.43, code 304) -> cause 65,
#     without one -> 31 (RFC 3398 8.2.6.1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init far-end
gw_setup auto || e2e_done

SIPSEND=$E2E_TOP/tests/tools/sipsend
D=$E2E_DIR

# invite RURI: an INVITE from the trunk's phone number with an offer
invite() {
	cat <<SIP
INVITE $1 SIP/2.0
Via: SIP/2.0/UDP @LADDR@:@LPORT@;branch=@BRANCH@;rport
Max-Forwards: 70
From: <sip:+4930999@@LADDR@>;tag=far1
To: <$1>
Call-ID: @CALLID@
CSeq: 1 INVITE
Contact: <sip:+4930999@@LADDR@:@LPORT@>
Content-Type: application/sdp
Content-Length: @CLEN@

$(sdp_offer 127.0.0.1)
SIP
}

# rings CALLED TON: the newest RING at the switch is for CALLED of type TON;
# the switch then clears it (cause 16)
rings() {
	local n=$1 id
	sim_wait "^EVENT RING id=[0-9]+ chan=[0-9]+ called=$1 called_ton=$2 " 5 || return 1
	id=$(sim_id RING)
	sim "hangup $id cause=16"
	sim_wait "^EVENT HANGUP id=$id " 5
}

# ---- 1. a stranger: one 403, nothing else, for 6 s
invite "sip:+4930555@127.0.0.1:$GW_SIP_PORT" >"$D/stranger.txt"
out=$("$SIPSEND" -b 127.0.0.2 -w 6 127.0.0.1 "$GW_SIP_PORT" "$D/stranger.txt" 2>&1)
diag "INVITE from 127.0.0.2, responses in 6 s: $(tr '\n' ',' <<<"$out")"
ok '[ "$out" = "SIP/2.0 403 Forbidden" ]' \
	"RFC 3261 section 8.2.6: a stranger's INVITE gets exactly one answer, 403 Forbidden, no 100 Trying and no retransmission (Timer G would resend at 0.5, 1.5 and 3.5 s)"
out=$("$SIPSEND" -b 127.0.0.2 -w 1 127.0.0.1 "$GW_SIP_PORT" "$D/stranger.txt" 2>&1)
ok '[ "$out" = "SIP/2.0 403 Forbidden" ]' "and the next INVITE again exactly one 403"

# ---- 2. tel: Request-URI
invite "tel:+4930555" >"$D/tel.txt"
"$SIPSEND" -w 0.5 127.0.0.1 "$GW_SIP_PORT" "$D/tel.txt" >"$D/tel.out" 2>&1
check "rings 30555 national" \
	"RFC 3966: INVITE tel:+4930555 from the trunk -> SETUP to 30555, type national"

# ---- 3. numbers dialled with prefixes
for c in "030555 30555 national" "0049305551 305551 national" "00441234567 441234567 international"; do
	set -- $c
	invite "sip:$1@127.0.0.1:$GW_SIP_PORT" >"$D/prefix.txt"
	"$SIPSEND" -w 0.5 127.0.0.1 "$GW_SIP_PORT" "$D/prefix.txt" >/dev/null 2>&1
	check "rings $2 $3" "Q.931 4.5.10: sip:$1 (a number as dialled, prefixes of [numbering]) -> SETUP to $2, type $3"
done

# ---- 4 and 5. our INVITE: user=phone inside the URI; no prefix in E.164
sip_capture_start
n0=$(baresip_count $PHONE_CTRL CALL_ESTABLISHED)
sim "call called=030123456 called_ton=national calling=301111 calling_ton=national"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10 $((n0 + 1))" \
	"a SETUP to 030123456 (type national, written with its prefix) reaches the phone"
id=$(sim_id CALL)
sim "hangup $id cause=16"
sim_wait "^EVENT HANGUP id=$id " 5
sip_capture_stop
hdrs=$(tshark -r "$D/sip.pcap" -Y 'sip.Method == "INVITE"' -T fields -E separator='|' \
	-e sip.r-uri -e sip.From -e sip.To 2>/dev/null | head -n 1)
diag "INVITE: $hdrs"
IFS='|' read -r ruri from to <<<"$hdrs"
ok "[ '$ruri' = 'sip:+4930123456@127.0.0.1:$PHONE_SIP_PORT;user=phone' ]" \
	"ITU-T E.164: the Request-URI is sip:+4930123456@...;user=phone, without the national prefix ($ruri)"
ok "[[ '$from' =~ ^\<sip:\\+49301111@127\\.0\\.0\\.1\;user=phone\>\;tag=[0-9a-f]+\$ ]]" \
	"RFC 3261 section 20.20: From is <sip:+49301111@127.0.0.1;user=phone>;tag=... ($from)"
ok "[ '$to' = '<sip:+4930123456@127.0.0.1:$PHONE_SIP_PORT;user=phone>' ]" \
	"RFC 3261 section 20.39: To is <sip:+4930123456@127.0.0.1:$PHONE_SIP_PORT;user=phone> ($to)"

# ---- 6. cause 44 on B1: the call goes on B2
sim "auto answer"
sim_wait '^EVENT AUTO mode=answer' 5
sim "refuse 1 cause=44"
sim_wait '^EVENT REFUSE chan=1 cause=44' 5
Q931_FROM=$(($(q931_trace | wc -l) + 1))
for k in 1 2; do
	n0=$(baresip_count $PHONE_CTRL CALL_ESTABLISHED)
	baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
	check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10 $((n0 + 1))" \
		"RFC 3398 8.2.6.1: call $k toward ISDN completes although the switch refuses B1 with cause 44"
	ok "grep -E '^EVENT RING ' '$E2E_DIR/pstnsim.out' | tail -n 1 | grep -q ' chan=2 '" \
		"Q.931 5.2.3.1: call $k is answered on B2, the next free channel"
	baresip_hangup $PHONE_CTRL
	wait_until 10 '[ -z "$(ctl show calls | tail -n +2)" ]'
done
q931=$(q931_trace | tail -n +"$Q931_FROM" | tr '\n' ' ')
diag "Q.931: $q931"
ok "[ \$(grep -o '0x5a|44' <<<'$q931' | wc -l) -eq 2 ] && [ \$(grep -o '0x07|' <<<'$q931' | wc -l) -eq 2 ]" \
	"on the D-channel: two RELEASE COMPLETE cause 44, two CONNECT"

# ---- 7. big offers, and the log of an unusable one (issue 8, smaller findings)
sim "auto none"
sim_wait '^EVENT AUTO mode=none' 5
sim "refuse off"
sim_wait '^EVENT REFUSE chan=0 ' 5
{
	invite "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
	for ((i = 0; i < 1500; i++)); do echo "a=x-filler:$i padding padding padding"; done
} >"$D/big.txt"
"$SIPSEND" -w 0.5 127.0.0.1 "$GW_SIP_PORT" "$D/big.txt" >/dev/null 2>&1
check "rings 30555 national" \
	"RFC 4566: an SDP offer of $(stat -c %s "$D/big.txt") bytes (1500 attribute lines) is taken: the SETUP reaches the switch"
invite "sip:+4930555@127.0.0.1:$GW_SIP_PORT" | sed 's|^m=audio 40000 RTP/AVP 8 0 101|m=video 40000 RTP/AVP 96|' >"$D/video.txt"
out=$("$SIPSEND" -w 2 127.0.0.1 "$GW_SIP_PORT" "$D/video.txt" 2>&1 | grep -v '^SIP/2.0 100 ')
ok '[ "$(head -n 1 <<<"$out")" = "SIP/2.0 488 Not Acceptable Here" ]' \
	"RFC 3264 section 6: an offer without an audio stream is refused with 488 ($(head -n 1 <<<"$out"))"
ok "grep -q \"failed: the INVITE's SDP offer is unusable\" '$E2E_DIR/sipgwd.log' && ! grep -q 'late offer' '$E2E_DIR/sipgwd.log'" \
	"and the log says the offer is unusable, not that there was none (late offer)"

# ---- 8. the trunk refuses with 488: the Warning decides the cause
# (RFC 3398 8.2.6.1 row 488: 65 when the Warning is about the media, RFC
# 3261 section 20.43 warn-code 304 "media type not available"; else 31)
baresip_stop $PHONE_CTRL
for c in "304|Warning: 304 sipp \"media type not available\"|65" "none|Subject: no warning|31"; do
	IFS='|' read -r w extra want <<<"$c"
	e2e_spawn "$D/sipp-488-$w.out" sipp -sf "$E2E_TOP/tests/e2e/sipp/uas-488.xml" \
		-key extra "$extra" \
		-i 127.0.0.1 -p "$PHONE_SIP_PORT" -m 1 -nostdin -timeout 30s 127.0.0.1:$GW_SIP_PORT
	sleep 0.5
	sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
	sim_wait '^EVENT CALL ' 5
	id=$(sim_id CALL)
	check "sim_wait '^EVENT DISCONNECT id=$id cause=$want\$' 10" \
		"RFC 3398 8.2.6.1: 488 with warn-code $w -> DISCONNECT cause $want at the switch"
	e2e_kill "$E2E_LAST_PID"
done

gw_finish
e2e_done
