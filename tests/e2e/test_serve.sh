#!/bin/bash
# `tcpdoctor serve`: a real Prometheus scrapes the exporter, which runs in the
# root namespace with --netns pointing at a close-wait-leak lab (the socket
# is bound before entering it); its sockets by state match ss; promtool
# checks the exposition and the alert rules; an alert fires; the dashboard's
# and the rules' metrics exist; HTTP methods, basic auth, TLS; malformed,
# oversized, slow and 1,000 idle connections do not stop a normal scrape.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq curl
need_python
need_binary

ID="sv$$"
SRV="td-lab-$ID-server"
CLI="td-lab-$ID-client"

free_port() {
	"$TD_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

metrics_up() { # URL [curl args]
	curl -sf -o /dev/null --max-time 2 "$@"
}

lab_clean() { "$TCPDOCTOR" lab clean --id "$ID" >/dev/null 2>&1; }
# td_cleanup exits with the status it finds in $?: keep the script's.
trap 'r=$?; lab_clean; (exit $r); td_cleanup' EXIT

td lab run close-wait-leak --keep --id "$ID"
[ "$TD_RC" -eq 0 ] || bail "lab close-wait-leak did not run: $TD_ERR"
TD_NETNS+=("$SRV" "$CLI")

# ---- the exporter in the root namespace, reading the lab's -------------------------
PORT=$(free_port)
"$TCPDOCTOR" --netns "$SRV" serve --listen "127.0.0.1:$PORT" 2>"$TD_TMP/serve.err" &
SERVE_PID=$!
TD_PIDS+=("$SERVE_PID")
URL="http://127.0.0.1:$PORT"
wait_for 10 metrics_up "$URL/metrics" || bail "serve did not answer on $URL: $(cat "$TD_TMP/serve.err")"

# Bound before entering: the listener is in the root namespace, not the lab's.
is "$(ss -Htln "sport = :$PORT" | wc -l)" 1 "the listening socket is in the caller's namespace"
is "$(ss -N "$SRV" -Htln "sport = :$PORT" | wc -l)" 0 "... and not in the lab's"

curl -sf "$URL/metrics" >"$TD_TMP/m.txt"
# gzip when asked (Prometheus asks), plain otherwise, and "q=0" refuses it.
curl -sf -D "$TD_TMP/gz.h" -H 'Accept-Encoding: gzip' "$URL/metrics" >"$TD_TMP/m.gz"
like "$(tr -d '\r' <"$TD_TMP/gz.h")" $'\n[Cc]ontent-[Ee]ncoding: gzip\n' \
	"Accept-Encoding: gzip gets Content-Encoding: gzip"
like "$(tr -d '\r' <"$TD_TMP/gz.h")" $'\n[Vv]ary: Accept-Encoding\n' "... and Vary: Accept-Encoding"
is "$(gzip -dc <"$TD_TMP/m.gz" | grep -c '^# TYPE ')" "$(grep -c '^# TYPE ' "$TD_TMP/m.txt")" \
	"the gzip body unpacks to the same metric families"
check "the gzip body is smaller" test "$(stat -c %s "$TD_TMP/m.gz")" -lt \
	"$(stat -c %s "$TD_TMP/m.txt")"
curl -sf -D "$TD_TMP/plain.h" -H 'Accept-Encoding: gzip;q=0, identity' "$URL/metrics" >/dev/null
unlike "$(cat "$TD_TMP/plain.h")" '[Cc]ontent-[Ee]ncoding' "gzip;q=0: plain text"
curl -sf -D "$TD_TMP/plain2.h" "$URL/metrics" >/dev/null
unlike "$(cat "$TD_TMP/plain2.h")" '[Cc]ontent-[Ee]ncoding' "no Accept-Encoding: plain text"
got=$(awk '/^tcpdoctor_sockets\{/ { split($1, a, "\""); n[a[2]] += $2 }
	END { for (s in n) if (n[s]) print s "=" n[s] }' "$TD_TMP/m.txt" | sort | tr '\n' ' ')
want=$(ss -N "$SRV" -Htan | awk '{print $1}' | ss_canon_state | sort | uniq -c |
	awk '{print $2 "=" $1}' | sort | tr '\n' ' ')
is "$got" "$want" "tcpdoctor_sockets of the lab namespace = ss -N $SRV"
like "$(grep '^tcpdoctor_sockets_by_port{state="CLOSE_WAIT",port="5000"}' "$TD_TMP/m.txt")" ' 4$' \
	"CLOSE_WAIT by port: 4 on the lab server's port 5000"
like "$(grep '^tcpdoctor_listen_backlog{port="5000",address="[0-9a-f.:]*"}' "$TD_TMP/m.txt")" \
	' [0-9]+$' "the lab listener's backlog is exported, by port and address"
like "$(grep '^tcpdoctor_finding{rule="close-wait-leak",severity="warning"}' "$TD_TMP/m.txt")" \
	' [1-9][0-9]*$' "the close-wait-leak finding is exported"
like "$(grep -c '^# HELP ' "$TD_TMP/m.txt")" '^[0-9]+$' "HELP lines present"
is "$(grep -c '^# HELP ' "$TD_TMP/m.txt")" "$(grep -c '^# TYPE ' "$TD_TMP/m.txt")" \
	"one HELP per TYPE"

if command -v promtool >/dev/null; then
	if out=$(promtool check metrics <"$TD_TMP/m.txt" 2>&1); then
		ok "promtool check metrics passes"
	else
		not_ok "promtool check metrics passes" "$out"
	fi
	R="$TD_SRCDIR/contrib/prometheus"
	if out=$(promtool check rules "$R/alerts.yml" 2>&1); then ok "promtool check rules"; else
		not_ok "promtool check rules" "$out"; fi
	if out=$(cd "$R" && promtool test rules alerts_test.yml 2>&1); then ok "promtool test rules"; else
		not_ok "promtool test rules" "$out"; fi
else
	ok "promtool # SKIP not installed"
fi

# Every metric the dashboard and the alert rules use is really exported.
missing=
for m in $(grep -oh 'tcpdoctor_[a-z0-9_]*' "$TD_SRCDIR/contrib/grafana/tcpdoctor.json" \
	"$TD_SRCDIR/contrib/prometheus/alerts.yml" | grep -v '^tcpdoctor_rule$' | sort -u); do
	grep -q "^# TYPE $m " "$TD_TMP/m.txt" || missing+=" $m"
done
is "$missing" "" "every metric of the dashboard and alerts.yml is in a real scrape"

# ---- HTTP ------------------------------------------------------------------------------
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" 200 "GET / answers"
like "$(curl -s "$URL/")" 'href="/metrics"' "/ links to /metrics"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/nothing")" 404 "unknown path: 404"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "$URL/metrics")" 405 "POST: 405"
is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/metrics")" 405 "DELETE: 405"
is "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/metrics")" 200 "HEAD: 200"
like "$(curl -sI "$URL/metrics" | tr -d '\r' | grep -i '^content-type')" 'version=0\.0\.4' \
	"content type is the 0.0.4 text format"

