/* The host's local package sources: the directories its package tools
 * read packages from (a DVD under /media, an NFS mirror under /mnt, a
 * repository under /srv).  An offline host updates only from those, and a
 * guest's chroot, being the guest's own tree, does not have them: update
 * makes each one visible, read-only, at the same path in every guest. */
#pragma once

#include <stdbool.h>

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
 * file and line that configure it.  *REMOTE (if not NULL) tells whether
 * the tool also fetches binary packages from elsewhere: an http(s), ftp or
 * other URI, a dnf mirrorlist or metalink (--enablerepo counts disabled
 * repos too). */
int lxcf_pkgsrc_find(const char *host_root, char *const *argv, char ***dirs, bool *remote,
                     lxcf_err *err);

/* Downloading once.  Where the host fetches packages, every guest and the
 * host must install the very same files: the host first downloads what CMD
 * needs into a directory of lxcf's, then CMD runs everywhere from that. */
typedef enum lxcf_pkgsrc_tool {
    LXCF_PKGSRC_NONE,  /* CMD installs nothing it fetches, or lxcf does not know how */
    LXCF_PKGSRC_APT,   /* apt, apt-get */
    LXCF_PKGSRC_DNF,   /* dnf, yum */
} lxcf_pkgsrc_tool;

/* The tool of CMD when CMD installs or upgrades packages it fetches:
 * apt-get/apt install, upgrade, dist-upgrade, full-upgrade, reinstall;
 * dnf/yum install, update, upgrade, reinstall, downgrade, distro-sync (and
 * their aliases).  NONE for anything else (update, remove, dpkg, rpm, ...)
 * and when CMD already simulates, only downloads or only uses a cache. */
lxcf_pkgsrc_tool lxcf_pkgsrc_fetcher(char *const *argv);

/* CMD made to download its packages into DIR (as the tool sees it) and
 * install nothing: apt --download-only -o Dir::Cache::archives=DIR/, dnf
 * --downloadonly --setopt=cachedir=DIR (the metadata too).  NULL when
 * lxcf_pkgsrc_fetcher(ARGV) is NONE. */
char **lxcf_pkgsrc_download_argv(char *const *argv, const char *dir);

/* CMD made to install from what that download left in DIR: apt with
 * -o Dir::Cache::archives=DIR/ (and --no-download when ONLY_DIR, that is
 * when the host has no local source), dnf with --setopt=cachedir=DIR -C.
 * apt reads DIR read-only; dnf must write its locks into it.  NULL when
 * lxcf_pkgsrc_fetcher(ARGV) is NONE. */
char **lxcf_pkgsrc_offline_argv(char *const *argv, const char *dir, bool only_dir);
