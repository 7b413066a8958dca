#!/bin/sh
# Guest script: the VM harness checks itself (TAP). Runs inside the guest:
#   tests/vm/run.sh tests/vm/guest/selftest.sh [/usr/bin/baresip]
# Spans and channels as guest-init.sh configured them, the real D-channels and
# B-channels through libpri (pritest, from the shared kit), the DAHDI timer under
# TCG, and, when baresip was copied in, a SIP call between two baresips on loopback.
# Leaves dahdi_scan output and a checksummed file in $VMTEST_OUT (run.sh -o DIR).
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

echo "# dahdi_cfg (guest-init.sh):"; grep -v '^Channel\|^$\|Setting echocan' /tmp/dahdi_cfg.log | sed 's/^/#   /'
dahdi_scan > /tmp/scan.txt 2>&1
cp /tmp/scan.txt "$VMTEST_OUT/dahdi_scan.txt"
# key of span N in dahdi_scan's output
scan() { awk -v s="[$1]" -v k="$2" '/^\[/ { in_ = ($0 == s) } in_ && index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' /tmp/scan.txt; }

for s in 1 2; do
	base=$(( (s - 1) * 31 + 1 )); dch=$((base + 15))
	echo "# span $s: $(head -1 /proc/dahdi/$s)"
	echo "#   dahdi_scan: active=$(scan $s active) alarms=$(scan $s alarms) type=$(scan $s type) framing=$(scan $s framing) coding=$(scan $s coding) basechan=$(scan $s basechan) totchans=$(scan $s totchans)"
	check "span $s exists (/proc/dahdi/$s, $(scan $s name))" [ -f /proc/dahdi/$s ]
	check "span $s is up: active, alarms OK" [ "$(scan $s active)" = yes -a "$(scan $s alarms)" = OK ]
	# a dynamic span is typed "digital-DYNAM"; its framing/coding are only printed above
	check "span $s has the 31 E1 timeslots as channels $base-$((base + 30))" \
		[ "$(scan $s basechan)" = $base -a "$(scan $s totchans)" = 31 ]
	# /proc/dahdi/N: one line per channel "   16 DYN/loc/1:0/16 HDLCFCS ..."
	nb=$(awk '$1 ~ /^[0-9]+$/ && $3 == "Clear"' /proc/dahdi/$s | wc -l)
	dl=$(awk -v c=$dch '$1 == c { print $3 }' /proc/dahdi/$s)
	check "span $s: 30 clear B-channels, D-channel $dch is software HDLC (got $nb, '$dl')" [ "$nb" = 30 -a "$dl" = HDLCFCS ]
done
check "control and channel devices exist (/dev/dahdi/ctl, /dev/dahdi/channel)" [ -c /dev/dahdi/ctl -a -c /dev/dahdi/channel ]
nchan=$(ls /dev/dahdi/chan/*/* 2>/dev/null | wc -l)
check "62 per-channel devices under /dev/dahdi/chan (got $nchan)" [ "$nchan" = 62 ]

if command -v pritest > /dev/null; then
	# libpri NET on D-channel 16 (span 1), CPE on 47 (span 2): SETUP..CONNECT, 8000
	# bytes each way over the B-channel pair, clear down
	pritest 16 47 31 > /tmp/pritest.out 2> /tmp/pritest.err; prc=$?
	sed 's/^/#   /' /tmp/pritest.out; grep -E 'audio|RING|incoming' /tmp/pritest.err | sed 's/^/#   /'
	check "Q.921 up on both real D-channels (libpri NET span 1, CPE span 2)" grep -q 'dchan_up=1/1' /tmp/pritest.out
	check "Q.931 call SETUP..CONNECT..clearing across the spans" grep -q 'answered=1 .*hangup=1' /tmp/pritest.out
	check "B-channel audio byte-exact both ways" grep -q 'audio=ok' /tmp/pritest.out
	[ $prc = 0 ] || tail -30 /tmp/pritest.err | sed 's/^/#   /'
else
	skip "pritest not built (the shared kit's pritest.c was not found)"
fi

# the DAHDI core timer under software emulation: the spans' clock
acc=$(dahdi_test -c 3 2>&1 | sed -n 's/.*Cumulative Accuracy[^0-9]*\([0-9.]*\).*/\1/p' | tail -1)
check "DAHDI timer accuracy over 3 s >= 98% (got ${acc:-none} %)" awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 98) }'

