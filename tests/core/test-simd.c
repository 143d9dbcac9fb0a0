/* test-simd.c: the 16-bytes-at-a-time helpers against byte-by-byte loops */
#include <string.h>

#include "sipws-scan-private.h"
#include "sipws-simd-private.h"

/* The classes the scanners span. */
static const guint32 classes[] = {
  SIPWS_CC_TOKEN, SIPWS_CC_WORD, SIPWS_CC_USER_CHAR, SIPWS_CC_PARAM_CHAR, SIPWS_CC_HNV_CHAR,
  SIPWS_CC_PASSWD_CHAR, SIPWS_CC_GEN_VALUE, SIPWS_CC_HOSTNAME, SIPWS_CC_SCHEME, SIPWS_CC_URIC,
  SIPWS_CC_DIGIT, SIPWS_CC_HEX, SIPWS_CC_LABEL, SIPWS_CC_DIGIT | SIPWS_CC_TEL_VISUAL,
};

static const char *
span_bytewise (const char *p,
               const char *end,
               guint32     mask)
{
  while (p < end && (sipws_scan_table[(guchar) *p] & mask) != 0)
    p++;
  return p;
}

/* Every byte value at every position of runs of every length up to 40
 * stops the span where the plain loop stops. */
static void
test_class_span (void)
{
  char buf[48];

#if defined(SIPWS_NO_SIMD) || !defined(__x86_64__)
  /* the scanners then never call it */
  g_assert_false (sipws_simd_class_span_usable ());
  return;
#endif
  if (!sipws_simd_class_span_usable ())
    {
      g_test_skip ("this x86-64 CPU has no SSSE3");
      return;
    }

  for (guint k = 0; k < G_N_ELEMENTS (classes); k++)
    {
      SipwsSimdClass cls;
      char member = 0;

      g_assert_true (sipws_simd_class_init (&cls, sipws_scan_table, classes[k]));
      for (guint c = '0'; c < 0x80 && member == 0; c++)
        if ((sipws_scan_table[c] & classes[k]) != 0)
          member = (char) c;
      g_assert_cmpint (member, !=, 0);

      for (guint len = 0; len <= 40; len++)
        for (guint at = 0; at <= len; at++)
          for (guint b = 0; b < 256; b++)
            {
              const char *end = buf + len, *want, *got;

              memset (buf, member, sizeof buf);
              if (at < len)
                buf[at] = (char) b;
              want = span_bytewise (buf, end, classes[k]);
              got = span_bytewise (sipws_simd_class_span (buf, end, &cls), end, classes[k]);
              if (got != want)
                g_error ("class %#x, byte %#x at %u of %u: stopped at %d, not %d", classes[k], b, at, len,
                         (int) (got - buf), (int) (want - buf));
            }
    }
}

/* A class with a byte above 0x7F has no tables. */
static void
test_class_non_ascii (void)
{
  SipwsSimdClass cls;

  g_assert_false (sipws_simd_class_init (&cls, sipws_scan_table, SIPWS_CC_QDTEXT));
  g_assert_false (sipws_simd_class_init (&cls, sipws_scan_table, SIPWS_CC_UTF8_NONASCII));
}

/* The masks of the line reader agree with their definition. */
static void
test_masks (void)
{
  char buf[16];

  for (guint b = 0; b < 256; b++)
    for (guint at = 0; at < 16; at++)
      {
        guint odd, colon;

        memset (buf, 'a', sizeof buf);
        buf[at] = (char) b;
        colon = sipws_simd_colon_mask (buf, &odd);
        g_assert_cmpuint (colon, ==, b == ':' ? 1u << at : 0);
        g_assert_cmpuint (odd, ==, (b < 0x21 || b >= 0x7F) ? 1u << at : 0);
        g_assert_cmpuint (sipws_simd_line_end_mask (buf), ==, (b == '\r' || b == '\n') ? 1u << at : 0);
        g_assert_cmpuint (sipws_simd_first (1u << at), ==, at);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/simd/class-span", test_class_span);
  g_test_add_func ("/sipws/simd/class-non-ascii", test_class_non_ascii);
  g_test_add_func ("/sipws/simd/masks", test_masks);
  return g_test_run ();
}
