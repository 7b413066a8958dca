# unit tests of dsp/ (programs: check_PROGRAMS += ..., and TESTS += ...)
# Programs linking dsp/libsgdsp.a also need lib/libsglib.a (logging).
DSP_TEST_LIBS = dsp/libsgdsp.a lib/libsglib.a $(SPANDSP_LIBS) $(SPEEXDSP_LIBS) -lm
DSP_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(SPANDSP_CFLAGS) $(SPEEXDSP_CFLAGS)

check_PROGRAMS += tests/unit/test_jitter tests/unit/test_dtmf tests/unit/test_echo
TESTS += tests/unit/test_jitter tests/unit/test_dtmf tests/unit/test_echo

tests_unit_test_jitter_SOURCES = tests/unit/test_jitter.c tests/unit/tap.h
tests_unit_test_jitter_CPPFLAGS = $(DSP_TEST_CPPFLAGS)
tests_unit_test_jitter_LDADD = $(DSP_TEST_LIBS)

tests_unit_test_dtmf_SOURCES = tests/unit/test_dtmf.c tests/unit/tap.h tests/unit/talker.h
tests_unit_test_dtmf_CPPFLAGS = $(DSP_TEST_CPPFLAGS)
tests_unit_test_dtmf_LDADD = $(DSP_TEST_LIBS)

tests_unit_test_echo_SOURCES = tests/unit/test_echo.c tests/unit/tap.h tests/unit/talker.h
tests_unit_test_echo_CPPFLAGS = $(DSP_TEST_CPPFLAGS)
tests_unit_test_echo_LDADD = $(DSP_TEST_LIBS)

check_PROGRAMS += tests/unit/test_stream
TESTS += tests/unit/test_stream
tests_unit_test_stream_SOURCES = tests/unit/test_stream.c tests/unit/tap.h
tests_unit_test_stream_CPPFLAGS = $(DSP_TEST_CPPFLAGS)
tests_unit_test_stream_LDADD = $(DSP_TEST_LIBS)
