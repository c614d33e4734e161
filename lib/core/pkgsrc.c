#include "pkgsrc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "util.h"

typedef struct lxcf_pkgsrc {
    const char *host_root;
    char **dirs;
    bool remote;       /* a source that is not a local directory */
    bool enablerepo;   /* dnf --enablerepo: a disabled repo may be used too */
} lxcf_pkgsrc;

/* Where the chroot mounts its own file systems, or shares the host's. */
static const char *const lxcf_pkgsrc_refused[] = { "/usr", "/proc", "/sys", "/dev", "/run",
                                                   "/tmp", NULL };

/* Add the directory PATH (a host path), configured at WHERE. */
static int lxcf_pkgsrc_add(lxcf_pkgsrc *s, const char *path, const char *where, lxcf_err *err)
{
    _cleanup_free_ char *clean = lxcf_path_clean(path), *host = NULL;
    struct stat st;

    if (!clean)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: local package source '%s' is not an absolute path without '..'",
                          where, path);
    if (lxcf_streq(clean, "/"))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: local package source '/' cannot be shared "
                          "with the guests", where);
    for (const char *const *r = lxcf_pkgsrc_refused; *r; r++)
        if (lxcf_path_under(clean, *r))
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "%s: local package source %s lies under %s, which each guest's "
                              "update chroot has of its own: move the repository (e.g. to /srv)",
                              where, clean, *r);
    host = lxcf_path_join(s->host_root, clean);
    if (stat(host, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno,
                                "%s: local package source %s", where, clean);
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: local package source %s is not a directory",
                          where, clean);
    /* Nested sources: the outer one brings the inner ones along. */
    for (char **d = s->dirs; d && *d; d++)
        if (lxcf_path_under(clean, *d))
            return 0;
    size_t keep = 0;
    for (size_t i = 0; s->dirs[i]; i++) {
        if (lxcf_path_under(s->dirs[i], clean))
            free(s->dirs[i]);
        else
            s->dirs[keep++] = s->dirs[i];
    }
    s->dirs[keep] = NULL;
    lxcf_strv_push(&s->dirs, lxcf_steal_ptr(clean));
    return 0;
}

/* file:/x, file:///x and (apt) copy:/x -> /x; NULL for other schemes. */
static const char *lxcf_pkgsrc_uri_path(const char *uri, bool apt)
{
    if (lxcf_startswith(uri, "file://"))
        return uri + strlen("file://");
    if (lxcf_startswith(uri, "file:"))
        return uri + strlen("file:");
    if (apt && lxcf_startswith(uri, "copy://"))
        return uri + strlen("copy://");
    if (apt && lxcf_startswith(uri, "copy:"))
        return uri + strlen("copy:");
    return NULL;
}

static char *lxcf_pkgsrc_trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* "no", "false" or "0": how apt's Enabled: and dnf's enabled= switch a
 * source off. */
static bool lxcf_pkgsrc_off(const char *v)
{
    return strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || lxcf_streq(v, "0");
}

/* ---- apt ---------------------------------------------------------------- */

/* One-line format: deb [ options ] URI suite [component...] */
static int lxcf_pkgsrc_apt_list(lxcf_pkgsrc *s, const char *rel, const char *text, lxcf_err *err)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(text);
    char *save = NULL;
    unsigned lineno = 0;

    for (char *line = copy, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *w = strtok_r(line, " \t", &save);
        if (!w || !(lxcf_streq(w, "deb") || lxcf_streq(w, "deb-src")))
            continue;
        bool binary = lxcf_streq(w, "deb");
        w = strtok_r(NULL, " \t", &save);
        if (w && w[0] == '[') {
            /* Options may hold blanks: skip to the closing bracket. */
            while (w && !strchr(w, ']'))
                w = strtok_r(NULL, " \t", &save);
            if (w && strchr(w, ']')[1] != '\0')
                w = strchr(w, ']') + 1;
            else if (w)
                w = strtok_r(NULL, " \t", &save);
        }
        const char *path = w ? lxcf_pkgsrc_uri_path(w, true) : NULL;
        if (!path) {
            /* Only binary packages are installed: a deb-src is never fetched. */
            s->remote |= w && binary;
            continue;
        }
        _cleanup_free_ char *where = lxcf_xasprintf("/%s line %u", rel, lineno);
        if (lxcf_pkgsrc_add(s, path, where, err) < 0)
            return -1;
    }
    return 0;
}

