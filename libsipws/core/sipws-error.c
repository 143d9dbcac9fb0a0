/* sipws-error.c: the SIPWS_ERROR domain */
#include "sipws-error.h"

/**
 * sipws_error_quark:
 *
 * Gets the quark of the error domain of libsipws's protocol core and user
 * agent; bindings map it to the [error@Sipws.Error] enumeration.
 *
 * Returns: the quark of the %SIPWS_ERROR domain
 */
G_DEFINE_QUARK (sipws-error-quark, sipws_error)
