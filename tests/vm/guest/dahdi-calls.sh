#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Guest script of tests/e2e/30-dahdi-vm.sh (run there, not alone): sipgwd's
# dahdi backend against the real DAHDI driver, inside the qemu guest.
#
#   baresip (SIP phone, loopback) == sipgwd == DAHDI span 1 (channels 1-31)
#        == dahdi_dynamic_loc == span 2 (32-62) == pstnsim --dahdi 32:16 (libpri NET)
#
# Checks, as in the virtual-span tests (tests/e2e/10-, 11-): calls both ways
# with their numbers, tones measured at both far ends, DTMF both ways, the
# causes; then a 60-second call with the backend's buffer counters (no
# underrun, no overrun, the driver's clock at 50 chunks/s; stallwatch, a
# witness at the highest real-time priority, tells a stall of the whole guest
# from a late gateway); then sipgwd stopped for 300 ms (the drop-out counted,
# the queues rebuilt, the call going on); then span 2's side taken down
# (pstnsim closes its channels, dahdi_cfg destroys the dynamic span): span 1
# goes into red alarm, the call is cleared with cause 38, and everything
# recovers when span 2 is back. TAP on stdout (tests/e2e/lib.sh). SIP on the
# loopback (dumpcap) and span 2's D-channel (pstnsim --pcap) are captured for
# the host, whose tshark reads the causes off them.
#
# Needs (given by 30-dahdi-vm.sh): bash, perl (+ perl-base), baresip, dumpcap,
# the build's sipgwd, sipgwctl, pstnsim, stallwatch and stopfor under $SIPGW_BUILD
# (/build), lib.sh and gw.sh from tests/e2e, phone.wav (440 Hz, 8 kHz mono,
# 300 s).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
export SIPGW_BUILD=${SIPGW_BUILD:-/build}
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd	# bash's <(...); devtmpfs has none
cd /vmtest || exit 1
. /vmtest/lib.sh
. /vmtest/gw.sh
e2e_init dahdi-vm
# DEADLINES=0 (31-dahdi-vm-asan.sh: the sanitizers' build): the checks of
# real-time deadlines (no under- or overrun) are reported, not counted, and
# the long call is 10 s. Under ASan the worker can wait on the allocator's
# spin locks held by sipgwd's main thread (seen at start-up); that build is
# run for memory errors, the plain one (30-dahdi-vm.sh) for the deadlines.
DEADLINES=${DEADLINES:-1}
if [ "$DEADLINES" = 1 ]; then LONG_CALL_S=${LONG_CALL_S:-60}; else LONG_CALL_S=${LONG_CALL_S:-10}; fi
# Known failure in the sanitizers' build only (once in about ten runs): the
# switch's last digit '#' was detected twice (89 ms, then 16 ms later 51 ms
# more), with no under- or overrun on either side and stallwatch quiet; the
# cause is not found yet (an offline model of the same echo path gave no
# ghost digit in 132 runs). The plain build's run counts these checks.
INBAND_TODO=
[ "$DEADLINES" = 1 ] || INBAND_TODO=" # TODO a ghost repeat of an in-band digit, seen once under ASan (cause not found)"
TXPRIME_MS=40	# the transmit queue's depth (tdm/dahdi_media.c: DM_TXPRIME chunks)
# the witness of stalls of the whole guest: a thread nothing can preempt
e2e_spawn "$E2E_DIR/stalls.out" "$E2E_BUILD/tests/tools/stallwatch" -p 5 -t 10

# Leave the logs for the host (run.sh -o): its failure report prints them.
save_logs() {
	local f
	[ -n "${SIP_CAPTURE_PID:-}" ] && sip_capture_stop
	# the wire, for the host's tshark: SIP on the loopback, span 2's D-channel
	cp "$E2E_DIR/sip.pcap" "$E2E_DIR/dchan.pcap" "$VMTEST_OUT/" 2>/dev/null
	for f in sipgwd.log pstnsim.out phone/baresip.log stalls.out; do
		[ -f "$E2E_DIR/$f" ] && cp "$E2E_DIR/$f" "$VMTEST_OUT/$(basename "${f%.*}").log"
	done
	dmesg | tail -n 60 >"$VMTEST_OUT/dmesg.log"
	cp /tmp/dahdi_cfg.log "$VMTEST_OUT/dahdi_cfg.log" 2>/dev/null
}
finish() {
	save_logs
	e2e_done
}

