/* sipws-message.c: SIP requests and responses */
#include <string.h>

#include "sipws-message.h"
#include "sipws-error.h"
#include "sipws-address-private.h"
#include "sipws-arena-private.h"
#include "sipws-header-table-private.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"
#include "sipws-simd-private.h"
#include "sipws-uri-private.h"
#include "sipws-via-private.h"

/* A parsed message keeps one copy of the frame. The parser writes into that
 * copy: it unfolds continuation lines in place (a value only shrinks) and
 * ends every name and value with a NUL, so headers are pointers into it and
 * cost no allocation. Headers set through the API have their text in the
 * message's arena. */
typedef struct {
  const char *name;
  const char *value;
  guint32     name_len;
  guint32     value_len;     /* a value may hold a NUL inside a quoted-pair */
  guint16     id;            /* SipwsHeaderId */
  guint16     has_number;    /* number holds the value of a numeric header */
  guint32     number;
} Header;

/* The values of a list header (Via hops, addresses), in the message's
 * arena. The GPtrArray the getters return is made on first request, at its
 * exact size, and published atomically: a shared message is read from any
 * thread. It holds a reference to each value, so that an array someone
 * keeps keeps its values. */
typedef struct {
  gpointer   *items;
  guint       len;
  guint       capacity;
  GPtrArray  *array;
} List;

/* The interpreted CSeq, in the message's arena; the method is the end of
 * the header value. */
typedef struct {
  guint32     number;
  const char *method;
} CSeq;

/* The interpreted Content-Type, in the message's arena. */
typedef struct {
  const char  *media_type;
  SipwsParams  params;
} ContentType;

/* The message, the copy of the frame and every value parsed from it (URIs,
 * addresses, Via hops, Content-Type) are in one arena, which starts with the
 * message's own block. The message holds one reference to it, the parsed
 * body (a GBytes viewing the frame copy) another, and every outside
 * reference to a value in it one more. */
struct _SipwsMessage {
  SipwsArena       arena;    /* first: the block starts with it */
  gint             ref_count;

  /* start line: method and Request-URI for a request, status and reason for
   * a response; the strings are in the frame or in the arena */
  const char      *method;
  const char      *request_uri_text;
  SipwsUri        *request_uri;
  guint            status;
  const char      *reason;

  Header          *headers;  /* in wire order: inline_headers, or on the heap when more */
  guint            n_headers;
  guint            headers_capacity;
  GBytes          *body;     /* NULL for none (body_bytes()): most messages have none */

  /* Whether list_array() ever ran: only then do the lists hold arrays to
   * free with the message. */
  gint             made_arrays;

  /* What the typed headers mean, by slot (TYPED()): a List of SipwsVia or
   * SipwsAddress for VIA and ADDRESS_LIST, the first SipwsAddress for
   * ADDRESS, a ContentType for CONTENT_TYPE, a CSeq for CSEQ; NULL when
   * absent. */
  gpointer         typed[SIPWS_HEADER_N_TYPED];

  /* 1 + the index of the first header field of each known id, 0 when there
   * is none or it is at FIRST_MAX or later, so the typed getters find their
   * field at once (one byte each: the struct is cleared for every message,
   * and messages have a few dozen fields) */
  guint8           first[SIPWS_HEADER_N_IDS];

  /* Most messages have fewer header fields than this: no allocation. Last
   * member: message_alloc() leaves it uninitialized. */
  Header           inline_headers[16];
};

G_DEFINE_BOXED_TYPE (SipwsMessage, sipws_message, sipws_message_ref, sipws_message_unref)

/* What typed header @id means, by its slot (slot 0 stays NULL for the
 * headers kept as text). */
#define TYPED(self, id) ((self)->typed[sipws_header_typed_slot[id]])

#define MAX_UINT32 G_GUINT64_CONSTANT (4294967295)

/* The fields first[] can point to: those before this index. */
#define FIRST_MAX G_MAXUINT8

/* The room a parsed message of @len bytes reserves for its values beside
 * the two copies of its frame: about the text of the headers again plus
 * the structs of a few values is enough for most messages (the strings are
 * in the second copy), and the arena grows when it is short. A message of
 * up to about 4.8 KB then fits a standard block (SIPWS_ARENA_BLOCK_SIZE),
 * which is kept for the next one. */
#define ARENA_ROOM(len) (MIN ((len), 16384) + 1024)

/* Bytes after the copy of a frame: a NUL, which ends the last string, then
 * LFs, where the CRLF search (first_crlf()) stops without checking for the
 * end: from any position up to the end it finds one in 32 bytes. The
 * parser reads 16 bytes at a time from any position before the end. */
#define FRAME_PADDING 32

/* Helpers on values */

/* A whole value that is 1*DIGIT, at most @max. */
G_ALWAYS_INLINE static inline gboolean
check_number (const char  *value,
              gsize        len,
              guint64      max,
              const char  *what,
              guint64     *out,
              GError     **error)
{
  const char *end = value + len;
  const char *p = sipws_scan_number (value, end, max, out);

  if (p == value)
    {
      sipws_scan_set_error (error, value, value, "%s must be a decimal number", what);
      return FALSE;
    }
  if (*out > max)
    {
      sipws_scan_set_error (error, value, value, "%s is larger than %" G_GUINT64_FORMAT, what, max);
      return FALSE;
    }
  if (p != end)
    {
      sipws_scan_set_error (error, value, p, "unexpected '%c' after %s", *p, what);
      return FALSE;
    }
  return TRUE;
}

/* The headers whose meaning is kept in self->typed. */
static gboolean
is_cached_type (SipwsHeaderId id)
{
  return sipws_header_typed_slot[id] != 0;
}

/* Forgets what header @id means; the values stay in the arena until it
 * goes, only the lists are freed. */
static void
typed_clear (SipwsMessage  *self,
             SipwsHeaderId  id)
{
  gpointer value = g_steal_pointer (&TYPED (self, id));
  SipwsHeaderType type = sipws_header_info[id].type;

  if (value != NULL && (type == SIPWS_HEADER_TYPE_VIA || type == SIPWS_HEADER_TYPE_ADDRESS_LIST))
    g_clear_pointer (&((List *) value)->array, g_ptr_array_unref);
}

/* The elements of a comma-list value. Most values hold one element: with no
 * comma at all, the value is that element without a scan for quotes and
 * brackets (the element's own parser checks those). */
typedef struct {
  SipwsScanListIter iter;
  gboolean          whole;
} Elements;

static void
elements_init (Elements   *e,
               const char *value,
               gsize       len)
{
  sipws_scan_list_iter_init (&e->iter, value, len);
  e->whole = memchr (value, ',', len) == NULL;
}
static gboolean
elements_next (Elements       *e,
               SipwsScanSpan  *elem,
               GError        **error)
{
  if (!e->whole)
    return sipws_scan_list_iter_next (&e->iter, elem, error);
  if (e->iter.p == NULL)
    return FALSE;
  elem->start = e->iter.p;
  elem->len = e->iter.end - e->iter.p;
  e->iter.p = NULL;
  return TRUE;
}

/* Typed header values. Each parser checks one header field value [value,
 * value+len); error columns count from @value. What the value means goes to
 * @arena, its strings to @out, a mirror of the value in the arena (see
 * sipws_scan_mirror()); with @self, it is also added to self->typed, and
 * without, the value is only checked. */

/* Doubles the room of @list, which is full; the old room stays in the
 * arena, unused. */
G_NO_INLINE static void
list_grow (SipwsMessage *self,
           List         *list)
{
  gpointer *items = sipws_arena_alloc (&self->arena, 2 * list->capacity * sizeof (gpointer));

  memcpy (items, list->items, list->len * sizeof (gpointer));
  list->items = items;
  list->capacity *= 2;
}

/* The list of header @id with @value, its first. */
G_NO_INLINE static void
list_start (SipwsMessage  *self,
            SipwsHeaderId  id,
            gpointer       value)
{
  List *list = sipws_arena_alloc (&self->arena, sizeof (List) + 4 * sizeof (gpointer));

  list->items = (gpointer *) (list + 1);
  list->items[0] = value;
  list->len = 1;
  list->capacity = 4;
  list->array = NULL;
  TYPED (self, id) = list;
}

/* Appends @value to the list of header @id. (Starting and growing a list
 * out of line: what they need would make every call save registers.) */
static void
list_add (SipwsMessage  *self,
          SipwsHeaderId  id,
          gpointer       value)
{
  List *list = TYPED (self, id);

  if (list == NULL)
    {
      list_start (self, id, value);
      return;
    }
  if (list->len == list->capacity)
    list_grow (self, list);
  list->items[list->len++] = value;
}

/* The GPtrArray of the list of header @id, made on first request. */
static GPtrArray *
list_array (SipwsMessage  *self,
            SipwsHeaderId  id)
{
  List *list = TYPED (self, id);
  GPtrArray *array;

  if (list == NULL)
    return NULL;
  array = g_atomic_pointer_get (&list->array);
  if (G_LIKELY (array != NULL))
    return array;

  if (id == SIPWS_HEADER_VIA)
    {
      array = g_ptr_array_new_full (list->len, (GDestroyNotify) sipws_via_unref);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (array, sipws_via_ref (list->items[i]));
    }
  else
    {
      array = g_ptr_array_new_full (list->len, (GDestroyNotify) sipws_address_unref);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (array, sipws_address_ref (list->items[i]));
    }
  g_atomic_int_set (&self->made_arrays, TRUE);
  if (!g_atomic_pointer_compare_and_exchange (&list->array, NULL, array))
    {
      /* another thread was first */
      g_ptr_array_unref (array);
      array = g_atomic_pointer_get (&list->array);
    }
  return array;
}

/* The hops of a Via value, element by element. Out of line: most values
 * are one hop that parse_via() reads at once. */
