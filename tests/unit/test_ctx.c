/* lib/ctx: one invocation's context.  --root must be canonical (libvirt
 * resolves the paths it ends up in from another directory), every host
 * path must land beneath it, the configuration must be read from beneath
 * it, and -c must beat the configured URI.  The connection is tested with
 * libvirt's in-process test driver: no daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctx.h"
#include "testutil.h"
#include "util.h"

/* A fake host root with an lxcf.conf in it. */
static char *lxcf_t_root(const char *conf)
{
    char *root = lxcf_test_subtree();

    lxcf_test_write_file(root, "etc/lxcf/lxcf.conf", conf);
    return root;
}

static void lxcf_t_ctx_clearp(lxcf_ctx *ctx)
{
    lxcf_ctx_clear(ctx);
}
#define _cleanup_ctx_ _cleanup_(lxcf_t_ctx_clearp)

static void test_root_prefix_applies_to_config_and_roots(void **state)
{
    _cleanup_free_ char *root = lxcf_t_root("[Paths]\nroots = /var/lib/c\n");
    _cleanup_free_ char *roots = NULL, *croot = NULL, *hosts = NULL;
    _cleanup_free_ char *r = NULL, *c = NULL, *h = NULL;
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_ctx_init(&ctx, root, NULL, NULL, &err), 0);
    roots = lxcf_ctx_roots_dir(&ctx);
    croot = lxcf_ctx_container_root(&ctx, "web1");
    hosts = lxcf_ctx_path(&ctx, "/etc/hosts");
    r = lxcf_xasprintf("%s/var/lib/c", root);
    c = lxcf_xasprintf("%s/var/lib/c/web1", root);
    h = lxcf_xasprintf("%s/etc/hosts", root);
    assert_string_equal(roots, r);
    assert_string_equal(croot, c);
    assert_string_equal(hosts, h);
    assert_string_equal(ctx.uri, "lxc:///");
    lxcf_ctx_clear(&ctx);

    assert_int_equal(lxcf_ctx_init(&ctx, "/nonexistent-root", NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
}

static void test_root_is_made_canonical(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_free_ char *link = lxcf_test_path(base, "link"), *dotted = NULL, *slashed = NULL;
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(base, "real/etc");
    lxcf_test_symlink("real", base, "link");
    dotted = lxcf_xasprintf("%s/real/etc/..//", base);
    slashed = lxcf_xasprintf("%s/real/", base);
    {
        _cleanup_free_ char *want = lxcf_test_path(base, "real");
        const char *given[] = { link, dotted, slashed };

        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(lxcf_ctx_init(&ctx, given[i], NULL, NULL, &err), 0);
            assert_string_equal(ctx.root, want);
            lxcf_ctx_clear(&ctx);
        }
    }
}

static void test_root_relative_is_resolved_from_cwd(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_free_ char *cwd = getcwd(NULL, 0), *want = lxcf_test_path(base, "r");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    int r;

    lxcf_test_mkdirs(base, "r");
    assert_int_equal(chdir(base), 0);
    r = lxcf_ctx_init(&ctx, "r", NULL, NULL, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(r, 0);
    assert_string_equal(ctx.root, want);
}

static void test_no_root_slash_and_empty_mean_the_real_root(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_free_ char *conf = lxcf_test_path(base, "etc/lxcf/lxcf.conf");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    const char *roots[] = { NULL, "", "/", "//", "/./" };
    lxcf_err err = LXCF_ERR_INIT;

    /* An explicit --config, so the machine's own lxcf.conf plays no part. */
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        _cleanup_free_ char *hosts = NULL, *croot = NULL;

        if (lxcf_ctx_init(&ctx, roots[i], conf, NULL, &err) < 0)
            fail_msg("root %s: %s", roots[i] ? roots[i] : "NULL", err.msg);
        assert_null(ctx.root);
        hosts = lxcf_ctx_path(&ctx, "/etc/hosts");
        croot = lxcf_ctx_container_root(&ctx, "web1");
        assert_string_equal(hosts, "/etc/hosts");
        assert_string_equal(croot, "/opt/lxcf/web1");
        lxcf_ctx_clear(&ctx);
    }
}

static void test_root_that_is_not_a_directory_is_a_usage_error(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_free_ char *file = lxcf_test_path(base, "file"), *missing = lxcf_test_path(base, "none");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(base, "file", "x");
    assert_int_equal(lxcf_ctx_init(&ctx, file, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_true(lxcf_endswith(err.msg, ": not a directory"));
    assert_true(lxcf_startswith(err.msg, "--root "));
    lxcf_ctx_clear(&ctx);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_ctx_init(&ctx, missing, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.msg, missing));
}

static void test_config_under_root_is_optional(void **state)
{
    _cleanup_free_ char *base = lxcf_test_subtree();
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    /* No etc/lxcf/lxcf.conf beneath the root: the defaults apply. */
    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, NULL, &err), 0);
    assert_null(ctx.cfg.path);
    assert_string_equal(ctx.cfg.roots, "/opt/lxcf");
    assert_string_equal(ctx.uri, "lxc:///");
}

