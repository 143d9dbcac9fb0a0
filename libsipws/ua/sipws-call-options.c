/* sipws-call-options.c: options of one outgoing call */
#include "sipws-call-options.h"
#include "sipws-scan-private.h"
#include "sipws-header-table-private.h"

#include <string.h>

/**
 * SipwsCallOptions:
 *
 * What [method@Sipws.Account.call] should do beyond the defaults: extra
 * header fields of the INVITE, how many redirections to follow, and the
 * media handler to use instead of asking
 * [signal@Sipws.Account::create-media-handler].
 *
 * A reference-counted value; treat it as immutable once it is passed to a
 * call.
 */
typedef struct {
  char *name;   /* as first added */
  char *value;
} Header;

struct _SipwsCallOptions {
  gatomicrefcount ref_count;
  GArray *headers;           /* of Header, in insertion order */
  guint max_redirects;
  SipwsMediaHandler *handler;
};

G_DEFINE_BOXED_TYPE (SipwsCallOptions, sipws_call_options, sipws_call_options_ref, sipws_call_options_unref)

static void
header_clear (Header *header)
{
  g_free (header->name);
  g_free (header->value);
}

/* Header names compare without case, and a compact form names the same
 * header as its long form (RFC 3261 §7.3.1, §7.3.3). */
static gboolean
same_header (const char *a,
             const char *b)
{
  SipwsHeaderId id = sipws_header_lookup (a, strlen (a));

  if (id != SIPWS_HEADER_UNKNOWN)
    return id == sipws_header_lookup (b, strlen (b));
  return g_ascii_strcasecmp (a, b) == 0;
}

static Header *
find_header (SipwsCallOptions *self,
             const char       *name)
{
  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *header = &g_array_index (self->headers, Header, i);

      if (same_header (header->name, name))
        return header;
    }
  return NULL;
}

/**
 * sipws_call_options_new:
 *
 * Creates call options with the defaults: no extra headers,
 * %SIPWS_CALL_OPTIONS_DEFAULT_MAX_REDIRECTS redirections, and media from
 * [signal@Sipws.Account::create-media-handler].
 *
 * Returns: (transfer full): new call options
 */
SipwsCallOptions *
sipws_call_options_new (void)
{
  SipwsCallOptions *self = g_new0 (SipwsCallOptions, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->headers = g_array_new (FALSE, FALSE, sizeof (Header));
  g_array_set_clear_func (self->headers, (GDestroyNotify) header_clear);
  self->max_redirects = SIPWS_CALL_OPTIONS_DEFAULT_MAX_REDIRECTS;
  return self;
}

/**
 * sipws_call_options_ref:
 * @self: call options
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self with one more reference
 */
SipwsCallOptions *
sipws_call_options_ref (SipwsCallOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * sipws_call_options_unref:
 * @self: (transfer full): call options
 *
 * Drops one reference, freeing the options with the last one.
 */
void
sipws_call_options_unref (SipwsCallOptions *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_array_unref (self->headers);
  g_clear_object (&self->handler);
  g_free (self);
}

/**
 * sipws_call_options_add_header:
 * @self: call options
 * @name: a header field name (a token, such as `Subject`)
 * @value: its value, on one line
 *
 * Adds a header field to the INVITE, replacing an earlier value of the same
 * header. Names compare without case, and a compact form (`s`) is the same
 * header as its long form (`Subject`). Header fields the user agent manages
 * itself (Via, From, To, Call-ID, CSeq, Contact, Content-Type,
 * Content-Length) cannot be set this way and are ignored.
 */
void
sipws_call_options_add_header (SipwsCallOptions *self,
                               const char       *name,
                               const char       *value)
{
  Header *header;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && sipws_scan_is_token (name, strlen (name)));
  g_return_if_fail (value != NULL && strpbrk (value, "\r\n") == NULL);

  header = find_header (self, name);
  if (header == NULL)
    {
      Header added = { g_strdup (name), g_strdup (value) };

      g_array_append_val (self->headers, added);
      return;
    }
  g_free (header->value);
  header->value = g_strdup (value);
}

/**
 * sipws_call_options_get_header_names:
 * @self: call options
 *
 * Lists the extra header fields added with
 * [method@Sipws.CallOptions.add_header].
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the
 *   extra header fields, in the order they were added
 */
char **
sipws_call_options_get_header_names (SipwsCallOptions *self)
{
  GStrvBuilder *builder;
  char **names;

  g_return_val_if_fail (self != NULL, NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->headers->len; i++)
    g_strv_builder_add (builder, g_array_index (self->headers, Header, i).name);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/**
 * sipws_call_options_get_header:
 * @self: call options
 * @name: a header field name
 *
 * Looks up an extra header field by name, ignoring case; a compact form (`s`)
 * finds its long form (`Subject`) and back.
 *
 * Returns: (nullable): the value of the extra header field @name
 */
const char *
sipws_call_options_get_header (SipwsCallOptions *self,
                               const char       *name)
{
  Header *header;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  header = find_header (self, name);
  return header != NULL ? header->value : NULL;
}

/**
 * sipws_call_options_set_max_redirects:
 * @self: call options
 * @max_redirects: how many 3xx answers to follow; 0 ends the call on the first
 *
 * Sets how many redirections the call follows before it ends with the 3xx
 * status. A target already tried is never tried again, so a redirection
 * loop ends early.
 */
void
sipws_call_options_set_max_redirects (SipwsCallOptions *self,
                                      guint             max_redirects)
{
  g_return_if_fail (self != NULL);

  self->max_redirects = max_redirects;
}

/**
 * sipws_call_options_get_max_redirects:
 * @self: call options
 *
 * Gets how many redirections the call follows, see
 * [method@Sipws.CallOptions.set_max_redirects].
 *
 * Returns: how many 3xx answers the call follows
 */
guint
sipws_call_options_get_max_redirects (SipwsCallOptions *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_redirects;
}

/**
 * sipws_call_options_set_media_handler:
 * @self: call options
 * @handler: (nullable): the media of the call, or %NULL to ask
 *   [signal@Sipws.Account::create-media-handler]
 *
 * Gives the call its media handler directly.
 */
void
sipws_call_options_set_media_handler (SipwsCallOptions  *self,
                                      SipwsMediaHandler *handler)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (handler == NULL || SIPWS_IS_MEDIA_HANDLER (handler));

  g_set_object (&self->handler, handler);
}

/**
 * sipws_call_options_get_media_handler:
 * @self: call options
 *
 * Gets the media handler given with
 * [method@Sipws.CallOptions.set_media_handler].
 *
 * Returns: (nullable) (transfer none): the media handler set with
 *   [method@Sipws.CallOptions.set_media_handler]
 */
SipwsMediaHandler *
sipws_call_options_get_media_handler (SipwsCallOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->handler;
}
