/* sipws-auth-challenge-private.h: the auth-param parser shared by
 * SipwsAuthChallenge and SipwsAuthorization */
#pragma once

#include <glib.h>
#include "sipws-auth-challenge.h"

G_BEGIN_DECLS

/* Explicit limits: a challenge or credentials value with more parameters, or
 * a header value with more challenges, is refused with a parse error. */
#define SIPWS_AUTH_MAX_PARAMS     64
#define SIPWS_AUTH_MAX_CHALLENGES 16

typedef struct {
  char    *name;     /* as written */
  char    *value;    /* unquoted */
  gboolean quoted;   /* written as a quoted-string; kept for serializing */
} SipwsAuthParam;

/* One "auth-scheme [ token68 / #auth-param ]" group. */
typedef struct {
  char   *scheme;
  char   *token68;   /* NULL unless the token68 form was used */
  GArray *params;    /* of SipwsAuthParam, in order */
} SipwsAuthParams;

void         sipws_auth_params_init      (SipwsAuthParams       *params,
                                          const char            *scheme);
void         sipws_auth_params_clear     (SipwsAuthParams       *params);

/* Parses a header value into a GArray of SipwsAuthParams (it owns them).
 * With @several FALSE the value must hold exactly one scheme group, as in a
 * SIP header field; with TRUE several comma-separated challenges are
 * accepted, as HTTP allows in one WWW-Authenticate field. */
GArray      *sipws_auth_params_parse     (const char            *value,
                                          gboolean               several,
                                          GError               **error);

/* Moves the only group of @groups (from a parse with @several FALSE) into
 * @out and frees @groups. */
void         sipws_auth_params_take_single (GArray              *groups,
                                            SipwsAuthParams     *out);

const char  *sipws_auth_params_lookup    (const SipwsAuthParams *params,
                                          const char            *name);
void         sipws_auth_params_add       (SipwsAuthParams       *params,
                                          const char            *name,
                                          const char            *value,
                                          gboolean               quoted);
char       **sipws_auth_params_get_names (const SipwsAuthParams *params);
void         sipws_auth_params_append_to (const SipwsAuthParams *params,
                                          GString               *out);

/* "true" (any case) is TRUE; anything else, or NULL, is FALSE. */
gboolean     sipws_auth_params_is_true   (const char            *value);

/* Parses the qop list of a challenge ("auth, auth-int"), ignoring tokens
 * that are not known. */
SipwsDigestQop sipws_auth_params_parse_qop_list (const char *value);

G_END_DECLS
