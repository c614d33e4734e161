/* Unit tests for lib/xml: the safe parser, the one serialiser, the node
 * helpers, the number parser and libvirt's scaled-value codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "util.h"
#include "xml.h"

/* ---- helpers ------------------------------------------------------------- */

static xmlDoc *read_ok(const char *xml)
{
    xmlDoc *doc = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_xml_read(xml, "t", 0, &doc, &err) < 0)
        fail_msg("%s", err.msg);
    return doc;
}

static void read_fails(const char *xml, const char *want)
{
    xmlDoc *doc = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_xml_read(xml, "t", 0, &doc, &err), -1);
    assert_null(doc);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    if (!lxcf_startswith(err.msg, want))
        fail_msg("\"%s\" does not start with \"%s\"", err.msg, want);
}

static char *dump_root(xmlDoc *doc)
{
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_xml_dump(xmlDocGetRootElement(doc), &out, &err) < 0)
        fail_msg("%s", err.msg);
    return out;
}

/* <e unit='UNIT'>TEXT</e> in KiB, or -1 with ERR. */
static int size_kib(const char *text, const char *unit, unsigned long long *kib,
                    lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *e = lxcf_xml_new_doc(&doc, "e");

    lxcf_xml_set_text(e, text);
    if (unit)
        lxcf_xml_set_attr(e, "unit", unit);
    return lxcf_xml_size_kib(e, "e", kib, err);
}

/* ---- parsing ------------------------------------------------------------- */

static void test_read_refuses_doctype(void **state)
{
    (void)state;
    /* Entities would expand on reading the text (billion laughs). */
    read_fails("<!DOCTYPE a [<!ENTITY x 'xxxxxxxx'><!ENTITY y '&x;&x;&x;&x;'>]><a>&y;</a>",
               "t: xml with a DOCTYPE is not accepted");
    read_fails("<!DOCTYPE a SYSTEM 'http://example.invalid/a.dtd'><a/>",
               "t: xml with a DOCTYPE is not accepted");
}

static void test_read_malformed_names_the_line(void **state)
{
    (void)state;
    read_fails("<a>\n  <b>\n</a>\n", "t: malformed xml at line 3: ");
    read_fails("<a", "t: malformed xml at line 1: ");
    read_fails("just text", "t: malformed xml at line 1: ");
}

static void test_read_keeps_libxml2_words_on_one_line(void **state)
{
    xmlDoc *doc = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_xml_read("<a><b></a>", "t", 0, &doc, &err), -1);
    assert_non_null(strstr(err.msg, "mismatch"));
    assert_null(strchr(err.msg, '\n'));
}

static void test_read_empty_and_null(void **state)
{
    (void)state;
    read_fails("", "t: empty xml");
    read_fails(NULL, "t: empty xml");
}

static void test_read_extra_opts_drop_blanks(void **state)
{
    _cleanup_xmldoc_ xmlDoc *plain = read_ok("<a>\n <b/>\n</a>");
    _cleanup_xmldoc_ xmlDoc *edit = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_xml_read("<a>\n <b/>\n</a>", "t", XML_PARSE_NOBLANKS, &edit, &err), 0);
    assert_int_equal(xmlDocGetRootElement(plain)->children->type, XML_TEXT_NODE);
    assert_int_equal(xmlDocGetRootElement(edit)->children->type, XML_ELEMENT_NODE);
}

/* ---- serialising ---------------------------------------------------------- */

static void test_dump_style(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_free_ char *out = NULL;
    xmlNode *root = lxcf_xml_new_doc(&doc, "a");
    xmlNode *b;

    (void)state;
    b = lxcf_xml_add(root, NULL, "b", "x < y & \"z\" \xc3\xa9");
    lxcf_xml_set_attr(b, "k", "1&2");
    lxcf_xml_add(lxcf_xml_add(root, NULL, "c", NULL), NULL, "d", "&amp;");
    out = dump_root(doc);
    /* No declaration, 2-space indent, UTF-8 kept as such, escaped text
     * (never parsed for entities), a final newline. */
    assert_string_equal(out, "<a>\n"
                             "  <b k=\"1&amp;2\">x &lt; y &amp; \"z\" \xc3\xa9</b>\n"
                             "  <c>\n"
                             "    <d>&amp;amp;</d>\n"
                             "  </c>\n"
                             "</a>\n");
}

static void test_dump_compact_has_no_indentation(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_free_ char *out = NULL;
    xmlNode *root = lxcf_xml_new_doc(&doc, "a");
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_xml_set_attr(lxcf_xml_add(root, NULL, "b", "x & y"), "k", "1");
    lxcf_xml_add(lxcf_xml_add(root, NULL, "c", NULL), NULL, "d", NULL);
    assert_int_equal(lxcf_xml_dump_compact(root, &out, &err), 0);
    assert_string_equal(out, "<a><b k=\"1\">x &amp; y</b><c><d/></c></a>\n");
}

