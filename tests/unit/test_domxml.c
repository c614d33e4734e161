/* Unit tests for lib/domxml: container <-> libvirt domain XML.
 *
 * Golden files: the XML that lxcf_domxml_build (and friends) write is compared
 * byte for byte with tests/data/domxml/NAME.xml, libvirt style.  After an
 * intended change to the output, regenerate them (testutil's one switch,
 * shared with the net tests) with
 *
 *     LXCF_REGENERATE=1 meson test -C BUILDDIR domxml
 *
 * and review the diff before committing.  Every golden domain file is also
 * checked against libvirt's own schema with `virt-xml-validate FILE domain`;
 * those tests are skipped (and say why) when virt-xml-validate is missing. */
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
#include "domxml.h"
#include "testutil.h"
#include "util.h"

#define LXCF_T_DATA LXCF_TEST_DATADIR "/domxml/"

/* ---- helpers ------------------------------------------------------------- */

/* A joint container NAME rooted in /opt/lxcf/NAME, the host's /usr shared. */
static lxcf_container *lxcf_t_joint_named(const char *name, const char *uuid)
{
    lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup(name);
    c->uuid = lxcf_xstrdup(uuid);
    c->model = LXCF_MODEL_JOINT;
    c->root = lxcf_path_join("/opt/lxcf", name);
    c->usr_source = lxcf_xstrdup("/usr");
    c->emulator = lxcf_xstrdup("/usr/libexec/lxcf/lxcf-emulator");
    return c;
}

static lxcf_container *lxcf_t_joint(void)
{
    lxcf_container *c = lxcf_t_joint_named("web1", "8e5a1c2f-3b4d-4e6f-9a0b-1c2d3e4f5a6b");

    c->network = lxcf_xstrdup("lxcfn1");
    c->mac = lxcf_xstrdup("52:54:00:3a:7c:01");
    c->ipv4 = lxcf_xstrdup("192.168.125.11");
    c->ipv4_prefix = 24;
    c->memory_kib = 2097152;
    c->vcpus = 2;
    c->created = lxcf_xstrdup("2024-05-01T12:00:00Z");
    return c;
}

static lxcf_container *lxcf_t_separate(void);

static lxcf_container *lxcf_t_joint_lxcfs(void)
{
    lxcf_container *c = lxcf_t_joint();

    c->lxcfs = lxcf_xstrdup("/var/lib/lxcfs");
    return c;
}

static lxcf_container *lxcf_t_separate_lxcfs(void)
{
    lxcf_container *c = lxcf_t_separate();

    c->lxcfs = lxcf_xstrdup("/var/lib/lxcfs");
    return c;
}

static lxcf_container *lxcf_t_separate(void)
{
    lxcf_container *c = lxcf_container_new();

    c->name = lxcf_xstrdup("db1");
    c->model = LXCF_MODEL_SEPARATE;
    c->root = lxcf_xstrdup("/opt/lxcf/db1");
    c->network = lxcf_xstrdup("lxcfn1");
    c->mac = lxcf_xstrdup("52:54:00:3a:7c:02");
    c->ipv4 = lxcf_xstrdup("192.168.125.12");
    c->ipv4_prefix = 24;
    c->created = lxcf_xstrdup("2024-05-02T08:30:00Z");
    c->state_note = lxcf_xstrdup("building");
    return c;
}

static lxcf_container *lxcf_t_joint_nonet(void)
{
    lxcf_container *c = lxcf_t_joint_named("batch1", "0b6c3a7e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");

    c->memory_kib = 524288;
    c->vcpus = 1;
    c->created = lxcf_xstrdup("2024-05-03T23:59:59Z");
    return c;
}

/* 0 when libvirt's schema accepts FILE as a domain; the validator's
 * output is shown only when it refuses. */
static int lxcf_t_validate_file(const char *file)
{
    _cleanup_free_ char *out = NULL;
    char *argv[] = { "virt-xml-validate", (char *)file, "domain", NULL };

    if (lxcf_test_run(argv, &out) == 0)
        return 0;
    print_message("%s", out);
    return -1;
}

static void lxcf_t_validate_golden(const char *name)
{
    _cleanup_free_ char *path = lxcf_xasprintf("%s%s", LXCF_T_DATA, name);

    if (lxcf_t_validate_file(path) != 0)
        fail_msg("%s does not validate against libvirt's domain schema", path);
}

