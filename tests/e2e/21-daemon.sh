#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The daemon's life as an operator sees it: `sipgwd -n` checks a config
# (every error as FILE:LINE: message), --version, the pid file, reload
# (SIGHUP and sipgwctl reload: a broken file is refused and the running
# config stays, a fixed one takes effect for the next call), SIGTERM during
# an answered call (DISCONNECT cause 16 to the switch, BYE with Reason
# Q.850;cause=16 to the phone, exit 0 within 2 s) and the daemonised mode.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gw.sh"
e2e_init daemon

SIPGWD=$E2E_BUILD/gw/sipgwd
D=$E2E_DIR
PHONE2_SIP_PORT=25064
PHONE2_CTRL=24446

# run ARGS...: sipgwd's stdout, stderr and exit status into $out, $err, $rc
run() {
	"$SIPGWD" "$@" >"$D/run.out" 2>"$D/run.err"
	rc=$?
	out=$(cat "$D/run.out")
	err=$(cat "$D/run.err")
}

# line_of FILE TEXT: the number of the line that is exactly TEXT
line_of() {
	grep -nxF -- "$2" "$1" | head -n 1 | cut -d: -f1
}

# ---- 1. sipgwd -n on good configs
gw_config "$D/good.conf"
run -n -c "$D/good.conf"
ok '[ $rc -eq 0 ] && [ "$out" = "configuration OK" ]' "sipgwd -n -c GOOD: 'configuration OK', exit 0 (exit $rc)"
run -n -c "$E2E_TOP/config/sipgw.conf.sample"
ok '[ $rc -eq 0 ] && [ "$out" = "configuration OK" ]' \
	"sipgwd -n on the shipped config/sipgw.conf.sample: 'configuration OK', exit 0 (exit $rc)"

# ---- 2. a config with three errors, each reported where it is
gw_config "$D/bad.conf"
sed -i -e 's/^log_level = debug$/log_level = debug\nfrobnicate = yes/' \
	-e 's/^law = alaw$/law = mu-law/' \
	-e '/^\[route pstn-to-sip\]$/,/^$/s/^to = trunk:phone$/to = trunk:nosuch/' "$D/bad.conf"
l1=$(line_of "$D/bad.conf" "frobnicate = yes")
l2=$(line_of "$D/bad.conf" "law = mu-law")
l3=$(line_of "$D/bad.conf" "to = trunk:nosuch")
run -n -c "$D/bad.conf"
diag "sipgwd -n on bad.conf (lines $l1, $l2, $l3 planted):"
while IFS= read -r l; do diag "  $l"; done <<<"$err"
ok '[ $rc -eq 1 ] && [ -n "$l1" ] && grep -qE "^$D/bad.conf:$l1: .*frobnicate" <<<"$err" &&
	grep -qE "^$D/bad.conf:$l2: .*law.*mu-law" <<<"$err" && grep -qE "^$D/bad.conf:$l3: .*nosuch" <<<"$err" &&
	! grep -q "configuration OK" <<<"$out"' \
	"sipgwd -n -c BAD: unknown key (line $l1), bad value (line $l2) and a route to an unknown trunk (line $l3), each as FILE:LINE: message, exit 1 (exit $rc)"
run -n -c "$D/nonexistent.conf"
ok '[ $rc -eq 1 ] && grep -qF "$D/nonexistent.conf: No such file or directory" <<<"$err"' \
	"a missing config file: '$err', exit 1 (exit $rc)"

# ---- 3. --version
run --version
ok '[ $rc -eq 0 ] && grep -qE "^sipgwd [0-9]+\.[0-9]+" <<<"$out"' "sipgwd --version prints the version: '$out'"

# ---- 4. the pid file
gw_setup auto || e2e_done
ok '[ "$(cat "$D/sipgwd.pid" 2>/dev/null)" = "$GW_PID" ]' \
	"the pid file holds the daemon's pid while it runs ($(cat "$D/sipgwd.pid" 2>/dev/null) = $GW_PID)"
gen_tone_wav "$D/phone2.wav" 660 120
check "baresip_start phone2 127.0.0.1:$PHONE2_SIP_PORT $PHONE2_CTRL '$PHONE_USER' '$D/phone2.wav'" \
	"a second SIP phone starts on port $PHONE2_SIP_PORT"

# isdn_call: a call from the switch to +4930123456; prints pstnsim's call
# id once the call is answered (CONNECT), nothing if it is not within 10 s
isdn_call() {
	local n
	n=$(sim_count '^EVENT CONNECT ')
	sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
	wait_for_count '^EVENT CONNECT ' $((n + 1)) 10 && sim_id CALL
}

# ---- 5. reload
# broken: the trunk's port out of range
sed -i '/^\[trunk phone\]$/,/^$/s/^port = .*/port = 99999/' "$D/gw.conf"
lbad=$(line_of "$D/gw.conf" "port = 99999")
kill -HUP "$GW_PID"
wait_for "$D/sipgwd.log" "reload of .* refused" 5
ok 'kill -0 $GW_PID && grep -qE "$D/gw.conf:$lbad: .*port.*99999" "$D/sipgwd.log" && grep -q "reload of $D/gw.conf refused" "$D/sipgwd.log"' \
	"SIGHUP with a broken config: sipgwd keeps running and logs that the reload was refused with gw.conf:$lbad: message"
