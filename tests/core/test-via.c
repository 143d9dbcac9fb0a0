/* test-via.c: SipwsVia parsing at the edges of its fast path
 *
 * sipws_via_parse_range() reads the common hop ("SIP/2.0/WSS host:port;
 * branch=…;rport=…;received=…") in a fast path and leaves everything else
 * to the general parser. The two must agree on every input: the same hops,
 * the same values, the same errors. The fast path only takes a hop that
 * starts with "SIP/2.0/", so the same text after one blank, which the
 * grammar allows, always goes through the general parser: each case here
 * is parsed both ways and the results compared, besides the values some
 * cases are known to have. (test-message.c covers the Via grammar itself.)
 */
#include <stdlib.h>
#include <string.h>

#include "sipws-message.h"
#include "sipws-error.h"

#define CRLF "\r\n"

/* The column an error message ends with ("... at column N"), or 0. */
static guint
error_column (const char *message)
{
  const char *at = g_strrstr (message, " at column ");

  return at != NULL ? (guint) strtoul (at + strlen (" at column "), NULL, 10) : 0;
}

/* Everything a caller can read of a hop, in one string. */
static char *
describe (SipwsVia *via)
{
  static const char *const names[] = { "branch", "received", "rport", "ttl", "maddr", "alias", "BRANCH", "RPort" };
  g_autofree char *text = sipws_via_to_string (via);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s|%s|%s|%s|%u|%s|%d|%s|%d|%d|%s|%s", sipws_via_get_protocol_name (via),
                          sipws_via_get_protocol_version (via), sipws_via_get_transport (via),
                          sipws_via_get_host (via), sipws_via_get_port (via),
                          sipws_via_get_branch (via) != NULL ? sipws_via_get_branch (via) : "(none)",
                          sipws_via_has_magic_cookie (via),
                          sipws_via_get_received (via) != NULL ? sipws_via_get_received (via) : "(none)",
                          sipws_via_get_rport (via), sipws_via_get_ttl (via),
                          sipws_via_get_maddr (via) != NULL ? sipws_via_get_maddr (via) : "(none)", text);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_append_printf (out, "|%s=%d:%s", names[i], sipws_via_has_param (via, names[i]),
                            sipws_via_get_param (via, names[i]) != NULL ? sipws_via_get_param (via, names[i]) : "(none)");
  return g_string_free (out, FALSE);
}

/* Parses [text, text+len) directly and after one blank, and checks that
 * both give the same hop or the same error (one column further). Returns
 * the description of the hop, or NULL with @error set. */
