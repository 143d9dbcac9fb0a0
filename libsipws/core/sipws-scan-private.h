/* sipws-scan-private.h: the shared SIP lexer (character classes, LWS, tokens,
 * quoted strings, %HH escapes, comma lists)
 *
 * Every scanner works on a [p, end) byte range and never reads past end, so
 * callers can scan inside a larger buffer without copying or NUL-terminating.
 * Scanners return the position after what they consumed; they only allocate
 * when the caller asks for a decoded copy.
 */
#pragma once

#include <string.h>
#include <glib.h>
#include "sipws-version.h"
#include "sipws-simd-private.h"

G_BEGIN_DECLS

/* Character classes of RFC 3261 §25.1 (and RFC 3966 for tel:), one bit each
 * in sipws_scan_table[]. */
#define SIPWS_CC_ALPHA            (1u << 0)   /* A-Z a-z */
#define SIPWS_CC_DIGIT            (1u << 1)   /* 0-9 */
#define SIPWS_CC_ALPHANUM         (1u << 2)   /* ALPHA / DIGIT */
#define SIPWS_CC_HEX              (1u << 3)   /* HEXDIG, both cases */
#define SIPWS_CC_TOKEN            (1u << 4)   /* alphanum - . ! % * _ + ` ' ~ */
#define SIPWS_CC_UNRESERVED       (1u << 5)   /* alphanum / mark: - _ . ! ~ * ' ( ) */
#define SIPWS_CC_USER_UNRESERVED  (1u << 6)   /* & = + $ , ; ? / */
#define SIPWS_CC_PASSWORD         (1u << 7)   /* & = + $ , (besides unreserved) */
#define SIPWS_CC_PARAM_UNRESERVED (1u << 8)   /* [ ] / : & + $ */
#define SIPWS_CC_HNV_UNRESERVED   (1u << 9)   /* [ ] / ? : + $ */
#define SIPWS_CC_WS               (1u << 10)  /* SP / HTAB */
#define SIPWS_CC_QDTEXT           (1u << 11)  /* SP HTAB %x21 %x23-5B %x5D-7E %x80-FF */
#define SIPWS_CC_RESERVED         (1u << 12)  /* ; / ? : @ & = + $ , */
#define SIPWS_CC_HOSTNAME         (1u << 13)  /* alphanum - . */
#define SIPWS_CC_WORD             (1u << 14)  /* Call-ID word: token chars ( ) < > : \ " / [ ] ? { } */
#define SIPWS_CC_TEL_VISUAL       (1u << 15)  /* RFC 3966 visual-separator: - . ( ) */
#define SIPWS_CC_URIC             (1u << 16)  /* reserved / unreserved / [ ] (escapes apart) */
#define SIPWS_CC_SCHEME           (1u << 17)  /* alphanum + - . */
#define SIPWS_CC_CTL              (1u << 18)  /* %x00-1F / %x7F */
#define SIPWS_CC_UTF8_NONASCII    (1u << 19)  /* %x80-FF */
#define SIPWS_CC_LABEL            (1u << 20)  /* domain label: alphanum - */
#define SIPWS_CC_GEN_VALUE        (1u << 21)  /* unquoted gen-value (token / host): token chars : [ ] */

/* RFC 3261 §25.1 character sets that are unions of the classes above. */
#define SIPWS_CC_USER_CHAR   (SIPWS_CC_UNRESERVED | SIPWS_CC_USER_UNRESERVED)
#define SIPWS_CC_PARAM_CHAR  (SIPWS_CC_UNRESERVED | SIPWS_CC_PARAM_UNRESERVED)
#define SIPWS_CC_HNV_CHAR    (SIPWS_CC_UNRESERVED | SIPWS_CC_HNV_UNRESERVED)
#define SIPWS_CC_PASSWD_CHAR (SIPWS_CC_UNRESERVED | SIPWS_CC_PASSWORD)

extern const guint32 sipws_scan_table[256];

/* TRUE when byte @c belongs to any class in @classes. */
static inline gboolean
sipws_scan_is (guchar c, guint32 classes)
{
  return (sipws_scan_table[c] & classes) != 0;
}

/* The classes that hold every letter and digit: a union of classes with
 * one of these bits does too. */