G_NO_INLINE static gboolean
parse_via_list (SipwsMessage  *self,
                SipwsArena    *arena,
                char          *out,
                const char    *value,
                gsize          len,
                GError       **error)
{
  Elements iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;

  elements_init (&iter, value, len);
  if (iter.iter.p == NULL)
    {
      sipws_scan_set_error (error, value, value, "empty Via");
      return FALSE;
    }
  while (elements_next (&iter, &elem, &local_error))
    {
      SipwsVia *via;

      if (elem.len == 0)
        {
          sipws_scan_set_error (error, value, elem.start, "empty Via element (extra ',')");
          return FALSE;
        }
      via = sipws_via_parse_range (arena, value, out, elem.start, elem.start + elem.len, error);
      if (via == NULL)
        return FALSE;
      if (self != NULL)
        list_add (self, SIPWS_HEADER_VIA, via);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

G_ALWAYS_INLINE static inline gboolean
parse_via (SipwsMessage  *self,
           SipwsArena    *arena,
           char          *out,
           const char    *value,
           gsize          len,
           GError       **error)
{
  SipwsVia *via = sipws_via_parse_simple (arena, value, out, value, value + len);

  /* Most values are one common hop, which the fast path reads without a
   * search for commas first: it stops at anything else, a comma included. */
  if (via == NULL)
    return parse_via_list (self, arena, out, value, len, error);
  if (self != NULL)
    list_add (self, SIPWS_HEADER_VIA, via);
  return TRUE;
}

G_ALWAYS_INLINE static inline gboolean
parse_address (SipwsMessage   *self,
               SipwsArena     *arena,
               char           *out,
               SipwsHeaderId   id,
               const char     *value,
               gsize           len,
               GError        **error)
{
  SipwsAddress *address = sipws_address_parse_range (arena, value, out, value, value + len, error);

  if (address == NULL)
    return FALSE;
  if (sipws_address_is_wildcard_inline (address))
    {
      sipws_scan_set_error (error, value, sipws_scan_skip_lws (value, value + len),
                            "'*' is only allowed in Contact");
      return FALSE;
    }
  /* A repeated single-value header is a semantic error that
   * sipws_message_check_request() reports; the first one is the value. */
  if (self != NULL && TYPED (self, id) == NULL)
    TYPED (self, id) = address;
  return TRUE;
}

static gboolean
has_wildcard (List *addresses)
{
  return addresses != NULL && addresses->len > 0 && sipws_address_is_wildcard_inline (addresses->items[0]);
}

/* The addresses of an address-list value, element by element. Out of
 * line: most values are one address that parse_address_list() reads at
 * once. */
G_NO_INLINE static gboolean
parse_address_elements (SipwsMessage   *self,
                        SipwsArena     *arena,
                        char           *out,
                        SipwsHeaderId   id,
                        const char     *value,
                        gsize           len,
                        GError        **error)
{
  Elements iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;
  List *list = self != NULL ? TYPED (self, id) : NULL;
  guint n_elems = 0;

  elements_init (&iter, value, len);
  if (iter.iter.p == NULL)
    {
      sipws_scan_set_error (error, value, value, "expected an address");
      return FALSE;
    }
  while (elements_next (&iter, &elem, &local_error))
    {
      SipwsAddress *address;

      if (elem.len == 0)
        {
          sipws_scan_set_error (error, value, elem.start, "empty element (extra ',')");
          return FALSE;
        }
      address = sipws_address_parse_range (arena, value, out, elem.start, elem.start + elem.len, error);
      if (address == NULL)
        return FALSE;

      /* Contact = STAR / contact-param *(COMMA contact-param): the '*' is the
       * whole value, also across repeated Contact headers. */
      if (sipws_address_is_wildcard_inline (address) || has_wildcard (list))
        {
          const char *what = NULL;

          if (id != SIPWS_HEADER_CONTACT)
            what = "'*' is only allowed in Contact";
          else if (n_elems > 0 || iter.iter.p != NULL || (list != NULL && list->len > 0))
            what = "'*' must be the only Contact";
          if (what != NULL)
            {
              sipws_scan_set_error (error, value, elem.start, "%s", what);
              return FALSE;
            }
        }
      n_elems++;

      if (self != NULL)
        {
          list_add (self, id, address);
          list = TYPED (self, id);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

G_ALWAYS_INLINE static inline gboolean
parse_address_list (SipwsMessage   *self,
                    SipwsArena     *arena,
                    char           *out,
                    SipwsHeaderId   id,
                    const char     *value,
                    gsize           len,
                    GError        **error)
{
  /* Most values are one common name-addr, which the fast path reads
   * without the search for commas first: it stops at anything else, a
   * comma between addresses included. (After a Contact '*' every address
   * is an error, which parse_address_elements() reports.) */
  if (self == NULL || !has_wildcard (TYPED (self, id)))
    {
      SipwsAddress *address = sipws_address_parse_simple (arena, value, out, value, value + len);

      if (address != NULL)
        {
          if (self != NULL)
            list_add (self, id, address);
          return TRUE;
        }
    }
  return parse_address_elements (self, arena, out, id, value, len, error);
}

/* CSeq = 1*DIGIT LWS Method; the number may be up to 2^32-1 (RFC 4475
 * §3.1.2.4; RFC 3261 §8.1.1.5 only asks senders to stay below 2^31). */
G_ALWAYS_INLINE static inline const char *
parse_cseq (const char  *value,
            gsize        len,
            guint32     *number,
            GError     **error)
{
  const char *end = value + len;
  const char *p, *method;
  guint64 n;

  p = sipws_scan_number (value, end, MAX_UINT32, &n);
  if (p == value)
    {
      sipws_scan_set_error (error, value, value, "expected the CSeq sequence number");
      return NULL;
    }
  if (n > MAX_UINT32)
    {
      sipws_scan_set_error (error, value, value, "sequence number is larger than 4294967295");
      return NULL;
    }
  method = sipws_scan_skip_lws (p, end);
  if (method == p)
    {
      sipws_scan_set_error (error, value, p, "expected a blank after the sequence number");
      return NULL;
    }
  p = sipws_scan_token (method, end);
  if (p == method || p != end)
    {
      sipws_scan_set_error (error, value, p, "expected the method as the last item");
      return NULL;
    }
  if (number != NULL)
    *number = (guint32) n;
  return method;
}

G_ALWAYS_INLINE static inline gboolean
interpret_cseq (SipwsMessage  *self,
                SipwsArena    *arena,
                const char    *value,
                gsize          len,
                GError       **error)
{
  guint32 number;
  const char *method = parse_cseq (value, len, &number, error);
  CSeq *cseq;

  if (method == NULL)
    return FALSE;
  /* The first one is the value, as for the other single-value headers. */
  if (self != NULL && TYPED (self, SIPWS_HEADER_CSEQ) == NULL)
    {
      cseq = sipws_arena_alloc (arena, sizeof (CSeq));
      cseq->number = number;
      cseq->method = method;
      TYPED (self, SIPWS_HEADER_CSEQ) = cseq;
    }
  return TRUE;
}

/* callid = word [ "@" word ] */
G_ALWAYS_INLINE static inline gboolean
parse_call_id (const char  *value,
               gsize        len,
               GError     **error)
{
  const char *end = value + len;
  const char *p = sipws_scan_span (value, end, SIPWS_CC_WORD);

  if (p == value)
    {
      sipws_scan_set_error (error, value, p, "empty Call-ID");
      return FALSE;
    }
  if (p < end && *p == '@')
    {
      const char *host = p + 1;

      p = sipws_scan_span (host, end, SIPWS_CC_WORD);
      if (p == host)
        {
          sipws_scan_set_error (error, value, p, "expected a word after '@'");
          return FALSE;
        }
    }
  if (p != end)
    {
      sipws_scan_set_error (error, value, p, "invalid character in Call-ID");
      return FALSE;
    }
  return TRUE;
}

/* The elements of a token list that parse_token_list() could not read at
 * once, one by one for the precise error. Out of line: valid lists are
 * read at once. */
G_NO_INLINE static gboolean
check_token_elements (const char  *value,
                      gsize        len,
                      GError     **error)
{
  Elements iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;

  elements_init (&iter, value, len);
  while (elements_next (&iter, &elem, &local_error))
    {
      const char *end = elem.start + elem.len;
      const char *p = sipws_scan_token (elem.start, end);

      if (elem.len == 0)
        {
          sipws_scan_set_error (error, value, elem.start, "empty element (extra ',')");
          return FALSE;
        }
      if (p != end)
        {
          sipws_scan_set_error (error, value, p, "expected a token");
          return FALSE;
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* Whether [value, value+len), 16 to 64 bytes, is a list the way user
 * agents write Allow, Supported or Require: tokens of letters and digits
 * separated by a comma and at most one blank after it. Checked on bit masks
 * of the whole value at once (bit i for byte i); FALSE says nothing about
 * other lists. */
static gboolean
is_plain_token_list (const char *value,
                     gsize       len)
{
  guint64 t = 0, c = 0, w = 0, all = len == 64 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << len) - 1;
  guint alnum, comma, blank;
  gsize i;

  for (i = 0; i + 16 <= len; i += 16)
    {
      sipws_simd_list_masks (value + i, &alnum, &comma, &blank);
      t |= (guint64) alnum << i;
      c |= (guint64) comma << i;
      w |= (guint64) blank << i;
    }
  if (i < len)
    {
      /* the last 16 bytes, without the ones read already */
      guint shift = 16 - (guint) (len - i);

      sipws_simd_list_masks (value + len - 16, &alnum, &comma, &blank);
      t |= (guint64) (alnum >> shift) << i;
      c |= (guint64) (comma >> shift) << i;
      w |= (guint64) (blank >> shift) << i;
    }
  /* nothing else; a token first and last; a blank only right after a
   * comma; after a comma a token or a blank, after a blank a token, and
   * before a comma a token */
  return (t | c | w) == all && (t & 1) != 0 && (t >> (len - 1) & 1) != 0 && (w & ~(c << 1)) == 0 &&
         ((c << 1) & ~(t | w) & all) == 0 && ((w << 1) & ~t & all) == 0 && ((c >> 1) & ~t) == 0;
}

G_ALWAYS_INLINE static inline gboolean
parse_token_list (const char  *value,
                  gsize        len,
                  GError     **error)
{
  const char *q;

  if (len >= 16 && len <= 64 && is_plain_token_list (value, len))
    return TRUE;
  q = sipws_scan_skip_lws (value, value + len);

  /* A valid list is tokens between commas and blanks (no quotes or
   * brackets): that is read in one pass, and anything else again element
   * by element for the precise error. */
  if (q == value + len)
    return TRUE;
  for (;;)
    {
      const char *t = sipws_scan_token (q, value + len);

      if (t == q)
        break;
      q = sipws_scan_skip_lws (t, value + len);
      if (q == value + len)
        return TRUE;
      if (*q != ',')
        break;
      q = sipws_scan_skip_lws (q + 1, value + len);
    }
  return check_token_elements (value, len, error);
}

/* Content-Type = m-type SLASH m-subtype *( SEMI m-parameter ) */
static gboolean
parse_content_type (SipwsMessage  *self,
                    SipwsArena    *arena,
                    const char    *value,
                    gsize          len,
                    GError       **error)
{
  const char *end = value + len;
  const char *type_end, *subtype, *subtype_end, *p;
  ContentType *ct;
  gsize type_len, i;
  char *out;

  /* The body of most messages that have one: application/sdp in any case
   * (the letters fold, the '/' is compared as it is), which needs no copy. */
  if (len == 15 && value[11] == '/' && sipws_scan_token_equal_folded (value, "application", 11) &&
      sipws_scan_token_equal_folded (value + 12, "sdp", 3))
    {
      ct = sipws_arena_alloc (arena, sizeof (ContentType));
      ct->media_type = "application/sdp";
      sipws_params_init (&ct->params);
      if (self != NULL && TYPED (self, SIPWS_HEADER_CONTENT_TYPE) == NULL)
        TYPED (self, SIPWS_HEADER_CONTENT_TYPE) = ct;
      return TRUE;
    }

  out = sipws_arena_strndup (arena, value, len);
  type_end = sipws_scan_token (value, end);
  if (type_end == value)
    {
      sipws_scan_set_error (error, value, value, "expected a media type");
      return FALSE;
    }
  p = sipws_scan_skip_lws (type_end, end);
  if (p >= end || *p != '/')
    {
      sipws_scan_set_error (error, value, p, "expected '/' in the media type");
      return FALSE;
    }
  subtype = sipws_scan_skip_lws (p + 1, end);
  subtype_end = sipws_scan_token (subtype, end);
  if (subtype_end == subtype)
    {
      sipws_scan_set_error (error, value, subtype, "expected a media subtype");
      return FALSE;
    }

  p = subtype_end;
  type_len = (type_end - value) + 1 + (subtype_end - subtype);
  ct = sipws_arena_alloc (arena, sizeof (ContentType));
  /* "type/subtype" in the mirror, where blanks around the '/' only make
   * room */
  ct->media_type = out;
  for (i = 0; i < (gsize) (type_end - value); i++)
    out[i] = sipws_scan_lower[(guchar) value[i]];
  out[i++] = '/';
  for (const char *s = subtype; s < subtype_end; s++)
    out[i++] = sipws_scan_lower[(guchar) *s];
  out[i] = '\0';
  g_assert (i == type_len);
  sipws_params_init (&ct->params);

  /* most bodies are application/sdp, without parameters */
  if (p < end && !sipws_params_parse (&ct->params, arena, SIPWS_PARAMS_HEADER, value, out, &p, end, error))
    return FALSE;
  p = sipws_scan_skip_lws (p, end);
  if (p < end)
    {
      sipws_scan_set_error (error, value, p, "unexpected '%c' in Content-Type", *p);
      return FALSE;
    }
  for (i = 0; i < ct->params.len; i++)
    if (ct->params.items[i].value == NULL)
      {
        sipws_scan_set_error (error, value, subtype_end, "media type parameter '%s' has no value",
                              ct->params.items[i].name);
        return FALSE;
      }

  if (self != NULL && TYPED (self, SIPWS_HEADER_CONTENT_TYPE) == NULL)
    TYPED (self, SIPWS_HEADER_CONTENT_TYPE) = ct;
  return TRUE;
}

/* Whether the three bytes at @p are one of @words (three letters each, in
 * lower case), in any case: "| 0x20" folds a byte onto a lower-case letter
 * only when it is that letter. */
static gboolean
match_word (const char *p,
            const char *words)
{
  for (guint i = 0; words[i * 3] != '\0'; i++)
    if ((p[0] | 0x20) == words[i * 3] && (p[1] | 0x20) == words[i * 3 + 1] && (p[2] | 0x20) == words[i * 3 + 2])
      return TRUE;
  return FALSE;
}

static gboolean
two_digits (const char *p,
            guint       max,
            guint       min)
{
  guint n;

  if (!sipws_scan_is (p[0], SIPWS_CC_DIGIT) || !sipws_scan_is (p[1], SIPWS_CC_DIGIT))
    return FALSE;
  n = (guint) (p[0] - '0') * 10 + (guint) (p[1] - '0');
  return n >= min && n <= max;
}

/* rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17):
 * "Sat, 13 Nov 2010 23:29:00 GMT", always this exact shape. */
static gboolean
parse_date (const char  *value,
            gsize        len,
            GError     **error)
{
  static const char days[] = "montuewedthufrisatsun";
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  const char *bad = NULL;

  if (len != 29)
    bad = value + MIN (len, 29);
  else if (!match_word (value, days))
    bad = value;
  else if (value[3] != ',' || value[4] != ' ')
    bad = value + 3;
  else if (!two_digits (value + 5, 31, 1) || value[7] != ' ')
    bad = value + 5;
  else if (!match_word (value + 8, months) || value[11] != ' ')
    bad = value + 8;
  else if (!two_digits (value + 12, 99, 0) || !two_digits (value + 14, 99, 0) || value[16] != ' ')
    bad = value + 12;
  else if (!two_digits (value + 17, 23, 0) || value[19] != ':' || !two_digits (value + 20, 59, 0) ||
           value[22] != ':' || !two_digits (value + 23, 60, 0) || value[25] != ' ')
    bad = value + 17;
  else if (!match_word (value + 26, "gmt"))
    {
      sipws_scan_set_error (error, value, value + 26, "the time zone must be GMT");
      return FALSE;
    }

  if (bad != NULL)
    {
      sipws_scan_set_error (error, value, bad, "expected a date such as 'Sat, 13 Nov 2010 23:29:00 GMT'");
      return FALSE;
    }
  return TRUE;
}

/* A comment of RFC 3261 §25.1 at *pp: "(" *(ctext / quoted-pair / comment)
 * ")"; nesting is counted, not recursed into. */
static gboolean
skip_comment (const char  *start,
              const char **pp,
              const char  *end,
              GError     **error)
{
  const char *p = *pp + 1;
  guint depth = 1;

  while (p < end && depth > 0)
    {
      if (*p == '\\' && p + 1 < end)
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')')
        depth--;
      p++;
    }
  if (depth > 0)
    {
      sipws_scan_set_error (error, start, *pp, "unterminated comment");
      return FALSE;
    }
  *pp = p;
  return TRUE;
}

/* Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) */
static gboolean
parse_retry_after (SipwsArena  *arena,
                   char        *out,
                   const char  *value,
                   gsize        len,
                   GError     **error)
{
  const char *end = value + len;
  SipwsParams params;
  const char *p, *q;
  guint64 seconds;

  p = sipws_scan_number (value, end, MAX_UINT32, &seconds);
  if (p == value || seconds > MAX_UINT32)
    {
      sipws_scan_set_error (error, value, value, "expected a number of seconds of at most 4294967295");
      return FALSE;
    }
  q = sipws_scan_skip_lws (p, end);
  if (q < end && *q == '(')
    {
      if (!skip_comment (value, &q, end, error))
        return FALSE;
      p = q;
    }
  sipws_params_init (&params);
  if (!sipws_params_parse (&params, arena, SIPWS_PARAMS_HEADER, value, out, &p, end, error))
    return FALSE;
  p = sipws_scan_skip_lws (p, end);
  if (p < end)
    {
      sipws_scan_set_error (error, value, p, "unexpected '%c' in Retry-After", *p);
      return FALSE;
    }
  return TRUE;
}

/* warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT */
static gboolean
parse_warning (const char  *value,
               gsize        len,
               GError     **error)
{
  Elements iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;

  elements_init (&iter, value, len);
  while (elements_next (&iter, &elem, &local_error))
    {
      const char *p = elem.start;
      const char *end = elem.start + elem.len;
      const char *agent;

      if (end - p < 4 || !sipws_scan_is (p[0], SIPWS_CC_DIGIT) || !sipws_scan_is (p[1], SIPWS_CC_DIGIT) ||
          !sipws_scan_is (p[2], SIPWS_CC_DIGIT) || p[3] != ' ')
        {
          sipws_scan_set_error (error, value, p, "expected a three-digit warning code and a blank");
          return FALSE;
        }
      agent = p + 4;
      p = agent;
      while (p < end && (sipws_scan_is (*p, SIPWS_CC_TOKEN) || *p == ':' || *p == '[' || *p == ']'))
        p++;
      if (p == agent || p >= end || *p != ' ' || p + 1 >= end || p[1] != '"')
        {
          sipws_scan_set_error (error, value, p, "expected a warning agent, a blank and a quoted text");
          return FALSE;
        }
      p++;
      if (!sipws_scan_quoted_string (value, &p, end, error))
        return FALSE;
      if (p != end)
        {
          sipws_scan_set_error (error, value, p, "unexpected text after the warning text");
          return FALSE;
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* The mirror of [value, value+len) for the parsers of values with strings:
 * @mirror when the caller has one, else a copy in @arena. */
G_ALWAYS_INLINE static inline char *
value_mirror (SipwsArena *arena,
              char       *mirror,
              const char *value,
              gsize       len)
{
  return mirror != NULL ? mirror : sipws_arena_strndup (arena, value, len);
}

/* Checks one header field value by its header's type; see above for @self
 * and @arena. @mirror is a mirror of the value (sipws_scan_mirror()), or
 * NULL for one made in @arena when needed. Inlined: as a call of its own,
 * its prologue and jump table cost about 40 instructions per typed header
 * of a parsed message. */
G_ALWAYS_INLINE static inline gboolean
interpret_header (SipwsMessage   *self,
                  SipwsArena     *arena,
                  SipwsHeaderId   id,
                  const char     *value,
                  gsize           len,
                  char           *mirror,
                  guint64        *number,
                  GError        **error)
{
  switch ((SipwsHeaderType) sipws_header_info[id].type)
    {
    case SIPWS_HEADER_TYPE_RAW:
      return TRUE;
    case SIPWS_HEADER_TYPE_VIA:
      return parse_via (self, arena, value_mirror (arena, mirror, value, len), value, len, error);
    case SIPWS_HEADER_TYPE_ADDRESS:
      return parse_address (self, arena, value_mirror (arena, mirror, value, len), id, value, len, error);
    case SIPWS_HEADER_TYPE_ADDRESS_LIST:
      return parse_address_list (self, arena, value_mirror (arena, mirror, value, len), id, value, len, error);
    case SIPWS_HEADER_TYPE_CSEQ:
      return interpret_cseq (self, arena, value, len, error);
    case SIPWS_HEADER_TYPE_CALL_ID:
      return parse_call_id (value, len, error);
    case SIPWS_HEADER_TYPE_UINT32:
      return check_number (value, len, MAX_UINT32, "the value", number, error);
    case SIPWS_HEADER_TYPE_MAX_FORWARDS:
      return check_number (value, len, 255, "Max-Forwards", number, error);
    case SIPWS_HEADER_TYPE_CONTENT_LENGTH:
      return check_number (value, len, MAX_UINT32, "Content-Length", number, error);
    case SIPWS_HEADER_TYPE_TOKEN_LIST:
      return parse_token_list (value, len, error);
    case SIPWS_HEADER_TYPE_CONTENT_TYPE:
      return parse_content_type (self, arena, value, len, error);
    case SIPWS_HEADER_TYPE_DATE:
      return parse_date (value, len, error);
    case SIPWS_HEADER_TYPE_RETRY_AFTER:
      return parse_retry_after (arena, value_mirror (arena, mirror, value, len), value, len, error);
    case SIPWS_HEADER_TYPE_WARNING:
      return parse_warning (value, len, error);
    default:
      g_assert_not_reached ();
    }
}

/* interpret_header() as a call, for everything but the header line loop:
 * one more copy of the parsers, not one per caller. @number may be NULL. */
static gboolean
interpret_header_call (SipwsMessage   *self,
                       SipwsArena     *arena,
                       SipwsHeaderId   id,
                       const char     *value,
                       gsize           len,
                       guint64        *number,
                       GError        **error)
{
  guint64 ignored;

  return interpret_header (self, arena, id, value, len, NULL, number != NULL ? number : &ignored, error);
}

/* Re-reads every header of @id into the typed cache after a change. */
static void
reinterpret (SipwsMessage  *self,
             SipwsHeaderId  id)
{
  if (!is_cached_type (id))
    return;

  typed_clear (self, id);
  for (guint i = 0; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];

      /* Every value in the message was checked when it was added. */
      if (h->id == id && !interpret_header_call (self, &self->arena, id, h->value, h->value_len, NULL, NULL))
        g_assert_not_reached ();
    }
}

/* Lifetime */

/* Doubles the room of the header list, which is full. */
static void
headers_grow (SipwsMessage *self)
{
  guint capacity = self->headers_capacity * 2;

  if (self->headers == self->inline_headers)
    {
      self->headers = g_new (Header, capacity);
      memcpy (self->headers, self->inline_headers, sizeof self->inline_headers);
    }
  else
    self->headers = g_renew (Header, self->headers, capacity);
  self->headers_capacity = capacity;
}

/* Returns a new entry at the end of the header list, with no id yet. */
G_ALWAYS_INLINE static inline Header *
headers_push (SipwsMessage *self)
{
  Header *h;

  if (self->n_headers == self->headers_capacity)
    headers_grow (self);
  h = &self->headers[self->n_headers++];
  h->id = SIPWS_HEADER_UNKNOWN;
  h->has_number = FALSE;
  return h;
}

/* Records the entry at @index, of header @id, in first[]. */
G_ALWAYS_INLINE static inline void
headers_index (SipwsMessage  *self,
               guint          index,
               SipwsHeaderId  id)
{
  if (self->first[id] == 0 && index < FIRST_MAX)
    self->first[id] = index + 1;
}

static void
headers_remove (SipwsMessage *self,
                guint         index)
{
  memmove (&self->headers[index], &self->headers[index + 1], (self->n_headers - index - 1) * sizeof (Header));
  self->n_headers--;
  memset (self->first, 0, sizeof self->first);
  for (guint i = self->n_headers; i > 0; i--)
    if (i <= FIRST_MAX)
      self->first[self->headers[i - 1].id] = i;
}

/* A message block: the struct, then @frame bytes for the copy of a parsed
 * frame, then @room bytes where the arena starts allocating. */
static SipwsMessage *
message_alloc (gsize frame,
               gsize room)
{
  gboolean standard = frame + room <= SIPWS_ARENA_BLOCK_SIZE - sizeof (SipwsMessage);
  SipwsMessage *self;

  /* a standard block gives all it has beyond the frame to the arena */
  if (standard)
    {
      self = sipws_arena_take_block ();
      room = SIPWS_ARENA_BLOCK_SIZE - sizeof (SipwsMessage) - frame;
    }
  else
    self = g_malloc (sizeof (SipwsMessage) + frame + room);

  /* inline_headers, last, is filled as headers arrive; the arena and the
   * reference count are set below */
  memset (&self->method, 0, G_STRUCT_OFFSET (SipwsMessage, inline_headers) - G_STRUCT_OFFSET (SipwsMessage, method));

  sipws_arena_init (&self->arena, (char *) (self + 1) + frame, room);
  self->arena.recycle = standard;
  self->ref_count = 1;
  self->headers = self->inline_headers;
  self->headers_capacity = G_N_ELEMENTS (self->inline_headers);
  return self;
}

/**
 * sipws_message_ref:
 * @self: a message
 *
 * Adds a reference; the count is atomic, so references may be taken and
 * dropped from any thread. Values borrowed from the message (URIs, addresses,
 * Via hops, strings) stay valid while a reference is held.
 *
 * Returns: (transfer full): @self
 */
SipwsMessage *
sipws_message_ref (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * sipws_message_unref:
 * @self: (transfer full): a message
 *
 * Drops a reference; the message is freed with the last one.
 */
void
sipws_message_unref (SipwsMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  /* Everything else is in the arena; what outlives the message (a parsed
   * body, a URI or address someone keeps) keeps the arena. */
  if (g_atomic_int_get (&self->made_arrays))
    for (guint i = 0; i < self->n_headers; i++)
      typed_clear (self, self->headers[i].id);
  if (self->headers != self->inline_headers)
    g_free (self->headers);
  if (self->body != NULL)
    g_bytes_unref (self->body);
  sipws_arena_unref (&self->arena);
}

/* The body, the shared empty one for a message without one. */
static GBytes *
body_bytes (SipwsMessage *self)
{
  static GBytes *empty;

  if (self->body != NULL)
    return self->body;
  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_bytes_new_static ("", 0));
  return empty;
}

/* Parser */

/* Where a continuation line's text landed in the unfolded value, so that an
 * error inside the value can name the line and column of the input. */
typedef struct {
  gsize offset;
  guint line;
  gsize column;
} Fold;

typedef struct {
  const char *end;
  gsize       max_line;
  guint       max_headers;
  guint       line;            /* number of the line being read, from 1 */

  /* the header field being assembled, last in self->headers */
  gboolean    have_header;
  guint       header_line;
  gsize       header_column;   /* column of its value on its first line */
  gsize       header_size;     /* bytes so far, from the name to the last CR */
  GArray     *folds;           /* Fold; NULL until the first continuation */

  guint       n_headers;
  gint64      content_length;  /* of the first Content-Length, -1 before */
  guint       content_length_line;

  /* from a byte of the frame copy to the same byte of the mirror copy,
   * which the lines read as they are (not unfolded) use */
  gsize       mirror_offset;
} Parser;

static void
set_error_at (GError    **error,
              gint        code,
              guint       line,
              gsize       column,
              const char *format,
              ...) G_GNUC_PRINTF (5, 6);

static void
set_error_at (GError    **error,
              gint        code,
              guint       line,
              gsize       column,
              const char *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (column > 0)
    g_set_error (error, SIPWS_ERROR, code, "line %u, column %" G_GSIZE_FORMAT ": %s", line, column, what);
  else
    g_set_error (error, SIPWS_ERROR, code, "line %u: %s", line, what);
}

/* The scanners end their messages with " at column N", N counted from the
 * start of the text they were given (sipws_scan_set_error()). This moves N to
 * the line and column of the input, through the folds of the value, and
 * puts @context in front of what is wrong. */
static void
relocate_error (GError      **error,
                GError       *sub,
                guint         line,
                gsize         column,
                const GArray *folds,
                const char   *context)
{
  const char *at = g_strrstr (sub->message, " at column ");

  if (at != NULL)
    {
      guint64 n = g_ascii_strtoull (at + strlen (" at column "), NULL, 10);
      gsize offset = n > 0 ? (gsize) n - 1 : 0;

      column += offset;
      for (guint i = 0; folds != NULL && i < folds->len; i++)
        {
          const Fold *fold = &g_array_index (folds, Fold, i);

          if (fold->offset <= offset)
            {
              line = fold->line;
              column = fold->column + (offset - fold->offset);
            }
        }
      g_set_error (error, sub->domain, sub->code, "line %u, column %" G_GSIZE_FORMAT ": %s: %.*s",
                   line, column, context, (int) (at - sub->message), sub->message);
    }
  else
    g_set_error (error, sub->domain, sub->code, "line %u: %s: %s", line, context, sub->message);
  g_error_free (sub);
}

/* The CR of the first CRLF from @from on, when the first CR or LF there
 * is a CRLF before @limit (at most the end of the frame) with no HTAB or
 * other control of sipws_simd_line_end_candidates() before it; NULL
 * otherwise, for the byte-by-byte reading and its precise errors (a line
 * holding an HTAB is read there: the search stops at it).
 * Reads 16 bytes at a time from @from, which is at most the end of the
 * frame: the LFs of the padding (FRAME_PADDING) stop the search at the
 * latest, so it needs no test of its own for the end (a line longer than
 * the limit is read to its end). */
G_ALWAYS_INLINE static inline char *
first_crlf (char       *from,
            const char *limit)
{
  char *q = from, *cr;
  guint stops;

  while ((stops = sipws_simd_line_end_candidates (q)) == 0)
    q += 16;
  cr = q + sipws_simd_first (stops);
  if (cr >= limit || cr[0] != '\r' || cr[1] != '\n')
    return NULL;
  return cr;
}

/* find_line_end() for the lines first_crlf() does not take. */
G_NO_INLINE static char *
find_unusual_line_end (Parser      *P,
                       char        *p,
                       gsize        room,
                       const char  *too_long,
                       GError     **error)
{
  gsize avail = P->end - p;
  char *lf, *cr, *bad;

  lf = memchr (p, '\n', MIN (avail, room + 2));
  if (lf == NULL)
    {
      if (avail >= room + 2)
        set_error_at (error, SIPWS_ERROR_LINE_TOO_LONG, P->line, 0, "%s is longer than %" G_GSIZE_FORMAT " bytes",
                      too_long, P->max_line);
      else
        set_error_at (error, SIPWS_ERROR_PARSE, P->line, 0, "the message ends inside the line (no CRLF)");
      return NULL;
    }
  if (lf == p || lf[-1] != '\r')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, P->line, lf - p + 1, "LF without CR");
      return NULL;
    }
  cr = lf - 1;
  if ((gsize) (cr - p) > room)
    {
      set_error_at (error, SIPWS_ERROR_LINE_TOO_LONG, P->line, 0, "%s is longer than %" G_GSIZE_FORMAT " bytes",
                    too_long, P->max_line);
      return NULL;
    }
  bad = memchr (p, '\r', cr - p);
  if (bad != NULL)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, P->line, bad - p + 1, "CR without LF");
      return NULL;
    }
  return cr;
}

/* Returns the CR of the CRLF ending the line at @p, which may hold at most
 * @room bytes before it. Only CRLF ends a line; a lone CR or LF is an error
 * rather than a second opinion on where a header ends. Most lines are
 * found inline. */
G_ALWAYS_INLINE static inline char *
find_line_end (Parser      *P,
               char        *p,
               gsize        room,
               const char  *too_long,
               GError     **error)
{
  char *cr = first_crlf (p, p + MIN ((gsize) (P->end - p), room + 1));

  return cr != NULL ? cr : find_unusual_line_end (P, p, room, too_long, error);
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is supported. */
static gboolean
check_version (const char  *line,
               const char  *p,
               const char  *end,
               GError     **error)
{
  const char *q;

  if (end - p == 7 && memcmp (p, "SIP/2.0", 7) == 0)
    return TRUE;
  if (end - p < 4 || g_ascii_strncasecmp (p, "SIP/", 4) != 0)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, p - line + 1, "expected the SIP version (SIP/2.0)");
      return FALSE;
    }
  q = sipws_scan_span (p + 4, end, SIPWS_CC_DIGIT);
  if (q == p + 4 || q >= end || *q != '.' || sipws_scan_span (q + 1, end, SIPWS_CC_DIGIT) != end || q + 1 == end)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, p - line + 1, "expected the SIP version (SIP/2.0), found '%.*s'",
                    (int) MIN (end - p, 32), p);
      return FALSE;
    }
  if (end - p != 7 || memcmp (p + 4, "2.0", 3) != 0)
    {
      set_error_at (error, SIPWS_ERROR_UNSUPPORTED_VERSION, 1, p - line + 1,
                    "unsupported SIP version '%.*s' (only SIP/2.0 is supported)", (int) MIN (end - p, 32), p);
      return FALSE;
    }
  return TRUE;
}

/* The SP ending the Request-URI at @uri of the request line [line, cr),
 * after which come exactly one SP and SIP/2.0; NULL with @error set
 * otherwise. Out of line: the common request line does not need it. */
G_NO_INLINE static char *
request_uri_end (char    *line,
                 char    *uri,
                 char    *cr,
                 GError **error)
{
  char *uri_end, *version, *sp;

  uri_end = memchr (uri, ' ', cr - uri);
  if (uri_end == NULL)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, cr - line + 1, "expected SP and the SIP version after the Request-URI");
      return NULL;
    }
  version = uri_end + 1;
  if (version < cr && *version == ' ')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, version - line + 1, "more than one SP after the Request-URI");
      return NULL;
    }
  sp = memchr (version, ' ', cr - version);
  if (sp != NULL)
    {
      if (sipws_scan_skip_lws (sp, cr) == cr)
        set_error_at (error, SIPWS_ERROR_PARSE, 1, sp - line + 1, "SP after the SIP version at the end of the request line");
      else
        set_error_at (error, SIPWS_ERROR_PARSE, 1, uri_end - line + 1,
                      "blank inside the Request-URI (or extra elements in the request line)");
      return NULL;
    }
  if (!check_version (line, version, cr, error))
    return NULL;
  return uri_end;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one
 * SP between the elements (RFC 4475 §3.1.2.8-10 reject any other). */
