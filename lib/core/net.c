#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libvirt/virterror.h>

#include "addr.h"
#include "cleanup.h"
#include "util.h"
#include "virt.h"
#include "xml.h"

LXCF_DEFINE_CLEANUP_FUNC(lxcf_network_freep, virNetworkPtr, virNetworkFree)

static void lxcf_net_status_freep(lxcf_net_status *st)
{
    lxcf_net_status_clear(st);
}

#define _cleanup_network_ _cleanup_(lxcf_network_freep)
#define _cleanup_net_status_ _cleanup_(lxcf_net_status_freep)

/* ---- building XML ------------------------------------------------------ */

/* libvirt's own rule for network names is looser; keep to what is safe in
 * file names and messages. */
static int lxcf_net_word_check(const char *what, const char *s, size_t max, lxcf_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0)
        return lxcf_error(err, LXCF_EXIT_CONFIG, "network %s is empty", what);
    if (n > max || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n ||
        s[0] == '.' || s[0] == '-')
        return lxcf_error(err, LXCF_EXIT_CONFIG,
                          "%s: invalid network %s (up to %zu letters, digits, '_', '.', '-')",
                          s, what, max);
    return 0;
}

int lxcf_netxml_build(const lxcf_net_conf *nc, char **xml, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *root, *n, *ip, *dhcp = NULL;
    lxcf_pool pool;
    lxcf_ipv4_range out[LXCF_POOL_OUTSIDE_MAX];
    size_t nout;
    char gw[LXCF_IPV4_STRLEN], mask[LXCF_IPV4_STRLEN];

    if (lxcf_net_word_check("name", nc->name, 63, err) < 0 ||
        lxcf_net_word_check("bridge", nc->bridge, 15, err) < 0 ||
        lxcf_pool_parse(nc->address, nc->pool_start, nc->pool_end, &pool, err) < 0)
        return -1;
    lxcf_ipv4_format(pool.net.addr, gw);
    lxcf_ipv4_format(lxcf_ipv4_netmask(pool.net.prefix), mask);
    nout = lxcf_pool_outside(&pool, out);

    root = lxcf_xml_new_doc(&doc, "network");
    lxcf_xml_add(root, NULL, "name", nc->name);
    n = lxcf_xml_add(root, NULL, "forward", NULL);
    lxcf_xml_set_attr(n, "mode", "nat");
    n = lxcf_xml_add(root, NULL, "bridge", NULL);
    lxcf_xml_set_attr(n, "name", nc->bridge);
    /* No STP: the bridge only ever has containers' veth ends, so there is
     * no loop to break, and with STP on the kernel holds every new port in
     * listening/learning for at least 4 s: a container that boots in under
     * a second cannot reach anything in that time. */
    lxcf_xml_set_attr(n, "stp", "off");
    lxcf_xml_set_attr(n, "delay", "0");
    /* dnsmasq then answers NAME.NETWORK from the DNS host entries and, the
     * host being often offline, never forwards that domain upstream. */
    n = lxcf_xml_add(root, NULL, "domain", NULL);
    lxcf_xml_set_attr(n, "name", nc->name);
    lxcf_xml_set_attr(n, "localOnly", "yes");
    ip = lxcf_xml_add(root, NULL, "ip", NULL);
    lxcf_xml_set_attr(ip, "address", gw);
    lxcf_xml_set_attr(ip, "netmask", mask);
    /* Without a range (the pool fills the subnet) dnsmasq serves only the
     * reservations, from the network's next start on. */
    for (size_t i = 0; i < nout; i++) {
        char start[LXCF_IPV4_STRLEN], end[LXCF_IPV4_STRLEN];

        if (!dhcp)
            dhcp = lxcf_xml_add(ip, NULL, "dhcp", NULL);
        lxcf_ipv4_format(out[i].start, start);
        lxcf_ipv4_format(out[i].end, end);
        n = lxcf_xml_add(dhcp, NULL, "range", NULL);
        lxcf_xml_set_attr(n, "start", start);
        lxcf_xml_set_attr(n, "end", end);
    }
    return lxcf_xml_dump(root, xml, err);
}

static int lxcf_netxml_dhcp_host(const char *name, const char *mac, const char *ip, char **xml,
                                 lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *root = lxcf_xml_new_doc(&doc, "host");

    if (mac)
        lxcf_xml_set_attr(root, "mac", mac);
    lxcf_xml_set_attr(root, "name", name);
    if (ip)
        lxcf_xml_set_attr(root, "ip", ip);
    return lxcf_xml_dump(root, xml, err);
}

