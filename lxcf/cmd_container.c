/* Container subcommands: parse, call lib/container, print. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "cleanup.h"
#include "cli.h"
#include "console.h"
#include "container.h"
#include "out.h"
#include "util.h"
#include "virt.h"

/* One container's step of a command on several: what it is given, and
 * what it says back for the line "NAME: DONE" that follows its success. */
typedef struct lxcf_step {
    const char *name;
    size_t idx;          /* the name's place in the list (for ordered steps) */
    lxcf_turns *turns;   /* with several jobs: sysgen's reservations in order */
    lxcf_report rep;     /* progress, on the command's printer */
    bool started;        /* it started the container, so its init is waited for */
    bool forced;         /* a stop had to destroy it */
    const char *done;
} lxcf_step;

typedef int (*lxcf_each_fn)(lxcf_cli *cli, lxcf_step *s, lxcf_err *err);

/* Wait for the N started containers NAMES[i]; print one line for each;
 * the number that failed, or -1 when libvirt itself failed. */
static int lxcf_wait_up(lxcf_cli *cli, char **names, size_t n, lxcf_printer *p, bool single,
                        lxcf_err *err)
{
    _cleanup_free_ lxcf_boot *b = lxcf_xcalloc(n ? n : 1, sizeof(*b));
    int failed;

    for (size_t i = 0; i < n; i++)
        b[i].name = names[i];
    failed = lxcf_boot_wait(cli->ctx.conn, b, n, (unsigned)cli->ctx.cfg.start_timeout, err);
    for (size_t i = 0; failed >= 0 && i < n; i++) {
        if (b[i].state == LXCF_BOOT_UP)
            lxcf_printer_line(p, "%s: up (systemd %s, %.1f s)\n", b[i].name, b[i].init_state,
                              b[i].seconds);
        else if (single)
            lxcf_error(err, LXCF_EXIT_FAIL, "%s: started, but its init did not come up: %s",
                       b[i].name, b[i].reason);
        else
            lxcf_printer_line(p, "%s: FAILED: started, but its init did not come up: %s\n",
                              b[i].name, b[i].reason);
    }
    for (size_t i = 0; i < n; i++)
        lxcf_boot_clear(&b[i]);
    return failed;
}

/* Several containers, JOBS at a time. */
typedef struct lxcf_each {
    lxcf_cli *cli;
    char **names;
    size_t n;
    lxcf_each_fn fn;
    lxcf_printer *p;
    bool *started;         /* per name */
    pthread_mutex_t mu;    /* the fields below */
    size_t next, failed;
    bool stop;             /* libvirt or the configuration is gone */
    lxcf_err fatal;
    lxcf_turns *turns;     /* with several jobs: sysgen's reservations in order */
} lxcf_each;

/* The step on the name I, and its line. */
static int lxcf_each_one(lxcf_each *w, size_t i, lxcf_err *err)
{
    lxcf_step s = { .name = w->names[i], .idx = i, .turns = w->turns,
                    .rep = { lxcf_printer_fn, w->p } };

    if (w->fn(w->cli, &s, err) < 0)
        return -1;
    w->started[i] = s.started;
    lxcf_printer_line(w->p, "%s: %s\n", s.name, s.done);
    return 0;
}

static void *lxcf_each_worker(void *opaque)
{
    lxcf_each *w = opaque;

    for (;;) {
        lxcf_err e = LXCF_ERR_INIT;
        size_t i;

        pthread_mutex_lock(&w->mu);
        if (w->stop || w->next >= w->n) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        i = w->next++;
        pthread_mutex_unlock(&w->mu);
        if (lxcf_each_one(w, i, &e) == 0)
            continue;
        lxcf_printer_line(w->p, "%s: FAILED: %s\n", w->names[i], e.msg);
        pthread_mutex_lock(&w->mu);
        w->failed++;
        /* Without libvirt or the lock nothing else can work either. */
        if ((lxcf_error_is(&e, LXCF_EXIT_LIBVIRT) || lxcf_error_is(&e, LXCF_EXIT_CONFIG)) &&
            !w->stop) {
            w->stop = true;
            lxcf_error_move(&w->fatal, &e);
        }
        pthread_mutex_unlock(&w->mu);
    }
}

/* The batch's one /etc/hosts sync, also after a fatal error: what was
 * done must be named there.  -1 when the batch must end with W->fatal
 * (after a fatal error that one, the first, whatever the sync says). */
