# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# tests/e2e/gw.sh: the gateway's side of the end-to-end harness, sourced
# after lib.sh. It starts sipgwd on a virtual E1 with pstnsim (our libpri
# switch emulator) as the network and baresip as the SIP phone:
#
#   pstnsim (libpri NET) == virtual E1 (span 1) == sipgwd == SIP/RTP == baresip
#
#   gw_setup [auto|manual]     writes the config, starts all three, waits
#                              until layer 2 is up ("EVENT READY")
#   sim CMD...                 one pstnsim command (see tests/tools/pstnsim.c)
#   sim_wait REGEX [TIMEOUT]   wait for a pstnsim event line matching REGEX
#   sim_id EVENT               id of the newest EVENT (CALL, RING) line
#   sim_measure ID MS          prints "FREQ LEVEL_DBM0" of what the switch hears
#   phone_measure [DUR] [FROM_END] prints "FREQ LEVEL_DBM0" of baresip's recording
#   ctl ARGS...                sipgwctl against this gateway
#   gw_finish                  SIGTERM: sipgwd must exit 0 within 2 s with no
#                              sanitizer report in its log (call before e2e_done)
#   sip_capture_start/stop     dumpcap on the gateway's SIP port; sip_trace
#                              prints one line per message: METHOD|STATUS REASON
#
# Ports: the gateway's SIP 25060, baresip 25062 (ctrl 24444); RTP of the
# gateway 20000-20999 (baresip takes 30000-39999). scripts/check runs each
# test in a network namespace of its own, so these never collide.

GW_SIP_PORT=${GW_SIP_PORT:-25060}
PHONE_SIP_PORT=${PHONE_SIP_PORT:-25062}
PHONE_CTRL=${PHONE_CTRL:-24444}
# The demo runs the shipped sample config as it is: it sets GW_CONF to it
# and these two to the sample's paths.
GW_SPAN_DIR=${GW_SPAN_DIR:-}
GW_CTL_SOCK=${GW_CTL_SOCK:-}
PHONE_USER=+4930123456		# the E.164 number the switch dials (030 123456)
PHONE_TONE=440			# what the phone sends
SWITCH_TONE=1004		# what the switch sends
# gen_tone_wav's default -13 dBFS RMS in dBm0 (G.711: a full-scale sine is +3.14 dBm0)
PHONE_LEVEL_DBM0=-6.9

# gw_config FILE [KEY=VALUE in [span 1]...]: the test config; $GW_GENERAL,
# when set, is more lines for [general] ("no_answer_timeout = 3", say)
gw_config() {
	local file=$1
	shift
	cat >"$file" <<CONF
; written by tests/e2e/gw.sh
[general]
sip_address = 127.0.0.1
sip_port = $GW_SIP_PORT
rtp_port_min = 20000
rtp_port_max = 20999
control_socket = $E2E_DIR/sipgwd.sock
pid_file = $E2E_DIR/sipgwd.pid
log_level = debug
${GW_GENERAL:-}

[numbering]
country_code = 49
national_prefix = 0
international_prefix = 00

[span 1]
driver = virt
signalling = pri_cpe
switchtype = euroisdn_e1
type = e1
law = alaw
directory = $E2E_DIR/span1
group = pstn
$(for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done)

[trunk phone]
host = 127.0.0.1
port = $PHONE_SIP_PORT

[route pstn-to-sip]
from = group:pstn
to = trunk:phone

[route sip-to-pstn]
from = trunk:phone
to = group:pstn
CONF
}

# gw_start_daemon: start sipgwd on $GW_CONF (default $E2E_DIR/gw.conf)
gw_start_daemon() {
	e2e_spawn "$E2E_DIR/sipgwd.log" "$E2E_BUILD/gw/sipgwd" -f -c "${GW_CONF:-$E2E_DIR/gw.conf}"
	GW_PID=$E2E_LAST_PID
	wait_for "$E2E_DIR/sipgwd.log" "sipgwd .* started" 10
}