# span_json KEY: span 1's KEY in sipgwctl --json show spans
span_json() {
	ctl --json show spans | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n 1
}
# wait_json KEY VALUE TIMEOUT_S
wait_json() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		[ "$(span_json "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}
# older_than T0 S: S seconds or more have passed since $EPOCHREALTIME T0
older_than() {
	awk -v a="$1" -v b="$(_e2e_now)" -v l="$2" 'BEGIN { exit !(b - a >= l) }'
}
gw_log_count() {
	grep -c "$1" "$E2E_DIR/sipgwd.log"
}
# deadline_ok COND DESC: ok, or with DEADLINES=0 a diag saying how it came out
deadline_ok() {
	if [ "$DEADLINES" = 1 ]; then
		ok "$1" "$2"
	elif eval "$1"; then
		diag "deadline (not counted in this build): holds: $2"
	else
		diag "deadline (not counted in this build): DOES NOT HOLD: $2"
	fi
}
# stalls_in FROM TO MIN_MS: the witness's stalls of MIN_MS or more between
# two $EPOCHREALTIME times, as "SECONDS_INTO_WINDOW:LATE_MS " (empty: none)
stalls_in() {
	awk -v a="$1" -v b="$2" -v m="$3" '/^STALL/ {
		split($2, x, "="); split($3, y, "=")
		if (x[2] >= a && x[2] <= b + 0.1 && y[2] >= m) printf "%.1fs:%dms ", x[2] - a, y[2] }' \
		"$E2E_DIR/stalls.out"
}
# lost_max FROM TO: the most time the guest lost within any 300 ms between
# two $EPOCHREALTIME times (stallwatch's LOST lines: the lateness of all its
# wakeups, per 100 ms), in ms. A guest its host runs in slices loses time in
# many stalls of a few ms that no single STALL line shows: in the run that
# found it, the worker underran when the guest had lost 26 to 104 ms of the
# 300 ms before, in stalls of 10 to 19 ms each.
lost_max() {
	awk -v a="$1" -v b="$2" '/^LOST/ {
		split($2, x, "="); split($3, y, "=")
		if (x[2] >= a && x[2] <= b + 0.3) { n++; t[n] = x[2]; l[n] = y[2] } }
		END { m = 0; for (i = 1; i <= n; i++) { s = 0
			for (j = i; j <= n && t[j] - t[i] < 0.3; j++) s += l[j]
			if (s > m) m = s }
		print m }' "$E2E_DIR/stalls.out"
}
# window_end: the counters at the end of the measuring window that began at
# t0 (u0 o0 fr0 s0): u1 o1 fr1 t1 s1, its length secs and frame rate
window_end() {
	u1=$(span_json underruns) o1=$(span_json overruns) fr1=$(span_json frames) t1=$(_e2e_now) s1=$(sim_status slips)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	rate=$(awk -v f=$((fr1 - fr0)) -v s="$secs" 'BEGIN { printf "%.1f", f / s }')
	diag "over $secs s: underruns $u0 -> $u1, overruns $o0 -> $o1, frames $fr0 -> $fr1 ($rate/s); pstnsim's slips $s0 -> $s1"
	diag "the guest's stalls of 10 ms or more in it (stallwatch, SCHED_FIFO 99): $(stalls_in "$t0" "$t1" 10); the most it lost within 300 ms: $(lost_max "$t0" "$t1") ms"
}

