# unit tests of tdm/ (programs: check_PROGRAMS += ..., and TESTS += ...)