static int lxcf_each_flush(lxcf_cli *cli, lxcf_printer *p, lxcf_each *w)
{
    lxcf_report rep = { lxcf_printer_fn, p };

    if (lxcf_container_hosts_flush(&cli->ctx, &rep, &w->fatal) < 0)
        w->stop = true;
    return w->stop ? -1 : 0;
}

/* Run FN for every name, --jobs at a time, one line as each finishes; one
 * failure does not stop the rest.  The containers FN started are waited
 * for together at the end (unless --no-wait).  A single name reports its
 * error as the command's error; several names print each failure and a
 * summary, and the status says something failed. */
static int lxcf_for_each(lxcf_cli *cli, char **names, size_t n, lxcf_each_fn fn,
                         const char *verb, lxcf_err *err)
{
    _cleanup_free_ char **started = lxcf_xcalloc(n + 1, sizeof(char *));
    _cleanup_free_ bool *was_started = lxcf_xcalloc(n + 1, sizeof(bool));
    _cleanup_free_ pthread_t *th = NULL;
    lxcf_printer p;
    _cleanup_free_ bool *turn_done = lxcf_xcalloc(n + 1, sizeof(bool));
    lxcf_turns turns = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, n, turn_done };
    lxcf_each w = { .cli = cli, .names = names, .n = n, .fn = fn, .p = &p,
                    .started = was_started, .mu = PTHREAD_MUTEX_INITIALIZER };
    size_t nstarted = 0, failed;
    unsigned jobs = lxcf_jobs_for((unsigned)cli->jobs, n);
    int down;

    if (lxcf_cli_ctx(cli, err) < 0)
        return -1;
    lxcf_printer_init(&p, cli->out, cli->quiet);
    cli->ctx.hosts_batch = n > 1;
    if (n == 1) {
        if (lxcf_each_one(&w, 0, err) < 0)
            return -1;
    } else if (jobs <= 1) {
        lxcf_each_worker(&w);
    } else {
        /* One connection for all jobs (libvirt's is thread-safe). */
        if (lxcf_ctx_connect(&cli->ctx, err) < 0)
            return -1;
        lxcf_printer_parallel(&p);
        w.turns = &turns;
        th = lxcf_xcalloc(jobs, sizeof(*th));
        for (unsigned i = 0; i < jobs; i++)
            if (pthread_create(&th[i], NULL, lxcf_each_worker, &w) != 0)
                abort();
        for (unsigned i = 0; i < jobs; i++)
            pthread_join(th[i], NULL);
    }
    if (lxcf_each_flush(cli, &p, &w) < 0)
        return lxcf_error_move(err, &w.fatal);
    for (size_t i = 0; i < n; i++)
        if (was_started[i])
            started[nstarted++] = names[i];
    failed = w.failed;
    down = cli->no_wait ? 0 : lxcf_wait_up(cli, started, nstarted, &p, n == 1, err);
    if (down < 0 || (n == 1 && down))
        return -1;
    failed += (size_t)down;
    if (n == 1)
        return 0;
    lxcf_printer_line(&p, "%s: %zu of %zu done, %zu failed\n", verb, n - failed, n, failed);
    if (failed)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %zu of %zu containers failed", verb, failed, n);
    return 0;
}

/* PREFIX COUNT -> PREFIX0001 .. PREFIXnnnn */
static int lxcf_batch_names(lxcf_cli *cli, char ***names, size_t *n, lxcf_err *err)
{
    unsigned long count;
    _cleanup_free_ char *probe = NULL;

    if (!*cli->argv[0])
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: empty PREFIX", cli->cmd->name);
    if (lxcf_parse_ulong(cli->argv[1], 1, 9999, "COUNT", &count, err) < 0)
        return -1;
    probe = lxcf_xasprintf("%s%04lu", cli->argv[0], count);
    if (lxcf_name_check(probe, err) < 0)
        return -1;
    *names = lxcf_xcalloc(count + 1, sizeof(char *));
    for (unsigned long i = 1; i <= count; i++)
        (*names)[i - 1] = lxcf_xasprintf("%s%04lu", cli->argv[0], i);
    *n = count;
    return 0;
}

static int lxcf_check_names(char **names, size_t n, lxcf_err *err)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (lxcf_streq(names[i], names[j]))
                return lxcf_error(err, LXCF_EXIT_USAGE, "%s: listed twice", names[i]);
        if (lxcf_ref_check(names[i], err) < 0)
            return -1;
    }
    return 0;
}

