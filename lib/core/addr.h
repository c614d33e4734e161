/* IPv4 addresses and the container address pool.  Pure functions: the
 * caller gathers the addresses in use (from libvirt) and this module only
 * decides.  Addresses are host-order uint32_t so that arithmetic and
 * ordering are plain integer operations. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define LXCF_IPV4_STRLEN 16  /* "255.255.255.255" + NUL */
#define LXCF_MAC_STRLEN 18   /* "52:54:00:xx:xx:xx" + NUL */

/* A network given by one of its addresses (the gateway) and a prefix, as in
 * "192.168.125.1/24". */
typedef struct lxcf_ipv4_net {
    uint32_t addr;
    unsigned prefix;
} lxcf_ipv4_net;

/* The range lxcf hands container addresses out of. */
typedef struct lxcf_pool {
    lxcf_ipv4_net net;  /* net.addr is the gateway */
    uint32_t start;
    uint32_t end;
} lxcf_pool;

/* Strict dotted quad: four decimal parts 0..255, no leading zeros (which
 * some parsers read as octal), nothing around it. */
int lxcf_ipv4_parse(const char *s, uint32_t *out, lxcf_err *err);
void lxcf_ipv4_format(uint32_t a, char buf[LXCF_IPV4_STRLEN]);

/* "ADDR/PREFIX", prefix 1..30, ADDR neither the network nor the broadcast
 * address (it is the gateway, so it must be usable). */
int lxcf_ipv4_net_parse(const char *s, lxcf_ipv4_net *out, lxcf_err *err);
uint32_t lxcf_ipv4_netmask(unsigned prefix);
uint32_t lxcf_ipv4_net_network(const lxcf_ipv4_net *net);
uint32_t lxcf_ipv4_net_broadcast(const lxcf_ipv4_net *net);
bool lxcf_ipv4_net_contains(const lxcf_ipv4_net *net, uint32_t a);

/* Parse CIDR, START and END and validate them together (lxcf_pool_check). */
int lxcf_pool_parse(const char *cidr, const char *start, const char *end,
                    lxcf_pool *out, lxcf_err *err);
/* START <= END, both inside the subnet, neither the network address, the
 * broadcast address nor the gateway.  The gateway may lie strictly inside
 * the range: lxcf_addr_pick skips it. */
int lxcf_pool_check(const lxcf_pool *pool, lxcf_err *err);

/* The lowest address in [start, end] that is neither the gateway nor in
 * USED (any order, duplicates and out-of-pool entries allowed). */
int lxcf_addr_pick(const lxcf_pool *pool, const uint32_t *used, size_t nused,
                   uint32_t *out, lxcf_err *err);

/* An inclusive range of addresses. */
typedef struct lxcf_ipv4_range {
    uint32_t start;
    uint32_t end;
} lxcf_ipv4_range;

#define LXCF_POOL_OUTSIDE_MAX 4

/* The usable addresses of the pool's network that lie outside the pool and
 * are not the gateway: where the network's DHCP may lend addresses without
 * ever lending one of lxcf's.  Ascending, up to LXCF_POOL_OUTSIDE_MAX
 * ranges (none when the pool fills the network); returns how many. */
size_t lxcf_pool_outside(const lxcf_pool *pool, lxcf_ipv4_range out[LXCF_POOL_OUTSIDE_MAX]);

/* Whether [A.start, A.end] and [B.start, B.end] share an address. */
bool lxcf_ipv4_range_overlap(const lxcf_ipv4_range *a, const lxcf_ipv4_range *b);

/* A random locally used MAC in libvirt's 52:54:00 prefix. */
void lxcf_mac_random(char buf[LXCF_MAC_STRLEN]);