static gboolean
parse_request_line (SipwsMessage  *self,
                    char          *line,
                    char          *cr,
                    GError       **error)
{
  char *method_end, *uri, *uri_end;
  GError *sub = NULL;

  method_end = (char *) sipws_scan_token (line, cr);
  if (method_end == line)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, 1, "expected a request method or SIP/2.0");
      return FALSE;
    }
  if (method_end >= cr || *method_end != ' ')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, method_end - line + 1, "expected SP after the method");
      return FALSE;
    }
  uri = method_end + 1;
  if (uri < cr && (*uri == ' ' || *uri == '\t'))
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, uri - line + 1, "more than one SP after the method");
      return FALSE;
    }
  if (uri < cr && *uri == '<')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, uri - line + 1, "the Request-URI must not be enclosed in '<>'");
      return FALSE;
    }
  /* mostly "<uri> SIP/2.0" with no other SP: what request_uri_end()
   * accepts, found with one search */
  if (cr - uri > 8 && sipws_scan_load8 (cr - 8) == sipws_scan_load8 (" SIP/2.0") &&
      memchr (uri, ' ', (cr - 8) - uri) == NULL)
    uri_end = cr - 8;
  else if ((uri_end = request_uri_end (line, uri, cr, error)) == NULL)
    return FALSE;

  /* The mirror starts with the line, where error columns count from. */
  self->request_uri = sipws_uri_parse_range (&self->arena, line, sipws_arena_strndup (&self->arena, line, uri_end - line),
                                             uri, uri_end, &sub);
  if (self->request_uri == NULL)
    {
      relocate_error (error, sub, 1, 1, NULL, "invalid Request-URI");
      return FALSE;
    }
  /* RFC 3261 §19.1.1: headers are not allowed in a Request-URI. A '?' may
   * also be part of the user, so the parsed URI decides. */
  if (self->request_uri->headers.len > 0)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, uri - line + 1,
                    "the Request-URI must not have headers ('?%s=')", self->request_uri->headers.items[0].name);
      return FALSE;
    }

  *method_end = '\0';
  *uri_end = '\0';
  self->method = line;
  self->request_uri_text = uri;
  return TRUE;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF */
