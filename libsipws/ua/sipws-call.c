/* sipws-call.c: one call: the INVITE dialog(s), offer/answer through the
 * media handler, CANCEL, BYE, re-INVITE, session timers, DTMF, transfer */
#include "sipws-call-private.h"
#include "sipws-account-private.h"
#include "sipws-dialog-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-ua-enums.h"
#include "sipws-error.h"

#include <string.h>

/**
 * SipwsCall:
 *
 * One call, outgoing ([method@Sipws.Account.call]) or incoming
 * ([signal@Sipws.Account::incoming-call]).
 *
 * Its [property@Sipws.Call:state] moves through [enum@Sipws.CallState] and
 * ends in %SIPWS_CALL_STATE_ENDED with an [property@Sipws.Call:end-reason]
 * and, when a SIP answer ended it, [property@Sipws.Call:end-status].
 *
 * Media goes through the [iface@Sipws.MediaHandler] of
 * [property@Sipws.Call:media-session]; a call without one is
 * signalling-only.
 *
 * Hold and resume are re-INVITEs that complete on the 2xx; when the peer
 * refuses, the call stays as it was. A re-INVITE that crosses one from the
 * peer (491) is retried after the random delay of RFC 3261 §14.1. Session
 * timers (RFC 4028) run when the peer asks for them. DTMF goes in the media
 * (RFC 4733) when negotiated, else by SIP INFO (`application/dtmf-relay`);
 * both directions arrive as [signal@Sipws.Call::dtmf-received].
 *
 * A call survives a flow failure: its requests wait for the new flow.
 */

#define DTMF_DURATION_MS 160
#define DEFAULT_HANGUP_STATUS 603

typedef enum {
  REINVITE_NONE,
  REINVITE_HOLD,
  REINVITE_RESUME,
  REINVITE_REFRESH,
} ReinviteKind;

struct _SipwsCall {
  GObject parent_instance;

  SipwsAccount *account;        /* strong until the call ends */
  SipwsCallState state;
  SipwsCallDirection direction;
  SipwsEndReason end_reason;
  guint end_status;
  char *end_message;
  char *remote_uri;
  char *remote_display_name;
  char *call_id;
  gint64 active_since;          /* monotonic µs, 0 before ACTIVE */
  gint64 ended_at;
  gboolean muted;
  gboolean remote_held;
  SipwsMediaHandler *media;
  SipwsCallOptions *options;
  GCancellable *cancellable;    /* media operations; cancelled at the end */

  SipwsDialog *dialog;          /* the confirmed dialog (incoming: from the start) */
  GPtrArray *early_dialogs;     /* outgoing: one per To tag of 1xx */
  char *peer_allow;             /* the peer's Allow, for UPDATE */

  /* outgoing INVITE */
  SipwsAddress *target;
  SipwsMessage *invite;
  SipwsTransaction *invite_tx;
  char *offer;                  /* our SDP offer in the INVITE */
  gboolean provisional;         /* a 1xx came: CANCEL may go */
  gboolean cancel_wanted;
  gboolean early_answer;        /* an 18x SDP was applied */
  guint auth_attempts;
  guint redirects;
  GHashTable *tried_targets;
  SipwsMessage *ack;            /* to repeat for a repeated 2xx */
  GSource *cancel_timer;

  /* incoming INVITE or re-INVITE we answer */
  SipwsTransaction *server_tx;
  SipwsMessage *remote_offer_request;
  gboolean offered_in_2xx;      /* our 2xx carries an offer: the ACK answers */
  SipwsMessage *final_2xx;
  GSource *retransmit_timer;
  guint retransmit_interval;
  gint64 retransmit_deadline;
  gboolean hangup_after_ack;
  GTask *accept_task;

  /* our re-INVITE */
  ReinviteKind reinvite;
  SipwsTransaction *reinvite_tx;
  GTask *reinvite_task;
  SipwsCallState state_before_reinvite;
  GSource *glare_timer;
  SipwsMessage *reinvite_ack;

  /* BYE, INFO, REFER, NOTIFY, UPDATE */
  SipwsTransaction *bye_tx;
  SipwsTransaction *info_tx;
  GString *dtmf_queue;
  SipwsTransaction *update_tx;
  GTask *transfer_task;
  SipwsTransaction *refer_tx;
  gboolean transferred;         /* a REFER we accepted succeeded */
  SipwsCall *transfer_call;     /* the call a REFER from the peer made */

  /* RFC 4028 */
  guint session_expires;
  gboolean we_refresh;
  GSource *session_timer;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_DIRECTION,
  PROP_REMOTE_URI,
  PROP_REMOTE_DISPLAY_NAME,
  PROP_END_REASON,
  PROP_END_STATUS,
  PROP_END_MESSAGE,
  PROP_DURATION,
  PROP_MUTED,
  PROP_REMOTE_HELD,
  PROP_MEDIA_SESSION,
  N_PROPS
};

enum {
  SIGNAL_DTMF_RECEIVED,
  SIGNAL_TRANSFERRED,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SipwsCall, sipws_call, G_TYPE_OBJECT)

static void send_invite (SipwsCall *self);
static void send_bye (SipwsCall *self);
static void start_reinvite (SipwsCall *self);
static void reinvite_failed (SipwsCall *self, GError *error);
static void session_timer_start (SipwsCall *self);

/* Helpers */

static void
start_timer (SipwsCall    *self,
             GSource     **source,
             guint         ms,
             GSourceFunc   func)
{
  sipws_ua_start_timer (source, sipws_account_get_context (self->account), ms, func, self);
}


static const SipwsTimerValues *
timers (SipwsCall *self)
{
  return sipws_account_get_timers (self->account);
}

static char *
body_text (SipwsMessage *message)
{
  GBytes *body = sipws_message_get_body (message);
  gsize len = 0;
  const char *data;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  data = g_bytes_get_data (body, &len);
  return g_strndup (data, len);
}

/* The SDP of a message, when it has one. */
static char *
message_sdp (SipwsMessage *message)
{
  const char *type = sipws_message_get_content_type (message);

  if (type == NULL || g_ascii_strncasecmp (type, "application/sdp", 15) != 0)
    return NULL;
  return body_text (message);
}

static void
set_sdp (SipwsMessage *message,
         const char   *sdp)
{
  g_autoptr(GBytes) body = NULL;

  if (sdp == NULL)
    return;
  body = g_bytes_new (sdp, strlen (sdp));
  sipws_message_set_body (message, "application/sdp", body);
}

/* Whether an SDP offer puts us on hold: the peer stops sending to us
 * (sendonly or inactive, RFC 3264 §8.4) or uses the RFC 2543 0.0.0.0. */
static gboolean
sdp_is_hold (const char *sdp)
{
  g_auto(GStrv) lines = NULL;
  gboolean hold = FALSE;

  if (sdp == NULL)
    return FALSE;
  lines = g_strsplit (sdp, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (g_str_equal (lines[i], "a=sendonly") || g_str_equal (lines[i], "a=inactive")
          || g_str_has_prefix (lines[i], "c=IN IP4 0.0.0.0"))
        hold = TRUE;
      else if (g_str_equal (lines[i], "a=sendrecv") || g_str_equal (lines[i], "a=recvonly"))
        hold = FALSE;
    }
  return hold;
}

static void
set_state (SipwsCall      *self,
           SipwsCallState  state)
{
  if (self->state == state)
    return;
  g_debug ("call %s: state %d → %d", self->call_id, self->state, state);
  self->state = state;
  if (state == SIPWS_CALL_STATE_ACTIVE && self->active_since == 0)
    {
      self->active_since = g_get_monotonic_time ();
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DURATION]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

static void
set_remote_held (SipwsCall *self,
                 gboolean   held)
{
  if (self->remote_held == held)
    return;
  self->remote_held = held;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_HELD]);
}

static void
set_remote_party (SipwsCall    *self,
                  SipwsAddress *address)
{
  g_free (self->remote_uri);
  self->remote_uri = sipws_uri_to_string (sipws_address_get_uri (address));
  g_free (self->remote_display_name);
  self->remote_display_name = g_strdup (sipws_address_get_display_name (address));
}

static void
return_task_error (GTask      **task,
                   const GError *error)
{
  if (*task != NULL)
    {
      GTask *t = g_steal_pointer (task);

      g_task_return_error (t, g_error_copy (error));
      g_object_unref (t);
    }
}

static void
return_task_true (GTask **task)
{
  if (*task != NULL)
    {
      GTask *t = g_steal_pointer (task);

      g_task_return_boolean (t, TRUE);
      g_object_unref (t);
    }
}

/* Cancelling an accept, hold, resume or transfer returns its task at once;
 * the SIP exchange itself goes on. */
typedef struct {
  GTask **slot;
  GTask *task;
} CancelWatch;

static gboolean
task_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  CancelWatch *watch = user_data;

  if (*watch->slot == watch->task)
    {
      GTask *task = g_steal_pointer (watch->slot);

      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
destroy_source (GSource *source)
{
  sipws_ua_clear_source (&source);
}

/* @slot holds the task; the task keeps the call (its source object), and so
 * the slot, alive as long as the watch exists. */
static void
watch_cancellable (SipwsCall  *self,
                   GTask     **slot)
{
  GCancellable *cancellable = g_task_get_cancellable (*slot);
  CancelWatch *watch;
  GSource *source;

  if (cancellable == NULL)
    return;
  watch = g_new (CancelWatch, 1);
  watch->slot = slot;
  watch->task = *slot;
  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, G_SOURCE_FUNC (task_cancelled_cb), watch, g_free);
  g_source_attach (source, sipws_account_get_context (self->account));
  g_task_set_task_data (*slot, source, (GDestroyNotify) destroy_source);
}

static void
stop_activity (SipwsCall *self)
{
  sipws_ua_clear_source (&self->cancel_timer);
  sipws_ua_clear_source (&self->retransmit_timer);
  sipws_ua_clear_source (&self->glare_timer);
  sipws_ua_clear_source (&self->session_timer);
  sipws_transaction_drop (&self->invite_tx);
  sipws_transaction_drop (&self->reinvite_tx);
  sipws_transaction_drop (&self->info_tx);
  sipws_transaction_drop (&self->update_tx);
  sipws_transaction_drop (&self->refer_tx);
  sipws_transaction_drop (&self->bye_tx);
  if (self->server_tx != NULL)
    {
      sipws_transaction_detach (self->server_tx);
      g_clear_object (&self->server_tx);
    }
}

/* Ends the call once: every pending operation fails, media closes, and the
 * account forgets the call (dropping its reference to the account last). */
static void
end_call (SipwsCall      *self,
          SipwsEndReason  reason,
          guint           status,
          const char     *message)
{
  g_autoptr(SipwsCall) keep G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAccount) account = NULL;

  if (self->state == SIPWS_CALL_STATE_ENDED)
    return;

  g_debug ("call %s ended: reason %d, status %u, %s", self->call_id, reason, status, message);
  stop_activity (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->media != NULL)
    sipws_media_handler_close (self->media);
  if (self->active_since != 0)
    self->ended_at = g_get_monotonic_time ();

  error = g_error_new (SIPWS_ERROR, reason == SIPWS_END_REASON_CANCELLED ? SIPWS_ERROR_CANCELLED : SIPWS_ERROR_REJECTED,
                       "The call ended: %s", message);
  return_task_error (&self->accept_task, error);
  return_task_error (&self->reinvite_task, error);
  return_task_error (&self->transfer_task, error);

  g_object_freeze_notify (G_OBJECT (self));
  self->end_reason = reason;
  self->end_status = status;
  g_free (self->end_message);
  self->end_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_END_REASON]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_END_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_END_MESSAGE]);
  if (self->active_since != 0)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DURATION]);
  set_state (self, SIPWS_CALL_STATE_ENDED);
  g_object_thaw_notify (G_OBJECT (self));

  account = g_steal_pointer (&self->account);
  if (account != NULL)
    sipws_account_remove_call (account, self);
}

