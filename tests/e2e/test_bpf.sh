#!/bin/bash
# The BPF iterator source (`states --source bpf`) against the netlink source,
# its oracle, in namespaces this test creates: every state, IPv4 and IPv6,
# filters, and --by lport/rport/laddr/peer/user group by group; the namespace
# it walks; the fallback and the one-line reason when BPF cannot load; and,
# when the lab exists, every lab scenario.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq setpriv
need_python
need_binary

td states --source bpf --json
if [ "$TD_RC" -ne 0 ]; then
	# Only a kernel without BTF may skip; a build without BPF (no clang or
	# bpftool: scripts/deps) or a load error is a failure of the run.
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		skip_kernel "$(basename "$0")" "no BTF (/sys/kernel/btf/vmlinux): $TD_ERR"
	else
		skip "$(basename "$0")" "BPF source unavailable: $TD_ERR"
	fi
	exit 0
fi

lab_standard bpf

# bpf_vs_netlink DESC ARGS...: states --json through both sources, same counts.
bpf_vs_netlink() {
	local desc=$1
	shift
	local want got
	want=$(td_states "$@" --source netlink)
	got=$(td_states "$@" --source bpf)
	if [ "$want" != ERROR ] && [ "$got" == "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "bpf:     $got" "netlink: $want"
	fi
}

# groups NS BY SOURCE: one sorted line per group: key, total, states.
groups() {
	td_json '.groups[] | "\(.key) \(.family // "-") \(.total) \(.states | tojson)"' \
		--netns "$1" states --by "$2" --top 0 --json --source "$3" | sort
}

for ns in "$NS_A" "$NS_B"; do
	# Below 50,000 sockets netlink is faster than loading the iterator.
	is "$(td_json .source --netns "$ns" states --json)" netlink \
		"$ns: auto counts with netlink in a small namespace"
	is "$(td_json .source --netns "$ns" states --json --source bpf)" bpf \
		"$ns: --source bpf counts in the kernel as root"
	bpf_vs_netlink "$ns: every state" --netns "$ns"
	is "$(td_states --netns "$ns" --source bpf)" "$(ss_states "$ns")" "$ns: bpf equals ss -tan"
	bpf_vs_netlink "$ns: -4" --netns "$ns" -4
	bpf_vs_netlink "$ns: -6" --netns "$ns" -6
	is "$(td_json '"\(.families.ipv4) \(.families.ipv6)"' --netns "$ns" states --json --source bpf)" \
		"$(td_json '"\(.families.ipv4) \(.families.ipv6)"' --netns "$ns" states --json --source netlink)" \
		"$ns: families"
	for st in established syn-recv syn-sent time-wait fin-wait-2 close-wait listen \
		connected bucket; do
		bpf_vs_netlink "$ns: --state $st" --netns "$ns" --state "$st"
	done
	bpf_vs_netlink "$ns: two states (OR)" --netns "$ns" --state listen --state syn-sent
	bpf_vs_netlink "$ns: --sport 5001" --netns "$ns" --sport 5001
	bpf_vs_netlink "$ns: --sport 5001-5003" --netns "$ns" --sport 5001-5003
	bpf_vs_netlink "$ns: --dport 5001 --dport 5009 (OR)" --netns "$ns" --dport 5001 --dport 5009
	bpf_vs_netlink "$ns: --port 5002" --netns "$ns" --port 5002
	bpf_vs_netlink "$ns: --src 192.0.2.0/24" --netns "$ns" --src 192.0.2.0/24
	bpf_vs_netlink "$ns: --src 192.0.2.3" --netns "$ns" --src 192.0.2.3
	bpf_vs_netlink "$ns: --dst 2001:db8::/32" --netns "$ns" --dst 2001:db8::/32
	bpf_vs_netlink "$ns: --dst 2001:db8::99" --netns "$ns" --dst 2001:db8::99
	bpf_vs_netlink "$ns: --src with --sport (AND)" --netns "$ns" --src 192.0.2.1 --sport 5001
	bpf_vs_netlink "$ns: -6 --state connected --dport 5001-5009" --netns "$ns" -6 \
		--state connected --dport 5001-5009
	for by in lport rport laddr peer user process; do
		want=$(groups "$ns" "$by" netlink)
		got=$(groups "$ns" "$by" bpf)
		if [ -n "$want" ] && [[ $want != *ERROR* ]]; then
			same_lines "$got" "$want" "$ns: --by $by, group by group"
		else
			not_ok "$ns: --by $by, group by group" "netlink gave: $want"
		fi
	done
	is "$(td_json .source --netns "$ns" states --by lport --json --source bpf)" bpf \
		"$ns: --by lport counts in the kernel"
	is "$(td_json .source --netns "$ns" states --by process --json)" netlink \
		"$ns: --by process in a small namespace: netlink joined with the owner walk"
	is "$(td_json .source --netns "$ns" states --by process --json --source bpf)" bpf \
		"$ns: --source bpf --by process counts by owner in the kernel"
	is "$(td_json .source --netns "$ns" states --by process --dport 5001 --json --source bpf)" \
		netlink "$ns: --by process with a port filter: netlink joined with the owner walk"
	is "$(td_json .source --netns "$ns" states --pid "$$" --json)" netlink \
		"$ns: --pid needs sockets: netlink"
done

# The iterator walks the namespace of the process that creates it: the two
# namespaces hold different sockets, and each count is its own.
a=$(td_states --netns "$NS_A" --source bpf)
b=$(td_states --netns "$NS_B" --source bpf)
isnt "$a" "$b" "the two namespaces count differently (the iterator follows --netns)"
is "$(td_json .states.LISTEN --netns "$NS_B" states --source bpf --json)" 0 \
	"$NS_B has no listener of $NS_A's"

# ---- the minimized kernel BTF (src/bpf/btfcache.c) -----------------------------

# counts NS [env...]: states --source bpf with that environment, as one line
cached_states() {
	local ns=$1
	shift
	env "$@" "$TCPDOCTOR" --netns "$ns" states --source bpf --json 2>"$TD_TMP/btf.err" |
		jq -c '[.source, .total, .states]'
}
want=$(td_json '["bpf", .total, .states] | tojson' --netns "$NS_A" states --source netlink --json)
bc=$TD_TMP/btfcache
is "$(cached_states "$NS_A" TD_BTF_CACHE="$bc")" "$want" "first run with an empty cache: counts as netlink"
f=$(ls "$bc"/*-count-*.btf 2>/dev/null)
if [ -f "$f" ]; then
	ok "the first run leaves a minimized BTF in the cache"
	size=$(stat -c %s "$f")
	full=$(stat -c %s /sys/kernel/btf/vmlinux)
	[ "$size" -gt 0 ] && [ "$size" -lt $((full / 10)) ] &&
		ok "it is small: $size bytes of the kernel's $full" ||
		not_ok "it is small" "$size bytes of $full"
	is "$(stat -c %a "$f")" 644 "it is not writable by others"
	ino=$(stat -c %i "$f")
	is "$(cached_states "$NS_A" TD_BTF_CACHE="$bc")" "$want" "second run, from the cache: same counts"
	is "$(stat -c %i "$f")" "$ino" "the second run used the file, did not make it again"
	# a broken file: the load falls back to the full BTF, and the file is made anew
	printf 'not a BTF at all' >"$f"
	is "$(cached_states "$NS_A" TD_BTF_CACHE="$bc")" "$want" "a corrupt cache file: same counts"
	isnt "$(head -c 16 "$f" 2>/dev/null | od -An -c | tr -d ' ')" "notaBTFatall" \
		"the corrupt file was replaced"
	# another program's file under our name: its meta names other targets
	TD_BTF_CACHE="$bc" TD_OWNERS=bpf "$TCPDOCTOR" --netns "$NS_A" conns >/dev/null 2>&1
	o=$(ls "$bc"/*-owners-*.btf 2>/dev/null)
	if [ -f "$o" ]; then
		ok "the BPF owner walk caches its own BTF"
		cp "$o" "$f"
		is "$(cached_states "$NS_A" TD_BTF_CACHE="$bc")" "$want" \
			"a cache file made for another program: same counts"
		if cmp -s "$o" "$f"; then
			not_ok "the other program's file was not used" "still in place"
		else
			ok "the other program's file was not used"
		fi
	else
		not_ok "the BPF owner walk caches its own BTF" "$(ls "$bc")"
	fi
	is "$(TD_BTF_CACHE="$bc" TD_OWNERS=bpf td_json '[.sockets[] | .inode] | sort | tojson' --netns "$NS_A" conns --json)" \
		"$(TD_OWNERS=proc td_json '[.sockets[] | .inode] | sort | tojson' --netns "$NS_A" conns --json)" \
		"conns with the cached BTF owner walk lists what the /proc walk does"
	is "$(TD_BTF_CACHE="$bc" TD_OWNERS=bpf td_json '[.sockets[] | .owners[0].pid] | tojson' --netns "$NS_A" conns --json)" \
		"$(TD_OWNERS=proc td_json '[.sockets[] | .owners[0].pid] | tojson' --netns "$NS_A" conns --json)" \
		"and finds the same owners"
	# a file others may write is not trusted: replaced by a safe one
	chmod 666 "$f"
	is "$(cached_states "$NS_A" TD_BTF_CACHE="$bc")" "$want" "a group/world-writable cache file: same counts"
	is "$(stat -c %a "$f")" 644 "and it was replaced by one only we may write"
else
	not_ok "the first run leaves a minimized BTF in the cache" "$(ls -la "$bc" 2>&1)"
fi
# a directory others may write is not used at all
wd=$TD_TMP/btfopen
mkdir -p "$wd" && chmod 777 "$wd"
is "$(cached_states "$NS_A" TD_BTF_CACHE="$wd")" "$want" "a world-writable cache directory: same counts"
is "$(find "$wd" -type f | wc -l)" 0 "and nothing was written to it"
is "$(cached_states "$NS_A" TD_BTF_CACHE=off)" "$want" "TD_BTF_CACHE=off (the full kernel BTF): same counts"

# ---- without the rights to load BPF ------------------------------------------

nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
out=$(nobody "$TCPDOCTOR" states --source bpf 2>&1)
rc=$?
is "$rc" 3 "as nobody, --source bpf exits 3"
is "$(wc -l <<<"$out")" 1 "as nobody, one line says why"
like "$out" "root|CAP_BPF" "as nobody, the line names what is missing"
out=$(nobody "$TCPDOCTOR" states --json 2>/dev/null | jq -r .source)
is "$out" netlink "as nobody, auto falls back to netlink"
td states --source bpf --by process --sport 1-65535
is "$TD_RC" 0 "--source bpf --by process --sport reads netlink"
like "$TD_ERR" "only counts" "--source bpf --by process --sport says it read netlink"
td states --source bpf --save-dump "$TD_TMP/x.dump"
is "$TD_RC" 2 "--source bpf --save-dump is a usage error"
td conns --source bpf --netns "$NS_A" --json
is "$TD_RC" 0 "conns --source bpf lists from netlink"
like "$TD_ERR" "only counts" "conns --source bpf says it read netlink"

# ---- every lab scenario, when the lab exists ----------------------------------

if "$TCPDOCTOR" lab list >"$TD_TMP/labs" 2>/dev/null && [ -s "$TD_TMP/labs" ]; then
	for sc in $(awk 'NF && $1 !~ /^#/ {print $1}' "$TD_TMP/labs"); do
		id="bpf$$"
		# A scenario whose own checks fail still leaves sockets to count.
		"$TCPDOCTOR" lab run "$sc" --keep --id "$id" >"$TD_TMP/lab.out" 2>&1
		if ! ip netns list | grep -q -- "td-lab-$id-"; then
			not_ok "lab $sc" "lab run $sc --keep --id $id left no namespace: $(tail -1 "$TD_TMP/lab.out")"
			continue
		fi
		for ns in "td-lab-$id-client" "td-lab-$id-server"; do
			bpf_vs_netlink "lab $sc: $ns" --netns "$ns"
			same_lines "$(groups "$ns" lport bpf)" "$(groups "$ns" lport netlink)" \
				"lab $sc: $ns --by lport"
			same_lines "$(groups "$ns" peer bpf)" "$(groups "$ns" peer netlink)" \
				"lab $sc: $ns --by peer"
		done
		"$TCPDOCTOR" lab clean --id "$id" >/dev/null 2>&1
	done
else
	not_ok "every lab scenario" "tcpdoctor lab list failed or listed nothing"
fi

td_done
