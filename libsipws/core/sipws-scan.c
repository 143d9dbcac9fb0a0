/* sipws-scan.c: the shared SIP lexer */
#include <string.h>

#include "sipws-scan-private.h"
#include "sipws-error.h"

/* The table is computed by the compiler from the RFC 3261 §25.1 definitions
 * below, so each class reads like the grammar and no hand-written byte map
 * can drift from it. */
#define IN(c, lo, hi) ((c) >= (lo) && (c) <= (hi))
#define ONE_OF(c, s) ((c) != 0 && (c) < 0x80 && __builtin_strchr ((s), (c)) != NULL)

#define IS_ALPHA(c) (IN (c, 'A', 'Z') || IN (c, 'a', 'z'))
#define IS_DIGIT(c) IN (c, '0', '9')
#define IS_ALNUM(c) (IS_ALPHA (c) || IS_DIGIT (c))

#define CLASSES(c) ( \
  (IS_ALPHA (c) ? SIPWS_CC_ALPHA : 0) | \
  (IS_DIGIT (c) ? SIPWS_CC_DIGIT : 0) | \
  (IS_ALNUM (c) ? SIPWS_CC_ALPHANUM : 0) | \
  (IS_DIGIT (c) || IN (c, 'A', 'F') || IN (c, 'a', 'f') ? SIPWS_CC_HEX : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-.!%*_+`'~") ? SIPWS_CC_TOKEN : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-_.!~*'()") ? SIPWS_CC_UNRESERVED : 0) | \
  (ONE_OF (c, "&=+$,;?/") ? SIPWS_CC_USER_UNRESERVED : 0) | \
  (ONE_OF (c, "&=+$,") ? SIPWS_CC_PASSWORD : 0) | \
  (ONE_OF (c, "[]/:&+$") ? SIPWS_CC_PARAM_UNRESERVED : 0) | \
  (ONE_OF (c, "[]/?:+$") ? SIPWS_CC_HNV_UNRESERVED : 0) | \
  ((c) == ' ' || (c) == '\t' ? SIPWS_CC_WS : 0) | \
  ((c) == ' ' || (c) == '\t' || (c) == 0x21 || IN (c, 0x23, 0x5B) || \
   IN (c, 0x5D, 0x7E) || (c) >= 0x80 ? SIPWS_CC_QDTEXT : 0) | \
  (ONE_OF (c, ";/?:@&=+$,") ? SIPWS_CC_RESERVED : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-.") ? SIPWS_CC_HOSTNAME : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-.!%*_+`'~()<>:\\\"/[]?{}") ? SIPWS_CC_WORD : 0) | \
  (ONE_OF (c, "-.()") ? SIPWS_CC_TEL_VISUAL : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-_.!~*'();/?:@&=+$,[]") ? SIPWS_CC_URIC : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "+-.") ? SIPWS_CC_SCHEME : 0) | \
  ((c) < 0x20 || (c) == 0x7F ? SIPWS_CC_CTL : 0) | \
  ((c) >= 0x80 ? SIPWS_CC_UTF8_NONASCII : 0) | \
  (IS_ALNUM (c) || (c) == '-' ? SIPWS_CC_LABEL : 0) | \
  (IS_ALNUM (c) || ONE_OF (c, "-.!%*_+`'~:[]") ? SIPWS_CC_GEN_VALUE : 0))

#define ROW(b) \
  CLASSES ((b) + 0x0), CLASSES ((b) + 0x1), CLASSES ((b) + 0x2), CLASSES ((b) + 0x3), \
  CLASSES ((b) + 0x4), CLASSES ((b) + 0x5), CLASSES ((b) + 0x6), CLASSES ((b) + 0x7), \
  CLASSES ((b) + 0x8), CLASSES ((b) + 0x9), CLASSES ((b) + 0xA), CLASSES ((b) + 0xB), \
  CLASSES ((b) + 0xC), CLASSES ((b) + 0xD), CLASSES ((b) + 0xE), CLASSES ((b) + 0xF)

const guint32 sipws_scan_table[256] = {
  ROW (0x00), ROW (0x10), ROW (0x20), ROW (0x30),
  ROW (0x40), ROW (0x50), ROW (0x60), ROW (0x70),
  ROW (0x80), ROW (0x90), ROW (0xA0), ROW (0xB0),
  ROW (0xC0), ROW (0xD0), ROW (0xE0), ROW (0xF0),
};

#define LOWER(c) ((c) + (IN (c, 'A', 'Z') ? 0x20 : 0))
#define LOWER_ROW(b) \
  LOWER ((b) + 0x0), LOWER ((b) + 0x1), LOWER ((b) + 0x2), LOWER ((b) + 0x3), \
  LOWER ((b) + 0x4), LOWER ((b) + 0x5), LOWER ((b) + 0x6), LOWER ((b) + 0x7), \
  LOWER ((b) + 0x8), LOWER ((b) + 0x9), LOWER ((b) + 0xA), LOWER ((b) + 0xB), \
  LOWER ((b) + 0xC), LOWER ((b) + 0xD), LOWER ((b) + 0xE), LOWER ((b) + 0xF)

const guint8 sipws_scan_lower[256] = {
  LOWER_ROW (0x00), LOWER_ROW (0x10), LOWER_ROW (0x20), LOWER_ROW (0x30),
  LOWER_ROW (0x40), LOWER_ROW (0x50), LOWER_ROW (0x60), LOWER_ROW (0x70),
  LOWER_ROW (0x80), LOWER_ROW (0x90), LOWER_ROW (0xA0), LOWER_ROW (0xB0),
  LOWER_ROW (0xC0), LOWER_ROW (0xD0), LOWER_ROW (0xE0), LOWER_ROW (0xF0),
};

void
sipws_scan_set_error (GError     **error,
                      const char  *start,
                      const char  *pos,
                      const char  *format,
                      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE, "%s at column %" G_GSIZE_FORMAT,
               what, (gsize) (pos - start) + 1);
}

gboolean
sipws_scan_is_token (const char *s,
                     gsize       len)
{
  return len > 0 && sipws_scan_token (s, s + len) == s + len;
}

gboolean
sipws_scan_quoted_string (const char  *start,
                          const char **pp,
                          const char  *end,
                          GError     **error)
{
  const char *open = *pp;
  const char *p = open + 1;

  g_return_val_if_fail (open < end && *open == '"', FALSE);

  for (;;)
    {
      guchar c;

      /* qdtext excludes DQUOTE and backslash, the two bytes that matter. */
      p = sipws_scan_span (p, end, SIPWS_CC_QDTEXT);
      if (p >= end)
        break;

      c = *p;
      if (c == '"')
        {
          *pp = p + 1;
          return TRUE;
        }
      if (c == '\\')
        {
          /* quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) */
          if (p + 1 >= end)
            break;
          c = p[1];
          if (c == '\r' || c == '\n' || c >= 0x80)
            {
              sipws_scan_set_error (error, start, p + 1,
                                    "invalid escaped character 0x%02X in quoted string", c);
              return FALSE;
            }
          p += 2;
          continue;
        }

      sipws_scan_set_error (error, start, p,
                            "invalid character 0x%02X in quoted string", c);
      return FALSE;
    }

  sipws_scan_set_error (error, start, open, "unterminated quoted string");
  return FALSE;
}

char *
sipws_scan_unquote (const char *p,
                    gsize       len)
{
  char *out, *o;

  g_return_val_if_fail (len >= 2 && p[0] == '"' && p[len - 1] == '"', NULL);

  out = g_malloc (len - 1);
  o = sipws_scan_unquote_to (out, p + 1, p + len - 1);
  *o = '\0';
  return out;
}

char *
sipws_scan_unquote_to (char       *out,
                       const char *s,
                       const char *s_end)
{
  const char *pair = memchr (s, '\\', s_end - s);

  if (pair == NULL)
    {
      /* memmove: @out may be the same text in its mirror, or the text */
      memmove (out, s, s_end - s);
      return out + (s_end - s);
    }
  memmove (out, s, pair - s);
  out += pair - s;
  for (s = pair; s < s_end; s++)
    {
      if (*s == '\\' && s + 1 < s_end)
        s++;
      *out++ = *s;
    }
  return out;
}

void
sipws_scan_append_quoted (GString    *out,
                          const char *s,
                          gsize       len)
{
  const char *end = s + len;

  g_string_append_c (out, '"');
  while (s < end)
    {
      const char *run = s;
      guchar c;

      s = sipws_scan_span (s, end, SIPWS_CC_QDTEXT);
      g_string_append_len (out, run, s - run);
      if (s >= end)
        break;
      c = *s++;
      /* CR and LF cannot be escaped (RFC 3261 quoted-pair excludes them);
       * writing them would let a value inject header lines. */
      if (c == '\r' || c == '\n')
        {
          g_string_append_c (out, ' ');
          continue;
        }
      g_string_append_c (out, '\\');
      g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

gboolean
sipws_scan_check_escapes (const char  *p,
                          gsize        len,
                          const char **bad)
{
  const char *end = p + len;

  while ((p = memchr (p, '%', end - p)) != NULL)
    {
      if (end - p < 3 || !sipws_scan_is (p[1], SIPWS_CC_HEX) || !sipws_scan_is (p[2], SIPWS_CC_HEX))
        {
          if (bad != NULL)
            *bad = p;
          return FALSE;
        }
      p += 3;
    }
  return TRUE;
}

char *
sipws_scan_decode_escapes (char       *out,
                           const char *p,
                           gsize       len)
{
  const char *end = p + len;

  while (p < end)
    {
      const char *pct = memchr (p, '%', end - p);
      gsize run = (pct != NULL ? pct : end) - p;

      memcpy (out, p, run);
      out += run;
      if (pct == NULL)
        break;
      *out++ = (char) (sipws_scan_hex_value (pct[1]) << 4 | sipws_scan_hex_value (pct[2]));
      p = pct + 3;
    }
  return out;
}

char *
sipws_scan_unescape (const char *p,
                     gsize       len,
                     gsize      *out_len)
{
  char *out, *o;

  if (!sipws_scan_check_escapes (p, len, NULL))
    return NULL;
  out = g_malloc (len + 1);
  o = sipws_scan_decode_escapes (out, p, len);
  *o = '\0';
  if (out_len != NULL)
    *out_len = o - out;
  return out;
}

void
sipws_scan_append_escaped (GString    *out,
                           const char *s,
                           gsize       len,
                           guint32     keep)
{
  static const char hex[] = "0123456789ABCDEF";
  const char *end = s + len;

  while (s < end)
    {
      const char *run = sipws_scan_span (s, end, keep);

      g_string_append_len (out, s, run - s);
      s = run;
      if (s < end)
        {
          guchar c = *s++;

          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xF]);
        }
    }
}

void
sipws_scan_list_iter_init (SipwsScanListIter *iter,
                           const char        *value,
                           gsize              len)
{
  const char *end = value + len;

  iter->start = value;
  iter->end = end;
  /* An all-blank value has no elements, not one empty element. */
  iter->p = sipws_scan_skip_lws (value, end) < end ? value : NULL;
}

gboolean
sipws_scan_list_iter_next (SipwsScanListIter *iter,
                           SipwsScanSpan     *elem,
                           GError           **error)
{
  const char *p = iter->p;
  const char *end = iter->end;
  const char *elem_start, *elem_end;

  if (p == NULL)
    return FALSE;

  elem_start = sipws_scan_skip_lws (p, end);
  p = elem_start;
  for (;;)
    {
      /* Only these three bytes change the state; everything else is skipped
       * in one tight loop. */
      while (p < end && *p != ',' && *p != '"' && *p != '<')
        p++;
      if (p >= end || *p == ',')
        break;

      if (*p == '"')
        {
          const char *q = p + 1;

          while (q < end && *q != '"')
            q += (*q == '\\' && q + 1 < end) ? 2 : 1;
          if (q >= end)
            {
              sipws_scan_set_error (error, iter->start, p, "unterminated quoted string");
              iter->p = NULL;
              return FALSE;
            }
          p = q + 1;
        }
      else
        {
          const char *q = memchr (p, '>', end - p);

          if (q == NULL)
            {
              sipws_scan_set_error (error, iter->start, p, "unclosed '<'");
              iter->p = NULL;
              return FALSE;
            }
          p = q + 1;
        }
    }

  elem_end = sipws_scan_trim_lws_end (elem_start, p);
  elem->start = elem_start;
  elem->len = elem_end - elem_start;
  iter->p = p < end ? p + 1 : NULL;
  return TRUE;
}

gboolean
sipws_scan_split_list (const char *value,
                       gsize       len,
                       GArray     *spans,
                       GError    **error)
{
  SipwsScanListIter iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;

  g_return_val_if_fail (spans != NULL, FALSE);

  sipws_scan_list_iter_init (&iter, value, len);
  while (sipws_scan_list_iter_next (&iter, &elem, &local_error))
    g_array_append_val (spans, elem);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* The dotted quad at @p, when there is one and nothing of a host name
 * follows it: its end; NULL otherwise. Each number is read digit by digit
 * without a loop: one to three digits, at most 255. */
static inline const char *
scan_ipv4 (const char *p,
           const char *end)
{
  for (guint part = 0;; part++)
    {
      guint value, digit;

      if (p >= end || (value = (guchar) (*p - '0')) > 9)
        return NULL;
      p++;
      if (p < end && (digit = (guchar) (*p - '0')) <= 9)
        {
          value = value * 10 + digit;
          p++;
          if (p < end && (digit = (guchar) (*p - '0')) <= 9)
            {
              value = value * 10 + digit;
              p++;
              if (value > 255 || (p < end && (guchar) (*p - '0') <= 9))
                return NULL;
            }
        }
      if (part == 3)
        break;
      if (p >= end || *p != '.')
        return NULL;
      p++;
    }
  return p < end && sipws_scan_is (*p, SIPWS_CC_HOSTNAME) ? NULL : p;
}

/* The host at @p label by label; without SSE2, and for runs of 32 bytes
 * and more with it. */
G_GNUC_NO_INLINE static const char *
scan_host_labels (const char    *p,
                  const char    *end,
                  SipwsScanHost *kind)
{
  const char *label = p, *previous = NULL, *q;
  /* Only a run starting with a digit may be an IPv4 address. */
  gboolean name_ok = TRUE, ipv4_ok = p < end && (guchar) (*p - '0') <= 9;
  guint labels = 0;

  if (ipv4_ok && (q = scan_ipv4 (p, end)) != NULL)
    {
      *kind = SIPWS_SCAN_HOST_IPV4;
      return q;
    }

  /* One label a round: [label, q), then a '.' or the end of the run. */
  for (;;)
    {
      gsize len;

      q = sipws_scan_span (label, end, SIPWS_CC_LABEL);
      len = q - label;
      labels++;
      if (ipv4_ok)
        {
          /* 1 to 3 digits, at most 255, four labels */
          guint v = 0;

          ipv4_ok = len >= 1 && len <= 3 && labels <= 4;
          for (gsize i = 0; ipv4_ok && i < len; i++)
            {
              ipv4_ok = (guchar) (label[i] - '0') <= 9;
              v = v * 10 + (guint) (label[i] - '0');
            }
          ipv4_ok = ipv4_ok && v <= 255;
        }
      if (q < end && *q == '.')
        {
          if (len == 0 || len > 63 || *label == '-' || q[-1] == '-')
            name_ok = FALSE;
          previous = label;
          label = q + 1;
          continue;
        }
      break;
    }

  /* The last label, unless the run ends with the optional '.' */
  if (label == q && previous != NULL && q - p > 1)
    {
      ipv4_ok = FALSE;
      label = previous;
    }
  else if (label == q || q - label > 63 || *label == '-' || q[-1] == '-')
    name_ok = FALSE;
  if (name_ok && (q - p > 255 || !sipws_scan_is (*label, SIPWS_CC_ALPHA)))
    name_ok = FALSE;

  if (ipv4_ok && labels == 4)
    *kind = SIPWS_SCAN_HOST_IPV4;
  else if (name_ok)
    *kind = SIPWS_SCAN_HOST_NAME;
  else if (label < q && sipws_scan_is (*label, SIPWS_CC_DIGIT) && sipws_scan_is (*p, SIPWS_CC_DIGIT))
    *kind = SIPWS_SCAN_HOST_BAD_IPV4;
  else
    *kind = SIPWS_SCAN_HOST_BAD_NAME;
  return q;
}

#ifdef SIPWS_SIMD_SSE2
/* TRUE when the deciding label of the run (masks as for
 * sipws_scan_hostname_masks()) starts with a digit: a run that starts
 * with a digit too and is neither a host name nor an IPv4 address is meant
 * as an IPv4 address. */
static inline gboolean
host_deciding_digit (guint run,
                     guint digit,
                     guint dot)
{
  guint starts = (dot << 1 | 1) & run;

  return (starts & ~digit) < (starts & digit);
}

/* The host at @p when its first 16 bytes, @v with the masks @digit, @dot
 * and @dash, are all host-name bytes. */
G_GNUC_NO_INLINE static const char *
scan_host_long (const char    *p,
                const char    *end,
                __m128i        v,
                guint          digit,
                guint          dot,
                guint          dash,
                SipwsScanHost *kind)
{
  guint digit1, dot1, dash1, r, run;

  r = 0xFFFF | sipws_scan_host_masks (sipws_scan_load_upto16 (p + 16, end), &digit1, &dot1, &dash1) << 16;
  if (r == G_MAXUINT32)
    return scan_host_labels (p, end, kind);
  run = r & ~(r + 1);
  digit |= digit1 << 16;
  dot = (dot | dot1 << 16) & run;
  /* 16 bytes or more: no IPv4 address */
  if (sipws_scan_hostname_masks (run, digit, dot, dash | dash1 << 16))
    *kind = SIPWS_SCAN_HOST_NAME;
  else
    *kind = (digit & 1) != 0 && host_deciding_digit (run, digit, dot) ? SIPWS_SCAN_HOST_BAD_IPV4 : SIPWS_SCAN_HOST_BAD_NAME;
  return p + __builtin_ctz (r + 1);
}

/* The host at @p that starts with a digit and is no IPv4 address (its
 * first 16 bytes in @v): when it is not a host name either, it is meant as
 * an IPv4 address when its deciding label starts with a digit too. */
G_GNUC_NO_INLINE static const char *
host_digit_first_other (const char    *p,
                        const char    *end,
                        __m128i        v,
                        SipwsScanHost *kind)
{
  guint digit, dot, dash, r = sipws_scan_host_masks (v, &digit, &dot, &dash), run;

  if (r == 0xFFFF)
    return scan_host_long (p, end, v, digit, dot, dash, kind);
  run = r & ~(r + 1);
  dot &= run;
  /* digits and dots only make no name */
  if ((run & ~(digit | dot)) != 0 && sipws_scan_hostname_masks (run, digit, dot, dash))
    *kind = SIPWS_SCAN_HOST_NAME;
  else
    *kind = host_deciding_digit (run, digit, dot) ? SIPWS_SCAN_HOST_BAD_IPV4 : SIPWS_SCAN_HOST_BAD_NAME;
  return p + __builtin_ctz (r + 1);
}

/* The host at @p, whose first 16 bytes @v (@digit: their digits) start
 * with a digit. An IPv4 address is told from the digits and dots alone,
 * when no host-name byte follows them; any other host out of line. */
G_ALWAYS_INLINE static inline const char *
host_digit_first (const char    *p,
                  const char    *end,
                  __m128i        v,
                  guint          digit,
                  SipwsScanHost *kind)
{
  guint dot = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('.')));
  guint r = digit | dot, len = __builtin_ctz (r + 1);

  /* (the bytes past @end read as NUL) */
  if ((p + len == end || !sipws_scan_is (p[len], SIPWS_CC_HOSTNAME)) &&
      sipws_scan_ipv4_masks (p, v, 0, r & ~(r + 1), digit, dot & ~(r + 1)))
    {
      *kind = SIPWS_SCAN_HOST_IPV4;
      return p + len;
    }
  return host_digit_first_other (p, end, v, kind);
}
#endif

const char *
sipws_scan_host (const char    *p,
                 const char    *end,
                 SipwsScanHost *kind)
{
#ifdef SIPWS_SIMD_SSE2
  __m128i v = sipws_scan_load_upto16 (p, end);
  guint digit = sipws_scan_digit_mask (v), dot, dash, r, run;

  if (digit & 1)
    return host_digit_first (p, end, v, digit, kind);
  r = sipws_scan_host_masks (v, &digit, &dot, &dash);
  if (r == 0xFFFF)
    return scan_host_long (p, end, v, digit, dot, dash, kind);
  /* the run: the ones below the lowest zero */
  run = r & ~(r + 1);
  *kind = sipws_scan_hostname_masks (run, digit, dot & run, dash) ? SIPWS_SCAN_HOST_NAME : SIPWS_SCAN_HOST_BAD_NAME;
  return p + __builtin_ctz (r + 1);
#else
  return scan_host_labels (p, end, kind);
#endif
}

gboolean
sipws_scan_is_ipv4 (const char *p,
                    const char *end)
{
  SipwsScanHost kind;

  return sipws_scan_host (p, end, &kind) == end && kind == SIPWS_SCAN_HOST_IPV4;
}

gboolean
sipws_scan_is_hostname (const char *p,
                        const char *end)
{
  SipwsScanHost kind;

  return sipws_scan_host (p, end, &kind) == end && kind == SIPWS_SCAN_HOST_NAME;
}

gboolean
sipws_scan_is_ipv6 (const char *p,
                    const char *end)
{
  guint groups = 0;
  gboolean compressed = FALSE;

  if (end - p >= 2 && p[0] == ':' && p[1] == ':')
    {
      compressed = TRUE;
      p += 2;
      if (p == end)
        return TRUE;
    }
  else if (p < end && *p == ':')
    return FALSE;

  while (p < end)
    {
      const char *group = p;
      const char *hex_end = sipws_scan_span (p, end, SIPWS_CC_HEX);

      /* A dotted quad may end the address in place of the last two groups. */
      if (hex_end < end && *hex_end == '.')
        return (compressed ? groups + 2 <= 7 : groups + 2 == 8) &&
               sipws_scan_is_ipv4 (group, end);

      if (hex_end == group || hex_end - group > 4)
        return FALSE;
      groups++;
      p = hex_end;
      if (p == end)
        break;
      if (*p != ':')
        return FALSE;
      p++;
      if (p < end && *p == ':')
        {
          if (compressed)
            return FALSE;
          compressed = TRUE;
          p++;
          if (p == end)
            break;
        }
      else if (p == end)
        return FALSE;
    }

  return compressed ? groups <= 7 : groups == 8;
}

const char *
sipws_scan_describe (const char *p,
                     const char *end,
                     char       *buf)
{
  guchar c;

  if (p >= end)
    return "end of input";
  c = *p;
  if (c == ' ')
    return "space";
  if (c == '\t')
    return "tab";
  if (c > 0x20 && c < 0x7F)
    g_snprintf (buf, SIPWS_SCAN_DESCRIBE_SIZE, "'%c'", c);
  else
    g_snprintf (buf, SIPWS_SCAN_DESCRIBE_SIZE, "byte 0x%02X", c);
  return buf;
}
