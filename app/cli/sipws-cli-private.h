/* sipws-cli-private.h: what the sipws subcommands share */
#pragma once

#include <sipws.h>

G_BEGIN_DECLS

/* Exit statuses scripts can rely on (see sipws(1)). */
enum {
  SIPWS_CLI_EXIT_OK = 0,
  SIPWS_CLI_EXIT_FAILURE = 1,
  SIPWS_CLI_EXIT_USAGE = 2,
};

/* The options of ../shared/DESIGN.md, shared by every subcommand. Secrets are
 * never options: they are read from the environment or from files. */
typedef struct {
  /* account */
  char **servers;
  char *aor;
  char *display_name;
  char *auth_user;
  char *password_file;
  char *url_token_file;
  char *ca_file;
  char *pin_sha256;
  char *cookie_jar;
  char *login_url;
  char **login_fields;
  char *origin;
  char **headers;
  char *instance_id;
  /* call */
  int duration;
  char *dtmf;
  char *play;
  char *record;
  double tone;
  gboolean echo;
  int count;
  /* output */
  gboolean json;
  gboolean verbose;
} SipwsCliOptions;

void   sipws_cli_options_clear   (SipwsCliOptions *options);

/* Reads the SIP password from SIPWS_PASSWORD or --password-file; NULL when neither is given. */
char  *sipws_cli_read_password   (const SipwsCliOptions  *options,
                                  GError                **error);
/* Reads a one-line secret file, trailing newline removed. */
char  *sipws_cli_read_secret_file (const char  *path,
                                   GError     **error);

/* Prints one machine-readable event as a JSON object on stdout when --json is
 * given; @first_key is followed by key/GVariant pairs and a NULL key. */
void   sipws_cli_emit            (const SipwsCliOptions *options,
                                  const char            *event,
                                  const char            *first_key,
                                  ...) G_GNUC_NULL_TERMINATED;

/* Human progress on stderr. */
void   sipws_cli_progress        (const SipwsCliOptions *options,
                                  const char            *format,
                                  ...) G_GNUC_PRINTF (2, 3);

/* Prints "sipws: <message>" on stderr and returns SIPWS_CLI_EXIT_FAILURE. */
int    sipws_cli_fail            (const char *format,
                                  ...) G_GNUC_PRINTF (1, 2);

/* Subcommands: argv[0] is the subcommand name. */
int    sipws_cli_parse           (SipwsCliOptions *options,
                                  int              argc,
                                  char           **argv);
int    sipws_cli_connect         (SipwsCliOptions *options,
                                  int              argc,
                                  char           **argv);

G_END_DECLS

G_BEGIN_DECLS

/* The account subcommands (sipws-cli-account.c). */
typedef struct _SipwsCliCallWatch SipwsCliCallWatch;

const char   *sipws_cli_enum_nick             (GType                   enum_type,
                                               int                     value);
/* Applies the handshake options (origin, headers, TLS, cookies, web login,
 * URL token, HTTP credentials) to @transport. */
gboolean      sipws_cli_configure_transport   (const SipwsCliOptions  *options,
                                               SipwsTransport         *transport,
                                               const char             *http_user,
                                               const char             *password,
                                               GError                **error);
/* The account of --aor/--server/…, with its password and transport set. */
SipwsAccount *sipws_cli_account_new           (const SipwsCliOptions  *options,
                                               GError                **error);
/* Runs the main loop until @timeout_ms (0: no limit), g_main_loop_quit() or
 * SIGINT/SIGTERM; FALSE when a signal stopped it. */
gboolean      sipws_cli_run_loop              (GMainLoop              *loop,
                                               guint                   timeout_ms);
/* Registers and waits for the result, reporting registration events. */
gboolean      sipws_cli_account_register      (const SipwsCliOptions  *options,
                                               SipwsAccount           *account,
                                               GError                **error);
/* Unregisters (bounded wait); a failure is only reported. */
void          sipws_cli_account_unregister    (const SipwsCliOptions  *options,
                                               SipwsAccount           *account);
/* Calls get a SipwsMediaSession set up from --tone/--play/--record. */
gboolean      sipws_cli_setup_media           (const SipwsCliOptions  *options,
                                               SipwsAccount           *account,
                                               GError                **error);
/* Reports a call's states, DTMF and media stats; sends --dtmf once active
 * and hangs up after --duration; quits @loop when the call ends. */
SipwsCliCallWatch *sipws_cli_call_watch_new   (const SipwsCliOptions  *options,
                                               SipwsCall              *call,
                                               GMainLoop              *loop);
gboolean      sipws_cli_call_watch_was_active (SipwsCliCallWatch      *watch);
void          sipws_cli_call_watch_free       (SipwsCliCallWatch      *watch);
/* The account of the options, with media (--tone…) when @with_media, and
 * registered when @with_registration; NULL after printing why, with the
 * exit status in @status. */
SipwsAccount *sipws_cli_account_open          (const SipwsCliOptions  *options,
                                               gboolean                with_media,
                                               gboolean                with_registration,
                                               int                    *status);
/* Unregisters (when registered) and closes the flow. */
void          sipws_cli_account_close         (const SipwsCliOptions  *options,
                                               SipwsAccount           *account);
/* Hangs up and waits (bounded) for the call to end. */
void          sipws_cli_call_end              (SipwsCall              *call);

int           sipws_cli_register              (SipwsCliOptions        *options,
                                               int                     argc,
                                               char                  **argv);
int           sipws_cli_message               (SipwsCliOptions        *options,
                                               int                     argc,
                                               char                  **argv);
int           sipws_cli_call                  (SipwsCliOptions        *options,
                                               int                     argc,
                                               char                  **argv);
int           sipws_cli_answer                (SipwsCliOptions        *options,
                                               int                     argc,
                                               char                  **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsCliCallWatch, sipws_cli_call_watch_free)

G_END_DECLS
