/* sipws-ua-util.c: small helpers shared by the user-agent files */
#include "sipws-ua-util-private.h"
#include "sipws-error.h"

char *
sipws_ua_random_token (guint length)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char *token = g_new (char, length + 1);

  for (guint i = 0; i < length; i++)
    token[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  token[length] = '\0';

  return token;
}

void
sipws_ua_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

void
sipws_ua_start_timer (GSource      **source,
                      GMainContext  *context,
                      guint          ms,
                      GSourceFunc    func,
                      gpointer       data)
{
  sipws_ua_clear_source (source);
  *source = g_timeout_source_new (ms);
  g_source_set_callback (*source, func, data, NULL);
  g_source_set_static_name (*source, "[sipws] user agent timer");
  g_source_attach (*source, context);
}

int
sipws_ua_failure_code (const GError *error)
{
  return error->domain == SIPWS_ERROR ? error->code : SIPWS_ERROR_TRANSPORT;
}