static gboolean
parse_status_line (SipwsMessage  *self,
                   char          *line,
                   char          *cr,
                   GError       **error)
{
  char *version_end, *code, *code_end, *reason;
  const char *bad;
  guint non_ascii = 0;

  /* mostly "SIP/2.0 " */
  if (cr - line >= 8 && sipws_scan_load8 (line) == sipws_scan_load8 ("SIP/2.0 "))
    version_end = line + 7;
  else
    {
      version_end = memchr (line, ' ', cr - line);
      if (!check_version (line, line, version_end != NULL ? version_end : cr, error))
        return FALSE;
    }
  if (version_end == NULL)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, cr - line + 1, "expected SP and a status code after the SIP version");
      return FALSE;
    }
  code = version_end + 1;
  /* mostly three digits and SP, read at once: the four bytes are in the
   * padded frame copy even when the line is shorter, and then the length
   * test says no */
  if ((guchar) (code[0] - '0') <= 9 && (guchar) (code[1] - '0') <= 9 && (guchar) (code[2] - '0') <= 9 &&
      code[3] == ' ' && cr - code >= 4)
    code_end = code + 3;
  else
    code_end = (char *) sipws_scan_span (code, cr, SIPWS_CC_DIGIT);
  if (code_end - code != 3)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, code - line + 1, "the status code must be three digits");
      return FALSE;
    }
  self->status = (guint) (code[0] - '0') * 100 + (guint) (code[1] - '0') * 10 + (guint) (code[2] - '0');
  if (self->status < 100 || self->status > 699)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, code - line + 1, "status code %u is not in 100-699", self->status);
      return FALSE;
    }
  if (code_end >= cr || *code_end != ' ')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, code_end - line + 1, "expected SP after the status code");
      return FALSE;
    }

  /* Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII /
   * UTF8-CONT / SP / HTAB): printable UTF-8 text. */
  reason = code_end + 1;
  /* 16 bytes at a time: the line is in the padded frame copy */
  for (const char *s = reason; s < cr; s += 16)
    {
      guint high, ctl = sipws_simd_text_mask (s, &high);
      guint in_line = cr - s >= 16 ? 0xFFFFu : (1u << (cr - s)) - 1;

      non_ascii |= high & in_line;
      ctl &= in_line;
      if (ctl != 0)
        {
          s += sipws_simd_first (ctl);
          set_error_at (error, SIPWS_ERROR_PARSE, 1, s - line + 1, "control character 0x%02X in the reason phrase",
                        (guchar) *s);
          return FALSE;
        }
    }
  if (non_ascii != 0 && !g_utf8_validate_len (reason, cr - reason, &bad))
    {
      set_error_at (error, SIPWS_ERROR_PARSE, 1, bad - line + 1, "the reason phrase is not UTF-8");
      return FALSE;
    }
  *cr = '\0';
  self->reason = reason;
  return TRUE;
}

/* Interprets the value of the field @h, of the typed header @id, whose
 * value is complete and NUL-terminated; errors name the line and column of
 * the value's start and go through the folds. */
G_ALWAYS_INLINE static inline gboolean
interpret_typed (SipwsMessage  *self,
                 Parser        *P,
                 Header        *h,
                 SipwsHeaderId  id,
                 guint          line,
                 gsize          column,
                 const GArray  *folds,
                 gboolean       in_loop,
                 GError       **error)
{
  GError *sub = NULL;
  SipwsHeaderType type;
  guint64 n = 0;
  gboolean ok;

  /* the parsers inlined in the header line loop only (@in_loop is a
   * constant at each call) */
  if (in_loop)
    ok = interpret_header (self, &self->arena, id, h->value, h->value_len, (char *) h->value + P->mirror_offset, &n,
                           &sub);
  else
    ok = interpret_header_call (self, &self->arena, id, h->value, h->value_len, &n, &sub);
  if (!ok)
    {
      g_autofree char *context = g_strdup_printf ("invalid %s header",
                                                  id != SIPWS_HEADER_UNKNOWN ? sipws_header_info[id].name : h->name);

      relocate_error (error, sub, line, column, folds, context);
      return FALSE;
    }
  type = sipws_header_info[id].type;
  if (type == SIPWS_HEADER_TYPE_UINT32 || type == SIPWS_HEADER_TYPE_MAX_FORWARDS ||
      type == SIPWS_HEADER_TYPE_CONTENT_LENGTH)
    {
      /* read by interpret_header(); kept for the getters */
      h->number = (guint32) n;
      h->has_number = TRUE;
      if (id == SIPWS_HEADER_CONTENT_LENGTH && P->content_length < 0)
        {
          P->content_length = (gint64) n;
          P->content_length_line = line;
        }
    }
  return TRUE;
}

/* Looks up and interprets the field @h, whose value [value,
 * value+value_len) is complete. */
static gboolean
interpret_field (SipwsMessage  *self,
                 Parser        *P,
                 Header        *h,
                 guint          line,
                 gsize          column,
                 const GArray  *folds,
                 GError       **error)
{
  SipwsHeaderId id = sipws_header_lookup (h->name, h->name_len);

  ((char *) h->value)[h->value_len] = '\0';
  h->id = id;
  if (sipws_header_info[id].type != SIPWS_HEADER_TYPE_RAW &&
      !interpret_typed (self, P, h, id, line, column, folds, FALSE, error))
    return FALSE;
  headers_index (self, h - self->headers, id);
  return TRUE;
}

/* Finishes the field being assembled, the last one. */
static gboolean
finish_header (SipwsMessage  *self,
               Parser        *P,
               GError       **error)
{
  P->have_header = FALSE;
  return interpret_field (self, P, &self->headers[self->n_headers - 1], P->header_line, P->header_column,
                          P->folds, error);
}

/* Appends the field whose name is [p, name_end) and value [value,
 * value_end), and ends the name with a NUL. */
G_ALWAYS_INLINE static inline Header *
push_field (SipwsMessage *self,
            char         *p,
            char         *name_end,
            char         *value,
            const char   *value_end)
{
  Header *h = headers_push (self);

  h->name = p;
  h->name_len = name_end - p;
  h->value = value;
  h->value_len = value_end - value;
  *name_end = '\0';
  return h;
}

/* Adds the header field of the line [p, cr): its name ends at @name_end,
 * its value starts at @value. */
G_ALWAYS_INLINE static inline void
record_header (SipwsMessage *self,
               Parser       *P,
               char         *p,
               char         *name_end,
               char         *value,
               char         *cr)
{
  push_field (self, p, name_end, value, sipws_scan_trim_lws_end (value, cr));
  P->have_header = TRUE;
  P->header_line = P->line;
  P->header_column = value - p + 1;
  P->header_size = cr - p;
  P->n_headers++;
  if (P->folds != NULL)
    g_array_set_size (P->folds, 0);
}

/* Reads the common header lines, "Name: value" ending in CRLF with nothing
 * unusual, from *@pp for as long as they come, each looked up and
 * interpreted at once unless a continuation line follows. *@pp is left at
 * the first line not read, which the general loop (with its precise
 * errors) reads; FALSE with @error set when a value is invalid.
 *
 * The frame copy is padded (FRAME_PADDING), so 16 bytes can be read at
 * any position before P->end: the colon of most names and the line end are
 * found 16 bytes at a time. */
static gboolean
read_plain_headers (SipwsMessage  *self,
                    Parser        *P,
                    char         **pp,
                    GError       **error)
{
  /* Locals rather than P and self fields: the parser writes NULs through
   * char pointers, which may alias anything, so fields would be reloaded
   * after every write. */
  char *p = *pp;
  char *const end = (char *) P->end;
  const gsize max_line = P->max_line;
  guint n_headers = P->n_headers;
  /* (beyond FIRST_MAX fields, first[] is not written: the general
   * loop records those) */
  const guint max_headers = MIN (P->max_headers, FIRST_MAX);
  guint line = P->line;
  gboolean ok = TRUE;

  while (n_headers < max_headers)
    {
      char *name_end, *value, *value_end, *cr;
      SipwsHeaderId id;
      guint crs, colon = sipws_simd_colon_mask (p, &crs), first_colon;
      guint index;
      Header *h;

      /* The colon among the first 16 bytes with no CR before it: a known
       * name is recognised in one compare, which also proves it a token
       * (the compare folds each byte with 0x20, which takes no byte but
       * CR to a letter or '-' that the byte is not); an unknown one is
       * checked. Anything else (a longer name, blanks before the colon,
       * which no name holds) is scanned byte by byte. */
      first_colon = colon & -colon;
      if (first_colon > 1 && (crs & (first_colon - 1)) == 0)
        {
          gsize name_len = sipws_simd_first (colon);

          name_end = p + name_len;
          id = sipws_header_lookup_short (p, name_len);
          if (id == SIPWS_HEADER_UNKNOWN && sipws_scan_token (p, name_end) != name_end)
            break;
        }
      else
        {
          name_end = (char *) sipws_scan_token (p, end);
          if (name_end == p || name_end >= end || *name_end != ':')
            break;
          id = sipws_header_lookup (p, name_end - p);
        }

      /* mostly one SP */
      value = name_end + 1 + (name_end[1] == ' ');
      if (G_UNLIKELY ((guchar) *value <= ' '))
        value = (char *) sipws_scan_skip_lws (value, end);

      /* The first CR or LF must be a CRLF within the line length limit;
       * the general loop says what is wrong otherwise. */
      cr = first_crlf (value, p + MIN ((gsize) (end - p), max_line + 1));
      if (cr == NULL)
        break;
      /* (cr[2] is readable, the frame copy being padded; a blank, a CR
       * and the padding sort below the first byte of any header name) */
      if (G_UNLIKELY ((guchar) cr[2] <= ' ') && (cr + 2 >= end || cr[2] == ' ' || cr[2] == '\t'))
        {
          /* Folded, or the last line: the general loop assembles it, or
           * says first that the message ends too early. */
          P->n_headers = n_headers;
          P->line = line;
          record_header (self, P, p, name_end, value, cr);
          p = cr + 2;
          P->line++;
          *pp = p;
          return TRUE;
        }

      /* mostly no blank at the end (the byte before the CR of an empty
       * value is the colon or a blank) */
      value_end = (guchar) cr[-1] > ' ' ? cr : (char *) sipws_scan_trim_lws_end (value, cr);
      /* push_field() with the entry written in one go, which measured
       * cheaper here than its field-by-field stores */
      /* (n_headers is self->n_headers, kept in a register) */
      index = n_headers;
      if (G_UNLIKELY (index == self->headers_capacity))
        headers_grow (self);
      self->n_headers = index + 1;
      h = &self->headers[index];
      *h = (Header) {
        .name = p,
        .value = value,
        .name_len = name_end - p,
        .value_len = value_end - value,
        .id = id,
      };
      headers_index (self, index, id);
      n_headers++;
      *name_end = '\0';
      *value_end = '\0';

      /* Most fields are kept as text and need nothing more. */
      if (sipws_header_info[id].type != SIPWS_HEADER_TYPE_RAW)
        {
          if (!interpret_typed (self, P, h, id, line, value - p + 1, NULL, TRUE, error))
            {
              ok = FALSE;
              break;
            }
        }
      p = cr + 2;
      line++;
      /* (p < end: the last line went to the general loop above) */
      if (*p == '\r')
        break;
    }
  P->n_headers = n_headers;
  P->line = line;
  *pp = p;
  return ok;
}

