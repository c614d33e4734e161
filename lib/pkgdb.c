#include "pkgdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"

static void lxcf_pkgdb_add(lxcf_pkgdb *db, const char *name, const char *version)
{
    db->e = lxcf_xrealloc(db->e, (db->n + 1) * sizeof(*db->e));
    db->e[db->n].name = lxcf_xstrdup(name);
    db->e[db->n].version = lxcf_xstrdup(version);
    db->n++;
}

/* "install ok installed": the third word is the package's state. */
static bool lxcf_pkgdb_installed(const char *status)
{
    const char *last = strrchr(status, ' ');
    return last && lxcf_streq(last + 1, "installed");
}

int lxcf_pkgdb_read(const char *root, lxcf_pkgdb *db, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(root, "/var/lib/dpkg/status"), *text = NULL;
    _cleanup_free_ char *name = NULL, *version = NULL, *status = NULL;
    lxcf_err e = LXCF_ERR_INIT;
    char *rest, *line;

    memset(db, 0, sizeof(*db));
    if (lxcf_read_file(path, &text, NULL, &e) < 0) {
        if (e.sys_errno == ENOENT)
            return 0;
        *err = e;
        return -1;
    }
    db->found = true;
    rest = text;
    /* Paragraphs of "Field: value"; a blank line (or the end) closes one. */
    do {
        line = strsep(&rest, "\n");
        if (line && *line) {
            char **slot = lxcf_startswith(line, "Package: ")   ? &name
                          : lxcf_startswith(line, "Version: ") ? &version
                          : lxcf_startswith(line, "Status: ")  ? &status
                                                               : NULL;
            if (slot) {
                free(*slot);
                *slot = lxcf_xstrdup(strchr(line, ' ') + 1);
            }
            continue;
        }
        if (name && version && status && lxcf_pkgdb_installed(status))
            lxcf_pkgdb_add(db, name, version);
        free(name);
        free(version);
        free(status);
        name = version = status = NULL;
    } while (line);
    return 0;
}

void lxcf_pkgdb_clear(lxcf_pkgdb *db)
{
    for (size_t i = 0; i < db->n; i++) {
        free(db->e[i].name);
        free(db->e[i].version);
    }
    free(db->e);
    memset(db, 0, sizeof(*db));
}

const char *lxcf_pkgdb_version(const lxcf_pkgdb *db, const char *name)
{
    for (size_t i = 0; i < db->n; i++)
        if (lxcf_streq(db->e[i].name, name))
            return db->e[i].version;
    return NULL;
}

static void lxcf_pkgdb_note(char ***names, const char *name)
{
    if (!lxcf_strv_contains(*names, name))
        lxcf_strv_push(names, lxcf_xstrdup(name));
}

void lxcf_pkgdb_changed(const lxcf_pkgdb *a, const lxcf_pkgdb *b, char ***names)
{
    if (!*names)
        *names = lxcf_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < a->n; i++)
        if (!lxcf_streq(lxcf_pkgdb_version(b, a->e[i].name), a->e[i].version))
            lxcf_pkgdb_note(names, a->e[i].name);
    for (size_t i = 0; i < b->n; i++)
        if (!lxcf_pkgdb_version(a, b->e[i].name))
            lxcf_pkgdb_note(names, b->e[i].name);
}
