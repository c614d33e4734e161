#include "out.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

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
