# tests/: unit tests (one fragment per room under tests/unit/) and tools.
include tests/unit/lib.mk
include tests/unit/config.mk
include tests/unit/tdm.mk
include tests/unit/sip.mk
include tests/unit/dsp.mk
include tests/unit/gw.mk
include tests/tools/tools.mk
