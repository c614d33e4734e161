/* Unit tests for lib/model: the one name table of the container model,
 * which lxcf.conf, --model, the domain metadata and every printout share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static void test_every_model_round_trips(void **state)
{
    static const lxcf_model all[] = { LXCF_MODEL_JOINT, LXCF_MODEL_SEPARATE };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;
        lxcf_model m = (lxcf_model)-1;

        assert_non_null(lxcf_model_to_string(all[i]));
        assert_int_equal(lxcf_model_from_string(lxcf_model_to_string(all[i]), &m, &err), 0);
        assert_int_equal(m, all[i]);
        assert_false(lxcf_error_isset(&err));
    }
}

/* The names are an interface: domain metadata written by an older lxcf
 * and every lxcf.conf carry them. */
static void test_names_are_stable(void **state)
{
    assert_string_equal(lxcf_model_to_string(LXCF_MODEL_JOINT), "joint");
    assert_string_equal(lxcf_model_to_string(LXCF_MODEL_SEPARATE), "separate");
}

/* domxml refuses a hand-filled record through the NULL, and negative
 * values must not index the table. */
static void test_to_string_of_no_model_is_null(void **state)
{
    assert_null(lxcf_model_to_string((lxcf_model)2));
    assert_null(lxcf_model_to_string((lxcf_model)7));
    assert_null(lxcf_model_to_string((lxcf_model)-1));
}

static void test_unknown_name_fails_and_keeps_out(void **state)
{
    static const char *const bad[] = { "shared", "", "Joint", "joint ", NULL };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;
        lxcf_model m = LXCF_MODEL_SEPARATE;

        assert_int_equal(lxcf_model_from_string(bad[i], &m, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_non_null(strstr(err.msg, "unknown model (use " LXCF_MODEL_CHOICES ")"));
        assert_int_equal(m, LXCF_MODEL_SEPARATE);
    }
}

/* Callers that word the failure themselves pass no error object. */
static void test_unknown_name_without_err(void **state)
{
    lxcf_model m = LXCF_MODEL_JOINT;

    assert_int_equal(lxcf_model_from_string("both", &m, NULL), -1);
    assert_int_equal(m, LXCF_MODEL_JOINT);
    assert_int_equal(lxcf_model_from_string("separate", &m, NULL), 0);
    assert_int_equal(m, LXCF_MODEL_SEPARATE);
}

static void test_message_names_the_value(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_model m;

    assert_int_equal(lxcf_model_from_string("shared", &m, &err), -1);
    assert_string_equal(err.msg, "shared: unknown model (use joint or separate)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_model_round_trips),
        cmocka_unit_test(test_names_are_stable),
        cmocka_unit_test(test_to_string_of_no_model_is_null),
        cmocka_unit_test(test_unknown_name_fails_and_keeps_out),
        cmocka_unit_test(test_unknown_name_without_err),
        cmocka_unit_test(test_message_names_the_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
