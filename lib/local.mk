# lib/: what every room needs (logging, the event loop). Includes no room.
noinst_LIBRARIES += lib/libsglib.a
lib_libsglib_a_SOURCES = lib/log.c lib/log.h lib/loop.c lib/loop.h lib/str.h lib/hmap.c lib/hmap.h lib/q850.h \
	lib/fsm.c lib/fsm.h
