#!/bin/bash
# Build the five DAHDI 2.11.1 kernel modules the VM test needs (dahdi, dahdi_dynamic,
# dahdi_dynamic_loc, dahdi_dynamic_eth, dahdi_dummy) for the guest kernel, straight
# against /lib/modules/$KVER/build (~15 s; dkms would take ~2 min).
# Output: $CACHE/modules/$KVER/*.ko. Skipped when they are there and newer than the
# sources; --force rebuilds. Also builds $CACHE/pritest (the shared kit's libpri
# back-to-back test, compiled from $KIT/pritest.c; skipped with a note when the kit
# is not there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KV=$(vm_kver) || vm_die "run tests/vm/setup.sh first"
TAR=$CACHE/src/dahdi.tar.bz2
[ -s "$TAR" ] || vm_die "$TAR missing: run tests/vm/setup.sh first"
OUT=$CACHE/modules/$KV
B=$CACHE/dahdi-build
FORCE=0; [ "${1:-}" = --force ] && FORCE=1

fresh=1
for m in $DAHDI_MODULES; do [ "$OUT/$m.ko" -nt "$TAR" ] || fresh=0; done
if [ $fresh = 0 ] || [ $FORCE = 1 ]; then
	rm -rf "$B" "$B.tmp" && mkdir -p "$B.tmp"
	tar -xjf "$TAR" -C "$B.tmp"
	mv "$B.tmp/modules/dahdi" "$B" && rm -rf "$B.tmp"
	[ -f "$B/include/dahdi/version.h" ] || make -s -C "$B" include/dahdi/version.h
	objs=$(for m in $DAHDI_MODULES; do printf '%s.o ' "$m"; done)
	make -C "/lib/modules/$KV/build" KBUILD_EXTMOD="$B/drivers/dahdi" DAHDI_INCLUDE="$B/include" \
		DAHDI_BUILD_ALL= DAHDI_MODULES_EXTRA="$objs" -j"$(nproc)" modules
	rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
	for m in $DAHDI_MODULES; do cp "$B/drivers/dahdi/$m.ko" "$OUT.tmp/"; done
	rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
fi
vm=$(modinfo -F vermagic "$OUT/dahdi.ko")
case "$vm" in "$KV "*) ;; *) vm_die "dahdi.ko vermagic '$vm' does not match $KV (try --force)";; esac
echo "modules: $OUT ($vm)"

# pritest: static (libpri.a + static glibc), so the guest needs no libraries for it
if [ -f "$KIT/pritest.c" ]; then
	if [ ! "$CACHE/pritest" -nt "$KIT/pritest.c" ] || [ $FORCE = 1 ]; then
		inc=$CACHE/dahdi-build/include
		[ -f "$inc/dahdi/user.h" ] || inc=/usr/include
		gcc -O2 -Wall -static -I"$inc" -o "$CACHE/pritest.tmp" "$KIT/pritest.c" -lpri
		mv "$CACHE/pritest.tmp" "$CACHE/pritest"
	fi
	echo "pritest: $CACHE/pritest"
else
	echo "pritest: skipped ($KIT/pritest.c not found; set SIPGW_DAHDI_KIT)"
fi