static void lxcf_t_validate_string(const char *xml)
{
    _cleanup_free_ char *path = lxcf_xasprintf("%s/check.xml", lxcf_test_base);
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_write_file_atomic(path, xml, strlen(xml), 0644, false, &err) < 0)
        fail_msg("%s", err.msg);
    if (lxcf_t_validate_file(path) != 0)
        fail_msg("generated xml does not validate:\n%s", xml);
    unlink(path);
}

static char *lxcf_t_build(lxcf_container *(*make)(void))
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = make();
    lxcf_err err = LXCF_ERR_INIT;
    char *xml = NULL;

    if (lxcf_domxml_build(c, &xml, &err) < 0)
        fail_msg("%s", err.msg);
    return xml;
}

static void lxcf_t_assert_str(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void lxcf_t_assert_same(const lxcf_container *a, const lxcf_container *b)
{
    lxcf_t_assert_str(a->name, b->name);
    lxcf_t_assert_str(a->uuid, b->uuid);
    assert_int_equal(a->model, b->model);
    lxcf_t_assert_str(a->root, b->root);
    lxcf_t_assert_str(a->usr_source, b->usr_source);
    lxcf_t_assert_str(a->emulator, b->emulator);
    lxcf_t_assert_str(a->network, b->network);
    lxcf_t_assert_str(a->mac, b->mac);
    lxcf_t_assert_str(a->ipv4, b->ipv4);
    assert_int_equal(a->ipv4_prefix, b->ipv4_prefix);
    assert_int_equal(a->memory_kib, b->memory_kib);
    assert_int_equal(a->vcpus, b->vcpus);
    lxcf_t_assert_str(a->created, b->created);
    lxcf_t_assert_str(a->state_note, b->state_note);
    lxcf_t_assert_str(a->lxcfs, b->lxcfs);
}

static void lxcf_t_assert_one_line(const lxcf_err *err)
{
    assert_non_null(err->msg[0] ? err->msg : NULL);
    assert_null(strchr(err->msg, '\n'));
}

/* ---- golden files -------------------------------------------------------- */

static void test_build_joint_matches_golden(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint);

    lxcf_test_golden(LXCF_T_DATA "joint.xml", xml);
}

static void test_build_separate_matches_golden(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_separate);

    lxcf_test_golden(LXCF_T_DATA "separate.xml", xml);
}

static void test_build_joint_nonet_matches_golden(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint_nonet);

    lxcf_test_golden(LXCF_T_DATA "joint-nonet.xml", xml);
}

static void test_build_with_lxcfs_matches_golden(void **state)
{
    _cleanup_free_ char *joint = lxcf_t_build(lxcf_t_joint_lxcfs);
    _cleanup_free_ char *separate = lxcf_t_build(lxcf_t_separate_lxcfs);

    lxcf_test_golden(LXCF_T_DATA "joint-lxcfs.xml", joint);
    lxcf_test_golden(LXCF_T_DATA "separate-lxcfs.xml", separate);
}

static void test_lxcfs_round_trips(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint_lxcfs();
    _cleanup_(lxcf_container_freep) lxcf_container *back = NULL;
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint_lxcfs);
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &back, &err), 1);
    lxcf_t_assert_same(c, back);
}

static void test_set_lxcfs_adds_and_removes_only_its_mounts(void **state)
{
    _cleanup_free_ char *plain = lxcf_t_build(lxcf_t_joint);
    _cleanup_free_ char *with = lxcf_t_build(lxcf_t_joint_lxcfs);
    _cleanup_free_ char *added = NULL, *again = NULL, *removed = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_lxcfs(plain, "/var/lib/lxcfs", &added, &err), 0);
    assert_string_equal(added, with);
    /* Twice is once. */
    assert_int_equal(lxcf_domxml_set_lxcfs(added, "/var/lib/lxcfs", &again, &err), 0);
    assert_string_equal(again, with);
    assert_int_equal(lxcf_domxml_set_lxcfs(with, NULL, &removed, &err), 0);
    assert_string_equal(removed, plain);
    assert_int_equal(lxcf_domxml_parse(removed, &c, &err), 1);
    assert_null(c->lxcfs);
    assert_string_equal(c->root, "/opt/lxcf/web1");
    assert_string_equal(c->usr_source, "/usr");
    assert_int_equal(lxcf_domxml_set_lxcfs(plain, "relative", &again, &err), -1);
}

