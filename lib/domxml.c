#include "domxml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlsave.h>

#include "cleanup.h"
#include "lxcfs.h"
#include "util.h"

/* ---- libxml2 plumbing ---------------------------------------------------- */

static inline void lxcf_dx_docp(xmlDoc **d)
{
    if (*d)
        xmlFreeDoc(*d);
}

static inline void lxcf_dx_ctxtp(xmlParserCtxt **p)
{
    if (*p)
        xmlFreeParserCtxt(*p);
}

static inline void lxcf_dx_bufp(xmlBuffer **b)
{
    if (*b)
        xmlBufferFree(*b);
}

#define _cleanup_xmldoc_ _cleanup_(lxcf_dx_docp)

/* The first error libxml2 reports is the cause; later ones (premature end
 * of data...) are consequences, so keep only the first. */
typedef struct lxcf_dx_errbuf {
    bool set;
    int line;
    char msg[256];
} lxcf_dx_errbuf;

/* libxml2 2.12 made the handler's error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError lxcf_dx_xml_error;
#else
typedef xmlError lxcf_dx_xml_error;
#endif

static void lxcf_dx_on_error(void *data, lxcf_dx_xml_error *e)
{
    xmlParserCtxt *ctxt = data;
    lxcf_dx_errbuf *eb = ctxt ? ctxt->_private : NULL;
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

/* Parse XML without touching libxml2's global error handlers (other code
 * in the process may rely on them): a per-context structured handler takes
 * the messages, so libxml2 prints nothing.  Entities are never expanded
 * (no XML_PARSE_NOENT) and nothing is fetched from the network. */
static int lxcf_dx_read(const char *xml, const char *what, int extra_opts,
                        xmlDoc **out, lxcf_err *err)
{
    _cleanup_(lxcf_dx_ctxtp) xmlParserCtxt *ctxt = NULL;
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                     XML_PARSE_NOCDATA | extra_opts;
    lxcf_dx_errbuf eb = { 0 };
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
    ctxt->sax->serror = lxcf_dx_on_error;
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, "UTF-8", opts);
    if (!doc || !xmlDocGetRootElement(doc)) {
        if (doc)
            xmlFreeDoc(doc);
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: malformed xml at line %d: %s", what,
                          eb.set ? eb.line : 1, eb.set ? eb.msg : "no root element");
    }
    /* libvirt never writes a DTD; one here could only smuggle in entities,
     * which xmlNodeGetContent would expand (billion laughs). */
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: xml with a DOCTYPE is not accepted", what);
    }
    *out = doc;
    return 0;
}

/* Serialise NODE (and below) as the one style every caller and golden file
 * shares: no declaration, 2-space indent, UTF-8, final newline. */
static int lxcf_dx_dump(xmlNode *node, char **out, lxcf_err *err)
{
    _cleanup_(lxcf_dx_bufp) xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save;
    const char *content;

    if (!buf)
        return lxcf_error(err, LXCF_EXIT_FAIL, "cannot allocate xml buffer");
    save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
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

static bool lxcf_dx_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && lxcf_streq((const char *)n->name, name);
}

/* libvirt's own elements carry no namespace; a child of that name in some
 * other namespace belongs to someone else. */
static bool lxcf_dx_is_plain(const xmlNode *n, const char *name)
{
    return lxcf_dx_is(n, name) && !n->ns;
}

static bool lxcf_dx_in_ns(const xmlNode *n)
{
    return n && n->ns && n->ns->href && lxcf_streq((const char *)n->ns->href, LXCF_XMLNS);
}

static xmlNode *lxcf_dx_child(const xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (lxcf_dx_is_plain(n, name))
            return n;
    return NULL;
}

