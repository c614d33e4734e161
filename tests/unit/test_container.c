/* lib/container: the life-cycle steps, as far as they run without a real
 * LXC host.  libvirt is its in-process test driver (test:///default, no
 * daemon, nothing mocked); the host is a --root under a temp dir.  What is
 * tested: the checks that must come before anything is touched, the lock,
 * the /etc/hosts sync (single and batched), erase of a container and of
 * the leftovers of an interrupted one, and that a foreign domain is never
 * acted upon.  Starting and stopping a real container, the root build and
 * the network steps need libvirt's LXC driver: the integration tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "container.h"
#include "domxml.h"
#include "hosts.h"
#include "lock.h"
#include "testutil.h"
#include "update_journal.h"
#include "util.h"
#include "virt.h"

/* Keeps the test driver's domains alive between the tests' own
 * connections (its state lives while any connection is open). */
static virConnectPtr conn;
/* The --root of every test: the canonical group base dir. */
static char *root;

/* Seen by lxcf_report_msg's callback. */
typedef struct {
    char *names[8];
    char *msgs[8];
    size_t n;
} lxcf_t_reports;

static void lxcf_t_report_fn(void *opaque, const char *name, const char *msg)
{
    lxcf_t_reports *r = opaque;

    if (r->n < 8) {
        r->names[r->n] = lxcf_xstrdup(name);
        r->msgs[r->n] = lxcf_xstrdup(msg);
        r->n++;
    }
}

static void lxcf_t_reports_clear(lxcf_t_reports *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->names[i]);
        free(r->msgs[i]);
    }
    r->n = 0;
}

static void lxcf_t_silent(void *opaque, virErrorPtr e)
{
}

static char *lxcf_t_root_of(const char *name)
{
    return lxcf_xasprintf("%s/opt/lxcf/%s", root, name);
}

/* Define an lxcf container NAME in the test driver, its root under the
 * --root unless ROOT_OUTSIDE is given. */
static void lxcf_t_define(const char *name, const char *ipv4, const char *state_note,
                          const char *root_outside)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup(name);
    c->model = LXCF_MODEL_SEPARATE;
    c->root = root_outside ? lxcf_xstrdup(root_outside) : lxcf_t_root_of(name);
    c->ipv4 = ipv4 ? lxcf_xstrdup(ipv4) : NULL;
    c->ipv4_prefix = ipv4 ? 24 : 0;
    c->state_note = state_note ? lxcf_xstrdup(state_note) : NULL;
    c->created = lxcf_xstrdup("2024-05-01T12:00:00Z");
    lxcf_test_define(conn, c);
}

static bool lxcf_t_domain_exists(const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);

    if (d)
        virDomainFree(d);
    return d != NULL;
}

static void lxcf_t_ctx_clearp(lxcf_ctx *ctx)
{
    lxcf_ctx_clear(ctx);
}
#define _cleanup_ctx_ _cleanup_(lxcf_t_ctx_clearp)

/* A context on the fake host, talking to the test driver. */
static void lxcf_t_ctx(lxcf_ctx *ctx, const char *uri)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_ctx_init(ctx, root, NULL, uri ? uri : "test:///default", &err) < 0)
        fail_msg("%s", err.msg);
}

/* The names in the lxcf block of ROOT/REL, joined by spaces, as
 * "name=addr". */
static char *lxcf_t_block(const char *rel)
{
    _cleanup_free_ char *text = lxcf_test_read_file(root, rel);
    _cleanup_free_ lxcf_hosts_entry *ents = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    char *out = lxcf_xstrdup("");
    size_t n = 0;

    if (lxcf_hosts_parse_block(text, &ents, &n, &err) < 0)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        char *more = lxcf_xasprintf("%s%s%s=%s", out, i ? " " : "", ents[i].name, ents[i].addr);
        free(out);
        out = more;
    }
    return out;
}

static int setup(void **state)
{
    char buf[PATH_MAX];

    lxcf_test_base_setup(state);
    if (!realpath(lxcf_test_base, buf))
        return -1;
    root = lxcf_xstrdup(buf);
    virSetErrorFunc(NULL, lxcf_t_silent);
    conn = virConnectOpen("test:///default");
    return conn ? 0 : -1;
}

static int teardown(void **state)
{
    if (conn)
        virConnectClose(conn);
    free(root);
    return lxcf_test_base_teardown(state);
}

/* ---- no libvirt at all --------------------------------------------------- */