static int lxcf_netxml_dns_host(const char *name, const char *ip, char **xml, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *root = lxcf_xml_new_doc(&doc, "host");

    lxcf_xml_set_attr(root, "ip", ip);
    lxcf_xml_add(root, NULL, "hostname", name);
    return lxcf_xml_dump(root, xml, err);
}

/* ---- reading XML ------------------------------------------------------- */

static void lxcf_net_host_push(lxcf_net_host **v, size_t *n, char *name, char *mac, char *ip)
{
    *v = lxcf_xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[*n] = (lxcf_net_host){ name, mac, ip };
    (*n)++;
}

static void lxcf_net_hosts_free(lxcf_net_host *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].mac);
        free(v[i].ip);
    }
    free(v);
}

static void lxcf_net_ranges_free(lxcf_net_range *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].start);
        free(v[i].end);
    }
    free(v);
}

void lxcf_net_status_clear(lxcf_net_status *st)
{
    free(st->name);
    free(st->bridge);
    free(st->address);
    free(st->range_start);
    free(st->range_end);
    lxcf_net_hosts_free(st->dhcp_hosts, st->n_dhcp_hosts);
    lxcf_net_hosts_free(st->dns_hosts, st->n_dns_hosts);
    lxcf_net_ranges_free(st->ranges, st->n_ranges);
    *st = (lxcf_net_status){ 0 };
}

/* "GW/PREFIX" from <ip address= netmask=|prefix=>, NULL if unusable. */
static char *lxcf_netxml_ip_address(xmlNode *ip)
{
    _cleanup_free_ char *addr = lxcf_xml_attr(ip, "address");
    _cleanup_free_ char *mask = lxcf_xml_attr(ip, "netmask");
    _cleanup_free_ char *prefix = lxcf_xml_attr(ip, "prefix");
    unsigned long p = 32;
    uint32_t a, m;

    if (!addr || lxcf_ipv4_parse(addr, &a, NULL) < 0)
        return NULL;
    if (mask) {
        if (lxcf_ipv4_parse(mask, &m, NULL) < 0)
            return NULL;
        p = (unsigned long)__builtin_popcount(m);
        if (lxcf_ipv4_netmask((unsigned)p) != m)
            return NULL;
    } else if (prefix && lxcf_parse_ulong(prefix, 0, 32, "prefix", &p, NULL) < 0) {
        return NULL;
    }
    return lxcf_xasprintf("%s/%lu", addr, p);
}

static void lxcf_netxml_parse_ip(xmlNode *ip, lxcf_net_status *st)
{
    st->address = lxcf_netxml_ip_address(ip);
    for (xmlNode *d = ip->children; d; d = d->next) {
        if (!lxcf_xml_is(d, "dhcp"))
            continue;
        for (xmlNode *h = d->children; h; h = h->next) {
            if (lxcf_xml_is(h, "range")) {
                st->ranges = lxcf_xrealloc(st->ranges, (st->n_ranges + 1) * sizeof(*st->ranges));
                st->ranges[st->n_ranges++] = (lxcf_net_range){ lxcf_xml_attr(h, "start"),
                                                                lxcf_xml_attr(h, "end") };
                if (!st->range_start) {
                    st->range_start = lxcf_xml_attr(h, "start");
                    st->range_end = lxcf_xml_attr(h, "end");
                }
            } else if (lxcf_xml_is(h, "host")) {
                lxcf_net_host_push(&st->dhcp_hosts, &st->n_dhcp_hosts, lxcf_xml_attr(h, "name"),
                                   lxcf_xml_attr(h, "mac"), lxcf_xml_attr(h, "ip"));
            }
        }
    }
}

static void lxcf_netxml_parse_dns(xmlNode *dns, lxcf_net_status *st)
{
    for (xmlNode *h = dns->children; h; h = h->next) {
        if (!lxcf_xml_is(h, "host"))
            continue;
        for (xmlNode *hn = h->children; hn; hn = hn->next)
            if (lxcf_xml_is(hn, "hostname"))
                lxcf_net_host_push(&st->dns_hosts, &st->n_dns_hosts, lxcf_xml_text(hn), NULL,
                                   lxcf_xml_attr(h, "ip"));
    }
}

