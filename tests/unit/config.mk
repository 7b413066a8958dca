# unit tests of config/ (programs: check_PROGRAMS += ..., and TESTS += ...)
check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/tap.h
tests_unit_test_config_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_config_LDADD = config/libsgcfg.a lib/libsglib.a
