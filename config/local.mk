# config/ files
noinst_LIBRARIES += config/libsgcfg.a
config_libsgcfg_a_SOURCES = config/config.c config/config.h config/parse.c config/parse.h \
	config/keys.c config/values.c
config_libsgcfg_a_CPPFLAGS = $(AM_CPPFLAGS) -DSIPGW_VERSION='"$(PACKAGE_VERSION)"'
EXTRA_DIST += config/sipgw.conf.sample
