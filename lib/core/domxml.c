#include "domxml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "lxcfs.h"
#include "util.h"
#include "xml.h"

/* N is in lxcf's namespace (matched by URI: the prefix is anyone's). */
static bool lxcf_dx_in_ns(const xmlNode *n)
{
    return n && n->ns && n->ns->href && lxcf_streq((const char *)n->ns->href, LXCF_XMLNS);
}

static void lxcf_dx_replace(char **dst, char *src)
{
    free(*dst);
    *dst = src;
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
    if (!lxcf_model_to_string(c->model))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown model %d", name, (int)c->model);
    if (!c->root || c->root[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: root directory must be an absolute path",
                          name);
    if (c->model == LXCF_MODEL_JOINT && (!c->usr_source || c->usr_source[0] != '/'))
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

/* The <lxcf:container> element for <metadata>, declaring its namespace;
 * without one (WITH_NS false) as virDomainSetMetadata takes it, which puts
 * every element into the namespace it is given itself. */
static xmlNode *lxcf_dx_meta_node(const lxcf_container *c, xmlDoc *doc, bool with_ns)
{
    xmlNode *m = xmlNewDocNode(doc, NULL, BAD_CAST "container", NULL);
    xmlNs *ns = with_ns ? xmlNewNs(m, BAD_CAST LXCF_XMLNS, BAD_CAST LXCF_XMLNS_PREFIX) : NULL;

    xmlSetNs(m, ns);
    lxcf_xml_add(m, ns, "model", lxcf_model_to_string(c->model));
    lxcf_xml_add(m, ns, "root", c->root);
    if (c->ipv4) {
        _cleanup_free_ char *prefix = lxcf_xasprintf("%u", c->ipv4_prefix);
        xmlNode *ip = lxcf_xml_add(m, ns, "ipv4", c->ipv4);

        lxcf_xml_set_attr(ip, "prefix", prefix);
    }
    if (c->created)
        lxcf_xml_add(m, ns, "created", c->created);
    if (c->state_note)
        lxcf_xml_add(m, ns, "state", c->state_note);
    return m;
}

static xmlNode *lxcf_dx_add_fs(xmlNode *devices, const char *source, const char *target,
                               bool readonly)
{
    xmlNode *fs = lxcf_xml_add(devices, NULL, "filesystem", NULL);

    lxcf_xml_set_attr(fs, "type", "mount");
    lxcf_xml_set_attr(fs, "accessmode", "passthrough");
    lxcf_xml_set_attr(lxcf_xml_add(fs, NULL, "source", NULL), "dir", source);
    lxcf_xml_set_attr(lxcf_xml_add(fs, NULL, "target", NULL), "dir", target);
    if (readonly)
        lxcf_xml_add(fs, NULL, "readonly", NULL);
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
    xmlNode *devices = lxcf_xml_add(dom, NULL, "devices", NULL);

    if (c->emulator)
        lxcf_xml_add(devices, NULL, "emulator", c->emulator);
    lxcf_dx_add_fs(devices, c->root, "/", false);
    if (c->model == LXCF_MODEL_JOINT)
        lxcf_dx_add_fs(devices, c->usr_source, "/usr", true);
    if (c->lxcfs)
        lxcf_dx_add_lxcfs(devices, NULL, c->lxcfs);
    if (c->network) {
        xmlNode *iface = lxcf_xml_add(devices, NULL, "interface", NULL);

        lxcf_xml_set_attr(iface, "type", "network");
        if (c->mac)
            lxcf_xml_set_attr(lxcf_xml_add(iface, NULL, "mac", NULL), "address", c->mac);
        lxcf_xml_set_attr(lxcf_xml_add(iface, NULL, "source", NULL), "network", c->network);
    }
    lxcf_xml_set_attr(lxcf_xml_add(devices, NULL, "console", NULL), "type", "pty");
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

    dom = lxcf_xml_new_doc(&doc, "domain");
    lxcf_xml_set_attr(dom, "type", "lxc");

    /* Element order follows libvirt's own formatter, so that what lxcf
     * writes and what virsh dumpxml shows read alike. */
    lxcf_xml_add(dom, NULL, "name", c->name);
    if (c->uuid)
        lxcf_xml_add(dom, NULL, "uuid", c->uuid);
    /* virt-manager shows these on its details page: say what the domain is
     * and where to manage it. */
    title = lxcf_xasprintf("lxcf %s container %s", lxcf_model_to_string(c->model), c->name);
    desc = lxcf_xasprintf("lxcf %s container (%s /usr), address %s, root %s. Managed with lxcf: "
                          "'lxcf show %s'.",
                          lxcf_model_to_string(c->model),
                          c->model == LXCF_MODEL_JOINT ? "the host's read-only" : "its own",
                          c->ipv4 ? c->ipv4 : "none", c->root, c->name);
    lxcf_xml_add(dom, NULL, "title", title);
    lxcf_xml_add(dom, NULL, "description", desc);
    metadata = lxcf_xml_add(dom, NULL, "metadata", NULL);
    xmlAddChild(metadata, lxcf_dx_meta_node(c, doc, true));
    lxcf_xml_set_size_kib(lxcf_xml_add(dom, NULL, "memory", NULL), mem);
    lxcf_xml_set_size_kib(lxcf_xml_add(dom, NULL, "currentMemory", NULL), mem);
    lxcf_xml_add(dom, NULL, "vcpu", vcpus);
    os = lxcf_xml_add(dom, NULL, "os", NULL);
    lxcf_xml_add(os, NULL, "type", "exe");
    lxcf_xml_add(os, NULL, "init", "/sbin/init");
    /* Without an interface libvirt-LXC would leave the container in the
     * host's network namespace, where its init could reconfigure the host's
     * links; privnet gives it a private one with only loopback. */
    if (!c->network)
        lxcf_xml_add(lxcf_xml_add(dom, NULL, "features", NULL), NULL, "privnet", NULL);
    lxcf_xml_add(dom, NULL, "on_poweroff", "destroy");
    lxcf_xml_add(dom, NULL, "on_reboot", "restart");
    lxcf_xml_add(dom, NULL, "on_crash", "destroy");
    lxcf_dx_add_devices(c, dom);
    return lxcf_xml_dump(dom, xml_out, err);
}

int lxcf_domxml_meta_build(const lxcf_container *c, char **xml_out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *m;

    if (lxcf_dx_check(c, err) < 0)
        return -1;
    doc = xmlNewDoc(BAD_CAST "1.0");
    m = lxcf_dx_meta_node(c, doc, false);
    xmlDocSetRootElement(doc, m);
    /* libvirt keeps the whitespace it is given: indentation of our own
     * would be misplaced inside its <metadata>. */
    return lxcf_xml_dump_compact(m, xml_out, err);
}

/* ---- parsing ------------------------------------------------------------- */

/* Children of the metadata element: in our namespace as we write them, or
 * without one should a tool have stripped it. */
static xmlNode *lxcf_dx_meta_child(const xmlNode *m, const char *name)
{
    for (xmlNode *n = m->children; n; n = n->next)
        if (lxcf_xml_is(n, name) && (!n->ns || lxcf_dx_in_ns(n)))
            return n;
    return NULL;
}

/* The text children of lxcf's element that the record keeps as strings. */
enum { LXCF_DX_ROOT, LXCF_DX_IPV4, LXCF_DX_CREATED, LXCF_DX_STATE, LXCF_DX_NTEXT };

typedef struct lxcf_dx_meta {
    lxcf_model model;
    unsigned prefix;
    char *text[LXCF_DX_NTEXT];
} lxcf_dx_meta;

static void lxcf_dx_meta_clear(lxcf_dx_meta *m)
{
    for (size_t i = 0; i < LXCF_DX_NTEXT; i++)
        free(m->text[i]);
}

/* WHO names the domain in messages. */
static int lxcf_dx_meta_read(const xmlNode *node, const char *who, lxcf_dx_meta *m,
                             lxcf_err *err)
{
    /* ipv4 is read with its prefix below. */
    static const char *const plain[LXCF_DX_NTEXT] = {
        [LXCF_DX_ROOT] = "root", [LXCF_DX_CREATED] = "created", [LXCF_DX_STATE] = "state",
    };
    _cleanup_free_ char *model = lxcf_xml_text(lxcf_dx_meta_child(node, "model"));
    xmlNode *ip = lxcf_dx_meta_child(node, "ipv4");

    if (!model)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has no model", who);
    if (lxcf_model_from_string(model, &m->model, NULL) < 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has unknown model '%s'",
                          who, model);
    if (ip) {
        _cleanup_free_ char *prefix = lxcf_xml_attr(ip, "prefix");
        unsigned long long p = 32;

        if (prefix && (lxcf_xml_parse_ull(prefix, who, &p, err) < 0 || p > 32))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: lxcf metadata has bad ipv4 prefix '%s'",
                              who, prefix);
        m->text[LXCF_DX_IPV4] = lxcf_xml_text(ip);
        m->prefix = (unsigned)p;
    }
    for (size_t i = 0; i < LXCF_DX_NTEXT; i++)
        if (plain[i])
            m->text[i] = lxcf_xml_text(lxcf_dx_meta_child(node, plain[i]));
    return 0;
}

static void lxcf_dx_meta_commit(lxcf_dx_meta *m, lxcf_container *c)
{
    c->model = m->model;
    lxcf_dx_replace(&c->root, lxcf_steal_ptr(m->text[LXCF_DX_ROOT]));
    lxcf_dx_replace(&c->ipv4, lxcf_steal_ptr(m->text[LXCF_DX_IPV4]));
    c->ipv4_prefix = m->prefix;
    lxcf_dx_replace(&c->created, lxcf_steal_ptr(m->text[LXCF_DX_CREATED]));
    lxcf_dx_replace(&c->state_note, lxcf_steal_ptr(m->text[LXCF_DX_STATE]));
}

static const xmlNode *lxcf_dx_find_meta(const xmlNode *dom)
{
    const xmlNode *metadata = lxcf_xml_child(dom, "metadata");

    for (xmlNode *n = metadata ? metadata->children : NULL; n; n = n->next)
        if (lxcf_xml_is(n, "container") && lxcf_dx_in_ns(n))
            return n;
    return NULL;
}

static void lxcf_dx_read_devices(const xmlNode *devices, lxcf_container *c)
{
    bool have_iface = false;

    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        if (lxcf_xml_is_plain(n, "emulator")) {
            lxcf_dx_replace(&c->emulator, lxcf_xml_text(n));
        } else if (lxcf_xml_is_plain(n, "filesystem")) {
            _cleanup_free_ char *type = lxcf_xml_attr(n, "type");
            _cleanup_free_ char *target = lxcf_xml_attr(lxcf_xml_child(n, "target"), "dir");

            if (type && !lxcf_streq(type, "mount"))
                continue;
            if (lxcf_streq(target, "/"))
                lxcf_dx_replace(&c->root, lxcf_xml_attr(lxcf_xml_child(n, "source"), "dir"));
            else if (lxcf_streq(target, "/usr"))
                lxcf_dx_replace(&c->usr_source,
                                lxcf_xml_attr(lxcf_xml_child(n, "source"), "dir"));
            else if (lxcf_streq(target, "/proc/meminfo")) {
                /* DIR/proc/meminfo: lxcfs mounts come as a set. */
                char *src = lxcf_xml_attr(lxcf_xml_child(n, "source"), "dir");
                size_t ls = src ? strlen(src) : 0, lt = strlen(target);
                if (ls > lt && lxcf_streq(src + ls - lt, target))
                    src[ls - lt] = '\0';
                lxcf_dx_replace(&c->lxcfs, src);
            }
        } else if (lxcf_xml_is_plain(n, "interface") && !have_iface) {
            have_iface = true;
            c->network = lxcf_xml_attr(lxcf_xml_child(n, "source"), "network");
            c->mac = lxcf_xml_attr(lxcf_xml_child(n, "mac"), "address");
        }
    }
}

