/* sipws-wake-monitor-private.h: tells the transport when the network came back or the machine slept/resumed */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SIPWS_TYPE_WAKE_MONITOR (sipws_wake_monitor_get_type ())

G_DECLARE_FINAL_TYPE (SipwsWakeMonitor, sipws_wake_monitor, SIPWS, WAKE_MONITOR, GObject)

/* Watches GNetworkMonitor and, when a system bus is there, logind's
 * PrepareForSleep; emits on the thread-default main context of its creation:
 *   "network-changed" (gboolean available)
 *   "sleeping"
 *   "resumed"
 * A missing system bus or logind is not an error: those signals never come. */
SipwsWakeMonitor *sipws_wake_monitor_new   (void);

/* Emits the signals as if the OS had reported the event; used by tests. */
void              sipws_wake_monitor_emit_network_changed (SipwsWakeMonitor *self,
                                                           gboolean          available);
void              sipws_wake_monitor_emit_sleep           (SipwsWakeMonitor *self,
                                                           gboolean          sleeping);

G_END_DECLS
