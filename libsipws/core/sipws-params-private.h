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
  guint8 first = sipws_scan_lower[(guchar) name[0]];

  for (guint i = 0; i < params->len; i++)
    {
      const SipwsParam *param = &params->items[i];
      gsize len = param->name_len;

      if (sipws_scan_lower[(guchar) param->name[0]] == first &&
          sipws_scan_caseless_equal (param->name + 1, name + 1, len - 1) && name[len] == '\0')
        return param;
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
