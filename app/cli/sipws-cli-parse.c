/* sipws-cli-parse.c: `sipws parse FILE|-` prints a SIP message as libsipws
 * reads it, or the precise parse error */
#include "sipws-cli-private.h"

#include <stdio.h>
#include <string.h>

/* Larger inputs are refused before parsing; the parser's own limit (64 KiB)
 * then says what is wrong with the message. */
#define MAX_INPUT_SIZE (16 * 1024 * 1024)

static GBytes *
read_input (const char  *path,
            GError     **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (strcmp (path, "-") != 0)
    {
      if (!g_file_get_contents (path, &contents, &len, error))
        return NULL;
      return g_bytes_new_take (contents, len);
    }
  else
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      guint8 chunk[65536];
      size_t n;

      while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
        {
          if (data->len + n > MAX_INPUT_SIZE)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "more than %d bytes", MAX_INPUT_SIZE);
              return NULL;
            }
          g_byte_array_append (data, chunk, n);
        }
      if (ferror (stdin))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read standard input");
          return NULL;
        }
      return g_byte_array_free_to_bytes (g_steal_pointer (&data));
    }
}

/* Output: a text line per item, or the same items in one JSON object. */
typedef struct {
  gboolean         json;
  GVariantBuilder  root;
} Printer;

static char *
uri_text (SipwsUri *uri)
{
  g_autofree char *text = sipws_uri_to_string (uri);

  return sipws_redact_uri (text);
}

/* "name=value" pairs of an address's header parameters, as text and as a
 * dictionary. */
static void
describe_address (SipwsAddress     *address,
                  GString          *line,
                  GVariantBuilder  *dict)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *uri = NULL;
  const char *display;

  if (sipws_address_is_wildcard (address))
    {
      g_string_append (line, "*");
      g_variant_builder_add (dict, "{sv}", "wildcard", g_variant_new_boolean (TRUE));
      return;
    }

  display = sipws_address_get_display_name (address);
  uri = uri_text (sipws_address_get_uri (address));
  if (display != NULL)
    {
      g_autofree char *printable = sipws_redact_header_value ("Display", display);

      g_string_append_printf (line, "\"%s\" ", printable);
      g_variant_builder_add (dict, "{sv}", "display_name", g_variant_new_string (printable));
    }
  g_string_append_printf (line, "<%s>", uri);
  g_variant_builder_add (dict, "{sv}", "uri", g_variant_new_string (uri));

  names = sipws_address_get_param_names (address);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      const char *value = sipws_address_get_param (address, names[i]);
      g_autofree char *printable = value != NULL ? sipws_redact_header_value (names[i], value) : NULL;

      if (printable != NULL)
        g_string_append_printf (line, " %s=%s", names[i], printable);
      else
        g_string_append_printf (line, " %s", names[i]);
      g_variant_builder_add (dict, "{sv}", names[i], g_variant_new_string (printable != NULL ? printable : ""));
    }
}

static void
print_line (Printer    *printer,
            const char *label,
            const char *text)
{
  if (!printer->json)
    g_print ("%-14s %s\n", label, text);
}

static void
print_addresses (Printer    *printer,
                 const char *label,
                 const char *key,
                 GPtrArray  *list)
{
  GVariantBuilder array;

  if (list == NULL)
    return;
  g_variant_builder_init (&array, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < list->len; i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *numbered = g_strdup_printf ("%s[%u]:", label, i);
      GVariantBuilder dict;

      g_variant_builder_init (&dict, G_VARIANT_TYPE ("a{sv}"));
      describe_address (list->pdata[i], line, &dict);
      print_line (printer, numbered, line->str);
      g_variant_builder_add_value (&array, g_variant_builder_end (&dict));
    }
  g_variant_builder_add (&printer->root, "{sv}", key, g_variant_builder_end (&array));
}

static void
print_address (Printer      *printer,
               const char   *label,
               const char   *key,
               SipwsAddress *address)
{
  g_autoptr(GString) line = g_string_new (NULL);
  GVariantBuilder dict;

  if (address == NULL)
    return;
  g_variant_builder_init (&dict, G_VARIANT_TYPE ("a{sv}"));
  describe_address (address, line, &dict);
  print_line (printer, label, line->str);
  g_variant_builder_add (&printer->root, "{sv}", key, g_variant_builder_end (&dict));
}

