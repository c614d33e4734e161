#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "hosts.h"
#include "testutil.h"
#include "util.h"

#define DATA LXCF_TEST_DATADIR "/hosts/"
#define BEGIN LXCF_HOSTS_BEGIN "\n"
#define END LXCF_HOSTS_END "\n"

static char *data(const char *name)
{
    char *s = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    char *path = lxcf_xasprintf(DATA "%s", name);
    assert_int_equal(lxcf_read_file(path, &s, NULL, &err), 0);
    free(path);
    return s;
}

static char *tmp_path(const char *name)
{
    return lxcf_xasprintf("%s/%s", lxcf_test_base, name);
}

static void put(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static char *get(const char *path)
{
    char *s = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    assert_int_equal(lxcf_read_file(path, &s, NULL, &err), 0);
    return s;
}

static lxcf_hosts_entry E(const char *name, const char *addr)
{
    lxcf_hosts_entry e;
    lxcf_err err = LXCF_ERR_INIT;
    assert_int_equal(lxcf_hosts_entry_set(&e, name, addr, &err), 0);
    return e;
}

static char *render(const char *old, const lxcf_hosts_entry *v, size_t n)
{
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    if (lxcf_hosts_render(old, v, n, &out, &err) < 0)
        fail_msg("render failed: %s", err.msg);
    return out;
}

static void test_rename_host_outside_the_block_only(void **state)
{
    const char *in = "127.0.0.1 localhost\r\n127.0.1.1  h1.corp.example   h1 # h1's own\n"
                     "::1 localhost h1\n192.0.2.7 h10 h1x xh1\n"
                     LXCF_HOSTS_BEGIN "\n192.168.125.2\th1\n" LXCF_HOSTS_END "\n";
    const char *want = "127.0.0.1 localhost\r\n127.0.1.1  g2.corp.example   g2 # h1's own\n"
                       "::1 localhost g2\n192.0.2.7 h10 h1x xh1\n"
                       LXCF_HOSTS_BEGIN "\n192.168.125.2\th1\n" LXCF_HOSTS_END "\n";
    _cleanup_free_ char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_rename(in, "h1", "g2", &out, &err), 0);
    assert_string_equal(out, want);
}

static void test_rename_refuses_bad_names_and_broken_blocks(void **state)
{
    _cleanup_free_ char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_rename("1.2.3.4 a\n", "", "b", &out, &err), -1);
    assert_int_equal(lxcf_hosts_rename("1.2.3.4 a\n", "a", "b c", &out, &err), -1);
    assert_int_equal(lxcf_hosts_rename(LXCF_HOSTS_BEGIN "\n1.2.3.4 a\n", "a", "b", &out, &err), -1);
    assert_null(out);
}

static void test_render_appends_to_hand_edited_file(void **state)
{
    _cleanup_free_ char *old = data("hand-edited");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.3"), E("db", "192.168.125.2") };
    _cleanup_free_ char *out = render(old, v, 2);
    _cleanup_free_ char *want = lxcf_xasprintf("%s" BEGIN "192.168.125.2\tdb\n"
                                               "192.168.125.3\tweb1\n" END, old);

    /* Every user byte kept, the user's own web1 line included. */
    assert_string_equal(out, want);
    assert_non_null(strstr(out, "\t10.0.0.99 web1 # names a container"));
}

static void test_render_sorts_by_address_then_name(void **state)
{
    lxcf_hosts_entry v[] = { E("c", "10.0.0.10"), E("b", "10.0.0.9"), E("a2", "10.0.0.10"),
                             E("z", "9.0.0.1") };
    _cleanup_free_ char *out = render("", v, 4);

    assert_string_equal(out, BEGIN "9.0.0.1\tz\n10.0.0.9\tb\n10.0.0.10\ta2\n10.0.0.10\tc\n" END);
}

static void test_render_fixes_missing_newline_where_appending(void **state)
{
    _cleanup_free_ char *old = data("no-newline");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    _cleanup_free_ char *out = render(old, v, 1);

    assert_string_equal(out, "127.0.0.1 localhost\n::1 localhost\n" BEGIN
                             "192.168.125.2\tweb1\n" LXCF_HOSTS_END);
}

static void test_render_keeps_block_in_the_middle(void **state)
{
    _cleanup_free_ char *old = data("block-middle");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2"), E("web2", "192.168.125.4") };
    _cleanup_free_ char *out = render(old, v, 2);

    assert_string_equal(out, "127.0.0.1 localhost\n" BEGIN "192.168.125.2\tweb1\n"
                             "192.168.125.4\tweb2\n" END "10.1.1.5 nas\n");
}

