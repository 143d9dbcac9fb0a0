/* test-torture.c: the RFC 4475 SIP torture messages
 *
 * One test per message of tests/corpus/rfc4475/EXPECT.tsv. Every "valid"
 * message parses, with the values the RFC says it carries; every "invalid"
 * one is rejected by the parser with a precise error or, for the three the
 * RFC calls syntactically fine but semantically wrong, by
 * sipws_message_check_request(); every "semantic" one parses and
 * sipws_message_check_request() answers what the RFC expects of this layer.
 * Statuses that depend on the user agent's capabilities (420 bext01, 415
 * invut, 401 regaut01, 406 sdp01) are the UA's business: those requests
 * pass the check here.
 */
#include <string.h>

#include "sipws-message.h"
#include "sipws-error.h"
#include "sipws-test-utils.h"

typedef void (*VerifyFunc) (SipwsMessage *msg, gsize trailing);

typedef struct {
  const char *file;
  /* parse_error_code < 0: the message parses */
  gint        parse_error_code;
  const char *parse_error_substring;
  /* 0: sipws_message_check_request() accepts it (or it is a response) */
  guint       check_status;
  VerifyFunc  verify;
} Expectation;

typedef struct {
  char *file;
  char *klass;
} TortureCase;

/* Helpers */

static SipwsAddress *
nth_address (GPtrArray *list,
             guint      i)
{
  g_assert_nonnull (list);
  g_assert_cmpuint (i, <, list->len);
  return list->pdata[i];
}

static SipwsVia *
nth_via (SipwsMessage *msg,
         guint         i)
{
  GPtrArray *vias = sipws_message_get_vias (msg);

  g_assert_nonnull (vias);
  g_assert_cmpuint (i, <, vias->len);
  return vias->pdata[i];
}

static void
assert_cseq (SipwsMessage *msg,
             guint32       number,
             const char   *method)
{
  guint32 n = 0;
  const char *m = NULL;

  g_assert_true (sipws_message_get_cseq (msg, &n, &m));
  g_assert_cmpuint (n, ==, number);
  g_assert_cmpstr (m, ==, method);
}

static const char *
body_text (SipwsMessage *msg,
           gsize        *len)
{
  return g_bytes_get_data (sipws_message_get_body (msg), len);
}

/* §3.1.1 valid messages */

static void
verify_wsinv (SipwsMessage *msg,
              gsize         trailing)
{
  SipwsAddress *contact;
  gsize len;

  g_assert_cmpstr (sipws_message_get_method (msg), ==, "INVITE");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_to (msg))), ==, "vivekg");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (msg)), ==, "1918181833n");
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_from (msg)), ==, "J Rosenberg \\\"");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (msg)), ==, "98asjd8");
  /* leading zeros and folded values */
  g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, 68);
  assert_cseq (msg, 9, "INVITE");
  g_assert_cmpuint (sipws_message_get_vias (msg)->len, ==, 3);
  g_assert_cmpstr (sipws_via_get_transport (nth_via (msg, 0)), ==, "UDP");
  g_assert_cmpstr (sipws_via_get_host (nth_via (msg, 0)), ==, "192.0.2.2");
  g_assert_cmpstr (sipws_via_get_branch (nth_via (msg, 0)), ==, "390skdjuw");
  g_assert_false (sipws_via_has_magic_cookie (nth_via (msg, 0)));
  g_assert_cmpstr (sipws_via_get_transport (nth_via (msg, 1)), ==, "TCP");
  g_assert_cmpstr (sipws_via_get_host (nth_via (msg, 1)), ==, "spindle.example.com");
  g_assert_cmpstr (sipws_via_get_branch (nth_via (msg, 1)), ==, "z9hG4bK9ikj8");
  g_assert_cmpstr (sipws_via_get_host (nth_via (msg, 2)), ==, "192.168.255.111");
  g_assert_cmpstr (sipws_via_get_branch (nth_via (msg, 2)), ==, "z9hG4bK30239");
  g_assert_cmpstr (sipws_message_get_header (msg, "Subject"), ==, "");
  g_assert_cmpstr (sipws_message_get_header (msg, "newfangledheader"), ==,
                   "newfangled value continued newfangled value");
  g_assert_cmpstr (sipws_message_get_header (msg, "UnknownHeaderWithUnusualValue"), ==, ";;,,;;,;");
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/sdp");
  g_assert_cmpuint (sipws_message_get_address_list (msg, "Route")->len, ==, 1);
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (nth_address (sipws_message_get_address_list (msg, "Route"), 0)),
                                      "unknown-no-value"));
  contact = nth_address (sipws_message_get_contacts (msg), 0);
  g_assert_cmpstr (sipws_address_get_display_name (contact), ==, "Quoted string \"\"");
  g_assert_cmpstr (sipws_address_get_param (contact, "newparam"), ==, "newvalue");
  g_assert_true (sipws_address_has_param (contact, "secondparam"));
  g_assert_cmpint (sipws_address_get_q (contact), ==, 330);
  body_text (msg, &len);
  g_assert_cmpuint (len, ==, 150);
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 150);
  g_assert_cmpuint (trailing, ==, 0);
}

