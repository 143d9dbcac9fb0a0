/* sipws-simd.c: character classes 16 bytes at a time (SSSE3)
 *
 * SSSE3 is not part of the x86-64 baseline that distributions build for,
 * so the one function that uses it is compiled for it alone and called only
 * when the CPU says it has it (every x86-64 CPU since about 2008 does).
 */
#include "sipws-simd-private.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(SIPWS_NO_SIMD)
#define SIPWS_SIMD_SSSE3 1
#include <tmmintrin.h>
#endif

gboolean
sipws_simd_class_init (SipwsSimdClass *cls,
                       const guint32  *table,
                       guint32         classes)
{
  memset (cls, 0, sizeof *cls);
  for (guint c = 0x80; c < 0x100; c++)
    if ((table[c] & classes) != 0)
      return FALSE;
  for (guint row = 0; row < 8; row++)
    {
      cls->hi[row] = (guint8) (1u << row);
      for (guint l = 0; l < 16; l++)
        if ((table[row * 16 + l] & classes) != 0)
          cls->lo[l] |= (guint8) (1u << row);
    }
  return TRUE;
}

#ifdef SIPWS_SIMD_SSSE3

gboolean
sipws_simd_class_span_usable (void)
{
  static gsize usable;

  if (g_once_init_enter (&usable))
    {
      __builtin_cpu_init ();
      g_once_init_leave (&usable, __builtin_cpu_supports ("ssse3") ? 2 : 1);
    }
  return usable == 2;
}

__attribute__ ((target ("ssse3"))) const char *
sipws_simd_class_span (const char           *p,
                       const char           *end,
                       const SipwsSimdClass *cls)
{
  const __m128i lo = _mm_loadu_si128 ((const __m128i *) cls->lo);
  const __m128i hi = _mm_loadu_si128 ((const __m128i *) cls->hi);
  const __m128i nibble = _mm_set1_epi8 (0x0F);

  for (; end - p >= 16; p += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) p);
      __m128i rows = _mm_shuffle_epi8 (lo, _mm_and_si128 (v, nibble));
      __m128i row_bits = _mm_shuffle_epi8 (hi, _mm_and_si128 (_mm_srli_epi16 (v, 4), nibble));
      guint outside = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_and_si128 (rows, row_bits),
                                                                 _mm_setzero_si128 ()));

      if (outside != 0)
        return p + sipws_simd_first (outside);
    }
  return p;
}

#else /* !SIPWS_SIMD_SSSE3 */

gboolean
sipws_simd_class_span_usable (void)
{
  return FALSE;
}

const char *
sipws_simd_class_span (const char           *p,
                       const char           *end,
                       const SipwsSimdClass *cls)
{
  /* never called: sipws_simd_class_span_usable() says so */
  return p;
}

#endif /* SIPWS_SIMD_SSSE3 */