static int lxcf_dx_read_domain(const xmlNode *dom, const xmlNode *meta, lxcf_container *c,
                               lxcf_err *err)
{
    _cleanup_free_ char *vcpu = NULL;
    _cleanup_(lxcf_dx_meta_clear) lxcf_dx_meta m = { 0 };
    const xmlNode *mem = lxcf_xml_child(dom, "memory");
    const char *who;

    c->name = lxcf_xml_child_text(dom, "name");
    if (!c->name || !*c->name)
        return lxcf_error(err, LXCF_EXIT_FAIL, "domain xml has no name");
    who = c->name;
    c->uuid = lxcf_xml_child_text(dom, "uuid");
    if (mem && lxcf_xml_size_kib(mem, who, &c->memory_kib, err) < 0)
        return -1;
    vcpu = lxcf_xml_child_text(dom, "vcpu");
    if (vcpu) {
        unsigned long long v;

        if (lxcf_xml_parse_ull(vcpu, who, &v, err) < 0)
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
    lxcf_dx_read_devices(lxcf_xml_child(dom, "devices"), c);
    return 0;
}

/* The <domain> root of DOMAIN_XML, parsed with EXTRA_OPTS into *DOC. */
static xmlNode *lxcf_dx_open(const char *domain_xml, int extra_opts, xmlDoc **doc,
                             lxcf_err *err)
{
    xmlNode *dom;

    if (lxcf_xml_read(domain_xml, "domain", extra_opts, doc, err) < 0)
        return NULL;
    dom = xmlDocGetRootElement(*doc);
    if (!lxcf_xml_is_plain(dom, "domain")) {
        lxcf_error(err, LXCF_EXIT_FAIL, "not a domain xml (root element <%s>)",
                   (const char *)dom->name);
        return NULL;
    }
    return dom;
}

int lxcf_domxml_parse(const char *domain_xml, lxcf_container **out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    const xmlNode *dom, *meta;

    *out = NULL;
    if (!(dom = lxcf_dx_open(domain_xml, 0, &doc, err)))
        return -1;
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
    if (lxcf_xml_read(meta_xml, who, 0, &doc, err) < 0)
        return -1;
    root = xmlDocGetRootElement(doc);
    /* virDomainGetMetadata drops the namespace: it asked by its URI. */
    if (!lxcf_xml_is(root, "container") || (root->ns && !lxcf_dx_in_ns(root)))
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
static const char *const lxcf_dx_memtune_order[] = {
    "hard_limit", "soft_limit", "swap_hard_limit", "min_guarantee", NULL,
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
    xmlNode *n = lxcf_xml_child(parent, name), *node;
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

static void lxcf_dx_remove_if_empty(xmlNode *n)
{
    for (xmlNode *k = n ? n->children : NULL; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return;
    lxcf_xml_remove(n);
}

static int lxcf_dx_tune_check(const lxcf_tune *t, lxcf_err *err)
{
    if (!t)
        return lxcf_error(err, LXCF_EXIT_USAGE, "no limits given");
    if (t->cpuset && strspn(t->cpuset, "0123456789,-^") != strlen(t->cpuset))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset '%s' is not a cpu list", t->cpuset);
    if (t->numa_nodeset && strspn(t->numa_nodeset, "0123456789,-^") != strlen(t->numa_nodeset))
        return lxcf_error(err, LXCF_EXIT_USAGE, "nodeset '%s' is not a node list",
                          t->numa_nodeset);
    return 0;
}

static void lxcf_dx_tune_cpuset(xmlNode *dom, const lxcf_tune *t)
{
    xmlNode *vcpu = lxcf_xml_child(dom, "vcpu");

    if (!t->cpuset)
        return;
    if (!vcpu) {
        vcpu = lxcf_dx_ensure(dom, "vcpu", lxcf_dx_domain_order);
        lxcf_xml_set_text(vcpu, "1");
    }
    if (*t->cpuset)
        lxcf_xml_set_attr(vcpu, "cpuset", t->cpuset);
    else
        xmlUnsetProp(vcpu, BAD_CAST "cpuset");
}

static void lxcf_dx_tune_mem(xmlNode *dom, const lxcf_tune *t)
{
    xmlNode *memtune, *numatune;

    if (t->has_mem_hard_limit || t->has_swap_hard_limit) {
        memtune = lxcf_dx_ensure(dom, "memtune", lxcf_dx_domain_order);
        if (t->has_mem_hard_limit)
            lxcf_xml_set_size_kib(lxcf_dx_ensure(memtune, "hard_limit", lxcf_dx_memtune_order),
                                  t->mem_hard_limit_kib);
        if (t->has_swap_hard_limit)
            lxcf_xml_set_size_kib(
                lxcf_dx_ensure(memtune, "swap_hard_limit", lxcf_dx_memtune_order),
                t->swap_hard_limit_kib);
    }
    if (!t->numa_nodeset)
        return;
    if (!*t->numa_nodeset) {
        numatune = lxcf_xml_child(dom, "numatune");
        if (numatune) {
            xmlNode *memory = lxcf_xml_child(numatune, "memory");

            lxcf_xml_remove(memory);
            lxcf_dx_remove_if_empty(numatune);
        }
        return;
    }
    numatune = lxcf_dx_ensure(dom, "numatune", lxcf_dx_domain_order);
    static const char *const numa_order[] = { "memory", "memnode", NULL };
    xmlNode *memory = lxcf_dx_ensure(numatune, "memory", numa_order);

    lxcf_xml_set_attr(memory, "mode", "strict");
    xmlUnsetProp(memory, BAD_CAST "placement");
    lxcf_xml_set_attr(memory, "nodeset", t->numa_nodeset);
}

/* DOMAIN_XML parsed for editing: NOBLANKS drops the old indentation so
 * that the writer indents new elements and old ones alike. */
static xmlNode *lxcf_dx_edit(const char *domain_xml, xmlDoc **doc, lxcf_err *err)
{
    return lxcf_dx_open(domain_xml, XML_PARSE_NOBLANKS, doc, err);
}

int lxcf_domxml_set_lxcfs(const char *domain_xml, const char *dir, char **out, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *dom, *devices, *next, *last_fs = NULL;

    if (dir && dir[0] != '/')
        return lxcf_error(err, LXCF_EXIT_USAGE, "the lxcfs directory must be an absolute path");
    if (!(dom = lxcf_dx_edit(domain_xml, &doc, err)))
        return -1;
    devices = lxcf_xml_child(dom, "devices");
    if (!devices)
        devices = lxcf_xml_add(dom, NULL, "devices", NULL);
    for (xmlNode *n = devices->children; n; n = next) {
        next = n->next;
        if (!lxcf_xml_is_plain(n, "filesystem"))
            continue;
        _cleanup_free_ char *target = lxcf_xml_attr(lxcf_xml_child(n, "target"), "dir");
        if (lxcf_dx_is_lxcfs_target(target)) {
            lxcf_xml_remove(n);
        } else {
            last_fs = n;
        }
    }
    if (dir)
        lxcf_dx_add_lxcfs(devices, last_fs, dir);
    return lxcf_xml_dump(dom, out, err);
}

int lxcf_domxml_set_tune(const char *domain_xml, const lxcf_tune *t, char **out,
                         lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *dom;

    if (lxcf_dx_tune_check(t, err) < 0 || !(dom = lxcf_dx_edit(domain_xml, &doc, err)))
        return -1;
    lxcf_dx_tune_cpuset(dom, t);
    lxcf_dx_tune_mem(dom, t);
    return lxcf_xml_dump(dom, out, err);
}

/* ---- reading the tuning back --------------------------------------------- */

static int lxcf_dx_conf_cpu(const xmlNode *dom, lxcf_res_conf *c, lxcf_err *err)
{
    const xmlNode *cputune = lxcf_xml_child(dom, "cputune"), *n;
    const xmlNode *numa = lxcf_xml_child(lxcf_xml_child(dom, "numatune"), "memory");
    unsigned long long period;
    long long quota;

    if ((n = lxcf_xml_child(cputune, "period"))) {
        if (lxcf_xml_ull(n, "period", &period, err) < 0)
            return -1;
        c->cpu_period_us = period;
    }
    if ((n = lxcf_xml_child(cputune, "quota"))) {
        if (lxcf_xml_ll(n, "quota", &quota, err) < 0)
            return -1;
        c->cpu_quota_us = quota < 0 ? -1 : quota;
    }
    c->cpuset = lxcf_xml_attr(lxcf_xml_child(dom, "vcpu"), "cpuset");
    c->nodeset = lxcf_xml_attr(numa, "nodeset");
    return 0;
}

/* A memtune limit; libvirt's "unlimited" reads as unset. */
static int lxcf_dx_conf_limit(const xmlNode *memtune, const char *name, uint64_t *kib,
                              lxcf_err *err)
{
    const xmlNode *n = lxcf_xml_child(memtune, name);
    unsigned long long v;

    if (!n)
        return 0;
    if (lxcf_xml_size_kib(n, name, &v, err) < 0)
        return -1;
    *kib = v >= LXCF_DOMXML_UNLIMITED_KIB ? 0 : v;
    return 0;
}

static int lxcf_dx_conf_mem(const xmlNode *dom, lxcf_res_conf *c, lxcf_err *err)
{
    const xmlNode *memtune = lxcf_xml_child(dom, "memtune");
    const xmlNode *mem = lxcf_xml_child(dom, "memory");

    if (mem && lxcf_xml_size_kib(mem, "memory", &c->memory_kib, err) < 0)
        return -1;
    if (lxcf_dx_conf_limit(memtune, "hard_limit", &c->mem_hard_kib, err) < 0 ||
        lxcf_dx_conf_limit(memtune, "swap_hard_limit", &c->swap_hard_kib, err) < 0)
        return -1;
    return 0;
}

static int lxcf_dx_conf_blkdev(const xmlNode *dev, lxcf_res_conf *c, lxcf_err *err)
{
    static const char *const keys[] = { "read_bytes_sec", "write_bytes_sec", "read_iops_sec",
                                        "write_iops_sec" };
    _cleanup_free_ char *path = lxcf_xml_child_text(dev, "path");
    lxcf_res_blkdev b = { 0 };
    uint64_t *f[] = { &b.rbps, &b.wbps, &b.riops, &b.wiops };

    if (!path)
        return 0;  /* weight by major:minor only: nothing lxcf sets */
    for (int i = 0; i < 4; i++) {
        const xmlNode *n = lxcf_xml_child(dev, keys[i]);
        unsigned long long v;

        if (!n)
            continue;
        if (lxcf_xml_ull(n, keys[i], &v, err) < 0)
            return -1;
        *f[i] = v;
    }
    b.path = lxcf_steal_ptr(path);
    c->blkdevs = lxcf_xrealloc(c->blkdevs, (c->n_blkdevs + 1) * sizeof(*c->blkdevs));
    c->blkdevs[c->n_blkdevs++] = b;
    return 0;
}

static int lxcf_dx_conf_read(const xmlNode *dom, lxcf_res_conf *c, lxcf_err *err)
{
    const xmlNode *blkio = lxcf_xml_child(dom, "blkiotune");

    if (lxcf_dx_conf_cpu(dom, c, err) < 0 || lxcf_dx_conf_mem(dom, c, err) < 0)
        return -1;
    for (const xmlNode *n = blkio ? blkio->children : NULL; n; n = n->next)
        if (lxcf_xml_is_plain(n, "device") && lxcf_dx_conf_blkdev(n, c, err) < 0)
            return -1;
    return 0;
}

int lxcf_res_conf_parse(const char *domain_xml, lxcf_res_conf *c, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    const xmlNode *dom;

    memset(c, 0, sizeof(*c));
    if (!(dom = lxcf_dx_open(domain_xml, 0, &doc, err)))
        return -1;
    if (lxcf_dx_conf_read(dom, c, err) < 0) {
        lxcf_res_conf_clear(c);
        return -1;
    }
    return 0;
}

void lxcf_res_conf_clear(lxcf_res_conf *c)
{
    free(c->cpuset);
    free(c->nodeset);
    for (size_t i = 0; i < c->n_blkdevs; i++)
        free(c->blkdevs[i].path);
    free(c->blkdevs);
    memset(c, 0, sizeof(*c));
}