#define SIPWS_CC_HOLDS_ALNUM \
  (SIPWS_CC_ALPHANUM | SIPWS_CC_TOKEN | SIPWS_CC_UNRESERVED | SIPWS_CC_QDTEXT | SIPWS_CC_HOSTNAME | \
   SIPWS_CC_WORD | SIPWS_CC_URIC | SIPWS_CC_SCHEME | SIPWS_CC_LABEL | SIPWS_CC_GEN_VALUE)

#ifdef SIPWS_SIMD_SSE2
/* Bit i set when byte i of @v is not an ASCII letter or digit. */
static inline guint
sipws_scan_not_alnum_mask_of (__m128i v)
{
  return ~(guint) _mm_movemask_epi8 (_mm_or_si128 (sipws_simd_letters (v), sipws_simd_digits (v))) & 0xFFFFu;
}

/* The same for the 16 bytes at @p. */
static inline guint
sipws_scan_not_alnum_mask (const char *p)
{
  return sipws_scan_not_alnum_mask_of (sipws_simd_load (p));
}
#endif

/* Advances over bytes that belong to any class in @classes, byte by byte:
 * four bytes a round share one bounds check, since most spans (names,
 * hosts, tokens) are a few to a few dozen bytes and the check costs as much
 * as the test itself. For the short spans of parameter names and values
 * this is cheaper than sipws_scan_span(). */
G_ALWAYS_INLINE static inline const char *
sipws_scan_span_short (const char *p, const char *end, guint32 classes)
{
  for (; end - p >= 4; p += 4)
    {
      if ((sipws_scan_table[(guchar) p[0]] & classes) == 0)
        return p;
      if ((sipws_scan_table[(guchar) p[1]] & classes) == 0)
        return p + 1;
      if ((sipws_scan_table[(guchar) p[2]] & classes) == 0)
        return p + 2;
      if ((sipws_scan_table[(guchar) p[3]] & classes) == 0)
        return p + 3;
    }
  while (p < end && (sipws_scan_table[(guchar) *p] & classes) != 0)
    p++;
  return p;
}

/* Advances over bytes that belong to any class in @classes. Most of what
 * the spans of a class holding the letters and digits cover is letters
 * and digits: with SSE2, 16 bytes are checked for those at once and only
 * the other bytes one by one, while 16 bytes remain; then byte by byte. */
static inline const char *
sipws_scan_span (const char *p, const char *end, guint32 classes)
{
#ifdef SIPWS_SIMD_SSE2
  if ((classes & SIPWS_CC_HOLDS_ALNUM) != 0)
    for (; end - p >= 16; p += 16)
      for (guint other = sipws_scan_not_alnum_mask (p); other != 0; other &= other - 1)
        {
          const char *q = p + sipws_simd_first (other);

          if ((sipws_scan_table[(guchar) *q] & classes) == 0)
            return q;
        }
#endif
  return sipws_scan_span_short (p, end, classes);
}

/* sipws_scan_span (p, end, @classes) == end for @classes that hold the
 * letters and digits, for the short spans that a fast path checks to an
 * end it knows (a user part before its '@', a tag): with SSE2 and 16
 * bytes in [start, end), a span of at most 16 bytes of letters and digits
 * is one read, backwards from @end (the bytes before @p left out). */
G_ALWAYS_INLINE static inline gboolean
sipws_scan_span_is_all (const char *start,
                        const char *p,
                        const char *end,
                        guint32     classes)
{
#ifdef SIPWS_SIMD_SSE2
  if (end - p <= 16 && end - start >= 16 &&
      (sipws_scan_not_alnum_mask (end - 16) >> (16 - (end - p))) == 0)
    return TRUE;
#endif
  return sipws_scan_span (p, end, classes) == end;
}

/* sipws_scan_span (p, end, SIPWS_CC_QDTEXT), the text of the quoted
 * strings the fast paths read (display names, +sip.instance, GRUUs). Few
 * bytes end it (DQUOTE, backslash, control characters but HTAB, DEL), so
 * with SSE2 16 bytes are checked for those at once with no lookup per
 * byte; the last round ends at @end (the bytes it reads again are
 * qdtext). */
