/* The knowledge base behind `tcpdoctor explain`: one static table of entries
 * (states, flag combinations, errno values, sysctls, concepts) in our own
 * words, and a lookup that takes the spellings people paste from ss, tcpdump,
 * strace and sysctl.conf. To add an entry, add a row; docs/explain.md says how. */
#include "diagnose/kb.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/kb_zh.h"
#include "state.h"
#include "text.h"

/* clang-format off */
static const struct td_kb_entry entries[] = {
	/* ---- states (kernel numbering, include/net/tcp_states.h) ---- */
	{ TD_KB_STATE, "LISTEN", "LIST", TD_LISTEN,
	  "a server socket waiting for connections: listen() was called",
	  "The socket answers SYNs sent to its address and port. Each SYN creates a request "
	  "socket (SYN_RECV); a completed handshake moves the connection to the accept queue, "
	  "where it waits for the application's accept(). For a listener, Recv-Q is the accept "
	  "queue length and Send-Q the backlog: min(listen() argument, net.core.somaxconn).",
	  "Only the server side, for as long as the service runs. A client socket is never in "
	  "LISTEN.",
	  "A service called listen() on this port\n"
	  "Recv-Q near Send-Q: the application accepts too slowly and new handshakes are "
	  "dropped (TcpExtListenOverflows grows)\n"
	  "No LISTEN socket where one is expected: clients get ECONNREFUSED",
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor who :PORT\n"
	  "nstat -az TcpExtListenOverflows TcpExtListenDrops\n"
	  "tcpdoctor explain accept-queue",
	  "RFC 9293 3.3.2 (state machine), 3.5 (establishing a connection)\n"
	  "RFC 9293 3.10.7.2 (segment arrives in LISTEN)\n"
	  "net/ipv4/inet_connection_sock.c: inet_csk_listen_start()\n"
	  "man 2 listen" },
	{ TD_KB_STATE, "SYN_SENT", "SYN-S", TD_SYN_SENT,
	  "connect() sent a SYN and waits for the peer's SYN+ACK",
	  "The first step of an active open. The kernel retransmits the SYN with a doubling "
	  "timeout (1 s, 2 s, 4 s...) up to net.ipv4.tcp_syn_retries times, then connect() "
	  "fails with ETIMEDOUT. A RST in reply fails it at once with ECONNREFUSED, an ICMP "
	  "unreachable with EHOSTUNREACH or ENETUNREACH.",
	  "The client, between connect() and the answer. Normally it lasts one round trip; "
	  "sockets that stay here for seconds are talking to nobody.",
	  "The peer host is down or its address is wrong, and nobody answers ARP or routes "
	  "the SYN\n"
	  "A firewall drops the SYN silently (DROP rather than REJECT)\n"
	  "The server's SYN queue is full and it drops SYNs (SYN flood, syncookies off)\n"
	  "Asymmetric routing or NAT loses the SYN+ACK on its way back",
	  "tcpdoctor conns --state syn-sent\n"
	  "tcpdoctor states --state syn-sent --by peer\n"
	  "tcpdoctor explain tcp_syn_retries\n"
	  "tcpdump -ni any 'tcp[tcpflags] & tcp-syn != 0' and host PEER",
	  "RFC 9293 3.5 (three-way handshake), 3.10.7.3 (segment arrives in SYN-SENT)\n"
	  "net/ipv4/tcp_output.c: tcp_connect()\n"
	  "net/ipv4/tcp_timer.c: tcp_write_timeout()" },
	{ TD_KB_STATE, "SYN_RECV", "SYN-R", TD_SYN_RECV,
	  "a SYN arrived and was answered with SYN+ACK; waiting for the final ACK",
	  "The passive half of the handshake (RFC SYN-RECEIVED). On Linux a connection in this "
	  "phase is a small request socket, TCP_NEW_SYN_RECV, kept in the listener's SYN queue "
	  "until the client's ACK arrives; only then is a full socket made and put on the "
	  "accept queue. ss and /proc report request sockets as SYN_RECV. A full socket shows "
	  "SYN_RECV only for TCP Fast Open or after a simultaneous open.",
	  "The server, for one round trip per connection. Hundreds or thousands at once mean "
	  "ACKs are not coming back.",
	  "A SYN flood from spoofed addresses (the SYN+ACKs go nowhere)\n"
	  "Clients that vanish or a firewall that drops the client's final ACK\n"
	  "A return path that loses the SYN+ACK (asymmetric routing, MTU, NAT)\n"
	  "Retransmitted SYN+ACKs are paced by net.ipv4.tcp_synack_retries",
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "tcpdoctor conns --state syn-recv\n"
	  "nstat -az TcpExtSyncookiesSent TcpExtListenDrops\n"
	  "tcpdoctor explain tcp_syncookies",
	  "RFC 9293 3.5 (establishing), 3.10.7.4 (segment arrives, other states)\n"
	  "net/ipv4/tcp_input.c: tcp_conn_request()\n"
	  "net/ipv4/tcp_minisocks.c: tcp_check_req()" },
	{ TD_KB_STATE, "ESTABLISHED", NULL, TD_ESTABLISHED,
	  "the handshake is done: data flows both ways",
	  "The normal state of an open connection. Nothing in TCP itself times out an idle "
	  "ESTABLISHED connection: without keep-alives or TCP_USER_TIMEOUT it lives until a "
	  "side closes it, a RST arrives, or data sent to a dead peer exhausts the "
	  "retransmissions (net.ipv4.tcp_retries2, about 15 minutes).",
	  "Both sides, from the handshake to the first FIN or RST.",
	  "Healthy traffic, or long-lived pools and streams\n"
	  "Half-open connections: the peer rebooted or a NAT or firewall dropped its state; "
	  "this side notices only when it sends\n"
	  "Growing Send-Q: the peer or the path does not keep up\n"
	  "Growing Recv-Q: this application does not read",
	  "tcpdoctor states --by peer\n"
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain half-open\n"
	  "tcpdoctor explain tcp_keepalive_time",
	  "RFC 9293 3.3.2 (state machine), 3.8 (data communication)\n"
	  "RFC 9293 3.8.4 (keep-alives)\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_established()" },
	{ TD_KB_STATE, "FIN_WAIT1", "FW1", TD_FIN_WAIT1,
	  "this side closed first and sent FIN; waiting for it to be acknowledged",
	  "close() or shutdown(SHUT_WR) queued a FIN behind any unsent data. The state ends "
	  "when the peer acknowledges the FIN (FIN_WAIT2), sends its own FIN at the same time "
	  "(CLOSING), or both at once (TIME_WAIT). Normally it lasts one round trip.",
	  "The side that closes first (the active closer), between its close() and the peer's "
	  "ACK of the FIN.",
	  "The peer stopped reading: its receive window is zero, our data and FIN cannot "
	  "leave, and the kernel probes the window\n"
	  "The peer or the path is gone; the FIN is retransmitted until "
	  "net.ipv4.tcp_orphan_retries (orphans) or tcp_retries2 give up\n"
	  "Many of them with large Send-Q: a slow or stuck consumer on the other side",
	  "tcpdoctor conns --state fin-wait-1 -i\n"
	  "tcpdoctor states --state fin-wait-1 --by peer\n"
	  "tcpdoctor explain tcp_orphan_retries\n"
	  "tcpdoctor fsm --from FIN_WAIT1\n"
	  "tcpdoctor lab run fin-wait1",
	  "RFC 9293 3.6 (closing a connection)\n"
	  "net/ipv4/tcp.c: tcp_close(), tcp_shutdown()\n"
	  "net/ipv4/tcp_timer.c: tcp_orphan_retries()" },
	{ TD_KB_STATE, "FIN_WAIT2", "FW2", TD_FIN_WAIT2,
	  "our FIN is acknowledged; waiting for the peer to close its side",
	  "The connection is half-closed: this side will send no more data, the peer still "
	  "may. RFC 9293 lets this last forever. Linux bounds it only for orphans (sockets "
	  "the application already closed): after net.ipv4.tcp_fin_timeout (60 s) the kernel "
	  "drops them. A socket still held by the application after shutdown(SHUT_WR) waits "
	  "as long as the peer keeps the connection open.",
	  "The active closer, after the peer acknowledged its FIN. The peer is in CLOSE_WAIT "
	  "at the same time.",
	  "The peer application has not called close(): look for CLOSE_WAIT on the peer\n"
	  "A deliberate half-close (shutdown(SHUT_WR)) waiting for the rest of a response\n"
	  "The peer vanished after acknowledging our FIN",
	  "tcpdoctor conns --state fin-wait-2\n"
	  "tcpdoctor states --state fin-wait-2 --by peer\n"
	  "tcpdoctor explain tcp_fin_timeout\n"
	  "tcpdoctor explain CLOSE_WAIT",
	  "RFC 9293 3.6 (closing), 3.6.1 (half-closed connections)\n"
	  "net/ipv4/tcp.c: tcp_close() (orphan FIN_WAIT2 timer)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_fin_timeout" },
	{ TD_KB_STATE, "TIME_WAIT", "time-wait-exhaustion|TW", TD_TIME_WAIT,
	  "the connection is closed; its address pair is held for 60 s",
	  "After both FINs are exchanged, the side that closed first keeps the four-tuple so "
	  "that late segments of this connection cannot be taken for a new one, and so it can "
	  "re-send the last ACK if the peer's FIN is retransmitted. RFC 9293 asks for 2*MSL; "
	  "Linux uses a fixed 60 s (TCP_TIMEWAIT_LEN), not tunable: tcp_fin_timeout does not "
	  "change it. The kernel keeps a small timewait socket, no file descriptor, no buffers.",
	  "Only the active closer: the side whose application called close() first. The "
	  "passive closer goes through LAST_ACK straight to CLOSED.",
	  "Normal after every connection this side closes first\n"
	  "Tens of thousands: many short connections to the same destination; ephemeral "
	  "ports run out and connect() fails with EADDRNOTAVAIL\n"
	  "A server that closes first (HTTP/1.0 without keep-alive) collects them on its "
	  "listening port; harmless unless the table limit is reached",
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain ip_local_port_range\n"
	  "tcpdoctor explain tcp_tw_reuse\n"
	  "tcpdoctor explain tcp_max_tw_buckets\n"
	  "tcpdoctor lab run time-wait-exhaustion",
	  "RFC 9293 3.6.1 (TIME-WAIT lingers 2*MSL, MUST-13)\n"
	  "RFC 1337 (TIME-WAIT assassination), RFC 6191 (reuse with timestamps)\n"
	  "include/net/tcp.h: TCP_TIMEWAIT_LEN\n"
	  "net/ipv4/tcp_minisocks.c: tcp_time_wait()" },
	{ TD_KB_STATE, "CLOSE", "UNCONN", TD_CLOSE,
	  "no connection: a fresh, a failed or a finished socket (RFC CLOSED)",
	  "The kernel's TCP_CLOSE is RFC 9293's CLOSED. A socket is here before connect() or "
	  "listen(), after a RST, after a failed connect, and at the end of every close. ss "
	  "prints UNCONN. Such sockets still hold a file descriptor and, if bound, a port.",
	  "Either side: the application still holds a socket whose connection is gone or "
	  "never existed.",
	  "A socket created and bound but not yet connected or listening\n"
	  "A connection reset by the peer, and the application has not noticed yet\n"
	  "A connect() that failed; the application keeps the socket",
	  "tcpdoctor conns --state closed\n"
	  "tcpdoctor states --state closed --by process\n"
	  "tcpdoctor fsm --from CLOSED",
	  "RFC 9293 3.3.2 (state machine), 3.10.7.1 (segment arrives in CLOSED)\n"
	  "include/net/tcp_states.h" },
	{ TD_KB_STATE, "CLOSE_WAIT", "CW", TD_CLOSE_WAIT,
	  "the peer has closed; this side has not called close() yet",
	  "The peer sent FIN: read() here returns 0 (end of file). The kernel acknowledged it "
	  "and now waits for this application to close() or shutdown() its side. There is no "
	  "timeout: a socket stays in CLOSE_WAIT until the application closes it or the "
	  "process exits.",
	  "The passive closer: the side that received the first FIN. The peer sits in "
	  "FIN_WAIT2 meanwhile (until its own tcp_fin_timeout if it is an orphan).",
	  "An application bug: the code does not notice end of file, or leaks the socket on "
	  "an error path\n"
	  "A connection pool that keeps dead connections without checking them\n"
	  "A process blocked elsewhere (a deadlock, a full queue) that never gets to close()\n"
	  "Many of them with one process: a descriptor leak; accept() will later fail with "
	  "EMFILE",
	  "tcpdoctor states --state close-wait --by process\n"
	  "tcpdoctor conns --state close-wait\n"
	  "ls -l /proc/PID/fd | wc -l\n"
	  "tcpdoctor fsm --from CLOSE_WAIT",
	  "RFC 9293 3.6 (closing), 3.6.1 (half-closed connections)\n"
	  "net/ipv4/tcp_input.c: tcp_fin()" },
	{ TD_KB_STATE, "LAST_ACK", "LA", TD_LAST_ACK,
	  "both sides closed; waiting for the ACK of our FIN",
	  "The passive closer has sent its FIN after the peer's and waits for the final ACK. "
	  "When it arrives the connection is gone, without TIME_WAIT on this side. Normally it "
	  "lasts one round trip; the FIN is retransmitted if the ACK does not come.",
	  "The passive closer, after its application called close() in CLOSE_WAIT.",
	  "The peer disappeared after sending its FIN (crashed, rebooted, left the network)\n"
	  "A firewall or NAT forgot the connection and drops the last ACK\n"
	  "Many at once, to one peer: look at that peer and the path to it",
	  "tcpdoctor conns --state last-ack\n"
	  "tcpdoctor states --state last-ack --by peer\n"
	  "tcpdoctor explain tcp_orphan_retries\n"
	  "tcpdoctor lab run last-ack",
	  "RFC 9293 3.6 (closing)\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_state_process()" },
	{ TD_KB_STATE, "CLOSING", "CLSNG", TD_CLOSING,
	  "both sides sent FIN at the same time; waiting for the ACK of ours",
	  "A simultaneous close: our FIN was not yet acknowledged when the peer's FIN "
	  "arrived. Once our FIN is acknowledged both sides go to TIME_WAIT. Rare, and "
	  "normally brief.",
	  "Both sides, when their close() calls cross on the wire.",
	  "Both applications close at once (a protocol where either side may end)\n"
	  "Lasting CLOSING: the ACK of our FIN is lost, the peer vanished after its FIN",
	  "tcpdoctor conns --state closing\n"
	  "tcpdoctor fsm --paths",
	  "RFC 9293 3.6 (closing, case 3: both close at once)\n"
	  "net/ipv4/tcp_input.c: tcp_fin()" },
	{ TD_KB_STATE, "NEW_SYN_RECV", NULL, TD_NEW_SYN_RECV,
	  "the kernel's request socket: a half-open passive connection (RFC SYN-RECEIVED)",
	  "Since Linux 4.4 a SYN to a listener creates a request socket of state "
	  "TCP_NEW_SYN_RECV instead of a full socket: a few hundred bytes in the established "
	  "hash, with the SYN+ACK retransmit timer. The client's ACK turns it into a full "
	  "ESTABLISHED socket on the accept queue. sock_diag and /proc report it as SYN_RECV; "
	  "tcpdoctor counts it there too.",
	  "The server, during the handshake, never the client.",
	  "Every incoming connection passes through it\n"
	  "Many of them: see SYN_RECV (SYN flood, lost final ACKs)",
	  "tcpdoctor explain SYN_RECV\n"
	  "tcpdoctor states --state syn-recv --by lport",
	  "RFC 9293 3.5 (establishing)\n"
	  "include/net/request_sock.h\n"
	  "net/ipv4/inet_diag.c: inet_req_diag_fill()" },
	/* ---- flag combinations (RFC 9293 3.1 header; RFC 3168 for ECE/CWR) ---- */
	{ TD_KB_FLAGS, "SYN", NULL, 0,
	  "opens a connection: the first segment of a handshake",
	  "Carries the initial sequence number and the options both sides will use (MSS, "
	  "window scale, SACK permitted, timestamps). Legal only as the first segment of an "
	  "active open. A listener answers SYN+ACK, a closed port RST+ACK (RFC 9293 "
	  "3.10.7.1). A SYN inside an established connection gets a challenge ACK (RFC 5961).",
	  "Sent by the client in SYN_SENT, received by the server's listener. Unanswered, it "
	  "is retransmitted after 1 s, 2 s, 4 s...",
	  "connect()\n"
	  "A port scan (nmap -sS sends SYN and resets after the answer)\n"
	  "A SYN flood: many SYNs from spoofed sources, no final ACK",
	  "tcpdoctor states --state syn-sent --by peer\n"
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "tcpdoctor explain SYN_SENT",
	  "RFC 9293 3.1 (header), 3.5 (three-way handshake)\n"
	  "RFC 5961 4 (SYN in a synchronized state)\n"
	  "RFC 4987 (SYN flooding)" },
	{ TD_KB_FLAGS, "SYN+ACK", NULL, 0,
	  "the server's answer to a SYN: the connection is accepted",
	  "Acknowledges the client's SYN and carries the server's own sequence number and "
	  "options. The client answers ACK and its connect() returns. A SYN+ACK that matches "
	  "no SYN_SENT socket gets a RST. In a simultaneous open both sides send one.",
	  "Sent by the server from a request socket (SYN_RECV), received by the client in "
	  "SYN_SENT. Retransmitted up to tcp_synack_retries times if the final ACK does not "
	  "come.",
	  "A listener accepting a SYN (with syncookies the cookie is the sequence number)\n"
	  "Repeated SYN+ACKs: the client's final ACK is lost, or the client address was "
	  "spoofed (SYN flood)",
	  "tcpdoctor explain SYN_RECV\n"
	  "tcpdoctor explain tcp_synack_retries\n"
	  "tcpdoctor states --state syn-recv --by lport",
	  "RFC 9293 3.5 (three-way handshake)\n"
	  "net/ipv4/tcp_output.c: tcp_make_synack()" },
	{ TD_KB_FLAGS, "ACK", NULL, 0,
	  "acknowledges data, a SYN or a FIN; set on every segment after the handshake",
	  "The acknowledgment number tells the peer which bytes arrived. RFC 9293 requires ACK "
	  "on every segment once the connection is synchronized, so a bare ACK is the last "
	  "segment of the handshake, a pure acknowledgment, a window update, a keep-alive "
	  "probe, or a duplicate ACK that signals a loss. An ACK for no known connection gets "
	  "a RST.",
	  "Both sides, all the time.",
	  "Normal traffic\n"
	  "The same ACK number repeated (duplicate ACKs): a segment was lost, fast "
	  "retransmit follows\n"
	  "A lone ACK answered by RST: one side forgot the connection (half-open), or an ACK "
	  "scan (nmap -sA) maps a firewall",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain half-open",
	  "RFC 9293 3.4 (sequence numbers), 3.10.7.4 (ACK processing)\n"
	  "RFC 5681 3.2 (duplicate ACKs, fast retransmit)" },
	{ TD_KB_FLAGS, "PSH+ACK", NULL, 0,
	  "data the receiver should hand to the application without waiting",
	  "PSH marks the end of a write: the sender had nothing more queued. Linux sets it on "
	  "the last segment of a send and ignores it on receipt, because data is always "
	  "delivered at once. PSH+ACK is simply the most common data segment. PSH without "
	  "ACK is not legal after the handshake.",
	  "Both sides, whenever data is sent.",
	  "A send() or write() that emptied the send queue\n"
	  "Bulk transfers set PSH only on some segments; that is normal",
	  "tcpdoctor conns -i",
	  "RFC 9293 3.1 (header), 3.9.1 (SEND call, PUSH)\n"
	  "net/ipv4/tcp.c: tcp_push()" },
	{ TD_KB_FLAGS, "FIN+ACK", "FIN+PSH+ACK", 0,
	  "this side has finished sending: an orderly close of one direction",
	  "FIN takes one sequence number and says: no more data from me. The other direction "
	  "stays open until the peer sends its own FIN (a half-close). The receiver "
	  "acknowledges it and its read() returns 0. FIN+PSH+ACK is the same with the last "
	  "data in the segment. Every legal FIN carries ACK.",
	  "First from the active closer (entering FIN_WAIT1), then from the passive closer "
	  "when its application closes too (CLOSE_WAIT to LAST_ACK).",
	  "close() or shutdown(SHUT_WR)\n"
	  "A process exiting: the kernel closes its sockets\n"
	  "The peer's FIN never followed by ours: this application leaves sockets in "
	  "CLOSE_WAIT",
	  "tcpdoctor explain CLOSE_WAIT\n"
	  "tcpdoctor explain FIN_WAIT2\n"
	  "tcpdoctor fsm --paths",
	  "RFC 9293 3.6 (closing a connection)\n"
	  "net/ipv4/tcp_output.c: tcp_send_fin()" },
	{ TD_KB_FLAGS, "FIN", NULL, 0,
	  "a FIN without ACK: no real stack sends it; a FIN scan",
	  "After the handshake RFC 9293 requires the ACK bit on every segment, so a FIN alone "
	  "never belongs to a connection. Scanners send it (nmap -sF) to get past filters "
	  "that block only SYNs: a closed port answers RST+ACK, a listener silently drops a "
	  "segment with neither SYN, RST nor ACK, so silence means open or filtered. Linux "
	  "follows the RFC here.",
	  "A scanned host, and firewall or IDS logs; never a normal client or server.",
	  "A FIN scan (nmap -sF)\n"
	  "Crafted or corrupted packets",
	  "tcpdoctor explain NULL\n"
	  "tcpdoctor explain XMAS\n"
	  "tcpdump -ni any 'tcp[tcpflags] & (tcp-fin|tcp-ack) == tcp-fin'",
	  "RFC 9293 3.10.7.1 (CLOSED: answer RST), 3.10.7.2 (LISTEN: drop)\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_state_process()" },
	{ TD_KB_FLAGS, "RST", NULL, 0,
	  "abort: the connection is reset, not closed",
	  "RST tells the peer to drop the connection at once; unsent and unread data are lost. "
	  "It is never acknowledged. It is accepted only if its sequence number is the one "
	  "expected; an in-window but inexact one gets a challenge ACK (RFC 5961). A RST "
	  "without ACK answers a segment that carried ACK; the answer to a segment without "
	  "ACK (a SYN) is RST+ACK.",
	  "Sent by either side or by a middlebox. The receiver's pending and next calls fail: "
	  "ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, ECONNRESET otherwise.",
	  "A segment for a connection the host does not know: it rebooted, the process died, "
	  "the socket was closed\n"
	  "close() with unread data, or SO_LINGER with a zero timeout\n"
	  "A firewall, load balancer or NAT killing an idle or unwanted connection\n"
	  "A full accept queue with tcp_abort_on_overflow=1",
	  "tcpdoctor explain ECONNRESET\n"
	  "tcpdoctor explain SO_LINGER\n"
	  "nstat -az TcpOutRsts TcpExtTCPAbortOnData TcpExtTCPAbortOnClose\n"
	  "tcpdoctor lab run reset",
	  "RFC 9293 3.5.2 (reset generation), 3.5.3 (reset processing)\n"
	  "RFC 5961 3 (blind reset attacks)\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_send_reset()" },
	{ TD_KB_FLAGS, "RST+ACK", NULL, 0,
	  "a reset that also acknowledges: the answer to a SYN on a closed port",
	  "Same effect as RST. A closed port answers a SYN, or any segment without ACK, with "
	  "RST+ACK so that the client can match it to its SYN: connect() fails with "
	  "ECONNREFUSED. Linux also sets ACK on the resets it sends to abort its own "
	  "connections (SO_LINGER 0, close() with unread data, too many orphans).",
	  "The client right after its SYN when nobody listens, or either side of an open "
	  "connection that is aborted.",
	  "No listener on the port (service down or restarting), or a firewall REJECT "
	  "--reject-with tcp-reset\n"
	  "An application abort: SO_LINGER 0, close() with unread received data\n"
	  "The kernel killing orphans (tcp_max_orphans, memory pressure)",
	  "tcpdoctor explain ECONNREFUSED\n"
	  "tcpdoctor who :PORT\n"
	  "tcpdoctor explain SO_LINGER",
	  "RFC 9293 3.5.2 (reset generation), 3.10.7.1 (CLOSED state)\n"
	  "net/ipv4/tcp.c: tcp_close()\n"
	  "net/ipv4/tcp_output.c: tcp_send_active_reset()" },
	{ TD_KB_FLAGS, "URG", "URG+ACK|URG+PSH+ACK", 0,
	  "urgent pointer set: out-of-band data (almost unused)",
	  "URG says the urgent pointer is valid: some data in the stream is urgent (telnet "
	  "interrupt, FTP abort). Linux hands one byte of it out of band (MSG_OOB) unless "
	  "SO_OOBINLINE is set. RFC 6093 tells new applications not to use it. Legal with "
	  "ACK; URG with FIN and PSH and no ACK is an XMAS scan.",
	  "Both sides of old interactive protocols; otherwise scanners and IDS logs.",
	  "telnet or rlogin interrupt, FTP ABOR\n"
	  "Part of an XMAS scan when seen with FIN and PSH",
	  "tcpdoctor explain XMAS",
	  "RFC 9293 3.8.5 (urgent information)\n"
	  "RFC 6093 (the urgent mechanism)\n"
	  "man 7 tcp (MSG_OOB, SO_OOBINLINE)" },
	{ TD_KB_FLAGS, "ECE", "ECE+ACK", 0,
	  "ECN echo: the receiver saw congestion marks and tells the sender",
	  "With ECN negotiated, routers mark packets (CE in the IP header) instead of dropping "
	  "them; the receiver sets ECE on its ACKs until the sender answers with CWR. The "
	  "sender then slows down as for a loss, without losing anything. ECE+ACK inside a "
	  "connection is legal; on a SYN or SYN+ACK it is the ECN negotiation.",
	  "The data receiver sets it, the data sender reacts; only on connections that "
	  "negotiated ECN (net.ipv4.tcp_ecn).",
	  "Congestion on a path with ECN-marking queues (fq_codel, L4S)\n"
	  "A middlebox that sets or keeps ECE on its own (rare today)",
	  "tcpdoctor conns -i\n"
	  "sysctl net.ipv4.tcp_ecn\n"
	  "tcpdoctor explain SYN+ECE+CWR",
	  "RFC 3168 6.1 (ECN in TCP)\n"
	  "net/ipv4/tcp_input.c: tcp_ecn_rcv_ecn_echo()" },
	{ TD_KB_FLAGS, "CWR", "CWR+ACK|ECE+CWR+ACK", 0,
	  "congestion window reduced: the sender answered an ECE",
	  "Sent by the data sender after it reduced its congestion window in reaction to ECE, "
	  "so the receiver can stop echoing. CWR with ACK is legal on an ECN connection; CWR "
	  "with ECE on a SYN asks for ECN.",
	  "The data sender sets it; the receiver stops setting ECE when it sees it.",
	  "A reaction to ECN congestion marks on the path",
	  "tcpdoctor explain ECE\n"
	  "sysctl net.ipv4.tcp_ecn",
	  "RFC 3168 6.1.2 (the sender's reaction, CWR)\n"
	  "net/ipv4/tcp_output.c: tcp_ecn_send()" },
	{ TD_KB_FLAGS, "SYN+ECE+CWR", "SYN+ACK+ECE", 0,
	  "an ECN-setup SYN: the client asks to use ECN",
	  "A SYN with ECE and CWR asks the server to use Explicit Congestion Notification. A "
	  "server willing to answers SYN+ACK+ECE (no CWR); any other SYN+ACK means no ECN. "
	  "Linux asks only with net.ipv4.tcp_ecn=1 and by default (tcp_ecn=2) agrees when "
	  "asked.",
	  "The server's listener; then the client, in the SYN+ACK with or without ECE.",
	  "A client with tcp_ecn=1 or a route with the ecn feature (macOS and iOS ask by "
	  "default)\n"
	  "ECN-setup SYNs unanswered while plain SYNs work: a middlebox drops them; Linux "
	  "retries without ECN (tcp_ecn_fallback)",
	  "sysctl net.ipv4.tcp_ecn net.ipv4.tcp_ecn_fallback\n"
	  "tcpdoctor explain ECE",
	  "RFC 3168 6.1.1 (ECN-setup SYN and SYN-ACK)\n"
	  "net/ipv4/tcp_output.c: tcp_ecn_send_syn()" },
	{ TD_KB_FLAGS, "SYN+FIN", NULL, 0,
	  "SYN and FIN together: illegal; a scan or IDS evasion",
	  "Opening and closing in one segment means nothing in TCP. Old stacks answered it "
	  "like a SYN, so scanners used it to reach ports past filters that matched only a "
	  "pure SYN. Linux discards a SYN with FIN on a listener, answers RST from a closed "
	  "port, and netfilter conntrack marks it INVALID.",
	  "Scanned hosts; firewall and IDS logs.",
	  "A port scanner or evasion tool (SYN+FIN scan)\n"
	  "Crafted test traffic; no legitimate stack sends it",
	  "tcpdump -ni any 'tcp[tcpflags] & (tcp-syn|tcp-fin) == (tcp-syn|tcp-fin)'\n"
	  "tcpdoctor explain NULL",
	  "RFC 9293 3.10.7.2 (LISTEN state)\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_state_process() (LISTEN drops SYN+FIN)\n"
	  "net/netfilter/nf_conntrack_proto_tcp.c: tcp_valid_flags" },
	{ TD_KB_FLAGS, "SYN+RST", NULL, 0,
	  "SYN and RST together: contradictory; crafted traffic",
	  "A segment cannot both open and abort. RFC 9293 checks RST before SYN, so a "
	  "listener discards it, a closed port stays silent (a RST is never answered) and in "
	  "a connection it acts as a RST if its sequence number fits. Netfilter conntrack "
	  "marks it INVALID.",
	  "Scanned hosts; firewall and IDS logs.",
	  "Crafted packets from fuzzers, scanners or evasion tests\n"
	  "Broken middleboxes (very rare)",
	  "tcpdump -ni any 'tcp[tcpflags] & (tcp-syn|tcp-rst) == (tcp-syn|tcp-rst)'\n"
	  "tcpdoctor explain RST",
	  "RFC 9293 3.5.3 (reset processing), 3.10.7.2 (LISTEN: RST checked first)\n"
	  "net/netfilter/nf_conntrack_proto_tcp.c: tcp_valid_flags" },
	{ TD_KB_FLAGS, "NULL", NULL, 0,
	  "no flag at all: a NULL scan",
	  "A TCP segment with no flag belongs to no phase of a connection: even data needs "
	  "ACK after the handshake. Scanners (nmap -sN) use it to probe past stateless "
	  "filters: a closed port answers RST+ACK, a listener drops it, so silence means "
	  "open or filtered. Linux follows the RFC; conntrack marks it INVALID.",
	  "Scanned hosts; firewall and IDS logs.",
	  "A NULL scan (nmap -sN)\n"
	  "Corrupted or crafted packets",
	  "tcpdump -ni any 'tcp[tcpflags] == 0'\n"
	  "tcpdoctor explain XMAS",
	  "RFC 9293 3.10.7.1 (CLOSED: answer RST), 3.10.7.2 (LISTEN: drop)\n"
	  "nmap(1): -sN, -sF, -sX" },
	{ TD_KB_FLAGS, "XMAS", "CHRISTMAS", 0,
	  "FIN+PSH+URG without ACK: a Christmas-tree scan",
	  "Lit up like a tree: FIN, PSH and URG and no ACK. No stack sends it in a "
	  "connection. nmap -sX uses it like the NULL and FIN scans: RST+ACK from a closed "
	  "port, silence from an open or filtered one. Stacks that answer RST on every port "
	  "(Windows) give themselves away.",
	  "Scanned hosts; firewall and IDS logs.",
	  "An XMAS scan (nmap -sX)\n"
	  "Some tools call every flag at once 'xmas'; just as illegal",
	  "tcpdump -ni any 'tcp[tcpflags] & (tcp-fin|tcp-push|tcp-urg) != 0'\n"
	  "tcpdoctor explain NULL",
	  "RFC 9293 3.10.7.1 (CLOSED), 3.10.7.2 (LISTEN)\n"
	  "nmap(1): -sX" },
	/* ---- errno values (numbers from this platform's <errno.h>) ---- */
	{ TD_KB_ERRNO, "EINPROGRESS", "connect-in-progress", EINPROGRESS,
	  "a non-blocking connect() has started; the result comes later",
	  "Not an error: the SYN is on its way. Wait until the socket is writable (poll, "
	  "epoll), then read the outcome with getsockopt(SO_ERROR): 0 means connected. A "
	  "blocking connect() also returns it when SO_SNDTIMEO expires before the handshake "
	  "ends; the attempt goes on in the background.",
	  "The client, right after connect() on a non-blocking socket.",
	  "Normal for event loops and async libraries\n"
	  "With SO_SNDTIMEO: the peer is slow or does not answer",
	  "tcpdoctor conns --state syn-sent\n"
	  "tcpdoctor explain SYN_SENT\n"
	  "tcpdoctor lab run connect-in-progress",
	  "man 2 connect (EINPROGRESS)\n"
	  "net/ipv4/af_inet.c: __inet_stream_connect()" },
	{ TD_KB_ERRNO, "EALREADY", NULL, EALREADY,
	  "connect() again while the first attempt is still in progress",
	  "A second connect() on a non-blocking socket whose SYN is still unanswered. The "
	  "first attempt goes on; do not call connect() in a loop, wait for writability "
	  "instead.",
	  "The client, in SYN_SENT.",
	  "An event loop that retries connect() instead of polling\n"
	  "connect() restarted after EINTR",
	  "tcpdoctor conns --state syn-sent\n"
	  "tcpdoctor explain EINPROGRESS",
	  "man 2 connect (EALREADY)\n"
	  "net/ipv4/af_inet.c: __inet_stream_connect()" },
	{ TD_KB_ERRNO, "ECONNREFUSED", "refused", ECONNREFUSED,
	  "connection refused: the peer answered the SYN with a reset",
	  "A RST arrived in SYN_SENT: nothing listens on that address and port, or a firewall "
	  "rejects with a reset or with ICMP port unreachable. It comes back in one round "
	  "trip, unlike a timeout. A full accept queue does not refuse: it drops, and the "
	  "client retries.",
	  "The client, from connect() (or SO_ERROR after a non-blocking one).",
	  "The service is down, restarting, or listens on another port or address (127.0.0.1 "
	  "instead of 0.0.0.0, IPv4 only for an IPv6 client)\n"
	  "A firewall REJECT (tcp-reset or icmp-port-unreachable)\n"
	  "A container or namespace: the port is open elsewhere, not here",
	  "tcpdoctor who :PORT\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain RST+ACK\n"
	  "tcpdoctor lab run refused",
	  "RFC 9293 3.10.7.1 (closed port answers RST), 3.10.7.3 (RST in SYN-SENT)\n"
	  "net/ipv4/tcp_input.c: tcp_reset()" },
	{ TD_KB_ERRNO, "ETIMEDOUT", "connect-timeout", ETIMEDOUT,
	  "the peer stopped answering: retransmissions or probes ran out",
	  "In connect(): no answer to any SYN within tcp_syn_retries (6: about 127 s). On a "
	  "connection: data was retransmitted tcp_retries2 times (15: about 15 minutes), "
	  "keep-alive probes went unanswered, or TCP_USER_TIMEOUT expired. If an ICMP error "
	  "arrived meanwhile, that error (EHOSTUNREACH...) is reported instead.",
	  "The side that was sending or probing, when its timer gives up.",
	  "The peer host is down or unreachable and nothing sends back an error\n"
	  "A firewall silently dropping (DROP rule, security group)\n"
	  "A NAT or load balancer forgot the connection and drops its packets\n"
	  "Path MTU black hole: small packets pass, full-size ones vanish",
	  "tcpdoctor conns --state syn-sent\n"
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain tcp_retries2\n"
	  "tcpdoctor explain TCP_USER_TIMEOUT\n"
	  "tcpdoctor lab run connect-timeout",
	  "RFC 9293 3.8.3 (connection failures), 3.10.8 (timeouts)\n"
	  "net/ipv4/tcp_timer.c: tcp_write_timeout(), tcp_write_err()" },
	{ TD_KB_ERRNO, "ENOTCONN", NULL, ENOTCONN,
	  "the socket is not connected",
	  "The call needs a connection and there is none: send() or recv() before connect() "
	  "finished or after it failed, getpeername() or shutdown() on a socket whose "
	  "connection was reset or never made.",
	  "Either side, on a socket in CLOSE (or still SYN_SENT).",
	  "shutdown() or getpeername() after the peer reset the connection\n"
	  "Using a socket whose non-blocking connect() has not completed or failed\n"
	  "A logic error: the wrong file descriptor",
	  "tcpdoctor conns --state closed\n"
	  "tcpdoctor explain ECONNRESET",
	  "man 2 shutdown, man 2 getpeername (ENOTCONN)\n"
	  "net/ipv4/af_inet.c: inet_shutdown()" },
	{ TD_KB_ERRNO, "EISCONN", NULL, EISCONN,
	  "connect() on a socket that is already connected",
	  "The socket already has a connection. In a non-blocking connect loop, EISCONN from "
	  "a repeated connect() means the earlier attempt succeeded.",
	  "The client, on a second connect().",
	  "Reusing a connected socket for a new destination (make a new socket instead)\n"
	  "A connect() retry loop, where it means success",
	  "tcpdoctor explain EALREADY",
	  "man 2 connect (EISCONN)\n"
	  "net/ipv4/af_inet.c: __inet_stream_connect()" },
	{ TD_KB_ERRNO, "ECONNRESET", NULL, ECONNRESET,
	  "connection reset by peer: a RST arrived on an open connection",
	  "The peer (or a box in between) sent a RST: the connection is gone and data not yet "
	  "read or acknowledged is lost. The next read or write fails with it; writes after "
	  "that get EPIPE. A RST in CLOSE_WAIT is reported as EPIPE instead, and one in "
	  "SYN_SENT as ECONNREFUSED.",
	  "The side that receives the RST, on its next call on that socket.",
	  "The peer closed with unread data in its buffer, or with SO_LINGER 0\n"
	  "The peer process crashed or its host rebooted; our next segment drew a RST\n"
	  "A load balancer, firewall or NAT timed out an idle connection\n"
	  "The peer's accept queue overflowed with tcp_abort_on_overflow=1\n"
	  "Reusing a pooled connection the server already closed",
	  "tcpdoctor explain RST\n"
	  "tcpdoctor conns --state close-wait\n"
	  "nstat -az TcpEstabResets TcpExtTCPAbortOnData\n"
	  "tcpdoctor explain tcp_keepalive_time",
	  "RFC 9293 3.5.3 (reset processing), 3.6.1 (close with data pending, SHLD-2)\n"
	  "net/ipv4/tcp_input.c: tcp_reset()" },
	{ TD_KB_ERRNO, "EPIPE", "server-terminated-prematurely", EPIPE,
	  "broken pipe: writing to a connection whose sending side is closed",
	  "A write after this side's shutdown(SHUT_WR) or close, after the peer reset the "
	  "connection (the first write after a RST gets ECONNRESET, later ones EPIPE), or on "
	  "a socket that never connected. The process also gets SIGPIPE, which kills it by "
	  "default: use MSG_NOSIGNAL or ignore SIGPIPE.",
	  "The writing side, on send() or write().",
	  "Writing a response after the client went away\n"
	  "A RST arrived while the socket was in CLOSE_WAIT\n"
	  "Writing after shutdown(SHUT_WR)",
	  "tcpdoctor explain ECONNRESET\n"
	  "tcpdoctor states --state close-wait --by process\n"
	  "tcpdoctor lab run server-terminated-prematurely",
	  "man 2 send (EPIPE, MSG_NOSIGNAL)\n"
	  "net/core/stream.c: sk_stream_error()\n"
	  "net/ipv4/tcp_input.c: tcp_reset() (EPIPE in CLOSE_WAIT)" },
	{ TD_KB_ERRNO, "ECONNABORTED", NULL, ECONNABORTED,
	  "connection aborted by this host's own stack",
	  "On Linux a TCP socket gets it when it is destroyed from outside: ss -K or any "
	  "SOCK_DESTROY request (tcp_abort()). On BSD and macOS, accept() returns it for a "
	  "connection reset while it waited in the accept queue; Linux hands that "
	  "connection out and the first read fails instead. Servers should retry accept() "
	  "on it.",
	  "The local application, on its next call on that socket, or from accept().",
	  "An administrator or tool killed the socket (ss -K)\n"
	  "Portable code: a client gave up before the server accepted",
	  "tcpdoctor conns --state closed\n"
	  "tcpdoctor explain ECONNRESET",
	  "man 2 accept (ECONNABORTED)\n"
	  "net/ipv4/tcp.c: tcp_abort()" },
	{ TD_KB_ERRNO, "ENETRESET", NULL, ENETRESET,
	  "connection reset by the network: rare for TCP on Linux",
	  "POSIX and BSD use it when keep-alive probing found the connection broken, and "
	  "Windows (WSAENETRESET) likewise. Linux TCP reports a failed keep-alive as "
	  "ETIMEDOUT instead, so on Linux it comes from other protocols or from libraries "
	  "that translate errors.",
	  "A client or server built for BSD or Windows semantics, or a non-TCP socket.",
	  "Keep-alive failure on BSD or Windows\n"
	  "Library or proxy error translation",
	  "tcpdoctor explain ETIMEDOUT\n"
	  "tcpdoctor explain tcp_keepalive_time",
	  "POSIX errno.h (ENETRESET)\n"
	  "RFC 9293 3.8.4 (keep-alives)" },
	{ TD_KB_ERRNO, "ENETUNREACH", NULL, ENETUNREACH,
	  "network unreachable: no route to the destination network",
	  "The routing table has no route for the address, so connect() fails at once without "
	  "sending anything; or a router answered ICMP network unreachable during the "
	  "handshake. After the handshake such ICMP errors are only soft: the connection "
	  "retries and reports the error when it times out.",
	  "The client, from connect().",
	  "No default route (often IPv6 on a host with IPv4 only: a dual-stack client tries "
	  "the AAAA address)\n"
	  "A VPN or interface that went down took its routes with it\n"
	  "A TCP connect() to a broadcast or multicast address",
	  "ip route get ADDRESS\n"
	  "tcpdoctor conns --state syn-sent",
	  "net/ipv4/route.c: ip_route_output_key_hash()\n"
	  "net/ipv4/icmp.c: icmp_err_convert[]" },
	{ TD_KB_ERRNO, "ENETDOWN", NULL, ENETDOWN,
	  "network is down: the interface to use is down",
	  "The output device is not up. TCP sees it rarely: routes through a device that goes "
	  "down usually disappear, giving ENETUNREACH. It appears with sockets bound to a "
	  "device (SO_BINDTODEVICE, VRF) and with UDP and packet sockets.",
	  "The sending side, from connect() or send().",
	  "An interface or VPN tunnel went down\n"
	  "A socket bound to a device that is down",
	  "ip -br link\n"
	  "ip route get ADDRESS",
	  "net/core/dev.c: __dev_queue_xmit()\n"
	  "man 7 socket (SO_BINDTODEVICE)" },
	{ TD_KB_ERRNO, "EHOSTUNREACH", NULL, EHOSTUNREACH,
	  "no route to host: the next hop or the host cannot be reached",
	  "The neighbour (ARP or ND) of the next hop never answered (about 3 s), a router sent "
	  "ICMP host unreachable or administratively prohibited, or the route is of type "
	  "unreachable. During the handshake connect() fails at once; later it is kept as a "
	  "soft error and reported when the connection times out.",
	  "The client from connect(); on a connection, the side whose retransmissions time "
	  "out.",
	  "The host is off or not on that LAN (no ARP answer)\n"
	  "A firewall REJECT --reject-with icmp-host-prohibited or icmp-admin-prohibited\n"
	  "An 'ip route add unreachable' route",
	  "ip neigh show\n"
	  "ip route get ADDRESS\n"
	  "tcpdoctor conns --state syn-sent",
	  "net/ipv4/icmp.c: icmp_err_convert[]\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_err()" },
	{ TD_KB_ERRNO, "EHOSTDOWN", NULL, EHOSTDOWN,
	  "host is down: an ICMP host-unknown answer",
	  "Linux maps ICMP destination unreachable code 7 (destination host unknown) to it, "
	  "and fails the handshake with it. Rare: routers seldom send that code.",
	  "The client, from connect().",
	  "A router that knows the destination host does not exist",
	  "ip route get ADDRESS\n"
	  "tcpdoctor explain EHOSTUNREACH",
	  "RFC 1122 3.2.2.1 (unreachable codes)\n"
	  "net/ipv4/icmp.c: icmp_err_convert[]" },
	{ TD_KB_ERRNO, "EADDRNOTAVAIL", NULL, EADDRNOTAVAIL,
	  "cannot assign requested address: no free local port or no such local address",
	  "From connect(): every ephemeral port in ip_local_port_range is in use for that "
	  "destination address and port, typically by TIME_WAIT sockets. From bind(): the "
	  "address is not configured on this host (or an IPv6 address is still tentative).",
	  "The client, from connect(); any side, from bind().",
	  "Port exhaustion: many short connections to one destination (proxies, no pooling), "
	  "each leaving a TIME_WAIT\n"
	  "bind() to an address of another host or a removed interface; ip_nonlocal_bind or "
	  "IP_FREEBIND allow it",
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain ip_local_port_range\n"
	  "tcpdoctor explain tcp_tw_reuse",
	  "net/ipv4/inet_hashtables.c: __inet_hash_connect()\n"
	  "man 2 bind, man 7 ip (ip_local_port_range)" },
	{ TD_KB_ERRNO, "EADDRINUSE", NULL, EADDRINUSE,
	  "address already in use: another socket holds this address and port",
	  "bind() or listen() found the port taken: another listener, a socket bound to it, "
	  "or connections still in TIME_WAIT on it when the new socket lacks SO_REUSEADDR.",
	  "The server at start-up, from bind() or listen(); a client that binds a fixed port.",
	  "A second instance of the service, or the old one still running\n"
	  "A restarted server without SO_REUSEADDR while old connections are in TIME_WAIT\n"
	  "Another program using the port",
	  "tcpdoctor who :PORT\n"
	  "tcpdoctor explain SO_REUSEADDR",
	  "man 2 bind (EADDRINUSE)\n"
	  "net/ipv4/inet_connection_sock.c: inet_csk_get_port()" },
	{ TD_KB_ERRNO, "EMSGSIZE", NULL, EMSGSIZE,
	  "message too long: the datagram does not fit",
	  "TCP is a stream and cuts data into segments, so it does not return it for normal "
	  "sends. It is the errno of ICMP fragmentation needed, which TCP uses for path MTU "
	  "discovery instead of reporting it; UDP and raw sockets get it for datagrams "
	  "larger than the path MTU with DF set.",
	  "UDP and raw senders; for TCP, only indirectly through PMTU discovery.",
	  "A datagram larger than the MTU with don't-fragment set\n"
	  "For TCP: ICMP blocked on the path turns it into a PMTU black hole (hangs on large "
	  "transfers)",
	  "ip route get ADDRESS\n"
	  "tcpdoctor explain tcp_mtu_probing",
	  "RFC 9293 3.7.2 (path MTU discovery)\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_mtu_reduced()" },
	{ TD_KB_ERRNO, "EDESTADDRREQ", NULL, EDESTADDRREQ,
	  "destination address required: a send with nowhere to go",
	  "A datagram socket that is not connected was asked to send without an address. "
	  "Linux TCP does not return it: send() on a TCP socket that never connected fails "
	  "with EPIPE (and SIGPIPE). Seen from TCP code, it usually means a library that "
	  "treats stream and datagram sockets alike.",
	  "The sender, usually on a UDP or raw socket.",
	  "send() instead of sendto() on an unconnected datagram socket\n"
	  "A socket type mix-up in a library",
	  "tcpdoctor explain EPIPE",
	  "man 2 send (EDESTADDRREQ)\n"
	  "net/core/stream.c: sk_stream_wait_connect() (EPIPE for TCP)" },
	{ TD_KB_ERRNO, "ENOBUFS", NULL, ENOBUFS,
	  "no buffer space available",
	  "The kernel could not queue the data or request. TCP rarely returns it to "
	  "applications (local queue drops act like losses). It is common with netlink "
	  "(a dump or event socket overran its receive buffer) and with UDP when a device "
	  "queue is full. On Windows, WSAENOBUFS from connect() means ephemeral ports ran "
	  "out.",
	  "The sender, or a netlink listener.",
	  "A netlink monitor that reads too slowly\n"
	  "Very high send rates through a full qdisc\n"
	  "Memory pressure",
	  "nstat -az TcpExtTCPMemoryPressures\n"
	  "cat /proc/net/sockstat",
	  "man 7 netlink (ENOBUFS)\n"
	  "man 2 send (ENOBUFS)" },
	{ TD_KB_ERRNO, "EAGAIN", "EWOULDBLOCK", EAGAIN,
	  "try again: a non-blocking call would block, or a socket timeout expired",
	  "recv() with no data, send() with a full send buffer, accept() with an empty accept "
	  "queue, on a non-blocking socket. A blocking socket returns it when SO_RCVTIMEO or "
	  "SO_SNDTIMEO expires. EWOULDBLOCK is the same number on Linux.",
	  "Either side, in event loops; or any side with socket timeouts.",
	  "Normal in non-blocking code: wait for readiness, then retry\n"
	  "With timeouts: the peer is slow or silent\n"
	  "Lasting EAGAIN on send(): the peer does not read (Send-Q full)",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain tcp_wmem",
	  "man 7 socket (SO_RCVTIMEO, SO_SNDTIMEO)\n"
	  "man 2 recv, man 2 send (EAGAIN)" },
	{ TD_KB_ERRNO, "EINTR", NULL, EINTR,
	  "interrupted by a signal before anything happened",
	  "A blocking call was interrupted by a signal handler. Retry it, except connect(): "
	  "the handshake goes on in the background, so poll for writability and read "
	  "SO_ERROR rather than calling connect() again (EALREADY). Calls with a socket "
	  "timeout are never restarted automatically.",
	  "Either side, in a process that handles signals.",
	  "A signal handler without SA_RESTART\n"
	  "Timers (SIGALRM), child exits (SIGCHLD), debuggers",
	  "tcpdoctor explain EALREADY",
	  "man 7 signal (interruption of system calls)\n"
	  "man 2 connect (EINTR)" },
	{ TD_KB_ERRNO, "ESHUTDOWN", NULL, ESHUTDOWN,
	  "cannot send after transport endpoint shutdown: not from Linux TCP",
	  "The name says: a send after the sending direction was shut down. Linux TCP returns "
	  "EPIPE (and SIGPIPE) in that case; ESHUTDOWN comes from other protocols and "
	  "drivers, or from libraries that translate errors.",
	  "A sender, usually on a non-TCP socket.",
	  "Writing after shutdown(SHUT_WR) on a protocol that uses it\n"
	  "Error translation in a library or runtime",
	  "tcpdoctor explain EPIPE",
	  "man 2 shutdown\n"
	  "net/core/stream.c: sk_stream_error() (EPIPE for TCP)" },
	{ TD_KB_ERRNO, "EMFILE", NULL, EMFILE,
	  "too many open files in this process: accept() and socket() fail",
	  "The process reached RLIMIT_NOFILE. Sockets count as files, so a listener cannot "
	  "accept() and connections pile up in its accept queue, then overflow it. Often the "
	  "consequence of a socket leak (CLOSE_WAIT).",
	  "A server from accept(), a client from socket().",
	  "A descriptor leak: sockets in CLOSE_WAIT never closed\n"
	  "A limit too low for the load (ulimit -n, LimitNOFILE= in systemd)",
	  "tcpdoctor states --state close-wait --by process\n"
	  "ls /proc/PID/fd | wc -l\n"
	  "grep 'open files' /proc/PID/limits",
	  "man 2 accept (EMFILE)\n"
	  "man 2 getrlimit (RLIMIT_NOFILE)" },
	{ TD_KB_ERRNO, "ENFILE", NULL, ENFILE,
	  "too many open files on the whole system",
	  "The system-wide limit fs.file-max was reached: every process fails to open files "
	  "and sockets.",
	  "Every process on the host.",
	  "A leak in some process, or a limit set too low",
	  "cat /proc/sys/fs/file-nr\n"
	  "tcpdoctor states --by process",
	  "man 5 proc (file-max, file-nr)" },
	{ TD_KB_ERRNO, "EACCES", NULL, EACCES,
	  "permission denied: a privileged port, or a 'prohibit' route",
	  "bind() to a port below net.ipv4.ip_unprivileged_port_start (1024) without "
	  "CAP_NET_BIND_SERVICE; connect() over a route of type prohibit; an LSM (SELinux, "
	  "AppArmor) or a cgroup BPF program refusing the call.",
	  "A server binding its port; a client connecting.",
	  "A service started without the capability for port 80 or 443\n"
	  "'ip route add prohibit' rules\n"
	  "Security policy",
	  "sysctl net.ipv4.ip_unprivileged_port_start\n"
	  "ip route get ADDRESS",
	  "man 7 ip (ip_unprivileged_port_start)\n"
	  "net/ipv4/fib_semantics.c: fib_props[]" },
	{ TD_KB_ERRNO, "EPERM", NULL, EPERM,
	  "operation not permitted: a capability or a filter refused",
	  "The caller lacks a capability (raw sockets, SO_BINDTODEVICE on old kernels, "
	  "changing sysctls), or a cgroup BPF hook or netfilter refused the packet. UDP and "
	  "raw senders see EPERM when an OUTPUT rule drops their packet; TCP retransmits "
	  "instead and eventually times out.",
	  "The local application.",
	  "A tool run without root or CAP_NET_ADMIN / CAP_NET_RAW\n"
	  "A local firewall OUTPUT rule or cgroup connect hook",
	  "iptables -S OUTPUT; nft list ruleset\n"
	  "tcpdoctor explain ETIMEDOUT",
	  "man 7 capabilities\n"
	  "man 2 connect (EPERM)" },
	{ TD_KB_ERRNO, "EBADF", NULL, EBADF,
	  "bad file descriptor: the fd is not open (or not open for this)",
	  "The number passed to a socket call is not an open descriptor of this process, "
	  "or it was opened without the access the call needs. For sockets it nearly always "
	  "means the program used a descriptor after closing it.",
	  "The application, at the failing call. Nothing went over the network.",
	  "A double close(): a second thread or a library closed the fd first\n"
	  "The fd number was reused by a new file after close(), and old code writes to it\n"
	  "An fd passed between processes that was never received",
	  "strace -f -e trace=desc -p PID\n"
	  "ls -l /proc/PID/fd\n"
	  "tcpdoctor conns --pid PID",
	  "man 2 close (dealing with error returns)\n"
	  "man 7 socket" },
	{ TD_KB_ERRNO, "EFAULT", NULL, EFAULT,
	  "bad address: a buffer pointer passed to the kernel is invalid",
	  "A pointer given to send(), recv(), connect() or getsockopt() points outside the "
	  "process's memory. It is a program bug, not a network problem.",
	  "The application, at the failing call.",
	  "A freed or uninitialised buffer\n"
	  "A wrong length with a short buffer (optlen, addrlen)",
	  "strace -f -p PID\n"
	  "valgrind or AddressSanitizer on the program",
	  "man 2 recv, man 2 getsockopt" },
	{ TD_KB_ERRNO, "EINVAL", NULL, EINVAL,
	  "invalid argument: the call makes no sense for this socket or these values",
	  "The kernel refused the arguments: listen() on an unbound or connected socket, "
	  "bind() of a socket already bound, a sockaddr of the wrong length, a setsockopt() "
	  "value out of range, connect() through a route the kernel cannot use.",
	  "The application, at the failing call. The lab's unreachable scenario shows it from "
	  "connect() over a local route that cannot carry the packet.",
	  "bind() called twice, or after connect()\n"
	  "An IPv6 address in an AF_INET socket, or the wrong addrlen\n"
	  "A socket option value out of range (SO_RCVBUF is not, it is capped)",
	  "strace -f -e trace=network -p PID\n"
	  "tcpdoctor lab run unreachable\n"
	  "ip route get ADDRESS",
	  "man 2 bind, man 2 listen, man 7 tcp" },
	{ TD_KB_ERRNO, "ENOMEM", NULL, ENOMEM,
	  "cannot allocate memory: the kernel could not get memory for a socket or buffer",
	  "A socket, a request socket or a buffer could not be allocated. For TCP the "
	  "pressure limits of net.ipv4.tcp_mem also count: above them, sends fail or "
	  "sockets are aborted (TcpExt.TCPAbortOnMemory).",
	  "The application, from socket(), accept(), send() or setsockopt(); the peer sees "
	  "resets when the kernel aborts connections to free memory.",
	  "The host is out of memory or the memory cgroup of the service is full\n"
	  "TCP memory above net.ipv4.tcp_mem: many sockets with large buffers\n"
	  "Too many orphans, each holding unsent data",
	  "cat /proc/net/sockstat\n"
	  "tcpdoctor explain TcpExt.TCPAbortOnMemory\n"
	  "tcpdoctor states --by process",
	  "Documentation/networking/ip-sysctl.rst: tcp_mem\n"
	  "net/ipv4/tcp.c: tcp_check_oom()" },
	{ TD_KB_ERRNO, "EPROTO", NULL, EPROTO,
	  "protocol error: the other end or a lower layer broke the protocol",
	  "TCP itself rarely returns it. It comes from accept() on Linux when a protocol "
	  "error was pending on the new connection, and from TLS and other libraries that "
	  "reuse the number for a broken handshake.",
	  "The application, usually from accept() or from a library on top of TCP.",
	  "A connection reset or broken between the handshake and accept()\n"
	  "A TLS library reporting a handshake failure as EPROTO",
	  "strace -f -e trace=network -p PID\n"
	  "tcpdoctor explain ECONNABORTED",
	  "man 2 accept (error handling: treat EPROTO like EAGAIN and retry)" },
	{ TD_KB_ERRNO, "ENODEV", NULL, ENODEV,
	  "no such device: SO_BINDTODEVICE or a scope id names an interface that is not there",
	  "setsockopt(SO_BINDTODEVICE) with an interface name this network namespace does not "
	  "have, or a link-local IPv6 address whose scope id names no interface. Nothing is "
	  "sent.",
	  "The application, when it binds to a device or connects to fe80:: addresses.",
	  "A VRF or interface name mistyped, or not created yet at start-up\n"
	  "The service runs in another network namespace than the interface",
	  "ip link\n"
	  "tcpdoctor explain EADDRNOTAVAIL",
	  "man 7 socket (SO_BINDTODEVICE)" },
	{ TD_KB_ERRNO, "ERESTART", NULL, ERESTART,
	  "interrupted system call should be restarted: kernel-internal, rarely seen",
	  "The kernel uses it inside to restart a call after a signal; user space should "
	  "never see it. If a program prints it, the value was taken from a kernel log or "
	  "a tracer (strace shows ERESTARTSYS and friends while a call is interrupted).",
	  "Someone reading strace or kernel traces; not the application.",
	  "strace shows a blocked accept(), connect() or recv() interrupted by a signal\n"
	  "A tool printing raw kernel return values",
	  "strace -f -p PID\n"
	  "tcpdoctor explain EINTR",
	  "man 7 signal (interruption of system calls)" },
	{ TD_KB_ERRNO, "ESTRPIPE", NULL, ESTRPIPE,
	  "streams pipe error: not a TCP error (sound devices use it)",
	  "No socket call returns it on Linux. ALSA returns it for a suspended sound device. "
	  "Seen in a network service log, the number was misread or comes from other code.",
	  "Nobody using TCP.",
	  "A mistaken errno: check which call returned it",
	  "strace -f -p PID\n"
	  "tcpdoctor explain --list --kind errno",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "EUSERS", NULL, EUSERS,
	  "too many users: not a TCP error (quota and NFS code use it)",
	  "No TCP call returns it. Some file systems and quota code do. In a network log it "
	  "points to the application's own mapping of errors.",
	  "Nobody using TCP.",
	  "A mistaken errno: check which call returned it",
	  "strace -f -p PID\n"
	  "tcpdoctor explain --list --kind errno",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "ENOTSOCK", NULL, ENOTSOCK,
	  "socket operation on non-socket: the fd is a file or pipe, not a socket",
	  "A socket call (send, recv, connect, setsockopt, getpeername) got a descriptor that "
	  "is open but is not a socket. The code mixed up its descriptors.",
	  "The application, at the failing call.",
	  "The fd was closed and its number reused by a file\n"
	  "stdin/stdout passed where a socket was expected (inetd-style services run by hand)",
	  "ls -l /proc/PID/fd\n"
	  "strace -f -e trace=network -p PID",
	  "man 2 send, man 7 socket" },
	{ TD_KB_ERRNO, "EPROTOTYPE", NULL, EPROTOTYPE,
	  "protocol wrong type for socket: e.g. IPPROTO_TCP with SOCK_DGRAM",
	  "socket() was asked for a protocol that does not fit the socket type, or a "
	  "connect() on a Unix socket named a socket of another type.",
	  "The application, from socket() or connect(); nothing is sent.",
	  "socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)\n"
	  "A Unix stream socket connecting to a datagram socket",
	  "strace -e trace=socket,connect PROGRAM",
	  "man 2 socket" },
	{ TD_KB_ERRNO, "ENOPROTOOPT", NULL, ENOPROTOOPT,
	  "protocol not available: this socket option does not exist here",
	  "getsockopt() or setsockopt() named an option the protocol or this kernel does not "
	  "know: a TCP option on a UDP socket, or an option newer than the kernel "
	  "(TCP_USER_TIMEOUT before 2.6.37, a congestion control option that is not built).",
	  "The application, usually at start-up when it sets its socket options.",
	  "An option level and name that do not match (SOL_SOCKET vs IPPROTO_TCP)\n"
	  "A kernel older than the option\n"
	  "The option belongs to a module that is not loaded",
	  "strace -e trace=setsockopt,getsockopt PROGRAM\n"
	  "uname -r",
	  "man 7 tcp, man 7 socket" },
	{ TD_KB_ERRNO, "EPROTONOSUPPORT", NULL, EPROTONOSUPPORT,
	  "protocol not supported: socket() asked for a protocol this kernel lacks",
	  "socket() named a protocol that is not available: IPPROTO_SCTP or MPTCP without the "
	  "module or the kernel option, or a wrong number in the protocol argument.",
	  "The application, from socket().",
	  "The module is not loaded (sctp) or MPTCP is disabled (net.mptcp.enabled = 0)\n"
	  "A container whose kernel lacks the protocol",
	  "strace -e trace=socket PROGRAM\n"
	  "lsmod",
	  "man 2 socket" },
	{ TD_KB_ERRNO, "ESOCKTNOSUPPORT", NULL, ESOCKTNOSUPPORT,
	  "socket type not supported in this address family",
	  "socket() asked for a type the family does not have. Linux mostly returns "
	  "EPROTONOSUPPORT or EINVAL instead, so it is rare.",
	  "The application, from socket().",
	  "A wrong type constant, or flags such as SOCK_NONBLOCK on a very old kernel",
	  "strace -e trace=socket PROGRAM",
	  "man 2 socket" },
	{ TD_KB_ERRNO, "EOPNOTSUPP", "ENOTSUP", EOPNOTSUPP,
	  "operation not supported on this socket",
	  "The call does not apply to this kind of socket: listen() or accept() on a UDP "
	  "socket, MSG_OOB where it has no meaning, a TCP_* option the socket does not take.",
	  "The application, at the failing call.",
	  "listen() or accept() on a SOCK_DGRAM socket\n"
	  "A flag to send() or recv() the protocol does not implement",
	  "strace -f -e trace=network -p PID",
	  "man 2 listen, man 2 accept" },
	{ TD_KB_ERRNO, "EPFNOSUPPORT", NULL, EPFNOSUPPORT,
	  "protocol family not supported: old name of a missing address family",
	  "Linux returns EAFNOSUPPORT for a family it does not have; EPFNOSUPPORT is nearly "
	  "never seen. It means the same: the family is not built into this kernel.",
	  "The application, from socket().",
	  "A family the kernel or the container does not provide",
	  "strace -e trace=socket PROGRAM\n"
	  "tcpdoctor explain EAFNOSUPPORT",
	  "man 2 socket" },
	{ TD_KB_ERRNO, "EAFNOSUPPORT", NULL, EAFNOSUPPORT,
	  "address family not supported: often IPv6 disabled, or an IPv4/IPv6 mix",
	  "socket(AF_INET6, ...) on a host where IPv6 is disabled, or connect()/bind() with an "
	  "address of the other family than the socket's.",
	  "The application, from socket(), bind() or connect(), typically when it resolves a "
	  "name to an AAAA record and tries it first.",
	  "IPv6 disabled (ipv6.disable=1 on the kernel command line)\n"
	  "An AF_INET socket given a sockaddr_in6, or the reverse",
	  "sysctl net.ipv6.conf.all.disable_ipv6\n"
	  "strace -e trace=socket,connect,bind PROGRAM",
	  "man 2 socket, man 7 ipv6" },
	{ TD_KB_ERRNO, "ETOOMANYREFS", NULL, ETOOMANYREFS,
	  "too many references: a Unix socket message carries too many descriptors",
	  "sendmsg() on a Unix socket with SCM_RIGHTS when too many descriptors are in "
	  "flight. TCP never returns it.",
	  "A program passing descriptors over a Unix socket.",
	  "Descriptors sent faster than the receiver takes them\n"
	  "A loop of sockets sent over themselves",
	  "strace -e trace=sendmsg PROGRAM",
	  "man 7 unix (SCM_RIGHTS)" },
	{ TD_KB_ERRNO, "ESTALE", NULL, ESTALE,
	  "stale file handle: an NFS error, not a TCP one",
	  "An NFS client's handle to a file no longer valid on the server. A network service "
	  "may log it when its files live on NFS; the TCP connection to the NFS server can be "
	  "fine.",
	  "Programs using files on NFS.",
	  "The file was deleted or the export changed on the NFS server",
	  "mount | grep nfs\n"
	  "nfsstat -c",
	  "man 5 nfs" },
	{ TD_KB_ERRNO, "EUCLEAN", NULL, EUCLEAN,
	  "structure needs cleaning: a file system is corrupt, not a TCP error",
	  "File systems (ext4, xfs) return it for damaged metadata. It shows up in a network "
	  "service only through the files it reads.",
	  "Programs reading a damaged file system.",
	  "On-disk corruption; run the file system's check",
	  "dmesg | grep -i -e ext4 -e xfs",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "ENOTNAM", NULL, ENOTNAM,
	  "not a XENIX named type file: obsolete, never from a socket call",
	  "A leftover of XENIX compatibility. No TCP or socket call returns it.",
	  "Nobody using TCP.",
	  "A mistaken errno: check which call returned it",
	  "strace -f -p PID",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "ENAVAIL", NULL, ENAVAIL,
	  "no XENIX semaphores available: obsolete, never from a socket call",
	  "A leftover of XENIX compatibility. No TCP or socket call returns it.",
	  "Nobody using TCP.",
	  "A mistaken errno: check which call returned it",
	  "strace -f -p PID",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "EISNAM", NULL, EISNAM,
	  "is a named type file: obsolete, never from a socket call",
	  "A leftover of XENIX compatibility. No TCP or socket call returns it.",
	  "Nobody using TCP.",
	  "A mistaken errno: check which call returned it",
	  "strace -f -p PID",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "EREMOTEIO", NULL, EREMOTEIO,
	  "remote I/O error: a storage or network block device failed, not TCP itself",
	  "Returned by drivers and network storage (iSCSI, NBD, some FUSE file systems) when "
	  "the remote end of an I/O failed. The TCP connection under it may have been reset.",
	  "Programs doing I/O on remote block devices or file systems.",
	  "The storage target went away or refused the request\n"
	  "The transport connection to it was reset",
	  "dmesg | tail\n"
	  "tcpdoctor conns --peer ADDRESS",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "EDQUOT", NULL, EDQUOT,
	  "disk quota exceeded: a file system error, not TCP",
	  "A write to a file went over the user's quota. A service may log it next to network "
	  "errors when it writes what it receives to disk.",
	  "Programs writing files.",
	  "The service's user or group quota is full",
	  "quota -s\n"
	  "df -h",
	  "man 2 write" },
	{ TD_KB_ERRNO, "ENOMEDIUM", NULL, ENOMEDIUM,
	  "no medium found: removable media missing, not a TCP error",
	  "A drive with removable media is empty. No socket call returns it.",
	  "Programs reading removable media.",
	  "A mistaken errno, or a device path where a socket was expected",
	  "strace -f -p PID",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "EMEDIUMTYPE", NULL, EMEDIUMTYPE,
	  "wrong medium type: removable media of the wrong kind, not a TCP error",
	  "No socket call returns it.",
	  "Programs reading removable media.",
	  "A mistaken errno, or a device path where a socket was expected",
	  "strace -f -p PID",
	  "include/uapi/asm-generic/errno.h" },
	{ TD_KB_ERRNO, "ECANCELED", NULL, ECANCELED,
	  "operation canceled: an asynchronous request was cancelled",
	  "io_uring and POSIX AIO report it for a request that was cancelled before it "
	  "finished, for example a recv or connect cancelled by a timeout the program set. "
	  "The connection itself may be fine.",
	  "Programs using io_uring or AIO on sockets.",
	  "The program's own timeout cancelled a pending recv, send or connect\n"
	  "The ring was torn down while requests were pending",
	  "strace -f -e trace=io_uring_enter -p PID\n"
	  "tcpdoctor conns --pid PID",
	  "man 3 io_uring_prep_cancel" },
	/* ---- sysctls (Documentation/networking/ip-sysctl.rst) ---- */
	{ TD_KB_SYSCTL, "net.ipv4.tcp_syncookies", NULL, 0,
	  "answer SYNs with cookies when a listener's SYN queue overflows",
	  "With 1 (default), a listener whose SYN queue is full stops keeping request sockets "
	  "and encodes the connection in the SYN+ACK's sequence number; the final ACK "
	  "rebuilds it. Connections still complete under a SYN flood, at the cost of some "
	  "options (window scale and SACK only with timestamps). 2 sends cookies always, 0 "
	  "never: then a flood or a burst simply drops SYNs.",
	  "The server. The kernel logs 'Possible SYN flooding on port N. Sending cookies.'",
	  "Cookies sent: a SYN flood, or a backlog too small for a legitimate burst\n"
	  "Set to 0 by old hardening guides: bursts then lose SYNs",
	  "nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed\n"
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "tcpdoctor explain somaxconn",
	  "Documentation/networking/ip-sysctl.rst: tcp_syncookies\n"
	  "net/ipv4/syncookies.c\n"
	  "RFC 4987 3.6 (SYN cookies)" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_max_syn_backlog", NULL, 0,
	  "how many half-open connections may wait without syncookies",
	  "The SYN queue of each listener is bounded by its listen backlog. This sysctl "
	  "matters when syncookies are off: once a listener's queue is three quarters of it, "
	  "SYNs from peers not seen before are dropped. The default scales with memory (at "
	  "least 128).",
	  "The server, under many concurrent handshakes.",
	  "SYN floods with tcp_syncookies=0\n"
	  "Raised in tuning guides, usually together with somaxconn",
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "nstat -az TcpExtListenDrops TcpExtTCPReqQFullDrop\n"
	  "tcpdoctor explain tcp_syncookies",
	  "Documentation/networking/ip-sysctl.rst: tcp_max_syn_backlog\n"
	  "net/ipv4/tcp_input.c: tcp_conn_request()" },
	{ TD_KB_SYSCTL, "net.core.somaxconn", NULL, 0,
	  "the ceiling on every listen() backlog",
	  "listen(fd, N) gets min(N, somaxconn) silently. The backlog bounds the accept queue "
	  "(connections done with the handshake, waiting for accept()) and the SYN queue. "
	  "Default 4096 since Linux 5.4, 128 before. Raising it helps only if the "
	  "application also asks for a large backlog.",
	  "The server: when the accept queue is full, new handshakes are dropped or reset.",
	  "A burst of connections, or an application that accepts too slowly\n"
	  "An old kernel or a container with 128",
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain accept-queue\n"
	  "nstat -az TcpExtListenOverflows",
	  "Documentation/networking/ip-sysctl.rst: somaxconn\n"
	  "man 2 listen\n"
	  "net/socket.c: __sys_listen()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_synack_retries", NULL, 0,
	  "how often a server resends an unacknowledged SYN+ACK",
	  "Default 5: retransmissions after 1, 2, 4, 8 and 16 s; the request socket is "
	  "dropped after about 63 s. Lower values free the SYN queue sooner under a flood, "
	  "but give up on clients behind slow or lossy paths.",
	  "The server's request sockets (SYN_RECV).",
	  "Many SYN_RECV sockets that linger: ACKs are not coming back",
	  "tcpdoctor states --state syn-recv --by peer\n"
	  "tcpdoctor explain SYN_RECV",
	  "Documentation/networking/ip-sysctl.rst: tcp_synack_retries\n"
	  "net/ipv4/inet_connection_sock.c: reqsk_timer_handler()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_syn_retries", NULL, 0,
	  "how often connect() resends its SYN before ETIMEDOUT",
	  "Default 6: resends after 1, 2, 4, 8, 16, 32 s; connect() fails after about 127 s. "
	  "Lower values make clients fail over faster to another address; per socket, "
	  "TCP_SYNCNT or TCP_USER_TIMEOUT do the same.",
	  "The client, in SYN_SENT.",
	  "Clients hanging two minutes on an unreachable server",
	  "tcpdoctor conns --state syn-sent\n"
	  "tcpdoctor explain ETIMEDOUT",
	  "Documentation/networking/ip-sysctl.rst: tcp_syn_retries\n"
	  "net/ipv4/tcp_timer.c: tcp_write_timeout()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_fin_timeout", NULL, 0,
	  "how long an orphaned FIN_WAIT2 socket waits for the peer's FIN",
	  "Default 60 s. It applies only to FIN_WAIT2 sockets the application has already "
	  "closed (orphans); the kernel then drops them. Despite common advice it does not "
	  "change TIME_WAIT, which is fixed at 60 s (TCP_TIMEWAIT_LEN).",
	  "The active closer, when the peer acknowledges our FIN but never sends its own.",
	  "Many FIN_WAIT2: peers that keep connections half-open (their CLOSE_WAIT)\n"
	  "Lowered in the belief that it shortens TIME_WAIT",
	  "tcpdoctor states --state fin-wait-2 --by peer\n"
	  "tcpdoctor explain FIN_WAIT2\n"
	  "tcpdoctor explain TIME_WAIT",
	  "Documentation/networking/ip-sysctl.rst: tcp_fin_timeout\n"
	  "net/ipv4/tcp.c: tcp_close()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_tw_reuse", NULL, 0,
	  "let connect() reuse a port still in TIME_WAIT, when safe",
	  "A new outgoing connection may take the four-tuple of a TIME_WAIT socket older than "
	  "1 s if timestamps prove its segments are newer (RFC 6191 style). 0 off, 1 on, 2 "
	  "(default) on for loopback only. It never affects listeners or incoming "
	  "connections, and needs tcp_timestamps on both sides.",
	  "The client, when ephemeral ports run out to one destination.",
	  "EADDRNOTAVAIL from connect() with many TIME_WAIT to one server\n"
	  "Confused with the removed tcp_tw_recycle",
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain EADDRNOTAVAIL",
	  "Documentation/networking/ip-sysctl.rst: tcp_tw_reuse\n"
	  "net/ipv4/tcp_ipv4.c: tcp_twsk_unique()\n"
	  "RFC 6191" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_max_tw_buckets", NULL, 0,
	  "the most TIME_WAIT sockets the host keeps",
	  "Beyond it, closing connections skip TIME_WAIT entirely and the kernel logs 'time "
	  "wait bucket table overflow'. The default scales with memory. Lowering it trades "
	  "TIME_WAIT's protection for memory; each entry is small (about 200 bytes).",
	  "The active closer, with very many short connections.",
	  "Tens of thousands of short connections per second\n"
	  "Lowered on purpose to 'fix' TIME_WAIT counts",
	  "tcpdoctor states --state time-wait\n"
	  "nstat -az TcpExtTCPTimeWaitOverflow",
	  "Documentation/networking/ip-sysctl.rst: tcp_max_tw_buckets\n"
	  "net/ipv4/tcp_minisocks.c: tcp_time_wait()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_max_orphans", NULL, 0,
	  "the most sockets closed by applications but still finishing in the kernel",
	  "An orphan is a connection with no file descriptor left: FIN_WAIT1, FIN_WAIT2, "
	  "CLOSING, LAST_ACK after close(). Beyond the limit the kernel resets them and logs "
	  "'too many orphaned sockets'. The default scales with memory. Each orphan can hold "
	  "its unsent data.",
	  "The side that closes, usually a busy server.",
	  "Many FIN_WAIT1 or LAST_ACK to peers that stopped answering\n"
	  "A flood of short connections closed with data still queued",
	  "cat /proc/net/sockstat\n"
	  "tcpdoctor states --state closing-states\n"
	  "nstat -az TcpExtTCPAbortOnMemory",
	  "Documentation/networking/ip-sysctl.rst: tcp_max_orphans\n"
	  "net/ipv4/tcp_timer.c: tcp_out_of_resources()" },
	{ TD_KB_SYSCTL, "net.ipv4.ip_local_port_range", NULL, 0,
	  "the ephemeral ports connect() picks from",
	  "Default 32768 60999: 28232 ports. One source port can serve many destinations, "
	  "so the limit is per (source address, destination address, destination port). "
	  "Linux prefers even ports for connect() and odd ones for bind(0). Widen it, add "
	  "source addresses, or pool connections when it runs out.",
	  "The client: connect() fails with EADDRNOTAVAIL when it is exhausted.",
	  "Many short connections to one destination (proxies, no keep-alive)\n"
	  "A listener inside the range stealing a port clients need",
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain EADDRNOTAVAIL\n"
	  "sysctl net.ipv4.ip_local_reserved_ports",
	  "Documentation/networking/ip-sysctl.rst: ip_local_port_range\n"
	  "net/ipv4/inet_hashtables.c: __inet_hash_connect()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_keepalive_time", NULL, 0,
	  "idle time before the first keep-alive probe (SO_KEEPALIVE sockets only)",
	  "Default 7200 s. Keep-alive is off unless the application sets SO_KEEPALIVE; then "
	  "after this idle time the kernel probes every tcp_keepalive_intvl, and after "
	  "tcp_keepalive_probes unanswered probes resets with ETIMEDOUT: about 2 h 11 min by "
	  "default. TCP_KEEPIDLE overrides it per socket. NATs and firewalls often forget "
	  "idle flows after minutes, so long-lived idle connections need shorter values.",
	  "Whichever side enabled SO_KEEPALIVE.",
	  "Idle connections silently dropped by a NAT or firewall, then ECONNRESET or a hang\n"
	  "Dead peers detected only after two hours",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain half-open\n"
	  "tcpdoctor explain tcp_keepalive_intvl",
	  "RFC 9293 3.8.4 (keep-alives)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_keepalive_time\n"
	  "man 7 tcp (TCP_KEEPIDLE)" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_keepalive_intvl", NULL, 0,
	  "seconds between unanswered keep-alive probes",
	  "Default 75 s. With tcp_keepalive_probes it sets how long a dead peer takes to "
	  "detect once probing started: 9 x 75 s = about 11 min by default. TCP_KEEPINTVL "
	  "overrides it per socket.",
	  "Whichever side enabled SO_KEEPALIVE.",
	  "Slow detection of dead peers",
	  "tcpdoctor explain tcp_keepalive_time",
	  "Documentation/networking/ip-sysctl.rst: tcp_keepalive_intvl\n"
	  "net/ipv4/tcp_timer.c: tcp_keepalive_timer()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_keepalive_probes", NULL, 0,
	  "unanswered keep-alive probes before the connection is dropped",
	  "Default 9. After that many probes with no answer the connection is reset and the "
	  "application gets ETIMEDOUT. TCP_KEEPCNT overrides it per socket.",
	  "Whichever side enabled SO_KEEPALIVE.",
	  "Slow detection of dead peers",
	  "tcpdoctor explain tcp_keepalive_time",
	  "Documentation/networking/ip-sysctl.rst: tcp_keepalive_probes\n"
	  "man 7 tcp (TCP_KEEPCNT)" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_retries1", NULL, 0,
	  "retransmissions after which TCP asks IP to check the route",
	  "Default 3. After this many unanswered retransmissions the kernel marks the route "
	  "suspect so it may be looked up again (another gateway, a new neighbour entry). "
	  "The connection is not dropped; that is tcp_retries2.",
	  "The sending side of a stalled connection.",
	  "Rarely changed; a path failover that takes a few RTOs",
	  "tcpdoctor explain tcp_retries2",
	  "RFC 1122 4.2.3.5 (R1 and R2)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_retries1" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_retries2", NULL, 0,
	  "retransmissions before an established connection is given up",
	  "Default 15, a time budget computed with exponential backoff: about 924 s (15 "
	  "minutes) with a 200 ms RTO. Until then a write to a dead peer just waits; then "
	  "the connection fails with ETIMEDOUT (or a pending ICMP error). TCP_USER_TIMEOUT "
	  "sets a per-socket limit in milliseconds, usually the better tool.",
	  "The sending side of a connection whose peer vanished.",
	  "Applications that hang for 15 minutes when a server dies\n"
	  "Lowered (e.g. to 5 or 8) for faster failover in clusters",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain TCP_USER_TIMEOUT\n"
	  "tcpdoctor explain ETIMEDOUT",
	  "RFC 1122 4.2.3.5 (R2 at least 100 s)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_retries2\n"
	  "net/ipv4/tcp_timer.c: retransmits_timed_out()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_rmem", NULL, 0,
	  "receive buffer per socket: min, default, max (bytes)",
	  "Default 4096 131072 6291456. The kernel grows each socket's receive buffer up to "
	  "max as the flow needs (auto-tuning). The window, and so the throughput per "
	  "connection, is bounded by it: throughput <= buffer / RTT. Setting SO_RCVBUF "
	  "turns auto-tuning off for that socket.",
	  "The receiving side of fast or long-distance transfers.",
	  "Slow transfers over long, fast paths (max too small for bandwidth x RTT)\n"
	  "Applications that set SO_RCVBUF small",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain tcp_window_scaling",
	  "Documentation/networking/ip-sysctl.rst: tcp_rmem\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_space_adjust()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_wmem", NULL, 0,
	  "send buffer per socket: min, default, max (bytes)",
	  "Default 4096 16384 4194304. The send buffer grows with the congestion window up to "
	  "max. A full send buffer blocks send() (or EAGAIN); Send-Q shows the data queued. "
	  "SO_SNDBUF turns auto-tuning off.",
	  "The sending side.",
	  "Throughput capped on long fat paths\n"
	  "Large Send-Q with a slow reader: the buffer is not the cause, the peer is",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain tcp_rmem",
	  "Documentation/networking/ip-sysctl.rst: tcp_wmem\n"
	  "net/ipv4/tcp_input.c: tcp_sndbuf_expand()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_abort_on_overflow", NULL, 0,
	  "reset, instead of ignore, a handshake the full accept queue cannot take",
	  "Default 0: when the accept queue is full the client's final ACK is dropped, the "
	  "server resends SYN+ACK and the client usually gets in a moment later. With 1 the "
	  "server answers RST: clients see ECONNRESET on a connection they thought open. "
	  "Turn it on only if the application can never catch up.",
	  "The server decides; the client sees the effect.",
	  "Set to 1 in tuning guides, then clients report resets under load",
	  "nstat -az TcpExtListenOverflows\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain accept-queue",
	  "Documentation/networking/ip-sysctl.rst: tcp_abort_on_overflow\n"
	  "net/ipv4/tcp_minisocks.c: tcp_check_req()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_tw_recycle", NULL, 0,
	  "removed in Linux 4.12: it broke clients behind NAT",
	  "It expired TIME_WAIT after one RTO and remembered the last TCP timestamp seen from "
	  "each peer IP, rejecting SYNs with an older one. Behind a NAT many clients share "
	  "one IP with unrelated timestamp clocks, so their SYNs were dropped silently. "
	  "Linux 4.10 made timestamps random per connection, which made it unusable, and "
	  "4.12 removed it. Setting it now fails: the file no longer exists.",
	  "Servers and clients with old tuning scripts.",
	  "A sysctl.conf copied from old tuning guides ('cannot stat ... tcp_tw_recycle')\n"
	  "On old kernels: random connection failures for clients behind NAT",
	  "tcpdoctor explain tcp_tw_reuse\n"
	  "grep -r tcp_tw_recycle /etc/sysctl.conf /etc/sysctl.d",
	  "Linux commit 4396e46187ca (tcp: remove tcp_tw_recycle, 4.12)\n"
	  "RFC 6191, RFC 7323 (timestamps)" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_orphan_retries", NULL, 0,
	  "retransmissions before an orphaned closing socket is dropped",
	  "For sockets the application already closed (FIN_WAIT1, CLOSING, LAST_ACK orphans). "
	  "The default 0 means 8 in the code. Lower it on busy servers whose peers vanish, "
	  "so orphans do not hold memory for minutes.",
	  "The side that closed, after the peer stopped answering.",
	  "Many FIN_WAIT1 or LAST_ACK to gone peers",
	  "tcpdoctor states --state fin-wait-1 --by peer\n"
	  "tcpdoctor explain tcp_max_orphans",
	  "Documentation/networking/ip-sysctl.rst: tcp_orphan_retries\n"
	  "net/ipv4/tcp_timer.c: tcp_orphan_retries()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_timestamps", NULL, 0,
	  "TCP timestamps: RTT measurement and protection against wrapped sequence numbers",
	  "Default 1: timestamps with a random offset per connection (since 4.10); 2 without "
	  "the offset; 0 off. They feed RTT estimates, PAWS (old duplicate segments on fast "
	  "links), tcp_tw_reuse and syncookies carrying options. Turning them off costs all "
	  "of that for 12 bytes per segment.",
	  "Both sides: used only if both offer it in the handshake.",
	  "Turned off by hardening guides (uptime leak, fixed since 4.10)",
	  "tcpdoctor explain tcp_tw_reuse",
	  "RFC 7323 (timestamps, PAWS)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_timestamps" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_sack", NULL, 0,
	  "selective acknowledgments: recover several losses per round trip",
	  "Default 1. With SACK the receiver reports which blocks arrived, so the sender "
	  "resends only what is missing. Off, every loss beyond the first in a window costs "
	  "round trips. Some old advice disabled it after CVE-2019-11477; kernels are "
	  "patched since.",
	  "Both sides: used only if both offer it.",
	  "Disabled as a workaround for SACK Panic (2019), never turned back on",
	  "tcpdoctor conns -i",
	  "RFC 2018 (SACK)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_sack" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_window_scaling", NULL, 0,
	  "window scale option: receive windows above 64 KB",
	  "Default 1. Without it the window is at most 65535 bytes and one connection is "
	  "capped at 64 KB per round trip (5 Mbit/s at 100 ms). A middlebox that strips the "
	  "option or rewrites it causes the same, or stalls.",
	  "Both sides: used only if both offer it.",
	  "Turned off, or a firewall that mangles the option",
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain tcp_rmem",
	  "RFC 7323 2 (window scale)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_window_scaling" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_mtu_probing", NULL, 0,
	  "packetization-layer path MTU discovery: survive ICMP black holes",
	  "Default 0 off; 1 on after a black hole is suspected (repeated timeouts of full-size "
	  "segments); 2 always. When ICMP 'fragmentation needed' is filtered, connections "
	  "establish and carry small requests but hang on large responses; probing finds a "
	  "working segment size without ICMP (starting at tcp_base_mss).",
	  "The sender of large segments over tunnels, VPNs or PPPoE.",
	  "Connections that stall after the handshake on big transfers\n"
	  "VPN or overlay networks with a lower MTU and ICMP filtered",
	  "ip route get ADDRESS\n"
	  "tcpdoctor conns -i\n"
	  "tcpdoctor explain EMSGSIZE",
	  "RFC 4821 (packetization-layer PMTUD)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_mtu_probing" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_slow_start_after_idle", NULL, 0,
	  "shrink the congestion window after an idle period",
	  "Default 1: after one RTO without sending, the congestion window drops back as for "
	  "a new connection. Long-lived connections with bursts (HTTP/2, RPC, databases) then "
	  "start every burst slowly; 0 keeps the window.",
	  "The sending side of long-lived, bursty connections.",
	  "Latency spikes on the first request after a pause",
	  "tcpdoctor conns -i",
	  "RFC 5681 4.1 (restarting idle connections)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_slow_start_after_idle" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_congestion_control", NULL, 0,
	  "the default congestion control algorithm (cubic, bbr...)",
	  "Default cubic. New sockets use it unless they set TCP_CONGESTION; the choice is in "
	  "tcp_available_congestion_control. BBR (module tcp_bbr) paces by measured "
	  "bandwidth and suffers less from random loss, and wants the fq qdisc on older "
	  "kernels.",
	  "The sender: only the sending side's algorithm matters for a direction.",
	  "Poor throughput on lossy long-distance paths with cubic\n"
	  "An algorithm set that the kernel does not have (module missing)",
	  "sysctl -a 2>/dev/null | grep congestion_control\n"
	  "tcpdoctor conns -i",
	  "RFC 9438 (CUBIC), RFC 5681 (congestion control)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_congestion_control" },
	{ TD_KB_SYSCTL, "net.core.netdev_max_backlog", NULL, 0,
	  "packets queued per CPU before the stack processes them",
	  "Default 1000. Received packets wait in a per-CPU backlog (RPS, veth, loopback, "
	  "drivers without NAPI) until the softirq runs; beyond the limit they are dropped "
	  "before TCP sees them, which looks like loss on the wire.",
	  "The receiving host, at high packet rates.",
	  "Bursts on fast NICs with RPS, container traffic over veth\n"
	  "CPUs busy elsewhere so softirqs fall behind",
	  "cat /proc/net/softnet_stat (2nd column: drops)\n"
	  "tcpdoctor conns -i",
	  "Documentation/networking/ip-sysctl.rst (net.core): netdev_max_backlog\n"
	  "Documentation/admin-guide/sysctl/net.rst" },
	{ TD_KB_SYSCTL, "net.ipv4.ip_local_reserved_ports", NULL, 0,
	  "ports the kernel never picks as ephemeral source ports (empty by default)",
	  "A list of ports and ranges (\"8080,9000-9100\") excluded from automatic source "
	  "port selection by connect() and bind(port 0). An application may still bind one "
	  "explicitly. Use it when a service listens inside net.ipv4.ip_local_port_range, so "
	  "an outgoing connection cannot take its port first.",
	  "A server that fails to start with EADDRINUSE because a client connection grabbed "
	  "its port; the audit's advice on ip_local_port_range points here.",
	  "A listener inside the ephemeral range (common with 30000+ ports in containers)\n"
	  "A widened ip_local_port_range now overlapping service ports",
	  "sysctl net.ipv4.ip_local_reserved_ports\n"
	  "tcpdoctor explain ip_local_port_range\n"
	  "tcpdoctor who :PORT",
	  "Documentation/networking/ip-sysctl.rst: ip_local_reserved_ports\n"
	  "net/ipv4/inet_connection_sock.c: inet_csk_find_open_port()" },
	{ TD_KB_SYSCTL, "net.ipv4.tcp_syn_linear_timeouts", NULL, 0,
	  "how many SYN retransmissions use a fixed timeout before doubling (6.5+)",
	  "Linux 6.5 added it: the first N retransmissions of connect()'s SYN wait one "
	  "initial RTO each instead of doubling, then backoff resumes; a server's "
	  "SYN+ACK is not affected. Default 4. A lost SYN is resent after 1 s, 2 s, 3 s, 4 s instead of "
	  "1 s, 3 s, 7 s, 15 s; the total before ETIMEDOUT also changes with "
	  "tcp_syn_retries.",
	  "Clients on older kernels do not have the file; on 6.5+ it shapes how long a "
	  "connect() to a dead address takes.",
	  "Faster recovery from a lost SYN on lossy links\n"
	  "A connect timeout that differs between kernel versions",
	  "sysctl net.ipv4.tcp_syn_linear_timeouts\n"
	  "tcpdoctor explain tcp_syn_retries\n"
	  "tcpdoctor lab run connect-timeout",
	  "Documentation/networking/ip-sysctl.rst: tcp_syn_linear_timeouts\n"
	  "net/ipv4/tcp_timer.c: tcp_retransmit_timer()" },
	/* ---- concepts the entries above refer to ---- */
	{ TD_KB_CONCEPT, "accept-queue", "backlog|listen-queue|listen-backlog", 0,
	  "connections that finished the handshake and wait for accept()",
	  "Each listener has two queues: the SYN queue (request sockets mid-handshake) and "
	  "the accept queue (established, not yet accept()ed). The accept queue holds up "
	  "to min(listen() backlog, somaxconn). When it is full the server drops the "
	  "client's final ACK (or resets, with tcp_abort_on_overflow) and may drop new SYNs.",
	  "The server. Recv-Q of a LISTEN socket is the current length, Send-Q the limit.",
	  "An application that accepts too slowly (busy, blocked, out of descriptors)\n"
	  "A backlog too small for bursts (listen(fd, 128), old somaxconn)",
	  "tcpdoctor states -l --by lport\n"
	  "nstat -az TcpExtListenOverflows TcpExtListenDrops\n"
	  "tcpdoctor explain somaxconn",
	  "man 2 listen\n"
	  "net/ipv4/inet_connection_sock.c: inet_csk_accept()\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_syn_recv_sock()" },
	{ TD_KB_CONCEPT, "half-open", "half-open-connection", 0,
	  "one side thinks the connection is open, the other has forgotten it",
	  "A host rebooted, a process died without its FIN getting through, or a NAT dropped "
	  "the mapping: the survivor still shows ESTABLISHED. It finds out only when it "
	  "sends (the other side answers RST: ECONNRESET) or when keep-alive or "
	  "retransmission timers expire. Without traffic and keep-alive it can last forever.",
	  "The side that did not crash or was not told.",
	  "Peer reboot, power loss, cable pulled\n"
	  "NAT or firewall idle timeouts shorter than the application's idle time",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain tcp_keepalive_time\n"
	  "tcpdoctor explain TCP_USER_TIMEOUT\n"
	  "tcpdoctor lab run half-open",
	  "RFC 9293 3.5.1 (half-open connections and other anomalies)" },
	{ TD_KB_CONCEPT, "SO_LINGER", "linger", 0,
	  "what close() does with unsent data; linger 0 means reset",
	  "Off (default): close() returns at once and the kernel sends remaining data and "
	  "FIN in the background. On with a timeout: close() blocks until the data is "
	  "acknowledged or the timeout ends. On with 0: close() discards everything and "
	  "sends RST, skipping TIME_WAIT. Independently, close() with unread received data "
	  "always sends RST (RFC 9293 3.6.1, Linux tcp_close()).",
	  "The closing application chooses; the peer sees FIN or RST.",
	  "Load balancers and proxies using linger 0 to avoid TIME_WAIT\n"
	  "Servers closing before reading the whole request: the client sees ECONNRESET",
	  "tcpdoctor explain RST\n"
	  "tcpdoctor explain ECONNRESET",
	  "man 7 socket (SO_LINGER)\n"
	  "RFC 9293 3.6.1 (SHLD-2), 3.10.5 (ABORT call)\n"
	  "net/ipv4/tcp.c: __tcp_close()" },
	{ TD_KB_CONCEPT, "SO_REUSEADDR", "SO_REUSEPORT|reuseaddr|reuseport", 0,
	  "bind a listening port even while old connections on it are in TIME_WAIT",
	  "Without SO_REUSEADDR a restarted server cannot bind() its port while connections "
	  "from its previous run linger in TIME_WAIT (EADDRINUSE). Every server should set "
	  "it. It does not allow two listeners on one port on Linux; that is SO_REUSEPORT, "
	  "which spreads connections among sockets of the same user.",
	  "The server at start-up.",
	  "EADDRINUSE on restart",
	  "tcpdoctor who :PORT\n"
	  "tcpdoctor explain EADDRINUSE",
	  "man 7 socket (SO_REUSEADDR, SO_REUSEPORT)\n"
	  "net/ipv4/inet_connection_sock.c: inet_csk_bind_conflict()" },
	{ TD_KB_CONCEPT, "MSL", "2MSL|maximum-segment-lifetime", 0,
	  "maximum segment lifetime: how long a stray segment may live in the network",
	  "RFC 9293 takes 2 minutes for MSL and keeps TIME_WAIT for 2*MSL so that no segment "
	  "of an old connection reaches a new one with the same four-tuple. Linux does not "
	  "use MSL: TIME_WAIT lasts a fixed 60 s (TCP_TIMEWAIT_LEN), and no sysctl "
	  "changes it.",
	  "The active closer's TIME_WAIT sockets.",
	  "Questions about why TIME_WAIT lasts 60 s",
	  "tcpdoctor explain TIME_WAIT",
	  "RFC 9293 3.4.2 (knowing when to keep quiet), 3.6.1 (MUST-13)\n"
	  "include/net/tcp.h: TCP_TIMEWAIT_LEN" },
	{ TD_KB_CONCEPT, "RTO", "retransmission-timeout|retransmission|retransmit", 0,
	  "retransmission timeout: how long TCP waits for an ACK before resending",
	  "Computed from the measured RTT (SRTT + 4 * RTTVAR), at least 200 ms on Linux and "
	  "1 s for a SYN, doubling after each timeout up to 120 s. Retransmissions show "
	  "as the Retrans column and retrans counters; tcp_retries2 and TCP_USER_TIMEOUT "
	  "decide when TCP gives up.",
	  "The sending side, whenever data or a SYN/FIN is not acknowledged in time.",
	  "Loss on the path, congestion, a dead peer",
	  "tcpdoctor conns -i\n"
	  "nstat -az TcpRetransSegs TcpExtTCPTimeouts\n"
	  "tcpdoctor explain tcp_retries2",
	  "RFC 6298 (computing the RTO)\n"
	  "RFC 9293 3.8.1 (retransmission timeout)\n"
	  "net/ipv4/tcp_timer.c: tcp_retransmit_timer()" },
	{ TD_KB_CONCEPT, "TCP_USER_TIMEOUT", "user-timeout", 0,
	  "per-socket limit on how long sent data may stay unacknowledged",
	  "setsockopt(TCP_USER_TIMEOUT, ms): when data (or keep-alive probes) stay "
	  "unacknowledged this long, the connection is dropped with ETIMEDOUT. It replaces "
	  "the tcp_retries2 budget for that socket and is the right way to detect dead "
	  "peers within seconds.",
	  "The application that sets it, on its own sends.",
	  "Set by gRPC, databases and proxies for fast failover",
	  "tcpdoctor explain tcp_retries2\n"
	  "tcpdoctor explain ETIMEDOUT",
	  "RFC 5482 (TCP user timeout option)\n"
	  "RFC 9293 3.8.3 (connection failures)\n"
	  "man 7 tcp (TCP_USER_TIMEOUT)" },
	{ TD_KB_CONCEPT, "orphan", "orphans|orphaned", 0,
	  "a connection the application closed but the kernel is still finishing",
	  "After close() the file descriptor is gone but the kernel still has to deliver "
	  "queued data and FIN and wait for the ACK (FIN_WAIT1, FIN_WAIT2, CLOSING, "
	  "LAST_ACK). No process owns it, so tcpdoctor shows no owner. tcp_max_orphans, "
	  "tcp_orphan_retries and tcp_fin_timeout bound them.",
	  "The closing side.",
	  "Busy servers closing connections to slow or gone peers",
	  "cat /proc/net/sockstat\n"
	  "tcpdoctor explain tcp_max_orphans",
	  "net/ipv4/tcp.c: __tcp_close()\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_max_orphans" },
	{ TD_KB_CONCEPT, "three-way-handshake", "handshake|3-way-handshake|connection-establishment", 0,
	  "SYN, SYN+ACK, ACK: how a TCP connection opens",
	  "The client sends SYN with its initial sequence number, the server answers SYN+ACK "
	  "with its own, the client acknowledges. Each side then knows the other's sequence "
	  "numbers, MSS, window scale and SACK and timestamp support. On the server the "
	  "connection lives in the SYN queue until the ACK and then in the accept queue "
	  "until accept().",
	  "Both sides: the client goes SYN_SENT to ESTABLISHED, the server LISTEN, SYN_RECV, "
	  "ESTABLISHED.",
	  "A missing SYN+ACK: the server is down, filtered, or its SYN queue is full\n"
	  "A missing final ACK: SYN flood, asymmetric routing\n"
	  "A RST in reply: no listener (ECONNREFUSED)",
	  "tcpdoctor fsm --paths\n"
	  "tcpdoctor explain syn-queue\n"
	  "tcpdoctor explain SYN+ACK\n"
	  "tcpdoctor lab run connect-in-progress",
	  "RFC 9293 3.5 (establishing a connection), 3.4.1 (initial sequence numbers)" },
	{ TD_KB_CONCEPT, "four-way-close", "four-way-handshake|connection-termination|close-sequence", 0,
	  "FIN, ACK, FIN, ACK: how a TCP connection closes, one direction at a time",
	  "Each side closes its sending direction with a FIN that the other acknowledges. "
	  "The active closer goes FIN_WAIT1, FIN_WAIT2, TIME_WAIT; the passive closer "
	  "CLOSE_WAIT (until its application calls close()), LAST_ACK, CLOSED. The middle "
	  "ACK and FIN often travel in one segment, so captures show three.",
	  "Both sides. Where a connection stops in this sequence tells which application "
	  "has not closed.",
	  "CLOSE_WAIT that stays: the passive closer's application does not close\n"
	  "FIN_WAIT2 that stays: the peer has not closed (look for its CLOSE_WAIT)\n"
	  "TIME_WAIT: normal, on the active closer, for 60 s",
	  "tcpdoctor fsm --paths\n"
	  "tcpdoctor explain half-close\n"
	  "tcpdoctor explain TIME_WAIT\n"
	  "tcpdoctor lab run every-state",
	  "RFC 9293 3.6 (closing a connection)" },
	{ TD_KB_CONCEPT, "half-close", "half-closed|shutdown|SHUT_WR", 0,
	  "one direction closed with shutdown(SHUT_WR), the other still open",
	  "After a side sends FIN it will send no more, but it may still receive: the "
	  "connection is half-closed. Programs use it to say \"end of request\" and read the "
	  "reply. Not the same as half-open, where one side has forgotten the connection.",
	  "The side that called shutdown() sits in FIN_WAIT2; the other in CLOSE_WAIT while it "
	  "still sends.",
	  "A protocol that signals end of input with shutdown()\n"
	  "A peer that never closes its own side (FIN_WAIT2 forever while the socket is held)",
	  "tcpdoctor explain FIN_WAIT2\n"
	  "tcpdoctor explain half-open\n"
	  "man 2 shutdown",
	  "RFC 9293 3.6 (closing), 3.6.1 (half-closed connections)" },
	{ TD_KB_CONCEPT, "syn-queue", "SYN-backlog|request-queue|incomplete-queue", 0,
	  "half-open handshakes a listener holds: SYN received, SYN+ACK sent, no ACK yet",
	  "Each SYN creates a request socket (NEW_SYN_RECV, shown as SYN_RECV) that waits for "
	  "the client's ACK. Linux bounds it by the listen backlog (and by "
	  "tcp_max_syn_backlog when cookies are off). When full, SYN cookies answer; without "
	  "them SYNs are dropped (TCPReqQFullDrop). Separate from the accept queue of "
	  "finished connections.",
	  "The server; ss shows the entries as SYN_RECV, never with a process.",
	  "A SYN flood\n"
	  "Clients whose final ACK is lost\n"
	  "A tiny backlog",
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "tcpdoctor explain accept-queue\n"
	  "tcpdoctor explain syn-flood\n"
	  "tcpdoctor explain tcp_max_syn_backlog",
	  "net/ipv4/tcp_input.c: tcp_conn_request()\n"
	  "include/net/request_sock.h" },
	{ TD_KB_CONCEPT, "SYN-cookies", "syncookie|SYN-cookie", 0,
	  "a SYN+ACK whose sequence number encodes the request, so nothing is stored",
	  "When a listener's SYN queue is full, the kernel encodes the client's address, "
	  "port, a coarse MSS and a time counter into the initial sequence number of its "
	  "SYN+ACK and forgets the SYN. A valid ACK rebuilds the connection. Window scaling "
	  "and SACK survive only with TCP timestamps. Controlled by net.ipv4.tcp_syncookies.",
	  "The server under a flood or a burst; the kernel logs \"Possible SYN flooding on "
	  "port N. Sending cookies.\"",
	  "A SYN flood\n"
	  "A burst of connects larger than the backlog",
	  "tcpdoctor explain tcp_syncookies\n"
	  "tcpdoctor explain TcpExt.SyncookiesSent\n"
	  "tcpdoctor lab run syn-flood",
	  "RFC 4987 3.6 (SYN cookies)\n"
	  "net/ipv4/syncookies.c" },
	{ TD_KB_CONCEPT, "keepalive", "SO_KEEPALIVE|keepalive-probe|heartbeat", 0,
	  "TCP keepalive probes an idle connection; an application heartbeat checks the peer",
	  "With SO_KEEPALIVE, after tcp_keepalive_time (2 h) of silence the kernel sends an "
	  "empty probe every tcp_keepalive_intvl (75 s), and after tcp_keepalive_probes (9) "
	  "unanswered ones kills the connection with ETIMEDOUT. Per socket: TCP_KEEPIDLE, "
	  "TCP_KEEPINTVL, TCP_KEEPCNT. It proves only that the peer's kernel is there; an "
	  "application heartbeat (a ping message) also proves the program answers and keeps "
	  "NAT entries alive at the interval the application chooses. HTTP keep-alive is "
	  "something else: connection reuse.",
	  "Either side that enables it; timers show keepalive in ss -o.",
	  "Half-open connections never detected: keepalive off\n"
	  "NAT or firewall dropping idle flows before 2 h\n"
	  "A hung peer application that keepalive does not see",
	  "tcpdoctor explain tcp_keepalive_time\n"
	  "tcpdoctor explain half-open-suspects\n"
	  "tcpdoctor lab run half-open",
	  "RFC 9293 3.8.4 (TCP keep-alives)\n"
	  "net/ipv4/tcp_timer.c: tcp_keepalive_timer()" },
	{ TD_KB_CONCEPT, "Nagle", "Nagle-algorithm|TCP_NODELAY|TCP_CORK", 0,
	  "hold small segments while earlier data is unacknowledged (TCP_NODELAY turns it off)",
	  "Nagle's algorithm sends a small segment only when nothing is in flight, so many "
	  "tiny writes become few packets. With delayed ACK on the peer, a write-write-read "
	  "pattern waits up to 40 ms (or 200 ms) per exchange. TCP_NODELAY disables it; "
	  "TCP_CORK does the opposite and holds data until uncorked.",
	  "The sender; the receiver sees it as latency.",
	  "Request/response protocols writing a header and a body separately\n"
	  "Latency of exactly ~40 ms per call: Nagle plus delayed ACK",
	  "tcpdoctor explain delayed-ack\n"
	  "tcpdoctor conns --state established -i",
	  "RFC 9293 3.7.4 (Nagle algorithm)\n"
	  "RFC 896\n"
	  "man 7 tcp (TCP_NODELAY, TCP_CORK)" },
	{ TD_KB_CONCEPT, "delayed-ack", "delack|TCP_QUICKACK|delayed-acknowledgment", 0,
	  "the receiver waits a little before acknowledging, hoping to piggyback the ACK",
	  "A receiver may delay an ACK (Linux: 40 ms minimum, up to 200 ms) or send one for "
	  "every second full segment. It saves packets but, with Nagle on the sender, adds "
	  "latency to small exchanges. TCP_QUICKACK asks for immediate ACKs for a while.",
	  "The receiver; the sender sees the wait.",
	  "Small writes stalling ~40 ms with Nagle on the other side",
	  "tcpdoctor explain Nagle",
	  "RFC 9293 3.8.6.3 (when to send an ACK)\n"
	  "RFC 1122 4.2.3.2\n"
	  "net/ipv4/tcp_input.c: __tcp_ack_snd_check()" },
	{ TD_KB_CONCEPT, "SACK", "selective-ack|selective-acknowledgment|DSACK", 0,
	  "selective acknowledgment: the receiver names the blocks it got beyond a gap",
	  "With SACK (negotiated in the handshake, net.ipv4.tcp_sack) a receiver lists up to "
	  "three or four received ranges above the cumulative ACK, so the sender resends only "
	  "the holes. D-SACK reports duplicates, which tells spurious retransmissions apart.",
	  "Both sides; tcpdump shows sack in the options.",
	  "A middlebox that strips SACK: recovery from loss becomes slow\n"
	  "Old hardware firewalls that mangle sequence numbers but not SACK blocks",
	  "tcpdoctor explain tcp_sack\n"
	  "tcpdoctor explain fast-retransmit",
	  "RFC 2018 (SACK), RFC 2883 (D-SACK), RFC 6675 (SACK-based recovery)" },
	{ TD_KB_CONCEPT, "window-scaling", "window-scale|wscale", 0,
	  "a shift count, agreed in the handshake, that lets the window exceed 64 KiB",
	  "The window field has 16 bits. The window scale option (RFC 7323) multiplies it by "
	  "2^shift, agreed once in the SYNs. Without it throughput is capped at 64 KiB per "
	  "round trip. A capture that missed the handshake shows tiny windows because the "
	  "shift is unknown.",
	  "Both sides, in SYN and SYN+ACK (ss -i shows wscale:S,R).",
	  "A middlebox removing the option: slow transfers on long paths\n"
	  "net.ipv4.tcp_window_scaling = 0",
	  "tcpdoctor explain tcp_window_scaling\n"
	  "tcpdoctor conns --state established -i",
	  "RFC 7323 2 (window scale option)" },
	{ TD_KB_CONCEPT, "zero-window", "window-probe|zero-window-probe|persist-timer|ZeroWindow", 0,
	  "the receiver's buffer is full: it advertises window 0 and the sender probes",
	  "A receiver whose application does not read fills its buffer and advertises a zero "
	  "window. The sender stops and sends window probes on the persist timer, backing "
	  "off, until the window opens. The connection is alive; the reader is the problem. "
	  "pcap reports zero-window periods.",
	  "The sender sees Send-Q grow and the persist timer; the receiver has a large "
	  "Recv-Q.",
	  "A slow, blocked or hung reader on the receiving side\n"
	  "A receive buffer far too small",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain send-queue-backlog\n"
	  "tcpdoctor explain recv-queue-backlog",
	  "RFC 9293 3.8.6.1 (zero-window probing)\n"
	  "net/ipv4/tcp_output.c: tcp_send_probe0()" },
	{ TD_KB_CONCEPT, "fast-retransmit", "dupack|duplicate-ack|fast-recovery|dup-ack", 0,
	  "resend a lost segment after three duplicate ACKs (or SACK), without waiting for RTO",
	  "A receiver that gets data above a hole repeats its last ACK. After three "
	  "duplicates (or SACK evidence of loss) the sender resends the hole at once and "
	  "halves cwnd (fast recovery) instead of waiting for the RTO. Linux now uses RACK "
	  "timing for the same decision.",
	  "The sender; captures show dup ACKs then a retransmission.",
	  "Loss or reordering on the path",
	  "tcpdoctor explain RACK-TLP\n"
	  "tcpdoctor explain RTO\n"
	  "tcpdoctor explain SACK",
	  "RFC 5681 3.2 (fast retransmit/fast recovery)\n"
	  "RFC 6675" },
	{ TD_KB_CONCEPT, "RACK-TLP", "RACK|TLP|tail-loss-probe", 0,
	  "time-based loss detection (RACK) and a probe for lost tail segments (TLP)",
	  "RACK declares a segment lost when a later-sent one was acknowledged and a "
	  "reordering window passed, which works for retransmissions too. TLP resends the "
	  "last segment after about two RTTs of silence so that loss at the end of a burst "
	  "is repaired by fast recovery, not by an RTO. Linux uses both by default "
	  "(net.ipv4.tcp_recovery, TcpExt.TCPLossProbes).",
	  "The sender.",
	  "Tail loss in short responses\n"
	  "Reordering paths",
	  "tcpdoctor explain TcpExt.TCPLossProbes\n"
	  "tcpdoctor explain fast-retransmit",
	  "RFC 8985 (RACK-TLP)\n"
	  "net/ipv4/tcp_recovery.c" },
	{ TD_KB_CONCEPT, "MSS", "maximum-segment-size|TCP_MAXSEG|MSS-clamping", 0,
	  "maximum segment size: the largest payload per segment each side accepts",
	  "Announced in the SYNs, normally the interface MTU minus 40 (IPv4) or 60 (IPv6) "
	  "bytes. Each side sends segments no larger than the peer's MSS and the path MTU "
	  "allow. Tunnels and PPPoE need MSS clamping on the router when ICMP is blocked.",
	  "Both sides, in SYN and SYN+ACK; ss -i shows mss and advmss.",
	  "Connections that hang on large transfers but not small ones: MTU black hole\n"
	  "A VPN or tunnel without MSS clamping",
	  "tcpdoctor explain PMTU\n"
	  "tcpdoctor conns --state established -i",
	  "RFC 9293 3.7.1 (maximum segment size option)\n"
	  "RFC 6691" },
	{ TD_KB_CONCEPT, "PMTU", "PMTUD|path-MTU|MTU|MTU-black-hole|PLPMTUD", 0,
	  "path MTU discovery: learning the largest packet the whole path carries",
	  "TCP sends with the Don't Fragment bit; a router that cannot forward a packet "
	  "returns ICMP fragmentation needed (IPv6: packet too big) and the sender lowers its "
	  "segment size. If that ICMP is filtered, big segments vanish: the handshake works, "
	  "large transfers hang (a black hole). net.ipv4.tcp_mtu_probing works around it by "
	  "probing.",
	  "The sender; a black hole looks like a stall after the first full-size segment.",
	  "Firewalls dropping all ICMP\n"
	  "Tunnels (VPN, GRE, VXLAN) lowering the MTU",
	  "tcpdoctor explain tcp_mtu_probing\n"
	  "tcpdoctor explain MSS\n"
	  "ip route get ADDRESS\n"
	  "tracepath ADDRESS",
	  "RFC 1191, RFC 8201 (path MTU discovery), RFC 4821 (PLPMTUD)\n"
	  "RFC 9293 3.7.2, 3.7.3" },
	{ TD_KB_CONCEPT, "ECN", "explicit-congestion-notification|tcp_ecn|CE", 0,
	  "routers mark packets instead of dropping them; TCP echoes the mark (ECE, CWR)",
	  "Negotiated in the handshake with SYN+ECE+CWR. A congested router sets the CE mark "
	  "in the IP header; the receiver echoes it with ECE until the sender answers with "
	  "CWR and slows down, without a loss. Linux asks for it only when "
	  "net.ipv4.tcp_ecn = 1 and accepts it by default (2).",
	  "Both sides; tcpdump shows [SEW] and ECT/CE in IP.",
	  "A middlebox that drops ECN-setup SYNs (Linux falls back)\n"
	  "A data-center queue marking (DCTCP)",
	  "tcpdoctor explain ECE\n"
	  "tcpdoctor explain SYN+ECE+CWR",
	  "RFC 3168 (ECN)\n"
	  "Documentation/networking/ip-sysctl.rst: tcp_ecn" },
	{ TD_KB_CONCEPT, "icmp-unreachable",
	  "unreachable|destination-unreachable|ICMP-unreachable|no-route", 0,
	  "ICMP destination unreachable: what TCP does with it",
	  "A router or host answering with ICMP unreachable. During connect() Linux treats "
	  "host, network and port unreachable as hard errors after the retransmissions "
	  "(EHOSTUNREACH, ENETUNREACH, ECONNREFUSED for port unreachable); on an established "
	  "connection they are soft errors, remembered and reported only if the connection "
	  "times out. Fragmentation needed feeds path MTU discovery. A local route of type "
	  "unreachable fails connect() at once.",
	  "The side that sends into a broken path.",
	  "No route on a router, or a firewall rule with REJECT\n"
	  "The host is down and its router answers for it (after ARP fails)",
	  "tcpdoctor lab run unreachable\n"
	  "tcpdoctor explain EHOSTUNREACH\n"
	  "ip route get ADDRESS",
	  "RFC 9293 3.9.2.2 (ICMP and TCP), RFC 5461 (TCP's reaction to soft errors)\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_err()" },
	{ TD_KB_CONCEPT, "icmp-time-exceeded", "time-exceeded|TTL-exceeded|ttl", 0,
	  "ICMP time exceeded: the TTL ran out on the way (a loop, or traceroute)",
	  "A router discarded the packet because its TTL (IPv6 hop limit) reached 0. TCP "
	  "treats it as a soft error: it keeps retransmitting and reports EHOSTUNREACH only "
	  "if the connection then times out. It usually means a routing loop.",
	  "The sender; traceroute uses it on purpose.",
	  "A routing loop\n"
	  "A TTL set too low by the application (IP_TTL)",
	  "traceroute -T -p PORT ADDRESS\n"
	  "tcpdoctor explain icmp-unreachable",
	  "RFC 792, RFC 5461\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_err()" },
	{ TD_KB_CONCEPT, "simultaneous-open", "simultaneous-connect|crossed-SYN", 0,
	  "both sides connect() to each other at once: the SYNs cross, no listener needed",
	  "Each side is in SYN_SENT when the other's SYN arrives: it answers SYN+ACK and "
	  "goes to SYN_RECV, and both reach ESTABLISHED. Rare by accident; NAT hole punching "
	  "uses it. A socket connecting to its own address and port does it with itself.",
	  "Both sides, in SYN_SENT then SYN_RECV.",
	  "Peer-to-peer NAT traversal\n"
	  "A client whose ephemeral port equals the port it connects to on the same host "
	  "(self-connect)",
	  "tcpdoctor lab run simultaneous-open\n"
	  "tcpdoctor fsm --paths",
	  "RFC 9293 3.5 (simultaneous initiation)" },
	{ TD_KB_CONCEPT, "tcp-state-machine", "state-machine|TCP-states|every-state|FSM|State", 0,
	  "the eleven RFC states (twelve in Linux) and how segments move a connection",
	  "RFC 9293 defines LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, "
	  "CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT and CLOSED. Linux adds NEW_SYN_RECV for "
	  "request sockets and calls CLOSED TCP_CLOSE. tcpdoctor fsm prints the table; each "
	  "state has its own entry here.",
	  "Everyone reading ss or netstat.",
	  "A state that piles up says which side and which step is stuck",
	  "tcpdoctor fsm\n"
	  "tcpdoctor lab run every-state\n"
	  "tcpdoctor explain --list --kind state",
	  "RFC 9293 3.3.2 (state machine overview)\n"
	  "include/net/tcp_states.h" },
	{ TD_KB_CONCEPT, "message-boundaries", "sticky-packets|framing|packet-splitting|coalescing", 0,
	  "TCP is a byte stream: one send() is not one recv()",
	  "TCP keeps no message boundaries. Two writes may arrive in one read, one write in "
	  "several reads (Nagle, segmentation, the receive buffer). Protocols on TCP must "
	  "frame messages themselves: a length prefix or a delimiter. The symptom is called "
	  "sticky or split packets; it is a bug in the application's framing, not in TCP.",
	  "The receiving application.",
	  "Code that assumes one recv() returns one message\n"
	  "Tests that pass on loopback and fail over a real network",
	  "tcpdoctor explain Nagle\n"
	  "man 2 recv",
	  "RFC 9293 2.2 (a stream of octets)" },
	/* ---- kernel counters (/proc/net/snmp, netstat, sockstat; nstat names them
	 * GroupName) that watch, check and serve show ---- */
	{ TD_KB_COUNTER, "Tcp.ActiveOpens", "actv/s", 0,
	  "connections this host started: SYN_SENT entered (counts connect() calls)",
	  "Incremented for every active open, whether it succeeds or not. The rate is how "
	  "many outgoing connections per second this host makes; watch shows it as actv/s.",
	  "Clients and proxies; a server that also connects to backends.",
	  "Normal client traffic\n"
	  "A connection pool that does not pool: one connect per request\n"
	  "Retrying clients hammering a dead backend",
	  "tcpdoctor watch\n"
	  "tcpdoctor states --state syn-sent --by peer",
	  "RFC 4022 tcpActiveOpens\n"
	  "net/ipv4/tcp_output.c: tcp_connect()" },
	{ TD_KB_COUNTER, "Tcp.PassiveOpens", "pasv/s", 0,
	  "connections accepted by the kernel: handshakes completed on a listener",
	  "Incremented when a listener turns a request into a full socket, before the "
	  "application calls accept(). Shown by watch as pasv/s.",
	  "Servers.",
	  "Normal server load\n"
	  "A sudden rise: a client storm or reconnect loop",
	  "tcpdoctor watch\n"
	  "tcpdoctor states -l --by lport",
	  "RFC 4022 tcpPassiveOpens\n"
	  "net/ipv4/tcp_minisocks.c: tcp_create_openreq_child()" },
	{ TD_KB_COUNTER, "Tcp.AttemptFails", NULL, 0,
	  "connection attempts that failed: from SYN_SENT or SYN_RECV back to CLOSED or LISTEN",
	  "Counts handshakes that did not finish: a RST in reply to our SYN (refused), a "
	  "reset during the handshake, a timeout. watch adds it to EstabResets for rsti/s.",
	  "Clients (refused or timed-out connects) and servers (handshakes reset).",
	  "Connects to a port nobody listens on (ECONNREFUSED)\n"
	  "SYNs that time out (ETIMEDOUT)\n"
	  "A scanner probing closed ports",
	  "tcpdoctor watch\n"
	  "tcpdoctor explain ECONNREFUSED\n"
	  "tcpdoctor lab run refused",
	  "RFC 4022 tcpAttemptFails\n"
	  "net/ipv4/tcp.c: tcp_set_state()" },
	{ TD_KB_COUNTER, "Tcp.EstabResets", "rsti/s", 0,
	  "connections reset from ESTABLISHED or CLOSE_WAIT",
	  "Incremented when a connection leaves ESTABLISHED or CLOSE_WAIT straight for "
	  "CLOSED: a RST received or sent, or an abort. The kernel has no separate count "
	  "of resets received.",
	  "Either side of reset connections.",
	  "Peers closing with unread data or SO_LINGER 0\n"
	  "Middleboxes resetting idle flows\n"
	  "Applications aborting connections",
	  "tcpdoctor watch\n"
	  "tcpdoctor check\n"
	  "tcpdoctor explain ECONNRESET",
	  "RFC 4022 tcpEstabResets\n"
	  "net/ipv4/tcp.c: tcp_set_state()" },
	{ TD_KB_COUNTER, "Tcp.CurrEstab", NULL, 0,
	  "connections now in ESTABLISHED or CLOSE_WAIT (a gauge, not a counter)",
	  "The number of connections at this moment in ESTABLISHED or CLOSE_WAIT. It falls "
	  "as well as rises.",
	  "Everyone: the size of the host's open connection set.",
	  "Normal load\n"
	  "A steady rise: a leak (often CLOSE_WAIT) or a pool without a limit",
	  "tcpdoctor states\n"
	  "tcpdoctor explain CLOSE_WAIT",
	  "RFC 4022 tcpCurrEstab" },
	{ TD_KB_COUNTER, "Tcp.InSegs", NULL, 0,
	  "TCP segments received, errors included",
	  "Every TCP segment that reached the TCP layer. Used with OutSegs to put "
	  "retransmissions and resets into proportion.",
	  "Everyone.",
	  "Traffic volume",
	  "tcpdoctor watch\n"
	  "nstat -az TcpInSegs",
	  "RFC 4022 tcpInSegs" },
	{ TD_KB_COUNTER, "Tcp.OutSegs", NULL, 0,
	  "TCP segments sent, retransmissions excluded",
	  "Segments sent, not counting those that only retransmit data. The retransmission "
	  "rate check uses is RetransSegs / OutSegs.",
	  "Everyone.",
	  "Traffic volume",
	  "tcpdoctor watch\n"
	  "tcpdoctor explain retransmission-storm",
	  "RFC 4022 tcpOutSegs" },
	{ TD_KB_COUNTER, "Tcp.RetransSegs", "retr/s", 0,
	  "segments retransmitted: data or SYN sent again after loss or a timeout",
	  "Every retransmitted segment, by RTO, fast retransmit or TLP. A few per mille is "
	  "normal on the Internet; percent-level on a LAN means loss or a congested queue.",
	  "The sender; watch shows it as retr/s.",
	  "Packet loss on the path (congestion, a bad link, a full queue)\n"
	  "A peer that stopped answering (retransmissions until tcp_retries2)\n"
	  "SYNs to a host that does not answer",
	  "tcpdoctor watch\n"
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain retransmission-storm",
	  "RFC 4022 tcpRetransSegs\n"
	  "net/ipv4/tcp_output.c: tcp_retransmit_skb()" },
	{ TD_KB_COUNTER, "Tcp.InErrs", NULL, 0,
	  "segments received with errors (bad checksum, bad header)",
	  "Segments the TCP layer discarded as malformed. InCsumErrors counts the checksum "
	  "part alone.",
	  "The receiver.",
	  "A faulty NIC, cable or offload setting\n"
	  "Packets corrupted by a middlebox",
	  "nstat -az TcpInErrs TcpInCsumErrors\n"
	  "ethtool -S IFACE",
	  "RFC 4022 tcpInErrs" },
	{ TD_KB_COUNTER, "Tcp.OutRsts", "rsto/s", 0,
	  "segments sent with RST: resets this host sent",
	  "Every RST sent: to a SYN on a closed port, to segments of unknown connections, "
	  "on close() with unread data, on SO_LINGER 0. watch shows it as rsto/s.",
	  "The side that resets.",
	  "Clients connecting to a port that has no listener\n"
	  "Applications closing with unread data\n"
	  "Late segments after a connection was forgotten",
	  "tcpdoctor watch\n"
	  "tcpdoctor explain reset-storm\n"
	  "tcpdoctor explain RST",
	  "RFC 4022 tcpOutRsts\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_send_reset()" },
	{ TD_KB_COUNTER, "TcpExt.ListenOverflows", "ListenOverflow|ovfl/s", 0,
	  "handshakes dropped because a listener's accept queue was full",
	  "The client's final ACK arrived but the accept queue held backlog connections "
	  "already, so the kernel dropped it (or sent RST with tcp_abort_on_overflow). The "
	  "client thinks it is connected; its first data is retransmitted until the server "
	  "has room. Any non-zero rate means the application accepts too slowly.",
	  "The server; clients see stalls of one second or more.",
	  "The application is blocked or too slow to call accept()\n"
	  "A backlog too small for bursts (listen() argument or somaxconn)",
	  "tcpdoctor check\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain accept-queue\n"
	  "tcpdoctor lab run accept-queue-overflow",
	  "net/ipv4/tcp_ipv4.c: tcp_v4_syn_recv_sock()\n"
	  "include/net/inet_connection_sock.h: inet_csk_reqsk_queue_is_full()" },
	{ TD_KB_COUNTER, "TcpExt.ListenDrops", "ListenDrop", 0,
	  "SYNs or handshakes a listener dropped for any reason (overflows included)",
	  "A superset of ListenOverflows: also SYNs dropped because the SYN queue was full "
	  "without cookies, memory failures and missing routes. ListenDrops minus "
	  "ListenOverflows is the drops that are not accept-queue overflows.",
	  "The server.",
	  "An accept queue overflow (see ListenOverflows)\n"
	  "A full SYN queue with syncookies off\n"
	  "Out of memory for request sockets",
	  "tcpdoctor check\n"
	  "tcpdoctor explain syn-queue\n"
	  "tcpdoctor explain TcpExt.ListenOverflows",
	  "net/ipv4/tcp_input.c: tcp_conn_request()\n"
	  "include/net/tcp.h: tcp_listendrop()" },
	{ TD_KB_COUNTER, "TcpExt.TCPReqQFullDrop", NULL, 0,
	  "SYNs dropped because the SYN queue was full and cookies were off",
	  "The request queue of a listener was full and net.ipv4.tcp_syncookies did not "
	  "allow a cookie, so the SYN was dropped. Clients retry after 1, 3, 7 s.",
	  "The server; clients see slow connects.",
	  "A SYN flood with syncookies disabled\n"
	  "A backlog too small for legitimate bursts",
	  "tcpdoctor check\n"
	  "tcpdoctor explain tcp_syncookies\n"
	  "tcpdoctor lab run syn-flood",
	  "net/ipv4/tcp_input.c: tcp_syn_flood_action()" },
	{ TD_KB_COUNTER, "TcpExt.SyncookiesSent", NULL, 0,
	  "SYN+ACKs sent as SYN cookies: a SYN queue was full",
	  "The kernel answered a SYN with a cookie instead of storing a request socket, "
	  "because the listener's SYN queue was full. The kernel logs \"Possible SYN "
	  "flooding on port N\" once.",
	  "The server, under a SYN flood or a burst bigger than its backlog.",
	  "A SYN flood\n"
	  "A legitimate burst with a small backlog",
	  "tcpdoctor check\n"
	  "tcpdoctor explain SYN-cookies\n"
	  "tcpdoctor explain syn-flood",
	  "net/ipv4/syncookies.c\n"
	  "net/ipv4/tcp_input.c: tcp_conn_request()" },
	{ TD_KB_COUNTER, "TcpExt.SyncookiesRecv", NULL, 0,
	  "ACKs that carried a valid SYN cookie: connections made from a cookie",
	  "A client answered a cookie SYN+ACK and the kernel rebuilt the connection from it.",
	  "The server.",
	  "Real clients completing handshakes during a SYN flood or a burst",
	  "tcpdoctor explain SYN-cookies",
	  "net/ipv4/syncookies.c: cookie_v4_check()" },
	{ TD_KB_COUNTER, "TcpExt.SyncookiesFailed", NULL, 0,
	  "ACKs that looked like a cookie answer but did not validate",
	  "An ACK to a listener with no matching request socket, whose cookie check failed. "
	  "It is dropped (or reset).",
	  "The server.",
	  "Stale ACKs after a listener restart\n"
	  "ACK floods or scans",
	  "tcpdoctor explain SYN-cookies",
	  "net/ipv4/syncookies.c: cookie_v4_check()" },
	{ TD_KB_COUNTER, "TcpExt.TCPSynRetrans", NULL, 0,
	  "SYN and SYN+ACK retransmissions",
	  "Counts SYNs resent by connect() and SYN+ACKs resent by listeners. A rise means "
	  "handshakes are lost or unanswered.",
	  "Clients (SYN) and servers (SYN+ACK).",
	  "Connects to a host that is down or filtered\n"
	  "A SYN flood (our SYN+ACKs go unanswered)\n"
	  "Loss on the path",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state syn-sent --by peer\n"
	  "tcpdoctor explain syn-sent-stuck",
	  "net/ipv4/tcp_timer.c: tcp_retransmit_timer()" },
	{ TD_KB_COUNTER, "TcpExt.TCPTimeouts", NULL, 0,
	  "retransmission timer expirations (RTO): no ACK came in time",
	  "Each time the RTO fired on a connection or handshake. Unlike fast retransmit it "
	  "means the sender heard nothing for a whole RTO, and cwnd drops to one segment.",
	  "The sender.",
	  "Heavy loss or a dead peer\n"
	  "Tail loss that TLP did not repair",
	  "tcpdoctor check\n"
	  "tcpdoctor explain RTO",
	  "net/ipv4/tcp_timer.c: tcp_retransmit_timer()" },
	{ TD_KB_COUNTER, "TcpExt.TCPTimeWaitOverflow", NULL, 0,
	  "TIME_WAIT sockets not kept because tcp_max_tw_buckets was reached",
	  "The connection was closed at once instead of entering TIME_WAIT; the kernel logs "
	  "\"TCP: time wait bucket table overflow\". Old duplicates may then reach a new "
	  "connection on the same ports.",
	  "The active closer.",
	  "Very many short connections closed by this side\n"
	  "A tcp_max_tw_buckets set low on purpose",
	  "tcpdoctor check\n"
	  "tcpdoctor explain tcp_max_tw_buckets",
	  "net/ipv4/tcp_minisocks.c: tcp_time_wait()" },
	{ TD_KB_COUNTER, "TcpExt.TCPAbortOnTimeout", NULL, 0,
	  "connections killed after retransmissions or keepalive probes ran out",
	  "The kernel gave up on a connection: tcp_retries2, tcp_orphan_retries, "
	  "keepalive probes or TCP_USER_TIMEOUT were exhausted. The application gets "
	  "ETIMEDOUT.",
	  "The side that was still sending or probing.",
	  "A peer that vanished (power loss, a dropped NAT entry)\n"
	  "A path that black-holes packets",
	  "tcpdoctor check\n"
	  "tcpdoctor explain ETIMEDOUT\n"
	  "tcpdoctor lab run half-open",
	  "net/ipv4/tcp_timer.c: tcp_write_timeout()" },
	{ TD_KB_COUNTER, "TcpExt.TCPAbortOnData", NULL, 0,
	  "connections reset because data arrived after close(), or close() with SO_LINGER 0",
	  "The application closed (or shut down reading) and the peer still sent data: "
	  "nobody will read it, so the kernel answers with RST (RFC 9293 3.10.7.4). A "
	  "close() with SO_LINGER on and a linger time of 0 is counted here too. Unread "
	  "data already queued at close() is TCPAbortOnClose.",
	  "The side that closed; the peer gets ECONNRESET on its next call.",
	  "A server closing while the client still sends (pipelined requests)\n"
	  "SO_LINGER 0 used to skip TIME_WAIT",
	  "tcpdoctor check\n"
	  "tcpdoctor explain SO_LINGER\n"
	  "tcpdoctor lab run reset",
	  "RFC 9293 3.10.7.4 (data after close)\n"
	  "net/ipv4/tcp_input.c: tcp_rcv_state_process()\n"
	  "net/ipv4/tcp.c: __tcp_close()" },
	{ TD_KB_COUNTER, "TcpExt.TCPAbortOnClose", NULL, 0,
	  "connections reset because close() found unread data in the receive queue",
	  "The application closed a socket whose receive queue still held data: the kernel "
	  "sends RST instead of FIN.",
	  "The closing side; the peer gets ECONNRESET.",
	  "An application that closes without draining the socket",
	  "tcpdoctor check\n"
	  "tcpdoctor explain SO_LINGER",
	  "net/ipv4/tcp.c: __tcp_close()" },
	{ TD_KB_COUNTER, "TcpExt.TCPAbortOnMemory", NULL, 0,
	  "connections killed because TCP memory or the orphan limit ran out",
	  "Above net.ipv4.tcp_mem's hard limit or tcp_max_orphans, the kernel resets "
	  "connections (orphans first) and logs \"out of memory -- consider tuning tcp_mem\" "
	  "or \"too many orphaned sockets\".",
	  "The host under memory pressure; peers see resets.",
	  "Too many orphaned sockets with unsent data\n"
	  "Buffers sized too large for the number of connections",
	  "tcpdoctor check\n"
	  "cat /proc/net/sockstat\n"
	  "tcpdoctor explain orphan",
	  "net/ipv4/tcp.c: tcp_check_oom()" },
	{ TD_KB_COUNTER, "TcpExt.TCPAbortOnLinger", NULL, 0,
	  "orphans reset when their linger time or tcp_fin_timeout ran out",
	  "A socket closed with SO_LINGER, or an orphan in FIN_WAIT2, was reset when its "
	  "time was up.",
	  "The closing side.",
	  "SO_LINGER with a timeout and a peer that does not acknowledge\n"
	  "A short tcp_fin_timeout",
	  "tcpdoctor explain SO_LINGER\n"
	  "tcpdoctor explain tcp_fin_timeout",
	  "net/ipv4/tcp.c: __tcp_close()" },
	{ TD_KB_COUNTER, "TcpExt.TCPLossProbes", NULL, 0,
	  "tail loss probes sent (TLP)",
	  "When the last segments of a burst are not acknowledged after about two RTTs, "
	  "Linux resends the last one to provoke a SACK instead of waiting for the RTO.",
	  "The sender.",
	  "Loss at the end of responses (common on the Internet)",
	  "tcpdoctor explain RACK-TLP",
	  "RFC 8985 (RACK-TLP)\n"
	  "net/ipv4/tcp_output.c: tcp_send_loss_probe()" },
	{ TD_KB_COUNTER, "TcpExt.TCPBacklogDrop", NULL, 0,
	  "segments dropped because a socket's backlog was full while it was locked",
	  "Packets for a socket that the application was using (locked) wait in its backlog; "
	  "beyond the receive buffer they are dropped.",
	  "The receiver.",
	  "A very small receive buffer\n"
	  "An application holding the socket lock for long",
	  "nstat -az TcpExtTCPBacklogDrop\n"
	  "tcpdoctor explain tcp_rmem",
	  "net/ipv4/tcp_ipv4.c: tcp_add_backlog()" },
	{ TD_KB_COUNTER, "TcpExt.TCPReqQFullDoCookies", NULL, 0,
	  "SYN cookies sent because a listener's SYN queue was full",
	  "The SYN queue of a listener was full and net.ipv4.tcp_syncookies allowed a cookie, "
	  "so the SYN was answered without storing a request. Its sibling TCPReqQFullDrop "
	  "counts the SYNs dropped instead when cookies are off.",
	  "The server, under a flood or a burst bigger than its backlog.",
	  "A SYN flood\n"
	  "A small backlog under a legitimate burst",
	  "tcpdoctor explain SYN-cookies\n"
	  "tcpdoctor lab run syn-flood",
	  "net/ipv4/tcp_input.c: tcp_syn_flood_action()" },
	{ TD_KB_COUNTER, "TcpExt.TCPKeepAlive", NULL, 0,
	  "keepalive probes sent",
	  "Each empty probe a SO_KEEPALIVE socket sent after tcp_keepalive_time of silence. "
	  "Probes that go unanswered tcp_keepalive_probes times end the connection "
	  "(TCPAbortOnTimeout).",
	  "The side with keepalive on.",
	  "Idle connections with SO_KEEPALIVE\n"
	  "A half-open peer that never answers the probes",
	  "tcpdoctor explain keepalive\n"
	  "tcpdoctor lab run half-open",
	  "net/ipv4/tcp_timer.c: tcp_keepalive_timer()" },
	{ TD_KB_COUNTER, "TCP.inuse", "TCP6.inuse", 0,
	  "TCP sockets in use (sockstat), TIME_WAIT excluded",
	  "From /proc/net/sockstat: the sockets of every state except TIME_WAIT, listeners "
	  "and orphans included; TCP6.inuse counts the IPv6 ones.",
	  "Everyone.",
	  "The host's TCP socket count",
	  "cat /proc/net/sockstat\n"
	  "tcpdoctor states",
	  "net/ipv4/proc.c: sockstat_seq_show()" },
	{ TD_KB_COUNTER, "TCP.orphan", NULL, 0,
	  "orphaned TCP sockets: closed by their process, still finishing",
	  "Sockets in FIN_WAIT1, LAST_ACK, CLOSING or FIN_WAIT2 that no file descriptor "
	  "holds any more, checked against net.ipv4.tcp_max_orphans.",
	  "The side that closed.",
	  "Peers that do not acknowledge our FIN\n"
	  "Many short connections closed by this host",
	  "tcpdoctor check\n"
	  "tcpdoctor explain orphan\n"
	  "tcpdoctor explain orphans-near-limit",
	  "net/ipv4/proc.c: sockstat_seq_show()" },
	{ TD_KB_COUNTER, "TCP.tw", "twsk", 0,
	  "TIME_WAIT sockets now (sockstat)",
	  "The number of timewait sockets, checked against net.ipv4.tcp_max_tw_buckets.",
	  "The active closer.",
	  "Short connections closed by this side",
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain TIME_WAIT",
	  "net/ipv4/proc.c: sockstat_seq_show()" },
	{ TD_KB_COUNTER, "TCP.alloc", NULL, 0,
	  "TCP sockets allocated, TIME_WAIT excluded (sockstat)",
	  "Every allocated TCP socket, including ones not yet or no longer in a hash "
	  "table.",
	  "Everyone.",
	  "The host's socket count",
	  "cat /proc/net/sockstat",
	  "net/ipv4/proc.c: sockstat_seq_show()" },
	{ TD_KB_COUNTER, "TCP.mem", NULL, 0,
	  "pages of memory TCP uses now, compared with net.ipv4.tcp_mem",
	  "The TCP buffers of every socket, in pages (4 KiB). Above the second number of "
	  "tcp_mem TCP is under pressure and shrinks buffers; above the third it refuses "
	  "memory and aborts connections.",
	  "Everyone.",
	  "Many connections with full buffers\n"
	  "Slow readers holding data",
	  "cat /proc/net/sockstat\n"
	  "sysctl net.ipv4.tcp_mem\n"
	  "tcpdoctor explain TcpExt.TCPAbortOnMemory",
	  "Documentation/networking/ip-sysctl.rst: tcp_mem" },
	/* ---- tcpdoctor check rules, by id (src/lib/diagnose/rules.c) ---- */
	{ TD_KB_RULE, "close-wait-leak", NULL, 0,
	  "check: a process holds sockets in CLOSE_WAIT: it does not close what the peer closed",
	  "The peer sent FIN, the kernel acknowledged it, and the application has not called "
	  "close(). A working program leaves CLOSE_WAIT as soon as read() returns 0; a count "
	  "that only grows is a descriptor leak that ends in EMFILE.",
	  "Reported on the host whose process leaks; its peers sit in FIN_WAIT2.",
	  "A code path that returns without closing the socket (error paths)\n"
	  "A pool that never checks whether the server closed idle connections\n"
	  "A thread blocked elsewhere, never reading end of file",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state close-wait --by process\n"
	  "tcpdoctor explain CLOSE_WAIT\n"
	  "tcpdoctor lab run close-wait-leak",
	  "RFC 9293 3.6 (closing)\n"
	  "src/lib/diagnose/rules.c: rule_close_wait_leak()" },
	{ TD_KB_RULE, "time-wait-pressure", NULL, 0,
	  "check: TIME_WAIT uses up the local ports towards one destination",
	  "This host closes connections first, each closed four-tuple is held 60 s, and "
	  "towards one destination address and port only ip_local_port_range ports exist. "
	  "At half of them in TIME_WAIT a burst more makes connect() fail with "
	  "EADDRNOTAVAIL.",
	  "Clients and proxies that open many short connections to one backend.",
	  "No connection reuse (HTTP without keep-alive, one connect per query)\n"
	  "A narrow ip_local_port_range\n"
	  "tcp_max_tw_buckets reached (TIME_WAIT skipped)",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state time-wait --by peer\n"
	  "tcpdoctor explain tcp_tw_reuse\n"
	  "tcpdoctor lab run time-wait-exhaustion",
	  "RFC 9293 3.6.1 (TIME-WAIT)\n"
	  "src/lib/diagnose/rules.c: rule_time_wait_pressure()" },
	{ TD_KB_RULE, "accept-queue-overflow", NULL, 0,
	  "check: a listener's accept queue is full: the application accepts too slowly",
	  "Recv-Q of a LISTEN socket is the accept queue, Send-Q its backlog. When they meet, "
	  "finished handshakes are dropped (TcpExt.ListenOverflows) and clients wait a "
	  "second or more for a retransmission.",
	  "Reported on the server; its clients see slow first responses.",
	  "The accept loop is blocked or has too few workers\n"
	  "A backlog too small for bursts (listen() argument, somaxconn)",
	  "tcpdoctor check\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain accept-queue\n"
	  "tcpdoctor lab run accept-queue-overflow",
	  "src/lib/diagnose/rules.c: rule_accept_queue_overflow()\n"
	  "net/ipv4/tcp_ipv4.c: tcp_v4_syn_recv_sock()" },
	{ TD_KB_RULE, "syn-flood", "SYN-flooding|SYN-attack", 0,
	  "many half-open handshakes on a listener: a SYN flood or lost ACKs",
	  "A SYN flood sends SYNs, often from spoofed addresses, and never completes the "
	  "handshake: each SYN holds a request socket (SYN_RECV) in the listener's SYN queue "
	  "until tcp_synack_retries give up. When the queue is full, SYN cookies answer "
	  "without storing anything; without them new SYNs are dropped. check reports it "
	  "from the number of SYN_RECV sockets and sources and from SyncookiesSent.",
	  "The server; real clients see slow or failed connects.",
	  "An attack with spoofed sources\n"
	  "A return path that loses SYN+ACKs or the clients' ACKs\n"
	  "A small backlog under a legitimate burst",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state syn-recv --by lport\n"
	  "tcpdoctor explain SYN-cookies\n"
	  "tcpdoctor lab run syn-flood",
	  "RFC 4987 (TCP SYN flooding attacks and common mitigations)\n"
	  "net/ipv4/tcp_input.c: tcp_conn_request(), tcp_syn_flood_action()" },
	{ TD_KB_RULE, "syn-sent-stuck", NULL, 0,
	  "check: connects that get no answer, or go to too many addresses",
	  "Sockets wait in SYN_SENT with their SYN retransmitted: nobody answers. Many "
	  "destinations at once look like a scan or a worm.",
	  "Reported on the client.",
	  "The destination is down, filtered (DROP) or the route is wrong\n"
	  "A service discovery list full of dead addresses\n"
	  "A scanner on this host",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state syn-sent --by peer\n"
	  "tcpdoctor explain SYN_SENT\n"
	  "tcpdoctor lab run connect-timeout",
	  "src/lib/diagnose/rules.c: rule_syn_sent_stuck()" },
	{ TD_KB_RULE, "fin-wait1-piling", NULL, 0,
	  "check: our FINs are not acknowledged: FIN_WAIT1 piles up",
	  "FIN_WAIT1 lasts one round trip when the peer is alive. Many at once mean the peers "
	  "are gone or their receive windows are closed so our data and FIN cannot leave.",
	  "Reported on the side that closes first.",
	  "Peers that stopped reading (zero window)\n"
	  "Peers that vanished\n"
	  "A path that drops our segments",
	  "tcpdoctor check\n"
	  "tcpdoctor conns --state fin-wait-1 -i\n"
	  "tcpdoctor explain FIN_WAIT1\n"
	  "tcpdoctor lab run fin-wait1",
	  "src/lib/diagnose/rules.c: rule_fin_wait1()" },
	{ TD_KB_RULE, "fin-wait2-piling", NULL, 0,
	  "check: peers do not close their side: FIN_WAIT2 piles up",
	  "Our FIN is acknowledged and the peer has not sent its own. Orphaned FIN_WAIT2 "
	  "sockets end after tcp_fin_timeout; the peer applications probably leak CLOSE_WAIT.",
	  "Reported on the active closer; look at the peers for CLOSE_WAIT.",
	  "Peer applications that never call close()\n"
	  "Half-closed connections waiting on purpose",
	  "tcpdoctor check\n"
	  "tcpdoctor states --state fin-wait-2 --by peer\n"
	  "tcpdoctor explain FIN_WAIT2\n"
	  "tcpdoctor lab run close-wait-leak",
	  "src/lib/diagnose/rules.c: rule_fin_wait2()" },
	{ TD_KB_RULE, "last-ack-piling", NULL, 0,
	  "check: peers vanish before acknowledging our FIN: LAST_ACK piles up",
	  "This side closed after the peer did and waits for the ACK of its FIN. Many at "
	  "once mean peers that are gone or a path that drops our FIN.",
	  "Reported on the passive closer.",
	  "Clients that reset or vanish after sending FIN\n"
	  "A firewall that forgets the flow after the first FIN",
	  "tcpdoctor check\n"
	  "tcpdoctor conns --state last-ack\n"
	  "tcpdoctor explain LAST_ACK\n"
	  "tcpdoctor lab run last-ack",
	  "src/lib/diagnose/rules.c: rule_last_ack()" },
	{ TD_KB_RULE, "orphans-near-limit", NULL, 0,
	  "check: orphaned sockets are near net.ipv4.tcp_max_orphans",
	  "Above the limit the kernel resets orphans at once and logs \"too many orphaned "
	  "sockets\"; peers then see resets instead of a clean close.",
	  "Reported on the host that closes many connections.",
	  "Peers that do not acknowledge FINs, so orphans linger\n"
	  "A low tcp_max_orphans on a busy proxy",
	  "tcpdoctor check\n"
	  "tcpdoctor explain orphan\n"
	  "tcpdoctor explain tcp_max_orphans",
	  "src/lib/diagnose/rules.c: rule_orphans()" },
	{ TD_KB_RULE, "half-open-suspects", NULL, 0,
	  "check: established connections silent for long, without keepalive",
	  "No byte either way for longer than most NAT and firewall flow timeouts, and no "
	  "keepalive: the peer or a middlebox may have forgotten the connection. This side "
	  "learns it only when it sends.",
	  "Reported on either side of idle long-lived connections.",
	  "Connection pools without keepalive or application heartbeats\n"
	  "A NAT or firewall that drops idle flows silently",
	  "tcpdoctor check\n"
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain keepalive\n"
	  "tcpdoctor lab run half-open",
	  "src/lib/diagnose/rules.c: rule_half_open()" },
	{ TD_KB_RULE, "retransmission-storm", NULL, 0,
	  "check: a high share of sent segments are retransmissions",
	  "Tcp.RetransSegs against Tcp.OutSegs over the sample. Above a few percent "
	  "throughput collapses; TCPSynRetrans and TCPTimeouts tell handshakes and timeouts "
	  "apart.",
	  "Reported on the sender.",
	  "Loss on the path (congestion, bad link, full queue)\n"
	  "Peers that stopped answering\n"
	  "SYNs to dead addresses",
	  "tcpdoctor check\n"
	  "tcpdoctor watch\n"
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain RTO",
	  "src/lib/diagnose/rules.c: rule_retrans()" },
	{ TD_KB_RULE, "reset-storm", NULL, 0,
	  "check: many resets sent per second",
	  "Tcp.OutRsts over the sample, with the abort counters that say why (on data, on "
	  "close, on timeout, on memory).",
	  "Reported on the host sending the resets.",
	  "Clients hitting a port without a listener\n"
	  "An application closing with unread data\n"
	  "A port scan",
	  "tcpdoctor check\n"
	  "tcpdoctor watch\n"
	  "tcpdoctor explain RST\n"
	  "tcpdoctor lab run reset",
	  "src/lib/diagnose/rules.c: rule_resets()" },
	{ TD_KB_RULE, "send-queue-backlog", NULL, 0,
	  "check: unacknowledged data piles up towards a peer",
	  "Send-Q of a connection holds data the peer has not acknowledged (or not let us "
	  "send: a zero window). Unanswered window probes mean the peer stopped reading.",
	  "Reported on the sender.",
	  "A slow or stuck reader on the peer (zero window)\n"
	  "A slow or lossy path",
	  "tcpdoctor check\n"
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain zero-window",
	  "src/lib/diagnose/rules.c: rule_send_queue()" },
	{ TD_KB_RULE, "recv-queue-backlog", NULL, 0,
	  "check: received data the application does not read",
	  "Recv-Q of a connection holds bytes the kernel received and acknowledged but the "
	  "application has not read. When the buffer fills, the window closes and the peer "
	  "stalls.",
	  "Reported on the receiver; its peer sees a zero window.",
	  "The application is blocked, busy or dead but holds the socket\n"
	  "A reader too slow for the data rate",
	  "tcpdoctor check\n"
	  "tcpdoctor conns --state established\n"
	  "tcpdoctor explain Recv-Q",
	  "src/lib/diagnose/rules.c: rule_recv_queue()" },
	{ TD_KB_RULE, "listen-backlog-too-small", NULL, 0,
	  "check: a listener's backlog is tiny",
	  "Send-Q of a LISTEN socket is its backlog: min(listen() argument, somaxconn). Below "
	  "a few dozen, a burst of parallel connects overflows the accept queue.",
	  "Reported on the server.",
	  "listen(fd, 5) copied from an old example\n"
	  "A low net.core.somaxconn",
	  "tcpdoctor check\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain somaxconn",
	  "src/lib/diagnose/rules.c: rule_listen_backlog()" },
	{ TD_KB_RULE, "ephemeral-range-narrow", NULL, 0,
	  "check: few local ports for outgoing connections",
	  "net.ipv4.ip_local_port_range bounds the source ports connect() picks. With "
	  "TIME_WAIT holding each for 60 s, a small range limits new connections per second "
	  "to one destination.",
	  "Reported on clients and proxies.",
	  "A range narrowed to keep service ports free (use ip_local_reserved_ports)",
	  "tcpdoctor check\n"
	  "tcpdoctor explain ip_local_port_range\n"
	  "tcpdoctor explain ip_local_reserved_ports",
	  "src/lib/diagnose/rules.c: rule_ephemeral_range()" },
	{ TD_KB_RULE, "syncookies-off", NULL, 0,
	  "check: SYN cookies are disabled",
	  "With net.ipv4.tcp_syncookies = 0 a full SYN queue drops new SYNs, so a flood or a "
	  "burst bigger than the backlog shuts real clients out.",
	  "Reported on any host with listeners.",
	  "A hardening guide or an old tuning script turned it off",
	  "tcpdoctor check\n"
	  "tcpdoctor explain tcp_syncookies\n"
	  "tcpdoctor explain SYN-cookies",
	  "src/lib/diagnose/rules.c: rule_syncookies_off()" },
	{ TD_KB_RULE, "risky-sysctl", NULL, 0,
	  "check: other TCP sysctls the audit judges risky",
	  "The findings of tcpdoctor sysctl that check repeats: a value outside what is "
	  "tolerable for the chosen profile, with the reason and the risk of changing it.",
	  "Reported on the audited host.",
	  "Tuning copied from the Internet\n"
	  "Defaults that do not fit the workload",
	  "tcpdoctor check\n"
	  "tcpdoctor sysctl --profile server -v",
	  "src/lib/diagnose/sysctl.c (the audit table)" },
	/* ---- columns of ss, netstat and tcpdoctor's views ---- */
	{ TD_KB_COLUMN, "Recv-Q", "RecvQ|rx_queue", 0,
	  "ESTABLISHED: bytes received, not yet read; LISTEN: the accept queue length",
	  "For a connection, the bytes in the receive queue that the application has not "
	  "read (ss, netstat, conns). For a listener, the connections that finished the "
	  "handshake and wait for accept(). /proc/net/tcp calls it rx_queue.",
	  "Whoever runs ss or conns on the receiving host.",
	  "Connection, large and growing: the application does not read\n"
	  "Listener, near Send-Q: the accept queue is full (ListenOverflows)",
	  "tcpdoctor conns --state established\n"
	  "tcpdoctor states -l --by lport\n"
	  "tcpdoctor explain recv-queue-backlog\n"
	  "tcpdoctor explain accept-queue",
	  "net/ipv4/tcp_diag.c: tcp_diag_get_info()\n"
	  "man 8 ss" },
	{ TD_KB_COLUMN, "Send-Q", "SendQ|tx_queue", 0,
	  "ESTABLISHED: bytes sent, not yet acknowledged; LISTEN: the backlog",
	  "For a connection, bytes written by the application that the peer has not "
	  "acknowledged, sent or not (ss, netstat, conns). For a listener, the backlog: "
	  "min(listen() argument, net.core.somaxconn). /proc/net/tcp gives 0 for listeners.",
	  "Whoever runs ss or conns on the sending host.",
	  "Connection, large: a slow reader on the peer (zero window) or a slow path\n"
	  "Listener: the configured limit of the accept queue",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain send-queue-backlog\n"
	  "tcpdoctor explain somaxconn",
	  "net/ipv4/tcp_diag.c: tcp_diag_get_info()\n"
	  "man 8 ss" },
	{ TD_KB_COLUMN, "Local-Address", "Local-Address:Port|local|laddr", 0,
	  "this host's address and port of the socket",
	  "For a listener, the address it accepts on (0.0.0.0 or [::] means every address, "
	  "* in ss). For a connection, the address and port this side uses; on a client the "
	  "port is ephemeral, from ip_local_port_range.",
	  "Both sides; ss prints Local Address:Port, netstat Local Address.",
	  "A listener on 127.0.0.1 is unreachable from other hosts\n"
	  "Many connections from one local port range: a client or proxy",
	  "tcpdoctor states --by lport\n"
	  "tcpdoctor who :PORT",
	  "man 8 ss, man 8 netstat" },
	{ TD_KB_COLUMN, "Peer-Address", "Peer-Address:Port|Foreign-Address|peer|raddr", 0,
	  "the other end's address and port",
	  "The remote address of a connection (netstat: Foreign Address). For a listener it "
	  "is *:* (ss) or 0.0.0.0:* (netstat). Behind NAT or a proxy it is the last hop, "
	  "not the real client.",
	  "Both sides.",
	  "Many sockets to one peer: a pool, or one client misbehaving\n"
	  "An unexpected peer: NAT, a load balancer, a scanner",
	  "tcpdoctor states --by peer\n"
	  "tcpdoctor conns --dst ADDRESS",
	  "man 8 ss, man 8 netstat" },
	{ TD_KB_COLUMN, "Process", "users|PID/Program-name|program|COMMAND|PID|USER|FD|WHO", 0,
	  "which process holds the socket (ss -p users:, netstat -p PID/Program name)",
	  "The processes with a file descriptor on the socket. TIME_WAIT, request sockets, "
	  "orphans and sockets waiting in an accept queue belong to nobody and show '-'. A "
	  "pre-fork server shows every worker that shares a listener.",
	  "Whoever runs conns, who, ss -p or netstat -p (root sees every process).",
	  "'-' on TIME_WAIT, SYN_RECV or an orphan is normal\n"
	  "'-' on ESTABLISHED: a connection still in the accept queue",
	  "tcpdoctor who :PORT\n"
	  "tcpdoctor conns --pid PID",
	  "man 8 ss (-p), man 8 lsof" },
	{ TD_KB_COLUMN, "Timer", "timers|keepalive-timer", 0,
	  "the socket's running timer: on (retransmit), keepalive, timewait, persist, off",
	  "ss -o and netstat -o show which timer runs, when it fires and how many times it "
	  "fired: on = retransmission (count = retransmits so far), keepalive, timewait, "
	  "persist = zero-window probe, off = none.",
	  "Anyone asking why a socket lingers.",
	  "on with a rising count: retransmissions to a silent peer\n"
	  "persist: the peer's window is zero\n"
	  "keepalive: SO_KEEPALIVE is on",
	  "tcpdoctor conns --state established\n"
	  "tcpdoctor explain zero-window\n"
	  "tcpdoctor explain keepalive",
	  "net/ipv4/tcp_ipv4.c: get_tcp4_sock() (timer codes)\n"
	  "man 8 ss (-o)" },
	{ TD_KB_COLUMN, "rtt", "rttvar|srtt", 0,
	  "smoothed round-trip time and its variation, in milliseconds (ss -i, conns -i)",
	  "The kernel's estimate of one round trip (srtt) and its mean deviation (rttvar), "
	  "from which the RTO is computed: RTO = srtt + 4 * rttvar, at least 200 ms.",
	  "The sender; it is measured from ACKs.",
	  "High rtt: a long or queued path (bufferbloat)\n"
	  "High rttvar: a jittery path",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain RTO",
	  "RFC 6298 (computing the RTO)\n"
	  "net/ipv4/tcp_input.c: tcp_rtt_estimator()" },
	{ TD_KB_COLUMN, "cwnd", "ssthresh|congestion-window", 0,
	  "congestion window: how many segments may be in flight (ss -i, conns -i)",
	  "The sender's limit from congestion control. It grows while ACKs come and shrinks "
	  "on loss; ssthresh is where slow start stops. A cwnd of 1 after a timeout is "
	  "normal.",
	  "The sender.",
	  "Small cwnd with retransmissions: loss on the path\n"
	  "cwnd reset after idle: tcp_slow_start_after_idle",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain tcp_congestion_control",
	  "RFC 5681 (congestion control)\n"
	  "net/ipv4/tcp_cong.c" },
	{ TD_KB_COLUMN, "retrans", "retransmits|lost|unacked|Retr", 0,
	  "retransmissions of the connection: in flight now / total (ss -i, conns -i)",
	  "ss -i shows retrans:N/M: segments being retransmitted now and the total so far; "
	  "lost and unacked count segments presumed lost and not yet acknowledged.",
	  "The sender.",
	  "Loss on the path\n"
	  "A peer that stopped answering",
	  "tcpdoctor conns --state established -i\n"
	  "tcpdoctor explain retransmission-storm",
	  "include/uapi/linux/tcp.h: struct tcp_info" },
};
/* clang-format on */