# ---- DAHDI: span 2's own configuration, to take it down and back up ----
# Same lines as tests/vm/conf/, span 2 only (dahdi_cfg destroys and creates the
# dynamic spans its file lists; span 1 must not be touched).
cat >/tmp/span2-create.conf <<'EOF'
dynamic=loc,1:1,31,0
bchan=32-46,48-62
dchan=47
alaw=32-62
loadzone=de
defaultzone=de
EOF
{ cat /tmp/span2-create.conf; echo 'span=2,0,0,ccs,hdb3'; } >/tmp/span2.conf
diag "spans: $(for s in /proc/dahdi/*; do head -n 1 "$s" | sed 's/^Span //'; echo -n '; '; done)"

# ---- start: sipgwd on span 1 (dahdi), the switch on span 2 ----
gw_config "$E2E_DIR/gw.conf" dahdi_base=1 dchannel=16 channels=1-15,17-31
sed -i -e 's/^driver = virt$/driver = dahdi/' -e '/^directory = /d' "$E2E_DIR/gw.conf"
e2e_spawn "$E2E_DIR/sipgwd.log" "$E2E_BUILD/gw/sipgwd" -f -c "$E2E_DIR/gw.conf"
GW_PID=$E2E_LAST_PID
check "wait_for '$E2E_DIR/sipgwd.log' 'sipgwd .* started' 30" \
	"sipgwd starts with the dahdi backend on span 1 (dahdi_base 1, D-channel 16, pri_cpe)" || finish
mkfifo "$E2E_DIR/sim.fifo"
e2e_spawn "$E2E_DIR/pstnsim.out" "$E2E_BUILD/tests/tools/pstnsim" --dahdi 32:16 \
	--cmd "$E2E_DIR/sim.fifo" --pcap "$E2E_DIR/dchan.pcap"
SIM_PID=$E2E_LAST_PID
check "wait_for '$E2E_DIR/pstnsim.out' 'EVENT READY' 30" \
	"Q.921 comes up over the real HDLC D-channels (pstnsim --dahdi 32:16, libpri NET on channel 47)" || finish
check "baresip_start phone 127.0.0.1:$PHONE_SIP_PORT $PHONE_CTRL '$PHONE_USER' /vmtest/phone.wav" \
	"baresip starts as the SIP phone on the guest's loopback" || finish
check "sip_capture_start" "dumpcap captures the gateway's SIP port (decoded by tshark on the host)"
check "wait_for_span_up 20" "sipgwctl shows span 1 up" || finish

out=$(ctl show spans)
diag "$(sed -n 2p <<<"$out")"
ok 'grep -qE "^1 +DYN/loc/1:0 \(DAHDI span 1\) +up " <<<"$out"' \
	"sipgwctl show spans names span 1 as DAHDI does (DYN/loc/1:0, DAHDI span 1), up"
ok '[ "$(span_json alarm)" = none ] && [ "$(span_json driver)" = dahdi ]' \
	"its alarm is none and its driver dahdi (--json)"

# ---- 1: a call from the SIP phone to the ISDN network (as 11-sip-to-isdn.sh) ----
baresip_dial $PHONE_CTRL "sip:+4930555@127.0.0.1:$GW_SIP_PORT"
check "sim_wait '^EVENT RING id=' 15" "SIP -> ISDN: INVITE -> Q.931 SETUP reaches the switch over the real D-channel"
ring=$(grep -E '^EVENT RING ' "$E2E_DIR/pstnsim.out" | tail -n 1)
diag "$ring"
id=$(sim_id RING)
ok 'grep -q "called=30555 called_ton=national" <<<"$ring" && grep -q "calling=30123456 calling_ton=national" <<<"$ring"' \
	"numbers: called 30555 national (from sip:+4930555), calling 30123456 national"
