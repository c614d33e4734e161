#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

static void lxcf_oom(void)
{
    fputs("lxcf: out of memory\n", stderr);
    abort();
}

void *lxcf_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        lxcf_oom();
    return p;
}

void *lxcf_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        lxcf_oom();
    return p;
}

void *lxcf_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        lxcf_oom();
    return q;
}

char *lxcf_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        lxcf_oom();
    return p;
}

char *lxcf_xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        lxcf_oom();
    return p;
}

char *lxcf_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        lxcf_oom();
    return s;
}

char *lxcf_path_join(const char *root, const char *path)
{
    size_t rl;

    if (!root || !*root)
        return lxcf_xstrdup(path);
    rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    while (*path == '/')
        path++;
    if (!*path)
        return lxcf_xstrndup(root, rl);
    if (rl == 1 && root[0] == '/')
        return lxcf_xasprintf("/%s", path);
    return lxcf_xasprintf("%.*s/%s", (int)rl, root, path);
}

bool lxcf_path_has(const char *dir, const char *name)
{
    _cleanup_free_ char *p = lxcf_path_join(dir, name);
    struct stat st;

    return lstat(p, &st) == 0;
}

bool lxcf_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool lxcf_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool lxcf_endswith(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lf = strlen(suffix);
    return ls >= lf && memcmp(s + ls - lf, suffix, lf) == 0;
}

size_t lxcf_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

void lxcf_strv_push(char ***v, char *s)
{
    size_t n = lxcf_strv_len(*v);
    *v = lxcf_xrealloc(*v, (n + 2) * sizeof(char *));
    (*v)[n] = s;
    (*v)[n + 1] = NULL;
}

bool lxcf_strv_contains(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (lxcf_streq(v[i], s))
            return true;
    return false;
}

bool lxcf_prog_is(const char *prog, const char *const *names)
{
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;

    for (; *names; names++)
        if (lxcf_streq(base, *names))
            return true;
    return false;
}

bool lxcf_uuid_like(const char *s)
{
    return s && strlen(s) == 36 && strspn(s, "0123456789abcdefABCDEF-") == 36;
}

int lxcf_ref_check(const char *ref, lxcf_err *err)
{
    return lxcf_uuid_like(ref) ? 0 : lxcf_name_check(ref, err);
}

int lxcf_name_check(const char *name, lxcf_err *err)
{
    size_t len;
    bool digits_only = true;

    if (!name || !*name)
        return lxcf_error(err, LXCF_EXIT_USAGE, "empty container name");
    len = strlen(name);
    if (len > LXCF_NAME_MAX)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%.20s...: container name longer than %d characters",
                          name, LXCF_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(isascii(c) && (isalnum(c) || c == '-')))
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "%s: invalid container name (use letters, digits and '-')",
                              name);
        if (!isdigit(c))
            digits_only = false;
    }
    if (name[0] == '-' || name[len - 1] == '-')
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: container name must not start or end with '-'", name);
    if (digits_only)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: container name must not be all digits", name);
    return 0;
}

