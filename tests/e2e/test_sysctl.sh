#!/bin/bash
# `tcpdoctor sysctl`: the audit read in a namespace this test creates, with risky
# values set there by sysctl(8); --apply changes only that namespace and its
# printed undo restores every value; nothing else ever changes anything. The
# root namespace's values are compared before and after and must not move.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_binary
need_tool jq

# ---- without root -------------------------------------------------------------

td sysctl --help
is "$TD_RC" 0 "sysctl --help exits 0"
like "$TD_OUT" "usage: tcpdoctor sysctl" "sysctl --help shows usage"

td sysctl --profile desktop
is "$TD_RC" 2 "unknown --profile is a usage error"
like "$TD_ERR" "expected server, client or proxy" "... and names the profiles"

td sysctl --undo-file /tmp/x
is "$TD_RC" 2 "--undo-file without --apply is a usage error"

td sysctl --json --snippet
is "$TD_RC" 2 "--snippet to stdout with --json is a usage error"

n=$(td_json '.parameters | length' sysctl --json)
is "$n" 17 "sysctl --json lists the 17 audited parameters"
sum=$(jq '[.summary[]] | add' "$TD_TMP/out")
is "$sum" 17 "summary counts every parameter once"
bad=$(jq '[.parameters[] | select((.verdict == "ok" or .verdict == "absent") != (.set == null))] | length' \
	"$TD_TMP/out")
is "$bad" 0 "'set' is given exactly for advice and warn"

