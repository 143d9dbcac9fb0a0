/* PLACEHOLDER, replaced by its owner */
#include "sipws-cli-private.h"

int
sipws_cli_connect (SipwsCliOptions *options,
              int              argc,
              char           **argv)
{
  return sipws_cli_fail ("'connect' is not built yet");
}