static void test_render_empty_removes_block_in_the_middle(void **state)
{
    _cleanup_free_ char *old = data("block-middle");
    _cleanup_free_ char *out = render(old, NULL, 0);

    assert_string_equal(out, "127.0.0.1 localhost\n10.1.1.5 nas\n");
}

static void roundtrip(const char *old)
{
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    _cleanup_free_ char *added = render(old, v, 1);
    _cleanup_free_ char *again = render(added, v, 1);
    _cleanup_free_ char *removed = render(added, NULL, 0);

    assert_string_not_equal(added, old);
    assert_string_equal(again, added);
    assert_string_equal(removed, old);
}

static void test_roundtrip_restores_file_ending_with_newline(void **state)
{
    _cleanup_free_ char *a = data("hand-edited");
    _cleanup_free_ char *b = data("crlf");
    roundtrip(a);
    roundtrip(b);
    roundtrip("");
}

static void test_roundtrip_restores_file_without_final_newline(void **state)
{
    _cleanup_free_ char *a = data("no-newline");
    roundtrip(a);
    roundtrip("x");
}

static void test_render_keeps_crlf_lines(void **state)
{
    _cleanup_free_ char *old = data("crlf");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    _cleanup_free_ char *out = render(old, v, 1);

    assert_true(lxcf_startswith(out, "127.0.0.1 localhost\r\n192.168.1.10 printer\r\n" BEGIN));
}

static void expect_render_error(const char *old, const lxcf_hosts_entry *v, size_t n,
                                const char *want)
{
    char *out = (char *)"untouched";
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_render(old, v, n, &out, &err), -1);
    assert_string_equal(out, "untouched");
    assert_int_not_equal(err.code, 0);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
}

static void test_render_rejects_duplicate_names(void **state)
{
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2"), E("web1", "192.168.125.3") };
    expect_render_error("", v, 2, "web1: name listed twice");
}

static void test_render_rejects_invalid_entries(void **state)
{
    lxcf_hosts_entry v[1];

    snprintf(v[0].name, sizeof(v[0].name), "bad_name");
    snprintf(v[0].addr, sizeof(v[0].addr), "192.168.125.2");
    expect_render_error("", v, 1, "bad_name: invalid container name");
    snprintf(v[0].name, sizeof(v[0].name), "good");
    snprintf(v[0].addr, sizeof(v[0].addr), "192.168.125");
    expect_render_error("", v, 1, "not an IPv4 address");
}

static void test_render_rejects_malformed_blocks(void **state)
{
    _cleanup_free_ char *a = data("begin-without-end");
    _cleanup_free_ char *b = data("two-blocks");
    _cleanup_free_ char *c = data("end-without-begin");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };

    expect_render_error(a, v, 1, "BEGIN marker on line 2 has no END marker");
    expect_render_error(a, NULL, 0, "BEGIN marker on line 2 has no END marker");
    expect_render_error(b, v, 1, "a second block begins on line 4");
    expect_render_error(c, v, 1, "END marker on line 2 without a BEGIN marker");
}