#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

static const char *const kind_names[] = {
	[TD_KB_STATE] = "state",   [TD_KB_FLAGS] = "flags",	[TD_KB_ERRNO] = "errno",
	[TD_KB_SYSCTL] = "sysctl", [TD_KB_CONCEPT] = "concept", [TD_KB_COUNTER] = "counter",
	[TD_KB_RULE] = "rule",	   [TD_KB_COLUMN] = "column",
};

/* Longest key we compare; longer topics match nothing exactly, and only
 * their first KEY_MAX - 1 characters count for the nearest names. */
#define KEY_MAX 64

const struct td_kb_entry *td_kb_entries(size_t *n)
{
	if (n)
		*n = N_ENTRIES;
	return entries;
}

const char *td_kb_kind_name(enum td_kb_kind kind)
{
	if ((int)kind < TD_KB_STATE || kind > TD_KB_KIND_MAX)
		return "unknown";
	return kind_names[kind];
}

/* ---- languages ---- */

static const char *const lang_names[] = { [TD_KB_EN] = "en", [TD_KB_ZH] = "zh" };

const char *td_kb_lang_name(enum td_kb_lang lang)
{
	if ((int)lang < 0 || lang > TD_KB_LANG_MAX)
		return "unknown";
	return lang_names[lang];
}

