#include "update_journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "util.h"

#define LXCF_JOURNAL_MAGIC "lxcf-update-journal 1"

static const char *const lxcf_phase_names[] = { "guests", "host", "done" };

const char *lxcf_update_phase_name(lxcf_update_phase p)
{
    return (unsigned)p < 3 ? lxcf_phase_names[p] : "?";
}

int lxcf_update_journal_write(const char *path, const lxcf_update_journal *j, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot build the journal", path);
    fprintf(f, "%s\nphase %s\n", LXCF_JOURNAL_MAGIC, lxcf_update_phase_name(j->phase));
    for (char **p = j->touched; p && *p; p++)
        fprintf(f, "touched %s\n", *p);
    for (char **p = j->stopped; p && *p; p++)
        fprintf(f, "stopped %s\n", *p);
    for (char **p = j->autostart; p && *p; p++)
        fprintf(f, "autostart %s\n", *p);
    fclose(f);
    return lxcf_write_file_atomic(path, buf, len, 0600, false, err);
}

static int lxcf_journal_line(lxcf_update_journal *j, const char *line, lxcf_err *err)
{
    const char *sp = strchr(line, ' ');
    const char *val = sp ? sp + 1 : "";

    if (lxcf_startswith(line, "phase ")) {
        for (int p = 0; p < 3; p++)
            if (lxcf_streq(val, lxcf_phase_names[p])) {
                j->phase = (lxcf_update_phase)p;
                return 0;
            }
    } else if (lxcf_startswith(line, "touched ") && *val) {
        lxcf_strv_push(&j->touched, lxcf_xstrdup(val));
        return 0;
    } else if (lxcf_startswith(line, "stopped ") && *val) {
        lxcf_strv_push(&j->stopped, lxcf_xstrdup(val));
        return 0;
    } else if (lxcf_startswith(line, "autostart ") && *val) {
        lxcf_strv_push(&j->autostart, lxcf_xstrdup(val));
        return 0;
    }
    return lxcf_error(err, LXCF_EXIT_FAIL, "malformed line '%s'", line);
}

int lxcf_update_journal_read(const char *path, lxcf_update_journal *j, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    char *save = NULL;

    memset(j, 0, sizeof(*j));
    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    if (lxcf_read_file(path, &buf, &len, err) < 0)
        return -1;
    char *line = strtok_r(buf, "\n", &save);
    if (!line || !lxcf_streq(line, LXCF_JOURNAL_MAGIC))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: not an lxcf update journal", path);
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (lxcf_journal_line(j, line, err) < 0) {
            lxcf_update_journal_clear(j);
            lxcf_error_prefix(err, "%s: ", path);
            return -1;
        }
    }
    return 1;
}

void lxcf_update_journal_clear(lxcf_update_journal *j)
{
    lxcf_strv_free(j->touched);
    lxcf_strv_free(j->stopped);
    lxcf_strv_free(j->autostart);
    memset(j, 0, sizeof(*j));
}

/* In the scratch directory; a dot name can never be a guest's. */
#define LXCF_UPDATE_HOST_CMD ".host-command"

int lxcf_update_host_cmd_write(const char *dir, const lxcf_update_cmd *cmd, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, LXCF_UPDATE_HOST_CMD);
    _cleanup_free_ char *buf = NULL;
    size_t len = 0, file = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot build", path);
    for (size_t i = 0; cmd->argv[i]; i++) {
        bool rewritten = !lxcf_streq(cmd->argv[i], cmd->chroot_argv[i]);
        fputs(rewritten ? cmd->files[file++] : cmd->argv[i], f);
        fputc('\0', f);
    }
    fclose(f);
    return lxcf_write_file_atomic(path, buf, len, 0600, false, err);
}

int lxcf_update_host_cmd_read(const char *dir, char ***argv, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, LXCF_UPDATE_HOST_CMD);
    _cleanup_strv_ char **v = lxcf_xcalloc(1, sizeof(char *));
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;

    if (lxcf_read_file(path, &buf, &len, err) < 0)
        return -1;
    for (size_t off = 0; off < len; off += strlen(buf + off) + 1)
        lxcf_strv_push(&v, lxcf_xstrndup(buf + off, len - off));
    *argv = lxcf_steal_ptr(v);
    return 0;
}

bool lxcf_update_holds(const lxcf_ctx *ctx, const char *name)
{
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/%s/%s/snapshot", roots, LXCF_UPDATE_DIR, name);

    return access(snap, F_OK) == 0;
}

int lxcf_update_lock(lxcf_ctx *ctx, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_ctx_path(ctx, LXCF_LOCK_PATH);
    /* A second update must not queue behind the first: it would re-run CMD
     * on a state the admin has not looked at. */
    return lxcf_lock_take(path, 0, err);
}
