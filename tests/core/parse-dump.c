/* parse-dump.c: a canonical text dump of what the public core API reports
 * about an input, for tools/parser-diff.
 *
 * The differential harness runs this program built against two versions of
 * the core and compares the dumps byte for byte, so the dump goes through
 * every public getter of the parsed values (messages, URIs, addresses, Via
 * hops, challenges and credentials) and holds nothing that varies between
 * runs (no pointers, no timing). Only the API that every compared revision
 * has is used; API added later is checked for consistency with the older
 * getters instead (PARSE_DUMP_HAVE_PEEK), which prints nothing when it
 * agrees.
 *
 *   parse-dump message FILE...            each FILE is one SIP message
 *   parse-dump uri FILE...                each FILE is one header value / URI
 *   parse-dump --batch [--from N] message|uri FILE...
 *                                         each FILE holds records: a 4-byte
 *                                         little-endian length, then the
 *                                         bytes; --from skips the inputs
 *                                         before the Nth (counted from 0)
 *
 * In batch mode an input that crashes or hangs the core gets a line
 * "#<n> CRASH ..." or "#<n> HANG ..." and the batch goes on after it.
 *
 * Each input starts a line "#<n> <kind> len=<bytes>"; no other line starts
 * with '#'. Values are escaped: bytes outside 0x20-0x7E and the backslash
 * become \xNN, so every value stays on its line. Warnings and criticals
 * logged while an input is handled are part of its dump; stdout is flushed
 * after each input.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sipws-error.h"
#include "sipws-message.h"
#include "sipws-auth-challenge.h"
#include "sipws-authorization.h"

/* Header names asked by name: every known one, compact forms, odd cases,
 * extension names and near misses. */
static const char *const header_names[] = {
  "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
  "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact", "Content-Disposition",
  "Content-Encoding", "Content-Language", "Content-Length", "Content-Type", "CSeq", "Date", "Error-Info",
  "Event", "Expires", "Flow-Timer", "From", "History-Info", "Identity", "Identity-Info", "In-Reply-To",
  "Max-Forwards", "MIME-Version", "Min-Expires", "Min-SE", "Organization", "P-Asserted-Identity",
  "P-Preferred-Identity", "Path", "Priority", "Privacy", "Proxy-Authenticate", "Proxy-Authorization",
  "Proxy-Require", "RAck", "Reason", "Record-Route", "Refer-Sub", "Refer-To", "Referred-By", "Reject-Contact",
  "Replaces", "Reply-To", "Request-Disposition", "Require", "Retry-After", "Route", "RSeq", "Server",
  "Service-Route", "Session-Expires", "Subject", "Subscription-State", "Supported", "Timestamp", "To",
  "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate",
  /* compact forms, both cases */
  "a", "b", "c", "d", "e", "f", "i", "j", "k", "l", "m", "n", "o", "r", "s", "t", "u", "v", "x", "y",
  "V", "F", "T", "I", "M", "L", "C", "K", "Z", "z", "g",
  /* case variants */
  "via", "VIA", "cAlL-iD", "call-id", "CALL-ID", "cseq", "CSEQ", "content-length", "CONTENT-TYPE",
  "www-authenticate", "record-route", "MAX-FORWARDS", "contact", "from", "FROM", "to", "tO",
  /* extension names and near misses */
  "X-Foo", "X-Unknown", "P-Custom", "Vi", "Vias", "Froms", "Call-Id-X", "Content", "Content-",
  "Max-Forward", "Expire", "Record_Route", "X", "-", "Route2", "Authentication-Infos",
};

static const char *const single_address_names[] = {
  "From", "To", "f", "t", "F", "T", "from", "TO", "Refer-To", "r", "refer-to", "Referred-By", "b",
  "Reply-To", "reply-to", "Contact", "Route", "X-Foo", "Via",
};

static const char *const address_list_names[] = {
  "Contact", "m", "M", "contact", "Route", "route", "Record-Route", "RECORD-ROUTE", "Path", "Service-Route",
  "P-Asserted-Identity", "p-asserted-identity", "P-Preferred-Identity", "From", "To", "Via", "X-Foo",
};

static const char *const uint_names[] = {
  "Expires", "Min-Expires", "Max-Forwards", "Content-Length", "RSeq", "Flow-Timer", "l", "L",
  "expires", "MIN-EXPIRES", "Call-ID", "CSeq", "Session-Expires", "Min-SE", "X-Foo",
};

static const char *const token_headers[] = {
  "Require", "require", "Supported", "k", "K", "Allow", "allow", "Proxy-Require", "Unsupported",
  "Allow-Events", "u", "Content-Encoding", "e", "Request-Disposition", "d", "Subject", "Via", "X-Foo",
};

static const char *const tokens[] = {
  "100rel", "timer", "TIMER", "Timer", "path", "outbound", "gruu", "replaces", "norefersub", "INVITE",
  "invite", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "MESSAGE", "NOTIFY", "SUBSCRIBE", "REFER",
  "INFO", "UPDATE", "PRACK", "PUBLISH", "presence", "dialog", "gzip", "foo", "1", "a", "",
};

static const char *const content_type_params[] = {
  "charset", "CHARSET", "boundary", "version", "type", "start", "x", "",
};

static const char *const uri_param_names[] = {
  "transport", "Transport", "TRANSPORT", "user", "method", "ttl", "maddr", "lr", "LR", "ob", "gr",
  "phone-context", "isub", "postd", "comp", "sigcomp-id", "x", "",
};

static const char *const uri_header_names[] = {
  "Subject", "subject", "Priority", "Call-ID", "Replaces", "body", "x", "",
};

static const char *const address_param_names[] = {
  "tag", "TAG", "Tag", "expires", "Expires", "q", "Q", "+sip.instance", "reg-id", "pub-gruu", "temp-gruu",
  "lr", "x", "",
};

static const char *const via_param_names[] = {
  "branch", "Branch", "BRANCH", "received", "rport", "RPort", "maddr", "ttl", "alias", "keep", "comp",
  "sigcomp-id", "oc", "x", "",
};

static const char *const auth_param_names[] = {
  "realm", "Realm", "nonce", "opaque", "domain", "stale", "algorithm", "qop", "userhash", "charset",
  "username", "uri", "response", "cnonce", "nc", "x", "",
};

static const char *const auth_schemes[] = {
  "Digest", "digest", "DIGEST", "Basic", "Bearer", "Dig", "",
};

