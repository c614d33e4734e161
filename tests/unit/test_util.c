/* lib/util: the small helpers every module leans on.  Path joining is what
 * keeps --root honest, the name check is what keeps a container name a
 * hostname label, and the atomic write is what keeps a crash from leaving
 * a torn /etc/hosts, so each is tested at its edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "testutil.h"
#include "util.h"

/* ---- allocation and strings ---------------------------------------------- */

static void test_x_allocators_never_return_null(void **state)
{
    _cleanup_free_ void *a = lxcf_xmalloc(0);
    _cleanup_free_ void *b = lxcf_xcalloc(0, 0);
    _cleanup_free_ char *c = lxcf_xcalloc(4, 2);
    _cleanup_free_ char *d = lxcf_xstrdup(NULL);
    _cleanup_free_ char *e = lxcf_xstrndup("abcdef", 3);
    _cleanup_free_ char *f = lxcf_xasprintf("%s-%03d", "web", 7);
    char *g = lxcf_xrealloc(NULL, 0);

    /* Zero sizes still give a pointer callers may free and index. */
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(c[i], 0);
    assert_string_equal(d, "");
    assert_string_equal(e, "abc");
    assert_string_equal(f, "web-007");
    assert_non_null(g);
    g = lxcf_xrealloc(g, 64);
    memset(g, 'z', 64);
    free(g);
}

static void test_streq_handles_null(void **state)
{
    assert_true(lxcf_streq("a", "a"));
    assert_false(lxcf_streq("a", "b"));
    assert_true(lxcf_streq(NULL, NULL));
    assert_false(lxcf_streq(NULL, "a"));
    assert_false(lxcf_streq("a", NULL));
}

static void test_startswith_and_endswith(void **state)
{
    assert_true(lxcf_startswith("lxcf-emulator", "lxcf-"));
    assert_true(lxcf_startswith("abc", ""));
    assert_false(lxcf_startswith("lx", "lxcf"));
    assert_true(lxcf_endswith("a.conf", ".conf"));
    assert_true(lxcf_endswith("abc", ""));
    assert_false(lxcf_endswith("conf", ".conf"));
    assert_false(lxcf_endswith("a.conf.bak", ".conf"));
}

static void test_strv_push_len_contains(void **state)
{
    _cleanup_strv_ char **v = NULL;

    assert_int_equal(lxcf_strv_len(NULL), 0);
    assert_false(lxcf_strv_contains(NULL, "a"));
    lxcf_strv_push(&v, lxcf_xstrdup("a"));
    lxcf_strv_push(&v, lxcf_xstrdup("b"));
    lxcf_strv_push(&v, lxcf_xstrdup("c"));
    assert_int_equal(lxcf_strv_len(v), 3);
    assert_null(v[3]);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[2], "c");
    assert_true(lxcf_strv_contains(v, "b"));
    assert_false(lxcf_strv_contains(v, "d"));
    assert_false(lxcf_strv_contains(v, NULL));
}

/* ---- paths --------------------------------------------------------------- */

/* A marker counts as there even as a dangling link: lstat, not stat. */
static void test_path_has_sees_files_and_dangling_links(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();

    assert_false(lxcf_path_has(d, "mark"));
    lxcf_test_write_file(d, "mark", "");
    assert_true(lxcf_path_has(d, "mark"));
    lxcf_test_symlink("/nonexistent/target", d, "dangling");
    assert_true(lxcf_path_has(d, "dangling"));
    lxcf_test_rmrf(d);
}

