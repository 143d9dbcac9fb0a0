/* sipws-params-private.h: ordered ;name[=value] parameter lists */
#pragma once

#include <glib.h>
#include "sipws-version.h"
#include "sipws-arena-private.h"
#include "sipws-scan-private.h"

G_BEGIN_DECLS

/* The three parameter grammars of RFC 3261 §25.1 that share this list. */
typedef enum {
  /* uri-parameters: ";" pname ["=" pvalue], no blanks, paramchar with %HH
   * escapes (decoded in values and names). Also tel: parameters. */
  SIPWS_PARAMS_URI,
  /* URI headers: "?" hname "=" hvalue *( "&" hname "=" hvalue ), hnv-unreserved
   * with %HH escapes; hvalue may be empty. */
  SIPWS_PARAMS_URI_HEADERS,
  /* Header field params (name-addr, Via, Contact…): SEMI token [EQUAL
   * (token / host / quoted-string)], SWS around ";" and "="; quoted values
   * are unquoted. */
  SIPWS_PARAMS_HEADER,
} SipwsParamsSyntax;

/* Upper bound on the number of parameters in one list; longer lists are a
 * parse error rather than an unbounded linear-lookup cost. */
#define SIPWS_PARAMS_MAX 64

typedef struct {
  const char *name;      /* case-insensitive; decoded */
  const char *value;     /* decoded / unquoted; NULL for a flag such as ;lr */
  const char *wire;      /* the value as written when it had %HH escapes, else NULL */
  guint32     name_len;
  guint8      quoted;    /* SIPWS_PARAMS_HEADER: the value is a quoted-string */
  guint8      token;     /* the value is a token (unquoted) */
} SipwsParam;

/* An ordered list embedded in its owner (URI, address, Via, Content-Type),
 * whose entries and strings are in the owner's arena. Zero-initialised
 * memory (or sipws_params_init()) is an empty list. */
typedef struct {
  SipwsParam *items;
  guint       len;
  guint       capacity;   /* entries items can hold before sipws_params_set() moves them */
} SipwsParams;

static inline void
sipws_params_init (SipwsParams *params)
{
  params->items = NULL;
  params->len = 0;
  params->capacity = 0;
}

/* Parses parameters at *@pp into the empty list @params, the entries in
 * @arena. The text is read from [*pp, end); @out is a writable mirror of
 * the text @start begins (same length, same offsets; see
 * sipws_scan_mirror()), and each name and value becomes a NUL-terminated
 * string in it, in place. Parsing stops at the first byte that cannot
 * continue the list (for SIPWS_PARAMS_HEADER, trailing blanks are not
 * consumed); *@pp is moved there and the caller checks what follows. A
 * separator with nothing after it (";", ";=", "a=") is an error, and so is
 * a repeated name except in URI headers. Columns in @error count from
 * @start. */
gboolean sipws_params_parse (SipwsParams       *params,
                             SipwsArena        *arena,
                             SipwsParamsSyntax  syntax,
                             const char        *start,
                             char              *out,
                             const char       **pp,
                             const char        *end,
                             GError           **error);

/* Fast paths for the common lists, tried before sipws_params_parse() by
 * callers that know where the list ends: [p, end), p at a ';', is all
 * list; @syntax is SIPWS_PARAMS_URI (uri-parameters without escapes in
 * names) or SIPWS_PARAMS_HEADER (header parameters without blanks and
 * without quoted-pairs). Either parses the whole range exactly as
 * sipws_params_parse() would and returns TRUE, or returns FALSE having
 * kept nothing and left the mirror as it was (an error, a repeated
 * name, anything unusual): the caller then parses the list with
 * sipws_params_parse(), which gives the result or the error.
 * @end_stops (SIPWS_PARAMS_URI only) says that the byte at @end may be
 * read and is one that no name or value can hold, such as the '>' after
 * a URI in a name-addr. */
gboolean sipws_params_parse_simple (SipwsParams       *params,
                                    SipwsArena        *arena,
                                    SipwsParamsSyntax  syntax,
                                    const char        *start,
                                    char              *out,
                                    const char        *p,
                                    const char        *end,
                                    gboolean           end_stops);

/* Deep copy of @src into the empty list @dest, in @arena. */
void sipws_params_copy (SipwsParams       *dest,
                        SipwsArena        *arena,
                        const SipwsParams *src);

/* TRUE when the name of @param is [name, name+len), ignoring case. */
static inline gboolean
sipws_param_name_is (const SipwsParam *param,
                     const char       *name,
                     gsize             len)
{
  return param->name_len == len && sipws_scan_caseless_equal (param->name, name, len);
}

/* The values written with %HH escapes keep their text as written (the
 * first @n_wire entries with a wire point into the text, the value there
 * running to the first byte outside @classes and escapes), copied once the
 * entries are placed: the arena cannot take a string meanwhile. */
void     sipws_params_copy_wires (SipwsParam *items,
                                  guint       n_wire,
                                  SipwsArena *arena,
                                  const char *end,
                                  guint32     classes);

