/* PLACEHOLDER, replaced by its owner */
#include "sipws-cli-private.h"

int
sipws_cli_parse (SipwsCliOptions *options,
              int              argc,
              char           **argv)
{
  return sipws_cli_fail ("'parse' is not built yet");
}