const struct td_kb_tr *td_kb_translations(enum td_kb_lang lang, size_t *n)
{
	if (lang == TD_KB_ZH)
		return td_kb_zh_rows(n);
	if (n)
		*n = 0;
	return NULL;
}

/* Rows keep the order of entries[] (test_kb checks), so the row of entry i
 * is row i; the search is for an entry outside the table or a row moved. */
static const struct td_kb_tr *find_tr(const struct td_kb_entry *e, enum td_kb_lang lang)
{
	size_t n, i;
	const struct td_kb_tr *t = td_kb_translations(lang, &n);

	if (e >= entries && e < entries + N_ENTRIES) {
		i = (size_t)(e - entries);
		if (i < n && !strcmp(t[i].name, e->name))
			return &t[i];
	}
	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, e->name))
			return &t[i];
	return NULL;
}

bool td_kb_text(const struct td_kb_entry *e, enum td_kb_lang lang, struct td_kb_tr *out)
{
	const struct td_kb_tr *t = find_tr(e, lang);

	*out = (struct td_kb_tr){ e->name,    e->aliases,  NULL,     e->summary,
				  e->meaning, e->who_sees, e->causes };
	if (!t)
		return false;
	out->aliases = t->aliases;
	out->message = t->message;
	out->summary = t->summary ? t->summary : e->summary;
	out->meaning = t->meaning ? t->meaning : e->meaning;
	out->who_sees = t->who_sees ? t->who_sees : e->who_sees;
	out->causes = t->causes ? t->causes : e->causes;
	return true;
}