static void
print_vias (Printer      *printer,
            SipwsMessage *msg)
{
  GPtrArray *vias = sipws_message_get_vias (msg);
  GVariantBuilder array;

  if (vias == NULL)
    return;
  g_variant_builder_init (&array, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < vias->len; i++)
    {
      SipwsVia *via = vias->pdata[i];
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *label = g_strdup_printf ("Via[%u]:", i);
      const char *branch = sipws_via_get_branch (via);
      const char *received = sipws_via_get_received (via);
      gint rport = sipws_via_get_rport (via);
      GVariantBuilder dict;

      g_variant_builder_init (&dict, G_VARIANT_TYPE ("a{sv}"));
      g_string_append_printf (line, "%s %s", sipws_via_get_transport (via), sipws_via_get_host (via));
      g_variant_builder_add (&dict, "{sv}", "transport", g_variant_new_string (sipws_via_get_transport (via)));
      g_variant_builder_add (&dict, "{sv}", "host", g_variant_new_string (sipws_via_get_host (via)));
      if (sipws_via_get_port (via) != 0)
        {
          g_string_append_printf (line, " port=%u", sipws_via_get_port (via));
          g_variant_builder_add (&dict, "{sv}", "port", g_variant_new_uint32 (sipws_via_get_port (via)));
        }
      if (branch != NULL)
        {
          g_string_append_printf (line, " branch=%s%s", branch,
                                  sipws_via_has_magic_cookie (via) ? "" : " (not RFC 3261)");
          g_variant_builder_add (&dict, "{sv}", "branch", g_variant_new_string (branch));
        }
      if (received != NULL)
        {
          g_string_append_printf (line, " received=%s", received);
          g_variant_builder_add (&dict, "{sv}", "received", g_variant_new_string (received));
        }
      if (rport == 0)
        g_string_append (line, " rport (requested)");
      else if (rport > 0)
        g_string_append_printf (line, " rport=%d", rport);
      if (rport >= 0)
        g_variant_builder_add (&dict, "{sv}", "rport", g_variant_new_int32 (rport));
      print_line (printer, label, line->str);
      g_variant_builder_add_value (&array, g_variant_builder_end (&dict));
    }
  g_variant_builder_add (&printer->root, "{sv}", "vias", g_variant_builder_end (&array));
}

static void
print_string (Printer    *printer,
              const char *label,
              const char *key,
              const char *value)
{
  if (value == NULL)
    return;
  print_line (printer, label, value);
  g_variant_builder_add (&printer->root, "{sv}", key, g_variant_new_string (value));
}

static void
print_number (Printer    *printer,
              const char *label,
              const char *key,
              gint64      value)
{
  g_autofree char *text = NULL;

  if (value < 0)
    return;
  text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  print_line (printer, label, text);
  g_variant_builder_add (&printer->root, "{sv}", key, g_variant_new_int64 (value));
}

static void
print_tokens (Printer      *printer,
              SipwsMessage *msg,
              const char   *name,
              const char   *key)
{
  g_auto(GStrv) tokens = sipws_message_get_header_values (msg, name);
  g_autofree char *label = g_strconcat (name, ":", NULL);
  g_autofree char *joined = NULL;

  if (sipws_message_count_headers (msg, name) == 0)
    return;
  joined = g_strjoinv (", ", tokens);
  print_line (printer, label, joined);
  g_variant_builder_add (&printer->root, "{sv}", key, g_variant_new_strv ((const char *const *) tokens, -1));
}

/* Headers printed above as interpreted, with their compact forms; the rest
 * are printed raw. */