static void test_explicit_config_is_required_and_not_under_root(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("[Paths]\nroots = /under/root\n");
    _cleanup_free_ char *other = lxcf_t_root("[Paths]\nroots = /from/config\n");
    _cleanup_free_ char *conf = lxcf_test_path(other, "etc/lxcf/lxcf.conf");
    _cleanup_free_ char *missing = lxcf_test_path(other, "none.conf");
    _cleanup_free_ char *roots = NULL, *want = NULL;
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    /* --config names a file as given; only the paths in it go under --root. */
    assert_int_equal(lxcf_ctx_init(&ctx, base, conf, NULL, &err), 0);
    roots = lxcf_ctx_roots_dir(&ctx);
    want = lxcf_xasprintf("%s/from/config", base);
    assert_string_equal(roots, want);
    lxcf_ctx_clear(&ctx);
    assert_int_equal(lxcf_ctx_init(&ctx, base, missing, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_non_null(strstr(err.msg, missing));
}

static void test_bad_config_under_root_fails_init(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("[Paths]\nroots = relative\n");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_non_null(strstr(err.msg, "must be an absolute path"));
}

static void test_connect_option_beats_configured_uri(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("[Libvirt]\nuri = lxc:///system\n");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, NULL, &err), 0);
    assert_string_equal(ctx.uri, "lxc:///system");
    lxcf_ctx_clear(&ctx);
    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, "test:///default", &err), 0);
    assert_string_equal(ctx.uri, "test:///default");
    /* Nothing is connected until a command needs libvirt. */
    assert_null(ctx.conn);
}

static void test_clear_frees_and_zeroes(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, NULL, &err), 0);
    assert_non_null(ctx.root);
    lxcf_ctx_clear(&ctx);
    assert_null(ctx.root);
    assert_null(ctx.uri);
    assert_null(ctx.conn);
    assert_null(ctx.cfg.roots);
    /* Twice is harmless: a command's error path may clear again. */
    lxcf_ctx_clear(&ctx);
}

static void test_ctx_connect_opens_once(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    virConnectPtr first;

    /* libvirt's test driver runs in this process: no daemon is asked. */
    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, "test:///default", &err), 0);
    if (lxcf_ctx_connect(&ctx, &err) < 0)
        fail_msg("%s", err.msg);
    assert_non_null(ctx.conn);
    first = ctx.conn;
    assert_int_equal(lxcf_ctx_connect(&ctx, &err), 0);
    assert_ptr_equal(ctx.conn, first);
    assert_int_equal(virConnectIsAlive(ctx.conn), 1);
}

static void test_ctx_connect_failure_is_a_libvirt_error(void **state)
{
    _cleanup_free_ char *base = lxcf_t_root("");
    _cleanup_free_ char *uri = NULL;
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    /* The test driver with a missing definition file fails in process. */
    uri = lxcf_xasprintf("test://%s/no-such-file.xml", base);
    assert_int_equal(lxcf_ctx_init(&ctx, base, NULL, uri, &err), 0);
    assert_int_equal(lxcf_ctx_connect(&ctx, &err), -1);
    assert_null(ctx.conn);
    assert_int_equal(err.code, LXCF_EXIT_LIBVIRT);
    assert_non_null(strstr(err.msg, uri));
    assert_non_null(strstr(err.msg, "start libvirtd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_prefix_applies_to_config_and_roots),
        cmocka_unit_test(test_root_is_made_canonical),
        cmocka_unit_test(test_root_relative_is_resolved_from_cwd),
        cmocka_unit_test(test_no_root_slash_and_empty_mean_the_real_root),
        cmocka_unit_test(test_root_that_is_not_a_directory_is_a_usage_error),
        cmocka_unit_test(test_config_under_root_is_optional),
        cmocka_unit_test(test_explicit_config_is_required_and_not_under_root),
        cmocka_unit_test(test_bad_config_under_root_fails_init),
        cmocka_unit_test(test_connect_option_beats_configured_uri),
        cmocka_unit_test(test_clear_frees_and_zeroes),
        cmocka_unit_test(test_ctx_connect_opens_once),
        cmocka_unit_test(test_ctx_connect_failure_is_a_libvirt_error),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}
