/* sipws-cli-register.c: `sipws register`: register the account, stay
 * registered for --duration seconds (refreshing, re-registering after flow
 * failures), then unregister */
#include "sipws-cli-private.h"

int
sipws_cli_register (SipwsCliOptions *options,
                    int              argc,
                    char           **argv)
{
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gboolean interrupted = FALSE;
  int status = SIPWS_CLI_EXIT_OK;

  if (argc != 1 || options->duration < 0)
    {
      g_printerr ("sipws: usage: sipws register --aor SIP-URI --server URI [--duration SECONDS]\n");
      return SIPWS_CLI_EXIT_USAGE;
    }
  account = sipws_cli_account_open (options, FALSE, TRUE, &status);
  if (account == NULL)
    return status;

  /* Stay registered: refreshes and re-registrations are reported as they come. */
  if (options->duration > 0)
    {
      loop = g_main_loop_new (NULL, FALSE);
      interrupted = !sipws_cli_run_loop (loop, (guint) MIN (options->duration, G_MAXUINT / 1000) * 1000);
    }

  sipws_cli_account_close (options, account);
  if (interrupted)
    sipws_cli_progress (options, "interrupted");
  return SIPWS_CLI_EXIT_OK;
}