G_ALWAYS_INLINE static inline const char *
sipws_scan_span_qdtext (const char *p,
                        const char *end)
{
#ifdef SIPWS_SIMD_SSE2
  if (end - p >= 16)
    {
      const char *q = p;

      for (;;)
        {
          __m128i v = sipws_simd_load (q);
          /* unsigned v <= 0x1F, HTAB apart */
          __m128i ctl = _mm_andnot_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\t')),
                                          _mm_cmpeq_epi8 (_mm_min_epu8 (v, _mm_set1_epi8 (0x1F)), v));
          __m128i stop = _mm_or_si128 (_mm_or_si128 (ctl, _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('"'))),
                                       _mm_or_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\\')),
                                                     _mm_cmpeq_epi8 (v, _mm_set1_epi8 (0x7F))));
          guint mask = (guint) _mm_movemask_epi8 (stop);

          if (mask != 0)
            return q + sipws_simd_first (mask);
          if (q + 16 == end)
            return end;
          q = end - q >= 32 ? q + 16 : end - 16;
        }
    }
#endif
  while (p < end && sipws_scan_is (*p, SIPWS_CC_QDTEXT))
    p++;
  return p;
}

/* Advances over bytes of @classes and valid %HH escapes, setting *@escaped
 * when it meets one. It stops at a '%' that does not start a valid escape,
 * so a caller finding '%' at the returned position reports a bad escape. */
static inline const char *
sipws_scan_span_escaped (const char *p, const char *end, guint32 classes, gboolean *escaped)
{
  for (;;)
    {
      p = sipws_scan_span (p, end, classes);
      if (p >= end || *p != '%' || end - p < 3 ||
          !sipws_scan_is (p[1], SIPWS_CC_HEX) || !sipws_scan_is (p[2], SIPWS_CC_HEX))
        return p;
      *escaped = TRUE;
      p += 3;
    }
}

/* Skips SP and HTAB. Header values reach the scanners unfolded (the message
 * parser replaces each fold by one SP), so LWS and SWS are both plain runs of
 * blanks here. */
static inline const char *
sipws_scan_skip_lws (const char *p, const char *end)
{
  while (p < end && sipws_scan_is (*p, SIPWS_CC_WS))
    p++;
  return p;
}

/* Moves @end back over trailing SP and HTAB, not before @start. */
static inline const char *
sipws_scan_trim_lws_end (const char *start, const char *end)
{
  while (end > start && sipws_scan_is (end[-1], SIPWS_CC_WS))
    end--;
  return end;
}

/* Returns the end of the token starting at @p (@p itself when there is none). */
static inline const char *
sipws_scan_token (const char *p, const char *end)
{
  return sipws_scan_span (p, end, SIPWS_CC_TOKEN);
}

/* Parsed values keep their strings in a mirror: a writable copy of the
 * text being parsed, at the same offsets, where each string is made
 * NUL-terminated in place (the byte after a string is a delimiter that no
 * other string needs) and escapes are decoded in place (a decoded string is
 * never longer). The parser reads the original, so what it writes never
 * changes what it reads. This is where @p of the text that @start begins
 * lands in the mirror @out. (In unsigned integers, so that the compiler
 * may compute out - start once for all the strings of a value and make
 * each string one addition.) */
static inline char *
sipws_scan_mirror (const char *start,
                   char       *out,
                   const char *p)
{
  return (char *) ((guintptr) p + ((guintptr) out - (guintptr) start));
}

/* [s, s_end) of the text @start begins, made a NUL-terminated string in
 * its mirror @out. */
static inline const char *
sipws_scan_mirror_string (const char *start,
                          char       *out,
                          const char *s,
                          const char *s_end)
{
  char *o = sipws_scan_mirror (start, out, s);

  o[s_end - s] = '\0';
  return o;
}

/* TRUE when [s, s+len) is a non-empty token. */
gboolean sipws_scan_is_token (const char *s, gsize len);

/* Scans a quoted-string (RFC 3261 §25.1: qdtext and quoted-pair) whose
 * opening DQUOTE is at *@pp. On success *@pp is moved past the closing DQUOTE.
 * On failure *@pp is unchanged and @error says what is wrong: an unterminated
 * string, a control character, or a quoted-pair escaping CR or LF; columns
 * count from @start (1-based). */
gboolean sipws_scan_quoted_string (const char  *start,
                                   const char **pp,
                                   const char  *end,
                                   GError     **error);

/* Decodes a quoted-string already validated by sipws_scan_quoted_string():
 * [p, p+len) includes both DQUOTEs; the result has the quoted-pairs resolved. */
char *sipws_scan_unquote (const char *p, gsize len);

/* Writes the text [s, s_end) between the DQUOTEs of a validated
 * quoted-string to @out with its quoted-pairs resolved, and returns the
 * end of the output (@out may be where the same text is in a mirror:
 * sipws_scan_mirror()). Most quoted strings have no quoted-pair. */
