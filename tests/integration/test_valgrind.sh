#!/usr/bin/env bash
# The main commands under valgrind against a real libvirtd: no invalid
# access and no definite or indirect leak.  Needs a build without
# sanitizers (scripts/test runs it in build-valgrind).
. "$(dirname "$0")/lib.sh"
# grep without -q: with pipefail, an early exit of grep would fail nm.
if nm "$LXCF_BIN" 2>/dev/null | grep __asan_init >/dev/null; then
    skip_all "this build uses ASan; valgrind runs in the plain build (scripts/test: build-valgrind)"
fi
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
t_init valgrind 8 138

vg() {
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --error-exitcode=99 \
        --suppressions="$LXCF_SRC/tests/valgrind.supp" \
        "$LXCF_BIN" --root "$T_ROOT/host" "$@"
}
export -f vg

ok "help" vg help
ok "help --man" vg help --man
ok "bad input (unknown option)" bash -c "vg list --bogus; [ \$? = 2 ]"
ok "sysgen --no-start" vg sysgen --no-start lxcft-v1
ok "list --json" vg list --json
ok "start" vg start lxcft-v1
ok "show --json" vg show --json lxcft-v1
ok "memlimit" vg memlimit lxcft-v1 300M
ok "net show" vg net
ok "enter" vg enter lxcft-v1 true
ok "stop" vg stop --timeout 20 lxcft-v1
ok "clone" vg clone --no-start lxcft-v1 lxcft-v2
ok "update --dry-run" vg update --dry-run true
ok "erase" vg erase lxcft-v1 lxcft-v2
ok "erase of a missing container" bash -c "vg erase lxcft-v1; [ \$? = 6 ]"
