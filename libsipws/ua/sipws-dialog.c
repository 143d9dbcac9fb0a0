/* sipws-dialog.c: RFC 3261 §12 dialog state */
#include "sipws-dialog-private.h"
#include "sipws-error.h"

struct _SipwsDialog {
  GObject parent_instance;

  SipwsDialogState state;
  gboolean uac;
  char *call_id;
  char *local_tag;
  char *remote_tag;
  SipwsAddress *local;    /* without tag */
  SipwsAddress *remote;   /* without tag */
  SipwsUri *remote_target;
  GPtrArray *route_set;   /* of SipwsAddress, in the order of our Route headers */
  guint32 local_seq;
  guint32 remote_seq;
  gboolean remote_seq_set;
  char *local_contact;
};

G_DEFINE_FINAL_TYPE (SipwsDialog, sipws_dialog, G_TYPE_OBJECT)

static void
sipws_dialog_finalize (GObject *object)
{
  SipwsDialog *self = SIPWS_DIALOG (object);

  g_free (self->call_id);
  g_free (self->local_tag);
  g_free (self->remote_tag);
  g_clear_pointer (&self->local, sipws_address_unref);
  g_clear_pointer (&self->remote, sipws_address_unref);
  g_clear_pointer (&self->remote_target, sipws_uri_unref);
  g_clear_pointer (&self->route_set, g_ptr_array_unref);
  g_free (self->local_contact);

  G_OBJECT_CLASS (sipws_dialog_parent_class)->finalize (object);
}

static void
sipws_dialog_class_init (SipwsDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sipws_dialog_finalize;
}

static void
sipws_dialog_init (SipwsDialog *self)
{
}

gboolean
sipws_method_is_target_refresh (const char *method)
{
  static const char * const methods[] = { "INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER" };

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      if (g_strcmp0 (method, methods[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The address without its tag, as it appears in every From/To of the dialog. */
static SipwsAddress *
untagged (SipwsAddress *address)
{
  SipwsAddress *copy = sipws_address_copy (address);

  sipws_address_remove_param (copy, "tag");
  return copy;
}

static char *
tagged_string (SipwsAddress *address,
               const char   *tag)
{
  g_autoptr(SipwsAddress) copy = sipws_address_copy (address);

  if (tag != NULL)
    sipws_address_set_param (copy, "tag", tag);
  return sipws_address_to_string (copy);
}

/* The remote target is the URI of the (single) Contact. */
static gboolean
set_target_from (SipwsDialog   *self,
                 SipwsMessage  *message,
                 GError       **error)
{
  guint n_contacts;
  SipwsAddress **contacts = sipws_message_peek_addresses_by_id (message, SIPWS_HEADER_NAME_CONTACT, &n_contacts);
  SipwsAddress *contact = n_contacts > 0 ? contacts[0] : NULL;

  if (contact == NULL || sipws_address_is_wildcard (contact))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "The %s has no Contact to reach the peer",
                   sipws_message_get_method (message) != NULL ? "request" : "response");
      return FALSE;
    }

  g_clear_pointer (&self->remote_target, sipws_uri_unref);
  self->remote_target = sipws_uri_ref (sipws_address_get_uri (contact));
  return TRUE;
}

/* §12.1.1 (UAS: Record-Route order) and §12.1.2 (UAC: reversed). */
static void
set_route_set_from (SipwsDialog  *self,
                    SipwsMessage *message,
                    gboolean      reverse)
{
  guint len;
  SipwsAddress **record_route = sipws_message_peek_addresses_by_id (message, SIPWS_HEADER_NAME_RECORD_ROUTE, &len);

  g_clear_pointer (&self->route_set, g_ptr_array_unref);
  self->route_set = g_ptr_array_new_full (len, (GDestroyNotify) sipws_address_unref);
  for (guint i = 0; i < len; i++)
    {
      guint index = reverse ? len - 1 - i : i;

      g_ptr_array_add (self->route_set, sipws_address_ref (record_route[index]));
    }
}

SipwsDialog *
sipws_dialog_new_uac (SipwsMessage  *request,
                      SipwsMessage  *response,
                      const char    *local_contact,
                      GError       **error)
{
  g_autoptr(SipwsDialog) self = NULL;
  SipwsAddress *from = sipws_message_get_from (request);
  SipwsAddress *to = sipws_message_get_to (response);
  guint status = sipws_message_get_status_code (response);

  if (to == NULL || sipws_address_get_tag (to) == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "The %u response has no To tag", status);
      return NULL;
    }

  self = g_object_new (SIPWS_TYPE_DIALOG, NULL);
  self->uac = TRUE;
  self->state = status >= 200 ? SIPWS_DIALOG_CONFIRMED : SIPWS_DIALOG_EARLY;
  self->call_id = g_strdup (sipws_message_get_call_id (request));
  self->local_tag = g_strdup (sipws_address_get_tag (from));
  self->remote_tag = g_strdup (sipws_address_get_tag (to));
  self->local = untagged (from);
  self->remote = untagged (to);
  sipws_message_get_cseq (request, &self->local_seq, NULL);
  self->local_contact = g_strdup (local_contact);
  set_route_set_from (self, response, TRUE);

  /* A provisional response without Contact still names an early dialog;
   * its target comes with a later response. */
  if (!set_target_from (self, response, status >= 200 ? error : NULL))
    {
      if (status >= 200)
        return NULL;
      self->remote_target = sipws_uri_ref (sipws_message_get_request_uri (request));
    }

  return g_steal_pointer (&self);
}

SipwsDialog *
sipws_dialog_new_uas (SipwsMessage  *request,
                      const char    *local_tag,
                      const char    *local_contact,
                      GError       **error)
{
  g_autoptr(SipwsDialog) self = g_object_new (SIPWS_TYPE_DIALOG, NULL);
  SipwsAddress *from = sipws_message_get_from (request);
  SipwsAddress *to = sipws_message_get_to (request);

  if (from == NULL || to == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE, "The request has no From or To");
      return NULL;
    }

  self->uac = FALSE;
  self->state = SIPWS_DIALOG_EARLY;
  self->call_id = g_strdup (sipws_message_get_call_id (request));
  self->local_tag = g_strdup (local_tag);
  self->remote_tag = g_strdup (sipws_address_get_tag (from));
  self->local = untagged (to);
  self->remote = untagged (from);
  sipws_message_get_cseq (request, &self->remote_seq, NULL);
  self->remote_seq_set = TRUE;
  /* §12.1.1: our own CSeq space starts anywhere below 2^31. */
  self->local_seq = g_random_int_range (1, 1 << 16);
  self->local_contact = g_strdup (local_contact);
  set_route_set_from (self, request, FALSE);
  if (!set_target_from (self, request, error))
    return NULL;

  return g_steal_pointer (&self);
}

