# unit tests of dsp/ (programs: check_PROGRAMS += ..., and TESTS += ...)