static void test_report_msg_formats_for_the_callback(void **state)
{
    lxcf_t_reports seen = { 0 };
    lxcf_report rep = { lxcf_t_report_fn, &seen };
    char big[700];

    lxcf_report_msg(&rep, "web1", "copying: %d MiB, %s", 12, "3 files");
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.names[0], "web1");
    assert_string_equal(seen.msgs[0], "copying: 12 MiB, 3 files");
    /* A progress line is bounded, never a reason to fail. */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lxcf_report_msg(&rep, "web1", "%s", big);
    assert_int_equal(strlen(seen.msgs[1]), 511);
    lxcf_t_reports_clear(&seen);
}

static void test_report_msg_without_a_reporter_does_nothing(void **state)
{
    lxcf_report none = { NULL, NULL };

    lxcf_report_msg(NULL, "web1", "x %d", 1);
    lxcf_report_msg(&none, "web1", "x %d", 1);
}

static void test_state_prefers_note_then_missing_root(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_container_new();

    /* Half built or half erased must never look usable. */
    c->root = lxcf_xstrdup(root);
    c->state_note = lxcf_xstrdup(LXCF_STATE_BUILDING);
    assert_string_equal(lxcf_container_state(c, VIR_DOMAIN_RUNNING), "building");
    free(c->state_note);
    c->state_note = NULL;
    assert_string_equal(lxcf_container_state(c, VIR_DOMAIN_RUNNING), "running");
    assert_string_equal(lxcf_container_state(c, VIR_DOMAIN_SHUTOFF), "stopped");
    free(c->root);
    c->root = lxcf_xasprintf("%s/no/such/root", root);
    assert_string_equal(lxcf_container_state(c, VIR_DOMAIN_SHUTOFF), "no-root");
    free(c->root);
    c->root = NULL;
    assert_string_equal(lxcf_container_state(c, VIR_DOMAIN_PAUSED), "paused");
}

static void test_emulator_from_the_environment(void **state)
{
    _cleanup_free_ char *set = NULL, *empty = NULL;

    setenv("LXCF_EMULATOR", "/opt/x/lxcf-emulator", 1);
    set = lxcf_container_emulator();
    /* Empty: libvirt's own controller, whatever is installed. */
    setenv("LXCF_EMULATOR", "", 1);
    empty = lxcf_container_emulator();
    unsetenv("LXCF_EMULATOR");
    assert_string_equal(set, "/opt/x/lxcf-emulator");
    assert_null(empty);
}

/* The emulator this program would choose if it were DIR/test_container,
 * with EMULATOR_MODE the mode of DIR/lxcf-emulator (0: none there). */
static char *lxcf_t_emulator_from(const char *dir, mode_t emulator_mode)
{
    _cleanup_free_ char *self = NULL, *copy = lxcf_test_path(dir, "test_container");
    _cleanup_free_ char *out = NULL;
    char *argv[] = { copy, "--print-emulator", NULL };
    size_t len = 0;
    lxcf_err err = LXCF_ERR_INIT;
    int r;

    if (lxcf_read_file("/proc/self/exe", &self, &len, &err) < 0)
        fail_msg("%s", err.msg);
    lxcf_test_mkdirs(dir, "");
    if (lxcf_write_file_atomic(copy, self, len, 0755, false, &err) < 0)
        fail_msg("%s", err.msg);
    if (emulator_mode) {
        lxcf_test_write_file(dir, "lxcf-emulator", "#!/bin/sh\n");
        _cleanup_free_ char *emu = lxcf_test_path(dir, "lxcf-emulator");
        assert_int_equal(chmod(emu, emulator_mode), 0);
    }
    unsetenv("LXCF_EMULATOR");
    r = lxcf_test_run(argv, &out);
    if (r != 0)
        fail_msg("%s --print-emulator: exit %d: %s", copy, r, out);
    out[strcspn(out, "\n")] = '\0';
    return lxcf_steal_ptr(out);
}

static void test_emulator_beside_the_running_binary_comes_first(void **state)
{
    _cleanup_free_ char *dir = lxcf_test_subtree();
    _cleanup_free_ char *bin = lxcf_test_path(dir, "bin"), *plain = lxcf_test_path(dir, "plain");
    _cleanup_free_ char *want = lxcf_test_path(bin, "lxcf-emulator");
    _cleanup_free_ char *got = NULL, *not_exec = NULL;

    /* A build tree's lxcf must use its own wrapper, not an installed one. */
    got = lxcf_t_emulator_from(bin, 0755);
    assert_string_equal(got, want);
    /* One that cannot be run is passed over. */
    not_exec = lxcf_t_emulator_from(plain, 0644);
    assert_false(lxcf_startswith(not_exec, plain));
}