int lxcf_netxml_parse(const char *xml, lxcf_net_status *st, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *root;
    bool have_ip = false;

    *st = (lxcf_net_status){ 0 };
    if (lxcf_xml_read(xml, "network XML: cannot parse it", 0, &doc, err) < 0)
        return -1;
    root = xmlDocGetRootElement(doc);
    if (!lxcf_xml_is(root, "network"))
        return lxcf_error(err, LXCF_EXIT_FAIL, "network XML: the root element is not <network>");
    for (xmlNode *c = root->children; c; c = c->next) {
        if (lxcf_xml_is(c, "name") && !st->name) {
            st->name = lxcf_xml_text(c);
        } else if (lxcf_xml_is(c, "bridge") && !st->bridge) {
            st->bridge = lxcf_xml_attr(c, "name");
        } else if (lxcf_xml_is(c, "dns")) {
            lxcf_netxml_parse_dns(c, st);
        } else if (lxcf_xml_is(c, "ip") && !have_ip) {
            _cleanup_free_ char *family = lxcf_xml_attr(c, "family");
            if (family && !lxcf_streq(family, "ipv4"))
                continue;
            have_ip = true;
            lxcf_netxml_parse_ip(c, st);
        }
    }
    if (!st->name)
        st->name = lxcf_xstrdup("");
    return 0;
}

static int lxcf_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Append the IPv4 addresses of V to *ADDRS (IPv6 ones are not ours). */
static void lxcf_net_hosts_addrs(const lxcf_net_host *v, size_t nv, uint32_t **addrs, size_t *n)
{
    for (size_t i = 0; i < nv; i++) {
        uint32_t a;
        if (!v[i].ip || lxcf_ipv4_parse(v[i].ip, &a, NULL) < 0)
            continue;
        *addrs = lxcf_xrealloc(*addrs, (*n + 1) * sizeof(**addrs));
        (*addrs)[(*n)++] = a;
    }
}

static void lxcf_u32_sort_unique(uint32_t *v, size_t *n)
{
    size_t k = 0;

    qsort(v, *n, sizeof(*v), lxcf_u32_cmp);
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    *n = k;
}

int lxcf_netxml_used_addrs(const char *xml, uint32_t **addrs, size_t *n, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };
    _cleanup_free_ uint32_t *v = lxcf_xmalloc(sizeof(*v));
    size_t nv = 0;

    if (lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    lxcf_net_hosts_addrs(st.dhcp_hosts, st.n_dhcp_hosts, &v, &nv);
    lxcf_net_hosts_addrs(st.dns_hosts, st.n_dns_hosts, &v, &nv);
    lxcf_u32_sort_unique(v, &nv);
    *addrs = lxcf_steal_ptr(v);
    *n = nv;
    return 0;
}

/* Parse R into OUT; false if its ends are not both IPv4 addresses. */
static bool lxcf_net_range_parse(const lxcf_net_range *r, lxcf_ipv4_range *out)
{
    return lxcf_ipv4_parse(r->start, &out->start, NULL) == 0 &&
           lxcf_ipv4_parse(r->end, &out->end, NULL) == 0;
}

/* A range whose ends do not parse counts as holding every address: the
 * cautious answer. */
bool lxcf_net_ranges_meet(const lxcf_net_status *st, const lxcf_ipv4_range *r)
{
    for (size_t i = 0; i < st->n_ranges; i++) {
        lxcf_ipv4_range have;

        if (!lxcf_net_range_parse(&st->ranges[i], &have) || lxcf_ipv4_range_overlap(&have, r))
            return true;
    }
    return false;
}

int lxcf_netxml_in_dhcp_range(const char *xml, const char *ip, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };
    lxcf_ipv4_range one;

    if (lxcf_ipv4_parse(ip, &one.start, err) < 0 || lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    one.end = one.start;
    return lxcf_net_ranges_meet(&st, &one);
}

static bool lxcf_mac_eq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* Compare addresses by value: libvirt may print them as it likes. */
static bool lxcf_ip_eq(const char *a, const char *b)
{
    uint32_t x, y;

    if (!a || !b)
        return false;
    if (lxcf_ipv4_parse(a, &x, NULL) < 0 || lxcf_ipv4_parse(b, &y, NULL) < 0)
        return lxcf_streq(a, b);
    return x == y;
}

