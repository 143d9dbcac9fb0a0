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
        g_assert_cmpuint (sipws_simd_line_end_mask (buf), ==, (b >= 0x08 && b <= 0x0F) ? 1u << at : 0);
        g_assert_cmpuint (sipws_simd_first (1u << at), ==, at);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/simd/masks", test_masks);
  return g_test_run ();
}
