/* The knowledge base behind `tcpdoctor explain`: what a TCP state, a flag
 * combination, an errno, a sysctl, a kernel counter, a `check` rule, a
 * column or a concept means, who sees it, why, and what to look at next.
 * One static table of entries in our own words (kb.c), their Chinese text in
 * a second table keyed by name (kb_zh.c), and a lookup that understands the
 * spellings people paste from ss, tcpdump, nstat and logs, in either language. */
#ifndef TD_KB_H
#define TD_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum td_kb_kind {
	TD_KB_STATE = 1,
	TD_KB_FLAGS,
	TD_KB_ERRNO,
	TD_KB_SYSCTL,
	TD_KB_CONCEPT,
	TD_KB_COUNTER, /* /proc/net/snmp, netstat, sockstat: "TcpExt.ListenOverflows" */
	TD_KB_RULE,    /* a `tcpdoctor check` rule, named by its id */
	TD_KB_COLUMN,  /* a column of ss, netstat or our views: "Recv-Q" */
	TD_KB_KIND_MAX = TD_KB_COLUMN,
};

/* The languages entries are written in. English is the table itself. */
enum td_kb_lang {
	TD_KB_EN = 0,
	TD_KB_ZH, /* zh_CN, simplified Chinese */
	TD_KB_LANG_MAX = TD_KB_ZH,
};

/* TCP header flag bits as on the wire (RFC 9293 3.1, RFC 3168 for ECE/CWR). */
enum {
	TD_TCPF_FIN = 0x01,
	TD_TCPF_SYN = 0x02,
	TD_TCPF_RST = 0x04,
	TD_TCPF_PSH = 0x08,
	TD_TCPF_ACK = 0x10,
	TD_TCPF_URG = 0x20,
	TD_TCPF_ECE = 0x40,
	TD_TCPF_CWR = 0x80,
};

/* Longest word (run of non-blank characters) any text field may hold: the
 * command wraps at no less than this plus its indent, so a word never sticks
 * out of the page. */
#define TD_KB_MAX_WORD 40

/* How many nearest names an unknown topic gets. */
#define TD_KB_NEAREST 3

/* One topic. Text fields are plain ASCII (the Chinese text is kb_zh.c's); `meaning` and `who_sees` are
 * paragraphs, `causes`, `next` and `refs` are lists with one item per line
 * ('\n' between items, none at the end). */
struct td_kb_entry {
	enum td_kb_kind kind;
	const char *name;    /* canonical, no blanks: "CLOSE_WAIT", "SYN+ACK", "ECONNRESET",
			       * "net.ipv4.tcp_fin_timeout", "SO_LINGER" */
	const char *aliases; /* other spellings, '|'-separated, or NULL */
	int value;	     /* state: enum td_state; errno: its number on this platform;
			       * flags and concepts: 0 (flags are parsed from name/aliases) */
	const char *summary; /* one line */
	const char *meaning;
	const char *who_sees; /* which side sees it, and when */
	const char *causes;
	const char *next; /* tcpdoctor (and standard) commands to run */
	const char *refs; /* RFC 9293 section, kernel file, sysctl doc */
};

/* An entry's text in one language. Chinese rows carry summary, meaning,
 * who_sees and causes (UTF-8; a paragraph may mix Chinese with names such as
 * net.ipv4.tcp_fin_timeout); next and refs are commands and references,
 * the same in every language. */
struct td_kb_tr {
	const char *name;    /* the entry it translates */
	const char *aliases; /* Chinese spellings, '|'-separated, or NULL */
	const char *message; /* errno: the C library's message in this language
			       * ("连接被对方重设", glibc's zh_CN), else NULL */
	const char *summary;
	const char *meaning;
	const char *who_sees;
	const char *causes;
};

/* The whole table, in display order (states, flags, errno, sysctls,
 * counters, rules, columns, concepts); *n receives the count. */
const struct td_kb_entry *td_kb_entries(size_t *n);

/* The translation rows of a language (NULL and 0 for English). */
const struct td_kb_tr *td_kb_translations(enum td_kb_lang lang, size_t *n);

