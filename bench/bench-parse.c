/* bench-parse.c: how fast sipws_message_parse() reads realistic
 * SIP-over-WebSocket traffic
 *
 *   bench-parse [--seconds S] FILE...        time each mode, print a table
 *   bench-parse --mode M --iterations N FILE...
 *                                            run one mode N times over the
 *                                            corpus, for callgrind (run.sh)
 *
 * Modes: "memchr" finds the line ends with memchr() and nothing else (the
 * floor); "parse" parses each message; "full" parses it and reads every
 * typed header the transaction, dialog and registration layers use. Each
 * mode runs inside a function of its own (run_memchr, run_parse, run_full)
 * so that `valgrind --tool=callgrind --toggle-collect=run_full` counts the
 * instructions of that mode alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipws-message.h"
#include "sipws-error.h"

typedef struct {
  GPtrArray *messages;   /* GBytes, one SIP message each */
  gsize      n_bytes;
} Corpus;

/* Keeps the compiler from dropping reads whose results are unused. */
static volatile gsize sink;

/* What the dialog layer reads of From and To. */
static gsize
touch_party (SipwsAddress *address)
{
  SipwsUri *uri;

  if (address == NULL)
    return 0;
  uri = sipws_address_get_uri (address);
  return (sipws_address_get_display_name (address) != NULL) + (sipws_address_get_tag (address) != NULL) +
         sipws_uri_get_scheme (uri) + (sipws_uri_get_user (uri) != NULL) + (sipws_uri_get_host (uri) != NULL);
}

/* What registration (RFC 5626, RFC 5627) and dialogs read of Contact. */
static gsize
touch_contacts (SipwsMessage *msg)
{
  guint len;
  SipwsAddress **contacts = sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_CONTACT, &len);
  gsize n = 0;

  for (guint i = 0; i < len; i++)
    {
      SipwsAddress *address = contacts[i];
      SipwsUri *uri;

      if (sipws_address_is_wildcard (address))
        continue;
      uri = sipws_address_get_uri (address);
      n += (gsize) sipws_address_get_expires (address) + (gsize) sipws_address_get_q (address);
      n += sipws_address_get_param (address, "+sip.instance") != NULL;
      n += sipws_address_get_param (address, "reg-id") != NULL;
      n += sipws_address_get_param (address, "pub-gruu") != NULL;
      n += sipws_address_get_param (address, "temp-gruu") != NULL;
      n += (sipws_uri_get_host (uri) != NULL) + sipws_uri_get_port (uri) + sipws_uri_has_param (uri, "ob");
    }
  return n;
}

/* What a route set needs of Route, Record-Route, Path and Service-Route. */
static gsize
touch_routes (SipwsMessage    *msg,
              SipwsHeaderName  header)
{
  guint len;
  SipwsAddress **routes = sipws_message_peek_addresses_by_id (msg, header, &len);
  gsize n = 0;

  for (guint i = 0; i < len; i++)
    {
      SipwsUri *uri = sipws_address_get_uri (routes[i]);

      n += (sipws_uri_get_host (uri) != NULL) + sipws_uri_get_port (uri) + sipws_uri_has_param (uri, "lr");
    }
  return n;
}

/* Reads what the upper layers read: Via hops for transaction matching,
 * From/To/Call-ID/CSeq for dialogs, Contact, routes, Expires, option tags
 * for registration and outbound, Content-Type and the body for SDP. */
static gsize
touch_message (SipwsMessage *msg)
{
  guint n_vias = 0;
  SipwsVia *top = sipws_message_get_top_via (msg);
  const char *method = NULL;
  guint32 cseq = 0;
  gsize n = 0;

  n += sipws_message_is_request (msg) ? strlen (sipws_message_get_method (msg))
                                      : sipws_message_get_status_code (msg);
  if (sipws_message_is_request (msg))
    n += sipws_uri_get_scheme (sipws_message_get_request_uri (msg));
  n += sipws_message_peek_vias (msg, &n_vias) != NULL ? n_vias : 0;
  if (top != NULL)
    {
      n += sipws_via_get_branch (top) != NULL;
      n += sipws_via_has_magic_cookie (top);
      n += sipws_via_get_received (top) != NULL;
      n += (gsize) sipws_via_get_rport (top);
      n += strlen (sipws_via_get_transport (top));
      n += strlen (sipws_via_get_host (top));
      n += sipws_via_get_port (top);
    }
  n += touch_party (sipws_message_get_from (msg));
  n += touch_party (sipws_message_get_to (msg));
  n += sipws_message_get_call_id (msg) != NULL;
  n += sipws_message_get_cseq (msg, &cseq, &method) ? cseq + strlen (method) : 0;
  n += (gsize) sipws_message_get_max_forwards (msg);
  n += touch_contacts (msg);
  n += touch_routes (msg, SIPWS_HEADER_NAME_RECORD_ROUTE);
  n += touch_routes (msg, SIPWS_HEADER_NAME_ROUTE);
  n += touch_routes (msg, SIPWS_HEADER_NAME_PATH);
  n += touch_routes (msg, SIPWS_HEADER_NAME_SERVICE_ROUTE);
  n += (gsize) sipws_message_get_expires (msg);
  n += (gsize) sipws_message_get_min_expires (msg);
  n += sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_REQUIRE, "outbound");
  n += sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_SUPPORTED, "gruu");
  n += sipws_message_get_content_type (msg) != NULL;
  n += (gsize) sipws_message_get_content_length (msg);
  n += g_bytes_get_size (sipws_message_get_body (msg));
  n += sipws_message_get_header_by_id (msg, SIPWS_HEADER_NAME_WWW_AUTHENTICATE) != NULL;
  return n;
}