static SipwsEndReason
reason_for_status (guint status)
{
  switch (status)
    {
    case 486:
    case 600:
      return SIPWS_END_REASON_BUSY;
    case 408:
    case 480:
      return SIPWS_END_REASON_NO_ANSWER;
    default:
      return SIPWS_END_REASON_REJECTED;
    }
}

static void
end_with_response (SipwsCall    *self,
                   SipwsMessage *response)
{
  guint status = sipws_message_get_status_code (response);
  g_autofree char *message = g_strdup_printf ("%u %s", status, sipws_message_get_reason_phrase (response));

  end_call (self, reason_for_status (status), status, message);
}

static void
end_with_error (SipwsCall    *self,
                const GError *error)
{
  end_call (self, SIPWS_END_REASON_NETWORK, g_error_matches (error, SIPWS_ERROR, SIPWS_ERROR_TIMEOUT) ? 408 : 503,
            error->message);
}

/* GObject */

static void
sipws_call_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SipwsCall *self = SIPWS_CALL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_REMOTE_URI:
      g_value_set_string (value, self->remote_uri);
      break;
    case PROP_REMOTE_DISPLAY_NAME:
      g_value_set_string (value, self->remote_display_name);
      break;
    case PROP_END_REASON:
      g_value_set_enum (value, self->end_reason);
      break;
    case PROP_END_STATUS:
      g_value_set_uint (value, self->end_status);
      break;
    case PROP_END_MESSAGE:
      g_value_set_string (value, self->end_message);
      break;
    case PROP_DURATION:
      g_value_set_uint (value, sipws_call_get_duration (self));
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_REMOTE_HELD:
      g_value_set_boolean (value, self->remote_held);
      break;
    case PROP_MEDIA_SESSION:
      g_value_set_object (value, self->media);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_call_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SipwsCall *self = SIPWS_CALL (object);

  switch (prop_id)
    {
    case PROP_MUTED:
      sipws_call_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_call_dispose (GObject *object)
{
  SipwsCall *self = SIPWS_CALL (object);

  stop_activity (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->media != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->media, self);
      sipws_media_handler_close (self->media);
      g_clear_object (&self->media);
    }
  if (self->transfer_call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transfer_call, self);
      g_clear_object (&self->transfer_call);
    }
  g_clear_object (&self->account);

  G_OBJECT_CLASS (sipws_call_parent_class)->dispose (object);
}

static void
sipws_call_finalize (GObject *object)
{
  SipwsCall *self = SIPWS_CALL (object);

  g_free (self->end_message);
  g_free (self->remote_uri);
  g_free (self->remote_display_name);
  g_free (self->call_id);
  g_clear_pointer (&self->options, sipws_call_options_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->dialog);
  g_ptr_array_unref (self->early_dialogs);
  g_free (self->peer_allow);
  g_clear_pointer (&self->target, sipws_address_unref);
  g_clear_pointer (&self->invite, sipws_message_unref);
  g_free (self->offer);
  g_hash_table_unref (self->tried_targets);
  g_clear_pointer (&self->ack, sipws_message_unref);
  g_clear_pointer (&self->remote_offer_request, sipws_message_unref);
  g_clear_pointer (&self->final_2xx, sipws_message_unref);
  g_clear_pointer (&self->reinvite_ack, sipws_message_unref);
  g_string_free (self->dtmf_queue, TRUE);

  G_OBJECT_CLASS (sipws_call_parent_class)->finalize (object);
}

