# unit tests of lib/
check_PROGRAMS += tests/unit/test_loop
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c tests/unit/tap.h
tests_unit_test_loop_LDADD = lib/libsglib.a

check_PROGRAMS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c tests/unit/tap.h
tests_unit_test_log_LDADD = lib/libsglib.a -lpthread

check_PROGRAMS += tests/unit/test_fsm
tests_unit_test_fsm_SOURCES = tests/unit/test_fsm.c tests/unit/tap.h
tests_unit_test_fsm_LDADD = lib/libsglib.a
