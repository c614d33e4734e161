#!/usr/bin/env bash
# A guest's root user is not trusted: links it plants in its tree must never
# make lxcf write, chown or delete anything of the host's.
. "$(dirname "$0")/lib.sh"
t_init hostile 7 137

H=$T_ROOT/host
R=$H/opt/lxcf
# Host files a hostile guest would love to reach.
mkdir -p "$T_ROOT/precious/dir"
echo "root:secret" > "$T_ROOT/precious/shadow"
echo "keep me" > "$T_ROOT/precious/dir/file"
chmod 600 "$T_ROOT/precious/shadow"
precious() { (cd "$T_ROOT/precious" && find . -printf '%p %m %U %s\n' | LC_ALL=C sort; cat shadow dir/file) | md5sum; }
export -f precious
before=$(precious)
intact() { ok "$1: the host's files are untouched" bash -c "[ \"\$(precious)\" = '$before' ]"; }

ok "sysgen the guest to be subverted" lxcf sysgen --no-start lxcft-evil
ok "its root user plants etc/hosts -> a host file" ln -sf "$T_ROOT/precious/shadow" "$R/lxcft-evil/etc/hosts"
ok "sysgen of a neighbour rewrites every guest's hosts block" lxcf sysgen --no-start lxcft-good
intact "hosts block"
ok "the planted link was not written through" bash -c "[ ! -L $R/lxcft-evil/etc/hosts ] || [ \"\$(readlink $R/lxcft-evil/etc/hosts)\" = '$T_ROOT/precious/shadow' ]"

ok "plants etc/hostname and etc/machine-id -> host files" bash -c "ln -sf $T_ROOT/precious/shadow $R/lxcft-evil/etc/hostname && ln -sf $T_ROOT/precious/dir/file $R/lxcft-evil/etc/machine-id"
ok "clone of the subverted guest" lxcf clone --no-start lxcft-evil lxcft-copy
intact "clone customisation"
ok "the clone has its own regular hostname file" bash -c "[ ! -L $R/lxcft-copy/etc/hostname ] && [ \"\$(cat $R/lxcft-copy/etc/hostname)\" = lxcft-copy ]"

ok "plants a directory link etc/systemd/network -> a host directory" bash -c "rm -rf $R/lxcft-good/etc/systemd/network && ln -s $T_ROOT/precious/dir $R/lxcft-good/etc/systemd/network"
mkdir -p "$H/srv/app"; echo "from the admin" > "$H/srv/app/deployed"
ok "plants the deploy target's parent -> a host directory" bash -c "mkdir -p $R/lxcft-good/srv && ln -s $T_ROOT/precious/dir $R/lxcft-good/srv/app"
not_ok "deploy into the subverted guest fails" lxcf deploy --to lxcft-good /srv/app/deployed
ok "deploy into the other guest works" bash -c "lxcf deploy --to lxcft-evil /srv/app/deployed && [ \"\$(cat $R/lxcft-evil/srv/app/deployed)\" = 'from the admin' ]"
intact "deploy"

ok "plants var/evil -> the host's directory, and var/evil2 -> /" bash -c "ln -s $T_ROOT/precious/dir $R/lxcft-evil/var/evil && ln -s / $R/lxcft-evil/var/evil2"
ok "a failing update rolls the guest back" bash -c "! lxcf update --only lxcft-evil false"
intact "update rollback"
ok "erase of the subverted guests" lxcf erase lxcft-evil lxcft-good lxcft-copy
intact "erase"
ok "nothing is left of them" bash -c "[ -z \"\$(ls -A $R | grep -v '^.lxcf-update$')\" ]"
ok "the host tree's etc is still there" test -f "$H/etc/passwd"