static gboolean
start_header (SipwsMessage  *self,
              Parser        *P,
              char          *p,
              char          *cr,
              GError       **error)
{
  char *name_end, *colon, *value;

  if (P->n_headers >= P->max_headers)
    {
      set_error_at (error, SIPWS_ERROR_TOO_MANY_HEADERS, P->line, 0, "more than %u header fields", P->max_headers);
      return FALSE;
    }
  name_end = (char *) sipws_scan_token (p, cr);
  if (name_end == p)
    {
      set_error_at (error, SIPWS_ERROR_PARSE, P->line, 1, "expected a header name");
      return FALSE;
    }
  /* HCOLON = *( SP / HTAB ) ":" SWS */
  colon = (char *) sipws_scan_skip_lws (name_end, cr);
  if (colon >= cr || *colon != ':')
    {
      set_error_at (error, SIPWS_ERROR_PARSE, P->line, colon - p + 1, "expected ':' after the header name");
      return FALSE;
    }
  value = (char *) sipws_scan_skip_lws (colon + 1, cr);
  record_header (self, P, p, name_end, value, cr);
  return TRUE;
}

/* Appends a continuation line to the value in place: the fold and the
 * blanks around it become one SP (RFC 3261 §7.3.1). */
static void
continue_header (SipwsMessage *self,
                 Parser       *P,
                 const char   *p,
                 const char   *cr)
{
  Header *h = &self->headers[self->n_headers - 1];
  const char *text = sipws_scan_skip_lws (p, cr);
  const char *text_end = sipws_scan_trim_lws_end (text, cr);
  gsize n = text_end - text;
  Fold fold;

  P->header_size += 2 + (cr - p);
  if (n == 0)
    return;

  if (h->value_len == 0)
    {
      h->value = text;
      fold.offset = 0;
    }
  else
    {
      char *dst = (char *) h->value + h->value_len;

      *dst = ' ';
      memmove (dst + 1, text, n);
      fold.offset = h->value_len + 1;
    }
  h->value_len = fold.offset + n;
  fold.line = P->line;
  fold.column = text - p + 1;
  if (P->folds == NULL)
    P->folds = g_array_new (FALSE, FALSE, sizeof (Fold));
  g_array_append_val (P->folds, fold);
}

/* Parses the start line and the headers of the frame copy [buf, end);
 * returns the start of the body, or NULL with @error set. */
static char *
parse_head (SipwsMessage  *self,
            Parser        *P,
            char          *buf,
            GError       **error)
{
  char *p = buf, *cr;

  P->line = 1;
  cr = find_line_end (P, p, P->max_line, "the start line", error);
  if (cr == NULL)
    return NULL;
  /* "SIP/" in any case: only the three letters fold */
  if (cr - p >= 4 && (sipws_scan_load4 (p) | sipws_scan_load4 ("\x20\x20\x20\0")) == sipws_scan_load4 ("sip/"))
    {
      if (!parse_status_line (self, p, cr, error))
        return NULL;
    }
  else if (!parse_request_line (self, p, cr, error))
    return NULL;

  for (p = cr + 2, P->line = 2;;)
    {
      char *line_start;

      if (p >= P->end)
        {
          set_error_at (error, SIPWS_ERROR_PARSE, P->line, 0,
                        "the message ends without the empty line after the headers");
          return NULL;
        }
      if (*p == '\r' && p + 1 < P->end && p[1] == '\n')
        {
          if (P->have_header && !finish_header (self, P, error))
            return NULL;
          return p + 2;
        }

      if (*p == ' ' || *p == '\t')
        {
          if (!P->have_header)
            {
              set_error_at (error, SIPWS_ERROR_PARSE, P->line, 1, "continuation line without a header before it");
              return NULL;
            }
          if (P->header_size + 2 > P->max_line)
            {
              set_error_at (error, SIPWS_ERROR_LINE_TOO_LONG, P->line, 0,
                            "the header field is longer than %" G_GSIZE_FORMAT " bytes", P->max_line);
              return NULL;
            }
          cr = find_line_end (P, p, P->max_line - P->header_size - 2, "the header field", error);
          if (cr == NULL)
            return NULL;
          continue_header (self, P, p, cr);
          p = cr + 2;
          P->line++;
          continue;
        }

      if (P->have_header && !finish_header (self, P, error))
        return NULL;
      line_start = p;
      if (!read_plain_headers (self, P, &p, error))
        return NULL;
      if (p != line_start)
        continue;
      cr = find_line_end (P, p, P->max_line, "the header field", error);
      if (cr == NULL || !start_header (self, P, p, cr, error))
        return NULL;
      p = cr + 2;
      P->line++;
    }
}

/* sipws_message_parse_full() on [data, data+len). */
static SipwsMessage *
parse_data (const char  *data,
            gsize        len,
            gsize        max_size,
            guint        max_headers,
            gsize        max_line_length,
            gsize       *trailing,
            GError     **error)
{
  g_autoptr(SipwsMessage) self = NULL;
  Parser P = { 0 };
  char *buf, *body;
  gsize available, body_len;

  if (trailing != NULL)
    *trailing = 0;
  if (max_size == 0)
    max_size = SIPWS_MESSAGE_DEFAULT_MAX_SIZE;
  if (len > max_size)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MESSAGE_TOO_LARGE,
                   "the message has %" G_GSIZE_FORMAT " bytes, more than the limit of %" G_GSIZE_FORMAT,
                   len, max_size);
      return NULL;
    }

  /* Two copies of the whole frame, in the message's own block: the parser
   * writes NULs and unfolds into the first, and the body is a view of its
   * tail; the second is the mirror of the header values read as they are
   * (sipws_scan_mirror()), where their parsers make their strings: one
   * copy for all, cheaper than one per value. What the headers mean takes
   * about as much again as their text, and the rest of the block is there
   * for it. */
  self = message_alloc (2 * (len + FRAME_PADDING), ARENA_ROOM (len));
  buf = (char *) (self + 1);
  if (len > 0)
    {
      memcpy (buf, data, len);
      memcpy (buf + len + FRAME_PADDING, data, len);
    }
  buf[len] = '\0';
  memset (buf + len + 1, '\n', FRAME_PADDING - 1);
  P.mirror_offset = len + FRAME_PADDING;
  sipws_header_table_ensure ();

  P.end = buf + len;
  P.max_headers = max_headers != 0 ? max_headers : SIPWS_MESSAGE_DEFAULT_MAX_HEADERS;
  P.max_line = max_line_length != 0 ? MIN (max_line_length, G_MAXSIZE / 2) : SIPWS_MESSAGE_DEFAULT_MAX_LINE;
  P.content_length = -1;

  body = parse_head (self, &P, buf, error);
  g_clear_pointer (&P.folds, g_array_unref);
  if (body == NULL)
    return NULL;

  available = P.end - body;
  body_len = available;
  if (P.content_length >= 0)
    {
      if ((guint64) P.content_length > available)
        {
          set_error_at (error, SIPWS_ERROR_PARSE, P.content_length_line, 0,
                        "Content-Length is %" G_GINT64_FORMAT " but the body has only %" G_GSIZE_FORMAT " bytes",
                        P.content_length, available);
          return NULL;
        }
      body_len = (gsize) P.content_length;
      if (available > body_len)
        g_debug ("ignoring %" G_GSIZE_FORMAT " bytes after the %" G_GSIZE_FORMAT "-byte body",
                 available - body_len, body_len);
      if (trailing != NULL)
        *trailing = available - body_len;
    }

  /* The body holds its own reference to the arena: it outlives the message
   * when someone keeps it. */
  if (body_len > 0)
    self->body = g_bytes_new_with_free_func (body, body_len, (GDestroyNotify) sipws_arena_unref,
                                             sipws_arena_ref (&self->arena));
  return g_steal_pointer (&self);
}

/**
 * sipws_message_parse_full:
 * @bytes: one whole SIP message, as received in one WebSocket message
 * @max_size: the largest message accepted, or 0 for
 *   %SIPWS_MESSAGE_DEFAULT_MAX_SIZE
 * @max_headers: the most header fields accepted, or 0 for
 *   %SIPWS_MESSAGE_DEFAULT_MAX_HEADERS
 * @max_line_length: the longest start line or header field accepted (a
 *   folded field counts with its continuation lines), or 0 for
 *   %SIPWS_MESSAGE_DEFAULT_MAX_LINE
 * @trailing: (out) (optional): return location for the number of bytes after
 *   the body that Content-Length delimits
 * @error: return location for a %SIPWS_ERROR error
 *
 * Parses a SIP message with explicit limits.
 *
 * Framing follows RFC 7118 §5.1: the WebSocket message is the SIP message,
 * so without Content-Length the body is the rest of the frame. A
 * Content-Length larger than the rest is an error; bytes after the body it
 * delimits are ignored (RFC 3261 §18.3), reported in @trailing and logged
 * at debug level. When Content-Length is repeated (a semantic error that
 * [method@Sipws.Message.check_request] reports), the first one frames the
 * body.
 *
 * Lines end with CRLF only. Header values are unfolded: each continuation
 * line break with its surrounding blanks becomes one SP. Every header that
 * libsipws interprets (see the typed getters, plus Date, Retry-After and
 * Warning) is checked here, so a malformed one fails the whole message.
 *
 * Errors: %SIPWS_ERROR_MESSAGE_TOO_LARGE, %SIPWS_ERROR_TOO_MANY_HEADERS and
 * %SIPWS_ERROR_LINE_TOO_LONG for the limits, %SIPWS_ERROR_UNSUPPORTED_VERSION
 * for a SIP version other than 2.0 (a server answers 505), and
 * %SIPWS_ERROR_PARSE for anything else; the message starts with
 * `line L, column C:` (or `line L:`) and names the element or header.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SipwsMessage *
sipws_message_parse_full (GBytes  *bytes,
                          gsize    max_size,
                          guint    max_headers,
                          gsize    max_line_length,
                          gsize   *trailing,
                          GError **error)
{
  const char *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  return parse_data (data, len, max_size, max_headers, max_line_length, trailing, error);
}

/**
 * sipws_message_parse_bytes:
 * @bytes: one whole SIP message
 * @error: return location for a %SIPWS_ERROR error
 *
 * Parses a SIP message with the default limits; see
 * [func@Sipws.Message.parse_full].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SipwsMessage *
sipws_message_parse_bytes (GBytes  *bytes,
                           GError **error)
{
  return sipws_message_parse_full (bytes, 0, 0, 0, NULL, error);
}

/**
 * sipws_message_parse:
 * @data: (array length=len) (element-type guint8): one whole SIP message; it
 *   need not end with a NUL
 * @len: the length of @data
 * @error: return location for a %SIPWS_ERROR error
 *
 * Parses a SIP message with the default limits; see
 * [func@Sipws.Message.parse_full].
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
SipwsMessage *
sipws_message_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_data (data, len, 0, 0, 0, NULL, error);
}

/* Builders */

static const struct {
  guint16     status;
  const char *reason;
} default_reasons[] = {
  { 100, "Trying" },
  { 180, "Ringing" },
  { 181, "Call Is Being Forwarded" },
  { 182, "Queued" },
  { 183, "Session Progress" },
  { 199, "Early Dialog Terminated" },
  { 200, "OK" },
  { 202, "Accepted" },
  { 204, "No Notification" },
  { 300, "Multiple Choices" },
  { 301, "Moved Permanently" },
  { 302, "Moved Temporarily" },
  { 305, "Use Proxy" },
  { 380, "Alternative Service" },
  { 400, "Bad Request" },
  { 401, "Unauthorized" },
  { 402, "Payment Required" },
  { 403, "Forbidden" },
  { 404, "Not Found" },
  { 405, "Method Not Allowed" },
  { 406, "Not Acceptable" },
  { 407, "Proxy Authentication Required" },
  { 408, "Request Timeout" },
  { 410, "Gone" },
  { 412, "Conditional Request Failed" },
  { 413, "Request Entity Too Large" },
  { 414, "Request-URI Too Long" },
  { 415, "Unsupported Media Type" },
  { 416, "Unsupported URI Scheme" },
  { 417, "Unknown Resource-Priority" },
  { 420, "Bad Extension" },
  { 421, "Extension Required" },
  { 422, "Session Interval Too Small" },
  { 423, "Interval Too Brief" },
  { 424, "Bad Location Information" },
  { 428, "Use Identity Header" },
  { 429, "Provide Referrer Identity" },
  { 430, "Flow Failed" },
  { 433, "Anonymity Disallowed" },
  { 436, "Bad Identity-Info" },
  { 437, "Unsupported Certificate" },
  { 438, "Invalid Identity Header" },
  { 439, "First Hop Lacks Outbound Support" },
  { 440, "Max-Breadth Exceeded" },
  { 469, "Bad Info Package" },
  { 470, "Consent Needed" },
  { 480, "Temporarily Unavailable" },
  { 481, "Call/Transaction Does Not Exist" },
  { 482, "Loop Detected" },
  { 483, "Too Many Hops" },
  { 484, "Address Incomplete" },
  { 485, "Ambiguous" },
  { 486, "Busy Here" },
  { 487, "Request Terminated" },
  { 488, "Not Acceptable Here" },
  { 489, "Bad Event" },
  { 491, "Request Pending" },
  { 493, "Undecipherable" },
  { 494, "Security Agreement Required" },
  { 500, "Server Internal Error" },
  { 501, "Not Implemented" },
  { 502, "Bad Gateway" },
  { 503, "Service Unavailable" },
  { 504, "Server Time-out" },
  { 505, "Version Not Supported" },
  { 513, "Message Too Large" },
  { 580, "Precondition Failure" },
  { 600, "Busy Everywhere" },
  { 603, "Decline" },
  { 604, "Does Not Exist Anywhere" },
  { 606, "Not Acceptable" },
  { 607, "Unwanted" },
  { 608, "Rejected" },
};

