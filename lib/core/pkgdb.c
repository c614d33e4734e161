#include "pkgdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (lxcf_read_file(path, &text, NULL, &e) < 0)
        return lxcf_error_is_errno(&e, ENOENT) ? 0 : lxcf_error_move(err, &e);
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

/* ---- rpm ---------------------------------------------------------------- */

#define LXCF_PKGDB_RPM_MARK "@lxcf "

lxcf_pkgdb_kind lxcf_pkgdb_kind_for(const char *prog, const char *host_root)
{
    static const char *const rpm[] = { "rpm", "dnf", "yum", "dnf5", "microdnf", "zypper", NULL };
    static const char *const dpkg[] = { "dpkg", "apt", "apt-get", "aptitude", NULL };
    _cleanup_free_ char *status = lxcf_path_join(host_root, "/var/lib/dpkg/status");

    if (prog && lxcf_prog_is(prog, rpm))
        return LXCF_PKGDB_RPM;
    if (prog && lxcf_prog_is(prog, dpkg))
        return LXCF_PKGDB_DPKG;
    return access(status, F_OK) == 0 ? LXCF_PKGDB_DPKG : LXCF_PKGDB_RPM;
}

/* "%_dbpath /abs/path" in ROOT/etc/rpm/macros, when it is a plain path
 * (a value built from other macros is rpm's to expand, not ours). */
static char *lxcf_pkgdb_rpm_macro(const char *root)
{
    _cleanup_free_ char *path = lxcf_path_join(root, "/etc/rpm/macros"), *text = NULL;
    char *found = NULL, *save = NULL;

    if (lxcf_read_file(path, &text, NULL, NULL) < 0)
        return NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *v = line + strspn(line, " \t");
        if (!lxcf_startswith(v, "%_dbpath") || !strchr(" \t", v[strlen("%_dbpath")]))
            continue;
        v += strlen("%_dbpath");
        v += strspn(v, " \t");
        v[strcspn(v, " \t")] = '\0';
        free(found);
        found = v[0] == '/' && !strchr(v, '%') ? lxcf_path_clean(v) : NULL;
    }
    return found;
}

static bool lxcf_pkgdb_rpm_dir_holds_db(const char *root, const char *dbpath)
{
    static const char *const files[] = { "rpmdb.sqlite", "Packages.db", "Packages", NULL };
    _cleanup_free_ char *dir = lxcf_path_join(root, dbpath);
    struct stat st;

    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return false;
    for (const char *const *f = files; *f; f++) {
        _cleanup_free_ char *p = lxcf_path_join(dir, *f);
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            return true;
    }
    return false;
}

char *lxcf_pkgdb_rpm_dbpath(const char *root)
{
    _cleanup_free_ char *macro = lxcf_pkgdb_rpm_macro(root);
    const char *const candidates[] = { macro, "/var/lib/rpm", "/usr/lib/sysimage/rpm" };

    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (candidates[i] && lxcf_pkgdb_rpm_dir_holds_db(root, candidates[i]))
            return lxcf_xstrdup(candidates[i]);
    return NULL;
}

char **lxcf_pkgdb_rpm_query(const char *root, const char *dbpath)
{
    char **v = lxcf_xcalloc(1, sizeof(char *));

    lxcf_strv_push(&v, lxcf_xstrdup("rpm"));
    lxcf_strv_push(&v, lxcf_xasprintf("--root=%s", root && *root ? root : "/"));
    lxcf_strv_push(&v, lxcf_xasprintf("--dbpath=%s", dbpath));
    lxcf_strv_push(&v, lxcf_xstrdup("-qa"));
    lxcf_strv_push(&v, lxcf_xstrdup("--qf"));
    lxcf_strv_push(&v, lxcf_xstrdup(LXCF_PKGDB_RPM_MARK
                                    "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n"));
    return v;
}

static int lxcf_pkgdb_entry_cmp(const void *a, const void *b)
{
    const lxcf_pkgdb_entry *x = a, *y = b;
    int r = strcmp(x->name, y->name);

    return r ? r : strcmp(x->version, y->version);
}

/* Sorted entries with one name each: the versions of a name joined. */
static void lxcf_pkgdb_merge(lxcf_pkgdb *db)
{
    size_t out = 0;

    if (db->n == 0)
        return;
    qsort(db->e, db->n, sizeof(*db->e), lxcf_pkgdb_entry_cmp);
    for (size_t i = 0; i < db->n; i++) {
        if (out > 0 && lxcf_streq(db->e[out - 1].name, db->e[i].name)) {
            char *joined = lxcf_xasprintf("%s %s", db->e[out - 1].version, db->e[i].version);
            free(db->e[out - 1].version);
            db->e[out - 1].version = joined;
            free(db->e[i].name);
            free(db->e[i].version);
            continue;
        }
        db->e[out++] = db->e[i];
    }
    db->n = out;
}

int lxcf_pkgdb_parse_rpm(const char *text, lxcf_pkgdb *db, lxcf_err *err)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(text);
    char *rest = copy, *line;
    unsigned lineno = 0;

    memset(db, 0, sizeof(*db));
    db->found = true;
    while ((line = strsep(&rest, "\n"))) {
        lineno++;
        if (!lxcf_startswith(line, LXCF_PKGDB_RPM_MARK))
            continue;
        char *name = line + strlen(LXCF_PKGDB_RPM_MARK), *sp = strchr(name, ' ');
        if (!sp || sp == name || !sp[1] || strchr(sp + 1, ' ') || !strchr(sp + 1, ':')) {
            lxcf_pkgdb_clear(db);
            return lxcf_error(err, LXCF_EXIT_FAIL, "rpm query line %u: expected NAME E:V-R.ARCH, "
                              "got '%s'", lineno, line);
        }
        *sp = '\0';
        lxcf_pkgdb_add(db, name, sp + 1);
    }
    lxcf_pkgdb_merge(db);
    return 0;
}