char *sipws_scan_unquote_to (char       *out,
                             const char *s,
                             const char *s_end);

/* Appends @s as a quoted-string: DQUOTE, backslash and control characters
 * become quoted-pairs; CR and LF, which no quoted-pair can carry, become SP. */
void sipws_scan_append_quoted (GString *out, const char *s, gsize len);

/* Writes [p, p+len) to @out with its %HH escapes decoded; every '%' must
 * start a valid escape (as sipws_scan_span_escaped() guarantees). Returns the
 * end of the output, which is at most @len bytes long. */
char *sipws_scan_decode_escapes (char *out, const char *p, gsize len);

/* Decodes %HH escapes of [p, p+len) into a new NUL-terminated string; its
 * length goes to @out_len (it may contain NULs: %00 is legal). Returns NULL
 * when a '%' is not followed by two hex digits. */
char *sipws_scan_unescape (const char *p, gsize len, gsize *out_len);

/* TRUE when every '%' in [p, p+len) starts a valid %HH escape; *@bad is set
 * to the first bad '%' otherwise. */
gboolean sipws_scan_check_escapes (const char *p, gsize len, const char **bad);

/* Appends [s, s+len), writing every byte outside @keep (a class mask) as %HH
 * with upper-case hex digits. */
void sipws_scan_append_escaped (GString    *out,
                                const char *s,
                                gsize       len,
                                guint32     keep);

/* ASCII lower case of every byte (other bytes map to themselves). */
extern const guint8 sipws_scan_lower[256];

/* TRUE when [a, a+len) and [b, b+len) are equal ignoring ASCII case. No
 * byte past the first difference is read: @b may be a NUL-terminated
 * string shorter than @len (sipws_params_find() relies on it). */
static inline gboolean
sipws_scan_caseless_equal (const char *a,
                           const char *b,
                           gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (sipws_scan_lower[(guchar) a[i]] != sipws_scan_lower[(guchar) b[i]])
      return FALSE;
  return TRUE;
}

static inline guint64
sipws_scan_load8 (const char *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return v;
}

static inline guint32
sipws_scan_load4 (const char *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return v;
}

static inline guint16
sipws_scan_load2 (const char *p)
{
  guint16 v;

  memcpy (&v, p, 2);
  return v;
}

/* TRUE when the token [s, s+len) equals @folded, which is @len bytes of
 * lower-case letters, digits and the other token characters that have the
 * 0x20 bit (every one but '_'), ignoring ASCII case. Over token characters
 * "| 0x20" maps exactly upper to lower case and leaves the others distinct,
 * so whole words compare at once: the last one overlaps the one before it,
 * and no byte outside either string is read. */
static inline gboolean
sipws_scan_token_equal_folded (const char *s,
                               const char *folded,
                               gsize       len)
{
  if (len >= 8)
    {
      gsize i;

      for (i = 0; i + 8 < len; i += 8)
        if ((sipws_scan_load8 (s + i) | G_GUINT64_CONSTANT (0x2020202020202020)) != sipws_scan_load8 (folded + i))
          return FALSE;
      return (sipws_scan_load8 (s + len - 8) | G_GUINT64_CONSTANT (0x2020202020202020)) ==
             sipws_scan_load8 (folded + len - 8);
    }
  if (len >= 4)
    return (sipws_scan_load4 (s) | 0x20202020u) == sipws_scan_load4 (folded) &&
           (sipws_scan_load4 (s + len - 4) | 0x20202020u) == sipws_scan_load4 (folded + len - 4);
  if (len >= 2)
    return (guint16) (sipws_scan_load2 (s) | 0x2020u) == sipws_scan_load2 (folded) &&
           (guint16) (sipws_scan_load2 (s + len - 2) | 0x2020u) == sipws_scan_load2 (folded + len - 2);
  return len == 0 || (s[0] | 0x20) == folded[0];
}

/* Reads the decimal digits at @p. Returns the end of the digits (@p itself
 * when there are none); *@value is their value, or a number larger than
 * @max when they are (without overflowing: @max must be below 2^60). */
static inline const char *
sipws_scan_number (const char *p,
                   const char *end,
                   guint64     max,
                   guint64    *value)
{
  guint64 v = 0;

  for (; p < end && (guchar) (*p - '0') <= 9; p++)
    if (v <= max)
      v = v * 10 + (guint64) (*p - '0');
  *value = v;
  return p;
}

