#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "util.h"

/* Where the block sits in a text: [start, end) covers the BEGIN line
 * through the END line and its line terminator, if it has one. */
typedef struct lxcf_hosts_block {
    bool found;
    size_t start;
    size_t end;
    bool end_has_newline;
    size_t body_start;  /* first byte after the BEGIN line */
    size_t body_end;    /* first byte of the END line */
} lxcf_hosts_block;

/* A growing string; the render step appends a few pieces to it. */
typedef struct lxcf_hosts_buf {
    char *s;
    size_t len;
    size_t cap;
} lxcf_hosts_buf;

static void lxcf_hosts_buf_add(lxcf_hosts_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = lxcf_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void lxcf_hosts_buf_adds(lxcf_hosts_buf *b, const char *s)
{
    lxcf_hosts_buf_add(b, s, strlen(s));
}

/* Is the line [p, p+n) the marker, give or take surrounding blanks and a
 * CR?  Exact otherwise: a damaged marker must not match, so that we refuse
 * rather than replace lines that are not ours. */
static bool lxcf_hosts_line_is(const char *p, size_t n, const char *marker)
{
    size_t ml = strlen(marker);

    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == ml && memcmp(p, marker, ml) == 0;
}

static int lxcf_hosts_find_block(const char *s, lxcf_hosts_block *blk, lxcf_err *err)
{
    size_t pos = 0, len = strlen(s);
    unsigned lineno = 0, begin_line = 0;
    bool inside = false;

    *blk = (lxcf_hosts_block){ 0 };
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
        size_t next = nl ? pos + n + 1 : len;

        lineno++;
        if (lxcf_hosts_line_is(s + pos, n, LXCF_HOSTS_BEGIN)) {
            if (inside)
                return lxcf_error(err, LXCF_EXIT_FAIL,
                                  "lxcf block: BEGIN marker on line %u inside the block begun on line %u",
                                  lineno, begin_line);
            if (blk->found)
                return lxcf_error(err, LXCF_EXIT_FAIL,
                                  "lxcf block: a second block begins on line %u; merge them by hand",
                                  lineno);
            inside = true;
            begin_line = lineno;
            blk->start = pos;
            blk->body_start = next;
        } else if (lxcf_hosts_line_is(s + pos, n, LXCF_HOSTS_END)) {
            if (!inside)
                return lxcf_error(err, LXCF_EXIT_FAIL,
                                  "lxcf block: END marker on line %u without a BEGIN marker",
                                  lineno);
            inside = false;
            blk->found = true;
            blk->body_end = pos;
            blk->end = next;
            blk->end_has_newline = nl != NULL;
        }
        pos = next;
    }
    if (inside)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "lxcf block: BEGIN marker on line %u has no END marker", begin_line);
    return 0;
}

int lxcf_hosts_entry_set(lxcf_hosts_entry *e, const char *name, const char *addr,
                         lxcf_err *err)
{
    uint32_t a;

    if (lxcf_name_check(name, err) < 0 || lxcf_ipv4_parse(addr, &a, err) < 0)
        return -1;
    /* Normalised, so that sorting and comparing need no second parse. */
    lxcf_ipv4_format(a, e->addr);
    snprintf(e->name, sizeof(e->name), "%s", name);
    return 0;
}