static char *
parse_both_ways (const char  *text,
                 gsize        len,
                 GError     **error)
{
  g_autofree char *blank = g_malloc (len + 1);
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(GError) general_error = NULL;
  g_autoptr(SipwsVia) direct = NULL;
  g_autoptr(SipwsVia) general = NULL;
  g_autofree char *general_text = NULL;
  char *direct_text;

  blank[0] = ' ';
  memcpy (blank + 1, text, len);
  direct = sipws_via_parse (text, len, &direct_error);
  general = sipws_via_parse (blank, len + 1, &general_error);

  if (direct == NULL)
    {
      g_autofree char *direct_what = NULL;
      g_autofree char *general_what = NULL;

      if (general != NULL)
        g_error ("'%.*s': rejected (%s), accepted after a blank", (int) len, text, direct_error->message);
      g_assert_error (direct_error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      g_assert_error (general_error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      g_assert_cmpuint (error_column (general_error->message), ==, error_column (direct_error->message) + 1);
      direct_what = g_strndup (direct_error->message, g_strrstr (direct_error->message, " at column ") - direct_error->message);
      general_what = g_strndup (general_error->message, g_strrstr (general_error->message, " at column ") - general_error->message);
      g_assert_cmpstr (direct_what, ==, general_what);
      g_propagate_error (error, g_steal_pointer (&direct_error));
      return NULL;
    }
  if (general == NULL)
    g_error ("'%.*s': accepted, rejected after a blank (%s)", (int) len, text, general_error->message);
  direct_text = describe (direct);
  general_text = describe (general);
  g_assert_cmpstr (direct_text, ==, general_text);
  return direct_text;
}

/* The hops of the benchmark corpus and the fast path's edges, valid or
 * not. */
static const char *const edge_cases[] = {
  "SIP/2.0/WSS 2ouvm0fn4lv3.invalid;branch=z9hG4bK8429115;rport=53412;received=203.0.113.57",
  "SIP/2.0/WSS 2ouvm0fn4lv3.invalid;branch=z9hG4bK8429115",
  "SIP/2.0/WSS 2ouvm0fn4lv3.invalid;branch=z9hG4bK1702385;rport",
  "SIP/2.0/WSS 198.51.100.10;branch=z9hG4bK9a1c.5f0e6b7d0000000000000000000000002",
  "SIP/2.0/UDP 198.51.100.20:5060;rport=5060;branch=z9hG4bKPj-4b2c9e1a5d7f",
  /* sent-protocol and transport */
  "SIP/2.0/WS a", "SIP/2.0/ws a", "SIP/2.0/wS a", "SIP/2.0/WSS a", "SIP/2.0/wss a", "SIP/2.0/UDP a",
  "SIP/2.0/udp a", "SIP/2.0/TCP a", "SIP/2.0/tcp a", "SIP/2.0/TLS a", "SIP/2.0/Tls a", "SIP/2.0/SCTP a",
  "SIP/2.0/sctp a", "SIP/2.0/TLS-SCTP a", "SIP/2.0/WSX a", "SIP/2.0/WSSS a", "SIP/2.0/UDPX a", "SIP/2.0/X a",
  "SIP/2.0/W a", "SIP/2.0/WT a", "SIP/2.0/XS a", "SIP/2.0/AB a", "SIP/2.0/WSA a", "SIP/2.0/UDQ a",
  "SIP/2.0/TLT a", "SIP/2.0/ABC a", "SIP/2.0/SCTQ a", "SIP/2.0/ABCD a", "SIP/2.0/ a", "SIP/2.0/WS", "SIP/2.0/WS ", "SIP/2.0/WSS", "SIP/2.0/WSS ", "SIP/2.0/UDP ",
  "SIP/2.0/SCTP", "SIP/2.0/SCTP ", "SIP/2.0/WSS  a", "SIP/2.0/WSS\ta", "SIP/2.0/WS\ta", "SIP/2.0/WSSa",
  "SIP/2.0/W;S a", "SIP/2.0/W@S a", "SIP/2.0/WS; a", "SIP/2.0 /WSS a", "sip/2.0/WSS a", "SIP/2.1/WSS a",
  "SIP/2.0//WSS a", "SIP/2.0/WSS/ a",
  /* sent-by */
  "SIP/2.0/WSS 1.2.3.4", "SIP/2.0/WSS 1.2.3.256", "SIP/2.0/WSS 1.2.3", "SIP/2.0/WSS 1.2.3.4.5",
  "SIP/2.0/WSS a.", "SIP/2.0/WSS a..b", "SIP/2.0/WSS -a", "SIP/2.0/WSS a-", "SIP/2.0/WSS 1a",
  "SIP/2.0/WSS [::1]", "SIP/2.0/WSS [::1]:5060;branch=z9hG4bKx", "SIP/2.0/WSS [::1", "SIP/2.0/WSS ::1",
  "SIP/2.0/WSS a_b", "SIP/2.0/WSS a:5060", "SIP/2.0/WSS a:1", "SIP/2.0/WSS a:65535", "SIP/2.0/WSS a:65536",
  "SIP/2.0/WSS a:0", "SIP/2.0/WSS a:00005060", "SIP/2.0/WSS a:99999999999999999999999", "SIP/2.0/WSS a:",
  "SIP/2.0/WSS a: 5060", "SIP/2.0/WSS a :5060", "SIP/2.0/WSS a:5060 ", "SIP/2.0/WSS a:5060x",
  "SIP/2.0/WSS a:5060;", "SIP/2.0/WSS a ", "SIP/2.0/WSS a x", "SIP/2.0/WSS a,b", "SIP/2.0/WSS a;",
  "SIP/2.0/WSS a;;", "SIP/2.0/WSS a ;branch=z9hG4bKx",
  /* branch */
  "SIP/2.0/WSS a;branch=z9hG4bK", "SIP/2.0/WSS a;branch=z9hG4bKx", "SIP/2.0/WSS a;branch=z9hG4b",
  "SIP/2.0/WSS a;branch=Z9HG4BKx", "SIP/2.0/WSS a;branch=x", "SIP/2.0/WSS a;branch=z9hG4bK-.!%*_+`'~",
  "SIP/2.0/WSS a;branch=", "SIP/2.0/WSS a;branch", "SIP/2.0/WSS a;branch;rport", "SIP/2.0/WSS a;branch=;rport",
  "SIP/2.0/WSS a;BRANCH=z9hG4bKx", "SIP/2.0/WSS a;BrAnCh=z9hG4bKx", "SIP/2.0/WSS a;Branch=1;branch=2",
  "SIP/2.0/WSS a;branch=a:b", "SIP/2.0/WSS a;branch=[x]", "SIP/2.0/WSS a;branch=\"x\"",
  "SIP/2.0/WSS a;branch=a b", "SIP/2.0/WSS a;branch= a", "SIP/2.0/WSS a;branch =a", "SIP/2.0/WSS a; branch=a",
  "SIP/2.0/WSS a;branchx=1", "SIP/2.0/WSS a;branc=1", "SIP/2.0/WSS a;branch=x;", "SIP/2.0/WSS a;branch=x ",
  "SIP/2.0/WSS a;branch=x,", "SIP/2.0/WSS a;branch=x@y",
  /* rport */
  "SIP/2.0/WSS a;rport", "SIP/2.0/WSS a;RPORT", "SIP/2.0/WSS a;rport=", "SIP/2.0/WSS a;rport=0",
  "SIP/2.0/WSS a;rport=1", "SIP/2.0/WSS a;rport=65535", "SIP/2.0/WSS a;rport=65536",
  "SIP/2.0/WSS a;rport=000001", "SIP/2.0/WSS a;rport=99999999999999999999", "SIP/2.0/WSS a;rport=5060x",
  "SIP/2.0/WSS a;rport=x", "SIP/2.0/WSS a;rport=\"5060\"", "SIP/2.0/WSS a;rport=50:60", "SIP/2.0/WSS a;rportx",
  "SIP/2.0/WSS a;rportx=1", "SIP/2.0/WSS a;rpor", "SIP/2.0/WSS a;rpor=1", "SIP/2.0/WSS a;RPort=7",
  "SIP/2.0/WSS a;rport;rport", "SIP/2.0/WSS a;rport=1;RPORT", "SIP/2.0/WSS a;rport ;branch=z9hG4bKx",
  "SIP/2.0/WSS a;rport;branch=z9hG4bKx;received=192.0.2.1",
  /* received */
  "SIP/2.0/WSS a;received=1.2.3.4", "SIP/2.0/WSS a;RECEIVED=1.2.3.4", "SIP/2.0/WSS a;received=1.2.3",
  "SIP/2.0/WSS a;received=1.2.3.4.5", "SIP/2.0/WSS a;received=256.1.1.1", "SIP/2.0/WSS a;received=01.2.3.4",
  "SIP/2.0/WSS a;received=example.com", "SIP/2.0/WSS a;received=::1", "SIP/2.0/WSS a;received=[::1]",
  "SIP/2.0/WSS a;received=2001:db8::1", "SIP/2.0/WSS a;received=", "SIP/2.0/WSS a;received",
  "SIP/2.0/WSS a;receivedx=1", "SIP/2.0/WSS a;receive=1.2.3.4", "SIP/2.0/WSS a;received=1.2.3.4x",
  "SIP/2.0/WSS a;received=1.2.3.4_x", "SIP/2.0/WSS a;received=1.2.3.4-x", "SIP/2.0/WSS a;received=1.2.3.4:5",
  "SIP/2.0/WSS a;received=\"1.2.3.4\"", "SIP/2.0/WSS a;received=1.2.3.4;received=1.2.3.4",
  /* other parameters */
  "SIP/2.0/WSS a;alias", "SIP/2.0/WSS a;branch=z9hG4bKx;alias", "SIP/2.0/WSS a;ttl=1", "SIP/2.0/WSS a;ttl=256",
  "SIP/2.0/WSS a;maddr=224.2.0.1", "SIP/2.0/WSS a;maddr=a..b", "SIP/2.0/WSS a;x=\"q;v\"",
  "SIP/2.0/WSS a;branch=z9hG4bKx;rport=1;received=1.2.3.4;alias", "SIP/2.0/WSS a;rport;received=1.2.3.4;branch=x;rport",
  "SIP/2.0/WSS a;received=1.2.3.4;rport;branch=x;branch=y", "SIP/2.0/WSS a;=1", "SIP/2.0/WSS a;b",
  "SIP/2.0/WSS a;r", "SIP/2.0/WSS a;r=1",
};

static void
test_edges (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (edge_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *description = parse_both_ways (edge_cases[i], strlen (edge_cases[i]), &error);

      g_test_message ("%s -> %s", edge_cases[i], description != NULL ? description : error->message);
    }
}

/* Every prefix of the common hops and every single-byte change of them,
 * including a NUL, a blank and the bytes next to each delimiter. */
static void
test_mutations (void)
{
  static const guchar replacements[] = { '\0', ' ', '\t', ',', ';', '=', ':', '.', '"', '[', '0', '9', 'A', 'z',
                                         0x13, 0x1D, 0x7F, 0x80, 0xFF };
  guint accepted = 0, rejected = 0;

  for (guint i = 0; i < 5; i++)
    {
      const char *hop = edge_cases[i];
      gsize len = strlen (hop);
      g_autofree char *copy = g_strdup (hop);

      for (gsize cut = 0; cut <= len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *description = parse_both_ways (hop, cut, &error);

          if (description != NULL)
            accepted++;
          else
            rejected++;
        }
      for (gsize at = 0; at < len; at++)
        for (guint r = 0; r < G_N_ELEMENTS (replacements); r++)
          {
            g_autoptr(GError) error = NULL;
            g_autofree char *description = NULL;

            copy[at] = (char) replacements[r];
            description = parse_both_ways (copy, len, &error);
            if (description != NULL)
              accepted++;
            else
              rejected++;
            copy[at] = hop[at];
          }
    }
  /* both kinds are well represented */
  g_assert_cmpuint (accepted, >, 200);
  g_assert_cmpuint (rejected, >, 500);
}

/* Hops put together at random from pieces around the fast path's edges,
 * with a fixed seed: combinations the lists above do not spell out. */
static void
test_random (void)
{
  static const char *const starts[] = { "SIP/2.0/", "SIP/2.0/", "SIP/2.0/", "sip/2.0/", "SIP/2.0 /", "SIP/2.0" };
  static const char *const transports[] = { "WSS", "wss", "WS", "wS", "UDP", "TCP", "tls", "SCTP", "TLS-SCTP", "WSX",
                                            "X", "" };
  static const char *const blanks[] = { " ", " ", " ", "  ", "\t", "" };
  static const char *const hosts[] = { "2ouvm0fn4lv3.invalid", "198.51.100.10", "a", "a.", "1.2.3.256", "[::1]",
                                       "-a", "1.2.3", "" };
  static const char *const ports[] = { "", "", ":5060", ":1", ":65535", ":65536", ":0", ":", ":00001", ": 5" };
  static const char *const params[] = {
    ";branch=z9hG4bK8429115", ";branch=z9hG4bK", ";BRANCH=z9hG4bKx", ";branch=x", ";branch=", ";branch",
    ";branch=a:b", ";branch=\"x\"", ";rport", ";rport=53412", ";RPORT=1", ";rport=0", ";rport=65536", ";rport=",
    ";received=203.0.113.57", ";Received=1.2.3.4", ";received=1.2.3", ";received=::1", ";received=a.b",
    ";alias", ";ttl=1", ";maddr=a", ";", " ;rport", "; rport", ";rport ", ",", " x",
  };
  GRand *rand = g_rand_new_with_seed (4475);
  guint accepted = 0;

  for (guint i = 0; i < 20000; i++)
    {
      GString *hop = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *description = NULL;
      guint n_params = g_rand_int_range (rand, 0, 5);

      g_string_append (hop, starts[g_rand_int_range (rand, 0, G_N_ELEMENTS (starts))]);
      g_string_append (hop, transports[g_rand_int_range (rand, 0, G_N_ELEMENTS (transports))]);
      g_string_append (hop, blanks[g_rand_int_range (rand, 0, G_N_ELEMENTS (blanks))]);
      g_string_append (hop, hosts[g_rand_int_range (rand, 0, G_N_ELEMENTS (hosts))]);
      g_string_append (hop, ports[g_rand_int_range (rand, 0, G_N_ELEMENTS (ports))]);
      for (guint k = 0; k < n_params; k++)
        g_string_append (hop, params[g_rand_int_range (rand, 0, G_N_ELEMENTS (params))]);
      description = parse_both_ways (hop->str, hop->len, &error);
      accepted += description != NULL;
      g_string_free (hop, TRUE);
    }
  g_rand_free (rand);
  g_test_message ("%u of 20000 accepted", accepted);
  g_assert_cmpuint (accepted, >, 1000);
}

/* parse_both_ways() on @hop, which it frees: whether it was accepted. */
static gboolean
accepted_both_ways (char *hop)
{
  g_autofree char *text = hop;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = parse_both_ways (text, strlen (text), &error);

  return description != NULL;
}

/* The fast path reads the sent-by host 32 bytes at a time when that many
 * are left, the received= address and the branch after its cookie 16 bytes
 * at a time: values of every length around those sizes, each rule broken
 * at each place, before tails of every length. */
static void
test_lengths (void)
{
  static const char *const hosts[] = {
    "a", "A.b", "x1-2.example", "2ouvm0fn4lv3.invalid", "198.51.100.10", "a.", "a..b", ".a", "a-", "-a", "a.-b",
    "a-.b", "a.1", "1.a", "1a.b2", "1.2.3.4", "1.2.3.4.", "1.2.3.4.5", "1.2.3", "999.1.1.1", "a.b.c.d.e.f.g.h.i.j.k",
    "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz012345",
    "abcdefghijklmnopqrstuvwxyz0123456", "a.bcdefghijklmnopqrstuvwxyz01234-", "0.bcdefghijklmnopqrstuvwxyz01234",
    "a.bcdefghijklmnopqrstuvwxyz0123.5", "a.bcdefghijklmnopqrstuvwxyz01.c.", "a.bcdefghijklmnopqrstuvwxyz012.4.",
  };
  static const char *const addresses[] = {
    "0.0.0.0", "1.2.3.4", "255.255.255.255", "255.255.255.256", "256.1.1.1", "199.249.250.255", "299.1.1.1",
    "2.22.222.225", "26.1.1.1", "260.1.1.1", "001.002.003.004", "0001.2.3.4", "1.2.3.4.", "1.2.3.4.5", "1.2.3",
    "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4a", "1.2.3.4-", "a.2.3.4", "1.2.3.a", "123.123.123.1234",
  };
  static const char *const branches[] = {
    "", "1", "12345678", "123456789012345", "1234567890123456", "12345678901234567", "7f3e.2b1c", "Pj-4b2c",
    "123456789012345.", "1234567890123456.", "12345678901234567.", "1234567890123456-x", "x~y", "x!",
  };
  static const char *const tails[] = {
    "", ";rport", ";rport=53412;received=203.0.113.57", ";x", ",", " ", "!", ";rport;alias=0123456789abcdef",
  };
  guint accepted = 0, n = 0;

  for (guint t = 0; t < G_N_ELEMENTS (tails); t++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (hosts); i++, n += 2)
        accepted += accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS %s;branch=z9hG4bK1%s", hosts[i], tails[t])) +
                    accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS %s:5060;branch=z9hG4bK1%s", hosts[i], tails[t]));
      for (guint i = 0; i < G_N_ELEMENTS (addresses); i++, n++)
        accepted += accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS a;branch=z9hG4bK1;received=%s%s", addresses[i],
                                                         tails[t]));
      for (guint i = 0; i < G_N_ELEMENTS (branches); i++, n++)
        accepted += accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS a;branch=z9hG4bK%s%s", branches[i], tails[t]));
    }
  g_test_message ("%u of %u accepted", accepted, n);
  g_assert_cmpuint (accepted, >, n / 4);
  g_assert_cmpuint (accepted, <, n * 3 / 4);
}

