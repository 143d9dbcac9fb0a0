/* sipws-cli-answer.c: `sipws answer`: register, answer --count incoming
 * calls one after the other, print the messages that arrive meanwhile */
#include "sipws-cli-private.h"

typedef struct {
  const SipwsCliOptions *options;
  GMainLoop *loop;
  SipwsCall *call;            /* the call in progress */
  SipwsCliCallWatch *watch;
  guint answered;
} AnswerRun;

static void
accepted_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AnswerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!sipws_call_accept_finish (SIPWS_CALL (source), result, &error))
    sipws_cli_progress (run->options, "could not answer: %s", error->message);
}

static void
incoming_call_cb (SipwsAccount *account,
                  SipwsCall    *call,
                  AnswerRun    *run)
{
  const char *display_name = sipws_call_get_remote_display_name (call);
  g_autoptr(GError) error = NULL;

  sipws_cli_progress (run->options, "incoming call from %s", sipws_call_get_remote_uri (call));
  sipws_cli_emit (run->options, "incoming-call",
                  "from", g_variant_new_string (sipws_call_get_remote_uri (call)),
                  "display_name", g_variant_new_string (display_name != NULL ? display_name : ""),
                  NULL);

  /* One call at a time: the next waits for this one to end. */
  if (run->call != NULL)
    {
      if (!sipws_call_reject (call, 486, &error))
        sipws_cli_progress (run->options, "could not refuse a second call: %s", error->message);
      return;
    }

  run->call = g_object_ref (call);
  run->watch = sipws_cli_call_watch_new (run->options, call, run->loop);
  sipws_call_accept_async (call, NULL, accepted_cb, run);
}

static void
message_received_cb (SipwsAccount *account,
                     const char   *from,
                     const char   *content_type,
                     GBytes       *body,
                     AnswerRun    *run)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *text = g_utf8_make_valid (data != NULL ? data : "", len);

  sipws_cli_progress (run->options, "message from %s: %s", from, text);
  sipws_cli_emit (run->options, "message",
                  "from", g_variant_new_string (from),
                  "content_type", g_variant_new_string (content_type),
                  "body", g_variant_new_string (text),
                  NULL);
}

static void
finish_call (AnswerRun *run)
{
  if (run->call == NULL)
    return;
  if (sipws_cli_call_watch_was_active (run->watch))
    run->answered++;
  g_clear_pointer (&run->watch, sipws_cli_call_watch_free);
  g_clear_object (&run->call);
}

int
sipws_cli_answer (SipwsCliOptions *options,
                  int              argc,
                  char           **argv)
{
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  AnswerRun run = { .options = options };
  gboolean interrupted = FALSE;
  int status = SIPWS_CLI_EXIT_OK;

  if (argc != 1 || options->count < 1 || options->duration < 0)
    {
      g_printerr ("sipws: usage: sipws answer --aor SIP-URI --server URI [--count N] [--duration SECONDS] [--echo]\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  account = sipws_cli_account_open (options, TRUE, TRUE, &status);
  if (account == NULL)
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  g_signal_connect (account, "incoming-call", G_CALLBACK (incoming_call_cb), &run);
  g_signal_connect (account, "message-received", G_CALLBACK (message_received_cb), &run);
  sipws_cli_progress (options, "waiting for %d call%s", options->count, options->count > 1 ? "s" : "");

  /* The loop stops when a call ends (or on a signal). */
  while ((int) run.answered < options->count && !interrupted)
    {
      interrupted = !sipws_cli_run_loop (loop, 0);
      if (run.call != NULL && sipws_call_get_state (run.call) == SIPWS_CALL_STATE_ENDED)
        finish_call (&run);
    }

  if (run.call != NULL)
    {
      sipws_cli_call_end (run.call);
      finish_call (&run);
    }
  g_signal_handlers_disconnect_by_data (account, &run);
  sipws_cli_account_close (options, account);
  if (interrupted && (int) run.answered < options->count)
    return sipws_cli_fail ("interrupted after %u of %d calls", run.answered, options->count);
  return SIPWS_CLI_EXIT_OK;
}
