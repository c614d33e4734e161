/* update and deploy: parse, call lib/update, print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "out.h"
#include "update.h"
#include "util.h"
#include "virt.h"

int lxcf_cmd_update(lxcf_cli *cli, lxcf_err *err)
{
    lxcf_printer p;
    lxcf_report rep = { lxcf_printer_fn, &p };
    lxcf_update_opts o = { .only = cli->only, .dry_run = cli->dry_run, .jobs = (unsigned)cli->jobs };

    if (cli->recover && cli->argc > 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "update: --recover takes no command");
    if (!cli->recover && cli->argc == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "update: no command given (e.g. lxcf update dnf -y update)");
    if (lxcf_cli_connect(cli, err) < 0)
        return -1;
    lxcf_printer_init(&p, cli->out, cli->quiet);
    if (cli->recover) {
        if (lxcf_update_recover(&cli->ctx, false, &rep, err) < 0)
            return -1;
        lxcf_printer_line(&p, "update: nothing left to recover\n");
        return 0;
    }
    if (lxcf_update_run(&cli->ctx, cli->argv, &o, &rep, err) < 0)
        return -1;
    lxcf_printer_line(&p, cli->dry_run ? "update: dry run, nothing changed\n"
                                       : "update: every guest and the host updated\n");
    return 0;
}

static int lxcf_deploy_plan(lxcf_cli *cli, lxcf_update_plan *plan, lxcf_err *err)
{
    _cleanup_free_ char *roots = NULL;
    lxcf_virt_list l;
    int r;

    if (lxcf_cli_connect(cli, err) < 0 || lxcf_virt_list_all(cli->ctx.conn, &l, err) < 0)
        return -1;
    roots = lxcf_ctx_roots_dir(&cli->ctx);
    r = lxcf_update_plan_build(&l, roots, cli->only, plan, err);
    lxcf_virt_list_clear(&l);
    return r;
}

int lxcf_cmd_deploy(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_(lxcf_update_plan_clear) lxcf_update_plan plan = { 0 };
    _cleanup_strv_ char **paths = lxcf_xcalloc((size_t)cli->argc + 1, sizeof(char *));
    lxcf_printer p;
    size_t failed = 0;

    for (int i = 0; i < cli->argc; i++)
        paths[i] = lxcf_xstrdup(cli->argv[i]);
    if (lxcf_deploy_plan(cli, &plan, err) < 0)
        return -1;
    lxcf_printer_init(&p, cli->out, cli->quiet);
    for (size_t i = 0; i < plan.n; i++) {
        lxcf_err e = LXCF_ERR_INIT;

        if (lxcf_deploy_guest(&plan.g[i], paths, &e) < 0) {
            failed++;
            lxcf_printer_line(&p, "%s: FAILED: %s\n", plan.g[i].name, e.msg);
            continue;
        }
        if (!cli->quiet)
            lxcf_printer_line(&p, "%s: deployed\n", plan.g[i].name);
    }
    lxcf_printer_line(&p, "deploy: %zu of %zu guests done, %zu failed\n", plan.n - failed, plan.n, failed);
    if (failed)
        return lxcf_error(err, LXCF_EXIT_FAIL, "deploy: %zu of %zu guests failed", failed, plan.n);
    return 0;
}