/* deb822: paragraphs of "Key: value", URIs may list several. */
typedef struct lxcf_pkgsrc_para {
    char **uris;
    unsigned line;
    bool enabled;
    bool binary;   /* deb822 Types: has deb (dnf: always) */
    bool mirror;   /* dnf mirrorlist= or metalink=: always fetched */
    bool in_list;  /* dnf: an indented line goes on with baseurl's list */
} lxcf_pkgsrc_para;

#define LXCF_PKGSRC_PARA_INIT { .enabled = true, .binary = true }

static int lxcf_pkgsrc_para_end(lxcf_pkgsrc *s, const char *rel, lxcf_pkgsrc_para *p,
                                lxcf_err *err)
{
    bool used = p->enabled || s->enablerepo;
    int r = 0;

    s->remote |= used && p->binary && p->mirror;
    for (char **u = p->uris; r == 0 && used && u && *u; u++) {
        const char *path = lxcf_pkgsrc_uri_path(*u, true);
        _cleanup_free_ char *where = lxcf_xasprintf("/%s line %u", rel, p->line);
        if (!path)
            s->remote |= p->binary;
        else if (p->enabled)
            r = lxcf_pkgsrc_add(s, path, where, err);
    }
    lxcf_strv_free(p->uris);
    *p = (lxcf_pkgsrc_para)LXCF_PKGSRC_PARA_INIT;
    return r;
}

/* Reads one line (number LINENO) of a paragraph format into P; true when
 * the line ends the paragraph. */
typedef bool (*lxcf_pkgsrc_line_fn)(char *line, unsigned lineno, lxcf_pkgsrc_para *p);

/* TEXT line by line through FN; each paragraph is taken into S where FN
 * ends it, and at the end of TEXT. */
static int lxcf_pkgsrc_paras(lxcf_pkgsrc *s, const char *rel, const char *text,
                             lxcf_pkgsrc_line_fn fn, lxcf_err *err)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(text);
    lxcf_pkgsrc_para p = LXCF_PKGSRC_PARA_INIT;
    char *rest = copy, *line;
    unsigned lineno = 0;

    while ((line = strsep(&rest, "\n")))
        if (fn(line, ++lineno, &p) && lxcf_pkgsrc_para_end(s, rel, &p, err) < 0)
            return -1;
    return lxcf_pkgsrc_para_end(s, rel, &p, err);
}

