/* lib/virt: lxcf's view of libvirt's domains, tested against libvirt's own
 * in-process test driver (test:///default: no daemon, nothing mocked).
 * The points: a domain without lxcf metadata is never taken for a
 * container, --root scopes every lookup and list, both lists agree, and
 * every libvirt failure becomes one error naming what failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "domxml.h"
#include "util.h"
#include "virt.h"

/* The test driver keeps its state while a connection is open: one for
 * the whole run, so the domains defined in setup are there for every
 * test.  The driver also has its own running domain "test", which has no
 * lxcf metadata: the foreign domain of these tests. */
static virConnectPtr conn;

#define LXCF_T_WEB1_UUID "8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6b"

static lxcf_container *lxcf_t_web1(void)
{
    lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup("web1");
    c->uuid = lxcf_xstrdup(LXCF_T_WEB1_UUID);
    c->model = LXCF_MODEL_JOINT;
    c->root = lxcf_xstrdup("/srv/a/web1");
    c->usr_source = lxcf_xstrdup("/usr");
    c->ipv4 = lxcf_xstrdup("192.168.125.11");
    c->ipv4_prefix = 24;
    c->created = lxcf_xstrdup("2024-05-01T12:00:00Z");
    return c;
}

static lxcf_container *lxcf_t_db1(void)
{
    lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup("db1");
    c->model = LXCF_MODEL_SEPARATE;
    c->root = lxcf_xstrdup("/srv/b/db1");
    c->state_note = lxcf_xstrdup("building");
    c->created = lxcf_xstrdup("2024-05-02T08:30:00Z");
    return c;
}

static int lxcf_t_define_xml(const char *xml)
{
    virDomainPtr d = virDomainDefineXML(conn, xml);

    if (!d)
        return -1;
    virDomainFree(d);
    return 0;
}

static int lxcf_t_define(lxcf_container *(*make)(void))
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = make();
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_domxml_build(c, &xml, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return lxcf_t_define_xml(xml);
}

static int setup(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_virt_open("test:///default", &conn, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    /* A domain with no metadata at all, and one whose lxcf metadata is
     * broken (a model lxcf does not know). */
    if (lxcf_t_define(lxcf_t_web1) < 0 || lxcf_t_define(lxcf_t_db1) < 0 ||
        lxcf_t_define_xml("<domain type='lxc'><name>plain</name><memory>65536</memory>"
                          "<os><type>exe</type><init>/sbin/init</init></os></domain>") < 0 ||
        lxcf_t_define_xml("<domain type='lxc'><name>bad1</name><memory>65536</memory>"
                          "<metadata><lxcf:container xmlns:lxcf='" LXCF_XMLNS "'>"
                          "<lxcf:model>shared</lxcf:model><lxcf:root>/srv/a/bad1</lxcf:root>"
                          "</lxcf:container></metadata>"
                          "<os><type>exe</type><init>/sbin/init</init></os></domain>") < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    lxcf_virt_set_scope(NULL);
    if (conn)
        virConnectClose(conn);
    return 0;
}

static int lxcf_t_unscoped(void **state)
{
    lxcf_virt_set_scope(NULL);
    return 0;
}

/* ---- names and errors ---------------------------------------------------- */

static void test_state_names(void **state)
{
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_RUNNING), "running");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_BLOCKED), "blocked");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_PAUSED), "paused");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_SHUTDOWN), "shutting-down");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_SHUTOFF), "stopped");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_CRASHED), "crashed");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_PMSUSPENDED), "suspended");
    assert_string_equal(lxcf_virt_state_name(VIR_DOMAIN_NOSTATE), "unknown");
    assert_string_equal(lxcf_virt_state_name(-1), "unknown");
    assert_string_equal(lxcf_virt_state_name(1000), "unknown");
}

