#!/bin/bash
# Remedies of the sysctl findings, in a namespace made here (namespaced
# parameters only, gone with the namespace): check names each one's exact
# command (sysctl --apply --set NAME=VALUE --yes) and what it changes with
# its undo; neither check --fix, nor check --fix --yes (a kernel setting is
# not a safe remedy), nor sysctl --apply without --yes changes a value
# (`sysctl -n` inside the namespace is the oracle); the printed command
# sets exactly the value it said, and the undo it printed puts the old one
# back.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip jq sysctl
need_binary

NS=tdn-scf-$$
ns_add "$NS"
UNDO_FILES=()
sf_cleanup() {
	local rc=$? f
	for f in "${UNDO_FILES[@]}"; do rm -f "$f"; done
	(exit "$rc")
	td_cleanup
}
trap sf_cleanup EXIT
val() { ip netns exec "$NS" sysctl -n "$1" | tr -s '\t ' ' '; }
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syncookies=0 net.ipv4.tcp_fin_timeout=5 \
	net.ipv4.ip_local_port_range="60000 60100" || bail "sysctl -w in $NS"
values() { echo "$(val net.ipv4.tcp_syncookies)|$(val net.ipv4.tcp_fin_timeout)|$(val net.ipv4.ip_local_port_range)"; }
before=$(values)
is "$before" "0|5|60000 60100" "premise: the three values set in $NS"

# ---- check: each sysctl finding carries its remedy ---------------------------------------
td --json --netns "$NS" check --sample 0
remedy() { jq -r --arg r "$1" '[.findings[] | select(.rule == $r and
	(.summary | contains($ARGS.positional[0] // ""))) | .remedy.argv | join(" ")] | first' \
	--args "${2:-}" <<<"$TD_OUT"; }
is "$(remedy syncookies-off)" \
	"tcpdoctor --netns $NS sysctl --apply --set net.ipv4.tcp_syncookies=1 --yes" \
	"syncookies-off: the exact command"
is "$(remedy ephemeral-range-narrow)" \
	"tcpdoctor --netns $NS sysctl --apply --set net.ipv4.ip_local_port_range=10000 65000 --yes" \
	"ephemeral-range-narrow: the exact command"
is "$(remedy risky-sysctl net.ipv4.tcp_fin_timeout)" \
	"tcpdoctor --netns $NS sysctl --apply --set net.ipv4.tcp_fin_timeout=10 --yes" \
	"risky-sysctl (tcp_fin_timeout 5): the exact command, to the audit's value"
is "$(jq -r '[.findings[] | select(.rule == "syncookies-off") | .remedy.safe] | first' <<<"$TD_OUT")" \
	false "a kernel setting is not a safe remedy"
like "$(jq -r '.findings[] | select(.rule == "syncookies-off") | .remedy.changes' <<<"$TD_OUT")" \
	'sets net.ipv4.tcp_syncookies from 0 to 1 in this network namespace.*sysctl -w net.ipv4.tcp_syncookies="0"' \
	"the change and its undo, said"

td --no-color --netns "$NS" check --sample 0 --fix
like "$TD_OUT" "run: tcpdoctor --netns $NS sysctl --apply --set net.ipv4.tcp_syncookies=1 --yes" \
	"check --fix: the command shown"
like "$TD_OUT" "not among the safe ones" "check --fix: says it is not applied unasked"
is "$(values)" "$before" "check --fix: nothing changed"
td --no-color --netns "$NS" check --sample 0 --fix --yes
like "$TD_OUT" "not applied: not a safe remedy" "check --fix --yes: leaves the sysctl remedies"
is "$(values)" "$before" "check --fix --yes: nothing changed"

# ---- sysctl --apply --set: the dry run ----------------------------------------------------
td --no-color --netns "$NS" sysctl --apply --set net.ipv4.tcp_syncookies=1 \
	--set net.ipv4.tcp_fin_timeout=10
is "$TD_RC" 0 "sysctl --apply --set dry run: exit 0"
like "$TD_OUT" "Would change 2 values in network namespace $NS \(dry run" "dry run: 2 values"
like "$TD_OUT" "net.ipv4.tcp_syncookies: 0 -> 1" "dry run: the change of tcp_syncookies"
like "$TD_OUT" "net.ipv4.tcp_fin_timeout: 5 -> 10" "dry run: the change of tcp_fin_timeout"
like "$TD_OUT" "ip netns exec $NS sysctl -w net.ipv4.tcp_syncookies=0" "dry run: its undo"
like "$TD_OUT" "ip netns exec $NS sysctl -w net.ipv4.tcp_fin_timeout=5" "dry run: the other undo"
is "$(values)" "$before" "dry run: nothing changed"
td --netns "$NS" sysctl --apply --set net.ipv4.tcp_nonexistent=1
is "$TD_RC" 2 "--set of a parameter not audited: usage error"
td --netns "$NS" sysctl --set net.ipv4.tcp_syncookies=1
is "$TD_RC" 2 "--set without --apply: usage error"

# ---- the remedy, run as printed -----------------------------------------------------------
td --json --netns "$NS" check --sample 0
mapfile -t argv < <(jq -r '[.findings[] | select(.rule == "syncookies-off")][0].remedy.argv[]' \
	<<<"$TD_OUT")
argv[0]=$TCPDOCTOR
"${argv[@]}" >"$TD_TMP/run.out" 2>&1
is "$?" 0 "the remedy as printed: exit 0"
undo=$(sed -n 's/^Undo with (saved in \([^;]*\);.*/\1/p' "$TD_TMP/run.out")
[ -n "$undo" ] && UNDO_FILES+=("$undo")
is "$(val net.ipv4.tcp_syncookies)" 1 "tcp_syncookies is now 1, as it said"
is "$(val net.ipv4.tcp_fin_timeout)|$(val net.ipv4.ip_local_port_range)" "5|60000 60100" \
	"... and nothing else changed"
td --json --netns "$NS" check --sample 0
is "$(jq '[.findings[] | select(.rule == "syncookies-off")] | length' <<<"$TD_OUT")" 0 \
	"check: syncookies-off no longer reported"
undo_cmd=$(sed -n 's/^  \(ip netns exec .* sysctl -w net.ipv4.tcp_syncookies=.*\)/\1/p' \
	"$TD_TMP/run.out")
is "$undo_cmd" "ip netns exec $NS sysctl -w net.ipv4.tcp_syncookies=0" "the undo command printed"
if [ -f "$undo" ]; then # (an empty path would make sysctl -p read /etc/sysctl.conf)
	ip netns exec "$NS" sysctl -p "$undo" >/dev/null
	is "$(values)" "$before" "sysctl -p on the undo file puts the old value back"
else
	not_ok "the remedy named no undo file" "$(cat "$TD_TMP/run.out")"
fi
td_done