/* The port and rport numbers, read 8 bytes at a time when 8 are left:
 * every length of digits and leading zeros, the limits, each byte that can
 * end the digits (those next to '0' and '9' among them), with and without
 * 8 bytes after the number's start. */
static void
test_numbers (void)
{
  static const char *const numbers[] = {
    "", "0", "00", "1", "01", "001", "0001", "00001", "000001", "9", "10", "99", "5060", "09999", "65535", "65536",
    "99999", "100000", "123456", "1234567", "12345678", "123456789",
  };
  static const char *const after[] = { "", ";", ";rport;x=1", "x", "/", ":", "\x80", "\xff", " ", ",", ".5", ";branch=z9hG4bK1234" };
  guint accepted = 0, n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    for (guint k = 0; k < G_N_ELEMENTS (after); k++, n += 2)
      accepted += accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS a;branch=z9hG4bK1;rport=%s%s", numbers[i], after[k])) +
                  accepted_both_ways (g_strdup_printf ("SIP/2.0/WSS a:%s%s", numbers[i], after[k]));
  g_test_message ("%u of %u accepted", accepted, n);
  g_assert_cmpuint (accepted, >, n / 8);
  g_assert_cmpuint (accepted, <, n / 2);
}

/* The values of the common shapes, which the fast path reads. */
static void
test_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsVia) full = sipws_via_parse ("SIP/2.0/wss 2ouvm0fn4lv3.invalid:443;RPort=53412;"
                                              "Branch=z9hG4bK8429115;received=203.0.113.57",
                                              -1, &error);
  g_autoptr(SipwsVia) flag = sipws_via_parse ("SIP/2.0/Sctp 198.51.100.10;rport;branch=z9hG4bK", -1, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (sipws_via_get_protocol_name (full), ==, "SIP");
  g_assert_cmpstr (sipws_via_get_protocol_version (full), ==, "2.0");
  g_assert_cmpstr (sipws_via_get_transport (full), ==, "WSS");
  g_assert_cmpstr (sipws_via_get_host (full), ==, "2ouvm0fn4lv3.invalid");
  g_assert_cmpuint (sipws_via_get_port (full), ==, 443);
  g_assert_cmpstr (sipws_via_get_branch (full), ==, "z9hG4bK8429115");
  g_assert_true (sipws_via_has_magic_cookie (full));
  g_assert_cmpint (sipws_via_get_rport (full), ==, 53412);
  g_assert_cmpstr (sipws_via_get_received (full), ==, "203.0.113.57");
  g_assert_cmpint (sipws_via_get_ttl (full), ==, -1);
  g_assert_null (sipws_via_get_maddr (full));
  g_assert_cmpstr (sipws_via_get_param (full, "rport"), ==, "53412");
  text = sipws_via_to_string (full);
  g_assert_cmpstr (text, ==, "SIP/2.0/WSS 2ouvm0fn4lv3.invalid:443;RPort=53412;Branch=z9hG4bK8429115;received=203.0.113.57");
  g_clear_pointer (&text, g_free);

  g_assert_cmpstr (sipws_via_get_transport (flag), ==, "SCTP");
  g_assert_cmpuint (sipws_via_get_port (flag), ==, 0);
  g_assert_cmpint (sipws_via_get_rport (flag), ==, 0);
  g_assert_true (sipws_via_has_param (flag, "rport"));
  g_assert_null (sipws_via_get_param (flag, "rport"));
  g_assert_cmpstr (sipws_via_get_branch (flag), ==, "z9hG4bK");
  g_assert_false (sipws_via_has_magic_cookie (flag));
  g_assert_null (sipws_via_get_received (flag));

  /* setting parameters on a hop the fast path read: in place, then
   * appended beyond the room the parse left */
  sipws_via_set_param (flag, "rport", "5060");
  sipws_via_set_param (flag, "BRANCH", "z9hG4bKnew");
  sipws_via_set_param (flag, "received", "192.0.2.1");
  sipws_via_set_param (flag, "ttl", "7");
  g_assert_cmpint (sipws_via_get_rport (flag), ==, 5060);
  g_assert_cmpstr (sipws_via_get_branch (flag), ==, "z9hG4bKnew");
  g_assert_true (sipws_via_has_magic_cookie (flag));
  g_assert_cmpstr (sipws_via_get_received (flag), ==, "192.0.2.1");
  g_assert_cmpint (sipws_via_get_ttl (flag), ==, 7);
  text = sipws_via_to_string (flag);
  g_assert_cmpstr (text, ==, "SIP/2.0/SCTP 198.51.100.10;rport=5060;branch=z9hG4bKnew;received=192.0.2.1;ttl=7");
}

