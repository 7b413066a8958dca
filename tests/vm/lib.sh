# shellcheck shell=bash
# Common settings of the VM harness (sourced by the tests/vm/*.sh scripts).
#   SIPGW_VM_CACHE  cache directory (default: $TOP/build-vm, ignored by git)
#   KVER            guest kernel ABI (default: pinned in $CACHE/KVER on first setup)
#   SIPGW_DAHDI_KIT the shared known-good kit (default: $TOP/../shared/dahdi-vm), for pritest.c
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
CACHE=${SIPGW_VM_CACHE:-$TOP/build-vm}
KIT=${SIPGW_DAHDI_KIT:-$TOP/../shared/dahdi-vm}
# the five modules the kit builds; the guest loads dahdi, dahdi_dynamic, dahdi_dynamic_loc
DAHDI_MODULES="dahdi dahdi_dynamic dahdi_dynamic_loc dahdi_dynamic_eth dahdi_dummy"

vm_kver() {
	if [ -n "${KVER:-}" ]; then echo "$KVER"; return; fi
	if [ -s "$CACHE/KVER" ]; then cat "$CACHE/KVER"; return; fi
	return 1
}
vm_now() { date +%s.%N; }
vm_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
vm_die() { echo "${0##*/}: $*" >&2; exit 1; }