sim "alert $id"
check "baresip_wait_event $PHONE_CTRL CALL_PROGRESS 10" "ALERTING -> 180 with early media at the phone"
sim "answer $id"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10" "CONNECT -> 200 OK: the call is established"
ok 'ctl show channels | grep -qE "^1/[0-9]+ +busy"' "sipgwctl show channels shows its B-channel busy"
sim "tone $id $SWITCH_TONE -10"
sleep 1
read -r f l < <(sim_measure "$id" 2000)
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"the switch hears the phone's $PHONE_TONE Hz at $PHONE_LEVEL_DBM0 dBm0 through the DAHDI B-channels: $f Hz, $l dBm0"
baresip_dtmf $PHONE_CTRL "123"
wait_for_count "^EVENT DTMF id=$id " 3 8
sim "dtmf $id 456"
baresip_wait_event $PHONE_CTRL CALL_DTMF_START 8 3
# the phone_measure window below (1.5 to 0.5 s before the hangup) must hold
# the tone only, not the switch's last digit: the phone's events come up to
# half a second late here
sleep 2
got=$(grep -E "^EVENT DTMF id=$id " "$E2E_DIR/pstnsim.out" | sed 's/.*digit=//' | tr -d '\n')
ok '[ "$got" = "123" ]' "RFC 4733 digits 123 from the phone arrive in-band at the switch, each once: '$got'"
digits=$(baresip_event_params $PHONE_CTRL CALL_DTMF_START | tr -d '\n')
ok '[ "$digits" = "456" ]' "in-band digits 456 from the switch reach the phone as RFC 4733, each once: '$digits'$INBAND_TODO"
baresip_hangup $PHONE_CTRL
check "sim_wait '^EVENT DISCONNECT id=$id cause=16' 10" "the phone's BYE -> DISCONNECT cause 16 at the switch"
check "sim_wait '^EVENT HANGUP id=$id' 10" "the switch's call is released"
read -r f l < <(phone_measure 1 1.5)
ok "within $f $SWITCH_TONE 0.5% && within $l -10 1.0" \
	"the phone heard the switch's $SWITCH_TONE Hz at -10 dBm0: $f Hz, $l dBm0"

# ---- 2: a call from the ISDN network to the phone (as 10-isdn-to-sip.sh), 60 s ----
sleep 1	# baresip names recordings by the second
sim "call called=30123456 called_ton=national calling=301111 calling_ton=national"
check "sim_wait '^EVENT CONNECT id=' 15" "ISDN -> SIP: SETUP -> INVITE -> 200 OK -> CONNECT"
id=$(sim_id CALL)
t_conn=$(_e2e_now)
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10 2" "the phone has the call established"
peer=$(grep -F '"type":"CALL_ESTABLISHED"' "$(baresip_events $PHONE_CTRL)" | tail -n 1 |
	sed -n 's/.*"peeruri":"\([^"]*\)".*/\1/p')
ok '[[ "$peer" == "sip:+49301111@"* ]]' "calling 301111 (national) arrives as sip:+49301111: $peer"
ok 'ctl show calls | grep -qE "isdn->sip +ACTIVE +1/[0-9]+ +\+49301111 +\+4930123456"' \
	"sipgwctl show calls lists the call with both numbers"
sim "tone $id $SWITCH_TONE -10"
sleep 1
u0=$(span_json underruns) o0=$(span_json overruns) fr0=$(span_json frames) t0=$(_e2e_now) s0=$(sim_status slips)
read -r f l < <(sim_measure "$id" 2000)
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"the switch hears the phone's $PHONE_TONE Hz at $PHONE_LEVEL_DBM0 dBm0: $f Hz, $l dBm0"
sim "dtmf $id 1234567890*#"
check "baresip_wait_event $PHONE_CTRL CALL_DTMF_START 10 15" \
	"12 in-band digits from the switch reach the phone as RFC 4733 events"
sleep 1
digits=$(baresip_event_params $PHONE_CTRL CALL_DTMF_START | tail -n 12 | tr -d '\n')
ok '[ "$digits" = "1234567890*#" ]' "each exactly once, in order: '$digits'$INBAND_TODO"
baresip_dtmf $PHONE_CTRL "#9*0"
wait_for_count "^EVENT DTMF id=$id " 4 8
sleep 1
got=$(grep -E "^EVENT DTMF id=$id " "$E2E_DIR/pstnsim.out" | sed 's/.*digit=//' | tr -d '\n')
ok '[ "$got" = "#9*0" ]' "RFC 4733 digits from the phone arrive in-band at the switch, each once: '$got'"