int lxcf_netxml_has_dhcp_host(const char *xml, const char *name, const char *mac,
                              const char *ip, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };

    if (lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    for (size_t i = 0; i < st.n_dhcp_hosts; i++) {
        const lxcf_net_host *h = &st.dhcp_hosts[i];
        if (lxcf_streq(h->name, name) && lxcf_mac_eq(h->mac, mac) && lxcf_ip_eq(h->ip, ip))
            return 1;
    }
    for (size_t i = 0; i < st.n_dhcp_hosts; i++) {
        const lxcf_net_host *h = &st.dhcp_hosts[i];
        if (lxcf_streq(h->name, name) || lxcf_mac_eq(h->mac, mac) || lxcf_ip_eq(h->ip, ip))
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "%s: network %s already has a DHCP host name=%s mac=%s ip=%s",
                              name, st.name, h->name ? h->name : "-", h->mac ? h->mac : "-",
                              h->ip ? h->ip : "-");
    }
    return 0;
}

int lxcf_netxml_has_dns_host(const char *xml, const char *name, const char *ip, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };

    if (lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    for (size_t i = 0; i < st.n_dns_hosts; i++)
        if (lxcf_streq(st.dns_hosts[i].name, name) && lxcf_ip_eq(st.dns_hosts[i].ip, ip))
            return 1;
    for (size_t i = 0; i < st.n_dns_hosts; i++) {
        const lxcf_net_host *h = &st.dns_hosts[i];
        if (lxcf_streq(h->name, name) || lxcf_ip_eq(h->ip, ip))
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "%s: network %s already has a DNS host %s at %s",
                              name, st.name, h->name, h->ip ? h->ip : "-");
    }
    return 0;
}

/* ---- libvirt ----------------------------------------------------------- */

static virNetworkPtr lxcf_net_lookup(virConnectPtr conn, const char *netname, lxcf_err *err)
{
    virNetworkPtr net = virNetworkLookupByName(conn, netname);

    if (!net)
        lxcf_virt_errorf(err, "network %s: cannot look it up", netname);
    return net;
}

/* The persistent config when INACTIVE, else the current (live) XML.
 * *LIVE_ONLY (if not NULL) says that the config was asked for and the
 * live XML given instead.
 *
 * Here and below the network's name is taken before the call that may
 * fail: every libvirt call, virNetworkGetName too, clears the last error,
 * whose message the report needs. */
static int lxcf_net_xml(virNetworkPtr net, bool inactive, char **xml, bool *live_only,
                        lxcf_err *err)
{
    const char *netname = virNetworkGetName(net);
    char *x = inactive ? virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE) : NULL;
    bool fallback = !inactive || virGetLastErrorCode() == VIR_ERR_INVALID_ARG ||
                    virGetLastErrorCode() == VIR_ERR_NO_SUPPORT;

    /* libvirt's test driver takes no flags: it shows only the live XML. */
    if (live_only)
        *live_only = !x && inactive && fallback;
    if (!x && fallback)
        x = virNetworkGetXMLDesc(net, 0);
    if (!x)
        return lxcf_virt_errorf(err, "network %s: cannot get its XML", netname);
    *xml = x;
    return 0;
}

/* Which views of the network an update must touch, and their XML. */
typedef struct lxcf_net_views {
    bool active;
    bool persistent;
    bool config_is_live;  /* libvirt showed the live XML as config */
    char *live;    /* NULL unless active */
    char *config;  /* NULL unless persistent */
} lxcf_net_views;

static void lxcf_net_views_freep(lxcf_net_views *v)
{
    free(v->live);
    free(v->config);
}

static int lxcf_net_views_get(virNetworkPtr net, lxcf_net_views *v, lxcf_err *err)
{
    const char *netname = virNetworkGetName(net);
    int active = virNetworkIsActive(net);
    int persistent = virNetworkIsPersistent(net);

    if (active < 0 || persistent < 0)
        return lxcf_virt_errorf(err, "network %s: cannot get its state", netname);
    v->active = active;
    v->persistent = persistent;
    if ((v->active && lxcf_net_xml(net, false, &v->live, NULL, err) < 0) ||
        (v->persistent && lxcf_net_xml(net, true, &v->config, &v->config_is_live, err) < 0))
        return -1;
    return 0;
}

