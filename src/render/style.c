/* Terminal styling and human formats; see style.h. */
#include "render/style.h"
#include "render/wrap.h"

#include <stdio.h>
#include <stdlib.h>

#include "state.h"

const int td_state_order[11] = {
	TD_LISTEN,  TD_SYN_SENT,  TD_SYN_RECV,	 TD_ESTABLISHED, TD_FIN_WAIT1, TD_FIN_WAIT2,
	TD_CLOSING, TD_TIME_WAIT, TD_CLOSE_WAIT, TD_LAST_ACK,	 TD_CLOSE,
};

const char *td_style_bold(bool color)
{
	return color ? "\033[1m" : "";
}

const char *td_style_reset(bool color)
{
	return color ? "\033[0m" : "";
}

const char *td_style_dim(bool color)
{
	return color ? "\033[2m" : "";
}

/* Green for the healthy steady state, cyan for listeners, yellow for the
 * transient ones, red for the states that pile up when something is wrong
 * on our side (CLOSE_WAIT: we do not close; LAST_ACK/FIN_WAIT1: peer gone). */
const char *td_style_state(bool color, int state)
{
	if (!color)
		return "";
	switch (state) {
	case TD_ESTABLISHED:
		return "\033[32m";
	case TD_LISTEN:
		return "\033[36m";
	case TD_CLOSE_WAIT:
	case TD_LAST_ACK:
	case TD_FIN_WAIT1:
		return "\033[31m";
	case TD_SYN_SENT:
	case TD_SYN_RECV:
	case TD_NEW_SYN_RECV:
	case TD_TIME_WAIT:
		return "\033[33m";
	default:
		return "\033[35m";
	}
}

const char *td_fmt_duration_ms(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else if (s < 60)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	return buf;
}

const char *td_fmt_rate(uint64_t bytes_per_sec, char *buf, size_t len)
{
	static const char *const units[] = { "bps", "Kbps", "Mbps", "Gbps", "Tbps" };
	double v = (double)bytes_per_sec * 8.0;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f%s", v, units[u]);
	else
		snprintf(buf, len, "%.1f%s", v, units[u]);
	return buf;
}

int td_term_width(int min, int max)
{
	/* No limit (a pipe without COLUMNS): as wide as the view likes. */
	int w = td_out_width();

	if (!w)
		w = max;
	if (w < min)
		w = min;
	if (w > max)
		w = max;
	return w;
}
