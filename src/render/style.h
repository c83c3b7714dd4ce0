/* Terminal styling: ANSI colours for states and headers, used only when the
 * command decided colour is wanted (a terminal, no --no-color, no NO_COLOR),
 * and human formats for durations, rates and sizes. */
#ifndef TD_STYLE_H
#define TD_STYLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Escape sequences, or "" when colour is off. */
const char *td_style_bold(bool color);
const char *td_style_reset(bool color);
const char *td_style_dim(bool color);
const char *td_style_state(bool color, int state);

/* Display order of states: the life of a connection, not kernel numbers:
 * LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSING,
 * TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSE. */
extern const int td_state_order[11];

/* "850ms", "12.3s", "4m05s", "2h13m", "3d04h". */
const char *td_fmt_duration_ms(uint64_t ms, char *buf, size_t len);
/* Bits per second from bytes per second: "950bps", "12.5Kbps", "1.2Gbps". */
const char *td_fmt_rate(uint64_t bytes_per_sec, char *buf, size_t len);

/* td_out_width() (render/wrap.h: the terminal's, else COLUMNS), max when
 * there is no limit (a pipe), clamped to [min, max]. */
int td_term_width(int min, int max);

#endif