static gboolean
is_interpreted (const char *name)
{
  static const char *const interpreted[] = {
    "Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Max-Forwards", "Contact", "m", "Route",
    "Record-Route", "Path", "Service-Route", "Expires", "Min-Expires", "Require", "Supported", "k", "Allow",
    "Proxy-Require", "Unsupported", "Content-Type", "c", "Content-Length", "l",
  };

  for (guint i = 0; i < G_N_ELEMENTS (interpreted); i++)
    if (g_ascii_strcasecmp (name, interpreted[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
print_message (Printer      *printer,
               SipwsMessage *msg,
               gsize         trailing)
{
  GVariantBuilder others;
  const char *method = NULL;
  guint32 cseq = 0;
  gsize body_size = g_bytes_get_size (sipws_message_get_body (msg));
  g_autofree char *line = NULL;

  if (sipws_message_is_request (msg))
    {
      g_autofree char *uri = uri_text (sipws_message_get_request_uri (msg));

      line = g_strdup_printf ("%s %s", sipws_message_get_method (msg), uri);
      print_line (printer, "Request:", line);
      g_variant_builder_add (&printer->root, "{sv}", "method", g_variant_new_string (sipws_message_get_method (msg)));
      g_variant_builder_add (&printer->root, "{sv}", "request_uri", g_variant_new_string (uri));
    }
  else
    {
      g_autofree char *reason = sipws_redact_header_value ("Reason-Phrase", sipws_message_get_reason_phrase (msg));

      line = g_strdup_printf ("%u %s", sipws_message_get_status_code (msg), reason);
      print_line (printer, "Response:", line);
      g_variant_builder_add (&printer->root, "{sv}", "status",
                             g_variant_new_uint32 (sipws_message_get_status_code (msg)));
      g_variant_builder_add (&printer->root, "{sv}", "reason", g_variant_new_string (reason));
    }

  print_vias (printer, msg);
  print_address (printer, "From:", "from", sipws_message_get_from (msg));
  print_address (printer, "To:", "to", sipws_message_get_to (msg));
  print_string (printer, "Call-ID:", "call_id", sipws_message_get_call_id (msg));
  if (sipws_message_get_cseq (msg, &cseq, &method))
    {
      g_autofree char *text = g_strdup_printf ("%u %s", cseq, method);

      print_line (printer, "CSeq:", text);
      g_variant_builder_add (&printer->root, "{sv}", "cseq", g_variant_new_uint32 (cseq));
      g_variant_builder_add (&printer->root, "{sv}", "cseq_method", g_variant_new_string (method));
    }
  print_number (printer, "Max-Forwards:", "max_forwards", sipws_message_get_max_forwards (msg));
  print_addresses (printer, "Contact", "contacts", sipws_message_get_contacts (msg));
  print_addresses (printer, "Route", "routes", sipws_message_get_address_list (msg, "Route"));
  print_addresses (printer, "Record-Route", "record_routes", sipws_message_get_address_list (msg, "Record-Route"));
  print_addresses (printer, "Path", "path", sipws_message_get_address_list (msg, "Path"));
  print_addresses (printer, "Service-Route", "service_routes", sipws_message_get_address_list (msg, "Service-Route"));
  print_number (printer, "Expires:", "expires", sipws_message_get_expires (msg));
  print_number (printer, "Min-Expires:", "min_expires", sipws_message_get_min_expires (msg));
  print_tokens (printer, msg, "Require", "require");
  print_tokens (printer, msg, "Proxy-Require", "proxy_require");
  print_tokens (printer, msg, "Supported", "supported");
  print_tokens (printer, msg, "Unsupported", "unsupported");
  print_tokens (printer, msg, "Allow", "allow");
  if (sipws_message_get_content_type (msg) != NULL)
    {
      g_autofree char *value =
        sipws_redact_header_value ("Content-Type", sipws_message_get_header_by_id (msg, SIPWS_HEADER_NAME_CONTENT_TYPE));

      print_line (printer, "Content-Type:", value);
      g_variant_builder_add (&printer->root, "{sv}", "content_type",
                             g_variant_new_string (sipws_message_get_content_type (msg)));
    }
  print_number (printer, "Content-Length:", "content_length", sipws_message_get_content_length (msg));

  /* Everything else as written, secrets (Authorization, cookies…) masked. */
  g_variant_builder_init (&others, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; i < sipws_message_get_n_headers (msg); i++)
    {
      const char *name, *value;
      g_autofree char *printable = NULL;
      g_autofree char *label = NULL;

      sipws_message_get_header_nth (msg, i, &name, &value, NULL);
      if (is_interpreted (name))
        continue;
      printable = sipws_redact_header_value (name, value);
      label = g_strconcat (name, ":", NULL);
      print_line (printer, label, printable);
      g_variant_builder_add (&others, "(ss)", name, printable);
    }
  g_variant_builder_add (&printer->root, "{sv}", "headers", g_variant_builder_end (&others));

  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", body_size);
  print_line (printer, "Body:", line);
  g_variant_builder_add (&printer->root, "{sv}", "body_size", g_variant_new_uint64 (body_size));
  if (trailing > 0)
    {
      g_clear_pointer (&line, g_free);
      line = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes after Content-Length, ignored", trailing);
      print_line (printer, "Trailing:", line);
    }
  g_variant_builder_add (&printer->root, "{sv}", "trailing", g_variant_new_uint64 (trailing));
}

int
sipws_cli_parse (SipwsCliOptions *options,
                 int              argc,
                 char           **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  Printer printer = { .json = options->json };
  gsize trailing = 0;

  if (argc != 2)
    {
      fprintf (stderr, "Usage: sipws [OPTIONS] parse FILE|-\n"
                       "Prints a SIP message as libsipws reads it (secrets masked), or the parse error.\n");
      return SIPWS_CLI_EXIT_USAGE;
    }

  input = read_input (argv[1], &error);
  if (input == NULL)
    return sipws_cli_fail ("%s: %s", argv[1], error->message);

  msg = sipws_message_parse_full (input, 0, 0, 0, &trailing, &error);
  if (msg == NULL)
    return sipws_cli_fail ("%s: %s", argv[1], error->message);

  g_variant_builder_init (&printer.root, G_VARIANT_TYPE ("a{sv}"));
  print_message (&printer, msg, trailing);
  if (printer.json)
    sipws_cli_emit (options, "message", "message", g_variant_builder_end (&printer.root), NULL);
  else
    g_variant_builder_clear (&printer.root);
  return SIPWS_CLI_EXIT_OK;
}