static void test_last_error_is_never_null(void **state)
{
    /* With no error set, still a text to put after "failed: " (libvirt
     * says "no error"; lxcf's own fallback covers older libvirt). */
    virResetLastError();
    assert_non_null(lxcf_virt_last_error());
    assert_true(lxcf_virt_last_error()[0] != '\0');
    assert_string_equal(lxcf_virt_last_error(), virGetLastErrorMessage());
}

static void test_virt_error_names_object_call_and_cause(void **state)
{
    _cleanup_free_ char *want = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_null(virDomainLookupByName(conn, "nope"));
    want = lxcf_xasprintf("nope: looking up failed: %s", virGetLastErrorMessage());
    assert_int_equal(lxcf_virt_error(&err, "nope", "looking up"), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_string_equal(err.msg, want);
}

static void test_open_failure_says_what_to_start(void **state)
{
    virConnectPtr c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    /* The test driver with a missing file fails in process, as a missing
     * daemon would fail lxc:///. */
    assert_int_equal(lxcf_virt_open("test:///nonexistent/lxcf-unit.xml", &c, &err), -1);
    assert_null(c);
    assert_int_equal(err.code, LXCF_EXIT_LIBVIRT);
    assert_true(lxcf_startswith(err.msg, "cannot connect to libvirt at test:///nonexistent/lxcf-unit.xml: "));
    assert_non_null(strstr(err.msg, "'systemctl start libvirtd'"));
    assert_non_null(strstr(err.msg, "scripts/libvirtd-harness start"));
}

static void test_domain_freep_accepts_null(void **state)
{
    _cleanup_domain_ virDomainPtr d = NULL;

    lxcf_virt_domain_freep(&d);
    assert_null(d);
}

/* ---- lookup -------------------------------------------------------------- */

static void test_lookup_by_name_gives_the_record(void **state)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_virt_lookup(conn, "web1", &d, &c, &err) < 0)
        fail_msg("%s", err.msg);
    assert_non_null(d);
    assert_string_equal(virDomainGetName(d), "web1");
    assert_string_equal(c->name, "web1");
    assert_string_equal(c->uuid, LXCF_T_WEB1_UUID);
    assert_int_equal(c->model, LXCF_MODEL_JOINT);
    assert_string_equal(c->root, "/srv/a/web1");
    assert_string_equal(c->usr_source, "/usr");
    assert_string_equal(c->ipv4, "192.168.125.11");
    assert_int_equal(c->ipv4_prefix, 24);
    assert_null(c->state_note);
}

static void test_lookup_by_uuid_finds_the_same(void **state)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_virt_lookup(conn, LXCF_T_WEB1_UUID, &d, &c, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(c->name, "web1");
}

static void test_lookup_without_info_still_gives_the_domain(void **state)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_virt_lookup(conn, "db1", &d, NULL, &err), 0);
    assert_string_equal(virDomainGetName(d), "db1");
}

