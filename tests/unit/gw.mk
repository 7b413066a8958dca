# unit tests of gw/ (programs: check_PROGRAMS += ..., and TESTS += ...)