# ---- abuse: malformed, oversized, slow, 1,000 idle; a normal scrape still answers ---
ABUSE='
import socket, sys, time, subprocess
port, url = int(sys.argv[1]), sys.argv[2]
def conn(src="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0))
    return s
res = []
# Malformed request line, binary junk, an oversized header.
for payload in (b"GARBAGE\r\n\r\n", bytes(range(256)) * 4, b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 200000 + b"\r\n\r\n"):
    s = conn()
    try:
        s.sendall(payload)
        s.settimeout(5)
        res.append(s.recv(64)[:12])
    except OSError as e:
        res.append(str(e).encode())
    s.close()
# 1,000 idle connections and 20 slow ones sending a header byte at a time;
# the idle ones from 8 addresses (125 each: --max-per-ip is 256).
idle = [conn("127.0.0.%d" % (2 + i % 8)) for i in range(1000)]
slow = [conn() for _ in range(20)]
for s in slow:
    s.sendall(b"GET /metrics HTTP/1.1\r\nHo")
t0 = time.time()
out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url],
                     capture_output=True, text=True)
print("scrape", out.stdout, "%.2f" % (time.time() - t0))
print("answers", [r.decode(errors="replace") for r in res])
for s in idle + slow:
    s.close()
'
out=$(timeout 60 "$TD_PY" -c "$ABUSE" "$PORT" "$URL/metrics" 2>&1)
like "$(grep '^scrape' <<<"$out")" '^scrape 200 [0-4]\.' \
	"with 1,000 idle and 20 slow connections open, a scrape answers 200 within 5 s"
