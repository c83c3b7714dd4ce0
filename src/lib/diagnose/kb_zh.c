/* 知识库的中文（zh_CN）文本：每行按英文条目的名字对应 kb.c 的一行。
 * The Chinese text of the knowledge base, one row per entry of kb.c, found
 * by the entry's name. next and refs are not repeated: commands and
 * references read the same in both languages. Terms follow docs/explain.md's
 * glossary (三次握手, 四次挥手, 半连接队列, 全连接队列, 保活, 重传, 零窗口...). */
#include "diagnose/kb_zh.h"

/* clang-format off */
static const struct td_kb_tr rows[] = {
	/* ---- 状态 ---- */
	{ "LISTEN", "监听|监听状态", NULL,
	  "服务端套接字在等待连接：已调用 listen()",
	  "该套接字应答发往其地址和端口的 SYN。每个 SYN 生成一个请求套接字（SYN_RECV），"
	  "放在半连接队列里；"
	  "三次握手完成后连接移入全连接队列（accept 队列），等待应用调用 accept()。"
	  "对监听套接字，Recv-Q 是全连接队列当前长度，Send-Q 是 backlog：min(listen() 参数, "
	  "net.core.somaxconn)。",
	  "只有服务端会看到，服务运行期间一直存在。客户端套接字永远不会处于 LISTEN。",
	  "某个服务在该端口调用了 listen()\n"
	  "Recv-Q 接近 Send-Q：应用 accept 太慢，新完成的握手被丢弃（TcpExtListenOverflows 增长）\n"
	  "应有的 LISTEN 不存在：客户端收到 ECONNREFUSED" },
	{ "SYN_SENT", "同步已发送", NULL,
	  "connect() 已发出 SYN，正在等待对端的 SYN+ACK",
	  "主动打开的第一步。内核按指数退避重传 SYN（1 秒、2 秒、4 秒……），最多 "
	  "net.ipv4.tcp_syn_retries 次，"
	  "之后 connect() 以 ETIMEDOUT 失败。若对端回 RST，立即以 ECONNREFUSED 失败；收到 ICMP "
	  "不可达则为 "
	  "EHOSTUNREACH 或 ENETUNREACH。",
	  "客户端，在 connect() 与对端应答之间。正常只持续一个往返时间；"
	  "停留数秒的套接字说明对面没人应答。",
	  "对端主机宕机或地址错误，没有人应答 ARP 或路由 SYN\n"
	  "防火墙静默丢弃 SYN（DROP 而不是 REJECT）\n"
	  "服务端半连接队列已满并丢弃 SYN（SYN 洪水且未开 syncookies）\n"
	  "非对称路由或 NAT 在回程丢失了 SYN+ACK" },
	{ "SYN_RECV", "同步已接收|SYN_RCVD", NULL,
	  "收到 SYN 并已回复 SYN+ACK，正在等待最后的 ACK",
	  "三次握手的被动一方（RFC 的 SYN-RECEIVED）。Linux 中这一阶段的连接是一个小的请求套接字 "
	  "TCP_NEW_SYN_RECV，放在监听套接字的半连接队列里，直到客户端的 ACK "
	  "到达才创建完整套接字并放入全连接队列。"
	  "ss 和 /proc 把请求套接字显示为 SYN_RECV。完整套接字只有在 TCP Fast Open "
	  "或同时打开时才处于 SYN_RECV。",
	  "服务端，每个连接持续一个往返时间。同时有成百上千个，说明 ACK 没有回来。",
	  "来自伪造地址的 SYN 洪水（SYN+ACK 发往无人之处）\n"
	  "客户端消失，或防火墙丢弃了客户端最后的 ACK\n"
	  "回程路径丢失 SYN+ACK（非对称路由、MTU、NAT）\n"
	  "SYN+ACK 的重传次数由 net.ipv4.tcp_synack_retries 决定" },
	{ "ESTABLISHED", "已建立|连接已建立", NULL,
	  "握手完成：数据双向流动",
	  "打开的连接的正常状态。TCP 本身不会让空闲的 ESTABLISHED 连接超时："
	  "没有保活（keepalive）或 "
	  "TCP_USER_TIMEOUT 时，它一直存在，直到一方关闭、收到 RST，"
	  "或向已死的对端发送数据时重传耗尽"
	  "（net.ipv4.tcp_retries2，约 15 分钟）。",
	  "双方都会看到，从握手完成到第一个 FIN 或 RST。",
	  "正常流量，或长连接池和流\n"
	  "半打开连接：对端重启或 NAT、防火墙丢了状态；本端只有在发送时才会发现\n"
	  "Send-Q 增长：对端或路径跟不上\n"
	  "Recv-Q 增长：本端应用没有读取" },
	{ "FIN_WAIT1", "终止等待1|FIN_WAIT_1", NULL,
	  "本端先关闭并发出 FIN，正在等待它被确认",
	  "close() 或 shutdown(SHUT_WR) 在未发送数据之后排入一个 FIN。对端确认 FIN 后进入 "
	  "FIN_WAIT2；"
	  "对端同时发来自己的 FIN 则进入 CLOSING；两者同时发生则进入 TIME_WAIT。"
	  "正常只持续一个往返时间。",
	  "先关闭的一方（主动关闭方），在它调用 close() 与对端确认 FIN 之间。",
	  "对端不再读取：接收窗口为零，我们的数据和 FIN 发不出去，内核在做窗口探测\n"
	  "对端或路径已不在；FIN 一直重传，直到 net.ipv4.tcp_orphan_retries（孤儿套接字）或 "
	  "tcp_retries2 放弃\n"
	  "大量且 Send-Q 很大：对端消费者很慢或卡住" },
	{ "FIN_WAIT2", "终止等待2|FIN_WAIT_2", NULL,
	  "我们的 FIN 已被确认，正在等待对端关闭它的一侧",
	  "连接处于半关闭：本端不再发送数据，对端仍可发送。RFC 9293 允许这种状态永远持续。"
	  "Linux 只对孤儿套接字（应用已 close()）设限：net.ipv4.tcp_fin_timeout（60 "
	  "秒）后内核将其丢弃。"
	  "应用在 shutdown(SHUT_WR) 后仍持有的套接字，会一直等到对端关闭为止。",
	  "主动关闭方，在对端确认了它的 FIN 之后。此时对端处于 CLOSE_WAIT。",
	  "对端应用没有调用 close()：去对端查 CLOSE_WAIT\n"
	  "有意的半关闭（shutdown(SHUT_WR)），在等响应的剩余部分\n"
	  "对端确认了我们的 FIN 之后消失" },
	{ "TIME_WAIT", "时间等待|TIME-WAIT过多|端口耗尽", NULL,
	  "连接已关闭；它的地址四元组被保留 60 秒",
	  "双方 FIN 交换完毕后，先关闭的一方保留该四元组，防止本连接迟到的报文被新连接误收，"
	  "并在对端 FIN 重传时能重发最后的 ACK。RFC 9293 要求 2MSL；Linux 固定为 60 "
	  "秒（TCP_TIMEWAIT_LEN），"
	  "不可调：tcp_fin_timeout 不影响它。内核只保留一个小的 timewait 结构，"
	  "没有文件描述符和缓冲区。",
	  "只有主动关闭方：先调用 close() 的一方。被动关闭方经 LAST_ACK 直接到 CLOSED。",
	  "本端先关闭的每个连接之后都正常出现\n"
	  "数以万计：对同一目的地的大量短连接；临时端口耗尽后 connect() 以 EADDRNOTAVAIL 失败\n"
	  "先关闭的服务端（HTTP/1.0 无 keep-alive）会在监听端口上积累它们；只要不到上限就无害" },
	{ "CLOSE", "关闭|CLOSED|未连接", NULL,
	  "没有连接：新建、失败或已结束的套接字（RFC 的 CLOSED）",
	  "内核的 TCP_CLOSE 就是 RFC 9293 的 CLOSED。套接字在 connect() 或 listen() 之前、收到 "
	  "RST 之后、"
	  "connect 失败之后以及每次关闭的最后都处于此状态。ss 显示为 UNCONN。"
	  "这样的套接字仍占用文件描述符，"
	  "若已绑定也占用端口。",
	  "任一方：应用仍持有一个连接已消失或从未存在的套接字。",
	  "已创建并绑定、但尚未 connect 或 listen 的套接字\n"
	  "连接被对端重置，应用还没有察觉\n"
	  "connect() 失败后应用仍保留着套接字" },
	{ "CLOSE_WAIT", "关闭等待|等待关闭", NULL,
	  "对端已关闭；本端尚未调用 close()",
	  "对端发来 FIN，内核已确认；本端 read() 会返回 0（文件结束）。连接停在这里，"
	  "直到应用调用 close() "
	  "或 shutdown()。内核没有任何计时器结束 CLOSE_WAIT：数量只增不减就是应用的泄漏，最终以 "
	  "EMFILE 告终。",
	  "被动关闭方，即对端先关闭的一方。对端此时处于 FIN_WAIT2。",
	  "应用没有检查 read() 返回 0，或在错误路径上忘了 close()\n"
	  "连接池不检测服务端已关闭的空闲连接\n"
	  "线程阻塞在别处，始终没有读到文件结束" },
	{ "LAST_ACK", "最后确认", NULL,
	  "双方都已关闭；正在等待我们 FIN 的 ACK",
	  "被动关闭方在 CLOSE_WAIT 中调用 close() 后发出自己的 FIN，进入 LAST_ACK。收到 ACK 即到 "
	  "CLOSED，"
	  "没有 TIME_WAIT。正常只持续一个往返时间；收不到 ACK 时 FIN 会重传，直到 "
	  "tcp_orphan_retries 放弃。",
	  "被动关闭方，在它关闭之后。",
	  "对端在发出 FIN 后已消失或重置\n"
	  "防火墙在第一个 FIN 后就忘了该流\n"
	  "回程路径丢失我们的 FIN 或对端的 ACK" },
	{ "CLOSING", "同时关闭", NULL,
	  "双方同时发出 FIN；正在等待我们 FIN 的 ACK",
	  "本端发出 FIN 后，在收到对它的确认之前先收到了对端的 FIN：这是同时关闭。收到 ACK "
	  "后进入 TIME_WAIT。"
	  "很少见，且只持续一个往返时间；持续存在说明 ACK 丢失。",
	  "同时关闭的双方。",
	  "两端应用几乎同时 close()\n"
	  "ACK 在路上丢失（lab 的 every-state 场景故意丢弃它们）" },
	{ "NEW_SYN_RECV", "请求套接字|半连接", NULL,
	  "内核的请求套接字：被动打开的半连接（RFC 的 SYN-RECEIVED）",
	  "Linux 4.4 起，收到 SYN 后内核不再创建完整套接字，而是一个小的请求套接字，状态为 "
	  "TCP_NEW_SYN_RECV，"
	  "挂在监听套接字的半连接队列上。ss 和 /proc 把它显示为 SYN_RECV；没有文件描述符，"
	  "也不属于任何进程。",
	  "服务端，握手进行期间。",
	  "正常握手，每个持续一个往返时间\n"
	  "大量存在：SYN 洪水，或客户端的 ACK 没有回来" },
	/* ---- 标志位 ---- */
	{ "SYN", "同步", NULL,
	  "打开连接：握手的第一个报文段",
	  "携带初始序列号和双方将使用的选项（MSS、窗口缩放、SACK 许可、时间戳）。"
	  "只在主动打开的第一个报文段合法。"
	  "监听套接字回 SYN+ACK，关闭的端口回 RST+ACK（RFC 9293 3.10.7.1）。已建立连接中收到的 SYN "
	  "得到一个挑战 ACK（RFC 5961）。",
	  "客户端在 SYN_SENT 中发出，服务端的监听套接字收到。无应答时在 1 秒、2 秒、4 秒……后重传。",
	  "connect()\n"
	  "端口扫描（nmap -sS 发 SYN，收到应答后重置）\n"
	  "SYN 洪水：大量来自伪造源的 SYN，没有最后的 ACK" },
	{ "SYN+ACK", "同步确认", NULL,
	  "服务端对 SYN 的应答：接受连接",
	  "确认客户端的 SYN，并带上服务端自己的序列号和选项。客户端回 ACK，它的 connect() 返回。"
	  "对不上任何 SYN_SENT 套接字的 SYN+ACK 会得到 RST。同时打开时双方各发一个。",
	  "服务端从请求套接字（SYN_RECV）发出，客户端在 SYN_SENT 中收到。最后的 ACK 不来时最多重传 "
	  "tcp_synack_retries 次。",
	  "监听套接字接受了一个 SYN（开启 syncookies 时 cookie 就是序列号）\n"
	  "重复的 SYN+ACK：客户端最后的 ACK 丢失，或客户端地址是伪造的（SYN 洪水）" },
	{ "ACK", "确认", NULL,
	  "确认数据、SYN 或 FIN；握手之后每个报文都带 ACK",
	  "确认号告诉对端哪些字节已经到达。RFC 9293 要求连接同步后每个报文段都带 ACK，所以单独的 "
	  "ACK "
	  "是握手的最后一步、纯确认、窗口更新、保活探测，或表示丢包的重复 ACK。"
	  "不属于任何已知连接的 ACK 会得到 RST。",
	  "双方，始终。",
	  "正常流量\n"
	  "同一个确认号反复出现（重复 ACK）：有报文段丢失，随后是快速重传\n"
	  "单独的 ACK 被回以 RST：一方已经忘了连接（半打开），或 ACK 扫描（nmap -sA）在探测防火墙" },
	{ "PSH+ACK", "推送", NULL,
	  "接收方应立即交给应用而不等待的数据",
	  "PSH 标出一次写入的结尾：发送方此刻没有更多待发数据。Linux "
	  "在一次发送的最后一个报文段上设置它，"
	  "接收时则忽略它，因为数据总是立即交付。PSH+ACK 只是最常见的数据报文段。握手之后不带 "
	  "ACK 的 PSH 不合法。",
	  "双方，只要在发送数据。",
	  "把发送队列发空的一次 send() 或 write()\n"
	  "批量传输只在部分报文段上设置 PSH，这是正常的" },
	{ "FIN+ACK", "结束", NULL,
	  "本端已发送完毕：有序关闭一个方向",
	  "FIN 占用一个序列号，意思是“我不再发数据”。另一个方向保持打开，直到对端发出自己的 "
	  "FIN（半关闭）。"
	  "接收方确认它，其 read() 返回 0。FIN+PSH+ACK 相同，只是报文里带着最后的数据。"
	  "每个合法的 FIN 都带 ACK。",
	  "先由主动关闭方发出（进入 FIN_WAIT1），再由被动关闭方在其应用也关闭时发出（CLOSE_WAIT "
	  "到 LAST_ACK）。",
	  "close() 或 shutdown(SHUT_WR)\n"
	  "进程退出：内核关闭它的套接字\n"
	  "对端的 FIN 之后始终没有我们的 FIN：本应用把套接字留在了 CLOSE_WAIT" },
	{ "FIN", "FIN扫描", NULL,
	  "不带 ACK 的 FIN：正常协议栈不会发送；FIN 扫描",
	  "握手之后 RFC 9293 要求每个报文段都带 ACK 位，所以单独的 FIN 不属于任何连接。"
	  "扫描器发送它（nmap -sF），"
	  "以绕过只拦截 SYN 的过滤器：关闭的端口回 RST+ACK，监听套接字静默丢弃既无 SYN、RST 也无 "
	  "ACK 的报文，"
	  "所以没有回应意味着开放或被过滤。Linux 在这点上遵循 RFC。",
	  "被扫描的主机，以及防火墙或 IDS 日志；正常的客户端和服务端永远不会。",
	  "FIN 扫描（nmap -sF）\n"
	  "构造或损坏的报文" },
	{ "RST", "重置|复位", NULL,
	  "中止：连接被重置，而不是关闭",
	  "RST 让对端立即丢弃连接；未发送和未读取的数据都丢失。它从不被确认。"
	  "只有序列号恰好是期望值时才被接受；"
	  "在窗口内但不精确的会得到挑战 ACK（RFC 5961）。回应带 ACK 报文的 RST 不带 ACK；"
	  "回应不带 ACK 的报文（SYN）"
	  "的是 RST+ACK。",
	  "任一方或中间设备发出。接收方挂起的和下一次调用失败：SYN_SENT 中为 ECONNREFUSED，"
	  "CLOSE_WAIT 中为 EPIPE，"
	  "其他情况为 ECONNRESET。",
	  "发给主机不认识的连接的报文：对端重启、进程已死、套接字已关闭\n"
	  "带未读数据的 close()，或 SO_LINGER 超时为 0\n"
	  "防火墙、负载均衡或 NAT 杀掉空闲或不需要的连接\n"
	  "全连接队列满且 tcp_abort_on_overflow=1" },
	{ "RST+ACK", "重置确认", NULL,
	  "同时带确认的重置：对关闭端口上 SYN 的应答",
	  "效果与 RST 相同。关闭的端口用 RST+ACK 回应 SYN（或任何不带 ACK 的报文），"
	  "客户端据此把它与自己的 SYN 对应上："
	  "connect() 以 ECONNREFUSED 失败。Linux 中止自己的连接时（SO_LINGER 0、带未读数据的 "
	  "close()、孤儿过多）发出的重置也带 ACK。",
	  "无人监听时，客户端在发出 SYN 后立刻看到；或被中止的已打开连接的任一方。",
	  "端口上没有监听（服务未运行或正在重启），或防火墙 REJECT --reject-with tcp-reset\n"
	  "应用中止：SO_LINGER 0、带未读数据的 close()\n"
	  "内核杀掉孤儿（tcp_max_orphans、内存压力）" },
	{ "URG", "紧急", NULL,
	  "设置了紧急指针：带外数据（几乎无人使用）",
	  "URG 表示紧急指针有效：流中有一部分数据是紧急的（telnet 中断、FTP 中止）。除非设置了 "
	  "SO_OOBINLINE，"
	  "Linux 把其中一个字节以带外方式（MSG_OOB）交付。RFC 6093 告诫新应用不要使用它。与 ACK "
	  "一起合法；"
	  "与 FIN、PSH 一起且不带 ACK 则是 XMAS 扫描。",
	  "老式交互协议的双方；除此之外只有扫描器和 IDS 日志。",
	  "telnet 或 rlogin 中断、FTP ABOR\n"
	  "与 FIN 和 PSH 一起出现时是 XMAS 扫描的一部分" },
	{ "ECE", "ECN回显", NULL,
	  "ECN 回显：接收方看到了拥塞标记并告知发送方",
	  "协商了 ECN 后，路由器标记报文（IP 头中的 CE）而不是丢弃；接收方在 ACK 上设置 ECE，"
	  "直到发送方以 CWR 回应。"
	  "发送方像遇到丢包一样减速，却什么也没丢。连接中的 ECE+ACK 合法；出现在 SYN 或 SYN+ACK "
	  "上则是 ECN 协商。",
	  "数据接收方设置，数据发送方响应；只出现在协商了 ECN 的连接上（net.ipv4.tcp_ecn）。",
	  "带 ECN 标记队列（fq_codel、L4S）的路径上发生拥塞\n"
	  "中间设备自行设置或保留 ECE（如今少见）" },
	{ "CWR", "拥塞窗口已减", NULL,
	  "拥塞窗口已减小：发送方已回应 ECE",
	  "数据发送方因 ECE 降低拥塞窗口后发出，让接收方可以停止回显。ECN 连接上 CWR 带 ACK "
	  "是合法的；"
	  "SYN 上 CWR 与 ECE 同时出现是在请求 ECN。",
	  "数据发送方设置；接收方看到后停止设置 ECE。",
	  "对路径上 ECN 拥塞标记的响应" },
	{ "SYN+ECE+CWR", "ECN协商", NULL,
	  "ECN 协商 SYN：客户端请求使用 ECN",
	  "带 ECE 和 CWR 的 SYN 请求服务端使用显式拥塞通知。愿意的服务端回 SYN+ACK+ECE（不带 "
	  "CWR）；"
	  "其他任何 SYN+ACK 都表示不用 ECN。Linux 只在 net.ipv4.tcp_ecn=1 时请求，"
	  "默认（tcp_ecn=2）在被请求时同意。",
	  "服务端的监听套接字；然后是客户端，在带或不带 ECE 的 SYN+ACK 中。",
	  "tcp_ecn=1 或路由带 ecn 特性的客户端（macOS 和 iOS 默认请求）\n"
	  "ECN 协商 SYN 无应答而普通 SYN 正常：中间设备丢弃了它们；Linux 不带 ECN "
	  "重试（tcp_ecn_fallback）" },
	{ "SYN+FIN", "非法标志", NULL,
	  "SYN 和 FIN 同时出现：非法；扫描或 IDS 规避",
	  "打开和关闭同时请求，没有任何合法协议栈这样做。防火墙应该丢弃。",
	  "被扫描的主机。",
	  "扫描器或构造的流量" },
	{ "SYN+RST", "矛盾标志", NULL,
	  "SYN 和 RST 同时出现：自相矛盾；构造的流量",
	  "打开与中止同时请求，是构造出来的报文。",
	  "被扫描或被攻击的主机。",
	  "扫描器、模糊测试或攻击工具" },
	{ "NULL", "空扫描", NULL,
	  "没有任何标志：NULL 扫描",
	  "不设任何标志位的报文段不可能属于正常连接。扫描器用它探测：关闭端口回 RST，"
	  "开放端口不回应。",
	  "被扫描的主机。",
	  "nmap -sN 之类的扫描" },
	{ "XMAS", "圣诞树扫描", NULL,
	  "FIN+PSH+URG 且无 ACK：圣诞树扫描",
	  "像圣诞树一样“点亮”多个标志位的报文，用于探测端口和操作系统指纹。",
	  "被扫描的主机。",
	  "nmap -sX 之类的扫描" },
	/* ---- errno（消息取自 glibc 的 zh_CN 翻译 libc.mo） ---- */
	{ "EINPROGRESS", "操作正在进行", "操作现在正在进行",
	  "非阻塞 connect() 已开始；结果稍后才知道",
	  "非阻塞套接字上的 connect() 不等握手完成就返回。这不是错误：用 poll/epoll 等待可写，"
	  "再用 getsockopt(SO_ERROR) 取结果：0 表示已连接，否则是真正的错误（ECONNREFUSED、"
	  "ETIMEDOUT……）。",
	  "客户端应用，在每次非阻塞连接时。",
	  "正常的非阻塞 connect()\n"
	  "应用把它当成失败：代码缺陷" },
	{ "EALREADY", NULL, "操作已经在进行",
	  "第一次连接尚在进行时又调用了 connect()",
	  "非阻塞 connect() 仍在 SYN_SENT 中，应用又调了一次 connect()。应等待可写事件再读 "
	  "SO_ERROR，而不是重复调用。",
	  "客户端应用。",
	  "用循环重复调用 connect() 代替 poll\n"
	  "握手很慢（对端无应答）时的重试逻辑" },
	{ "ECONNREFUSED", "连接被拒绝|连接拒绝", "拒绝连接",
	  "连接被拒绝：对端用 RST 回应了 SYN",
	  "目标主机收到了 SYN，但该端口上没有监听套接字，于是内核回 RST+ACK。也可能是防火墙以 "
	  "tcp-reset 拒绝，"
	  "或 ICMP 端口不可达。这说明主机可达，只是服务不在。",
	  "客户端，在 connect() 时（非阻塞时在 SO_ERROR 里）。",
	  "服务没有运行，或监听在别的地址（127.0.0.1 与 0.0.0.0）或端口上\n"
	  "服务正在重启\n"
	  "防火墙 REJECT 规则" },
	{ "ETIMEDOUT", "连接超时|超时", "连接超时",
	  "对端不再应答：重传或探测次数耗尽",
	  "connect() 时：SYN 重传 tcp_syn_retries 次都没有应答。已建立的连接上：数据重传 "
	  "tcp_retries2 次、"
	  "保活探测 tcp_keepalive_probes 次或 TCP_USER_TIMEOUT 到期都没有 ACK。内核放弃连接，"
	  "下一次调用返回它。",
	  "还在发送或探测的一方。",
	  "对端宕机、断网或被防火墙静默丢包\n"
	  "NAT 或防火墙忘了这个流，报文被丢弃\n"
	  "路径上严重丢包" },
	{ "ENOTCONN", NULL, "传输端点尚未连接",
	  "套接字没有连接",
	  "在未连接（或连接已结束）的套接字上调用 send()、recv()、getpeername() 或 shutdown()。"
	  "常见于连接被重置之后，或非阻塞 connect() 尚未完成时。",
	  "应用，在出错的调用处。",
	  "连接已被对端重置或超时\n"
	  "connect() 还没完成就开始读写\n"
	  "对监听套接字调用 send()" },
	{ "EISCONN", NULL, "传输端点已连接",
	  "在已连接的套接字上又调用 connect()",
	  "套接字已经连接。非阻塞 connect() 完成后再次调用 connect() 会得到它，"
	  "有些程序以此判断连接成功。",
	  "客户端应用。",
	  "重复调用 connect()\n"
	  "有目的地址的 sendto() 用在已连接的 TCP 套接字上" },
	{ "ECONNRESET", "连接被重置|连接重置|被对端重置", "连接被对方重设",
	  "连接被对端重置：已打开的连接上收到了 RST",
	  "对端（或中间设备）发送了 RST：连接立即结束，未读和未确认的数据丢失。read() 或 write() "
	  "返回它。"
	  "常见原因是对端带着未读数据关闭、SO_LINGER 为 0，或对端已不认识这个连接。",
	  "收到 RST 的一方，在下一次调用时。",
	  "对端应用崩溃或带着未读数据 close()\n"
	  "对端设置了 SO_LINGER 0 以重置代替关闭\n"
	  "负载均衡或防火墙重置空闲连接\n"
	  "对端重启后回应旧连接的报文" },
	{ "EPIPE", "管道破裂|断开的管道", "断开的管道",
	  "管道破裂：向发送方向已关闭的连接写数据",
	  "本端已 shutdown(SHUT_WR)，或连接已被重置后，再调用 write()/send()。默认同时发送 "
	  "SIGPIPE 信号杀死进程；"
	  "服务器应忽略 SIGPIPE 或使用 MSG_NOSIGNAL。通常是第二次写：第一次写换来了对端的 RST。",
	  "写数据的一方。",
	  "对端已关闭并以 RST 回应了上一次写\n"
	  "本端已调用 shutdown(SHUT_WR) 后仍写\n"
	  "客户端提前断开（HTTP 响应写到一半）" },
	{ "ECONNABORTED", "连接中止", "由软件导致的连接断开",
	  "连接被本机协议栈中止",
	  "Linux 上 TCP 套接字被外部销毁时得到它：ss -K 或任何 SOCK_DESTROY 请求（tcp_abort()）。"
	  "BSD 和 macOS 上，"
	  "在全连接队列中等待时被重置的连接会让 accept() 返回它；Linux 则照常交出这个连接，"
	  "第一次读才失败。"
	  "服务端遇到它应重试 accept()。",
	  "本机应用，在该套接字的下一次调用时，或来自 accept()。",
	  "管理员或工具杀掉了套接字（ss -K）\n"
	  "可移植代码：客户端在服务端 accept 之前放弃了" },
	{ "ENETRESET", NULL, "重置时断开网络连接",
	  "连接被网络重置：Linux TCP 很少返回",
	  "POSIX 和 BSD 在保活探测发现连接断开时使用它，Windows（WSAENETRESET）也一样。Linux TCP "
	  "把保活失败报告为 "
	  "ETIMEDOUT，所以在 Linux 上它来自其他协议，或来自转换错误码的库。",
	  "按 BSD 或 Windows 语义编写的客户端或服务端，或非 TCP 套接字。",
	  "BSD 或 Windows 上的保活失败\n"
	  "库或代理的错误码转换" },
	{ "ENETUNREACH", "网络不可达", "网络不可达",
	  "网络不可达：没有到目标网络的路由",
	  "本机路由表中没有到该网络的路由，或收到 ICMP 网络不可达。connect() "
	  "立即失败（本地无路由）或重传后失败（ICMP）。",
	  "发起连接的一方。",
	  "缺少默认路由或具体路由\n"
	  "IPv6 地址但主机没有 IPv6 连通\n"
	  "路由器回 ICMP 网络不可达" },
	{ "ENETDOWN", NULL, "网络已关闭",
	  "网络已关闭：要使用的接口处于 down 状态",
	  "输出设备没有启用。TCP 很少见到：经过关闭设备的路由通常会消失，得到 ENETUNREACH。"
	  "它出现在绑定了设备的套接字"
	  "（SO_BINDTODEVICE、VRF）以及 UDP 和 packet 套接字上。",
	  "发送的一方。",
	  "网卡 down、链路断开、VPN 接口消失" },
	{ "EHOSTUNREACH", "主机不可达|没有路由", "没有到主机的路由",
	  "没有到主机的路由：下一跳或主机无法到达",
	  "常见于 ARP/邻居发现失败（同网段主机不在线）、ICMP 主机不可达，或路由类型为 "
	  "unreachable/prohibit。"
	  "connect() 在重传期间收到 ICMP 后以它失败。",
	  "发起连接的一方。",
	  "目标主机关机或不在这个网段\n"
	  "防火墙以 icmp-host-unreachable 拒绝\n"
	  "本地路由为 unreachable" },
	{ "EHOSTDOWN", NULL, "主机关闭",
	  "主机关闭：收到“目标主机未知”的 ICMP",
	  "Linux 把 ICMP 目标不可达代码 7（目标主机未知）映射为它，并以它结束握手。很少见："
	  "路由器很少发这个代码。",
	  "客户端，在 connect() 时。",
	  "知道目标主机不存在的路由器" },
	{ "EADDRNOTAVAIL", "端口用尽|无法分配地址", "无法指定被请求的地址",
	  "无法分配请求的地址：没有空闲本地端口，或本机没有该地址",
	  "connect() 找不到空闲的临时端口（ip_local_port_range 中到该目的地的端口都被占用，多为 "
	  "TIME_WAIT），"
	  "或 bind() 的地址不属于本机。",
	  "客户端或代理，在 connect() 或 bind() 时。",
	  "对同一后端的大量短连接，端口都在 TIME_WAIT\n"
	  "ip_local_port_range 太窄\n"
	  "bind() 了一个不在本机的地址（地址还没配置好）" },
	{ "EADDRINUSE", "地址已被占用|端口被占用", "地址已在使用",
	  "地址已在使用：另一个套接字占用了这个地址和端口",
	  "bind() 或 listen() 时，该地址端口已有监听或连接。服务重启时常见：旧连接的 TIME_WAIT "
	  "挡住了端口，"
	  "监听套接字应设置 SO_REUSEADDR。",
	  "服务端启动时；也可能是客户端显式 bind()。",
	  "另一个进程（或旧实例）还在监听\n"
	  "重启时没有设置 SO_REUSEADDR\n"
	  "某个出站连接的临时端口恰好占了服务端口（用 ip_local_reserved_ports）" },
	{ "EMSGSIZE", NULL, "消息过长",
	  "消息过长：数据报装不下",
	  "TCP 是字节流，会把数据切成报文段，正常发送不会返回它。它是 ICMP“需要分片”对应的 "
	  "errno，TCP 把它用于路径 MTU 发现而不是报告给应用；"
	  "UDP 和原始套接字在设置不分片、数据报大于路径 MTU 时得到它。",
	  "UDP 和原始套接字的发送方；对 TCP 只间接地通过 PMTU 发现出现。",
	  "数据报大于 MTU 且设置了不分片\n"
	  "对 TCP：路径上 ICMP 被屏蔽，变成 PMTU 黑洞（大传输卡住）" },
	{ "EDESTADDRREQ", NULL, "需要目标地址",
	  "需要目标地址：发送时没有目的地",
	  "未连接的数据报套接字被要求在没有地址的情况下发送。Linux TCP 不返回它：在从未连接的 "
	  "TCP 套接字上 send() 会以 EPIPE（及 SIGPIPE）失败。"
	  "在 TCP 代码里见到它，通常是某个库把流和数据报套接字一视同仁。",
	  "应用。",
	  "忘记 connect()，或该用 sendto() 的地方用了 send()\n"
	  "把流和数据报套接字混为一谈的库" },
	{ "ENOBUFS", NULL, "没有可用的缓冲区空间",
	  "没有可用的缓冲区空间",
	  "内核无法排队数据或请求。TCP 很少把它返回给应用（本地队列丢包当作丢失处理）。它常见于 "
	  "netlink（转储或事件套接字的接收缓冲区"
	  "溢出）以及设备队列已满时的 UDP。Windows 上 connect() 返回 WSAENOBUFS 表示临时端口用尽。",
	  "发送方，或 netlink 监听者。",
	  "读得太慢的 netlink 监视程序\n"
	  "经过已满 qdisc 的极高发送速率\n"
	  "内存压力" },
	{ "EAGAIN", "资源暂时不可用|EWOULDBLOCK", "资源暂时不可用",
	  "请重试：非阻塞调用会阻塞，或套接字超时到期",
	  "非阻塞套接字上 recv() 没有数据、send() 时发送缓冲区已满、accept() 时全连接队列为空；"
	  "阻塞套接字上 SO_RCVTIMEO 或 "
	  "SO_SNDTIMEO 到期也会返回它。在 Linux 上 EWOULDBLOCK 是同一个数字。",
	  "应用，在非阻塞 I/O 中。",
	  "非阻塞代码中正常：等待就绪后重试\n"
	  "设置了超时：对端慢或沉默\n"
	  "send() 持续 EAGAIN：对端不读（Send-Q 已满）" },
	{ "EINTR", "被中断", "被中断的系统调用",
	  "在发生任何事之前被信号中断",
	  "阻塞的 accept()、connect()、read() 等被信号打断。应重试（或用 SA_RESTART）。"
	  "被中断的 connect() 仍在后台继续，需像非阻塞连接一样等待结果。",
	  "应用，在收到信号时。",
	  "定时器、SIGCHLD 等信号\n"
	  "调试器附加" },
	{ "ESHUTDOWN", NULL, "无法在传输端点关闭以后发送",
	  "传输端点关闭后无法发送：Linux TCP 不返回它",
	  "顾名思义：发送方向关闭之后又发送。Linux TCP 在这种情况下返回 EPIPE（及 SIGPIPE）；"
	  "ESHUTDOWN 来自其他协议和驱动，或转换错误码的库。",
	  "发送方，通常在非 TCP 套接字上。",
	  "在使用它的协议上 shutdown(SHUT_WR) 之后仍写\n"
	  "库或运行时的错误码转换" },
	{ "EMFILE", "文件描述符耗尽|打开文件过多", "打开的文件过多",
	  "本进程打开的文件过多：accept() 和 socket() 失败",
	  "进程达到了 RLIMIT_NOFILE（ulimit -n）。accept() 失败时连接仍留在全连接队列中；"
	  "不处理的话监听套接字会一直可读，事件循环空转。常是 CLOSE_WAIT 泄漏的结局。",
	  "该进程，在 accept()、socket()、open() 时。",
	  "描述符泄漏（CLOSE_WAIT 越来越多）\n"
	  "ulimit -n 对并发量来说太小" },
	{ "ENFILE", NULL, "系统中打开的文件过多",
	  "整个系统打开的文件过多",
	  "系统级上限 fs.file-max 已满，所有进程都受影响。",
	  "本机上的所有进程。",
	  "某个进程泄漏大量描述符\n"
	  "fs.file-max 太小" },
	{ "EACCES", "权限不够", "权限不够",
	  "权限被拒绝：特权端口，或 prohibit 路由",
	  "没有 CAP_NET_BIND_SERVICE 时 bind() 低于 net.ipv4.ip_unprivileged_port_start（1024）的"
	  "端口；经类型为 prohibit 的路由 "
	  "connect()；LSM（SELinux、AppArmor）或 cgroup BPF 程序拒绝了调用。",
	  "绑定端口的服务端；发起连接的客户端。",
	  "服务启动时没有绑定 80 或 443 端口所需的能力\n"
	  "'ip route add prohibit' 规则\n"
	  "安全策略" },
	{ "EPERM", "不允许的操作", "不允许的操作",
	  "操作不被允许：缺少能力，或被过滤器拒绝",
	  "调用者缺少某种能力（原始套接字、旧内核上的 SO_BINDTODEVICE、修改内核参数），或 cgroup "
	  "BPF 钩子、netfilter 拒绝了报文。"
	  "OUTPUT 规则丢弃报文时 UDP 和原始套接字的发送方得到 EPERM；TCP 则会重传，最终超时。",
	  "本机应用。",
	  "没有 root 或 CAP_NET_ADMIN / CAP_NET_RAW 就运行的工具\n"
	  "本机防火墙的 OUTPUT 规则或 cgroup connect 钩子" },
	{ "EBADF", "错误的文件描述符", "错误的文件描述符",
	  "错误的文件描述符：fd 没有打开（或访问方式不符）",
	  "传给套接字调用的数字不是本进程打开的描述符。对套接字几乎总意味着程序在关闭后又使用了它"
	  "。",
	  "应用，在出错的调用处。与网络无关。",
	  "重复 close()：另一线程或库先关闭了它\n"
	  "关闭后 fd 号被新文件复用，旧代码仍在写\n"
	  "在进程间传递但从未收到的 fd" },
	{ "EFAULT", "错误的地址", "错误的地址",
	  "错误的地址：传给内核的缓冲区指针无效",
	  "传给 send()、recv()、connect() 或 getsockopt() 的指针超出进程内存。这是程序缺陷，"
	  "不是网络问题。",
	  "应用，在出错的调用处。",
	  "已释放或未初始化的缓冲区\n"
	  "长度参数错误（optlen、addrlen）" },
	{ "EINVAL", "无效的参数", "无效的参数",
	  "无效的参数：这个调用对该套接字或这些值没有意义",
	  "内核拒绝了参数：对未绑定或已连接的套接字 listen()、重复 bind()、sockaddr 长度错误、"
	  "setsockopt() 取值越界，"
	  "或 connect() 走了内核无法使用的路由。",
	  "应用，在出错的调用处。lab 的 unreachable 场景演示了经本地路由 connect() 得到它。",
	  "bind() 调了两次，或在 connect() 之后\n"
	  "AF_INET 套接字用了 IPv6 地址，或 addrlen 错误\n"
	  "套接字选项取值越界" },
	{ "ENOMEM", "内存不足", "无法分配内存",
	  "无法分配内存：内核拿不到套接字或缓冲区所需的内存",
	  "套接字、请求套接字或缓冲区分配失败。TCP 还受 net.ipv4.tcp_mem 的压力上限约束："
	  "超过后发送失败或连接被中止"
	  "（TcpExt.TCPAbortOnMemory）。",
	  "应用，在 socket()、accept()、send() 或 setsockopt() 时；"
	  "内核为释放内存中止连接时对端看到 RST。",
	  "主机内存耗尽，或服务的内存 cgroup 已满\n"
	  "TCP 内存超过 tcp_mem：大量大缓冲区的连接\n"
	  "孤儿套接字过多，每个都持有未发送数据" },
	{ "EPROTO", "协议错误", "协议错误",
	  "协议错误：对端或下层违反了协议",
	  "TCP 本身很少返回。Linux 上 accept() 在新连接有挂起的协议错误时会返回；TLS "
	  "等库也借用这个数字表示握手失败。",
	  "应用，通常在 accept() 时或来自 TCP 之上的库。",
	  "握手完成到 accept() 之间连接被重置或损坏\n"
	  "TLS 库把握手失败报告为 EPROTO" },
	{ "ENODEV", "没有那个设备", "没有那个设备",
	  "没有那个设备：SO_BINDTODEVICE 或作用域 ID 指向了不存在的接口",
	  "setsockopt(SO_BINDTODEVICE) 给出的接口名在本网络命名空间中不存在，或链路本地 IPv6 "
	  "地址的作用域 ID "
	  "不对应任何接口。没有任何报文发出。",
	  "应用，在绑定设备或连接 fe80:: 地址时。",
	  "VRF 或接口名拼错，或启动时接口尚未创建\n"
	  "服务运行在与该接口不同的网络命名空间" },
	{ "ERESTART", NULL, "被中断的系统调用应该重新启动",
	  "被中断的系统调用应重新启动：内核内部使用，很少见到",
	  "内核在信号后重启调用时内部使用；用户态不应看到。若程序打印它，多半是从内核日志或跟踪工具"
	  "（strace 中调用被中断时显示 ERESTARTSYS 等）抄来的。",
	  "看 strace 或内核跟踪的人，而不是应用。",
	  "strace 显示阻塞的 accept()、connect() 或 recv() 被信号打断\n"
	  "工具打印了内核原始返回值" },
	{ "ESTRPIPE", NULL, "流管道错误",
	  "流管道错误：不是 TCP 错误（声卡设备使用）",
	  "Linux 上没有套接字调用返回它；ALSA 在声卡挂起时返回。"
	  "出现在网络服务日志里说明数字读错了或来自其他代码。",
	  "使用 TCP 的程序不会遇到。",
	  "误用的 errno：查清是哪个调用返回的" },
	{ "EUSERS", NULL, "用户过多",
	  "用户过多：不是 TCP 错误（配额和 NFS 代码使用）",
	  "没有 TCP 调用返回它，一些文件系统和配额代码会。"
	  "出现在网络日志里说明是应用自己的错误映射。",
	  "使用 TCP 的程序不会遇到。",
	  "误用的 errno：查清是哪个调用返回的" },
	{ "ENOTSOCK", "不是套接字", "对非套接字进行套接字操作",
	  "对非套接字做套接字操作：fd 是文件或管道",
	  "send、recv、connect、setsockopt、getpeername 等收到一个打开着、但不是套接字的描述符。"
	  "代码把描述符搞混了。",
	  "应用，在出错的调用处。",
	  "fd 被关闭后号码被文件复用\n"
	  "需要套接字的地方传入了 stdin/stdout（手工运行 inetd 式服务）" },
	{ "EPROTOTYPE", NULL, "错误的 socket 协议类型",
	  "协议与套接字类型不符：例如 SOCK_DGRAM 配 IPPROTO_TCP",
	  "socket() 请求的协议和套接字类型不匹配，或 Unix 套接字 connect() "
	  "到了另一种类型的套接字。",
	  "应用，在 socket() 或 connect() 时；没有任何报文发出。",
	  "socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP)\n"
	  "Unix 流套接字连接到数据报套接字" },
	{ "ENOPROTOOPT", "不支持的选项", "不可用的协议",
	  "协议不可用：这里没有这个套接字选项",
	  "getsockopt()/setsockopt() 用了协议或本内核不认识的选项：UDP 套接字上的 TCP 选项，"
	  "或比内核新的选项，或所属模块没有编译进来。",
	  "应用，通常在启动时设置套接字选项时。",
	  "选项层级与名字不匹配（SOL_SOCKET 与 IPPROTO_TCP）\n"
	  "内核比选项旧\n"
	  "选项所属模块未加载" },
	{ "EPROTONOSUPPORT", NULL, "不支持的协议",
	  "不支持的协议：socket() 请求了本内核没有的协议",
	  "socket() 指定的协议不可用：没有模块或内核选项的 SCTP、MPTCP，或协议参数写错。",
	  "应用，在 socket() 时。",
	  "模块未加载（sctp），或 MPTCP 被关闭（net.mptcp.enabled = 0）\n"
	  "容器所在内核缺少该协议" },
	{ "ESOCKTNOSUPPORT", NULL, "不支持的套接字类型",
	  "该地址族不支持这种套接字类型",
	  "socket() 请求了该地址族没有的类型。Linux 多数情况返回 EPROTONOSUPPORT 或 EINVAL，"
	  "所以少见。",
	  "应用，在 socket() 时。",
	  "类型常量写错，或在很旧的内核上使用 SOCK_NONBLOCK 等标志" },
	{ "EOPNOTSUPP", "不支持的操作", "不支持的操作",
	  "该套接字不支持此操作",
	  "调用不适用于这类套接字：对 UDP 套接字 listen() 或 accept()，在无意义处使用 MSG_OOB，"
	  "或套接字不接受某个 TCP_* 选项。",
	  "应用，在出错的调用处。",
	  "对 SOCK_DGRAM 套接字调用 listen() 或 accept()\n"
	  "send()/recv() 用了协议不支持的标志" },
	{ "EPFNOSUPPORT", NULL, "不支持的协议族",
	  "不支持的协议族：缺失地址族的旧名字",
	  "Linux 对不存在的地址族返回 EAFNOSUPPORT，EPFNOSUPPORT 几乎见不到。含义相同："
	  "本内核没有这个族。",
	  "应用，在 socket() 时。",
	  "内核或容器不提供该地址族" },
	{ "EAFNOSUPPORT", "地址族不支持", "协议不支持的地址族",
	  "不支持的地址族：常因 IPv6 被禁用，或 IPv4/IPv6 混用",
	  "在禁用 IPv6 的主机上 socket(AF_INET6, ...)，或 connect()/bind() "
	  "给了与套接字不同族的地址。",
	  "应用，在 socket()、bind() 或 connect() 时，通常是把域名解析成 AAAA 记录并先尝试它时。",
	  "IPv6 被禁用（内核参数 ipv6.disable=1）\n"
	  "AF_INET 套接字收到 sockaddr_in6，或反之" },
	{ "ETOOMANYREFS", NULL, "过多的引用：无法接合",
	  "引用过多：Unix 套接字消息携带的描述符太多",
	  "用 SCM_RIGHTS 在 Unix 套接字上传递描述符，在途的描述符太多。TCP 不会返回它。",
	  "通过 Unix 套接字传递描述符的程序。",
	  "发送描述符的速度快于接收方取走\n"
	  "套接字经自身传递形成循环" },
	{ "ESTALE", NULL, "过旧的文件控柄",
	  "过期的文件句柄：NFS 错误，不是 TCP 错误",
	  "NFS 客户端持有的文件句柄在服务器上已失效。网络服务的文件放在 NFS 上时可能记录它；到 "
	  "NFS 服务器的 TCP 连接可能完全正常。",
	  "使用 NFS 上文件的程序。",
	  "文件在 NFS 服务器上被删除或导出配置改变" },
	{ "EUCLEAN", NULL, "结构需要清理",
	  "结构需要清理：文件系统损坏，不是 TCP 错误",
	  "ext4、xfs 等在元数据损坏时返回。网络服务只会通过它读的文件遇到。",
	  "读取损坏文件系统的程序。",
	  "磁盘上的损坏；运行文件系统检查" },
	{ "ENOTNAM", NULL, "不是 XENIX 命名的类型文件",
	  "不是 XENIX 命名类型文件：已废弃，套接字调用不会返回",
	  "XENIX 兼容的遗留物。没有 TCP 或套接字调用返回它。",
	  "使用 TCP 的程序不会遇到。",
	  "误用的 errno：查清是哪个调用返回的" },
	{ "ENAVAIL", NULL, "没有可用的 XENIX 信号量",
	  "没有可用的 XENIX 信号量：已废弃，套接字调用不会返回",
	  "XENIX 兼容的遗留物。没有 TCP 或套接字调用返回它。",
	  "使用 TCP 的程序不会遇到。",
	  "误用的 errno：查清是哪个调用返回的" },
	{ "EISNAM", NULL, "是一个有名类型文件",
	  "是命名类型文件：已废弃，套接字调用不会返回",
	  "XENIX 兼容的遗留物。没有 TCP 或套接字调用返回它。",
	  "使用 TCP 的程序不会遇到。",
	  "误用的 errno：查清是哪个调用返回的" },
	{ "EREMOTEIO", NULL, "远程 I/O 错误",
	  "远程 I/O 错误：存储或网络块设备出错，不是 TCP 本身",
	  "驱动和网络存储（iSCSI、NBD、某些 FUSE 文件系统）在远端 I/O 失败时返回。其下的 TCP "
	  "连接可能已被重置。",
	  "在远程块设备或文件系统上做 I/O 的程序。",
	  "存储目标消失或拒绝请求\n"
	  "到存储的传输连接被重置" },
	{ "EDQUOT", NULL, "超出磁盘限额",
	  "超出磁盘配额：文件系统错误，不是 TCP",
	  "写文件超过了用户配额。服务把收到的数据写盘时，可能和网络错误一起出现在日志里。",
	  "写文件的程序。",
	  "服务所属用户或组的配额已满" },
	{ "ENOMEDIUM", NULL, "找不到介质",
	  "找不到介质：可移动介质缺失，不是 TCP 错误",
	  "可移动介质的驱动器是空的。没有套接字调用返回它。",
	  "读取可移动介质的程序。",
	  "误用的 errno，或在需要套接字处给了设备路径" },
	{ "EMEDIUMTYPE", NULL, "错误的介质类型",
	  "介质类型错误：可移动介质类型不对，不是 TCP 错误",
	  "没有套接字调用返回它。",
	  "读取可移动介质的程序。",
	  "误用的 errno，或在需要套接字处给了设备路径" },
	{ "ECANCELED", "操作已取消", "操作已取消",
	  "操作已取消：异步请求被取消",
	  "io_uring 和 POSIX AIO 对完成前被取消的请求报告它，例如程序自设的超时取消了挂起的 recv "
	  "或 connect。连接本身可能完好。",
	  "在套接字上使用 io_uring 或 AIO 的程序。",
	  "程序自己的超时取消了挂起的 recv、send 或 connect\n"
	  "请求挂起时 ring 被销毁" },
	/* ---- 内核参数 ---- */
	{ "net.ipv4.tcp_syncookies", "SYN cookie 开关", NULL,
	  "监听套接字的半连接队列溢出时用 SYN cookie 应答",
	  "0 = 从不，1 = 半连接队列满时才用（默认），2 = 总是用。cookie 把连接信息编码进 SYN+ACK "
	  "的序列号，"
	  "内核不保存任何状态，所以队列满时也不丢弃真实客户端。",
	  "有监听套接字的主机，在 SYN 洪水或突发连接时。",
	  "设为 0：SYN 洪水或大于 backlog 的突发会让新 SYN 被丢弃\n"
	  "设为 2：每个连接都失去精细的 MSS，无时间戳时还失去窗口缩放和 SACK" },
	{ "net.ipv4.tcp_max_syn_backlog", NULL, NULL,
	  "不启用 syncookies 时可等待的半连接数",
	  "只在 syncookies 关闭时起作用：监听套接字的半连接队列达到它的 3/4 时，"
	  "内核丢弃来自未曾通信过的对端的 SYN。"
	  "队列本身受 listen() backlog（以 somaxconn 为上限）约束。",
	  "关闭了 syncookies 的服务端。",
	  "值太小且 syncookies 关闭：突发连接时 SYN 被丢弃\n"
	  "值很大：洪水时占用更多内存（每个请求约 300 字节）" },
	{ "net.core.somaxconn", NULL, NULL,
	  "所有 listen() backlog 的上限",
	  "listen(fd, backlog) 会被静默截断到这个值，它决定全连接队列的长度（Send-Q）。"
	  "默认 4096（5.4 之前为 128）。队列满时握手的最后 ACK 被丢弃（ListenOverflows），"
	  "客户端会停顿一秒以上。",
	  "服务端；nginx、redis、JVM 要求大 backlog 时会被它压低。",
	  "旧内核默认 128，突发连接时全连接队列溢出\n"
	  "调大只是让队列更长：应用 accept 太慢时，客户端会排更久的队" },
	{ "net.ipv4.tcp_synack_retries", NULL, NULL,
	  "服务端重传未被确认的 SYN+ACK 的次数",
	  "半连接（SYN_RECV）在放弃前重传 SYN+ACK 的次数：5 次约 63 秒，2 次约 7 秒。"
	  "伪造源地址的 SYN 洪水下，次数越少半连接队列释放越快。",
	  "服务端。",
	  "默认 5：洪水时请求套接字存活约一分钟\n"
	  "设得太小（0-1）：有损路径上最后 ACK 或 SYN+ACK 丢失的真实客户端会失败" },
	{ "net.ipv4.tcp_syn_retries", NULL, NULL,
	  "connect() 在 ETIMEDOUT 之前重传 SYN 的次数",
	  "默认 6 次，对无应答的 SYN 约等 127 秒；4 次约 31 秒，3 次约 15 秒。"
	  "后端已死的代理会把客户端挂这么久，除非它自己设置了连接超时。",
	  "客户端。",
	  "连接不存在的地址要等两分钟\n"
	  "设得太小：有损路径上多发一次 SYN 就能成功的连接失败了" },
	{ "net.ipv4.tcp_fin_timeout", NULL, NULL,
	  "孤儿 FIN_WAIT2 套接字等待对端 FIN 的时间",
	  "进程已关闭的套接字在 FIN_WAIT2 中等待对端 FIN 的秒数（默认 60）。它不会缩短 "
	  "TIME_WAIT：Linux 的 TIME_WAIT 固定 60 秒"
	  "（TCP_TIMEWAIT_LEN）。这是最常见的误解之一。",
	  "主动关闭方。",
	  "想用它缩短 TIME_WAIT：无效\n"
	  "太短：切断了在我们 FIN 之后仍在发送的对端（半关闭）\n"
	  "太长：对端消失后孤儿套接字占着内存" },
	{ "net.ipv4.tcp_tw_reuse", NULL, NULL,
	  "在安全时允许 connect() 复用仍处于 TIME_WAIT 的端口",
	  "0 = 从不，1 = 出站连接，2 = 仅回环（默认）。依靠 TCP 时间戳（PAWS，RFC "
	  "7323）证明新报文更新，"
	  "让 connect() 复用 1 秒以上的 TIME_WAIT 端口。只影响出站连接。",
	  "对同一后端发起大量短连接的客户端或代理。",
	  "端口耗尽（EADDRNOTAVAIL）时它有用\n"
	  "它帮不了服务端自己的 TIME_WAIT\n"
	  "需要两端都开启时间戳" },
	{ "net.ipv4.tcp_max_tw_buckets", NULL, NULL,
	  "主机最多保留的 TIME_WAIT 套接字数",
	  "超过后新关闭的连接直接销毁（TcpExt.TCPTimeWaitOverflow，日志 \"time wait bucket table "
	  "overflow\"），"
	  "失去 TIME_WAIT 对旧重复报文的保护（RFC 9293 3.6.1）。每秒关闭 1000 个、各 60 秒，需要 "
	  "60000。",
	  "主动关闭大量连接的主机。",
	  "值太小：TIME_WAIT 被跳过，日志刷屏\n"
	  "每个 timewait 套接字只约 200 字节：上限高花费很少" },
	{ "net.ipv4.tcp_max_orphans", NULL, NULL,
	  "应用已关闭、但仍在内核中收尾的套接字的上限",
	  "孤儿套接字（FIN_WAIT1、LAST_ACK、CLOSING、FIN_WAIT2 且无文件描述符）超过它时，"
	  "内核立即重置并记录 "
	  "\"too many orphaned sockets\"。每个孤儿可能持有最多约 64 KB 未发送数据。",
	  "关闭大量连接的主机（代理、网关）。",
	  "对端不确认 FIN，孤儿堆积\n"
	  "繁忙代理上值太小：关闭变成重置" },
	{ "net.ipv4.ip_local_port_range", "临时端口范围|本地端口范围|临时端口", NULL,
	  "connect() 挑选临时端口的范围",
	  "出站连接的源端口从这里选。到同一目的地址和端口，最多只能有这么多并发连接（含 "
	  "TIME_WAIT）。默认 32768-60999。",
	  "客户端和代理。",
	  "范围太窄：短连接多时 EADDRNOTAVAIL\n"
	  "范围覆盖了服务端口：用 ip_local_reserved_ports 排除它们" },
	{ "net.ipv4.tcp_keepalive_time", "保活时间", NULL,
	  "第一次保活探测前的空闲时间（仅 SO_KEEPALIVE 套接字）",
	  "开启 SO_KEEPALIVE 的连接空闲这么多秒后开始探测，默认 7200（2 小时），比多数 NAT "
	  "和防火墙的流超时长。"
	  "单个套接字可用 TCP_KEEPIDLE 覆盖。",
	  "开启了保活的应用双方。",
	  "默认 2 小时：半打开连接长时间不被发现\n"
	  "NAT 在探测开始前就忘了这个流" },
	{ "net.ipv4.tcp_keepalive_intvl", NULL, NULL,
	  "未被应答的保活探测之间的秒数",
	  "第一次探测没有应答后，每隔这么多秒再探测一次，默认 75。单个套接字可用 TCP_KEEPINTVL "
	  "覆盖。",
	  "开启了保活的应用双方。",
	  "与 tcp_keepalive_probes 一起决定发现死连接的时间" },
	{ "net.ipv4.tcp_keepalive_probes", NULL, NULL,
	  "连接被丢弃前未被应答的保活探测数",
	  "连续这么多次探测无应答后，内核以 ETIMEDOUT 结束连接，默认 9。总时间 = time + intvl × "
	  "probes，默认约 2 小时 11 分。"
	  "单个套接字可用 TCP_KEEPCNT 覆盖。",
	  "开启了保活的应用双方。",
	  "默认值下死连接要两个多小时才被发现" },
	{ "net.ipv4.tcp_retries1", NULL, NULL,
	  "重传多少次后 TCP 请 IP 层检查路由",
	  "默认 3。超过后内核认为路径可能有问题，会刷新路由、触发邻居重新确认（以及黑洞检测），"
	  "但连接不会因此放弃。",
	  "发送的一方。",
	  "很少需要修改" },
	{ "net.ipv4.tcp_retries2", NULL, NULL,
	  "已建立连接在放弃前的重传次数",
	  "默认 15，按 RTO 指数退避约 924 秒（约 15 分钟）后以 ETIMEDOUT 放弃。"
	  "向已死对端发送数据的连接要这么久才报错；"
	  "单个套接字可用 TCP_USER_TIMEOUT 设定更短的时限。",
	  "发送数据的一方。",
	  "对端宕机后应用卡住 15 分钟\n"
	  "设得太小：短暂断网就断开连接" },
	{ "net.ipv4.tcp_rmem", "接收缓冲区", NULL,
	  "每个套接字的接收缓冲区：最小、默认、最大（字节）",
	  "内核在最小与最大之间自动调整接收缓冲区；最大值限制了单连接的窗口，从而限制“带宽 × "
	  "时延”大的路径上的吞吐。"
	  "应用设置 SO_RCVBUF 会关闭自动调整。",
	  "接收方。",
	  "长肥管道上最大值太小：吞吐上不去\n"
	  "设 SO_RCVBUF 关掉了自动调整" },
	{ "net.ipv4.tcp_wmem", "发送缓冲区", NULL,
	  "每个套接字的发送缓冲区：最小、默认、最大（字节）",
	  "发送缓冲区可容纳未被确认和尚未发送的数据。最大值太小限制吞吐；"
	  "太大则慢读者会占用大量内存。",
	  "发送方。",
	  "长肥管道上最大值太小\n"
	  "大量连接 × 大缓冲区：内存压力" },
	{ "net.ipv4.tcp_abort_on_overflow", NULL, NULL,
	  "全连接队列装不下时，重置而不是忽略握手",
	  "0（默认）：队列满时丢弃客户端最后的 ACK，服务端重发 SYN+ACK，客户端通常稍后就能进来。"
	  "1：直接发 RST，客户端在它以为已打开的连接上得到 ECONNRESET。"
	  "只有确定不希望客户端等待时才开启。",
	  "服务端；客户端看到重置而不是停顿。",
	  "开成 1 后突发流量变成连接重置\n"
	  "根本问题是 accept 太慢，而不是这个开关" },
	{ "net.ipv4.tcp_tw_recycle", NULL, NULL,
	  "已在 Linux 4.12 删除：它会让 NAT 后的客户端连接失败",
	  "它按对端 IP 记录时间戳来加速回收 TIME_WAIT，但 NAT 后面多台主机的时间戳互不相关，导致 "
	  "SYN 被静默丢弃。"
	  "4.12 起内核已没有这个文件；sysctl.conf 里的这一行会报错。",
	  "仍带着旧调优脚本的主机。",
	  "从网上抄来的调优配置\n"
	  "NAT 后的客户端偶发连接失败（旧内核）" },
	{ "net.ipv4.tcp_orphan_retries", NULL, NULL,
	  "孤儿关闭中套接字被丢弃前的重传次数",
	  "对已关闭（孤儿）的 FIN_WAIT1、LAST_ACK、CLOSING 套接字的重传次数。0 表示内核使用 8。"
	  "对端不确认时，它决定这些套接字存活多久。",
	  "主动关闭大量连接的主机。",
	  "孤儿 FIN_WAIT1 大量堆积\n"
	  "对端窗口为零，FIN 发不出去" },
	{ "net.ipv4.tcp_timestamps", NULL, NULL,
	  "TCP 时间戳：测量 RTT，防止序列号回绕",
	  "RFC 7323 的时间戳选项用于 RTT 测量和 PAWS（防回绕）；tcp_tw_reuse 和 SYN cookie "
	  "保留窗口缩放也依赖它。"
	  "默认开启。",
	  "双方，在握手中协商。",
	  "关闭它：tcp_tw_reuse 失效，高速连接失去 PAWS 保护" },
	{ "net.ipv4.tcp_sack", NULL, NULL,
	  "选择性确认：一个往返内恢复多个丢包",
	  "开启时在握手中协商 SACK，接收方报告收到的不连续数据块，发送方只重传空洞。默认开启，"
	  "应保持开启。",
	  "双方。",
	  "关闭后丢包恢复明显变慢\n"
	  "某些旧防火墙改写序列号却不改 SACK 块" },
	{ "net.ipv4.tcp_window_scaling", NULL, NULL,
	  "窗口缩放选项：接收窗口可超过 64 KB",
	  "在 SYN 中协商窗口缩放因子。关闭后每个往返最多 64 KB 在途，长距离路径吞吐很低。"
	  "默认开启。",
	  "双方。",
	  "关闭它或中间设备剥掉该选项：长肥管道变慢" },
	{ "net.ipv4.tcp_mtu_probing", NULL, NULL,
	  "分组层路径 MTU 探测：在 ICMP 黑洞下存活",
	  "0 = 关闭，1 = 检测到黑洞时启用，2 = 总是启用。ICMP“需要分片”被过滤时，大报文会消失；"
	  "开启后 TCP 会缩小 MSS 试探。",
	  "发送方，在过滤 ICMP 的路径上。",
	  "连接握手正常但大数据传输卡住：MTU 黑洞\n"
	  "VPN、隧道降低了 MTU" },
	{ "net.ipv4.tcp_slow_start_after_idle", NULL, NULL,
	  "空闲一段时间后缩小拥塞窗口",
	  "默认 1：连接空闲超过一个 RTO 后拥塞窗口回到初始值，下一次突发要重新慢启动。"
	  "长连接上偶发的大响应会因此变慢；设为 0 可保持窗口。",
	  "长连接的发送方。",
	  "空闲后首个大响应变慢" },
	{ "net.ipv4.tcp_congestion_control", NULL, NULL,
	  "默认的拥塞控制算法（cubic、bbr……）",
	  "新连接使用的算法，默认 cubic。应用可用 TCP_CONGESTION 为单个套接字选择。"
	  "可用的算法列在 tcp_available_congestion_control 中。",
	  "发送方。",
	  "有损长路径上 cubic 吞吐低，可考虑 bbr\n"
	  "指定了未加载的模块" },
	{ "net.core.netdev_max_backlog", NULL, NULL,
	  "协议栈处理前每个 CPU 可排队的报文数",
	  "默认 1000。收到的报文在每个 CPU 的积压队列（RPS、veth、回环、不支持 NAPI "
	  "的驱动）里等软中断处理；超过上限就在 TCP 看到之前被丢弃，"
	  "看起来像线路上的丢包（/proc/net/softnet_stat 第二列）。",
	  "高包率的接收主机。",
	  "突发流量下 softnet 丢包\n"
	  "软中断处理不过来" },
	{ "net.ipv4.ip_local_reserved_ports", "保留端口", NULL,
	  "内核永远不会选作临时源端口的端口（默认为空）",
	  "一组端口和范围（\"8080,9000-9100\"），connect() 和 bind(端口 0) "
	  "自动选源端口时跳过它们；应用仍可显式绑定。"
	  "服务监听在 net.ipv4.ip_local_port_range 之内时用它，免得出站连接先占了端口。",
	  "因客户端连接抢了端口而启动失败（EADDRINUSE）的服务；审计对 ip_local_port_range "
	  "的建议指向这里。",
	  "监听端口位于临时端口范围内（容器里常见的 30000+ 端口）\n"
	  "加宽的 ip_local_port_range 覆盖了服务端口" },
	{ "net.ipv4.tcp_syn_linear_timeouts", NULL, NULL,
	  "SYN 重传中先用固定超时、再开始加倍的次数（6.5+）",
	  "Linux 6.5 新增：connect() 的 SYN 前 N 次重传每次都等一个初始 RTO，不加倍，"
	  "之后恢复指数退避；服务端的 SYN+ACK 不受影响。"
	  "默认 4。丢失的 SYN 在 1、2、3、4 秒后重发，而不是 1、3、7、15 秒；ETIMEDOUT "
	  "前的总时间也随 tcp_syn_retries 改变。",
	  "旧内核没有这个文件；6.5+ 上它决定 connect() 到死地址要多久。",
	  "有损链路上更快地从 SYN 丢失中恢复\n"
	  "不同内核版本之间连接超时不同" },
	/* ---- 概念 ---- */
	{ "accept-queue", "全连接队列|accept队列|已完成连接队列", NULL,
	  "已完成握手、等待 accept() 的连接",
	  "三次握手完成后，连接在监听套接字的全连接队列里等应用 accept()。长度上限是 backlog = "
	  "min(listen() 参数, somaxconn)，"
	  "ss 中 LISTEN 行的 Send-Q；当前长度是 Recv-Q。满了之后最后的 ACK "
	  "被丢弃（ListenOverflows）。与半连接队列是两个队列。",
	  "服务端；客户端看到连接已建立但迟迟没有响应。",
	  "应用 accept 太慢（工作线程阻塞、事件循环卡住）\n"
	  "backlog 太小\n"
	  "突发连接" },
	{ "half-open", "半打开|半开连接", NULL,
	  "一方认为连接仍打开，另一方已经忘了它",
	  "对端重启、断电，或 NAT/防火墙丢了流状态，而本端没有收到 FIN 或 RST。"
	  "本端只有在发送数据（重传超时）"
	  "或保活探测时才会发现。与半关闭不同：半关闭是有意地只关一个方向。",
	  "仍持有连接的一方，常常是长时间空闲的连接池。",
	  "对端主机断电或重启\n"
	  "NAT 或防火墙静默丢弃空闲流\n"
	  "没有开保活也没有应用心跳" },
	{ "SO_LINGER", "逗留", NULL,
	  "close() 如何处理未发送的数据；linger 为 0 表示重置",
	  "默认 close() 立即返回，内核在后台发完数据再发 FIN。SO_LINGER 开启且时间非 0 时，"
	  "close() 最多阻塞这么久等待发送完成；"
	  "时间为 0 时 close() 直接发 RST，丢弃数据，跳过 TIME_WAIT。",
	  "关闭的一方；对端在 linger 0 时得到 ECONNRESET。",
	  "为了避免 TIME_WAIT 设置 linger 0：对端看到重置\n"
	  "阻塞的 close() 拖慢应用" },
	{ "SO_REUSEADDR", "地址复用|端口复用", NULL,
	  "即使端口上还有 TIME_WAIT 的旧连接，也能绑定监听端口",
	  "没有它，服务重启时旧连接的 TIME_WAIT 会让 bind() 返回 EADDRINUSE。SO_REUSEPORT "
	  "是另一回事："
	  "让多个套接字绑定同一端口，内核在它们之间分配连接。",
	  "服务端，在启动时。",
	  "服务重启时 EADDRINUSE\n"
	  "误以为 SO_REUSEADDR 能让两个进程同时监听（那是 SO_REUSEPORT）" },
	{ "MSL", "2MSL|最大报文段生存时间", NULL,
	  "最大报文段生存时间：一个迷途报文可能在网络中存活多久",
	  "RFC 9293 取 MSL 为 2 分钟，TIME_WAIT 应持续 2MSL，"
	  "保证旧连接的报文全部消失后四元组才能复用，"
	  "并能重发最后的 ACK。Linux 不用 MSL 计算，TIME_WAIT 固定 60 秒。",
	  "主动关闭方的 TIME_WAIT。",
	  "TIME_WAIT 为什么存在、为什么是 60 秒" },
	{ "RTO", "重传超时|超时重传|重传", NULL,
	  "重传超时：TCP 在重发前等待 ACK 的时间",
	  "RTO 由平滑 RTT 和它的偏差算出（RFC 6298），Linux 下限 200 毫秒、上限 120 秒，"
	  "每次超时加倍（指数退避）。"
	  "超时重传会把拥塞窗口降到 1，比快速重传代价大得多。",
	  "发送方。",
	  "丢包或对端无响应\n"
	  "尾部丢包没有被 TLP 修复\n"
	  "RTT 抖动大使 RTO 偏大" },
	{ "TCP_USER_TIMEOUT", "用户超时", NULL,
	  "单个套接字上已发送数据可保持未确认的最长时间",
	  "以毫秒为单位：数据未被确认超过这个时间，内核放弃连接并返回 ETIMEDOUT，不再等 "
	  "tcp_retries2 的约 15 分钟。"
	  "开启保活时它也限制保活探测。",
	  "设置了它的应用。",
	  "想在对端死亡时快速失败\n"
	  "设得比 RTO 还小：短暂丢包就断开" },
	{ "orphan", "孤儿|孤儿套接字|孤儿连接", NULL,
	  "应用已关闭、内核仍在收尾的连接",
	  "close() 之后还在 FIN_WAIT1、LAST_ACK、CLOSING 或 FIN_WAIT2 的套接字，不再属于任何进程。"
	  "总数见 /proc/net/sockstat 的 orphan，上限 tcp_max_orphans，重传次数 "
	  "tcp_orphan_retries。",
	  "关闭连接的一方；ss 中没有进程信息。",
	  "对端不确认 FIN\n"
	  "对端窗口为零，数据和 FIN 发不出去" },
	{ "three-way-handshake", "三次握手|握手|建立连接", NULL,
	  "SYN、SYN+ACK、ACK：TCP 连接如何建立",
	  "客户端发 SYN 带上初始序列号，服务端回 SYN+ACK 带上自己的序列号，客户端再确认。"
	  "之后双方都知道对方的序列号、MSS、"
	  "窗口缩放以及是否支持 SACK 和时间戳。服务端上，连接在 ACK 到达前位于半连接队列，"
	  "之后位于全连接队列直到 accept()。",
	  "双方：客户端 SYN_SENT 到 ESTABLISHED，服务端 LISTEN、SYN_RECV、ESTABLISHED。",
	  "没有 SYN+ACK：服务端宕机、被过滤，或半连接队列满\n"
	  "没有最后的 ACK：SYN 洪水、非对称路由\n"
	  "回了 RST：没有监听（ECONNREFUSED）" },
	{ "four-way-close", "四次挥手|挥手|断开连接|关闭连接|主动关闭方|被动关闭方", NULL,
	  "FIN、ACK、FIN、ACK：TCP 连接如何关闭，一次关一个方向",
	  "每一方用 FIN 关闭自己的发送方向，另一方确认。主动关闭方经过 FIN_WAIT1、FIN_WAIT2、"
	  "TIME_WAIT；被动关闭方经过 "
	  "CLOSE_WAIT（直到应用 close()）、LAST_ACK、CLOSED。中间的 ACK 和 FIN "
	  "常合并在一个报文里，所以抓包里常只看到三个。",
	  "双方。连接停在哪一步，就说明哪一方的应用没有关闭。",
	  "一直 CLOSE_WAIT：被动关闭方的应用不关闭\n"
	  "一直 FIN_WAIT2：对端没有关闭（去查它的 CLOSE_WAIT）\n"
	  "TIME_WAIT：正常，在主动关闭方，持续 60 秒" },
	{ "half-close", "半关闭", NULL,
	  "用 shutdown(SHUT_WR) 关闭一个方向，另一个方向仍打开",
	  "一方发出 FIN 后不再发送，但仍可接收：连接处于半关闭。"
	  "程序用它表示“请求结束”并继续读回复。"
	  "与半打开不同：半打开是一方已经忘了连接。",
	  "调用 shutdown() 的一方处于 FIN_WAIT2；另一方在继续发送时处于 CLOSE_WAIT。",
	  "用 shutdown() 表示输入结束的协议\n"
	  "对端始终不关闭自己的一侧（套接字被持有时 FIN_WAIT2 一直存在）" },
	{ "syn-queue", "半连接队列|SYN队列|未完成连接队列", NULL,
	  "监听套接字持有的半连接：收到 SYN、已发 SYN+ACK、还没有 ACK",
	  "每个 SYN 生成一个请求套接字（NEW_SYN_RECV，显示为 SYN_RECV），等待客户端的 ACK。Linux "
	  "用 listen backlog 限制它"
	  "（syncookies 关闭时还有 tcp_max_syn_backlog）。满了就用 SYN cookie 应答；没有 cookie "
	  "则丢弃 SYN（TCPReqQFullDrop）。"
	  "它和存放已完成连接的全连接队列是两个队列。",
	  "服务端；ss 中显示为 SYN_RECV，永远没有进程。",
	  "SYN 洪水\n"
	  "客户端的最后 ACK 丢失\n"
	  "backlog 太小" },
	{ "SYN-cookies", "SYN cookie|SYN饼干", NULL,
	  "把请求编码进序列号的 SYN+ACK，内核无需保存任何状态",
	  "监听套接字的半连接队列满时，内核把客户端地址、端口、粗略的 MSS 和时间计数编码进 "
	  "SYN+ACK 的初始序列号，然后忘掉这个 SYN。"
	  "合法的 ACK 到来时据此重建连接。窗口缩放和 SACK 只有在开启时间戳时才能保留。由 "
	  "net.ipv4.tcp_syncookies 控制。",
	  "遭遇洪水或突发的服务端；内核日志 \"Possible SYN flooding on port N. Sending cookies.\"",
	  "SYN 洪水\n"
	  "大于 backlog 的突发连接" },
	{ "keepalive", "保活|心跳|TCP保活|心跳包|探活", NULL,
	  "TCP 保活探测空闲连接；应用心跳检查的是对端程序",
	  "开启 SO_KEEPALIVE 后，连接静默 tcp_keepalive_time（2 小时）时内核发一个空探测，之后每 "
	  "tcp_keepalive_intvl（75 秒）一次，"
	  "tcp_keepalive_probes（9）次无应答即以 ETIMEDOUT 结束。单个套接字可用 TCP_KEEPIDLE、"
	  "TCP_KEEPINTVL、TCP_KEEPCNT 调整。"
	  "它只证明对端内核还在；应用心跳（一条 ping 消息）还能证明程序在响应，"
	  "并按应用选的间隔维持 NAT 表项。"
	  "HTTP 的 keep-alive 是另一回事：连接复用。",
	  "开启它的一方；ss -o 的计时器显示 keepalive。",
	  "保活关闭，半打开连接一直不被发现\n"
	  "NAT 或防火墙在 2 小时之前就丢弃空闲流\n"
	  "对端程序卡死，保活却仍有应答" },
	{ "Nagle", "Nagle算法|纳格算法|TCP_NODELAY", NULL,
	  "在前面的数据未被确认时攒住小报文（TCP_NODELAY 关闭它）",
	  "Nagle 算法只在没有在途数据时才发小报文段，把许多小写入合成少量报文。"
	  "与对端的延迟确认叠加时，“写-写-读”模式每次交互"
	  "要等 40 毫秒（或 200 毫秒）。TCP_NODELAY 关闭它；TCP_CORK 相反，攒住数据直到取消。",
	  "发送方；接收方感到的是延迟。",
	  "请求/响应协议把头和体分两次写\n"
	  "每次调用恰好多约 40 毫秒：Nagle 加延迟确认" },
	{ "delayed-ack", "延迟确认|延时确认|TCP_QUICKACK", NULL,
	  "接收方稍等再确认，希望把 ACK 捎带在数据上",
	  "接收方可以延迟 ACK（Linux 至少 40 毫秒，最多 200 毫秒），"
	  "或每收到两个满报文段确认一次。能省报文，"
	  "但与发送方的 Nagle 叠加会给小交互增加延迟。TCP_QUICKACK 请求一段时间内立即确认。",
	  "接收方；发送方看到等待。",
	  "对端开着 Nagle 时小写入停顿约 40 毫秒" },
	{ "SACK", "选择性确认|选择确认", NULL,
	  "选择性确认：接收方列出空洞之后收到的数据块",
	  "SACK（握手时协商，net.ipv4.tcp_sack）让接收方在累计 ACK "
	  "之上列出最多三四个已收到的范围，发送方只重传空洞。"
	  "D-SACK 报告重复收到的数据，用来识别不必要的重传。",
	  "双方；tcpdump 在选项里显示 sack。",
	  "中间设备剥掉 SACK：丢包恢复变慢\n"
	  "旧硬件防火墙改写序列号却不改 SACK 块" },
	{ "window-scaling", "窗口缩放|窗口扩大", NULL,
	  "握手时约定的移位数，让窗口超过 64 KiB",
	  "窗口字段只有 16 位。窗口缩放选项（RFC 7323）把它乘以 2^shift，在 SYN 中一次约定。"
	  "没有它，每个往返最多 64 KiB，"
	  "吞吐受限。漏掉握手的抓包会显示很小的窗口，因为不知道移位数。",
	  "双方，在 SYN 和 SYN+ACK 中（ss -i 显示 wscale:S,R）。",
	  "中间设备删除该选项：长路径上传输慢\n"
	  "net.ipv4.tcp_window_scaling = 0" },
	{ "zero-window", "零窗口|窗口探测|零窗口探测|坚持计时器", NULL,
	  "接收方缓冲区满：通告窗口为 0，发送方进行探测",
	  "接收方应用不读数据，缓冲区满后通告零窗口。发送方停止发送，"
	  "按坚持（persist）计时器退避发送窗口探测，"
	  "直到窗口重新打开。连接是活的，问题在读的一方。pcap 会报告零窗口时段。",
	  "发送方看到 Send-Q 增长和 persist 计时器；接收方 Recv-Q 很大。",
	  "接收方应用很慢、阻塞或挂死\n"
	  "接收缓冲区太小" },
	{ "fast-retransmit", "快速重传|快速恢复|重复确认", NULL,
	  "收到三个重复 ACK（或 SACK）后立即重发丢失的报文，不等 RTO",
	  "接收方收到空洞之后的数据时会重复上一个 ACK。三个重复 ACK（或 SACK 显示丢失）后，"
	  "发送方立即重传空洞，并把拥塞窗口减半"
	  "（快速恢复），而不是等重传超时。Linux 现在用 RACK 的时间判断做同样的决定。",
	  "发送方；抓包中先是重复 ACK，再是一次重传。",
	  "路径上的丢包或乱序" },
	{ "RACK-TLP", "尾部丢包探测|RACK|TLP", NULL,
	  "基于时间的丢包检测（RACK）和尾部丢包探测（TLP）",
	  "RACK 在一个更晚发送的报文已被确认、且过了乱序窗口后判定报文丢失，对重传也适用。TLP "
	  "在沉默约两个 RTT 后重发最后一个报文，"
	  "使突发末尾的丢包由快速恢复而不是 RTO 修复。Linux 默认两者都用（net.ipv4.tcp_recovery，"
	  "TcpExt.TCPLossProbes）。",
	  "发送方。",
	  "短响应的尾部丢包\n"
	  "乱序的路径" },
	{ "MSS", "最大报文段长度|MSS钳制", NULL,
	  "最大报文段长度：每一方接受的单个报文段最大载荷",
	  "在 SYN 中通告，通常是接口 MTU 减 40（IPv4）或 60（IPv6）字节。"
	  "每方发送的报文段不超过对端 MSS 和路径 MTU。"
	  "ICMP 被屏蔽时，隧道和 PPPoE 需要在路由器上做 MSS 钳制。",
	  "双方，在 SYN 和 SYN+ACK 中；ss -i 显示 mss 和 advmss。",
	  "小请求正常、大传输卡住：MTU 黑洞\n"
	  "VPN 或隧道没有做 MSS 钳制" },
	{ "PMTU", "路径MTU|路径MTU发现|MTU黑洞", NULL,
	  "路径 MTU 发现：得知整条路径能通过的最大报文",
	  "TCP 设置“不分片”位发送；路由器转发不了时回 ICMP“需要分片”（IPv6 为“报文过大”），"
	  "发送方降低报文段大小。"
	  "如果这个 ICMP 被过滤，大报文就消失了：握手正常，大传输卡住（黑洞）。"
	  "net.ipv4.tcp_mtu_probing 用探测绕过它。",
	  "发送方；黑洞表现为第一个满长度报文之后停顿。",
	  "防火墙丢弃所有 ICMP\n"
	  "隧道（VPN、GRE、VXLAN）降低了 MTU" },
	{ "ECN", "显式拥塞通知", NULL,
	  "路由器标记报文而不是丢弃；TCP 回显标记（ECE、CWR）",
	  "握手时用 SYN+ECE+CWR 协商。拥塞的路由器在 IP 头设置 CE 标记；接收方用 ECE 回显，"
	  "直到发送方以 CWR 回应并减速，"
	  "整个过程没有丢包。Linux 只在 net.ipv4.tcp_ecn = 1 时主动请求，默认（2）接受对端请求。",
	  "双方；tcpdump 显示 [SEW] 以及 IP 中的 ECT/CE。",
	  "中间设备丢弃 ECN 协商 SYN（Linux 会回退）\n"
	  "数据中心队列做标记（DCTCP）" },
	{ "icmp-unreachable", "不可达|目标不可达|ICMP不可达", NULL,
	  "ICMP 目标不可达：TCP 如何处理它",
	  "路由器或主机以 ICMP 不可达应答。connect() 期间，Linux 在重传后把主机、网络、"
	  "端口不可达当作硬错误"
	  "（EHOSTUNREACH、ENETUNREACH，端口不可达为 ECONNREFUSED）；"
	  "在已建立的连接上它们是软错误，只在连接最终超时才报告。"
	  "“需要分片”用于路径 MTU 发现。类型为 unreachable 的本地路由会让 connect() 立即失败。",
	  "向故障路径发送的一方。",
	  "路由器上没有路由，或防火墙 REJECT\n"
	  "主机宕机，ARP 失败后由路由器代答" },
	{ "icmp-time-exceeded", "超时报文|TTL超时", NULL,
	  "ICMP 超时：TTL 在途中耗尽（路由环路或 traceroute）",
	  "路由器因 TTL（IPv6 跳数限制）降到 0 而丢弃报文。TCP 把它当软错误：继续重传，"
	  "只有连接最终超时时才报告 EHOSTUNREACH。"
	  "通常意味着路由环路。",
	  "发送方；traceroute 故意利用它。",
	  "路由环路\n"
	  "应用把 TTL 设得太低（IP_TTL）" },
	{ "simultaneous-open", "同时打开", NULL,
	  "双方同时 connect() 对方：SYN 交叉，不需要监听",
	  "当对方的 SYN 到达时双方都在 SYN_SENT：各自回 SYN+ACK 进入 SYN_RECV，最后都到 "
	  "ESTABLISHED。偶然发生很少见；"
	  "NAT 打洞利用它。连接自己地址和端口的套接字会和自己同时打开。",
	  "双方，先 SYN_SENT 后 SYN_RECV。",
	  "点对点 NAT 穿越\n"
	  "客户端的临时端口恰好等于它在本机连接的端口（自连接）" },
	{ "tcp-state-machine", "状态机|TCP状态|TCP状态机|十一种状态", NULL,
	  "RFC 的十一个状态（Linux 十二个）以及报文如何推动连接",
	  "RFC 9293 定义了 LISTEN、SYN-SENT、SYN-RECEIVED、ESTABLISHED、FIN-WAIT-1/2、"
	  "CLOSE-WAIT、CLOSING、LAST-ACK、"
	  "TIME-WAIT 和 CLOSED。Linux 为请求套接字增加了 NEW_SYN_RECV，并把 CLOSED 叫作 "
	  "TCP_CLOSE。tcpdoctor fsm 打印整张表；"
	  "每个状态在这里都有自己的条目。",
	  "所有看 ss 或 netstat 的人。",
	  "堆积在哪个状态，就说明哪一方、哪一步卡住了" },
	{ "message-boundaries", "粘包|拆包|半包|消息边界", NULL,
	  "TCP 是字节流：一次 send() 不等于一次 recv()",
	  "TCP 不保留消息边界。两次写可能一次读到，一次写也可能分几次读到（Nagle、分段、"
	  "接收缓冲区）。"
	  "TCP 上的协议必须自己定界：长度前缀或分隔符。这种现象俗称“粘包/拆包”，"
	  "是应用分帧的缺陷，不是 TCP 的问题。",
	  "接收方应用。",
	  "代码假设一次 recv() 返回一条完整消息\n"
	  "在回环上测试通过、跨真实网络失败" },
	/* ---- 内核计数器 ---- */
	{ "Tcp.ActiveOpens", "主动打开", NULL,
	  "本机发起的连接数：进入 SYN_SENT 的次数（即 connect() 调用）",
	  "每次主动打开都计数，无论成功与否。速率就是本机每秒发起的出站连接数；watch 中显示为 "
	  "actv/s。",
	  "客户端和代理；也连接后端的服务端。",
	  "正常的客户端流量\n"
	  "不复用的连接池：每个请求都 connect 一次\n"
	  "重试的客户端猛打一个已死的后端" },
	{ "Tcp.PassiveOpens", "被动打开", NULL,
	  "内核接受的连接数：在监听套接字上完成的握手",
	  "监听套接字把请求变成完整套接字时计数，在应用调用 accept() 之前。watch 中显示为 pasv/s。",
	  "服务端。",
	  "正常的服务负载\n"
	  "突然上涨：客户端风暴或重连循环" },
	{ "Tcp.AttemptFails", "连接失败", NULL,
	  "失败的连接尝试：从 SYN_SENT 或 SYN_RECV 回到 CLOSED 或 LISTEN",
	  "统计没有完成的握手：SYN 被 RST 回应（拒绝）、握手中被重置、超时。watch 把它与 "
	  "EstabResets 相加得到 rsti/s。",
	  "客户端（被拒或超时的 connect）和服务端（握手被重置）。",
	  "连接无人监听的端口（ECONNREFUSED）\n"
	  "SYN 超时（ETIMEDOUT）\n"
	  "扫描器探测关闭的端口" },
	{ "Tcp.EstabResets", "连接重置数", NULL,
	  "从 ESTABLISHED 或 CLOSE_WAIT 被重置的连接",
	  "连接从 ESTABLISHED 或 CLOSE_WAIT 直接变为 CLOSED 时计数：收到或发送 RST，或被中止。"
	  "内核没有单独的“收到 RST”计数。",
	  "被重置连接的任一方。",
	  "对端带着未读数据关闭，或 SO_LINGER 0\n"
	  "中间设备重置空闲流\n"
	  "应用中止连接" },
	{ "Tcp.CurrEstab", "当前连接数", NULL,
	  "当前处于 ESTABLISHED 或 CLOSE_WAIT 的连接（瞬时值，不是累计计数）",
	  "此刻处于 ESTABLISHED 或 CLOSE_WAIT 的连接数，可增可减。",
	  "所有人：主机打开连接的规模。",
	  "正常负载\n"
	  "持续上涨：泄漏（常是 CLOSE_WAIT）或没有上限的连接池" },
	{ "Tcp.InSegs", "收到报文段", NULL,
	  "收到的 TCP 报文段，包括出错的",
	  "到达 TCP 层的每个报文段。与 OutSegs 一起用来衡量重传和重置的比例。",
	  "所有人。",
	  "流量大小" },
	{ "Tcp.OutSegs", "发出报文段", NULL,
	  "发出的 TCP 报文段，不含重传",
	  "发出的报文段，不计只重传数据的那些。check 使用的重传率是 RetransSegs / OutSegs。",
	  "所有人。",
	  "流量大小" },
	{ "Tcp.RetransSegs", "重传报文段|重传数", NULL,
	  "重传的报文段：丢包或超时后再次发送的数据或 SYN",
	  "每个被重传的报文段，无论由 RTO、快速重传还是 TLP 触发。互联网上千分之几是正常的；"
	  "局域网上达到百分之几意味着丢包或队列拥塞。",
	  "发送方；watch 显示为 retr/s。",
	  "路径丢包（拥塞、坏链路、队列满）\n"
	  "对端不再应答（重传直到 tcp_retries2）\n"
	  "发往无应答主机的 SYN" },
	{ "Tcp.InErrs", "错误报文段", NULL,
	  "收到的有错误的报文段（校验和错、头部错）",
	  "TCP 层因格式错误丢弃的报文段。InCsumErrors 单独统计校验和部分。",
	  "接收方。",
	  "网卡、线缆或卸载设置有问题\n"
	  "中间设备损坏了报文" },
	{ "Tcp.OutRsts", "发出重置", NULL,
	  "带 RST 发出的报文段：本机发出的重置",
	  "每个发出的 RST：回应关闭端口上的 SYN、回应未知连接的报文、带未读数据的 close()、"
	  "SO_LINGER 0。watch 显示为 rsto/s。",
	  "发出重置的一方。",
	  "客户端连接没有监听的端口\n"
	  "应用带着未读数据关闭\n"
	  "连接被遗忘后迟到的报文" },
	{ "TcpExt.ListenOverflows", "全连接队列溢出|accept队列溢出", NULL,
	  "因监听套接字全连接队列已满而丢弃的握手",
	  "客户端最后的 ACK 到了，但全连接队列已有 backlog 个连接，"
	  "内核丢弃它（tcp_abort_on_overflow 时发 RST）。"
	  "客户端以为已连接，它的第一份数据会重传，直到服务端有空间。任何非零速率都说明应用 "
	  "accept 太慢。",
	  "服务端；客户端看到一秒以上的停顿。",
	  "应用阻塞或调用 accept() 太慢\n"
	  "backlog 对突发来说太小（listen() 参数或 somaxconn）" },
	{ "TcpExt.ListenDrops", "监听丢弃", NULL,
	  "监听套接字因任何原因丢弃的 SYN 或握手（包括溢出）",
	  "ListenOverflows 的超集：还包括 cookie 关闭时半连接队列满丢弃的 SYN、内存失败、无路由。"
	  "ListenDrops 减去 ListenOverflows 就是非全连接队列溢出的丢弃。",
	  "服务端。",
	  "全连接队列溢出（见 ListenOverflows）\n"
	  "syncookies 关闭时半连接队列满\n"
	  "请求套接字内存不足" },
	{ "TcpExt.TCPReqQFullDrop", "半连接队列溢出", NULL,
	  "半连接队列满且未开 cookie 时丢弃的 SYN",
	  "监听套接字的请求队列满，而 net.ipv4.tcp_syncookies 不允许发 cookie，于是 SYN 被丢弃。"
	  "客户端在 1、3、7 秒后重试。",
	  "服务端；客户端看到连接很慢。",
	  "关闭 syncookies 时的 SYN 洪水\n"
	  "backlog 对正常突发来说太小" },
	{ "TcpExt.SyncookiesSent", "发送SYN cookie", NULL,
	  "以 SYN cookie 形式发出的 SYN+ACK：有半连接队列满了",
	  "监听套接字的半连接队列已满，内核用 cookie 应答 SYN 而不保存请求套接字，并记录一次日志 "
	  "\"Possible SYN flooding on port N\"。",
	  "遭遇 SYN 洪水或突发超过 backlog 的服务端。",
	  "SYN 洪水\n"
	  "backlog 小而正常突发大" },
	{ "TcpExt.SyncookiesRecv", "收到SYN cookie", NULL,
	  "携带有效 SYN cookie 的 ACK：从 cookie 建立的连接",
	  "客户端回应了 cookie SYN+ACK，内核据此重建了连接。",
	  "服务端。",
	  "SYN 洪水或突发期间真实客户端完成了握手" },
	{ "TcpExt.SyncookiesFailed", "SYN cookie校验失败", NULL,
	  "看起来像 cookie 应答、但校验失败的 ACK",
	  "到达监听套接字、没有对应请求套接字、cookie 校验又失败的 ACK，会被丢弃（或重置）。",
	  "服务端。",
	  "监听套接字重启后迟到的 ACK\n"
	  "ACK 洪水或扫描" },
	{ "TcpExt.TCPSynRetrans", "SYN重传", NULL,
	  "SYN 和 SYN+ACK 的重传",
	  "统计 connect() 重发的 SYN 和监听套接字重发的 SYN+ACK。上涨说明握手丢失或没有应答。",
	  "客户端（SYN）和服务端（SYN+ACK）。",
	  "连接宕机或被过滤的主机\n"
	  "SYN 洪水（我们的 SYN+ACK 无人应答）\n"
	  "路径丢包" },
	{ "TcpExt.TCPTimeouts", "超时次数", NULL,
	  "重传计时器到期（RTO）：ACK 没有按时到达",
	  "连接或握手上 RTO 每触发一次计一次。与快速重传不同，它表示发送方在整整一个 RTO "
	  "内什么也没收到，拥塞窗口降为一个报文段。",
	  "发送方。",
	  "严重丢包或对端已死\n"
	  "TLP 没能修复的尾部丢包" },
	{ "TcpExt.TCPTimeWaitOverflow", "TIME_WAIT溢出", NULL,
	  "因达到 tcp_max_tw_buckets 而没有保留的 TIME_WAIT 套接字",
	  "连接直接关闭而不进入 TIME_WAIT；内核日志 \"TCP: time wait bucket table overflow\"。"
	  "旧的重复报文可能混进同端口的新连接。",
	  "主动关闭方。",
	  "本端关闭了非常多的短连接\n"
	  "tcp_max_tw_buckets 被刻意调低" },
	{ "TcpExt.TCPAbortOnTimeout", "超时中止", NULL,
	  "重传或保活探测耗尽后被杀掉的连接",
	  "内核放弃了连接：tcp_retries2、tcp_orphan_retries、保活探测或 TCP_USER_TIMEOUT 已耗尽。"
	  "应用得到 ETIMEDOUT。",
	  "仍在发送或探测的一方。",
	  "对端消失（断电、NAT 表项被删）\n"
	  "路径把报文吞掉（黑洞）" },
	{ "TcpExt.TCPAbortOnData", "关闭后收到数据", NULL,
	  "因 close() 之后仍收到数据、或以 SO_LINGER 0 关闭而重置的连接",
	  "应用已关闭（或关闭了读方向），对端还在发数据：没有人会读它，内核以 RST 回应（RFC 9293 "
	  "3.10.7.4）。"
	  "开启 SO_LINGER 且逗留时间为 0 的 close() 也计在这里。close() "
	  "时队列里已有的未读数据计入 TCPAbortOnClose。",
	  "关闭的一方；对端在下一次调用时得到 ECONNRESET。",
	  "服务端关闭时客户端仍在发送（流水线请求）\n"
	  "为跳过 TIME_WAIT 使用 SO_LINGER 0" },
	{ "TcpExt.TCPAbortOnClose", "关闭时中止", NULL,
	  "因 close() 时接收队列仍有未读数据而重置的连接",
	  "应用关闭了一个接收队列里还有数据的套接字：内核发 RST 而不是 FIN。",
	  "关闭的一方；对端得到 ECONNRESET。",
	  "应用关闭前没有把套接字读空" },
	{ "TcpExt.TCPAbortOnMemory", "内存不足中止", NULL,
	  "因 TCP 内存或孤儿上限耗尽而被杀掉的连接",
	  "超过 net.ipv4.tcp_mem 的硬上限或 tcp_max_orphans 时，内核重置连接（孤儿优先），日志 "
	  "\"out of memory -- consider tuning tcp_mem\" "
	  "或 \"too many orphaned sockets\"。",
	  "内存压力下的主机；对端看到重置。",
	  "持有未发送数据的孤儿套接字太多\n"
	  "缓冲区相对连接数设得太大" },
	{ "TcpExt.TCPAbortOnLinger", "逗留超时中止", NULL,
	  "逗留时间或 tcp_fin_timeout 到期时被重置的孤儿",
	  "设置了 SO_LINGER 的套接字，或处于 FIN_WAIT2 的孤儿，在时间到时被重置。",
	  "关闭的一方。",
	  "设置了超时的 SO_LINGER 而对端不确认\n"
	  "tcp_fin_timeout 很短" },
	{ "TcpExt.TCPLossProbes", "尾部丢包探测数", NULL,
	  "发出的尾部丢包探测（TLP）",
	  "一次突发的最后几个报文在约两个 RTT 后仍未被确认时，Linux 重发最后一个以引出 SACK，"
	  "而不是等 RTO。",
	  "发送方。",
	  "响应末尾丢包（互联网上常见）" },
	{ "TcpExt.TCPBacklogDrop", "积压丢弃", NULL,
	  "套接字被锁住时其积压队列已满而丢弃的报文段",
	  "发给正被应用使用（加锁）的套接字的报文先进入它的积压队列；超出接收缓冲区就被丢弃。",
	  "接收方。",
	  "接收缓冲区非常小\n"
	  "应用长时间持有套接字锁" },
	{ "TcpExt.TCPReqQFullDoCookies", "半连接队列满发cookie", NULL,
	  "因监听套接字半连接队列已满而发出的 SYN cookie",
	  "监听套接字的半连接队列满了，而 net.ipv4.tcp_syncookies 允许 cookie，"
	  "于是不保存请求就应答了 SYN。"
	  "它的兄弟计数器 TCPReqQFullDrop 统计 cookie 关闭时被丢弃的 SYN。",
	  "遭遇洪水或突发超过 backlog 的服务端。",
	  "SYN 洪水\n"
	  "正常突发下 backlog 太小" },
	{ "TcpExt.TCPKeepAlive", "保活探测数", NULL,
	  "发出的保活探测",
	  "开启 SO_KEEPALIVE 的套接字在静默 tcp_keepalive_time 后发出的每个空探测。连续 "
	  "tcp_keepalive_probes 次无应答就结束连接"
	  "（TCPAbortOnTimeout）。",
	  "开启了保活的一方。",
	  "开了 SO_KEEPALIVE 的空闲连接\n"
	  "从不应答探测的半打开对端" },
	{ "TCP.inuse", "使用中套接字", NULL,
	  "使用中的 TCP 套接字（sockstat），不含 TIME_WAIT",
	  "来自 /proc/net/sockstat：除 TIME_WAIT 外各状态的套接字，含监听和孤儿；TCP6.inuse 统计 "
	  "IPv6 的。",
	  "所有人。",
	  "主机的 TCP 套接字数量" },
	{ "TCP.orphan", "孤儿数", NULL,
	  "孤儿 TCP 套接字：进程已关闭，仍在收尾",
	  "在 FIN_WAIT1、LAST_ACK、CLOSING 或 FIN_WAIT2 中、已没有文件描述符持有的套接字，与 "
	  "net.ipv4.tcp_max_orphans 比较。",
	  "关闭的一方。",
	  "对端不确认我们的 FIN\n"
	  "本机关闭了大量短连接" },
	{ "TCP.tw", "TIME_WAIT数", NULL,
	  "当前的 TIME_WAIT 套接字（sockstat）",
	  "timewait 套接字的数量，与 net.ipv4.tcp_max_tw_buckets 比较。",
	  "主动关闭方。",
	  "本端关闭的短连接" },
	{ "TCP.alloc", "已分配套接字", NULL,
	  "已分配的 TCP 套接字，不含 TIME_WAIT（sockstat）",
	  "所有已分配的 TCP 套接字，包括尚未或已不在哈希表中的。",
	  "所有人。",
	  "主机的套接字数量" },
	{ "TCP.mem", "TCP内存", NULL,
	  "TCP 当前使用的内存页数，与 net.ipv4.tcp_mem 比较",
	  "所有套接字的 TCP 缓冲区，以页（4 KiB）计。超过 tcp_mem 的第二个数 TCP "
	  "进入压力状态并缩小缓冲区；超过第三个数则拒绝分配并中止连接。",
	  "所有人。",
	  "大量缓冲区满的连接\n"
	  "慢读者占着数据" },
	/* ---- tcpdoctor check 规则 ---- */
	{ "close-wait-leak", "CLOSE_WAIT泄漏", NULL,
	  "check：某进程持有 CLOSE_WAIT 套接字：对端关闭了，它却不关闭",
	  "对端发来 FIN，内核已确认，应用却没有调用 close()。正常程序在 read() 返回 0 后立刻离开 "
	  "CLOSE_WAIT；只增不减的数量就是"
	  "描述符泄漏，最终以 EMFILE 告终。",
	  "在泄漏进程所在主机上报告；它的对端处于 FIN_WAIT2。",
	  "某条代码路径返回时没有关闭套接字（错误路径）\n"
	  "连接池从不检查服务端是否关闭了空闲连接\n"
	  "线程阻塞在别处，始终没有读到文件结束" },
	{ "time-wait-pressure", "TIME_WAIT压力", NULL,
	  "check：TIME_WAIT 耗尽了到某一目的地的本地端口",
	  "本机先关闭连接，每个关闭的四元组保留 60 秒，而到同一目的地址和端口只有 "
	  "ip_local_port_range 这么多端口。"
	  "一半处于 TIME_WAIT 时，再来一次突发 connect() 就会以 EADDRNOTAVAIL 失败。",
	  "对同一后端开大量短连接的客户端和代理。",
	  "没有连接复用（无 keep-alive 的 HTTP、每次查询一个连接）\n"
	  "ip_local_port_range 太窄\n"
	  "达到 tcp_max_tw_buckets（TIME_WAIT 被跳过）" },
	{ "accept-queue-overflow", "全连接队列满", NULL,
	  "check：监听套接字的全连接队列已满：应用 accept 太慢",
	  "LISTEN 套接字的 Recv-Q 是全连接队列，Send-Q 是 backlog。两者相等时，"
	  "完成的握手被丢弃（TcpExt.ListenOverflows），"
	  "客户端要等一秒以上的重传。",
	  "在服务端报告；客户端看到首个响应很慢。",
	  "accept 循环阻塞或工作线程太少\n"
	  "backlog 对突发来说太小（listen() 参数、somaxconn）" },
	{ "syn-flood", "SYN洪水|洪水攻击|SYN攻击|半连接攻击", NULL,
	  "监听套接字上大量半连接：SYN 洪水或 ACK 丢失",
	  "SYN 洪水发送 SYN（常用伪造地址）却从不完成握手：每个 SYN "
	  "占用监听套接字半连接队列中的一个请求套接字（SYN_RECV），"
	  "直到 tcp_synack_retries 放弃。队列满时 SYN cookie 在不保存状态的情况下应答；没有 "
	  "cookie 时新 SYN 被丢弃。"
	  "check 依据 SYN_RECV 套接字数、源地址数和 SyncookiesSent 报告它。",
	  "服务端；真实客户端看到连接缓慢或失败。",
	  "伪造源地址的攻击\n"
	  "回程路径丢失 SYN+ACK 或客户端的 ACK\n"
	  "正常突发下 backlog 太小" },
	{ "syn-sent-stuck", "连接无响应", NULL,
	  "check：连接得不到应答，或连向的地址过多",
	  "套接字停在 SYN_SENT 且 SYN 在重传：没有人应答。同时连向很多目的地像是扫描或蠕虫。",
	  "在客户端报告。",
	  "目的主机宕机、被过滤（DROP）或路由错误\n"
	  "服务发现列表里全是死地址\n"
	  "本机上有扫描器" },
	{ "fin-wait1-piling", "FIN_WAIT1堆积", NULL,
	  "check：我们的 FIN 得不到确认：FIN_WAIT1 堆积",
	  "对端存活时 FIN_WAIT1 只持续一个往返。同时很多说明对端已不在，或它们的接收窗口关闭，"
	  "我们的数据和 FIN 发不出去。",
	  "在先关闭的一方报告。",
	  "对端不再读取（零窗口）\n"
	  "对端消失\n"
	  "路径丢弃我们的报文" },
	{ "fin-wait2-piling", "FIN_WAIT2堆积", NULL,
	  "check：对端不关闭自己的一侧：FIN_WAIT2 堆积",
	  "我们的 FIN 已被确认，对端却没有发来自己的 FIN。孤儿 FIN_WAIT2 在 tcp_fin_timeout "
	  "后结束；对端应用很可能在泄漏 CLOSE_WAIT。",
	  "在主动关闭方报告；去对端查 CLOSE_WAIT。",
	  "对端应用从不调用 close()\n"
	  "有意等待的半关闭连接" },
	{ "last-ack-piling", "LAST_ACK堆积", NULL,
	  "check：对端在确认我们的 FIN 前消失：LAST_ACK 堆积",
	  "本端在对端之后关闭，正在等待对自己 FIN 的确认。同时很多说明对端已不在，"
	  "或路径丢弃了我们的 FIN。",
	  "在被动关闭方报告。",
	  "客户端发完 FIN 就重置或消失\n"
	  "防火墙在第一个 FIN 后就忘了这个流" },
	{ "orphans-near-limit", "孤儿接近上限", NULL,
	  "check：孤儿套接字接近 net.ipv4.tcp_max_orphans",
	  "超过上限后内核立即重置孤儿，并记录 \"too many orphaned sockets\"；"
	  "对端看到的是重置而不是正常关闭。",
	  "在关闭大量连接的主机上报告。",
	  "对端不确认 FIN，孤儿滞留\n"
	  "繁忙代理上 tcp_max_orphans 太低" },
	{ "half-open-suspects", "疑似半打开", NULL,
	  "check：长时间静默且没有保活的已建立连接",
	  "双向都没有字节的时间超过了多数 NAT 和防火墙的流超时，又没有保活："
	  "对端或中间设备可能已经忘了这个连接。本端只有发送时才会发现。",
	  "在长时间空闲的长连接任一方报告。",
	  "连接池既无保活也无应用心跳\n"
	  "NAT 或防火墙静默丢弃空闲流" },
	{ "retransmission-storm", "重传风暴", NULL,
	  "check：发出的报文段中重传占比很高",
	  "采样期间 Tcp.RetransSegs 与 Tcp.OutSegs 之比。超过几个百分点吞吐就会崩溃；"
	  "TCPSynRetrans 和 TCPTimeouts 用来区分握手和超时。",
	  "在发送方报告。",
	  "路径丢包（拥塞、坏链路、队列满）\n"
	  "对端不再应答\n"
	  "发往死地址的 SYN" },
	{ "reset-storm", "重置风暴|RST风暴", NULL,
	  "check：每秒发出大量重置",
	  "采样期间的 Tcp.OutRsts，以及说明原因的中止计数器（数据未读、关闭时、超时、内存）。",
	  "在发出重置的主机上报告。",
	  "客户端连接没有监听的端口\n"
	  "应用带着未读数据关闭\n"
	  "端口扫描" },
	{ "send-queue-backlog", "发送队列积压", NULL,
	  "check：发往某对端的未确认数据在堆积",
	  "连接的 Send-Q 里是对端还没确认（或因零窗口不让我们发送）的数据。"
	  "窗口探测得不到应答说明对端不再读取。",
	  "在发送方报告。",
	  "对端读者慢或卡住（零窗口）\n"
	  "路径慢或丢包" },
	{ "recv-queue-backlog", "接收队列积压", NULL,
	  "check：收到的数据应用不去读",
	  "连接的 Recv-Q 里是内核已收到并确认、应用却没有读取的字节。缓冲区满后窗口关闭，"
	  "对端停滞。",
	  "在接收方报告；它的对端看到零窗口。",
	  "应用阻塞、忙碌或已死但仍持有套接字\n"
	  "读取速度跟不上数据速率" },
	{ "listen-backlog-too-small", "backlog太小", NULL,
	  "check：监听套接字的 backlog 很小",
	  "LISTEN 套接字的 Send-Q 是它的 backlog：min(listen() 参数, somaxconn)。低于几十时，"
	  "一阵并发连接就会让全连接队列溢出。",
	  "在服务端报告。",
	  "从旧例子抄来的 listen(fd, 5)\n"
	  "net.core.somaxconn 很低" },
	{ "ephemeral-range-narrow", "临时端口太少", NULL,
	  "check：可用于出站连接的本地端口很少",
	  "net.ipv4.ip_local_port_range 限定了 connect() 选用的源端口。TIME_WAIT 会把每个端口占 "
	  "60 秒，范围小就限制了到同一目的地每秒的新连接数。",
	  "在客户端和代理上报告。",
	  "为了空出服务端口而缩小了范围（应改用 ip_local_reserved_ports）" },
	{ "syncookies-off", "SYN cookie已关闭", NULL,
	  "check：SYN cookie 被关闭",
	  "net.ipv4.tcp_syncookies = 0 时，半连接队列满就丢弃新 SYN，洪水或超过 backlog "
	  "的突发会把真实客户端挡在外面。",
	  "在任何有监听套接字的主机上报告。",
	  "加固指南或旧调优脚本把它关了" },
	{ "risky-sysctl", "危险参数", NULL,
	  "check：审计认为有风险的其他 TCP 内核参数",
	  "check 重复给出 tcpdoctor sysctl 的结论：取值超出所选配置档可容忍的范围，"
	  "并说明原因和修改的风险。",
	  "在被审计的主机上报告。",
	  "从网上抄来的调优\n"
	  "默认值不适合该负载" },
	/* ---- 列 ---- */
	{ "Recv-Q", "接收队列", NULL,
	  "ESTABLISHED：已收到未读取的字节；LISTEN：全连接队列长度",
	  "对连接，是接收队列中应用尚未读取的字节（ss、netstat、conns）。对监听套接字，"
	  "是已完成握手、等待 accept() 的连接数。"
	  "/proc/net/tcp 中叫 rx_queue。",
	  "在接收方主机上运行 ss 或 conns 的人。",
	  "连接上很大且在增长：应用没有读\n"
	  "监听套接字上接近 Send-Q：全连接队列满（ListenOverflows）" },
	{ "Send-Q", "发送队列", NULL,
	  "ESTABLISHED：已发送未确认的字节；LISTEN：backlog",
	  "对连接，是应用已写入、对端尚未确认的字节，无论是否已发出（ss、netstat、conns）。"
	  "对监听套接字，是 backlog："
	  "min(listen() 参数, net.core.somaxconn)。/proc/net/tcp 对监听套接字给 0。",
	  "在发送方主机上运行 ss 或 conns 的人。",
	  "连接上很大：对端读得慢（零窗口）或路径慢\n"
	  "监听套接字上：全连接队列的配置上限" },
	{ "Local-Address", "本地地址", NULL,
	  "本机一端的地址和端口",
	  "对监听套接字，是它接受连接的地址（0.0.0.0 或 [::] 表示所有地址，ss 中为 *）。对连接，"
	  "是本端使用的地址和端口；"
	  "客户端的端口是临时端口，来自 ip_local_port_range。",
	  "双方；ss 显示 Local Address:Port，netstat 显示 Local Address。",
	  "监听在 127.0.0.1 上的服务其他主机访问不到\n"
	  "大量连接来自同一本地端口范围：客户端或代理" },
	{ "Peer-Address", "对端地址|远端地址|外部地址", NULL,
	  "另一端的地址和端口",
	  "连接的远端地址（netstat 叫 Foreign Address）。监听套接字为 *:*（ss）或 "
	  "0.0.0.0:*（netstat）。"
	  "在 NAT 或代理之后，它是最后一跳，而不是真正的客户端。",
	  "双方。",
	  "大量套接字连向同一对端：连接池，或某个客户端行为异常\n"
	  "意外的对端：NAT、负载均衡、扫描器" },
	{ "Process", "进程|所属进程", NULL,
	  "哪个进程持有套接字（ss -p 的 users:，netstat -p 的 PID/Program name）",
	  "持有该套接字文件描述符的进程。TIME_WAIT、请求套接字、"
	  "孤儿以及还在全连接队列中的套接字不属于任何进程，显示 '-'。"
	  "预派生（pre-fork）服务器会显示共享监听套接字的每个工作进程。",
	  "运行 conns、who、ss -p 或 netstat -p 的人（root 能看到所有进程）。",
	  "TIME_WAIT、SYN_RECV 或孤儿显示 '-' 是正常的\n"
	  "ESTABLISHED 显示 '-'：连接还在全连接队列中" },
	{ "Timer", "计时器|定时器", NULL,
	  "套接字正在运行的计时器：on（重传）、keepalive、timewait、persist、off",
	  "ss -o 和 netstat -o 显示运行的计时器、何时触发以及已触发次数：on = 重传（次数 = "
	  "已重传次数），keepalive = 保活，"
	  "timewait，persist = 零窗口探测，off = 无。",
	  "想知道套接字为何迟迟不走的人。",
	  "on 且次数在涨：向沉默的对端重传\n"
	  "persist：对端窗口为零\n"
	  "keepalive：开启了 SO_KEEPALIVE" },
	{ "rtt", "往返时间", NULL,
	  "平滑往返时间及其偏差，单位毫秒（ss -i，conns -i）",
	  "内核对一个往返的估计（srtt）及其平均偏差（rttvar），RTO 据此计算：RTO = srtt + 4 × "
	  "rttvar，至少 200 毫秒。",
	  "发送方；由 ACK 测得。",
	  "rtt 高：路径长或排队（缓冲膨胀）\n"
	  "rttvar 高：路径抖动" },
	{ "cwnd", "拥塞窗口", NULL,
	  "拥塞窗口：可同时在途的报文段数（ss -i，conns -i）",
	  "拥塞控制给发送方的限额。ACK 到来时增长，丢包时缩小；ssthresh 是慢启动停止的位置。"
	  "超时后 cwnd 为 1 是正常的。",
	  "发送方。",
	  "cwnd 小且有重传：路径丢包\n"
	  "空闲后 cwnd 被重置：tcp_slow_start_after_idle" },
	{ "retrans", "重传次数", NULL,
	  "连接的重传：当前在途 / 累计（ss -i，conns -i）",
	  "ss -i 显示 retrans:N/M：当前正在重传的报文段数和累计重传数；lost 和 unacked "
	  "统计推定丢失和尚未确认的报文段。",
	  "发送方。",
	  "路径丢包\n"
	  "对端不再应答" },
};
/* clang-format on */

const struct td_kb_tr *td_kb_zh_rows(size_t *n)
{
	if (n)
		*n = sizeof(rows) / sizeof(rows[0]);
	return rows;
}