/**
 * sipws_message_get_default_reason:
 * @status: a SIP status code
 *
 * The reason phrase of RFC 3261 §21 and its extensions for @status. A code
 * without a registered phrase gets the name of its class, as RFC 3261 §8.1.3.2
 * treats an unknown code like the x00 code of its class.
 *
 * Returns: (nullable): the phrase, or %NULL when @status is not in 100-699
 */
const char *
sipws_message_get_default_reason (guint status)
{
  static const char *const classes[] = {
    "Provisional", "Success", "Redirection", "Client Error", "Server Error", "Global Failure",
  };

  if (status < 100 || status > 699)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (default_reasons); i++)
    if (default_reasons[i].status == status)
      return default_reasons[i].reason;
  return classes[status / 100 - 1];
}

static gboolean
is_header_value (const char *value)
{
  return strpbrk (value, "\r\n") == NULL;
}

/**
 * sipws_message_new_request:
 * @method: the method, such as `INVITE` (a token; methods are case-sensitive)
 * @uri: the Request-URI
 *
 * Creates a request with no headers and an empty body.
 *
 * Returns: (transfer full): the new request
 */
SipwsMessage *
sipws_message_new_request (const char *method,
                           SipwsUri   *uri)
{
  SipwsMessage *self;

  g_return_val_if_fail (method != NULL && sipws_scan_is_token (method, strlen (method)), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  self = message_alloc (0, 0);
  self->method = sipws_arena_strndup (&self->arena, method, strlen (method));
  /* The URI is in another arena, which the message's keeps alive. */
  self->request_uri = sipws_uri_ref (uri);
  sipws_arena_add_cleanup (&self->arena, (GDestroyNotify) sipws_uri_unref, uri);
  return self;
}

/**
 * sipws_message_new_response:
 * @status: the status code, 100 to 699
 * @reason: (nullable): the reason phrase, or %NULL for
 *   [func@Sipws.Message.get_default_reason]
 *
 * Creates a response with no headers and an empty body.
 *
 * Returns: (transfer full): the new response
 */
SipwsMessage *
sipws_message_new_response (guint       status,
                            const char *reason)
{
  SipwsMessage *self;

  g_return_val_if_fail (status >= 100 && status <= 699, NULL);
  g_return_val_if_fail (reason == NULL || is_header_value (reason), NULL);

  self = message_alloc (0, 0);
  self->status = status;
  if (reason == NULL)
    reason = sipws_message_get_default_reason (status);
  self->reason = sipws_arena_strndup (&self->arena, reason, strlen (reason));
  return self;
}

static void
append_header (SipwsMessage  *self,
               SipwsHeaderId  id,
               const char    *name,
               gsize          name_len,
               const char    *value,
               gsize          value_len)
{
  Header *h = headers_push (self);

  h->name = sipws_arena_strndup (&self->arena, name, name_len);
  h->name_len = name_len;
  h->value = sipws_arena_strndup (&self->arena, value, value_len);
  h->value_len = value_len;
  h->id = id;
  headers_index (self, self->n_headers - 1, id);
}

/**
 * sipws_message_new_response_for_request:
 * @request: a request
 * @status: the status code, 100 to 699
 * @reason: (nullable): the reason phrase, or %NULL for the default one
 *
 * Creates a response to @request as RFC 3261 §8.2.6 says: with the request's
 * Via headers (in order), From, To, Call-ID and CSeq, and for a 100 (Trying)
 * its Timestamp. Adding a To tag is the caller's business: it belongs to the
 * dialog the user agent creates.
 *
 * Returns: (transfer full): the new response
 */
SipwsMessage *
sipws_message_new_response_for_request (SipwsMessage *request,
                                        guint         status,
                                        const char   *reason)
{
  SipwsMessage *self;

  g_return_val_if_fail (request != NULL && sipws_message_is_request (request), NULL);

  self = sipws_message_new_response (status, reason);
  if (self == NULL)
    return NULL;

  for (guint i = 0; i < request->n_headers; i++)
    {
      const Header *h = &request->headers[i];

      switch (h->id)
        {
        case SIPWS_HEADER_VIA:
        case SIPWS_HEADER_FROM:
        case SIPWS_HEADER_TO:
        case SIPWS_HEADER_CALL_ID:
        case SIPWS_HEADER_CSEQ:
          break;
        case SIPWS_HEADER_TIMESTAMP:
          if (status == 100)
            break;
          continue;
        default:
          continue;
        }
      append_header (self, h->id, h->name, h->name_len, h->value, h->value_len);
    }
  for (guint id = 0; id < SIPWS_HEADER_N_IDS; id++)
    reinterpret (self, id);
  return self;
}

/* Start line */

/**
 * sipws_message_is_request:
 * @self: a message
 *
 * Tells a request from a response: [method@Sipws.Message.get_method] and
 * [method@Sipws.Message.get_request_uri] apply to a request,
 * [method@Sipws.Message.get_status_code] and
 * [method@Sipws.Message.get_reason_phrase] to a response.
 *
 * Returns: %TRUE for a request, %FALSE for a response
 */
gboolean
sipws_message_is_request (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->method != NULL;
}

/**
 * sipws_message_get_method:
 * @self: a message
 *
 * The method of a request, exactly as written: methods are case-sensitive
 * and an unknown one such as `RE%47IST%45R` is not decoded (RFC 4475
 * §3.1.1.5).
 *
 * Returns: (nullable): the method, or %NULL for a response
 */
const char *
sipws_message_get_method (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->method;
}

/**
 * sipws_message_get_request_uri:
 * @self: a message
 *
 * Gets the Request-URI: the target the request is addressed to, which proxies
 * rewrite on the way, unlike the To header (RFC 3261 §8.1.1.1).
 *
 * Returns: (transfer none) (nullable): the Request-URI, or %NULL for a
 *   response
 */
SipwsUri *
sipws_message_get_request_uri (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->request_uri;
}

/**
 * sipws_message_get_status_code:
 * @self: a message
 *
 * Gets the status code, from 100 to 699 for a response: 1xx is provisional,
 * 2xx success, 3xx to 6xx a final failure (RFC 3261 §21).
 *
 * Returns: the status code of a response, 0 for a request
 */
guint
sipws_message_get_status_code (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->status;
}

/**
 * sipws_message_get_reason_phrase:
 * @self: a message
 *
 * Gets the reason phrase of a response as it was sent. It is free text for
 * humans, possibly in another language, so decisions are made on the status
 * code alone.
 *
 * Returns: (nullable): the reason phrase of a response (possibly empty),
 *   %NULL for a request
 */
const char *
sipws_message_get_reason_phrase (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->reason;
}

/* Headers as text */

static gboolean
header_matches (const Header  *h,
                SipwsHeaderId  id,
                const char    *name,
                gsize          name_len)
{
  if (id != SIPWS_HEADER_UNKNOWN)
    return h->id == id;
  return h->id == SIPWS_HEADER_UNKNOWN && h->name_len == name_len &&
         g_ascii_strncasecmp (h->name, name, name_len) == 0;
}

/* The first field matching from @i on. */
static const Header *
find_header_from (SipwsMessage  *self,
                  SipwsHeaderId  id,
                  const char    *name,
                  gsize          name_len,
                  guint          i)
{
  for (; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];

      if (header_matches (h, id, name, name_len))
        return h;
    }
  return NULL;
}

/* The index find_header_from() starts at: a known header's first field,
 * found in first[]; without one there, only a field past FIRST_MAX
 * fields can be that header. */
static inline guint
first_candidate (SipwsMessage  *self,
                 SipwsHeaderId  id)
{
  if (id == SIPWS_HEADER_UNKNOWN)
    return 0;
  if (self->first[id] != 0)
    return self->first[id] - 1u;
  return MIN (self->n_headers, FIRST_MAX);
}

/* Inline: the typed and by-name getters mostly find their field in
 * first[] at once. */
static inline const Header *
find_header (SipwsMessage  *self,
             SipwsHeaderId  id,
             const char    *name,
             gsize          name_len)
{
  guint i;

  if (id != SIPWS_HEADER_UNKNOWN && self->first[id] != 0)
    return &self->headers[self->first[id] - 1];
  i = first_candidate (self, id);
  return i < self->n_headers ? find_header_from (self, id, name, name_len, i) : NULL;
}

static const Header *
find_header_id (SipwsMessage  *self,
                SipwsHeaderId  id)
{
  return find_header (self, id, NULL, 0);
}

/**
 * sipws_message_get_header:
 * @self: a message
 * @name: a header name, in any case, long or compact form (`v` and `Via`
 *   are the same header)
 *
 * The value of the first header field called @name, unfolded and without
 * the blanks around it. For a comma-list header this is the whole first
 * field; see [method@Sipws.Message.get_header_values] for the elements.
 *
 * A value holds a NUL byte only where RFC 3261 allows one, escaped inside a
 * quoted string (`"\<NUL>"`); the returned string then ends there, and
 * [method@Sipws.Message.get_header_nth] gives the full length.
 *
 * Returns: (nullable): the value, or %NULL when there is no such header
 */
const char *
sipws_message_get_header (SipwsMessage *self,
                          const char   *name)
{
  const Header *h;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  len = strlen (name);
  h = find_header (self, sipws_header_lookup (name, len), name, len);
  return h != NULL ? h->value : NULL;
}

/**
 * sipws_message_get_header_by_id:
 * @self: a message
 * @header: a known header, not %SIPWS_HEADER_NAME_OTHER
 *
 * [method@Sipws.Message.get_header] without looking the name up.
 *
 * Returns: (nullable): the value of the first such header field, or %NULL
 *   when there is none
 */
const char *
sipws_message_get_header_by_id (SipwsMessage    *self,
                                SipwsHeaderName  header)
{
  const Header *h;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (header > SIPWS_HEADER_NAME_OTHER && (guint) header < SIPWS_HEADER_N_IDS, NULL);

  h = find_header_id (self, (SipwsHeaderId) header);
  return h != NULL ? h->value : NULL;
}

/**
 * sipws_message_count_headers:
 * @self: a message
 * @name: a header name, in any case, long or compact form
 *
 * Counts the header fields of one name, for instance to find a header RFC 3261
 * allows once that appears twice: `Via: a, b` on one line counts once, two
 * `Via` lines count twice.
 *
 * Returns: the number of header fields called @name (not of the
 *   comma-separated values in them)
 */
guint
sipws_message_count_headers (SipwsMessage *self,
                             const char   *name)
{
  SipwsHeaderId id;
  gsize len;
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  len = strlen (name);
  id = sipws_header_lookup (name, len);
  for (guint i = 0; i < self->n_headers; i++)
    n += header_matches (&self->headers[i], id, name, len);
  return n;
}

/**
 * sipws_message_get_header_values:
 * @self: a message
 * @name: a header name, in any case, long or compact form
 *
 * Every value of the header, across repeated header fields, in order. For
 * the headers RFC 3261 and its extensions define as comma lists (Via,
 * Contact, Route, Record-Route, Path, Service-Route, Allow, Supported,
 * Require, Proxy-Require, Unsupported, Accept…), each field is split at the
 * commas outside quoted strings and `<>`; other headers, including unknown
 * ones, give one value per field. For Require, Supported, Allow,
 * Proxy-Require and Unsupported this is their checked token list.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values; empty
 *   when there is no such header
 */
char **
sipws_message_get_header_values (SipwsMessage *self,
                                  const char   *name)
{
  g_autoptr(GPtrArray) values = NULL;
  SipwsHeaderId id;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  len = strlen (name);
  id = sipws_header_lookup (name, len);
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];
      guint before = values->len;
      GError *local_error = NULL;
      Elements iter;
      SipwsScanSpan elem;

      if (!header_matches (h, id, name, len))
        continue;
      if ((sipws_header_info[id].flags & SIPWS_HEADER_LIST) == 0)
        {
          g_ptr_array_add (values, g_strndup (h->value, h->value_len));
          continue;
        }
      elements_init (&iter, h->value, h->value_len);
      while (elements_next (&iter, &elem, &local_error))
        if (elem.len > 0)
          g_ptr_array_add (values, g_strndup (elem.start, elem.len));
      /* Values of typed list headers were checked; one that does not split
       * (an unbalanced quote in Accept) stays whole. */
      if (local_error != NULL)
        {
          g_error_free (local_error);
          g_ptr_array_set_size (values, before);
          g_ptr_array_add (values, g_strndup (h->value, h->value_len));
        }
    }
  g_ptr_array_add (values, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&values), FALSE);
}

/**
 * sipws_message_get_n_headers:
 * @self: a message
 *
 * Gets the number of header fields, unknown and repeated ones included.
 *
 * Returns: the number of header fields, for iterating with
 *   [method@Sipws.Message.get_header_nth]
 */
guint
sipws_message_get_n_headers (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_headers;
}

/**
 * sipws_message_get_header_nth:
 * @self: a message
 * @index: the position of a header field, from 0, in wire order
 * @name: (out) (optional) (transfer none): the name as written
 * @value: (out) (optional) (transfer none): the value, unfolded
 * @value_len: (out) (optional): the length of @value, which may hold a NUL
 *   inside a quoted-pair
 *
 * Gets a header field by its position in wire order, to walk every header,
 * unknown and repeated ones included. The strings belong to the message.
 *
 * Returns: %TRUE when @index is a header field, %FALSE past the last one
 */
gboolean
sipws_message_get_header_nth (SipwsMessage  *self,
                              guint          index,
                              const char   **name,
                              const char   **value,
                              gsize         *value_len)
{
  const Header *h;

  g_return_val_if_fail (self != NULL, FALSE);

  if (index >= self->n_headers)
    return FALSE;
  h = &self->headers[index];
  if (name != NULL)
    *name = h->name;
  if (value != NULL)
    *value = h->value;
  if (value_len != NULL)
    *value_len = h->value_len;
  return TRUE;
}

/* Checks @value for header @id, reporting a bad one as the programming error
 * it is: values given to the setters come from the application. */
static gboolean
check_value (SipwsHeaderId  id,
             const char    *name,
             const char    *value)
{
  g_autoptr(GError) error = NULL;
  gsize len = strlen (value);
  SipwsArena *scratch = sipws_arena_new (2 * len + 256);
  gboolean ok = interpret_header_call (NULL, scratch, id, value, len, NULL, &error);

  sipws_arena_unref (scratch);
  if (!ok)
    g_critical ("invalid value for header %s: %s", name, error->message);
  return ok;
}

/**
 * sipws_message_add_header:
 * @self: a message that is not shared yet
 * @name: a header name (a token); a known header keeps the spelling given
 * @value: the value, without CR or LF
 *
 * Appends a header field. A value for a header that libsipws interprets
 * (Via, From, CSeq…) must be valid; an invalid one is a programming error:
 * it is refused with a critical warning.
 */