like "$(grep '^answers' <<<"$out")" '400|431|413' "malformed and oversized requests get 4xx"
if kill -0 "$SERVE_PID" 2>/dev/null; then ok "serve is still running after the abuse"; else
	not_ok "serve is still running after the abuse" "$(cat "$TD_TMP/serve.err")"; fi
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/metrics")" 200 \
	"a scrape after the abuse answers"

# ---- a real Prometheus --------------------------------------------------------------
if command -v prometheus >/dev/null; then
	PPORT=$(free_port)
	mkdir -p "$TD_TMP/prom"
	# The rules as shipped, with every `for` shortened so the test need not wait.
	# Scrapes every 2 s with a 2 s timeout: at 1 s (the timeout then is 1 s
	# too) a scrape that took longer on a loaded machine marked the target
	# down and the alert never fired.
	sed -E 's/^( +for:).*/\1 2s/' "$TD_SRCDIR/contrib/prometheus/alerts.yml" >"$TD_TMP/prom/alerts.yml"
	cat >"$TD_TMP/prom/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 2s
	  scrape_timeout: 2s
	  evaluation_interval: 1s
	rule_files:
	  - $TD_TMP/prom/alerts.yml
	scrape_configs:
	  - job_name: tcpdoctor
	    static_configs:
	      - targets: ['127.0.0.1:$PORT']
	EOF
	prometheus --config.file="$TD_TMP/prom/prometheus.yml" --storage.tsdb.path="$TD_TMP/prom/data" \
		--web.listen-address="127.0.0.1:$PPORT" >"$TD_TMP/prom.log" 2>&1 &
	TD_PIDS+=("$!")
	API="http://127.0.0.1:$PPORT/api/v1/query"
	q() { curl -sf --max-time 3 --data-urlencode "query=$1" "$API"; }
	two_scrapes() {
		[ "$(q 'count_over_time(tcpdoctor_build_info[1m])' | jq -r '.data.result[0].value[1] // 0')" -ge 2 ]
	}
	if wait_for 60 two_scrapes; then
		ok "Prometheus scraped tcpdoctor twice"
		got=$(q 'sum by (state) (tcpdoctor_sockets) > 0' |
			jq -r '.data.result[] | "\(.metric.state)=\(.value[1])"' | sort | tr '\n' ' ')
		want=$(ss -N "$SRV" -Htan | awk '{print $1}' | ss_canon_state | sort | uniq -c |
			awk '{print $2 "=" $1}' | sort | tr '\n' ' ')
		is "$got" "$want" "Prometheus' tcpdoctor_sockets by state = ss -N $SRV -tan"
		firing() {
			[ "$(q 'ALERTS{alertname="TcpdoctorCloseWaitLeak",alertstate="firing"}' |
				jq '.data.result | length')" -ge 1 ]
		}
		if wait_for 30 firing; then
			ok "TcpdoctorCloseWaitLeak fires in Prometheus while the lab runs"
		else
			not_ok "TcpdoctorCloseWaitLeak fires in Prometheus while the lab runs" \
				"$(q 'ALERTS' | head -c 600)"
		fi
		is "$(q 'up{job="tcpdoctor"}' | jq -r '.data.result[0].value[1]')" 1 "the target is up"
	else
		not_ok "Prometheus scraped tcpdoctor twice" "$(tail -5 "$TD_TMP/prom.log")"
	fi
else
	ok "real Prometheus # SKIP prometheus not installed"
