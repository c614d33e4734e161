/* A container as a libvirt domain XML, and back.
 *
 * libvirt is lxcf's only store: what lxcf needs to know about a container
 * and libvirt does not (model, fixed address, creation time, build state)
 * lives in the domain's <metadata> as one element in the lxcf namespace.
 * A domain without that element is not an lxcf container. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "err.h"

/* The namespace of lxcf's metadata element; the prefix is only cosmetic,
 * readers match the URI. */
#define LXCF_XMLNS "https://github.com/lxcf/lxcf/xmlns/1"
#define LXCF_XMLNS_PREFIX "lxcf"

#define LXCF_DOMXML_DEFAULT_MEMORY_KIB (1024ULL * 1024ULL)
#define LXCF_DOMXML_DEFAULT_VCPUS 1U

/* libvirt's "no limit" for memtune values (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED,
 * in KiB): it reads it as unset and leaves the element out. */
#define LXCF_DOMXML_UNLIMITED_KIB 9007199254740991ULL

/* The full domain XML to define C (pretty-printed, deterministic). */
int lxcf_domxml_build(const lxcf_container *c, char **xml_out, lxcf_err *err);

/* DOMAIN_XML with the lxcfs mounts (lxcfs.h) from DIR, or without any when
 * DIR is NULL; everything else stays as it is. */
int lxcf_domxml_set_lxcfs(const char *domain_xml, const char *dir, char **out, lxcf_err *err);

/* Only the lxcf metadata element, as virDomainSetMetadata() takes it with
 * type VIR_DOMAIN_METADATA_ELEMENT, key LXCF_XMLNS_PREFIX, uri LXCF_XMLNS:
 * without a namespace (libvirt refuses an element that declares the
 * prefix it is to add) and on one line (libvirt indents it itself), so
 * that the domain reads as if lxcf_domxml_build had written it. */
int lxcf_domxml_meta_build(const lxcf_container *c, char **xml_out, lxcf_err *err);

/* Parse a domain XML (as virDomainGetXMLDesc returns it).  Returns 1 and
 * *out when the domain carries lxcf metadata, 0 and *out = NULL when it is
 * a foreign domain, -1 on malformed XML or malformed lxcf metadata. */
int lxcf_domxml_parse(const char *domain_xml, lxcf_container **out, lxcf_err *err);

/* Fill C's metadata fields (model, root, ipv4, ipv4_prefix, created,
 * state_note) from what virDomainGetMetadata() returns (the element in the
 * lxcf namespace, or without one as libvirt gives it back).  C is left
 * unchanged on failure. */
int lxcf_domxml_meta_parse(const char *meta_xml, lxcf_container *c, lxcf_err *err);

/* Resource limits to write into a domain XML: those libvirt's setters do
 * not store (resource.c uses them for the rest): the cpuset and the
 * nodeset, for which libvirt-LXC has no call, and memory limits out of
 * the order libvirt insists on.  Each value is used only when its has_
 * flag is set; everything else in the XML is kept. */
typedef struct lxcf_tune {
    bool has_mem_hard_limit;
    unsigned long long mem_hard_limit_kib;
    bool has_swap_hard_limit;
    unsigned long long swap_hard_limit_kib;
    const char *cpuset;                /* <vcpu cpuset>; NULL = keep, "" = remove */
    const char *numa_nodeset;          /* strict nodeset; NULL = keep, "" = remove */
} lxcf_tune;

/* Apply T to DOMAIN_XML, writing the edited XML to *OUT. */
int lxcf_domxml_set_tune(const char *domain_xml, const lxcf_tune *t, char **out,
                         lxcf_err *err);

/* The limits of a domain definition as lxcf sets them: what
 * lxcf_domxml_set_tune writes, read back.  Read here, beside the writer,
 * so that one module knows the domain XML; resource.h checks and applies
 * them. */
typedef struct lxcf_res_blkdev {
    char *path;
    uint64_t rbps, wbps, riops, wiops;  /* 0: none */
} lxcf_res_blkdev;

typedef struct lxcf_res_conf {
    unsigned long long memory_kib;      /* <memory>; 0 when absent */
    uint64_t cpu_period_us;             /* 0: absent */
    int64_t cpu_quota_us;               /* 0: absent; -1 (or < 0): unlimited */
    uint64_t mem_hard_kib;              /* 0: absent or unlimited */
    uint64_t swap_hard_kib;             /* memory+swap, as libvirt; 0: none */
    char *cpuset;                       /* <vcpu cpuset>; NULL: none */
    char *nodeset;                      /* <numatune><memory nodeset>; NULL: none */
    size_t n_blkdevs;
    lxcf_res_blkdev *blkdevs;
} lxcf_res_conf;

int lxcf_res_conf_parse(const char *domain_xml, lxcf_res_conf *c, lxcf_err *err);
void lxcf_res_conf_clear(lxcf_res_conf *c);