static void
verify_intmeth (SipwsMessage *msg,
                gsize         trailing)
{
  static const char method[] = "!interesting-Method0123456789_*+`.%indeed'~";
  static const char to_value[] = "\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>";
  const char *name, *value;
  gsize value_len;
  guint i;

  g_assert_cmpstr (sipws_message_get_method (msg), ==, method);
  assert_cseq (msg, 139122385, method);
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  g_assert_cmpstr (sipws_via_get_branch (nth_via (msg, 0)), ==, "z9hG4bK-.!%66*_+`'~");
  g_assert_cmpstr (sipws_uri_get_host (sipws_message_get_request_uri (msg)), ==, "example.com");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (msg)), ==, "_token~1'+`*%!-.");
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_from (msg)), ==, "token1~` token2'+_ token3*%!.-");
  g_assert_cmpstr (sipws_message_get_header (msg, "extensionHeader-!.%*+_`'~"), ==, "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb");

  /* The To display name holds an escaped NUL: the value keeps it. */
  for (i = 0; sipws_message_get_header_nth (msg, i, &name, &value, &value_len); i++)
    if (g_ascii_strcasecmp (name, "To") == 0)
      break;
  g_assert_cmpuint (value_len, ==, sizeof to_value - 1);
  g_assert_cmpmem (value, value_len, to_value, sizeof to_value - 1);
}

static void
verify_esc01 (SipwsMessage *msg,
              gsize         trailing)
{
  SipwsUri *contact_uri = sipws_address_get_uri (nth_address (sipws_message_get_contacts (msg), 0));

  g_assert_cmpstr (sipws_uri_get_user (sipws_message_get_request_uri (msg)), ==, "sips:user@example.com");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_to (msg))), ==, "user");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_from (msg))), ==, "I have spaces");
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "esc01.239409asdfakjkn23onasd0-3234");
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/sdp");
  g_assert_cmpstr (sipws_uri_get_user (contact_uri), ==, "caller");
  g_assert_true (sipws_uri_has_param (contact_uri, "lr"));
  g_assert_cmpstr (sipws_uri_get_param (contact_uri, "name"), ==, "value%41");
}

static void
verify_escnull (SipwsMessage *msg,
                gsize         trailing)
{
  GPtrArray *contacts = sipws_message_get_contacts (msg);
  gsize len = 0;
  const char *user;

  user = sipws_uri_get_user_bytes (sipws_address_get_uri (sipws_message_get_to (msg)), &len);
  g_assert_cmpmem (user, len, "null-\0-null", 11);
  g_assert_cmpuint (contacts->len, ==, 2);
  user = sipws_uri_get_user_bytes (sipws_address_get_uri (nth_address (contacts, 1)), &len);
  g_assert_cmpmem (user, len, "\0\0", 2);
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 0);
}

