#include "out.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

void lxcf_json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void lxcf_json_init(lxcf_json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
}

/* The separator and indentation before a value, and its key. */
static void lxcf_json_key(lxcf_json *j, const char *key)
{
    int d = j->depth - 1;

    if (d >= 0) {
        if (!j->empty[d])
            fputc(',', j->f);
        if (j->lines[d])
            fprintf(j->f, "\n%*s", 2 * j->depth, "");
        else if (!j->empty[d])
            fputc(' ', j->f);
        j->empty[d] = false;
    }
    if (key) {
        lxcf_json_str(j->f, key);
        fputs(": ", j->f);
    }
}

static void lxcf_json_open(lxcf_json *j, const char *key, char open, char close, bool lines)
{
    lxcf_json_key(j, key);
    fputc(open, j->f);
    /* Deeper than any output of lxcf nests: a bug, not input. */
    if (j->depth >= LXCF_JSON_DEPTH)
        abort();
    j->close[j->depth] = close;
    j->lines[j->depth] = lines;
    j->empty[j->depth] = true;
    j->depth++;
}

void lxcf_json_object(lxcf_json *j, const char *key, bool lines)
{
    lxcf_json_open(j, key, '{', '}', lines);
}

void lxcf_json_array(lxcf_json *j, const char *key, bool lines)
{
    lxcf_json_open(j, key, '[', ']', lines);
}

void lxcf_json_close(lxcf_json *j)
{
    int d = --j->depth;

    if (j->lines[d] && !j->empty[d])
        fprintf(j->f, "\n%*s", 2 * d, "");
    fputc(j->close[d], j->f);
    if (d == 0)
        fputc('\n', j->f);
}

/* KEY and a value FMT prints, or null without HAS. */
static void __attribute__((format(printf, 4, 5)))
lxcf_json_value(lxcf_json *j, const char *key, bool has, const char *fmt, ...)
{
    va_list ap;

    lxcf_json_key(j, key);
    if (!has) {
        fputs("null", j->f);
        return;
    }
    va_start(ap, fmt);
    vfprintf(j->f, fmt, ap);
    va_end(ap);
}

void lxcf_json_null(lxcf_json *j, const char *key)
{
    lxcf_json_value(j, key, false, "null");
}

void lxcf_json_string(lxcf_json *j, const char *key, const char *s)
{
    lxcf_json_key(j, key);
    lxcf_json_str(j->f, s);
}

void lxcf_json_uint(lxcf_json *j, const char *key, bool has, uint64_t v)
{
    lxcf_json_value(j, key, has, "%" PRIu64, v);
}

void lxcf_json_int(lxcf_json *j, const char *key, bool has, long long v)
{
    lxcf_json_value(j, key, has, "%lld", v);
}

void lxcf_json_bool(lxcf_json *j, const char *key, int v)
{
    lxcf_json_value(j, key, v >= 0, "%s", v ? "true" : "false");
}

#define LXCF_FIELD_WIDTH 12

void lxcf_field(FILE *f, const char *label, const char *value)
{
    int pad = LXCF_FIELD_WIDTH - 1 - (int)strlen(label);

    fprintf(f, "%s:%*s%s\n", label, pad > 1 ? pad : 1, "", value ? value : "-");
}

void lxcf_fieldf(FILE *f, const char *label, const char *fmt, ...)
{
    _cleanup_free_ char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    /* Out of memory: what lxcf_xasprintf does too. */
    if (vasprintf(&value, fmt, ap) < 0)
        abort();
    va_end(ap);
    lxcf_field(f, label, value);
}

void lxcf_printer_init(lxcf_printer *p, FILE *out, bool quiet)
{
    p->out = out;
    p->quiet = quiet;
    p->tty = isatty(fileno(out)) == 1;
    p->dirty = false;
    pthread_mutex_init(&p->mu, NULL);
}

void lxcf_printer_parallel(lxcf_printer *p)
{
    p->tty = false;
}

void lxcf_printer_fn(void *opaque, const char *name, const char *msg)
{
    lxcf_printer *p = opaque;
    bool progress = strncmp(msg, "copying:", 8) == 0;

    if (p->quiet && strncmp(msg, "warning:", 8) != 0)
        return;
    /* Redrawn progress is for people; scripts get stable lines only. */
    if (progress && !p->tty)
        return;
    pthread_mutex_lock(&p->mu);
    if (progress) {
        fprintf(p->out, "\r\033[K%s: %s", name, msg);
        p->dirty = true;
    } else {
        fprintf(p->out, "%s%s: %s\n", p->dirty ? "\r\033[K" : "", name, msg);
        p->dirty = false;
    }
    fflush(p->out);
    pthread_mutex_unlock(&p->mu);
}

void lxcf_printer_line(lxcf_printer *p, const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&p->mu);
    if (p->dirty) {
        fputs("\r\033[K", p->out);
        p->dirty = false;
    }
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fflush(p->out);
    pthread_mutex_unlock(&p->mu);
}

void lxcf_human_kib(unsigned long long kib, char buf[16])
{
    const char *u = "KMGT";
    double v = (double)kib;
    int i = 0;

    while (v >= 1024 && i < 3) {
        v /= 1024;
        i++;
    }
    snprintf(buf, 16, i ? "%.1f%c" : "%.0f%c", v, u[i]);
}
