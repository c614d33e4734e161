/* Output helpers of the command: tables and JSON for scripts. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "container.h"

void lxcf_json_str(FILE *f, const char *s);  /* "..." with escapes, or null */

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

/* "12.3M" style size of KiB for tables. */
void lxcf_human_kib(unsigned long long kib, char buf[16]);