/* Seconds one input may take before it counts as a hang (generous: the
 * program may run under valgrind). */
#define INPUT_TIMEOUT 60

static GString *out;
static GString *logged;

/* ---- text helpers ---- */

static void
put_escaped (GString    *s,
             const char *data,
             gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      if (c >= 0x20 && c < 0x7F && c != '\\')
        g_string_append_c (s, (char) c);
      else
        g_string_append_printf (s, "\\x%02X", c);
    }
}

/* "key=value\n"; a NULL value is written NULL, a string "NULL" as "NULL". */
static void
put_str (const char *key,
         const char *value)
{
  g_string_append (out, key);
  if (value == NULL)
    {
      g_string_append (out, " NULL\n");
      return;
    }
  g_string_append (out, "=\"");
  put_escaped (out, value, strlen (value));
  g_string_append (out, "\"\n");
}

static void
put_int (const char *key,
         gint64      value)
{
  g_string_append_printf (out, "%s=%" G_GINT64_FORMAT "\n", key, value);
}

/* A lookup by one of the fixed names: nothing when it finds nothing, so the
 * many misses stay out of the dump (a build that finds something prints it). */
static void
put_found (const char *key,
           gboolean    has,
           const char *value)
{
  if (!has && value == NULL)
    return;
  g_string_append_printf (out, "%s has=%d", key, has);
  put_str ("", value);
}

/* FNV-1a: identical bytes give identical numbers on every build. */
static guint64
fnv (const char *data,
     gsize       len)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (gsize i = 0; i < len; i++)
    {
      h ^= (guchar) data[i];
      h *= G_GUINT64_CONSTANT (1099511628211);
    }
  return h;
}

static void
put_bytes (const char *key,
           GBytes     *bytes)
{
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    {
      g_string_append_printf (out, "%s NULL\n", key);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  g_string_append_printf (out, "%s len=%" G_GSIZE_FORMAT " fnv=%016" G_GINT64_MODIFIER "x =\"", key, len,
                          fnv (data, len));
  put_escaped (out, data, len);
  g_string_append (out, "\"\n");
}

static void
put_error (const char   *key,
           const GError *error)
{
  g_string_append_printf (out, "%s ERROR %s %d \"", key, g_quark_to_string (error->domain), error->code);
  put_escaped (out, error->message, strlen (error->message));
  g_string_append (out, "\"\n");
}

static void
put_strv (const char         *key,
          const char * const *strv)
{
  g_string_append (out, key);
  if (strv == NULL)
    {
      g_string_append (out, " NULL\n");
      return;
    }
  g_string_append_c (out, '=');
  for (guint i = 0; strv[i] != NULL; i++)
    {
      g_string_append (out, i == 0 ? "[\"" : ", \"");
      put_escaped (out, strv[i], strlen (strv[i]));
      g_string_append_c (out, '"');
    }
  g_string_append (out, strv[0] == NULL ? "[]\n" : "]\n");
}

/* ---- values ---- */

/* "<prefix><name>", in the caller's `k` (a g_autofree char *) */
#define KEY(name) (g_free (k), k = g_strconcat (prefix, name, NULL))

/* The parameters (or URI headers) of a value: the names it lists with
 * their values, then lookups by the fixed names (has_func may be NULL when
 * the type has no has_param). names_func may be NULL (a Via lists none). */
typedef char      **(*NamesFunc) (gpointer self);
typedef const char *(*GetFunc)   (gpointer self,
                                  const char *name);
typedef gboolean    (*HasFunc)   (gpointer self,
                                  const char *name);

static void
dump_params (const char         *prefix,
             const char         *what,
             gpointer            self,
             NamesFunc           names_func,
             GetFunc             get_func,
             HasFunc             has_func,
             const char * const *fixed,
             gsize               n_fixed)
{
  if (names_func != NULL)
    {
      g_auto(GStrv) names = names_func (self);
      g_autofree char *k = g_strdup_printf ("%s.%s_names", prefix, what);

      put_strv (k, (const char * const *) names);
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        {
          g_autofree char *pk = g_strdup_printf ("%s.%s[%s]", prefix, what, names[i]);

          put_str (pk, get_func (self, names[i]));
        }
    }
  for (gsize i = 0; i < n_fixed; i++)
    {
      g_autofree char *pk = g_strdup_printf ("%s.fixed_%s[%s]", prefix, what, fixed[i]);

      put_found (pk, has_func != NULL && has_func (self, fixed[i]), get_func (self, fixed[i]));
    }
}

#define DUMP_PARAMS(prefix, what, self, names_func, get_func, has_func, fixed) \
  dump_params (prefix, what, self, (NamesFunc) (names_func), (GetFunc) (get_func), (HasFunc) (has_func), \
               fixed, G_N_ELEMENTS (fixed))

static void
dump_uri_fields (const char *prefix,
                 SipwsUri   *uri)
{
  g_autofree char *k = NULL;
  g_autofree char *text = NULL;
  const char *user_bytes;
  gsize user_len = 0;

  put_int (KEY (".scheme"), sipws_uri_get_scheme (uri));
  put_str (KEY (".scheme_name"), sipws_uri_get_scheme_name (uri));
  put_str (KEY (".user"), sipws_uri_get_user (uri));
  user_bytes = sipws_uri_get_user_bytes (uri, &user_len);
  g_string_append_printf (out, "%s.user_bytes", prefix);
  if (user_bytes == NULL)
    g_string_append_printf (out, " NULL len=%" G_GSIZE_FORMAT "\n", user_len);
  else
    {
      g_string_append_printf (out, " len=%" G_GSIZE_FORMAT " =\"", user_len);
      put_escaped (out, user_bytes, user_len);
      g_string_append (out, "\"\n");
    }
  put_int (KEY (".has_password"), sipws_uri_has_password (uri));
  put_str (KEY (".host"), sipws_uri_get_host (uri));
  put_int (KEY (".port"), sipws_uri_get_port (uri));
  put_str (KEY (".opaque"), sipws_uri_get_opaque (uri));

  DUMP_PARAMS (prefix, "param", uri, sipws_uri_get_param_names, sipws_uri_get_param, sipws_uri_has_param,
               uri_param_names);
  DUMP_PARAMS (prefix, "header", uri, sipws_uri_get_header_names, sipws_uri_get_header, NULL, uri_header_names);

  text = sipws_uri_to_string (uri);
  put_str (KEY (".to_string"), text);
  put_int (KEY (".hash"), sipws_uri_hash (uri));
}

static void
dump_uri (const char *prefix,
          SipwsUri   *uri)
{
  g_autofree char *text = NULL;
  g_autofree char *k = NULL;
  g_autoptr(SipwsUri) copy = NULL;
  g_autoptr(SipwsUri) again = NULL;
  g_autoptr(GError) error = NULL;

  if (uri == NULL)
    {
      g_string_append_printf (out, "%s NULL\n", prefix);
      return;
    }
  dump_uri_fields (prefix, uri);

  g_string_append_printf (out, "%s.equal_self=%d\n", prefix, sipws_uri_equal (uri, uri));
  copy = sipws_uri_copy (uri);
  text = sipws_uri_to_string (copy);
  g_string_append_printf (out, "%s.copy equal=%d hash=%u ", prefix, sipws_uri_equal (uri, copy),
                          sipws_uri_hash (copy));
  put_str ("to_string", text);

  /* What to_string() writes parses back to an equal URI. */
  g_clear_pointer (&text, g_free);
  text = sipws_uri_to_string (uri);
  again = sipws_uri_parse (text, -1, &error);
  k = g_strconcat (prefix, ".reparse", NULL);
  if (again == NULL)
    put_error (k, error);
  else
    {
      g_autofree char *text2 = sipws_uri_to_string (again);

      g_string_append_printf (out, "%s equal=%d equal_rev=%d same_hash=%d same_text=%d\n", k,
                              sipws_uri_equal (uri, again), sipws_uri_equal (again, uri),
                              sipws_uri_hash (uri) == sipws_uri_hash (again), g_strcmp0 (text, text2) == 0);
    }
}

static void
dump_address (const char   *prefix,
              SipwsAddress *address)
{
  g_autofree char *k = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy_text = NULL;
  g_autoptr(SipwsAddress) copy = NULL;

  if (address == NULL)
    {
      g_string_append_printf (out, "%s NULL\n", prefix);
      return;
    }
  put_int (KEY (".wildcard"), sipws_address_is_wildcard (address));
  put_str (KEY (".display_name"), sipws_address_get_display_name (address));
  dump_uri (KEY (".uri"), sipws_address_get_uri (address));

  DUMP_PARAMS (prefix, "param", address, sipws_address_get_param_names, sipws_address_get_param,
               sipws_address_has_param, address_param_names);
  put_str (KEY (".tag"), sipws_address_get_tag (address));
  put_int (KEY (".expires"), sipws_address_get_expires (address));
  put_int (KEY (".q"), sipws_address_get_q (address));
  text = sipws_address_to_string (address);
  put_str (KEY (".to_string"), text);

  copy = sipws_address_copy (address);
  copy_text = sipws_address_to_string (copy);
  g_string_append_printf (out, "%s.copy same_text=%d wildcard=%d\n", prefix, g_strcmp0 (text, copy_text) == 0,
                          sipws_address_is_wildcard (copy));
}

static void
dump_address_list (const char *prefix,
                   GPtrArray  *list)
{
  if (list == NULL)
    {
      g_string_append_printf (out, "%s NULL\n", prefix);
      return;
    }
  g_string_append_printf (out, "%s len=%u\n", prefix, list->len);
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *k = g_strdup_printf ("%s[%u]", prefix, i);

      dump_address (k, list->pdata[i]);
    }
}

