# unit tests of sip/ (programs: check_PROGRAMS += ..., and TESTS += ...)
# SRCDIR finds tests/data/standards (or set SIPGW_TESTDATA).
SIP_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(OSIP_CFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
SIP_TEST_LDADD = sip/libsgsip.a lib/libsglib.a $(OSIP_LIBS)
check_PROGRAMS += tests/unit/test_sdp tests/unit/test_sip_ua tests/unit/test_rtp
TESTS += tests/unit/test_sdp tests/unit/test_sip_ua tests/unit/test_rtp
tests_unit_test_sdp_SOURCES = tests/unit/test_sdp.c tests/unit/tap.h
tests_unit_test_sdp_CPPFLAGS = $(SIP_TEST_CPPFLAGS)
tests_unit_test_sdp_LDADD = $(SIP_TEST_LDADD)
tests_unit_test_sip_ua_SOURCES = tests/unit/test_sip_ua.c tests/unit/tap.h tests/unit/loop_wait.h
tests_unit_test_sip_ua_CPPFLAGS = $(SIP_TEST_CPPFLAGS)
tests_unit_test_sip_ua_LDADD = $(SIP_TEST_LDADD)
tests_unit_test_rtp_SOURCES = tests/unit/test_rtp.c tests/unit/tap.h
tests_unit_test_rtp_CPPFLAGS = $(SIP_TEST_CPPFLAGS)
tests_unit_test_rtp_LDADD = $(SIP_TEST_LDADD)