static void test_lookup_of_a_missing_name_is_notfound(void **state)
{
    virDomainPtr d = NULL;
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_virt_lookup(conn, "nope", &d, &c, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_string_equal(err.msg, "nope: no such container");
    assert_null(d);
    assert_null(c);
    lxcf_error_clear(&err);
    /* A UUID-shaped name that no domain has. */
    assert_int_equal(lxcf_virt_lookup(conn, "00000000-0000-0000-0000-000000000000", &d, &c, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
}

static void test_lookup_of_a_foreign_domain_is_refused(void **state)
{
    virDomainPtr d = NULL;
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    /* Running ("test") or not ("plain"): never acted upon. */
    assert_int_equal(lxcf_virt_lookup(conn, "test", &d, &c, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_string_equal(err.msg, "test: this libvirt domain is not an lxcf container");
    assert_null(d);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_virt_lookup(conn, "plain", &d, &c, &err), -1);
    assert_string_equal(err.msg, "plain: this libvirt domain is not an lxcf container");
    assert_null(d);
    assert_null(c);
}

static void test_lookup_of_broken_metadata_names_the_domain(void **state)
{
    virDomainPtr d = NULL;
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_virt_lookup(conn, "bad1", &d, &c, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_true(lxcf_startswith(err.msg, "bad1: "));
    assert_non_null(strstr(err.msg, "unknown model 'shared'"));
    assert_null(d);
}

static void test_describe_of_a_foreign_domain_is_0(void **state)
{
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "test");
    lxcf_container *c = (lxcf_container *)&c;
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(d);
    assert_int_equal(lxcf_virt_describe(d, &c, &err), 0);
    assert_null(c);
    assert_false(lxcf_error_isset(&err));
}

/* ---- scope (--root) ------------------------------------------------------ */

static void test_scope_limits_lookup_to_roots_beneath_it(void **state)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    virDomainPtr none = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_virt_set_scope("/srv/a");
    assert_int_equal(lxcf_virt_lookup(conn, "web1", &d, NULL, &err), 0);
    assert_int_equal(lxcf_virt_lookup(conn, "db1", &none, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_string_equal(err.msg, "db1: no such container under /srv/a");
    assert_null(none);
}

static void test_scope_matches_whole_path_components(void **state)
{
    virDomainPtr d = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    /* /srv/a/web1 is not beneath /srv/a/web. */
    lxcf_virt_set_scope("/srv/a/web");
    assert_int_equal(lxcf_virt_lookup(conn, "web1", &d, NULL, &err), -1);
    assert_string_equal(err.msg, "web1: no such container under /srv/a/web");
    assert_null(d);
}

static void test_scope_null_sees_every_container(void **state)
{
    lxcf_virt_list l;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_virt_set_scope("/srv/b");
    assert_int_equal(lxcf_virt_list_all(conn, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.e[0].c->name, "db1");
    lxcf_virt_list_clear(&l);
    lxcf_virt_set_scope(NULL);
    assert_int_equal(lxcf_virt_list_all(conn, &l, &err), 0);
    assert_int_equal(l.n, 2);
    lxcf_virt_list_clear(&l);
}

/* ---- lists --------------------------------------------------------------- */

static void test_list_all_gives_lxcf_containers_sorted(void **state)
{
    lxcf_virt_list l;
    lxcf_err err = LXCF_ERR_INIT;

    /* Not "test" nor "plain" (foreign), not "bad1" (unreadable, left out
     * rather than failing the whole list). */
    assert_int_equal(lxcf_virt_list_all(conn, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.e[0].c->name, "db1");
    assert_string_equal(l.e[1].c->name, "web1");
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(l.e[i].state, VIR_DOMAIN_SHUTOFF);
        assert_int_equal(l.e[i].id, -1);
        assert_true(l.e[i].persistent);
        assert_false(l.e[i].autostart);
        assert_int_equal(l.e[i].mem_used_kib, 0);
    }
    assert_string_equal(l.e[0].c->state_note, "building");
    assert_string_equal(l.e[1].c->root, "/srv/a/web1");
    lxcf_virt_list_clear(&l);
    assert_null(l.e);
    assert_int_equal(l.n, 0);
}

/* A and B hold the same records, in the same states; with ALL_FACTS the
 * same autostart and persistence too. */
static void lxcf_t_assert_lists_agree_in(const lxcf_virt_list *a, const lxcf_virt_list *b,
                                         bool all_facts)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const lxcf_container *x = a->e[i].c, *y = b->e[i].c;

        assert_string_equal(x->name, y->name);
        assert_string_equal(x->uuid, y->uuid);
        assert_int_equal(x->model, y->model);
        assert_string_equal(x->root, y->root);
        assert_true(lxcf_streq(x->ipv4, y->ipv4));
        assert_int_equal(x->ipv4_prefix, y->ipv4_prefix);
        assert_true(lxcf_streq(x->state_note, y->state_note));
        assert_true(lxcf_streq(x->created, y->created));
        assert_int_equal(a->e[i].state, b->e[i].state);
        assert_int_equal(a->e[i].id, b->e[i].id);
        if (!all_facts)
            continue;
        assert_int_equal(a->e[i].autostart, b->e[i].autostart);
        assert_int_equal(a->e[i].persistent, b->e[i].persistent);
    }
}

/* A and the metadata list agree; autostart and the memory in use are not
 * in the latter. */
static void lxcf_t_assert_meta_agrees(const lxcf_virt_list *a)
{
    lxcf_virt_list meta;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_virt_list_meta(conn, NULL, &meta, &err), 0);
    lxcf_t_assert_lists_agree_in(a, &meta, false);
    for (size_t i = 0; i < meta.n; i++) {
        assert_false(meta.e[i].autostart);
        assert_int_equal(meta.e[i].mem_used_kib, 0);
    }
    lxcf_virt_list_clear(&meta);
}

static void lxcf_t_assert_lists_agree(const lxcf_virt_list *a, const lxcf_virt_list *b)
{
    lxcf_t_assert_lists_agree_in(a, b, true);
}

static void test_list_brief_agrees_with_list_all(void **state)
{
    _cleanup_domain_ virDomainPtr web1 = virDomainLookupByName(conn, "web1");
    lxcf_virt_list all, brief;
    lxcf_err err = LXCF_ERR_INIT;

    /* Autostart, running and paused come from different calls in the two
     * lists: each must still give the same answer. */
    assert_non_null(web1);
    assert_int_equal(virDomainSetAutostart(web1, 1), 0);
    assert_int_equal(lxcf_virt_list_all(conn, &all, &err), 0);
    assert_int_equal(lxcf_virt_list_brief(conn, &brief, &err), 0);
    assert_true(all.e[1].autostart);
    lxcf_t_assert_lists_agree(&all, &brief);
    lxcf_virt_list_clear(&all);
    lxcf_virt_list_clear(&brief);

    assert_int_equal(virDomainCreate(web1), 0);
    assert_int_equal(lxcf_virt_list_all(conn, &all, &err), 0);
    assert_int_equal(lxcf_virt_list_brief(conn, &brief, &err), 0);
    assert_int_equal(all.e[1].state, VIR_DOMAIN_RUNNING);
    assert_true(all.e[1].id > 0);
    lxcf_t_assert_lists_agree(&all, &brief);
    lxcf_t_assert_meta_agrees(&all);
    lxcf_virt_list_clear(&all);
    lxcf_virt_list_clear(&brief);

    assert_int_equal(virDomainSuspend(web1), 0);
    assert_int_equal(lxcf_virt_list_all(conn, &all, &err), 0);
    assert_int_equal(lxcf_virt_list_brief(conn, &brief, &err), 0);
    assert_int_equal(all.e[1].state, VIR_DOMAIN_PAUSED);
    lxcf_t_assert_lists_agree(&all, &brief);
    lxcf_virt_list_clear(&all);
    lxcf_virt_list_clear(&brief);

    assert_int_equal(virDomainDestroy(web1), 0);
    assert_int_equal(virDomainSetAutostart(web1, 0), 0);
}

/* ---- metadata alone ------------------------------------------------------ */

static char *lxcf_t_xml(virDomainPtr d, unsigned flags)
{
    char *x = virDomainGetXMLDesc(d, flags);

    if (!x)
        fail_msg("%s", lxcf_virt_last_error());
    return x;
}

/* Dropping the building mark by virDomainSetMetadata leaves the domain as
 * a redefinition of the whole XML without it did. */
static void test_set_meta_reads_as_a_redefinition(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_db1();
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_free_ char *building = NULL, *whole = NULL, *by_meta = NULL, *by_define = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    free(c->name);
    c->name = lxcf_xstrdup("meta1");
    c->uuid = lxcf_xstrdup("5d1c0f3e-7a2b-4c9d-8e1f-0a1b2c3d4e5f");
    assert_int_equal(lxcf_domxml_build(c, &building, &err), 0);
    assert_int_equal(lxcf_t_define_xml(building), 0);
    d = virDomainLookupByName(conn, "meta1");
    assert_non_null(d);
    free(c->state_note);
    c->state_note = NULL;
    if (lxcf_virt_set_meta(d, c, &err) < 0)
        fail_msg("%s", err.msg);
    by_meta = lxcf_t_xml(d, VIR_DOMAIN_XML_INACTIVE);
    assert_null(strstr(by_meta, "building"));
    assert_int_equal(lxcf_domxml_build(c, &whole, &err), 0);
    assert_int_equal(lxcf_t_define_xml(whole), 0);
    by_define = lxcf_t_xml(d, VIR_DOMAIN_XML_INACTIVE);
    assert_string_equal(by_meta, by_define);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_set_meta_of_a_running_domain_changes_both_definitions(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_web1();
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "web1");
    _cleanup_free_ char *live = NULL, *stored = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(d);
    assert_int_equal(virDomainCreate(d), 0);
    free(c->ipv4);
    c->ipv4 = lxcf_xstrdup("192.168.125.99");
    if (lxcf_virt_set_meta(d, c, &err) < 0)
        fail_msg("%s", err.msg);
    live = lxcf_t_xml(d, 0);
    stored = lxcf_t_xml(d, VIR_DOMAIN_XML_INACTIVE);
    assert_non_null(strstr(live, "192.168.125.99"));
    assert_non_null(strstr(stored, "192.168.125.99"));
    assert_int_equal(virDomainDestroy(d), 0);
    assert_int_equal(lxcf_t_define(lxcf_t_web1), 0);
}

/* The entry of NAME in L, or NULL. */
static const lxcf_container *lxcf_t_find(const lxcf_virt_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (lxcf_streq(l->e[i].c->name, name))
            return l->e[i].c;
    return NULL;
}

static void test_list_meta_cached_asks_only_for_new_domains(void **state)
{
    _cleanup_(lxcf_virt_cache_freep) lxcf_virt_cache *cache = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_db1();
    _cleanup_domain_ virDomainPtr d = NULL;
    lxcf_virt_list l;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_virt_list_meta(conn, &cache, &l, &err), 0);
    assert_non_null(cache);
    assert_null(lxcf_t_find(&l, "cache1"));
    lxcf_virt_list_clear(&l);
    free(c->name);
    c->name = lxcf_xstrdup("cache1");
    c->ipv4 = lxcf_xstrdup("192.168.125.40");
    c->ipv4_prefix = 24;
    assert_int_equal(lxcf_virt_define(conn, c, &d, &err), 0);
    /* A domain not seen before is read... */
    assert_int_equal(lxcf_virt_list_meta_cached(conn, &cache, &l, &err), 0);
    assert_string_equal(lxcf_t_find(&l, "cache1")->ipv4, "192.168.125.40");
    lxcf_virt_list_clear(&l);
    /* ...and then kept: only a fresh list sees its metadata change. */
    free(c->ipv4);
    c->ipv4 = lxcf_xstrdup("192.168.125.41");
    assert_int_equal(lxcf_virt_set_meta(d, c, &err), 0);
    assert_int_equal(lxcf_virt_list_meta_cached(conn, &cache, &l, &err), 0);
    assert_string_equal(lxcf_t_find(&l, "cache1")->ipv4, "192.168.125.40");
    lxcf_virt_list_clear(&l);
    assert_int_equal(lxcf_virt_list_meta(conn, &cache, &l, &err), 0);
    assert_string_equal(lxcf_t_find(&l, "cache1")->ipv4, "192.168.125.41");
    lxcf_virt_list_clear(&l);
    /* A domain gone is gone from the cached list too. */
    assert_int_equal(virDomainUndefine(d), 0);
    assert_int_equal(lxcf_virt_list_meta_cached(conn, &cache, &l, &err), 0);
    assert_null(lxcf_t_find(&l, "cache1"));
    assert_true(l.n > 0);
    lxcf_virt_list_clear(&l);
}

static void test_define_keeps_the_uuid_libvirt_chose(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_db1();
    _cleanup_domain_ virDomainPtr d = NULL, again = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    lxcf_err err = LXCF_ERR_INIT;

    free(c->name);
    c->name = lxcf_xstrdup("def1");
    if (lxcf_virt_define(conn, c, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    d = virDomainLookupByName(conn, "def1");
    assert_non_null(d);
    assert_int_equal(virDomainGetUUIDString(d, uuid), 0);
    assert_string_equal(c->uuid, uuid);
    /* A second definition of the record updates that domain, and its
     * handle is that domain's. */
    assert_int_equal(lxcf_virt_define(conn, c, &again, &err), 0);
    assert_non_null(again);
    assert_int_equal(virDomainGetUUIDString(again, uuid), 0);
    assert_string_equal(c->uuid, uuid);
    assert_int_equal(virDomainUndefine(d), 0);
}

static void test_set_lxcfs_adds_and_removes_the_mounts(void **state)
{
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "web1");
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(d);
    if (lxcf_virt_set_lxcfs(d, "/var/lib/lxcfs", &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(lxcf_virt_describe(d, &c, &err), 1);
    assert_string_equal(c->lxcfs, "/var/lib/lxcfs");
    lxcf_container_freep(&c);
    assert_int_equal(lxcf_virt_set_lxcfs(d, NULL, &err), 0);
    assert_int_equal(lxcf_virt_describe(d, &c, &err), 1);
    assert_null(c->lxcfs);
    assert_string_equal(c->root, "/srv/a/web1");
}

static void test_init_pid_of_a_stopped_domain_is_0(void **state)
{
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "db1");
    pid_t pid = 12345;
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(d);
    assert_int_equal(lxcf_virt_init_pid(d, &pid, &err), 0);
    assert_int_equal(pid, 0);
    assert_false(lxcf_error_isset(&err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_last_error_is_never_null),
        cmocka_unit_test(test_virt_error_names_object_call_and_cause),
        cmocka_unit_test(test_open_failure_says_what_to_start),
        cmocka_unit_test(test_domain_freep_accepts_null),
        cmocka_unit_test(test_lookup_by_name_gives_the_record),
        cmocka_unit_test(test_lookup_by_uuid_finds_the_same),
        cmocka_unit_test(test_lookup_without_info_still_gives_the_domain),
        cmocka_unit_test(test_lookup_of_a_missing_name_is_notfound),
        cmocka_unit_test(test_lookup_of_a_foreign_domain_is_refused),
        cmocka_unit_test(test_lookup_of_broken_metadata_names_the_domain),
        cmocka_unit_test(test_describe_of_a_foreign_domain_is_0),
        cmocka_unit_test_teardown(test_scope_limits_lookup_to_roots_beneath_it, lxcf_t_unscoped),
        cmocka_unit_test_teardown(test_scope_matches_whole_path_components, lxcf_t_unscoped),
        cmocka_unit_test_teardown(test_scope_null_sees_every_container, lxcf_t_unscoped),
        cmocka_unit_test(test_list_all_gives_lxcf_containers_sorted),
        cmocka_unit_test(test_list_brief_agrees_with_list_all),
        cmocka_unit_test(test_list_meta_cached_asks_only_for_new_domains),
        cmocka_unit_test(test_set_meta_reads_as_a_redefinition),
        cmocka_unit_test(test_set_meta_of_a_running_domain_changes_both_definitions),
        cmocka_unit_test(test_define_keeps_the_uuid_libvirt_chose),
        cmocka_unit_test(test_set_lxcfs_adds_and_removes_the_mounts),
        cmocka_unit_test(test_init_pid_of_a_stopped_domain_is_0),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