/* deb822: a blank line ends a paragraph. */
static bool lxcf_pkgsrc_deb822_line(char *line, unsigned lineno, lxcf_pkgsrc_para *p)
{
    char *t = lxcf_pkgsrc_trim(line), *save = NULL;

    if (!*t)
        return true;
    if (strncasecmp(t, "Enabled:", 8) == 0) {
        p->enabled = !lxcf_pkgsrc_off(lxcf_pkgsrc_trim(t + 8));
    } else if (strncasecmp(t, "Types:", 6) == 0) {
        p->binary = false;
        for (char *w = strtok_r(t + 6, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
            p->binary |= lxcf_streq(w, "deb");
    } else if (strncasecmp(t, "URIs:", 5) == 0) {
        p->line = lineno;
        for (char *u = strtok_r(t + 5, " \t", &save); u; u = strtok_r(NULL, " \t", &save))
            lxcf_strv_push(&p->uris, lxcf_xstrdup(u));
    }
    return false;
}

static int lxcf_pkgsrc_apt_sources(lxcf_pkgsrc *s, const char *rel, const char *text,
                                   lxcf_err *err)
{
    return lxcf_pkgsrc_paras(s, rel, text, lxcf_pkgsrc_deb822_line, err);
}

/* ---- dnf and yum -------------------------------------------------------- */

/* INI: [repo] sections; baseurl may list several URLs, over indented
 * continuation lines; enabled=0 switches a repo off.  The same paragraph
 * type serves: one section, its URLs and whether it is on.  A section's
 * header ends the paragraph before it. */
static bool lxcf_pkgsrc_repo_line(char *line, unsigned lineno, lxcf_pkgsrc_para *p)
{
    bool continuation = line[0] == ' ' || line[0] == '\t';
    char *t = lxcf_pkgsrc_trim(line), *values = NULL, *save = NULL;

    if (!*t || t[0] == '#' || t[0] == ';')
        return false;
    if (t[0] == '[')
        return true;
    if (continuation && p->in_list) {
        values = t;
    } else {
        char *eq = strchr(t, '=');
        p->in_list = false;
        if (!eq)
            return false;
        *eq = '\0';
        char *key = lxcf_pkgsrc_trim(t), *val = lxcf_pkgsrc_trim(eq + 1);
        if (lxcf_streq(key, "enabled"))
            p->enabled = !lxcf_pkgsrc_off(val);
        if (lxcf_streq(key, "mirrorlist") || lxcf_streq(key, "metalink"))
            p->mirror |= *val != '\0';
        if (lxcf_streq(key, "baseurl")) {
            p->in_list = true;
            p->line = lineno;
            values = val;
        }
    }
    for (char *u = values ? strtok_r(values, " \t,", &save) : NULL; u;
         u = strtok_r(NULL, " \t,", &save))
        lxcf_strv_push(&p->uris, lxcf_xstrdup(u));
    return false;
}

static int lxcf_pkgsrc_repo_file(lxcf_pkgsrc *s, const char *rel, const char *text,
                                 lxcf_err *err)
{
    return lxcf_pkgsrc_paras(s, rel, text, lxcf_pkgsrc_repo_line, err);
}

typedef int (*lxcf_pkgsrc_parse_fn)(lxcf_pkgsrc *s, const char *rel, const char *text,
                                    lxcf_err *err);

/* Parse the file REL (relative to the host root) with FN; a missing file
 * is nothing to parse. */
static int lxcf_pkgsrc_file(lxcf_pkgsrc *s, const char *rel, lxcf_pkgsrc_parse_fn fn,
                            lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(s->host_root, rel), *text = NULL;
    lxcf_err e = LXCF_ERR_INIT;

    if (lxcf_read_file(path, &text, NULL, &e) < 0)
        return lxcf_error_is_errno(&e, ENOENT) ? 0 : lxcf_error_move(err, &e);
    return fn(s, rel, text, err);
}

/* Every DIR/NAME ending in SUFFIX, in name order (as the tools read them). */
static int lxcf_pkgsrc_dir(lxcf_pkgsrc *s, const char *dir, const char *suffix,
                           lxcf_pkgsrc_parse_fn fn, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(s->host_root, dir);
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort), r = 0;

    for (int i = 0; i < n; i++) {
        if (r == 0 && lxcf_endswith(names[i]->d_name, suffix) && names[i]->d_name[0] != '.') {
            _cleanup_free_ char *rel = lxcf_xasprintf("%s/%s", dir, names[i]->d_name);
            r = lxcf_pkgsrc_file(s, rel, fn, err);
        }
        free(names[i]);
    }
    free(names);
    return r;
}

/* --opt=VALUE or --opt VALUE at *I; the value, or NULL. */
static const char *lxcf_pkgsrc_opt(char *const *argv, size_t *i, const char *opt)
{
    size_t n = strlen(opt);

    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && argv[*i + 1])
        return argv[++*i];
    return NULL;
}

static int lxcf_pkgsrc_dnf(lxcf_pkgsrc *s, char *const *argv, lxcf_err *err)
{
    static const char *const dirs[] = { "etc/yum.repos.d", "etc/yum/repos.d",
                                        "etc/distro.repos.d", NULL };
    _cleanup_strv_ char **reposdirs = NULL;

    for (size_t i = 1; argv[i]; i++) {
        const char *v;
        if ((v = lxcf_pkgsrc_opt(argv, &i, "--repofrompath"))) {
            const char *comma = strchr(v, ',');
            const char *p = comma ? lxcf_pkgsrc_uri_path(comma + 1, false) : NULL;
            if (!comma)
                return lxcf_error(err, LXCF_EXIT_USAGE, "--repofrompath %s: expected ID,PATH", v);
            if (p || !strstr(comma + 1, "://")) {
                if (lxcf_pkgsrc_add(s, p ? p : comma + 1, "--repofrompath", err) < 0)
                    return -1;
            } else {
                s->remote = true;
            }
        } else if ((v = lxcf_pkgsrc_opt(argv, &i, "--setopt")) &&
                   lxcf_startswith(v, "reposdir=")) {
            _cleanup_free_ char *list = lxcf_xstrdup(v + strlen("reposdir="));
            char *save = NULL;
            for (char *d = strtok_r(list, ",", &save); d; d = strtok_r(NULL, ",", &save))
                lxcf_strv_push(&reposdirs, lxcf_xstrdup(d[0] == '/' ? d + 1 : d));
        } else if (lxcf_startswith(argv[i], "--enablerepo")) {
            s->enablerepo = true;
        }
    }
    if (reposdirs) {
        for (char **d = reposdirs; *d; d++)
            if (lxcf_pkgsrc_dir(s, *d, ".repo", lxcf_pkgsrc_repo_file, err) < 0)
                return -1;
        return 0;
    }
    for (const char *const *d = dirs; *d; d++)
        if (lxcf_pkgsrc_dir(s, *d, ".repo", lxcf_pkgsrc_repo_file, err) < 0)
            return -1;
    return 0;
}