static void
sipws_call_class_init (SipwsCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = sipws_call_get_property;
  object_class->set_property = sipws_call_set_property;
  object_class->dispose = sipws_call_dispose;
  object_class->finalize = sipws_call_finalize;

  /**
   * SipwsCall:state:
   *
   * Where the call is.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SIPWS_TYPE_CALL_STATE, SIPWS_CALL_STATE_CALLING, ro);

  /**
   * SipwsCall:direction:
   *
   * Who placed the call.
   */
  props[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, SIPWS_TYPE_CALL_DIRECTION, SIPWS_CALL_DIRECTION_OUTGOING, ro);

  /**
   * SipwsCall:remote-uri:
   *
   * The URI of the other party: the callee we called, or the caller's From.
   */
  props[PROP_REMOTE_URI] = g_param_spec_string ("remote-uri", NULL, NULL, NULL, ro);

  /**
   * SipwsCall:remote-display-name:
   *
   * The display name of the other party, when it sent one.
   */
  props[PROP_REMOTE_DISPLAY_NAME] = g_param_spec_string ("remote-display-name", NULL, NULL, NULL, ro);

  /**
   * SipwsCall:end-reason:
   *
   * Why the call ended; %SIPWS_END_REASON_NONE before.
   */
  props[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL, SIPWS_TYPE_END_REASON, SIPWS_END_REASON_NONE, ro);

  /**
   * SipwsCall:end-status:
   *
   * The SIP status that ended the call (the peer's final answer, the status we
   * rejected with, 408 or 503 for signalling failures), or 0.
   */
  props[PROP_END_STATUS] = g_param_spec_uint ("end-status", NULL, NULL, 0, 699, 0, ro);

  /**
   * SipwsCall:end-message:
   *
   * A one-line human description of why the call ended, such as
   * `486 Busy Here`.
   */
  props[PROP_END_MESSAGE] = g_param_spec_string ("end-message", NULL, NULL, NULL, ro);

  /**
   * SipwsCall:duration:
   *
   * Seconds since the call became active (frozen when it ends); 0 if it
   * never did. Notified when it starts and stops counting.
   */
  props[PROP_DURATION] = g_param_spec_uint ("duration", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * SipwsCall:muted:
   *
   * Whether our microphone is muted.
   */
  props[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsCall:remote-held:
   *
   * Whether the peer put us on hold (its last offer was `sendonly` or
   * `inactive`). Our own hold is %SIPWS_CALL_STATE_HELD.
   */
  props[PROP_REMOTE_HELD] = g_param_spec_boolean ("remote-held", NULL, NULL, FALSE, ro);

  /**
   * SipwsCall:media-session:
   *
   * The media of the call, or %NULL for a signalling-only call.
   */
  props[PROP_MEDIA_SESSION] =
    g_param_spec_object ("media-session", NULL, NULL, SIPWS_TYPE_MEDIA_HANDLER, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * SipwsCall::dtmf-received:
   * @self: the call
   * @digit: `0`-`9`, `*`, `#` or `A`-`D`
   * @duration_ms: how long the key was pressed, in milliseconds
   *
   * The peer pressed a key, signalled in the media (RFC 4733) or by SIP INFO.
   */
  signals[SIGNAL_DTMF_RECEIVED] =
    g_signal_new ("dtmf-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_CHAR, G_TYPE_UINT);

  /**
   * SipwsCall::transferred:
   * @self: the call
   * @new_call: the call to the transfer target
   *
   * The peer transferred us (REFER): @new_call is the outgoing call to the
   * target. The peer usually hangs this call up once @new_call is answered;
   * it then ends with %SIPWS_END_REASON_TRANSFERRED.
   */
  signals[SIGNAL_TRANSFERRED] =
    g_signal_new ("transferred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SIPWS_TYPE_CALL);
}

static void
sipws_call_init (SipwsCall *self)
{
  self->cancellable = g_cancellable_new ();
  self->early_dialogs = g_ptr_array_new_with_free_func (g_object_unref);
  self->tried_targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dtmf_queue = g_string_new (NULL);
}

/* Media */

static void
media_dtmf_cb (SipwsMediaHandler *media,
               char               digit,
               guint              duration_ms,
               gpointer           user_data)
{
  SipwsCall *self = user_data;

  g_signal_emit (self, signals[SIGNAL_DTMF_RECEIVED], 0, digit, duration_ms);
}

static void
media_failed_cb (SipwsMediaHandler *media,
                 const GError      *error,
                 gpointer           user_data)
{
  SipwsCall *self = user_data;
  g_autofree char *message = g_strdup_printf ("Media failed: %s", error->message);

  if (self->state == SIPWS_CALL_STATE_ENDED || self->state == SIPWS_CALL_STATE_ENDING)
    return;
  g_debug ("call %s: %s", self->call_id, message);
  if (self->dialog != NULL && sipws_dialog_get_state (self->dialog) == SIPWS_DIALOG_CONFIRMED)
    send_bye (self);
  end_call (self, SIPWS_END_REASON_MEDIA, 0, message);
}

static void
take_media (SipwsCall         *self,
            SipwsMediaHandler *media)
{
  if (media == NULL)
    return;
  self->media = media;
  sipws_media_handler_set_muted (media, self->muted);
  g_signal_connect (media, "dtmf-received", G_CALLBACK (media_dtmf_cb), self);
  g_signal_connect (media, "media-failed", G_CALLBACK (media_failed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MEDIA_SESSION]);
}

/* Session timers (RFC 4028) */

static void
read_session_expires (SipwsCall    *self,
                      SipwsMessage *message,
                      gboolean      we_are_uac)
{
  const char *value = sipws_message_get_header_by_id (message, SIPWS_HEADER_NAME_SESSION_EXPIRES);
  g_autofree char *refresher = NULL;
  guint64 seconds;
  const char *p;

  if (value == NULL)
    return;
  seconds = g_ascii_strtoull (value, NULL, 10);
  if (seconds == 0 || seconds > G_MAXUINT32 / 1000)
    return;

  p = strstr (value, "refresher=");
  if (p != NULL)
    refresher = g_strndup (p + 10, strspn (p + 10, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"));

  self->session_expires = (guint) seconds;
  /* Without a refresher in a request the UAS picks: the UAC when it
   * supports timers, else itself (§9); in a 2xx the UAC refreshes (§7.4). */
  if (refresher == NULL && !we_are_uac)
    self->we_refresh = !sipws_message_has_token_by_id (message, SIPWS_HEADER_NAME_SUPPORTED, "timer");
  else if (refresher == NULL)
    self->we_refresh = TRUE;
  else
    self->we_refresh = g_ascii_strcasecmp (refresher, we_are_uac ? "uac" : "uas") == 0;
  session_timer_start (self);
}

static void
add_session_expires (SipwsCall    *self,
                     SipwsMessage *message,
                     const char   *refresher)
{
  g_autofree char *value = NULL;

  if (self->session_expires == 0)
    return;
  value = g_strdup_printf ("%u;refresher=%s", self->session_expires, refresher);
  sipws_message_set_header (message, "Session-Expires", value);
}

static void update_response_cb (SipwsTransaction *tx,
                                SipwsMessage     *response,
                                const GError     *error,
                                gpointer          user_data);

static void
send_refresh (SipwsCall *self)
{
  /* UPDATE needs no offer/answer, so media stays untouched (RFC 4028 §9). */
  if (self->peer_allow != NULL && strstr (self->peer_allow, "UPDATE") != NULL)
    {
      g_autoptr(SipwsMessage) update = sipws_dialog_create_request (self->dialog, "UPDATE");

      sipws_message_set_header (update, "Supported", SIPWS_ACCOUNT_SUPPORTED);
      add_session_expires (self, update, "uac");
      sipws_account_authorize (self->account, update);
      sipws_transaction_drop (&self->update_tx);
      self->update_tx = sipws_account_send_request (self->account, update, update_response_cb, self);
      return;
    }

  if (self->reinvite != REINVITE_NONE || self->server_tx != NULL)
    return;
  self->reinvite = REINVITE_REFRESH;
  start_reinvite (self);
}

static gboolean
session_timer_cb (gpointer user_data)
{
  SipwsCall *self = user_data;

  g_clear_pointer (&self->session_timer, g_source_unref);
  if (self->we_refresh)
    {
      g_debug ("call %s: refreshing the session", self->call_id);
      send_refresh (self);
      session_timer_start (self);
      return G_SOURCE_REMOVE;
    }

  g_debug ("call %s: the peer did not refresh the session", self->call_id);
  send_bye (self);
  end_call (self, SIPWS_END_REASON_SESSION_EXPIRED, 0, "The session timer expired");
  return G_SOURCE_REMOVE;
}

static void
session_timer_start (SipwsCall *self)
{
  guint ms;

  sipws_ua_clear_source (&self->session_timer);
  if (self->session_expires == 0 || self->state == SIPWS_CALL_STATE_ENDED)
    return;

  /* The refresher goes at half the interval; the other side gives up at
   * the interval minus min(32 s, interval/3) (RFC 4028 §10). */
  if (self->we_refresh)
    ms = self->session_expires * 500;
  else
    ms = self->session_expires * 1000 - MIN (32000, self->session_expires * 1000 / 3);
  start_timer (self, &self->session_timer, ms, session_timer_cb);
}

static void
update_response_cb (SipwsTransaction *tx,
                    SipwsMessage     *response,
                    const GError     *error,
                    gpointer          user_data)
{
  SipwsCall *self = user_data;
  guint status;

  if (tx != self->update_tx)
    return;
  if (response == NULL)
    {
      g_clear_object (&self->update_tx);
      g_debug ("call %s: session refresh failed: %s", self->call_id, error->message);
      return;
    }
  status = sipws_message_get_status_code (response);
  if (status < 200)
    return;
  g_clear_object (&self->update_tx);
  if (status < 300)
    read_session_expires (self, response, TRUE);
  else if (status == 481 || status == 408)
    {
      send_bye (self);
      end_with_response (self, response);
    }
}

/* The 2xx to an INVITE we answer: repeated until its ACK (§13.3.1.4). */

static gboolean
retransmit_cb (gpointer user_data)
{
  SipwsCall *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->retransmit_timer, g_source_unref);
  if (g_get_monotonic_time () >= self->retransmit_deadline)
    {
      g_debug ("call %s: no ACK for our 2xx", self->call_id);
      g_clear_pointer (&self->final_2xx, sipws_message_unref);
      send_bye (self);
      end_call (self, SIPWS_END_REASON_NETWORK, 408, "No ACK for the 200 OK");
      return G_SOURCE_REMOVE;
    }

  if (!sipws_account_send_stateless (self->account, self->final_2xx, &error))
    g_debug ("call %s: could not repeat the 2xx: %s", self->call_id, error->message);
  self->retransmit_interval = MIN (self->retransmit_interval * 2, timers (self)->t2);
  start_timer (self, &self->retransmit_timer, self->retransmit_interval, retransmit_cb);
  return G_SOURCE_REMOVE;
}

static gboolean
send_2xx (SipwsCall    *self,
          SipwsMessage *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsTransaction) tx = g_steal_pointer (&self->server_tx);

  if (!sipws_transaction_respond (tx, response, &error))
    {
      g_debug ("call %s: could not send the 2xx: %s", self->call_id, error->message);
      return FALSE;
    }
  g_clear_pointer (&self->final_2xx, sipws_message_unref);
  self->final_2xx = sipws_message_ref (response);
  self->retransmit_interval = timers (self)->t1;
  self->retransmit_deadline = g_get_monotonic_time () + 1000 * (gint64) timers (self)->timer_h;
  start_timer (self, &self->retransmit_timer, self->retransmit_interval, retransmit_cb);
  return TRUE;
}

static SipwsMessage *
create_2xx (SipwsCall  *self,
            const char *sdp)
{
  SipwsMessage *response = sipws_transaction_create_response (self->server_tx, 200, "OK");
  g_autofree char *contact = sipws_dialog_get_local_contact (self->dialog) != NULL
                               ? g_strdup (sipws_dialog_get_local_contact (self->dialog))
                               : sipws_account_get_dialog_contact (self->account);

  sipws_message_set_header (response, "Contact", contact);
  sipws_message_set_header (response, "Allow", SIPWS_ACCOUNT_ALLOW);
  sipws_message_set_header (response, "Supported", SIPWS_ACCOUNT_SUPPORTED);
  if (self->session_expires > 0)
    {
      add_session_expires (self, response, self->we_refresh ? "uas" : "uac");
      if (sipws_message_has_token_by_id (sipws_transaction_get_request (self->server_tx), SIPWS_HEADER_NAME_SUPPORTED,
                                         "timer"))
        sipws_message_set_header (response, "Require", "timer");
    }
  set_sdp (response, sdp);
  return response;
}

static void
respond_server (SipwsCall  *self,
                guint       status,
                const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsTransaction) tx = g_steal_pointer (&self->server_tx);

  if (tx != NULL && !sipws_transaction_respond_status (tx, status, reason, &error))
    g_debug ("call %s: could not answer %u: %s", self->call_id, status, error->message);
}

/* Outgoing calls */

SipwsCall *
sipws_call_new_outgoing (SipwsAccount     *account,
                         SipwsAddress     *target,
                         SipwsCallOptions *options,
                         const GError     *target_error)
{
  SipwsCall *self = g_object_new (SIPWS_TYPE_CALL, NULL);

  self->account = g_object_ref (account);
  self->direction = SIPWS_CALL_DIRECTION_OUTGOING;
  self->state = SIPWS_CALL_STATE_CALLING;
  self->options = options != NULL ? sipws_call_options_ref (options) : sipws_call_options_new ();
  self->call_id = sipws_ua_random_token (SIPWS_UA_CALL_ID_LENGTH);

  if (target != NULL)
    {
      self->target = sipws_address_ref (target);
      set_remote_party (self, target);
    }
  else
    {
      self->end_message = g_strdup (target_error != NULL ? target_error->message : "Invalid target");
    }
  return self;
}

static gboolean
invalid_target_cb (gpointer user_data)
{
  SipwsCall *self = user_data;
  g_autofree char *message = g_steal_pointer (&self->end_message);

  end_call (self, SIPWS_END_REASON_INVALID_TARGET, 0, message);
  return G_SOURCE_REMOVE;
}

static void
offer_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SipwsCall) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);

  if (self->state == SIPWS_CALL_STATE_ENDED)
    return;
  if (offer == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Could not create the SDP offer: %s", error->message);

      end_call (self, SIPWS_END_REASON_MEDIA, 0, message);
      return;
    }
  if (self->state == SIPWS_CALL_STATE_ENDING)
    {
      /* Hung up before anything was sent. */
      end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Hung up");
      return;
    }
  self->offer = g_steal_pointer (&offer);
  send_invite (self);
}

void
sipws_call_start (SipwsCall *self)
{
  SipwsMediaHandler *media;

  if (self->target == NULL)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      /* Let the caller connect to notify::state first. */
      g_source_set_callback (source, invalid_target_cb, g_object_ref (self), g_object_unref);
      g_source_attach (source, sipws_account_get_context (self->account));
      return;
    }

  g_hash_table_add (self->tried_targets, sipws_uri_to_string (sipws_address_get_uri (self->target)));
  media = sipws_call_options_get_media_handler (self->options);
  take_media (self, media != NULL ? g_object_ref (media) : sipws_account_create_media_handler (self->account, self));

  if (self->media == NULL)
    {
      send_invite (self);
      return;
    }
  sipws_media_handler_create_offer_async (self->media, self->cancellable, offer_ready_cb, g_object_ref (self));
}

static gboolean
is_managed_header (const char *name)
{
  static const char * const managed[] = {
    "Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m",
    "Content-Type", "c", "Content-Length", "l", "Max-Forwards", NULL
  };

  for (guint i = 0; managed[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (managed[i], name) == 0)
        return TRUE;
    }
  return FALSE;
}

static void invite_response_cb (SipwsTransaction *tx,
                                SipwsMessage     *response,
                                const GError     *error,
                                gpointer          user_data);

static void
send_invite (SipwsCall *self)
{
  g_autofree char *contact = sipws_account_get_dialog_contact (self->account);
  g_auto(GStrv) names = sipws_call_options_get_header_names (self->options);
  guint32 cseq = 1;

  /* A redirected INVITE is the next request of the same call. */
  if (self->invite != NULL && sipws_message_get_cseq (self->invite, &cseq, NULL))
    cseq++;

  g_clear_pointer (&self->invite, sipws_message_unref);
  self->invite = sipws_account_new_request (self->account, "INVITE", sipws_address_get_uri (self->target),
                                            self->target, self->call_id, cseq);
  sipws_message_set_header (self->invite, "Contact", contact);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!is_managed_header (names[i]))
        sipws_message_set_header (self->invite, names[i], sipws_call_options_get_header (self->options, names[i]));
    }
  set_sdp (self->invite, self->offer);
  sipws_account_authorize (self->account, self->invite);

  self->provisional = FALSE;
  sipws_transaction_drop (&self->invite_tx);
  self->invite_tx = sipws_account_send_request (self->account, self->invite, invite_response_cb, self);
}

static void cancel_response_cb (SipwsTransaction *tx,
                                SipwsMessage     *response,
                                const GError     *error,
                                gpointer          user_data);

static gboolean
cancel_timeout_cb (gpointer user_data)
{
  SipwsCall *self = user_data;

  /* §9.1: no final answer 64·T1 after the CANCEL: give the INVITE up. */
  g_clear_pointer (&self->cancel_timer, g_source_unref);
  end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Cancelled");
  return G_SOURCE_REMOVE;
}

static void
send_cancel (SipwsCall *self)
{
  g_autoptr(SipwsMessage) cancel = sipws_transaction_layer_build_cancel (self->invite_tx);
  g_autoptr(SipwsTransaction) tx = NULL;

  self->cancel_wanted = FALSE;
  tx = sipws_account_send_request (self->account, cancel, cancel_response_cb, NULL);
  start_timer (self, &self->cancel_timer, timers (self)->timer_b, cancel_timeout_cb);
}

static void
cancel_response_cb (SipwsTransaction *tx,
                    SipwsMessage     *response,
                    const GError     *error,
                    gpointer          user_data)
{
  /* The INVITE's 487 (or 2xx) decides; the CANCEL's own answer says nothing. */
}

static SipwsDialog *
find_early_dialog (SipwsCall  *self,
                   const char *tag)
{
  for (guint i = 0; i < self->early_dialogs->len; i++)
    {
      SipwsDialog *dialog = g_ptr_array_index (self->early_dialogs, i);

      if (g_strcmp0 (sipws_dialog_get_remote_tag (dialog), tag) == 0)
        return dialog;
    }
  return NULL;
}

static void
remember_peer_allow (SipwsCall    *self,
                     SipwsMessage *message)
{
  const char *allow = sipws_message_get_header_by_id (message, SIPWS_HEADER_NAME_ALLOW);
  g_auto(GStrv) values = NULL;

  if (allow == NULL)
    return;
  values = sipws_message_get_header_values (message, "Allow");
  g_free (self->peer_allow);
  self->peer_allow = g_strjoinv (",", values);
}