static void
verify_esc02 (SipwsMessage *msg,
              gsize         trailing)
{
  /* % in a method is a token character, not an escape: this is not REGISTER. */
  g_assert_cmpstr (sipws_message_get_method (msg), ==, "RE%47IST%45R");
  assert_cseq (msg, 29344, "RE%47IST%45R");
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_to (msg)), ==, "%Z%45");
  /* C%6Fntact is an extension header, not Contact. */
  g_assert_cmpuint (sipws_message_get_contacts (msg)->len, ==, 2);
  g_assert_cmpuint (sipws_message_count_headers (msg, "Contact"), ==, 2);
  g_assert_cmpstr (sipws_message_get_header (msg, "C%6Fntact"), ==, "<sip:alias2@host2.example.com>");
}

static void
verify_lwsdisp (SipwsMessage *msg,
                gsize         trailing)
{
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_from (msg)), ==, "caller");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_from (msg))), ==, "caller");
}

static void
verify_longreq (SipwsMessage *msg,
                gsize         trailing)
{
  GPtrArray *vias = sipws_message_get_vias (msg);
  SipwsVia *last;

  g_assert_cmpuint (vias->len, ==, 34);
  g_assert_cmpstr (sipws_via_get_host (nth_via (msg, 0)), ==, "sip33.example.com");
  g_assert_null (sipws_via_get_branch (nth_via (msg, 0)));
  last = nth_via (msg, 33);
  g_assert_cmpstr (sipws_via_get_received (last), ==, "192.0.2.5");
  g_assert_true (g_str_has_prefix (sipws_via_get_branch (last), "verylonglong"));
  g_assert_cmpuint (strlen (sipws_via_get_branch (last)), >, 100);
  g_assert_cmpuint (strlen (sipws_message_get_call_id (msg)), >, 100);
  g_assert_cmpuint (strlen (sipws_address_get_display_name (sipws_message_get_to (msg))), >, 90);
  g_assert_cmpuint (strlen (sipws_address_get_tag (sipws_message_get_from (msg))), >, 140);
  g_assert_cmpuint (strlen (sipws_uri_get_user (sipws_address_get_uri (nth_address (sipws_message_get_contacts (msg), 0)))),
                    >, 100);
  assert_cseq (msg, 3882340, "INVITE");
}

static void
verify_dblreq (SipwsMessage *msg,
               gsize         trailing)
{
  gsize len;

  g_assert_cmpstr (sipws_message_get_method (msg), ==, "REGISTER");
  body_text (msg, &len);
  g_assert_cmpuint (len, ==, 0);
  /* the second request in the datagram is ignored and reported */
  g_assert_cmpuint (trailing, >, 400);
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
}

static void
verify_semiuri (SipwsMessage *msg,
                gsize         trailing)
{
  SipwsUri *uri = sipws_message_get_request_uri (msg);
  g_auto(GStrv) accept = sipws_message_get_header_values (msg, "Accept");

  g_assert_cmpstr (sipws_uri_get_user (uri), ==, "user;par=u@example.net");
  g_assert_cmpstr (sipws_uri_get_host (uri), ==, "example.com");
  g_assert_false (sipws_uri_has_param (uri, "par"));
  /* a folded comma list with a trailing comma before the fold */
  g_assert_cmpuint (g_strv_length (accept), ==, 6);
  g_assert_cmpstr (accept[5], ==, "message/sipfrag");
}

static void
verify_transports (SipwsMessage *msg,
                   gsize         trailing)
{
  static const char *const transports[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };

  g_assert_cmpuint (sipws_message_get_vias (msg)->len, ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    g_assert_cmpstr (sipws_via_get_transport (nth_via (msg, i)), ==, transports[i]);
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "transports.kijh4akdnaqjkwendsasfdj");
}

static void
verify_mpart01 (SipwsMessage *msg,
                gsize         trailing)
{
  g_autoptr(GBytes) file = sipws_test_load_file ("corpus", "rfc4475", "mpart01.dat", NULL);
  gsize file_len, len;
  const char *file_data = g_bytes_get_data (file, &file_len);
  const char *body = body_text (msg, &len);

  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "multipart/mixed");
  g_assert_cmpstr (sipws_message_get_content_type_param (msg, "boundary"), ==, "7a9cbec02ceef655");
  g_assert_cmpuint (len, ==, 553);
  /* the binary body is the tail of the file, byte for byte */
  g_assert_cmpmem (body, len, file_data + file_len - 553, 553);
  g_assert_cmpint (sipws_via_get_rport (nth_via (msg, 0)), ==, 0);
  g_assert_cmpuint (sipws_via_get_port (nth_via (msg, 0)), ==, 5070);
}

