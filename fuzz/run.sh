#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fuzz/run.sh [SECONDS [NAME...]]: build the harnesses (fuzz/build.sh), then
# run each for SECONDS (default 20) with libFuzzer, one after the other.
# Corpus per harness: build-fuzz/corpus/NAME (grows from run to run), read
# with the committed seeds fuzz/corpus/NAME and seeds made here from
# tests/data/standards. Crash files go to
# build-fuzz/crashes/NAME/, each run's output to build-fuzz/logs/NAME.log.
# Prints per harness executions, coverage and crashes, and one TAP line.
# Environment: FUZZ_BUILD (default TOP/build-fuzz), CC (default clang).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${FUZZ_BUILD:-$TOP/build-fuzz}
SECS=${1:-20}
shift || true
SHARED=${SIPGW_TESTDATA:-$TOP/tests/data/standards}

NAMES=("$@")
if [ ${#NAMES[@]} -eq 0 ]; then
	for f in "$TOP"/fuzz/fuzz_*.c; do
		NAMES+=("$(basename "$f" .c)")
	done
fi

if ! command -v "${CC:-clang}" >/dev/null; then
	echo "1..0 # SKIP ${CC:-clang} not found (apt-get install clang)"
	exit 0
fi
echo "1..${#NAMES[@]}"
mkdir -p "$B/logs"
# seeds NAME DIR: inputs made from the shared test data.
seeds() {
	local name=$1 d=$2 f
	rm -rf "$d"
	mkdir -p "$d"
	case $name in
	fuzz_sip_msg | fuzz_sip_ua)
		[ -d "$SHARED/rfc4475" ] && cp "$SHARED"/rfc4475/*.dat "$d"/ 2>/dev/null
		if [ -d "$SHARED/rfc5118/wire" ]; then
			for f in "$SHARED"/rfc5118/wire/*; do cp "$f" "$d/rfc5118-$(basename "$f")"; done
		fi
		;;
	fuzz_sdp)
		# the bodies of the torture messages that carry one
		for f in "$SHARED"/rfc4475/*.dat "$SHARED"/rfc5118/wire/*; do
			[ -f "$f" ] && grep -qa '^v=0' "$f" || continue
			sed -n '/^v=0/,$p' "$f" >"$d/$(basename "$f")"
		done
		;;
	fuzz_config)
		cp "$TOP/config/sipgw.conf.sample" "$d/"
		;;
	esac
}

n=0
fail=0
for name in "${NAMES[@]}"; do
	n=$((n + 1))
	corpus=$B/corpus/$name
	crashes=$B/crashes/$name
	seeddir=$B/seeds/$name
	log=$B/logs/$name.log
	mkdir -p "$corpus" "$crashes"
	if ! "$TOP/fuzz/build.sh" "$name" >"$B/logs/build-$name.log" 2>&1; then
		tail -n 20 "$B/logs/build-$name.log" | sed 's/^/# /'
		echo "not ok $n - $name: build failed (fuzz/build.sh $name, log in $B/logs/build-$name.log)"
		fail=1
		continue
	fi
	seeds "$name" "$seeddir"
	dirs=("$corpus" "$seeddir")
	[ -d "$TOP/fuzz/corpus/$name" ] && dirs+=("$TOP/fuzz/corpus/$name")
	opts=(-max_total_time="$SECS" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$crashes/" -close_fd_mask=1)
	dict=$TOP/fuzz/${name#fuzz_}.dict
	case $name in fuzz_sip_msg | fuzz_sip_ua) dict=$TOP/fuzz/sip.dict ;; esac
	[ -f "$dict" ] && opts+=(-dict="$dict")
	before=$(find "$crashes" -type f | wc -l)
	t0=$SECONDS
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout -k 10 $((SECS + 60)) "$B/$name" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	secs=$((SECONDS - t0))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	units=$(find "$corpus" -type f | wc -l)
	after=$(find "$crashes" -type f | wc -l)
	echo "# $name: ${runs:-?} runs in $secs s (${eps:-?}/s), ${cov:-cov ?}, corpus $units, exit $rc"
	if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
		echo "ok $n - $name: ${runs:-?} runs in $secs s, no crash"
	else
		fail=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 | sed 's/^/# /'
		grep -E '^artifact_prefix|Test unit written to' "$log" | sed 's/^/# /'
		echo "not ok $n - $name: crash or sanitizer report after ${runs:-?} runs (exit $rc, log $log)"
	fi
done
exit $fail
