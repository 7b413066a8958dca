#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile SIP against sipgwd, closed by default: an INVITE from an
# address no trunk allows is refused (403) and never reaches the ISDN
# network; malformed datagrams and every RFC 4475 torture message are
# answered 4xx/505 or dropped, never crash the daemon, and a real call
# still works afterwards; OPTIONS says whether calls can be taken (RFC
# 3261 section 11.2: 200 while the span is up, 503 when it is down, and
# to a source no trunk allows the 403 its INVITE would get).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init security
gw_setup auto || e2e_done

SIPSEND=$E2E_TOP/tests/tools/sipsend
TORTURE=${SIPGW_TESTDATA:-$E2E_TOP/tests/data/standards}/rfc4475
D=$E2E_DIR

# send [SIPSEND_OPTIONS...] FILE: one datagram to the gateway, prints the
# status line of every response that comes back to the sender's socket
send() {
	local a=("$@")
	"$SIPSEND" "${a[@]:0:$#-1}" 127.0.0.1 "$GW_SIP_PORT" "${a[$# - 1]}" 2>&1
}

# crlf FILE: LF line ends -> CRLF (for messages sent raw with -r)
crlf() {
	sed 's/$/\r/' "$1"
}

# alive: sipgwd still runs and its control socket answers
alive() {
	kill -0 "$GW_PID" 2>/dev/null && ctl status >/dev/null
}

# no_answer_or_4xx OUTPUT: nothing came back, or only 4xx (dropped or refused)
no_answer_or_4xx() {
	[ -z "$1" ] || ! grep -vqE '^SIP/2\.0 4[0-9][0-9] ' <<<"$1"
}

# The offer of a phone at 127.0.0.2 calling +4930555 (the number 11-sip-to-isdn
# dials); @...@ are filled in by sipsend, which also turns LF into CRLF.
invite() {
	local ver=${1:-SIP/2.0} extra=${2:-}
	cat <<SIP
INVITE sip:+4930555@127.0.0.1:$GW_SIP_PORT $ver
Via: SIP/2.0/UDP @LADDR@:@LPORT@;branch=@BRANCH@;rport
Max-Forwards: 70
From: <sip:+4930999@@LADDR@>;tag=sec1
To: <sip:+4930555@127.0.0.1>
Call-ID: @CALLID@
CSeq: 1 INVITE
Contact: <sip:+4930999@@LADDR@:@LPORT@>
${extra:+$extra
}Content-Type: application/sdp
Content-Length: @CLEN@

$(sdp_offer 127.0.0.2)
SIP
}

options() {
	cat <<SIP
OPTIONS sip:127.0.0.1:$GW_SIP_PORT SIP/2.0
Via: SIP/2.0/UDP @LADDR@:@LPORT@;branch=@BRANCH@;rport
Max-Forwards: 70
From: <sip:probe@@LADDR@>;tag=opt1
To: <sip:127.0.0.1:$GW_SIP_PORT>
Call-ID: @CALLID@
CSeq: 1 OPTIONS
Accept: application/sdp
Content-Length: 0

SIP
}

sip_capture_start

# ---- 1. closed by default: a source no trunk allows
invite >"$D/invite.txt"
out=$(send -b 127.0.0.2 -w 2 "$D/invite.txt")
diag "INVITE from 127.0.0.2: $(tr '\n' ',' <<<"$out")"
ok 'grep -qx "SIP/2.0 403 Forbidden" <<<"$out"' \
	"INVITE with a valid offer for +4930555 from 127.0.0.2 (no trunk allows it) -> 403 Forbidden (RFC 3261 section 21.4.4)"
sleep 2
q931=$(q931_trace | cut -d'|' -f1 | tr '\n' ' ')
ok '[ "$(sim_count "^EVENT RING ")" -eq 0 ] && ! grep -q "0x05" <<<"$q931"' \
	"and no SETUP reaches the switch (no RING in 4 s, no Q.931 SETUP 0x05 on the D-channel)"

# ---- 2a. malformed datagrams, made by hand
head -c 700 /dev/urandom >"$D/garbage.bin"
out=$(send -r -w 0.5 "$D/garbage.bin")
ok 'no_answer_or_4xx "$out"' "700 random bytes: dropped or 4xx (${out:-no answer})"

