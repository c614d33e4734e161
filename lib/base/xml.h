/* The one libxml2 layer of lxcf: how XML is parsed (safely), serialised
 * (in one style), walked and built, and how libvirt's scaled sizes read.
 *
 * It knows nothing of domains or networks; domxml.c and net.c build their
 * documents on it, and no other module includes libxml2. */
#pragma once

#include <stdbool.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cleanup.h"
#include "err.h"

LXCF_DEFINE_CLEANUP_FUNC(lxcf_xml_docp, xmlDoc *, xmlFreeDoc)

#define _cleanup_xmldoc_ _cleanup_(lxcf_xml_docp)

/* Set up libxml2's globals.  Call it before any thread may use libxml2:
 * when two jobs of a batch were the first to parse at the same time,
 * libxml2's own lazy set-up raced and lost a mutex (LeakSanitizer saw it
 * in start-n).  Repeated calls do nothing. */
void lxcf_xml_init(void);

/* Parse XML into *OUT, WHAT naming it in messages ("WHAT: malformed xml at
 * line N: libxml2's words").  libxml2 prints nothing and its global error
 * handlers are left alone; entities are never expanded, nothing is fetched
 * from the network, and a document with a DOCTYPE is refused (libvirt
 * never writes one; one could only smuggle in entities).  EXTRA_OPTS adds
 * parser options, e.g. XML_PARSE_NOBLANKS to edit a document. */
int lxcf_xml_read(const char *xml, const char *what, int extra_opts, xmlDoc **out,
                  lxcf_err *err);

/* NODE and below as the one style every caller and golden file shares: no
 * declaration, 2-space indent, UTF-8, a final newline.  Malloc'ed. */
int lxcf_xml_dump(xmlNode *node, char **out, lxcf_err *err);
/* The same without indentation, for XML that another writer nests and
 * indents itself (libvirt keeps whitespace it is given verbatim). */
int lxcf_xml_dump_compact(xmlNode *node, char **out, lxcf_err *err);

/* A new document whose root element is NAME. */
xmlNode *lxcf_xml_new_doc(xmlDoc **doc, const char *name);

/* An element named NAME, in any namespace. */
bool lxcf_xml_is(const xmlNode *n, const char *name);
/* An element named NAME in no namespace: libvirt's own elements carry
 * none, so a namesake in another namespace belongs to someone else. */
bool lxcf_xml_is_plain(const xmlNode *n, const char *name);
/* The first plain child NAME of PARENT; NULL when missing or PARENT is. */
xmlNode *lxcf_xml_child(const xmlNode *parent, const char *name);

/* Text of NODE, and attribute NAME (without namespace) of NODE, as lxcf's
 * own malloc'ed strings; NULL when NODE (or the attribute) is missing. */
char *lxcf_xml_text(const xmlNode *node);
char *lxcf_xml_child_text(const xmlNode *parent, const char *name);
char *lxcf_xml_attr(const xmlNode *node, const char *name);

/* A new child NAME of PARENT in NS (may be NULL) with TEXT (NULL: empty),
 * escaped as text: never parsed for entities. */
xmlNode *lxcf_xml_add(xmlNode *parent, xmlNs *ns, const char *name, const char *text);
/* Set (or replace) attribute NAME of N. */
void lxcf_xml_set_attr(xmlNode *n, const char *name, const char *value);
/* Replace N's content with TEXT, escaped as text. */
void lxcf_xml_set_text(xmlNode *n, const char *text);
/* Unlink N and free it; NULL is ignored. */
void lxcf_xml_remove(xmlNode *n);

/* A whole decimal number in an XML value, blanks around it allowed (as
 * libvirt writes and reads them); WHAT names it in the error. */
int lxcf_xml_parse_ull(const char *s, const char *what, unsigned long long *out,
                       lxcf_err *err);
int lxcf_xml_parse_ll(const char *s, const char *what, long long *out, lxcf_err *err);
/* The same for the text of element N. */
int lxcf_xml_ull(const xmlNode *n, const char *what, unsigned long long *out, lxcf_err *err);
int lxcf_xml_ll(const xmlNode *n, const char *what, long long *out, lxcf_err *err);

/* The scaled-value codec.  Units are libvirt's scaledInteger suffixes,
 * any case: "b", "byte", "bytes"; X or XiB (powers of 1024) and XB
 * (powers of 1000) for X in k, m, g, t, p, e.  No unit (NULL or "") means
 * DEFAULT_SCALE bytes.  V UNIT in bytes; overflow is an error. */
int lxcf_xml_scaled(unsigned long long v, const char *unit, unsigned long long default_scale,
                    const char *what, unsigned long long *bytes, lxcf_err *err);
/* A size element (<memory unit='MiB'>4</memory>; no unit: KiB) in KiB,
 * rounded up as libvirt rounds. */
int lxcf_xml_size_kib(const xmlNode *n, const char *what, unsigned long long *kib,
                      lxcf_err *err);
/* N's content as KIB with unit='KiB', the form libvirt writes back. */
void lxcf_xml_set_size_kib(xmlNode *n, unsigned long long kib);
