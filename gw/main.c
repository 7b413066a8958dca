/* SPDX-License-Identifier: GPL-3.0-or-later */
/* placeholder until gw/ lands */
int main(void) { return 0; }