/* Text of NODE as our own malloc'ed string (xmlFree and free may differ). */
static char *lxcf_dx_text(const xmlNode *node)
{
    xmlChar *t;
    char *s;

    if (!node)
        return NULL;
    t = xmlNodeGetContent(node);
    s = lxcf_xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static char *lxcf_dx_child_text(const xmlNode *parent, const char *name)
{
    return lxcf_dx_text(lxcf_dx_child(parent, name));
}

static char *lxcf_dx_attr(const xmlNode *node, const char *name)
{
    xmlChar *t;
    char *s;

    if (!node)
        return NULL;
    t = xmlGetNoNsProp(node, BAD_CAST name);
    if (!t)
        return NULL;
    s = lxcf_xstrdup((const char *)t);
    xmlFree(t);
    return s;
}

static void lxcf_dx_replace(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

/* xmlNewTextChild escapes TEXT; xmlNewChild would parse entities in it. */
static xmlNode *lxcf_dx_add(xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}

static void lxcf_dx_set_text(xmlNode *node, const char *text)
{
    xmlNodeSetContent(node, NULL);
    xmlAddChild(node, xmlNewDocText(node->doc, BAD_CAST text));
}

static int lxcf_dx_parse_ull(const char *s, const char *what, unsigned long long *out,
                             lxcf_err *err)
{
    char *end = NULL;
    unsigned long long v;

    while (s && (*s == ' ' || *s == '\t' || *s == '\n'))
        s++;
    if (!s || *s < '0' || *s > '9')
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: '%s' is not a number", what, s ? s : "");
    errno = 0;
    v = strtoull(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (errno == ERANGE || *end)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: '%s' is not a valid number", what, s);
    *out = v;
    return 0;
}

/* libvirt's scaledInteger units, as bytes per unit. */
static const struct {
    const char *unit;
    unsigned long long bytes;
} lxcf_dx_units[] = {
    { "b", 1ULL }, { "bytes", 1ULL },
    { "KB", 1000ULL }, { "k", 1024ULL }, { "KiB", 1024ULL },
    { "MB", 1000000ULL }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
    { "GB", 1000000000ULL }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
    { "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
    { "PB", 1000000000000000ULL }, { "P", 1ULL << 50 }, { "PiB", 1ULL << 50 },
    { "EB", 1000000000000000000ULL }, { "E", 1ULL << 60 }, { "EiB", 1ULL << 60 },
};

/* A size element (<memory unit='MiB'>4</memory>) in KiB, rounded up the
 * way libvirt rounds. */
static int lxcf_dx_size_kib(const xmlNode *node, const char *what,
                            unsigned long long *kib, lxcf_err *err)
{
    _cleanup_free_ char *text = lxcf_dx_text(node);
    _cleanup_free_ char *unit = lxcf_dx_attr(node, "unit");
    unsigned long long v, mult = 0, bytes;

    if (lxcf_dx_parse_ull(text, what, &v, err) < 0)
        return -1;
    if (!unit)
        mult = 1024;
    for (size_t i = 0; unit && i < sizeof(lxcf_dx_units) / sizeof(lxcf_dx_units[0]); i++)
        if (lxcf_streq(unit, lxcf_dx_units[i].unit))
            mult = lxcf_dx_units[i].bytes;
    if (!mult)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unknown unit '%s'", what, unit);
    if (__builtin_mul_overflow(v, mult, &bytes))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %llu %s is too large", what, v, unit);
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return 0;
}

/* ---- the container ------------------------------------------------------- */

lxcf_container *lxcf_container_new(void)
{
    return lxcf_xcalloc(1, sizeof(lxcf_container));
}

void lxcf_container_free(lxcf_container *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->uuid);
    free(c->root);
    free(c->usr_source);
    free(c->emulator);
    free(c->network);
    free(c->mac);
    free(c->ipv4);
    free(c->created);
    free(c->state_note);
    free(c->lxcfs);
    free(c);
}

void lxcf_container_freep(lxcf_container **c)
{
    lxcf_container_free(*c);
    *c = NULL;
}

const char *lxcf_domxml_model_name(int model)
{
    switch (model) {
    case LXCF_DOMXML_JOINT:
        return "joint";
    case LXCF_DOMXML_SEPARATE:
        return "separate";
    default:
        return NULL;
    }
}

static int lxcf_dx_check(const lxcf_container *c, lxcf_err *err)
{
    const char *name;

    if (!c)
        return lxcf_error(err, LXCF_EXIT_USAGE, "no container given");
    name = c->name ? c->name : "";
    /* libvirt rejects these itself, but only after lxcf has done work. */
    if (!*name || strchr(name, '/') || strchr(name, '\n'))
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': invalid domain name", name);
    if (!lxcf_domxml_model_name(c->model))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown model %d", name, c->model);
    if (!c->root || c->root[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: root directory must be an absolute path",
                          name);
    if (c->model == LXCF_DOMXML_JOINT && (!c->usr_source || c->usr_source[0] != '/'))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: joint model needs an absolute /usr source path", name);
    if (c->emulator && c->emulator[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: emulator must be an absolute path", name);
    if (c->lxcfs && c->lxcfs[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: the lxcfs directory must be an absolute path",
                          name);
    if (c->ipv4_prefix > 32)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: ipv4 prefix %u is out of range 0..32",
                          name, c->ipv4_prefix);
    return 0;
}

/* The <lxcf:container> element, declaring its own namespace so that it can
 * stand alone (virDomainSetMetadata) or sit inside <metadata>. */
static xmlNode *lxcf_dx_meta_node(const lxcf_container *c, xmlDoc *doc)
{
    xmlNode *m = xmlNewDocNode(doc, NULL, BAD_CAST "container", NULL);
    xmlNs *ns = xmlNewNs(m, BAD_CAST LXCF_XMLNS, BAD_CAST LXCF_XMLNS_PREFIX);

    xmlSetNs(m, ns);
    lxcf_dx_add(m, ns, "model", lxcf_domxml_model_name(c->model));
    lxcf_dx_add(m, ns, "root", c->root);
    if (c->ipv4) {
        _cleanup_free_ char *prefix = lxcf_xasprintf("%u", c->ipv4_prefix);
        xmlNode *ip = lxcf_dx_add(m, ns, "ipv4", c->ipv4);

        xmlNewProp(ip, BAD_CAST "prefix", BAD_CAST prefix);
    }
    if (c->created)
        lxcf_dx_add(m, ns, "created", c->created);
    if (c->state_note)
        lxcf_dx_add(m, ns, "state", c->state_note);
    return m;
}

static xmlNode *lxcf_dx_add_fs(xmlNode *devices, const char *source, const char *target,
                               bool readonly)
{
    xmlNode *fs = xmlNewChild(devices, NULL, BAD_CAST "filesystem", NULL);

    xmlNewProp(fs, BAD_CAST "type", BAD_CAST "mount");
    xmlNewProp(fs, BAD_CAST "accessmode", BAD_CAST "passthrough");
    xmlNewProp(xmlNewChild(fs, NULL, BAD_CAST "source", NULL), BAD_CAST "dir", BAD_CAST source);
    xmlNewProp(xmlNewChild(fs, NULL, BAD_CAST "target", NULL), BAD_CAST "dir", BAD_CAST target);
    if (readonly)
        xmlNewChild(fs, NULL, BAD_CAST "readonly", NULL);
    return fs;
}

/* After AFTER (NULL: at the end), in the order the builder writes them. */
static void lxcf_dx_add_lxcfs(xmlNode *devices, xmlNode *after, const char *dir)
{
    for (size_t i = 0; i < lxcf_lxcfs_nfiles; i++) {
        _cleanup_free_ char *src = lxcf_path_join(dir, lxcf_lxcfs_files[i]);
        xmlNode *fs = lxcf_dx_add_fs(devices, src, lxcf_lxcfs_files[i], false);
        if (after) {
            xmlUnlinkNode(fs);
            xmlAddNextSibling(after, fs);
            after = fs;
        }
    }
}

static bool lxcf_dx_is_lxcfs_target(const char *target)
{
    for (size_t i = 0; target && i < lxcf_lxcfs_nfiles; i++)
        if (lxcf_streq(target, lxcf_lxcfs_files[i]))
            return true;
    return false;
}

static void lxcf_dx_add_devices(const lxcf_container *c, xmlNode *dom)
{
    xmlNode *devices = xmlNewChild(dom, NULL, BAD_CAST "devices", NULL);

    if (c->emulator)
        lxcf_dx_add(devices, NULL, "emulator", c->emulator);
    lxcf_dx_add_fs(devices, c->root, "/", false);
    if (c->model == LXCF_DOMXML_JOINT)
        lxcf_dx_add_fs(devices, c->usr_source, "/usr", true);
    if (c->lxcfs)
        lxcf_dx_add_lxcfs(devices, NULL, c->lxcfs);
    if (c->network) {
        xmlNode *iface = xmlNewChild(devices, NULL, BAD_CAST "interface", NULL);

        xmlNewProp(iface, BAD_CAST "type", BAD_CAST "network");
        if (c->mac)
            xmlNewProp(xmlNewChild(iface, NULL, BAD_CAST "mac", NULL), BAD_CAST "address",
                       BAD_CAST c->mac);
        xmlNewProp(xmlNewChild(iface, NULL, BAD_CAST "source", NULL), BAD_CAST "network",
                   BAD_CAST c->network);
    }
    xmlNewProp(xmlNewChild(devices, NULL, BAD_CAST "console", NULL), BAD_CAST "type",
               BAD_CAST "pty");
}

static void lxcf_dx_add_size(xmlNode *dom, const char *name, unsigned long long kib)
{
    _cleanup_free_ char *s = lxcf_xasprintf("%llu", kib);

    xmlNewProp(lxcf_dx_add(dom, NULL, name, s), BAD_CAST "unit", BAD_CAST "KiB");
}

int lxcf_domxml_build(const lxcf_container *c, char **xml_out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_free_ char *vcpus = NULL, *title = NULL, *desc = NULL;
    unsigned long long mem;
    xmlNode *dom, *os, *metadata;

    if (lxcf_dx_check(c, err) < 0)
        return -1;
    mem = c->memory_kib ? c->memory_kib : LXCF_DOMXML_DEFAULT_MEMORY_KIB;
    vcpus = lxcf_xasprintf("%u", c->vcpus ? c->vcpus : LXCF_DOMXML_DEFAULT_VCPUS);

    doc = xmlNewDoc(BAD_CAST "1.0");
    dom = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
    xmlDocSetRootElement(doc, dom);
    xmlNewProp(dom, BAD_CAST "type", BAD_CAST "lxc");

    /* Element order follows libvirt's own formatter, so that what lxcf
     * writes and what virsh dumpxml shows read alike. */
    lxcf_dx_add(dom, NULL, "name", c->name);
    if (c->uuid)
        lxcf_dx_add(dom, NULL, "uuid", c->uuid);
    /* virt-manager shows these on its details page: say what the domain is
     * and where to manage it. */
    title = lxcf_xasprintf("lxcf %s container %s", lxcf_domxml_model_name(c->model), c->name);
    desc = lxcf_xasprintf("lxcf %s container (%s /usr), address %s, root %s. Managed with lxcf: "
                          "'lxcf show %s'.",
                          lxcf_domxml_model_name(c->model),
                          c->model == LXCF_DOMXML_JOINT ? "the host's read-only" : "its own",
                          c->ipv4 ? c->ipv4 : "none", c->root, c->name);
    lxcf_dx_add(dom, NULL, "title", title);
    lxcf_dx_add(dom, NULL, "description", desc);
    metadata = xmlNewChild(dom, NULL, BAD_CAST "metadata", NULL);
    xmlAddChild(metadata, lxcf_dx_meta_node(c, doc));
    lxcf_dx_add_size(dom, "memory", mem);
    lxcf_dx_add_size(dom, "currentMemory", mem);
    lxcf_dx_add(dom, NULL, "vcpu", vcpus);
    os = xmlNewChild(dom, NULL, BAD_CAST "os", NULL);
    lxcf_dx_add(os, NULL, "type", "exe");
    lxcf_dx_add(os, NULL, "init", "/sbin/init");
    /* Without an interface libvirt-LXC would leave the container in the
     * host's network namespace, where its init could reconfigure the host's
     * links; privnet gives it a private one with only loopback. */
    if (!c->network)
        xmlNewChild(xmlNewChild(dom, NULL, BAD_CAST "features", NULL), NULL,
                    BAD_CAST "privnet", NULL);
    lxcf_dx_add(dom, NULL, "on_poweroff", "destroy");
    lxcf_dx_add(dom, NULL, "on_reboot", "restart");
    lxcf_dx_add(dom, NULL, "on_crash", "destroy");
    lxcf_dx_add_devices(c, dom);
    return lxcf_dx_dump(dom, xml_out, err);
}

int lxcf_domxml_meta_build(const lxcf_container *c, char **xml_out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *m;

    if (lxcf_dx_check(c, err) < 0)
        return -1;
    doc = xmlNewDoc(BAD_CAST "1.0");
    m = lxcf_dx_meta_node(c, doc);
    xmlDocSetRootElement(doc, m);
    return lxcf_dx_dump(m, xml_out, err);
}

/* ---- parsing ------------------------------------------------------------- */

/* Children of the metadata element: in our namespace as we write them, or
 * without one should a tool have stripped it. */
static xmlNode *lxcf_dx_meta_child(const xmlNode *m, const char *name)
{
    for (xmlNode *n = m->children; n; n = n->next)
        if (lxcf_dx_is(n, name) && (!n->ns || lxcf_dx_in_ns(n)))
            return n;
    return NULL;
}

typedef struct lxcf_dx_meta {
    int model;
    char *root;
    char *ipv4;
    unsigned prefix;
    char *created;
    char *state;
} lxcf_dx_meta;

static void lxcf_dx_meta_clear(lxcf_dx_meta *m)
{
    free(m->root);
    free(m->ipv4);
    free(m->created);
    free(m->state);
}

/* WHO names the domain in messages. */
static int lxcf_dx_meta_read(const xmlNode *node, const char *who, lxcf_dx_meta *m,
                             lxcf_err *err)
{
    _cleanup_free_ char *model = lxcf_dx_text(lxcf_dx_meta_child(node, "model"));
    xmlNode *ip = lxcf_dx_meta_child(node, "ipv4");

    if (!model)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has no model", who);
    if (lxcf_streq(model, "joint"))
        m->model = LXCF_DOMXML_JOINT;
    else if (lxcf_streq(model, "separate"))
        m->model = LXCF_DOMXML_SEPARATE;
    else
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has unknown model '%s'",
                          who, model);
    if (ip) {
        _cleanup_free_ char *prefix = lxcf_dx_attr(ip, "prefix");
        unsigned long long p = 32;

        if (prefix && (lxcf_dx_parse_ull(prefix, who, &p, err) < 0 || p > 32))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has bad ipv4 prefix '%s'",
                              who, prefix);
        m->ipv4 = lxcf_dx_text(ip);
        m->prefix = (unsigned)p;
    }
    m->root = lxcf_dx_text(lxcf_dx_meta_child(node, "root"));
    m->created = lxcf_dx_text(lxcf_dx_meta_child(node, "created"));
    m->state = lxcf_dx_text(lxcf_dx_meta_child(node, "state"));
    return 0;
}

static void lxcf_dx_meta_commit(lxcf_dx_meta *m, lxcf_container *c)
{
    c->model = m->model;
    lxcf_dx_replace(&c->root, lxcf_steal_ptr(m->root));
    lxcf_dx_replace(&c->ipv4, lxcf_steal_ptr(m->ipv4));
    c->ipv4_prefix = m->prefix;
    lxcf_dx_replace(&c->created, lxcf_steal_ptr(m->created));
    lxcf_dx_replace(&c->state_note, lxcf_steal_ptr(m->state));
}

static const xmlNode *lxcf_dx_find_meta(const xmlNode *dom)
{
    const xmlNode *metadata = lxcf_dx_child(dom, "metadata");

    for (xmlNode *n = metadata ? metadata->children : NULL; n; n = n->next)
        if (lxcf_dx_is(n, "container") && lxcf_dx_in_ns(n))
            return n;
    return NULL;
}

static void lxcf_dx_read_devices(const xmlNode *devices, lxcf_container *c)
{
    bool have_iface = false;

    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        if (lxcf_dx_is_plain(n, "emulator")) {
            lxcf_dx_replace(&c->emulator, lxcf_dx_text(n));
        } else if (lxcf_dx_is_plain(n, "filesystem")) {
            _cleanup_free_ char *type = lxcf_dx_attr(n, "type");
            _cleanup_free_ char *target = lxcf_dx_attr(lxcf_dx_child(n, "target"), "dir");

            if (type && !lxcf_streq(type, "mount"))
                continue;
            if (lxcf_streq(target, "/"))
                lxcf_dx_replace(&c->root, lxcf_dx_attr(lxcf_dx_child(n, "source"), "dir"));
            else if (lxcf_streq(target, "/usr"))
                lxcf_dx_replace(&c->usr_source,
                                lxcf_dx_attr(lxcf_dx_child(n, "source"), "dir"));
            else if (lxcf_streq(target, "/proc/meminfo")) {
                /* DIR/proc/meminfo: lxcfs mounts come as a set. */
                char *src = lxcf_dx_attr(lxcf_dx_child(n, "source"), "dir");
                size_t ls = src ? strlen(src) : 0, lt = strlen(target);
                if (ls > lt && lxcf_streq(src + ls - lt, target))
                    src[ls - lt] = '\0';
                lxcf_dx_replace(&c->lxcfs, src);
            }
        } else if (lxcf_dx_is_plain(n, "interface") && !have_iface) {
            have_iface = true;
            c->network = lxcf_dx_attr(lxcf_dx_child(n, "source"), "network");
            c->mac = lxcf_dx_attr(lxcf_dx_child(n, "mac"), "address");
        }
    }
}

static int lxcf_dx_read_domain(const xmlNode *dom, const xmlNode *meta, lxcf_container *c,
                               lxcf_err *err)
{
    _cleanup_free_ char *vcpu = NULL;
    _cleanup_(lxcf_dx_meta_clear) lxcf_dx_meta m = { 0 };
    const xmlNode *mem = lxcf_dx_child(dom, "memory");
    const char *who;

    c->name = lxcf_dx_child_text(dom, "name");
    if (!c->name || !*c->name)
        return lxcf_error(err, LXCF_EXIT_FAIL, "domain xml has no name");
    who = c->name;
    c->uuid = lxcf_dx_child_text(dom, "uuid");
    if (mem && lxcf_dx_size_kib(mem, who, &c->memory_kib, err) < 0)
        return -1;
    vcpu = lxcf_dx_child_text(dom, "vcpu");
    if (vcpu) {
        unsigned long long v;

        if (lxcf_dx_parse_ull(vcpu, who, &v, err) < 0)
            return -1;
        if (v > UINT32_MAX)
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: vcpu count %llu is too large", who, v);
        c->vcpus = (unsigned)v;
    }
    if (lxcf_dx_meta_read(meta, who, &m, err) < 0)
        return -1;
    lxcf_dx_meta_commit(&m, c);
    /* The filesystem is what libvirt really mounts; the metadata copy only
     * stands in when the device is missing. */
    lxcf_dx_read_devices(lxcf_dx_child(dom, "devices"), c);
    return 0;
}

int lxcf_domxml_parse(const char *domain_xml, lxcf_container **out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    const xmlNode *dom, *meta;

    *out = NULL;
    if (lxcf_dx_read(domain_xml, "domain", 0, &doc, err) < 0)
        return -1;
    dom = xmlDocGetRootElement(doc);
    if (!lxcf_dx_is_plain(dom, "domain"))
        return lxcf_error(err, LXCF_EXIT_FAIL, "not a domain xml (root element <%s>)",
                          (const char *)dom->name);
    meta = lxcf_dx_find_meta(dom);
    if (!meta)
        return 0;
    c = lxcf_container_new();
    if (lxcf_dx_read_domain(dom, meta, c, err) < 0)
        return -1;
    *out = lxcf_steal_ptr(c);
    return 1;
}

int lxcf_domxml_meta_parse(const char *meta_xml, lxcf_container *c, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_(lxcf_dx_meta_clear) lxcf_dx_meta m = { 0 };
    const char *who = c && c->name ? c->name : "container";
    const xmlNode *root;

    if (!c)
        return lxcf_error(err, LXCF_EXIT_USAGE, "no container given");
    if (lxcf_dx_read(meta_xml, who, 0, &doc, err) < 0)
        return -1;
    root = xmlDocGetRootElement(doc);
    /* virDomainGetMetadata drops the namespace: it asked by its URI. */
    if (!lxcf_dx_is(root, "container") || (root->ns && !lxcf_dx_in_ns(root)))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: not lxcf metadata (root element <%s>)",
                          who, (const char *)root->name);
    if (lxcf_dx_meta_read(root, who, &m, err) < 0)
        return -1;
    lxcf_dx_meta_commit(&m, c);
    return 0;
}

/* ---- resource tuning ----------------------------------------------------- */

/* Where libvirt's formatter puts each element; new elements go to the same
 * place so that an edited XML still reads like one libvirt wrote. */
static const char *const lxcf_dx_domain_order[] = {
    "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
    "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus",
    "iothreads", "iothreadids", "cputune", "numatune", "resource", "sysinfo",
    "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock",
    "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices",
    "seclabel", "keywrap", "launchSecurity", NULL,
};
static const char *const lxcf_dx_cputune_order[] = {
    "shares", "global_period", "global_quota", "period", "quota", "emulator_period",
    "emulator_quota", "iothread_period", "iothread_quota", NULL,
};
static const char *const lxcf_dx_memtune_order[] = {
    "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee", NULL,
};
static const char *const lxcf_dx_blkdev_order[] = {
    "path", "weight", "read_iops_sec", "write_iops_sec", "read_bytes_sec",
    "write_bytes_sec", NULL,
};

static int lxcf_dx_order_index(const char *const *order, const char *name)
{
    for (int i = 0; order[i]; i++)
        if (lxcf_streq(order[i], name))
            return i;
    return -1;
}

/* The child NAME of PARENT, created in ORDER's place when missing.  Children
 * not listed in ORDER stay where they are. */
static xmlNode *lxcf_dx_ensure(xmlNode *parent, const char *name, const char *const *order)
{
    xmlNode *n = lxcf_dx_child(parent, name), *node;
    int want = lxcf_dx_order_index(order, name);

    if (n)
        return n;
    node = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);
    for (n = parent->children; n; n = n->next) {
        int at;

        if (n->type != XML_ELEMENT_NODE || n->ns)
            continue;
        at = lxcf_dx_order_index(order, (const char *)n->name);
        if (at > want)
            return xmlAddPrevSibling(n, node);
    }
    return xmlAddChild(parent, node);
}

static void lxcf_dx_set_num(xmlNode *parent, const char *name, const char *const *order,
                            const char *unit, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void lxcf_dx_set_num(xmlNode *parent, const char *name, const char *const *order,
                            const char *unit, const char *fmt, ...)
{
    _cleanup_free_ char *s = NULL;
    xmlNode *n = lxcf_dx_ensure(parent, name, order);
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    lxcf_dx_set_text(n, s);
    if (unit)
        xmlSetProp(n, BAD_CAST "unit", BAD_CAST unit);
}

static void lxcf_dx_remove_if_empty(xmlNode *n)
{
    for (xmlNode *k = n ? n->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return;
    if (n) {
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
}

static int lxcf_dx_tune_check(const lxcf_tune *t, lxcf_err *err)
{
    if (!t)
        return lxcf_error(err, LXCF_EXIT_USAGE, "no limits given");
    if (t->has_cpu_period && (t->cpu_period < 1000 || t->cpu_period > 1000000))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu period %llu is out of range 1000..1000000", t->cpu_period);
    if (t->has_cpu_quota && t->cpu_quota != -1 && t->cpu_quota < 1000)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu quota %lld must be -1 (unlimited) or at least 1000",
                          t->cpu_quota);
    if (t->cpuset && strspn(t->cpuset, "0123456789,-^") != strlen(t->cpuset))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset '%s' is not a cpu list", t->cpuset);
    if (t->numa_nodeset && strspn(t->numa_nodeset, "0123456789,-^") != strlen(t->numa_nodeset))
        return lxcf_error(err, LXCF_EXIT_USAGE, "nodeset '%s' is not a node list",
                          t->numa_nodeset);
    for (size_t i = 0; i < t->n_blkdevs; i++)
        if (!t->blkdevs[i].path || t->blkdevs[i].path[0] != '/')
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "block device '%s' must be an absolute path",
                              t->blkdevs[i].path ? t->blkdevs[i].path : "");
    return 0;
}

static void lxcf_dx_tune_cpu(xmlNode *dom, const lxcf_tune *t)
{
    xmlNode *cputune;

    if (t->has_cpu_period || t->has_cpu_quota) {
        cputune = lxcf_dx_ensure(dom, "cputune", lxcf_dx_domain_order);
        if (t->has_cpu_period)
            lxcf_dx_set_num(cputune, "period", lxcf_dx_cputune_order, NULL, "%llu",
                            t->cpu_period);
        if (t->has_cpu_quota)
            lxcf_dx_set_num(cputune, "quota", lxcf_dx_cputune_order, NULL, "%lld",
                            t->cpu_quota);
    }
    if (t->cpuset) {
        xmlNode *vcpu = lxcf_dx_child(dom, "vcpu");

        if (!vcpu) {
            vcpu = lxcf_dx_ensure(dom, "vcpu", lxcf_dx_domain_order);
            lxcf_dx_set_text(vcpu, "1");
        }
        if (*t->cpuset)
            xmlSetProp(vcpu, BAD_CAST "cpuset", BAD_CAST t->cpuset);
        else
            xmlUnsetProp(vcpu, BAD_CAST "cpuset");
    }
}

static void lxcf_dx_tune_mem(xmlNode *dom, const lxcf_tune *t)
{
    xmlNode *memtune, *numatune;

    if (t->has_mem_hard_limit || t->has_swap_hard_limit) {
        memtune = lxcf_dx_ensure(dom, "memtune", lxcf_dx_domain_order);
        if (t->has_mem_hard_limit)
            lxcf_dx_set_num(memtune, "hard_limit", lxcf_dx_memtune_order, "KiB", "%llu",
                            t->mem_hard_limit_kib);
        if (t->has_swap_hard_limit)
            lxcf_dx_set_num(memtune, "swap_hard_limit", lxcf_dx_memtune_order, "KiB", "%llu",
                            t->swap_hard_limit_kib);
    }
    if (!t->numa_nodeset)
        return;
    if (!*t->numa_nodeset) {
        numatune = lxcf_dx_child(dom, "numatune");
        if (numatune) {
            xmlNode *memory = lxcf_dx_child(numatune, "memory");

            xmlUnlinkNode(memory);
            xmlFreeNode(memory);
            lxcf_dx_remove_if_empty(numatune);
        }
        return;
    }
    numatune = lxcf_dx_ensure(dom, "numatune", lxcf_dx_domain_order);
    static const char *const numa_order[] = { "memory", "memnode", NULL };
    xmlNode *memory = lxcf_dx_ensure(numatune, "memory", numa_order);

    xmlSetProp(memory, BAD_CAST "mode", BAD_CAST "strict");
    xmlUnsetProp(memory, BAD_CAST "placement");
    xmlSetProp(memory, BAD_CAST "nodeset", BAD_CAST t->numa_nodeset);
}

static xmlNode *lxcf_dx_blkdev_find(xmlNode *blkiotune, const char *path)
{
    for (xmlNode *n = blkiotune->children; n; n = n->next) {
        _cleanup_free_ char *p = NULL;

        if (!lxcf_dx_is_plain(n, "device"))
            continue;
        p = lxcf_dx_child_text(n, "path");
        if (lxcf_streq(p, path))
            return n;
    }
    return NULL;
}

static void lxcf_dx_tune_blkio(xmlNode *dom, const lxcf_tune *t)
{
    xmlNode *blkiotune;

    if (!t->n_blkdevs)
        return;
    blkiotune = lxcf_dx_ensure(dom, "blkiotune", lxcf_dx_domain_order);
    for (size_t i = 0; i < t->n_blkdevs; i++) {
        const lxcf_tune_blkdev *b = &t->blkdevs[i];
        xmlNode *dev = lxcf_dx_blkdev_find(blkiotune, b->path);

        if (!dev) {
            dev = xmlNewChild(blkiotune, NULL, BAD_CAST "device", NULL);
            lxcf_dx_add(dev, NULL, "path", b->path);
        }
        if (b->has_read_iops_sec)
            lxcf_dx_set_num(dev, "read_iops_sec", lxcf_dx_blkdev_order, NULL, "%llu",
                            b->read_iops_sec);
        if (b->has_write_iops_sec)
            lxcf_dx_set_num(dev, "write_iops_sec", lxcf_dx_blkdev_order, NULL, "%llu",
                            b->write_iops_sec);
        if (b->has_read_bytes_sec)
            lxcf_dx_set_num(dev, "read_bytes_sec", lxcf_dx_blkdev_order, NULL, "%llu",
                            b->read_bytes_sec);
        if (b->has_write_bytes_sec)
            lxcf_dx_set_num(dev, "write_bytes_sec", lxcf_dx_blkdev_order, NULL, "%llu",
                            b->write_bytes_sec);
    }
}

/* DOMAIN_XML parsed for editing: NOBLANKS drops the old indentation so
 * that the writer indents new elements and old ones alike. */
static xmlNode *lxcf_dx_edit(const char *domain_xml, xmlDoc **doc, lxcf_err *err)
{
    xmlNode *dom;

    if (lxcf_dx_read(domain_xml, "domain", XML_PARSE_NOBLANKS, doc, err) < 0)
        return NULL;
    dom = xmlDocGetRootElement(*doc);
    if (!lxcf_dx_is_plain(dom, "domain")) {
        lxcf_error(err, LXCF_EXIT_FAIL, "not a domain xml (root element <%s>)",
                   (const char *)dom->name);
        return NULL;
    }
    return dom;
}

int lxcf_domxml_set_lxcfs(const char *domain_xml, const char *dir, char **out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *dom, *devices, *next, *last_fs = NULL;

    if (dir && dir[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "the lxcfs directory must be an absolute path");
    if (!(dom = lxcf_dx_edit(domain_xml, &doc, err)))
        return -1;
    devices = lxcf_dx_child(dom, "devices");
    if (!devices)
        devices = xmlNewChild(dom, NULL, BAD_CAST "devices", NULL);
    for (xmlNode *n = devices->children; n; n = next) {
        next = n->next;
        if (!lxcf_dx_is_plain(n, "filesystem"))
            continue;
        _cleanup_free_ char *target = lxcf_dx_attr(lxcf_dx_child(n, "target"), "dir");
        if (lxcf_dx_is_lxcfs_target(target)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        } else {
            last_fs = n;
        }
    }
    if (dir)
        lxcf_dx_add_lxcfs(devices, last_fs, dir);
    return lxcf_dx_dump(dom, out, err);
}

int lxcf_domxml_set_tune(const char *domain_xml, const lxcf_tune *t, char **out,
                         lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *dom;

    if (lxcf_dx_tune_check(t, err) < 0 || !(dom = lxcf_dx_edit(domain_xml, &doc, err)))
        return -1;
    lxcf_dx_tune_cpu(dom, t);
    lxcf_dx_tune_mem(dom, t);
    lxcf_dx_tune_blkio(dom, t);
    return lxcf_dx_dump(dom, out, err);
}
