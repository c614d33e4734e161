# Shared helpers of the integration tests (bash, TAP output).
#
# Each test makes its own throw-away "host" root from the cached test host
# tree (scripts/make-test-host), points lxcf at it with --root, and uses its
# own libvirt network name, so it never touches the machine's /etc/hosts,
# /usr or /opt.  Containers and networks live in the private network
# namespace of the harness libvirtd (scripts/libvirtd-harness).  Everything
# a test creates is removed on exit, also when it fails.

set -uo pipefail

: "${LXCF_BUILD:?run through scripts/test (LXCF_BUILD unset)}"
: "${LXCF_SRC:?run through scripts/test (LXCF_SRC unset)}"
LXCF_BIN=$LXCF_BUILD/lxcf/lxcf
URI=${LXCF_TEST_URI:-lxc:///}
T_N=0
T_FAILED=0
T_ROOT=""
T_NET=""

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

t_init() {
    local name=$1
    [ "$(id -u)" = 0 ] || skip_all "needs root"
    # Container traffic must stay inside a network namespace of our own: only
    # the harness daemon gives that.
    [ -n "${LXCF_HARNESS_PID:-}" ] && [ -d "/proc/$LXCF_HARNESS_PID" ] || \
        skip_all "needs the private harness libvirtd (scripts/libvirtd-harness); an external libvirtd would put the test network on the real host"
    [ -n "${LXCF_TEST_HOST:-}" ] && [ -d "$LXCF_TEST_HOST" ] || skip_all "no test host tree (scripts/make-test-host)"
    T_ROOT=$(mktemp -d "/var/tmp/lxcf-it-$name.XXXXXX")
    T_NET=lxcft${2:-1}
    cp -a --reflink=auto "$LXCF_TEST_HOST" "$T_ROOT/host"
    mkdir -p "$T_ROOT/host/etc/lxcf"
    printf '127.0.0.1\tlocalhost\n# a line of the administrator\n10.1.1.1\tdbserver\n' > "$T_ROOT/host/etc/hosts"
    cat > "$T_ROOT/host/etc/lxcf/lxcf.conf" <<EOC
[Network]
name = $T_NET
bridge = ${T_NET}br
address = 192.168.${3:-130}.1/24
pool_start = 192.168.${3:-130}.10
pool_end = 192.168.${3:-130}.250
[Container]
memory = 512
stop_timeout = 30
EOC
    export T_ROOT T_NET
    trap t_cleanup EXIT
}

lxcf() { "$LXCF_BIN" --root "$T_ROOT/host" "$@"; }
vsh() { virsh -q -c "$URI" "$@"; }

# Domains whose root lies in this test's root are this test's.
t_domains() {
    local d
    for d in $(vsh list --all --name); do
        vsh dumpxml "$d" 2>/dev/null | grep "<source dir='$T_ROOT/" >/dev/null && echo "$d"
    done
}

# Set the kernel limit KEY to VALUE for this test; t_cleanup restores the
# value it had before the first change.
T_SYSCTL_SAVED=""
t_sysctl() {
    local key=$1 value=$2 path=/proc/sys/${1//.//}
    case " $T_SYSCTL_SAVED " in
        *" $key="*) ;;
        *) T_SYSCTL_SAVED="$T_SYSCTL_SAVED $key=$(cat "$path")" ;;
    esac
    echo "$value" > "$path"
}

t_sysctl_restore() {
    local kv
    for kv in $T_SYSCTL_SAVED; do
        echo "${kv#*=}" > "/proc/sys/$(echo "${kv%%=*}" | tr . /)"
    done
    T_SYSCTL_SAVED=""
}

t_cleanup() {
    local d
    for d in $(t_domains); do
        vsh destroy "$d" >/dev/null 2>&1
        vsh undefine "$d" >/dev/null 2>&1
    done
    if [ -n "$T_NET" ]; then
        vsh net-destroy "$T_NET" >/dev/null 2>&1
        vsh net-undefine "$T_NET" >/dev/null 2>&1
    fi
    t_sysctl_restore
    [ -n "$T_ROOT" ] && [ -d "$T_ROOT" ] && rm -rf --one-file-system "$T_ROOT"
    echo "1..$T_N"
    [ "$T_FAILED" = 0 ]
}

ok() {  # ok DESCRIPTION COMMAND...
    local desc=$1
    shift
    T_N=$((T_N + 1))
    if "$@" >"${T_ROOT:-/tmp}/last.out" 2>&1; then
        echo "ok $T_N - $desc"
    else
        T_FAILED=$((T_FAILED + 1))
        echo "not ok $T_N - $desc"
        sed 's/^/# /' "${T_ROOT:-/tmp}/last.out" | head -n 20
    fi
}

