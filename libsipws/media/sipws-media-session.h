/* sipws-media-session.h: the WebRTC media of one call, on GStreamer webrtcbin */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gst/gst.h>
#include "sipws-version.h"
#include "sipws-media-handler.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_MEDIA_SESSION (sipws_media_session_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsMediaSession, sipws_media_session, SIPWS, MEDIA_SESSION, GObject)

SIPWS_AVAILABLE_IN_ALL
SipwsMediaSession *sipws_media_session_new                 (void);

SIPWS_AVAILABLE_IN_ALL
gboolean           sipws_media_session_add_ice_server      (SipwsMediaSession   *self,
                                                            const char          *uri,
                                                            const char          *username,
                                                            const char          *credential,
                                                            GError             **error);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_local_addresses (SipwsMediaSession   *self,
                                                            const char * const  *addresses);
SIPWS_AVAILABLE_IN_ALL
const char * const *sipws_media_session_get_local_addresses (SipwsMediaSession  *self);

SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_audio_source    (SipwsMediaSession   *self,
                                                            const char          *description);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_send_tone       (SipwsMediaSession   *self,
                                                            double               frequency);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_play_file       (SipwsMediaSession   *self,
                                                            const char          *path);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_input_device    (SipwsMediaSession   *self,
                                                            GstDevice           *device);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_audio_sink      (SipwsMediaSession   *self,
                                                            const char          *description);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_output_device   (SipwsMediaSession   *self,
                                                            GstDevice           *device);
SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_record_file     (SipwsMediaSession   *self,
                                                            const char          *path);

SIPWS_AVAILABLE_IN_ALL
void               sipws_media_session_set_loopback        (SipwsMediaSession   *self,
                                                            gboolean             loopback);
SIPWS_AVAILABLE_IN_ALL
gboolean           sipws_media_session_get_loopback        (SipwsMediaSession   *self);

SIPWS_AVAILABLE_IN_ALL
gboolean           sipws_media_session_get_muted           (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
SipwsMediaDirection sipws_media_session_get_direction      (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
double             sipws_media_session_get_level           (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
double             sipws_media_session_get_frequency       (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
const char        *sipws_media_session_get_local_sdp       (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
const char        *sipws_media_session_get_remote_sdp      (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
const char        *sipws_media_session_get_codec           (SipwsMediaSession   *self);
SIPWS_AVAILABLE_IN_ALL
GstStructure      *sipws_media_session_get_stats           (SipwsMediaSession   *self);

G_END_DECLS