static void
verify_unreason (SipwsMessage *msg,
                 gsize         trailing)
{
  g_assert_false (sipws_message_is_request (msg));
  g_assert_cmpuint (sipws_message_get_status_code (msg), ==, 200);
  g_assert_true (g_str_has_prefix (sipws_message_get_reason_phrase (msg), "= 2**3 * 5**2 "));
  g_assert_true (g_utf8_validate (sipws_message_get_reason_phrase (msg), -1, NULL));
  g_assert_cmpuint (g_utf8_strlen (sipws_message_get_reason_phrase (msg), -1), <,
                    strlen (sipws_message_get_reason_phrase (msg)));
}

static void
verify_noreason (SipwsMessage *msg,
                 gsize         trailing)
{
  g_assert_cmpuint (sipws_message_get_status_code (msg), ==, 100);
  g_assert_cmpstr (sipws_message_get_reason_phrase (msg), ==, "");
}

/* §3.2-3.4 semantic messages that parse */

static void
verify_badbranch (SipwsMessage *msg,
                  gsize         trailing)
{
  g_assert_cmpstr (sipws_via_get_branch (nth_via (msg, 0)), ==, "z9hG4bK");
  g_assert_false (sipws_via_has_magic_cookie (nth_via (msg, 0)));
}

static void
verify_unksm2 (SipwsMessage *msg,
               gsize         trailing)
{
  g_assert_cmpint (sipws_uri_get_scheme (sipws_address_get_uri (sipws_message_get_to (msg))), ==, SIPWS_URI_SCHEME_OTHER);
  g_assert_cmpstr (sipws_uri_get_scheme_name (sipws_address_get_uri (sipws_message_get_from (msg))), ==, "http");
  g_assert_cmpstr (sipws_uri_get_scheme_name (sipws_address_get_uri (nth_address (sipws_message_get_contacts (msg), 0))),
                   ==, "name");
}

static void
verify_bext01 (SipwsMessage *msg,
               gsize         trailing)
{
  /* the UA answers 420 listing these; here they are only read */
  g_auto(GStrv) require = sipws_message_get_header_values (msg, "Require");

  g_assert_cmpuint (g_strv_length (require), ==, 2);
  g_assert_cmpstr (require[1], ==, "nothingSupportsThisEither");
  g_assert_true (sipws_message_has_token (msg, "Require", "nothingsupportsthis"));
  g_assert_true (sipws_message_has_token (msg, "Proxy-Require", "norDoAnyProxiesSupportThis"));
  g_assert_false (sipws_message_has_token (msg, "Proxy-Require", "nothingSupportsThis"));
}

static void
verify_invut (SipwsMessage *msg,
              gsize         trailing)
{
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/unknownformat");
}

static void
verify_bcast (SipwsMessage *msg,
              gsize         trailing)
{
  g_assert_cmpstr (sipws_via_get_host (nth_via (msg, 1)), ==, "255.255.255.255");
}

static void
verify_zeromf (SipwsMessage *msg,
               gsize         trailing)
{
  guint status = 0;
  g_autofree char *reason = NULL;

  g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, 0);
  /* a UA accepts it; a proxy that must forward it answers 483 */
  g_assert_false (sipws_message_check_request (msg, TRUE, &status, &reason));
  g_assert_cmpuint (status, ==, 483);
}

static void
verify_cparam01 (SipwsMessage *msg,
                 gsize         trailing)
{
  SipwsAddress *contact = nth_address (sipws_message_get_contacts (msg), 0);

  /* without <>, the parameter belongs to the header, not to the URI */
  g_assert_true (sipws_address_has_param (contact, "unknownparam"));
  g_assert_false (sipws_uri_has_param (sipws_address_get_uri (contact), "unknownparam"));
}

