#!/usr/bin/env bash
# The lxcf network: fixed addresses, names that resolve between guests,
# DHCP/DNS entries, /etc/hosts blocks, concurrency and a full pool.  All
# traffic stays inside the harness libvirtd's network namespace.
#
# The network's DHCP ranges lie outside lxcf's pool (192.168.134.10-.250
# here), so dnsmasq never lends a container's address: a container's DHCP
# reservation is written to the network's definition (net-dumpxml
# --inactive) and reaches the running network at its next start, while its
# DNS name reaches the running dnsmasq at once.
. "$(dirname "$0")/lib.sh"
t_init network 4 134

H=$T_ROOT/host
GW=192.168.134.1
addr_of() { lxcf list --json | python3 -c "import json,sys; print([c['address'] for c in json.load(sys.stdin) if c['name']=='$1'][0])"; }
# dns_a NAME: the address the network's dnsmasq answers for NAME (nothing
# for none), asked from inside the harness' network namespace.
dns_a() {
    "$LXCF_SRC/scripts/libvirtd-harness" netns python3 -c "
import socket, struct, sys
q = struct.pack('>HHHHHH', 0x4c58, 0x0100, 1, 0, 0, 0)
q += b''.join(bytes([len(p)]) + p.encode() for p in sys.argv[1].split('.')) + b'\0' + struct.pack('>HH', 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ('$GW', 53))
d = s.recv(512)
if struct.unpack('>H', d[6:8])[0]:
    print(socket.inet_ntoa(d[-4:]))
" "$1"
}
# The running network's DHCP ranges (printed) hold no address of the pool.
ranges_off_pool() {
    vsh net-dumpxml "$T_NET" | python3 -c "
import ipaddress as I, sys, xml.etree.ElementTree as E
lo, hi = int(I.ip_address('192.168.134.10')), int(I.ip_address('$1'))
r = [(x.get('start'), x.get('end')) for x in E.fromstring(sys.stdin.read()).findall('./ip/dhcp/range')]
print('ranges:', r)
sys.exit(any(int(I.ip_address(s)) <= hi and lo <= int(I.ip_address(e)) for s, e in r))"
}
export -f addr_of dns_a ranges_off_pool
export GW

ok "sysgen two containers" lxcf sysgen lxcft-n1 lxcft-n2
ok "the network was defined, is active and autostarted" bash -c "lxcf net --json | python3 -c 'import json,sys; n=json.load(sys.stdin); assert n[\"active\"] and n[\"autostart\"] and n[\"bridge\"]==\"${T_NET}br\" and n[\"address\"]==\"$GW/24\", n'"
ok "the running network's DHCP ranges hold no address of the pool" ranges_off_pool 192.168.134.250
ok "both got the two lowest pool addresses" bash -c "[ \"\$(addr_of lxcft-n1) \$(addr_of lxcft-n2)\" = '192.168.134.10 192.168.134.11' ]"
ok "n1 boots" t_wait_systemd lxcft-n1
ok "n2 boots" t_wait_systemd lxcft-n2
ok "n1's eth0 has its fixed address" bash -c "lxcf enter lxcft-n1 ip -4 -o addr show eth0 | grep -q ' 192.168.134.10/24 '"
ok "the definition's DHCP and DNS entries carry the fixed addresses" bash -c "x=\$(vsh net-dumpxml --inactive $T_NET); echo \"\$x\" | grep -q \"name='lxcft-n1' ip='192.168.134.10'\" && echo \"\$x\" | grep -A1 \"<host ip='192.168.134.11'>\" | grep -q '<hostname>lxcft-n2</hostname>'"
ok "the running network has both DNS entries, and sysgen left its DHCP hosts (and firewall) alone" bash -c "x=\$(vsh net-dumpxml $T_NET); echo \"\$x\" | grep -A1 \"<host ip='192.168.134.10'>\" | grep -q '<hostname>lxcft-n1</hostname>' && echo \"\$x\" | grep -A1 \"<host ip='192.168.134.11'>\" | grep -q '<hostname>lxcft-n2</hostname>' && ! echo \"\$x\" | grep -q \"name='lxcft-n\""
ok "dnsmasq answers both names at once" bash -c "[ \"\$(dns_a lxcft-n1) \$(dns_a lxcft-n2)\" = '192.168.134.10 192.168.134.11' ]"
ok "n1 reaches the gateway (TCP to its DNS port)" lxcf enter lxcft-n1 timeout 10 bash -c "exec 3<>/dev/tcp/$GW/53"
ok "n2 listens on a TCP port" lxcf enter lxcft-n2 sh -c 'setsid systemd-socket-activate -l 7777 -a --inetd /bin/echo lxcf-hello </dev/null >/dev/null 2>&1 & sleep 1'
ok "n1 reaches n2 by name" bash -c "[ \"\$(lxcf enter lxcft-n1 timeout 10 bash -c 'exec 3<>/dev/tcp/lxcft-n2/7777 && cat <&3')\" = lxcf-hello ]"
ok "the guest resolves the other by the network's DNS too" bash -c "lxcf enter lxcft-n1 getent hosts lxcft-n2 | grep -q '^192.168.134.11 '"
ok "the bridge side sees n1's address" bash -c "'$LXCF_SRC/scripts/libvirtd-harness' netns ip neigh show dev ${T_NET}br | grep -q '^192.168.134.10 '"
ok "net show lists both reservations" bash -c "lxcf net | grep -qE '192.168.134.11 +52:54:00:[0-9a-f:]+ +lxcft-n2'"

