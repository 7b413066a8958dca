# unit tests of tdm/ (programs: check_PROGRAMS += ..., and TESTS += ...)
check_PROGRAMS += tests/unit/test_tdm_virt
TESTS += tests/unit/test_tdm_virt
tests_unit_test_tdm_virt_SOURCES = tests/unit/test_tdm_virt.c tests/unit/tap.h \
	tests/unit/loop_wait.h tests/unit/pri_sched.h
tests_unit_test_tdm_virt_LDADD = tdm/libsgtdm.a lib/libsglib.a $(PRI_LIBS)
# the ISDN call state machine alone, libpri's side stubbed
check_PROGRAMS += tests/unit/test_isdn_fsm
TESTS += tests/unit/test_isdn_fsm
tests_unit_test_isdn_fsm_SOURCES = tests/unit/test_isdn_fsm.c tests/unit/tap.h \
	tdm/isdn_call.c tdm/span.c tdm/span_call.c tdm/layout.c
tests_unit_test_isdn_fsm_LDADD = lib/libsglib.a $(PRI_LIBS)