/* A fast path that meets what it does not take hands the list back with
 * the mirror as it was: the general parser may read the list otherwise
 * (and it reads the text, not the mirror), so no NUL written meanwhile may
 * be left inside one of its strings. The ';' at @first is left alone: a
 * fast path writes nothing there, and the caller may have ended a string
 * of its own there (the host before a Via's parameters). */
gboolean sipws_params_give_back  (const char *start,
                                  char       *out,
                                  const char *first,
                                  const char *end);

/* Makes [s, s_end) a string in the mirror, its %HH escapes decoded when
 * @escaped. Returns its length. */
static inline gsize
sipws_params_mirror_decoded (const char *start,
                             char       *out,
                             const char *s,
                             const char *s_end,
                             gboolean    escaped)
{
  char *o, *o_end;

  if (!escaped)
    {
      sipws_scan_mirror_string (start, out, s, s_end);
      return s_end - s;
    }
  o = sipws_scan_mirror (start, out, s);
  o_end = sipws_scan_decode_escapes (o, s, s_end - s);
  *o_end = '\0';
  return o_end - o;
}

/* A bit per (length, first letter) of the names seen so far, so that a new
 * name is compared with the others only when one may be the same. Names
 * equal but for case get the same bit: "| 0x20" lower-cases a letter and
 * keeps other bytes apart from their own case variants (they have none). */
static inline guint64
sipws_params_name_bit (const char *name,
                       gsize       len)
{
  return G_GUINT64_CONSTANT (1) << ((len * 7 + ((guchar) name[0] | 0x20)) & 63);
}

/* TRUE when the name [name, name+len) of the entry @n (decoded: the
 * entry's own string, or text that is the same) repeats a name of the
 * entries before it; *@seen holds the name bits of those and gets the
 * new one. */
static inline gboolean
sipws_params_repeats (const SipwsParam *items,
                      guint             n,
                      const char       *name,
                      gsize             len,
                      guint64          *seen)
{
  guint64 bit = sipws_params_name_bit (name, len);

  if ((*seen & bit) != 0)
    for (guint i = 0; i < n; i++)
      if (sipws_param_name_is (&items[i], name, len))
        return TRUE;
  *seen |= bit;
  return FALSE;
}

/* Finishes a parse: the entries used of the room reserved for them. */
static inline void
sipws_params_take_items (SipwsParams *params,
                         SipwsArena  *arena,
                         SipwsParam  *items,
                         guint        n)
{
  sipws_arena_commit (arena, (const char *) (items + n));
  params->items = items;
  params->len = params->capacity = n;
}

/* sipws_scan_span_short (p, end, @classes); when @end_stops, the byte at
 * @end is readable and outside @classes, so that no bound is checked. */
G_ALWAYS_INLINE static inline const char *
sipws_params_span (const char *p,
                   const char *end,
                   guint32     classes,
                   gboolean    end_stops)
{
  if (!end_stops)
    return sipws_scan_span_short (p, end, classes);
  for (;; p += 2)
    {
      if ((sipws_scan_table[(guchar) p[0]] & classes) == 0)
        return p;
      if ((sipws_scan_table[(guchar) p[1]] & classes) == 0)
        return p + 1;
    }
}

/* sipws_params_parse_simple(), inline for the sip: URI fast path, where a
 * call per list cost more than a short list: both fast paths in one loop,
 * specialised by the constants @header and @end_stops. The names are
 * paramchars or tokens; a uri-parameter value is paramchars, a header
 * parameter value a token, a host or a quoted-string. */