ok "erase n2" lxcf erase lxcft-n2
ok "erase: n2's entries left the network, running and defined" bash -c "! vsh net-dumpxml $T_NET | grep -q lxcft-n2 && ! vsh net-dumpxml --inactive $T_NET | grep -q lxcft-n2"
ok "erase: dnsmasq no longer answers n2's name" bash -c "[ -z \"\$(dns_a lxcft-n2)\" ] && [ \"\$(dns_a lxcft-n1)\" = 192.168.134.10 ]"
ok "erase: n2 left the host's and n1's /etc/hosts" bash -c "! grep -q lxcft-n2 $H/etc/hosts && ! grep -q lxcft-n2 $H/opt/lxcf/lxcft-n1/etc/hosts"
ok "a new container gets the released address" bash -c "lxcf sysgen --no-start lxcft-n3 && [ \"\$(addr_of lxcft-n3)\" = 192.168.134.11 ]"

mac=$(vsh net-dumpxml --inactive $T_NET | grep -o "mac='[^']*' name='lxcft-n1'" | cut -d"'" -f2)
ok "someone deletes n1's DHCP entry by hand" vsh net-update $T_NET delete ip-dhcp-host "<host mac='$mac' name='lxcft-n1' ip='192.168.134.10'/>" --config
ok "net repair puts it back" bash -c "lxcf net repair && vsh net-dumpxml --inactive $T_NET | grep -q \"name='lxcft-n1' ip='192.168.134.10'\""
ok "net repair redefines a removed network" bash -c "vsh net-destroy $T_NET && vsh net-undefine $T_NET && lxcf net repair | grep -q 'defined and started' && vsh net-dumpxml --inactive $T_NET | grep -q \"name='lxcft-n3'\" && vsh net-dumpxml $T_NET | grep -A1 \"<host ip='192.168.134.11'>\" | grep -q '<hostname>lxcft-n3</hostname>'"
ok "after net-destroy and net-start the running network holds every reservation" bash -c "vsh net-destroy $T_NET && vsh net-start $T_NET && x=\$(vsh net-dumpxml $T_NET) && echo \"\$x\" | grep -q \"mac='$mac' name='lxcft-n1' ip='192.168.134.10'\" && echo \"\$x\" | grep -q \"name='lxcft-n3' ip='192.168.134.11'\" && [ \"\$(dns_a lxcft-n3)\" = 192.168.134.11 ]"

# Eight sysgens at once: the lock must hand out eight distinct addresses.
for i in 1 2 3 4 5 6 7 8; do
    lxcf sysgen --no-start "lxcft-p$i" > "$T_ROOT/p$i.log" 2>&1 &
done
wait
ok "8 concurrent sysgen calls all succeed" bash -c "for i in 1 2 3 4 5 6 7 8; do grep -q 'created' $T_ROOT/p\$i.log || { cat $T_ROOT/p\$i.log; exit 1; }; done"
ok "8 concurrent sysgen calls got 8 distinct addresses" bash -c "[ \$(lxcf list --json | python3 -c 'import json,sys; print(len({c[\"address\"] for c in json.load(sys.stdin) if c[\"name\"].startswith(\"lxcft-p\")}))') = 8 ]"
ok "... and 8 hosts lines" bash -c "[ \$(grep -cP '^192\.168\.134\.\d+\tlxcft-p[1-8]$' $H/etc/hosts) = 8 ]"
ok "... and 8 DHCP entries in the definition" bash -c "[ \$(vsh net-dumpxml --inactive $T_NET | grep -c \"name='lxcft-p\") = 8 ]"
ok "... and 8 DNS names that dnsmasq answers, each at its container's address" bash -c "for i in 1 2 3 4 5 6 7 8; do [ \"\$(dns_a lxcft-p\$i)\" = \"\$(addr_of lxcft-p\$i)\" ] || exit 1; done"
ok "/etc/hosts has exactly one lxcf block" bash -c "[ \$(grep -c '^# BEGIN lxcf managed block' $H/etc/hosts) = 1 ] && grep -q '^10.1.1.1	dbserver$' $H/etc/hosts"

