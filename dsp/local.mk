# dsp/: pure sample processing (spandsp, speexdsp). Programs linking
# dsp/libsgdsp.a add lib/libsglib.a $(SPANDSP_LIBS) $(SPEEXDSP_LIBS) -lm.
noinst_LIBRARIES += dsp/libsgdsp.a
dsp_libsgdsp_a_SOURCES = dsp/dsp.h dsp/g711.c dsp/echo.c dsp/echo.h dsp/dtmf.c dsp/dtmf.h \
	dsp/chan.c dsp/codec.c dsp/stream.c dsp/jitter.c
dsp_libsgdsp_a_CPPFLAGS = $(AM_CPPFLAGS) $(SPANDSP_CFLAGS) $(SPEEXDSP_CFLAGS)

# bench/bench_dsp: us per 20 ms frame, per stage; not run by the tests.
noinst_PROGRAMS += bench/bench_dsp
bench_bench_dsp_SOURCES = bench/bench_dsp.c
bench_bench_dsp_CPPFLAGS = $(AM_CPPFLAGS) $(SPANDSP_CFLAGS) $(SPEEXDSP_CFLAGS)
bench_bench_dsp_LDADD = dsp/libsgdsp.a lib/libsglib.a $(SPANDSP_LIBS) $(SPEEXDSP_LIBS) -lm
