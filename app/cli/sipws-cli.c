/* sipws-cli.c: the sipws command-line tool: options, dispatch, output */
#include "sipws-cli-private.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  const char *name;
  const char *args;
  const char *summary;
  int (*run) (SipwsCliOptions *options, int argc, char **argv);
} SipwsCliCommand;

static const SipwsCliCommand commands[] = {
  { "parse",   "FILE|-", "Parse a SIP message and print it, or the precise parse error", sipws_cli_parse },
  { "connect", "URI",    "Open a SIP WebSocket flow and print its events",               sipws_cli_connect },
  { "register", "",      "Register the account (and stay registered --duration seconds)", sipws_cli_register },
  { "call",    "URI",    "Call URI; hang up after --duration seconds or when the peer does", sipws_cli_call },
  { "answer",  "",       "Answer --count incoming calls (prints incoming messages too)", sipws_cli_answer },
  { "message", "URI TEXT", "Send a text message and report its delivery",               sipws_cli_message },
};

void
sipws_cli_options_clear (SipwsCliOptions *options)
{
  g_clear_pointer (&options->servers, g_strfreev);
  g_clear_pointer (&options->aor, g_free);
  g_clear_pointer (&options->display_name, g_free);
  g_clear_pointer (&options->auth_user, g_free);
  g_clear_pointer (&options->password_file, g_free);
  g_clear_pointer (&options->url_token_file, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->pin_sha256, g_free);
  g_clear_pointer (&options->cookie_jar, g_free);
  g_clear_pointer (&options->login_url, g_free);
  g_clear_pointer (&options->login_fields, g_strfreev);
  g_clear_pointer (&options->origin, g_free);
  g_clear_pointer (&options->headers, g_strfreev);
  g_clear_pointer (&options->instance_id, g_free);
  g_clear_pointer (&options->dtmf, g_free);
  g_clear_pointer (&options->play, g_free);
  g_clear_pointer (&options->record, g_free);
}

char *
sipws_cli_read_secret_file (const char  *path,
                            GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  /* A secret file holds one line; an editor's trailing newline is not part of it. */
  while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
    contents[--len] = '\0';

  if (len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is empty", path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

char *
sipws_cli_read_password (const SipwsCliOptions  *options,
                         GError                **error)
{
  const char *env = g_getenv ("SIPWS_PASSWORD");

  if (options->password_file != NULL)
    return sipws_cli_read_secret_file (options->password_file, error);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return NULL;
}

void
sipws_cli_emit (const SipwsCliOptions *options,
                const char            *event,
                const char            *first_key,
                ...)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *key;
  va_list args;

  if (!options->json)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);

  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      GVariant *value = va_arg (args, GVariant *);

      g_variant_ref_sink (value);
      json_builder_set_member_name (builder, key);
      json_builder_add_value (builder, json_gvariant_serialize (value));
      g_variant_unref (value);
    }
  va_end (args);

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  /* One line per event, flushed at once, so a script reading the pipe sees it now. */
  printf ("%s\n", text);
  fflush (stdout);
}

void
sipws_cli_progress (const SipwsCliOptions *options,
                    const char            *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "%s\n", text);
}

int
sipws_cli_fail (const char *format,
                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "sipws: %s\n", text);
  return SIPWS_CLI_EXIT_FAILURE;
}

static char *
commands_description (void)
{
  GString *out = g_string_new ("Commands:\n");

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (out, "  %-8s %-8s %s\n", commands[i].name, commands[i].args, commands[i].summary);

  g_string_append (out,
                   "\nThe SIP password is read from the SIPWS_PASSWORD environment variable or --password-file,\n"
                   "never from the command line. Exit status: 0 success, 1 failure (reason on stderr), 2 usage error.");
  return g_string_free (out, FALSE);
}

