/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tests/unit/tap.h"
int main(void) { return TAP_DONE(); }