/* The text of e in lang: the translated fields where the row has them, the
 * English ones otherwise (next, refs, aliases and message always English
 * unless translated). Returns true when lang's row exists for e. */
bool td_kb_text(const struct td_kb_entry *e, enum td_kb_lang lang, struct td_kb_tr *out);

/* "en", "zh"; "unknown" otherwise. */
const char *td_kb_lang_name(enum td_kb_lang lang);

/* A language as --lang or a locale variable spells it: "zh", "zh_CN",
 * "zh-CN", "zh_CN.UTF-8", "zh_CN.utf8@x", "zh_SG", "zh-Hans", "chinese",
 * "中文"; "en", "en_US.UTF-8", "C", "POSIX", "C.UTF-8". Returns 0 and sets
 * *lang, or -TD_EPARSE (a language with no text here: "fr_FR"). */
int td_kb_lang_parse(const char *text, enum td_kb_lang *lang, struct td_err *err);

/* The language gettext would pick from the environment: the locale of
 * messages is the first set of LC_ALL, LC_MESSAGES, LANG; when it is set
 * and not C/POSIX, LANGUAGE (a ':' list) goes first. The first name we
 * have text for wins; English otherwise. Arguments may be NULL. */
enum td_kb_lang td_kb_lang_from_env(const char *language, const char *lc_all,
				    const char *lc_messages, const char *lang);

/* "state", "flags", "errno", "sysctl", "concept"; "unknown" otherwise. */
const char *td_kb_kind_name(enum td_kb_kind kind);

/* Parse a kind name (singular or plural, any case: "state", "flags", "flag",
 * "errno", "sysctls"...). Returns 0 and sets *kind, or -TD_EPARSE. */
int td_kb_kind_parse(const char *name, enum td_kb_kind *kind, struct td_err *err);

/* Parse a TCP flag combination into TD_TCPF_* bits. Accepts flag names joined
 * by '+', ',', '|', '/', '-' or blanks in any order and case ("SYN+ACK",
 * "syn,ack", "FIN ACK", "ack/syn"), the one-letter forms of nmap/scapy
 * ("SA", "FA", "R", "PA"; F S R P A U E C, W = CWR), tcpdump's notation
 * ("[S.]", "[F.]", "[R]", "[.]", "[none]", "S."; '.' = ACK), a number
 * ("0x12", "18"), and the scan names "NULL" (no flag) and "XMAS"
 * (FIN+PSH+URG). Returns 0 and sets *flags, or -TD_EPARSE. */
int td_kb_parse_flags(const char *text, unsigned *flags, struct td_err *err);

/* Find the entry for a topic: an entry's name or alias (case, '-', '_' and
 * blanks ignored), a Chinese alias or errno message ("三次握手",
 * "连接被对方重设"), "errno 104" as typed, a state in any spelling td_state_parse() knows (SYN_RECV
 * and NEW_SYN_RECV have entries of their own), a flag combination in any
 * notation td_kb_parse_flags() takes, an errno name or number ("104"), a
 * sysctl with or without "net.ipv4."/"net.core." or "/proc/sys/", with '.'
 * or '/' separators.
 *
 * Returns 0 and sets *entry. When nothing matches, returns -TD_ENOTFOUND,
 * fills nearest[0..TD_KB_NEAREST-1] with the closest entry names (NULL
 * after the last) when nearest is not NULL, and err with "no entry for 'X';
 * nearest: A, B, C (...)"; for an errno number or name this platform knows
 * but the table does not, the message names it and its strerror() text and
 * says there is no tcpdoctor entry. -EINVAL if topic or entry is NULL. */
int td_kb_find(const char *topic, const struct td_kb_entry **entry,
	       const char *nearest[TD_KB_NEAREST], struct td_err *err);

/* td_kb_find() with the messages of err in lang (the lookup itself takes
 * every language whatever lang is). */
int td_kb_find_lang(const char *topic, enum td_kb_lang lang, const struct td_kb_entry **entry,
		    const char *nearest[TD_KB_NEAREST], struct td_err *err);

#endif
