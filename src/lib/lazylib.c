/* libpcap, libmicrohttpd and SQLite, loaded when first called. Linked as
 * usual, the three (and what they pull in: GnuTLS, D-Bus, systemd, ...) are
 * mapped by every command and cost ~4.5 MiB of RSS before main(); most
 * commands use none of them. So the binary does not link them: these are
 * the functions of theirs tcpdoctor calls, each resolved with dlsym() from
 * the library dlopen()ed on the first call (the prototypes come from the
 * libraries' own headers, so a signature that drifts does not compile).
 * When a library cannot be loaded, the calls that start a use of it fail
 * the way the library itself reports failure (pcap's errbuf, SQLite's
 * SQLITE_CANTOPEN with the reason in sqlite3_errmsg(NULL), MHD's NULL
 * daemon) and the caller's error path says so; the others are only reached
 * through a handle one of those returned. The Debian package depends on
 * the three by name (dpkg-shlibdeps does not see a dlopen()). */
#include <dlfcn.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>
#include <sqlite3.h>

struct lazy {
	const char *const names[4]; /* sonames, the packaged one first */
	pthread_once_t once;
	void *handle;
	char why[200]; /* dlerror() of the first name, when none loaded */
};

static struct lazy lib_pcap = {
	{ "libpcap.so.0.8", "libpcap.so.1", "libpcap.so", NULL }, PTHREAD_ONCE_INIT, NULL, ""
};
static struct lazy lib_mhd = {
	{ "libmicrohttpd.so.12", "libmicrohttpd.so", NULL }, PTHREAD_ONCE_INIT, NULL, ""
};
static struct lazy lib_sqlite = {
	{ "libsqlite3.so.0", "libsqlite3.so", NULL }, PTHREAD_ONCE_INIT, NULL, ""
};

static void open_lib(struct lazy *l)
{
	for (int i = 0; l->names[i] && !l->handle; i++) {
		l->handle = dlopen(l->names[i], RTLD_NOW | RTLD_LOCAL);
		if (!l->handle && i == 0) {
			const char *e = dlerror();

			snprintf(l->why, sizeof(l->why), "%s", e ? e : l->names[0]);
		}
	}
}

static void open_pcap(void)
{
	open_lib(&lib_pcap);
}

static void open_mhd(void)
{
	open_lib(&lib_mhd);
}

static void open_sqlite(void)
{
	open_lib(&lib_sqlite);
}

static void *sym(struct lazy *l, void (*opener)(void), const char *name)
{
	pthread_once(&l->once, opener);
	return l->handle ? dlsym(l->handle, name) : NULL;
}

/* One wrapper: the pointer is looked up once (a race only stores the same
 * value twice). */