/* The language part of a locale name: up to '_', '-', '.' or '@'. */
static bool lang_is(const char *text, const char *code)
{
	size_t n = strlen(code);

	return !strncasecmp(text, code, n) &&
	       (!text[n] || text[n] == '_' || text[n] == '-' || text[n] == '.' || text[n] == '@');
}

int td_kb_lang_parse(const char *text, enum td_kb_lang *lang, struct td_err *err)
{
	char shown[48];

	if (!text || !lang)
		return td_err_set(err, -EINVAL, "td_kb_lang_parse: no text or no place");
	if (lang_is(text, "zh") || !strcasecmp(text, "chinese") || !strcmp(text, "中文")) {
		*lang = TD_KB_ZH;
		return 0;
	}
	if (lang_is(text, "en") || lang_is(text, "C") || !strcmp(text, "POSIX") ||
	    !strcasecmp(text, "english")) {
		*lang = TD_KB_EN;
		return 0;
	}
	td_printable(text, shown, sizeof(shown));
	return td_err_set(err, -TD_EPARSE, "no text in language '%s' (use en or zh_CN)", shown);
}

enum td_kb_lang td_kb_lang_from_env(const char *language, const char *lc_all,
				    const char *lc_messages, const char *lang)
{
	const char *loc = lc_all && *lc_all		? lc_all
			  : lc_messages && *lc_messages ? lc_messages
							: lang;
	enum td_kb_lang l = TD_KB_EN;

	if (!loc || !*loc)
		return TD_KB_EN;
	/* gettext ignores LANGUAGE when messages are in the C locale. */
	if (language && *language && strcmp(loc, "C") && strcmp(loc, "POSIX")) {
		char buf[128];
		char *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", language);
		for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
			if (td_kb_lang_parse(tok, &l, NULL) == 0)
				return l;
	}
	if (td_kb_lang_parse(loc, &l, NULL) == 0)
		return l;
	return TD_KB_EN;
}

