/* sipws-cli-account.c: what the account subcommands (register, message, call,
 * answer) share: the account built from the options, registration, media,
 * and the events of a call */
#include "sipws-cli-private.h"

#include <glib-unix.h>
#include <string.h>

/* How long an unregister on the way out may take. */
#define UNREGISTER_TIMEOUT_MS 5000

const char *
sipws_cli_enum_nick (GType enum_type,
                     int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  /* Nicks are static strings of the registered type. */
  return enum_value != NULL ? enum_value->value_nick : "unknown";
}

gboolean
sipws_cli_configure_transport (const SipwsCliOptions  *options,
                               SipwsTransport         *transport,
                               const char             *http_user,
                               const char             *password,
                               GError                **error)
{
  if (options->origin != NULL)
    g_object_set (transport, "origin", options->origin, NULL);
  if (options->headers != NULL)
    g_object_set (transport, "extra-headers", options->headers, NULL);
  if (options->ca_file != NULL)
    g_object_set (transport, "tls-ca-file", options->ca_file, NULL);
  if (options->pin_sha256 != NULL)
    {
      const char *pins[] = { options->pin_sha256, NULL };

      g_object_set (transport, "tls-pinned-sha256", pins, NULL);
    }
  if (options->cookie_jar != NULL)
    {
      /* Read-write, like a browser profile: a web login's cookies are kept. */
      g_autoptr(SoupCookieJar) jar = soup_cookie_jar_text_new (options->cookie_jar, FALSE);

      g_object_set (transport, "cookie-jar", jar, NULL);
    }
  if (options->login_url != NULL
      && !sipws_transport_set_web_login (transport, options->login_url,
                                         (const char * const *) options->login_fields, error))
    return FALSE;
  if (options->url_token_file != NULL)
    {
      g_autofree char *token = sipws_cli_read_secret_file (options->url_token_file, error);

      if (token == NULL)
        return FALSE;
      sipws_transport_set_url_token (transport, token);
    }
  /* A handshake answered 401 gets the same credentials as SIP digest. */
  if (password != NULL && http_user != NULL)
    sipws_transport_set_http_credentials (transport, http_user, password);
  return TRUE;
}

SipwsAccount *
sipws_cli_account_new (const SipwsCliOptions  *options,
                       GError                **error)
{
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(SipwsUri) aor = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *password = NULL;

  if (options->aor == NULL || options->servers == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--aor and at least one --server are required");
      return NULL;
    }
  aor = sipws_uri_parse (options->aor, -1, &local_error);
  if (aor == NULL || (sipws_uri_get_scheme (aor) != SIPWS_URI_SCHEME_SIP
                      && sipws_uri_get_scheme (aor) != SIPWS_URI_SCHEME_SIPS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--aor %s is not a sip: or sips: URI%s%s",
                   options->aor, local_error != NULL ? ": " : "", local_error != NULL ? local_error->message : "");
      return NULL;
    }
  if (options->instance_id != NULL && !g_uuid_string_is_valid (options->instance_id)
      && !(g_str_has_prefix (options->instance_id, "urn:uuid:") && g_uuid_string_is_valid (options->instance_id + 9)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--instance-id %s is not a UUID",
                   options->instance_id);
      return NULL;
    }

  password = sipws_cli_read_password (options, error);
  if (password == NULL && error != NULL && *error != NULL)
    return NULL;

  account = sipws_account_new (options->aor);
  sipws_account_set_server_uris (account, (const char * const *) options->servers);
  sipws_account_set_display_name (account, options->display_name);
  sipws_account_set_auth_username (account, options->auth_user);
  sipws_account_set_instance_id (account, options->instance_id);
  sipws_account_set_password (account, password);
  if (!sipws_cli_configure_transport (options, sipws_account_get_transport (account),
                                      sipws_account_get_auth_username (account), password, error))
    return NULL;

  if (password != NULL)
    memset (password, 0, strlen (password));
  return g_steal_pointer (&account);
}