#define LAZY(lib, ret, name, params, args, fail)                                                   \
	ret name params                                                                            \
	{                                                                                          \
		static __typeof__(&name) fp;                                                       \
		__typeof__(&name) f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);                      \
		if (!f) {                                                                          \
			f = (__typeof__(&name))sym(&lib_##lib, open_##lib, #name);                 \
			if (!f)                                                                    \
				return fail;                                                       \
			__atomic_store_n(&fp, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		return f args;                                                                     \
	}
#define LAZY_VOID(lib, name, params, args)                                                         \
	void name params                                                                           \
	{                                                                                          \
		static __typeof__(&name) fp;                                                       \
		__typeof__(&name) f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);                      \
		if (!f) {                                                                          \
			f = (__typeof__(&name))sym(&lib_##lib, open_##lib, #name);                 \
			if (!f)                                                                    \
				return;                                                            \
			__atomic_store_n(&fp, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		f args;                                                                            \
	}

/* ---- libpcap: a capture starts with one of these two, which take errbuf --------- */

static pcap_t *pcap_missing(char *errbuf)
{
	if (errbuf)
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot load libpcap (%s)", lib_pcap.why);
	return NULL;
}

pcap_t *pcap_fopen_offline_with_tstamp_precision(FILE *fp_, u_int prec, char *errbuf)
{
	static __typeof__(&pcap_fopen_offline_with_tstamp_precision) fp;
	__typeof__(&pcap_fopen_offline_with_tstamp_precision) f =
		__atomic_load_n(&fp, __ATOMIC_ACQUIRE);

	if (!f) {
		f = (__typeof__(f))sym(&lib_pcap, open_pcap,
				       "pcap_fopen_offline_with_tstamp_precision");
		if (!f)
			return pcap_missing(errbuf);
		__atomic_store_n(&fp, f, __ATOMIC_RELEASE);
	}
	return f(fp_, prec, errbuf);
}

pcap_t *pcap_open_offline_with_tstamp_precision(const char *path, u_int prec, char *errbuf)
{
	static __typeof__(&pcap_open_offline_with_tstamp_precision) fp;
	__typeof__(&pcap_open_offline_with_tstamp_precision) f =
		__atomic_load_n(&fp, __ATOMIC_ACQUIRE);

	if (!f) {
		f = (__typeof__(f))sym(&lib_pcap, open_pcap,
				       "pcap_open_offline_with_tstamp_precision");
		if (!f)
			return pcap_missing(errbuf);
		__atomic_store_n(&fp, f, __ATOMIC_RELEASE);
	}
	return f(path, prec, errbuf);
}

pcap_t *pcap_create(const char *dev, char *errbuf)
{
	static __typeof__(&pcap_create) fp;
	__typeof__(&pcap_create) f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);

	if (!f) {
		f = (__typeof__(f))sym(&lib_pcap, open_pcap, "pcap_create");
		if (!f)
			return pcap_missing(errbuf);
		__atomic_store_n(&fp, f, __ATOMIC_RELEASE);
	}
	return f(dev, errbuf);
}

LAZY(pcap, char *, pcap_geterr, (pcap_t * p), (p), NULL)
LAZY(pcap, FILE *, pcap_file, (pcap_t * p), (p), NULL)
LAZY(pcap, int, pcap_dispatch, (pcap_t * p, int n, pcap_handler cb, u_char *user), (p, n, cb, user),
     PCAP_ERROR)
LAZY(pcap, int, pcap_stats, (pcap_t * p, struct pcap_stat *st), (p, st), PCAP_ERROR)
LAZY_VOID(pcap, pcap_freecode, (struct bpf_program * prog), (prog))
LAZY(pcap, int, pcap_datalink, (pcap_t * p), (p), PCAP_ERROR)
LAZY_VOID(pcap, pcap_breakloop, (pcap_t * p), (p))
LAZY(pcap, const char *, pcap_statustostr, (int e), (e), "libpcap not loaded")
LAZY(pcap, int, pcap_snapshot, (pcap_t * p), (p), PCAP_ERROR)
LAZY(pcap, int, pcap_setnonblock, (pcap_t * p, int nb, char *errbuf), (p, nb, errbuf), PCAP_ERROR)
LAZY(pcap, int, pcap_setfilter, (pcap_t * p, struct bpf_program *prog), (p, prog), PCAP_ERROR)
LAZY(pcap, int, pcap_set_tstamp_precision, (pcap_t * p, int v), (p, v), PCAP_ERROR)
LAZY(pcap, int, pcap_set_timeout, (pcap_t * p, int v), (p, v), PCAP_ERROR)
LAZY(pcap, int, pcap_set_snaplen, (pcap_t * p, int v), (p, v), PCAP_ERROR)
LAZY(pcap, int, pcap_set_promisc, (pcap_t * p, int v), (p, v), PCAP_ERROR)
LAZY(pcap, int, pcap_set_immediate_mode, (pcap_t * p, int v), (p, v), PCAP_ERROR)
LAZY(pcap, int, pcap_is_swapped, (pcap_t * p), (p), PCAP_ERROR)
LAZY(pcap, int, pcap_get_tstamp_precision, (pcap_t * p), (p), PCAP_ERROR)
LAZY(pcap, int, pcap_get_selectable_fd, (pcap_t * p), (p), PCAP_ERROR)
LAZY(pcap, pcap_dumper_t *, pcap_dump_open, (pcap_t * p, const char *path), (p, path), NULL)
LAZY(pcap, pcap_dumper_t *, pcap_dump_fopen, (pcap_t * p, FILE *fp_), (p, fp_), NULL)
LAZY(pcap, int, pcap_dump_flush, (pcap_dumper_t * d), (d), PCAP_ERROR)
LAZY_VOID(pcap, pcap_dump_close, (pcap_dumper_t * d), (d))
LAZY_VOID(pcap, pcap_dump, (u_char * user, const struct pcap_pkthdr *h, const u_char *data),
	  (user, h, data))
LAZY(pcap, const char *, pcap_datalink_val_to_name, (int dlt), (dlt), NULL)
/* pcapsrc.c's own pcapng reader and compressed input (capture/pcapng.h) */
LAZY(pcap, pcap_t *, pcap_open_dead_with_tstamp_precision, (int link, int snap, u_int prec),
     (link, snap, prec), NULL)
LAZY(pcap, int, pcap_offline_filter,
     (const struct bpf_program *prog, const struct pcap_pkthdr *h, const u_char *data),
     (prog, h, data), 0)
LAZY(pcap, int, pcap_compile,
     (pcap_t * p, struct bpf_program *prog, const char *expr, int opt, bpf_u_int32 mask),
     (p, prog, expr, opt, mask), PCAP_ERROR)
LAZY_VOID(pcap, pcap_close, (pcap_t * p), (p))
LAZY(pcap, int, pcap_activate, (pcap_t * p), (p), PCAP_ERROR)

/* ---- libmicrohttpd: serve starts with MHD_start_daemon (NULL: it says so) ----------- */

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	__typeof__(&MHD_start_daemon_va) f =
		(__typeof__(f))sym(&lib_mhd, open_mhd, "MHD_start_daemon_va");
	struct MHD_Daemon *d;
	va_list ap;

	if (!f)
		return NULL;
	va_start(ap, dh_cls);
	d = f(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

LAZY(mhd, enum MHD_Result, MHD_is_feature_supported, (enum MHD_FEATURE feature), (feature), MHD_NO)
LAZY(mhd, enum MHD_Result, MHD_add_response_header,
     (struct MHD_Response * r, const char *header, const char *content), (r, header, content),
     MHD_NO)
LAZY_VOID(mhd, MHD_free, (void *ptr), (ptr))
LAZY_VOID(mhd, MHD_destroy_response, (struct MHD_Response * r), (r))
LAZY(mhd, struct MHD_Response *, MHD_create_response_from_buffer,
     (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode), NULL)
LAZY_VOID(mhd, MHD_stop_daemon, (struct MHD_Daemon * d), (d))
LAZY(mhd, enum MHD_Result, MHD_queue_response,
     (struct MHD_Connection * c, unsigned int status, struct MHD_Response *r), (c, status, r),
     MHD_NO)
LAZY(mhd, enum MHD_Result, MHD_queue_basic_auth_fail_response,
     (struct MHD_Connection * c, const char *realm, struct MHD_Response *r), (c, realm, r), MHD_NO)
LAZY(mhd, const char *, MHD_lookup_connection_value,
     (struct MHD_Connection * c, enum MHD_ValueKind kind, const char *key), (c, kind, key), NULL)
LAZY(mhd, char *, MHD_basic_auth_get_username_password,
     (struct MHD_Connection * c, char **password), (c, password), NULL)

/* ---- SQLite: a store starts with sqlite3_open_v2 ----------------------------------- */

int sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs)
{
	__typeof__(&sqlite3_open_v2) f =
		(__typeof__(f))sym(&lib_sqlite, open_sqlite, "sqlite3_open_v2");

	if (!f) {
		*db = NULL;
		return SQLITE_CANTOPEN;
	}
	return f(filename, db, flags, vfs);
}

/* The tests open their databases with it. */
int sqlite3_open(const char *filename, sqlite3 **db)
{
	__typeof__(&sqlite3_open) f = (__typeof__(f))sym(&lib_sqlite, open_sqlite, "sqlite3_open");

	if (!f) {
		*db = NULL;
		return SQLITE_CANTOPEN;
	}
	return f(filename, db);
}

/* With no database (NULL: the open failed before SQLite could make one),
 * the reason the library did not load, if that is what happened. */
const char *sqlite3_errmsg(sqlite3 *db)
{
	__typeof__(&sqlite3_errmsg) f =
		(__typeof__(f))sym(&lib_sqlite, open_sqlite, "sqlite3_errmsg");
	static char why[260];

	if (!f) {
		snprintf(why, sizeof(why), "cannot load SQLite (%s)", lib_sqlite.why);
		return why;
	}
	return f(db);
}

LAZY(sqlite, int, sqlite3_bind_int64, (sqlite3_stmt * s, int i, sqlite3_int64 v), (s, i, v),
     SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_finalize, (sqlite3_stmt * s), (s), SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_bind_text,
     (sqlite3_stmt * s, int i, const char *v, int n, void (*d)(void *)), (s, i, v, n, d),
     SQLITE_MISUSE)
LAZY(sqlite, sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt * s, int i), (s, i), 0)
LAZY(sqlite, int, sqlite3_step, (sqlite3_stmt * s), (s), SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_column_int, (sqlite3_stmt * s, int i), (s, i), 0)
LAZY(sqlite, int, sqlite3_bind_int, (sqlite3_stmt * s, int i, int v), (s, i, v), SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_exec,
     (sqlite3 * db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
      char **errmsg),
     (db, sql, cb, arg, errmsg), SQLITE_MISUSE)
LAZY(sqlite, double, sqlite3_column_double, (sqlite3_stmt * s, int i), (s, i), 0)
LAZY(sqlite, int, sqlite3_prepare_v2,
     (sqlite3 * db, const char *sql, int n, sqlite3_stmt **st, const char **tail),
     (db, sql, n, st, tail), SQLITE_MISUSE)
LAZY(sqlite, const unsigned char *, sqlite3_column_text, (sqlite3_stmt * s, int i), (s, i), NULL)
LAZY(sqlite, int, sqlite3_bind_null, (sqlite3_stmt * s, int i), (s, i), SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_bind_double, (sqlite3_stmt * s, int i, double v), (s, i, v),
     SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_reset, (sqlite3_stmt * s), (s), SQLITE_MISUSE)
LAZY(sqlite, sqlite3_int64, sqlite3_last_insert_rowid, (sqlite3 * db), (db), 0)
LAZY(sqlite, int, sqlite3_errcode, (sqlite3 * db), (db), SQLITE_CANTOPEN)
LAZY(sqlite, int, sqlite3_column_type, (sqlite3_stmt * s, int i), (s, i), SQLITE_NULL)
LAZY(sqlite, int, sqlite3_close, (sqlite3 * db), (db), SQLITE_OK)
LAZY(sqlite, int, sqlite3_clear_bindings, (sqlite3_stmt * s), (s), SQLITE_MISUSE)
LAZY(sqlite, int, sqlite3_changes, (sqlite3 * db), (db), 0)
LAZY(sqlite, int, sqlite3_busy_timeout, (sqlite3 * db, int ms), (db, ms), SQLITE_MISUSE)