if command -v baresip > /dev/null; then
	# two baresips on loopback: 4711 answers automatically, caller dials it
	wav=/tmp/silence.wav	# 1 s of 8 kHz mono s16 silence
	{ printf 'RIFF\244\076\000\000WAVEfmt \020\000\000\000\001\000\001\000\100\037\000\000\200\076\000\000\002\000\020\000data\200\076\000\000'
	  head -c 16000 /dev/zero; } > $wav
	for u in callee:5070 caller:5072; do
		d=/tmp/bs-${u%%:*}; mkdir -p $d
		cat > $d/config <<-EOF
		poll_method	epoll
		sip_listen	127.0.0.1:${u#*:}
		net_interface	127.0.0.1
		audio_player	alsa,null
		audio_alert	alsa,null
		audio_source	aufile,$wav
		ausrc_srate	8000
		ausrc_channels	1
		module_path	/usr/lib/baresip/modules
		module	g711.so
		module	aufile.so
		module	alsa.so
		module_app	account.so
		module_app	menu.so
		module_app	ctrl_tcp.so
		ctrl_tcp_listen	127.0.0.1:$((${u#*:} + 1000))
		EOF
	done
	echo '<sip:4711@127.0.0.1:5070>;regint=0;answermode=auto;audio_codecs=PCMA' > /tmp/bs-callee/accounts
	echo '<sip:caller@127.0.0.1:5072>;regint=0;audio_codecs=PCMA' > /tmp/bs-caller/accounts
	f0=$failed T0=$(cut -d' ' -f1 /proc/uptime)
	baresip -f /tmp/bs-callee > /tmp/bs-callee/log 2>&1 &
	bpid=$!
	i=0; while [ $i -lt 100 ] && ! grep -q 'baresip is ready' /tmp/bs-callee/log; do sleep 0.1; i=$((i + 1)); done
	T1=$(cut -d' ' -f1 /proc/uptime)
	check "baresip starts in the guest ('baresip is ready' after $(awk -v a=$T0 -v b=$T1 'BEGIN { print b - a }') s)" grep -q 'baresip is ready' /tmp/bs-callee/log
	# ctrl_tcp: the control channel the e2e tests drive baresip with (netstring + JSON)
	(printf '21:{"command":"reginfo"},'; sleep 1) | nc 127.0.0.1 6070 > /tmp/bs-ctrl.out 2>&1
	check "baresip ctrl_tcp answers (reginfo)" grep -q '"ok":true' /tmp/bs-ctrl.out
	timeout 20 baresip -f /tmp/bs-caller -e "/dial sip:4711@127.0.0.1:5070" -t 4 > /tmp/bs-caller/log 2>&1
	check "SIP call between two baresips on loopback established" grep -q 'Call established' /tmp/bs-caller/log
	check "RTP arrives at both baresips" \
		sh -c 'grep -q "incoming rtp for .audio. established" /tmp/bs-caller/log && grep -q "incoming rtp for .audio. established" /tmp/bs-callee/log'
	kill $bpid 2>/dev/null; wait $bpid 2>/dev/null
	for f in /tmp/bs-callee/log /tmp/bs-caller/log; do cp $f "$VMTEST_OUT/baresip-$(basename $(dirname $f)).log"; done
	[ $failed = $f0 ] || { echo "# callee:"; sed 's/^/#   /' /tmp/bs-callee/log | tail -25; echo "# caller:"; sed 's/^/#   /' /tmp/bs-caller/log | tail -25; }
else
	skip "baresip not given (tests/vm/run.sh tests/vm/guest/selftest.sh /usr/bin/baresip)"
fi

# artefact channel check: the host compares this file with its checksum
head -c 65536 /dev/urandom > "$VMTEST_OUT/random.bin"
(cd "$VMTEST_OUT" && md5sum random.bin > random.bin.md5)

echo "1..$n"
[ $failed = 0 ]
