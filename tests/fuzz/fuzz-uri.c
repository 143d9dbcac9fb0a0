/* fuzz-uri.c: libFuzzer target for URIs, addresses and the list splitter.
 *
 * Besides "no crash, no leak", it checks the round trip: whatever parses is
 * written back, and that text must parse again to an equal value and be
 * written identically (to_string is a fixed point). */
#include <stdlib.h>
#include <string.h>

#include "sipws-address-private.h"
#include "sipws-scan-private.h"
#include "sipws-uri.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

static void
check_uri (const char *text,
           gsize       len)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse (text, len, NULL);
  g_autoptr(SipwsUri) again = NULL;
  g_autoptr(SipwsUri) copy = NULL;
  g_autofree char *string = NULL;
  g_autofree char *string2 = NULL;

  if (uri == NULL)
    return;
  string = sipws_uri_to_string (uri);
  again = sipws_uri_parse (string, -1, NULL);
  CHECK (again != NULL);
  CHECK (sipws_uri_equal (uri, again) && sipws_uri_equal (again, uri));
  CHECK (sipws_uri_hash (uri) == sipws_uri_hash (again));
  string2 = sipws_uri_to_string (again);
  CHECK (strcmp (string, string2) == 0);
  copy = sipws_uri_copy (uri);
  CHECK (sipws_uri_equal (uri, copy));
}

static void
check_address (const char *start,
               const char *p,
               const char *end)
{
  SipwsArena *arena = sipws_arena_new (16);
  /* the writable copy the strings are made in, as the message parser does */
  char *out = sipws_arena_strndup (arena, start, end - start);
  SipwsAddress *address = sipws_address_parse_range (arena, start, out, p, end, NULL);
  g_autoptr(SipwsAddress) again = NULL;
  g_autofree char *string = NULL;
  g_autofree char *string2 = NULL;

  if (address == NULL)
    {
      sipws_arena_unref (arena);
      return;
    }
  string = sipws_address_to_string (address);
  again = sipws_address_parse (string, -1, NULL);
  CHECK (again != NULL);
  CHECK (sipws_address_is_wildcard (address) == sipws_address_is_wildcard (again));
  CHECK (g_strcmp0 (sipws_address_get_display_name (address), sipws_address_get_display_name (again)) == 0);
  CHECK (g_strcmp0 (sipws_address_get_tag (address), sipws_address_get_tag (again)) == 0);
  CHECK (sipws_address_get_expires (address) == sipws_address_get_expires (again));
  CHECK (sipws_address_get_q (address) == sipws_address_get_q (again));
  if (!sipws_address_is_wildcard (address))
    CHECK (sipws_uri_equal (sipws_address_get_uri (address), sipws_address_get_uri (again)));
  string2 = sipws_address_to_string (again);
  CHECK (strcmp (string, string2) == 0);
  /* A small arena: the address spilled into chunks of their own. */
  sipws_arena_unref (arena);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  SipwsScanListIter iter;
  SipwsScanSpan elem;
  guint n = 0;

  if (size > 4096)
    return 0;

  check_uri (text, size);
  check_address (text, text, text + size);

  /* As a header value: split, then each element as an address. */
  sipws_scan_list_iter_init (&iter, text, size);
  while (sipws_scan_list_iter_next (&iter, &elem, NULL))
    {
      CHECK (elem.start >= text && elem.start + elem.len <= text + size);
      CHECK (++n <= size + 1);
      check_address (text, elem.start, elem.start + elem.len);
    }
  return 0;
}
