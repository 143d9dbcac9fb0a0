/* sipws-test-certs.h: a throw-away PKI made with openssl at test time */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every path is a PEM file in a private temporary folder. Server certificates
 * are for 127.0.0.1 and localhost unless said otherwise; all but
 * unknown_ca_cert are signed by ca_file. */
typedef struct {
  char *dir;
  char *ca_file;
  char *other_ca_file;        /* a CA nobody trusts */
  char *server_cert, *server_key;
  char *expired_cert, *expired_key;
  char *wrong_host_cert, *wrong_host_key;   /* for wrong.example only */
  char *unknown_ca_cert, *unknown_ca_key;   /* signed by other_ca_file */
  char *client_cert, *client_key;           /* clientAuth, CN=sipws-test-client */
} SipwsTestCerts;

/* Runs /usr/bin/openssl (or $OPENSSL); NULL with @error when it is missing or fails. */
SipwsTestCerts  *sipws_test_certs_new   (GError        **error);
/* Deletes the folder and frees. */
void             sipws_test_certs_free  (SipwsTestCerts *certs);

GTlsCertificate *sipws_test_certs_load  (const char     *cert_file,
                                         const char     *key_file);

/* Lowercase hex SHA-256 of the DER certificate, colons between bytes. */
char            *sipws_test_certs_sha256 (const char    *cert_file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsTestCerts, sipws_test_certs_free)

G_END_DECLS