void
sipws_message_add_header (SipwsMessage *self,
                          const char   *name,
                          const char   *value)
{
  SipwsHeaderId id;
  gsize name_len;
  const Header *h;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && sipws_scan_is_token (name, strlen (name)));
  g_return_if_fail (value != NULL && is_header_value (value));

  name_len = strlen (name);
  id = sipws_header_lookup (name, name_len);
  if (!check_value (id, name, value))
    return;
  append_header (self, id, name, name_len, value, strlen (value));
  /* What it means may point into the value: read the message's copy. */
  h = &self->headers[self->n_headers - 1];
  if (!interpret_header_call (self, &self->arena, id, h->value, h->value_len, NULL, &error))
    g_assert_not_reached ();
}

/* Removes the fields called @name from position @from on; returns how many. */
static guint
remove_from (SipwsMessage  *self,
             SipwsHeaderId  id,
             const char    *name,
             gsize          name_len,
             guint          from)
{
  guint n = 0;

  for (guint i = from; i < self->n_headers;)
    {
      if (header_matches (&self->headers[i], id, name, name_len))
        {
          headers_remove (self, i);
          n++;
        }
      else
        i++;
    }
  return n;
}

/**
 * sipws_message_set_header:
 * @self: a message that is not shared yet
 * @name: a header name (a token)
 * @value: the value, without CR or LF
 *
 * Sets the header to one field with @value: the first field called @name
 * takes the value and keeps its place, the others are removed; without
 * one, the field is appended. Values are checked as in
 * [method@Sipws.Message.add_header].
 */
void
sipws_message_set_header (SipwsMessage *self,
                          const char   *name,
                          const char   *value)
{
  SipwsHeaderId id;
  gsize name_len;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && sipws_scan_is_token (name, strlen (name)));
  g_return_if_fail (value != NULL && is_header_value (value));

  name_len = strlen (name);
  id = sipws_header_lookup (name, name_len);
  if (!check_value (id, name, value))
    return;

  for (guint i = 0; i < self->n_headers; i++)
    {
      Header *h = &self->headers[i];

      if (header_matches (h, id, name, name_len))
        {
          gsize value_len = strlen (value);

          h->value = sipws_arena_strndup (&self->arena, value, value_len);
          h->value_len = value_len;
          h->has_number = FALSE;
          remove_from (self, id, name, name_len, i + 1);
          reinterpret (self, id);
          return;
        }
    }
  append_header (self, id, name, name_len, value, strlen (value));
  reinterpret (self, id);
}

/**
 * sipws_message_remove_header:
 * @self: a message that is not shared yet
 * @name: a header name, in any case, long or compact form
 *
 * Removes every header field called @name.
 *
 * Returns: the number of fields removed
 */
guint
sipws_message_remove_header (SipwsMessage *self,
                             const char   *name)
{
  SipwsHeaderId id;
  gsize name_len;
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  name_len = strlen (name);
  id = sipws_header_lookup (name, name_len);
  n = remove_from (self, id, name, name_len, 0);
  if (n > 0)
    reinterpret (self, id);
  return n;
}

/* Body */

/**
 * sipws_message_get_body:
 * @self: a message
 *
 * The body: for a parsed message the bytes that Content-Length delimits, or
 * the rest of the frame without Content-Length.
 *
 * Returns: (transfer none): the body, empty when there is none
 */
GBytes *
sipws_message_get_body (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return body_bytes (self);
}

/**
 * sipws_message_set_body:
 * @self: a message that is not shared yet
 * @content_type: (nullable): the media type of @body, such as
 *   `application/sdp`, or %NULL to keep the Content-Type header (it is
 *   removed when @body is empty)
 * @body: (nullable): the body, or %NULL for none
 *
 * Sets the body and its Content-Type. An existing Content-Length header is
 * updated; [method@Sipws.Message.to_bytes] writes the right one anyway.
 */
void
sipws_message_set_body (SipwsMessage *self,
                        const char   *content_type,
                        GBytes       *body)
{
  char length[24];

  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->body, g_bytes_unref);
  if (body != NULL)
    self->body = g_bytes_ref (body);

  if (content_type != NULL)
    sipws_message_set_header (self, "Content-Type", content_type);
  else if (g_bytes_get_size (body_bytes (self)) == 0)
    sipws_message_remove_header (self, "Content-Type");

  if (find_header_id (self, SIPWS_HEADER_CONTENT_LENGTH) != NULL)
    {
      g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, g_bytes_get_size (body_bytes (self)));
      sipws_message_set_header (self, "Content-Length", length);
    }
}

/**
 * sipws_message_to_bytes:
 * @self: a message
 *
 * Serializes the message: the start line, every header field in order as
 * `Name: value` (names as written, values unfolded), a Content-Length that
 * matches the body (the existing field takes the body's size, or one is
 * added after the others), the empty line and the body.
 *
 * Returns: (transfer full): the message text
 */
GBytes *
sipws_message_to_bytes (SipwsMessage *self)
{
  g_autofree char *uri = NULL;
  char length[24];
  gsize length_len, body_len, size;
  gboolean have_length = FALSE;
  const char *body;
  char *out, *o;

  g_return_val_if_fail (self != NULL, NULL);

  body = g_bytes_get_data (body_bytes (self), &body_len);
  length_len = g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, body_len);

  if (self->method != NULL)
    {
      if (self->request_uri_text == NULL)
        uri = sipws_uri_to_string (self->request_uri);
      size = strlen (self->method) + 1 + strlen (uri != NULL ? uri : self->request_uri_text) + 1 + 7 + 2;
    }
  else
    size = 7 + 1 + 3 + 1 + strlen (self->reason) + 2;

  for (guint i = 0; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];

      size += h->name_len + 2 + (h->id == SIPWS_HEADER_CONTENT_LENGTH ? length_len : h->value_len) + 2;
      have_length |= h->id == SIPWS_HEADER_CONTENT_LENGTH;
    }
  if (!have_length)
    size += strlen ("Content-Length: ") + length_len + 2;
  size += 2 + body_len;

  out = o = g_malloc (size);
#define PUT(s, n) G_STMT_START { memcpy (o, (s), (n)); o += (n); } G_STMT_END
  if (self->method != NULL)
    {
      const char *u = uri != NULL ? uri : self->request_uri_text;

      PUT (self->method, strlen (self->method));
      *o++ = ' ';
      PUT (u, strlen (u));
      PUT (" SIP/2.0\r\n", 10);
    }
  else
    {
      o += g_snprintf (o, 14, "SIP/2.0 %03u ", self->status);
      PUT (self->reason, strlen (self->reason));
      PUT ("\r\n", 2);
    }
  for (guint i = 0; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];

      PUT (h->name, h->name_len);
      PUT (": ", 2);
      if (h->id == SIPWS_HEADER_CONTENT_LENGTH)
        PUT (length, length_len);
      else
        PUT (h->value, h->value_len);
      PUT ("\r\n", 2);
    }
  if (!have_length)
    {
      PUT ("Content-Length: ", strlen ("Content-Length: "));
      PUT (length, length_len);
      PUT ("\r\n", 2);
    }
  PUT ("\r\n", 2);
  if (body_len > 0)
    PUT (body, body_len);
#undef PUT
  g_assert ((gsize) (o - out) == size);
  return g_bytes_new_take (out, size);
}

/* Typed headers */

/**
 * sipws_message_get_vias:
 * @self: a message
 *
 * Every Via hop, across Via header fields, top first.
 *
 * Returns: (transfer none) (nullable) (element-type SipwsVia): the hops, or
 *   %NULL when the message has no Via
 */
GPtrArray *
sipws_message_get_vias (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return list_array (self, SIPWS_HEADER_VIA);
}

/**
 * sipws_message_get_top_via:
 * @self: a message
 *
 * Gets the top Via hop: in a request, the element that sent it; in a response,
 * the element it goes back to (RFC 3261 §18.2.2). Its branch identifies the
 * transaction. %NULL when the message has no Via.
 *
 * Returns: (transfer none) (nullable): the first Via hop, the one of the
 *   element that sent a request or that a response goes back to
 */
SipwsVia *
sipws_message_get_top_via (SipwsMessage *self)
{
  List *vias;

  g_return_val_if_fail (self != NULL, NULL);
  vias = TYPED (self, SIPWS_HEADER_VIA);
  return vias != NULL ? vias->items[0] : NULL;
}

/**
 * sipws_message_peek_vias:
 * @self: a message
 * @n_vias: (out): return location for the number of hops
 *
 * Gets every Via hop, across Via header fields, top first, as the
 * message's own array: unlike [method@Sipws.Message.get_vias], nothing is
 * allocated, which suits code that reads every message (transaction
 * matching, logging).
 *
 * Returns: (transfer none) (array length=n_vias) (nullable): the hops, or
 *   %NULL when the message has no Via; valid while the message is
 */
SipwsVia **
sipws_message_peek_vias (SipwsMessage *self,
                         guint        *n_vias)
{
  const List *vias;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_vias != NULL, NULL);

  vias = TYPED (self, SIPWS_HEADER_VIA);
  *n_vias = vias != NULL ? vias->len : 0;
  return vias != NULL ? (SipwsVia **) vias->items : NULL;
}

/**
 * sipws_message_get_address:
 * @self: a message
 * @name: the name of a single-address header: From, To, Refer-To,
 *   Referred-By or Reply-To (any case, long or compact form)
 *
 * Gets the parsed address of a header that holds exactly one: From, To,
 * Refer-To, Referred-By or Reply-To. Contact is a list: see
 * [method@Sipws.Message.get_contacts].
 *
 * Returns: (transfer none) (nullable): the address of the first such
 *   header, or %NULL when there is none or @name is not such a header
 */
SipwsAddress *
sipws_message_get_address (SipwsMessage *self,
                           const char   *name)
{
  SipwsHeaderId id;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  id = sipws_header_lookup (name, strlen (name));
  if (sipws_header_info[id].type != SIPWS_HEADER_TYPE_ADDRESS)
    return NULL;
  return TYPED (self, id);
}

/**
 * sipws_message_get_from:
 * @self: a message
 *
 * Gets the From address, the logical originator of the request (RFC 3261
 * §8.1.1.3). Its tag is the caller's tag of the dialog. %NULL when the message
 * has no From.
 *
 * Returns: (transfer none) (nullable): the From address
 */
SipwsAddress *
sipws_message_get_from (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return TYPED (self, SIPWS_HEADER_FROM);
}

/**
 * sipws_message_get_to:
 * @self: a message
 *
 * Gets the To address, the logical recipient of the request (RFC 3261
 * §8.1.1.2). Its tag, added by the UAS, is absent in a request outside a
 * dialog. %NULL when the message has no To.
 *
 * Returns: (transfer none) (nullable): the To address
 */
SipwsAddress *
sipws_message_get_to (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return TYPED (self, SIPWS_HEADER_TO);
}

/**
 * sipws_message_get_call_id:
 * @self: a message
 *
 * Gets the Call-ID, which groups the messages of one dialog or registration.
 * Call-IDs are case-sensitive and compared byte for byte (RFC 3261 §8.1.1.4,
 * §20.8).
 *
 * Returns: (nullable): the Call-ID
 */
const char *
sipws_message_get_call_id (SipwsMessage *self)
{
  const Header *h;

  g_return_val_if_fail (self != NULL, NULL);
  h = find_header_id (self, SIPWS_HEADER_CALL_ID);
  return h != NULL ? h->value : NULL;
}

/**
 * sipws_message_get_cseq:
 * @self: a message
 * @number: (out) (optional): the sequence number
 * @method: (out) (optional) (transfer none): the method
 *
 * Gets the CSeq: the number orders the requests of a dialog, and the method
 * tells which request a response answers, since a CANCEL shares its branch
 * with the INVITE it cancels (RFC 3261 §8.1.1.5, §9.1). Numbers up to 2^32-1
 * are accepted.
 *
 * Returns: %TRUE when the message has a CSeq
 */
gboolean
sipws_message_get_cseq (SipwsMessage  *self,
                        guint32       *number,
                        const char   **method)
{
  const CSeq *cseq;

  g_return_val_if_fail (self != NULL, FALSE);

  cseq = TYPED (self, SIPWS_HEADER_CSEQ);
  if (cseq == NULL)
    return FALSE;
  if (number != NULL)
    *number = cseq->number;
  if (method != NULL)
    *method = cseq->method;
  return TRUE;
}

static inline gint64
get_number (SipwsMessage  *self,
            SipwsHeaderId  id)
{
  const Header *h = find_header_id (self, id);
  guint64 n;

  /* A value in the message was checked when it was parsed or added; a
   * parsed one was read then. */
  if (h == NULL)
    return -1;
  if (h->has_number)
    return h->number;
  sipws_scan_number (h->value, h->value + h->value_len, MAX_UINT32, &n);
  return (gint64) n;
}

/**
 * sipws_message_get_max_forwards:
 * @self: a message
 *
 * Gets the Max-Forwards hop limit of a request, which each proxy decrements; a
 * request that would be forwarded with 0 is refused with 483 (RFC 3261
 * §8.1.1.6). RFC 2543 peers may not send it.
 *
 * Returns: the Max-Forwards value (0 to 255), or -1 when there is none
 */
gint
sipws_message_get_max_forwards (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return (gint) get_number (self, SIPWS_HEADER_MAX_FORWARDS);
}

/**
 * sipws_message_get_expires:
 * @self: a message
 *
 * Gets the Expires header: in a REGISTER, the lifetime asked for the contacts
 * without an `expires` parameter of their own
 * ([method@Sipws.Address.get_expires]); in a SUBSCRIBE, the subscription
 * duration; in an INVITE, how long the offer stands. The value is 0 to
 * 4294967295.
 *
 * Returns: the Expires header in seconds, or -1 when there is none
 */
gint64
sipws_message_get_expires (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return get_number (self, SIPWS_HEADER_EXPIRES);
}

/**
 * sipws_message_get_min_expires:
 * @self: a message
 *
 * Gets the Min-Expires header, which a registrar sends in a 423 (Interval Too
 * Brief) response: the shortest interval it accepts, to retry the registration
 * with (RFC 3261 §10.2.8).
 *
 * Returns: the Min-Expires header in seconds (of a 423 response), or -1 when
 *   there is none
 */
gint64
sipws_message_get_min_expires (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return get_number (self, SIPWS_HEADER_MIN_EXPIRES);
}

