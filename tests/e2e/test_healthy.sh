#!/bin/bash
# No false alarms on a healthy busy host: real servers (nginx, redis) under
# real load generators (ab, wrk, redis-benchmark) on the loopback of a
# namespace made here; `check` must exit 0 on every run of every scene. A
# snapshot of a busy host always holds sockets passing through CLOSE_WAIT,
# FIN_WAIT1 or a full Recv-Q for an instant; check must tell that from a
# leak, a dead peer or a reader that stopped. Add a scene for every false
# alarm met in the field.
# jq programs sit in single quotes on purpose.
# shellcheck disable=SC2016 source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_tool ip ss jq nginx ab wrk redis-server redis-benchmark
need_binary

RUNS=${TD_HEALTHY_RUNS:-4} # check runs per scene
TOTAL=0
GREEN=0

ns_create NS healthy

# ---- servers ----------------------------------------------------------------

WWW=$TD_TMP/www
mkdir -p "$WWW" "$TD_TMP/nginx"
head -c 512 /dev/urandom >"$WWW/small.bin"
head -c 5000000 /dev/urandom >"$WWW/big.bin"
cat >"$TD_TMP/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $TD_TMP/nginx.pid;
error_log $TD_TMP/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path $TD_TMP/nginx/body;
	proxy_temp_path $TD_TMP/nginx/proxy;
	fastcgi_temp_path $TD_TMP/nginx/fastcgi;
	uwsgi_temp_path $TD_TMP/nginx/uwsgi;
	scgi_temp_path $TD_TMP/nginx/scgi;
	server {
		listen 127.0.0.1:8080 backlog=4096;
		listen [::1]:8080 backlog=4096;
		root $WWW;
	}
}
EOF
spawn "$NS" nginx -p "$TD_TMP/nginx" -c "$TD_TMP/nginx.conf" -g 'daemon off;'
wait_for 20 ss_has "$NS" listening 2 || bail "nginx did not listen: $(cat "$TD_TMP/nginx/error.log")"
spawn "$NS" redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
	--dir "$TD_TMP" --logfile "$TD_TMP/redis.log" --maxclients 2000
wait_for 20 ss_has "$NS" listening 3 || bail "redis did not listen: $(cat "$TD_TMP/redis.log")"

# ---- helpers ----------------------------------------------------------------

# established_at_least N: the load is under way.
established_at_least() {
	[ "$(ss_state_count "$NS" established)" -ge "$1" ]
}

# green SCENE: run check RUNS times while the load runs; each must exit 0.
green() {
	local scene=$1 i
	for ((i = 1; i <= RUNS; i++)); do
		TOTAL=$((TOTAL + 1))
		td --netns "$NS" --no-color check
		if [ "$TD_RC" -eq 0 ]; then
			GREEN=$((GREEN + 1))
			ok "$scene, run $i: check exits 0"
		else
			not_ok "$scene, run $i: check exits 0 (got $TD_RC)" "$TD_OUT" \
				"$(ss -N "$NS" -tan | awk 'NR > 1 { n[$1]++ } END { for (s in n) print s, n[s] }')"
		fi
	done
}

