/* sipws-media-stats-private.h: call quality numbers from webrtcbin statistics */
#pragma once

#include <gst/gst.h>
#include "sipws-media-sdp-private.h"

G_BEGIN_DECLS

GstStructure *sipws_media_stats_summarize    (const GstStructure *webrtc_stats,
                                              guint               jitter_buffer_ms);
double        sipws_media_stats_estimate_mos (SipwsCodec          codec,
                                              double              loss_fraction,
                                              double              jitter_ms,
                                              double              rtt_ms,
                                              guint               jitter_buffer_ms);

G_END_DECLS
