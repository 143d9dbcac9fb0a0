/* sipws-uri-private.h: URI parsing inside a larger text */
#pragma once

#include "sipws-uri.h"

G_BEGIN_DECLS

/* Parses the URI [p, end), which must be all URI (no surrounding blanks or
 * brackets); error columns count from @start, so a caller parsing a header
 * value reports positions in that value. */
SipwsUri *sipws_uri_parse_range (const char  *start,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

G_END_DECLS