/* Lower-case s without '-', '_' and blanks into out[KEY_MAX], stopping at
 * len bytes or the end; false if it did not fit. */
static bool make_key(const char *s, size_t len, char *out)
{
	size_t n = 0, i;

	for (i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-' || c == '_' || isspace(c))
			continue;
		if (n + 1 >= KEY_MAX) {
			out[n] = '\0';
			return false;
		}
		out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	return true;
}

int td_kb_kind_parse(const char *name, enum td_kb_kind *kind, struct td_err *err)
{
	char key[KEY_MAX];
	size_t len;
	int k;

	if (!name || !kind)
		return td_err_set(err, -EINVAL,
				  "td_kb_kind_parse: no name or no place for the kind");
	if (make_key(name, strlen(name), key)) {
		/* Singular or plural: "flag" and "flags", "sysctls", "states". */
		len = strlen(key);
		if (len > 1 && key[len - 1] == 's')
			key[--len] = '\0';
		for (k = TD_KB_STATE; k <= TD_KB_KIND_MAX; k++) {
			size_t kl = strlen(kind_names[k]);

			if (kind_names[k][kl - 1] == 's')
				kl--;
			if (len == kl && !strncmp(key, kind_names[k], kl)) {
				*kind = (enum td_kb_kind)k;
				return 0;
			}
		}
	}
	return td_err_set(err, -TD_EPARSE,
			  "unknown kind '%.40s' (use state, flags, errno, sysctl, counter, rule, "
			  "column or concept)",
			  name);
}

/* ---- flag combinations ---- */

struct flag_name {
	const char *name;
	unsigned bits;
};

static const struct flag_name flag_names[] = {
	{ "fin", TD_TCPF_FIN },	  { "syn", TD_TCPF_SYN }, { "rst", TD_TCPF_RST },
	{ "reset", TD_TCPF_RST }, { "psh", TD_TCPF_PSH }, { "push", TD_TCPF_PSH },
	{ "ack", TD_TCPF_ACK },	  { "urg", TD_TCPF_URG }, { "urgent", TD_TCPF_URG },
	{ "ece", TD_TCPF_ECE },	  { "cwr", TD_TCPF_CWR },
};

/* One-letter flags of nmap/scapy (C = CWR) and tcpdump (W = CWR, '.' = ACK);
 * E is ECE in both. */
static unsigned flag_letter(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'f':
		return TD_TCPF_FIN;
	case 's':
		return TD_TCPF_SYN;
	case 'r':
		return TD_TCPF_RST;
	case 'p':
		return TD_TCPF_PSH;
	case 'a':
	case '.':
		return TD_TCPF_ACK;
	case 'u':
		return TD_TCPF_URG;
	case 'e':
		return TD_TCPF_ECE;
	case 'c':
	case 'w':
		return TD_TCPF_CWR;
	}
	return 0;
}

