#!/bin/bash
# Build the guest's busybox initramfs.
# Usage: mkinitramfs.sh OUT.cpio.gz GUEST_SCRIPT [FILE[:GUEST_PATH]...]
#
# Always in it: busybox, the DAHDI modules (tests/vm/build-modules.sh), dahdi_cfg,
# dahdi_scan, dahdi_test, dahdi_maint, dahdi_span_assignments if present, their
# configuration (tests/vm/conf/), $CACHE/pritest when built, and tests/vm/guest-init.sh
# as /init. GUEST_SCRIPT becomes /vmtest/guest.sh.
# FILES: an ELF file goes to /usr/local/bin/NAME, any other file or a directory to
# /vmtest/NAME, unless :GUEST_PATH (absolute) says where. Every ELF file copied (also
# inside directories) brings the shared libraries ldd lists, at the same paths, plus
# libgcc_s (glibc dlopens it for thread cancellation). ASan builds are fine: libasan
# and libubsan come with ldd, and addr2line is added for symbolised reports.
# baresip also brings its modules ($VM_BARESIP_MODULES, "all" for every one; default:
# the headless set in PEERS.md plus a few small ones) and, for the alsa module, the
# ALSA configuration that defines the "null" device.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || { sed -n '2,3p' "$0" >&2; exit 2; }
OUT=$1; SCRIPT=$2; shift 2
[ -f "$SCRIPT" ] || vm_die "guest script $SCRIPT not found"
KV=$(vm_kver) || vm_die "run tests/vm/setup.sh first"
MODDIR=$CACHE/modules/$KV
[ -f "$MODDIR/dahdi.ko" ] || vm_die "$MODDIR/dahdi.ko missing: run tests/vm/build-modules.sh"
BARESIP_MODULES=${VM_BARESIP_MODULES:-account alsa aufile auloop ausine cons contact ctrl_tcp
	debug_cmd g711 l16 menu sndfile stdio syslog uuid}

mkdir -p "$(dirname "$OUT")" "$CACHE/tmp"
R=$(mktemp -d "$CACHE/tmp/rootfs.XXXXXX")
trap 'rm -rf "$R"' EXIT

# Same top-level layout as the host (Debian 12 is merged-/usr: /lib -> usr/lib, ...),
# so libraries can be copied to the very paths ldd prints.
mkdir -p "$R"/{usr/bin,usr/sbin,usr/lib,usr/local/bin,etc/dahdi,proc,sys,dev,tmp,run,root,vmtest/out}
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		t=$(readlink "/$d"); ln -s "$t" "$R/$d"; mkdir -p "$R/${t#/}"
	else mkdir -p "$R/$d"; fi
done

is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
# copy host path $1 to the same path in the guest (following symlinks)
put_host() { [ -e "$R$1" ] || { mkdir -p "$R$(dirname "$1")" && cp -L "$1" "$R$1"; }; }
add_libs() {
	local f=$1 out l
	out=$(ldd "$f" 2>&1) || { grep -q 'not a dynamic executable\|statically linked' <<<"$out" && return 0; vm_die "ldd $f: $out"; }
	! grep -q 'not found' <<<"$out" || vm_die "ldd $f: $(grep 'not found' <<<"$out")"
	grep -q 'statically linked' <<<"$out" && return 0
	for l in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"); do
		put_host "$l"
	done
	local g; g=$(dirname "$(awk '$1 ~ /^libc\.so/ { print $3 }' <<<"$out")")
	[ -f "$g/libgcc_s.so.1" ] && put_host "$g/libgcc_s.so.1"
	if grep -q 'libasan' <<<"$out" && [ ! -e "$R/usr/bin/addr2line" ] && command -v addr2line >/dev/null; then
		add_file "$(command -v addr2line)" /usr/bin/addr2line
	fi
	return 0
}
# add_file HOST_PATH GUEST_PATH: a file or a directory; ELF files bring their libraries
add_file() {
	local src=$1 dst=$2 f
	mkdir -p "$R$(dirname "$dst")"
	if [ -d "$src" ]; then
		cp -rL "$src" "$R$dst"
		while IFS= read -r -d '' f; do is_elf "$f" && add_libs "$f"; done < <(find "$R$dst" -type f -print0)
	else
		cp -L "$src" "$R$dst"
		is_elf "$src" && add_libs "$src"
	fi
	return 0
}
add_baresip() {
	local bin=$1 mdir m
	mdir=$(cd "$(dirname "$(readlink -f "$bin")")/../lib/baresip/modules" 2>/dev/null && pwd) || mdir=/usr/lib/baresip/modules
	[ -d "$mdir" ] || vm_die "baresip module directory not found ($mdir)"
	[ "$BARESIP_MODULES" = all ] && BARESIP_MODULES=$(cd "$mdir" && ls *.so | sed 's/\.so$//')
	for m in $BARESIP_MODULES; do
		[ -f "$mdir/$m.so" ] || vm_die "baresip module $m not in $mdir"
		add_file "$mdir/$m.so" "$mdir/$m.so"
	done
	# audio_player alsa,null needs pcm.null from alsa.conf
	[[ " $BARESIP_MODULES " = *" alsa "* ]] && [ -d /usr/share/alsa ] && add_file /usr/share/alsa /usr/share/alsa
	return 0
}

# busybox and the DAHDI pieces
cp /bin/busybox "$R/usr/bin/busybox"
mkdir -p "$R/lib/modules/dahdi"
for m in $DAHDI_MODULES; do cp "$MODDIR/$m.ko" "$R/lib/modules/dahdi/"; done
for b in dahdi_cfg dahdi_scan dahdi_test dahdi_maint dahdi_span_assignments dahdi_monitor; do
	p=$(command -v "$b" || true)
	[ -n "$p" ] && is_elf "$p" && add_file "$p" "/usr/sbin/$b"
done
[ -x "$R/usr/sbin/dahdi_cfg" ] || vm_die "dahdi_cfg not found on the host (package dahdi)"
cp "$VM_DIR"/conf/*.conf "$R/etc/dahdi/"
[ -x "$CACHE/pritest" ] && cp "$CACHE/pritest" "$R/usr/local/bin/pritest"

# what programs expect to find in /etc
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
printf '127.0.0.1\tlocalhost vmtest\n::1\tlocalhost ip6-localhost\n' > "$R/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' > "$R/etc/nsswitch.conf"
: > "$R/etc/resolv.conf"

# the test: guest script and extra files
cp "$SCRIPT" "$R/vmtest/guest.sh"
for a in "$@"; do
	src=${a%%:/*}; dst=
	[ "$src" != "$a" ] && dst=/${a#*:/}
	[ -e "$src" ] || vm_die "$src not found"
	if [ -z "$dst" ]; then
		if is_elf "$src"; then dst=/usr/local/bin/$(basename "$src"); else dst=/vmtest/$(basename "$src"); fi
	fi
	add_file "$src" "$dst"
	is_elf "$src" && [ "$(basename "$src")" = baresip ] && add_baresip "$src"
done

cp "$VM_DIR/guest-init.sh" "$R/init"
chmod 755 "$R/init" "$R/vmtest/guest.sh"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "initramfs: $OUT ($(du -k "$OUT" | cut -f1) KiB; $(du -sk "$R" | cut -f1) KiB unpacked)"
