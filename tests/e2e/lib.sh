# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
#
# tests/e2e/lib.sh: the shared harness of the end-to-end tests.
#
# A test is a bash script (tests/e2e/NN-name.sh, starting with "#!";
# scripts/check runs those and takes files without "#!" for libraries)
# that sources this file, calls e2e_init, starts peers, checks what a user
# would see, and ends with e2e_done:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init mytest
#   gen_tone_wav "$E2E_DIR/a.wav" 1004 20
#   baresip_start alice 127.0.0.1:25060 24444 alice "$E2E_DIR/a.wav"
#   ...
#   ok '[ "$n" -eq 3 ]' "three digits arrive (RFC 4733)"
#   e2e_done
#
# Output is TAP ("ok N - text" / "not ok N - text", "# ..." diagnostics,
# "1..N" at the end); scripts/check counts the lines. Everything a test
# starts through this file is killed when the script exits, however it
# exits. Peers' logs stay in $E2E_DIR, which is kept (and named) when a
# check failed, removed otherwise (E2E_KEEP=1 keeps it always).
#
# Variables for tests:
#   E2E_TOP    the source tree
#   E2E_BUILD  the build tree with the binaries (SIPGW_BUILD if set, else
#              build-check/, else build/)
#   E2E_DIR    this run's temporary directory
#   E2E_NAME   the test's name

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ -n "${SIPGW_BUILD:-}" ]; then
	E2E_BUILD=$SIPGW_BUILD
elif [ -d "$E2E_TOP/build-check" ]; then
	E2E_BUILD=$E2E_TOP/build-check
else
	E2E_BUILD=$E2E_TOP/build
fi

E2E_N=0          # checks so far
E2E_FAILED=0     # failed checks so far
# What to clean up lives in files, not shell variables, so that helpers
# called in a subshell ($(...), a pipeline) are cleaned up too:
#   $E2E_DIR/.pids   processes (process groups) to kill at exit
#   $E2E_DIR/.netns  network namespaces to delete at exit

# e2e_init NAME
#   Start a test: make the temporary directory $E2E_DIR
#   ($TMPDIR/sipgw-e2e-NAME.XXXXXX, TMPDIR default /tmp), reset the TAP counters and install the
#   exit trap that kills everything started through this file, deletes
#   network namespaces made by in_netns and removes $E2E_DIR (kept when
#   a check failed or E2E_KEEP=1). INT/TERM (scripts/check's timeout)
#   run the same cleanup.
e2e_init() {
	E2E_NAME=${1:?e2e_init NAME}
	E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sipgw-e2e-$E2E_NAME.XXXXXX")
	E2E_N=0
	E2E_FAILED=0
	: >"$E2E_DIR/.pids"
	: >"$E2E_DIR/.netns"
	trap e2e_cleanup EXIT
	trap 'echo "# $E2E_NAME: interrupted"; E2E_FAILED=$((E2E_FAILED + 1)); exit 130' INT TERM HUP
	_e2e_write_ctrl_helper
	echo "# $E2E_NAME: temporary directory $E2E_DIR"
}

# e2e_spawn LOGFILE CMD [ARGS...]
#   Start CMD in the background in a process group of its own (setsid;
#   stdin from /dev/null, stdout and stderr to LOGFILE), remember it for
#   cleanup, and print nothing; its pid is in E2E_LAST_PID (when not
#   called in a subshell) and is the last line of $E2E_DIR/.pids.
#     e2e_spawn "$E2E_DIR/gw.log" "$E2E_BUILD/gw/sipgwd" -f -c "$E2E_DIR/gw.conf"
e2e_spawn() {
	local log=$1
	shift
	setsid "$@" </dev/null >"$log" 2>&1 &
	E2E_LAST_PID=$!
	echo "$E2E_LAST_PID" >>"$E2E_DIR/.pids"
}