static void test_parse_block_reads_entries_back(void **state)
{
    lxcf_hosts_entry v[] = { E("web2", "192.168.125.4"), E("web1", "192.168.125.2") };
    _cleanup_free_ char *out = render("127.0.0.1 localhost\n", v, 2);
    _cleanup_free_ lxcf_hosts_entry *back = NULL;
    size_t n = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_parse_block(out, &back, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(back[0].name, "web1");
    assert_string_equal(back[0].addr, "192.168.125.2");
    assert_string_equal(back[1].name, "web2");
    assert_string_equal(back[1].addr, "192.168.125.4");
}

static void test_parse_block_without_block_is_empty(void **state)
{
    _cleanup_free_ char *old = data("hand-edited");
    _cleanup_free_ lxcf_hosts_entry *back = NULL;
    size_t n = 99;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_parse_block(old, &back, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_parse_block_rejects_edited_line(void **state)
{
    _cleanup_free_ lxcf_hosts_entry *back = NULL;
    size_t n = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_parse_block("a\n" BEGIN "192.168.125.2\tweb1\n\n"
                                            "192.168.125.3 web2 alias\n" END,
                                            &back, &n, &err), -1);
    assert_string_equal(err.msg,
                        "lxcf block: line 5 is not \"ADDRESS NAME\"; fix or remove it by hand");
    assert_null(back);
}

static void test_update_file_keeps_owner_and_mode(void **state)
{
    _cleanup_free_ char *path = tmp_path("owner");
    _cleanup_free_ char *out = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st, st2;

    if (geteuid() != 0)
        skip();
    put(path, "127.0.0.1 localhost\n");
    assert_int_equal(chown(path, 1234, 1234), 0);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(lxcf_hosts_update_file(path, v, 1, &err), 0);
    assert_int_equal(stat(path, &st2), 0);
    assert_int_not_equal(st.st_ino, st2.st_ino);  /* replaced, not rewritten */
    assert_int_equal(st2.st_uid, 1234);
    assert_int_equal(st2.st_gid, 1234);
    assert_int_equal(st2.st_mode & 07777, 0640);
    out = get(path);
    assert_string_equal(out, "127.0.0.1 localhost\n" BEGIN "192.168.125.2\tweb1\n" END);
}

static void test_update_file_unchanged_is_not_rewritten(void **state)
{
    _cleanup_free_ char *path = tmp_path("same");
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st, st2;

    put(path, "127.0.0.1 localhost\n" BEGIN "192.168.125.2\tweb1\n" END);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(lxcf_hosts_update_file(path, v, 1, &err), 0);
    assert_int_equal(stat(path, &st2), 0);
    assert_int_equal(st.st_ino, st2.st_ino);
}

static void test_update_file_refuses_symlink(void **state)
{
    _cleanup_free_ char *target = tmp_path("target");
    _cleanup_free_ char *link = tmp_path("link");
    _cleanup_free_ char *out = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    put(target, "127.0.0.1 localhost\n");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(lxcf_hosts_update_file(link, v, 1, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    out = get(target);
    assert_string_equal(out, "127.0.0.1 localhost\n");
}

static void test_update_file_refuses_begin_without_end(void **state)
{
    _cleanup_free_ char *path = tmp_path("broken");
    _cleanup_free_ char *old = data("begin-without-end");
    _cleanup_free_ char *out = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_err err = LXCF_ERR_INIT;

    put(path, old);
    assert_int_equal(lxcf_hosts_update_file(path, v, 1, &err), -1);
    assert_true(lxcf_startswith(err.msg, path));
    assert_non_null(strstr(err.msg, "has no END marker"));
    out = get(path);
    assert_string_equal(out, old);
}

static void test_update_file_creates_missing_file(void **state)
{
    _cleanup_free_ char *path = tmp_path("new-hosts");
    _cleanup_free_ char *none = tmp_path("never-created");
    _cleanup_free_ char *out = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    assert_int_equal(lxcf_hosts_update_file(path, v, 1, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    out = get(path);
    assert_string_equal(out, BEGIN "192.168.125.2\tweb1\n" END);
    assert_int_equal(lxcf_hosts_update_file(none, NULL, 0, &err), 0);
    assert_int_equal(access(none, F_OK), -1);
}

/* ---- the guests' files, as one batch ------------------------------------ */

static void test_update_guests_writes_each_guest_once(void **state)
{
    _cleanup_free_ char *g1 = tmp_path("g1"), *g2 = tmp_path("g2"), *g3 = tmp_path("g3");
    _cleanup_free_ char *h1 = NULL, *out1 = NULL, *out2 = NULL, *out3 = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_hosts_guest g[] = { { .root = g1 }, { .root = g2 }, { .root = g3 } };
    const char *want = "127.0.0.1 localhost\n" BEGIN "192.168.125.2\tweb1\n" END;
    ino_t ino3;

    lxcf_test_write_file(g1, "etc/hosts", "127.0.0.1 localhost\n");
    h1 = lxcf_test_path(g1, "etc/hosts");
    assert_int_equal(chmod(h1, 0640), 0);
    /* g2 has no hosts file yet; g3's is up to date already. */
    lxcf_test_mkdirs(g2, "etc");
    lxcf_test_write_file(g3, "etc/hosts", want);
    ino3 = lxcf_test_lstat(g3, "etc/hosts").st_ino;
    lxcf_hosts_update_guests(g, 3, v, 1);
    for (size_t i = 0; i < 3; i++)
        assert_false(lxcf_error_isset(&g[i].err));
    out1 = lxcf_test_read_file(g1, "etc/hosts");
    out2 = lxcf_test_read_file(g2, "etc/hosts");
    out3 = lxcf_test_read_file(g3, "etc/hosts");
    assert_string_equal(out1, want);
    assert_string_equal(out2, "127.0.0.1\tlocalhost\n" BEGIN "192.168.125.2\tweb1\n" END);
    assert_string_equal(out3, want);
    assert_int_equal(lxcf_test_lstat(g1, "etc/hosts").st_mode & 07777, 0640);
    assert_int_equal(lxcf_test_lstat(g3, "etc/hosts").st_ino, ino3);
    /* No temp file is left beside any of them. */
    lxcf_test_unlink(g1, "etc/hosts");
    lxcf_test_unlink(g2, "etc/hosts");
    lxcf_test_unlink(g3, "etc/hosts");
    assert_true(lxcf_test_dir_empty(g1, "etc"));
    assert_true(lxcf_test_dir_empty(g2, "etc"));
    assert_true(lxcf_test_dir_empty(g3, "etc"));
}

static void test_update_guests_a_bad_guest_spoils_no_other(void **state)
{
    _cleanup_free_ char *dir = tmp_path("gdir"), *link = tmp_path("glink");
    _cleanup_free_ char *ok = tmp_path("gok"), *secret = tmp_path("secret");
    _cleanup_free_ char *missing = tmp_path("gmissing");
    _cleanup_free_ char *out = NULL, *target = NULL;
    lxcf_hosts_entry v[] = { E("web1", "192.168.125.2") };
    lxcf_hosts_guest g[] = { { .root = dir }, { .root = missing }, { .root = link },
                             { .root = ok } };

    /* A directory where the file should be, a root that is gone, a
     * planted link to a host file (never read or written through). */
    lxcf_test_mkdirs(dir, "etc/hosts");
    put(secret, "secret\n");
    lxcf_test_mkdirs(link, "etc");
    lxcf_test_symlink(secret, link, "etc/hosts");
    lxcf_test_write_file(ok, "etc/hosts", "127.0.0.1 localhost\n");
    lxcf_hosts_update_guests(g, 4, v, 1);
    assert_true(lxcf_error_isset(&g[0].err));
    assert_true(lxcf_error_isset(&g[1].err));
    assert_true(lxcf_error_isset(&g[2].err));
    assert_false(lxcf_error_isset(&g[3].err));
    target = get(secret);
    assert_string_equal(target, "secret\n");
    assert_true(S_ISLNK(lxcf_test_lstat(link, "etc/hosts").st_mode));
    out = lxcf_test_read_file(ok, "etc/hosts");
    assert_string_equal(out, "127.0.0.1 localhost\n" BEGIN "192.168.125.2\tweb1\n" END);
    assert_true(lxcf_test_dir_empty(dir, "etc/hosts"));
}

static void test_entry_set_rejects_bad_name_and_address(void **state)
{
    lxcf_hosts_entry e;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_hosts_entry_set(&e, "-bad", "192.168.125.2", &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_hosts_entry_set(&e, "web1", "1.2.3.4x", &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    /* The address is kept normalised. */
    assert_int_equal(lxcf_hosts_entry_set(&e, "web1", "192.168.125.2", &err), 0);
    assert_string_equal(e.name, "web1");
    assert_string_equal(e.addr, "192.168.125.2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename_host_outside_the_block_only),
        cmocka_unit_test(test_rename_refuses_bad_names_and_broken_blocks),
        cmocka_unit_test(test_render_appends_to_hand_edited_file),
        cmocka_unit_test(test_render_sorts_by_address_then_name),
        cmocka_unit_test(test_render_fixes_missing_newline_where_appending),
        cmocka_unit_test(test_render_keeps_block_in_the_middle),
        cmocka_unit_test(test_render_empty_removes_block_in_the_middle),
        cmocka_unit_test(test_roundtrip_restores_file_ending_with_newline),
        cmocka_unit_test(test_roundtrip_restores_file_without_final_newline),
        cmocka_unit_test(test_render_keeps_crlf_lines),
        cmocka_unit_test(test_render_rejects_duplicate_names),
        cmocka_unit_test(test_render_rejects_invalid_entries),
        cmocka_unit_test(test_render_rejects_malformed_blocks),
        cmocka_unit_test(test_parse_block_reads_entries_back),
        cmocka_unit_test(test_parse_block_without_block_is_empty),
        cmocka_unit_test(test_parse_block_rejects_edited_line),
        cmocka_unit_test(test_update_file_keeps_owner_and_mode),
        cmocka_unit_test(test_update_file_unchanged_is_not_rewritten),
        cmocka_unit_test(test_update_file_refuses_symlink),
        cmocka_unit_test(test_update_file_refuses_begin_without_end),
        cmocka_unit_test(test_update_file_creates_missing_file),
        cmocka_unit_test(test_update_guests_writes_each_guest_once),
        cmocka_unit_test(test_update_guests_a_bad_guest_spoils_no_other),
        cmocka_unit_test(test_entry_set_rejects_bad_name_and_address),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}
