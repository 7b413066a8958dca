# gw/: the only room that sees both sides; main() lives here.
sbin_PROGRAMS += gw/sipgwd
gw_sipgwd_SOURCES = gw/main.c