G_ALWAYS_INLINE static inline gboolean
sipws_params_parse_simple_inline (SipwsParams *params,
                                  SipwsArena  *arena,
                                  const char  *start,
                                  char        *out,
                                  const char  *p,
                                  const char  *end,
                                  gboolean     header,
                                  gboolean     end_stops)
{
  guint32 name_class = header ? SIPWS_CC_TOKEN : SIPWS_CC_PARAM_CHAR;
  const char *first = p;
  guint n = 0, capacity;
  SipwsParam *items;
  guint64 seen = 0;
  guint n_wire = 0;

  /* every uri-parameter takes 2 bytes or more: up to 128 bytes, the
   * room holds them all (longer lists are for the general parser) */
  if (!header && end - p > 2 * SIPWS_PARAMS_MAX)
    return FALSE;
  capacity = header ? (guint) MIN ((gsize) (end - p) / 2, SIPWS_PARAMS_MAX) : (guint) (end - p) / 2;
  items = sipws_arena_reserve_aligned (arena, capacity * sizeof (SipwsParam));
  /* *p is ';' at each round, param the entry n */
  for (SipwsParam *param = items; p < end; param++)
    {
      const char *name = p + 1, *q = sipws_params_span (name, end, name_class, end_stops), *value;
      guint name_len = q - name;

      if (q == name || (header && n >= capacity))
        return sipws_params_give_back (start, out, first, end);
      param->name = sipws_scan_mirror_string (start, out, name, q);
      param->name_len = name_len;
      param->wire = NULL;
      param->quoted = FALSE;
      param->token = FALSE;
      if (q >= end || *q != '=')
        param->value = NULL;
      else
        {
          /* (per value: a flag whose address lived across the rounds
           * was kept in memory) */
          gboolean escaped = FALSE;

          value = q + 1;
          if (!header)
            {
              q = sipws_params_span (value, end, SIPWS_CC_PARAM_CHAR, end_stops);
              /* a value with valid %HH escapes is decoded in the mirror
               * and keeps its text as written, as the general parser does */
              if (q < end && *q == '%')
                {
                  gboolean any = FALSE;

                  /* (from the '%': what is before it is paramchars) */
                  q = sipws_scan_span_escaped (q, end, SIPWS_CC_PARAM_CHAR, &any);
                  if (q < end && *q == '%')
                    return sipws_params_give_back (start, out, first, end);
                  escaped = any;
                }
            }
          else if (value < end && *value == '"')
            {
              /* a quoted-string without quoted-pairs is its own value */
              q = sipws_scan_span_qdtext (++value, end);
              if (q >= end || *q != '"')
                return sipws_params_give_back (start, out, first, end);
              param->quoted = TRUE;
            }
          else
            {
              q = sipws_params_span (value, end, SIPWS_CC_TOKEN, end_stops);
              param->token = q > value;
              if (q < end && sipws_scan_is (*q, SIPWS_CC_GEN_VALUE))
                {
                  q = sipws_scan_span (q, end, SIPWS_CC_GEN_VALUE);
                  param->token = FALSE;
                }
            }
          if (q == value && !(header && param->quoted))
            return sipws_params_give_back (start, out, first, end);
          if (escaped)
            {
              param->value = sipws_scan_mirror (start, out, value);
              sipws_params_mirror_decoded (start, out, value, q, TRUE);
              param->wire = value;
              n_wire++;
            }
          else
            param->value = sipws_scan_mirror_string (start, out, value, q);
          if (header && param->quoted)
            q++;
        }
      /* a '%', a '?', blanks, a quoted-pair or anything else are for the
       * general parser */
      if (sipws_params_repeats (items, n, name, name_len, &seen) || (q < end && *q != ';'))
        return sipws_params_give_back (start, out, first, end);
      n++;
      p = q;
    }
  sipws_params_take_items (params, arena, items, n);
  if (n_wire > 0)
    sipws_params_copy_wires (items, n_wire, arena, end, SIPWS_CC_PARAM_CHAR);
  return TRUE;
}

/* First entry named @name (case-insensitive), or NULL; inline for the
 * getters, where a call per level cost more than the search. No strlen:
 * the first byte rules out most entries, and an entry's own length bounds
 * the compare. A name never holds a NUL, so a shorter @name differs at its
 * NUL and is not read past it; only a full match reads name[len], its NUL
 * when the lengths agree. */
G_ALWAYS_INLINE static inline const SipwsParam *
sipws_params_find (const SipwsParams *params,
                   const char        *name)
{
  guint8 first;

  if (params->len == 0)
    return NULL;
  first = sipws_scan_lower[(guchar) name[0]];
  for (guint i = 0; i < params->len; i++)
    {
      const SipwsParam *param = &params->items[i];
      gsize len = param->name_len;

      if (sipws_scan_lower[(guchar) param->name[0]] == first)
        {
          gsize k;

          /* mostly spelled alike: the case folded only where bytes differ */
          for (k = 1; k < len; k++)
            if (param->name[k] != name[k] &&
                sipws_scan_lower[(guchar) param->name[k]] != sipws_scan_lower[(guchar) name[k]])
              break;
          if (k == len && name[len] == '\0')
            return param;
        }
    }
  return NULL;
}

/* The same, out of line. */
const SipwsParam *sipws_params_lookup (const SipwsParams *params,
                                       const char        *name);

gboolean    sipws_params_has (const SipwsParams *params,
                              const char        *name);

/* Value of the first entry named @name; NULL when absent or valueless. */
const char *sipws_params_get (const SipwsParams *params,
                              const char        *name);

/* Sets the value of the first entry named @name (appending one when there is
 * none), the strings in @arena; @value NULL makes a flag. For
 * SIPWS_PARAMS_HEADER the value is written as a quoted-string unless it is a
 * token or an IP address. */
void sipws_params_set (SipwsParams       *params,
                       SipwsArena        *arena,
                       SipwsParamsSyntax  syntax,
                       const char        *name,
                       const char        *value);

/* The names in order, as a new NULL-terminated array. */
char **sipws_params_dup_names (const SipwsParams *params);

/* Removes every entry named @name; returns whether there was one. */
gboolean sipws_params_remove (SipwsParams *params,
                              const char  *name);

/* Appends the list in its wire form (";a=b;c", "?h=v&k=w"). */
void sipws_params_append (const SipwsParams *params,
                          SipwsParamsSyntax  syntax,
                          GString           *out);

G_END_DECLS
