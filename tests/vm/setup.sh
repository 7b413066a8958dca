#!/bin/bash
# Host preparation for the DAHDI VM test (Debian 12, apt only).
#
# Installs the host packages (only those missing; no apt run at all when all are
# present) and caches under $CACHE (default $TOP/build-vm, or $SIPGW_VM_CACHE):
#   KVER                     the guest kernel ABI, pinned on the first run
#   debs/                    linux-image-$KVER (and dahdi-source if not installed)
#   kimg/boot/vmlinuz-$KVER  the guest kernel
#   src/dahdi.tar.bz2        DAHDI 2.11.1 kernel sources (from dahdi-source)
# Idempotent: a second run only checks (well under a second).
# Exit 0 ready, 77 cannot prepare here (not root and packages missing), 1 error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE"
if ! KV=$(vm_kver); then
	# the ABI the linux-headers-amd64 metapackage points to now (e.g. 6.1.0-56-amd64)
	kv_from_apt() { apt-cache depends linux-headers-amd64 2>/dev/null |
		awk '/Depends: linux-headers-/ { sub("linux-headers-", "", $2); print $2; exit }'; }
	KV=$(kv_from_apt)
	if [ -z "$KV" ] && [ "$(id -u)" = 0 ]; then apt-get update -q >&2; KV=$(kv_from_apt); fi
	[ -n "$KV" ] || vm_die "cannot find the kernel ABI (apt-cache depends linux-headers-amd64); set KVER"
fi

PKGS="qemu-system-x86 linux-headers-$KV gcc make libc6-dev bzip2 busybox-static cpio gzip kmod
      libpri-dev dahdi dahdi-source baresip-core"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages:$missing (need root to install them)" >&2
		exit 77
	fi
	echo "setup: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt_install() { apt-get install -y -q -o DPkg::Lock::Timeout=900 --no-install-recommends $missing; }
	apt_install || { apt-get update -q -o DPkg::Lock::Timeout=900 && apt_install; }
fi
echo "$KV" > "$CACHE/KVER"

# guest kernel: only vmlinuz out of the image package (the whole tree is ~400 MB)
if [ ! -s "$CACHE/kimg/boot/vmlinuz-$KV" ]; then
	mkdir -p "$CACHE/debs" && cd "$CACHE/debs"
	ls linux-image-"${KV}"_*.deb >/dev/null 2>&1 || apt-get download -q "linux-image-$KV" 2>&1 | grep -v unsandboxed || true
	deb=$(ls linux-image-"${KV}"_*.deb | head -1)
	rm -rf "$CACHE/kimg.tmp" && mkdir -p "$CACHE/kimg.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$CACHE/kimg.tmp" --wildcards './boot/vmlinuz-*'
	rm -rf "$CACHE/kimg" && mv "$CACHE/kimg.tmp" "$CACHE/kimg"
fi

# DAHDI kernel sources (dahdi-source ships them as a tarball)
if [ ! -s "$CACHE/src/dahdi.tar.bz2" ]; then
	mkdir -p "$CACHE/src"
	if [ -s /usr/src/dahdi.tar.bz2 ]; then
		cp /usr/src/dahdi.tar.bz2 "$CACHE/src/dahdi.tar.bz2.tmp"
	else
		mkdir -p "$CACHE/debs" && cd "$CACHE/debs"
		ls dahdi-source_*.deb >/dev/null 2>&1 || apt-get download -q dahdi-source 2>&1 | grep -v unsandboxed || true
		dpkg-deb --fsys-tarfile "$(ls dahdi-source_*.deb | head -1)" | tar -xO ./usr/src/dahdi.tar.bz2 > "$CACHE/src/dahdi.tar.bz2.tmp"
	fi
	mv "$CACHE/src/dahdi.tar.bz2.tmp" "$CACHE/src/dahdi.tar.bz2"
fi

[ -e "/lib/modules/$KV/build/Makefile" ] || vm_die "kernel headers for $KV missing (/lib/modules/$KV/build)"
command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 missing"
echo "setup: ready (KVER=$KV, cache $CACHE)"
