/* sipws-devices.h: the audio input and output devices of the system */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gst/gst.h>
#include "sipws-version.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_DEVICES (sipws_devices_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsDevices, sipws_devices, SIPWS, DEVICES, GObject)

SIPWS_AVAILABLE_IN_ALL
SipwsDevices *sipws_devices_new                (void);
SIPWS_AVAILABLE_IN_ALL
GPtrArray    *sipws_devices_get_sources        (SipwsDevices *self);
SIPWS_AVAILABLE_IN_ALL
GPtrArray    *sipws_devices_get_sinks          (SipwsDevices *self);
SIPWS_AVAILABLE_IN_ALL
GstDevice    *sipws_devices_get_default_source (SipwsDevices *self);
SIPWS_AVAILABLE_IN_ALL
GstDevice    *sipws_devices_get_default_sink   (SipwsDevices *self);

G_END_DECLS
