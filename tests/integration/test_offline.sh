#!/usr/bin/env bash
# Offline updates as an enterprise host runs them: apt from a local file:
# repository under /srv, reaching two joint guests, one separate guest and
# the host; a newer version added to the repository arrives everywhere; a
# missing repository changes nothing.  Then an online source (an http
# server on the loopback that serves each package file only once): the
# host downloads once, every guest and the host install those very files.
# Nothing leaves the machine.
. "$(dirname "$0")/lib.sh"
t_init_update offline 12 142

REPO=/srv/lxcf-debrepo
GUESTS="lxcft-o1 lxcft-o2 lxcft-o3"
PKG=lxcf-offline-demo
mkdir -p "$H$REPO"

# mkpkg VERSION [NAME DIR]: a package with a file in /etc and one in /usr,
# in the repository DIR (default: the local one).
mkpkg() {
    local name=${2:-$PKG} dir=${3:-$H$REPO}
    local d=$P/$name-$1
    mkdir -p "$d/DEBIAN" "$d/etc" "$d/usr/share/$name"
    echo "version $1" > "$d/etc/$name.conf"
    echo "version $1" > "$d/usr/share/$name/version"
    cat > "$d/DEBIAN/control" <<EOC
Package: $name
Version: $1
Architecture: all
Maintainer: lxcf tests <root@localhost>
Description: lxcf offline update test package
EOC
    dpkg-deb --root-owner-group --build "$d" "$dir/${name}_$1_all.deb" >/dev/null
    (cd "$dir" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null)
}
version() {  # version ADMINDIR [NAME]
    dpkg-query --admindir="$1" -W -f '${Status} ${Version}' "${2:-$PKG}" 2>/dev/null
}
all_at() {  # all_at VERSION [NAME]: every guest and the host have it installed
    local g name=${2:-$PKG}
    for g in $GUESTS; do
        [ "$(version "$R/$g/var/lib/dpkg" "$name")" = "install ok installed $1" ] || { echo "$g: $(version "$R/$g/var/lib/dpkg" "$name")"; return 1; }
        grep -qx "version $1" "$R/$g/etc/$name.conf" || return 1
    done
    [ "$(version "$H/var/lib/dpkg" "$name")" = "install ok installed $1" ] && grep -qx "version $1" "$H/usr/share/$name/version"
}
export -f version all_at
export H R GUESTS PKG REPO