static void
invite_provisional (SipwsCall    *self,
                    SipwsMessage *response)
{
  guint status = sipws_message_get_status_code (response);
  SipwsAddress *to = sipws_message_get_to (response);
  g_autofree char *sdp = NULL;
  const char *tag;

  self->provisional = TRUE;
  if (self->cancel_wanted)
    send_cancel (self);
  if (status == 100 || self->state == SIPWS_CALL_STATE_ENDING)
    return;

  tag = to != NULL ? sipws_address_get_tag (to) : NULL;
  if (tag != NULL && find_early_dialog (self, tag) == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contact = sipws_account_get_dialog_contact (self->account);
      SipwsDialog *dialog = sipws_dialog_new_uac (self->invite, response, contact, &error);

      if (dialog != NULL)
        g_ptr_array_add (self->early_dialogs, dialog);
      else
        g_debug ("call %s: no early dialog: %s", self->call_id, error->message);
    }

  sdp = message_sdp (response);
  if (sdp != NULL && self->media != NULL && !self->early_answer)
    {
      g_autoptr(GError) error = NULL;

      /* Early media (no 100rel needed): the first fork's SDP plays; a
       * different answer in the 2xx replaces it. */
      if (sipws_media_handler_set_remote_answer (self->media, sdp, TRUE, &error))
        {
          self->early_answer = TRUE;
          set_state (self, SIPWS_CALL_STATE_EARLY_MEDIA);
          return;
        }
      g_debug ("call %s: early SDP not applied: %s", self->call_id, error->message);
    }

  if (status >= 180 && status <= 182 && self->state == SIPWS_CALL_STATE_CALLING)
    set_state (self, SIPWS_CALL_STATE_RINGING);
}

/* The ACK of a 2xx: a request of the dialog, with the INVITE's CSeq and
 * credentials (§13.2.2.4). */
static SipwsMessage *
create_2xx_ack (SipwsDialog  *dialog,
                SipwsMessage *invite)
{
  static const char * const credentials[] = { "Authorization", "Proxy-Authorization" };
  SipwsMessage *ack;
  guint32 cseq = 0;

  sipws_message_get_cseq (invite, &cseq, NULL);
  ack = sipws_dialog_create_ack (dialog, cseq);
  for (guint i = 0; i < G_N_ELEMENTS (credentials); i++)
    {
      g_auto(GStrv) values = sipws_message_get_header_values (invite, credentials[i]);

      for (guint j = 0; values != NULL && values[j] != NULL; j++)
        sipws_message_add_header (ack, credentials[i], values[j]);
    }
  return ack;
}

/* ACK and BYE for a 2xx we do not want (another fork, or after CANCEL). */
static void
reject_2xx (SipwsCall    *self,
            SipwsMessage *response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = sipws_account_get_dialog_contact (self->account);
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (self->invite, response, contact, &error);
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsTransaction) tx = NULL;

  if (dialog == NULL)
    {
      g_debug ("call %s: cannot end an unwanted 2xx: %s", self->call_id, error->message);
      return;
    }
  ack = create_2xx_ack (dialog, self->invite);
  if (!sipws_account_send_stateless (self->account, ack, &error))
    g_debug ("call %s: could not ACK an extra 2xx: %s", self->call_id, error->message);
  bye = sipws_dialog_create_request (dialog, "BYE");
  sipws_account_authorize (self->account, bye);
  tx = sipws_account_send_request (self->account, bye, cancel_response_cb, NULL);
  g_debug ("call %s: ACKed and ended an extra 2xx from tag %s", self->call_id, sipws_dialog_get_remote_tag (dialog));
}

static void
invite_accepted (SipwsCall    *self,
                 SipwsMessage *response)
{
  SipwsAddress *to = sipws_message_get_to (response);
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = NULL;
  const char *tag = to != NULL ? sipws_address_get_tag (to) : NULL;
  SipwsDialog *early;

  if (self->dialog != NULL)
    {
      /* The same 2xx again: its ACK was lost. Another fork: §13.2.2.4. */
      if (g_strcmp0 (tag, sipws_dialog_get_remote_tag (self->dialog)) == 0)
        {
          if (self->ack != NULL && !sipws_account_send_stateless (self->account, self->ack, &error))
            g_debug ("call %s: could not repeat the ACK: %s", self->call_id, error->message);
        }
      else
        {
          reject_2xx (self, response);
        }
      return;
    }

  if (self->state == SIPWS_CALL_STATE_ENDING)
    {
      /* The 200-after-CANCEL race: take the call and end it at once. */
      reject_2xx (self, response);
      end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Cancelled");
      return;
    }

  early = tag != NULL ? find_early_dialog (self, tag) : NULL;
  if (early != NULL)
    {
      self->dialog = g_object_ref (early);
      sipws_dialog_confirm (self->dialog, response);
    }
  else
    {
      g_autofree char *contact = sipws_account_get_dialog_contact (self->account);

      self->dialog = sipws_dialog_new_uac (self->invite, response, contact, &error);
      if (self->dialog == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Unusable 2xx: %s", error->message);

          end_call (self, SIPWS_END_REASON_REJECTED, sipws_message_get_status_code (response), message);
          return;
        }
    }
  g_ptr_array_set_size (self->early_dialogs, 0);
  sipws_ua_clear_source (&self->cancel_timer);

  self->ack = create_2xx_ack (self->dialog, self->invite);
  if (!sipws_account_send_stateless (self->account, self->ack, &error))
    g_debug ("call %s: could not send the ACK: %s", self->call_id, error->message);
  g_clear_error (&error);

  remember_peer_allow (self, response);
  sdp = message_sdp (response);
  if (sdp != NULL && self->media != NULL && !sipws_media_handler_set_remote_answer (self->media, sdp, FALSE, &error))
    {
      g_autofree char *message = g_strdup_printf ("The answer is not acceptable: %s", error->message);

      send_bye (self);
      end_call (self, SIPWS_END_REASON_MEDIA, 0, message);
      return;
    }

  set_state (self, SIPWS_CALL_STATE_ACTIVE);
  read_session_expires (self, response, TRUE);
}

static gboolean
redirect (SipwsCall    *self,
          SipwsMessage *response)
{
  guint n_contacts;
  SipwsAddress **contacts = sipws_message_peek_addresses_by_id (response, SIPWS_HEADER_NAME_CONTACT, &n_contacts);
  SipwsAddress *best = NULL;

  if (self->redirects >= sipws_call_options_get_max_redirects (self->options) || n_contacts == 0)
    return FALSE;

  /* The highest q first; targets already tried never again (loops). */
  for (guint i = 0; i < n_contacts; i++)
    {
      SipwsAddress *contact = contacts[i];
      g_autofree char *uri = NULL;

      if (sipws_address_is_wildcard (contact))
        continue;
      uri = sipws_uri_to_string (sipws_address_get_uri (contact));
      if (g_hash_table_contains (self->tried_targets, uri))
        continue;
      if (best == NULL || sipws_address_get_q (contact) > sipws_address_get_q (best))
        best = contact;
    }
  if (best == NULL)
    return FALSE;

  self->redirects++;
  g_clear_pointer (&self->target, sipws_address_unref);
  self->target = sipws_address_new (NULL, sipws_address_get_uri (best));
  g_hash_table_add (self->tried_targets, sipws_uri_to_string (sipws_address_get_uri (best)));
  g_debug ("call %s: redirected (%u)", self->call_id, self->redirects);
  send_invite (self);
  return TRUE;
}

static void
invite_response_cb (SipwsTransaction *tx,
                    SipwsMessage     *response,
                    const GError     *error,
                    gpointer          user_data)
{
  SipwsCall *self = user_data;
  g_autoptr(SipwsCall) keep G_GNUC_UNUSED = g_object_ref (self);
  guint status;

  if (tx != self->invite_tx)
    return;

  if (response == NULL)
    {
      g_clear_object (&self->invite_tx);
      if (self->state == SIPWS_CALL_STATE_ENDING)
        end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Cancelled");
      else
        end_with_error (self, error);
      return;
    }

  status = sipws_message_get_status_code (response);
  if (status < 200)
    {
      invite_provisional (self, response);
      return;
    }
  if (status < 300)
    {
      invite_accepted (self, response);
      return;
    }

  g_clear_object (&self->invite_tx);
  if (self->state == SIPWS_CALL_STATE_ENDING)
    {
      end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, status, "Cancelled");
      return;
    }

  if (status < 400 && redirect (self, response))
    return;

  if (status == 401 || status == 407)
    {
      g_autoptr(GError) auth_error = NULL;
      g_autoptr(SipwsMessage) retry = sipws_account_authenticate (self->account, self->invite, response,
                                                                  &self->auth_attempts, &auth_error);

      if (retry != NULL)
        {
          g_clear_pointer (&self->invite, sipws_message_unref);
          self->invite = g_steal_pointer (&retry);
          self->provisional = FALSE;
          self->invite_tx = sipws_account_send_request (self->account, self->invite, invite_response_cb, self);
          return;
        }
      end_call (self, SIPWS_END_REASON_REJECTED, status, auth_error->message);
      return;
    }

  end_with_response (self, response);
}

void
sipws_call_handle_stray_response (SipwsCall    *self,
                                  SipwsMessage *response)
{
  if (self->direction == SIPWS_CALL_DIRECTION_OUTGOING && self->invite != NULL && self->account != NULL)
    invite_accepted (self, response);
}

/* Incoming calls */

SipwsCall *
sipws_call_new_incoming (SipwsAccount     *account,
                         SipwsTransaction *tx,
                         SipwsMessage     *invite)
{
  g_autoptr(SipwsCall) self = g_object_new (SIPWS_TYPE_CALL, NULL);
  SipwsAddress *from = sipws_message_get_from (invite);
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autofree char *contact = sipws_account_get_dialog_contact (account);

  self->account = g_object_ref (account);
  self->direction = SIPWS_CALL_DIRECTION_INCOMING;
  self->state = SIPWS_CALL_STATE_RINGING;
  self->call_id = g_strdup (sipws_message_get_call_id (invite));
  self->dialog = sipws_dialog_new_uas (invite, sipws_transaction_get_local_tag (tx), contact, &error);
  if (self->dialog == NULL || from == NULL)
    {
      g_autoptr(SipwsMessage) response = sipws_transaction_create_response (tx, 400, "Missing Contact");

      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not refuse a bad INVITE");
      /* The account is not the owner yet: break the reference now. */
      g_clear_object (&self->account);
      return NULL;
    }

  set_remote_party (self, from);
  self->server_tx = g_object_ref (tx);
  self->remote_offer_request = sipws_message_ref (invite);
  remember_peer_allow (self, invite);
  /* The peer asked for session timers: agree to its interval (RFC 4028 §9). */
  read_session_expires (self, invite, FALSE);
  sipws_ua_clear_source (&self->session_timer);

  ringing = sipws_transaction_create_response (tx, 180, "Ringing");
  sipws_message_set_header (ringing, "Contact", contact);
  if (!sipws_transaction_respond (tx, ringing, &error))
    g_debug ("call %s: could not send 180: %s", self->call_id, error->message);

  return g_steal_pointer (&self);
}

static void
answer_with (SipwsCall  *self,
             const char *sdp)
{
  g_autoptr(SipwsMessage) response = create_2xx (self, sdp);

  if (!send_2xx (self, response))
    {
      g_autoptr(GError) error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_TRANSPORT, "The answer could not be sent");

      return_task_error (&self->accept_task, error);
      end_call (self, SIPWS_END_REASON_NETWORK, 503, "The answer could not be sent");
    }
}