static void test_meta_build_matches_golden(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_separate();
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_meta_build(c, &xml, &err), 0);
    lxcf_test_golden(LXCF_T_DATA "meta-separate.xml", xml);
}

static void test_build_is_deterministic(void **state)
{
    _cleanup_free_ char *a = lxcf_t_build(lxcf_t_joint);
    _cleanup_free_ char *b = lxcf_t_build(lxcf_t_joint);

    assert_string_equal(a, b);
}

static void test_golden_files_validate_with_libvirt_schema(void **state)
{
    lxcf_test_need_program("virt-xml-validate", "libvirt-clients");
    lxcf_t_validate_golden("joint.xml");
    lxcf_t_validate_golden("separate.xml");
    lxcf_t_validate_golden("joint-nonet.xml");
    lxcf_t_validate_golden("joint-lxcfs.xml");
    lxcf_t_validate_golden("separate-lxcfs.xml");
    lxcf_t_validate_golden("running.xml");
    lxcf_t_validate_golden("tuned.xml");
    /* The fixture of test_resource: limits as libvirt's setters store them. */
    lxcf_t_validate_golden("limits.xml");
}

/* ---- build: details and bad input ---------------------------------------- */

static void test_build_omits_uuid_when_unset(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_separate);

    assert_null(strstr(xml, "<uuid>"));
}

static void test_build_uses_defaults_for_memory_and_vcpus(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_separate);

    assert_non_null(strstr(xml, "<memory unit=\"KiB\">1048576</memory>"));
    assert_non_null(strstr(xml, "<vcpu>1</vcpu>"));
}

static void test_build_joint_mounts_usr_readonly(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint);
    const char *usr = strstr(xml, "<target dir=\"/usr\"/>");

    assert_non_null(usr);
    assert_non_null(strstr(usr, "<readonly/>"));
}

static void test_build_separate_has_no_usr_mount(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_separate);

    assert_null(strstr(xml, "\"/usr\""));
}

static void test_build_escapes_special_chars_in_name(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint();
    _cleanup_(lxcf_container_freep) lxcf_container *back = NULL;
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    free(c->name);
    c->name = lxcf_xstrdup("a&b<c>\"d'");
    free(c->root);
    c->root = lxcf_xstrdup("/opt/lxcf/a&b<c>\"d'");
    assert_int_equal(lxcf_domxml_build(c, &xml, &err), 0);
    assert_non_null(strstr(xml, "<name>a&amp;b&lt;c&gt;\"d'</name>"));
    assert_non_null(strstr(xml, "dir=\"/opt/lxcf/a&amp;b&lt;c&gt;&quot;d'\""));
    assert_int_equal(lxcf_domxml_parse(xml, &back, &err), 1);
    assert_string_equal(back->name, c->name);
    assert_string_equal(back->root, c->root);
}

static void lxcf_t_build_fails(lxcf_container *c, const char *needle)
{
    char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_build(c, &xml, &err), -1);
    assert_null(xml);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_t_assert_one_line(&err);
    assert_non_null(strstr(err.msg, needle));
    lxcf_container_free(c);
}

static void test_build_rejects_bad_input(void **state)
{
    lxcf_container *c;
    char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_build(NULL, &xml, &err), -1);
    assert_null(xml);

    c = lxcf_t_joint();
    free(c->root);
    c->root = lxcf_xstrdup("relative/root");
    lxcf_t_build_fails(c, "web1: root directory must be an absolute path");

    c = lxcf_t_joint();
    free(c->usr_source);
    c->usr_source = NULL;
    lxcf_t_build_fails(c, "web1: joint model needs");

    c = lxcf_t_joint();
    c->model = 7;
    lxcf_t_build_fails(c, "web1: unknown model 7");

    c = lxcf_t_joint();
    free(c->name);
    c->name = lxcf_xstrdup("a/b");
    lxcf_t_build_fails(c, "invalid domain name");

    c = lxcf_t_joint();
    c->ipv4_prefix = 33;
    lxcf_t_build_fails(c, "prefix 33");

    c = lxcf_t_joint();
    free(c->emulator);
    c->emulator = lxcf_xstrdup("lxcf-emulator");
    lxcf_t_build_fails(c, "emulator must be an absolute path");
}

