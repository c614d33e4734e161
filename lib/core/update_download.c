#include "update_download.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "update_exec.h"
#include "update_journal.h"
#include "update_snapshot.h"
#include "util.h"

void lxcf_update_dl_init(lxcf_update_dl *dl, const lxcf_ctx *ctx, char *const *argv,
                         bool remote)
{
    memset(dl, 0, sizeof(*dl));
    dl->tool = remote ? lxcf_pkgsrc_fetcher(argv) : LXCF_PKGSRC_NONE;
    if (dl->tool == LXCF_PKGSRC_NONE)
        return;
    _cleanup_free_ char *roots = lxcf_path_clean(ctx->cfg.roots);
    dl->dir = lxcf_path_join(roots ? roots : ctx->cfg.roots, LXCF_UPDATE_DIR "/.download");
    dl->host = lxcf_ctx_path(ctx, dl->dir);
    dl->argv = lxcf_pkgsrc_download_argv(argv, dl->dir);
}

void lxcf_update_dl_clear(lxcf_update_dl *dl)
{
    free(dl->dir);
    free(dl->host);
    lxcf_strv_free(dl->argv);
    memset(dl, 0, sizeof(*dl));
}

/* The line of the tool's log that says why it failed: its first error
 * ("E: ..." from apt, "Error: ..." from dnf, with the line after it when
 * it ends in ':'), or its last line. */
static char *lxcf_dl_log_reason(const char *log)
{
    _cleanup_free_ char *text = NULL;
    char *save = NULL;

    if (lxcf_read_file(log, &text, NULL, NULL) < 0)
        return lxcf_xstrdup("(no output)");
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!lxcf_startswith(l, "E: ") && !lxcf_startswith(l, "Error"))
            continue;
        char *next = lxcf_endswith(l, ":") ? strtok_r(NULL, "\n", &save) : NULL;
        return next ? lxcf_xasprintf("%s %s", l, next + strspn(next, " ")) : lxcf_xstrdup(l);
    }
    return lxcf_update_log_tail(log, 1);
}

/* How many package files DIR (recursively) holds, and their bytes. */
static void lxcf_dl_count(const char *dir, size_t *n, unsigned long long *bytes)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;

    while (d && (de = readdir(d))) {
        _cleanup_free_ char *p = lxcf_path_join(dir, de->d_name);
        struct stat st;
        if (de->d_name[0] == '.' || lstat(p, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            lxcf_dl_count(p, n, bytes);
        } else if (S_ISREG(st.st_mode) &&
                   (lxcf_endswith(de->d_name, ".deb") || lxcf_endswith(de->d_name, ".rpm"))) {
            (*n)++;
            *bytes += (unsigned long long)st.st_size;
        }
    }
}

/* What of the host's dnf cache the download starts from: the metadata, so
 * that dnf fetches only what it would fetch on the host anyway (not
 * packages, nor a lock a running dnf holds). */
static lxcf_copy_action lxcf_dl_seed_filter(const char *rel, const struct stat *st,
                                            void *opaque)
{
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;

    (void)opaque;
    if ((S_ISDIR(st->st_mode) && lxcf_streq(base, "packages")) || lxcf_endswith(base, "lock.pid"))
        return LXCF_COPY_SKIP;
    return LXCF_COPY_ENTRY;
}

static int lxcf_dl_dnf_seed(const lxcf_update_dl *dl, const lxcf_ctx *ctx, lxcf_err *err)
{
    _cleanup_free_ char *cache = lxcf_ctx_path(ctx, "/var/cache/dnf");
    lxcf_copy_opts opts = { .one_file_system = true, .filter = lxcf_dl_seed_filter };
    struct stat st;

    if (dl->tool != LXCF_PKGSRC_DNF || lstat(cache, &st) < 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (lxcf_fs_copy_tree(cache, dl->host, &opts, NULL, err) < 0) {
        lxcf_error_prefix(err, "host: cannot start the download from dnf's cache: ");
        return -1;
    }
    return 0;
}

int lxcf_update_dl_remove(const lxcf_update_dl *dl, lxcf_err *err)
{
    return dl->host ? lxcf_update_remove_if_exists(dl->host, err) : 0;
}

int lxcf_update_dl_fetch(const lxcf_update_dl *dl, const lxcf_ctx *ctx, const char *scratch,
                         const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_free_ char *log = lxcf_path_join(scratch, "download.log");
    _cleanup_close_ int logfd = -1;
    lxcf_update_exec_opts o = { .root = ctx->root };
    unsigned long long bytes = 0;
    size_t n = 0;
    int status = 0;

    if (mkdir(scratch, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", scratch);
    if (lxcf_update_dl_remove(dl, err) < 0 || lxcf_update_cmd_prepare(dl->argv, &cmd, err) < 0)
        return -1;
    if (mkdir(dl->host, 0755) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", dl->host);
    if (lxcf_dl_dnf_seed(dl, ctx, err) < 0)
        return -1;
    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (logfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", log);
    o.out_fd = logfd;
    lxcf_report_msg(rep, "host", "downloading the packages once, for every guest and the host");
    if (lxcf_update_exec(&cmd, &o, &status, err) < 0) {
        lxcf_error_prefix(err, "host: the download step: ");
        return -1;
    }
    if (status != 0) {
        _cleanup_free_ char *why = lxcf_dl_log_reason(log);
        return lxcf_error(err, LXCF_EXIT_FAIL, "host: downloading the packages failed, no guest "
                          "was touched: %s exited with %d: %s (log: %s)", cmd.argv[0], status,
                          why, log);
    }
    lxcf_dl_count(dl->host, &n, &bytes);
    lxcf_report_msg(rep, "host", "downloaded %zu package file%s (%llu KiB): every guest and the "
                    "host install these", n, n == 1 ? "" : "s", (bytes + 1023) / 1024);
    return 0;
}

int lxcf_update_dl_offline(const lxcf_update_dl *dl, char *const *argv, char ***sources,
                           lxcf_update_cmd *cmd, lxcf_err *err)
{
    bool only_dir = !*sources || !(*sources)[0];
    _cleanup_strv_ char **off = lxcf_pkgsrc_offline_argv(argv, dl->dir, only_dir);

    if (lxcf_update_cmd_prepare(off, cmd, err) < 0)
        return -1;
    if (dl->tool == LXCF_PKGSRC_APT)
        lxcf_strv_push(sources, lxcf_xstrdup(dl->dir));
    return 0;
}
