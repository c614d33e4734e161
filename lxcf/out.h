/* Output helpers of the command: tables and JSON for scripts. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "container.h"

void lxcf_json_str(FILE *f, const char *s);  /* "..." with escapes, or null */

/* The one writer of --json output, so that every subcommand prints the
 * same layout.  An object or array opened with LINES puts each member on
 * a line of its own, indented two spaces a level; the others keep their
 * members on one line, separated by ", ".  KEY is NULL for an array's
 * element and for the outermost value; closing that one ends the line. */
#define LXCF_JSON_DEPTH 8

typedef struct lxcf_json {
    FILE *f;
    int depth;
    char close[LXCF_JSON_DEPTH];  /* '}' or ']' of each open level */
    bool lines[LXCF_JSON_DEPTH];
    bool empty[LXCF_JSON_DEPTH];  /* no member written yet */
} lxcf_json;

void lxcf_json_init(lxcf_json *j, FILE *f);
void lxcf_json_object(lxcf_json *j, const char *key, bool lines);
void lxcf_json_array(lxcf_json *j, const char *key, bool lines);
void lxcf_json_close(lxcf_json *j);
void lxcf_json_null(lxcf_json *j, const char *key);
void lxcf_json_string(lxcf_json *j, const char *key, const char *s);  /* NULL: null */
void lxcf_json_uint(lxcf_json *j, const char *key, bool has, uint64_t v);  /* !HAS: null */
void lxcf_json_int(lxcf_json *j, const char *key, bool has, long long v);
void lxcf_json_bool(lxcf_json *j, const char *key, int v);  /* < 0: null (unknown) */

/* A reporter printing "NAME: MSG" lines on OUT; copy progress only on a
 * terminal, where it redraws one line. */
typedef struct lxcf_printer {
    FILE *out;
    bool quiet;
    bool tty;
    bool dirty;  /* a progress line without newline is on screen */
    pthread_mutex_t mu;  /* lines from parallel jobs stay whole */
} lxcf_printer;

void lxcf_printer_init(lxcf_printer *p, FILE *out, bool quiet);
/* Several jobs print at once: no redrawn progress line, whole lines only. */
void lxcf_printer_parallel(lxcf_printer *p);
void lxcf_printer_fn(void *opaque, const char *name, const char *msg);
void lxcf_printer_line(lxcf_printer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The "LABEL:     VALUE" lines of show and net, the values in one column;
 * a NULL VALUE is "-". */
void lxcf_field(FILE *f, const char *label, const char *value);
void lxcf_fieldf(FILE *f, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "12.3M" style size of KiB for tables. */
void lxcf_human_kib(unsigned long long kib, char buf[16]);