/* Several hops in one header value, each read in place in the message's
 * copy of it: one hop's strings must not cut into the next one's. */
static void
test_message_hops (void)
{
  static const char text[] =
    "SIP/2.0 200 OK" CRLF
    "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport=5;received=192.0.2.1,SIP/2.0/UDP 192.0.2.2:5060;rport;"
    "branch=z9hG4bK2 , SIP/2.0/TCP b;branch=z9hG4bK3;alias" CRLF
    "v: SIP/2.0/WS c;received=192.0.2.4" CRLF
    "To: <sip:bob@example.com>;tag=1" CRLF
    "From: <sip:alice@example.com>;tag=2" CRLF
    "Call-ID: x" CRLF
    "CSeq: 1 INVITE" CRLF CRLF;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);
  static const char *const expected[] = {
    "SIP|2.0|WSS|a.invalid|0|z9hG4bK1|1|192.0.2.1|5|-1|(none)|SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport=5;received=192.0.2.1",
    "SIP|2.0|UDP|192.0.2.2|5060|z9hG4bK2|1|(none)|0|-1|(none)|SIP/2.0/UDP 192.0.2.2:5060;rport;branch=z9hG4bK2",
    "SIP|2.0|TCP|b|0|z9hG4bK3|1|(none)|-1|-1|(none)|SIP/2.0/TCP b;branch=z9hG4bK3;alias",
    "SIP|2.0|WS|c|0|(none)|0|192.0.2.4|-1|-1|(none)|SIP/2.0/WS c;received=192.0.2.4",
  };

  GPtrArray *vias;

  g_assert_no_error (error);
  vias = sipws_message_get_vias (msg);
  g_assert_cmpuint (vias->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *description = describe (vias->pdata[i]);

      if (!g_str_has_prefix (description, expected[i]) || description[strlen (expected[i])] != '|')
        g_error ("hop %u: '%s' does not start with '%s'", i, description, expected[i]);
    }
}