# gw_setup [auto|manual] [KEY=VALUE...]: everything, ready for calls (auto or
# manual: the phone's answer mode; $SIM_ARGS: more pstnsim options)
gw_setup() {
	local answer=${1:-auto}
	shift
	: "${GW_SPAN_DIR:=$E2E_DIR/span1}" "${GW_CTL_SOCK:=$E2E_DIR/sipgwd.sock}"
	[ -n "${GW_CONF:-}" ] || gw_config "$E2E_DIR/gw.conf" "$@"
	gen_tone_wav "$E2E_DIR/phone.wav" "$PHONE_TONE" 120
	check gw_start_daemon "sipgwd starts on a virtual E1 (virt-span.md v1)" || return 1
	gw_start_sim
	check "wait_for '$E2E_DIR/pstnsim.out' 'EVENT READY' 10" \
		"the switch brings up layer 2 on the D-channel (Q.921 SABME/UA)" || return 1
	BARESIP_ANSWERMODE=$answer
	check "baresip_start phone 127.0.0.1:$PHONE_SIP_PORT $PHONE_CTRL '$PHONE_USER' '$E2E_DIR/phone.wav'" \
		"baresip starts as the SIP phone" || return 1
	wait_for_span_up 10
}

# gw_start_sim [ARGS...]: start pstnsim on the span (events in pstnsim.out,
# the D-channel in $SIM_PCAP, default dchan.pcap; $SIM_ARGS and ARGS: more
# options); sets SIM_PID
gw_start_sim() {
	[ -p "$E2E_DIR/sim.fifo" ] || mkfifo "$E2E_DIR/sim.fifo"
	e2e_spawn "$E2E_DIR/pstnsim.out" "$E2E_BUILD/tests/tools/pstnsim" \
		--dir "$GW_SPAN_DIR" --cmd "$E2E_DIR/sim.fifo" --pcap "$E2E_DIR/${SIM_PCAP:-dchan.pcap}" \
		${SIM_ARGS:-} "$@"
	SIM_PID=$E2E_LAST_PID
}

# wait_for_span_up TIMEOUT: until sipgwctl shows span 1 up
wait_for_span_up() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		ctl --json show spans 2>/dev/null | grep -q '"up":true' && return 0
		sleep 0.1
	done
	return 1
}

sim() {
	echo "$*" >"$E2E_DIR/sim.fifo"
}

sim_wait() {
	wait_for "$E2E_DIR/pstnsim.out" "$1" "${2:-10}"
}

sim_id() {
	grep -E "^EVENT $1 " "$E2E_DIR/pstnsim.out" | tail -n 1 | sed -n 's/.* id=\([0-9]*\).*/\1/p'
}

# sim_count REGEX: how many pstnsim event lines match
sim_count() {
	grep -cE "$1" "$E2E_DIR/pstnsim.out"
}

# sim_status KEY: KEY's value in a fresh pstnsim STATUS line (slips,
# echo_late, frames_tx...)
sim_status() {
	local n
	n=$(sim_count '^EVENT STATUS ')
	sim status
	wait_for_count '^EVENT STATUS ' $((n + 1)) 5
	grep -E '^EVENT STATUS ' "$E2E_DIR/pstnsim.out" | tail -n 1 | sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}

# sim_measure ID MS: measure what the switch receives on call ID
sim_measure() {
	local n
	n=$(sim_count '^EVENT MEASURE ')
	sim "measure $1 $2"
	wait_for_count '^EVENT MEASURE ' $((n + 1)) $(($2 / 1000 + 5)) || { echo "0 -99"; return 1; }
	grep -E '^EVENT MEASURE ' "$E2E_DIR/pstnsim.out" | tail -n 1 |
		sed -n 's/.* freq=\([-0-9.]*\) level=\([-0-9.]*\).*/\1 \2/p'
}