/* A token: a flag name, or a run of flag letters ("SA", "S."). */
static bool flag_token(const char *tok, size_t len, unsigned *bits)
{
	char low[16];
	size_t i;

	if (len == 0 || len >= sizeof(low))
		return false;
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)tok[i]);
	low[len] = '\0';
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!strcmp(low, flag_names[i].name)) {
			*bits |= flag_names[i].bits;
			return true;
		}
	}
	for (i = 0; i < len; i++)
		if (!flag_letter(low[i]))
			return false;
	for (i = 0; i < len; i++)
		*bits |= flag_letter(low[i]);
	return true;
}

static bool is_flag_separator(char c)
{
	return c == '+' || c == ',' || c == '|' || c == '/' || c == '-' ||
	       isspace((unsigned char)c);
}

int td_kb_parse_flags(const char *text, unsigned *flags, struct td_err *err)
{
	const char *s, *end;
	unsigned bits = 0;
	size_t ntok = 0;

	if (!text || !flags)
		return td_err_set(err, -EINVAL,
				  "td_kb_parse_flags: no text or no place for the flags");
	s = text;
	end = text + strlen(text);
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;

	/* tcpdump: "[S.]", "[F.]", "[.]", "[none]". */
	if (s < end && *s == '[') {
		if (end - s < 3 || end[-1] != ']')
			goto bad;
		s++;
		end--;
		if (end - s == 4 && !strncasecmp(s, "none", 4)) {
			*flags = 0;
			return 0;
		}
		for (; s < end; s++) {
			unsigned b = flag_letter(*s);

			if (!b)
				goto bad;
			bits |= b;
		}
		*flags = bits;
		return 0;
	}
	/* The flag byte as a hex number (Wireshark's "0x012"). */
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		char *stop;
		unsigned long v = strtoul(s + 2, &stop, 16);

		if (stop != end || v > 0xff || !isxdigit((unsigned char)s[2]))
			goto bad;
		*flags = (unsigned)v;
		return 0;
	}
	if ((end - s == 4 && !strncasecmp(s, "null", 4)) ||
	    (end - s == 4 && !strncasecmp(s, "none", 4))) {
		*flags = 0;
		return 0;
	}
	if ((end - s == 4 && !strncasecmp(s, "xmas", 4)) ||
	    (end - s == 9 && !strncasecmp(s, "christmas", 9))) {
		*flags = TD_TCPF_FIN | TD_TCPF_PSH | TD_TCPF_URG;
		return 0;
	}
	while (s < end) {
		const char *t = s;

		while (s < end && !is_flag_separator(*s))
			s++;
		if (s > t) {
			if (!flag_token(t, (size_t)(s - t), &bits))
				goto bad;
			ntok++;
		}
		while (s < end && is_flag_separator(*s))
			s++;
	}
	if (!ntok)
		goto bad;
	*flags = bits;
	return 0;
