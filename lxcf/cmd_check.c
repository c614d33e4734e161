/* lxcf check: print what lib/check found, as a table or JSON. */
#include <stdio.h>

#include "check.h"
#include "cleanup.h"
#include "cli.h"
#include "lxcf-build.h"
#include "out.h"
#include "util.h"

static void lxcf_check_print_json(FILE *f, const lxcf_check_report *r)
{
    const lxcf_check_item *cap = lxcf_check_cap(r);

    fputs("{\n  \"items\": [", f);
    for (size_t i = 0; i < r->n; i++) {
        const lxcf_check_item *it = &r->items[i];
        fprintf(f, "%s\n    {\"item\": ", i ? "," : "");
        lxcf_json_str(f, it->name);
        fputs(", \"status\": ", f);
        lxcf_json_str(f, lxcf_check_status_name(it->status));
        fputs(", \"value\": ", f);
        lxcf_json_str(f, it->value);
        if (it->guests >= 0)
            fprintf(f, ", \"guests\": %ld", it->guests);
        else
            fputs(", \"guests\": null", f);
        fputs(", \"note\": ", f);
        lxcf_json_str(f, it->note);
        fputs("}", f);
    }
    fputs("\n  ],\n  \"guests\": ", f);
    if (cap)
        fprintf(f, "%ld,\n  \"limited_by\": ", cap->guests);
    else
        fputs("null,\n  \"limited_by\": ", f);
    lxcf_json_str(f, cap ? cap->name : NULL);
    fprintf(f, ",\n  \"ready\": %s\n}\n", lxcf_check_failed(r) ? "false" : "true");
}

static void lxcf_check_print_text(FILE *f, const lxcf_check_report *r)
{
    const lxcf_check_item *cap = lxcf_check_cap(r);
    size_t count[4] = { 0 };

    fprintf(f, "%-5s %-34s %-36s %s\n", "", "ITEM", "VALUE", "NOTE");
    for (size_t i = 0; i < r->n; i++) {
        const lxcf_check_item *it = &r->items[i];
        count[it->status]++;
        fprintf(f, "%-5s %-34s %-36s %s\n", lxcf_check_status_name(it->status), it->name,
                it->value, it->note);
    }
    fprintf(f, "\n%zu ok, %zu info, %zu warnings, %zu failures", count[LXCF_CHECK_OK],
            count[LXCF_CHECK_INFO], count[LXCF_CHECK_WARN], count[LXCF_CHECK_FAIL]);
    if (cap)
        fprintf(f, "; this host runs about %ld guests (limited by %s)", cap->guests, cap->name);
    fputs("\n", f);
}

int lxcf_cmd_check(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_free_ char *roots = NULL;
    lxcf_check_report r = { 0 };
    lxcf_err conn_err = LXCF_ERR_INIT;
    lxcf_check_opts o = { 0 };
    int failed;

    if (lxcf_cli_ctx(cli, err) < 0)
        return -1;
    roots = lxcf_ctx_roots_dir(&cli->ctx);
    /* An unreachable libvirt is one of the things check reports. */
    if (lxcf_ctx_connect(&cli->ctx, &conn_err) == 0)
        o.conn = cli->ctx.conn;
    else
        o.conn_error = conn_err.msg;
    o.cfg = &cli->ctx.cfg;
    o.roots_dir = roots;
    o.dropin = LXCF_SYSCTL_DROPIN;
    if (lxcf_check_run(&o, &r, err) < 0)
        return -1;
    if (cli->json)
        lxcf_check_print_json(cli->out, &r);
    else
        lxcf_check_print_text(cli->out, &r);
    failed = lxcf_check_failed(&r);
    lxcf_check_report_clear(&r);
    if (failed) {
        /* The table said what is missing. */
        err->code = LXCF_EXIT_FAIL;
        err->msg[0] = '\0';
        return -1;
    }
    return 0;
}