static void
verify_cparam02 (SipwsMessage *msg,
                 gsize         trailing)
{
  SipwsAddress *contact = nth_address (sipws_message_get_contacts (msg), 0);

  g_assert_false (sipws_address_has_param (contact, "unknownparam"));
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (contact), "unknownparam"));
}

static void
verify_regescrt (SipwsMessage *msg,
                 gsize         trailing)
{
  SipwsUri *uri = sipws_address_get_uri (nth_address (sipws_message_get_contacts (msg), 0));

  g_assert_cmpstr (sipws_uri_get_header (uri, "Route"), ==, "<sip:sip.example.com>");
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 0);
}

static void
verify_inv2543 (SipwsMessage *msg,
                gsize         trailing)
{
  gsize len;

  g_assert_null (sipws_via_get_branch (nth_via (msg, 0)));
  g_assert_null (sipws_address_get_tag (sipws_message_get_from (msg)));
  g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, -1);
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, -1);
  /* no Content-Length: the body is the rest of the frame */
  body_text (msg, &len);
  g_assert_cmpuint (len, >, 0);
  g_assert_true (g_str_has_prefix (body_text (msg, &len), "v=0\r\n"));
}

static void
verify_mcl01 (SipwsMessage *msg,
              gsize         trailing)
{
  gsize len;

  /* the first Content-Length frames the body */
  body_text (msg, &len);
  g_assert_cmpuint (len, ==, 13);
  g_assert_cmpuint (trailing, >, 0);
}

static void
verify_multi01 (SipwsMessage *msg,
                gsize         trailing)
{
  assert_cseq (msg, 5, "INVITE");
  g_assert_cmpuint (sipws_message_count_headers (msg, "Call-ID"), ==, 2);
}

#define VALID(file, verify)                     { file, -1, NULL, 0, verify }
#define REJECTED(file, code, substring)         { file, SIPWS_ERROR_##code, substring, 0, NULL }
#define CHECKED(file, status, verify)           { file, -1, NULL, status, verify }

static const Expectation expectations[] = {
  /* §3.1.1 valid */
  VALID ("wsinv.dat", verify_wsinv),
  VALID ("intmeth.dat", verify_intmeth),
  VALID ("esc01.dat", verify_esc01),
  VALID ("escnull.dat", verify_escnull),
  VALID ("esc02.dat", verify_esc02),
  VALID ("lwsdisp.dat", verify_lwsdisp),
  VALID ("longreq.dat", verify_longreq),
  VALID ("dblreq.dat", verify_dblreq),
  VALID ("semiuri.dat", verify_semiuri),
  VALID ("transports.dat", verify_transports),
  VALID ("mpart01.dat", verify_mpart01),
  VALID ("unreason.dat", verify_unreason),
  VALID ("noreason.dat", verify_noreason),
  /* §3.1.2 invalid */
  REJECTED ("badinv01.dat", PARSE, "line 7, column 29: invalid Via header: expected parameter name"),
  REJECTED ("clerr.dat", PARSE, "line 10: Content-Length is 9999 but the body has only 154 bytes"),
  REJECTED ("ncl.dat", PARSE, "invalid Content-Length header: Content-Length must be a decimal number"),
  REJECTED ("scalar02.dat", PARSE, "line 5, column 7: invalid CSeq header: sequence number is larger than 4294967295"),
  REJECTED ("scalarlg.dat", PARSE, "line 5, column 7: invalid CSeq header: sequence number is larger than 4294967295"),
  REJECTED ("quotbal.dat", PARSE, "line 2, column 5: invalid To header: unterminated quoted string"),
  REJECTED ("ltgtruri.dat", PARSE, "line 1, column 8: the Request-URI must not be enclosed in '<>'"),
  REJECTED ("lwsruri.dat", PARSE, "line 1, column 29: blank inside the Request-URI"),
  REJECTED ("lwsstart.dat", PARSE, "line 1, column 8: more than one SP after the method"),
  REJECTED ("trws.dat", PARSE, "SP after the SIP version at the end of the request line"),
  REJECTED ("escruri.dat", PARSE, "line 1, column 8: the Request-URI must not have headers"),
  REJECTED ("baddate.dat", PARSE, "line 8, column 33: invalid Date header: the time zone must be GMT"),
  REJECTED ("regbadct.dat", PARSE, "line 8, column 30: invalid Contact header: a URI with '?' must be enclosed in '<>'"),
  REJECTED ("badaspec.dat", PARSE, "line 5, column 23: invalid To header: blanks are not allowed inside '<>'"),
  REJECTED ("baddn.dat", PARSE, "line 4, column 14: invalid From header: expected '<' after the display name"),
  REJECTED ("badvers.dat", UNSUPPORTED_VERSION, "line 1, column 34: unsupported SIP version 'SIP/7.0'"),
  CHECKED ("mismatch01.dat", 400, NULL),
  CHECKED ("mismatch02.dat", 501, NULL),
  REJECTED ("bigcode.dat", PARSE, "line 1, column 9: the status code must be three digits"),
  /* §3.2-3.4 semantic */
  CHECKED ("badbranch.dat", 0, verify_badbranch),
  CHECKED ("insuf.dat", 400, NULL),
  CHECKED ("unkscm.dat", 416, NULL),
  CHECKED ("novelsc.dat", 416, NULL),
  CHECKED ("unksm2.dat", 0, verify_unksm2),
  CHECKED ("bext01.dat", 0, verify_bext01),
  CHECKED ("invut.dat", 0, verify_invut),
  CHECKED ("regaut01.dat", 0, NULL),
  CHECKED ("multi01.dat", 400, verify_multi01),
  CHECKED ("mcl01.dat", 400, verify_mcl01),
  CHECKED ("bcast.dat", 0, verify_bcast),
  CHECKED ("zeromf.dat", 0, verify_zeromf),
  CHECKED ("cparam01.dat", 0, verify_cparam01),
  CHECKED ("cparam02.dat", 0, verify_cparam02),
  CHECKED ("regescrt.dat", 0, verify_regescrt),
  CHECKED ("sdp01.dat", 0, NULL),
  CHECKED ("inv2543.dat", 0, verify_inv2543),
};

