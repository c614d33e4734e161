/* lib/err: the error convention every module relies on.  The first error
 * is the cause and later ones must not overwrite it, a message is always
 * one line, a prefix never overruns the buffer, context accumulates as an
 * error travels up, and a moved error lives in one place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static void test_error_sets_code_and_message_and_returns_minus1(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    assert_false(lxcf_error_isset(&err));
    assert_int_equal(lxcf_error(&err, LXCF_EXIT_USAGE, "%s: bad %d", "web1", 7), -1);
    assert_true(lxcf_error_isset(&err));
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_int_equal(err.sys_errno, 0);
    assert_string_equal(err.msg, "web1: bad 7");
}

static void test_error_code_0_becomes_fail(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    /* An error with code 0 would read as "no error" to every caller. */
    assert_int_equal(lxcf_error(&err, 0, "x"), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_true(lxcf_error_isset(&err));
}

static void test_first_error_wins(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error(&err, LXCF_EXIT_NOTFOUND, "the cause");
    assert_int_equal(lxcf_error(&err, LXCF_EXIT_FAIL, "a consequence"), -1);
    assert_int_equal(lxcf_error_errno(&err, LXCF_EXIT_FAIL, EIO, "another"), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_int_equal(err.sys_errno, 0);
    assert_string_equal(err.msg, "the cause");
}

static void test_null_err_is_accepted(void **state)
{
    /* Callers that do not care pass NULL; nothing may crash. */
    assert_int_equal(lxcf_error(NULL, LXCF_EXIT_FAIL, "x"), -1);
    assert_int_equal(lxcf_error_errno(NULL, LXCF_EXIT_FAIL, ENOENT, "x"), -1);
    lxcf_error_prefix(NULL, "p: ");
    lxcf_error_clear(NULL);
    assert_false(lxcf_error_isset(NULL));
}

static void test_error_errno_appends_strerror_and_keeps_errno(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    char want[256];

    snprintf(want, sizeof(want), "cannot open /x: %s", strerror(ENOENT));
    assert_int_equal(lxcf_error_errno(&err, LXCF_EXIT_CONFIG, ENOENT, "cannot open %s", "/x"), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_string_equal(err.msg, want);
}

static void test_error_errno_0_appends_nothing(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error_errno(&err, LXCF_EXIT_FAIL, 0, "plain");
    assert_string_equal(err.msg, "plain");
    assert_int_equal(err.sys_errno, 0);
}

static int lxcf_t_verror(lxcf_err *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int lxcf_t_verror(lxcf_err *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = lxcf_verror(err, code, errnum, fmt, ap);
    va_end(ap);
    return r;
}

static void test_verror_formats_a_va_list(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    char want[256];

    snprintf(want, sizeof(want), "a 1 b: %s", strerror(EACCES));
    assert_int_equal(lxcf_t_verror(&err, LXCF_EXIT_NOPERM, EACCES, "a %d %s", 1, "b"), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOPERM);
    assert_int_equal(err.sys_errno, EACCES);
    assert_string_equal(err.msg, want);
}

static void test_message_control_chars_become_question_marks(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    /* A name given by a user must not split the one-line error, nor move
     * the terminal's cursor; UTF-8 bytes (>= 0x80) are text and stay. */
    lxcf_error(&err, LXCF_EXIT_USAGE, "%s: invalid", "a\nb\tc\rd\x1b[0m\x7f" "\xc3\xa9");
    assert_string_equal(err.msg, "a?b?c?d?[0m?\xc3\xa9: invalid");
}

static void test_strerror_part_is_sanitised_too(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error_errno(&err, LXCF_EXIT_FAIL, ENOSPC, "line1\nline2");
    assert_null(strchr(err.msg, '\n'));
    assert_true(strncmp(err.msg, "line1?line2: ", 13) == 0);
}

static void test_long_message_is_truncated_and_terminated(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    char big[3000];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lxcf_error_errno(&err, LXCF_EXIT_FAIL, ENOENT, "%s", big);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    assert_int_equal(err.msg[sizeof(err.msg) - 2], 'x');
    assert_int_equal(err.sys_errno, ENOENT);
}

static void test_prefix_prepends_context_once_per_call(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error(&err, LXCF_EXIT_NOTFOUND, "no such container");
    lxcf_error_prefix(&err, "%s: ", "web1");
    lxcf_error_prefix(&err, "erase: ");
    assert_string_equal(err.msg, "erase: web1: no such container");
    /* Context, not a new error: code and errno stay the cause's. */
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
}

static void test_prefix_on_unset_error_does_nothing(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error_prefix(&err, "web1: ");
    assert_false(lxcf_error_isset(&err));
    assert_string_equal(err.msg, "");
}

static void test_prefix_never_overruns_the_buffer(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    char big[2000];

    memset(big, 'm', sizeof(err.msg) - 1);
    big[sizeof(err.msg) - 1] = '\0';
    lxcf_error(&err, LXCF_EXIT_FAIL, "%s", big);
    lxcf_error_prefix(&err, "ctx: ");
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    assert_true(strncmp(err.msg, "ctx: mmm", 8) == 0);

    /* A prefix longer than the whole buffer: cut at its own 256 bytes,
     * the old message after it as far as it fits. */
    lxcf_error_clear(&err);
    lxcf_error(&err, LXCF_EXIT_FAIL, "tail");
    memset(big, 'p', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lxcf_error_prefix(&err, "%s", big);
    assert_int_equal(strlen(err.msg), 255 + strlen("tail"));
    assert_string_equal(err.msg + 255, "tail");
}

static void test_clear_resets_every_field(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error_errno(&err, LXCF_EXIT_BUSY, EAGAIN, "busy");
    lxcf_error_clear(&err);
    assert_false(lxcf_error_isset(&err));
    assert_int_equal(err.code, 0);
    assert_int_equal(err.sys_errno, 0);
    assert_string_equal(err.msg, "");
    /* Cleared, it takes a new first error again. */
    lxcf_error(&err, LXCF_EXIT_USAGE, "again");
    assert_string_equal(err.msg, "again");
}

static void test_prefix_returns_minus1_to_pass_the_failure_on(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_error(&err, LXCF_EXIT_FAIL, "cause");
    assert_int_equal(lxcf_error_prefix(&err, "%s: ", "web1"), -1);
    assert_int_equal(lxcf_error_prefix(NULL, "x: "), -1);
    assert_string_equal(err.msg, "web1: cause");
}

/* A fallible function three levels deep, each level adding its context. */
static int lxcf_t_leaf(const char *name, lxcf_err *err)
{
    return lxcf_error_errno(err, LXCF_EXIT_NOTFOUND, ENOENT, "%s: not there", name);
}

static int lxcf_t_middle(const char *name, lxcf_err *err)
{
    if (lxcf_t_leaf(name, err) < 0)
        return lxcf_error_prefix(err, "reading: ");
    return 0;
}

static int lxcf_t_top(const char *name, lxcf_err *err)
{
    if (lxcf_t_middle(name, err) < 0)
        return lxcf_error_prefix(err, "erase: ");
    return 0;
}

static void test_context_accumulates_as_the_error_travels_up(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    char want[256];

    snprintf(want, sizeof(want), "erase: reading: /x: not there: %s", strerror(ENOENT));
    assert_int_equal(lxcf_t_top("/x", &err), -1);
    assert_string_equal(err.msg, want);
    assert_true(lxcf_error_is(&err, LXCF_EXIT_NOTFOUND));
    assert_true(lxcf_error_is_errno(&err, ENOENT));
}

static void test_null_err_travels_the_whole_chain(void **state)
{
    /* A caller that does not care passes NULL instead of a scratch error;
     * every level still returns -1. */
    assert_int_equal(lxcf_t_top("/x", NULL), -1);
}

static void test_recode_reclassifies_a_set_error_only(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_error_recode(&err, LXCF_EXIT_CONFIG), -1);
    assert_false(lxcf_error_isset(&err));
    lxcf_error_errno(&err, LXCF_EXIT_USAGE, ERANGE, "timeout: too large");
    assert_int_equal(lxcf_error_recode(&err, LXCF_EXIT_CONFIG), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_int_equal(err.sys_errno, ERANGE);
    /* 0 would make it read as no error at all. */
    lxcf_error_recode(&err, 0);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_int_equal(lxcf_error_recode(NULL, LXCF_EXIT_CONFIG), -1);
}

static void test_silent_sets_the_status_without_a_message(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_error_silent(&err, 42), -1);
    assert_true(lxcf_error_isset(&err));
    assert_int_equal(err.code, 42);
    assert_string_equal(err.msg, "");
    /* The first error wins over a later silent status too. */
    lxcf_error_clear(&err);
    lxcf_error(&err, LXCF_EXIT_USAGE, "cause");
    lxcf_error_silent(&err, LXCF_EXIT_FAIL);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_string_equal(err.msg, "cause");
    assert_int_equal(lxcf_error_silent(NULL, LXCF_EXIT_FAIL), -1);
}

static void test_move_passes_the_error_on_and_clears_the_source(void **state)
{
    lxcf_err err = LXCF_ERR_INIT, e = LXCF_ERR_INIT;

    lxcf_error_errno(&e, LXCF_EXIT_LIBVIRT, ECONNREFUSED, "libvirt");
    assert_int_equal(lxcf_error_move(&err, &e), -1);
    assert_int_equal(err.code, LXCF_EXIT_LIBVIRT);
    assert_int_equal(err.sys_errno, ECONNREFUSED);
    assert_true(strncmp(err.msg, "libvirt: ", 9) == 0);
    /* Moved, not copied: it is reported once. */
    assert_false(lxcf_error_isset(&e));
    assert_string_equal(e.msg, "");
}

static void test_move_keeps_the_first_error_of_the_destination(void **state)
{
    lxcf_err err = LXCF_ERR_INIT, e = LXCF_ERR_INIT;

    lxcf_error(&err, LXCF_EXIT_NOTFOUND, "the cause");
    lxcf_error(&e, LXCF_EXIT_FAIL, "a consequence");
    assert_int_equal(lxcf_error_move(&err, &e), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_string_equal(err.msg, "the cause");
    assert_false(lxcf_error_isset(&e));
}

static void test_move_of_a_full_message_and_to_null(void **state)
{
    lxcf_err err = LXCF_ERR_INIT, e = LXCF_ERR_INIT;
    char big[2000];

    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lxcf_error(&e, LXCF_EXIT_FAIL, "%s", big);
    lxcf_error_move(&err, &e);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    assert_int_equal(err.msg[sizeof(err.msg) - 2], 'z');

    /* Nobody cares: the source is dropped all the same. */
    lxcf_error(&e, LXCF_EXIT_FAIL, "dropped");
    assert_int_equal(lxcf_error_move(NULL, &e), -1);
    assert_false(lxcf_error_isset(&e));
    /* Moving an error onto itself keeps it. */
    assert_int_equal(lxcf_error_move(&err, &err), -1);
    assert_true(lxcf_error_isset(&err));
    assert_int_equal(lxcf_error_move(&err, NULL), -1);
    assert_true(lxcf_error_isset(&err));
}

static void test_predicates_look_at_a_set_error_only(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;

    assert_false(lxcf_error_is(NULL, LXCF_EXIT_NOTFOUND));
    assert_false(lxcf_error_is_errno(NULL, ENOENT));
    /* An unset error has code 0 and errno 0, and is neither. */
    assert_false(lxcf_error_is(&err, 0));
    assert_false(lxcf_error_is_errno(&err, 0));
    lxcf_error_errno(&err, LXCF_EXIT_FAIL, EACCES, "x");
    assert_true(lxcf_error_is(&err, LXCF_EXIT_FAIL));
    assert_false(lxcf_error_is(&err, LXCF_EXIT_NOTFOUND));
    assert_true(lxcf_error_is_errno(&err, EACCES));
    assert_false(lxcf_error_is_errno(&err, ENOENT));
}

static void test_exit_codes_are_the_documented_ones(void **state)
{
    /* Scripts test these numbers; the README and `lxcf help` list them. */
    assert_int_equal(LXCF_EXIT_OK, 0);
    assert_int_equal(LXCF_EXIT_FAIL, 1);
    assert_int_equal(LXCF_EXIT_USAGE, 2);
    assert_int_equal(LXCF_EXIT_CONFIG, 3);
    assert_int_equal(LXCF_EXIT_NOPERM, 4);
    assert_int_equal(LXCF_EXIT_LIBVIRT, 5);
    assert_int_equal(LXCF_EXIT_NOTFOUND, 6);
    assert_int_equal(LXCF_EXIT_UNIMPL, 7);
    assert_int_equal(LXCF_EXIT_BUSY, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_sets_code_and_message_and_returns_minus1),
        cmocka_unit_test(test_error_code_0_becomes_fail),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_null_err_is_accepted),
        cmocka_unit_test(test_error_errno_appends_strerror_and_keeps_errno),
        cmocka_unit_test(test_error_errno_0_appends_nothing),
        cmocka_unit_test(test_verror_formats_a_va_list),
        cmocka_unit_test(test_message_control_chars_become_question_marks),
        cmocka_unit_test(test_strerror_part_is_sanitised_too),
        cmocka_unit_test(test_long_message_is_truncated_and_terminated),
        cmocka_unit_test(test_prefix_prepends_context_once_per_call),
        cmocka_unit_test(test_prefix_on_unset_error_does_nothing),
        cmocka_unit_test(test_prefix_never_overruns_the_buffer),
        cmocka_unit_test(test_clear_resets_every_field),
        cmocka_unit_test(test_prefix_returns_minus1_to_pass_the_failure_on),
        cmocka_unit_test(test_context_accumulates_as_the_error_travels_up),
        cmocka_unit_test(test_null_err_travels_the_whole_chain),
        cmocka_unit_test(test_recode_reclassifies_a_set_error_only),
        cmocka_unit_test(test_silent_sets_the_status_without_a_message),
        cmocka_unit_test(test_move_passes_the_error_on_and_clears_the_source),
        cmocka_unit_test(test_move_keeps_the_first_error_of_the_destination),
        cmocka_unit_test(test_move_of_a_full_message_and_to_null),
        cmocka_unit_test(test_predicates_look_at_a_set_error_only),
        cmocka_unit_test(test_exit_codes_are_the_documented_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