static void
dump_via (const char *prefix,
          SipwsVia   *via)
{
  g_autofree char *k = NULL;
  g_autofree char *text = NULL;

  if (via == NULL)
    {
      g_string_append_printf (out, "%s NULL\n", prefix);
      return;
    }
  put_str (KEY (".protocol_name"), sipws_via_get_protocol_name (via));
  put_str (KEY (".protocol_version"), sipws_via_get_protocol_version (via));
  put_str (KEY (".transport"), sipws_via_get_transport (via));
  put_str (KEY (".host"), sipws_via_get_host (via));
  put_int (KEY (".port"), sipws_via_get_port (via));
  put_str (KEY (".branch"), sipws_via_get_branch (via));
  put_int (KEY (".magic_cookie"), sipws_via_has_magic_cookie (via));
  put_str (KEY (".received"), sipws_via_get_received (via));
  put_int (KEY (".rport"), sipws_via_get_rport (via));
  put_str (KEY (".maddr"), sipws_via_get_maddr (via));
  put_int (KEY (".ttl"), sipws_via_get_ttl (via));
  DUMP_PARAMS (prefix, "param", via, NULL, sipws_via_get_param, sipws_via_has_param, via_param_names);
  text = sipws_via_to_string (via);
  put_str (KEY (".to_string"), text);
}

typedef const char *(*StrFunc) (gpointer self);

/* What challenges and credentials share: the scheme, a token68 or
 * parameters. */
static void
dump_auth_head (const char *prefix,
                gpointer    self,
                StrFunc     get_scheme,
                HasFunc     has_scheme,
                StrFunc     get_token68,
                NamesFunc   get_param_names,
                GetFunc     get_param)
{
  g_autofree char *k = NULL;

  put_str (KEY (".scheme"), get_scheme (self));
  for (guint i = 0; i < G_N_ELEMENTS (auth_schemes); i++)
    g_string_append_printf (out, "%s.has_scheme[%s]=%d\n", prefix, auth_schemes[i],
                            has_scheme (self, auth_schemes[i]));
  put_str (KEY (".token68"), get_token68 (self));
  dump_params (prefix, "param", self, get_param_names, get_param, NULL, auth_param_names,
               G_N_ELEMENTS (auth_param_names));
}

static void
dump_challenge (const char         *prefix,
                SipwsAuthChallenge *challenge)
{
  g_autofree char *k = NULL;
  g_autofree char *text = NULL;

  dump_auth_head (prefix, challenge, (StrFunc) sipws_auth_challenge_get_scheme,
                  (HasFunc) sipws_auth_challenge_has_scheme, (StrFunc) sipws_auth_challenge_get_token68,
                  (NamesFunc) sipws_auth_challenge_get_param_names, (GetFunc) sipws_auth_challenge_get_param);
  put_str (KEY (".realm"), sipws_auth_challenge_get_realm (challenge));
  put_str (KEY (".nonce"), sipws_auth_challenge_get_nonce (challenge));
  put_str (KEY (".opaque"), sipws_auth_challenge_get_opaque (challenge));
  put_str (KEY (".domain"), sipws_auth_challenge_get_domain (challenge));
  put_int (KEY (".stale"), sipws_auth_challenge_get_stale (challenge));
  put_int (KEY (".algorithm"), sipws_auth_challenge_get_algorithm (challenge));
  put_str (KEY (".algorithm_name"),
           sipws_digest_algorithm_to_string (sipws_auth_challenge_get_algorithm (challenge)));
  put_int (KEY (".qop_options"), sipws_auth_challenge_get_qop_options (challenge));
  put_int (KEY (".userhash"), sipws_auth_challenge_get_userhash (challenge));
  put_str (KEY (".charset"), sipws_auth_challenge_get_charset (challenge));
  put_int (KEY (".supported"), sipws_auth_challenge_is_supported (challenge));
  text = sipws_auth_challenge_to_string (challenge);
  put_str (KEY (".to_string"), text);
}