static const Expectation *
find_expectation (const char *file)
{
  for (guint i = 0; i < G_N_ELEMENTS (expectations); i++)
    if (strcmp (expectations[i].file, file) == 0)
      return &expectations[i];
  return NULL;
}

/* What happened to one message: parsed or not, and the check's verdict. */
typedef struct {
  SipwsMessage *msg;
  GError       *error;
  gsize         trailing;
  gboolean      checked_ok;
  guint         status;
  char         *reason;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->msg, sipws_message_unref);
  g_clear_error (&o->error);
  g_clear_pointer (&o->reason, g_free);
}

static void
run (const char *file,
     Outcome    *o)
{
  g_autoptr(GBytes) bytes = sipws_test_load_file ("corpus", "rfc4475", file, NULL);

  memset (o, 0, sizeof *o);
  o->msg = sipws_message_parse_full (bytes, 0, 0, 0, &o->trailing, &o->error);
  if (o->msg == NULL)
    return;
  o->checked_ok = !sipws_message_is_request (o->msg) ||
                  sipws_message_check_request (o->msg, FALSE, &o->status, &o->reason);
}

static void
test_message (gconstpointer data)
{
  const TortureCase *tc = data;
  const Expectation *e = find_expectation (tc->file);
  Outcome o;

  g_assert_nonnull (e);
  run (tc->file, &o);

  if (e->parse_error_code >= 0)
    {
      g_assert_cmpstr (tc->klass, ==, "invalid");
      g_assert_error (o.error, SIPWS_ERROR, e->parse_error_code);
      g_test_message ("%s: %s", tc->file, o.error->message);
      g_assert_nonnull (strstr (o.error->message, e->parse_error_substring));
      outcome_clear (&o);
      return;
    }

  g_assert_no_error (o.error);
  g_assert_nonnull (o.msg);
  if (e->check_status == 0)
    {
      g_assert_true (o.checked_ok);
      g_assert_cmpstr (tc->klass, !=, "invalid");
    }
  else
    {
      g_assert_false (o.checked_ok);
      g_assert_cmpuint (o.status, ==, e->check_status);
      g_assert_nonnull (o.reason);
      g_test_message ("%s: %u %s", tc->file, o.status, o.reason);
      g_assert_cmpstr (tc->klass, !=, "valid");
    }
  if (e->verify != NULL)
    e->verify (o.msg, o.trailing);

  /* Every message that parses survives serialize + parse with the same
   * headers and body. */
  {
    g_autoptr(GBytes) text = sipws_message_to_bytes (o.msg);
    g_autoptr(GError) error = NULL;
    g_autoptr(SipwsMessage) again = sipws_message_parse_bytes (text, &error);
    const char *name, *value, *name2, *value2;
    gsize len, len2;

    g_assert_no_error (error);
    /* to_bytes() adds the Content-Length a message without one lacks */
    g_assert_cmpuint (sipws_message_get_n_headers (again), ==,
                      sipws_message_get_n_headers (o.msg) + (sipws_message_get_content_length (o.msg) < 0));
    for (guint i = 0; sipws_message_get_header_nth (o.msg, i, &name, &value, &len); i++)
      {
        g_assert_true (sipws_message_get_header_nth (again, i, &name2, &value2, &len2));
        g_assert_cmpstr (name, ==, name2);
        if (g_ascii_strcasecmp (name, "Content-Length") != 0 && g_ascii_strcasecmp (name, "l") != 0)
          g_assert_cmpmem (value, len, value2, len2);
      }
    g_assert_true (g_bytes_equal (sipws_message_get_body (o.msg), sipws_message_get_body (again)));
  }
  outcome_clear (&o);
}