diag "$(grep -E "gw.conf:$lbad: " "$D/sipgwd.log" | tail -n 1)"
ctl reload >"$D/reload.out" 2>"$D/reload.err"
rc=$?
# exit 1 is sipgwctl's "the daemon answered ERR" (2: unreachable)
ok '[ $rc -eq 1 ] && grep -q "config not valid" "$D/reload.err" && grep -qE "^$D/gw.conf:$lbad: .*99999" "$D/reload.err"' \
	"sipgwctl reload: the daemon answers ERR (exit $rc) with the error as FILE:LINE: message: $(head -n 1 "$D/reload.err")"

id=$(isdn_call)
baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 5
ok '[ -n "$id" ] && [ "$(baresip_count $PHONE_CTRL CALL_ESTABLISHED)" -eq 1 ] && [ "$(baresip_count $PHONE2_CTRL CALL_ESTABLISHED)" -eq 0 ]' \
	"the running config stays: a call from the switch is answered by the phone on $PHONE_SIP_PORT"
sim "hangup $id cause=16"
baresip_wait_event $PHONE_CTRL CALL_CLOSED 5
sim_wait "^EVENT HANGUP id=$id" 5

# fixed: the trunk now points at the second phone
sed -i "s/^port = 99999$/port = $PHONE2_SIP_PORT/" "$D/gw.conf"
check "ctl reload" "the fixed config (trunk phone on port $PHONE2_SIP_PORT): sipgwctl reload -> OK, exit 0"
sleep 1
sip_capture_start
id=$(isdn_call)
check "baresip_wait_event $PHONE2_CTRL CALL_ESTABLISHED 5" \
	"and it takes effect for the next call: the switch's call goes to the phone on $PHONE2_SIP_PORT"
ok '[ "$(baresip_count $PHONE_CTRL CALL_ESTABLISHED)" -eq 1 ]' "not to the old one on $PHONE_SIP_PORT"
ok 'ctl show calls | grep -qE "isdn->sip +ACTIVE"' "sipgwctl show calls: the call is ACTIVE"

# ---- 6. SIGTERM during the answered call
sleep 1
gw_finish
check "sim_wait '^EVENT DISCONNECT id=$id cause=16' 3" \
	"the switch gets DISCONNECT with cause 16, normal call clearing (Q.931)"
check "baresip_wait_event $PHONE2_CTRL CALL_CLOSED 3" "the phone's call ends"
sip_capture_stop
trace=$(sip_trace)
diag "SIP: $(tr '\n' ',' <<<"$trace")"
ok 'grep -qx "BYE Q.850;cause=16" <<<"$trace"' "on the wire: BYE with Reason: Q.850;cause=16 (RFC 3326)"
q931=$(q931_trace | tr '\n' ' ')
diag "Q.931: $q931"
ok '[ ! -e "$D/sipgwd.pid" ]' "the pid file is removed after SIGTERM"

# ---- 7. daemonised (no -f)
t0=$(_e2e_now)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$D/asan-daemon" \
	UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$D/asan-daemon" \
	"$SIPGWD" -c "$D/gw.conf" </dev/null >"$D/daemon.out" 2>&1
rc=$?
t1=$(_e2e_now)
dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
ok '[ $rc -eq 0 ] && awk "BEGIN { exit !($dt < 1) }"' "sipgwd -c CONF (no -f) returns at once: exit $rc after $dt s"
for i in $(seq 50); do [ -s "$D/sipgwd.pid" ] && break; sleep 0.1; done
dpid=$(cat "$D/sipgwd.pid" 2>/dev/null)
[ -n "$dpid" ] && echo "$dpid" >>"$D/.pids" # cleaned up if the test stops early
for i in $(seq 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ok '[ -n "$dpid" ] && kill -0 "$dpid" && [ "$(ps -o sid= -p "$dpid")" != "$(ps -o sid= -p $$)" ] && ctl status' \
	"the daemon runs on its own: pid file ($dpid), detached from our session, sipgwctl status answers"
if [ -S /dev/log ]; then
	diag "syslog: /dev/log exists, but where it stores messages is not ours to read: not checked"
else
	diag "syslog: no /dev/log (no syslogd here): the daemon's syslog output is not checked"
fi
# running PID: the process exists and has not exited (it is not our child:
# whoever inherits it may reap it late, and kill -0 succeeds on a zombie)
running() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -n "$st" ] && [ "${st:0:1}" != Z ]
}
t0=$(_e2e_now)
kill -TERM "$dpid" 2>/dev/null
for i in $(seq 30); do running "$dpid" || break; sleep 0.1; done
dt=$(awk -v a="$t0" -v b="$(_e2e_now)" 'BEGIN { printf "%.2f", b - a }')
ok '! running "$dpid" && awk "BEGIN { exit !($dt < 2) }" && [ ! -e "$D/sipgwd.pid" ]' \
	"SIGTERM stops it within 2 s ($dt s) and the pid file is removed" ||
	diag "pid $dpid: state '$(ps -o stat= -p "$dpid")', pid file $(ls "$D/sipgwd.pid" 2>&1)"
ok '! ls "$D"/asan-daemon.* >/dev/null 2>&1' "no AddressSanitizer/UBSan report from the daemonised sipgwd"
e2e_done
