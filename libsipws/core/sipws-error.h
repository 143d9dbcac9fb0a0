/* sipws-error.h: the SIPWS_ERROR domain */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SIPWS_ERROR:
 *
 * The error domain of libsipws's protocol core and user agent.
 */
#define SIPWS_ERROR (sipws_error_quark ())

/**
 * SipwsError:
 * @SIPWS_ERROR_PARSE: the input is not valid SIP syntax; the message names what and where
 * @SIPWS_ERROR_MESSAGE_TOO_LARGE: the input is larger than the configured message size limit
 * @SIPWS_ERROR_TOO_MANY_HEADERS: the message has more header fields than the limit
 * @SIPWS_ERROR_LINE_TOO_LONG: a start line or header field line is longer than the limit
 * @SIPWS_ERROR_UNSUPPORTED_VERSION: the SIP version is not SIP/2.0 (a server answers 505)
 * @SIPWS_ERROR_TRANSPORT: the flow to the server failed
 * @SIPWS_ERROR_TLS: the server's TLS certificate could not be trusted
 * @SIPWS_ERROR_AUTH: authentication failed or the challenge cannot be answered
 * @SIPWS_ERROR_TIMEOUT: no answer in time
 * @SIPWS_ERROR_REJECTED: the remote side rejected the request
 * @SIPWS_ERROR_MEDIA: media negotiation or setup failed
 * @SIPWS_ERROR_CANCELLED: the operation was cancelled
 * @SIPWS_ERROR_INVALID_ARGUMENT: an argument given by the caller is not valid
 *
 * Error codes of the %SIPWS_ERROR domain.
 */
typedef enum {
  SIPWS_ERROR_PARSE,
  SIPWS_ERROR_MESSAGE_TOO_LARGE,
  SIPWS_ERROR_TOO_MANY_HEADERS,
  SIPWS_ERROR_LINE_TOO_LONG,
  SIPWS_ERROR_UNSUPPORTED_VERSION,
  SIPWS_ERROR_TRANSPORT,
  SIPWS_ERROR_TLS,
  SIPWS_ERROR_AUTH,
  SIPWS_ERROR_TIMEOUT,
  SIPWS_ERROR_REJECTED,
  SIPWS_ERROR_MEDIA,
  SIPWS_ERROR_CANCELLED,
  SIPWS_ERROR_INVALID_ARGUMENT,
} SipwsError;

SIPWS_AVAILABLE_IN_ALL
GQuark sipws_error_quark (void);

G_END_DECLS
