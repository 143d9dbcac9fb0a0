/* sipws-cli-message.c: `sipws message URI TEXT`: send one MESSAGE (RFC 3428)
 * and report whether it was delivered */
#include "sipws-cli-private.h"

#include <string.h>

typedef struct {
  GMainLoop *loop;
  gboolean done;
  gboolean ok;
  GError *error;
} MessageRun;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  MessageRun *run = user_data;

  run->ok = sipws_account_send_message_finish (SIPWS_ACCOUNT (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

int
sipws_cli_message (SipwsCliOptions *options,
                   int              argc,
                   char           **argv)
{
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  MessageRun run = { 0 };
  int status = SIPWS_CLI_EXIT_OK;

  if (argc != 3)
    {
      g_printerr ("sipws: usage: sipws message URI TEXT --aor SIP-URI --server URI\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  if (!g_utf8_validate (argv[2], -1, NULL))
    {
      g_printerr ("sipws: the message text is not valid UTF-8\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  account = sipws_cli_account_open (options, FALSE, FALSE, &status);
  if (account == NULL)
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  body = g_bytes_new (argv[2], strlen (argv[2]));
  sipws_account_send_message_async (account, argv[1], "text/plain;charset=UTF-8", body, cancellable, sent_cb, &run);
  if (!run.done && !sipws_cli_run_loop (loop, 0))
    {
      /* Cancelling completes the operation at once; its callback needs run. */
      g_cancellable_cancel (cancellable);
      while (!run.done)
        g_main_context_iteration (NULL, TRUE);
      g_clear_error (&run.error);
      sipws_transport_stop (sipws_account_get_transport (account));
      return sipws_cli_fail ("interrupted before the message was answered");
    }

  if (run.ok)
    {
      sipws_cli_progress (options, "message delivered to %s", argv[1]);
      sipws_cli_emit (options, "message-sent", "to", g_variant_new_string (argv[1]),
                      "delivered", g_variant_new_boolean (TRUE), NULL);
      status = SIPWS_CLI_EXIT_OK;
    }
  else
    {
      sipws_cli_emit (options, "message-sent", "to", g_variant_new_string (argv[1]),
                      "delivered", g_variant_new_boolean (FALSE),
                      "reason", g_variant_new_string (run.error->message), NULL);
      status = sipws_cli_fail ("%s", run.error->message);
    }
  g_clear_error (&run.error);
  sipws_transport_stop (sipws_account_get_transport (account));
  return status;
}