/* Value of a hex digit; only meaningful when sipws_scan_is (c, SIPWS_CC_HEX). */
static inline guint
sipws_scan_hex_value (guchar c)
{
  return c <= '9' ? (guint) (c - '0') : (guint) ((c | 0x20) - 'a' + 10);
}

/* Host forms of RFC 3261 §25.1. */
typedef enum {
  SIPWS_SCAN_HOST_NAME,      /* hostname */
  SIPWS_SCAN_HOST_IPV4,      /* IPv4address */
  SIPWS_SCAN_HOST_BAD_NAME,  /* neither */
  SIPWS_SCAN_HOST_BAD_IPV4,  /* neither, and meant as an IPv4 address: its first
                              * and last labels start with a digit */
} SipwsScanHost;

/* Reads the run of alphanum, '-' and '.' at @p in one pass and says in
 * *@kind what it is: a hostname (labels of alphanum and inner '-', at most
 * 63 bytes each, the last one starting with a letter, an optional final
 * '.', at most 255 bytes), an IPv4address (four dot-separated decimal
 * numbers, each at most 255) or neither. Returns the end of the run. */
const char *sipws_scan_host (const char    *p,
                             const char    *end,
                             SipwsScanHost *kind);

#ifdef SIPWS_SIMD_SSE2
/* The bytes of [q, end), at most 16, with NUL after them: no byte outside
 * the range is read. Shorter ranges are put together from two overlapping
 * loads of 8, 4 or 1 bytes. */
static inline __m128i
sipws_scan_load_upto16 (const char *q,
                        const char *end)
{
  gsize r = end - q;
  guint64 lo = 0, hi = 0;

  if (r >= 16)
    return sipws_simd_load (q);
  if (r >= 8)
    {
      lo = sipws_scan_load8 (q);
      /* q[8] is byte 16 - r of the last 8; two shifts, as 64 is too many for one */
      hi = sipws_scan_load8 (end - 8) >> (8 * (15 - r)) >> 8;
    }
  else if (r >= 4)
    lo = sipws_scan_load4 (q) | (guint64) sipws_scan_load4 (end - 4) << (8 * (r - 4));
  else if (r > 0)
    lo = (guchar) q[0] | (guint64) (guchar) q[r / 2] << (8 * (r / 2)) |
         (guint64) (guchar) q[r - 1] << (8 * (r - 1));
  return _mm_set_epi64x ((gint64) hi, (gint64) lo);
}

/* Bit i set when byte i of @v is a decimal digit. */
static inline guint
sipws_scan_digit_mask (__m128i v)
{
  return (guint) _mm_movemask_epi8 (sipws_simd_digits (v));
}

/* Masks of 16 bytes (bit i for byte i of @v): the host-name bytes
 * (letters, digits, '-', '.') are returned, the digits, dots and dashes
 * each go to a mask of their own. */
static inline guint
sipws_scan_host_masks (__m128i  v,
                       guint   *digit,
                       guint   *dot,
                       guint   *dash)
{
  __m128i alpha = sipws_simd_letters (v);
  __m128i digits = sipws_simd_digits (v);
  __m128i dots = _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('.'));
  __m128i dashes = _mm_cmpeq_epi8 (v, _mm_set1_epi8 ('-'));

  *digit = (guint) _mm_movemask_epi8 (digits);
  *dot = (guint) _mm_movemask_epi8 (dots);
  *dash = (guint) _mm_movemask_epi8 (dashes);
  return (guint) _mm_movemask_epi8 (_mm_or_si128 (_mm_or_si128 (alpha, digits),
                                                  _mm_or_si128 (dots, dashes)));
}

/* The host rules on bit masks (bit i for p[i]) of a run of host-name
 * bytes @run (the ones from bit 0 up), its digits @digit and its dots
 * @dot (within the run): a label starts at 0 or after a dot; the deciding
 * label, the last one or the one before a final dot, starts at the highest
 * label start in the run. */

/* TRUE when the three-digit labels that start at the bits of @three
 * (bit i for p[i], which is byte i + @shift of @v) are at most 255: those
 * starting with 0 or 1 always are. */
static inline gboolean
sipws_scan_octets_ok (const char *p,
                      __m128i     v,
                      guint       shift,
                      guint       three)
{
  for (three &= (guint) _mm_movemask_epi8 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('1'))) >> shift; three != 0; three &= three - 1)
    {
      const char *s = p + __builtin_ctz (three);

      if ((guint) (s[0] - '0') * 100 + (guint) (s[1] - '0') * 10 + (guint) (s[2] - '0') > 255)
        return FALSE;
    }
  return TRUE;
}