# stop PID...: end load generators that are still running.
stop() {
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# ---- scenes -----------------------------------------------------------------

# 1. Short connections (ab without keep-alive: nginx closes first, ab sits in
#    CLOSE_WAIT for an instant) plus big responses (wrk on 5 MB: nginx's
#    orphans close with data queued, wrk's Recv-Q full while it catches up).
spawn "$NS" ab -q -t 60 -n 10000000 -c 100 http://127.0.0.1:8080/small.bin >>"$TD_TMP/load.log" 2>&1
AB=$SPAWNED
spawn "$NS" wrk -t2 -c50 -d60s http://127.0.0.1:8080/big.bin >>"$TD_TMP/load.log" 2>&1
WRK=$SPAWNED
wait_for 30 established_at_least 100 || diag "load slow to start: $(ss -N "$NS" -s)"
green "nginx: ab -c100 small file + wrk -c50 on 5 MB"
stop "$AB" "$WRK"

# 2. Keep-alive clients over both families: many long connections, small
#    responses.
spawn "$NS" ab -q -k -t 60 -n 10000000 -c 200 http://127.0.0.1:8080/small.bin >>"$TD_TMP/load.log" 2>&1
AB=$SPAWNED
spawn "$NS" wrk -t2 -c100 -d60s "http://[::1]:8080/small.bin" >>"$TD_TMP/load.log" 2>&1
WRK=$SPAWNED
wait_for 30 established_at_least 300 || diag "load slow to start: $(ss -N "$NS" -s)"
green "nginx: ab -k -c200 + wrk -c100 over IPv6, keep-alive"
stop "$AB" "$WRK"

# 2b. A client slower than its connections: ab with 1000 at once on a busy
#    core gets to each end of file a second or two late, so its CLOSE_WAIT
#    sockets outlive the sample (it closes most of them meanwhile).
spawn "$NS" ab -q -t 60 -n 10000000 -c 1000 http://127.0.0.1:8080/small.bin >>"$TD_TMP/load.log" 2>&1
AB=$SPAWNED
wait_for 30 established_at_least 300 || diag "load slow to start: $(ss -N "$NS" -s)"
green "nginx: ab -c1000, a client slower than its connections"
stop "$AB"

# 3. redis under redis-benchmark: 50 clients, pipelined and not.
spawn "$NS" redis-benchmark -h 127.0.0.1 -p 6379 -c 50 -n 100000000 -q -t set,get,lpush >>"$TD_TMP/load.log" 2>&1
RB=$SPAWNED
spawn "$NS" redis-benchmark -h 127.0.0.1 -p 6379 -c 20 -P 16 -n 100000000 -q -t get >>"$TD_TMP/load.log" 2>&1
RB2=$SPAWNED
wait_for 30 established_at_least 100 || diag "load slow to start: $(ss -N "$NS" -s)"
green "redis: redis-benchmark -c50 and -c20 -P16"
stop "$RB" "$RB2"

# 4. Many short connections through TIME_WAIT (a new connection per request:
#    the client closes first), with the default tcp_tw_reuse=2, which lets
#    loopback connections take over TIME_WAIT ports.
spawn "$NS" redis-benchmark -h 127.0.0.1 -p 6379 -c 50 -k 0 -n 100000000 -q -t ping >>"$TD_TMP/load.log" 2>&1
RB=$SPAWNED
wait_for 30 established_at_least 10 || diag "load slow to start: $(ss -N "$NS" -s)"
# connect() picks ports of one parity first, so a churning client keeps
# about half the range in TIME_WAIT towards its server: right at
# time-wait-pressure's default ratio, where it predicted EADDRNOTAVAIL,
# though with tcp_tw_reuse=2 the kernel reuses those ports on loopback.
read -r lo hi < <(ip netns exec "$NS" cat /proc/sys/net/ipv4/ip_local_port_range)
tw_many() {
	[ "$(ss -N "$NS" -Htan state time-wait dst 127.0.0.1:6379 | wc -l)" -ge $(((hi - lo) * 2 / 5)) ]
}
wait_for 60 tw_many || diag "TIME_WAIT stayed low: $(ss -N "$NS" -s)"
green "redis-benchmark -k 0: a connection per request, TIME_WAIT by thousands"
is "$(td_json '[.findings[] | select(.rule == "time-wait-pressure")] | length' \
	--netns "$NS" check --set time-wait-pressure.ratio=0.3 --json)" 0 \
	"TIME_WAIT over 30% of the ports to 127.0.0.1:6379 with tw_reuse=2: no EADDRNOTAVAIL predicted" \
	"$(jq -r '.findings[].summary' "$TD_TMP/out" 2>/dev/null)"
stop "$RB"

# 5. Across a link: nginx in one namespace (192.0.2.1), ab and wrk in
#    another; check on both sides.
ns_pair healthyv
sed -e "s|listen 127.0.0.1:8080 backlog=4096;|listen 192.0.2.1:8080 backlog=4096;|" \
	-e "/listen \[::1\]:8080/d" -e "s|$TD_TMP/nginx.pid|$TD_TMP/nginx2.pid|" \
	"$TD_TMP/nginx.conf" >"$TD_TMP/nginx2.conf"
mkdir -p "$TD_TMP/nginx2"
spawn "$NS_A" nginx -p "$TD_TMP/nginx2" -c "$TD_TMP/nginx2.conf" -g 'daemon off;'
wait_for 20 ss_has "$NS_A" listening 1 || bail "nginx on the veth did not listen"
spawn "$NS_B" ab -q -t 60 -n 10000000 -c 300 http://192.0.2.1:8080/small.bin >>"$TD_TMP/load.log" 2>&1
AB=$SPAWNED
spawn "$NS_B" wrk -t2 -c100 -d60s http://192.0.2.1:8080/big.bin >>"$TD_TMP/load.log" 2>&1
WRK=$SPAWNED
peers_busy() { [ "$(ss_state_count "$NS_B" established)" -ge 100 ]; }
wait_for 30 peers_busy || diag "load slow to start: $(ss -N "$NS_B" -s)"
NS_SAVED=$NS
NS=$NS_A
green "across a veth, server side: nginx under ab -c300 + wrk -c100 on 5 MB"
NS=$NS_B
green "across a veth, client side: ab -c300 + wrk -c100"
NS=$NS_SAVED
stop "$AB" "$WRK"

diag "healthy busy runs: $GREEN of $TOTAL stayed at exit 0"
td_done
