#!/usr/bin/env bash
# Offline updates on an rpm host: a host tree with rpm and dnf set up as on
# Fedora (scripts/make-test-host --rpm), a createrepo_c repository under
# /mnt built from rpms made here with rpmbuild.  dnf install, yum update
# (yum is dnf), rpm -e and rpm -Uvh FILE reach two joint guests, one
# separate guest and the host; an exclude in one joint guest is refused by
# the version check.  Then an online repository (an http server on the
# loopback that serves each rpm once): the host downloads once, every guest
# and the host install from that.  Nothing leaves the machine.
. "$(dirname "$0")/lib.sh"
[ -n "${LXCF_TEST_HOST_RPM:-}" ] && [ -d "$LXCF_TEST_HOST_RPM" ] || skip_all "no rpm test host tree (scripts/make-test-host --rpm)"
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null || skip_all "rpmbuild or createrepo_c missing (scripts/install-deps --test)"
LXCF_TEST_HOST=$LXCF_TEST_HOST_RPM
t_init_update offrpm 13 143

REPO=/mnt/lxcf-rpmrepo
GUESTS="lxcft-r1 lxcft-r2 lxcft-r3"
PKG=lxcf-rpm-demo
mkdir -p "$H$REPO"

# mkrpm VERSION [NAME DIR]: a noarch rpm with a file in /etc and one in
# /usr, in the repository DIR (default: the local one).
mkrpm() {
    local PKG=${2:-$PKG} dir=${3:-$H$REPO}
    cat > "$P/$PKG.spec" <<EOS
Name: $PKG
Version: $1
Release: 1
Summary: lxcf offline update test package
License: MIT
BuildArch: noarch
%description
lxcf offline update test package.
%install
mkdir -p %{buildroot}/etc %{buildroot}/usr/share/$PKG
echo "version $1" > %{buildroot}/etc/$PKG.conf
echo "version $1" > %{buildroot}/usr/share/$PKG/version
%files
%config(noreplace) /etc/$PKG.conf
/usr/share/$PKG/version
EOS
    rpmbuild --quiet --define "_topdir $P/rpmbuild" --define "_rpmdir $P" --define "_build_name_fmt %{NAME}-%{VERSION}.rpm" \
        -bb "$P/$PKG.spec" >/dev/null 2>&1 || { echo "rpmbuild failed" >&2; return 1; }
    cp "$P/$PKG-$1.rpm" "$dir/"
    createrepo_c --quiet "$dir" >/dev/null
}
qver() {  # qver ROOT [NAME]: what the rpm database under ROOT says
    rpm --dbpath "$1/var/lib/rpm" -q --qf '%{VERSION}' "${2:-$PKG}" 2>/dev/null
}
all_at() {  # all_at VERSION [NAME] ("none": not installed anywhere)
    local g want=$1 PKG=${2:-$PKG}
    for g in $GUESTS; do
        if [ "$want" = none ]; then
            qver "$R/$g" >/dev/null && { echo "$g still has it"; return 1; }
            continue
        fi
        [ "$(qver "$R/$g")" = "$want" ] || { echo "$g: '$(qver "$R/$g")'"; return 1; }
        grep -qx "version $want" "$R/$g/etc/$PKG.conf" || return 1
    done
    if [ "$want" = none ]; then ! qver "$H" >/dev/null; return; fi
    [ "$(qver "$H")" = "$want" ] && grep -qx "version $want" "$H/usr/share/$PKG/version"
}
export -f qver all_at
export H R GUESTS PKG

