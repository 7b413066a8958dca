/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_config: a config file's bytes through cfg_load_mem() (the INI
 * reader, value checks, cross-section checks, error collection), and the
 * lookups the daemon makes on a loaded config.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "lib/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	log_open("fuzz", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg *cfg = NULL;
	struct cfg_errors errs = { 0 };
	/* the text is not NUL-terminated: cfg_load_mem takes a length */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (cfg_load_mem("fuzz.conf", text, size, &cfg, &errs) == 0) {
		for (size_t i = 0; i < cfg->nspans; i++) {
			cfg_span_by_id(cfg, cfg->spans[i].id);
			cfg_span_nchannels(&cfg->spans[i]);
			cfg_switchtype_name(cfg->spans[i].switchtype);
			cfg_law_name(cfg->spans[i].law);
		}
		for (size_t i = 0; i < cfg->ntrunks; i++) {
			cfg_trunk_by_name(cfg, cfg->trunks[i].name);
			cfg_trunk_allows(&cfg->trunks[i], "192.0.2.1");
			cfg_trunk_allows(&cfg->trunks[i], "2001:db8::1");
		}
		cfg_free(cfg);
	} else if (cfg) {
		__builtin_trap();	/* failure must not hand out a config */
	}
	cfg_errors_free(&errs);
	free(text);
	return 0;
}
