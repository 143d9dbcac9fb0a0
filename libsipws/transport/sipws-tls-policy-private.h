/* sipws-tls-policy-private.h: certificate pins and readable trust failures */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Flags a matching pin overrides: the pin names the exact certificate, so the
 * issuer and the host name no longer matter; its validity period still does. */
#define SIPWS_TLS_PIN_OVERRIDES (G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY)

/* Parses SHA-256 fingerprints written as 64 hex digits, optionally separated
 * by ':' (the `openssl x509 -fingerprint -sha256` form) into a GBytes of 32
 * bytes each. */
GPtrArray *sipws_tls_parse_pins             (const char * const *pins,
                                             GError            **error);

/* Lowercase hex SHA-256 of the certificate's DER encoding. */
char      *sipws_tls_certificate_sha256     (GTlsCertificate    *certificate);

gboolean   sipws_tls_certificate_matches    (GTlsCertificate    *certificate,
                                             GPtrArray          *pins);

/* EXPIRED / NOT_ACTIVATED from the certificate's own dates: without a trust
 * database the TLS backend does not report them. */
GTlsCertificateFlags sipws_tls_certificate_check_dates (GTlsCertificate *certificate);

/* "certificate signed by unknown authority", "certificate expired",
 * "certificate does not match host …", joined with ", " when several apply. */
char      *sipws_tls_describe_flags         (GTlsCertificateFlags flags,
                                             const char          *host);

G_END_DECLS