# hold the call until it is LONG_CALL_S old; the counters cover all of it but the first second
rest=$(awk -v a="$t_conn" -v b="$(_e2e_now)" -v l="$LONG_CALL_S" 'BEGIN { r = l - (b - a) - 3; print (r > 0 ? int(r) : 0) }')
diag "holding the call for $rest s more (a ${LONG_CALL_S}-second call)"
top -b -n 2 -d 5 >/tmp/top.txt 2>&1 &	# who uses the guest's CPUs during the call
sleep "$rest"
awk '/^Mem:/ { n++ } n == 2' /tmp/top.txt | head -n 12 | sed 's/^/# top: /'
read -r f l < <(sim_measure "$id" 2000)
# the sleep above is whole seconds: hold on until the call is really that old
while ! older_than "$t_conn" "$LONG_CALL_S"; do
	sleep 0.2
done
window_end
# A window the guest itself stalled in (the witness lost the transmit
# queue's depth or more within 300 ms: no user-space thread could have
# kept the queue fed) is measured again on the same call, twice at most;
# under- or overruns without such a stall fail at once.
for try in 2 3; do
	[ "$DEADLINES" = 1 ] && [ $((u1 - u0 + o1 - o0)) -ne 0 ] && [ "$(lost_max "$t0" "$t1")" -ge $TXPRIME_MS ] || break
	diag "the guest itself lost ${TXPRIME_MS} ms or more within 300 ms in that window (stallwatch): not the gateway's doing; measured again over another ${LONG_CALL_S} s (window $try of 3)"
	u0=$u1 o0=$o1 fr0=$fr1 t0=$t1 s0=$s1
	while ! older_than "$t0" "$LONG_CALL_S"; do
		sleep 0.5
	done
	window_end
done
deadline_ok "[ $((u1 - u0)) -eq 0 ] && [ $((o1 - o0)) -eq 0 ]" \
	"buffer policy: no underrun and no overrun on span 1 during $secs s of the call (DAHDI_BUFFER_EVENTS)"
ok "within $rate 50 1.5" "the driver clocks the B-channels: $rate chunks of 20 ms per second (50 expected)"
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"after ${LONG_CALL_S} s the switch still hears the phone's tone: $f Hz, $l dBm0"
ok "older_than $t_conn $LONG_CALL_S" \
	"the call lasted ${LONG_CALL_S} s"

# ---- 2b: sipgwd stalls (SIGSTOP, stopfor at SCHED_FIFO 99 so the stop is
# as long as asked). Short stops (STOP_MS, less than the transmit queue's
# TXPRIME_MS) must cost nothing: the queue's depth is what lets the worker be
# late. They are made on the queue primed at start-up, then again on the
# queue rebuilt after a 300 ms stop, which is counted on every channel (the
# drop-out), rebuilt without stacking up, and followed by nothing more. ----
STOP_MS=25
# stall_stats FROM TO: the witness's stalls in a window, for the diag lines
stall_stats() {
	local s
	s=$(stalls_in "$1" "$2" 10)
	echo "${s:-none of 10 ms or more}; the most lost within 300 ms: $(lost_max "$1" "$2") ms"
}
# short_stops WHEN: 10 stops of STOP_MS, 180 ms apart, then 1 s; sets
# su0 su1 so0 so1 st0 st1 (underruns, overruns, times) and prints the diags
short_stops() {
	st0=$(_e2e_now) su0=$(span_json underruns) so0=$(span_json overruns)
	"$E2E_BUILD/tests/tools/stopfor" -n 10 -g 180 "$GW_PID" "$STOP_MS" >"$E2E_DIR/stops.out" 2>&1
	sleep 1
	su1=$(span_json underruns) so1=$(span_json overruns) st1=$(_e2e_now)
	diag "$1: 10 stops of sipgwd for $(sed -n 's/^STOP .*ms=//p' "$E2E_DIR/stops.out" | tr '\n' ' ')ms: underruns $su0 -> $su1, overruns $so0 -> $so1; the guest's stalls: $(stall_stats "$st0" "$st1")"
}
# short_stops_check WHEN: short_stops, measured again once if it counted
# under- or overruns and the whole guest lost enough time in it (within
# 300 ms) to add up with a stop to the queue's depth (then it was not
# sipgwd's doing); any other under- or overrun fails
short_stops_check() {
	short_stops "$1"
	if [ "$DEADLINES" = 1 ] && [ $((su1 - su0 + so1 - so0)) -ne 0 ] &&
		[ "$(lost_max "$st0" "$st1")" -ge $((TXPRIME_MS - STOP_MS)) ]; then
		diag "the guest itself lost $((TXPRIME_MS - STOP_MS)) ms or more within 300 ms in that window (stallwatch), what the stops leave of the queue: not the gateway's doing; measured again"
		short_stops "$1 (again)"
	fi
	deadline_ok "[ $((su1 - su0)) -eq 0 ] && [ $((so1 - so0)) -eq 0 ]" \
		"$1: stops of sipgwd for $STOP_MS ms (less than its ${TXPRIME_MS}-ms transmit queue) cost no under- or overrun: underruns $su0 -> $su1, overruns $so0 -> $so1"
}
short_stops_check "the queue primed at start-up"