# e2e_kill PID
#   Stop a process started with e2e_spawn, with its process group:
#   SIGTERM, then SIGKILL after 2 s. Returns at once when it is gone.
e2e_kill() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM -- "-$pid" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 20); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# e2e_cleanup
#   The exit trap (installed by e2e_init; no need to call it): kill what
#   was started (newest first), delete namespaces, keep or remove $E2E_DIR,
#   and when a check failed, print the end of every *.log in $E2E_DIR as
#   TAP diagnostics (baresip's status-line noise left out).
e2e_cleanup() {
	local rc=$? i f pids
	trap - EXIT INT TERM HUP
	[ -n "${E2E_DIR:-}" ] && [ -d "$E2E_DIR" ] || exit "$rc"
	pids=$(tac "$E2E_DIR/.pids" 2>/dev/null)
	for i in $pids; do
		kill -TERM -- "-$i" 2>/dev/null
		kill -TERM "$i" 2>/dev/null
	done
	for i in $pids; do
		e2e_kill "$i"
	done
	for i in $(cat "$E2E_DIR/.netns" 2>/dev/null); do
		ip netns pids "$i" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns delete "$i" 2>/dev/null
	done
	if [ "$E2E_FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		while IFS= read -r f; do
			echo "# ---- last lines of $f"
			tr '\r' '\n' <"$f" | grep -avE '^ *(\[[0-9:]+\] audio=[0-9/]+ \(bit/s\) *)*$' |
				tail -n 25 | cut -c1-300 | sed 's/^/#   /'
		done < <(find "$E2E_DIR" -name '*.log' -type f -size +0 | sort)
		echo "# $E2E_NAME: kept $E2E_DIR"
	elif [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "# $E2E_NAME: kept $E2E_DIR"
	else
		rm -rf "$E2E_DIR"
	fi
	exit "$rc"
}

# e2e_done
#   End a test: print the TAP plan "1..N" and exit 0 when every check
#   passed, 1 otherwise (0 checks counts as a failure).
e2e_done() {
	echo "1..$E2E_N"
	if [ "$E2E_FAILED" -eq 0 ] && [ "$E2E_N" -gt 0 ]; then
		exit 0
	fi
	exit 1
}

# diag TEXT...
#   Print a TAP diagnostic line "# TEXT".
diag() {
	echo "# $*"
}

# _e2e_tap STATUS DESC: print one TAP line for exit status STATUS.
# A DESC ending in "# TODO reason" is a known failure (TAP): printed as
# it is, not counted as failed, and scripts/check does not count it either.
_e2e_tap() {
	E2E_N=$((E2E_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $E2E_N - $2"
		return 0
	fi
	case "$2" in *'# TODO'*) echo "not ok $E2E_N - $2"; return 1 ;; esac
	E2E_FAILED=$((E2E_FAILED + 1))
	echo "not ok $E2E_N - $2"
	return 1
}

# ok COND DESC
#   One check: COND is a shell condition (a command line, evaluated with
#   eval in this shell, output discarded), e.g.
#     ok '[ "$n" -eq 3 ]' "3 digits arrive"     ok true "it got here"
#   Prints "ok N - DESC" when COND exits 0, "not ok N - DESC" (plus the
#   condition as a diagnostic) otherwise; returns 0 or 1.
ok() {
	local cond=$1 desc=$2
	if eval "$cond" >/dev/null 2>&1; then
		_e2e_tap 0 "$desc"
	else
		_e2e_tap 1 "$desc"
		echo "#   failed: $cond"
		return 1
	fi
}

# check CMD DESC
#   One check that runs the command line CMD (with eval, in this shell, so
#   what it starts is cleaned up and variables it sets stay set) and
#   passes when it exits 0. CMD's output is hidden when it passes and
#   printed as diagnostics when it fails. Returns 0 or 1, so a test can
#   stop early:  check "baresip_start ..." "phone starts" || e2e_done
#     check "grep -q BYE '$E2E_DIR/trace.txt'" "the call ends with BYE"
check() {
	local cmd=$1 desc=$2 st
	eval "$cmd" >"$E2E_DIR/.check.out" 2>&1
	st=$?
	if [ "$st" -eq 0 ]; then
		_e2e_tap 0 "$desc"
	else
		_e2e_tap 1 "$desc"
		echo "#   failed (exit $st): $cmd"
		tail -n 20 "$E2E_DIR/.check.out" | sed 's/^/#   /'
		return 1
	fi
}

# _e2e_now: seconds since the epoch with microseconds ("123.456789").
_e2e_now() {
	local t=$EPOCHREALTIME
	echo "${t/,/.}"
}

# wait_for FILE REGEX TIMEOUT_S
#   Poll FILE (every 0.1 s; it may not exist yet) until a line matches the
#   extended regular expression REGEX. Returns 0 when one does, 1 after
#   TIMEOUT_S seconds (may be fractional).
wait_for() {
	local file=$1 re=$2 timeout=$3 deadline
	deadline=$(awk -v n="$(_e2e_now)" -v t="$timeout" 'BEGIN { printf "%.6f", n + t }')
	while :; do
		if [ -e "$file" ] && grep -Eq -- "$re" "$file" 2>/dev/null; then
			return 0
		fi
		awk -v n="$(_e2e_now)" -v d="$deadline" 'BEGIN { exit !(n < d) }' || return 1
		sleep 0.1
	done
}

# wait_until TIMEOUT_S CMD
#   Evaluate CMD (every 0.2 s) until it succeeds: 0, or 1 after TIMEOUT_S.
wait_until() {
	local timeout=$1 deadline
	shift
	deadline=$(awk -v n="$(_e2e_now)" -v t="$timeout" 'BEGIN { printf "%.6f", n + t }')
	until eval "$*"; do
		awk -v n="$(_e2e_now)" -v d="$deadline" 'BEGIN { exit !(n < d) }' || return 1
		sleep 0.2
	done
}

# gen_tone_wav FILE FREQ SECONDS [LEVEL_DB]
#   Write a sine of FREQ Hz lasting SECONDS as an 8 kHz mono signed 16-bit
#   WAV (what baresip's aufile source and G.711 want). LEVEL_DB is the RMS
#   level in dBFS (a full-scale sine is -3.01 dBFS), default -13 dBFS,
#   about -10 dBm0 in G.711; measure_wav reports the same scale.
gen_tone_wav() {
	local file=$1 freq=$2 secs=$3 level=${4:--13} amp
	amp=$(awk -v l="$level" 'BEGIN { printf "%.6f", 10 ^ (l / 20) * sqrt(2) }')
	sox -q -n -r 8000 -c 1 -b 16 -e signed-integer "$file" \
		synth "$secs" sine "$freq" vol "$amp"
}

# measure_wav FILE [TRIM_START] [DURATION]
#   Print "FREQ LEVEL_DBFS" of the signal in FILE (from TRIM_START seconds,
#   default 0, for DURATION seconds, default to the end), e.g. "1004.1 -13.0".
#   Uses `sox FILE -n trim S D stat`. Its "Rough frequency" comes from the
#   ratio of RMS delta to RMS amplitude and reads low as the frequency
#   nears Nyquist (978 for 1004 Hz at 8 kHz), so the same ratio is inverted
#   exactly: f = rate/pi * asin(rms_delta / (2 * rms_amplitude)), right
#   for a pure tone. LEVEL_DBFS = 20 log10(RMS amplitude). Silence or an
#   unreadable file prints "0 -120.0" (and returns 1 when unreadable).
measure_wav() {
	local file=$1 start=${2:-0} dur=${3:-} rate out
	rate=$(soxi -r "$file" 2>/dev/null) || { echo "0 -120.0"; return 1; }
	out=$(sox "$file" -n trim "$start" ${dur:+"$dur"} stat 2>&1) || { echo "0 -120.0"; return 1; }
	awk -v rate="$rate" '
		/^RMS[ \t]+amplitude:/ { amp = $3 }
		/^RMS[ \t]+delta:/     { del = $3 }
		END {
			if (amp + 0 <= 0.000001) { print "0 -120.0"; exit }
			r = del / (2 * amp); if (r > 1) r = 1
			f = rate / 3.14159265358979 * atan2(r, sqrt(1 - r * r))
			printf "%.1f %.1f\n", f, 20 * log(amp) / log(10)
		}' <<<"$out"
}

# within VALUE EXPECTED TOLERANCE[%]
#   Exit 0 when |VALUE - EXPECTED| <= TOLERANCE; a trailing % makes the
#   tolerance relative to EXPECTED. For use in ok:
#     ok "within $f 1004 2%" "1004 Hz received"
within() {
	awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN {
		if (t ~ /%$/) { sub(/%$/, "", t); t = (e < 0 ? -e : e) * t / 100 }
		d = v - e; if (d < 0) d = -d
		exit !(d <= t)
	}'
}

# ---------------------------------------------------------------- baresip

# baresip_start NAME [ADDR:]SIP_PORT CTRL_PORT USER WAV
#   Start a headless baresip 1.0.0 called NAME listening for SIP on
#   ADDR:SIP_PORT (default address 127.0.0.1; it also takes TCP SIP_PORT+1,
#   so space instances two ports apart), with ctrl_tcp on
#   127.0.0.1:CTRL_PORT, one account USER (auto-answer, regint=0, PCMA and
#   PCMU; RTP on ports 30000-39999, so keep test ports out of that range)
#   that sends WAV (8 kHz mono s16, e.g. from gen_tone_wav; it plays
#   once and baresip HANGS UP when it ends, so make it longer than the
#   call) and records what it receives as
#   $E2E_DIR/NAME/rec/dump-*-dec.wav (see baresip_rec; sndfile records
#   after the decoder, before any player). The player is aubridge with no
#   partner source, which discards audio at no cost: `alsa,null` also
#   works but its thread never blocks and burns a whole core per call.
#   With ADDR 127.0.0.x, SIP and the SDP use that address but RTP leaves
#   from 127.0.0.1 (the kernel's source for loopback routes).
#   BARESIP_ANSWERMODE=manual leaves incoming calls ringing (answer with
#   {"command":"accept"}, reject with baresip_hangup).
#   Config in $E2E_DIR/NAME/, log in $E2E_DIR/NAME/baresip.log. Waits
#   until ctrl_tcp answers and starts the event collector
#   (baresip_events). Returns 1 if it did not come up within 10 s.
baresip_start() {
	local name=$1 sip=$2 ctrl=$3 user=$4 wav=$5 addr port dir
	case "$sip" in
	*:*) addr=${sip%:*}; port=${sip##*:} ;;
	*) addr=127.0.0.1; port=$sip ;;
	esac
	dir=$E2E_DIR/$name
	mkdir -p "$dir/rec"
	cat >"$dir/config" <<EOF
# baresip config written by tests/e2e/lib.sh (headless, loopback only)
poll_method		epoll
sip_listen		$addr:$port
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,null
audio_source		aufile,$wav
audio_alert		aubridge,null
ausrc_srate		8000
ausrc_channels		1
auplay_srate		8000
auplay_channels		1
audio_buffer		20-160
jitter_buffer_delay	5-10
rtp_ports		30000-39999
rtp_stats		no
net_interface		$addr
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl
snd_path		$dir/rec
EOF
	echo "<sip:$user@$addr:$port>;regint=0;answermode=${BARESIP_ANSWERMODE:-auto};audio_codecs=PCMA,PCMU" >"$dir/accounts"
	: >"$dir/contacts"
	ln -sfn "$dir" "$E2E_DIR/.ctrl-$ctrl"
	e2e_spawn "$dir/baresip.log" baresip -f "$dir"
	tail -n 1 "$E2E_DIR/.pids" >"$dir/baresip.pid"
	if ! baresip_events "$ctrl" >/dev/null; then
		diag "baresip $name: no ctrl_tcp on 127.0.0.1:$ctrl within 10 s"
		return 1
	fi
	return 0
}

# baresip_stop CTRL_PORT
#   Stop the baresip with that ctrl_tcp port and its event collector
#   (a call in progress ends without BYE, as if the phone lost power).
baresip_stop() {
	local dir=$E2E_DIR/.ctrl-$1
	[ -s "$dir/events.pid" ] && e2e_kill "$(cat "$dir/events.pid")"
	[ -s "$dir/baresip.pid" ] && e2e_kill "$(cat "$dir/baresip.pid")"
	return 0
}

# _e2e_write_ctrl_helper: the ctrl_tcp client, in perl (perl-base is
# Essential in Debian; python3 is not). baresip 1.0.0's ctrl_tcp accepts
# ONE connection (a new one replaces the old) and sends events only on
# it, so one helper per instance holds the connection for the whole test:
# it connects (retrying for 10 s), writes {"ctrl_connected":true} to LOG,
# then sends each line written to FIFO as a netstring and writes every
# netstring it receives (responses and events, JSON) as one line to LOG,
# prefixed with the time: "1712345678.123 {...}". It exits when baresip
# closes the connection, writing {"ctrl_closed":true}.
_e2e_write_ctrl_helper() {
	cat >"$E2E_DIR/.ctrl.pl" <<'PERL'
use strict; use warnings;
use IO::Socket::INET; use IO::Select;
my ($port, $fifo, $log) = @ARGV;
my $now = eval { require Time::HiRes; \&Time::HiRes::time } || sub { time };
open(my $l, '>>', $log) or die "$log: $!\n";
$l->autoflush(1);
my $s;
for (1 .. 100) {
	$s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
		Proto => 'tcp') and last;
	select(undef, undef, undef, 0.1);
}
die "ctrl_tcp 127.0.0.1:$port: $!\n" unless $s;
open(my $f, '+<', $fifo) or die "$fifo: $!\n";
printf $l "%.3f {\"ctrl_connected\":true}\n", $now->();
my $sel = IO::Select->new($s, $f);
my ($in, $cmds) = ('', '');
while (1) {
	for my $h ($sel->can_read) {
		my $buf;
		my $n = sysread($h, $buf, 65536);
		if (!$n) {
			die "fifo closed\n" if $h == $f;
			printf $l "%.3f {\"ctrl_closed\":true}\n", $now->();
			exit 0;
		}
		if ($h == $f) {
			$cmds .= $buf;
			while ($cmds =~ s/^([^\n]*)\n//) {
				my $m = $1;
				next if $m eq '';
				syswrite($s, length($m) . ":" . $m . ",");
			}
			next;
		}
		$in .= $buf;
		while ($in =~ /^(\d+):/ && length($in) >= length($1) + 2 + $1) {
			my $len = $1;
			my $msg = substr($in, length($len) + 1, $len);
			$in = substr($in, length($len) + 2 + $len);
			$msg =~ s/[\r\n]+/ /g;
			printf $l "%.3f %s\n", $now->(), $msg;
		}
	}
}
PERL
}

# baresip_events CTRL_PORT
#   Print the path of the event log of the baresip with that ctrl_tcp
#   port, after making sure its collector runs and is connected
#   (baresip_start starts it; it is restarted if baresip dropped the
#   connection). The log has one line per message baresip sent on
#   ctrl_tcp, "TIME JSON", e.g.
#     1712345678.123 {"event":true,"type":"CALL_ESTABLISHED","class":"call",...,"param":"sip:bob@127.0.0.1:5162"}
#     1712345679.456 {"event":true,"type":"CALL_CLOSED",...,"param":"Connection reset by peer"}
#     1712345679.500 {"response":true,"ok":true,"data":"","token":"t123-1"}
#   Event types baresip 1.0.0 sends here: CALL_RINGING (outgoing, on
#   180), CALL_ESTABLISHED (both sides; no CALL_INCOMING with
#   answermode=auto), CALL_CLOSED (param: the reason: "Connection
#   reset by user" after our hangup, "Connection reset by peer" after the
#   far end's BYE, the final response ("404 Not Found", ...) of a
#   failed call, "end of file" when the WAV ran out), CALL_DTMF_START (param: the digit),
#   CALL_DTMF_END, CALL_RTCP, CALL_LOCAL_SDP, CALL_REMOTE_SDP,
#   CALL_RTPESTAB, AUDIO_ERROR. Query it with baresip_count,
#   baresip_event_params and baresip_wait_event. Returns 1 when the
#   collector cannot connect within 10 s.
baresip_events() {
	local ctrl=$1 dir pid n
	dir=$E2E_DIR/.ctrl-$ctrl
	[ -d "$dir" ] || { diag "baresip_events: no baresip with ctrl port $ctrl"; return 1; }
	pid=$(cat "$dir/events.pid" 2>/dev/null)
	if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
		[ -p "$dir/ctrl.fifo" ] || mkfifo "$dir/ctrl.fifo"
		touch "$dir/events.log"
		n=$(grep -c ctrl_connected "$dir/events.log")
		e2e_spawn "$dir/ctrl-helper.log" perl "$E2E_DIR/.ctrl.pl" "$ctrl" \
			"$dir/ctrl.fifo" "$dir/events.log"
		tail -n 1 "$E2E_DIR/.pids" >"$dir/events.pid"
		local i
		for i in $(seq 110); do
			[ "$(grep -c ctrl_connected "$dir/events.log")" -gt "$n" ] && break
			sleep 0.1
		done
		[ "$(grep -c ctrl_connected "$dir/events.log")" -gt "$n" ] || return 1
	fi
	echo "$dir/events.log"
}

# baresip_cmd CTRL_PORT JSON
#   Send one command to that baresip over its ctrl_tcp connection (as a
#   netstring, through the event collector) and wait up to 5 s for the
#   response. JSON is {"command":"...","params":"..."}: any long command
#   of baresip's menu (dial, hangup, accept, sndcode, reginfo, listcalls,
#   callstat, ...). A "token" is added when missing. Prints the response's
#   JSON; returns 0 when it says "ok":true, 1 otherwise or on timeout.
#     baresip_cmd 4460 '{"command":"reginfo"}'
baresip_cmd() {
	local ctrl=$1 json=$2 log tok line
	log=$(baresip_events "$ctrl") || return 1
	tok="t$BASHPID-${EPOCHREALTIME/[.,]/}"
	case "$json" in
	*'"token"'*) tok=$(sed -n 's/.*"token"[ ]*:[ ]*"\([^"]*\)".*/\1/p' <<<"$json") ;;
	*) json="${json%\}},\"token\":\"$tok\"}" ;;
	esac
	printf '%s\n' "$json" >"$E2E_DIR/.ctrl-$ctrl/ctrl.fifo"
	if ! wait_for "$log" "\"response\":true.*\"token\":\"$tok\"" 5; then
		diag "baresip_cmd $ctrl: no response to $json"
		return 1
	fi
	line=$(grep -F "\"token\":\"$tok\"" "$log" | tail -n 1)
	printf '%s\n' "${line#* }"
	case "$line" in *'"ok":true'*) return 0 ;; esac
	return 1
}