static int lxcf_net_check_same(const lxcf_net_conf *nc, const char *xml, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };
    lxcf_ipv4_net want;
    char gw[LXCF_IPV4_STRLEN];
    _cleanup_free_ char *want_addr = NULL;

    if (lxcf_ipv4_net_parse(nc->address, &want, err) < 0 ||
        lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    lxcf_ipv4_format(want.addr, gw);
    want_addr = lxcf_xasprintf("%s/%u", gw, want.prefix);
    if (!lxcf_streq(st.bridge, nc->bridge) || !lxcf_streq(st.address, want_addr))
        return lxcf_error(err, LXCF_EXIT_CONFIG,
                          "network %s: it exists with bridge %s and address %s, but lxcf.conf "
                          "says %s and %s; fix lxcf.conf or remove the network with virsh",
                          nc->name, st.bridge ? st.bridge : "(none)",
                          st.address ? st.address : "(none)", nc->bridge, want_addr);
    return 0;
}

static virNetworkPtr lxcf_net_define(virConnectPtr conn, const lxcf_net_conf *nc, lxcf_err *err)
{
    _cleanup_free_ char *xml = NULL;
    virNetworkPtr net;

    if (lxcf_netxml_build(nc, &xml, err) < 0)
        return NULL;
    net = virNetworkDefineXML(conn, xml);
    if (!net)
        lxcf_virt_errorf(err, "network %s: cannot define it", nc->name);
    return net;
}

/* The addresses reserved in the LIVE and CONFIG views (either NULL),
 * sorted and each once. */
static int lxcf_net_views_addrs(const char *live, const char *config, uint32_t **addrs,
                                size_t *n, lxcf_err *err)
{
    _cleanup_free_ uint32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;

    if (live && lxcf_netxml_used_addrs(live, &a, &na, err) < 0)
        return -1;
    if (config && lxcf_netxml_used_addrs(config, &b, &nb, err) < 0)
        return -1;
    a = lxcf_xrealloc(a, (na + nb + 1) * sizeof(*a));
    if (nb)
        memcpy(a + na, b, nb * sizeof(*a));
    na += nb;
    lxcf_u32_sort_unique(a, &na);
    *addrs = lxcf_steal_ptr(a);
    *n = na;
    return 0;
}

int lxcf_net_ensure(virConnectPtr conn, const lxcf_net_conf *nc, bool *created, lxcf_err *err)
{
    return lxcf_net_ensure_used(conn, nc, created, NULL, NULL, err);
}