/* TRUE when the run, digits and dots only, is an IPv4address: three dots,
 * no label empty or longer than three digits (so the run is shorter than
 * 16 bytes, in @v: p[i] is its byte i + @shift), and those of three at
 * most 255. */
static inline gboolean
sipws_scan_ipv4_masks (const char *p,
                       __m128i     v,
                       guint       shift,
                       guint       run,
                       guint       digit,
                       guint       dot)
{
  guint after = dot << 1 | 1, three = digit & digit >> 1 & digit >> 2 & run, t = dot & (dot - 1);

  t &= t - 1;
  /* no dot first, after a dot or last (the label after it would be past
   * the run), no four digits, three dots */
  return ((dot & after) | (after & ~run) | (three & digit >> 3)) == 0 && t != 0 && (t & (t - 1)) == 0 &&
         sipws_scan_octets_ok (p, v, shift, three);
}

/* TRUE when the run, with its dashes @dash (bits past the run allowed), is
 * a hostname of less than 64 bytes: no label empty (a dot first or after a
 * dot), none starting or ending with '-', and the deciding label starting
 * with a letter. With no label empty every label starts with a letter or
 * a digit, and the highest start is a letter when the starts at letters,
 * as a number, are above those at digits. */
static inline gboolean
sipws_scan_hostname_masks (guint run,
                           guint digit,
                           guint dot,
                           guint dash)
{
  guint after = dot << 1 | 1, starts = after & run, bad = dot & after;

  /* most names have no '-' */
  if (dash != 0)
    bad |= dash & (after | dot >> 1 | (run ^ run >> 1));
  return bad == 0 && (starts & digit) < (starts & ~digit);
}
#endif

/* The same, each checked over the whole [p, end). */
gboolean sipws_scan_is_ipv4 (const char *p, const char *end);
gboolean sipws_scan_is_hostname (const char *p, const char *end);
/* IPv6address (without brackets), optionally ending in an IPv4address. */
gboolean sipws_scan_is_ipv6 (const char *p, const char *end);

/* Sets a SIPWS_ERROR_PARSE error "<message> at column N", where N is the
 * 1-based column of @pos counted from @start. */
void sipws_scan_set_error (GError    **error,
                           const char *start,
                           const char *pos,
                           const char *format,
                           ...) G_GNUC_PRINTF (4, 5);

/* Names the byte at @p for an error message: "end of input" when p == end,
 * "space", "tab", "'x'" for printable ASCII, "byte 0xHH" otherwise. @buf
 * must hold SIPWS_SCAN_DESCRIBE_SIZE bytes; the result may point into it. */
#define SIPWS_SCAN_DESCRIBE_SIZE 16
const char *sipws_scan_describe (const char *p,
                                 const char *end,
                                 char       *buf);

/* One element of a split header value: [start, start+len), LWS trimmed. */
typedef struct {
  const char *start;
  gsize       len;
} SipwsScanSpan;

/* Iterates over the comma-separated elements of a header value without
 * allocating. Commas inside quoted strings (with quoted-pair escapes) and
 * inside <...> do not split. */
typedef struct {
  const char *start;   /* start of the whole value, for error columns */
  const char *p;       /* next element; NULL once the last one was returned */
  const char *end;
} SipwsScanListIter;

void sipws_scan_list_iter_init (SipwsScanListIter *iter,
                                const char        *value,
                                gsize              len);

/* Returns the next element in @elem (LWS trimmed; len 0 for an empty
 * element, such as the middle one of "a,,b" or the last one of "a,").
 * Returns FALSE at the end, or on error with @error set (an unterminated
 * quoted string or an unclosed '<'). An empty or all-blank value has no
 * elements at all. */
gboolean sipws_scan_list_iter_next (SipwsScanListIter *iter,
                                    SipwsScanSpan     *elem,
                                    GError           **error);

/* Splits a whole header value, appending one SipwsScanSpan per element to
 * @spans (a GArray of SipwsScanSpan), empty elements included. Returns FALSE
 * with @error set when the value is malformed; @spans then holds the elements
 * before the error. */
gboolean sipws_scan_split_list (const char *value,
                                gsize       len,
                                GArray     *spans,
                                GError    **error);

G_END_DECLS
