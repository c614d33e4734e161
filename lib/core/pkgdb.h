/* The package database of a root, as far as update needs it: which
 * packages are installed at which version.  Joint guests run the host's
 * /usr, so after an update their databases must name the versions the
 * host has. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct lxcf_pkgdb_entry {
    char *name;
    char *version;
} lxcf_pkgdb_entry;

typedef struct lxcf_pkgdb {
    lxcf_pkgdb_entry *e;
    size_t n;
    bool found;  /* ROOT has a database lxcf can read */
} lxcf_pkgdb;

/* The installed packages of ROOT's dpkg database (var/lib/dpkg/status).
 * A root without one (an rpm host) gives an empty database, found false. */
int lxcf_pkgdb_read(const char *root, lxcf_pkgdb *db, lxcf_err *err);

/* rpm's database is read through rpm itself (lxcf links no librpm). */
typedef enum lxcf_pkgdb_kind {
    LXCF_PKGDB_DPKG,
    LXCF_PKGDB_RPM,
} lxcf_pkgdb_kind;

/* The database the program PROG changes: rpm's for rpm, dnf, yum, dnf5,
 * microdnf and zypper, dpkg's for dpkg, apt, apt-get and aptitude; for any
 * other program dpkg's where HOST_ROOT (NULL: /) has one, else rpm's. */
lxcf_pkgdb_kind lxcf_pkgdb_kind_for(const char *prog, const char *host_root);

/* Where ROOT's rpm database lies, as a path inside ROOT: the %_dbpath
 * that ROOT/etc/rpm/macros sets to a plain path, else /var/lib/rpm, else
 * /usr/lib/sysimage/rpm; the first that is a real directory (no symlink:
 * a joint guest of a Fedora host links into the host's /usr) holding a
 * database file.  NULL when ROOT has none of its own. */
char *lxcf_pkgdb_rpm_dbpath(const char *root);

/* The rpm command that prints the database DBPATH of ROOT as
 * lxcf_pkgdb_parse_rpm reads it. */
char **lxcf_pkgdb_rpm_query(const char *root, const char *dbpath);

/* That command's output into DB (found true).  Lines without its marker
 * (a warning rpm printed) are skipped; a package installed at several
 * versions or architectures (kernels, multilib) has them all, sorted and
 * blank-separated, as its one version. */
int lxcf_pkgdb_parse_rpm(const char *text, lxcf_pkgdb *db, lxcf_err *err);
void lxcf_pkgdb_clear(lxcf_pkgdb *db);
/* NAME's version, or NULL when it is not installed. */
const char *lxcf_pkgdb_version(const lxcf_pkgdb *db, const char *name);
/* Push onto *NAMES (a strv, no duplicates) every package installed in A or
 * B at different versions (or in only one of them). */
void lxcf_pkgdb_changed(const lxcf_pkgdb *a, const lxcf_pkgdb *b, char ***names);
