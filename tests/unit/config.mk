# unit tests of config/ (programs: check_PROGRAMS += ..., and TESTS += ...)