static void
dump_authorization (const char         *prefix,
                    SipwsAuthorization *auth)
{
  g_autofree char *k = NULL;
  g_autofree char *text = NULL;

  dump_auth_head (prefix, auth, (StrFunc) sipws_authorization_get_scheme,
                  (HasFunc) sipws_authorization_has_scheme, (StrFunc) sipws_authorization_get_token68,
                  (NamesFunc) sipws_authorization_get_param_names, (GetFunc) sipws_authorization_get_param);
  put_str (KEY (".username"), sipws_authorization_get_username (auth));
  put_str (KEY (".realm"), sipws_authorization_get_realm (auth));
  put_str (KEY (".nonce"), sipws_authorization_get_nonce (auth));
  put_str (KEY (".uri"), sipws_authorization_get_uri (auth));
  put_str (KEY (".response"), sipws_authorization_get_response (auth));
  put_int (KEY (".algorithm"), sipws_authorization_get_algorithm (auth));
  put_str (KEY (".cnonce"), sipws_authorization_get_cnonce (auth));
  put_str (KEY (".nc"), sipws_authorization_get_nc (auth));
  put_int (KEY (".qop"), sipws_authorization_get_qop (auth));
  put_str (KEY (".opaque"), sipws_authorization_get_opaque (auth));
  put_int (KEY (".userhash"), sipws_authorization_get_userhash (auth));
  text = sipws_authorization_to_string (auth);
  put_str (KEY (".to_string"), text);
}

/* The header-value parsers on one NUL-terminated text. */
static void
dump_value_parsers (const char *prefix,
                    const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsVia) via = NULL;
  g_autoptr(SipwsAuthChallenge) challenge = NULL;
  g_autoptr(GPtrArray) challenges = NULL;
  g_autoptr(SipwsAuthorization) auth = NULL;
  g_autofree char *k = NULL;

  via = sipws_via_parse (text, -1, &error);
  if (via == NULL)
    put_error (KEY (".via"), error);
  else
    dump_via (KEY (".via"), via);
  g_clear_error (&error);

  challenge = sipws_auth_challenge_parse (text, &error);
  if (challenge == NULL)
    put_error (KEY (".challenge"), error);
  else
    dump_challenge (KEY (".challenge"), challenge);
  g_clear_error (&error);

  challenges = sipws_auth_challenge_parse_list (text, &error);
  if (challenges == NULL)
    put_error (KEY (".challenges"), error);
  else
    {
      g_string_append_printf (out, "%s.challenges len=%u\n", prefix, challenges->len);
      for (guint i = 0; i < challenges->len; i++)
        {
          g_autofree char *ck = g_strdup_printf ("%s.challenges[%u]", prefix, i);

          dump_challenge (ck, challenges->pdata[i]);
        }
      for (guint r = 0; r < 2; r++)
        {
          SipwsAuthChallenge *best = sipws_auth_challenge_pick_best (challenges, r == 0 ? NULL : "example.com");
          guint index = 0;

          if (best == NULL || !g_ptr_array_find (challenges, best, &index))
            put_str (r == 0 ? KEY (".pick_best") : KEY (".pick_best[example.com]"), NULL);
          else
            put_int (r == 0 ? KEY (".pick_best") : KEY (".pick_best[example.com]"), index);
        }
    }
  g_clear_error (&error);

  auth = sipws_authorization_parse (text, &error);
  if (auth == NULL)
    put_error (KEY (".authorization"), error);
  else
    dump_authorization (KEY (".authorization"), auth);
}

/* ---- messages ---- */

static void
dump_check (SipwsMessage *msg,
            gboolean      forwarding)
{
  guint status = 0;
  g_autofree char *reason = NULL;
  gboolean ok = sipws_message_check_request (msg, forwarding, &status, &reason);

  g_string_append_printf (out, "check_request[forwarding=%d] ok=%d status=%u ", forwarding, ok, status);
  put_str ("reason", reason);
}

#ifdef PARSE_DUMP_HAVE_PEEK
/* The peek getters give the very arrays of the older getters. */
static void
check_peek (SipwsMessage *msg)
{
  guint n = 0;
  SipwsVia **vias = sipws_message_peek_vias (msg, &n);
  GPtrArray *via_list = sipws_message_get_vias (msg);

  if (via_list == NULL ? (vias != NULL || n != 0)
                       : (n != via_list->len || memcmp (vias, via_list->pdata, n * sizeof (gpointer)) != 0))
    g_string_append (out, "PEEK MISMATCH vias\n");

  for (guint i = 0; i < G_N_ELEMENTS (address_list_names); i++)
    {
      SipwsAddress **addresses = sipws_message_peek_addresses (msg, address_list_names[i], &n);
      GPtrArray *list = sipws_message_get_address_list (msg, address_list_names[i]);

      if (list == NULL ? (addresses != NULL || n != 0)
                       : (n != list->len || memcmp (addresses, list->pdata, n * sizeof (gpointer)) != 0))
        g_string_append_printf (out, "PEEK MISMATCH %s\n", address_list_names[i]);
    }
}
#endif

