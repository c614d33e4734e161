#!/usr/bin/env bash
# Bad input, case by case from badinput.tsv: each must exit with the
# expected code, print exactly one line "lxcf: ..." matching the case's
# regex on stderr and nothing on stdout, and change nothing: the test
# host's /etc/hosts, the roots directory, this test's libvirt domains (the
# set, their persistent XML and their states) and the test network's XML
# are compared before and after every case.
. "$(dirname "$0")/lib.sh"
t_init badinput 6 136

H=$T_ROOT/host
ROOTS=$H/opt/lxcf
TSV=$(dirname "$0")/badinput.tsv
CFG=$T_ROOT/cfg
mkdir -p "$CFG" "$T_ROOT/adir"

# The config files of the @CFG:NAME@ cases.
printf 'this is not an ini file\n%%%%%% ][ \n' > "$CFG/garbage.conf"
printf 'model = joint\nroots = /srv/x\n' > "$CFG/nosection.conf"
printf '[Model]\nmodle = joint\n' > "$CFG/unknownkey.conf"
printf '[Modell]\nmodel = joint\n' > "$CFG/unknownsection.conf"
printf '[Model]\nmodel = both\n' > "$CFG/badmodel.conf"
printf '[Container]\nmemory = lots\n' > "$CFG/badmemory.conf"
printf '[Container]\nvcpus = -1\n' > "$CFG/negvcpus.conf"
printf '[Container]\nstop_timeout = 0\n' > "$CFG/zerotimeout.conf"
printf '[Paths]\nroots = opt/lxcf\n' > "$CFG/relroots.conf"
printf '[Libvirt]\nuri =\n' > "$CFG/emptyuri.conf"
printf '[Network]\nname = bad name\n' > "$CFG/badnetname.conf"
printf '[Network]\naddress = 192.168.136.1\n' > "$CFG/noprefix.conf"
printf '[Network]\naddress = 300.168.136.1/24\n' > "$CFG/badaddress.conf"
printf '[Network]\naddress = 192.168.136.1/24\npool_start = 192.168.136.250\npool_end = 192.168.136.10\n' > "$CFG/badpool.conf"
# Every other key as in the test's own lxcf.conf, so that only the bad
# key differs.
for f in "$CFG"/*.conf; do
    case $f in */garbage.conf|*/nosection.conf) continue ;; esac
    grep -q '^\[Network\]' "$f" || printf '[Network]\nname = %s\nbridge = %sbr\naddress = 192.168.136.1/24\npool_start = 192.168.136.10\npool_end = 192.168.136.250\n' "$T_NET" "$T_NET" >> "$f"
    grep -q '^name' "$f" || sed -i "s/^\[Network\]$/[Network]\nname = $T_NET\nbridge = ${T_NET}br/" "$f"
done

ok "setup: lxcft-x1 is created and left stopped" lxcf sysgen --no-start lxcft-x1
ok "setup: lxcft-x2 is created and running" bash -c "lxcf sysgen lxcft-x2 && [ \"\$(vsh domstate lxcft-x2)\" = running ]"

# Is SUBCOMMAND still a stub that says "not implemented"?
t_unimpl() { "$LXCF_BIN" help "$1" 2>&1 | grep -q 'not implemented'; }

# Everything a bad input must leave alone, one hash per line.
t_state() {
    local d
    echo "hosts $(md5sum < "$H/etc/hosts")"
    echo "roots $( (cd "$ROOTS" 2>/dev/null && find . -maxdepth 1 -printf '%p %m %U %G\n') | LC_ALL=C sort | md5sum)"
    echo "domains $(t_domains | LC_ALL=C sort | md5sum)"
    for d in $(t_domains | LC_ALL=C sort); do
        echo "domxml:$d $(vsh dumpxml --inactive "$d" | md5sum)"
        echo "domstate:$d $(vsh domstate "$d" | tr ' ' _)"
    done
    if vsh net-info "$T_NET" >/dev/null 2>&1; then
        echo "net $(vsh net-dumpxml "$T_NET" | md5sum)"
        echo "net-inactive $(vsh net-dumpxml --inactive "$T_NET" | md5sum)"
    else
        echo "net none"
    fi
}

