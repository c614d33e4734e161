/* Tests for lib/core/update_download: where the download goes, the
 * command every guest runs after it, and a download step that fails or
 * fetches (a shell stands in for the package tool). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "testutil.h"
#include "update_download.h"
#include "util.h"

/* What lxcf_report_msg passed on, one "NAME: MSG" line each. */
static void t_report_fn(void *opaque, const char *name, const char *msg)
{
    char **seen = opaque;
    char *more = lxcf_xasprintf("%s%s: %s\n", *seen ? *seen : "", name, msg);

    free(*seen);
    *seen = more;
}

static void t_ctx(lxcf_ctx *ctx, const char *root)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_ctx_init(ctx, root, NULL, "test:///default", &err) < 0)
        fail_msg("%s", err.msg);
}

static void test_dl_none_without_a_remote_source(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    char *argv[] = { "apt-get", "install", "-y", "hello", NULL };
    lxcf_update_dl dl;
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_ctx(&ctx, d);
    lxcf_update_dl_init(&dl, &ctx, argv, false);
    assert_int_equal(dl.tool, LXCF_PKGSRC_NONE);
    assert_null(dl.dir);
    assert_null(dl.argv);
    assert_int_equal(lxcf_update_dl_remove(&dl, &err), 0);
    lxcf_update_dl_clear(&dl);
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
}

static void test_dl_apt_goes_under_the_roots(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *host = NULL;
    char *argv[] = { "apt-get", "install", "-y", "hello", NULL };
    lxcf_update_dl dl;
    lxcf_ctx ctx;

    (void)state;
    t_ctx(&ctx, d);
    host = lxcf_xasprintf("%s/opt/lxcf/.lxcf-update/.download", ctx.root);
    lxcf_update_dl_init(&dl, &ctx, argv, true);
    assert_int_equal(dl.tool, LXCF_PKGSRC_APT);
    assert_string_equal(dl.dir, "/opt/lxcf/.lxcf-update/.download");
    assert_string_equal(dl.host, host);
    assert_string_equal(dl.argv[0], "apt-get");
    assert_string_equal(dl.argv[1], "--download-only");
    lxcf_update_dl_clear(&dl);
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
}

static void test_dl_offline_apt_adds_the_directory_as_a_source(void **state)
{
    char *argv[] = { "apt-get", "install", "-y", "hello", NULL };
    char *dnf_argv[] = { "dnf", "-y", "install", "hello", NULL };
    lxcf_update_dl dl = { .tool = LXCF_PKGSRC_APT, .dir = "/opt/lxcf/.d" };
    _cleanup_strv_ char **sources = NULL;
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_dl_offline(&dl, argv, &sources, &cmd, &err), 0);
    assert_string_equal(cmd.argv[3], "--no-download");
    assert_int_equal(lxcf_strv_len(sources), 1);
    assert_string_equal(sources[0], "/opt/lxcf/.d");
    lxcf_update_cmd_clear(&cmd);
    /* With a source already: apt would refuse its file: packages. */
    assert_int_equal(lxcf_update_dl_offline(&dl, argv, &sources, &cmd, &err), 0);
    assert_false(lxcf_strv_contains(cmd.argv, "--no-download"));
    assert_int_equal(lxcf_strv_len(sources), 2);
    lxcf_update_cmd_clear(&cmd);
    dl.tool = LXCF_PKGSRC_DNF;
    assert_int_equal(lxcf_update_dl_offline(&dl, dnf_argv, &sources, &cmd, &err), 0);
    assert_true(lxcf_strv_contains(cmd.argv, "-C"));
    assert_int_equal(lxcf_strv_len(sources), 2);
    lxcf_update_cmd_clear(&cmd);
}

static void test_dl_fetch_failure_names_the_tool_reason(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *scratch = lxcf_xasprintf("%s/scratch", d);
    _cleanup_free_ char *host = lxcf_xasprintf("%s/dl", d);
    _cleanup_free_ char *seen = NULL;
    char *argv[] = { "sh", "-c", "echo Reading; echo 'E: Failed to fetch http://x/a.deb'; exit 100",
                     NULL };
    lxcf_update_dl dl = { .tool = LXCF_PKGSRC_APT, .dir = host, .host = host, .argv = argv };
    lxcf_report rep = { t_report_fn, &seen };
    lxcf_ctx ctx = { .root = NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_dl_fetch(&dl, &ctx, scratch, &rep, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "no guest was touched: sh exited with 100: "
                                    "E: Failed to fetch http://x/a.deb (log: "));
    assert_string_equal(seen, "host: downloading the packages once, for every guest and the host\n");
    assert_true(lxcf_test_exists(scratch, "download.log"));
    lxcf_test_rmrf(d);
}

static void test_dl_fetch_counts_the_packages(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *scratch = lxcf_xasprintf("%s/scratch", d);
    _cleanup_free_ char *host = lxcf_xasprintf("%s/dl", d);
    _cleanup_free_ char *seen = NULL;
    char *argv[] = { "sh", "-c", "mkdir \"$0/partial\" && head -c 2000 /dev/zero > \"$0/a.deb\" && "
                     "echo x > \"$0/partial/b.deb\" && echo x > \"$0/lock\"", host, NULL };
    lxcf_update_dl dl = { .tool = LXCF_PKGSRC_APT, .dir = host, .host = host, .argv = argv };
    lxcf_report rep = { t_report_fn, &seen };
    lxcf_ctx ctx = { .root = NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(host, "old.deb", "from an earlier run");
    if (lxcf_update_dl_fetch(&dl, &ctx, scratch, &rep, &err) < 0)
        fail_msg("%s", err.msg);
    assert_false(lxcf_test_exists(host, "old.deb"));
    assert_non_null(strstr(seen, "host: downloaded 2 package files (2 KiB): every guest and the "
                                 "host install these\n"));
    assert_int_equal(lxcf_update_dl_remove(&dl, &err), 0);
    assert_false(lxcf_test_exists(d, "dl"));
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dl_none_without_a_remote_source),
        cmocka_unit_test(test_dl_apt_goes_under_the_roots),
        cmocka_unit_test(test_dl_offline_apt_adds_the_directory_as_a_source),
        cmocka_unit_test(test_dl_fetch_failure_names_the_tool_reason),
        cmocka_unit_test(test_dl_fetch_counts_the_packages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
