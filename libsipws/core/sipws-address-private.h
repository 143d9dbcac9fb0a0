/* sipws-address-private.h: address parsing inside a larger text */
#pragma once

#include "sipws-address.h"
#include "sipws-arena-private.h"

G_BEGIN_DECLS

/* Parses one address [p, end) (surrounding blanks allowed), such as one
 * element of a header value split with sipws_scan_split_list(), into @arena,
 * which the address then shares (it takes no reference: the caller keeps
 * the arena alive). Its strings are made in @out, a mirror of the text
 * @start begins (see sipws_scan_mirror()), which must live as long as the
 * arena. Error columns count from @start, the start of the whole header
 * value. On error, what was allocated stays in the arena. */
SipwsAddress *sipws_address_parse_range (SipwsArena  *arena,
                                         const char  *start,
                                         char        *out,
                                         const char  *p,
                                         const char  *end,
                                         GError     **error);

/* The fast path of sipws_address_parse_range() alone, for a whole header
 * value [p, end), on the same terms: the address when the value is one
 * common name-addr (it stops at a comma that would start another address),
 * or NULL having written nothing, for the caller to split the value into
 * elements and parse those. */
SipwsAddress *sipws_address_parse_simple (SipwsArena  *arena,
                                          const char  *start,
                                          char        *out,
                                          const char  *p,
                                          const char  *end);

G_END_DECLS
