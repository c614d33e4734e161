/* update and deploy: parse, call lib/core's update and deploy, print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "deploy.h"
#include "out.h"
#include "update.h"
#include "update_recover.h"
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

int lxcf_cmd_deploy(lxcf_cli *cli, lxcf_err *err)
{
    lxcf_printer p;
    lxcf_report rep = { lxcf_printer_fn, &p };
    size_t done = 0, failed = 0;
    int r;

    if (lxcf_cli_ctx(cli, err) < 0)
        return -1;
    lxcf_printer_init(&p, cli->out, cli->quiet);
    r = lxcf_deploy(&cli->ctx, cli->argv, cli->only, &rep, &done, &failed, err);
    if (done + failed)
        lxcf_printer_line(&p, "deploy: %zu of %zu guests done, %zu failed\n", done,
                          done + failed, failed);
    return r;
}