invite >"$D/full.txt"
hdr=$(awk '/^$/ { exit } { n += length($0) + 2 } END { print n }' "$D/full.txt")
crlf "$D/full.txt" | head -c $((hdr * 6 / 10)) >"$D/truncated.txt"
out=$(send -r -w 0.5 "$D/truncated.txt")
ok 'grep -qx "SIP/2.0 400 Bad Request" <<<"$out"' \
	"an INVITE cut off in its headers (no Call-ID/CSeq left) -> 400 (RFC 3261 section 8.1.1): ${out:-no answer}"

invite SIP/3.0 >"$D/sip3.txt"
out=$(send -w 0.5 "$D/sip3.txt")
ok 'grep -qx "SIP/2.0 505 Version Not Supported" <<<"$out"' \
	"SIP/3.0 in the Request-Line -> 505 Version Not Supported (RFC 3261 section 8.2.2.1 and 21.5.6): ${out:-no answer}"

invite | grep -v '^Call-ID:' >"$D/nocallid.txt"
out=$(send -w 0.5 "$D/nocallid.txt")
ok 'grep -qx "SIP/2.0 400 Bad Request" <<<"$out"' \
	"a request without Call-ID -> 400 (RFC 3261 section 8.1.1, RFC 4475 3.3.1): ${out:-no answer}"

invite | sed 's/@CLEN@/4294967296/' >"$D/hugecl1.txt"
invite | sed 's/@CLEN@/999999999999999999999999999999/' >"$D/hugecl2.txt"
out="$(send -w 0.5 "$D/hugecl1.txt")
$(send -w 0.5 "$D/hugecl2.txt")"
ok '[ "$(grep -cx "SIP/2.0 400 Bad Request" <<<"$out")" -eq 2 ]' \
	"Content-Length 2^32 and 10^30 (larger than the datagram) -> 400 (RFC 4475 3.1.2.2): $(tr '\n' ' ' <<<"$out")"

{ printf 'INVITE sip:+4930555@127.0.0.1:%s SIP/2.0\r\n' "$GW_SIP_PORT"; head -c 1200 /dev/urandom; } >"$D/junk.bin"
out=$(send -r -w 0.5 "$D/junk.bin")
ok 'no_answer_or_4xx "$out"' "binary junk after a valid-looking Request-Line: dropped or 4xx (${out:-no answer})"

ok alive "sipgwd survives the malformed datagrams: still runs and sipgwctl status answers"

# ---- 2b. RFC 4475 torture messages, raw, from the trunk's address (the
# deepest path: INVITEs reach routing). Responses to parsed requests go
# where the Via says (received=127.0.0.1), so they are read off the wire.
sip_capture_stop
sip_capture_start
rings0=$(sim_count '^EVENT RING ')
n=0
while IFS=$'\t' read -r file section title validity _; do
	[ "$file" = file ] && continue
	[ -s "$TORTURE/$file" ] || continue
	send -r -w 0.2 "$TORTURE/$file" >/dev/null
	n=$((n + 1))