# _e2e_json_str TEXT: TEXT as a JSON string literal.
_e2e_json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# baresip_dial CTRL_PORT URI
#   Place a call from that baresip to URI (e.g. sip:bob@127.0.0.1:25062).
#   Returns when baresip accepted the command, not when the call is up:
#   wait for it with  baresip_wait_event CTRL_PORT CALL_ESTABLISHED 10.
baresip_dial() {
	baresip_cmd "$1" "{\"command\":\"dial\",\"params\":$(_e2e_json_str "$2")}" >/dev/null
}

# baresip_hangup CTRL_PORT
#   Hang up that baresip's current call.
baresip_hangup() {
	baresip_cmd "$1" '{"command":"hangup"}' >/dev/null
}

# baresip_dtmf CTRL_PORT DIGITS
#   Send DIGITS (0-9 * # A-D) on that baresip's current call as RFC 4733
#   telephone-events (ctrl_tcp command "sndcode"; baresip makes each
#   event ~180 ms long), one digit every E2E_DTMF_PACE seconds (default
#   0.4). E2E_DTMF_PACE=0 hands baresip all digits in one "sndcode",
#   which it queues and sends back to back.
baresip_dtmf() {
	local ctrl=$1 digits=$2 pace=${E2E_DTMF_PACE:-0.4} i d
	if [ "$pace" = 0 ]; then
		baresip_cmd "$ctrl" "{\"command\":\"sndcode\",\"params\":$(_e2e_json_str "$digits")}" >/dev/null
		return
	fi
	for ((i = 0; i < ${#digits}; i++)); do
		d=${digits:i:1}
		baresip_cmd "$ctrl" "{\"command\":\"sndcode\",\"params\":$(_e2e_json_str "$d")}" >/dev/null || return 1
		sleep "$pace"
	done
}

# baresip_count CTRL_PORT TYPE [PARAM]
#   Print how many events of TYPE (e.g. CALL_DTMF_START) that baresip has
#   reported so far, only those whose "param" is PARAM when given.
baresip_count() {
	local log re
	log=$(baresip_events "$1") || { echo 0; return 1; }
	re="\"type\":\"$2\""
	if [ $# -ge 3 ]; then
		grep -F "\"event\":true" "$log" | grep -F "$re" | grep -cF "\"param\":$(_e2e_json_str "$3")"
	else
		grep -F "\"event\":true" "$log" | grep -cF "$re"
	fi
	return 0
}

# baresip_event_params CTRL_PORT TYPE
#   Print the "param" of each event of TYPE so far, one per line, in order
#   (e.g. the digits of CALL_DTMF_START, the reasons of CALL_CLOSED).
baresip_event_params() {
	local log
	log=$(baresip_events "$1") || return 1
	grep -F "\"event\":true" "$log" | grep -F "\"type\":\"$2\"" |
		sed -n 's/.*"param":"\(\([^"\\]\|\\.\)*\)".*/\1/p'
}

# baresip_wait_event CTRL_PORT TYPE TIMEOUT_S [COUNT]
#   Wait until that baresip has reported at least COUNT (default 1) events
#   of TYPE. Returns 1 on timeout.
baresip_wait_event() {
	local ctrl=$1 type=$2 timeout=$3 count=${4:-1} deadline
	deadline=$(awk -v n="$(_e2e_now)" -v t="$timeout" 'BEGIN { printf "%.6f", n + t }')
	while [ "$(baresip_count "$ctrl" "$type")" -lt "$count" ]; do
		awk -v n="$(_e2e_now)" -v d="$deadline" 'BEGIN { exit !(n < d) }' || return 1
		sleep 0.1
	done
	return 0
}

# baresip_rec NAME
#   Print the path of the newest recording of what baresip NAME received
#   ($E2E_DIR/NAME/rec/dump-*-dec.wav), or nothing. (Two calls in the same
#   second share one file name: space calls a second apart.)
baresip_rec() {
	ls -t "$E2E_DIR/$1/rec/"dump-*-dec.wav 2>/dev/null | head -n 1
}

# ---------------------------------------------------------------- netns

# in_netns CMD [ARGS...]
#   Run CMD in a fresh network namespace that has only loopback, up
#   (127.0.0.0/8 and ::1): nothing outside can reach it and its ports
#   collide with nobody. Waits for CMD and returns its status; the
#   namespace (and anything still running in it) is deleted afterwards,
#   or by the exit trap if the test dies first. Needs root (ip netns).
#   Peers in different in_netns calls cannot reach each other: run a
#   whole scenario in one, e.g. in_netns bash -c '. lib.sh; ...'.
#   (scripts/check already runs each e2e test in a namespace of its own.)
in_netns() {
	local ns rc
	ns="sipgw-$BASHPID-${EPOCHREALTIME/[.,]/}"
	ip netns add "$ns" || return 1
	echo "$ns" >>"$E2E_DIR/.netns"
	if ! ip netns exec "$ns" ip link set lo up; then
		# ip netns exec remounts / and /sys; a plain chroot, where / is
		# no mount point, refuses that ("mount --make-rslave /").
		echo "in_netns: ip netns exec failed (in a chroot? run it in a mount namespace of its own, / a mount point: unshare -m, mount --bind ROOT ROOT, chroot ROOT)" >&2
		ip netns delete "$ns"
		return 1
	fi
	ip netns exec "$ns" "$@"
	rc=$?
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns delete "$ns" 2>/dev/null
	return "$rc"
}
