/* Customise a freshly copied root so that it boots cleanly as a container.
 * Every write goes through lxcf_fs_*_beneath on a root fd: a symlink the
 * guest (or the copied host) planted can never redirect a write to the host. */
#pragma once

#include "err.h"

typedef struct lxcf_guest_conf {
    const char *name;    /* hostname; required */
    const char *ipv4;    /* static address of eth0; NULL: leave the network alone */
    unsigned prefix;     /* 1..32 */
    const char *gateway; /* may be NULL */
    const char *dns;     /* may be NULL: the gateway is used */
    const char *mac;     /* informative; eth0 is matched by name */
} lxcf_guest_conf;

/* The unit files lxcf masks (-> /dev/null) in every guest: they need the
 * real hardware, the kernel's global state or a console of their own. */
extern const char *const lxcf_guest_masked_units[];

/* Customise ROOT: hostname, a new machine-id, an empty fstab, eth0's static
 * address (systemd-networkd, else ifcfg, else ifupdown), masked units,
 * console-getty, securetty, and the host's own state removed (ssh host keys,
 * which a one-shot unit regenerates at first boot, random-seed, credential
 * secret).  USR_ROOT is where the guest's /usr really is (the host's /usr in
 * the joint model, whose root only holds an empty usr/); NULL means ROOT/usr.
 * Nothing is written through a symlink; a symlinked directory on the way is
 * an error. */
int lxcf_guest_customise(const char *root, const char *usr_root, const lxcf_guest_conf *gc,
                         lxcf_err *err);