/* ---- downloading once -------------------------------------------------- */

/* Options of each tool that take their value as the next argument: the
 * value is never the command word. */
static const char *const lxcf_pkgsrc_apt_valued[] = {
    "-o", "-c", "-t", "-a", "--option", "--config-file", "--target-release",
    "--default-release", "--host-architecture", "--build-profiles", NULL
};
static const char *const lxcf_pkgsrc_dnf_valued[] = {
    "-c", "--config", "--installroot", "--releasever", "--setopt", "-x", "--exclude",
    "--excludepkgs", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--repofrompath",
    "-d", "--debuglevel", "-e", "--errorlevel", "--rpmverbosity", "--forcearch", "--color",
    "--destdir", "--downloaddir", "--comment", "--advisory", "--advisories", "--bz", "--cve",
    "--sec-severity", "--secseverity", "--enableplugin", "--disableplugin", NULL
};
/* Commands that install or upgrade packages the tool fetches. */
static const char *const lxcf_pkgsrc_apt_installs[] = {
    "install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall", NULL
};
static const char *const lxcf_pkgsrc_dnf_installs[] = {
    "install", "in", "localinstall", "update", "up", "upgrade", "update-to", "upgrade-to",
    "reinstall", "rei", "downgrade", "dg", "distro-sync", "distrosync", "dsync", NULL
};
/* Options that already make the command fetch, install nothing or use only
 * a cache: the command is then run as it is. */
static const char *const lxcf_pkgsrc_apt_modes[] = {
    "-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act", "-d",
    "--download-only", "--print-uris", "--no-download", NULL
};
static const char *const lxcf_pkgsrc_dnf_modes[] = {
    "--downloadonly", "-C", "--cacheonly", "--assumeno", NULL
};

static bool lxcf_pkgsrc_among(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (lxcf_streq(s, *list))
            return true;
    return false;
}

/* The command word of ARGV: its first argument that is neither an option
 * nor an option's value. */
static const char *lxcf_pkgsrc_verb(char *const *argv, const char *const *valued)
{
    for (size_t i = 1; argv[i]; i++) {
        if (argv[i][0] != '-')
            return argv[i];
        if (lxcf_pkgsrc_among(argv[i], valued) && argv[i + 1])
            i++;
    }
    return NULL;
}

static bool lxcf_pkgsrc_has_mode(char *const *argv, const char *const *modes)
{
    for (size_t i = 1; argv[i]; i++)
        if (lxcf_pkgsrc_among(argv[i], modes))
            return true;
    return false;
}

lxcf_pkgsrc_tool lxcf_pkgsrc_fetcher(char *const *argv)
{
    static const char *const apt[] = { "apt", "apt-get", NULL };
    static const char *const dnf[] = { "dnf", "yum", NULL };
    const char *verb;

    if (!argv || !argv[0])
        return LXCF_PKGSRC_NONE;
    if (lxcf_prog_is(argv[0], apt)) {
        verb = lxcf_pkgsrc_verb(argv, lxcf_pkgsrc_apt_valued);
        if (verb && lxcf_pkgsrc_among(verb, lxcf_pkgsrc_apt_installs) &&
            !lxcf_pkgsrc_has_mode(argv, lxcf_pkgsrc_apt_modes))
            return LXCF_PKGSRC_APT;
    } else if (lxcf_prog_is(argv[0], dnf)) {
        verb = lxcf_pkgsrc_verb(argv, lxcf_pkgsrc_dnf_valued);
        if (verb && lxcf_pkgsrc_among(verb, lxcf_pkgsrc_dnf_installs) &&
            !lxcf_pkgsrc_has_mode(argv, lxcf_pkgsrc_dnf_modes))
            return LXCF_PKGSRC_DNF;
    }
    return LXCF_PKGSRC_NONE;
}

/* ARGV with the options OPTS (NULL-terminated, NULLs skipped up to N)
 * right after the program: each tool takes its global options there. */
