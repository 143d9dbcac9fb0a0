/* sipws-via-private.h: Via parsing inside a larger text */
#pragma once

#include "sipws-via.h"
#include "sipws-arena-private.h"

G_BEGIN_DECLS

/* Parses one via-parm [p, end) (surrounding blanks allowed), such as one
 * element of a Via header value, into @arena, which the hop then shares (it
 * takes no reference: the caller keeps the arena alive). Its strings are
 * made in @out, a mirror of the text @start begins (see
 * sipws_scan_mirror()), which must live as long as the arena. Error columns
 * count from @start, the start of the whole header value. On error, what
 * was allocated stays in the arena. */
SipwsVia *sipws_via_parse_range (SipwsArena  *arena,
                                 const char  *start,
                                 char        *out,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

/* The fast path of sipws_via_parse_range() alone, for a whole Via header
 * value [p, end), on the same terms: the hop when the value is one common
 * hop (it never reads past a ',' that would start another), or NULL having
 * taken nothing, for the caller to split the value into elements and
 * parse those. (It may then have written NULs in @out, only where any
 * parse of the same text ends a string: at the end of the sent-by host,
 * the ';' before a parameter and the '=' after a parameter name.) */
SipwsVia *sipws_via_parse_simple (SipwsArena  *arena,
                                  const char  *start,
                                  char        *out,
                                  const char  *p,
                                  const char  *end);

G_END_DECLS