/* ---- parse --------------------------------------------------------------- */

static void test_roundtrip_build_parse_keeps_fields(void **state)
{
    lxcf_container *(*makers[])(void) = { lxcf_t_joint, lxcf_t_separate, lxcf_t_joint_nonet };

    for (size_t i = 0; i < sizeof(makers) / sizeof(makers[0]); i++) {
        _cleanup_(lxcf_container_freep) lxcf_container *c = makers[i]();
        _cleanup_(lxcf_container_freep) lxcf_container *back = NULL;
        _cleanup_free_ char *xml = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_domxml_build(c, &xml, &err), 0);
        assert_int_equal(lxcf_domxml_parse(xml, &back, &err), 1);
        /* The builder writes the defaults out; what comes back is them. */
        if (!c->memory_kib)
            c->memory_kib = LXCF_DOMXML_DEFAULT_MEMORY_KIB;
        if (!c->vcpus)
            c->vcpus = LXCF_DOMXML_DEFAULT_VCPUS;
        lxcf_t_assert_same(c, back);
    }
}

static void test_parse_running_domain(void **state)
{
    _cleanup_free_ char *xml = lxcf_test_read_file(LXCF_T_DATA, "running.xml");
    _cleanup_(lxcf_container_freep) lxcf_container *want = lxcf_t_joint();
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 1);
    assert_non_null(c);
    lxcf_t_assert_same(want, c);
}

/* The metadata round trip as libvirt would see it: what lxcf reads back from
 * a running domain rebuilds into a domain that libvirt's schema accepts and
 * that parses to the same container again. */
static void test_parse_running_then_rebuild_validates(void **state)
{
    _cleanup_free_ char *xml = lxcf_test_read_file(LXCF_T_DATA, "running.xml");
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *again = NULL;
    _cleanup_free_ char *rebuilt = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_need_program("virt-xml-validate", "libvirt-clients");
    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 1);
    assert_int_equal(lxcf_domxml_build(c, &rebuilt, &err), 0);
    lxcf_t_validate_string(rebuilt);
    assert_int_equal(lxcf_domxml_parse(rebuilt, &again, &err), 1);
    lxcf_t_assert_same(c, again);
}

static void test_parse_foreign_domain_returns_0(void **state)
{
    _cleanup_free_ char *xml = lxcf_test_read_file(LXCF_T_DATA, "foreign.xml");
    lxcf_container *c = (lxcf_container *)&c;
    lxcf_err err = LXCF_ERR_INIT;

    /* foreign.xml has an lxcf:container element, but in another namespace. */
    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 0);
    assert_null(c);
    assert_int_equal(err.code, 0);
}

static void test_parse_domain_without_metadata_returns_0(void **state)
{
    const char *xml = "<domain type='lxc'><name>plain</name></domain>";
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 0);
    assert_null(c);
}

static void test_parse_matches_namespace_not_prefix(void **state)
{
    const char *xml =
        "<domain type='lxc'><name>x1</name><metadata>"
        "<other:container xmlns:other='" LXCF_XMLNS "'>"
        "<other:model>separate</other:model><other:root>/r</other:root>"
        "</other:container></metadata></domain>";
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 1);
    assert_int_equal(c->model, LXCF_MODEL_SEPARATE);
    assert_string_equal(c->root, "/r");
}

static void test_parse_malformed_returns_minus1(void **state)
{
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse("<domain><name>x</domain>", &c, &err), -1);
    assert_null(c);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    lxcf_t_assert_one_line(&err);
    assert_non_null(strstr(err.msg, "malformed xml"));
    /* libxml2's own words about the mismatch are kept. */
    assert_non_null(strstr(err.msg, "mismatch"));
}

static void test_parse_empty_returns_minus1(void **state)
{
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse("", &c, &err), -1);
    assert_null(c);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
}

static void test_parse_non_domain_returns_minus1(void **state)
{
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse("<network><name>n</name></network>", &c, &err), -1);
    assert_null(c);
    assert_non_null(strstr(err.msg, "not a domain xml"));
}