/**
 * sipws_message_get_uint_header:
 * @self: a message
 * @name: the name of a numeric header: Expires, Min-Expires, Max-Forwards,
 *   Content-Length, RSeq or Flow-Timer
 *
 * Gets a numeric header by name. The values are checked when the message is
 * parsed or the header added, so a message holds no invalid one: Max-Forwards
 * is 0 to 255, the others 0 to 4294967295.
 *
 * Returns: the value of the first such header, or -1 when there is none or
 *   @name is not a numeric header
 */
gint64
sipws_message_get_uint_header (SipwsMessage *self,
                               const char   *name)
{
  SipwsHeaderId id;
  SipwsHeaderType type;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  id = sipws_header_lookup (name, strlen (name));
  type = sipws_header_info[id].type;
  if (type != SIPWS_HEADER_TYPE_UINT32 && type != SIPWS_HEADER_TYPE_MAX_FORWARDS &&
      type != SIPWS_HEADER_TYPE_CONTENT_LENGTH)
    return -1;
  return get_number (self, id);
}

/**
 * sipws_message_get_content_length:
 * @self: a message
 *
 * The Content-Length header as it is in the message. The body of a parsed
 * message has this size; after [method@Sipws.Message.set_body], see
 * [method@Sipws.Message.get_body].
 *
 * Returns: the value, or -1 when there is no Content-Length
 */
gint64
sipws_message_get_content_length (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return get_number (self, SIPWS_HEADER_CONTENT_LENGTH);
}

/**
 * sipws_message_get_contacts:
 * @self: a message
 *
 * Every Contact address, across Contact header fields. `Contact: *` gives
 * one wildcard address ([method@Sipws.Address.is_wildcard]).
 *
 * Returns: (transfer none) (nullable) (element-type SipwsAddress): the
 *   addresses, or %NULL when there is no Contact
 */
GPtrArray *
sipws_message_get_contacts (SipwsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return list_array (self, SIPWS_HEADER_CONTACT);
}

/**
 * sipws_message_get_address_list:
 * @self: a message
 * @name: the name of an address-list header: Contact, Route, Record-Route,
 *   Path, Service-Route, P-Asserted-Identity or P-Preferred-Identity
 *
 * Every address of the header, across its header fields, in order.
 *
 * Returns: (transfer none) (nullable) (element-type SipwsAddress): the
 *   addresses, or %NULL when there is no such header or @name is not an
 *   address-list header
 */
GPtrArray *
sipws_message_get_address_list (SipwsMessage *self,
                                const char   *name)
{
  SipwsHeaderId id;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  id = sipws_header_lookup (name, strlen (name));
  if (sipws_header_info[id].type != SIPWS_HEADER_TYPE_ADDRESS_LIST)
    return NULL;
  return list_array (self, id);
}

/* The addresses of @id, when it is an address-list header. */
static SipwsAddress **
peek_addresses (SipwsMessage  *self,
                SipwsHeaderId  id,
                guint         *n_addresses)
{
  const List *list = self->typed[sipws_header_address_list_slot[id]];

  *n_addresses = list != NULL ? list->len : 0;
  return list != NULL ? (SipwsAddress **) list->items : NULL;
}

/**
 * sipws_message_peek_addresses:
 * @self: a message
 * @name: the name of an address-list header: Contact, Route, Record-Route,
 *   Path, Service-Route, P-Asserted-Identity or P-Preferred-Identity
 * @n_addresses: (out): return location for the number of addresses
 *
 * Gets every address of the header, across its header fields, in order,
 * as the message's own array: unlike
 * [method@Sipws.Message.get_address_list], nothing is allocated.
 *
 * Returns: (transfer none) (array length=n_addresses) (nullable): the
 *   addresses, or %NULL when there is no such header or @name is not an
 *   address-list header; valid while the message is
 */
SipwsAddress **
sipws_message_peek_addresses (SipwsMessage *self,
                              const char   *name,
                              guint        *n_addresses)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (n_addresses != NULL, NULL);

  return peek_addresses (self, sipws_header_lookup (name, strlen (name)), n_addresses);
}

/**
 * sipws_message_peek_addresses_by_id:
 * @self: a message
 * @header: an address-list header: %SIPWS_HEADER_NAME_CONTACT,
 *   %SIPWS_HEADER_NAME_ROUTE, %SIPWS_HEADER_NAME_RECORD_ROUTE…
 * @n_addresses: (out): return location for the number of addresses
 *
 * [method@Sipws.Message.peek_addresses] without looking the name up.
 *
 * Returns: (transfer none) (array length=n_addresses) (nullable): the
 *   addresses, or %NULL when there is no such header or @header is not an
 *   address-list header; valid while the message is
 */
SipwsAddress **
sipws_message_peek_addresses_by_id (SipwsMessage    *self,
                                    SipwsHeaderName  header,
                                    guint           *n_addresses)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((guint) header < SIPWS_HEADER_N_IDS, NULL);
  g_return_val_if_fail (n_addresses != NULL, NULL);

  return peek_addresses (self, (SipwsHeaderId) header, n_addresses);
}

/* Whether @token is in the fields of @id (@name, @name_len for an
 * unknown one) from the field @i on. */
static gboolean
has_token_from (SipwsMessage  *self,
                SipwsHeaderId  id,
                const char    *name,
                gsize          name_len,
                const char    *token,
                guint          i)
{
  gsize token_len = strlen (token);
  gboolean caseless;

  caseless = id != SIPWS_HEADER_ALLOW;
  for (; i < self->n_headers; i++)
    {
      const Header *h = &self->headers[i];
      Elements iter;
      SipwsScanSpan elem;

      if (!header_matches (h, id, name, name_len))
        continue;
      if (sipws_header_info[id].type == SIPWS_HEADER_TYPE_TOKEN_LIST)
        {
          /* Checked to be tokens, commas and blanks: no quotes or brackets
           * to care about. */
          const char *p = h->value, *end = p + h->value_len;

          while (p < end)
            {
              const char *t;

              p = sipws_scan_skip_lws (p, end);
              t = sipws_scan_token (p, end);
              if ((gsize) (t - p) == token_len &&
                  (caseless ? sipws_scan_caseless_equal (p, token, token_len) : memcmp (p, token, token_len) == 0))
                return TRUE;
              p = sipws_scan_skip_lws (t, end) + 1;
            }
          continue;
        }
      elements_init (&iter, h->value, h->value_len);
      while (elements_next (&iter, &elem, NULL))
        if (elem.len == token_len &&
            (caseless ? sipws_scan_caseless_equal (elem.start, token, token_len)
                      : memcmp (elem.start, token, token_len) == 0))
          return TRUE;
    }
  return FALSE;
}

/* has_token_from() from the first candidate field; inline, for the many
 * messages without the header. */
static inline gboolean
has_token (SipwsMessage  *self,
           SipwsHeaderId  id,
           const char    *name,
           gsize          name_len,
           const char    *token)
{
  guint i = first_candidate (self, id);

  return i < self->n_headers && has_token_from (self, id, name, name_len, token, i);
}

/**
 * sipws_message_has_token:
 * @self: a message
 * @name: a token-list header: Require, Supported, Proxy-Require,
 *   Unsupported, Allow, Allow-Events…
 * @token: an option tag or method
 *
 * Whether @token is in the header, across its header fields. Option tags
 * compare case-insensitively like every SIP token (RFC 3261 §7.3.1); the
 * methods of Allow compare case-sensitively (§7.1).
 *
 * Returns: %TRUE when the header lists @token
 */
gboolean
sipws_message_has_token (SipwsMessage *self,
                         const char   *name,
                         const char   *token)
{
  gsize name_len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  name_len = strlen (name);
  return has_token (self, sipws_header_lookup (name, name_len), name, name_len, token);
}

/**
 * sipws_message_has_token_by_id:
 * @self: a message
 * @header: a known token-list header: %SIPWS_HEADER_NAME_REQUIRE,
 *   %SIPWS_HEADER_NAME_SUPPORTED, %SIPWS_HEADER_NAME_ALLOW…
 * @token: an option tag or method
 *
 * [method@Sipws.Message.has_token] without looking the name up.
 *
 * Returns: %TRUE when the header lists @token
 */
gboolean
sipws_message_has_token_by_id (SipwsMessage    *self,
                               SipwsHeaderName  header,
                               const char      *token)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (header > SIPWS_HEADER_NAME_OTHER && (guint) header < SIPWS_HEADER_N_IDS, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  return has_token (self, (SipwsHeaderId) header, NULL, 0, token);
}

/**
 * sipws_message_get_content_type:
 * @self: a message
 *
 * Gets the media type of the body, which says how to read it:
 * `application/sdp` for an offer or answer, `multipart/mixed` with a
 * `boundary` parameter, and so on.
 *
 * Returns: (nullable): the media type of the body, `type/subtype` in lower
 *   case (`application/sdp`), without parameters; %NULL without
 *   Content-Type
 */
const char *
sipws_message_get_content_type (SipwsMessage *self)
{
  ContentType *ct;

  g_return_val_if_fail (self != NULL, NULL);
  ct = TYPED (self, SIPWS_HEADER_CONTENT_TYPE);
  return ct != NULL ? ct->media_type : NULL;
}

/**
 * sipws_message_get_content_type_param:
 * @self: a message
 * @name: a media type parameter name, such as `boundary` or `charset`
 *   (case-insensitive)
 *
 * Gets a parameter of the Content-Type header, such as the `boundary` of a
 * multipart body or the `charset` of a text one. %NULL when there is no
 * Content-Type, no such parameter, or the parameter has no value.
 *
 * Returns: (nullable): the parameter value, unquoted
 */
const char *
sipws_message_get_content_type_param (SipwsMessage *self,
                                      const char   *name)
{
  ContentType *ct;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  ct = TYPED (self, SIPWS_HEADER_CONTENT_TYPE);
  return ct != NULL ? sipws_params_get (&ct->params, name) : NULL;
}

/* Checks */

/* The methods of RFC 3261 and the extensions a user agent meets. A request
 * with another method and a CSeq that does not match is answered 501 rather
 * than 400 (RFC 4475 §3.1.2.18): the method is the first thing a UAS
 * cannot handle. */
static gboolean
is_known_method (const char *method)
{
  static const char *const methods[] = {
    "ACK", "BYE", "CANCEL", "INFO", "INVITE", "MESSAGE", "NOTIFY", "OPTIONS",
    "PRACK", "PUBLISH", "REFER", "REGISTER", "SUBSCRIBE", "UPDATE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (strcmp (method, methods[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * sipws_message_check_request:
 * @self: a request
 * @forwarding: whether the request is to be forwarded (by a proxy) rather
 *   than handled here
 * @status: (out) (optional): the status to answer with when the check fails
 * @reason: (out) (optional) (transfer full): the reason phrase to answer with
 *
 * The semantic checks a UAS runs on a request that parsed, before acting on
 * it (RFC 3261 §8.2), in this order:
 *
 * - 400 when a mandatory header is missing: Via, From, To, Call-ID or CSeq.
 *   A missing Max-Forwards is accepted: RFC 2543 peers do not send it and
 *   RFC 4475 §3.4.1 expects such a request to be processed.
 * - 400 when a header that RFC 3261 allows once appears in several fields
 *   (two Call-IDs, two Content-Lengths…: RFC 4475 §3.3.8, §3.3.9).
 * - 400 when the CSeq method differs from the request method, or 501 when
 *   the request method is also unknown (RFC 4475 §3.1.2.17, §3.1.2.18).
 * - 416 when the Request-URI scheme is not sip, sips or tel (RFC 3261
 *   §8.2.2.1; RFC 4475 §3.3.2, §3.3.3).
 * - 483 when Max-Forwards is 0 and @forwarding: a UA accepts such a
 *   request addressed to it (RFC 4475 §3.3.11).
 *
 * What depends on the user agent's capabilities is not checked here: 405
 * for a method it does not implement, 420 for unknown Require option tags,
 * 415 for an unsupported Content-Type, 406 for Accept, 401/407 for
 * credentials.
 *
 * Returns: %TRUE when the request passes; %FALSE with @status and @reason set
 */
gboolean
sipws_message_check_request (SipwsMessage  *self,
                             gboolean       forwarding,
                             guint         *status,
                             char         **reason)
{
  static const SipwsHeaderId mandatory[] = {
    SIPWS_HEADER_VIA, SIPWS_HEADER_FROM, SIPWS_HEADER_TO, SIPWS_HEADER_CALL_ID, SIPWS_HEADER_CSEQ,
  };
  guint8 counts[SIPWS_HEADER_N_IDS] = { 0 };
  const char *cseq_method = NULL;
  SipwsUriScheme scheme;
  guint code = 0;
  char *text = NULL;

  g_return_val_if_fail (self != NULL && sipws_message_is_request (self), FALSE);

  for (guint i = 0; i < self->n_headers; i++)
    {
      guint id = self->headers[i].id;

      if (counts[id] < G_MAXUINT8)
        counts[id]++;
    }

  for (guint i = 0; i < G_N_ELEMENTS (mandatory) && code == 0; i++)
    if (counts[mandatory[i]] == 0)
      {
        code = 400;
        text = g_strdup_printf ("Missing %s Header", sipws_header_info[mandatory[i]].name);
      }

  for (guint id = 1; id < SIPWS_HEADER_N_IDS && code == 0; id++)
    if (counts[id] > 1 && (sipws_header_info[id].flags & (SIPWS_HEADER_LIST | SIPWS_HEADER_REPEAT)) == 0)
      {
        code = 400;
        text = g_strdup_printf ("Multiple %s Headers", sipws_header_info[id].name);
      }

  if (code == 0 && sipws_message_get_cseq (self, NULL, &cseq_method) && strcmp (cseq_method, self->method) != 0)
    {
      code = is_known_method (self->method) ? 400 : 501;
      text = g_strdup (code == 400 ? "CSeq Method Does Not Match Request Method"
                                   : sipws_message_get_default_reason (501));
    }

  scheme = sipws_uri_get_scheme (self->request_uri);
  if (code == 0 && scheme != SIPWS_URI_SCHEME_SIP && scheme != SIPWS_URI_SCHEME_SIPS &&
      scheme != SIPWS_URI_SCHEME_TEL)
    {
      code = 416;
      text = g_strdup (sipws_message_get_default_reason (416));
    }

  if (code == 0 && forwarding && sipws_message_get_max_forwards (self) == 0)
    {
      code = 483;
      text = g_strdup (sipws_message_get_default_reason (483));
    }

  if (code == 0)
    return TRUE;

  g_debug ("request fails the checks: %u %s", code, text);
  if (status != NULL)
    *status = code;
  if (reason != NULL)
    *reason = text;
  else
    g_free (text);
  return FALSE;
}