static void
accept_media_ready_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(SipwsCall) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = NULL;

  if (self->offered_in_2xx)
    sdp = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);
  else
    sdp = sipws_media_handler_create_answer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);

  if (self->state != SIPWS_CALL_STATE_ANSWERING || self->server_tx == NULL)
    return;
  if (sdp == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Media negotiation failed: %s", error->message);

      respond_server (self, 488, "Not Acceptable Here");
      end_call (self, SIPWS_END_REASON_MEDIA, 488, message);
      return;
    }
  answer_with (self, sdp);
}

/* Answers a dialog's INVITE (initial or re-INVITE) from the media handler:
 * an answer to its offer, or our offer when it had none. */
static void
negotiate (SipwsCall           *self,
           GAsyncReadyCallback  callback)
{
  g_autofree char *offer = message_sdp (self->remote_offer_request);

  self->offered_in_2xx = offer == NULL;
  if (offer != NULL)
    sipws_media_handler_create_answer_async (self->media, offer, self->cancellable, callback, g_object_ref (self));
  else
    sipws_media_handler_create_offer_async (self->media, self->cancellable, callback, g_object_ref (self));
}

/**
 * sipws_call_accept_async:
 * @self: an incoming call in %SIPWS_CALL_STATE_RINGING
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting
 *   (%G_IO_ERROR_CANCELLED), the answer goes on
 * @callback: (scope async): called when the caller acknowledged the answer
 * @user_data: data for @callback
 *
 * Answers the call: asks [signal@Sipws.Account::create-media-handler] for
 * media, answers 200 with the SDP answer (or offer) and completes when the
 * ACK arrives, the call then being %SIPWS_CALL_STATE_ACTIVE.
 */
void
sipws_call_accept_async (SipwsCall           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SIPWS_IS_CALL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_call_accept_async);

  if (self->direction != SIPWS_CALL_DIRECTION_INCOMING || self->state != SIPWS_CALL_STATE_RINGING
      || self->server_tx == NULL)
    {
      g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                               "Only a ringing incoming call can be accepted");
      return;
    }

  self->accept_task = g_steal_pointer (&task);
  watch_cancellable (self, &self->accept_task);
  set_state (self, SIPWS_CALL_STATE_ANSWERING);
  take_media (self, sipws_account_create_media_handler (self->account, self));
  if (self->media == NULL)
    answer_with (self, NULL);
  else
    negotiate (self, accept_media_ready_cb);
}

/**
 * sipws_call_accept_finish:
 * @self: a call
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Call.accept_async].
 *
 * Returns: %TRUE when the call is active, %FALSE with @error set otherwise
 */
gboolean
sipws_call_accept_finish (SipwsCall     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_call_accept_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sipws_call_reject:
 * @self: an incoming call in %SIPWS_CALL_STATE_RINGING
 * @status: the SIP status, 400-699 (486 Busy Here, 603 Decline…)
 * @error: return location for a #GError
 *
 * Refuses the call. It ends with %SIPWS_END_REASON_DECLINED.
 *
 * Returns: %TRUE on success, %FALSE with @error set when the call is not
 *   ringing any more or @status is not a rejection
 */
gboolean
sipws_call_reject (SipwsCall  *self,
                   guint       status,
                   GError    **error)
{
  g_autofree char *message = NULL;
  const char *reason;

  g_return_val_if_fail (SIPWS_IS_CALL (self), FALSE);

  if (status < 400 || status > 699)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT, "%u is not a rejection status (400-699)", status);
      return FALSE;
    }
  if (self->direction != SIPWS_CALL_DIRECTION_INCOMING || self->state != SIPWS_CALL_STATE_RINGING
      || self->server_tx == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT, "Only a ringing incoming call can be rejected");
      return FALSE;
    }

  reason = sipws_message_get_default_reason (status);
  respond_server (self, status, reason);
  message = g_strdup_printf ("%u %s", status, reason);
  end_call (self, SIPWS_END_REASON_DECLINED, status, message);
  return TRUE;
}

void
sipws_call_handle_cancel (SipwsCall *self)
{
  if (self->server_tx == NULL || self->direction != SIPWS_CALL_DIRECTION_INCOMING
      || (self->state != SIPWS_CALL_STATE_RINGING && self->state != SIPWS_CALL_STATE_ANSWERING))
    return;

  respond_server (self, 487, "Request Terminated");
  end_call (self, SIPWS_END_REASON_CANCELLED, 487, "The caller cancelled");
}

void
sipws_call_handle_ack (SipwsCall    *self,
                       SipwsMessage *ack)
{
  g_autofree char *sdp = NULL;

  if (self->final_2xx == NULL)
    return;

  sipws_ua_clear_source (&self->retransmit_timer);
  g_clear_pointer (&self->final_2xx, sipws_message_unref);
  sipws_dialog_confirm (self->dialog, ack);

  sdp = message_sdp (ack);
  if (self->offered_in_2xx && self->media != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->offered_in_2xx = FALSE;
      if (sdp == NULL || !sipws_media_handler_set_remote_answer (self->media, sdp, FALSE, &error))
        {
          g_autofree char *message = g_strdup_printf ("The ACK carries no usable answer%s%s",
                                                      error != NULL ? ": " : "",
                                                      error != NULL ? error->message : "");

          send_bye (self);
          end_call (self, SIPWS_END_REASON_MEDIA, 0, message);
          return;
        }
    }

  if (self->state == SIPWS_CALL_STATE_ANSWERING)
    {
      set_state (self, SIPWS_CALL_STATE_ACTIVE);
      session_timer_start (self);
      return_task_true (&self->accept_task);
      if (self->hangup_after_ack)
        sipws_call_hangup (self);
    }
}

/* BYE */

static void
bye_response_cb (SipwsTransaction *tx,
                 SipwsMessage     *response,
                 const GError     *error,
                 gpointer          user_data)
{
  SipwsCall *self = user_data;
  g_autoptr(SipwsCall) keep G_GNUC_UNUSED = g_object_ref (self);
  guint status = response != NULL ? sipws_message_get_status_code (response) : 0;

  if (tx != self->bye_tx || (response != NULL && status < 200))
    return;
  g_clear_object (&self->bye_tx);

  if ((status == 401 || status == 407) && self->account != NULL)
    {
      guint attempts = 0;
      g_autoptr(SipwsMessage) retry = sipws_account_authenticate (self->account, sipws_transaction_get_request (tx),
                                                                  response, &attempts, NULL);

      if (retry != NULL)
        {
          self->bye_tx = sipws_account_send_request (self->account, retry, bye_response_cb, self);
          return;
        }
    }

  /* Whatever the answer, the dialog is over (§15.1.1). */
  end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Hung up");
}

static void
send_bye (SipwsCall *self)
{
  g_autoptr(SipwsMessage) bye = NULL;

  if (self->dialog == NULL || self->account == NULL || self->bye_tx != NULL)
    return;
  bye = sipws_dialog_create_request (self->dialog, "BYE");
  sipws_account_authorize (self->account, bye);
  self->bye_tx = sipws_account_send_request (self->account, bye, bye_response_cb, self);
}

/**
 * sipws_call_hangup:
 * @self: a call
 *
 * Ends the call whatever its state: CANCEL while an outgoing call rings, 603
 * for an incoming one still ringing, BYE once answered. The call goes
 * through %SIPWS_CALL_STATE_ENDING when a request has to be answered first.
 * Does nothing on an ended call.
 */
void
sipws_call_hangup (SipwsCall *self)
{
  g_return_if_fail (SIPWS_IS_CALL (self));

  switch (self->state)
    {
    case SIPWS_CALL_STATE_CALLING:
    case SIPWS_CALL_STATE_RINGING:
    case SIPWS_CALL_STATE_EARLY_MEDIA:
      if (self->direction == SIPWS_CALL_DIRECTION_INCOMING)
        {
          sipws_call_reject (self, DEFAULT_HANGUP_STATUS, NULL);
          return;
        }
      set_state (self, SIPWS_CALL_STATE_ENDING);
      if (self->invite_tx == NULL)
        {
          /* Nothing sent yet (the offer is still being made). */
          if (self->invite == NULL)
            return;
          end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Hung up");
          return;
        }
      /* §9.1: a CANCEL only goes after a provisional response. */
      if (self->provisional)
        send_cancel (self);
      else
        self->cancel_wanted = TRUE;
      break;

    case SIPWS_CALL_STATE_ANSWERING:
      /* §15: no BYE before the ACK of our 2xx. */
      if (self->final_2xx != NULL)
        {
          self->hangup_after_ack = TRUE;
          return;
        }
      respond_server (self, 480, "Temporarily Unavailable");
      end_call (self, SIPWS_END_REASON_LOCAL_HANGUP, 0, "Hung up");
      break;

    case SIPWS_CALL_STATE_ACTIVE:
    case SIPWS_CALL_STATE_HELD:
      set_state (self, SIPWS_CALL_STATE_ENDING);
      send_bye (self);
      break;

    case SIPWS_CALL_STATE_ENDING:
    case SIPWS_CALL_STATE_ENDED:
    default:
      break;
    }
}

/* re-INVITE (hold, resume, session refresh) */

static void reinvite_response_cb (SipwsTransaction *tx,
                                  SipwsMessage     *response,
                                  const GError     *error,
                                  gpointer          user_data);

static void
send_reinvite (SipwsCall  *self,
               const char *sdp)
{
  g_autoptr(SipwsMessage) invite = sipws_dialog_create_request (self->dialog, "INVITE");

  sipws_message_set_header (invite, "Allow", SIPWS_ACCOUNT_ALLOW);
  sipws_message_set_header (invite, "Supported", SIPWS_ACCOUNT_SUPPORTED);
  if (self->session_expires > 0)
    add_session_expires (self, invite, self->we_refresh ? "uac" : "uas");
  set_sdp (invite, sdp);
  sipws_account_authorize (self->account, invite);
  sipws_transaction_drop (&self->reinvite_tx);
  self->reinvite_tx = sipws_account_send_request (self->account, invite, reinvite_response_cb, self);
}

static void
reinvite_offer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SipwsCall) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);

  if (self->state == SIPWS_CALL_STATE_ENDED || self->reinvite == REINVITE_NONE)
    return;
  if (offer == NULL)
    {
      reinvite_failed (self, g_error_new (SIPWS_ERROR, SIPWS_ERROR_MEDIA, "Could not create the offer: %s",
                                          error->message));
      return;
    }
  send_reinvite (self, offer);
}

static SipwsMediaDirection
direction_for_state (SipwsCallState state)
{
  return state == SIPWS_CALL_STATE_HELD ? SIPWS_MEDIA_DIRECTION_SENDONLY : SIPWS_MEDIA_DIRECTION_SENDRECV;
}

static void
start_reinvite (SipwsCall *self)
{
  self->state_before_reinvite = self->state;
  if (self->media == NULL)
    {
      send_reinvite (self, NULL);
      return;
    }
  if (self->reinvite == REINVITE_HOLD)
    sipws_media_handler_set_direction (self->media, SIPWS_MEDIA_DIRECTION_SENDONLY);
  else if (self->reinvite == REINVITE_RESUME)
    sipws_media_handler_set_direction (self->media, SIPWS_MEDIA_DIRECTION_SENDRECV);
  sipws_media_handler_create_offer_async (self->media, self->cancellable, reinvite_offer_cb, g_object_ref (self));
}

