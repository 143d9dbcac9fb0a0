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

/* The common URI of a name-addr, the text between '<' and '>': [p, end)
 * starts with "sip:" and holds the rest of the address; the URI ends at
 * the first '>', which *@uri_end is set to. Either parses [p, *@uri_end)
 * exactly as sipws_uri_parse_range() would, or returns NULL having kept
 * nothing and left the mirror as it was (no '>', a URI that is not
 * simple, an error): the caller then parses the address with the general
 * parsers. Reads only [start, end). */
SipwsUri *sipws_uri_parse_bracketed (SipwsArena  *arena,
                                     const char  *start,
                                     char        *out,
                                     const char  *p,
                                     const char  *end,
                                     const char **uri_end);

/* A deep copy of @self in @arena, under the same terms. */
SipwsUri *sipws_uri_copy_in     (SipwsArena  *arena,
                                 SipwsUri    *self);

G_END_DECLS
