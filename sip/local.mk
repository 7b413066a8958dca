# sip/ files: SIP UA over libosip2 (transport, wire, ua, txn, msg, build, request,
# branch, calls, call, call_api, invite, dialog, keepalive, validate), SDP, RTP.
# Programs linking sip/libsgsip.a also need $(OSIP_LIBS).
noinst_LIBRARIES += sip/libsgsip.a
sip_libsgsip_a_SOURCES = sip/sip.h sip/sdp.h sip/rtp.h sip/sip_int.h \
	sip/transport.h sip/ua.c sip/wire.c sip/txn.c sip/msg.c sip/build.c sip/request.c sip/branch.c \
	sip/calls.c sip/call.c sip/call_api.c sip/invite.c sip/dialog.c sip/keepalive.c \
	sip/transport.c sip/transport_udp.c sip/validate.c sip/sdp.c sip/rtp.c
sip_libsgsip_a_CPPFLAGS = $(AM_CPPFLAGS) $(OSIP_CFLAGS)
