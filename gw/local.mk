# gw/: the only room that sees both sides; main() lives here.
sbin_PROGRAMS += gw/sipgwd
gw_sipgwd_SOURCES = gw/main.c
# Pure functions of the config: number conversion, cause mapping.
noinst_LIBRARIES += gw/libsggw.a
gw_libsggw_a_SOURCES = gw/number.c gw/number.h gw/cause.c gw/cause.h
