# test tools (pstnsim...)

# pstnsim: the ISDN switch emulator (LINE side of a virtual span) for the
# end-to-end tests; `tests/tools/pstnsim --selftest` is a TAP unit test.
noinst_PROGRAMS += tests/tools/pstnsim
tests_tools_pstnsim_SOURCES = tests/tools/pstnsim.c tests/tools/pstnsim_isdn.c tests/tools/pstnsim_dahdi.c \
	tests/tools/pstnsim_load.c \
	tests/tools/pstnsim_audio.c tests/tools/pstnsim_int.h \
	tests/tools/pstnsim.h
tests_tools_pstnsim_CPPFLAGS = $(AM_CPPFLAGS) $(SPANDSP_CFLAGS)
tests_tools_pstnsim_LDADD = lib/libsglib.a $(PRI_LIBS) $(SPANDSP_LIBS) -lm

# stallwatch: a witness of whole-machine stalls (highest SCHED_FIFO priority),
# run beside the DAHDI VM test's 60-second call.
noinst_PROGRAMS += tests/tools/stallwatch
tests_tools_stallwatch_SOURCES = tests/tools/stallwatch.c

# stopfor: SIGSTOP a process for a measured time (highest SCHED_FIFO
# priority), for the DAHDI VM test's stalls of sipgwd.
noinst_PROGRAMS += tests/tools/stopfor
tests_tools_stopfor_SOURCES = tests/tools/stopfor.c
