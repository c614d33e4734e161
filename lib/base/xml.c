#include "xml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlsave.h>
#include <libxml/xmlversion.h>

#include "util.h"

LXCF_DEFINE_CLEANUP_FUNC(lxcf_xml_ctxtp, xmlParserCtxt *, xmlFreeParserCtxt)
LXCF_DEFINE_CLEANUP_FUNC(lxcf_xml_bufp, xmlBuffer *, xmlBufferFree)

/* libxml2 returns NULL from its constructors only when out of memory;
 * like lxcf_xmalloc, give up. */
static void *lxcf_xml_must(void *p)
{
    if (!p)
        abort();
    return p;
}

void lxcf_xml_init(void)
{
    xmlInitParser();
}

/* ---- parsing ------------------------------------------------------------- */

/* The first error libxml2 reports is the cause; later ones (premature end
 * of data...) are consequences, so keep only the first. */
typedef struct lxcf_xml_errbuf {
    bool set;
    int line;
    char msg[256];
} lxcf_xml_errbuf;

/* libxml2 2.12 made the handler's error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError lxcf_xml_error;
#else
typedef xmlError lxcf_xml_error;
#endif

static void lxcf_xml_on_error(void *data, lxcf_xml_error *e)
{
    xmlParserCtxt *ctxt = data;
    lxcf_xml_errbuf *eb = ctxt ? ctxt->_private : NULL;
    size_t n;

    if (!eb || eb->set || !e || e->level < XML_ERR_ERROR)
        return;
    eb->set = true;
    eb->line = e->line;
    snprintf(eb->msg, sizeof(eb->msg), "%s", e->message ? e->message : "unknown error");
    n = strlen(eb->msg);
    while (n > 0 && (eb->msg[n - 1] == '\n' || eb->msg[n - 1] == ' '))
        eb->msg[--n] = '\0';
}

/* A per-context structured handler takes the messages: other code in the
 * process may rely on libxml2's global handlers and last error. */
int lxcf_xml_read(const char *xml, const char *what, int extra_opts, xmlDoc **out,
                  lxcf_err *err)
{
    _cleanup_(lxcf_xml_ctxtp) xmlParserCtxt *ctxt = NULL;
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                     XML_PARSE_NOCDATA | extra_opts;
    lxcf_xml_errbuf eb = { 0 };
    size_t len;
    xmlDoc *doc;

    if (!xml || !*xml)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: empty xml", what);
    len = strlen(xml);
    if (len > INT32_MAX)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: xml too large", what);
    ctxt = xmlNewParserCtxt();
    if (!ctxt || !ctxt->sax)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: cannot create xml parser", what);
    ctxt->_private = &eb;
    ctxt->sax->serror = lxcf_xml_on_error;
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, "UTF-8", opts);
    if (!doc || !xmlDocGetRootElement(doc)) {
        if (doc)
            xmlFreeDoc(doc);
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: malformed xml at line %d: %s", what,
                          eb.set ? eb.line : 1, eb.set ? eb.msg : "no root element");
    }
    /* Without XML_PARSE_NOENT entities stay unexpanded in the tree, but
     * xmlNodeGetContent would expand them (billion laughs). */
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: xml with a DOCTYPE is not accepted", what);
    }
    *out = doc;
    return 0;
}

/* ---- serialising and building -------------------------------------------- */

static int lxcf_xml_save(xmlNode *node, int opts, char **out, lxcf_err *err)
{
    _cleanup_(lxcf_xml_bufp) xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save;
    const char *content;

    if (!buf)
        return lxcf_error(err, LXCF_EXIT_FAIL, "cannot allocate xml buffer");
    save = xmlSaveToBuffer(buf, "UTF-8", opts | XML_SAVE_NO_DECL);
    if (!save)
        return lxcf_error(err, LXCF_EXIT_FAIL, "cannot create xml writer");
    if (xmlSaveTree(save, node) < 0) {
        xmlSaveClose(save);
        return lxcf_error(err, LXCF_EXIT_FAIL, "cannot serialise xml");
    }
    if (xmlSaveClose(save) < 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "cannot serialise xml");
    content = (const char *)xmlBufferContent(buf);
    *out = lxcf_xasprintf("%s\n", content ? content : "");
    return 0;
}

int lxcf_xml_dump(xmlNode *node, char **out, lxcf_err *err)
{
    return lxcf_xml_save(node, XML_SAVE_FORMAT, out, err);
}

int lxcf_xml_dump_compact(xmlNode *node, char **out, lxcf_err *err)
{
    return lxcf_xml_save(node, 0, out, err);
}

xmlNode *lxcf_xml_new_doc(xmlDoc **doc, const char *name)
{
    xmlNode *root;

    *doc = lxcf_xml_must(xmlNewDoc(BAD_CAST "1.0"));
    root = lxcf_xml_must(xmlNewDocNode(*doc, NULL, BAD_CAST name, NULL));
    xmlDocSetRootElement(*doc, root);
    return root;
}

/* xmlNewTextChild escapes TEXT; xmlNewChild would parse entities in it. */
xmlNode *lxcf_xml_add(xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
    return lxcf_xml_must(xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text));
}