t_arg() {  # expand one placeholder
    case $1 in
        @EMPTY@) printf '' ;;
        @LONG@) printf 'a%.0s' $(seq 64) ;;
        @UNICODE@) printf 'ünï' ;;
        @SPACE@) printf 'has space' ;;
        @NL@) printf 'a\nb' ;;
        @CFG:*@) local n=${1#@CFG:}; printf '%s' "$CFG/${n%@}.conf" ;;
        @NOFILE@) printf '%s' "$T_ROOT/no-such-file.conf" ;;
        @DIR@) printf '%s' "$T_ROOT/adir" ;;
        @NOSOCK@) printf 'lxc+unix:///?socket=%s' "$T_ROOT/no-such-socket" ;;
        *) printf '%s' "$1" ;;
    esac
}

# After a case that wrongly created something: remove it, so that the next
# cases start from the same state (their own failure is already reported).
t_restore() {
    local d
    for d in $(t_domains); do
        case $d in lxcft-x1|lxcft-x2) ;; *) lxcf erase "$d" >/dev/null 2>&1 ||
            { vsh destroy "$d"; vsh undefine "$d"; } >/dev/null 2>&1 ;; esac
    done
    for d in "$ROOTS"/*; do
        case ${d##*/} in lxcft-x1|lxcft-x2|'*') ;; *) rm -rf --one-file-system "$d" ;; esac
    done
    vsh dominfo lxcft-x1 >/dev/null 2>&1 || lxcf sysgen --no-start lxcft-x1 >/dev/null 2>&1
    [ "$(vsh domstate lxcft-x1)" = "shut off" ] || lxcf stop lxcft-x1 >/dev/null 2>&1
    vsh dominfo lxcft-x2 >/dev/null 2>&1 || lxcf sysgen lxcft-x2 >/dev/null 2>&1
    [ "$(vsh domstate lxcft-x2)" = running ] || lxcf start lxcft-x2 >/dev/null 2>&1
}

t_case() {  # ARGS EXPECTED REGEX FLAGS
    local args=$1 want=$2 re=$3 flags=$4 a rc before after why="" nerr desc
    local -a argv=()
    local -a words
    read -r -a words <<< "$args"
    [ -z "$args" ] && words=()
    for a in "${words[@]}"; do argv+=("$(t_arg "$a")"); done
    desc="lxcf ${args} -> exit $want"
    before=$(t_state)
    "$LXCF_BIN" --root "$H" "${argv[@]}" > "$T_ROOT/case.out" 2> "$T_ROOT/case.err"
    rc=$?
    after=$(t_state)
    T_N=$((T_N + 1))
    if [[ $flags == *todo-unimpl* ]] && [ $rc = 7 ] && grep -q 'not implemented' "$T_ROOT/case.err" &&
       t_unimpl "${argv[0]}" 2>/dev/null; then
        echo "ok $T_N - $desc # TODO not implemented yet"
        return
    fi
    nerr=$(wc -l < "$T_ROOT/case.err")
    # A message without a final newline is still one (bad) line.
    [ -s "$T_ROOT/case.err" ] && [ "$(tail -c1 "$T_ROOT/case.err" | od -An -c | tr -d ' ')" != '\n' ] && nerr=$((nerr + 1))
    [ "$rc" = "$want" ] || why+="exit $rc, expected $want; "
    [ "$nerr" = 1 ] || why+="stderr has $nerr lines, expected 1; "
    head -n1 "$T_ROOT/case.err" | grep -q '^lxcf: ' || why+="stderr does not start with 'lxcf: '; "
    head -n1 "$T_ROOT/case.err" | grep -qE -- "$re" || why+="stderr does not match /$re/; "
    [ -s "$T_ROOT/case.out" ] && why+="stdout not empty; "
    [ "$before" = "$after" ] || why+="state changed: $(diff <(echo "$before") <(echo "$after") | grep '^>' | cut -d' ' -f2 | tr '\n' ' '); "
    [ "$before" = "$after" ] || t_restore
    if [ -z "$why" ]; then
        echo "ok $T_N - $desc"
    else
        T_FAILED=$((T_FAILED + 1))
        echo "not ok $T_N - $desc"
        echo "# $why"
        sed 's/^/# stderr: /' "$T_ROOT/case.err" | head -n 5
        sed 's/^/# stdout: /' "$T_ROOT/case.out" | head -n 5
    fi
}

while IFS=$'\t' read -r args want re flags; do
    case $args in '#'*) continue ;; esac
    [ -z "$want" ] && continue
    t_case "$args" "$want" "$re" "${flags:-}"
done < "$TSV"

ok "the stopped container is still stopped and the running one running" \
    bash -c "[ \"\$(vsh domstate lxcft-x1)\" = 'shut off' ] && [ \"\$(vsh domstate lxcft-x2)\" = running ]"
ok "cleanup: erase both" lxcf erase lxcft-x1 lxcft-x2
