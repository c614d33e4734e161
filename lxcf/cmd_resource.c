/* Resource limit subcommands: cpurate, cpun, memlimit, memswlimit, numa,
 * blkio_r, blkio_w, blkioiops_r, blkioiops_w.  Parse, call lib/resource,
 * print one line. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "resource.h"
#include "util.h"

/* The kind whose subcommand CMD is (lib/resource names them). */
static int lxcf_res_kind_of(const lxcf_cmd *cmd, lxcf_res_kind *kind, lxcf_err *err)
{
    for (int k = LXCF_RES_CPURATE; k <= LXCF_RES_WIOPS; k++) {
        if (lxcf_streq(lxcf_res_kind_name((lxcf_res_kind)k), cmd->name)) {
            *kind = (lxcf_res_kind)k;
            return 0;
        }
    }
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a resource limit", cmd->name);
}

/* Every limit subcommand: its name is the limit's kind. */
int lxcf_cmd_resource(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_(lxcf_res_result_clear) lxcf_res_result res = { 0 };
    const char *name = cli->argv[0];
    const char *device = cli->argc == 3 ? cli->argv[1] : NULL;
    const char *value = cli->argv[cli->argc - 1];
    lxcf_res_kind kind = LXCF_RES_CPURATE;

    if (lxcf_res_kind_of(cli->cmd, &kind, err) < 0 || lxcf_ref_check(name, err) < 0 ||
        lxcf_cli_ctx(cli, err) < 0)
        return -1;
    if (lxcf_res_set(&cli->ctx, name, kind, device, value, &res, err) < 0)
        return -1;
    fprintf(cli->out, "%s: %s %s%s\n", name, lxcf_res_kind_name(kind), res.shown,
            res.running ? " (applied now and at every start)"
                        : " (stored; applied when the container starts)");
    return 0;
}
