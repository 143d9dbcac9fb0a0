/* test-scan.c: sipws_scan_host() against the host grammar of RFC 3261 §25.1
 * read literally
 *
 * The scanner reads up to 32 bytes at a time from masks and falls back to a
 * byte loop for longer runs (and without SSE2); the reference below splits
 * the run into labels and checks each rule on its own. Every input is
 * copied into a block of exactly its length, so a read past the range is
 * caught by valgrind.
 */
#include <stdlib.h>
#include <string.h>

#include "sipws-scan-private.h"

static gboolean
ref_is_host_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.';
}

/* domainlabel / toplabel: alphanum, inner '-', 1 to 63 bytes */
static gboolean
ref_label_ok (const char *s,
              gsize       len)
{
  if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-')
      return FALSE;
  return TRUE;
}

/* Splits [s, s+len) at every '.' (empty labels included). */
static GPtrArray *
ref_labels (const char *s,
            gsize       len)
{
  g_autofree char *copy = g_strndup (s, len);
  g_auto (GStrv) parts = g_strsplit (copy, ".", -1);
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    g_ptr_array_add (labels, g_strdup (parts[i]));
  return labels;
}

/* IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255 */
static gboolean
ref_is_ipv4 (const char *s,
             gsize       len)
{
  g_autoptr (GPtrArray) labels = ref_labels (s, len);

  if (labels->len != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      const char *label = labels->pdata[i];
      gsize n = strlen (label);

      if (n < 1 || n > 3 || strspn (label, "0123456789") != n || atoi (label) > 255)
        return FALSE;
    }
  return TRUE;
}

/* The label that decides what the run is meant as: the last one, or the
 * one before a final '.' (which hostname allows); NULL when it is empty. */
static const char *
ref_deciding_label (GPtrArray *labels,
                    gsize      len)
{
  const char *last = labels->pdata[labels->len - 1];

  if (last[0] == '\0' && labels->len > 1 && len > 1)
    last = labels->pdata[labels->len - 2];
  return last[0] != '\0' ? last : NULL;
}

/* hostname = *( domainlabel "." ) toplabel [ "." ], toplabel starting with
 * a letter, at most 255 bytes in all */
static gboolean
ref_is_hostname (const char *s,
                 gsize       len)
{
  g_autoptr (GPtrArray) labels = ref_labels (s, len);
  guint count = labels->len;
  const char *top;

  if (len == 0 || len > 255)
    return FALSE;
  /* the optional final '.' leaves an empty last label */
  if (len > 1 && s[len - 1] == '.')
    count--;
  for (guint i = 0; i < count; i++)
    if (!ref_label_ok (labels->pdata[i], strlen (labels->pdata[i])))
      return FALSE;
  top = labels->pdata[count - 1];
  return g_ascii_isalpha (top[0]);
}

static SipwsScanHost
ref_kind (const char *s,
          gsize       len)
{
  g_autoptr (GPtrArray) labels = NULL;
  const char *decides;

  if (len > 0 && g_ascii_isdigit (s[0]) && ref_is_ipv4 (s, len))
    return SIPWS_SCAN_HOST_IPV4;
  if (ref_is_hostname (s, len))
    return SIPWS_SCAN_HOST_NAME;
  if (len == 0)
    return SIPWS_SCAN_HOST_BAD_NAME;
  labels = ref_labels (s, len);
  decides = ref_deciding_label (labels, len);
  /* meant as an IPv4 address: first and deciding label start with a digit */
  return g_ascii_isdigit (s[0]) && decides != NULL && g_ascii_isdigit (decides[0])
         ? SIPWS_SCAN_HOST_BAD_IPV4 : SIPWS_SCAN_HOST_BAD_NAME;
}

static guint checked;

/* Scans [text, text+len) from an exact-size copy and compares with the
 * reference. */
