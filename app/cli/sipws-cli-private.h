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
