/* sipws-test-certs.c: a throw-away PKI made with openssl at test time */
#include "sipws-test-certs.h"

#include <glib/gstdio.h>

static gboolean
run_openssl (const char  *dir,
             GError     **error,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err_out = NULL;
  const char *openssl = g_getenv ("OPENSSL");
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) (openssl != NULL ? openssl : "/usr/bin/openssl"));
  va_start (args, error);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err_out, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "openssl %s failed: %s",
                   (char *) argv->pdata[1], err_out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_ca (const char  *dir,
         const char  *name,
         const char  *cn,
         GError     **error)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *subject = g_strconcat ("/CN=", cn, NULL);

  return run_openssl (dir, error, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", subject, NULL);
}

static gboolean
make_leaf (const char  *dir,
           const char  *name,
           const char  *ca,
           const char  *cn,
           const char  *extensions,
           const char  *days,
           GError     **error)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext = g_strconcat (name, ".ext", NULL);
  g_autofree char *ext_path = g_build_filename (dir, ext, NULL);
  g_autofree char *ca_pem = g_strconcat (ca, ".pem", NULL);
  g_autofree char *ca_key = g_strconcat (ca, ".key", NULL);
  g_autofree char *subject = g_strconcat ("/CN=", cn, NULL);
  g_autofree char *serial = g_strdup_printf ("0x%08x%08x", g_random_int (), g_random_int ());

  if (!g_file_set_contents (ext_path, extensions, -1, error))
    return FALSE;
  return run_openssl (dir, error, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                      "-nodes", "-keyout", key, "-out", csr, "-subj", subject, NULL)
         && run_openssl (dir, error, "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
                         "-set_serial", serial, "-out", pem, "-days", days, "-extfile", ext, NULL);
}

SipwsTestCerts *
sipws_test_certs_new (GError **error)
{
  g_autoptr(SipwsTestCerts) certs = g_new0 (SipwsTestCerts, 1);
  const char *server_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                           "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const char *wrong_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                          "subjectAltName=DNS:wrong.example\n";
  const char *client_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";

  certs->dir = g_dir_make_tmp ("sipws-certs-XXXXXX", error);
  if (certs->dir == NULL)
    return NULL;

  if (!make_ca (certs->dir, "ca", "sipws test CA", error)
      || !make_ca (certs->dir, "other-ca", "sipws untrusted CA", error)
      || !make_leaf (certs->dir, "server", "ca", "127.0.0.1", server_ext, "2", error)
      || !make_leaf (certs->dir, "expired", "ca", "127.0.0.1", server_ext, "-1", error)
      || !make_leaf (certs->dir, "wrong-host", "ca", "wrong.example", wrong_ext, "2", error)
      || !make_leaf (certs->dir, "unknown-ca", "other-ca", "127.0.0.1", server_ext, "2", error)
      || !make_leaf (certs->dir, "client", "ca", "sipws-test-client", client_ext, "2", error))
    return NULL;

#define PEM(field, name) certs->field = g_build_filename (certs->dir, name, NULL)
  PEM (ca_file, "ca.pem");
  PEM (other_ca_file, "other-ca.pem");
  PEM (server_cert, "server.pem");
  PEM (server_key, "server.key");
  PEM (expired_cert, "expired.pem");
  PEM (expired_key, "expired.key");
  PEM (wrong_host_cert, "wrong-host.pem");
  PEM (wrong_host_key, "wrong-host.key");
  PEM (unknown_ca_cert, "unknown-ca.pem");
  PEM (unknown_ca_key, "unknown-ca.key");
  PEM (client_cert, "client.pem");
  PEM (client_key, "client.key");
#undef PEM

  return g_steal_pointer (&certs);
}

void
sipws_test_certs_free (SipwsTestCerts *certs)
{
  if (certs->dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (certs->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (certs->dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (certs->dir);
    }
  g_free (certs->dir);
  g_free (certs->ca_file);
  g_free (certs->other_ca_file);
  g_free (certs->server_cert);
  g_free (certs->server_key);
  g_free (certs->expired_cert);
  g_free (certs->expired_key);
  g_free (certs->wrong_host_cert);
  g_free (certs->wrong_host_key);
  g_free (certs->unknown_ca_cert);
  g_free (certs->unknown_ca_key);
  g_free (certs->client_cert);
  g_free (certs->client_key);
  g_free (certs);
}

GTlsCertificate *
sipws_test_certs_load (const char *cert_file,
                       const char *key_file)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);

  g_assert_no_error (error);
  return certificate;
}

char *
sipws_test_certs_sha256 (const char *cert_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (cert_file, &error);
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  g_object_get (certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (gsize i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (out, "%s%.2s", i > 0 ? ":" : "", hex + i);
  return g_string_free (out, FALSE);
}