fi
kill "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID" 2>/dev/null
is "$?" 0 "serve exits 0 on SIGTERM"

# ---- basic auth (SHA-256 crypt from openssl, bcrypt from python's crypt) -------------
if command -v openssl >/dev/null; then
	{
		echo "basic_auth_users:"
		echo "  prom: $(openssl passwd -5 's3cret')"
		b=$("$TD_PY" -W ignore -c 'import crypt; print(crypt.crypt("b-pass", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 5)))' 2>/dev/null)
		[ -n "$b" ] && echo "  bob: '$b'"
	} >"$TD_TMP/users"
	APORT=$(free_port)
	"$TCPDOCTOR" serve --listen "127.0.0.1:$APORT" --auth-file "$TD_TMP/users" 2>"$TD_TMP/auth.err" &
	AUTH_PID=$!
	TD_PIDS+=("$AUTH_PID")
	AURL="http://127.0.0.1:$APORT/metrics"
	wait_for 10 metrics_up -u prom:s3cret "$AURL" || diag "$(cat "$TD_TMP/auth.err")"
	is "$(curl -s -o /dev/null -w '%{http_code}' "$AURL")" 401 "auth: no credentials, 401"
	like "$(curl -sI "$AURL" | tr -d '\r' | grep -i '^www-authenticate')" 'Basic realm="tcpdoctor"' \
		"auth: asks for basic credentials"
	is "$(curl -s -o /dev/null -w '%{http_code}' -u prom:wrong "$AURL")" 401 "auth: wrong password, 401"
	is "$(curl -s -o /dev/null -w '%{http_code}' -u nobody:s3cret "$AURL")" 401 "auth: unknown user, 401"
	is "$(curl -s -o /dev/null -w '%{http_code}' -u prom:s3cret "$AURL")" 200 "auth: SHA-256 crypt user, 200"
	if grep -q '^  bob:' "$TD_TMP/users"; then
		is "$(curl -s -o /dev/null -w '%{http_code}' -u bob:b-pass "$AURL")" 200 "auth: bcrypt user, 200"
	else
		ok "auth: bcrypt # SKIP python3 crypt module unavailable"
	fi
	kill "$AUTH_PID" 2>/dev/null
	echo "prom:plaintext" >"$TD_TMP/bad-users"
	td serve --listen "127.0.0.1:$APORT" --auth-file "$TD_TMP/bad-users"
	is "$TD_RC" 2 "auth: a plain-text password in the file is refused"
	like "$TD_ERR" 'line 1' "... naming the line"

	# ---- TLS with a self-signed certificate -----------------------------------------
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TD_TMP/key.pem" -out "$TD_TMP/cert.pem" \
		-days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	TPORT=$(free_port)
	"$TCPDOCTOR" serve --listen "127.0.0.1:$TPORT" --tls-cert "$TD_TMP/cert.pem" \
		--tls-key "$TD_TMP/key.pem" 2>"$TD_TMP/tls.err" &
	TLS_PID=$!
	TD_PIDS+=("$TLS_PID")
	if wait_for 10 metrics_up --cacert "$TD_TMP/cert.pem" "https://127.0.0.1:$TPORT/metrics"; then
		ok "TLS: the scrape answers over HTTPS, certificate verified"
	else
		not_ok "TLS: the scrape answers over HTTPS, certificate verified" "$(cat "$TD_TMP/tls.err")"
	fi
	is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$TPORT/metrics")" 000 \
		"TLS: plain HTTP gets no answer"
	kill "$TLS_PID" 2>/dev/null
	td serve --tls-cert "$TD_TMP/cert.pem"
	is "$TD_RC" 2 "--tls-cert without --tls-key is a usage error"
else
	ok "auth and TLS # SKIP openssl not installed"
fi

td serve --listen nonsense
is "$TD_RC" 2 "a bad --listen is a usage error"
td --netns "td-nonexistent-$$" serve --listen "127.0.0.1:$(free_port)"
is "$TD_RC" 2 "an unknown --netns is a usage error"
lab_clean
td_done