static void
check_host (const char *text,
            gsize       len)
{
  char *copy = g_malloc (MAX (len, 1));
  gsize run = 0;
  SipwsScanHost kind = (SipwsScanHost) -1, want;
  const char *end;

  memcpy (copy, text, len);
  while (run < len && ref_is_host_char (text[run]))
    run++;
  want = ref_kind (text, run);

  end = sipws_scan_host (copy, copy + len, &kind);
  if ((gsize) (end - copy) != run || kind != want)
    {
      g_autofree char *raw = g_strndup (text, len);
      g_autofree char *shown = g_strescape (raw, NULL);

      g_test_message ("\"%s\" (%" G_GSIZE_FORMAT " bytes): end %" G_GSSIZE_FORMAT " kind %d, want %"
                      G_GSIZE_FORMAT " kind %d", shown, len, (gssize) (end - copy), kind, run, want);
    }
  g_assert_cmpint (end - copy, ==, run);
  g_assert_cmpint (kind, ==, want);
  g_assert_cmpint (sipws_scan_is_ipv4 (copy, copy + len), ==, run == len && want == SIPWS_SCAN_HOST_IPV4);
  g_assert_cmpint (sipws_scan_is_hostname (copy, copy + len), ==, run == len && want == SIPWS_SCAN_HOST_NAME);
  g_free (copy);
  checked++;
}

static void
check_string (const char *text)
{
  check_host (text, strlen (text));
}

static const char *const samples[] = {
  "example.com", "198.51.100.10", "2ouvm0fn4lv3.invalid", "scscf.example.com", "203.0.113.57",
};

/* what follows a host in a URI or a Via, "" for a range ending with it */
static const char *const followers[] = {
  "", ":", ";", ">", ":5060", ";transport=ws;ob", ">;tag=a1", " SIP/2.0", ";branch=z9hG4bK8429115;rport",
};

static void
test_scan_host_samples (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    for (guint j = 0; j < G_N_ELEMENTS (followers); j++)
      {
        g_autofree char *text = g_strconcat (samples[i], followers[j], NULL);
        gsize len = strlen (text);

        /* every range that the text starts */
        for (gsize cut = 0; cut <= len; cut++)
          check_host (text, cut);
      }
}

static void
test_scan_host_one_byte (void)
{
  static const char bytes[] = "aZz0159-.:;@>\x80\xff";

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    for (guint j = 0; j < 3; j++)
      {
        g_autofree char *text = g_strconcat (samples[i], followers[j], NULL);
        gsize len = strlen (text);

        for (gsize pos = 0; pos < len; pos++)
          {
            /* the NUL of the literal is one of the bytes */
            for (guint b = 0; b < sizeof bytes; b++)
              {
                char saved = text[pos];

                text[pos] = bytes[b];
                check_host (text, len);
                text[pos] = saved;
              }
            /* one byte removed, one inserted */
            {
              g_autofree char *cut = g_strdup_printf ("%.*s%s", (int) pos, text, text + pos + 1);
              g_autofree char *grown = g_strdup_printf ("%.*s.%s", (int) pos, text, text + pos);

              check_string (cut);
              check_string (grown);
            }
          }
      }
}

/* @count labels of @len bytes each, joined with dots */
static char *
make_labels (guint count,
             guint len,
             char  fill)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append_c (s, '.');
      g_string_append_c (s, 'a' + i % 26);
      for (guint k = 1; k < len; k++)
        g_string_append_c (s, fill);
    }
  return g_string_free (s, FALSE);
}