static void
reinvite_failed (SipwsCall *self,
                 GError    *error)
{
  /* Roll back: the media goes on as before the attempt. */
  if (self->media != NULL && self->reinvite != REINVITE_REFRESH)
    sipws_media_handler_set_direction (self->media, direction_for_state (self->state_before_reinvite));
  self->reinvite = REINVITE_NONE;
  sipws_transaction_drop (&self->reinvite_tx);
  return_task_error (&self->reinvite_task, error);
  g_error_free (error);
}

static gboolean
glare_retry_cb (gpointer user_data)
{
  SipwsCall *self = user_data;

  g_clear_pointer (&self->glare_timer, g_source_unref);
  if (self->server_tx != NULL)
    {
      /* The peer's re-INVITE still runs: wait for another round. */
      start_timer (self, &self->glare_timer, timers (self)->t1, glare_retry_cb);
      return G_SOURCE_REMOVE;
    }
  start_reinvite (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_glare_retry (SipwsCall *self)
{
  /* §14.1: the owner of the Call-ID (the caller) waits 2.1-4 s, the other
   * side 0-2 s, in 10 ms steps; scaled by T1 so tests can run it fast. */
  guint steps = self->direction == SIPWS_CALL_DIRECTION_OUTGOING ? g_random_int_range (210, 401)
                                                                  : g_random_int_range (0, 201);
  guint ms = (guint) ((guint64) steps * 10 * timers (self)->t1 / SIPWS_TIMER_T1_DEFAULT);

  g_debug ("call %s: re-INVITE glare, retrying in %u ms", self->call_id, ms);
  start_timer (self, &self->glare_timer, MAX (ms, 1), glare_retry_cb);
}

static void
reinvite_response_cb (SipwsTransaction *tx,
                      SipwsMessage     *response,
                      const GError     *error,
                      gpointer          user_data)
{
  SipwsCall *self = user_data;
  g_autoptr(SipwsCall) keep G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sdp = NULL;
  guint status;
  guint32 cseq = 0;

  if (tx != self->reinvite_tx)
    {
      /* A repeated 2xx of an earlier re-INVITE: repeat its ACK. */
      if (response != NULL && sipws_message_get_status_code (response) / 100 == 2 && self->reinvite_ack != NULL
          && !sipws_account_send_stateless (self->account, self->reinvite_ack, &local_error))
        g_debug ("call %s: could not repeat the ACK: %s", self->call_id, local_error->message);
      return;
    }

  if (response == NULL)
    {
      /* §12.2.1.2: no answer in a dialog ends it. */
      reinvite_failed (self, g_error_new (SIPWS_ERROR, sipws_ua_failure_code (error), "The re-INVITE failed: %s",
                                          error->message));
      send_bye (self);
      end_with_error (self, error);
      return;
    }

  status = sipws_message_get_status_code (response);
  if (status < 200)
    return;

  if (status >= 300)
    {
      g_clear_object (&self->reinvite_tx);
      if (status == 491)
        {
          schedule_glare_retry (self);
          return;
        }
      if (status == 401 || status == 407)
        {
          guint attempts = 0;
          g_autoptr(SipwsMessage) retry = sipws_account_authenticate (self->account, sipws_transaction_get_request (tx),
                                                                      response, &attempts, &local_error);

          if (retry != NULL)
            {
              sipws_message_get_cseq (retry, &cseq, NULL);
              sipws_dialog_bump_local_seq (self->dialog, cseq);
              self->reinvite_tx = sipws_account_send_request (self->account, retry, reinvite_response_cb, self);
              return;
            }
        }
      reinvite_failed (self, g_error_new (SIPWS_ERROR, SIPWS_ERROR_REJECTED, "The peer refused the re-INVITE: %u %s",
                                          status, sipws_message_get_reason_phrase (response)));
      if (status == 481 || status == 408)
        {
          send_bye (self);
          end_with_response (self, response);
        }
      return;
    }

  /* 2xx: ACK it, apply the answer, then the new state. */
  g_clear_pointer (&self->reinvite_ack, sipws_message_unref);
  sipws_dialog_receive_response (self->dialog, response);
  self->reinvite_ack = create_2xx_ack (self->dialog, sipws_transaction_get_request (tx));
  if (!sipws_account_send_stateless (self->account, self->reinvite_ack, &local_error))
    g_debug ("call %s: could not send the ACK: %s", self->call_id, local_error->message);
  g_clear_error (&local_error);
  g_clear_object (&self->reinvite_tx);

  sdp = message_sdp (response);
  if (sdp != NULL && self->media != NULL && !sipws_media_handler_set_remote_answer (self->media, sdp, FALSE, &local_error))
    {
      g_autofree char *message = g_strdup_printf ("The answer to our re-INVITE is not acceptable: %s",
                                                  local_error->message);

      reinvite_failed (self, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_MEDIA, message));
      send_bye (self);
      end_call (self, SIPWS_END_REASON_MEDIA, 0, message);
      return;
    }

  read_session_expires (self, response, TRUE);
  if (self->reinvite == REINVITE_HOLD)
    set_state (self, SIPWS_CALL_STATE_HELD);
  else if (self->reinvite == REINVITE_RESUME)
    set_state (self, SIPWS_CALL_STATE_ACTIVE);
  self->reinvite = REINVITE_NONE;
  return_task_true (&self->reinvite_task);
}

static void
hold_or_resume (SipwsCall           *self,
                ReinviteKind         kind,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SipwsCallState wanted_from = kind == REINVITE_HOLD ? SIPWS_CALL_STATE_ACTIVE : SIPWS_CALL_STATE_HELD;

  g_task_set_source_tag (task, source_tag);

  if (self->state != wanted_from)
    {
      g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                               kind == REINVITE_HOLD ? "Only an active call can be put on hold"
                                                     : "Only a held call can be resumed");
      return;
    }
  if (self->reinvite != REINVITE_NONE || self->server_tx != NULL)
    {
      g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                               "Another offer/answer exchange is in progress");
      return;
    }

  self->reinvite = kind;
  self->reinvite_task = g_steal_pointer (&task);
  watch_cancellable (self, &self->reinvite_task);
  start_reinvite (self);
}

/**
 * sipws_call_hold_async:
 * @self: an active call
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting
 *   (%G_IO_ERROR_CANCELLED), the re-INVITE goes on
 * @callback: (scope async): called when the peer accepted or refused
 * @user_data: data for @callback
 *
 * Puts the call on hold with a `sendonly` re-INVITE. The state becomes
 * %SIPWS_CALL_STATE_HELD only on the peer's 2xx; when it refuses, the call
 * and its media stay as they were and the operation fails.
 */
void
sipws_call_hold_async (SipwsCall           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (SIPWS_IS_CALL (self));

  hold_or_resume (self, REINVITE_HOLD, cancellable, callback, user_data, sipws_call_hold_async);
}

/**
 * sipws_call_hold_finish:
 * @self: a call
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Call.hold_async].
 *
 * Returns: %TRUE when the call is held, %FALSE with @error set otherwise
 */
gboolean
sipws_call_hold_finish (SipwsCall     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_call_hold_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sipws_call_resume_async:
 * @self: a held call
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting
 *   (%G_IO_ERROR_CANCELLED), the re-INVITE goes on
 * @callback: (scope async): called when the peer accepted or refused
 * @user_data: data for @callback
 *
 * Takes the call off hold with a `sendrecv` re-INVITE; as for
 * [method@Sipws.Call.hold_async], the state changes only on the 2xx.
 */
void
sipws_call_resume_async (SipwsCall           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (SIPWS_IS_CALL (self));

  hold_or_resume (self, REINVITE_RESUME, cancellable, callback, user_data, sipws_call_resume_async);
}

/**
 * sipws_call_resume_finish:
 * @self: a call
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Call.resume_async].
 *
 * Returns: %TRUE when the call is active again, %FALSE with @error set otherwise
 */
gboolean
sipws_call_resume_finish (SipwsCall     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_call_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Requests from the peer inside the dialog */

static void
reinvite_media_ready_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(SipwsCall) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autofree char *sdp = NULL;

  if (self->offered_in_2xx)
    sdp = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);
  else
    sdp = sipws_media_handler_create_answer_finish (SIPWS_MEDIA_HANDLER (source), result, &error);

  if (self->server_tx == NULL || self->state == SIPWS_CALL_STATE_ENDED)
    return;
  if (sdp == NULL)
    {
      /* §14.2: a refused offer leaves the session as it was. */
      g_debug ("call %s: refusing a re-INVITE: %s", self->call_id, error->message);
      respond_server (self, 488, "Not Acceptable Here");
      return;
    }
  if (!self->offered_in_2xx)
    {
      g_autofree char *offer = message_sdp (self->remote_offer_request);

      set_remote_held (self, sdp_is_hold (offer));
    }
  response = create_2xx (self, sdp);
  if (!send_2xx (self, response))
    g_debug ("call %s: could not answer the re-INVITE", self->call_id);
}

static void
handle_reinvite (SipwsCall        *self,
                 SipwsTransaction *tx,
                 SipwsMessage     *request)
{
  g_autoptr(SipwsMessage) response = NULL;

  /* §14.2: our own re-INVITE is pending (glare), or theirs still is. */
  if (self->reinvite_tx != NULL || (self->reinvite != REINVITE_NONE && self->glare_timer == NULL))
    {
      g_autoptr(SipwsMessage) pending = sipws_transaction_create_response (tx, 491, "Request Pending");

      if (!sipws_transaction_respond (tx, pending, NULL))
        g_debug ("could not answer 491");
      return;
    }
  if (self->server_tx != NULL || self->final_2xx != NULL
      || (self->state != SIPWS_CALL_STATE_ACTIVE && self->state != SIPWS_CALL_STATE_HELD))
    {
      response = sipws_transaction_create_response (tx, 500, "Server Internal Error");
      sipws_message_set_header (response, "Retry-After", "1");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not answer 500");
      return;
    }

  self->server_tx = g_object_ref (tx);
  g_clear_pointer (&self->remote_offer_request, sipws_message_unref);
  self->remote_offer_request = sipws_message_ref (request);
  remember_peer_allow (self, request);
  read_session_expires (self, request, FALSE);

  if (self->media == NULL)
    {
      g_autofree char *offer = message_sdp (request);

      self->offered_in_2xx = FALSE;
      set_remote_held (self, sdp_is_hold (offer));
      response = create_2xx (self, NULL);
      if (!send_2xx (self, response))
        g_debug ("call %s: could not answer the re-INVITE", self->call_id);
      return;
    }
  negotiate (self, reinvite_media_ready_cb);
}

static void
handle_update (SipwsCall        *self,
               SipwsTransaction *tx,
               SipwsMessage     *request)
{
  g_autoptr(SipwsMessage) response = NULL;
  g_autofree char *sdp = message_sdp (request);

  /* Only session refreshes: an offer in UPDATE would need its own
   * offer/answer path, which the media handler cannot run here. */
  if (sdp != NULL)
    {
      response = sipws_transaction_create_response (tx, 488, "Not Acceptable Here");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not answer 488");
      return;
    }
  read_session_expires (self, request, FALSE);
  response = sipws_transaction_create_response (tx, 200, "OK");
  if (self->session_expires > 0)
    add_session_expires (self, response, self->we_refresh ? "uas" : "uac");
  if (!sipws_transaction_respond (tx, response, NULL))
    g_debug ("could not answer the UPDATE");
}