/* A main loop that SIGINT/SIGTERM and a deadline can stop. */

typedef struct {
  GMainLoop *loop;
  gboolean interrupted;
} LoopData;

static gboolean
interrupted_cb (gpointer user_data)
{
  LoopData *data = user_data;

  data->interrupted = TRUE;
  g_main_loop_quit (data->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

gboolean
sipws_cli_run_loop (GMainLoop *loop,
                    guint      timeout_ms)
{
  LoopData data = { .loop = loop };
  guint sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &data);
  guint sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, &data);
  GSource *timeout = NULL;

  if (timeout_ms > 0)
    {
      timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (timeout, quit_cb, loop, NULL);
      g_source_attach (timeout, NULL);
    }

  g_main_loop_run (loop);

  if (timeout != NULL)
    {
      g_source_destroy (timeout);
      g_source_unref (timeout);
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return !data.interrupted;
}

/* Registration */

typedef struct {
  const SipwsCliOptions *options;
  GMainLoop *loop;
  gboolean done;
  GError *error;
} RegisterRun;

static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RegisterRun *run = user_data;

  sipws_account_register_finish (SIPWS_ACCOUNT (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static void
registration_state_cb (SipwsAccount          *account,
                       GParamSpec            *pspec,
                       const SipwsCliOptions *options)
{
  SipwsRegistrationState state = sipws_account_get_registration_state (account);
  const GError *error = sipws_account_get_registration_error (account);
  const char *nick = sipws_cli_enum_nick (SIPWS_TYPE_REGISTRATION_STATE, state);
  const char *gruu = sipws_account_get_gruu (account);

  if (state == SIPWS_REGISTRATION_STATE_REGISTERED)
    {
      sipws_cli_progress (options, "registered %s", sipws_account_get_aor (account));
      sipws_cli_emit (options, "registered",
                      "aor", g_variant_new_string (sipws_account_get_aor (account)),
                      "expires", g_variant_new_uint32 (sipws_account_get_registration_expires (account)),
                      "gruu", g_variant_new_string (gruu != NULL ? gruu : ""),
                      "instance", g_variant_new_string (sipws_account_get_instance_id (account)),
                      NULL);
    }
  else if (state == SIPWS_REGISTRATION_STATE_FAILED && error != NULL)
    {
      sipws_cli_progress (options, "registration failed: %s", error->message);
      sipws_cli_emit (options, "registration-failed", "reason", g_variant_new_string (error->message), NULL);
    }
  else
    {
      sipws_cli_progress (options, "registration: %s", nick);
      sipws_cli_emit (options, "registration-state", "state", g_variant_new_string (nick), NULL);
    }
}

gboolean
sipws_cli_account_register (const SipwsCliOptions  *options,
                            SipwsAccount           *account,
                            GError                **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RegisterRun run = { .options = options, .loop = loop };

  g_signal_connect (account, "notify::registration-state", G_CALLBACK (registration_state_cb), (gpointer) options);
  sipws_account_register_async (account, cancellable, registered_cb, &run);
  if (!run.done && !sipws_cli_run_loop (loop, 0))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_CANCELLED, "interrupted before the registration completed");
      g_signal_handlers_disconnect_by_func (account, registration_state_cb, (gpointer) options);
      /* Cancelling completes the operation at once; its callback needs run. */
      g_cancellable_cancel (cancellable);
      while (!run.done)
        g_main_context_iteration (NULL, TRUE);
      g_clear_error (&run.error);
      return FALSE;
    }
  if (run.error != NULL)
    {
      /* What follows (closing the flow) is no registration news. */
      g_signal_handlers_disconnect_by_func (account, registration_state_cb, (gpointer) options);
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

static void
unregistered_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RegisterRun *run = user_data;

  sipws_account_unregister_finish (SIPWS_ACCOUNT (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

void
sipws_cli_account_unregister (const SipwsCliOptions *options,
                              SipwsAccount          *account)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RegisterRun run = { .options = options, .loop = loop };

  if (sipws_account_get_registration_state (account) == SIPWS_REGISTRATION_STATE_UNREGISTERED)
    return;

  sipws_account_unregister_async (account, SIPWS_UNREGISTER_NONE, cancellable, unregistered_cb, &run);
  if (!run.done)
    sipws_cli_run_loop (loop, UNREGISTER_TIMEOUT_MS);
  if (!run.done)
    {
      g_cancellable_cancel (cancellable);
      while (!run.done)
        g_main_context_iteration (NULL, TRUE);
    }
  if (run.error != NULL)
    sipws_cli_progress (options, "unregister: %s", run.error->message);
  else
    sipws_cli_emit (options, "unregistered", "aor", g_variant_new_string (sipws_account_get_aor (account)), NULL);
  g_clear_error (&run.error);
  g_signal_handlers_disconnect_by_func (account, registration_state_cb, (gpointer) options);
}

/* Media */

static SipwsMediaHandler *
create_media_cb (SipwsAccount          *account,
                 SipwsCall             *call,
                 const SipwsCliOptions *options)
{
  SipwsMediaSession *session = sipws_media_session_new ();
  const char *addresses = g_getenv ("SIPWS_LOCAL_ADDRESSES");

  /* Restricts ICE to these addresses (comma-separated), e.g. 127.0.0.1 for
   * tests that must stay on loopback. */
  if (addresses != NULL && *addresses != '\0')
    {
      g_auto(GStrv) list = g_strsplit (addresses, ",", -1);

      sipws_media_session_set_local_addresses (session, (const char * const *) list);
    }
  if (options->echo)
    sipws_media_session_set_loopback (session, TRUE);
  if (options->tone > 0)
    sipws_media_session_set_send_tone (session, options->tone);
  if (options->play != NULL)
    sipws_media_session_set_play_file (session, options->play);
  if (options->record != NULL)
    sipws_media_session_set_record_file (session, options->record);
  return SIPWS_MEDIA_HANDLER (session);
}

gboolean
sipws_cli_setup_media (const SipwsCliOptions  *options,
                       SipwsAccount           *account,
                       GError                **error)
{
  if (options->echo && (options->tone > 0 || options->play != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--echo sends the received audio back: it cannot be combined with --tone or --play");
      return FALSE;
    }
  if (options->tone < 0 || options->tone > 20000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--tone %g is not a frequency (1-20000 Hz)",
                   options->tone);
      return FALSE;
    }
  if (options->play != NULL && !g_file_test (options->play, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "--play %s: no such file", options->play);
      return FALSE;
    }
  g_signal_connect (account, "create-media-handler", G_CALLBACK (create_media_cb), (gpointer) options);
  return TRUE;
}

/* Call events */

struct _SipwsCliCallWatch {
  const SipwsCliOptions *options;
  SipwsCall *call;
  char *dtmf;               /* to send once active */
  guint hangup_id;          /* --duration */
  gboolean was_active;
  GMainLoop *loop;          /* quit when the call ends */
};

static void
emit_stats (const SipwsCliOptions *options,
            SipwsMediaSession     *session,
            const GstStructure    *stats)
{
  guint64 received = 0, sent = 0;
  const char *codec = gst_structure_get_string (stats, "codec");
  double jitter = -1, loss = 0;

  gst_structure_get_uint64 (stats, "packets-received", &received);
  gst_structure_get_uint64 (stats, "packets-sent", &sent);
  gst_structure_get_double (stats, "jitter-ms", &jitter);
  gst_structure_get_double (stats, "loss-fraction", &loss);
  sipws_cli_emit (options, "stats",
                  "packets_received", g_variant_new_uint64 (received),
                  "packets_sent", g_variant_new_uint64 (sent),
                  "level_db", g_variant_new_double (sipws_media_session_get_level (session)),
                  "frequency_hz", g_variant_new_double (sipws_media_session_get_frequency (session)),
                  "jitter_ms", g_variant_new_double (jitter),
                  "loss_fraction", g_variant_new_double (loss),
                  "codec", g_variant_new_string (codec != NULL ? codec : ""),
                  NULL);
}

static void
stats_cb (SipwsMediaSession     *session,
          const GstStructure    *stats,
          SipwsCliCallWatch     *watch)
{
  emit_stats (watch->options, session, stats);
}

static void
dtmf_received_cb (SipwsCall         *call,
                  char               digit,
                  guint              duration_ms,
                  SipwsCliCallWatch *watch)
{
  char text[2] = { digit, '\0' };

  sipws_cli_progress (watch->options, "DTMF received: %c", digit);
  sipws_cli_emit (watch->options, "dtmf", "digit", g_variant_new_string (text),
                  "duration_ms", g_variant_new_uint32 (duration_ms), NULL);
}

static gboolean
hangup_cb (gpointer user_data)
{
  SipwsCliCallWatch *watch = user_data;

  watch->hangup_id = 0;
  sipws_call_hangup (watch->call);
  return G_SOURCE_REMOVE;
}

static void
send_dtmf (SipwsCliCallWatch *watch)
{
  g_autoptr(GError) error = NULL;

  if (watch->dtmf == NULL)
    return;
  if (sipws_call_send_dtmf (watch->call, watch->dtmf, &error))
    sipws_cli_emit (watch->options, "dtmf-sent", "digits", g_variant_new_string (watch->dtmf), NULL);
  else
    sipws_cli_progress (watch->options, "DTMF not sent: %s", error->message);
  g_clear_pointer (&watch->dtmf, g_free);
}

static void
call_state_cb (SipwsCall         *call,
               GParamSpec        *pspec,
               SipwsCliCallWatch *watch)
{
  SipwsCallState state = sipws_call_get_state (call);
  const char *nick = sipws_cli_enum_nick (SIPWS_TYPE_CALL_STATE, state);
  const char *remote = sipws_call_get_remote_uri (call);

  if (state == SIPWS_CALL_STATE_ENDED)
    {
      const char *reason = sipws_cli_enum_nick (SIPWS_TYPE_END_REASON, sipws_call_get_end_reason (call));
      const char *message = sipws_call_get_end_message (call);
      SipwsMediaHandler *media = sipws_call_get_media_session (call);

      if (media != NULL && SIPWS_IS_MEDIA_SESSION (media) && watch->was_active)
        {
          g_autoptr(GstStructure) stats = sipws_media_session_get_stats (SIPWS_MEDIA_SESSION (media));

          emit_stats (watch->options, SIPWS_MEDIA_SESSION (media), stats);
        }
      sipws_cli_progress (watch->options, "call ended: %s (%s)", message != NULL ? message : "", reason);
      sipws_cli_emit (watch->options, "call-state",
                      "state", g_variant_new_string (nick),
                      "reason", g_variant_new_string (reason),
                      "status", g_variant_new_uint32 (sipws_call_get_end_status (call)),
                      "message", g_variant_new_string (message != NULL ? message : ""),
                      "duration", g_variant_new_uint32 (sipws_call_get_duration (call)),
                      NULL);
      if (watch->loop != NULL)
        g_main_loop_quit (watch->loop);
      return;
    }

  sipws_cli_progress (watch->options, "call %s%s%s", nick, remote != NULL ? ": " : "", remote != NULL ? remote : "");
  sipws_cli_emit (watch->options, "call-state",
                  "state", g_variant_new_string (nick),
                  "direction", g_variant_new_string (sipws_cli_enum_nick (SIPWS_TYPE_CALL_DIRECTION,
                                                                          sipws_call_get_direction (call))),
                  "remote", g_variant_new_string (remote != NULL ? remote : ""),
                  NULL);

  if (state == SIPWS_CALL_STATE_ACTIVE && !watch->was_active)
    {
      SipwsMediaHandler *media = sipws_call_get_media_session (call);

      watch->was_active = TRUE;
      if (media != NULL && SIPWS_IS_MEDIA_SESSION (media))
        g_signal_connect (media, "stats-updated", G_CALLBACK (stats_cb), watch);
      /* At once: the media session holds RFC 4733 digits until the peer
       * can decrypt them. */
      send_dtmf (watch);
      if (watch->options->duration > 0)
        watch->hangup_id = g_timeout_add ((guint) watch->options->duration * 1000, hangup_cb, watch);
    }
}

SipwsCliCallWatch *
sipws_cli_call_watch_new (const SipwsCliOptions *options,
                          SipwsCall             *call,
                          GMainLoop             *loop)
{
  SipwsCliCallWatch *watch = g_new0 (SipwsCliCallWatch, 1);

  watch->options = options;
  watch->call = g_object_ref (call);
  watch->loop = loop != NULL ? g_main_loop_ref (loop) : NULL;
  watch->dtmf = g_strdup (options->dtmf);
  g_signal_connect (call, "notify::state", G_CALLBACK (call_state_cb), watch);
  g_signal_connect (call, "dtmf-received", G_CALLBACK (dtmf_received_cb), watch);
  return watch;
}

gboolean
sipws_cli_call_watch_was_active (SipwsCliCallWatch *watch)
{
  return watch->was_active;
}

void
sipws_cli_call_watch_free (SipwsCliCallWatch *watch)
{
  SipwsMediaHandler *media;

  if (watch == NULL)
    return;
  media = sipws_call_get_media_session (watch->call);
  if (media != NULL)
    g_signal_handlers_disconnect_by_data (media, watch);
  g_signal_handlers_disconnect_by_data (watch->call, watch);
  if (watch->hangup_id != 0)
    g_source_remove (watch->hangup_id);
  g_clear_pointer (&watch->loop, g_main_loop_unref);
  g_object_unref (watch->call);
  g_free (watch->dtmf);
  g_free (watch);
}

static void
ended_cb (SipwsCall  *call,
          GParamSpec *pspec,
          GMainLoop  *loop)
{
  if (sipws_call_get_state (call) == SIPWS_CALL_STATE_ENDED)
    g_main_loop_quit (loop);
}

void
sipws_cli_call_end (SipwsCall *call)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_signal_connect (call, "notify::state", G_CALLBACK (ended_cb), loop);
  sipws_call_hangup (call);
  /* A BYE or CANCEL waits for its answer, at most this long. */
  if (sipws_call_get_state (call) != SIPWS_CALL_STATE_ENDED)
    sipws_cli_run_loop (loop, UNREGISTER_TIMEOUT_MS);
  g_signal_handlers_disconnect_by_func (call, ended_cb, loop);
}

SipwsAccount *
sipws_cli_account_open (const SipwsCliOptions *options,
                        gboolean               with_media,
                        gboolean               with_registration,
                        int                   *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAccount) account = sipws_cli_account_new (options, &error);

  if (account == NULL || (with_media && !sipws_cli_setup_media (options, account, &error)))
    {
      g_printerr ("sipws: %s\n", error->message);
      *status = error->domain == G_OPTION_ERROR || error->domain == G_FILE_ERROR ? SIPWS_CLI_EXIT_USAGE
                                                                                : SIPWS_CLI_EXIT_FAILURE;
      return NULL;
    }
  if (with_registration && !sipws_cli_account_register (options, account, &error))
    {
      sipws_transport_stop (sipws_account_get_transport (account));
      *status = sipws_cli_fail ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&account);
}

void
sipws_cli_account_close (const SipwsCliOptions *options,
                         SipwsAccount          *account)
{
  sipws_cli_account_unregister (options, account);
  sipws_transport_stop (sipws_account_get_transport (account));
}
