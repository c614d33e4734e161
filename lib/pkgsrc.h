/* The host's local package sources: the directories its package tools
 * read packages from (a DVD under /media, an NFS mirror under /mnt, a
 * repository under /srv).  An offline host updates only from those, and a
 * guest's chroot, being the guest's own tree, does not have them: update
 * makes each one visible, read-only, at the same path in every guest. */
#pragma once

#include "err.h"

/* The local sources that CMD (argv) will use on the host under HOST_ROOT
 * (NULL: /), as absolute paths, nested ones folded into their parent:
 *   apt, apt-get, aptitude: file: and copy: URIs of sources.list,
 *     sources.list.d/NAME.list and deb822 NAME.sources (Enabled: no skipped);
 *   dnf, yum, dnf5, microdnf: file:// baseurls of enabled repos in
 *     /etc/yum.repos.d, /etc/yum/repos.d and /etc/distro.repos.d, or in
 *     the --setopt=reposdir= directories, and --repofrompath=ID,PATH;
 *   any command: its arguments that are directories of the host.
 * A source that does not exist, or lies where a guest's tree cannot take a
 * mount (/usr, /proc, /sys, /dev, /run, /tmp, /), is an error naming the
 * file and line that configure it. */
int lxcf_pkgsrc_find(const char *host_root, char *const *argv, char ***dirs, lxcf_err *err);
