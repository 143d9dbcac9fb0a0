/* sipws-simd-private.h: 16 bytes at a time
 *
 * The message parser looks for a few bytes (CR, LF, the header colon) in
 * runs of tens of bytes. Comparing 16 bytes at once and turning the result
 * into a bit mask (bit i for byte i) replaces a loop over every byte. Each
 * helper reads exactly 16 bytes at @p: the caller makes sure they are
 * readable (the parser pads its copy of the frame with 16 NUL bytes).
 *
 * SSE2 is part of every x86-64 CPU; elsewhere, or with SIPWS_NO_SIMD (which
 * a test build uses so that the plain code stays tested), the same masks
 * come from a plain loop.
 */
#pragma once

#include <string.h>
#include <glib.h>

#if defined(__SSE2__) && !defined(SIPWS_NO_SIMD)
#include <emmintrin.h>
#define SIPWS_SIMD_SSE2 1
#endif

G_BEGIN_DECLS

/* The index of the lowest set bit of @mask, which is not 0. (GLib's
 * g_bit_nth_lsf() is a loop over the bits.) */
static inline guint
sipws_simd_first (guint mask)
{
#if defined(__GNUC__) || defined(__clang__)
  return (guint) __builtin_ctz (mask);
#else
  guint i = 0;

  while ((mask & 1u) == 0)
    {
      mask >>= 1;
      i++;
    }
  return i;
#endif
}

#ifdef SIPWS_SIMD_SSE2

/* The 16 bytes at @p, at any alignment. (Through a void pointer: a cast of
 * a char pointer to __m128i * would claim an alignment it does not have.) */
static inline __m128i
sipws_simd_load (const void *p)
{
  return _mm_loadu_si128 (p);
}

/* 0xFF for each byte of @v from @low to @low + @n - 1, 0 for the others:
 * the range is moved to the bottom of the signed bytes, where one signed
 * compare tells it. */
static inline __m128i
sipws_simd_in_range (__m128i v,
                     guchar  low,
                     guchar  n)
{
  return _mm_cmplt_epi8 (_mm_add_epi8 (v, _mm_set1_epi8 ((char) (0x80 - low))), _mm_set1_epi8 ((char) (0x80 + n)));
}

/* 0xFF for each decimal digit of @v. */
static inline __m128i
sipws_simd_digits (__m128i v)
{
  return sipws_simd_in_range (v, '0', 10);
}

/* 0xFF for each ASCII letter of @v, in either case. */
static inline __m128i
sipws_simd_letters (__m128i v)
{
  return sipws_simd_in_range (_mm_or_si128 (v, _mm_set1_epi8 (0x20)), 'a', 26);
}

/* Bit i set when p[i] is one of the controls 0x08 to 0x0F: CR and LF,
 * and HTAB and five others that header text rarely holds. One compare
 * (after setting the three low bits) where CR and LF alone take two and
 * a third operation; the caller checks what it stopped at. */
static inline guint
sipws_simd_line_end_candidates (const char *p)
{
  __m128i v = sipws_simd_load (p);

  return (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_or_si128 (v, _mm_set1_epi8 (0x07)), _mm_set1_epi8 (0x0F)));
}

/* Bit i set when p[i] is ':'; *@cr gets bit i set when p[i] is CR. */
static inline guint
sipws_simd_colon_mask (const char *p,
                       guint      *cr)
{
  __m128i v = sipws_simd_load (p);

  *cr = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\r')));
  return (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (':')));
}

/* TRUE when the first @len bytes at @p, each ORed with 0x20, are the first
 * @len bytes of @folded, which holds at least 16 bytes. 1 <= @len <= 16. */
static inline gboolean
sipws_simd_folded_prefix_equal (const char *p,
                                const char *folded,
                                gsize       len)
{
  __m128i v = _mm_or_si128 (sipws_simd_load (p), _mm_set1_epi8 (0x20));
  __m128i f = sipws_simd_load (folded);
  guint eq = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, f));
  guint want = (1u << len) - 1u;

  return (eq & want) == want;
}

/* For the 16 bytes at @p: bit i of *@alnum set when p[i] is an ASCII
 * letter or digit, of *@comma when it is ',', of *@blank when it is SP or
 * HTAB: what the token lists user agents write are made of. */
static inline void
sipws_simd_list_masks (const char *p,
                       guint      *alnum,
                       guint      *comma,
                       guint      *blank)
{
  __m128i v = sipws_simd_load (p);

  *alnum = (guint) _mm_movemask_epi8 (_mm_or_si128 (sipws_simd_letters (v), sipws_simd_digits (v)));
  *comma = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (',')));
  *blank = (guint) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 (' ')),
                                                    _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\t'))));
}

/* Bit i set when p[i] is a control character other than HTAB (0x00 to
 * 0x08, 0x0A to 0x1F, DEL); *@high gets bit i set when p[i] is 0x80 or
 * above: what text such as a reason phrase must be checked for. */
static inline guint
sipws_simd_text_mask (const char *p,
                      guint      *high)
{
  __m128i v = sipws_simd_load (p);
  /* unsigned v <= 0x1F: the minimum is v itself */
  __m128i low = _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v);
  __m128i ctl = _mm_or_si128 (_mm_andnot_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\t')), low),
                              _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F)));

  *high = (guint) _mm_movemask_epi8 (v);
  return (guint) _mm_movemask_epi8 (ctl);
}

#else /* !SIPWS_SIMD_SSE2 */

static inline guint
sipws_simd_line_end_candidates (const char *p)
{
  guint mask = 0;

  for (guint i = 0; i < 16; i++)
    mask |= (guint) (((guchar) p[i] | 0x07) == 0x0F) << i;
  return mask;
}

static inline guint
sipws_simd_colon_mask (const char *p,
                       guint      *cr)
{
  guint mask = 0;

  *cr = 0;
  for (guint i = 0; i < 16; i++)
    {
      *cr |= (guint) (p[i] == '\r') << i;
      mask |= (guint) (p[i] == ':') << i;
    }
  return mask;
}

static inline gboolean
sipws_simd_folded_prefix_equal (const char *p,
                                const char *folded,
                                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((p[i] | 0x20) != folded[i])
      return FALSE;
  return TRUE;
}

static inline void
sipws_simd_list_masks (const char *p,
                       guint      *alnum,
                       guint      *comma,
                       guint      *blank)
{
  *alnum = *comma = *blank = 0;
  for (guint i = 0; i < 16; i++)
    {
      guchar c = (guchar) p[i];

      *alnum |= (guint) (g_ascii_isalnum (c) != 0) << i;
      *comma |= (guint) (c == ',') << i;
      *blank |= (guint) (c == ' ' || c == '\t') << i;
    }
}

static inline guint
sipws_simd_text_mask (const char *p,
                      guint      *high)
{
  guint mask = 0;

  *high = 0;
  for (guint i = 0; i < 16; i++)
    {
      guchar c = (guchar) p[i];

      mask |= (guint) ((c < 0x20 && c != '\t') || c == 0x7F) << i;
      *high |= (guint) (c >= 0x80) << i;
    }
  return mask;
}

#endif /* SIPWS_SIMD_SSE2 */

G_END_DECLS
