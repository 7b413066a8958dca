/* SPDX-License-Identifier: GPL-3.0-or-later */
/* G.711 through spandsp's encoders (spandsp/g711.h). */
#include "dsp/dsp.h"

#include <spandsp.h>

void dsp_g711_decode(enum dsp_law law, const uint8_t *in, int16_t *out, size_t n)
{
	if (law == DSP_LAW_ALAW)
		for (size_t i = 0; i < n; i++)
			out[i] = alaw_to_linear(in[i]);
	else
		for (size_t i = 0; i < n; i++)
			out[i] = ulaw_to_linear(in[i]);
}

void dsp_g711_encode(enum dsp_law law, const int16_t *in, uint8_t *out, size_t n)
{
	if (law == DSP_LAW_ALAW)
		for (size_t i = 0; i < n; i++)
			out[i] = linear_to_alaw(in[i]);
	else
		for (size_t i = 0; i < n; i++)
			out[i] = linear_to_ulaw(in[i]);
}

/* The codes of linear 0: 0xD5 for A-law (0x80 ^ 0x55), 0xFF for mu-law. */
uint8_t dsp_g711_idle(enum dsp_law law)
{
	return law == DSP_LAW_ALAW ? 0xD5 : 0xFF;
}
