#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# 40-fresh-root: the README's first command as a new user meets it (issue 7):
# scripts/demo, as root, in a brand-new Debian 12 minbase root debootstrapped
# from this machine's apt mirror (cached in /var/cache/sipgw-fresh after the
# first run, a pristine copy for every run), on a clean clone of HEAD with
# ../shared beside it. It must install everything it needs itself, with no
# prompt, and pass, in a network namespace of its own. scripts/fresh-root
# does it and prints the TAP; `scripts/check --fresh=all` runs scripts/check
# there too (much longer, not part of every check).
# Cost (2 cores, measured): ~130 s the first time on a machine (debootstrap
# and its tarball ~45 s, 264 packages and ~250 MB of .debs fetched), 70-90 s
# after (root restored in ~4 s; the .debs cached, but every package still
# unpacked and configured in the fresh root and sipgw built from scratch).
# apt-get needs the package registry: the host's network, not a namespace.
# network: host
# timeout: 900
exec "$(dirname "$0")/../../scripts/fresh-root" demo
