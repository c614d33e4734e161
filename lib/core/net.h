/* The libvirt NAT network the containers sit on, and the per-container
 * DHCP and DNS host entries in it.
 *
 * libvirt holds the truth: the addresses in use are read back from the
 * network's XML, never kept elsewhere.  The functions that talk to libvirt
 * are thin; the XML work is in the pure lxcf_netxml_* functions so that it
 * can be tested without a daemon. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "addr.h"
#include "err.h"

typedef struct lxcf_net_conf {
    const char *name;        /* lxcfn1 */
    const char *bridge;      /* virbr1 */
    const char *address;     /* "192.168.125.1/24": gateway and prefix */
    const char *pool_start;  /* lxcf's address pool; the network's DHCP */
    const char *pool_end;    /* ranges are the rest of the subnet */
} lxcf_net_conf;

/* One DHCP host, or one (address, hostname) pair of a DNS host record
 * (then mac is NULL; a record with two hostnames gives two pairs). */
typedef struct lxcf_net_host {
    char *name;
    char *mac;
    char *ip;
} lxcf_net_host;

/* One DHCP range of the network, as its XML gives it. */
typedef struct lxcf_net_range {
    char *start;
    char *end;
} lxcf_net_range;

/* What `lxcf net` shows; the flags and counts come from libvirt, the rest
 * from the network XML. */
typedef struct lxcf_net_status {
    char *name;
    char *bridge;       /* NULL if the XML names none */
    char *address;      /* "GATEWAY/PREFIX" of the first IPv4 <ip>, or NULL */
    char *range_start;  /* first DHCP range, or NULL */
    char *range_end;
    lxcf_net_range *ranges;  /* every DHCP range of that <ip> */
    size_t n_ranges;
    bool active;
    bool persistent;
    bool autostart;
    lxcf_net_host *dhcp_hosts;
    size_t n_dhcp_hosts;
    lxcf_net_host *dns_hosts;
    size_t n_dns_hosts;
} lxcf_net_status;

void lxcf_net_status_clear(lxcf_net_status *st);

/* The network XML for NC (built with libxml2; a trailing newline).  Its
 * DHCP ranges are the parts of the subnet outside lxcf's pool (none when
 * the pool fills it): dnsmasq never lends an address of the pool, so a
 * container's DHCP reservation need not reach the running dnsmasq at once
 * (see lxcf_net_host_add). */
int lxcf_netxml_build(const lxcf_net_conf *nc, char **xml, lxcf_err *err);

/* Parse a network XML (as virNetworkGetXMLDesc gives it) into ST; leaves
 * active/persistent/autostart false. */
int lxcf_netxml_parse(const char *xml, lxcf_net_status *st, lxcf_err *err);

/* The IPv4 addresses named by the DHCP hosts and DNS hosts of XML, sorted,
 * without duplicates (*addrs malloc'ed, even when *n == 0). */
int lxcf_netxml_used_addrs(const char *xml, uint32_t **addrs, size_t *n, lxcf_err *err);

/* Whether a DHCP range of ST holds an address of [R->start, R->end] (a
 * range whose ends do not parse may hold any). */
bool lxcf_net_ranges_meet(const lxcf_net_status *st, const lxcf_ipv4_range *r);

/* Whether IP lies in a DHCP range of the network XML: 1 if so, 0 if not,
 * -1 (with err) if XML or IP is unusable. */
int lxcf_netxml_in_dhcp_range(const char *xml, const char *ip, lxcf_err *err);

/* Whether a network XML already holds a host entry: 1 if exactly this one
 * is there, 0 if nothing of it is, -1 (with err) if another entry has the
 * same name, MAC or address. */
int lxcf_netxml_has_dhcp_host(const char *xml, const char *name, const char *mac,
                              const char *ip, lxcf_err *err);
int lxcf_netxml_has_dns_host(const char *xml, const char *name, const char *ip,
                             lxcf_err *err);

/* Look NC->name up; define it (*created = true) if missing; make it
 * autostart and start it.  An existing network with another bridge or
 * address is an error, never silently redefined. */
int lxcf_net_ensure(virConnectPtr conn, const lxcf_net_conf *nc, bool *created,
                    lxcf_err *err);
/* The same, and the addresses reserved in the network as
 * lxcf_net_used_addrs gives them, from the same lookup: four libvirt
 * calls fewer for a reservation. */
int lxcf_net_ensure_used(virConnectPtr conn, const lxcf_net_conf *nc, bool *created,
                         uint32_t **addrs, size_t *n, lxcf_err *err);

/* Reserve IP for NAME/MAC in DHCP and name it in DNS, each only where it
 * is still missing, so that a re-run after a crash completes a half-done
 * add.  The DNS entry goes to the live network (when active) and to its
 * persistent config.  The DHCP entry goes to the config, and to the live
 * network only when IP lies in one of its DHCP ranges (or there is no
 * config to hold it): libvirt reloads the network's whole firewall for
 * each live DHCP change (about 0.5 s, one network at a time), while an
 * address outside every range is one dnsmasq never lends, and the entry
 * is live from the network's next start. */
int lxcf_net_host_add(virConnectPtr conn, const char *netname, const char *name,
                      const char *mac, const char *ip, lxcf_err *err);

/* Drop NAME's DHCP host and DNS host records from every view that has them
 * (a DNS record that also names other hosts goes with it: libvirt deletes
 * whole records).  Missing ones are not an error. */
int lxcf_net_host_remove(virConnectPtr conn, const char *netname, const char *name,
                         lxcf_err *err);

/* Addresses reserved in the network, live and persistent config together
 * (see lxcf_netxml_used_addrs). */
int lxcf_net_used_addrs(virConnectPtr conn, const char *netname, uint32_t **addrs,
                        size_t *n, lxcf_err *err);

/* Move the persistent config's DHCP ranges off NC's pool: drop each range
 * that overlaps it and add those lxcf_netxml_build would make, as a
 * network made by an older lxcf (range = pool) needs.  The running network
 * keeps its ranges until its next start.  *MOVED says whether anything
 * changed. */
int lxcf_net_dhcp_off_pool(virConnectPtr conn, const lxcf_net_conf *nc, bool *moved,
                           lxcf_err *err);

/* Fill ST for `lxcf net` (clear it with lxcf_net_status_clear): the
 * running network's facts (else the config's), and the host entries of
 * both views, each once. */
int lxcf_net_info(virConnectPtr conn, const char *netname, lxcf_net_status *st,
                  lxcf_err *err);
