/* sipws-error.c: the SIPWS_ERROR domain */
#include "sipws-error.h"

/**
 * sipws_error_quark:
 *
 * Returns: the quark of the %SIPWS_ERROR domain
 */
G_DEFINE_QUARK (sipws-error-quark, sipws_error)
