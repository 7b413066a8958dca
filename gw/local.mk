# gw/: the only room that sees both sides; main() lives here.
sbin_PROGRAMS += gw/sipgwd
gw_sipgwd_SOURCES = gw/main.c
gw_sipgwd_LDADD = $(GW_LIBS)
gw_sipgwd_LDFLAGS = $(AM_LDFLAGS) -pthread
# Everything but main(): the gateway, its calls, media workers, trunks and
# control socket, and the pure functions of the config (number conversion,
# cause mapping, routes). Unit tests link it as the daemon does.
noinst_LIBRARIES += gw/libsggw.a
gw_libsggw_a_SOURCES = gw/number.c gw/number.h gw/cause.c gw/cause.h \
	gw/route.c gw/route.h gw/gw.c gw/gw.h gw/call.c gw/call_int.h \
	gw/call_setup.c gw/call_media.c gw/call_events.c gw/ctl.c gw/ctl.h \
	gw/media.c gw/media.h gw/queue.c gw/queue.h gw/trunk.c
# What a program linking gw/libsggw.a needs (the daemon, gw/'s unit tests).
GW_LIBS = gw/libsggw.a tdm/libsgtdm.a sip/libsgsip.a dsp/libsgdsp.a \
	config/libsgcfg.a lib/libsglib.a $(PRI_LIBS) $(OSIP_LIBS) $(SPANDSP_LIBS) \
	$(SPEEXDSP_LIBS) -lm
# The status CLI: a small client of the control socket (gw/ctl.c).
sbin_PROGRAMS += gw/sipgwctl
gw_sipgwctl_SOURCES = gw/sipgwctl.c