done <"$TORTURE/MANIFEST.tsv"
sleep 1
sip_capture_stop
cp "$D/sip.pcap" "$D/torture.pcap"
# "Call-ID|code|framed" of every response the gateway sent, read from the
# UDP payload (tshark's SIP dissector gives up on some of these headers);
# framed: 1 when the headers end with an empty line and Content-Length
# matches the body (RFC 3261 sections 7.5 and 20.14), 0 otherwise
tshark -r "$D/torture.pcap" -Y "udp.srcport == $GW_SIP_PORT" -T fields -e udp.payload 2>/dev/null |
	perl -ne 'chomp; my $m = pack("H*", $_); next unless $m =~ m{^SIP/2\.0 (\d{3}) };
		my $code = $1; my ($cid) = $m =~ m{\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]*)}i;
		my $framed = 0;
		if ($m =~ m{\A(.*?\r\n)\r\n(.*)\z}s) {
			my ($h, $b) = ($1, $2);
			$framed = 1 if $h =~ m{\r\n(?:Content-Length|l)[ \t]*:[ \t]*(\d+)\r\n}i && $1 == length($b);
		}
		print(($cid // ""), "|$code|$framed\n");' | sort -u >"$D/torture-answers.txt"

# code FILE: the final response(s) to that torture message, "" if none
code() {
	local cid
	cid=$(grep -aim1 -E '^(Call-ID|i)[ \t]*:' "$TORTURE/$1" | sed -E 's/^[^:]*:[ \t]*//; s/\r$//')
	[ -n "$cid" ] || return 0
	grep -aF "$cid|" "$D/torture-answers.txt" | cut -d'|' -f2 | grep -v '^1' | sort -u | tr '\n' ' ' |
		sed 's/ $//'
}

c=$(code lwsdisp.dat)
ok '[ "$c" = 200 ]' "RFC 4475 3.1.1.6 (valid: no LWS between display name and <): the OPTIONS is taken, 200 ($c)"
c=$(code badvers.dat)
ok '[ "$c" = 505 ]' "RFC 4475 3.1.2.16 (invalid: SIP/7.0): 505 Version Not Supported ($c)"
c=$(code badbranch.dat)
ok '[ "$c" = 200 ] || [ "$c" = 400 ]' "RFC 4475 3.2.1 (transaction layer: branch is a bare z9hG4bK): answered 200 or 400 ($c)"
c=$(code unkscm.dat)
ok '[ "$c" = 416 ]' "RFC 4475 3.3.2 (application layer: unknown Request-URI scheme): 416 Unsupported URI Scheme ($c)"
c=$(code inv2543.dat)
ok '[ -n "$c" ] && [ "$c" != 400 ] && [[ "$c" != 5* ]]' \
	"RFC 4475 3.4.1 (RFC 2543 syntax INVITE): parsed and routed, refused for its non-numeric user UserB, not as malformed ($c)"
c="$(code unreason.dat) $(code noreason.dat) $(code scalarlg.dat) $(code bigcode.dat) $(code bcast.dat)"
ok '[ -z "${c// /}" ]' \
	"RFC 4475 3.1.1.12, 3.1.1.13, 3.1.2.5, 3.1.2.19, 3.3.10 (responses matching no transaction): never answered"

# 5xx allowed: 501 to the unknown methods (3.1.1.2, 3.1.1.5, 3.1.2.18), 505 to SIP/7.0
bad5xx=$(cut -d'|' -f2 "$D/torture-answers.txt" | grep -E '^5' | grep -vxE '501|505' | sort -u | tr '\n' ' ')
unframed=$(awk -F'|' '$3 != 1' "$D/torture-answers.txt" | cut -c1-60 | tr '\n' ' ')
diag "torture answers: $(cut -d'|' -f2 "$D/torture-answers.txt" | sort | uniq -c | awk '{ printf "%s x%s, ", $2, $1 }')"
ok '[ "$n" -eq 50 ] && alive && [ -z "$bad5xx" ] && [ -z "$unframed" ] && [ "$(sim_count "^EVENT RING ")" -eq "$rings0" ]' \
	"all $n RFC 4475 messages: no crash, status answers, no 5xx but 501/505 (${bad5xx:-none}), every answer framed by its Content-Length (${unframed:-all}), no SETUP"

# ---- 2c. after all that, a real call from the phone to the switch
sip_capture_start
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=' 10" "a real call from the phone afterwards: INVITE -> Q.931 SETUP reaches the switch"
id=$(sim_id RING)
sim "answer $id"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5" "CONNECT -> 200 OK: the phone's call is established"
sleep 1
read -r f l < <(sim_measure "$id" 1000)
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"the switch hears the phone's $PHONE_TONE Hz at $PHONE_LEVEL_DBM0 dBm0: $f Hz, $l dBm0"
baresip_hangup $PHONE_CTRL
sim_wait "^EVENT HANGUP id=$id" 5

# ---- 3. OPTIONS (RFC 3261 section 11.2)
options >"$D/options.txt"
out=$(send -w 1 "$D/options.txt")
ok 'grep -qx "SIP/2.0 200 OK" <<<"$out"' \
	"OPTIONS from the trunk's address while the span is up -> 200 OK (RFC 3261 section 11.2): ${out:-no answer}"
out=$(send -b 127.0.0.2 -w 1 "$D/options.txt")
ok 'grep -qx "SIP/2.0 403 Forbidden" <<<"$out"' \
	"OPTIONS from 127.0.0.2 (no trunk allows it) -> 403 Forbidden, what its INVITE gets (RFC 3261 section 11): ${out:-no answer}"
e2e_kill "$SIM_PID"
down=1
for i in $(seq 100); do
	ctl --json show spans | grep -q '"up":false' && { down=0; break; }
	sleep 0.1
done
ok "[ $down -eq 0 ]" "the switch stopped (pstnsim killed): sipgwctl show spans says span 1 down"
diag "$(ctl show spans | tail -n +2)"
out=$(send -w 1 "$D/options.txt")
ok 'grep -qx "SIP/2.0 503 Service Unavailable" <<<"$out"' \
	"OPTIONS with every span down -> 503 Service Unavailable (RFC 3261 section 11.2): ${out:-no answer}"
sip_capture_stop
gw_finish
e2e_done
