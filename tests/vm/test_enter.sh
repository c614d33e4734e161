#!/usr/bin/env bash
# enter (a command and its exit status, an interactive shell under a pty,
# where the entered process lands in the cgroup tree) and console (reaches a
# login prompt), on a joint and a separate guest.
. "$(dirname "$0")/lib.sh"

for name in $J1 $S1; do
    model=joint; [ $name = $S1 ] && model=separate
    ok "$name: the guest exists and runs systemd" t_have $name $model
    ok "$name: enter runs a command" bash -c "[ \"\$(lxcf enter $name cat /etc/hostname)\" = $name ]"
    ok "$name: enter exits with the command's status (7)" bash -c "lxcf enter $name sh -c 'exit 7'; [ \$? = 7 ]"
    ok "$name: enter NAME systemctl is-system-running" bash -c "
        st=\$(lxcf enter $name systemctl is-system-running); echo \"\$st\"
        [ \"\$st\" = running ] || [ \"\$st\" = degraded ]"
    ok "$name: the entered process is in a leaf group inside the machine's scope" bash -c "
        lxcf enter $name sleep 123.$$ & e=\$!
        for i in \$(seq 1 50); do p=\$(pgrep -xf 'sleep 123.$$') && break; sleep 0.2; done
        [ -n \"\$p\" ] || { echo 'the entered sleep never ran'; kill \$e; exit 1; }
        d=\$(t_cgdir \$p); echo \"entered pid \$p in \$d\"; kill \$p; wait \$e
        m=\$(t_machine $name) && u=\$(machinectl show \$m -p Unit --value) &&
        case \$d in */machine.slice/\"\$u\"/*) ;; *) exit 1 ;; esac &&
        [ -z \"\$(cat \$d/cgroup.subtree_control)\" ]"
    ok "$name: an interactive shell under a pty (expect) runs commands and exits with its status (3)" \
        bash -c "expect $(dirname "$0")/shell.exp $LXCF_BIN $name; [ \$? = 3 ]"
    ok "$name: under script(1) the entered command's stdin and stdout are a terminal" bash -c "
        out=\$(script -qec \"$LXCF_BIN enter $name sh -c 'test -t 0 && test -t 1 && echo on-a-tty'\" /dev/null | tr -d '\r')
        echo \"\$out\"; echo \"\$out\" | grep -qx on-a-tty"
    ok "$name: console reaches a login prompt" expect "$(dirname "$0")/console.exp" $LXCF_BIN $name
done
