/* sipws-params-private.h: ordered ;name[=value] parameter lists */
#pragma once

#include <glib.h>
#include "sipws-version.h"

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
  const char *name;    /* case-insensitive; decoded */
  const char *value;   /* decoded / unquoted; NULL for a flag such as ;lr */
  const char *wire;    /* the value as written when it had %HH escapes, else NULL */
  char       *owned;   /* storage of name/value/wire when this entry owns it */
  gboolean    quoted;  /* SIPWS_PARAMS_HEADER: the value is a quoted-string */
} SipwsParam;

/* An ordered list, usually embedded in its owner (URI, address, Via).
 * Zero-initialised memory (or sipws_params_init()) is an empty list. */
typedef struct {
  SipwsParam *items;
  guint       len;
  guint       capacity;
  gboolean    items_owned;  /* items was allocated on its own */
  char       *buf;          /* block of a sipws_params_parse(): items and strings */
} SipwsParams;

void sipws_params_init  (SipwsParams *params);
void sipws_params_clear (SipwsParams *params);

/* Deep copy of @src into the empty list @dest. */
void sipws_params_copy (SipwsParams       *dest,
                        const SipwsParams *src);

/* Parses parameters at *@pp into the empty list @params, in one allocation.
 * Parsing stops at the first byte that cannot continue the list (for
 * SIPWS_PARAMS_HEADER, trailing blanks are not consumed); *@pp is moved there
 * and the caller checks what follows. A separator with nothing after it
 * (";", ";=", "a=") is an error. Columns in @error count from @start. */
gboolean sipws_params_parse (SipwsParams       *params,
                             SipwsParamsSyntax  syntax,
                             const char        *start,
                             const char       **pp,
                             const char        *end,
                             GError           **error);

/* The bytes sipws_params_parse_in() may need in @arena for the input
 * [p, end), with @n_items the number of items it can hold. */
gsize sipws_params_arena_size (const char *p,
                               const char *end,
                               guint      *n_items);

/* Like sipws_params_parse(), but the entries go to @items (room for
 * @capacity) and the strings to *@arena (advanced); both belong to the
 * caller, who sized them with sipws_params_arena_size(). Lets a URI keep its
 * parameters in its own single allocation. */
gboolean sipws_params_parse_in (SipwsParams       *params,
                                SipwsParamsSyntax  syntax,
                                const char        *start,
                                const char       **pp,
                                const char        *end,
                                SipwsParam        *items,
                                guint              capacity,
                                char             **arena,
                                GError           **error);

/* First entry named @name (case-insensitive), or NULL. */
const SipwsParam *sipws_params_lookup (const SipwsParams *params,
                                       const char        *name);

gboolean    sipws_params_has (const SipwsParams *params,
                              const char        *name);

/* Value of the first entry named @name; NULL when absent or valueless. */
const char *sipws_params_get (const SipwsParams *params,
                              const char        *name);

/* Sets the value of the first entry named @name (appending one when there is
 * none); @value NULL makes a flag. For SIPWS_PARAMS_HEADER the value is
 * written as a quoted-string unless it is a token or an IP address. */
void sipws_params_set (SipwsParams       *params,
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