static G_GNUC_NO_INLINE void
run_memchr (const Corpus *corpus,
            guint         iterations)
{
  gsize lines = 0;

  for (guint it = 0; it < iterations; it++)
    for (guint i = 0; i < corpus->messages->len; i++)
      {
        gsize len;
        const char *p = g_bytes_get_data (corpus->messages->pdata[i], &len);
        const char *end = p + len;

        while ((p = memchr (p, '\n', end - p)) != NULL)
          {
            p++;
            lines++;
          }
      }
  sink += lines;
}

static G_GNUC_NO_INLINE void
run_parse (const Corpus *corpus,
           guint         iterations)
{
  for (guint it = 0; it < iterations; it++)
    for (guint i = 0; i < corpus->messages->len; i++)
      {
        SipwsMessage *msg = sipws_message_parse_bytes (corpus->messages->pdata[i], NULL);

        sink += msg != NULL;
        sipws_message_unref (msg);
      }
}

static G_GNUC_NO_INLINE void
run_full (const Corpus *corpus,
          guint         iterations)
{
  for (guint it = 0; it < iterations; it++)
    for (guint i = 0; i < corpus->messages->len; i++)
      {
        SipwsMessage *msg = sipws_message_parse_bytes (corpus->messages->pdata[i], NULL);

        sink += touch_message (msg);
        sipws_message_unref (msg);
      }
}

typedef void (*RunFunc) (const Corpus *corpus, guint iterations);

static const struct {
  const char *name;
  RunFunc     run;
} modes[] = {
  { "memchr", run_memchr },
  { "parse", run_parse },
  { "full", run_full },
};

static void
load_corpus (Corpus  *corpus,
             char   **files)
{
  corpus->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = NULL;
      char *data;
      gsize len;

      if (!g_file_get_contents (files[i], &data, &len, &error))
        g_error ("%s", error->message);
      /* A corpus message that does not parse would measure the error path. */
      msg = sipws_message_parse (data, len, &error);
      if (msg == NULL)
        g_error ("%s: %s", files[i], error->message);
      g_ptr_array_add (corpus->messages, g_bytes_new_take (data, len));
      corpus->n_bytes += len;
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *mode = NULL;
  double seconds = 1.0;
  gint iterations = 0;
  Corpus corpus = { 0 };
  GOptionEntry entries[] = {
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "Run only this mode (memchr, parse, full)", "MODE" },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Run the mode this many times over the corpus, untimed", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Time each mode for about this long (default 1)", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
    { NULL },
  };

  context = g_option_context_new ("- SIP parse benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || files == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "no corpus files given");
      return 2;
    }
  load_corpus (&corpus, files);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      gint64 start, elapsed;
      guint done = 0;

      if (mode != NULL && strcmp (mode, modes[m].name) != 0)
        continue;
      if (iterations > 0)
        {
          modes[m].run (&corpus, iterations);
          continue;
        }

      /* Warm up, then run batches until the time is spent. */
      modes[m].run (&corpus, 10);
      start = g_get_monotonic_time ();
      do
        {
          modes[m].run (&corpus, 100);
          done += 100;
          elapsed = g_get_monotonic_time () - start;
        }
      while (elapsed < seconds * G_USEC_PER_SEC);

      g_print ("%-7s %12.0f messages/s %9.1f MB/s\n", modes[m].name,
               (double) done * corpus.messages->len / elapsed * G_USEC_PER_SEC,
               (double) done * corpus.n_bytes / elapsed);
    }
  if (iterations > 0)
    g_print ("%u messages, %" G_GSIZE_FORMAT " bytes per iteration\n", corpus.messages->len, corpus.n_bytes);

  g_ptr_array_unref (corpus.messages);
  return sink == 0xdeadbeef;
}