static int lxcf_do_sysgen(lxcf_cli *cli, lxcf_step *s, lxcf_err *err)
{
    lxcf_create_opts o = { .model = cli->model, .no_start = cli->no_start, .turns = s->turns,
                           .turn = s->idx };

    if (lxcf_container_create(&cli->ctx, s->name, &o, &s->rep, err) < 0)
        return -1;
    s->started = !cli->no_start;
    s->done = cli->no_start ? "created" : "created and started";
    return 0;
}

int lxcf_cmd_clone(lxcf_cli *cli, lxcf_err *err)
{
    lxcf_create_opts o = { .no_start = cli->no_start };
    lxcf_printer p;
    lxcf_report rep = { lxcf_printer_fn, &p };

    /* One by one: SRC == NEW is "exists", not "listed twice". */
    if (lxcf_check_names(cli->argv, 1, err) < 0 || lxcf_check_names(cli->argv + 1, 1, err) < 0 ||
        lxcf_cli_ctx(cli, err) < 0)
        return -1;
    lxcf_printer_init(&p, cli->out, cli->quiet);
    if (lxcf_container_clone(&cli->ctx, cli->argv[0], cli->argv[1], &o, &rep, err) < 0)
        return -1;
    lxcf_printer_line(&p, "%s: cloned from %s%s\n", cli->argv[1], cli->argv[0],
                      cli->no_start ? "" : " and started");
    if (cli->no_start || cli->no_wait)
        return 0;
    return lxcf_wait_up(cli, cli->argv + 1, 1, &p, true, err) ? -1 : 0;
}

/* stop and erase mostly wait (for a guest's shutdown, for libvirt), so
 * by default they run more jobs than there are CPUs.  Measured with 100
 * running guests on 2 CPUs: erase-n took 80 s with 2 jobs and 52 s with
 * 8, stop-n 22 s and 10 s. */
#define LXCF_WAIT_JOBS_PER_CPU 4

static int lxcf_do_erase(lxcf_cli *cli, lxcf_step *s, lxcf_err *err)
{
    s->done = "erased";
    return lxcf_container_erase(&cli->ctx, s->name, &s->rep, err);
}

static int lxcf_do_start(lxcf_cli *cli, lxcf_step *s, lxcf_err *err)
{
    if (lxcf_container_start(&cli->ctx, s->name, &s->rep, err) < 0)
        return -1;
    s->started = true;
    s->done = "started";
    return 0;
}

static int lxcf_do_stop(lxcf_cli *cli, lxcf_step *s, lxcf_err *err)
{
    unsigned timeout = (unsigned)(cli->timeout ? cli->timeout : cli->ctx.cfg.stop_timeout);

    if (lxcf_container_stop(&cli->ctx, s->name, timeout, &s->forced, err) < 0)
        return -1;
    s->done = s->forced ? "stopped (forced)" : "stopped";
    return 0;
}

static int lxcf_do_restart(lxcf_cli *cli, lxcf_step *s, lxcf_err *err)
{
    if (lxcf_do_stop(cli, s, err) < 0 || lxcf_do_start(cli, s, err) < 0)
        return -1;
    s->done = s->forced ? "restarted (stop was forced)" : "restarted";
    return 0;
}

/* The subcommands that run one step on each container, as NAME... and,
 * as NAME-n, on PREFIX0001..PREFIXnnnn. */
typedef struct lxcf_each_cmd {
    const char *name;
    lxcf_each_fn fn;
    bool waits;  /* mostly waits: LXCF_WAIT_JOBS_PER_CPU */
} lxcf_each_cmd;

static const lxcf_each_cmd lxcf_each_cmds[] = {
    { "sysgen", lxcf_do_sysgen, false },
    { "erase", lxcf_do_erase, true },
    { "start", lxcf_do_start, false },
    { "stop", lxcf_do_stop, true },
    { "restart", lxcf_do_restart, false },
};

static const lxcf_each_cmd *lxcf_each_cmd_of(const char *verb, bool *batch)
{
    size_t len = strlen(verb);

    *batch = lxcf_endswith(verb, "-n");
    if (*batch)
        len -= 2;
    for (size_t i = 0; i < sizeof(lxcf_each_cmds) / sizeof(lxcf_each_cmds[0]); i++)
        if (strncmp(verb, lxcf_each_cmds[i].name, len) == 0 && !lxcf_each_cmds[i].name[len])
            return &lxcf_each_cmds[i];
    return NULL;
}