# A network an older lxcf defined: its DHCP range is the pool.  While it
# runs so, dnsmasq could lend pool addresses, and every reservation must
# reach it at once; net repair moves the range off the pool in the
# definition, which takes over at the next start.
ok "a network whose DHCP range is the pool (an older lxcf's)" bash -c "vsh net-destroy $T_NET && vsh net-undefine $T_NET && printf '%s\n' \"<network><name>$T_NET</name><forward mode='nat'/><bridge name='${T_NET}br' stp='off' delay='0'/><domain name='$T_NET' localOnly='yes'/><ip address='$GW' netmask='255.255.255.0'><dhcp><range start='192.168.134.10' end='192.168.134.250'/></dhcp></ip></network>\" > $T_ROOT/old-net.xml && vsh net-define $T_ROOT/old-net.xml && vsh net-start $T_NET"
ok "net repair re-adds every reservation to the running network and moves the range in the definition" bash -c "out=\$(lxcf net repair) && echo \"\$out\" && echo \"\$out\" | grep -q 'DHCP range moved off the pool' && [ \$(vsh net-dumpxml $T_NET | grep -c \"name='lxcft-[np]\") = 10 ] && ! vsh net-dumpxml --inactive $T_NET | grep -q \"range start='192.168.134.10'\""
ok "lxcf check warns that the running range holds pool addresses" bash -c "lxcf check | grep -E '^warn +network.dhcp +192.168.134.10-192.168.134.250'"
ok "while the range covers the pool, a new reservation reaches the running network at once" bash -c "lxcf sysgen --no-start lxcft-o1 && a=\$(addr_of lxcft-o1) && vsh net-dumpxml $T_NET | grep -q \"name='lxcft-o1' ip='\$a'\" && vsh net-dumpxml --inactive $T_NET | grep -q \"name='lxcft-o1' ip='\$a'\""
ok "from the next start the range is off the pool, with every reservation" bash -c "vsh net-destroy $T_NET && vsh net-start $T_NET && ranges_off_pool 192.168.134.250 && [ \$(vsh net-dumpxml $T_NET | grep -c \"name='lxcft-[npo]\") = 11 ] && lxcf check | grep -E '^ok +network.dhcp '"

# A pool with no free address left: a clear error and no change.
sed -i 's/^pool_end = .*/pool_end = 192.168.134.20/' "$H/etc/lxcf/lxcf.conf"
hosts_before=$(md5sum < "$H/etc/hosts")
ok "sysgen with a full pool fails with one clear line" bash -c "out=\$(lxcf sysgen lxcft-full 2>&1); rc=\$?; echo \"\$out\"; [ \$rc != 0 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q 'is full'"
ok "full pool: no domain, no root, /etc/hosts unchanged" bash -c "! vsh dominfo lxcft-full && [ ! -e $H/opt/lxcf/lxcft-full ] && [ \"\$(md5sum < $H/etc/hosts)\" = '$hosts_before' ]"

ok "erase everything" bash -c "lxcf erase lxcft-n1 lxcft-n3 lxcft-p1 lxcft-p2 lxcft-p3 lxcft-p4 lxcft-p5 lxcft-p6 lxcft-p7 lxcft-p8 lxcft-o1"
ok "no reservations and no hosts lines left" bash -c "! vsh net-dumpxml $T_NET | grep -q 'lxcft-' && ! vsh net-dumpxml --inactive $T_NET | grep -q 'lxcft-' && ! grep -q lxcft- $H/etc/hosts && ! grep -q '# BEGIN lxcf' $H/etc/hosts"
ok "no name left in dnsmasq" bash -c "[ -z \"\$(dns_a lxcft-n1)\$(dns_a lxcft-p1)\$(dns_a lxcft-o1)\" ]"