static GPtrArray *
load_cases (void)
{
  g_autoptr(GBytes) tsv = sipws_test_load_file ("corpus", "rfc4475", "EXPECT.tsv", NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (tsv, NULL), g_bytes_get_size (tsv));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *cases = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      TortureCase *tc;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), >=, 3);
      if (strcmp (fields[2], "unlisted") == 0)
        continue;
      tc = g_new0 (TortureCase, 1);
      tc->file = g_strdup (fields[0]);
      tc->klass = g_strdup (fields[2]);
      g_ptr_array_add (cases, tc);
    }
  return cases;
}

static void
torture_case_free (gpointer data)
{
  TortureCase *tc = data;

  g_free (tc->file);
  g_free (tc->klass);
  g_free (tc);
}

/* Counts every message again, independent of the tests above, so the
 * score holds when this test runs alone. */
static void
test_summary (void)
{
  g_autoptr(GPtrArray) cases = load_cases ();
  guint valid = 0, valid_ok = 0, invalid = 0, invalid_rejected = 0, semantic = 0;

  for (guint i = 0; i < cases->len; i++)
    {
      TortureCase *tc = cases->pdata[i];
      Outcome o;

      run (tc->file, &o);
      if (strcmp (tc->klass, "valid") == 0)
        {
          valid++;
          valid_ok += o.msg != NULL && o.checked_ok;
        }
      else if (strcmp (tc->klass, "invalid") == 0)
        {
          invalid++;
          invalid_rejected += o.msg == NULL || !o.checked_ok;
        }
      else
        semantic += o.msg != NULL;
      outcome_clear (&o);
      torture_case_free (tc);
    }

  g_test_message ("rfc4475: valid accepted %u/%u, invalid rejected %u/%u", valid_ok, valid, invalid_rejected, invalid);
  g_assert_cmpuint (valid, ==, 13);
  g_assert_cmpuint (invalid, ==, 19);
  g_assert_cmpuint (valid_ok, ==, 13);
  g_assert_cmpuint (invalid_rejected, ==, 19);
  g_assert_cmpuint (semantic, ==, 17);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) cases = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  cases = load_cases ();
  for (guint i = 0; i < cases->len; i++)
    {
      TortureCase *tc = cases->pdata[i];
      g_autofree char *path = g_strdup_printf ("/sipws/torture/%s/%s", tc->klass, tc->file);

      g_test_add_data_func_full (path, tc, test_message, torture_case_free);
    }
  g_test_add_func ("/sipws/torture/summary", test_summary);

  status = g_test_run ();
  return status;
}