static void
test_scan_host_limits (void)
{
  for (guint len = 60; len <= 66; len++)
    {
      g_autofree char *label = make_labels (1, len, 'x');
      /* what goes before and after the long label */
      static const char *const forms[][2] = {
        { "", "" }, { "", ".com" }, { "a.", "" }, { "a.", ".com" }, { "", "." }, { "a-", "" },
        { "", "-1.b" }, { "1.", "" },
      };

      for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
        for (guint j = 0; j < 3; j++)
          {
            g_autofree char *text = g_strconcat (forms[f][0], label, forms[f][1], followers[j], NULL);

            check_string (text);
          }
    }

  /* whole names of 250 to 260 bytes, with and without a final '.' */
  for (guint total = 250; total <= 260; total++)
    {
      /* four labels of 60 and one to make up the length */
      g_autofree char *head = make_labels (4, 60, 'y');
      GString *s = g_string_new (head);

      g_string_append (s, ".z");
      while (s->len < total)
        g_string_append_c (s, 'q');
      check_host (s->str, s->len);
      g_string_truncate (s, total - 1);
      g_string_append_c (s, '.');
      check_host (s->str, s->len);
      g_string_append (s, ":5060");
      check_host (s->str, s->len);
      g_string_free (s, TRUE);
    }

  /* runs around the 16- and 32-byte steps of the scanner */
  for (guint len = 1; len <= 70; len++)
    {
      GString *s = g_string_new (NULL);

      for (guint i = 0; i < len; i++)
        g_string_append_c (s, i % 4 == 3 ? '.' : "1a-9"[i % 4]);
      for (guint j = 0; j < G_N_ELEMENTS (followers); j++)
        {
          g_autofree char *text = g_strconcat (s->str, followers[j], NULL);

          check_string (text);
          text[len - 1] = 'b';
          check_string (text);
          text[len - 1] = '7';
          check_string (text);
        }
      g_string_free (s, TRUE);
    }
}

