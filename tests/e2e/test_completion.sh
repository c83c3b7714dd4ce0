#!/bin/bash
# Shell completion: the bash function from `tcpdoctor completion bash` run on
# partial command lines (COMP_WORDS/COMP_CWORD, as bash sets them), and a
# drift check: what completes after `CMD --` is exactly the long options
# CMD's --help documents. zsh and fish scripts are checked for syntax when
# those shells are installed (they are not a dependency).
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
need_binary

# The completion script calls the binary by the name typed: put ours first.
mkdir -p "$TD_TMP/bin"
ln -sf "$TCPDOCTOR" "$TD_TMP/bin/tcpdoctor"
export PATH="$TD_TMP/bin:$PATH"
td completion bash
is "$TD_RC" 0 "completion bash: exit 0"
printf '%s\n' "$TD_OUT" >"$TD_TMP/comp.bash"

complete_line() { # words...: the candidates for the last word, one a line
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_tcpdoctor
		printf "%s\n" "${COMPREPLY[@]}"' _ "$TD_TMP/comp.bash" "$@"
}
is "$(complete_line tcpdoctor sta)" states "a command name"
is "$(complete_line tcpdoctor co | tr '\n' ' ')" "conns completion " "two commands by prefix"
like "$(complete_line tcpdoctor conns --st)" '^--state$' "a command's option"
is "$(complete_line tcpdoctor conns --state close | tr '\n' ' ')" \
	"close close-wait " "state names after --state (ss spelling)"
like "$(complete_line tcpdoctor who --state E)" '^ESTABLISHED$' "state names as typed (upper case)"
like "$(complete_line tcpdoctor lab run close)" '^close-wait-leak$' "lab scenario names"
like "$(complete_line tcpdoctor explain ECONNRE)" 'ECONNRESET' "explain topics"
# Chinese aliases come from the zh_CN catalogue (po/zh_CN.po), whatever the locale.
is "$(complete_line tcpdoctor explain 半连接队 | sort | tr '\n' ' ')" \
	"半连接队列 半连接队列溢出 半连接队列满发cookie " "explain: Chinese aliases by prefix"
like "$(complete_line tcpdoctor explain 三次)" '^三次握手$' "explain: 三次 completes to 三次握手"
is "$(complete_line tcpdoctor explain 连接被 | grep -cx 连接被对方重设)" 1 \
	"explain: a glibc zh_CN errno message completes"
unlike "$(complete_line tcpdoctor explain '')" '半连接' "explain: no Chinese offered for an empty word"
like "$(complete_line tcpdoctor check --rule clo)" '^close-wait-leak$' "rule ids after --rule"
like "$(complete_line tcpdoctor states --by p)" 'process' "--by values"
like "$(complete_line tcpdoctor pcap x.pcap --graph r)" '^rtt$' "--graph kinds"
like "$(complete_line tcpdoctor --js)" '^--json$' "a global option before the command"
like "$(complete_line tcpdoctor states --no)" '^--no-color$' "a global option after it"
like "$(complete_line tcpdoctor check --all)" '^--all-netns$' "--all-netns"
# every global option of `tcpdoctor --help` completes
for g in $("$TCPDOCTOR" --help | sed -n '/^Global options/,/^Examples/p' |
	grep -oE -- '^  (-[46], )?--[a-z-]+' | grep -oE -- '--[a-z-]+$'); do
	check "global $g completes" grep -qx -- "$g" <<<"$(complete_line tcpdoctor "$g")"
done
is "$(complete_line tcpdoctor completion z)" zsh "completion's own operand"
is "$(complete_line tcpdoctor pcap ./)" "" "a file operand: nothing offered (the shell's files)"
if [ "$(id -u)" -eq 0 ]; then
	ns="td-e2e-comp-$$"
	ip netns add "$ns" && TD_NETNS+=("$ns")
	like "$(complete_line tcpdoctor --netns td-e2e-comp-)" "^$ns$" "namespace names after --netns"
fi

# Drift: every command's completed options are its documented ones.
for c in $(complete_line tcpdoctor ""); do
	comp=$(complete_line tcpdoctor "$c" -- | grep -vxE -- '--(netns|all-netns|netns-filter|json|no-color|source|save-dump|help|version)|-4|-6' |
		sort -u)
	help=$("$TCPDOCTOR" "$c" --help 2>&1 | grep -oE -- '(^|[ ,[|/(])--[a-z][a-z0-9-]*' |
		sed 's/^[ ,[|/(]//' | grep -vxE -- '--(netns|all-netns|netns-filter|json|no-color|source|save-dump|help|version)' |
		sort -u)
	missing=$(comm -23 <(echo "$comp") <(echo "$help") | tr '\n' ' ')
	is "$missing" "" "$c: every completed option is in its --help"
done

# make install puts the completions down; make uninstall takes all of it away.
root=$TD_TMP/root
if make -s -C "$TD_SRCDIR" install DESTDIR="$root" PREFIX=/usr >"$TD_TMP/mk" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
	for f in usr/bin/tcpdoctor usr/share/man/man1/tcpdoctor.1 \
		usr/share/bash-completion/completions/tcpdoctor \
		usr/share/zsh/vendor-completions/_tcpdoctor \
		usr/share/fish/vendor_completions.d/tcpdoctor.fish \
		usr/lib/systemd/system/tcpdoctor-serve.service usr/share/tcpdoctor/prometheus/alerts.yml; do
		check "installed: /$f" test -f "$root/$f"
	done
	like "$(cat "$root/usr/lib/systemd/system/tcpdoctor-serve.service")" \
		'ExecStart=/usr/bin/tcpdoctor serve' "the unit runs the installed binary"
	make -s -C "$TD_SRCDIR" uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>&1
	is "$(find "$root" -type f | wc -l)" 0 "make uninstall removes every file install put down"
else
	not_ok "make install DESTDIR=... PREFIX=/usr" "$(cat "$TD_TMP/mk")"
fi

td completion tcsh
is "$TD_RC" 2 "an unknown shell: exit 2"
like "$TD_ERR" "unknown shell 'tcsh' \\(bash, zsh or fish\\)" "... and says which are known"
for sh in zsh fish; do
	if command -v "$sh" >/dev/null; then
		"$TCPDOCTOR" completion "$sh" >"$TD_TMP/comp.$sh"
		check "completion $sh parses" "$sh" -n "$TD_TMP/comp.$sh"
	fi
done
td_done
