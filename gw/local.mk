# gw/: the only room that sees both sides; main() lives here.
sbin_PROGRAMS += gw/sipgwd
gw_sipgwd_SOURCES = gw/main.c gw/gw.c gw/gw.h gw/call.c gw/ctl.c gw/ctl.h \
	gw/media.c gw/media.h gw/queue.c gw/queue.h gw/trunk.c
gw_sipgwd_LDADD = gw/libsggw.a tdm/libsgtdm.a sip/libsgsip.a dsp/libsgdsp.a \
	config/libsgcfg.a lib/libsglib.a $(PRI_LIBS) $(OSIP_LIBS) $(SPANDSP_LIBS) \
	$(SPEEXDSP_LIBS) -lm
gw_sipgwd_LDFLAGS = $(AM_LDFLAGS) -pthread
# Pure functions of the config: number conversion, cause mapping.
noinst_LIBRARIES += gw/libsggw.a
gw_libsggw_a_SOURCES = gw/number.c gw/number.h gw/cause.c gw/cause.h \
	gw/route.c gw/route.h
# The status CLI: a small client of the control socket (gw/ctl.c).
sbin_PROGRAMS += gw/sipgwctl
gw_sipgwctl_SOURCES = gw/sipgwctl.c
