/* sipws-fake-media-handler.c: a SipwsMediaHandler with canned SDP */
#include "sipws-fake-media-handler.h"
#include "sipws-error.h"

static void sipws_fake_media_handler_iface_init (SipwsMediaHandlerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SipwsFakeMediaHandler, sipws_fake_media_handler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SIPWS_TYPE_MEDIA_HANDLER, sipws_fake_media_handler_iface_init))

enum {
  PROP_0,
  PROP_MEDIA_STATE,
};

static const char *
direction_attribute (SipwsMediaDirection direction)
{
  switch (direction)
    {
    case SIPWS_MEDIA_DIRECTION_SENDONLY:
      return "sendonly";
    case SIPWS_MEDIA_DIRECTION_RECVONLY:
      return "recvonly";
    case SIPWS_MEDIA_DIRECTION_INACTIVE:
      return "inactive";
    case SIPWS_MEDIA_DIRECTION_SENDRECV:
    default:
      return "sendrecv";
    }
}

char *
sipws_fake_media_handler_sdp (SipwsFakeMediaHandler *self,
                              gboolean               offer)
{
  return g_strdup_printf (offer ? SIPWS_FAKE_OFFER_SDP : SIPWS_FAKE_ANSWER_SDP, direction_attribute (self->direction));
}

/* Results come from an idle callback, as a real handler's would. */
static void
create_offer_async (SipwsMediaHandler   *handler,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (handler);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->n_offers++;
  g_task_return_pointer (task, sipws_fake_media_handler_sdp (self, TRUE), g_free);
}

static char *
create_offer_finish (SipwsMediaHandler  *handler,
                     GAsyncResult       *result,
                     GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
create_answer_async (SipwsMediaHandler   *handler,
                     const char          *remote_offer,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (handler);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->n_answers++;
  g_ptr_array_add (self->remote_offers, g_strdup (remote_offer));
  if (self->fail_answer)
    g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "No common codec");
  else
    g_task_return_pointer (task, sipws_fake_media_handler_sdp (self, FALSE), g_free);
}

static char *
create_answer_finish (SipwsMediaHandler  *handler,
                      GAsyncResult       *result,
                      GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
set_remote_answer (SipwsMediaHandler  *handler,
                   const char         *sdp,
                   gboolean            provisional,
                   GError            **error)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (handler);

  if (self->reject_remote)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "Unacceptable answer");
      return FALSE;
    }
  g_ptr_array_add (self->remote_answers, g_strdup (sdp));
  g_array_append_val (self->provisional, provisional);
  return TRUE;
}

static void
set_direction (SipwsMediaHandler   *handler,
               SipwsMediaDirection  direction)
{
  SIPWS_FAKE_MEDIA_HANDLER (handler)->direction = direction;
}

static gboolean
send_dtmf (SipwsMediaHandler  *handler,
           char                digit,
           guint               duration_ms,
           GError            **error)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (handler);

  if (!self->dtmf_negotiated)
    {
      g_set_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED, "telephone-event not negotiated");
      return FALSE;
    }
  g_string_append_c (self->dtmf_sent, digit);
  return TRUE;
}

static void
set_muted (SipwsMediaHandler *handler,
           gboolean           muted)
{
  SIPWS_FAKE_MEDIA_HANDLER (handler)->muted = muted;
}

static void
close_media (SipwsMediaHandler *handler)
{
  SIPWS_FAKE_MEDIA_HANDLER (handler)->closed = TRUE;
}

static void
sipws_fake_media_handler_iface_init (SipwsMediaHandlerInterface *iface)
{
  iface->create_offer_async = create_offer_async;
  iface->create_offer_finish = create_offer_finish;
  iface->create_answer_async = create_answer_async;
  iface->create_answer_finish = create_answer_finish;
  iface->set_remote_answer = set_remote_answer;
  iface->set_direction = set_direction;
  iface->send_dtmf = send_dtmf;
  iface->set_muted = set_muted;
  iface->close = close_media;
}

static void
get_property (GObject    *object,
              guint       prop_id,
              GValue     *value,
              GParamSpec *pspec)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (object);

  switch (prop_id)
    {
    case PROP_MEDIA_STATE:
      g_value_set_enum (value, self->closed ? SIPWS_MEDIA_STATE_CLOSED : SIPWS_MEDIA_STATE_CONNECTED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
finalize (GObject *object)
{
  SipwsFakeMediaHandler *self = SIPWS_FAKE_MEDIA_HANDLER (object);

  g_ptr_array_unref (self->remote_offers);
  g_ptr_array_unref (self->remote_answers);
  g_array_unref (self->provisional);
  g_string_free (self->dtmf_sent, TRUE);

  G_OBJECT_CLASS (sipws_fake_media_handler_parent_class)->finalize (object);
}

static void
sipws_fake_media_handler_class_init (SipwsFakeMediaHandlerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = get_property;
  object_class->finalize = finalize;
  g_object_class_override_property (object_class, PROP_MEDIA_STATE, "media-state");
}

static void
sipws_fake_media_handler_init (SipwsFakeMediaHandler *self)
{
  self->direction = SIPWS_MEDIA_DIRECTION_SENDRECV;
  self->remote_offers = g_ptr_array_new_with_free_func (g_free);
  self->remote_answers = g_ptr_array_new_with_free_func (g_free);
  self->provisional = g_array_new (FALSE, FALSE, sizeof (gboolean));
  self->dtmf_sent = g_string_new (NULL);
}

SipwsFakeMediaHandler *
sipws_fake_media_handler_new (void)
{
  return g_object_new (SIPWS_TYPE_FAKE_MEDIA_HANDLER, NULL);
}