SipwsDialogState
sipws_dialog_get_state (SipwsDialog *self)
{
  return self->state;
}

const char *
sipws_dialog_get_call_id (SipwsDialog *self)
{
  return self->call_id;
}

const char *
sipws_dialog_get_local_tag (SipwsDialog *self)
{
  return self->local_tag;
}

const char *
sipws_dialog_get_remote_tag (SipwsDialog *self)
{
  return self->remote_tag;
}

SipwsAddress *
sipws_dialog_get_remote_address (SipwsDialog *self)
{
  return self->remote;
}

SipwsUri *
sipws_dialog_get_remote_target (SipwsDialog *self)
{
  return self->remote_target;
}

guint32
sipws_dialog_get_local_seq (SipwsDialog *self)
{
  return self->local_seq;
}

gboolean
sipws_dialog_is_uac (SipwsDialog *self)
{
  return self->uac;
}

gboolean
sipws_dialog_matches (SipwsDialog *self,
                      const char  *call_id,
                      const char  *local_tag,
                      const char  *remote_tag)
{
  return g_strcmp0 (self->call_id, call_id) == 0
         && g_strcmp0 (self->local_tag, local_tag) == 0
         && g_strcmp0 (self->remote_tag, remote_tag) == 0;
}

void
sipws_dialog_set_local_contact (SipwsDialog *self,
                                const char  *contact)
{
  g_free (self->local_contact);
  self->local_contact = g_strdup (contact);
}

const char *
sipws_dialog_get_local_contact (SipwsDialog *self)
{
  return self->local_contact;
}

void
sipws_dialog_confirm (SipwsDialog  *self,
                      SipwsMessage *response)
{
  g_autoptr(GError) error = NULL;

  self->state = SIPWS_DIALOG_CONFIRMED;
  if (!self->uac)
    return;

  set_route_set_from (self, response, TRUE);
  if (!set_target_from (self, response, &error))
    g_debug ("2xx without Contact: keeping the early target (%s)", error->message);
}