static int lxcf_hosts_entry_cmp(const void *pa, const void *pb)
{
    const lxcf_hosts_entry *a = pa, *b = pb;
    uint32_t x = 0, y = 0;

    (void)lxcf_ipv4_parse(a->addr, &x, NULL);
    (void)lxcf_ipv4_parse(b->addr, &y, NULL);
    if (x != y)
        return x < y ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Validated and sorted copy of ENTRIES. */
static int lxcf_hosts_sorted(const lxcf_hosts_entry *entries, size_t n,
                             lxcf_hosts_entry **out, lxcf_err *err)
{
    _cleanup_free_ lxcf_hosts_entry *v = lxcf_xcalloc(n, sizeof(*v));

    for (size_t i = 0; i < n; i++) {
        if (memchr(entries[i].name, '\0', sizeof(entries[i].name)) == NULL)
            return lxcf_error(err, LXCF_EXIT_USAGE, "container name too long");
        if (memchr(entries[i].addr, '\0', sizeof(entries[i].addr)) == NULL)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: invalid address", entries[i].name);
        if (lxcf_hosts_entry_set(&v[i], entries[i].name, entries[i].addr, err) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (lxcf_streq(v[j].name, v[i].name))
                return lxcf_error(err, LXCF_EXIT_USAGE, "%s: name listed twice for the hosts file",
                                  v[i].name);
    }
    qsort(v, n, sizeof(*v), lxcf_hosts_entry_cmp);
    *out = lxcf_steal_ptr(v);
    return 0;
}

static void lxcf_hosts_add_block(lxcf_hosts_buf *b, const lxcf_hosts_entry *v, size_t n,
                                 bool final_newline)
{
    lxcf_hosts_buf_adds(b, LXCF_HOSTS_BEGIN "\n");
    for (size_t i = 0; i < n; i++) {
        lxcf_hosts_buf_adds(b, v[i].addr);
        lxcf_hosts_buf_adds(b, "\t");
        lxcf_hosts_buf_adds(b, v[i].name);
        lxcf_hosts_buf_adds(b, "\n");
    }
    lxcf_hosts_buf_adds(b, final_newline ? LXCF_HOSTS_END "\n" : LXCF_HOSTS_END);
}

int lxcf_hosts_render(const char *old_content, const lxcf_hosts_entry *entries, size_t n,
                      char **new_content, lxcf_err *err)
{
    _cleanup_free_ lxcf_hosts_entry *sorted = NULL;
    lxcf_hosts_buf b = { 0 };
    lxcf_hosts_block blk;
    const char *old = old_content ? old_content : "";
    size_t len = strlen(old);

    if (lxcf_hosts_find_block(old, &blk, err) < 0 ||
        lxcf_hosts_sorted(entries, n, &sorted, err) < 0)
        return -1;
    lxcf_hosts_buf_adds(&b, "");
    if (blk.found && n > 0) {
        lxcf_hosts_buf_add(&b, old, blk.start);
        lxcf_hosts_add_block(&b, sorted, n, blk.end_has_newline);
        lxcf_hosts_buf_adds(&b, old + blk.end);
    } else if (blk.found) {
        size_t keep = blk.start;
        /* The newline we gave the last user line when appending (see the
         * header) goes away with the block. */
        if (!blk.end_has_newline && keep > 0 && old[keep - 1] == '\n')
            keep--;
        lxcf_hosts_buf_add(&b, old, keep);
        lxcf_hosts_buf_adds(&b, old + blk.end);
    } else if (n > 0) {
        bool unterminated = len > 0 && old[len - 1] != '\n';
        lxcf_hosts_buf_adds(&b, old);
        if (unterminated)
            lxcf_hosts_buf_adds(&b, "\n");
        lxcf_hosts_add_block(&b, sorted, n, !unterminated);
    } else {
        lxcf_hosts_buf_adds(&b, old);
    }
    *new_content = b.s;
    return 0;
}

/* One "ADDR NAME" line of the block, LINE NUL-terminated and CR-stripped. */
static int lxcf_hosts_parse_line(char *line, unsigned lineno, lxcf_hosts_entry *e,
                                 lxcf_err *err)
{
    char *save = NULL;
    char *addr = strtok_r(line, " \t", &save);
    char *name = addr ? strtok_r(NULL, " \t", &save) : NULL;

    if (!addr || !name || strtok_r(NULL, " \t", &save))
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "lxcf block: line %u is not \"ADDRESS NAME\"; fix or remove it by hand",
                          lineno);
    if (lxcf_hosts_entry_set(e, name, addr, err) < 0) {
        lxcf_error_prefix(err, "lxcf block: line %u: ", lineno);
        return -1;
    }
    return 0;
}

int lxcf_hosts_parse_block(const char *content, lxcf_hosts_entry **entries, size_t *n,
                           lxcf_err *err)
{
    _cleanup_free_ lxcf_hosts_entry *v = lxcf_xcalloc(1, sizeof(*v));
    _cleanup_free_ char *body = NULL;
    lxcf_hosts_block blk;
    size_t count = 0;
    unsigned lineno = 1;

    if (!content)
        content = "";
    if (lxcf_hosts_find_block(content, &blk, err) < 0)
        return -1;
    if (blk.found) {
        for (size_t i = 0; i < blk.body_start; i++)
            lineno += content[i] == '\n';
        body = lxcf_xstrndup(content + blk.body_start, blk.body_end - blk.body_start);
    }
    for (char *line = body, *nl; line && *line; line = nl ? nl + 1 : NULL, lineno++) {
        size_t l;
        if ((nl = strchr(line, '\n')))
            *nl = '\0';
        l = strlen(line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
            line[--l] = '\0';
        line += strspn(line, " \t");
        if (!*line || *line == '#')
            continue;
        v = lxcf_xrealloc(v, (count + 1) * sizeof(*v));
        if (lxcf_hosts_parse_line(line, lineno, &v[count], err) < 0)
            return -1;
        count++;
    }
    *entries = lxcf_steal_ptr(v);
    *n = count;
    return 0;
}

/* Read PATH into *CONTENT; a missing file reads as empty. */
static int lxcf_hosts_read(const char *path, char **content, lxcf_err *err)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno != ENOENT)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot stat %s", path);
        *content = lxcf_xstrdup("");
        return 0;
    }
    /* Checked before reading, not only at the write: an unchanged render
     * would otherwise succeed through a symlink without a word. */
    if (!S_ISREG(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: not a regular file, refusing to touch it",
                          path);
    return lxcf_read_file(path, content, NULL, err);
}

