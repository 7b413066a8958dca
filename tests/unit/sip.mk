# unit tests of sip/ (programs: check_PROGRAMS += ..., and TESTS += ...)
