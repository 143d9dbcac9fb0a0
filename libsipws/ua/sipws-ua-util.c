/* sipws-ua-util.c: small helpers shared by the user-agent files */
#include "sipws-ua-util-private.h"

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
