/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A span's timeslots: D-channel default and the bearer rule (layout.h). */
#include "tdm/layout.h"

int layout_nslots(const struct cfg_span *cfg)
{
	return cfg->type == CFG_SPAN_T1 ? 24 : 31;
}

int layout_default_dchannel(const struct cfg_span *cfg)
{
	return cfg->type == CFG_SPAN_T1 ? 24 : 16;
}

/* The bearer channels a span type can have: E1 1-31 without 16, T1 1-23. */
static int possible(const struct cfg_span *cfg, int chan)
{
	return chan >= 1 && chan <= layout_nslots(cfg) && chan != cfg->dchannel;
}

uint32_t layout_apply(struct cfg_span *cfg)
{
	uint32_t dropped = 0;

	if (!cfg->dchannel)
		cfg->dchannel = layout_default_dchannel(cfg);
	for (int i = 0; i < 32; i++)
		if (cfg->channels & (1u << i) && !possible(cfg, i))
			dropped |= 1u << i;
	cfg->channels &= ~dropped;
	return dropped;
}

int layout_is_bearer(const struct cfg_span *cfg, int chan)
{
	return possible(cfg, chan) && (cfg->channels & (1u << chan));
}