static void test_path_join_puts_one_slash_between(void **state)
{
    struct { const char *root, *path, *want; } cases[] = {
        { NULL, "/etc/hosts", "/etc/hosts" },
        { "", "/etc/hosts", "/etc/hosts" },
        { "/", "/etc/hosts", "/etc/hosts" },
        { "/", "etc/hosts", "/etc/hosts" },
        { "/r", "/etc/hosts", "/r/etc/hosts" },
        { "/r/", "/etc/hosts", "/r/etc/hosts" },
        { "/r///", "///etc/hosts", "/r/etc/hosts" },
        { "/r", "etc", "/r/etc" },
        { "/r", "", "/r" },
        { "/r/", "/", "/r" },
        { "/", "/", "/" },
        { "rel", "x", "rel/x" },
        /* Only the seam is cleaned: what the caller wrote inside stays. */
        { "/r", "a//b/", "/r/a//b/" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_free_ char *got = lxcf_path_join(cases[i].root, cases[i].path);
        if (!lxcf_streq(got, cases[i].want))
            fail_msg("join(%s, %s) = %s, want %s", cases[i].root ? cases[i].root : "NULL",
                     cases[i].path, got, cases[i].want);
    }
}

static void test_path_under_respects_component_boundaries(void **state)
{
    assert_true(lxcf_path_under("/a/b", "/a"));
    assert_true(lxcf_path_under("/a", "/a"));
    assert_true(lxcf_path_under("/a/b/c", "/a/b"));
    assert_false(lxcf_path_under("/ab", "/a"));
    assert_false(lxcf_path_under("/a", "/a/b"));
    assert_false(lxcf_path_under("/b/a", "/a"));
}

static void test_path_clean_normalises_or_refuses(void **state)
{
    struct { const char *in, *want; } cases[] = {
        { "/", "/" },
        { "//", "/" },
        { "/a//b/./c/", "/a/b/c" },
        { "/./.", "/" },
        { "/usr/lib", "/usr/lib" },
        { "/a/..", NULL },
        { "/a/../b", NULL },
        { "a/b", NULL },
        { "", NULL },
        /* ".." only as a whole component. */
        { "/a/..b/c..", "/a/..b/c.." },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_free_ char *got = lxcf_path_clean(cases[i].in);
        if (!lxcf_streq(got, cases[i].want))
            fail_msg("clean(%s) = %s, want %s", cases[i].in, got ? got : "NULL",
                     cases[i].want ? cases[i].want : "NULL");
    }
}

static void test_jobs_for_caps_at_items_and_defaults_to_cpus(void **state)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned ncpu = cpus > 0 ? (unsigned)cpus : 1;

    assert_int_equal(lxcf_jobs_for(4, 10), 4);
    assert_int_equal(lxcf_jobs_for(4, 2), 2);
    assert_int_equal(lxcf_jobs_for(1, 100), 1);
    assert_int_equal(lxcf_jobs_for(3, 0), 0);
    assert_int_equal(lxcf_jobs_for(0, 100000), ncpu);
    assert_int_equal(lxcf_jobs_for(0, 1), 1);
}

/* ---- names and numbers --------------------------------------------------- */

static void test_name_check_accepts_hostname_labels(void **state)
{
    const char *good[] = { "web1", "a", "A-b-9", "1web", "9-9",
                           "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk" };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(strlen(good[5]), LXCF_NAME_MAX);
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (lxcf_name_check(good[i], &err) < 0)
            fail_msg("%s refused: %s", good[i], err.msg);
    }
}

static void test_name_check_refuses_with_a_reason(void **state)
{
    char longname[LXCF_NAME_MAX + 2];
    struct { const char *name, *want; } cases[] = {
        { NULL, "empty container name" },
        { "", "empty container name" },
        { longname, "container name longer than 63 characters" },
        { "web_1", "invalid container name" },
        { "web.1", "invalid container name" },
        { "web 1", "invalid container name" },
        { "w\xc3\xa9" "b", "invalid container name" },
        { "../x", "invalid container name" },
        { "-web", "must not start or end with '-'" },
        { "web-", "must not start or end with '-'" },
        { "12345", "must not be all digits" },
    };

    memset(longname, 'a', LXCF_NAME_MAX + 1);
    longname[LXCF_NAME_MAX + 1] = '\0';
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_name_check(cases[i].name, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].name ? cases[i].name : "NULL", err.msg,
                     cases[i].want);
    }
}

