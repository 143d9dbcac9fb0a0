/* sipws-transport-private.h: what tests of the transport reach beyond the public API */
#pragma once

#include "sipws-transport.h"
#include "sipws-wake-monitor-private.h"

G_BEGIN_DECLS

/* Lets a test play the OS: network back, sleep, resume. */
SipwsWakeMonitor *sipws_transport_get_wake_monitor (SipwsTransport *self);

G_END_DECLS