command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages is missing (dpkg-dev; scripts/install-deps --test)"
mkpkg 1.0
# Only the local repository: no network source at all.
printf '# an offline host\ndeb [trusted=yes] file:%s ./\n' "$REPO" > "$H/etc/apt/sources.list"
rm -f "$H"/etc/apt/sources.list.d/*

ok "sysgen two joint guests and a separate one (not started)" bash -c "lxcf sysgen --no-start lxcft-o1 lxcft-o2 && lxcf sysgen --no-start --model separate lxcft-o3"
ok "update --dry-run names the local source" bash -c "lxcf update --dry-run apt-get update | grep -q 'local package source $REPO is mounted read-only'"
ok "update apt-get update: reads the local repository in every guest and the host" lxcf update apt-get update
ok "update apt-get install -y $PKG: version 1.0 in every guest and on the host" bash -c "lxcf update apt-get install -y $PKG && all_at 1.0"
ok "the guests keep no trace of the mount point" bash -c "for g in $GUESTS; do [ ! -e $R/\$g$REPO ] || exit 1; done"
ok "no mount is left" bash -c "! grep -F $T_ROOT /proc/self/mountinfo && ! grep -F $T_ROOT /proc/$LXCF_HARNESS_PID/mountinfo"

mkpkg 2.0
ok "a newer version in the repository: update apt-get update, then upgrade -y" bash -c "lxcf update apt-get update && lxcf update apt-get upgrade -y"
ok "version 2.0 everywhere" all_at 2.0

# The same version everywhere: a pin in one joint guest keeps it at 2.0
# while the others would take 3.0; joint guests run the host's /usr, so
# lxcf refuses, names both, and rolls every guest back.
mkpkg 3.0
printf 'Package: %s\nPin: version 2.0\nPin-Priority: 1001\n' "$PKG" > "$R/lxcft-o2/etc/apt/preferences.d/lxcf-pin"
ok "a pinned joint guest: upgrade refused in one line naming the package and guests, all rolled back" bash -c "
    lxcf update apt-get update >/dev/null || exit 1
    out=\$(lxcf update apt-get upgrade -y 2>&1 >/dev/null); rc=\$?; echo \"\$out\"
    [ \$rc = 1 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] &&
    echo \"\$out\" | grep -q 'every guest rolled back, host not updated: lxcft-o2: $PKG is at 2.0 where joint guest lxcft-o1 has 3.0' &&
    all_at 2.0"
rm -f "$R/lxcft-o2/etc/apt/preferences.d/lxcf-pin"
ok "without the pin the upgrade reaches 3.0 everywhere" bash -c "lxcf update apt-get upgrade -y && all_at 3.0"

# A missing repository is bad input: one line, nothing stopped or changed.
printf 'deb [trusted=yes] file:/srv/lxcf-missing ./\n' > "$H/etc/apt/sources.list"
ok "update with a missing local repository: one line naming it, exit 2, nothing changed" bash -c "
    before=\$(for g in $GUESTS; do md5sum < $R/\$g/var/lib/dpkg/status; done)
    out=\$(lxcf update apt-get update 2>&1); rc=\$?; echo \"\$out\"
    [ \$rc = 2 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q '/etc/apt/sources.list line 1: local package source /srv/lxcf-missing' &&
    [ \"\$(for g in $GUESTS; do md5sum < $R/\$g/var/lib/dpkg/status; done)\" = \"\$before\" ] && [ ! -e $R/.lxcf-update ]"

# Download once.  An online source: an http server on the loopback that
# serves each .deb once and answers 404 after, so that a guest (or the
# host step) fetching a package again would fail.  The host downloads
# before any guest is touched; each guest reads that directory read-only.
W=$T_ROOT/www
ONL=lxcf-online-demo
mkdir -p "$W"
t_serve_once "$W"
export T_ROOT W ONL

mkpkg 1.0 $ONL "$W"
printf 'deb [trusted=yes] http://127.0.0.1:%s/ ./\n' "$PORT" > "$H/etc/apt/sources.list"
ok "online: the test's http server answers" test -n "$PORT"
# Each guest has its own /etc: the new sources reach them as any file does.
ok "online: deploy the host's sources.list to the guests" lxcf deploy /etc/apt/sources.list
ok "online: update apt-get update" lxcf update apt-get update
ok "online: --dry-run says the host downloads once and every guest installs that set" bash -c "
    out=\$(lxcf update --dry-run apt-get install -y $ONL); echo \"\$out\"
    echo \"\$out\" | grep -q 'host: would first download, once and before any guest is touched' &&
    echo \"\$out\" | grep -q 'every guest and the host would then install that same set, read-only' &&
    [ \"\$(gets ${ONL}_1.0_all.deb)\" = 0 ]"
ok "online: update apt-get install -y $ONL: 1.0 everywhere, the .deb fetched once" bash -c "
    lxcf update apt-get install -y $ONL && all_at 1.0 $ONL && [ \"\$(gets ${ONL}_1.0_all.deb)\" = 1 ]"
ok "online: the download directory is gone, no mount is left" bash -c "
    [ ! -e $R/.lxcf-update ] && for g in $GUESTS; do [ ! -e $R/\$g/opt/lxcf/.lxcf-update ] || exit 1; done &&
    ! grep -F $T_ROOT /proc/self/mountinfo"

# A local and an online source together: apt takes the online package from
# the download, the local one from the bind-mounted repository.
mkpkg 2.0 $ONL "$W"
mkpkg 4.0
printf 'deb [trusted=yes] file:%s ./\ndeb [trusted=yes] http://127.0.0.1:%s/ ./\n' "$REPO" "$PORT" > "$H/etc/apt/sources.list"
ok "online and local: update apt-get update, then upgrade -y: both packages everywhere, the online one fetched once" bash -c "
    lxcf deploy /etc/apt/sources.list && lxcf update apt-get update && lxcf update apt-get upgrade -y &&
    all_at 2.0 $ONL && all_at 4.0 && [ \"\$(gets ${ONL}_2.0_all.deb)\" = 1 ] && [ ! -e $R/.lxcf-update ]"

# The download fails (the index names a file the server does not have):
# one line, before any guest is touched.
mkpkg 1.0 lxcf-online-broken "$W"
rm -f "$W/lxcf-online-broken_1.0_all.deb"
ok "online: a failing download is one line naming why, nothing changed" bash -c "
    lxcf update apt-get update >/dev/null || exit 1
    before=\$(for g in $GUESTS; do md5sum < $R/\$g/var/lib/dpkg/status; done; md5sum < $H/var/lib/dpkg/status)
    out=\$(lxcf update apt-get install -y lxcf-online-broken 2>&1 >/dev/null); rc=\$?; echo \"\$out\"
    [ \$rc = 1 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] &&
    echo \"\$out\" | grep -q 'host: downloading the packages failed, no guest was touched: apt-get exited with 100: E: Failed to fetch .*lxcf-online-broken_1.0_all.deb' &&
    [ \"\$(for g in $GUESTS; do md5sum < $R/\$g/var/lib/dpkg/status; done; md5sum < $H/var/lib/dpkg/status)\" = \"\$before\" ] &&
    [ ! -e $R/.lxcf-update/.download ] && [ ! -e $R/.lxcf-update/journal ]"
ok "erase the guests" lxcf erase $GUESTS