bad:
	return td_err_set(err, -TD_EPARSE,
			  "'%.40s' is not a TCP flag combination (e.g. SYN+ACK, syn,ack, SA, [S.], "
			  "0x12, NULL, XMAS)",
			  text);
}

/* ---- lookup ---- */

/* Calls fn for each spelling an entry lists: its name, then each alias. */
static bool any_spelling(const struct td_kb_entry *e,
			 bool (*fn)(const char *s, size_t len, const void *arg), const void *arg)
{
	const char *a, *bar;

	if (fn(e->name, strlen(e->name), arg))
		return true;
	for (a = e->aliases; a && *a; a = bar + 1) {
		bar = strchr(a, '|');
		if (!bar)
			return fn(a, strlen(a), arg);
		if (fn(a, (size_t)(bar - a), arg))
			return true;
	}
	return false;
}

static bool spelling_is_key(const char *s, size_t len, const void *arg)
{
	char key[KEY_MAX];

	return make_key(s, len, key) && !strcmp(key, arg);
}

static bool spelling_has_flags(const char *s, size_t len, const void *arg)
{
	char buf[KEY_MAX];
	unsigned bits;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return td_kb_parse_flags(buf, &bits, NULL) == 0 && bits == *(const unsigned *)arg;
}

static const struct td_kb_entry *find_by_value(enum td_kb_kind kind, int value)
{
	size_t i;

	for (i = 0; i < N_ENTRIES; i++)
		if (entries[i].kind == kind && entries[i].value == value)
			return &entries[i];
	return NULL;
}