# The sysctl.d scan on the fixture tree: tcp_tw_recycle is set in two files.
got=$(td_json '.obsolete[] | select(.name == "net.ipv4.tcp_tw_recycle") |
	"\(.verdict) \([.configured[] | "\(.file | sub(".*/root/"; "")):\(.line)=\(.value)"] | join(" "))"' \
	sysctl --conf-root "$TD_SRCDIR/tests/data/sysctl/root" --json)
is "$got" "warn etc/sysctl.d/10-net.conf:2=0 etc/sysctl.conf:3=1" \
	"tcp_tw_recycle set in configuration: warn with file:line"
td sysctl --conf-root "$TD_SRCDIR/tests/data/sysctl/root"
like "$TD_OUT" "warn +net.ipv4.tcp_tw_recycle" "text output warns about tcp_tw_recycle"
like "$TD_OUT" "set in [^ ]*/etc/sysctl.conf:3 = 1" "... naming file and line"
got=$(td_json '.obsolete[0].verdict' sysctl --conf-root "$TD_SRCDIR/tests/data/sysctl/empty" --json)
is "$got" "ok" "no configuration: tcp_tw_recycle is ok"

# The snippet holds exactly the values the audit wants set.
td sysctl --profile proxy --snippet "$TD_TMP/snippet.conf" --json
is "$TD_RC" 0 "--snippet FILE with --json"
want=$(jq -r '.parameters[] | select(.set != null) | "\(.name) = \(.set)"' "$TD_TMP/out")
got=$(grep -v '^#' "$TD_TMP/snippet.conf" | grep -v '^$')
same_lines "$got" "$want" "snippet sets exactly the advice/warn values"
is "$(jq -r .snippet "$TD_TMP/out")" "$TD_TMP/snippet.conf" "JSON names the snippet file"

if [ "$(id -u)" -ne 0 ]; then
	td sysctl --apply --yes
	is "$TD_RC" 3 "--apply --yes without root exits 3"
	skip "root parts" "needs root"
	td_done
	exit
fi

# ---- as root, in a namespace of our own --------------------------------------------

need_tool ip sysctl setpriv
NAMES=$(jq -r '.parameters[].name' "$TD_TMP/out")

values() { # [NS]: "name=value" for every audited parameter (absent ones too)
	local n v
	for n in $NAMES; do
		if [ -n "${1:-}" ]; then
			v=$(ip netns exec "$1" sysctl -n "$n" 2>/dev/null) || v=absent
		else
			v=$(sysctl -n "$n" 2>/dev/null) || v=absent
		fi
		printf '%s=%s\n' "$n" "$(printf '%s' "$v" | tr '\t' ' ')"
	done
}

ROOT_BEFORE=$(values)
ns_create NS sysctl
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=0 \
	net.ipv4.ip_local_port_range="60000 60010" || bail "risky values in $NS"
NS_BEFORE=$(values "$NS")
like "$NS_BEFORE" "net.ipv4.tcp_syncookies=0" "setup: syncookies 0 in $NS"

got=$(td_json '.parameters[] | select(.name == "net.ipv4.tcp_syncookies" or
	.name == "net.ipv4.ip_local_port_range") | "\(.name) \(.verdict) \(.value) -> \(.set)"' \
	--netns "$NS" sysctl --json)
same_lines "$got" "net.ipv4.tcp_syncookies warn 0 -> 1
net.ipv4.ip_local_port_range warn 60000 60010 -> 32768 60999" \
	"--netns: risky values are warn, with current and recommended values"
got=$(jq -r '.netns' "$TD_TMP/out")
is "$got" "$NS" "JSON names the namespace"
got=$(jq -r '.parameters[] | select(.name == "net.ipv4.tcp_max_orphans") | "\(.verdict) \(.per_netns)"' \
	"$TD_TMP/out")
is "$got" "absent false" "host-wide tcp_max_orphans is absent inside a namespace"

# Nothing but --apply changes anything.
for args in "" "--json" "-v" "--profile proxy" "--profile client --json" \
	"--snippet $TD_TMP/s2.conf"; do
	# shellcheck disable=SC2086
	td --netns "$NS" sysctl $args
	is "$TD_RC" 0 "sysctl $args exits 0"
done
same_lines "$(values "$NS")" "$NS_BEFORE" "without --apply no value in $NS changed"

ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPDOCTOR" sysctl --apply >"$TD_TMP/out" 2>"$TD_TMP/err" </dev/null
is "$?" 0 "--apply (a dry run) as a non-root user exits 0"
ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPDOCTOR" sysctl --apply --yes >"$TD_TMP/out" 2>"$TD_TMP/err"
is "$?" 3 "--apply --yes as a non-root user exits 3"
is "$(wc -l <"$TD_TMP/err")" 1 "... with a one-line error"
like "$(cat "$TD_TMP/err")" "needs root.*nothing changed" "... saying nothing changed"
same_lines "$(values "$NS")" "$NS_BEFORE" "... and nothing changed"

# --apply alone is a dry run: the diff, the undo file it would write, the command.
td --netns "$NS" sysctl --apply --undo-file "$TD_TMP/undo0.conf" </dev/null
is "$TD_RC" 0 "--apply (dry run) exits 0"
like "$TD_OUT" "Would change 2 values in network namespace $NS \(dry run" "--apply: says it is a dry run"
like "$TD_OUT" "net.ipv4.tcp_syncookies: 0 -> 1" "--apply: the diff"
like "$TD_OUT" "save the old values in $TD_TMP/undo0.conf" "--apply: names the undo file"
like "$TD_OUT" "To act: tcpdoctor --netns $NS sysctl --apply --undo-file $TD_TMP/undo0.conf --yes" \
	"--apply: the command that acts"
check "--apply dry run writes no undo file" test ! -e "$TD_TMP/undo0.conf"
same_lines "$(values "$NS")" "$NS_BEFORE" "--apply dry run changes nothing"
got=$(td_json '[.dry_run, (.would_apply | length), .undo_file] | @tsv' \
	--netns "$NS" sysctl --apply --json)
is "$got" "$(printf 'true\t2\t')" "--apply --json: dry_run, would_apply, no undo file"
td --netns "$NS" sysctl --yes
is "$TD_RC" 2 "--yes without --apply: exit 2"

# --apply --yes: only the namespace changes; the printed undo restores it.
td --netns "$NS" sysctl --apply --yes --undo-file "$TD_TMP/undo.conf"
is "$TD_RC" 0 "--apply exits 0"
like "$TD_OUT" "net.ipv4.tcp_syncookies: 0 -> 1" "--apply prints 'name: old -> new'"
like "$TD_OUT" "net.ipv4.ip_local_port_range: 60000 60010 -> 32768 60999" \
	"... for the port range too"
AFTER=$(values "$NS")
like "$AFTER" "net.ipv4.tcp_syncookies=1" "syncookies is now 1 in $NS"
like "$AFTER" "net.ipv4.ip_local_port_range=32768 60999" "port range is now 32768 60999"
got=$(td_json '.summary.warn' --netns "$NS" sysctl --json)
is "$got" 0 "after --apply the audit has no warn"
like "$(cat "$TD_TMP/undo.conf")" "net.ipv4.tcp_syncookies = 0" "undo file holds the old value"

undo=$(printf '%s\n' "$TD_OUT" | sed -n 's/^ *\(ip netns exec .* sysctl -w .*\)$/\1/p')
is "$(printf '%s\n' "$undo" | grep -c .)" 2 "two undo commands printed"
while IFS= read -r cmd; do
	eval "$cmd" >/dev/null || not_ok "undo command failed: $cmd"
done <<<"$undo"
same_lines "$(values "$NS")" "$NS_BEFORE" "the printed undo restores every value"

# The same through JSON and the undo file.
got=$(td_json '[.applied[] | "\(.name) \(.old) -> \(.new)"] | join(", ")' \
	--netns "$NS" sysctl --apply --yes --json --undo-file "$TD_TMP/undo2.conf")
is "$got" "net.ipv4.tcp_syncookies 0 -> 1, net.ipv4.ip_local_port_range 60000 60010 -> 32768 60999" \
	"--apply --json lists the changes"
is "$(jq -r .undo_file "$TD_TMP/out")" "$TD_TMP/undo2.conf" "JSON names the undo file"
ip netns exec "$NS" sysctl -q -p "$TD_TMP/undo2.conf" || not_ok "sysctl -p undo file"
same_lines "$(values "$NS")" "$NS_BEFORE" "sysctl -p UNDO_FILE restores every value"

# Nothing to do: --apply changes nothing and writes no undo file.
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=1 net.ipv4.ip_local_port_range="32768 60999"
td --netns "$NS" sysctl --apply --yes --undo-file "$TD_TMP/undo3.conf"
like "$TD_OUT" "Nothing to apply" "--apply with nothing to change says so"
check "... and writes no undo file" test ! -e "$TD_TMP/undo3.conf"

same_lines "$(values)" "$ROOT_BEFORE" "the root namespace's values never changed"
td_done
