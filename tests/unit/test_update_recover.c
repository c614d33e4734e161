/* Tests for lib/core/update_recover: what a crashed update left, finished
 * or undone on a fake host under a temp --root (no guest to start again;
 * libvirt's test driver holds the one whose autostart comes back). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "cleanup.h"
#include "domxml.h"
#include "testutil.h"
#include "update_journal.h"
#include "update_recover.h"
#include "update_snapshot.h"
#include "util.h"

static void t_report_fn(void *opaque, const char *name, const char *msg)
{
    char **seen = opaque;
    char *more = lxcf_xasprintf("%s%s: %s\n", *seen ? *seen : "", name, msg);

    free(*seen);
    *seen = more;
}

/* A host under D with the guest g1 (its etc holds "before") and the
 * scratch directory of an update that snapshotted it and then changed it
 * to "after", its journal at PHASE. */
static void t_crashed(lxcf_ctx *ctx, const char *d, lxcf_update_phase phase)
{
    _cleanup_free_ char *roots = NULL, *g = NULL, *snap = NULL, *jpath = NULL;
    lxcf_update_journal j = { .phase = phase };
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_ctx_init(ctx, d, NULL, "test:///default", &err) < 0)
        fail_msg("%s", err.msg);
    roots = lxcf_ctx_roots_dir(ctx);
    g = lxcf_ctx_container_root(ctx, "g1");
    snap = lxcf_xasprintf("%s/%s/g1/snapshot", roots, LXCF_UPDATE_DIR);
    jpath = lxcf_xasprintf("%s/%s/journal", roots, LXCF_UPDATE_DIR);
    lxcf_test_write_file(g, "etc/app.conf", "before\n");
    lxcf_test_mkdirs(roots, LXCF_UPDATE_DIR "/g1");
    if (lxcf_update_snapshot(g, snap, false, &err) < 0)
        fail_msg("%s", err.msg);
    lxcf_test_write_file(g, "etc/app.conf", "after\n");
    lxcf_strv_push(&j.touched, lxcf_xstrdup("g1"));
    if (lxcf_update_journal_write(jpath, &j, &err) < 0)
        fail_msg("%s", err.msg);
    lxcf_update_journal_clear(&j);
}

