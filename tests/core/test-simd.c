/* test-simd.c: the 16-bytes-at-a-time masks against their definition */
#include <string.h>

#include "sipws-simd-private.h"

/* The masks of the line reader agree with their definition. */
static void
test_masks (void)
{
  char buf[16];

  for (guint b = 0; b < 256; b++)
    for (guint at = 0; at < 16; at++)
      {
        guint cr, colon;

        memset (buf, 'a', sizeof buf);
        buf[at] = (char) b;
        colon = sipws_simd_colon_mask (buf, &cr);
        g_assert_cmpuint (colon, ==, b == ':' ? 1u << at : 0);
        g_assert_cmpuint (cr, ==, b == '\r' ? 1u << at : 0);
        g_assert_cmpuint (sipws_simd_line_end_candidates (buf), ==, (b >= 0x08 && b <= 0x0F) ? 1u << at : 0);
        g_assert_cmpuint (sipws_simd_first (1u << at), ==, at);
      }
}

/* The masks of text and list checks agree with their definition. */
static void
test_text_masks (void)
{
  char buf[16];

  for (guint b = 0; b < 256; b++)
    for (guint at = 0; at < 16; at++)
      {
        guint high, alnum, comma, blank, ctl;

        memset (buf, 'a', sizeof buf);
        buf[at] = (char) b;
        ctl = sipws_simd_text_mask (buf, &high);
        g_assert_cmpuint (ctl, ==, ((b < 0x20 && b != '\t') || b == 0x7F) ? 1u << at : 0);
        g_assert_cmpuint (high, ==, b >= 0x80 ? 1u << at : 0);
        sipws_simd_list_masks (buf, &alnum, &comma, &blank);
        g_assert_cmpuint (alnum, ==, g_ascii_isalnum (b) ? 0xFFFFu : 0xFFFFu & ~(1u << at));
        g_assert_cmpuint (comma, ==, b == ',' ? 1u << at : 0);
        g_assert_cmpuint (blank, ==, (b == ' ' || b == '\t') ? 1u << at : 0);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/simd/masks", test_masks);
  g_test_add_func ("/sipws/simd/text-masks", test_text_masks);
  return g_test_run ();
}
