/* sipws-tls-policy.c: certificate pins and readable trust failures */
#include "sipws-tls-policy-private.h"

#include "sipws-transport.h"

#include <string.h>

#define SHA256_LEN 32

static gboolean
parse_one_pin (const char  *text,
               guint8       out[SHA256_LEN],
               GError     **error)
{
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      int hi, lo;

      if (*p == ':' || *p == ' ')
        continue;
      hi = g_ascii_xdigit_value (p[0]);
      lo = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (hi < 0 || lo < 0 || n == SHA256_LEN)
        {
          g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                       "pinned fingerprint \"%s\" is not a SHA-256 fingerprint "
                       "(64 hex digits, optionally separated by ':')", text);
          return FALSE;
        }
      out[n++] = (guint8) (hi << 4 | lo);
      p++;
    }

  if (n != SHA256_LEN)
    {
      g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                   "pinned fingerprint \"%s\" has %" G_GSIZE_FORMAT " bytes, a SHA-256 fingerprint has 32",
                   text, n);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
sipws_tls_parse_pins (const char * const  *pins,
                      GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (gsize i = 0; pins != NULL && pins[i] != NULL; i++)
    {
      guint8 digest[SHA256_LEN];

      if (!parse_one_pin (pins[i], digest, error))
        return NULL;
      g_ptr_array_add (out, g_bytes_new (digest, sizeof digest));
    }
  return g_steal_pointer (&out);
}

char *
sipws_tls_certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

gboolean
sipws_tls_certificate_matches (GTlsCertificate *certificate,
                               GPtrArray       *pins)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[SHA256_LEN];
  gsize len = sizeof digest;

  if (certificate == NULL || pins == NULL)
    return FALSE;
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &len);

  for (guint i = 0; i < pins->len; i++)
    {
      gsize pin_len = 0;
      const guint8 *pin = g_bytes_get_data (pins->pdata[i], &pin_len);

      if (pin_len == len && memcmp (pin, digest, len) == 0)
        return TRUE;
    }
  return FALSE;
}

GTlsCertificateFlags
sipws_tls_certificate_check_dates (GTlsCertificate *certificate)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (certificate);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (certificate);
  GTlsCertificateFlags flags = 0;

  if (not_before != NULL && g_date_time_compare (now, not_before) < 0)
    flags |= G_TLS_CERTIFICATE_NOT_ACTIVATED;
  if (not_after != NULL && g_date_time_compare (now, not_after) > 0)
    flags |= G_TLS_CERTIFICATE_EXPIRED;
  return flags;
}

char *
sipws_tls_describe_flags (GTlsCertificateFlags  flags,
                          const char           *host)
{
  g_autoptr(GString) out = g_string_new (NULL);
  struct {
    GTlsCertificateFlags flag;
    const char *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "certificate signed by unknown authority" },
    { G_TLS_CERTIFICATE_EXPIRED, "certificate expired" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "certificate not valid yet" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "certificate does not match host" },
    { G_TLS_CERTIFICATE_REVOKED, "certificate revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "certificate uses an insecure algorithm" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      if ((flags & reasons[i].flag) == 0)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, reasons[i].text);
      if (reasons[i].flag == G_TLS_CERTIFICATE_BAD_IDENTITY && host != NULL)
        g_string_append_printf (out, " %s", host);
    }

  if (out->len == 0)
    g_string_append (out, "certificate could not be verified");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