/* A single state in any spelling; groups ("all", "connected") are not topics. */
static const struct td_kb_entry *find_state(const char *topic)
{
	uint32_t mask;

	if (td_state_parse(topic, &mask, NULL) < 0)
		return NULL;
	/* td_state_parse adds NEW_SYN_RECV to SYN_RECV for filters; here
	 * SYN_RECV means the RFC state, which has an entry of its own. */
	if (mask == (TD_STATE_BIT(TD_SYN_RECV) | TD_STATE_BIT(TD_NEW_SYN_RECV)))
		return find_by_value(TD_KB_STATE, TD_SYN_RECV);
	for (int st = 1; st <= TD_STATE_MAX; st++)
		if (mask == TD_STATE_BIT(st))
			return find_by_value(TD_KB_STATE, st);
	return NULL;
}

/* "104" or "-104" (the kernel's spelling). -1 if topic is not a number. */
static int errno_number(const char *topic)
{
	const char *s = topic;
	char *stop;
	long v;

	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &stop, 10);
	if (errno || *stop || v > 100000)
		return -1;
	return (int)v;
}

/* The highest errno value worth scanning for names. */
#define ERRNO_SCAN_MAX 4096

/* Number of an errno name this C library knows ("ENOENT"), or -1. */
static int errno_by_name(const char *topic)
{
	for (int e = 1; e < ERRNO_SCAN_MAX; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcasecmp(name, topic))
			return e;
	}
	return -1;
}

/* An errno entry whose strerror() text is the topic: people paste
 * "Connection reset by peer" straight from a log, or glibc's Chinese
 * "连接被对方重设" from a machine whose locale is zh_CN. */
static const struct td_kb_entry *find_by_message(const char *topic)
{
	size_t i;

	for (i = 0; i < N_ENTRIES; i++) {
		struct td_kb_tr zh;

		if (entries[i].kind != TD_KB_ERRNO)
			continue;
		if (!strcasecmp(strerror(entries[i].value), topic))
			return &entries[i];
		if (td_kb_text(&entries[i], TD_KB_ZH, &zh) && zh.message &&
		    !strcmp(zh.message, topic))
			return &entries[i];
	}
	return NULL;
}

/* A Chinese alias, case and blanks ignored as for the English ones. */
static const struct td_kb_entry *find_by_translation(const char *key)
{
	for (int l = TD_KB_EN + 1; l <= TD_KB_LANG_MAX; l++) {
		size_t n, i, k;
		const struct td_kb_tr *t = td_kb_translations((enum td_kb_lang)l, &n);

		for (i = 0; i < n; i++) {
			struct td_kb_entry pseudo = { .name = t[i].name, .aliases = t[i].aliases };

			if (!t[i].aliases || !any_spelling(&pseudo, spelling_is_key, key))
				continue;
			for (k = 0; k < N_ENTRIES; k++)
				if (!strcmp(entries[k].name, t[i].name))
					return &entries[k];
		}
	}
	return NULL;
}

/* "errno 104", "errno=104", "errno: ECONNRESET", "error 104" as they are
 * typed or copied from a log: the part after the word. NULL if none. */
static const char *after_errno_word(const char *topic)
{
	static const char *const words[] = { "errno", "error", "err" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		const char *s = topic + n;

		if (strncasecmp(topic, words[i], n))
			continue;
		if (*s != ' ' && *s != '=' && *s != ':' && *s != '#' && *s != '\t')
			continue;
		while (*s == ' ' || *s == '=' || *s == ':' || *s == '#' || *s == '\t')
			s++;
		return *s ? s : NULL;
	}
	return NULL;
}

/* Counter spellings: "TcpExt.ListenOverflows", nstat's
 * "TcpExtListenOverflows", the bare "ListenOverflows", and our Prometheus
 * name "tcpdoctor_netstat_tcp_ext_listen_overflows_total". */
static const struct td_kb_entry *find_counter(const char *topic)
{
	static const char *const files[] = { "snmp_", "netstat_", "sockstat6_", "sockstat_" };
	char buf[KEY_MAX], key[KEY_MAX], name[KEY_MAX];
	const char *s = topic;
	size_t n = 0, i;

	if (!strncmp(s, "tcpdoctor_", 10)) {
		s += 10;
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			if (!strncmp(s, files[i], strlen(files[i]))) {
				s += strlen(files[i]);
				break;
			}
	}
	for (; *s && n + 1 < sizeof(buf); s++)
		if (*s != '.' && *s != ':')
			buf[n++] = *s;
	buf[n] = '\0';
	if (n > 6 && !strcmp(buf + n - 6, "_total"))
		buf[n -= 6] = '\0';
	if (*s || !make_key(buf, n, key) || !key[0])
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < N_ENTRIES; i++) {
			const struct td_kb_entry *e = &entries[i];
			const char *dot = strchr(e->name, '.');
			size_t k = 0;

			if (e->kind != TD_KB_COUNTER || !dot)
				continue;
			/* Pass 0: group and name; pass 1: the name alone. */
			for (const char *p = pass ? dot + 1 : e->name; *p && k + 1 < sizeof(name);
			     p++)
				if (*p != '.')
					name[k++] = *p;
			name[k] = '\0';
			if (spelling_is_key(name, k, key))
				return e;
		}
	}
	return NULL;
}

/* Sysctl spellings: "tcp_fin_timeout", "net.ipv4.tcp_fin_timeout",
 * "net/ipv4/tcp_fin_timeout", "/proc/sys/net/ipv4/tcp_fin_timeout", and a
 * sysctl.conf line's left side ("net.ipv4.tcp_fin_timeout = 30"). */
static const struct td_kb_entry *find_sysctl(const char *topic)
{
	char path[KEY_MAX], key[KEY_MAX], base[KEY_MAX];
	const char *s = topic;
	size_t n = 0, i;

	if (!strncmp(s, "/proc/sys/", 10))
		s += 10;
	while (*s == '/' || *s == '.')
		s++;
	for (; *s && *s != '=' && n + 1 < sizeof(path); s++)
		path[n++] = *s == '/' ? '.' : *s;
	if (*s && *s != '=')
		return NULL;
	path[n] = '\0';
	if (!make_key(path, n, key) || !key[0])
		return NULL;
	for (i = 0; i < N_ENTRIES; i++) {
		const struct td_kb_entry *e = &entries[i];
		const char *dot = strrchr(e->name, '.');

		if (e->kind != TD_KB_SYSCTL)
			continue;
		if (spelling_is_key(e->name, strlen(e->name), key))
			return e;
		if (!strchr(key, '.') && dot && make_key(dot + 1, strlen(dot + 1), base) &&
		    !strcmp(base, key))
			return e;
	}
	return NULL;
}

struct score_arg {
	const char *key; /* the topic as a key */
	int best;
};

/* 100 per edit; a topic found inside a longer name ("keepalive" in
 * tcp_keepalive_time) ranks above a one-letter typo of something else. */
static bool score_spelling(const char *s, size_t len, const void *arg)
{
	struct score_arg *sa = (struct score_arg *)arg;
	char key[KEY_MAX];
	size_t tl = strlen(sa->key);
	int score;

	make_key(s, len, key);
	score = 100 * td_edit_distance(sa->key, key);
	if (tl >= 3 && strstr(key, sa->key)) {
		int sub = 50 + (int)(strlen(key) - tl);

		if (sub < score)
			score = sub;
	}
	if (score < sa->best)
		sa->best = score;
	return false;
}

static int entry_score(const struct td_kb_entry *e, const char *key)
{
	struct score_arg sa = { key, 1 << 30 };
	const char *dot;

	any_spelling(e, score_spelling, &sa);
	for (int l = TD_KB_EN + 1; l <= TD_KB_LANG_MAX; l++) {
		const struct td_kb_tr *t = find_tr(e, (enum td_kb_lang)l);
		struct td_kb_entry pseudo;

		if (t && t->aliases) {
			pseudo = (struct td_kb_entry){ .name = e->name, .aliases = t->aliases };
			any_spelling(&pseudo, score_spelling, &sa);
		}
	}
	/* Sysctls are typed without their "net.ipv4." most of the time. */
	if (e->kind == TD_KB_SYSCTL && (dot = strrchr(e->name, '.')))
		score_spelling(dot + 1, strlen(dot + 1), &sa);
	return sa.best;
}

static void nearest_names(const char *topic, const char *nearest[TD_KB_NEAREST])
{
	int scores[TD_KB_NEAREST];
	char key[KEY_MAX];
	size_t i, k;

	make_key(topic, strlen(topic), key); /* a long topic is cut, which is fine here */
	for (k = 0; k < TD_KB_NEAREST; k++) {
		nearest[k] = NULL;
		scores[k] = 1 << 30;
	}
	for (i = 0; i < N_ENTRIES; i++) {
		int sc = entry_score(&entries[i], key);

		/* Insert into the sorted top list; equal scores keep table order. */
		for (k = 0; k < TD_KB_NEAREST; k++) {
			if (!nearest[k] || sc < scores[k]) {
				for (size_t m = TD_KB_NEAREST - 1; m > k; m--) {
					nearest[m] = nearest[m - 1];
					scores[m] = scores[m - 1];
				}
				nearest[k] = entries[i].name;
				scores[k] = sc;
				break;
			}
		}
	}
}

/* The message in the reader's language; both arms of each ?: are literal
 * formats, so the compiler checks them. */
static int not_found(const char *topic, enum td_kb_lang lang, const char *nearest[TD_KB_NEAREST],
		     struct td_err *err)
{
	const char *near[TD_KB_NEAREST];
	bool zh = lang == TD_KB_ZH;
	char shown[52];
	int num = errno_number(topic);

	td_printable(topic, shown, sizeof(shown));
	nearest_names(topic, near);
	if (nearest)
		memcpy(nearest, near, sizeof(near));
	if (num < 0 && (topic[0] == 'E' || topic[0] == 'e'))
		num = errno_by_name(topic);
	if (num >= 0) {
		const char *name = strerrorname_np(num);

		if (name)
			return td_err_set(
				err, -TD_ENOTFOUND,
				zh ? "没有 '%s' 的 tcpdoctor 条目：errno %d 是 %s，本机的消息为 "
				     "\"%s\""
				     "（tcpdoctor explain --list --kind errno 列出已解释的 errno）"
				   : "no tcpdoctor entry for '%s': errno %d is %s, \"%s\" here "
				     "(tcpdoctor explain --list --kind errno shows the ones "
				     "explained)",
				shown, num, name, strerror(num));
		return td_err_set(
			err, -TD_ENOTFOUND,
			zh ? "没有 '%s' 的条目：本机没有这个编号的 errno"
			     "（tcpdoctor explain --list --kind errno 列出已解释的 errno）"
			   : "no entry for '%s': no errno has that number here "
			     "(tcpdoctor explain --list --kind errno shows the ones explained)",
			shown);
	}
	return td_err_set(err, -TD_ENOTFOUND,
			  zh ? "没有 '%s' 的条目；最接近的：%s、%s、%s"
			       "（tcpdoctor explain --list 列出全部主题）"
			     : "no entry for '%s'; nearest: %s, %s, %s "
			       "(tcpdoctor explain --list shows every topic)",
			  shown, near[0] ? near[0] : "-", near[1] ? near[1] : "-",
			  near[2] ? near[2] : "-");
}

int td_kb_find(const char *topic, const struct td_kb_entry **entry,
	       const char *nearest[TD_KB_NEAREST], struct td_err *err)
{
	return td_kb_find_lang(topic, TD_KB_EN, entry, nearest, err);
}

int td_kb_find_lang(const char *topic, enum td_kb_lang lang, const struct td_kb_entry **entry,
		    const char *nearest[TD_KB_NEAREST], struct td_err *err)
{
	const struct td_kb_entry *e = NULL;
	const char *rest;
	char key[KEY_MAX];
	unsigned flags;
	int num;
	size_t i;

	if (!topic || !entry)
		return td_err_set(err, -EINVAL, "td_kb_find: no topic or no place for the entry");
	if (nearest)
		for (i = 0; i < TD_KB_NEAREST; i++)
			nearest[i] = NULL;
	if (!topic[0] || !make_key(topic, strlen(topic), key) || !key[0])
		return not_found(topic, lang, nearest, err);

	/* An entry's own name or alias first, so "CLOSE" is the state and
	 * "NULL" the scan, whatever the parsers below would make of them. */
	for (i = 0; i < N_ENTRIES && !e; i++)
		if (any_spelling(&entries[i], spelling_is_key, key))
			e = &entries[i];
	if (!e)
		e = find_by_translation(key);
	if (!e)
		e = find_state(topic);
	if (!e && (num = errno_number(topic)) >= 0)
		e = find_by_value(TD_KB_ERRNO, num);
	if (!e && (rest = after_errno_word(topic)))
		return td_kb_find_lang(rest, lang, entry, nearest, err);
	if (!e)
		e = find_by_message(topic);
	if (!e && td_kb_parse_flags(topic, &flags, NULL) == 0)
		for (i = 0; i < N_ENTRIES && !e; i++)
			if (entries[i].kind == TD_KB_FLAGS &&
			    any_spelling(&entries[i], spelling_has_flags, &flags))
				e = &entries[i];
	if (!e)
		e = find_sysctl(topic);
	if (!e)
		e = find_counter(topic);
	if (!e)
		return not_found(topic, lang, nearest, err);
	*entry = e;
	return 0;
}
