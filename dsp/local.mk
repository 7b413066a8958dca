# dsp/: pure sample processing (spandsp, speexdsp). Programs linking
# dsp/libsgdsp.a add $(SPANDSP_LIBS) $(SPEEXDSP_LIBS) -lm.
noinst_LIBRARIES += dsp/libsgdsp.a
dsp_libsgdsp_a_SOURCES = dsp/dsp.h dsp/g711.c dsp/echo.c dsp/echo.h dsp/dtmf.c dsp/dtmf.h \
	dsp/chan.c dsp/jitter.c
dsp_libsgdsp_a_CPPFLAGS = $(AM_CPPFLAGS) $(SPANDSP_CFLAGS) $(SPEEXDSP_CFLAGS)