static int lxcf_hosts_write(const char *path, const char *old,
                            const lxcf_hosts_entry *entries, size_t n, lxcf_err *err)
{
    _cleanup_free_ char *content = NULL;

    if (lxcf_hosts_render(old, entries, n, &content, err) < 0) {
        lxcf_error_prefix(err, "%s: ", path);
        return -1;
    }
    if (lxcf_streq(content, old))
        return 0;
    return lxcf_write_file_atomic(path, content, strlen(content), 0644, true, err);
}

int lxcf_hosts_update_file(const char *path, const lxcf_hosts_entry *entries, size_t n,
                           lxcf_err *err)
{
    _cleanup_free_ char *old = NULL;

    if (lxcf_hosts_read(path, &old, err) < 0)
        return -1;
    return lxcf_hosts_write(path, old, entries, n, err);
}

/* What lxcf_hosts_update_guests holds of one guest between its steps. */
typedef struct lxcf_hosts_stage {
    int dirfd;          /* etc/, where the file is staged: what is synced */
    dev_t dev;          /* its filesystem */
    bool pending;       /* its new file waits for the next sync */
    lxcf_fs_staged sf;
} lxcf_hosts_stage;

/* Stage the new hosts file of guest G (not pending when unchanged). */
static int lxcf_hosts_stage_guest(const lxcf_hosts_guest *g, lxcf_hosts_stage *s,
                                  const lxcf_hosts_entry *entries, size_t n, lxcf_err *err)
{
    /* Only for staging: a batch of hundreds of guests must not hold one
     * more descriptor each until its end. */
    _cleanup_close_ int rootfd = lxcf_fs_open_root(g->root, err);
    _cleanup_free_ char *old = NULL, *new = NULL;
    lxcf_err e = LXCF_ERR_INIT;
    struct stat st;
    size_t len = 0;

    if (rootfd < 0)
        return -1;
    if (lxcf_fs_read_beneath(rootfd, "etc/hosts", &old, &len, &e) < 0) {
        if (!lxcf_error_is_errno(&e, ENOENT))
            return lxcf_error_move(err, &e);
        old = lxcf_xstrdup("127.0.0.1\tlocalhost\n");
    }
    if (lxcf_hosts_render(old, entries, n, &new, err) < 0)
        return -1;
    if (lxcf_streq(old, new))
        return 0;
    if (lxcf_fs_stage_beneath(rootfd, "etc/hosts", new, strlen(new), 0644, &s->sf, err) < 0)
        return -1;
    /* Its own descriptor: the commit closes the staged one. */
    s->dirfd = fcntl(s->sf.dirfd, F_DUPFD_CLOEXEC, 3);
    if (s->dirfd < 0 || fstat(s->dirfd, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot stat %s/etc", g->root);
    s->dev = st.st_dev;
    s->pending = true;
    return 0;
}

/* Sync the filesystem of every pending guest, once per filesystem.  A
 * guest whose sync failed gets its ERR and is no longer pending. */
static void lxcf_hosts_sync_pending(lxcf_hosts_guest *g, lxcf_hosts_stage *s, size_t ng)
{
    for (size_t i = 0; i < ng; i++) {
        bool seen = false;
        int e;

        if (!s[i].pending)
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = s[j].pending && s[j].dev == s[i].dev;
        if (seen || syncfs(s[i].dirfd) == 0)
            continue;
        e = errno;
        for (size_t j = i; j < ng; j++) {
            if (!s[j].pending || s[j].dev != s[i].dev)
                continue;
            lxcf_error_errno(&g[j].err, LXCF_EXIT_FAIL, e, "cannot sync %s", g[j].root);
            s[j].pending = false;
        }
    }
}

void lxcf_hosts_update_guests(lxcf_hosts_guest *g, size_t ng, const lxcf_hosts_entry *entries,
                              size_t n)
{
    _cleanup_free_ lxcf_hosts_stage *s = lxcf_xcalloc(ng ? ng : 1, sizeof(*s));
    bool was = lxcf_sync_defer(true);

    for (size_t i = 0; i < ng; i++) {
        s[i] = (lxcf_hosts_stage){ .dirfd = -1, .sf = LXCF_FS_STAGED_INIT };
        if (lxcf_hosts_stage_guest(&g[i], &s[i], entries, n, &g[i].err) < 0)
            lxcf_fs_staged_clear(&s[i].sf);
    }
    /* Every new content durable before any rename, so that a crash
     * between leaves each guest its old file, never an empty one. */
    lxcf_hosts_sync_pending(g, s, ng);
    for (size_t i = 0; i < ng; i++)
        if (s[i].pending && lxcf_fs_staged_commit(&s[i].sf, &g[i].err) < 0)
            s[i].pending = false;
    lxcf_hosts_sync_pending(g, s, ng);
    lxcf_sync_defer(was);
    for (size_t i = 0; i < ng; i++) {
        lxcf_fs_staged_clear(&s[i].sf);
        if (s[i].dirfd >= 0)
            close(s[i].dirfd);
    }
}

/* One line of a hosts file with its host names OLD and OLD.DOMAIN renamed;
 * the address, comments and blanks stay as they are. */
static void lxcf_hosts_rename_line(lxcf_hosts_buf *b, const char *p, size_t n, const char *old,
                                   const char *new_name)
{
    size_t ol = strlen(old), i = 0, field = 0;
    const char *hash = memchr(p, '#', n);
    size_t data = hash ? (size_t)(hash - p) : n;

    while (i < data) {
        size_t j = i;
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
            while (j < data && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'))
                j++;
            lxcf_hosts_buf_add(b, p + i, j - i);
            i = j;
            continue;
        }
        while (j < data && p[j] != ' ' && p[j] != '\t' && p[j] != '\r')
            j++;
        /* Field 0 is the address. */
        if (field++ > 0 && j - i >= ol && memcmp(p + i, old, ol) == 0 &&
            (j - i == ol || p[i + ol] == '.')) {
            lxcf_hosts_buf_adds(b, new_name);
            lxcf_hosts_buf_add(b, p + i + ol, j - i - ol);
        } else {
            lxcf_hosts_buf_add(b, p + i, j - i);
        }
        i = j;
    }
    lxcf_hosts_buf_add(b, p + data, n - data);
}

int lxcf_hosts_rename(const char *content, const char *old, const char *new_name, char **out,
                      lxcf_err *err)
{
    lxcf_hosts_block blk;
    lxcf_hosts_buf b = { 0 };
    size_t pos = 0, len = strlen(content);

    *out = NULL;
    if (!old || !*old || strpbrk(old, " \t\r\n#") || !new_name || !*new_name ||
        strpbrk(new_name, " \t\r\n#"))
        return lxcf_error(err, LXCF_EXIT_USAGE, "hosts: invalid host name to rename");
    if (lxcf_hosts_find_block(content, &blk, err) < 0)
        return -1;
    while (pos < len) {
        const char *nl = memchr(content + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (content + pos)) : len - pos;

        /* The block names containers, never the host. */
        if (blk.found && pos >= blk.start && pos < blk.end)
            lxcf_hosts_buf_add(&b, content + pos, n);
        else
            lxcf_hosts_rename_line(&b, content + pos, n, old, new_name);
        if (nl)
            lxcf_hosts_buf_add(&b, "\n", 1);
        pos += n + (nl ? 1 : 0);
    }
    *out = b.s ? b.s : lxcf_xstrdup("");
    return 0;
}
