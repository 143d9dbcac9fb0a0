/* sipws-address-private.h: address parsing inside a larger text */
#pragma once

#include "sipws-address.h"
#include "sipws-arena-private.h"
#include "sipws-params-private.h"

G_BEGIN_DECLS

/* An address, its URI, parameter entries and strings are in one arena:
 * the message it was parsed from, or an arena of its own. */
struct _SipwsAddress
{
  SipwsArena *arena;
  gboolean wildcard;
  gboolean quoted_display;   /* the display name was a quoted-string */
  const char *display_name;
  SipwsUri *uri;
  SipwsParams params;
  /* What the parameters with a meaning of their own say, read whenever the
   * parameters change so that the getters cost no lookup. */
  const char *tag;           /* the tag parameter's value, NULL when absent */
  gint q;                    /* thousandths, -1 when absent or not a qvalue */
  gint64 expires;            /* -1 when absent or not delta-seconds */
};

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

/* sipws_address_is_wildcard() without the call and its argument check,
 * for the message parser, which asks it of every address it reads */
static inline gboolean
sipws_address_is_wildcard_inline (const SipwsAddress *self)
{
  return self->wildcard;
}

G_END_DECLS