/* Hops the fast path gives up on late, after it wrote the NULs of what it
 * read: the general parser, reading the same copy of the text again, must
 * still get every string whole (a name that only starts like a known one,
 * a value that goes on), alone or as the first hop of a list. */
static void
test_late_fallback (void)
{
  static const struct {
    const char *value;
    const char *first;
  } cases[] = {
    { "SIP/2.0/WSS a;branch=z9hG4bK1;rportx", "SIP|2.0|WSS|a|0|z9hG4bK1|1|(none)|-1|-1|(none)|SIP/2.0/WSS a;branch=z9hG4bK1;rportx" },
    { "SIP/2.0/WSS a;rport=5;branch=z9hG4bK1x.y\"", NULL },
    { "SIP/2.0/WSS a:5060;rport=5;received=192.0.2.1;alias",
      "SIP|2.0|WSS|a|5060|(none)|0|192.0.2.1|5|-1|(none)|SIP/2.0/WSS a:5060;rport=5;received=192.0.2.1;alias" },
    { "SIP/2.0/WSS a;branch=z9hG4bK1;received=192.0.2.1x", NULL },
    { "SIP/2.0/WSS a;branch=z9hG4bK1;rport=5060x;received=192.0.2.1", NULL },
    { "SIP/2.0/WSS a;branch=z9hG4bK1;rport;rport=7", NULL },
    { "SIP/2.0/WSS a;branch=z9hG4bK1 ;rport",
      "SIP|2.0|WSS|a|0|z9hG4bK1|1|(none)|0|-1|(none)|SIP/2.0/WSS a;branch=z9hG4bK1;rport" },
    { "SIP/2.0/WSS a;branch=z9hG4bK1;rport=5,SIP/2.0/UDP b;branch=z9hG4bK2",
      "SIP|2.0|WSS|a|0|z9hG4bK1|1|(none)|5|-1|(none)|SIP/2.0/WSS a;branch=z9hG4bK1;rport=5" },
    { "SIP/2.0/WSS a;received=192.0.2.1;branch=z9hG4bK1;receivedx=1",
      "SIP|2.0|WSS|a|0|z9hG4bK1|1|192.0.2.1|-1|-1|(none)|SIP/2.0/WSS a;received=192.0.2.1;branch=z9hG4bK1;receivedx=1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("OPTIONS sip:b@example.com SIP/2.0" CRLF "Via: ", cases[i].value,
                                           CRLF "To: <sip:b@example.com>" CRLF "From: <sip:a@example.com>;tag=1" CRLF
                                           "Call-ID: x" CRLF "CSeq: 1 OPTIONS" CRLF CRLF, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);
      g_autofree char *description = NULL;

      if (cases[i].first == NULL)
        {
          g_assert_null (msg);
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          continue;
        }
      g_assert_no_error (error);
      description = describe (sipws_message_get_top_via (msg));
      if (!g_str_has_prefix (description, cases[i].first) || description[strlen (cases[i].first)] != '|')
        g_error ("'%s': '%s' does not start with '%s'", cases[i].value, description, cases[i].first);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/via/edges", test_edges);
  g_test_add_func ("/sipws/via/mutations", test_mutations);
  g_test_add_func ("/sipws/via/random", test_random);
  g_test_add_func ("/sipws/via/lengths", test_lengths);
  g_test_add_func ("/sipws/via/numbers", test_numbers);
  g_test_add_func ("/sipws/via/values", test_values);
  g_test_add_func ("/sipws/via/message-hops", test_message_hops);
  g_test_add_func ("/sipws/via/late-fallback", test_late_fallback);

  return g_test_run ();
}