int lxcf_scan_u64(const char *s, uint64_t *v, const char **end)
{
    uint64_t n = 0;
    int count = 0;

    while (isdigit((unsigned char)*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (n > (UINT64_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
        s++;
        count++;
    }
    *v = n;
    *end = s;
    return count;
}

static bool lxcf_num_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* S as digits after an optional '-' (when SIGNED): *NEG and *MAG; *SHOWN
 * is S as the messages quote it (past the blanks allowed before it). */
static int lxcf_num_parse(const char *s, unsigned flags, bool sign, bool *neg, uint64_t *mag,
                          const char **shown, const char *what, lxcf_err *err)
{
    int code = flags & LXCF_NUM_DATA ? LXCF_EXIT_FAIL : LXCF_EXIT_USAGE;
    const char *end;
    int nd;

    if (!s)
        s = "";
    while ((flags & LXCF_NUM_LEADING) && lxcf_num_blank(*s))
        s++;
    *shown = s;
    *neg = sign && *s == '-';
    nd = lxcf_scan_u64(s + *neg, mag, &end);
    if (nd == 0)
        return lxcf_error(err, code, "%s: '%s' is not a number", what, s);
    while (nd > 0 && (flags & LXCF_NUM_TRAILING) && lxcf_num_blank(*end))
        end++;
    if (nd < 0 || *end)
        return lxcf_error(err, code, "%s: '%s' is not a valid number", what, s);
    return 0;
}

int lxcf_parse_u64(const char *s, unsigned flags, uint64_t min, uint64_t max, const char *what,
                   uint64_t *out, lxcf_err *err)
{
    const char *shown;
    uint64_t v;
    bool neg;

    if (lxcf_num_parse(s, flags, false, &neg, &v, &shown, what, err) < 0)
        return -1;
    if (v < min || v > max)
        return lxcf_error(err, flags & LXCF_NUM_DATA ? LXCF_EXIT_FAIL : LXCF_EXIT_USAGE,
                          "%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, what, v, min,
                          max);
    *out = v;
    return 0;
}

int lxcf_parse_i64(const char *s, unsigned flags, int64_t min, int64_t max, const char *what,
                   int64_t *out, lxcf_err *err)
{
    int code = flags & LXCF_NUM_DATA ? LXCF_EXIT_FAIL : LXCF_EXIT_USAGE;
    const char *shown;
    uint64_t mag;
    int64_t v;
    bool neg;

    if (lxcf_num_parse(s, flags, true, &neg, &mag, &shown, what, err) < 0)
        return -1;
    if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return lxcf_error(err, code, "%s: '%s' is not a valid number", what, shown);
    /* -(INT64_MAX + 1) written without overflow. */
    v = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    if (v < min || v > max)
        return lxcf_error(err, code, "%s: %" PRId64 " is out of range %" PRId64 "..%" PRId64, what,
                          v, min, max);
    *out = v;
    return 0;
}

int lxcf_parse_ulong(const char *s, unsigned long min, unsigned long max,
                     const char *what, unsigned long *out, lxcf_err *err)
{
    uint64_t v;

    if (lxcf_parse_u64(s, LXCF_NUM_STRICT, min, max, what, &v, err) < 0)
        return -1;
    *out = (unsigned long)v;
    return 0;
}

int lxcf_read_fd(int fd, char **out, size_t *len)
{
    _cleanup_free_ char *buf = NULL;
    size_t n = 0, cap = 0;

    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = lxcf_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    *out = lxcf_steal_ptr(buf);
    return 0;
}

int lxcf_read_file(const char *path, char **out, size_t *len, lxcf_err *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", path);
    if (lxcf_read_fd(fd, out, len) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", path);
    return 0;
}

int lxcf_write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

char *lxcf_tmp_name(const char *name)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[LXCF_TMP_RANDOM];
    char tail[LXCF_TMP_RANDOM + 1];

    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(rand() ^ getpid() ^ time(NULL));
    for (size_t i = 0; i < sizeof r; i++)
        tail[i] = chars[r[i] % (sizeof chars - 1)];
    tail[sizeof r] = '\0';
    /* Capped so that a long NAME still leaves room for the tail. */
    return lxcf_xasprintf("%.200s" LXCF_TMP_INFIX "%s", name, tail);
}

/* A temp file of NAME's in DIRFD: fd, or -1 with errno. */
static int lxcf_tmp_create_at(int dirfd, const char *name, char **tmp)
{
    for (int tries = 0; tries < 16; tries++) {
        _cleanup_free_ char *t = lxcf_tmp_name(name);
        int fd = openat(dirfd, t, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd >= 0) {
            *tmp = lxcf_steal_ptr(t);
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    return errno = EEXIST, -1;
}

static _Thread_local bool lxcf_sync_deferred;

bool lxcf_sync_defer(bool on)
{
    bool was = lxcf_sync_deferred;

    lxcf_sync_deferred = on;
    return was;
}

int lxcf_rename_tmp_at(int dirfd, const char *tmp, const char *name)
{
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        return errno = e, -1;
    }
    if (!lxcf_sync_deferred)
        (void)fsync(dirfd);
    return 0;
}

int lxcf_write_tmp_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                      const struct stat *owner, char **tmp, const char **failed)
{
    _cleanup_free_ char *t = NULL;
    _cleanup_close_ int fd = -1;

    *failed = "create a temporary file for";
    fd = lxcf_tmp_create_at(dirfd, name, &t);
    if (fd < 0)
        return -1;
    /* Owner before mode: chown clears the set-id bits. */
    *failed = "write";
    if (lxcf_write_all(fd, data, len) < 0 ||
        (owner && fchown(fd, owner->st_uid, owner->st_gid) < 0) || fchmod(fd, mode) < 0 ||
        (!lxcf_sync_deferred && fsync(fd) < 0)) {
        int e = errno;
        unlinkat(dirfd, t, 0);
        return errno = e, -1;
    }
    *tmp = lxcf_steal_ptr(t);
    return 0;
}

int lxcf_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                  const struct stat *owner, const char *crashpoint, const char **failed)
{
    _cleanup_free_ char *tmp = NULL;

    if (lxcf_write_tmp_at(dirfd, name, data, len, mode, owner, &tmp, failed) < 0)
        return -1;
    if (crashpoint)
        lxcf_crashpoint(crashpoint);
    *failed = "replace";
    return lxcf_rename_tmp_at(dirfd, tmp, name);
}

DIR *lxcf_opendir_fd(int fd)
{
    int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    DIR *d;

    if (dup_fd < 0)
        return NULL;
    d = fdopendir(dup_fd);
    if (!d) {
        int e = errno;
        close(dup_fd);
        errno = e;
    }
    return d;
}

/* A writer killed between its write and its rename leaves its temp file
 * (NAME.lxcf-tmp. and the random tail); remove those. */
static void lxcf_tmp_sweep_at(int dirfd, const char *name)
{
    _cleanup_free_ char *prefix = lxcf_xasprintf("%.200s" LXCF_TMP_INFIX, name);
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(dirfd);
    struct dirent *e;

    while (d && (e = readdir(d)))
        if (lxcf_startswith(e->d_name, prefix) &&
            strlen(e->d_name) == strlen(prefix) + LXCF_TMP_RANDOM)
            unlinkat(dirfd, e->d_name, 0);
}

int lxcf_write_file_atomic(const char *path, const char *data, size_t len,
                           mode_t mode, bool keep_owner, lxcf_err *err)
{
    _cleanup_free_ char *dir = NULL;
    _cleanup_close_ int dfd = -1;
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *failed;
    struct stat st;
    bool keep = false;

    dir = slash ? (slash == path ? lxcf_xstrdup("/") : lxcf_xstrndup(path, (size_t)(slash - path)))
                : lxcf_xstrdup(".");
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno,
                                "cannot create a temporary file for %s", path);
    /* Never write through a symlink: it may point anywhere. */
    if (!*base || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!*base || !S_ISREG(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: not a regular file, refusing to replace it",
                              path);
        keep = keep_owner;
    } else if (errno != ENOENT) {
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot stat %s", path);
    }
    /* Callers hold the lock, so any temp file of this name is litter. */
    lxcf_tmp_sweep_at(dfd, base);
    if (lxcf_write_at(dfd, base, data, len, keep ? st.st_mode & 07777 : mode, keep ? &st : NULL,
                      "atomic-write-before-rename", &failed) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot %s %s", failed, path);
    return 0;
}

void lxcf_crashpoint(const char *name)
{
    const char *at = getenv("LXCF_CRASH_AT");

    if (at && strcmp(at, name) == 0)
        raise(SIGKILL);
}

bool lxcf_path_under(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strncmp(path, top, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

unsigned lxcf_jobs_for(unsigned asked, size_t n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (!asked)
        asked = cpus > 0 ? (unsigned)cpus : 1;
    return n < asked ? (unsigned)n : asked;
}

char *lxcf_path_clean(const char *abs)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(abs);
    char *out, *save = NULL;
    size_t len = 0;

    if (abs[0] != '/')
        return NULL;
    out = lxcf_xcalloc(strlen(abs) + 2, 1);
    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (lxcf_streq(c, "."))
            continue;
        if (lxcf_streq(c, "..")) {
            free(out);
            return NULL;
        }
        len += (size_t)sprintf(out + len, "/%s", c);
    }
    if (!len)
        strcpy(out, "/");
    return out;
}

pid_t lxcf_proc_find(const char *proc, const char *const *comms)
{
    _cleanup_closedir_ DIR *d = opendir(proc);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        uint64_t pid;
        if (lxcf_parse_u64(e->d_name, LXCF_NUM_DATA, 1, INT32_MAX, "pid", &pid, NULL) < 0)
            continue;
        _cleanup_free_ char *path = lxcf_xasprintf("%s/%s/comm", proc, e->d_name);
        _cleanup_free_ char *comm = NULL;
        if (lxcf_read_file(path, &comm, NULL, NULL) < 0)
            continue;
        comm[strcspn(comm, "\n")] = '\0';
        if (lxcf_strv_contains((char *const *)comms, comm))
            return (pid_t)pid;
    }
    return 0;
}
