/* Tests for lib/core/update_journal: the journal, the recorded host
 * command and the lock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "testutil.h"
#include "update_journal.h"
#include "util.h"

static void test_journal_roundtrip(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *p = lxcf_xasprintf("%s/journal", d);
    lxcf_update_journal j = { .phase = LXCF_UPDATE_PHASE_HOST }, r;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    (void)state;
    lxcf_strv_push(&j.touched, lxcf_xstrdup("web1"));
    lxcf_strv_push(&j.touched, lxcf_xstrdup("db1"));
    lxcf_strv_push(&j.stopped, lxcf_xstrdup("web1"));
    lxcf_strv_push(&j.autostart, lxcf_xstrdup("db1"));
    assert_int_equal(lxcf_update_journal_write(p, &j, &err), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), 1);
    assert_int_equal(r.phase, LXCF_UPDATE_PHASE_HOST);
    assert_int_equal(lxcf_strv_len(r.touched), 2);
    assert_string_equal(r.touched[1], "db1");
    assert_int_equal(lxcf_strv_len(r.stopped), 1);
    assert_string_equal(r.stopped[0], "web1");
    assert_int_equal(lxcf_strv_len(r.autostart), 1);
    assert_string_equal(r.autostart[0], "db1");
    lxcf_update_journal_clear(&j);
    lxcf_update_journal_clear(&r);
    lxcf_test_rmrf(d);
}

/* lxcf_update_journal_read of a journal holding TEXT. */
static int t_read(const char *text, lxcf_update_journal *r, lxcf_err *err)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *p = lxcf_xasprintf("%s/journal", d);
    int ret;

    lxcf_test_write_file(d, "journal", text);
    ret = lxcf_update_journal_read(p, r, err);
    lxcf_test_rmrf(d);
    return ret;
}

/* A journal an older lxcf wrote, without the autostart list, is still
 * recovered: the list is empty. */
static void test_journal_without_autostart_list_reads(void **state)
{
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(t_read("lxcf-update-journal 1\nphase guests\ntouched web1\nstopped web1\n",
                            &r, &err), 1);
    assert_int_equal(r.phase, LXCF_UPDATE_PHASE_GUESTS);
    assert_int_equal(lxcf_strv_len(r.touched), 1);
    assert_int_equal(lxcf_strv_len(r.stopped), 1);
    assert_int_equal(lxcf_strv_len(r.autostart), 0);
    lxcf_update_journal_clear(&r);
}

/* An autostart line without a name is no guest's. */
static void test_journal_autostart_without_name_fails(void **state)
{
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(t_read("lxcf-update-journal 1\nphase guests\nautostart \n", &r, &err), -1);
    assert_non_null(strstr(err.msg, "malformed line 'autostart '"));
    assert_null(r.autostart);
}

static void test_journal_missing_is_zero(void **state)
{
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_journal_read("/var/tmp/lxcf-no-such-journal", &r, &err), 0);
    assert_int_equal(err.code, 0);
}

static void test_journal_malformed_fails(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_free_ char *p = lxcf_xasprintf("%s/journal", d);

    (void)state;
    lxcf_test_write_file(d, "journal", "lxcf-update-journal 1\nphase sideways\n");
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "sideways"));
    lxcf_error_clear(&err);
    lxcf_test_write_file(d, "journal", "something else\n");
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    lxcf_test_rmrf(d);
}


/* ---- the host command and the lock --------------------------------------- */

static void test_host_cmd_roundtrip_names_host_files(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *deb = lxcf_xasprintf("%s/pkg.deb", d);
    _cleanup_strv_ char **back = NULL;
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;
    char *argv[] = { "dpkg", "-i", deb, NULL };

    (void)state;
    lxcf_test_write_file(d, "pkg.deb", "deb");
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_host_cmd_write(d, &cmd, &err), 0);
    assert_int_equal(lxcf_update_host_cmd_read(d, &back, &err), 0);
    assert_int_equal(lxcf_strv_len(back), 3);
    assert_string_equal(back[0], "dpkg");
    assert_string_equal(back[1], "-i");
    assert_string_equal(back[2], cmd.files[0]);
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

static void test_host_cmd_missing_fails(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_strv_ char **back = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_host_cmd_read(d, &back, &err), -1);
    assert_null(back);
    assert_int_not_equal(err.code, 0);
    lxcf_test_rmrf(d);
}

/* A second update does not wait for the first. */
static void test_lock_is_not_queued(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    lxcf_ctx ctx = { .root = d };
    lxcf_err err = LXCF_ERR_INIT;
    int first, second;

    (void)state;
    first = lxcf_update_lock(&ctx, &err);
    assert_true(first >= 0);
    second = lxcf_update_lock(&ctx, &err);
    assert_int_equal(second, -1);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    close(first);
    lxcf_error_clear(&err);
    second = lxcf_update_lock(&ctx, &err);
    assert_true(second >= 0);
    close(second);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_roundtrip),
        cmocka_unit_test(test_journal_without_autostart_list_reads),
        cmocka_unit_test(test_journal_autostart_without_name_fails),
        cmocka_unit_test(test_journal_missing_is_zero),
        cmocka_unit_test(test_journal_malformed_fails),
        cmocka_unit_test(test_host_cmd_roundtrip_names_host_files),
        cmocka_unit_test(test_host_cmd_missing_fails),
        cmocka_unit_test(test_lock_is_not_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
