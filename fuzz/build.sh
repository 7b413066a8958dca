#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# fuzz/build.sh: build the libFuzzer harnesses fuzz/fuzz_*.c with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/ at the top of the
# tree. The rooms' sources are compiled here directly (the autotools build
# is not involved); libraries come from pkg-config.
#   fuzz/build.sh            build every harness
#   fuzz/build.sh NAME...    build these (fuzz_sdp, ...)
# Environment: CC (default clang), FUZZ_BUILD (default TOP/build-fuzz).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${FUZZ_BUILD:-$TOP/build-fuzz}
CC=${CC:-clang}
mkdir -p "$B/obj"

if ! command -v "$CC" >/dev/null; then
	echo "fuzz/build.sh: $CC not found (apt-get install clang)" >&2
	exit 2
fi

# What autoconf's config.h gives the sources that include it.
printf '#ifndef _GNU_SOURCE\n# define _GNU_SOURCE 1\n#endif\n' >"$B/config.h"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter $SAN"
CPPFLAGS="-I$B -I$TOP -DSIPGW_VERSION=\"fuzz\" -DSYSCONFDIR=\"/etc\" $(pkg-config --cflags libosip2)"
LIBS_OSIP=$(pkg-config --libs libosip2)

# room_srcs ROOM: the .c files of ROOM's library, as ROOM/local.mk lists
# them (ROOM_lib*_a_SOURCES, continuation lines included).
room_srcs() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$TOP/$1/local.mk" |
		sed -n "s/^$1_lib[a-z]*_a_SOURCES *=//p" | tr ' \t' '\n\n' | grep '\.c$'
}
# without FILE...: the same list less these (a harness #includes them)
room_srcs_but() {
	local room=$1
	shift
	room_srcs "$room" | grep -vxF "$(printf '%s\n' "$@")"
}

# The rooms' sources each harness links.
declare -A SRCS=(
	[fuzz_sip_msg]="$(room_srcs sip) $(room_srcs lib)"
	[fuzz_sip_ua]="$(room_srcs_but sip sip/msg.c) $(room_srcs lib)"
	[fuzz_sdp]="sip/sdp.c"
	[fuzz_config]="$(room_srcs config) lib/log.c"
	[fuzz_number]="gw/number.c"
	[fuzz_rtp]="lib/log.c"
	[fuzz_virt_media]="$(room_srcs tdm) $(room_srcs lib)"
)
declare -A LIBS=(
	[fuzz_sip_msg]="$LIBS_OSIP"
	[fuzz_sip_ua]="$LIBS_OSIP"
	[fuzz_sdp]="$LIBS_OSIP"
	[fuzz_virt_media]="-lpri"
)

# obj SRC: compile TOP/SRC into B/obj (when older than it or any header).
obj() {
	local src=$1 o
	o=$B/obj/$(echo "${src%.c}" | tr / _).o
	if [ ! -e "$o" ] || [ "$TOP/$src" -nt "$o" ] ||
		[ -n "$(find "$TOP"/lib "$TOP"/config "$TOP"/sip "$TOP"/tdm "$TOP"/gw -name '*.h' -newer "$o" -print -quit)" ]; then
		# shellcheck disable=SC2086
		"$CC" $CFLAGS $CPPFLAGS -fsanitize=fuzzer-no-link -c "$TOP/$src" -o "$o"
	fi
	echo "$o"
}

NAMES=("$@")
if [ ${#NAMES[@]} -eq 0 ]; then
	for f in "$TOP"/fuzz/fuzz_*.c; do
		NAMES+=("$(basename "$f" .c)")
	done
fi

for name in "${NAMES[@]}"; do
	[ -f "$TOP/fuzz/$name.c" ] || { echo "fuzz/build.sh: no fuzz/$name.c" >&2; exit 2; }
	objs=()
	for s in ${SRCS[$name]:-}; do
		objs+=("$(obj "$s")")
	done
	# shellcheck disable=SC2086
	"$CC" $CFLAGS $CPPFLAGS -fsanitize=fuzzer "$TOP/fuzz/$name.c" "${objs[@]}" \
		${LIBS[$name]:-} -lm -pthread -o "$B/$name"
	echo "  built $B/$name"
done
