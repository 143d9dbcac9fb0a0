/* sipws-devices.c: the audio input and output devices of the system */
#include "sipws-devices.h"

/**
 * SipwsDevices:
 *
 * Lists audio devices through a #GstDeviceMonitor (PipeWire, PulseAudio or
 * ALSA, whichever provider GStreamer has) and tells when they change.
 *
 * Hand a device to [property@Sipws.MediaSession:input-device] or
 * [property@Sipws.MediaSession:output-device] to use it, also in the middle
 * of a call. A session with no device set plays to and records from the
 * system default, and the sound server moves its streams when the default
 * changes; setting a device pins the session to it.
 *
 * Signals come in the thread-default main context of the thread that created
 * the object.
 */

struct _SipwsDevices {
  GObject           parent_instance;

  GstDeviceMonitor *monitor;
  GSource          *bus_source;
  gboolean          started;
};

G_DEFINE_FINAL_TYPE (SipwsDevices, sipws_devices, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  SipwsDevices *self = user_data;

  GstMessageType type = GST_MESSAGE_TYPE (message);

  /* GstMessageType is a flags type: no switch */
  if (type == GST_MESSAGE_DEVICE_ADDED || type == GST_MESSAGE_DEVICE_REMOVED || type == GST_MESSAGE_DEVICE_CHANGED)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

static void
sipws_devices_dispose (GObject *object)
{
  SipwsDevices *self = SIPWS_DEVICES (object);

  if (self->bus_source != NULL) {
    g_source_destroy (self->bus_source);
    g_clear_pointer (&self->bus_source, g_source_unref);
  }
  if (self->started)
    gst_device_monitor_stop (self->monitor);
  self->started = FALSE;
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (sipws_devices_parent_class)->dispose (object);
}

static void
sipws_devices_class_init (SipwsDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  object_class->dispose = sipws_devices_dispose;

  /**
   * SipwsDevices::changed:
   * @self: the device list
   *
   * A device appeared, disappeared or changed (for example became the
   * default). Read the lists again.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sipws_devices_init (SipwsDevices *self)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GstBus) bus = NULL;

  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, "Audio/Source", NULL);
  gst_device_monitor_add_filter (self->monitor, "Audio/Sink", NULL);

  bus = gst_device_monitor_get_bus (self->monitor);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc) (void (*) (void)) bus_cb, self, NULL);
  g_source_attach (self->bus_source, context);

  /* fails when no provider works (no sound server): the lists stay empty */
  self->started = gst_device_monitor_start (self->monitor);
  if (!self->started)
    g_debug ("No audio device provider could be started");
}

/**
 * sipws_devices_new:
 *
 * Starts watching the audio devices.
 *
 * Returns: (transfer full): a new device list
 */
SipwsDevices *
sipws_devices_new (void)
{
  return g_object_new (SIPWS_TYPE_DEVICES, NULL);
}

static GPtrArray *
devices_of_class (SipwsDevices *self,
                  const char   *classes)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (gst_object_unref);
  GList *devices = gst_device_monitor_get_devices (self->monitor);

  for (GList *l = devices; l != NULL; l = l->next) {
    if (gst_device_has_classes (l->data, classes))
      g_ptr_array_add (result, gst_object_ref (l->data));
  }
  g_list_free_full (devices, gst_object_unref);
  return result;
}

static GstDevice *
default_of_class (SipwsDevices *self,
                  const char   *classes)
{
  g_autoptr(GPtrArray) devices = devices_of_class (self, classes);

  for (guint i = 0; i < devices->len; i++) {
    GstDevice *device = g_ptr_array_index (devices, i);
    g_autoptr(GstStructure) properties = gst_device_get_properties (device);
    gboolean is_default = FALSE;

    /* the PulseAudio and PipeWire providers mark the default device */
    if (properties != NULL && gst_structure_get_boolean (properties, "is-default", &is_default) && is_default)
      return gst_object_ref (device);
  }
  return NULL;
}

/**
 * sipws_devices_get_sources:
 * @self: a device list
 *
 * Lists the audio input devices the device monitor currently knows; the
 * array is empty when there are none.
 *
 * Returns: (transfer container) (element-type Gst.Device): the audio input
 *   devices
 */
GPtrArray *
sipws_devices_get_sources (SipwsDevices *self)
{
  g_return_val_if_fail (SIPWS_IS_DEVICES (self), NULL);

  return devices_of_class (self, "Audio/Source");
}

/**
 * sipws_devices_get_sinks:
 * @self: a device list
 *
 * Lists the audio output devices the device monitor currently knows; the
 * array is empty when there are none.
 *
 * Returns: (transfer container) (element-type Gst.Device): the audio output
 *   devices
 */
GPtrArray *
sipws_devices_get_sinks (SipwsDevices *self)
{
  g_return_val_if_fail (SIPWS_IS_DEVICES (self), NULL);

  return devices_of_class (self, "Audio/Sink");
}

/**
 * sipws_devices_get_default_source:
 * @self: a device list
 *
 * Finds the input device the provider marks as the system default
 * (PulseAudio and PipeWire do); %NULL when no device is marked.
 *
 * Returns: (transfer full) (nullable): the system's default input device, if
 *   the provider says which one it is
 */
GstDevice *
sipws_devices_get_default_source (SipwsDevices *self)
{
  g_return_val_if_fail (SIPWS_IS_DEVICES (self), NULL);

  return default_of_class (self, "Audio/Source");
}

/**
 * sipws_devices_get_default_sink:
 * @self: a device list
 *
 * Finds the output device the provider marks as the system default
 * (PulseAudio and PipeWire do); %NULL when no device is marked.
 *
 * Returns: (transfer full) (nullable): the system's default output device, if
 *   the provider says which one it is
 */
GstDevice *
sipws_devices_get_default_sink (SipwsDevices *self)
{
  g_return_val_if_fail (SIPWS_IS_DEVICES (self), NULL);

  return default_of_class (self, "Audio/Sink");
}
