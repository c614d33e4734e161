/* Resource limit subcommands: cpurate, cpun, memlimit, memswlimit, numa,
 * blkio_r, blkio_w, blkioiops_r, blkioiops_w.  Parse, call lib/resource,
 * print one line. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "resource.h"
#include "util.h"

static int lxcf_res_cmd(lxcf_cli *cli, lxcf_res_kind kind, lxcf_err *err)
{
    _cleanup_(lxcf_res_result_clear) lxcf_res_result res = { 0 };
    const char *name = cli->argv[0];
    const char *device = cli->argc == 3 ? cli->argv[1] : NULL;
    const char *value = cli->argv[cli->argc - 1];

    if (lxcf_ref_check(name, err) < 0 || lxcf_cli_ctx(cli, err) < 0)
        return -1;
    if (lxcf_res_set(&cli->ctx, name, kind, device, value, &res, err) < 0)
        return -1;
    fprintf(cli->out, "%s: %s %s%s\n", name, lxcf_res_kind_name(kind), res.shown,
            res.running ? " (applied now and at every start)"
                        : " (stored; applied when the container starts)");
    return 0;
}

int lxcf_cmd_cpurate(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_CPURATE, err);
}

int lxcf_cmd_cpun(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_CPUN, err);
}

int lxcf_cmd_memlimit(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_MEM, err);
}

int lxcf_cmd_memswlimit(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_MEMSW, err);
}

int lxcf_cmd_numa(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_NUMA, err);
}

int lxcf_cmd_blkio_r(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_RBPS, err);
}

int lxcf_cmd_blkio_w(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_WBPS, err);
}

int lxcf_cmd_blkioiops_r(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_RIOPS, err);
}

int lxcf_cmd_blkioiops_w(lxcf_cli *cli, lxcf_err *err)
{
    return lxcf_res_cmd(cli, LXCF_RES_WIOPS, err);
}
