/* sipws-media-sdp-private.h: SDP between SIP peers and webrtcbin */
#pragma once

#include <gst/sdp/sdp.h>
#include "sipws-media-handler.h"

G_BEGIN_DECLS

typedef enum {
  SIPWS_CODEC_OPUS,
  SIPWS_CODEC_PCMU,
  SIPWS_CODEC_PCMA,
} SipwsCodec;

#define SIPWS_N_CODECS 3

/* One negotiated (or offered) audio format: the codec, its payload type and
 * the telephone-event payload type (-1: none) and clock rate, which is the
 * codec's or 8000. */
typedef struct {
  SipwsCodec codec;
  guint      pt;
  gint       te_pt;
  guint      te_rate;
} SipwsAudioFormat;

/* A remote SDP as received from SIP, checked, with what the session needs to
 * know about it and a sanitized copy webrtcbin 1.22 accepts. */
typedef struct {
  GstSDPMessage      *original;
  GstSDPMessage      *webrtc_sdp;
  guint               audio_index;
  SipwsMediaDirection direction;
  gboolean            uses_mid;
  char               *origin;      /* "<sess-id> <sess-version>" */
  char               *ice_ufrag;
  char               *ice_pwd;
  char               *fingerprint;
  GPtrArray          *candidates;  /* a=candidate values kept, (element-type utf8) */
  guint               n_dropped_candidates;
  GArray             *formats;     /* SipwsAudioFormat we support, in the SDP's order */
} SipwsRemoteSdp;

/* What the SIP side of our SDP carries beyond webrtcbin's description. */
typedef struct {
  guint64                sess_id;
  guint                  sess_version;
  SipwsMediaDirection    direction;
  guint                  audio_index;
  const SipwsRemoteSdp  *offer;    /* when answering: the remote offer */
} SipwsSipSdpParams;

guint           sipws_codec_clock_rate            (SipwsCodec codec);
const char     *sipws_codec_name                  (SipwsCodec codec);

SipwsRemoteSdp *sipws_remote_sdp_parse            (const char            *text,
                                                   gboolean               is_offer,
                                                   GError               **error);
void            sipws_remote_sdp_free             (SipwsRemoteSdp        *sdp);
gboolean        sipws_remote_sdp_choose_format    (const SipwsRemoteSdp  *sdp,
                                                   const SipwsAudioFormat *current,
                                                   SipwsAudioFormat      *out,
                                                   GError               **error);
gboolean        sipws_remote_sdp_same_endpoint    (const SipwsRemoteSdp  *a,
                                                   const SipwsRemoteSdp  *b);

void            sipws_sdp_media_set_formats       (GstSDPMedia           *media,
                                                   const SipwsAudioFormat *formats,
                                                   guint                  n_formats);
void            sipws_sdp_prepare_local_answer    (GstSDPMessage         *sdp,
                                                   const SipwsRemoteSdp  *offer,
                                                   const SipwsAudioFormat *format);
char           *sipws_sdp_to_sip                  (const GstSDPMessage   *local,
                                                   const SipwsSipSdpParams *params);

gboolean        sipws_sdp_fingerprint_matches     (const char            *fingerprint,
                                                   const char            *pem);

gboolean        sipws_media_direction_sends       (SipwsMediaDirection    direction);
gboolean        sipws_media_direction_receives    (SipwsMediaDirection    direction);
SipwsMediaDirection sipws_media_direction_answer  (SipwsMediaDirection    offered,
                                                   SipwsMediaDirection    wanted);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsRemoteSdp, sipws_remote_sdp_free)

G_END_DECLS
