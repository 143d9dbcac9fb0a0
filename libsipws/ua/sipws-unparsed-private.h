/* sipws-unparsed-private.h: answering a request the parser refused
 *
 * RFC 3261 §8.2 answers a bad request with a 400 whenever a response can be
 * routed. A message that does not parse has no SipwsMessage to build that
 * response from, so this finds the lines a response copies (§8.2.6.2: every
 * Via, From, To, Call-ID, CSeq) with a plain line scan of the raw text,
 * names compared without case and in their compact forms (v, f, t, i).
 */
#pragma once

#include "sipws-message.h"

G_BEGIN_DECLS

/* The longest reason phrase, in bytes, taken from a parse error. */
#define SIPWS_UA_MAX_REASON_LENGTH 120

/* The 400 response to the raw message [@data, @data+@len), with @reason
 * (made printable, one line, at most SIPWS_UA_MAX_REASON_LENGTH bytes) as
 * its reason phrase, and a To tag when the request's To has none. NULL when
 * the text is not a request other than ACK with a SIP/2.0 request line, when
 * it lacks one of the copied header fields, or when the copied lines do not
 * make a valid response (a response that cannot be routed is not sent). */
SipwsMessage *sipws_ua_bad_request_response (const char *data,
                                             gsize       len,
                                             const char *reason);

/* @text as one printable line of at most @max_len bytes (valid UTF-8,
 * control characters turned into spaces, trimmed). */
char         *sipws_ua_printable_line       (const char *text,
                                             gsize       max_len);

G_END_DECLS