static void test_name_check_shortens_a_long_name_in_the_message(void **state)
{
    char longname[300];
    lxcf_err err = LXCF_ERR_INIT;

    memset(longname, 'q', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(lxcf_name_check(longname, &err), -1);
    assert_string_equal(err.msg, "qqqqqqqqqqqqqqqqqqqq...: container name longer than 63 characters");
}

/* The one test of "is this a UUID" (lookup, erase, the commands): the
 * length first, so that a 36-character name of other letters stays a name. */
static void test_uuid_like_wants_36_hex_digits_and_dashes(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    assert_true(lxcf_uuid_like("8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6b"));
    assert_true(lxcf_uuid_like("8E5A1C2F-3B4D-4E6F-9A0B-1C2D3E4F5A6B"));
    assert_false(lxcf_uuid_like(NULL));
    assert_false(lxcf_uuid_like(""));
    assert_false(lxcf_uuid_like("8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6"));
    assert_false(lxcf_uuid_like("8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6b0"));
    assert_false(lxcf_uuid_like("8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6z"));
    assert_false(lxcf_uuid_like("web1"));
    assert_int_equal(lxcf_ref_check("8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6b", &err), 0);
    assert_int_equal(lxcf_ref_check("web1", &err), 0);
    assert_int_equal(lxcf_ref_check("-bad", &err), -1);
}

static void test_parse_ulong_accepts_whole_numbers_in_range(void **state)
{
    unsigned long v = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_parse_ulong("42", 1, 100, "vcpus", &v, &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(lxcf_parse_ulong("1", 1, 1, "x", &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(lxcf_parse_ulong("007", 0, 10, "x", &v, &err), 0);
    assert_int_equal(v, 7);
    assert_false(lxcf_error_isset(&err));
}

static void test_parse_ulong_refuses_and_leaves_out_alone(void **state)
{
    struct { const char *s, *want; } cases[] = {
        { NULL, "vcpus: '' is not a number" },
        { "", "vcpus: '' is not a number" },
        { "-1", "vcpus: '-1' is not a number" },
        { "+1", "vcpus: '+1' is not a number" },
        { " 1", "vcpus: ' 1' is not a number" },
        { "1x", "vcpus: '1x' is not a valid number" },
        { "1 ", "vcpus: '1 ' is not a valid number" },
        { "99999999999999999999999", "vcpus: '99999999999999999999999' is not a valid number" },
        { "0", "vcpus: 0 is out of range 1..64" },
        { "65", "vcpus: 65 is out of range 1..64" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long v = 12345;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_parse_ulong(cases[i].s, 1, 64, "vcpus", &v, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_string_equal(err.msg, cases[i].want);
        assert_int_equal(v, 12345);
    }
}

static void test_parse_u64_blanks_only_where_allowed(void **state)
{
    struct {
        const char *s;
        unsigned flags;
        const char *want; /* NULL: parses to 42 */
    } cases[] = {
        { "42", LXCF_NUM_STRICT, NULL },
        { "42\n", LXCF_NUM_TRAILING, NULL },
        { "42 \t\n", LXCF_NUM_TRAILING, NULL },
        /* (messages show a control character as '?') */
        { " 42\n", LXCF_NUM_TRAILING, "n: ' 42?' is not a number" },
        { "42\n", LXCF_NUM_STRICT, "n: '42?' is not a valid number" },
        { " \t42 \n", LXCF_NUM_BLANKS, NULL },
        { " 4 2 ", LXCF_NUM_BLANKS, "n: '4 2 ' is not a valid number" },
        { "\n", LXCF_NUM_BLANKS, "n: '' is not a number" },
        { "0x2a", LXCF_NUM_STRICT, "n: '0x2a' is not a valid number" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t v = 7;
        lxcf_err err = LXCF_ERR_INIT;
        int r = lxcf_parse_u64(cases[i].s, cases[i].flags, 0, 100, "n", &v, &err);

        if (!cases[i].want) {
            assert_int_equal(r, 0);
            assert_true(v == 42);
        } else {
            assert_int_equal(r, -1);
            assert_string_equal(err.msg, cases[i].want);
            assert_true(v == 7);
        }
    }
}

static void test_parse_u64_and_i64_edges_and_codes(void **state)
{
    lxcf_err err = LXCF_ERR_INIT, e2 = LXCF_ERR_INIT, e3 = LXCF_ERR_INIT, e4 = LXCF_ERR_INIT;
    uint64_t u = 0;
    int64_t i = 0;

    assert_int_equal(lxcf_parse_u64("18446744073709551615", 0, 0, UINT64_MAX, "n", &u, &err), 0);
    assert_true(u == UINT64_MAX);
    /* Read from the system: a failure, not a usage error. */
    assert_int_equal(lxcf_parse_u64("18446744073709551616", LXCF_NUM_DATA, 0, UINT64_MAX, "n", &u,
                                    &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_string_equal(err.msg, "n: '18446744073709551616' is not a valid number");
    assert_int_equal(lxcf_parse_i64("-9223372036854775808", 0, INT64_MIN, INT64_MAX, "n", &i, &e2), 0);
    assert_true(i == INT64_MIN);
    assert_int_equal(lxcf_parse_i64(" -5\n", LXCF_NUM_BLANKS, -10, 10, "n", &i, &e2), 0);
    assert_true(i == -5);
    assert_int_equal(lxcf_parse_i64("-9223372036854775809", 0, INT64_MIN, INT64_MAX, "n", &i, &e2), -1);
    assert_int_equal(e2.code, LXCF_EXIT_USAGE);
    assert_string_equal(e2.msg, "n: '-9223372036854775809' is not a valid number");
    assert_int_equal(lxcf_parse_i64("--1", 0, INT64_MIN, INT64_MAX, "n", &i, &e3), -1);
    assert_string_equal(e3.msg, "n: '--1' is not a number");
    assert_int_equal(lxcf_parse_i64("-5", 0, 0, 10, "n", &i, &e4), -1);
    assert_string_equal(e4.msg, "n: -5 is out of range 0..10");
    assert_true(i == -5);
    /* A caller that only asks whether it parses passes no error. */
    assert_int_equal(lxcf_parse_u64("x", 0, 0, 1, "n", &u, NULL), -1);
}

static void test_scan_u64_reads_a_number_inside_text(void **state)
{
    const char *end = NULL;
    uint64_t v = 0;

    assert_int_equal(lxcf_scan_u64("1234-web1", &v, &end), 4);
    assert_true(v == 1234);
    assert_string_equal(end, "-web1");
    assert_int_equal(lxcf_scan_u64("-1", &v, &end), 0);
    assert_int_equal(lxcf_scan_u64(" 1", &v, &end), 0);
    assert_int_equal(lxcf_scan_u64("99999999999999999999", &v, &end), -1);
}

/* ---- reading and writing ------------------------------------------------- */

static void test_write_all_and_read_fd_move_every_byte(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "big"), *back = NULL, *data = NULL;
    _cleanup_close_ int fd = -1;
    size_t n = 3 * 8192 + 17, len = 0;

    /* Larger than read_fd's first buffer, with a NUL inside: the length,
     * not strlen, is what counts. */
    data = lxcf_xmalloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(lxcf_write_all(fd, data, n), 0);
    close(lxcf_steal_fd(fd));
    fd = open(p, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(lxcf_read_fd(fd, &back, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(back[n], '\0');
}

static void test_write_all_fails_with_errno(void **state)
{
    errno = 0;
    assert_int_equal(lxcf_write_all(-1, "x", 1), -1);
    assert_int_equal(errno, EBADF);
    /* Nothing to write is done at once, whatever the fd. */
    assert_int_equal(lxcf_write_all(-1, "", 0), 0);
}

static void test_read_file_reads_and_reports(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "f"), *missing = lxcf_test_path(d, "nope");
    _cleanup_free_ char *out = NULL;
    char *none = NULL;
    size_t len = 99;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "f", "hello\n");
    assert_int_equal(lxcf_read_file(p, &out, &len, &err), 0);
    assert_string_equal(out, "hello\n");
    assert_int_equal(len, 6);
    assert_int_equal(lxcf_read_file(missing, &none, NULL, &err), -1);
    assert_null(none);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_true(lxcf_startswith(err.msg, "cannot open "));
    assert_non_null(strstr(err.msg, missing));
    lxcf_error_clear(&err);
    /* A directory opens but does not read. */
    assert_int_equal(lxcf_read_file(d, &none, NULL, &err), -1);
    assert_int_equal(err.sys_errno, EISDIR);
    assert_true(lxcf_startswith(err.msg, "cannot read "));
}

static size_t lxcf_t_litter(const char *path)
{
    _cleanup_free_ char *pat = lxcf_xasprintf("%s.lxcf-tmp.*", path);
    glob_t g;
    size_t n = 0;

    if (glob(pat, 0, NULL, &g) == 0)
        n = g.gl_pathc;
    globfree(&g);
    return n;
}

static void test_write_file_atomic_creates_with_mode(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "hosts"), *got = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_write_file_atomic(p, "a\n", 2, 0640, false, &err), 0);
    got = lxcf_test_read_file(d, "hosts");
    assert_string_equal(got, "a\n");
    assert_int_equal(lxcf_test_lstat(d, "hosts").st_mode & 07777, 0640);
    assert_int_equal(lxcf_t_litter(p), 0);
}

static void test_write_file_atomic_replaces_and_keeps_owner_mode(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "hosts"), *got = NULL;
    struct stat before, after;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "hosts", "old old old\n");
    assert_int_equal(chmod(p, 0604), 0);
    before = lxcf_test_lstat(d, "hosts");
    /* KEEP_OWNER: the file's own mode beats the one asked for. */
    assert_int_equal(lxcf_write_file_atomic(p, "new\n", 4, 0600, true, &err), 0);
    after = lxcf_test_lstat(d, "hosts");
    got = lxcf_test_read_file(d, "hosts");
    assert_string_equal(got, "new\n");
    assert_int_equal(after.st_mode & 07777, 0604);
    assert_int_equal(after.st_uid, before.st_uid);
    assert_int_equal(after.st_gid, before.st_gid);
    /* A rename, not a rewrite in place: readers holding the old file
     * keep reading the old bytes. */
    assert_int_not_equal(after.st_ino, before.st_ino);
    /* Without KEEP_OWNER the mode asked for applies. */
    assert_int_equal(lxcf_write_file_atomic(p, "x", 1, 0600, false, &err), 0);
    assert_int_equal(lxcf_test_lstat(d, "hosts").st_mode & 07777, 0600);
}

static void test_write_file_atomic_refuses_symlink_and_dir(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *link = lxcf_test_path(d, "link"), *target = lxcf_test_path(d, "target");
    _cleanup_free_ char *dir = lxcf_test_path(d, "dir"), *got = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "target", "keep\n");
    lxcf_test_symlink(target, d, "link");
    lxcf_test_mkdirs(d, "dir");
    assert_int_equal(lxcf_write_file_atomic(link, "evil", 4, 0644, false, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "not a regular file, refusing to replace it"));
    got = lxcf_test_read_file(d, "target");
    assert_string_equal(got, "keep\n");
    assert_true(S_ISLNK(lxcf_test_lstat(d, "link").st_mode));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_write_file_atomic(dir, "x", 1, 0644, false, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_true(S_ISDIR(lxcf_test_lstat(d, "dir").st_mode));
    assert_int_equal(lxcf_t_litter(link) + lxcf_t_litter(dir), 0);
}

static void test_write_file_atomic_removes_litter_of_a_killed_writer(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "hosts");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "hosts.lxcf-tmp.AbC123", "torn");
    lxcf_test_write_file(d, "hosts.lxcf-tmp.zzzzzz", "torn");
    /* Not its pattern (not six characters): someone else's file. */
    lxcf_test_write_file(d, "hosts.lxcf-tmp.mine", "other");
    assert_int_equal(lxcf_write_file_atomic(p, "ok\n", 3, 0644, false, &err), 0);
    assert_false(lxcf_test_exists(d, "hosts.lxcf-tmp.AbC123"));
    assert_false(lxcf_test_exists(d, "hosts.lxcf-tmp.zzzzzz"));
    assert_true(lxcf_test_exists(d, "hosts.lxcf-tmp.mine"));
}

static void test_write_file_atomic_fails_in_a_missing_dir(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "no/such/file");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_write_file_atomic(p, "x", 1, 0644, false, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_false(lxcf_test_exists(d, "no"));
}

static void test_opendir_fd_reads_and_leaves_the_fd(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *f = lxcf_test_path(d, "f");
    _cleanup_close_ int dfd = -1, ffd = -1;
    struct dirent *e;
    bool seen = false;

    lxcf_test_write_file(d, "f", "x");
    dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ffd = open(f, O_RDONLY | O_CLOEXEC);
    assert_true(dfd >= 0 && ffd >= 0);
    {
        _cleanup_closedir_ DIR *dir = lxcf_opendir_fd(dfd);
        assert_non_null(dir);
        while ((e = readdir(dir)))
            seen = seen || lxcf_streq(e->d_name, "f");
    }
    assert_true(seen);
    assert_true(fcntl(dfd, F_GETFD) >= 0);
    assert_null(lxcf_opendir_fd(ffd));
    assert_int_equal(errno, ENOTDIR);
}

static void test_tmp_name_is_the_one_scheme(void **state)
{
    _cleanup_free_ char *a = lxcf_tmp_name("hosts"), *b = lxcf_tmp_name("hosts");
    _cleanup_free_ char *longname = NULL, *l = NULL;
    const char *tail = a + strlen("hosts" LXCF_TMP_INFIX);

    assert_true(lxcf_startswith(a, "hosts.lxcf-tmp."));
    assert_int_equal(strlen(tail), 6);
    assert_int_equal(strspn(tail, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 6);
    assert_string_not_equal(a, b);
    /* A name at NAME_MAX still gives a name that fits. */
    longname = lxcf_xmalloc(256);
    memset(longname, 'n', 255);
    longname[255] = '\0';
    l = lxcf_tmp_name(longname);
    assert_true(strlen(l) <= 255);
    assert_non_null(strstr(l, LXCF_TMP_INFIX));
}

static void test_write_at_replaces_beneath_a_dir_fd(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "f"), *dir = lxcf_test_path(d, "dir"), *got = NULL;
    _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat owner = { .st_uid = 1234, .st_gid = 5678 }, st;
    const char *failed = NULL;

    assert_true(dfd >= 0);
    lxcf_test_write_file(d, "f", "old");
    assert_int_equal(lxcf_write_at(dfd, "f", "new", 3, 0640, &owner, NULL, &failed), 0);
    got = lxcf_test_read_file(d, "f");
    assert_string_equal(got, "new");
    st = lxcf_test_lstat(d, "f");
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_uid, 1234);
    assert_int_equal(st.st_gid, 5678);
    assert_int_equal(lxcf_t_litter(p), 0);
    /* A name that cannot be renamed over (a directory): no temp file stays. */
    lxcf_test_mkdirs(d, "dir/sub");
    assert_int_equal(lxcf_write_at(dfd, "dir", "x", 1, 0644, NULL, NULL, &failed), -1);
    assert_string_equal(failed, "replace");
    assert_int_equal(lxcf_t_litter(dir), 0);
    assert_true(lxcf_test_exists(d, "dir/sub"));
}

static void test_write_tmp_at_leaves_the_name_to_the_rename(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "f"), *tmp = NULL, *got = NULL, *staged = NULL;
    _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const char *failed = NULL;

    assert_true(dfd >= 0);
    lxcf_test_write_file(d, "f", "old");
    assert_int_equal(lxcf_write_tmp_at(dfd, "f", "new", 3, 0600, NULL, &tmp, &failed), 0);
    assert_non_null(strstr(tmp, LXCF_TMP_INFIX));
    got = lxcf_test_read_file(d, "f");
    assert_string_equal(got, "old");
    staged = lxcf_test_read_file(d, tmp);
    assert_string_equal(staged, "new");
    assert_int_equal(lxcf_test_lstat(d, tmp).st_mode & 07777, 0600);
    assert_int_equal(lxcf_rename_tmp_at(dfd, tmp, "f"), 0);
    free(got);
    got = lxcf_test_read_file(d, "f");
    assert_string_equal(got, "new");
    assert_int_equal(lxcf_t_litter(p), 0);
}

static void test_sync_defer_keeps_writes_atomic(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *p = lxcf_test_path(d, "f"), *got = NULL;
    _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const char *failed = NULL;

    assert_true(dfd >= 0);
    lxcf_test_write_file(d, "f", "old");
    assert_false(lxcf_sync_defer(true));
    assert_int_equal(lxcf_write_at(dfd, "f", "new", 3, 0644, NULL, NULL, &failed), 0);
    assert_true(lxcf_sync_defer(false));
    got = lxcf_test_read_file(d, "f");
    assert_string_equal(got, "new");
    assert_int_equal(lxcf_t_litter(p), 0);
    assert_false(lxcf_sync_defer(false));
}

/* ---- processes ----------------------------------------------------------- */

static void test_proc_find_reads_comm_of_numeric_dirs(void **state)
{
    _cleanup_free_ char *proc = lxcf_test_subtree();
    const char *const lxcfs[] = { "lxcfs", NULL };
    const char *const machined[] = { "systemd-machined", "machined", NULL };
    const char *const none[] = { "nothing", NULL };

    lxcf_test_write_file(proc, "1/comm", "init\n");
    lxcf_test_write_file(proc, "4711/comm", "lxcfs\n");
    /* Not a pid dir: never taken for a process. */
    lxcf_test_write_file(proc, "self/comm", "nothing\n");
    /* A pid that exited between readdir and open. */
    lxcf_test_mkdirs(proc, "99");
    assert_int_equal(lxcf_proc_find(proc, lxcfs), 4711);
    assert_int_equal(lxcf_proc_find(proc, machined), 0);
    assert_int_equal(lxcf_proc_find(proc, none), 0);
}

static void test_proc_find_on_missing_proc_is_0(void **state)
{
    const char *const any[] = { "init", NULL };

    assert_int_equal(lxcf_proc_find("/nonexistent/proc", any), 0);
}

/* ---- crash points -------------------------------------------------------- */

/* The exit status of a child that calls lxcf_crashpoint(NAME) with
 * LXCF_CRASH_AT=AT, then exits 0. */
static int lxcf_t_crash_status(const char *at, const char *name)
{
    pid_t pid = fork();
    int st = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        if (at)
            setenv("LXCF_CRASH_AT", at, 1);
        else
            unsetenv("LXCF_CRASH_AT");
        lxcf_crashpoint(name);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void test_crashpoint_kills_only_at_its_name(void **state)
{
    /* kill -9 exactly, so the crash tests see what a real crash leaves. */
    assert_int_equal(lxcf_t_crash_status("root-built", "root-built"), 128 + SIGKILL);
    assert_int_equal(lxcf_t_crash_status("root-built", "customised"), 0);
    assert_int_equal(lxcf_t_crash_status("root", "root-built"), 0);
    assert_int_equal(lxcf_t_crash_status(NULL, "root-built"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x_allocators_never_return_null),
        cmocka_unit_test(test_streq_handles_null),
        cmocka_unit_test(test_startswith_and_endswith),
        cmocka_unit_test(test_strv_push_len_contains),
        cmocka_unit_test(test_path_join_puts_one_slash_between),
        cmocka_unit_test(test_path_has_sees_files_and_dangling_links),
        cmocka_unit_test(test_path_under_respects_component_boundaries),
        cmocka_unit_test(test_path_clean_normalises_or_refuses),
        cmocka_unit_test(test_jobs_for_caps_at_items_and_defaults_to_cpus),
        cmocka_unit_test(test_name_check_accepts_hostname_labels),
        cmocka_unit_test(test_name_check_refuses_with_a_reason),
        cmocka_unit_test(test_name_check_shortens_a_long_name_in_the_message),
        cmocka_unit_test(test_uuid_like_wants_36_hex_digits_and_dashes),
        cmocka_unit_test(test_parse_ulong_accepts_whole_numbers_in_range),
        cmocka_unit_test(test_parse_ulong_refuses_and_leaves_out_alone),
        cmocka_unit_test(test_parse_u64_blanks_only_where_allowed),
        cmocka_unit_test(test_parse_u64_and_i64_edges_and_codes),
        cmocka_unit_test(test_scan_u64_reads_a_number_inside_text),
        cmocka_unit_test(test_write_all_and_read_fd_move_every_byte),
        cmocka_unit_test(test_write_all_fails_with_errno),
        cmocka_unit_test(test_read_file_reads_and_reports),
        cmocka_unit_test(test_write_file_atomic_creates_with_mode),
        cmocka_unit_test(test_write_file_atomic_replaces_and_keeps_owner_mode),
        cmocka_unit_test(test_write_file_atomic_refuses_symlink_and_dir),
        cmocka_unit_test(test_write_file_atomic_removes_litter_of_a_killed_writer),
        cmocka_unit_test(test_write_file_atomic_fails_in_a_missing_dir),
        cmocka_unit_test(test_opendir_fd_reads_and_leaves_the_fd),
        cmocka_unit_test(test_tmp_name_is_the_one_scheme),
        cmocka_unit_test(test_write_at_replaces_beneath_a_dir_fd),
        cmocka_unit_test(test_write_tmp_at_leaves_the_name_to_the_rename),
        cmocka_unit_test(test_sync_defer_keeps_writes_atomic),
        cmocka_unit_test(test_proc_find_reads_comm_of_numeric_dirs),
        cmocka_unit_test(test_proc_find_on_missing_proc_is_0),
        cmocka_unit_test(test_crashpoint_kills_only_at_its_name),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}