void lxcf_xml_set_attr(xmlNode *n, const char *name, const char *value)
{
    lxcf_xml_must(xmlSetProp(n, BAD_CAST name, BAD_CAST value));
}

void lxcf_xml_set_text(xmlNode *n, const char *text)
{
    xmlNodeSetContent(n, NULL);
    xmlAddChild(n, lxcf_xml_must(xmlNewDocText(n->doc, BAD_CAST text)));
}

void lxcf_xml_remove(xmlNode *n)
{
    if (!n)
        return;
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* ---- reading ------------------------------------------------------------- */

bool lxcf_xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && lxcf_streq((const char *)n->name, name);
}

bool lxcf_xml_is_plain(const xmlNode *n, const char *name)
{
    return lxcf_xml_is(n, name) && !n->ns;
}

xmlNode *lxcf_xml_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (lxcf_xml_is_plain(n, name))
            return n;
    return NULL;
}

/* Our own copy: xmlFree and free may differ. */
static char *lxcf_xml_own(xmlChar *t)
{
    char *s;

    if (!t)
        return NULL;
    s = lxcf_xstrdup((const char *)t);
    xmlFree(t);
    return s;
}

char *lxcf_xml_text(const xmlNode *node)
{
    char *s;

    if (!node)
        return NULL;
    s = lxcf_xml_own(xmlNodeGetContent(node));
    return s ? s : lxcf_xstrdup("");
}

char *lxcf_xml_child_text(const xmlNode *parent, const char *name)
{
    return lxcf_xml_text(lxcf_xml_child(parent, name));
}

char *lxcf_xml_attr(const xmlNode *node, const char *name)
{
    return node ? lxcf_xml_own(xmlGetNoNsProp(node, BAD_CAST name)) : NULL;
}

/* ---- numbers ------------------------------------------------------------- */

/* Numbers in XML text, which may have blanks around them. */
int lxcf_xml_parse_ull(const char *s, const char *what, unsigned long long *out,
                       lxcf_err *err)
{
    uint64_t v;

    if (lxcf_parse_u64(s, LXCF_NUM_BLANKS | LXCF_NUM_DATA, 0, UINT64_MAX, what, &v, err) < 0)
        return -1;
    *out = v;
    return 0;
}

int lxcf_xml_parse_ll(const char *s, const char *what, long long *out, lxcf_err *err)
{
    int64_t v;

    if (lxcf_parse_i64(s, LXCF_NUM_BLANKS | LXCF_NUM_DATA, INT64_MIN, INT64_MAX, what, &v, err) < 0)
        return -1;
    *out = v;
    return 0;
}

int lxcf_xml_ull(const xmlNode *n, const char *what, unsigned long long *out, lxcf_err *err)
{
    _cleanup_free_ char *text = lxcf_xml_text(n);

    return lxcf_xml_parse_ull(text, what, out, err);
}

int lxcf_xml_ll(const xmlNode *n, const char *what, long long *out, lxcf_err *err)
{
    _cleanup_free_ char *text = lxcf_xml_text(n);

    return lxcf_xml_parse_ll(text, what, out, err);
}

/* ---- scaled values ------------------------------------------------------- */

/* Bytes per UNIT by libvirt's rule (virScaleInteger), 0 when unknown. */
static unsigned long long lxcf_xml_unit_bytes(const char *unit)
{
    static const char prefixes[] = "kmgtpe";
    const char *p;
    unsigned long long base, bytes = 1;

    if (!strcasecmp(unit, "b") || !strcasecmp(unit, "byte") || !strcasecmp(unit, "bytes"))
        return 1;
    if (!unit[0] || !(p = strchr(prefixes, tolower((unsigned char)unit[0]))))
        return 0;
    if (!unit[1] || !strcasecmp(unit + 1, "iB"))
        base = 1024;
    else if (tolower((unsigned char)unit[1]) == 'b' && !unit[2])
        base = 1000;
    else
        return 0;
    for (const char *q = prefixes; q <= p; q++)
        bytes *= base;
    return bytes;
}

int lxcf_xml_scaled(unsigned long long v, const char *unit, unsigned long long default_scale,
                    const char *what, unsigned long long *bytes, lxcf_err *err)
{
    bool none = !unit || !*unit;
    unsigned long long mult = none ? default_scale : lxcf_xml_unit_bytes(unit);

    if (!mult)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unknown unit '%s'", what, unit);
    if (__builtin_mul_overflow(v, mult, bytes))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %llu%s%s is too large", what, v,
                          none ? "" : " ", none ? "" : unit);
    return 0;
}

int lxcf_xml_size_kib(const xmlNode *n, const char *what, unsigned long long *kib,
                      lxcf_err *err)
{
    _cleanup_free_ char *unit = lxcf_xml_attr(n, "unit");
    unsigned long long v, bytes;

    if (lxcf_xml_ull(n, what, &v, err) < 0 || lxcf_xml_scaled(v, unit, 1024, what, &bytes, err) < 0)
        return -1;
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return 0;
}

void lxcf_xml_set_size_kib(xmlNode *n, unsigned long long kib)
{
    _cleanup_free_ char *s = lxcf_xasprintf("%llu", kib);

    lxcf_xml_set_text(n, s);
    lxcf_xml_set_attr(n, "unit", "KiB");
}