# wait_for_count REGEX N TIMEOUT: until N pstnsim event lines match
wait_for_count() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sim_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# phone_measure [DUR_S] [FROM_END_S]: what baresip received in its newest
# recording, in dBm0: DUR_S seconds (default 1) starting FROM_END_S seconds
# before its end (default DUR_S + 0.5: all but the last half second). The
# length comes from the file size (16-bit mono 8 kHz after the 44-byte WAV
# header), so this works where sox is not installed (the DAHDI VM guest).
phone_measure() {
	local rec from dur=${1:-1}
	rec=$(baresip_rec phone)
	[ -n "$rec" ] || { echo "0 -99"; return 1; }
	from=$(awk -v s="$(stat -c %s "$rec")" -v e="${2:-$(awk -v d="$dur" 'BEGIN { print d + 0.5 }')}" \
		'BEGIN { f = (s - 44) / 16000 - e; print (f < 0 ? 0 : f) }')
	"$E2E_BUILD/tests/tools/pstnsim" --analyse "$rec" "$from" "$dur" |
		sed -n 's/.*freq=\([-0-9.]*\) level=\([-0-9.]*\).*/\1 \2/p'
}

# gw_finish: stop sipgwd the way an operator does and check it went well
gw_finish() {
	local t0 t1 rc
	kill -0 "$GW_PID" 2>/dev/null || { ok false "sipgwd still runs at the end of the test"; return 1; }
	t0=$(_e2e_now)
	kill -TERM "$GW_PID"
	wait "$GW_PID"
	rc=$?
	t1=$(_e2e_now)
	ok "[ $rc -eq 0 ]" "sipgwd exits 0 on SIGTERM (exit $rc)"
	ok "awk 'BEGIN { exit !($t1 - $t0 < 2) }'" \
		"and within 2 s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s)"
	ok "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$E2E_DIR/sipgwd.log'" \
		"no AddressSanitizer/LeakSanitizer/UBSan report from sipgwd"
}

ctl() {
	"$E2E_BUILD/gw/sipgwctl" -s "${GW_CTL_SOCK:-$E2E_DIR/sipgwd.sock}" "$@"
}

# ---- SIP off the wire (tshark) ----

# dumpcap is tshark's capture engine, and all of wireshark there is in the
# DAHDI test's guest: the capture is the same on the host and in the guest.
sip_capture_start() {
	e2e_spawn "$E2E_DIR/dumpcap.log" dumpcap -i lo -f "udp port $GW_SIP_PORT" -w "$E2E_DIR/sip.pcap"
	SIP_CAPTURE_PID=$E2E_LAST_PID
	wait_for "$E2E_DIR/dumpcap.log" "Capturing on" 10
	sleep 0.5
}

sip_capture_stop() {
	sleep 0.5
	e2e_kill "$SIP_CAPTURE_PID"
}

# sip_count FILTER: how many SIP messages of the capture match the
# Wireshark display filter FILTER
sip_count() {
	tshark -r "$E2E_DIR/sip.pcap" -Y "sip && ($1)" 2>/dev/null | grep -c .
}

# sdp_offer ADDR: an SDP offer body (PCMA, PCMU, telephone-event) for a
# hand-made INVITE, media on ADDR port 40000
sdp_offer() {
	cat <<SDP
v=0
o=- 1 1 IN IP4 $1
s=-
c=IN IP4 $1
t=0 0
m=audio 40000 RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
SDP
}

# sip_trace: one line per SIP message: "INVITE", "486", "BYE Q.850;cause=16"
sip_trace() {
	tshark -r "$E2E_DIR/sip.pcap" -Y sip -T fields -E separator='|' \
		-e sip.Method -e sip.Status-Code -e sip.Reason 2>/dev/null |
		awk -F'|' '{ m = ($1 != "") ? $1 : $2; print m (($3 != "") ? " " $3 : "") }'
}

# q931_trace [PCAP]: the D-channel (default $E2E_DIR/dchan.pcap) as tshark
# decodes it: "MESSAGE cause"
q931_trace() {
	tshark -r "${1:-$E2E_DIR/dchan.pcap}" -Y q931 -T fields -E separator='|' \
		-e q931.message_type -e q931.cause_value 2>/dev/null
}
