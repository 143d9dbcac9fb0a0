/* sipws-via-private.h: Via parsing inside a larger text */
#pragma once

#include "sipws-via.h"

G_BEGIN_DECLS

/* Parses one via-parm [p, end) (surrounding blanks allowed), such as one
 * element of a Via header value; error columns count from @start, the start
 * of the whole header value. */
SipwsVia *sipws_via_parse_range (const char  *start,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

G_END_DECLS