static SipwsMessage *
build_request (SipwsDialog *self,
               const char  *method,
               guint32      cseq)
{
  g_autoptr(SipwsMessage) request = NULL;
  g_autofree char *from = tagged_string (self->local, self->local_tag);
  g_autofree char *to = tagged_string (self->remote, self->remote_tag);
  g_autofree char *cseq_value = g_strdup_printf ("%u %s", cseq, method);
  SipwsAddress *first_route = self->route_set->len > 0 ? g_ptr_array_index (self->route_set, 0) : NULL;
  guint first_route_index = 0;

  if (first_route == NULL || sipws_uri_has_param (sipws_address_get_uri (first_route), "lr"))
    {
      request = sipws_message_new_request (method, self->remote_target);
    }
  else
    {
      /* §12.2.1.1 strict routing: the first route becomes the Request-URI
       * (without the parameters a Request-URI cannot carry) and the remote
       * target the last Route. */
      g_autoptr(SipwsUri) uri = sipws_uri_copy (sipws_address_get_uri (first_route));

      sipws_uri_remove_param (uri, "method");
      sipws_uri_remove_param (uri, "maddr");
      sipws_uri_remove_param (uri, "ttl");
      request = sipws_message_new_request (method, uri);
      first_route_index = 1;
    }

  sipws_message_set_header (request, "Max-Forwards", "70");
  for (guint i = first_route_index; i < self->route_set->len; i++)
    {
      g_autofree char *route = sipws_address_to_string (g_ptr_array_index (self->route_set, i));

      sipws_message_add_header (request, "Route", route);
    }
  if (first_route_index == 1)
    {
      g_autofree char *target = sipws_uri_to_string (self->remote_target);
      g_autofree char *route = g_strdup_printf ("<%s>", target);

      sipws_message_add_header (request, "Route", route);
    }
  sipws_message_set_header (request, "From", from);
  sipws_message_set_header (request, "To", to);
  sipws_message_set_header (request, "Call-ID", self->call_id);
  sipws_message_set_header (request, "CSeq", cseq_value);
  if (sipws_method_is_target_refresh (method) && self->local_contact != NULL)
    sipws_message_set_header (request, "Contact", self->local_contact);

  return g_steal_pointer (&request);
}

SipwsMessage *
sipws_dialog_create_request (SipwsDialog *self,
                             const char  *method)
{
  g_return_val_if_fail (g_strcmp0 (method, "ACK") != 0 && g_strcmp0 (method, "CANCEL") != 0, NULL);

  return build_request (self, method, ++self->local_seq);
}

void
sipws_dialog_bump_local_seq (SipwsDialog *self,
                             guint32      cseq)
{
  self->local_seq = MAX (self->local_seq, cseq);
}

SipwsMessage *
sipws_dialog_create_ack (SipwsDialog *self,
                         guint32      cseq)
{
  return build_request (self, "ACK", cseq);
}

gboolean
sipws_dialog_receive_request (SipwsDialog  *self,
                              SipwsMessage *request)
{
  const char *method = sipws_message_get_method (request);
  guint32 cseq = 0;

  if (g_strcmp0 (method, "ACK") == 0 || g_strcmp0 (method, "CANCEL") == 0)
    return TRUE;

  sipws_message_get_cseq (request, &cseq, NULL);
  if (self->remote_seq_set && cseq <= self->remote_seq)
    return FALSE;
  self->remote_seq = cseq;
  self->remote_seq_set = TRUE;

  if (sipws_method_is_target_refresh (method))
    {
      g_autoptr(GError) error = NULL;

      if (!set_target_from (self, request, &error))
        g_debug ("target refresh without Contact: %s", error->message);
    }

  return TRUE;
}

void
sipws_dialog_receive_response (SipwsDialog  *self,
                               SipwsMessage *response)
{
  const char *method = NULL;
  guint32 cseq = 0;
  g_autoptr(GError) error = NULL;

  if (sipws_message_get_status_code (response) / 100 != 2 || !sipws_message_get_cseq (response, &cseq, &method))
    return;
  if (sipws_method_is_target_refresh (method) && !set_target_from (self, response, &error))
    g_debug ("target refresh response without Contact: %s", error->message);
}
