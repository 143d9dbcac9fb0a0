/* sipws-address-private.h: address parsing inside a larger text */
#pragma once

#include "sipws-address.h"

G_BEGIN_DECLS

/* Parses one address [p, end) (surrounding blanks allowed), such as one
 * element of a header value split with sipws_scan_split_list(); error
 * columns count from @start, the start of the whole header value. */
SipwsAddress *sipws_address_parse_range (const char  *start,
                                         const char  *p,
                                         const char  *end,
                                         GError     **error);

G_END_DECLS