/* DTMF by INFO, application/dtmf-relay: "Signal=5\r\nDuration=160". */
static gboolean
parse_dtmf_relay (const char *body,
                  char       *digit,
                  guint      *duration)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  gboolean found = FALSE;

  *duration = DTMF_DURATION_MS;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (lines[i], "=", 2);

      if (kv[0] == NULL || kv[1] == NULL)
        continue;
      g_strstrip (kv[0]);
      g_strstrip (kv[1]);
      if (g_ascii_strcasecmp (kv[0], "Signal") == 0 && strlen (kv[1]) == 1 && sipws_media_dtmf_digit_is_valid (kv[1][0]))
        {
          *digit = g_ascii_toupper (kv[1][0]);
          found = TRUE;
        }
      else if (g_ascii_strcasecmp (kv[0], "Duration") == 0)
        {
          guint64 d = g_ascii_strtoull (kv[1], NULL, 10);

          if (d > 0 && d < 60000)
            *duration = (guint) d;
        }
    }
  return found;
}

static void
handle_info (SipwsCall        *self,
             SipwsTransaction *tx,
             SipwsMessage     *request)
{
  const char *type = sipws_message_get_content_type (request);
  g_autofree char *body = body_text (request);
  g_autoptr(SipwsMessage) response = NULL;
  guint duration = DTMF_DURATION_MS;
  char digit = 0;

  if (body == NULL)
    {
      /* An empty INFO is a keepalive. */
      response = sipws_transaction_create_response (tx, 200, "OK");
    }
  else if (type != NULL && g_ascii_strncasecmp (type, "application/dtmf-relay", 22) == 0
           && parse_dtmf_relay (body, &digit, &duration))
    {
      response = sipws_transaction_create_response (tx, 200, "OK");
    }
  else if (type != NULL && g_ascii_strncasecmp (type, "application/dtmf", 16) == 0 && type[16] != '-'
           && strlen (g_strstrip (body)) == 1 && sipws_media_dtmf_digit_is_valid (body[0]))
    {
      digit = g_ascii_toupper (body[0]);
      response = sipws_transaction_create_response (tx, 200, "OK");
    }
  else
    {
      response = sipws_transaction_create_response (tx, 415, "Unsupported Media Type");
      sipws_message_set_header (response, "Accept", "application/dtmf-relay, application/dtmf");
    }

  if (!sipws_transaction_respond (tx, response, NULL))
    g_debug ("could not answer the INFO");
  if (digit != 0)
    g_signal_emit (self, signals[SIGNAL_DTMF_RECEIVED], 0, digit, duration);
}

/* Transfer (REFER, RFC 3515) */

static void
notify_response_cb (SipwsTransaction *tx,
                    SipwsMessage     *response,
                    const GError     *error,
                    gpointer          user_data)
{
  /* A lost progress report does not change the transfer. */
}

/* The NOTIFY of the implicit refer subscription with a sipfrag status line. */
static void
send_refer_notify (SipwsCall  *self,
                   guint       status,
                   const char *reason,
                   gboolean    final)
{
  g_autoptr(SipwsMessage) notify = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SipwsTransaction) tx = NULL;
  g_autofree char *frag = g_strdup_printf ("SIP/2.0 %u %s\r\n", status, reason);

  if (self->dialog == NULL || self->account == NULL || self->state == SIPWS_CALL_STATE_ENDED)
    return;
  notify = sipws_dialog_create_request (self->dialog, "NOTIFY");
  sipws_message_set_header (notify, "Event", "refer");
  sipws_message_set_header (notify, "Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60");
  body = g_bytes_new (frag, strlen (frag));
  sipws_message_set_body (notify, "message/sipfrag;version=2.0", body);
  sipws_account_authorize (self->account, notify);
  tx = sipws_account_send_request (self->account, notify, notify_response_cb, NULL);
}

static void
transfer_call_state_cb (SipwsCall  *new_call,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  SipwsCall *self = user_data;

  switch (new_call->state)
    {
    case SIPWS_CALL_STATE_RINGING:
    case SIPWS_CALL_STATE_EARLY_MEDIA:
      send_refer_notify (self, 180, "Ringing", FALSE);
      break;
    case SIPWS_CALL_STATE_ACTIVE:
      self->transferred = TRUE;
      send_refer_notify (self, 200, "OK", TRUE);
      g_signal_handlers_disconnect_by_data (new_call, self);
      break;
    case SIPWS_CALL_STATE_ENDED:
      send_refer_notify (self, new_call->end_status >= 300 ? new_call->end_status : 503,
                         new_call->end_status >= 300 ? sipws_message_get_default_reason (new_call->end_status)
                                                     : "Service Unavailable",
                         TRUE);
      g_signal_handlers_disconnect_by_data (new_call, self);
      break;
    case SIPWS_CALL_STATE_CALLING:
    case SIPWS_CALL_STATE_ANSWERING:
    case SIPWS_CALL_STATE_HELD:
    case SIPWS_CALL_STATE_ENDING:
    default:
      break;
    }
}

static void
handle_refer (SipwsCall        *self,
              SipwsTransaction *tx,
              SipwsMessage     *request)
{
  SipwsAddress *refer_to = sipws_message_get_address (request, "Refer-To");
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsCallOptions) options = NULL;
  g_autoptr(SipwsUri) target_uri = NULL;
  g_autofree char *target = NULL;
  g_autofree char *referred_by = NULL;
  SipwsCall *new_call;

  if (refer_to == NULL || self->transfer_call != NULL)
    {
      response = sipws_transaction_create_response (tx, refer_to == NULL ? 400 : 491,
                                                    refer_to == NULL ? "Missing Refer-To" : "Request Pending");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not refuse the REFER");
      return;
    }

  response = sipws_transaction_create_response (tx, 202, "Accepted");
  if (!sipws_transaction_respond (tx, response, NULL))
    g_debug ("could not accept the REFER");

  /* URI headers (such as Replaces) are not followed: blind transfer only. */
  target_uri = sipws_uri_copy (sipws_address_get_uri (refer_to));
  {
    g_auto(GStrv) names = sipws_uri_get_header_names (target_uri);

    for (guint i = 0; names != NULL && names[i] != NULL; i++)
      sipws_uri_remove_header (target_uri, names[i]);
  }
  target = sipws_uri_to_string (target_uri);
  options = sipws_call_options_new ();
  referred_by = g_strdup (sipws_message_get_header_by_id (request, SIPWS_HEADER_NAME_REFERRED_BY));
  if (referred_by != NULL)
    sipws_call_options_add_header (options, "Referred-By", referred_by);

  send_refer_notify (self, 100, "Trying", FALSE);
  new_call = sipws_account_call (self->account, target, options);
  self->transfer_call = new_call;
  g_signal_connect (new_call, "notify::state", G_CALLBACK (transfer_call_state_cb), self);
  g_signal_emit (self, signals[SIGNAL_TRANSFERRED], 0, new_call);
}

static void
handle_refer_notify (SipwsCall        *self,
                     SipwsTransaction *tx,
                     SipwsMessage     *request)
{
  const char *event = sipws_message_get_header_by_id (request, SIPWS_HEADER_NAME_EVENT);
  const char *state = sipws_message_get_header_by_id (request, SIPWS_HEADER_NAME_SUBSCRIPTION_STATE);
  g_autofree char *body = body_text (request);
  g_autoptr(SipwsMessage) response = NULL;
  guint status = 0;

  if (event == NULL || g_ascii_strncasecmp (event, "refer", 5) != 0 || (event[5] != '\0' && event[5] != ';'))
    {
      response = sipws_transaction_create_response (tx, 489, "Bad Event");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not answer 489");
      return;
    }

  response = sipws_transaction_create_response (tx, 200, "OK");
  if (!sipws_transaction_respond (tx, response, NULL))
    g_debug ("could not answer the NOTIFY");

  if (body != NULL && g_str_has_prefix (body, "SIP/2.0 "))
    status = (guint) g_ascii_strtoull (body + 8, NULL, 10);
  g_debug ("call %s: transfer progress %u", self->call_id, status);

  if (self->transfer_task == NULL)
    return;
  if (status >= 200 && status < 300)
    {
      return_task_true (&self->transfer_task);
      /* Blind transfer done: our leg is no longer needed. */
      set_state (self, SIPWS_CALL_STATE_ENDING);
      send_bye (self);
      end_call (self, SIPWS_END_REASON_TRANSFERRED, 0, "Transferred");
    }
  else if (status >= 300 || (state != NULL && g_ascii_strncasecmp (state, "terminated", 10) == 0))
    {
      g_autoptr(GError) error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_REJECTED,
                                             "The transfer target answered %u", status);

      return_task_error (&self->transfer_task, error);
    }
}

void
sipws_call_handle_request (SipwsCall        *self,
                           SipwsTransaction *tx,
                           SipwsMessage     *request)
{
  g_autoptr(SipwsCall) keep G_GNUC_UNUSED = g_object_ref (self);
  SipwsAddress *from = sipws_message_get_from (request);
  const char *method = sipws_message_get_method (request);
  SipwsDialog *dialog = self->dialog;
  g_autoptr(SipwsMessage) response = NULL;

  if (dialog == NULL || g_strcmp0 (sipws_dialog_get_remote_tag (dialog), sipws_address_get_tag (from)) != 0)
    dialog = find_early_dialog (self, sipws_address_get_tag (from));
  if (dialog == NULL || !sipws_dialog_receive_request (dialog, request))
    {
      response = sipws_transaction_create_response (tx, dialog == NULL ? 481 : 500,
                                                    dialog == NULL ? "Call/Transaction Does Not Exist"
                                                                   : "CSeq Out of Order");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not refuse an in-dialog %s", method);
      return;
    }

  if (g_str_equal (method, "BYE"))
    {
      response = sipws_transaction_create_response (tx, 200, "OK");
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not answer the BYE");
      respond_server (self, 487, "Request Terminated");
      end_call (self, self->transferred ? SIPWS_END_REASON_TRANSFERRED : SIPWS_END_REASON_REMOTE_HANGUP, 0,
                self->transferred ? "Transferred" : "The peer hung up");
    }
  else if (g_str_equal (method, "INVITE"))
    handle_reinvite (self, tx, request);
  else if (g_str_equal (method, "UPDATE"))
    handle_update (self, tx, request);
  else if (g_str_equal (method, "INFO"))
    handle_info (self, tx, request);
  else if (g_str_equal (method, "REFER"))
    handle_refer (self, tx, request);
  else if (g_str_equal (method, "NOTIFY"))
    handle_refer_notify (self, tx, request);
  else if (g_str_equal (method, "OPTIONS") || g_str_equal (method, "MESSAGE"))
    sipws_account_answer_request (self->account, tx, request);
  else
    {
      response = sipws_transaction_create_response (tx, 501, "Not Implemented");
      sipws_message_set_header (response, "Allow", SIPWS_ACCOUNT_ALLOW);
      if (!sipws_transaction_respond (tx, response, NULL))
        g_debug ("could not answer 501");
    }
}

/* DTMF sending */

static void info_response_cb (SipwsTransaction *tx,
                              SipwsMessage     *response,
                              const GError     *error,
                              gpointer          user_data);

static void
send_next_info (SipwsCall *self)
{
  g_autoptr(SipwsMessage) info = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  if (self->info_tx != NULL || self->dtmf_queue->len == 0 || self->dialog == NULL)
    return;

  text = g_strdup_printf ("Signal=%c\r\nDuration=%u\r\n", self->dtmf_queue->str[0], DTMF_DURATION_MS);
  g_string_erase (self->dtmf_queue, 0, 1);
  body = g_bytes_new (text, strlen (text));
  info = sipws_dialog_create_request (self->dialog, "INFO");
  sipws_message_set_body (info, "application/dtmf-relay", body);
  sipws_account_authorize (self->account, info);
  self->info_tx = sipws_account_send_request (self->account, info, info_response_cb, self);
}

