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
 * A root without one (an rpm host) gives an empty database, found false:
 * lxcf reads rpm's sqlite database with no library of its own. */
int lxcf_pkgdb_read(const char *root, lxcf_pkgdb *db, lxcf_err *err);
void lxcf_pkgdb_clear(lxcf_pkgdb *db);
/* NAME's version, or NULL when it is not installed. */
const char *lxcf_pkgdb_version(const lxcf_pkgdb *db, const char *name);
/* Push onto *NAMES (a strv, no duplicates) every package installed in A or
 * B at different versions (or in only one of them). */
void lxcf_pkgdb_changed(const lxcf_pkgdb *a, const lxcf_pkgdb *b, char ***names);
