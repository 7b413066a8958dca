# tdm/ files
noinst_LIBRARIES += tdm/libsgtdm.a
tdm_libsgtdm_a_SOURCES = tdm/tdm.h tdm/span_int.h tdm/span.c tdm/span_call.c \
	tdm/layout.h tdm/layout.c tdm/dchan.h tdm/isdn_int.h tdm/isdn.c tdm/isdn_hold.c tdm/isdn_call.c \
	tdm/virt_int.h tdm/virt_line.c tdm/virt.c tdm/media_int.h tdm/media.c tdm/virt_media.c \
	tdm/dahdi_int.h tdm/dahdi.c tdm/dahdi_media.c
