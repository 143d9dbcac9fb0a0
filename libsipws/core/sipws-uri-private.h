/* sipws-uri-private.h: URI parsing inside a larger text */
#pragma once

#include "sipws-uri.h"
#include "sipws-arena-private.h"

G_BEGIN_DECLS

/* Parses the URI [p, end), which must be all URI (no surrounding blanks or
 * brackets), into @arena, which the URI then shares (it takes no reference:
 * the caller keeps the arena alive). Error columns count from @start, so a
 * caller parsing a header value reports positions in that value. On error,
 * what was allocated stays in the arena. */
SipwsUri *sipws_uri_parse_range (SipwsArena  *arena,
                                 const char  *start,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

/* A deep copy of @self in @arena, under the same terms. */
SipwsUri *sipws_uri_copy_in     (SipwsArena  *arena,
                                 SipwsUri    *self);

G_END_DECLS
