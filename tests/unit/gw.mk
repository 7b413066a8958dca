# unit tests of gw/ (programs: check_PROGRAMS += ..., and TESTS += ...)
check_PROGRAMS += tests/unit/test_number tests/unit/test_cause
TESTS += tests/unit/test_number tests/unit/test_cause
# SRCDIR finds tests/data/standards (or set SIPGW_TESTDATA).
tests_unit_test_number_SOURCES = tests/unit/test_number.c tests/unit/tap.h tests/unit/tsv.h
tests_unit_test_number_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_number_LDADD = gw/libsggw.a config/libsgcfg.a lib/libsglib.a
tests_unit_test_cause_SOURCES = tests/unit/test_cause.c tests/unit/tap.h tests/unit/tsv.h
tests_unit_test_cause_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_cause_LDADD = gw/libsggw.a lib/libsglib.a
check_PROGRAMS += tests/unit/test_route
TESTS += tests/unit/test_route
tests_unit_test_route_SOURCES = tests/unit/test_route.c tests/unit/tap.h
tests_unit_test_route_LDADD = gw/libsggw.a config/libsgcfg.a lib/libsglib.a
# the gw call machine with the real rooms: a virtual E1 driven by libpri
# NETWORK, a trunk that is a second sip/ user agent
check_PROGRAMS += tests/unit/test_gw_call
TESTS += tests/unit/test_gw_call
tests_unit_test_gw_call_SOURCES = tests/unit/test_gw_call.c tests/unit/test_gw_call.ok.h \
	tests/unit/tap.h tests/unit/loop_wait.h tests/unit/pri_sched.h
tests_unit_test_gw_call_LDADD = $(GW_LIBS)
tests_unit_test_gw_call_LDFLAGS = $(AM_LDFLAGS) -pthread
# the media workers' commands and events (gw/media.c), on a virtual span
check_PROGRAMS += tests/unit/test_media
TESTS += tests/unit/test_media
tests_unit_test_media_SOURCES = tests/unit/test_media.c tests/unit/tap.h
tests_unit_test_media_LDADD = $(GW_LIBS)
tests_unit_test_media_LDFLAGS = $(AM_LDFLAGS) -pthread
