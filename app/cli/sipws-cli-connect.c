/* sipws-cli-connect.c: `sipws connect URI`: open a SIP WebSocket flow and report its events */
#include "sipws-cli-private.h"

#include <glib-unix.h>
#include <libsoup/soup.h>

typedef struct {
  SipwsCliOptions *options;
  SipwsTransport *transport;
  GMainLoop *loop;
  GError *error;
  gboolean connected;
  guint duration_id;
} ConnectRun;

static const char *
state_nick (SipwsTransportState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SIPWS_TYPE_TRANSPORT_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

static void
state_cb (SipwsTransport *transport,
          GParamSpec     *pspec,
          ConnectRun     *run)
{
  SipwsTransportState state = sipws_transport_get_state (transport);
  const char *server = sipws_transport_get_server_uri (transport);

  if (state == SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY)
    {
      gint64 wait_ms = (sipws_transport_get_next_attempt (transport) - g_get_monotonic_time ()) / 1000;

      sipws_cli_progress (run->options, "flow: waiting %" G_GINT64_FORMAT " ms before the next attempt",
                          MAX (wait_ms, 0));
      sipws_cli_emit (run->options, "flow-state",
                      "state", g_variant_new_string (state_nick (state)),
                      "retry_in_ms", g_variant_new_int64 (MAX (wait_ms, 0)),
                      NULL);
      return;
    }

  sipws_cli_progress (run->options, "flow: %s%s%s", state_nick (state),
                      server != NULL && state != SIPWS_TRANSPORT_STATE_DISCONNECTED ? " " : "",
                      server != NULL && state != SIPWS_TRANSPORT_STATE_DISCONNECTED ? server : "");
  sipws_cli_emit (run->options, "flow-state",
                  "state", g_variant_new_string (state_nick (state)),
                  "server", g_variant_new_string (server != NULL ? server : ""),
                  NULL);
}

static void
flow_failed_cb (SipwsTransport *transport,
                GError         *error,
                ConnectRun     *run)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SIPWS_TYPE_TRANSPORT_ERROR);
  GEnumValue *value = error->domain == SIPWS_TRANSPORT_ERROR ? g_enum_get_value (klass, error->code) : NULL;

  sipws_cli_progress (run->options, "flow failed: %s", error->message);
  sipws_cli_emit (run->options, "flow-failed",
                  "reason", g_variant_new_string (error->message),
                  "code", g_variant_new_string (value != NULL ? value->value_nick : "other"),
                  NULL);
}

static gboolean
duration_done_cb (gpointer user_data)
{
  ConnectRun *run = user_data;

  run->duration_id = 0;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
interrupted_cb (gpointer user_data)
{
  ConnectRun *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectRun *run = user_data;
  const char *subprotocol;

  if (!sipws_transport_connect_finish (run->transport, result, &run->error))
    {
      g_main_loop_quit (run->loop);
      return;
    }

  run->connected = TRUE;
  subprotocol = sipws_transport_get_subprotocol (run->transport);
  sipws_cli_progress (run->options, "connected to %s, subprotocol %s",
                      sipws_transport_get_server_uri (run->transport), subprotocol);
  sipws_cli_emit (run->options, "connected",
                  "server", g_variant_new_string (sipws_transport_get_server_uri (run->transport)),
                  "subprotocol", g_variant_new_string (subprotocol),
                  "secure", g_variant_new_boolean (sipws_transport_get_secure (run->transport)),
                  NULL);

  if (run->options->duration > 0)
    run->duration_id = g_timeout_add ((guint) run->options->duration * 1000, duration_done_cb, run);
  else
    g_main_loop_quit (run->loop);
}

/* The user part of the AOR is the default HTTP user name, as for digest. */
static char *
default_auth_user (const SipwsCliOptions *options)
{
  g_autoptr(SipwsUri) aor = NULL;

  if (options->auth_user != NULL)
    return g_strdup (options->auth_user);
  if (options->aor == NULL)
    return NULL;
  aor = sipws_uri_parse (options->aor, -1, NULL);
  return aor != NULL ? g_strdup (sipws_uri_get_user (aor)) : NULL;
}

/* The handshake options, with the SIP password as HTTP credentials for a
 * handshake answered 401. */
static gboolean
configure (SipwsCliOptions  *options,
           SipwsTransport   *transport,
           GError          **error)
{
  g_autofree char *password = NULL;
  g_autofree char *user = NULL;

  password = sipws_cli_read_password (options, error);
  if (password == NULL && error != NULL && *error != NULL)
    return FALSE;
  user = default_auth_user (options);
  return sipws_cli_configure_transport (options, transport, user, password, error);
}

int
sipws_cli_connect (SipwsCliOptions *options,
                   int              argc,
                   char           **argv)
{
  g_autoptr(GPtrArray) uris = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsTransport) transport = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  ConnectRun run = { .options = options };
  guint sigint_id, sigterm_id;
  int status;

  if (argc != 2)
    {
      g_printerr ("sipws: usage: sipws connect URI [--server URI]... (further servers are failover targets)\n");
      return SIPWS_CLI_EXIT_USAGE;
    }

  g_ptr_array_add (uris, argv[1]);
  for (gsize i = 0; options->servers != NULL && options->servers[i] != NULL; i++)
    g_ptr_array_add (uris, options->servers[i]);
  g_ptr_array_add (uris, NULL);

  transport = sipws_transport_new ((const char * const *) uris->pdata);
  if (!configure (options, transport, &error))
    return sipws_cli_fail ("%s", error->message);

  loop = g_main_loop_new (NULL, FALSE);
  run.transport = transport;
  run.loop = loop;
  g_signal_connect (transport, "notify::state", G_CALLBACK (state_cb), &run);
  g_signal_connect (transport, "flow-failed", G_CALLBACK (flow_failed_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupted_cb, &run);

  sipws_transport_connect_async (transport, NULL, connected_cb, &run);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (run.duration_id != 0)
    g_source_remove (run.duration_id);

  if (run.error != NULL)
    status = sipws_cli_fail ("%s", run.error->message);
  else if (!run.connected)
    status = sipws_cli_fail ("interrupted before the flow was up");
  else if (sipws_transport_get_state (transport) != SIPWS_TRANSPORT_STATE_CONNECTED
           && sipws_transport_get_last_error (transport) != NULL)
    status = sipws_cli_fail ("%s", sipws_transport_get_last_error (transport)->message);
  else
    status = SIPWS_CLI_EXIT_OK;

  g_signal_handlers_disconnect_by_data (transport, &run);
  sipws_transport_stop (transport);
  g_clear_error (&run.error);
  return status;
}