static char **lxcf_pkgsrc_with(char *const *argv, const char *const *opts, size_t n)
{
    char **v = lxcf_xcalloc(1, sizeof(char *));

    lxcf_strv_push(&v, lxcf_xstrdup(argv[0]));
    for (size_t i = 0; i < n; i++)
        if (opts[i])
            lxcf_strv_push(&v, lxcf_xstrdup(opts[i]));
    for (size_t i = 1; argv[i]; i++)
        lxcf_strv_push(&v, lxcf_xstrdup(argv[i]));
    return v;
}

char **lxcf_pkgsrc_download_argv(char *const *argv, const char *dir)
{
    _cleanup_free_ char *archives = lxcf_xasprintf("Dir::Cache::archives=%s/", dir);
    _cleanup_free_ char *cachedir = lxcf_xasprintf("--setopt=cachedir=%s", dir);

    switch (lxcf_pkgsrc_fetcher(argv)) {
    case LXCF_PKGSRC_APT: {
        const char *opts[] = { "--download-only", "-o", archives };
        return lxcf_pkgsrc_with(argv, opts, 3);
    }
    case LXCF_PKGSRC_DNF: {
        const char *opts[] = { "--downloadonly", cachedir };
        return lxcf_pkgsrc_with(argv, opts, 2);
    }
    default:
        return NULL;
    }
}

char **lxcf_pkgsrc_offline_argv(char *const *argv, const char *dir, bool only_dir)
{
    _cleanup_free_ char *archives = lxcf_xasprintf("Dir::Cache::archives=%s/", dir);
    _cleanup_free_ char *cachedir = lxcf_xasprintf("--setopt=cachedir=%s", dir);

    switch (lxcf_pkgsrc_fetcher(argv)) {
    case LXCF_PKGSRC_APT: {
        /* apt takes a .deb it finds in the archives with the size and hash
         * its index names, and fetches nothing else with --no-download;
         * that option also refuses file: sources (apt copies nothing from
         * them), so with a local source too it is left out. */
        const char *opts[] = { "-o", archives, only_dir ? "--no-download" : NULL };
        return lxcf_pkgsrc_with(argv, opts, 3);
    }
    case LXCF_PKGSRC_DNF: {
        /* The cache holds the very metadata the download resolved with and
         * its packages; -C uses only that.  Packages of file:// repos are
         * read where they are, as always. */
        const char *opts[] = { cachedir, "-C" };
        return lxcf_pkgsrc_with(argv, opts, 2);
    }
    default:
        return NULL;
    }
}

int lxcf_pkgsrc_find(const char *host_root, char *const *argv, char ***dirs, bool *remote,
                     lxcf_err *err)
{
    static const char *const apt[] = { "apt", "apt-get", "aptitude", NULL };
    static const char *const dnf[] = { "dnf", "yum", "dnf5", "microdnf", NULL };
    lxcf_pkgsrc s = { .host_root = host_root, .dirs = lxcf_xcalloc(1, sizeof(char *)) };
    int r = 0;

    *dirs = NULL;
    if (remote)
        *remote = false;
    if (!argv || !argv[0])
        return lxcf_error(err, LXCF_EXIT_USAGE, "no command given");
    if (lxcf_prog_is(argv[0], apt))
        r = lxcf_pkgsrc_file(&s, "etc/apt/sources.list", lxcf_pkgsrc_apt_list, err) < 0 ||
                    lxcf_pkgsrc_dir(&s, "etc/apt/sources.list.d", ".list", lxcf_pkgsrc_apt_list,
                                    err) < 0 ||
                    lxcf_pkgsrc_dir(&s, "etc/apt/sources.list.d", ".sources",
                                    lxcf_pkgsrc_apt_sources, err) < 0
                ? -1
                : 0;
    else if (lxcf_prog_is(argv[0], dnf))
        r = lxcf_pkgsrc_dnf(&s, argv, err);
    /* A directory named on the command line, say a repository given to
     * dpkg -R or apt-get install ./dir, is a source too. */
    for (size_t i = 1; r == 0 && argv[i]; i++) {
        _cleanup_free_ char *clean = lxcf_path_clean(argv[i]), *host = NULL;
        struct stat st;
        if (!clean || lxcf_streq(clean, "/"))
            continue;
        host = lxcf_path_join(host_root, clean);
        if (stat(host, &st) == 0 && S_ISDIR(st.st_mode))
            r = lxcf_pkgsrc_add(&s, clean, "the command line", err);
    }
    if (r < 0) {
        lxcf_strv_free(s.dirs);
        return -1;
    }
    *dirs = s.dirs;
    if (remote)
        *remote = s.remote;
    return 0;
}
