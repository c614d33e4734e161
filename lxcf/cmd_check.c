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
    lxcf_json j;

    lxcf_json_init(&j, f);
    lxcf_json_object(&j, NULL, true);
    lxcf_json_array(&j, "items", true);
    for (size_t i = 0; i < r->n; i++) {
        const lxcf_check_item *it = &r->items[i];
        lxcf_json_object(&j, NULL, false);
        lxcf_json_string(&j, "item", it->name);
        lxcf_json_string(&j, "status", lxcf_check_status_name(it->status));
        lxcf_json_string(&j, "value", it->value);
        lxcf_json_int(&j, "guests", it->guests >= 0, it->guests);
        lxcf_json_string(&j, "note", it->note);
        lxcf_json_close(&j);
    }
    lxcf_json_close(&j);
    lxcf_json_int(&j, "guests", cap != NULL, cap ? cap->guests : 0);
    lxcf_json_string(&j, "limited_by", cap ? cap->name : NULL);
    lxcf_json_bool(&j, "ready", !lxcf_check_failed(r));
    lxcf_json_close(&j);
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
    /* The table said what is missing. */
    if (failed)
        return lxcf_error_silent(err, LXCF_EXIT_FAIL);
    return 0;
}