static void test_parse_rejects_doctype_entities(void **state)
{
    const char *xml =
        "<!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
        "<domain type='lxc'><name>&b;</name><metadata>"
        "<lxcf:container xmlns:lxcf='" LXCF_XMLNS "'><lxcf:model>joint</lxcf:model>"
        "</lxcf:container></metadata></domain>";
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), -1);
    assert_null(c);
    assert_non_null(strstr(err.msg, "DOCTYPE"));
}

/* A domain NAME with EXTRA elements and lxcf metadata of MODEL. */
static char *lxcf_t_domain(const char *name, const char *extra, const char *model)
{
    return lxcf_xasprintf("<domain type='lxc'><name>%s</name>%s<metadata>"
                          "<lxcf:container xmlns:lxcf='" LXCF_XMLNS "'><lxcf:model>%s</lxcf:model>"
                          "</lxcf:container></metadata></domain>", name, extra, model);
}

static void lxcf_t_parse_fails(const char *xml, const char *msg)
{
    lxcf_container *c = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_parse(xml, &c, &err), -1);
    assert_null(c);
    assert_string_equal(err.msg, msg);
}

static void test_parse_bad_model_returns_minus1(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_domain("x1", "", "shared");

    lxcf_t_parse_fails(xml, "x1: lxcf metadata has unknown model 'shared'");
}

static void test_parse_converts_memory_units_to_kib(void **state)
{
    static const struct {
        const char *mem;
        unsigned long long kib;
    } cases[] = {
        { "<memory>4096</memory>", 4096 },
        { "<memory unit='MiB'>512</memory>", 524288 },
        { "<memory unit='GiB'>2</memory>", 2097152 },
        { "<memory unit='bytes'>1025</memory>", 2 },
        { "<memory unit='KB'>1024</memory>", 1000 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_free_ char *xml = lxcf_t_domain("m", cases[i].mem, "joint");
        _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_domxml_parse(xml, &c, &err), 1);
        assert_int_equal(c->memory_kib, cases[i].kib);
    }
}

static void test_parse_bad_memory_returns_minus1(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_domain("m", "<memory unit='parsecs'>1</memory>", "joint");

    lxcf_t_parse_fails(xml, "m: unknown unit 'parsecs'");
}

/* ---- metadata alone ------------------------------------------------------ */

static void test_meta_roundtrip_keeps_fields(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint();
    _cleanup_(lxcf_container_freep) lxcf_container *back = lxcf_container_new();
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    c->state_note = lxcf_xstrdup("building");
    assert_int_equal(lxcf_domxml_meta_build(c, &xml, &err), 0);
    assert_int_equal(lxcf_domxml_meta_parse(xml, back, &err), 0);
    assert_int_equal(back->model, c->model);
    assert_string_equal(back->root, c->root);
    assert_string_equal(back->ipv4, c->ipv4);
    assert_int_equal(back->ipv4_prefix, c->ipv4_prefix);
    assert_string_equal(back->created, c->created);
    assert_string_equal(back->state_note, "building");
}

/* What virDomainGetMetadata returns after libvirt re-serialised our element
 * (its own prefix and quoting); a missing state means "complete". */
static void test_meta_parse_libvirt_output_clears_state(void **state)
{
    const char *xml =
        "<lxcf:container xmlns:lxcf=\"" LXCF_XMLNS "\">\n"
        "  <lxcf:model>separate</lxcf:model>\n"
        "  <lxcf:root>/opt/lxcf/db1</lxcf:root>\n"
        "  <lxcf:ipv4 prefix=\"16\">10.1.0.5</lxcf:ipv4>\n"
        "</lxcf:container>";
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint();
    lxcf_err err = LXCF_ERR_INIT;

    c->state_note = lxcf_xstrdup("building");
    assert_int_equal(lxcf_domxml_meta_parse(xml, c, &err), 0);
    assert_int_equal(c->model, LXCF_MODEL_SEPARATE);
    assert_string_equal(c->ipv4, "10.1.0.5");
    assert_int_equal(c->ipv4_prefix, 16);
    assert_null(c->state_note);
    assert_null(c->created);
    /* Fields outside the metadata are not touched. */
    assert_string_equal(c->network, "lxcfn1");
}

