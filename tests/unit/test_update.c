/* Tests for lib/core/update: the cycle over guests defined in libvirt's
 * in-process test driver (test:///default), their roots under a temp
 * --root.  What runs without a real LXC host: the dry run, the lock, and a
 * guest whose command cannot start, which rolls every guest back before
 * the host is touched.  A cycle that runs the command in guests and on the
 * host is the integration tests' (tests/integration/test_update.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "domxml.h"
#include "testutil.h"
#include "update.h"
#include "update_journal.h"
#include "util.h"

static virConnectPtr conn;
static const char *root; /* the --root of every test: the group's base dir */

static void t_silent(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static void t_report_fn(void *opaque, const char *name, const char *msg)
{
    char **seen = opaque;
    char *more = lxcf_xasprintf("%s%s: %s\n", *seen ? *seen : "", name, msg);

    free(*seen);
    *seen = more;
}

/* Define the shut-off container NAME with its root under the --root,
 * holding an etc. */
static void t_define(const char *name, lxcf_model model, const char *state_note)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup(name);
    c->model = model;
    c->root = lxcf_xasprintf("%s/opt/lxcf/%s", root, name);
    c->usr_source = model == LXCF_MODEL_JOINT ? lxcf_xstrdup("/usr") : NULL;
    c->state_note = state_note ? lxcf_xstrdup(state_note) : NULL;
    c->created = lxcf_xstrdup("2024-05-01T12:00:00Z");
    lxcf_test_write_file(c->root, "etc/app.conf", "before\n");
    lxcf_test_define(conn, c);
}

static void t_undefine(const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);

    assert_non_null(d);
    assert_int_equal(virDomainUndefine(d), 0);
    virDomainFree(d);
}

static void t_ctx(lxcf_ctx *ctx)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_ctx_init(ctx, root, NULL, "test:///default", &err) < 0)
        fail_msg("%s", err.msg);
}

/* The driver's domains live while a connection is open: this one. */
static int setup(void **state)
{
    virSetErrorFunc(NULL, t_silent);
    conn = virConnectOpen("test:///default");
    if (!conn)
        return -1;
    lxcf_test_base_setup(state);
    root = lxcf_test_base;
    return 0;
}

static int teardown(void **state)
{
    virConnectClose(conn);
    return lxcf_test_base_teardown(state);
}