static void
test_scan_host_ipv4 (void)
{
  static const char *const cases[] = {
    "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.256.1.1", "1.1.256.1", "1.1.1.256", "199.1.1.1",
    "200.1.1.1", "249.1.1.1", "250.1.1.1", "254.1.1.1", "260.1.1.1", "300.1.1.1", "999.1.1.1",
    "1.2.3.255", "1.2.3.259", "1.2.3.265", "1.2.3.355", "1.2.3.4", "12.34.56.78", "123.234.210.201",
    "01.02.03.04", "001.002.003.004", "000.000.000.000", "0001.2.3.4", "1.2.3.0004", "1.2.3", "1.2",
    "1", "12", "123", "1234", "1.2.3.4.5", "1.2.3.4.", "1.2.3.", "1..3.4", ".1.2.3.4", "1.2.3.4-",
    "1.2.3.4a", "a.1.2.3", "1.2.3.a", "1.2.3.a4", "1.2.3.4a5", "1-2.3.4.5", "1.2.3.-4", "1.2.3.4-a",
    "1.2.3.4.com", "1.2.3.com.", "1.2.3.4.5.6.7.8", "255.255.255.2555", "1.2.3.4:5060",
    "1.2.3.4;x", "1.2.3.4>", "2.2.2", "10.0.0.1.", "10.0.0..1", "1.", "1..", ".", "..", "-", "-.",
    "a.", "a..", ".a", "a-", "-a", "a.-b", "a-.b", "a.b-", "a.1", "a.1b", "1a.b", "1.b", "1.b2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint j = 0; j < 4; j++)
      {
        g_autofree char *text = g_strconcat (cases[i], followers[j], NULL);

        check_string (text);
      }

  /* every dotted quad of parts 0, 9, 10, 99, 100, 199, 200, 249, 250,
   * 255, 256, 299, 300 and with leading zeros */
  {
    static const char *const parts[] = { "0", "9", "10", "99", "100", "199", "200", "249", "250",
                                         "255", "256", "299", "300", "00", "000", "010" };
    for (guint a = 0; a < G_N_ELEMENTS (parts); a++)
      for (guint b = 0; b < G_N_ELEMENTS (parts); b++)
        for (guint d = 0; d < G_N_ELEMENTS (parts); d += 3)
          {
            g_autofree char *text = g_strdup_printf ("%s.%s.1.%s", parts[a], parts[b], parts[d]);

            check_string (text);
          }
  }
}

static void
test_scan_host_empty (void)
{
  SipwsScanHost kind = (SipwsScanHost) -1;
  const char *text = "x";

  /* an empty range is not read at all */
  g_assert_true (sipws_scan_host (text, text, &kind) == text);
  g_assert_cmpint (kind, ==, SIPWS_SCAN_HOST_BAD_NAME);
  check_host ("", 0);
  check_string (":");
  check_string ("\x80");
}

static void
test_scan_host_random (void)
{
  /* host bytes (dots and digits often), now and then another */
  static const char alphabet[] = "0123456789..........abcxyzABZ--";
  static const char others[] = ":;>@ _\x80\xff";
  GRand *rand = g_rand_new_with_seed (20261121);

  for (guint round = 0; round < 40000; round++)
    {
      /* mostly short, some past 32 and 64 bytes */
      guint len = round % 10 == 0 ? g_rand_int_range (rand, 0, 90) : g_rand_int_range (rand, 0, 24);
      char text[90];

      for (guint i = 0; i < len; i++)
        text[i] = g_rand_int_range (rand, 0, 40) == 0 ? others[g_rand_int_range (rand, 0, sizeof others - 1)]
                  : alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      check_host (text, len);
    }

  /* dotted quads, valid or nearly */
  for (guint round = 0; round < 20000; round++)
    {
      guint parts = g_rand_int_range (rand, 3, 6);
      GString *s = g_string_new (NULL);

      for (guint i = 0; i < parts; i++)
        {
          if (i > 0)
            g_string_append_c (s, '.');
          g_string_append_printf (s, g_rand_boolean (rand) ? "%u" : "%03u", g_rand_int_range (rand, 0, 300));
        }
      if (g_rand_int_range (rand, 0, 4) == 0)
        g_string_append_c (s, "a.-:"[g_rand_int_range (rand, 0, 4)]);
      check_host (s->str, s->len);
      g_string_free (s, TRUE);
    }
  g_rand_free (rand);
  g_test_message ("%u ranges checked", checked);
}

/* sipws_scan_caseless_equal() compares whole words first: against the
 * byte-by-byte ASCII case folding, for every length up to 40, equal
 * strings, case changes and single-byte changes at every place (bytes
 * whose 0x20 bit or high bit differ among them), each string in a block of
 * exactly its length; and against a shorter NUL-terminated string, of
 * which it must read nothing past the NUL. */
static void
test_caseless_equal (void)
{
  static const guchar changes[] = { 0x20, 0x01, 0x80, 0x40, 0x7F };
  GRand *rand = g_rand_new_with_seed (3261);
  guint pairs = 0;

  for (gsize len = 0; len <= 40; len++)
    for (guint round = 0; round < 20; round++)
      {
        g_autofree char *a = g_malloc0 (len + 1);
        g_autofree char *b = NULL;

        for (gsize i = 0; i < len; i++)
          a[i] = (char) (round < 10 ? "aZ-.09_+xQ"[g_rand_int_range (rand, 0, 10)] : g_rand_int_range (rand, 1, 256));
        b = g_memdup2 (a, len + 1);
        for (gsize at = 0; at <= len; at++)
          for (guint c = 0; c < G_N_ELEMENTS (changes); c++)
            {
              g_autofree char *ca = g_memdup2 (a, len);
              g_autofree char *cb = g_memdup2 (b, len);
              gboolean want = TRUE;

              if (at < len)
                cb[at] = (char) (cb[at] ^ changes[c]);
              for (gsize i = 0; i < len; i++)
                want = want && g_ascii_tolower (ca[i]) == g_ascii_tolower (cb[i]);
              g_assert_cmpint (sipws_scan_caseless_equal (ca, cb, len), ==, want);
              g_assert_cmpint (sipws_scan_caseless_equal (cb, ca, len), ==, want);
              pairs++;
            }
        for (gsize k = 0; k < len; k++)
          {
            g_autofree char *shorter = g_strndup (a, k);

            g_assert_false (sipws_scan_caseless_equal (a, shorter, len));
            pairs++;
          }
      }
  g_rand_free (rand);
  g_test_message ("%u pairs checked", pairs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sipws/core/scan/host-samples", test_scan_host_samples);
  g_test_add_func ("/sipws/core/scan/host-one-byte", test_scan_host_one_byte);
  g_test_add_func ("/sipws/core/scan/host-limits", test_scan_host_limits);
  g_test_add_func ("/sipws/core/scan/host-ipv4", test_scan_host_ipv4);
  g_test_add_func ("/sipws/core/scan/host-empty", test_scan_host_empty);
  g_test_add_func ("/sipws/core/scan/host-random", test_scan_host_random);
  g_test_add_func ("/sipws/core/scan/caseless-equal", test_caseless_equal);
  return g_test_run ();
}