static void test_meta_parse_wrong_namespace_leaves_container_unchanged(void **state)
{
    const char *xml = "<lxcf:container xmlns:lxcf='urn:other'>"
                      "<lxcf:model>separate</lxcf:model></lxcf:container>";
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint();
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_meta_parse(xml, c, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "web1: not lxcf metadata"));
    assert_int_equal(c->model, LXCF_MODEL_JOINT);
}

static void test_meta_parse_bad_prefix_leaves_container_unchanged(void **state)
{
    const char *xml = "<lxcf:container xmlns:lxcf='" LXCF_XMLNS "'>"
                      "<lxcf:model>separate</lxcf:model>"
                      "<lxcf:ipv4 prefix='40'>10.0.0.1</lxcf:ipv4></lxcf:container>";
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_t_joint();
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_meta_parse(xml, c, &err), -1);
    assert_non_null(strstr(err.msg, "bad ipv4 prefix '40'"));
    assert_int_equal(c->model, LXCF_MODEL_JOINT);
    assert_string_equal(c->ipv4, "192.168.125.11");
}

/* ---- resource tuning ----------------------------------------------------- */

static const lxcf_tune lxcf_t_tune = {
    .has_mem_hard_limit = true, .mem_hard_limit_kib = 1048576,
    .has_swap_hard_limit = true, .swap_hard_limit_kib = 2097152,
    .cpuset = "0-1",
    .numa_nodeset = "0",
};

static char *lxcf_t_tuned_joint(void)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint);
    lxcf_err err = LXCF_ERR_INIT;
    char *out = NULL;

    if (lxcf_domxml_set_tune(xml, &lxcf_t_tune, &out, &err) < 0)
        fail_msg("%s", err.msg);
    return out;
}

static void test_set_tune_matches_golden(void **state)
{
    _cleanup_free_ char *out = lxcf_t_tuned_joint();

    lxcf_test_golden(LXCF_T_DATA "tuned.xml", out);
}

static void test_set_tune_twice_is_same_as_once(void **state)
{
    _cleanup_free_ char *once = lxcf_t_tuned_joint();
    _cleanup_free_ char *twice = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_tune(once, &lxcf_t_tune, &twice, &err), 0);
    assert_string_equal(once, twice);
}

static void test_set_tune_keeps_running_domain_parts(void **state)
{
    _cleanup_free_ char *xml = lxcf_test_read_file(LXCF_T_DATA, "running.xml");
    _cleanup_free_ char *out = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *want = lxcf_t_joint();
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_tune(xml, &lxcf_t_tune, &out, &err), 0);
    assert_non_null(strstr(out, "<partition>/machine</partition>"));
    assert_non_null(strstr(out, "<vcpu placement=\"static\" cpuset=\"0-1\">2</vcpu>"));
    assert_non_null(strstr(out, "<guest dev=\"eth0\"/>"));
    assert_int_equal(lxcf_domxml_parse(out, &c, &err), 1);
    lxcf_t_assert_same(want, c);
    /* The schema check is the last step: without the validator the rest
     * still stands, and the log says what was left out. */
    if (lxcf_test_have_program("virt-xml-validate"))
        lxcf_t_validate_string(out);
    else
        print_message("virt-xml-validate not found (install libvirt-clients): schema check left out\n");
}

static void test_set_tune_replaces_existing_values(void **state)
{
    _cleanup_free_ char *once = lxcf_t_tuned_joint();
    _cleanup_free_ char *out = NULL;
    lxcf_tune t = { .has_mem_hard_limit = true, .mem_hard_limit_kib = 4096,
                    .numa_nodeset = "1" };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_tune(once, &t, &out, &err), 0);
    assert_non_null(strstr(out, "<hard_limit unit=\"KiB\">4096</hard_limit>"));
    assert_null(strstr(out, "<hard_limit unit=\"KiB\">1048576</hard_limit>"));
    assert_non_null(strstr(out, "nodeset=\"1\""));
    /* Untouched limits stay, and nothing is duplicated. */
    assert_non_null(strstr(out, "<swap_hard_limit unit=\"KiB\">2097152</swap_hard_limit>"));
    assert_non_null(strstr(out, "cpuset=\"0-1\""));
    assert_null(strstr(strstr(out, "<numatune>") + 1, "<numatune>"));
}

