/* Interactive access to a running container: its console, and commands
 * run inside its namespaces (libvirt-lxc). */
#pragma once

#include <libvirt/libvirt.h>

#include "err.h"

/* Copy between this terminal and the domain's console until the escape
 * character ^] or the console closes. */
int lxcf_console_attach(virConnectPtr conn, virDomainPtr dom, lxcf_err *err);

/* Run ARGV inside the container's namespaces, cgroup and security label,
 * wait for it and return its exit status (128+signal when killed). */
int lxcf_enter(virDomainPtr dom, char *const *argv, int *status, lxcf_err *err);