static void test_dump_reindents_an_edited_document(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_free_ char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_xml_read("<a>\n      <b/>\n</a>", "t", XML_PARSE_NOBLANKS, &doc,
                                   &err), 0);
    lxcf_xml_add(xmlDocGetRootElement(doc), NULL, "c", "1");
    out = dump_root(doc);
    assert_string_equal(out, "<a>\n  <b/>\n  <c>1</c>\n</a>\n");
}

/* ---- node helpers ----------------------------------------------------------- */

static void test_child_skips_other_namespaces(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc =
        read_ok("<a xmlns:o='urn:o'><o:name>theirs</o:name><name>ours</name><e/></a>");
    xmlNode *a = xmlDocGetRootElement(doc);
    _cleanup_free_ char *name = lxcf_xml_child_text(a, "name");
    _cleanup_free_ char *empty = lxcf_xml_child_text(a, "e");

    (void)state;
    assert_string_equal(name, "ours");
    assert_string_equal(empty, "");
    assert_true(lxcf_xml_is(a->children, "name"));
    assert_false(lxcf_xml_is_plain(a->children, "name"));
    assert_null(lxcf_xml_child(a, "missing"));
    assert_null(lxcf_xml_child(NULL, "name"));
    assert_null(lxcf_xml_child_text(a, "missing"));
    assert_null(lxcf_xml_text(NULL));
}

static void test_attr_and_set_text(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc = read_ok("<a k='v'>old<b/></a>");
    xmlNode *a = xmlDocGetRootElement(doc);
    _cleanup_free_ char *k = lxcf_xml_attr(a, "k"), *out = NULL;

    (void)state;
    assert_string_equal(k, "v");
    assert_null(lxcf_xml_attr(a, "missing"));
    assert_null(lxcf_xml_attr(NULL, "k"));
    lxcf_xml_set_attr(a, "k", "w");
    lxcf_xml_set_text(a, "<new>");
    lxcf_xml_remove(NULL);
    out = dump_root(doc);
    assert_string_equal(out, "<a k=\"w\">&lt;new&gt;</a>\n");
}

/* ---- numbers ------------------------------------------------------------- */

static void test_parse_ull(void **state)
{
    static const struct {
        const char *s;
        unsigned long long v;
    } ok[] = { { "0", 0 }, { " 42\n", 42 }, { "18446744073709551615", 18446744073709551615ULL } };
    static const char *const bad[] = { "", "-1", "+1", "12x", "1 2", "18446744073709551616" };

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        unsigned long long v = 0;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_xml_parse_ull(ok[i].s, "n", &v, &err), 0);
        assert_true(v == ok[i].v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long long v = 7;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_xml_parse_ull(bad[i], "n", &v, &err), -1);
        assert_true(lxcf_startswith(err.msg, "n: '"));
        assert_true(v == 7);
    }
}