static void test_set_tune_empty_strings_remove_cpuset_and_nodeset(void **state)
{
    _cleanup_free_ char *once = lxcf_t_tuned_joint();
    _cleanup_free_ char *out = NULL;
    lxcf_tune t = { .cpuset = "", .numa_nodeset = "" };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_tune(once, &t, &out, &err), 0);
    assert_null(strstr(out, "cpuset"));
    assert_null(strstr(out, "numatune"));
    assert_non_null(strstr(out, "<vcpu>2</vcpu>"));
}

static void test_set_tune_rejects_bad_input(void **state)
{
    _cleanup_free_ char *xml = lxcf_t_build(lxcf_t_joint);
    const lxcf_tune bad[] = {
        { .cpuset = "0-1;rm" },
        { .numa_nodeset = "zero" },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *out = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_domxml_set_tune(xml, &bad[i], &out, &err), -1);
        assert_null(out);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        lxcf_t_assert_one_line(&err);
    }
}

static void test_set_tune_malformed_xml_returns_minus1(void **state)
{
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_domxml_set_tune("<domain", &lxcf_t_tune, &out, &err), -1);
    assert_null(out);
    assert_non_null(strstr(err.msg, "malformed xml"));
}

/* ---- main ---------------------------------------------------------------- */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_joint_matches_golden),
        cmocka_unit_test(test_build_with_lxcfs_matches_golden),
        cmocka_unit_test(test_lxcfs_round_trips),
        cmocka_unit_test(test_set_lxcfs_adds_and_removes_only_its_mounts),
        cmocka_unit_test(test_build_separate_matches_golden),
        cmocka_unit_test(test_build_joint_nonet_matches_golden),
        cmocka_unit_test(test_meta_build_matches_golden),
        cmocka_unit_test(test_set_tune_matches_golden),
        cmocka_unit_test(test_build_is_deterministic),
        cmocka_unit_test(test_golden_files_validate_with_libvirt_schema),
        cmocka_unit_test(test_build_omits_uuid_when_unset),
        cmocka_unit_test(test_build_uses_defaults_for_memory_and_vcpus),
        cmocka_unit_test(test_build_joint_mounts_usr_readonly),
        cmocka_unit_test(test_build_separate_has_no_usr_mount),
        cmocka_unit_test(test_build_escapes_special_chars_in_name),
        cmocka_unit_test(test_build_rejects_bad_input),
        cmocka_unit_test(test_roundtrip_build_parse_keeps_fields),
        cmocka_unit_test(test_parse_running_domain),
        cmocka_unit_test(test_parse_running_then_rebuild_validates),
        cmocka_unit_test(test_parse_foreign_domain_returns_0),
        cmocka_unit_test(test_parse_domain_without_metadata_returns_0),
        cmocka_unit_test(test_parse_matches_namespace_not_prefix),
        cmocka_unit_test(test_parse_malformed_returns_minus1),
        cmocka_unit_test(test_parse_empty_returns_minus1),
        cmocka_unit_test(test_parse_non_domain_returns_minus1),
        cmocka_unit_test(test_parse_rejects_doctype_entities),
        cmocka_unit_test(test_parse_bad_model_returns_minus1),
        cmocka_unit_test(test_parse_converts_memory_units_to_kib),
        cmocka_unit_test(test_parse_bad_memory_returns_minus1),
        cmocka_unit_test(test_meta_roundtrip_keeps_fields),
        cmocka_unit_test(test_meta_parse_libvirt_output_clears_state),
        cmocka_unit_test(test_meta_parse_wrong_namespace_leaves_container_unchanged),
        cmocka_unit_test(test_meta_parse_bad_prefix_leaves_container_unchanged),
        cmocka_unit_test(test_set_tune_twice_is_same_as_once),
        cmocka_unit_test(test_set_tune_keeps_running_domain_parts),
        cmocka_unit_test(test_set_tune_replaces_existing_values),
        cmocka_unit_test(test_set_tune_empty_strings_remove_cpuset_and_nodeset),
        cmocka_unit_test(test_set_tune_rejects_bad_input),
        cmocka_unit_test(test_set_tune_malformed_xml_returns_minus1),
    };

    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}