static void
dump_message (SipwsMessage *msg)
{
  guint n_headers;
  const char *name, *value;
  gsize value_len;
  GPtrArray *vias;
  guint32 cseq_number = 0;
  const char *cseq_method = NULL;
  gboolean has_cseq;
  g_autoptr(GBytes) bytes = NULL;
  gboolean is_request = sipws_message_is_request (msg);

  put_int ("is_request", is_request);
  put_str ("method", sipws_message_get_method (msg));
  dump_uri ("request_uri", sipws_message_get_request_uri (msg));
  put_int ("status", sipws_message_get_status_code (msg));
  put_str ("reason", sipws_message_get_reason_phrase (msg));
  if (!is_request)
    put_str ("default_reason", sipws_message_get_default_reason (sipws_message_get_status_code (msg)));

  n_headers = sipws_message_get_n_headers (msg);
  put_int ("n_headers", n_headers);
  for (guint i = 0; i < n_headers; i++)
    {
      name = value = NULL;
      value_len = 0;
      if (!sipws_message_get_header_nth (msg, i, &name, &value, &value_len))
        {
          g_string_append_printf (out, "header_nth[%u] FALSE\n", i);
          continue;
        }
      g_string_append_printf (out, "header_nth[%u] name=\"", i);
      if (name != NULL)
        put_escaped (out, name, strlen (name));
      g_string_append_printf (out, "\" len=%" G_GSIZE_FORMAT " value=\"", value_len);
      if (value != NULL)
        put_escaped (out, value, value_len);
      g_string_append (out, value != NULL && strlen (value) == value_len ? "\"\n" : "\" (embedded NUL)\n");
    }
  name = value = NULL;
  g_string_append_printf (out, "header_nth[past end]=%d\n",
                          sipws_message_get_header_nth (msg, n_headers, &name, &value, &value_len));

  /* By name: absent headers print nothing (the other build prints a line if
   * it disagrees). */
  for (guint i = 0; i < G_N_ELEMENTS (header_names); i++)
    {
      const char *first = sipws_message_get_header (msg, header_names[i]);
      guint count = sipws_message_count_headers (msg, header_names[i]);
      g_auto(GStrv) values = sipws_message_get_header_values (msg, header_names[i]);

      if (first == NULL && count == 0 && values != NULL && values[0] == NULL)
        continue;
      g_string_append_printf (out, "header[%s] count=%u ", header_names[i], count);
      put_str ("first", first);
      g_string_append_printf (out, "header_values[%s]", header_names[i]);
      put_strv ("", (const char * const *) values);
    }

  vias = sipws_message_get_vias (msg);
  if (vias == NULL)
    put_str ("vias", NULL);
  else
    {
      put_int ("vias.len", vias->len);
      for (guint i = 0; i < vias->len; i++)
        {
          g_autofree char *k = g_strdup_printf ("via[%u]", i);

          dump_via (k, vias->pdata[i]);
        }
    }
  g_string_append_printf (out, "top_via is_first=%d\n",
                          sipws_message_get_top_via (msg) == (vias != NULL ? vias->pdata[0] : NULL));
  /* Each Via field again through the stand-alone parser. */
  {
    g_auto(GStrv) values = sipws_message_get_header_values (msg, "Via");

    for (guint i = 0; values != NULL && values[i] != NULL; i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(SipwsVia) via = sipws_via_parse (values[i], -1, &error);
        g_autofree char *k = g_strdup_printf ("via_parse[%u]", i);

        if (via == NULL)
          put_error (k, error);
        else
          dump_via (k, via);
      }
  }

  dump_address ("from", sipws_message_get_from (msg));
  dump_address ("to", sipws_message_get_to (msg));
  for (guint i = 0; i < G_N_ELEMENTS (single_address_names); i++)
    {
      g_autofree char *k = g_strdup_printf ("address[%s]", single_address_names[i]);
      SipwsAddress *address = sipws_message_get_address (msg, single_address_names[i]);

      /* From and To are dumped in full above */
      if (address != NULL && (address == sipws_message_get_from (msg) || address == sipws_message_get_to (msg)))
        g_string_append_printf (out, "%s is %s\n", k, address == sipws_message_get_from (msg) ? "from" : "to");
      else
        dump_address (k, address);
    }
  dump_address_list ("contacts", sipws_message_get_contacts (msg));
  for (guint i = 0; i < G_N_ELEMENTS (address_list_names); i++)
    {
      g_autofree char *k = g_strdup_printf ("address_list[%s]", address_list_names[i]);
      GPtrArray *list = sipws_message_get_address_list (msg, address_list_names[i]);

      if (list != NULL && list == sipws_message_get_contacts (msg))
        g_string_append_printf (out, "%s is contacts\n", k);
      else
        dump_address_list (k, list);
    }
#ifdef PARSE_DUMP_HAVE_PEEK
  check_peek (msg);
#endif

  put_str ("call_id", sipws_message_get_call_id (msg));
  has_cseq = sipws_message_get_cseq (msg, &cseq_number, &cseq_method);
  g_string_append_printf (out, "cseq has=%d number=%u ", has_cseq, cseq_number);
  put_str ("method", cseq_method);
  put_int ("max_forwards", sipws_message_get_max_forwards (msg));
  put_int ("expires", sipws_message_get_expires (msg));
  put_int ("min_expires", sipws_message_get_min_expires (msg));
  for (guint i = 0; i < G_N_ELEMENTS (uint_names); i++)
    g_string_append_printf (out, "uint_header[%s]=%" G_GINT64_FORMAT "\n", uint_names[i],
                            sipws_message_get_uint_header (msg, uint_names[i]));
  put_int ("content_length", sipws_message_get_content_length (msg));
  put_str ("content_type", sipws_message_get_content_type (msg));
  for (guint i = 0; i < G_N_ELEMENTS (content_type_params); i++)
    {
      g_autofree char *k = g_strdup_printf ("content_type_param[%s]", content_type_params[i]);

      put_found (k, FALSE, sipws_message_get_content_type_param (msg, content_type_params[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (token_headers); i++)
    {
      g_string_append_printf (out, "has_token[%s]=", token_headers[i]);
      for (guint j = 0; j < G_N_ELEMENTS (tokens); j++)
        g_string_append_c (out, sipws_message_has_token (msg, token_headers[i], tokens[j]) ? '1' : '0');
      g_string_append_c (out, '\n');
    }

  /* The challenge and credential headers through their parsers. */
  {
    static const char *const auth_headers[] = {
      "WWW-Authenticate", "Proxy-Authenticate", "Authorization", "Proxy-Authorization",
    };

    for (guint i = 0; i < G_N_ELEMENTS (auth_headers); i++)
      {
        g_auto(GStrv) values = sipws_message_get_header_values (msg, auth_headers[i]);

        for (guint j = 0; values != NULL && values[j] != NULL; j++)
          {
            g_autofree char *k = g_strdup_printf ("auth[%s][%u]", auth_headers[i], j);

            dump_value_parsers (k, values[j]);
          }
      }
  }

  put_bytes ("body", sipws_message_get_body (msg));
  bytes = sipws_message_to_bytes (msg);
  put_bytes ("to_bytes", bytes);

  /* What to_bytes() writes parses again to the same text. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SipwsMessage) again = sipws_message_parse_bytes (bytes, &error);

    if (again == NULL)
      put_error ("reparse", error);
    else
      {
        g_autoptr(GBytes) bytes2 = sipws_message_to_bytes (again);

        g_string_append_printf (out, "reparse n_headers=%u same_bytes=%d\n", sipws_message_get_n_headers (again),
                                g_bytes_equal (bytes, bytes2));
      }
  }

  if (is_request)
    {
      g_autoptr(SipwsMessage) response = NULL;
      g_autoptr(GBytes) response_bytes = NULL;

      dump_check (msg, FALSE);
      dump_check (msg, TRUE);
      response = sipws_message_new_response_for_request (msg, 200, NULL);
      response_bytes = sipws_message_to_bytes (response);
      put_bytes ("response_200", response_bytes);
    }
}

/* Edits a parsed message, which its parser left to the caller alone. */
static void
dump_edits (SipwsMessage *msg)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("edited body\r\n", 13);
  g_autoptr(GBytes) bytes = NULL;

  sipws_message_add_header (msg, "X-Diff", "one two");
  sipws_message_set_header (msg, "Subject", "edited");
  put_int ("edit.remove_route", sipws_message_remove_header (msg, "Route"));
  put_int ("edit.remove_x", sipws_message_remove_header (msg, "x-diff"));
  sipws_message_set_header (msg, "Max-Forwards", "69");
  sipws_message_set_body (msg, "text/plain", body);
  put_int ("edit.n_headers", sipws_message_get_n_headers (msg));
  put_int ("edit.max_forwards", sipws_message_get_max_forwards (msg));
  put_int ("edit.content_length", sipws_message_get_content_length (msg));
  put_str ("edit.subject", sipws_message_get_header (msg, "s"));
  bytes = sipws_message_to_bytes (msg);
  put_bytes ("edit.to_bytes", bytes);
}

static void
parse_summary (const char   *key,
               SipwsMessage *msg,
               const GError *error,
               gsize         trailing)
{
  g_autoptr(GBytes) bytes = NULL;

  if (msg == NULL)
    {
      put_error (key, error);
      return;
    }
  bytes = sipws_message_to_bytes (msg);
  g_string_append_printf (out, "%s ok trailing=%" G_GSIZE_FORMAT " n_headers=%u to_bytes_fnv=%016"
                          G_GINT64_MODIFIER "x\n", key, trailing, sipws_message_get_n_headers (msg),
                          fnv (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
}

typedef struct {
  gsize max_size;
  guint max_headers;
  gsize max_line;
} Limits;

static void
add_limits (GArray *limits,
            gsize   max_size,
            guint   max_headers,
            gsize   max_line)
{
  Limits l = { max_size, max_headers, max_line };

  for (guint i = 0; i < limits->len; i++)
    {
      const Limits *o = &g_array_index (limits, Limits, i);

      if (o->max_size == max_size && o->max_headers == max_headers && o->max_line == max_line)
        return;
    }
  g_array_append_val (limits, l);
}

/* The limits of parse_full() set exactly at and around this input's own
 * size, longest line, longest field (a folded one counted with and without
 * its inner line breaks) and field count, where an off-by-one shows. The
 * shape is measured crudely (lines end at LF, a line starting with a blank
 * continues a field): it only has to land near the parser's edges. */
static GArray *
limits_for (const char *data,
            gsize       len)
{
  GArray *limits = g_array_new (FALSE, FALSE, sizeof (Limits));
  gsize longest_line = 0, longest_field = 0, longest_field_crlf = 0, field = 0, field_crlf = 0;
  guint n_fields = 0;
  gsize pos = 0;
  gboolean first = TRUE;

  while (pos < len)
    {
      const char *lf = memchr (data + pos, '\n', len - pos);
      gsize line_len = (lf != NULL ? (gsize) (lf - data) : len) - pos;
      gsize next = pos + line_len + (lf != NULL ? 1 : 0);

      if (line_len > 0 && data[pos + line_len - 1] == '\r')
        line_len--;
      if (line_len == 0)
        break;
      longest_line = MAX (longest_line, line_len);
      if (!first && (data[pos] == ' ' || data[pos] == '\t'))
        {
          field += line_len;
          field_crlf += line_len + 2;
        }
      else
        {
          if (!first)
            n_fields++;
          field = field_crlf = line_len;
        }
      longest_field = MAX (longest_field, field);
      longest_field_crlf = MAX (longest_field_crlf, field_crlf);
      first = FALSE;
      pos = next;
    }

  add_limits (limits, 0, 0, 0);
  add_limits (limits, len, 0, 0);
  add_limits (limits, len > 1 ? len - 1 : 1, 0, 0);
  add_limits (limits, 0, 4, 0);
  add_limits (limits, 0, 0, 40);
  add_limits (limits, 512, 12, 120);
  for (gsize d = 0; d < 3; d++)
    {
      gsize lengths[] = { longest_line, longest_field, longest_field_crlf };

      for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
        if (lengths[i] + d >= 2)
          add_limits (limits, 0, 0, lengths[i] + d - 1);
      if (n_fields + d >= 2)
        add_limits (limits, 0, n_fields + (guint) d - 1, 0);
    }
  return limits;
}

static void
handle_message (const char *data,
                gsize       len)
{
  g_autoptr(GArray) limits = limits_for (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  msg = sipws_message_parse (data, len, &error);
  if (msg == NULL)
    put_error ("parse", error);
  else
    dump_message (msg);
  g_clear_error (&error);

  {
    g_autoptr(SipwsMessage) other = sipws_message_parse_bytes (bytes, &error);

    parse_summary ("parse_bytes", other, error, 0);
    g_clear_error (&error);
  }
  for (guint i = 0; i < limits->len; i++)
    {
      const Limits *l = &g_array_index (limits, Limits, i);
      gsize trailing = G_MAXSIZE;
      g_autoptr(SipwsMessage) other = sipws_message_parse_full (bytes, l->max_size, l->max_headers, l->max_line,
                                                                &trailing, &error);
      g_autofree char *k = g_strdup_printf ("parse_full[%" G_GSIZE_FORMAT ",%u,%" G_GSIZE_FORMAT "]",
                                            l->max_size, l->max_headers, l->max_line);

      parse_summary (k, other, error, trailing);
      g_clear_error (&error);
    }

  if (msg != NULL)
    dump_edits (msg);
}

/* ---- URIs and other header values ---- */

/* Other spellings of @text: changed case, an escaped or unescaped
 * character, another IPv6 spelling. Each that parses is compared with
 * @uri, which exercises the comparison of every part (RFC 3261 §19.1.4). */
static void
compare_variants (SipwsUri   *uri,
                  const char *text)
{
  char *variants[6] = { NULL, };
  const char *colon = strchr (text, ':');
  const char *pct = strchr (text, '%');
  const char *ipv6 = strstr (text, "::");

  variants[0] = g_ascii_strup (text, -1);
  variants[1] = g_ascii_strdown (text, -1);
  if (colon != NULL)
    {
      const char *c = colon + 1;

      while (*c != '\0' && !g_ascii_isalpha (*c))
        c++;
      if (*c != '\0')
        {
          variants[2] = g_strdup_printf ("%.*s%%%02x%s", (int) (c - text), text, (guchar) *c, c + 1);
          variants[3] = g_strdup_printf ("%.*s%%%02X%s", (int) (c - text), text, (guchar) *c, c + 1);
        }
    }
  if (pct != NULL && g_ascii_isxdigit (pct[1]) && g_ascii_isxdigit (pct[2]))
    variants[4] = g_strdup_printf ("%.*s%c%s", (int) (pct - text), text,
                                   g_ascii_xdigit_value (pct[1]) * 16 + g_ascii_xdigit_value (pct[2]), pct + 3);
  if (ipv6 != NULL)
    variants[5] = g_strdup_printf ("%.*s:0::%s", (int) (ipv6 - text), text, ipv6 + 2);

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsUri) other = NULL;
      g_autofree char *k = g_strdup_printf ("uri.variant[%u]", i);

      if (variants[i] == NULL)
        continue;
      other = sipws_uri_parse (variants[i], -1, &error);
      if (other == NULL)
        put_error (k, error);
      else
        g_string_append_printf (out, "%s equal=%d equal_rev=%d same_hash=%d\n", k, sipws_uri_equal (uri, other),
                                sipws_uri_equal (other, uri), sipws_uri_hash (uri) == sipws_uri_hash (other));
      g_free (variants[i]);
    }
}

/* The setters share the parameter lists and arenas with the parsers: a
 * copy of each parsed value is edited and dumped again. */
static void
edit_uri (SipwsUri *uri)
{
  g_autoptr(SipwsUri) copy = sipws_uri_copy (uri);
  SipwsUriScheme scheme = sipws_uri_get_scheme (copy);

  if (scheme == SIPWS_URI_SCHEME_OTHER)
    return;
  sipws_uri_set_param (copy, "transport", "tcp");
  sipws_uri_set_param (copy, "lr", NULL);
  put_int ("uri.edit.remove_maddr", sipws_uri_remove_param (copy, "MADDR"));
  put_int ("uri.edit.remove_x", sipws_uri_remove_param (copy, "x"));
  sipws_uri_set_user (copy, "bob;x=%41");
  if (scheme != SIPWS_URI_SCHEME_TEL)
    {
      sipws_uri_set_header (copy, "Subject", "a b&c");
      put_int ("uri.edit.remove_priority", sipws_uri_remove_header (copy, "priority"));
      sipws_uri_set_port (copy, 5061);
      sipws_uri_set_host (copy, "[2001:db8::1]");
    }
  dump_uri_fields ("uri.edit", copy);
}

static void
edit_address (SipwsAddress *address)
{
  g_autoptr(SipwsAddress) copy = sipws_address_copy (address);
  g_autofree char *text = NULL;

  if (sipws_address_is_wildcard (copy))
    return;
  sipws_address_set_param (copy, "tag", "abc");
  sipws_address_set_param (copy, "q", "0.5");
  sipws_address_set_param (copy, "lr", NULL);
  sipws_address_set_param (copy, "+sip.instance", "<urn:uuid:1>");
  sipws_address_set_param (copy, "received", "2001:db8::1");
  put_int ("address.edit.remove_expires", sipws_address_remove_param (copy, "EXPIRES"));
  sipws_address_set_display_name (copy, "A \"B\"");
  put_str ("address.edit.tag", sipws_address_get_tag (copy));
  put_int ("address.edit.q", sipws_address_get_q (copy));
  put_int ("address.edit.expires", sipws_address_get_expires (copy));
  text = sipws_address_to_string (copy);
  put_str ("address.edit.to_string", text);
}

static void
edit_via (SipwsVia *via)
{
  sipws_via_set_param (via, "received", "192.0.2.1");
  sipws_via_set_param (via, "rport", "5060");
  sipws_via_set_param (via, "branch", "z9hG4bKedit");
  sipws_via_set_param (via, "x", NULL);
  dump_via ("via_len.edit", via);
}

static void
handle_value (const char *data,
              gsize       len)
{
  g_autofree char *text = g_strndup (data, len);
  g_autofree char *bracketed = g_strdup_printf ("<%s>", text);
  gboolean has_nul = strlen (text) != len;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(SipwsUri) uri = sipws_uri_parse (data, (gssize) len, &error);

    if (uri == NULL)
      put_error ("uri", error);
    else
      {
        dump_uri ("uri", uri);
        if (!has_nul)
          compare_variants (uri, text);
        edit_uri (uri);
      }
    g_clear_error (&error);
  }
  if (!has_nul)
    {
      g_autoptr(SipwsUri) uri = sipws_uri_parse (text, -1, &error);

      if (uri == NULL)
        put_error ("uri_nul", error);
      else
        {
          g_autofree char *s = sipws_uri_to_string (uri);

          put_str ("uri_nul.to_string", s);
        }
      g_clear_error (&error);
    }
  {
    g_autoptr(SipwsAddress) address = sipws_address_parse (data, (gssize) len, &error);

    if (address == NULL)
      put_error ("address", error);
    else
      {
        dump_address ("address", address);
        edit_address (address);
      }
    g_clear_error (&error);
  }
  {
    g_autoptr(SipwsAddress) address = sipws_address_parse (bracketed, -1, &error);

    if (address == NULL)
      put_error ("address_bracketed", error);
    else
      dump_address ("address_bracketed", address);
    g_clear_error (&error);
  }
  {
    g_autoptr(SipwsVia) via = sipws_via_parse (data, (gssize) len, &error);

    if (via == NULL)
      put_error ("via_len", error);
    else
      {
        g_autofree char *s = sipws_via_to_string (via);

        put_str ("via_len.to_string", s);
        edit_via (via);
      }
    g_clear_error (&error);
  }
  dump_value_parsers ("value", text);
}

/* ---- driver ---- */

static GLogWriterOutput
capture_log (GLogLevelFlags   log_level,
             const GLogField *fields,
             gsize            n_fields,
             gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  /* Debug and info output is the code's own narration, not behaviour. */
  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  g_string_append_printf (logged, "LOG level=%d domain=%s message=", log_level & G_LOG_LEVEL_MASK,
                          domain != NULL ? domain : "-");
  put_escaped (logged, message != NULL ? message : "", message != NULL ? strlen (message) : 0);
  g_string_append_c (logged, '\n');
  return G_LOG_WRITER_HANDLED;
}

static void
handle (gboolean    message_mode,
        guint       index,
        const char *data,
        gsize       len)
{
  g_string_truncate (out, 0);
  g_string_truncate (logged, 0);
  g_string_append_printf (out, "#%u %s len=%" G_GSIZE_FORMAT "\n", index, message_mode ? "message" : "uri", len);
  if (message_mode)
    handle_message (data, len);
  else
    handle_value (data, len);
  g_string_append (out, logged->str);
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* Inputs that crash or hang the core must not end the batch: a child
 * process handles the inputs from @first on, and when it dies the parent
 * writes the verdict for the input it was on and starts another child after
 * it. The child counts finished inputs in memory shared with the parent. */
static gboolean
run_batch (gboolean    message_mode,
           const char *path,
           guint       first)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GError) error = NULL;
  const char *contents;
  gsize length, pos = 0;
  guint n_records, next = first;
  volatile guint *done;

  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      g_printerr ("parse-dump: %s\n", error->message);
      return FALSE;
    }
  contents = g_mapped_file_get_contents (file);
  length = g_mapped_file_get_length (file);
  while (pos < length)
    {
      guint32 n;

      if (length - pos < 4)
        {
          g_printerr ("parse-dump: %s: truncated record header at byte %" G_GSIZE_FORMAT "\n", path, pos);
          return FALSE;
        }
      n = (guint32) (guchar) contents[pos] | (guint32) (guchar) contents[pos + 1] << 8 |
          (guint32) (guchar) contents[pos + 2] << 16 | (guint32) (guchar) contents[pos + 3] << 24;
      if (n > length - pos - 4)
        {
          g_printerr ("parse-dump: %s: record %u runs past the end\n", path, offsets->len);
          return FALSE;
        }
      g_array_append_val (offsets, pos);
      pos += 4 + n;
    }
  n_records = offsets->len;

  done = mmap (NULL, sizeof (guint), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (done == MAP_FAILED)
    {
      g_printerr ("parse-dump: mmap: %s\n", g_strerror (errno));
      return FALSE;
    }
  while (next < n_records)
    {
      pid_t pid;
      int status;

      *done = next;
      fflush (stdout);
      pid = fork ();
      if (pid < 0)
        {
          g_printerr ("parse-dump: fork: %s\n", g_strerror (errno));
          return FALSE;
        }
      if (pid == 0)
        {
          for (guint i = next; i < n_records; i++)
            {
              gsize at = g_array_index (offsets, gsize, i);
              guint32 n = (guint32) (guchar) contents[at] | (guint32) (guchar) contents[at + 1] << 8 |
                          (guint32) (guchar) contents[at + 2] << 16 | (guint32) (guchar) contents[at + 3] << 24;
              /* A copy of exactly the record, so that a read past its end
               * is a read past an allocation for valgrind and ASan (glibc
               * gives a pointer for 0 bytes, where g_malloc() gives NULL). */
              char *record = malloc (n);

              if (record == NULL)
                abort ();
              memcpy (record, contents + at + 4, n);
              alarm (INPUT_TIMEOUT);
              handle (message_mode, i, record, n);
              free (record);
              *done = i + 1;
            }
          /* exit(), not _exit(): a coverage build writes its counters at exit */
          exit (0);
        }
      while (waitpid (pid, &status, 0) < 0)
        if (errno != EINTR)
          {
            g_printerr ("parse-dump: waitpid: %s\n", g_strerror (errno));
            return FALSE;
          }
      if (WIFEXITED (status) && WEXITSTATUS (status) == 0 && *done == n_records)
        break;
      if (WIFSIGNALED (status) && WTERMSIG (status) == SIGALRM)
        printf ("#%u HANG (more than %d s)\n", *done, INPUT_TIMEOUT);
      else if (WIFSIGNALED (status))
        printf ("#%u CRASH signal %d (%s)\n", *done, WTERMSIG (status), g_strsignal (WTERMSIG (status)));
      else
        printf ("#%u CRASH exit status %d\n", *done, WEXITSTATUS (status));
      next = *done + 1;
    }
  fflush (stdout);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean batch = FALSE, message_mode;
  int arg = 1;
  guint index = 0, first = 0;

  if (arg < argc && strcmp (argv[arg], "--batch") == 0)
    {
      batch = TRUE;
      arg++;
      if (arg + 1 < argc && strcmp (argv[arg], "--from") == 0)
        {
          first = (guint) g_ascii_strtoull (argv[arg + 1], NULL, 10);
          arg += 2;
        }
    }
  if (arg + 1 >= argc || (strcmp (argv[arg], "message") != 0 && strcmp (argv[arg], "uri") != 0) ||
      (batch && arg + 2 != argc))
    {
      g_printerr ("usage: parse-dump message|uri FILE...\n"
                  "       parse-dump --batch [--from N] message|uri FILE\n");
      return 2;
    }
  message_mode = strcmp (argv[arg], "message") == 0;
  out = g_string_sized_new (65536);
  logged = g_string_new (NULL);
  g_log_set_writer_func (capture_log, NULL, NULL);

  if (batch)
    return run_batch (message_mode, argv[arg + 1], first) ? 0 : 2;

  for (arg++; arg < argc; arg++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (argv[arg], &contents, &length, &error))
        {
          g_printerr ("parse-dump: %s\n", error->message);
          return 2;
        }
      handle (message_mode, index++, contents, length);
    }
  g_string_free (out, TRUE);
  g_string_free (logged, TRUE);
  return 0;
}