int
main (int    argc,
      char **argv)
{
  SipwsCliOptions options = { .count = 1 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  GOptionGroup *account_group;
  GOptionGroup *call_group;
  gboolean version = FALSE;
  int status = SIPWS_CLI_EXIT_USAGE;

  const GOptionEntry main_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, "Print one JSON object per event on stdout", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose, "Print debug messages (secrets are redacted)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  const GOptionEntry account_entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.servers, "WebSocket server URI (repeat for failover, in order)", "URI" },
    { "aor", 0, 0, G_OPTION_ARG_STRING, &options.aor, "Address of record", "SIP-URI" },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &options.display_name, "Display name", "NAME" },
    { "auth-user", 0, 0, G_OPTION_ARG_STRING, &options.auth_user, "Digest user name (default: the AOR's user)", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options.password_file, "Read the SIP password from FILE", "FILE" },
    { "url-token-file", 0, 0, G_OPTION_ARG_FILENAME, &options.url_token_file, "Read the WebSocket URL token from FILE", "FILE" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options.ca_file, "Trust the CA certificates in FILE (PEM)", "FILE" },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &options.pin_sha256, "Trust the server certificate with this SHA-256 fingerprint", "HEX" },
    { "cookie-jar", 0, 0, G_OPTION_ARG_FILENAME, &options.cookie_jar, "Session cookies in Mozilla cookies.txt format", "FILE" },
    { "login-url", 0, 0, G_OPTION_ARG_STRING, &options.login_url, "Web login to POST before connecting", "URL" },
    { "login-field", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.login_fields, "Form field of the web login (repeatable)", "NAME=VALUE" },
    { "origin", 0, 0, G_OPTION_ARG_STRING, &options.origin, "Origin header of the WebSocket handshake", "URL" },
    { "header", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.headers, "Extra handshake header (repeatable)", "\"Name: value\"" },
    { "instance-id", 0, 0, G_OPTION_ARG_STRING, &options.instance_id, "RFC 5626 instance UUID", "UUID" },
    { NULL }
  };
  const GOptionEntry call_entries[] = {
    { "duration", 0, 0, G_OPTION_ARG_INT, &options.duration, "Hang up after SECONDS", "SECONDS" },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &options.dtmf, "Send DTMF digits once the call is active", "DIGITS" },
    { "play", 0, 0, G_OPTION_ARG_FILENAME, &options.play, "Send audio from FILE", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &options.record, "Record received audio to FILE (WAV)", "FILE" },
    { "tone", 0, 0, G_OPTION_ARG_DOUBLE, &options.tone, "Send a sine tone of HZ instead of a device", "HZ" },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &options.echo, "With answer: loop received audio back", NULL },
    { "count", 0, 0, G_OPTION_ARG_INT, &options.count, "With answer: how many calls before exiting", "N" },
    { NULL }
  };

  context = g_option_context_new ("COMMAND [ARGS]");
  g_option_context_set_summary (context, "A SIP over WebSocket user agent with WebRTC media.");
  description = commands_description ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, main_entries, NULL);

  account_group = g_option_group_new ("account", "Account options:", "Show account options", NULL, NULL);
  g_option_group_add_entries (account_group, account_entries);
  g_option_context_add_group (context, account_group);

  call_group = g_option_group_new ("call", "Call options:", "Show call options", NULL, NULL);
  g_option_group_add_entries (call_group, call_entries);
  g_option_context_add_group (context, call_group);

  /* --gst-debug and friends; parsing them also initializes GStreamer. */
  g_option_context_add_group (context, gst_init_get_option_group ());

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sipws: %s\nTry 'sipws --help'.\n", error->message);
      goto out;
    }

  if (version)
    {
      printf ("sipws %s\n", SIPWS_VERSION_S);
      status = SIPWS_CLI_EXIT_OK;
      goto out;
    }

  /* Log output, --verbose debug included, must never mix with the --json events on stdout. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (options.verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  if (argc < 2)
    {
      fprintf (stderr, "sipws: no command given\nTry 'sipws --help'.\n");
      goto out;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          status = commands[i].run (&options, argc - 1, argv + 1);
          goto out;
        }
    }

  fprintf (stderr, "sipws: unknown command '%s'\nTry 'sipws --help'.\n", argv[1]);

out:
  sipws_cli_options_clear (&options);
  return status;
}
