/* sipws-wake-monitor.c: network and sleep/resume events for reconnect without backoff */
#include "sipws-wake-monitor-private.h"

struct _SipwsWakeMonitor {
  GObject parent_instance;

  GMainContext *context;
  GNetworkMonitor *network_monitor;
  gulong network_changed_id;

  GCancellable *cancellable;
  GDBusConnection *system_bus;
  guint sleep_subscription;
};

G_DEFINE_FINAL_TYPE (SipwsWakeMonitor, sipws_wake_monitor, G_TYPE_OBJECT)

enum {
  SIGNAL_NETWORK_CHANGED,
  SIGNAL_SLEEPING,
  SIGNAL_RESUMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  SipwsWakeMonitor *self;
  gboolean available;
} NetworkEvent;

static gboolean
emit_network_changed_cb (gpointer data)
{
  NetworkEvent *event = data;

  sipws_wake_monitor_emit_network_changed (event->self, event->available);
  return G_SOURCE_REMOVE;
}

static void
network_event_free (gpointer data)
{
  NetworkEvent *event = data;

  g_object_unref (event->self);
  g_free (event);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  SipwsWakeMonitor *self = user_data;
  NetworkEvent *event = g_new0 (NetworkEvent, 1);

  /* The default monitor emits on the context it was first created in, which
   * may be another thread's; hop to ours. */
  event->self = g_object_ref (self);
  event->available = available;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_network_changed_cb, event, network_event_free);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  SipwsWakeMonitor *self = user_data;
  gboolean sleeping = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &sleeping);
  sipws_wake_monitor_emit_sleep (self, sleeping);
}

static void
system_bus_ready_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SipwsWakeMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      /* No system bus (containers, CI, tests): sleep/resume is simply not reported. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no system bus, suspend/resume not watched: %s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_object_unref (bus);
      return;
    }

  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

static void
sipws_wake_monitor_dispose (GObject *object)
{
  SipwsWakeMonitor *self = SIPWS_WAKE_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  if (self->sleep_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
      self->sleep_subscription = 0;
    }
  g_clear_object (&self->system_bus);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sipws_wake_monitor_parent_class)->dispose (object);
}

static void
sipws_wake_monitor_finalize (GObject *object)
{
  SipwsWakeMonitor *self = SIPWS_WAKE_MONITOR (object);

  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sipws_wake_monitor_parent_class)->finalize (object);
}

static void
sipws_wake_monitor_class_init (SipwsWakeMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sipws_wake_monitor_dispose;
  object_class->finalize = sipws_wake_monitor_finalize;

  signals[SIGNAL_NETWORK_CHANGED] =
    g_signal_new ("network-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[SIGNAL_SLEEPING] =
    g_signal_new ("sleeping", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_RESUMED] =
    g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sipws_wake_monitor_init (SipwsWakeMonitor *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_ready_cb, g_object_ref (self));
}

SipwsWakeMonitor *
sipws_wake_monitor_new (void)
{
  return g_object_new (SIPWS_TYPE_WAKE_MONITOR, NULL);
}

void
sipws_wake_monitor_emit_network_changed (SipwsWakeMonitor *self,
                                         gboolean          available)
{
  g_return_if_fail (SIPWS_IS_WAKE_MONITOR (self));

  g_signal_emit (self, signals[SIGNAL_NETWORK_CHANGED], 0, available);
}

void
sipws_wake_monitor_emit_sleep (SipwsWakeMonitor *self,
                               gboolean          sleeping)
{
  g_return_if_fail (SIPWS_IS_WAKE_MONITOR (self));

  g_signal_emit (self, signals[sleeping ? SIGNAL_SLEEPING : SIGNAL_RESUMED], 0);
}