static void
info_response_cb (SipwsTransaction *tx,
                  SipwsMessage     *response,
                  const GError     *error,
                  gpointer          user_data)
{
  SipwsCall *self = user_data;

  if (tx != self->info_tx || (response != NULL && sipws_message_get_status_code (response) < 200))
    return;
  g_clear_object (&self->info_tx);
  if (response == NULL)
    g_debug ("call %s: a DTMF INFO failed: %s", self->call_id, error->message);
  else if (sipws_message_get_status_code (response) >= 300)
    g_debug ("call %s: the peer refused a DTMF INFO: %u", self->call_id, sipws_message_get_status_code (response));
  /* Digits go in order, one INFO at a time. */
  send_next_info (self);
}

/**
 * sipws_call_send_dtmf:
 * @self: an active or held call
 * @digits: the digits: `0`-`9`, `*`, `#`, `A`-`D`
 * @error: return location for a #GError
 *
 * Sends DTMF: in the media (RFC 4733) when telephone-event was negotiated,
 * else one SIP INFO (`application/dtmf-relay`) per digit, in order.
 *
 * Returns: %TRUE when the digits were queued, %FALSE with @error set when
 *   the call is not established or a digit is not valid
 */
gboolean
sipws_call_send_dtmf (SipwsCall   *self,
                      const char  *digits,
                      GError     **error)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), FALSE);
  g_return_val_if_fail (digits != NULL, FALSE);

  for (const char *p = digits; *p != '\0'; p++)
    {
      if (!sipws_media_dtmf_digit_is_valid (*p))
        {
          g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                       "“%c” (position %d) is not a DTMF digit", *p, (int) (p - digits) + 1);
          return FALSE;
        }
    }
  if (self->state != SIPWS_CALL_STATE_ACTIVE && self->state != SIPWS_CALL_STATE_HELD)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT, "DTMF needs an established call");
      return FALSE;
    }

  for (const char *p = digits; *p != '\0'; p++)
    {
      g_autoptr(GError) media_error = NULL;

      /* Once a digit went by INFO the rest follows it, to keep the order. */
      if (self->dtmf_queue->len == 0 && self->info_tx == NULL && self->media != NULL
          && sipws_media_handler_send_dtmf (self->media, *p, DTMF_DURATION_MS, &media_error))
        continue;
      g_string_append_c (self->dtmf_queue, g_ascii_toupper (*p));
    }
  send_next_info (self);
  return TRUE;
}

/* Blind transfer */

static void
refer_response_cb (SipwsTransaction *tx,
                   SipwsMessage     *response,
                   const GError     *error,
                   gpointer          user_data)
{
  SipwsCall *self = user_data;
  g_autoptr(GError) local_error = NULL;
  guint status;

  if (tx != self->refer_tx)
    return;
  if (response == NULL)
    {
      g_clear_object (&self->refer_tx);
      local_error = g_error_new (SIPWS_ERROR, sipws_ua_failure_code (error), "The REFER failed: %s", error->message);
      return_task_error (&self->transfer_task, local_error);
      return;
    }
  status = sipws_message_get_status_code (response);
  if (status < 200)
    return;
  g_clear_object (&self->refer_tx);
  if (status >= 300)
    {
      local_error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_REJECTED, "The peer refused the transfer: %u %s",
                                 status, sipws_message_get_reason_phrase (response));
      return_task_error (&self->transfer_task, local_error);
    }
  /* 202: the result comes in NOTIFYs. */
}

/**
 * sipws_call_transfer_async:
 * @self: an active or held call
 * @target: where to transfer the peer, as for [method@Sipws.Account.call]
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting
 *   (%G_IO_ERROR_CANCELLED), the transfer goes on
 * @callback: (scope async): called when the transfer succeeded or failed
 * @user_data: data for @callback
 *
 * Blind transfer (RFC 3515 REFER): asks the peer to call @target and
 * follows its NOTIFY progress reports. On success this call ends with
 * %SIPWS_END_REASON_TRANSFERRED; on failure it stays as it was.
 */
void
sipws_call_transfer_async (SipwsCall           *self,
                           const char          *target,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAddress) address = NULL;
  g_autoptr(SipwsMessage) refer = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *refer_to = NULL;
  g_autofree char *referred_by = NULL;

  g_return_if_fail (SIPWS_IS_CALL (self));
  g_return_if_fail (target != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_call_transfer_async);

  if ((self->state != SIPWS_CALL_STATE_ACTIVE && self->state != SIPWS_CALL_STATE_HELD) || self->transfer_task != NULL)
    {
      g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                               "Only an established call without a transfer in progress can be transferred");
      return;
    }
  address = sipws_account_parse_target (self->account, target, &error);
  if (address == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Refer-To without display name: some servers refuse one. */
  uri = sipws_uri_to_string (sipws_address_get_uri (address));
  refer_to = g_strdup_printf ("<%s>", uri);
  {
    g_autofree char *aor = sipws_uri_to_string (sipws_account_get_aor_uri (self->account));

    referred_by = g_strdup_printf ("<%s>", aor);
  }
  refer = sipws_dialog_create_request (self->dialog, "REFER");
  sipws_message_set_header (refer, "Refer-To", refer_to);
  sipws_message_set_header (refer, "Referred-By", referred_by);
  sipws_account_authorize (self->account, refer);
  self->transfer_task = g_steal_pointer (&task);
  watch_cancellable (self, &self->transfer_task);
  sipws_transaction_drop (&self->refer_tx);
  self->refer_tx = sipws_account_send_request (self->account, refer, refer_response_cb, self);
}

/**
 * sipws_call_transfer_finish:
 * @self: a call
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Call.transfer_async].
 *
 * Returns: %TRUE when the target answered the peer, %FALSE with @error set
 *   otherwise
 */
gboolean
sipws_call_transfer_finish (SipwsCall     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_call_transfer_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sipws_call_abandon (SipwsCall *self)
{
  end_call (self, SIPWS_END_REASON_NETWORK, 0, "The account was shut down");
}

/* Lookup by the account */

gboolean
sipws_call_has_dialog (SipwsCall  *self,
                       const char *call_id,
                       const char *local_tag,
                       const char *remote_tag)
{
  if (self->dialog != NULL && sipws_dialog_matches (self->dialog, call_id, local_tag, remote_tag))
    return TRUE;
  for (guint i = 0; i < self->early_dialogs->len; i++)
    {
      if (sipws_dialog_matches (g_ptr_array_index (self->early_dialogs, i), call_id, local_tag, remote_tag))
        return TRUE;
    }
  return FALSE;
}

gboolean
sipws_call_owns_transaction (SipwsCall        *self,
                             SipwsTransaction *tx)
{
  return tx != NULL && (tx == self->server_tx || tx == self->invite_tx);
}

/* Getters */

/**
 * sipws_call_get_state:
 * @self: a call
 *
 * Gets the state of the call, [property@Sipws.Call:state].
 *
 * Returns: the state of the call
 */
SipwsCallState
sipws_call_get_state (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), SIPWS_CALL_STATE_ENDED);

  return self->state;
}

/**
 * sipws_call_get_direction:
 * @self: a call
 *
 * Gets whether we or the peer placed the call,
 * [property@Sipws.Call:direction].
 *
 * Returns: who placed the call
 */
SipwsCallDirection
sipws_call_get_direction (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), SIPWS_CALL_DIRECTION_OUTGOING);

  return self->direction;
}

/**
 * sipws_call_get_remote_uri:
 * @self: a call
 *
 * Gets the URI of the other party, [property@Sipws.Call:remote-uri].
 *
 * Returns: (nullable): the URI of the other party
 */
const char *
sipws_call_get_remote_uri (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), NULL);

  return self->remote_uri;
}

/**
 * sipws_call_get_remote_display_name:
 * @self: a call
 *
 * Gets the display name of the other party,
 * [property@Sipws.Call:remote-display-name].
 *
 * Returns: (nullable): the display name of the other party
 */
const char *
sipws_call_get_remote_display_name (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), NULL);

  return self->remote_display_name;
}

/**
 * sipws_call_get_end_reason:
 * @self: a call
 *
 * Gets why the call ended, [property@Sipws.Call:end-reason].
 *
 * Returns: why the call ended, %SIPWS_END_REASON_NONE before it did
 */
SipwsEndReason
sipws_call_get_end_reason (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), SIPWS_END_REASON_NONE);

  return self->end_reason;
}

/**
 * sipws_call_get_end_status:
 * @self: a call
 *
 * Gets the SIP status code that ended the call,
 * [property@Sipws.Call:end-status].
 *
 * Returns: the SIP status that ended the call, or 0
 */
guint
sipws_call_get_end_status (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), 0);

  return self->end_status;
}

/**
 * sipws_call_get_end_message:
 * @self: a call
 *
 * Gets a human-readable reason the call ended,
 * [property@Sipws.Call:end-message].
 *
 * Returns: (nullable): why the call ended, for people
 */
const char *
sipws_call_get_end_message (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), NULL);

  return self->state == SIPWS_CALL_STATE_ENDED ? self->end_message : NULL;
}

/**
 * sipws_call_get_duration:
 * @self: a call
 *
 * Gets how long the call has been active, [property@Sipws.Call:duration].
 *
 * Returns: the seconds the call has been (or was) active
 */
guint
sipws_call_get_duration (SipwsCall *self)
{
  gint64 end;

  g_return_val_if_fail (SIPWS_IS_CALL (self), 0);

  if (self->active_since == 0)
    return 0;
  end = self->ended_at != 0 ? self->ended_at : g_get_monotonic_time ();
  return (guint) ((end - self->active_since) / G_USEC_PER_SEC);
}

/**
 * sipws_call_get_muted:
 * @self: a call
 *
 * Gets whether our microphone is muted, [property@Sipws.Call:muted].
 *
 * Returns: whether the microphone is muted
 */
gboolean
sipws_call_get_muted (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), FALSE);

  return self->muted;
}

/**
 * sipws_call_set_muted:
 * @self: a call
 * @muted: whether to mute the microphone
 *
 * Mutes or unmutes our audio, without renegotiation.
 */
void
sipws_call_set_muted (SipwsCall *self,
                      gboolean   muted)
{
  g_return_if_fail (SIPWS_IS_CALL (self));

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (self->media != NULL)
    sipws_media_handler_set_muted (self->media, muted);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

/**
 * sipws_call_get_remote_held:
 * @self: a call
 *
 * Gets whether the other party put us on hold,
 * [property@Sipws.Call:remote-held].
 *
 * Returns: whether the peer put us on hold
 */
gboolean
sipws_call_get_remote_held (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), FALSE);

  return self->remote_held;
}

/**
 * sipws_call_get_media_session:
 * @self: a call
 *
 * Gets the media handler that carries the call's media,
 * [property@Sipws.Call:media-session].
 *
 * Returns: (nullable) (transfer none): the media of the call
 */
SipwsMediaHandler *
sipws_call_get_media_session (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), NULL);

  return self->media;
}

/**
 * sipws_call_get_call_id:
 * @self: a call
 *
 * Gets the SIP Call-ID shared by every request of the call.
 *
 * Returns: the SIP Call-ID of the call
 */
const char *
sipws_call_get_call_id (SipwsCall *self)
{
  g_return_val_if_fail (SIPWS_IS_CALL (self), NULL);

  return self->call_id;
}