# long_stop: sipgwd stopped for 300 ms, then 1 s, then 4 s more; sets
# u2 o2 q2 (before), u3 o3 (1 s after), u4 o4 t3 t4 (the 4 s after), f l
# (the tone heard in them)
long_stop() {
	u2=$(span_json underruns) o2=$(span_json overruns) q2=$(gw_log_count 'queue full')
	"$E2E_BUILD/tests/tools/stopfor" "$GW_PID" 300 >"$E2E_DIR/stop300.out" 2>&1
	sleep 1
	t3=$(_e2e_now) u3=$(span_json underruns) o3=$(span_json overruns)
	read -r f l < <(sim_measure "$id" 1000)
	sleep 3
	u4=$(span_json underruns) o4=$(span_json overruns) t4=$(_e2e_now)
	diag "$(sed -n 's/^STOP .*ms=/stop of /p' "$E2E_DIR/stop300.out") ms: underruns $u2 -> $u3 -> $u4, overruns $o2 -> $o3 -> $o4; the guest's stalls in the 4 s after: $(stall_stats "$t3" "$t4")"
}
long_stop
# The 4 s after it are measured again (a new 300 ms stop) once, if they
# counted under- or overruns while the whole guest lost the queue's depth or
# more within 300 ms (stallwatch): no user-space thread could have kept the
# queue fed then. Under- or overruns without such a loss fail.
if [ "$DEADLINES" = 1 ] && [ $((u4 - u3 + o4 - o3)) -ne 0 ] && [ "$(lost_max "$t3" "$t4")" -ge $TXPRIME_MS ]; then
	diag "the guest itself lost ${TXPRIME_MS} ms or more within 300 ms in the 4 s after the stop (stallwatch): not the gateway's doing; stopped and measured again"
	long_stop
fi
ok "[ $((u3 - u2)) -ge 30 ] && [ $((o3 - o2)) -ge 30 ]" \
	"a 300 ms stall of sipgwd (SIGSTOP) is counted on the 30 channels: $((u3 - u2)) underruns, $((o3 - o2)) overruns (over the 8 buffers)"
ok "[ $(gw_log_count 'queue full') -eq $q2 ]" \
	"the transmit queues are rebuilt at their depth, not stacked up by the chunks caught up on: no write refused (queue full)"
deadline_ok "[ $u4 -eq $u3 ] && [ $o4 -eq $o3 ]" \
	"no more under- or overruns in the 4 s after it: underruns $u3 -> $u4, overruns $o3 -> $o4"
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"the switch hears the phone's tone again after the stall: $f Hz, $l dBm0"
short_stops_check "the queue rebuilt after the 300 ms stop"

