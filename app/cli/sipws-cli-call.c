/* sipws-cli-call.c: `sipws call URI`: register, place one call, report its
 * events, hang up after --duration (or when the peer does) */
#include "sipws-cli-private.h"

int
sipws_cli_call (SipwsCliOptions *options,
                int              argc,
                char           **argv)
{
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SipwsCall) call = NULL;
  g_autoptr(SipwsCliCallWatch) watch = NULL;
  gboolean active;
  SipwsEndReason reason;
  int status = SIPWS_CLI_EXIT_OK;

  if (argc != 2 || options->duration < 0)
    {
      g_printerr ("sipws: usage: sipws call URI --aor SIP-URI --server URI [--duration SECONDS] [--dtmf DIGITS]\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  /* The .invalid Contact is reachable only through our registration
   * (RFC 5626), so the peer's BYE and re-INVITEs need it. */
  account = sipws_cli_account_open (options, TRUE, TRUE, &status);
  if (account == NULL)
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  call = sipws_account_call (account, argv[1], NULL);
  watch = sipws_cli_call_watch_new (options, call, loop);
  sipws_cli_progress (options, "calling %s", argv[1]);
  sipws_cli_emit (options, "call-state", "state", g_variant_new_string ("calling"),
                  "direction", g_variant_new_string ("outgoing"),
                  "remote", g_variant_new_string (argv[1]), NULL);
  if (sipws_call_get_state (call) != SIPWS_CALL_STATE_ENDED && !sipws_cli_run_loop (loop, 0))
    sipws_cli_call_end (call);

  active = sipws_cli_call_watch_was_active (watch);
  reason = sipws_call_get_end_reason (call);
  if (active && (reason == SIPWS_END_REASON_LOCAL_HANGUP || reason == SIPWS_END_REASON_REMOTE_HANGUP
                 || reason == SIPWS_END_REASON_TRANSFERRED))
    status = SIPWS_CLI_EXIT_OK;
  else
    status = sipws_cli_fail ("the call failed: %s", sipws_call_get_end_message (call) != NULL
                                                      ? sipws_call_get_end_message (call) : "interrupted");

  g_clear_pointer (&watch, sipws_cli_call_watch_free);
  sipws_cli_account_close (options, account);
  return status;
}