static void test_parse_ll(void **state)
{
    long long v = 0;
    lxcf_err err = LXCF_ERR_INIT, e2 = LXCF_ERR_INIT, e3 = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_xml_parse_ll("-1", "q", &v, &err), 0);
    assert_true(v == -1);
    assert_int_equal(lxcf_xml_parse_ll(" -9223372036854775808 ", "q", &v, &err), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(lxcf_xml_parse_ll("9223372036854775807", "q", &v, &err), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(lxcf_xml_parse_ll("9223372036854775808", "q", &v, &e2), -1);
    assert_string_equal(e2.msg, "q: '9223372036854775808' is not a valid number");
    assert_int_equal(lxcf_xml_parse_ll("-x", "q", &v, &e3), -1);
    assert_string_equal(e3.msg, "q: '-x' is not a number");
}

/* ---- scaled values ------------------------------------------------------- */

static void test_scaled_every_unit(void **state)
{
    static const struct {
        const char *unit;
        unsigned long long bytes;
    } cases[] = {
        { NULL, 1024ULL },  { "", 1024ULL },  { "b", 1ULL },  { "byte", 1ULL },
        { "bytes", 1ULL },  { "B", 1ULL },    { "k", 1ULL << 10 }, { "KiB", 1ULL << 10 },
        { "KB", 1000ULL },  { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
        { "MB", 1000000ULL }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
        { "GB", 1000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
        { "TB", 1000000000000ULL }, { "P", 1ULL << 50 }, { "PiB", 1ULL << 50 },
        { "PB", 1000000000000000ULL }, { "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
        { "EB", 1000000000000000000ULL },
        /* libvirt reads suffixes in any case. */
        { "mib", 1ULL << 20 }, { "gb", 1000000000ULL }, { "KIB", 1ULL << 10 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long long bytes = 0;
        lxcf_err err = LXCF_ERR_INIT;

        if (lxcf_xml_scaled(1, cases[i].unit, 1024, "s", &bytes, &err) < 0)
            fail_msg("%s: %s", cases[i].unit ? cases[i].unit : "(none)", err.msg);
        if (bytes != cases[i].bytes)
            fail_msg("%s: %llu, want %llu", cases[i].unit ? cases[i].unit : "(none)", bytes,
                     cases[i].bytes);
    }
}

static void test_scaled_unknown_units(void **state)
{
    static const char *const bad[] = { "parsecs", "KiBB", "iB", "Q", "Kb2", "KiBytes", "x" };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long long bytes = 0;
        lxcf_err err = LXCF_ERR_INIT;
        _cleanup_free_ char *want = lxcf_xasprintf("s: unknown unit '%s'", bad[i]);

        assert_int_equal(lxcf_xml_scaled(1, bad[i], 1024, "s", &bytes, &err), -1);
        assert_string_equal(err.msg, want);
    }
}

static void test_scaled_overflow(void **state)
{
    unsigned long long bytes = 0;
    lxcf_err e1 = LXCF_ERR_INIT, e2 = LXCF_ERR_INIT, ok = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_xml_scaled(15, "EiB", 1024, "s", &bytes, &ok), 0);
    assert_true(bytes == 15ULL << 60);
    assert_int_equal(lxcf_xml_scaled(16, "EiB", 1024, "s", &bytes, &e1), -1);
    assert_string_equal(e1.msg, "s: 16 EiB is too large");
    assert_int_equal(lxcf_xml_scaled(1ULL << 54, NULL, 1024, "s", &bytes, &e2), -1);
    assert_string_equal(e2.msg, "s: 18014398509481984 is too large");
}

/* Sizes round up to whole KiB, as libvirt rounds a domain's memory. */
static void test_size_kib_rounds_up(void **state)
{
    static const struct {
        const char *text, *unit;
        unsigned long long kib;
    } cases[] = {
        { "4096", NULL, 4096 },   { "0", "b", 0 },        { "1", "b", 1 },
        { "1024", "bytes", 1 },   { "1025", "bytes", 2 }, { "1", "KB", 1 },
        { "1024", "KB", 1000 },   { "1", "MB", 977 },     { "512", "MiB", 524288 },
        { " 2 ", "GiB", 2097152 }, { "1", "GB", 976563 }, { "1", "EiB", 1ULL << 50 },
        { "9007199254740991", "KiB", 9007199254740991ULL },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long long kib = 0;
        lxcf_err err = LXCF_ERR_INIT;

        if (size_kib(cases[i].text, cases[i].unit, &kib, &err) < 0)
            fail_msg("%s %s: %s", cases[i].text, cases[i].unit, err.msg);
        if (kib != cases[i].kib)
            fail_msg("%s %s: %llu KiB, want %llu", cases[i].text, cases[i].unit, kib,
                     cases[i].kib);
    }
}

static void test_size_kib_rejects(void **state)
{
    unsigned long long kib = 0;
    lxcf_err e1 = LXCF_ERR_INIT, e2 = LXCF_ERR_INIT, e3 = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(size_kib("x", "KiB", &kib, &e1), -1);
    assert_string_equal(e1.msg, "e: 'x' is not a number");
    assert_int_equal(size_kib("1", "parsecs", &kib, &e2), -1);
    assert_string_equal(e2.msg, "e: unknown unit 'parsecs'");
    assert_int_equal(size_kib("17", "EiB", &kib, &e3), -1);
    assert_string_equal(e3.msg, "e: 17 EiB is too large");
}

static void test_set_size_kib_writes_libvirt_form(void **state)
{
    _cleanup_xmldoc_ xmlDoc *doc = read_ok("<memory unit='MiB'>4</memory>");
    _cleanup_free_ char *out = NULL;
    unsigned long long kib = 0;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_xml_set_size_kib(xmlDocGetRootElement(doc), 4096);
    out = dump_root(doc);
    assert_string_equal(out, "<memory unit=\"KiB\">4096</memory>\n");
    assert_int_equal(lxcf_xml_size_kib(xmlDocGetRootElement(doc), "m", &kib, &err), 0);
    assert_true(kib == 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_refuses_doctype),
        cmocka_unit_test(test_read_malformed_names_the_line),
        cmocka_unit_test(test_read_keeps_libxml2_words_on_one_line),
        cmocka_unit_test(test_read_empty_and_null),
        cmocka_unit_test(test_read_extra_opts_drop_blanks),
        cmocka_unit_test(test_dump_style),
        cmocka_unit_test(test_dump_compact_has_no_indentation),
        cmocka_unit_test(test_dump_reindents_an_edited_document),
        cmocka_unit_test(test_child_skips_other_namespaces),
        cmocka_unit_test(test_attr_and_set_text),
        cmocka_unit_test(test_parse_ull),
        cmocka_unit_test(test_parse_ll),
        cmocka_unit_test(test_scaled_every_unit),
        cmocka_unit_test(test_scaled_unknown_units),
        cmocka_unit_test(test_scaled_overflow),
        cmocka_unit_test(test_size_kib_rounds_up),
        cmocka_unit_test(test_size_kib_rejects),
        cmocka_unit_test(test_set_size_kib_writes_libvirt_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