# ---- 3: alarms: span 2's side goes away while the call is up ----
closed0=$(baresip_count $PHONE_CTRL CALL_CLOSED)
c38=$(gw_log_count "ISDN cleared with cause 38")
sim drop
check "sim_wait '^EVENT LINK state=down' 5" "the switch closes span 2's channels (drop)"
dahdi_cfg -s -c /tmp/span2-create.conf >/tmp/dahdi_cfg-down.log 2>&1	# exits 1 by design
ok '[ ! -e /proc/dahdi/2 ]' "dahdi_cfg destroys span 2 (dynamic loc 1:1): span 1 receives nothing"
check "wait_json alarm red 10" "span 1 goes into red alarm (sipgwctl --json show spans)"
out=$(ctl show spans)
diag "$(sed -n 2p <<<"$out")"
ok 'grep -qE "^1 +DYN/loc/1:0 \(DAHDI span 1\) +down .* red " <<<"$out"' \
	"sipgwctl show spans shows span 1 down with its red alarm"
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 10 $((closed0 + 1))" "the call is cleared toward the phone (BYE)"
check "wait_for '$E2E_DIR/sipgwd.log' 'ISDN cleared with cause 38' 5 && [ \$(gw_log_count 'ISDN cleared with cause 38') -gt $c38 ]" \
	"the gateway clears it with cause 38 (network out of order)"
check "grep -qE '^EVENT HANGUP id=$id cause=38 reason=link_down' '$E2E_DIR/pstnsim.out'" \
	"and so does the switch on its side (cause 38, link down)"
ok '[ -z "$(ctl show calls | tail -n +2)" ]' "no call is left in sipgwctl show calls"
read -r f l < <(phone_measure 2 5)
ok "within $f $SWITCH_TONE 0.5% && within $l -10 1.0" \
	"before the alarm the phone heard the switch's $SWITCH_TONE Hz at -10 dBm0: $f Hz, $l dBm0"

# span 2 back: create, configure and start it as guest-init.sh does, reopen
check "dahdi_cfg -c /tmp/span2-create.conf && dahdi_cfg -c /tmp/span2.conf -S 2 -C 32-62" \
	"dahdi_cfg creates and starts span 2 again"
sim restore
check "wait_json alarm none 15" "span 1's alarm clears"
check "wait_json up true 45" "span 1 is up again (layer 1 and Q.921)"
check "sim_wait '^EVENT LINK state=up' 30" "the switch's layer 2 is up again"
out=$(ctl show spans)
diag "$(sed -n 2p <<<"$out")"

# ---- 4: calls work again ----
rings=$(sim_count '^EVENT RING ')
baresip_dial $PHONE_CTRL "sip:+4930777@127.0.0.1:$GW_SIP_PORT"
check "wait_for_count '^EVENT RING ' $((rings + 1)) 15" "after recovery: INVITE -> SETUP reaches the switch"
id=$(sim_id RING)
sim "answer $id"
check "baresip_wait_event $PHONE_CTRL CALL_ESTABLISHED 10 3" "and the call is answered"
sim "tone $id $SWITCH_TONE -10"
sleep 1
read -r f l < <(sim_measure "$id" 1000)
ok "within $f $PHONE_TONE 0.5% && within $l $PHONE_LEVEL_DBM0 1.0" \
	"audio flows again on span 1: $f Hz, $l dBm0 at the switch"
sim "hangup $id cause=17"
check "baresip_wait_event $PHONE_CTRL CALL_CLOSED 10 $((closed0 + 2))" "the switch's DISCONNECT (cause 17) -> BYE"
check "wait_for '$E2E_DIR/sipgwd.log' 'ISDN cleared with cause 17' 5" "the gateway read cause 17 (user busy) off the real D-channel"
check "sim_wait '^EVENT HANGUP id=$id cause=17' 10" "the switch's call is released"
u2=$(span_json underruns) o2=$(span_json overruns)
diag "span 1 counters at the end: underruns $u2, overruns $o2 (the alarm may add some)"
gw_finish
finish
