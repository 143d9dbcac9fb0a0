/* sipws-cli-register.c: `sipws register`: register the account, stay
 * registered for --duration seconds (refreshing, re-registering after flow
 * failures), then unregister */
#include "sipws-cli-private.h"

int
sipws_cli_register (SipwsCliOptions *options,
                    int              argc,
                    char           **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gboolean interrupted = FALSE;

  if (argc != 1 || options->duration < 0)
    {
      g_printerr ("sipws: usage: sipws register --aor SIP-URI --server URI [--duration SECONDS]\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  account = sipws_cli_account_new (options, &error);
  if (account == NULL)
    {
      g_printerr ("sipws: %s\n", error->message);
      return error->domain == G_OPTION_ERROR ? SIPWS_CLI_EXIT_USAGE : SIPWS_CLI_EXIT_FAILURE;
    }

  if (!sipws_cli_account_register (options, account, &error))
    {
      sipws_transport_stop (sipws_account_get_transport (account));
      return sipws_cli_fail ("%s", error->message);
    }

  /* Stay registered: refreshes and re-registrations are reported as they come. */
  if (options->duration > 0)
    {
      loop = g_main_loop_new (NULL, FALSE);
      interrupted = !sipws_cli_run_loop (loop, (guint) MIN (options->duration, G_MAXUINT / 1000) * 1000);
    }

  sipws_cli_account_unregister (options, account);
  sipws_transport_stop (sipws_account_get_transport (account));
  if (interrupted)
    sipws_cli_progress (options, "interrupted");
  return SIPWS_CLI_EXIT_OK;
}