ok "build $PKG 1.0 and a local repository under /mnt" mkrpm 1.0
mkdir -p "$H/etc/yum.repos.d"; rm -f "$H"/etc/yum.repos.d/*.repo
printf '[lxcf-local]\nname=local\nbaseurl=file://%s\ngpgcheck=0\nenabled=1\n' "$REPO" > "$H/etc/yum.repos.d/local.repo"

ok "sysgen two joint guests and a separate one (not started)" bash -c "lxcf sysgen --no-start lxcft-r1 lxcft-r2 && lxcf sysgen --no-start --model separate lxcft-r3"
ok "update dnf -y install $PKG: 1.0 in every guest's rpm database and on the host" bash -c "lxcf update dnf -y install $PKG && all_at 1.0"
ok "build 2.0 into the repository" mkrpm 2.0
# As after any change to a repository: --refresh, or dnf serves its cache.
ok "update yum -y --refresh update $PKG (yum is dnf): 2.0 everywhere" bash -c "lxcf update yum -y --refresh update $PKG && all_at 2.0"
ok "update rpm -e $PKG: gone everywhere" bash -c "lxcf update rpm -e $PKG && all_at none"
ok "update rpm -Uvh FILE.rpm: 2.0 everywhere again" bash -c "lxcf update rpm -Uvh $P/$PKG-2.0.rpm && all_at 2.0"
ok "the guests keep no trace of the repository's mount point" bash -c "for g in $GUESTS; do [ ! -e $R/\$g$REPO ] || exit 1; done"

# The same version everywhere: an exclude in one joint guest keeps it at
# 2.0 while the others would take 3.0; lxcf refuses in one line naming the
# package and the guests, and rolls every guest back.
ok "build 3.0 into the repository" mkrpm 3.0
printf 'exclude=%s\n' "$PKG" >> "$R/lxcft-r2/etc/dnf/dnf.conf"
ok "an exclude in a joint guest: upgrade refused in one line naming the package and guests, nothing changed" bash -c "
    out=\$(lxcf update dnf -y --refresh upgrade 2>&1 >/dev/null); rc=\$?; echo \"\$out\"
    [ \$rc = 1 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] &&
    echo \"\$out\" | grep -q 'every guest rolled back, host not updated: lxcft-r2: $PKG is at 0:2.0-1.noarch where joint guest lxcft-r1 has 0:3.0-1.noarch' &&
    all_at 2.0 && [ ! -e $R/.lxcf-update/journal ]"
sed -i "/^exclude=$PKG\$/d" "$R/lxcft-r2/etc/dnf/dnf.conf"
rm -f "$H$REPO/$PKG-3.0.rpm"
createrepo_c --quiet "$H$REPO" >/dev/null

# Download once, from an http server on the loopback that answers each
# .rpm once and 404 after: a guest fetching it again would fail.
W=$T_ROOT/www
ONL=lxcf-rpm-online
mkdir -p "$W"
t_serve_once "$W"
export T_ROOT ONL

ok "online: build $ONL 1.0 into the http server's repository" mkrpm 1.0 $ONL "$W"
printf '[lxcf-web]\nname=web\nbaseurl=http://127.0.0.1:%s/\ngpgcheck=0\n' "$PORT" > "$H/etc/yum.repos.d/web.repo"
# Each guest has its own /etc: the new repo file reaches them as any file does.
ok "online: deploy the repo file to the guests" lxcf deploy /etc/yum.repos.d/web.repo
ok "online: --dry-run says the host downloads once and every guest installs that set" bash -c "
    out=\$(lxcf update --dry-run dnf -y install $ONL); echo \"\$out\"
    echo \"\$out\" | grep -q 'host: would first download, once and before any guest is touched.*: dnf --downloadonly' &&
    echo \"\$out\" | grep -q 'every guest and the host would then install that same set, through a throw-away overlay'"
ok "online: update dnf -y install $ONL: 1.0 everywhere, the rpm fetched once" bash -c "
    lxcf update dnf -y install $ONL && all_at 1.0 $ONL && [ \"\$(gets $ONL-1.0.rpm)\" = 1 ]"
ok "online: the download directory is gone, no mount is left" bash -c "
    [ ! -e $R/.lxcf-update ] && for g in $GUESTS; do [ ! -e $R/\$g/opt/lxcf/.lxcf-update ] || exit 1; done &&
    ! grep -F $T_ROOT /proc/self/mountinfo"
rm -f "$H/etc/yum.repos.d/web.repo"
rm -rf "${H:?}$REPO"
ok "update dnf with the repository gone: one line naming it, exit 2, nothing changed" bash -c "
    out=\$(lxcf update dnf -y install other 2>&1); rc=\$?; echo \"\$out\"
    [ \$rc = 2 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q '/etc/yum.repos.d/local.repo line 3: local package source $REPO' && all_at 2.0"
ok "erase the guests" lxcf erase $GUESTS
