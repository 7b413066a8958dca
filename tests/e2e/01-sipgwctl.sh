#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 01-sipgwctl: the status CLI against a stand-in for sipgwd's control
# socket (the protocol of gw/ctl.h): the exact request line it sends, what
# it prints where, and its exit status (0 OK, 1 ERR, 2 unreachable).
. "$(dirname "$0")/lib.sh"
e2e_init 01-sipgwctl

CTL=$E2E_BUILD/gw/sipgwctl
SOCK=$E2E_DIR/ctl.sock
if [ ! -x "$CTL" ]; then
	echo "1..0 # SKIP $CTL not built"
	exit 0
fi

# The stand-in: logs each request line, answers from a fixed table.
cat >"$E2E_DIR/fake-ctl.pl" <<'PERL'
use strict; use warnings; use IO::Socket::UNIX;
my ($path, $log) = @ARGV;
unlink $path;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 5)
	or die "$path: $!\n";
open(my $l, '>>', $log) or die; $l->autoflush(1);
my %answer = (
	"status"               => "OK\nsipgwd 0.1.0 up 5 s\nspans 1 up, calls 0\n",
	"show calls --json"    => "OK\n[]\n",
	"show spans"           => "OK\nspan1 up\n",
	"reload"               => "ERR config not valid: the running config stays\nsipgw.conf:3: unknown key \"foo\"\n",
	"help"                 => "OK\nstatus            daemon, spans and call counters\n",
	"garbage"              => "HELLO\n",
);
while (my $c = $srv->accept) {
	my $line = <$c>;
	$line = '' unless defined $line;
	print $l $line;
	chomp $line;
	print $c ($answer{$line} // "ERR unknown command (try: help)\n");
	close $c;
}
PERL
e2e_spawn "$E2E_DIR/fake-ctl.log" perl "$E2E_DIR/fake-ctl.pl" "$SOCK" "$E2E_DIR/requests.txt"
for i in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done

# run ARGS...: sipgwctl's stdout, stderr and status into $out, $err, $rc.
run() {
	"$CTL" "$@" >"$E2E_DIR/out" 2>"$E2E_DIR/err"
	rc=$?
	out=$(cat "$E2E_DIR/out")
	err=$(cat "$E2E_DIR/err")
}
last_request() { tail -n 1 "$E2E_DIR/requests.txt"; }

run -s "$SOCK" status
ok '[ $rc -eq 0 ] && [ "$(last_request)" = status ]' "status: sends 'status\\n', exit 0"
ok '[ "$out" = "$(printf "sipgwd 0.1.0 up 5 s\nspans 1 up, calls 0")" ] && [ -z "$err" ]' \
	"status: prints the body without the OK line"

run show --json calls -s "$SOCK"
ok '[ $rc -eq 0 ] && [ "$(last_request)" = "show calls --json" ] && [ "$out" = "[]" ]' \
	"--json anywhere: sends 'show calls --json\\n', prints the JSON"

run -s "$SOCK" show spans
ok '[ $rc -eq 0 ] && [ "$(last_request)" = "show spans" ] && [ "$out" = "span1 up" ]' \
	"show spans: words joined by one space"

run -s "$SOCK" reload
ok '[ $rc -eq 1 ] && [ -z "$out" ] && grep -q "config not valid" "$E2E_DIR/err" && grep -q "sipgw.conf:3:" "$E2E_DIR/err"' \
	"ERR: message and details on stderr, nothing on stdout, exit 1"

run -s "$SOCK" frobnicate
ok '[ $rc -eq 1 ] && grep -q "unknown command" "$E2E_DIR/err"' "unknown command: the daemon's ERR, exit 1"

run -s "$SOCK" garbage
ok '[ $rc -eq 1 ] && grep -q "malformed reply" "$E2E_DIR/err"' "a reply without OK/ERR is an error, exit 1"

run -s "$E2E_DIR/nonexistent.sock" status
ok '[ $rc -eq 2 ] && grep -qF "$E2E_DIR/nonexistent.sock" "$E2E_DIR/err"' \
	"no daemon: exit 2, the message names the socket path"

run
ok '[ $rc -ne 0 ] && [ $rc -ne 2 ] && grep -q "^usage: sipgwctl" "$E2E_DIR/err"' "no command: usage on stderr"

run --help
ok '[ $rc -eq 0 ] && grep -q "^usage: sipgwctl" "$E2E_DIR/out"' "--help: usage on stdout, exit 0"

e2e_done