static void test_recover_without_journal_does_nothing(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *seen = NULL;
    lxcf_report rep = { t_report_fn, &seen };
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    if (lxcf_ctx_init(&ctx, d, NULL, "test:///default", &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(lxcf_update_recover(&ctx, false, &rep, &err), 0);
    assert_null(seen);
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
}

/* Recover the crash t_crashed leaves at PHASE: what lxcf_update_recover
 * returns, *TEXT the guest's etc/app.conf after it, *SEEN the reports.
 * The scratch directory is gone in every outcome. */
static int t_recover(lxcf_update_phase phase, char **text, char **seen, lxcf_err *err)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *roots = NULL;
    lxcf_report rep = { t_report_fn, seen };
    lxcf_ctx ctx;
    int r;

    t_crashed(&ctx, d, phase);
    roots = lxcf_ctx_roots_dir(&ctx);
    r = lxcf_update_recover(&ctx, false, &rep, err);
    *text = lxcf_test_read_file(roots, "g1/etc/app.conf");
    assert_false(lxcf_test_exists(roots, LXCF_UPDATE_DIR));
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
    return r;
}

/* Before the host step a touched guest goes back to its snapshot; once
 * it is done the guests keep the update and the snapshot goes. */
static void test_recover_rolls_back_only_before_the_host_step(void **state)
{
    static const struct {
        lxcf_update_phase phase;
        const char *text, *seen;
    } cases[] = {
        { LXCF_UPDATE_PHASE_GUESTS, "before\n",
          "update: recovering an interrupted update (phase guests)\ng1: rolled back\n" },
        { LXCF_UPDATE_PHASE_DONE, "after\n",
          "update: recovering an interrupted update (phase done)\ng1: snapshot discarded\n" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_free_ char *seen = NULL, *text = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        if (t_recover(cases[i].phase, &text, &seen, &err) < 0)
            fail_msg("%s", err.msg);
        assert_string_equal(text, cases[i].text);
        assert_string_equal(seen, cases[i].seen);
    }
}

/* The host step cannot be repeated without its recorded command: the
 * failure is reported, the rest of the recovery still runs. */
static void test_recover_host_phase_without_command_fails_after_cleanup(void **state)
{
    _cleanup_free_ char *seen = NULL, *text = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(t_recover(LXCF_UPDATE_PHASE_HOST, &text, &seen, &err), -1);
    assert_non_null(strstr(err.msg, "host: the interrupted host step cannot be repeated"));
    assert_string_equal(text, "after\n");
    assert_non_null(strstr(seen, "g1: snapshot discarded\n"));
}

/* The journal names g1's autostart, which the crashed update turned off:
 * the recovery turns it on once g1 is rolled back. */
static void test_recover_turns_autostart_on_again(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *seen = NULL, *jpath = NULL, *roots = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_container_new();
    _cleanup_(lxcf_update_journal_clear) lxcf_update_journal j = { 0 };
    lxcf_report rep = { t_report_fn, &seen };
    virConnectPtr conn;
    virDomainPtr dom;
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;
    int on = 0;

    (void)state;
    /* The test driver's domains live while a connection is open: this one. */
    conn = virConnectOpen("test:///default");
    assert_non_null(conn);
    t_crashed(&ctx, d, LXCF_UPDATE_PHASE_GUESTS);
    roots = lxcf_ctx_roots_dir(&ctx);
    jpath = lxcf_xasprintf("%s/%s/journal", roots, LXCF_UPDATE_DIR);
    assert_int_equal(lxcf_update_journal_read(jpath, &j, &err), 1);
    lxcf_strv_push(&j.autostart, lxcf_xstrdup("g1"));
    assert_int_equal(lxcf_update_journal_write(jpath, &j, &err), 0);
    c->name = lxcf_xstrdup("g1");
    c->model = LXCF_MODEL_SEPARATE;
    c->root = lxcf_ctx_container_root(&ctx, "g1");
    c->created = lxcf_xstrdup("2024-05-01T12:00:00Z");
    lxcf_test_define(conn, c);
    if (lxcf_update_recover(&ctx, false, &rep, &err) < 0)
        fail_msg("%s", err.msg);
    assert_non_null(strstr(seen, "g1: rolled back\ng1: autostart on again\n"));
    dom = virDomainLookupByName(conn, "g1");
    assert_non_null(dom);
    assert_int_equal(virDomainGetAutostart(dom, &on), 0);
    assert_int_equal(on, 1);
    assert_int_equal(virDomainUndefine(dom), 0);
    virDomainFree(dom);
    virConnectClose(conn);
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
}

static void test_recover_waits_for_no_one(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    lxcf_ctx ctx;
    lxcf_err err = LXCF_ERR_INIT;
    int lock;

    (void)state;
    t_crashed(&ctx, d, LXCF_UPDATE_PHASE_GUESTS);
    lock = lxcf_update_lock(&ctx, &err);
    assert_true(lock >= 0);
    assert_int_equal(lxcf_update_recover(&ctx, false, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    lxcf_error_clear(&err);
    /* The caller's lock is enough. */
    assert_int_equal(lxcf_update_recover(&ctx, true, NULL, &err), 0);
    close(lock);
    lxcf_ctx_clear(&ctx);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recover_without_journal_does_nothing),
        cmocka_unit_test(test_recover_rolls_back_only_before_the_host_step),
        cmocka_unit_test(test_recover_host_phase_without_command_fails_after_cleanup),
        cmocka_unit_test(test_recover_turns_autostart_on_again),
        cmocka_unit_test(test_recover_waits_for_no_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
