/* lxcf net [show|repair] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "container.h"
#include "net.h"
#include "out.h"
#include "util.h"

static void lxcf_net_print_json(FILE *f, const lxcf_net_status *st, const lxcf_config *cfg)
{
    lxcf_json j;

    lxcf_json_init(&j, f);
    lxcf_json_object(&j, NULL, false);
    lxcf_json_string(&j, "name", st->name);
    lxcf_json_string(&j, "bridge", st->bridge);
    lxcf_json_string(&j, "address", st->address);
    lxcf_json_array(&j, "range", false);
    lxcf_json_string(&j, NULL, st->range_start);
    lxcf_json_string(&j, NULL, st->range_end);
    lxcf_json_close(&j);
    lxcf_json_array(&j, "pool", false);
    lxcf_json_string(&j, NULL, cfg->net_pool_start);
    lxcf_json_string(&j, NULL, cfg->net_pool_end);
    lxcf_json_close(&j);
    lxcf_json_array(&j, "dhcp_ranges", false);
    for (size_t i = 0; i < st->n_ranges; i++) {
        lxcf_json_array(&j, NULL, false);
        lxcf_json_string(&j, NULL, st->ranges[i].start);
        lxcf_json_string(&j, NULL, st->ranges[i].end);
        lxcf_json_close(&j);
    }
    lxcf_json_close(&j);
    lxcf_json_bool(&j, "active", st->active);
    lxcf_json_bool(&j, "persistent", st->persistent);
    lxcf_json_bool(&j, "autostart", st->autostart);
    lxcf_json_array(&j, "hosts", false);
    for (size_t i = 0; i < st->n_dhcp_hosts; i++) {
        lxcf_json_object(&j, NULL, false);
        lxcf_json_string(&j, "name", st->dhcp_hosts[i].name);
        lxcf_json_string(&j, "mac", st->dhcp_hosts[i].mac);
        lxcf_json_string(&j, "address", st->dhcp_hosts[i].ip);
        lxcf_json_close(&j);
    }
    lxcf_json_close(&j);
    lxcf_json_close(&j);
}

static void lxcf_net_print(FILE *f, const lxcf_net_status *st, const lxcf_config *cfg)
{
    _cleanup_free_ char *dhcp = lxcf_xstrdup("");

    for (size_t i = 0; i < st->n_ranges; i++) {
        char *more = lxcf_xasprintf("%s%s%s - %s", dhcp, i ? ", " : "",
                                    st->ranges[i].start ? st->ranges[i].start : "-",
                                    st->ranges[i].end ? st->ranges[i].end : "-");
        free(dhcp);
        dhcp = more;
    }
    lxcf_field(f, "name", st->name);
    lxcf_field(f, "bridge", st->bridge);
    lxcf_field(f, "address", st->address);
    lxcf_fieldf(f, "pool", "%s - %s", cfg->net_pool_start, cfg->net_pool_end);
    lxcf_field(f, "dhcp", st->n_ranges ? dhcp : "none (reservations only)");
    lxcf_field(f, "active", st->active ? "yes" : "no");
    lxcf_field(f, "autostart", st->autostart ? "yes" : "no");
    lxcf_field(f, "persistent", st->persistent ? "yes" : "no");
    lxcf_fieldf(f, "hosts", "%zu", st->n_dhcp_hosts);
    for (size_t i = 0; i < st->n_dhcp_hosts; i++)
        fprintf(f, "  %-15s %-17s %s\n", st->dhcp_hosts[i].ip ? st->dhcp_hosts[i].ip : "-",
                st->dhcp_hosts[i].mac ? st->dhcp_hosts[i].mac : "-",
                st->dhcp_hosts[i].name ? st->dhcp_hosts[i].name : "-");
}

int lxcf_cmd_net(lxcf_cli *cli, lxcf_err *err)
{
    const char *what = cli->argc ? cli->argv[0] : "show";
    lxcf_net_status st;

    if (!lxcf_streq(what, "show") && !lxcf_streq(what, "repair"))
        return lxcf_error(err, LXCF_EXIT_USAGE, "net: unknown action '%s' (show or repair)", what);
    if (lxcf_cli_connect(cli, err) < 0)
        return -1;
    if (lxcf_streq(what, "repair")) {
        lxcf_printer p;
        lxcf_report rep = { lxcf_printer_fn, &p };
        bool created = false;

        lxcf_printer_init(&p, cli->out, cli->quiet);
        if (lxcf_container_net_repair(&cli->ctx, &rep, &created, err) < 0)
            return -1;
        lxcf_printer_line(&p, "%s: %s, host entries and /etc/hosts blocks up to date\n",
                          cli->ctx.cfg.net_name, created ? "defined and started" : "active");
        return 0;
    }
    memset(&st, 0, sizeof(st));
    if (lxcf_net_info(cli->ctx.conn, cli->ctx.cfg.net_name, &st, err) < 0) {
        lxcf_error_prefix(err, "net: ");
        return -1;
    }
    if (cli->json)
        lxcf_net_print_json(cli->out, &st, &cli->ctx.cfg);
    else
        lxcf_net_print(cli->out, &st, &cli->ctx.cfg);
    lxcf_net_status_clear(&st);
    return 0;
}
