/* sipws-uri-private.h: URI parsing inside a larger text */
#pragma once

#include "sipws-uri.h"
#include "sipws-arena-private.h"

G_BEGIN_DECLS

/* Parses the URI [p, end), which must be all URI (no surrounding blanks or
 * brackets), into @arena, which the URI then shares (it takes no reference:
 * the caller keeps the arena alive). Its strings are made in @out, a
 * mirror of the text @start begins (see sipws_scan_mirror()), which must
 * live as long as the arena. Error columns count from @start, so a caller
 * parsing a header value reports positions in that value. On error, what
 * was allocated stays in the arena. */
SipwsUri *sipws_uri_parse_range (SipwsArena  *arena,
                                 const char  *start,
                                 char        *out,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

/* A deep copy of @self in @arena, under the same terms. */
SipwsUri *sipws_uri_copy_in     (SipwsArena  *arena,
                                 SipwsUri    *self);

G_END_DECLS