static void test_lock_lives_under_the_root(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_free_ char *path = lxcf_xasprintf("%s/run/lxcf/lxcf.lock", root);
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, NULL);
    lock = lxcf_container_lock(&ctx, &err);
    if (lock < 0)
        fail_msg("%s", err.msg);
    assert_true(lxcf_test_exists(root, "run/lxcf/lxcf.lock"));
    /* It is the host lock: anyone else taking it is refused. */
    assert_int_equal(lxcf_lock_take(path, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    lxcf_lock_release(&lock);
    lxcf_error_clear(&err);
    lock = lxcf_lock_take(path, 0, &err);
    assert_true(lock >= 0);
}

/* ---- checks that come before libvirt ------------------------------------- */

static void test_bad_names_are_refused_before_connecting(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *uri = lxcf_xasprintf("test://%s/no-such-driver-file.xml", root);
    lxcf_create_opts o = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    /* A URI that cannot connect: a LIBVIRT error would mean the name was
     * checked too late. */
    lxcf_t_ctx(&ctx, uri);
    assert_int_equal(lxcf_container_create(&ctx, "bad_name", &o, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_container_clone(&ctx, "web1", "-x", &o, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_container_erase(&ctx, "../etc", NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(ctx.conn);
}

static void test_create_refuses_an_unknown_model_before_connecting(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *uri = lxcf_xasprintf("test://%s/no-such-driver-file.xml", root);
    lxcf_create_opts o = { .model = "shared" };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, uri);
    assert_int_equal(lxcf_container_create(&ctx, "web9", &o, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_string_equal(err.msg, "shared: unknown model (use joint or separate)");
    assert_null(ctx.conn);
    assert_false(lxcf_test_exists(root, "opt/lxcf/web9"));
}

static void test_unreachable_libvirt_is_a_libvirt_error(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *uri = lxcf_xasprintf("test://%s/no-such-driver-file.xml", root);
    bool forced = true;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, uri);
    assert_int_equal(lxcf_container_start(&ctx, "web1", NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_LIBVIRT);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_container_stop(&ctx, "web1", 1, &forced, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_LIBVIRT);
    assert_false(forced);
}

/* ---- with libvirt's test driver ------------------------------------------ */

static void test_foreign_domain_is_never_acted_upon(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    bool forced = true;
    lxcf_err err = LXCF_ERR_INIT;

    /* "test" is the test driver's own running domain, not lxcf's. */
    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_container_stop(&ctx, "test", 1, &forced, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_container_autostart(&ctx, "test", true, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_container_erase(&ctx, "test", NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    /* Under --root every lookup is scoped: a foreign domain is one that
     * is not there. */
    {
        _cleanup_free_ char *want = lxcf_xasprintf("test: no such container under %s", root);
        assert_string_equal(err.msg, want);
    }
    assert_true(lxcf_t_domain_exists("test"));
    {
        _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "test");
        assert_int_equal(virDomainIsActive(d), 1);
    }
}

static void test_autostart_switches_on_and_off(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_domain_ virDomainPtr d = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    int on = -1;

    lxcf_t_define("auto1", NULL, NULL, NULL);
    lxcf_t_ctx(&ctx, NULL);
    d = virDomainLookupByName(conn, "auto1");
    assert_int_equal(lxcf_container_autostart(&ctx, "auto1", true, &err), 0);
    assert_int_equal(virDomainGetAutostart(d, &on), 0);
    assert_int_equal(on, 1);
    assert_int_equal(lxcf_container_autostart(&ctx, "auto1", false, &err), 0);
    assert_int_equal(virDomainGetAutostart(d, &on), 0);
    assert_int_equal(on, 0);
    assert_int_equal(lxcf_container_autostart(&ctx, "nope", true, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_start_refuses_a_half_built_container(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_domain_ virDomainPtr d = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_define("half1", NULL, LXCF_STATE_BUILDING, NULL);
    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_container_start(&ctx, "half1", NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_true(lxcf_startswith(err.msg, "half1: is not completely built"));
    d = virDomainLookupByName(conn, "half1");
    assert_int_equal(virDomainIsActive(d), 0);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_start_refuses_a_guest_an_update_holds(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_free_ char *roots = NULL, *upd = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_t_define("held1", NULL, NULL, NULL);
    lxcf_t_ctx(&ctx, NULL);
    roots = lxcf_ctx_roots_dir(&ctx);
    upd = lxcf_path_join(roots, LXCF_UPDATE_DIR);
    lxcf_test_mkdirs(upd, "held1/snapshot");
    assert_int_equal(lxcf_container_start(&ctx, "held1", NULL, &err), -1);
    assert_true(lxcf_startswith(err.msg, "held1: an interrupted update holds its trees aside"));
    d = virDomainLookupByName(conn, "held1");
    assert_int_equal(virDomainIsActive(d), 0);
    lxcf_test_rmrf(upd);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_start_of_a_running_container_changes_nothing(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_domain_ virDomainPtr d = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    int id;

    lxcf_t_define("run1", NULL, NULL, NULL);
    d = virDomainLookupByName(conn, "run1");
    assert_int_equal(virDomainCreate(d), 0);
    id = (int)virDomainGetID(d);
    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_container_start(&ctx, "run1", NULL, &err), 0);
    /* Same run, not a restart. */
    assert_int_equal((int)virDomainGetID(d), id);
    assert_int_equal(virDomainDestroy(d), 0);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_stop_of_a_stopped_container_is_no_error(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_domain_ virDomainPtr d = NULL;
    bool forced = true;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_define("stop1", NULL, NULL, NULL);
    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_container_stop(&ctx, "stop1", 1, &forced, &err), 0);
    assert_false(forced);
    assert_false(lxcf_error_isset(&err));
    d = virDomainLookupByName(conn, "stop1");
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_sync_hosts_writes_host_and_guest_blocks(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *host = NULL, *guest = NULL, *host_text = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_define("web1", "192.168.125.11", NULL, NULL);
    lxcf_t_define("web2", "192.168.125.12", NULL, NULL);
    lxcf_t_define("nonet1", NULL, NULL, NULL);
    /* Outside this --root: another host's container, never listed here. */
    lxcf_t_define("other1", "192.168.125.13", NULL, "/srv/elsewhere/other1");
    lxcf_test_write_file(root, "etc/hosts", "127.0.0.1\tlocalhost\n10.0.0.1\tgw\n");
    lxcf_test_write_file(root, "opt/lxcf/web1/etc/hosts", "127.0.0.1\tlocalhost\n");
    /* web2 has no root on disk (an interrupted erase): only skipped. */
    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_ctx_connect(&ctx, &err), 0);
    if (lxcf_container_sync_hosts(&ctx, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    host = lxcf_t_block("etc/hosts");
    guest = lxcf_t_block("opt/lxcf/web1/etc/hosts");
    assert_string_equal(host, "web1=192.168.125.11 web2=192.168.125.12");
    assert_string_equal(guest, host);
    /* Lines outside the block are the admin's. */
    host_text = lxcf_test_read_file(root, "etc/hosts");
    assert_true(lxcf_startswith(host_text, "127.0.0.1\tlocalhost\n10.0.0.1\tgw\n"));
    assert_false(lxcf_test_exists(root, "opt/lxcf/web2"));
}

static void test_batch_syncs_hosts_once_at_flush(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *host = NULL;
    _cleanup_free_ char *hosts = lxcf_xasprintf("%s/etc/hosts", root);
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_ctx_connect(&ctx, &err), 0);
    assert_int_equal(unlink(hosts), 0);
    ctx.hosts_batch = true;
    assert_int_equal(lxcf_container_sync_hosts(&ctx, NULL, &err), 0);
    assert_int_equal(lxcf_container_sync_hosts(&ctx, NULL, &err), 0);
    /* Deferred: nothing written yet. */
    assert_false(lxcf_test_exists(root, "etc/hosts"));
    assert_true(ctx.hosts_dirty);
    if (lxcf_container_hosts_flush(&ctx, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    assert_false(ctx.hosts_batch);
    assert_false(ctx.hosts_dirty);
    host = lxcf_t_block("etc/hosts");
    assert_string_equal(host, "web1=192.168.125.11 web2=192.168.125.12");
}

static void test_flush_of_a_clean_batch_takes_no_lock(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_(lxcf_lock_release) int held = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, NULL);
    held = lxcf_container_lock(&ctx, &err);
    assert_true(held >= 0);
    /* With the lock held elsewhere a flush that took it would wait. */
    ctx.hosts_batch = true;
    assert_int_equal(lxcf_container_hosts_flush(&ctx, NULL, &err), 0);
    assert_false(ctx.hosts_batch);
    assert_false(lxcf_error_isset(&err));
}

static void test_erase_removes_root_domain_and_hosts_entry(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    _cleanup_free_ char *host = NULL;
    lxcf_t_reports seen = { 0 };
    lxcf_report rep = { lxcf_t_report_fn, &seen };
    lxcf_err err = LXCF_ERR_INIT;

    /* A unique name: erase also removes empty cgroups of that name. */
    lxcf_t_define("lxcfut-erase1", "192.168.125.20", NULL, NULL);
    lxcf_test_write_file(root, "opt/lxcf/lxcfut-erase1/etc/hostname", "lxcfut-erase1\n");
    lxcf_t_ctx(&ctx, NULL);
    if (lxcf_container_erase(&ctx, "lxcfut-erase1", &rep, &err) < 0)
        fail_msg("%s", err.msg);
    lxcf_t_reports_clear(&seen);
    assert_false(lxcf_test_exists(root, "opt/lxcf/lxcfut-erase1"));
    assert_true(lxcf_test_exists(root, "opt/lxcf"));
    assert_false(lxcf_t_domain_exists("lxcfut-erase1"));
    host = lxcf_t_block("etc/hosts");
    assert_null(strstr(host, "lxcfut-erase1"));
    assert_non_null(strstr(host, "web1="));
}

static void test_erase_of_a_missing_container_is_notfound(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_t_ctx(&ctx, NULL);
    assert_int_equal(lxcf_container_erase(&ctx, "ghost0", NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
}

static void test_erase_finishes_an_interrupted_erase(void **state)
{
    _cleanup_ctx_ lxcf_ctx ctx = { 0 };
    lxcf_t_reports seen = { 0 };
    lxcf_report rep = { lxcf_t_report_fn, &seen };
    lxcf_err err = LXCF_ERR_INIT;
    bool said = false;

    /* The domain is gone, the root is still there: erase again removes
     * it and says so. */
    lxcf_test_write_file(root, "opt/lxcf/ghost1/etc/hostname", "ghost1\n");
    lxcf_t_ctx(&ctx, NULL);
    if (lxcf_container_erase(&ctx, "ghost1", &rep, &err) < 0)
        fail_msg("%s", err.msg);
    assert_false(lxcf_test_exists(root, "opt/lxcf/ghost1"));
    for (size_t i = 0; i < seen.n; i++)
        said |= lxcf_streq(seen.names[i], "ghost1") &&
                lxcf_startswith(seen.msgs[i], "removed the leftover root ");
    lxcf_t_reports_clear(&seen);
    assert_true(said);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_msg_formats_for_the_callback),
        cmocka_unit_test(test_report_msg_without_a_reporter_does_nothing),
        cmocka_unit_test(test_state_prefers_note_then_missing_root),
        cmocka_unit_test(test_emulator_from_the_environment),
        cmocka_unit_test(test_emulator_beside_the_running_binary_comes_first),
        cmocka_unit_test(test_lock_lives_under_the_root),
        cmocka_unit_test(test_bad_names_are_refused_before_connecting),
        cmocka_unit_test(test_create_refuses_an_unknown_model_before_connecting),
        cmocka_unit_test(test_unreachable_libvirt_is_a_libvirt_error),
        cmocka_unit_test(test_foreign_domain_is_never_acted_upon),
        cmocka_unit_test(test_autostart_switches_on_and_off),
        cmocka_unit_test(test_start_refuses_a_half_built_container),
        cmocka_unit_test(test_start_refuses_a_guest_an_update_holds),
        cmocka_unit_test(test_start_of_a_running_container_changes_nothing),
        cmocka_unit_test(test_stop_of_a_stopped_container_is_no_error),
        /* In order: they share the hosts file and the defined domains. */
        cmocka_unit_test(test_sync_hosts_writes_host_and_guest_blocks),
        cmocka_unit_test(test_batch_syncs_hosts_once_at_flush),
        cmocka_unit_test(test_flush_of_a_clean_batch_takes_no_lock),
        cmocka_unit_test(test_erase_removes_root_domain_and_hosts_entry),
        cmocka_unit_test(test_erase_of_a_missing_container_is_notfound),
        cmocka_unit_test(test_erase_finishes_an_interrupted_erase),
    };

    /* The emulator test runs a copy of this program to ask it one thing. */
    if (argc == 2 && lxcf_streq(argv[1], "--print-emulator")) {
        _cleanup_free_ char *e = lxcf_container_emulator();
        printf("%s\n", e ? e : "(none)");
        return 0;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