not_ok() {  # the command must fail
    local desc=$1
    shift
    ok "$desc" bash -c '! "$@"' _ "$@"
}

# PID of the running container's init, seen from the host.
t_init_pid() {
    local ctl
    ctl=$(vsh domid "$1") || return 1
    tr -d ' \n' < "/proc/$ctl/task/$ctl/children"
}

# Wait until systemd in NAME is running (or degraded); print the state.
t_wait_systemd() {
    local name=$1 i st=""
    for i in $(seq 1 120); do
        st=$(lxcf enter "$name" systemctl is-system-running 2>/dev/null) || true
        case "$st" in running|degraded) echo "$st"; return 0 ;; esac
        sleep 0.5
    done
    echo "systemd in $name did not come up: '$st'" >&2
    lxcf enter "$name" systemctl --failed --no-legend >&2 || true
    return 1
}

# The init of NAME sits in the container's group in hierarchy CTRL.
t_confined() {
    local name=$1 ctrl=$2 ctl pid line
    ctl=$(vsh domid "$name") || return 1
    pid=$(t_init_pid "$name") || return 1
    line=$(grep -E "^[0-9]+:([^:]*,)?$ctrl(,[^:]*)?:" "/proc/$pid/cgroup")
    echo "$line"
    case "$line" in *":/machine/lxc-$ctl-$name.libvirt-lxc"*) return 0 ;; esac
    return 1
}

# A content hash of a tree: names, modes, owners, link targets and bytes.
t_tree_hash() {
    (cd "$1" && find . -printf '%p %m %U %G %l\n' | LC_ALL=C sort | md5sum
     find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat | md5sum) | md5sum
}

# t_init_update NAME [NET SUBNET]: t_init for the tests of update, with
# the host tree H, its roots R and a directory P for the packages made.
t_init_update() {
    t_init "$@"
    H=$T_ROOT/host
    R=$H/opt/lxcf
    P=$T_ROOT/pkg
    mkdir -p "$P"
}

# t_mkdeb FILE PACKAGE PREINST-BODY DESCRIPTION: $P/FILE.deb, PACKAGE 1.0
# with a /usr file, a conffile and a postinst that leaves a stamp in /var.
t_mkdeb() {
    local file=$1 name=$2 d=$P/$1
    mkdir -p "$d/DEBIAN" "$d/usr/share/$name" "$d/etc"
    echo "hello from $file" > "$d/usr/share/$name/hello"
    echo "setting = 1" > "$d/etc/$name.conf"
    echo "/etc/$name.conf" > "$d/DEBIAN/conffiles"
    cat > "$d/DEBIAN/control" <<EOC
Package: $name
Version: 1.0
Architecture: all
Maintainer: lxcf tests <root@localhost>
Description: $4
EOC
    printf '#!/bin/sh\nset -e\n%s\nexit 0\n' "$3" > "$d/DEBIAN/preinst"
    printf '#!/bin/sh\nset -e\nmkdir -p /var/lib/%s\necho done > /var/lib/%s/stamp\n' "$name" "$name" > "$d/DEBIAN/postinst"
    chmod 0755 "$d/DEBIAN/preinst" "$d/DEBIAN/postinst"
    dpkg-deb --root-owner-group --build "$d" "$P/$file.deb" >/dev/null
}

# Checks run in `bash -c` subshells: give them the helpers and settings.
# t_serve_once DIR: serve DIR over http on the loopback (serve-once.py),
# each package file once.  Sets SRV (its PID, stopped at exit) and PORT;
# gets NAME counts the fetches of NAME.
t_serve_once() {
    local i
    python3 "$LXCF_SRC/tests/integration/serve-once.py" "$1" "$T_ROOT/port" "$T_ROOT/gets" >/dev/null 2>&1 &
    SRV=$!
    trap 'kill $SRV 2>/dev/null; t_cleanup' EXIT
    for i in $(seq 1 50); do [ -s "$T_ROOT/port" ] && break; sleep 0.1; done
    PORT=$(cat "$T_ROOT/port" 2>/dev/null)
}
gets() { cat "$T_ROOT/gets" 2>/dev/null | grep -c "/$1\$"; }

export -f gets lxcf vsh t_domains t_init_pid t_wait_systemd t_confined t_tree_hash
export LXCF_BIN URI