static void test_dry_run_says_what_it_would_do_and_changes_nothing(void **state)
{
    _cleanup_free_ char *seen = NULL;
    char *argv[] = { "true", NULL };
    lxcf_update_opts o = { .dry_run = true };
    lxcf_report rep = { t_report_fn, &seen };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_define("dry1", LXCF_MODEL_SEPARATE, NULL);
    t_define("dry2", LXCF_MODEL_JOINT, "building");
    t_define("dry3", LXCF_MODEL_JOINT, NULL);
    t_ctx(&ctx);
    if (lxcf_update_run(&ctx, argv, &o, &rep, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(seen,
                        "dry2: skipped (still building)\n"
                        "dry1: would snapshot, run the command on its own /usr (separate) "
                        "(shut off: stays so)\n"
                        "dry3: would snapshot, run the command with a throw-away overlay over "
                        "the host's /usr (joint) (shut off: stays so)\n"
                        "host: would then run the command chrooted in the host tree\n");
    assert_false(lxcf_test_exists(root, "opt/lxcf/" LXCF_UPDATE_DIR));
    lxcf_ctx_clear(&ctx);
    t_undefine("dry1");
    t_undefine("dry2");
    t_undefine("dry3");
}

static void test_second_update_is_busy(void **state)
{
    char *argv[] = { "true", NULL };
    lxcf_update_opts o = { .dry_run = true };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;
    int lock;

    (void)state;
    t_ctx(&ctx);
    lock = lxcf_update_lock(&ctx, &err);
    assert_true(lock >= 0);
    assert_int_equal(lxcf_update_run(&ctx, argv, &o, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    close(lock);
    lxcf_ctx_clear(&ctx);
}

/* The guest's root has no /proc to mount on: the command cannot start
 * there, the guest is rolled back and the host step never runs. */
static void test_guest_that_cannot_run_rolls_back_before_the_host(void **state)
{
    _cleanup_free_ char *seen = NULL, *text = NULL, *groot = NULL;
    char *argv[] = { "true", NULL };
    lxcf_update_opts o = { .only = (char *[]){ "fail1", NULL } };
    lxcf_report rep = { t_report_fn, &seen };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_define("fail1", LXCF_MODEL_SEPARATE, NULL);
    groot = lxcf_xasprintf("%s/opt/lxcf/fail1", root);
    t_ctx(&ctx);
    assert_int_equal(lxcf_update_run(&ctx, argv, &o, &rep, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_true(lxcf_startswith(err.msg, "every guest rolled back, host not updated: "));
    assert_non_null(strstr(err.msg, "/proc is not a directory"));
    assert_non_null(strstr(seen, "fail1: updating\n"));
    assert_non_null(strstr(seen, "fail1: rolled back\n"));
    assert_null(strstr(seen, "host:"));
    text = lxcf_test_read_file(groot, "etc/app.conf");
    assert_string_equal(text, "before\n");
    assert_false(lxcf_test_exists(root, "opt/lxcf/" LXCF_UPDATE_DIR "/journal"));
    lxcf_ctx_clear(&ctx);
    t_undefine("fail1");
}

static int t_autostart(const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);
    int on = -1;

    assert_non_null(d);
    assert_int_equal(virDomainGetAutostart(d, &on), 0);
    virDomainFree(d);
    return on;
}

static void t_set_autostart(const char *name, int on)
{
    virDomainPtr d = virDomainLookupByName(conn, name);

    assert_non_null(d);
    assert_int_equal(virDomainSetAutostart(d, on), 0);
    virDomainFree(d);
}

/* Autostart is off while the guest's trees are aside, and on again once
 * they are rolled back; a guest without it is left without. */
static void test_rolled_back_guest_gets_its_autostart_back(void **state)
{
    char *argv[] = { "true", NULL };
    lxcf_update_opts o = { .only = (char *[]){ "auto1", "auto2", NULL } };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_define("auto1", LXCF_MODEL_SEPARATE, NULL);
    t_define("auto2", LXCF_MODEL_SEPARATE, NULL);
    t_set_autostart("auto1", 1);
    t_ctx(&ctx);
    assert_int_equal(lxcf_update_run(&ctx, argv, &o, NULL, &err), -1);
    assert_true(lxcf_startswith(err.msg, "every guest rolled back, host not updated: "));
    assert_int_equal(t_autostart("auto1"), 1);
    assert_int_equal(t_autostart("auto2"), 0);
    assert_false(lxcf_test_exists(root, "opt/lxcf/" LXCF_UPDATE_DIR "/journal"));
    lxcf_ctx_clear(&ctx);
    t_undefine("auto1");
    t_undefine("auto2");
}

/* A snapshot no journal records may hold a guest's only originals: the
 * update fails for that guest, and neither puts it over the guest's tree
 * nor removes it. */
static void test_snapshot_no_journal_records_is_left_alone(void **state)
{
    _cleanup_free_ char *text = NULL, *kept = NULL, *groot = NULL, *snap = NULL;
    char *argv[] = { "true", NULL };
    lxcf_update_opts o = { .only = (char *[]){ "stale1", NULL } };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_define("stale1", LXCF_MODEL_SEPARATE, NULL);
    groot = lxcf_xasprintf("%s/opt/lxcf/stale1", root);
    snap = lxcf_xasprintf("%s/opt/lxcf/" LXCF_UPDATE_DIR "/stale1/snapshot", root);
    lxcf_test_write_file(snap, "etc/app.conf", "stale\n");
    t_ctx(&ctx);
    assert_int_equal(lxcf_update_run(&ctx, argv, &o, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "a snapshot no update journal records"));
    text = lxcf_test_read_file(groot, "etc/app.conf");
    assert_string_equal(text, "before\n");
    kept = lxcf_test_read_file(snap, "etc/app.conf");
    assert_string_equal(kept, "stale\n");
    lxcf_test_rmrf(snap);
    lxcf_ctx_clear(&ctx);
    t_undefine("stale1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dry_run_says_what_it_would_do_and_changes_nothing),
        cmocka_unit_test(test_second_update_is_busy),
        cmocka_unit_test(test_guest_that_cannot_run_rolls_back_before_the_host),
        cmocka_unit_test(test_snapshot_no_journal_records_is_left_alone),
        cmocka_unit_test(test_rolled_back_guest_gets_its_autostart_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