int lxcf_net_ensure_used(virConnectPtr conn, const lxcf_net_conf *nc, bool *created,
                         uint32_t **addrs, size_t *n, lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_free_ char *xml = NULL, *live = NULL;
    int autostart = 0, active;

    *created = false;
    net = virNetworkLookupByName(conn, nc->name);
    if (!net && virGetLastErrorCode() != VIR_ERR_NO_NETWORK)
        return lxcf_virt_errorf(err, "network %s: cannot look it up", nc->name);
    if (!net) {
        if (!(net = lxcf_net_define(conn, nc, err)))
            return -1;
        *created = true;
    } else if (lxcf_net_xml(net, true, &xml, NULL, err) < 0 ||
               lxcf_net_check_same(nc, xml, err) < 0) {
        return -1;
    }
    if (virNetworkGetAutostart(net, &autostart) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot get autostart", nc->name);
    if (!autostart && virNetworkSetAutostart(net, 1) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot set autostart", nc->name);
    if ((active = virNetworkIsActive(net)) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot get its state", nc->name);
    if (!active && virNetworkCreate(net) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot start it", nc->name);
    if (!addrs)
        return 0;
    /* Both views, as lxcf_net_used_addrs reads them, from the handle and
     * the config already at hand: the network is active now, and a
     * transient one shows its live XML as config, which counts the same. */
    if ((!xml && lxcf_net_xml(net, true, &xml, NULL, err) < 0) ||
        lxcf_net_xml(net, false, &live, NULL, err) < 0)
        return -1;
    return lxcf_net_views_addrs(live, xml, addrs, n, err);
}

typedef int (*lxcf_net_has_fn)(const char *xml, const char *name, const char *mac,
                               const char *ip, lxcf_err *err);

static int lxcf_net_has_dhcp(const char *xml, const char *name, const char *mac,
                             const char *ip, lxcf_err *err)
{
    return lxcf_netxml_has_dhcp_host(xml, name, mac, ip, err);
}

static int lxcf_net_has_dns(const char *xml, const char *name, const char *mac,
                            const char *ip, lxcf_err *err)
{
    return lxcf_netxml_has_dns_host(xml, name, ip, err);
}

/* The views among WANT (AFFECT_LIVE, AFFECT_CONFIG) that lack the host,
 * per HAS.  Every view is asked, so that a conflicting entry anywhere is
 * an error. */
static int lxcf_net_missing_in(const lxcf_net_views *v, lxcf_net_has_fn has, unsigned want,
                               const char *name, const char *mac, const char *ip,
                               unsigned *flags, lxcf_err *err)
{
    int r;

    *flags = 0;
    if (v->active) {
        if ((r = has(v->live, name, mac, ip, err)) < 0)
            return -1;
        if (r == 0)
            *flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
    }
    if (v->persistent) {
        if ((r = has(v->config, name, mac, ip, err)) < 0)
            return -1;
        if (r == 0)
            *flags |= VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    }
    *flags &= want;
    return 0;
}

/* Add HOSTXML to SECTION in each view of WANT that lacks it.  Entries are
 * added outside the container lock (beside sysgen's copy), so `net repair`
 * may have added the same one meanwhile: libvirt's refusal then is no
 * error. */
static int lxcf_net_add_missing(virNetworkPtr net, const lxcf_net_views *v, int section,
                                lxcf_net_has_fn has, unsigned want, const char *hostxml,
                                const char *name, const char *mac, const char *ip, lxcf_err *err)
{
    _cleanup_(lxcf_net_views_freep) lxcf_net_views now = { 0 };
    const char *netname = virNetworkGetName(net);
    lxcf_err refused = LXCF_ERR_INIT;
    unsigned flags;

    if (lxcf_net_missing_in(v, has, want, name, mac, ip, &flags, err) < 0)
        return -1;
    if (!flags || virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, section, -1,
                                   hostxml, flags) == 0)
        return 0;
    /* Held, with libvirt's reason, which the calls below would replace. */
    lxcf_virt_errorf(&refused, "%s: cannot add a host to network %s", name, netname);
    if (lxcf_net_views_get(net, &now, NULL) < 0 ||
        lxcf_net_missing_in(&now, has, want, name, mac, ip, &flags, NULL) < 0 || flags)
        return lxcf_error_move(err, &refused);
    return 0;
}

static int lxcf_mac_check(const char *mac, lxcf_err *err)
{
    unsigned b[6];
    int end = 0;

    if (!mac || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4],
                       &b[5], &end) != 6 || end != 17 || mac[end])
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a MAC address", mac ? mac : "");
    return 0;
}

int lxcf_net_host_add(virConnectPtr conn, const char *netname, const char *name,
                      const char *mac, const char *ip, lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_(lxcf_net_views_freep) lxcf_net_views v = { 0 };
    _cleanup_free_ char *dhcp = NULL, *dns = NULL;
    const unsigned both = VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    unsigned dhcp_views = both;
    uint32_t a;
    int in_range;

    if (lxcf_name_check(name, err) < 0 || lxcf_mac_check(mac, err) < 0 ||
        lxcf_ipv4_parse(ip, &a, err) < 0)
        return -1;
    if (!(net = lxcf_net_lookup(conn, netname, err)) || lxcf_net_views_get(net, &v, err) < 0)
        return -1;
    if (lxcf_netxml_dhcp_host(name, mac, ip, &dhcp, err) < 0 ||
        lxcf_netxml_dns_host(name, ip, &dns, err) < 0)
        return -1;
    /* The reservation keeps dnsmasq from lending IP to another guest, which
     * it only can where IP lies in a range of the running network. */
    if (v.active && v.persistent && !v.config_is_live) {
        if ((in_range = lxcf_netxml_in_dhcp_range(v.live, ip, err)) < 0)
            return -1;
        if (!in_range)
            dhcp_views = VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    }
    if (lxcf_net_add_missing(net, &v, VIR_NETWORK_SECTION_IP_DHCP_HOST, lxcf_net_has_dhcp,
                             dhcp_views, dhcp, name, mac, ip, err) < 0 ||
        lxcf_net_add_missing(net, &v, VIR_NETWORK_SECTION_DNS_HOST, lxcf_net_has_dns, both, dns,
                             name, mac, ip, err) < 0)
        return -1;
    return 0;
}

/* Delete NAME's entries found in one view's XML from that view only. */
static int lxcf_net_remove_in(virNetworkPtr net, const char *xml, unsigned flags,
                              const char *name, lxcf_err *err)
{
    _cleanup_net_status_ lxcf_net_status st = { 0 };

    if (lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    for (size_t i = 0; i < st.n_dns_hosts; i++) {
        _cleanup_free_ char *hx = NULL;
        if (!lxcf_streq(st.dns_hosts[i].name, name) || !st.dns_hosts[i].ip)
            continue;
        if (lxcf_netxml_dns_host(name, st.dns_hosts[i].ip, &hx, err) < 0)
            return -1;
        if (virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_DELETE,
                             VIR_NETWORK_SECTION_DNS_HOST, -1, hx, flags) < 0)
            return lxcf_virt_errorf(err, "%s: cannot remove the DNS host from network %s", name,
                                    st.name);
    }
    for (size_t i = 0; i < st.n_dhcp_hosts; i++) {
        const lxcf_net_host *h = &st.dhcp_hosts[i];
        _cleanup_free_ char *hx = NULL;
        if (!lxcf_streq(h->name, name))
            continue;
        /* libvirt deletes the entry that matches every attribute given. */
        if (lxcf_netxml_dhcp_host(name, h->mac, h->ip, &hx, err) < 0)
            return -1;
        if (virNetworkUpdate(net, VIR_NETWORK_UPDATE_COMMAND_DELETE,
                             VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, hx, flags) < 0)
            return lxcf_virt_errorf(err, "%s: cannot remove the DHCP host from network %s", name,
                                    st.name);
    }
    return 0;
}

int lxcf_net_host_remove(virConnectPtr conn, const char *netname, const char *name,
                         lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_(lxcf_net_views_freep) lxcf_net_views v = { 0 };

    if (lxcf_name_check(name, err) < 0)
        return -1;
    if (!(net = lxcf_net_lookup(conn, netname, err)) || lxcf_net_views_get(net, &v, err) < 0)
        return -1;
    if (v.active && lxcf_net_remove_in(net, v.live, VIR_NETWORK_UPDATE_AFFECT_LIVE, name, err) < 0)
        return -1;
    /* Read the config again: with libvirt's test driver it is the live XML,
     * which the step above has just changed. */
    if (v.persistent) {
        free(v.config);
        v.config = NULL;
        if (lxcf_net_xml(net, true, &v.config, NULL, err) < 0 ||
            lxcf_net_remove_in(net, v.config, VIR_NETWORK_UPDATE_AFFECT_CONFIG, name, err) < 0)
            return -1;
    }
    return 0;
}

int lxcf_net_used_addrs(virConnectPtr conn, const char *netname, uint32_t **addrs, size_t *n,
                        lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_(lxcf_net_views_freep) lxcf_net_views v = { 0 };

    if (!(net = lxcf_net_lookup(conn, netname, err)) || lxcf_net_views_get(net, &v, err) < 0)
        return -1;
    return lxcf_net_views_addrs(v.live, v.config, addrs, n, err);
}

static bool lxcf_net_host_same(const lxcf_net_host *a, const lxcf_net_host *b)
{
    return lxcf_streq(a->name, b->name) && (a->mac ? lxcf_mac_eq(a->mac, b->mac) : !b->mac) &&
           (a->ip ? lxcf_ip_eq(a->ip, b->ip) : !b->ip);
}

/* Move the hosts of FROM that V lacks to the end of V. */
static void lxcf_net_hosts_merge(lxcf_net_host **v, size_t *n, lxcf_net_host *from, size_t nfrom)
{
    size_t had = *n;

    for (size_t i = 0; i < nfrom; i++) {
        bool have = false;

        for (size_t k = 0; k < had && !have; k++)
            have = lxcf_net_host_same(&(*v)[k], &from[i]);
        if (have)
            continue;
        lxcf_net_host_push(v, n, from[i].name, from[i].mac, from[i].ip);
        from[i] = (lxcf_net_host){ 0 };
    }
}

int lxcf_net_info(virConnectPtr conn, const char *netname, lxcf_net_status *st, lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_(lxcf_net_views_freep) lxcf_net_views v = { 0 };
    _cleanup_net_status_ lxcf_net_status cfg = { 0 };
    int autostart = 0;

    *st = (lxcf_net_status){ 0 };
    if (!(net = lxcf_net_lookup(conn, netname, err)) || lxcf_net_views_get(net, &v, err) < 0)
        return -1;
    if (virNetworkGetAutostart(net, &autostart) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot get autostart", netname);
    /* What runs now, if it runs; else what will run. */
    if (lxcf_netxml_parse(v.live ? v.live : v.config, st, err) < 0)
        return -1;
    /* Reservations waiting for the next start are reservations too. */
    if (v.live && v.config && !v.config_is_live) {
        if (lxcf_netxml_parse(v.config, &cfg, err) < 0) {
            lxcf_net_status_clear(st);
            return -1;
        }
        lxcf_net_hosts_merge(&st->dhcp_hosts, &st->n_dhcp_hosts, cfg.dhcp_hosts, cfg.n_dhcp_hosts);
        lxcf_net_hosts_merge(&st->dns_hosts, &st->n_dns_hosts, cfg.dns_hosts, cfg.n_dns_hosts);
    }
    st->active = v.active;
    st->persistent = v.persistent;
    st->autostart = autostart;
    return 0;
}

static int lxcf_netxml_range(const char *start, const char *end, char **xml, lxcf_err *err)
{
    _cleanup_xmldoc_ xmlDoc *doc = NULL;
    xmlNode *root = lxcf_xml_new_doc(&doc, "range");

    lxcf_xml_set_attr(root, "start", start);
    lxcf_xml_set_attr(root, "end", end);
    return lxcf_xml_dump(root, xml, err);
}

static int lxcf_net_range_update(virNetworkPtr net, unsigned command, const char *start,
                                 const char *end, lxcf_err *err)
{
    _cleanup_free_ char *xml = NULL;
    const char *netname = virNetworkGetName(net);

    if (lxcf_netxml_range(start, end, &xml, err) < 0)
        return -1;
    if (virNetworkUpdate(net, command, VIR_NETWORK_SECTION_IP_DHCP_RANGE, -1, xml,
                         VIR_NETWORK_UPDATE_AFFECT_CONFIG) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot %s the DHCP range %s-%s", netname,
                                command == VIR_NETWORK_UPDATE_COMMAND_DELETE ? "remove" : "add",
                                start, end);
    return 0;
}

int lxcf_net_dhcp_off_pool(virConnectPtr conn, const lxcf_net_conf *nc, bool *moved,
                           lxcf_err *err)
{
    _cleanup_network_ virNetworkPtr net = NULL;
    _cleanup_free_ char *xml = NULL;
    _cleanup_net_status_ lxcf_net_status st = { 0 };
    _cleanup_free_ bool *keep = NULL;
    lxcf_ipv4_range want[LXCF_POOL_OUTSIDE_MAX], in, r;
    size_t nwant;
    lxcf_pool pool;
    bool live_only = false;
    int active;

    *moved = false;
    if (lxcf_pool_parse(nc->address, nc->pool_start, nc->pool_end, &pool, err) < 0 ||
        !(net = lxcf_net_lookup(conn, nc->name, err)) ||
        lxcf_net_xml(net, true, &xml, &live_only, err) < 0 || lxcf_netxml_parse(xml, &st, err) < 0)
        return -1;
    if ((active = virNetworkIsActive(net)) < 0)
        return lxcf_virt_errorf(err, "network %s: cannot get its state", nc->name);
    /* A running network whose config libvirt does not show: nothing known
     * to change. */
    if (live_only && active)
        return 0;
    in = (lxcf_ipv4_range){ pool.start, pool.end };
    keep = lxcf_xcalloc(st.n_ranges + 1, sizeof(*keep));
    for (size_t i = 0; i < st.n_ranges; i++) {
        /* A range that does not parse is not ours to judge. */
        keep[i] = !lxcf_net_range_parse(&st.ranges[i], &r) || !lxcf_ipv4_range_overlap(&r, &in);
        if (keep[i])
            continue;
        if (lxcf_net_range_update(net, VIR_NETWORK_UPDATE_COMMAND_DELETE, st.ranges[i].start,
                                  st.ranges[i].end, err) < 0)
            return -1;
        *moved = true;
    }
    if (!*moved)
        return 0;
    nwant = lxcf_pool_outside(&pool, want);
    for (size_t k = 0; k < nwant; k++) {
        char start[LXCF_IPV4_STRLEN], end[LXCF_IPV4_STRLEN];
        bool clash = false;

        for (size_t i = 0; i < st.n_ranges && !clash; i++)
            clash = keep[i] && (!lxcf_net_range_parse(&st.ranges[i], &r) ||
                                lxcf_ipv4_range_overlap(&r, &want[k]));
        if (clash)
            continue;
        lxcf_ipv4_format(want[k].start, start);
        lxcf_ipv4_format(want[k].end, end);
        if (lxcf_net_range_update(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, start, end, err) < 0)
            return -1;
    }
    return 0;
}