int lxcf_cmd_each(lxcf_cli *cli, lxcf_err *err)
{
    const char *verb = cli->cmd->name;
    _cleanup_strv_ char **batch_names = NULL;
    char **names = cli->argv;
    size_t n = (size_t)cli->argc;
    bool batch;
    const lxcf_each_cmd *e = lxcf_each_cmd_of(verb, &batch);

    if (!e)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a step on each container", verb);
    if (batch) {
        if (lxcf_batch_names(cli, &batch_names, &n, err) < 0)
            return -1;
        names = batch_names;
    } else if (lxcf_check_names(names, n, err) < 0) {
        return -1;
    }
    if (e->waits && !cli->jobs)
        cli->jobs = LXCF_WAIT_JOBS_PER_CPU * lxcf_jobs_for(0, SIZE_MAX);
    return lxcf_for_each(cli, names, n, e->fn, verb, err);
}

int lxcf_cmd_sysstart(lxcf_cli *cli, lxcf_err *err)
{
    if (lxcf_check_names(cli->argv, 1, err) < 0 || lxcf_cli_ctx(cli, err) < 0)
        return -1;
    if (lxcf_container_autostart(&cli->ctx, cli->argv[0], !cli->disable, err) < 0)
        return -1;
    fprintf(cli->out, "%s: autostart %s\n", cli->argv[0], cli->disable ? "disabled" : "enabled");
    return 0;
}

int lxcf_cmd_list(lxcf_cli *cli, lxcf_err *err)
{
    lxcf_virt_list l;

    if (lxcf_cli_connect(cli, err) < 0 || lxcf_virt_list_brief(cli->ctx.conn, &l, err) < 0)
        return -1;
    if (cli->json) {
        lxcf_json j;
        lxcf_json_init(&j, cli->out);
        lxcf_json_array(&j, NULL, true);
        for (size_t i = 0; i < l.n; i++) {
            const lxcf_virt_entry *e = &l.e[i];
            lxcf_json_object(&j, NULL, false);
            lxcf_json_string(&j, "name", e->c->name);
            lxcf_json_string(&j, "uuid", e->c->uuid);
            lxcf_json_string(&j, "state", lxcf_container_state(e->c, e->state));
            lxcf_json_string(&j, "model", lxcf_model_to_string(e->c->model));
            lxcf_json_string(&j, "address", e->c->ipv4);
            lxcf_json_bool(&j, "autostart", e->autostart);
            lxcf_json_uint(&j, "memory_kib", true, e->mem_used_kib);
            lxcf_json_string(&j, "root", e->c->root);
            lxcf_json_close(&j);
        }
        lxcf_json_close(&j);
    } else {
        fprintf(cli->out, "%-20s %-13s %-8s %-15s %-9s %s\n", "NAME", "STATE", "MODEL",
                "ADDRESS", "AUTOSTART", "MEMORY");
        for (size_t i = 0; i < l.n; i++) {
            const lxcf_virt_entry *e = &l.e[i];
            char mem[16] = "-";
            if (e->mem_used_kib)
                lxcf_human_kib(e->mem_used_kib, mem);
            fprintf(cli->out, "%-20s %-13s %-8s %-15s %-9s %s\n", e->c->name,
                    lxcf_container_state(e->c, e->state), lxcf_model_to_string(e->c->model), e->c->ipv4 ? e->c->ipv4 : "-",
                    e->autostart ? "yes" : "no", mem);
        }
    }
    lxcf_virt_list_clear(&l);
    return 0;
}

int lxcf_cmd_console(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;

    if (lxcf_check_names(cli->argv, 1, err) < 0 || lxcf_cli_connect(cli, err) < 0 ||
        lxcf_virt_lookup(cli->ctx.conn, cli->argv[0], &d, NULL, err) < 0)
        return -1;
    fprintf(stderr, "Connected to %s (escape character is ^])\n", cli->argv[0]);
    return lxcf_console_attach(cli->ctx.conn, d, err);
}

int lxcf_cmd_enter(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    char *shell[] = { "/bin/sh", "-c", "exec \"${SHELL:-/bin/bash}\" -l 2>/dev/null || exec /bin/sh -l", NULL };
    int status = 0;

    if (lxcf_check_names(cli->argv, 1, err) < 0 || lxcf_cli_connect(cli, err) < 0 ||
        lxcf_virt_lookup(cli->ctx.conn, cli->argv[0], &d, NULL, err) < 0)
        return -1;
    if (lxcf_enter(d, cli->argc > 1 ? cli->argv + 1 : shell, &status, err) < 0)
        return -1;
    /* The command's own status is ours, like `virsh lxc-enter-namespace`. */
    /* Silent: the command has said what went wrong, if anything. */
    if (status)
        return lxcf_error_silent(err, status);
    return 0;
}
