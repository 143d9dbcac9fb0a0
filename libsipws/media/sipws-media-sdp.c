/* sipws-media-sdp.c: SDP between SIP peers and webrtcbin
 *
 * webrtcbin 1.22 speaks JSEP to browsers. SIP peers (gateways, PBXs, JsSIP
 * pages) differ in ways it does not accept: no a=mid, session-level ICE or
 * fingerprint attributes, mDNS candidates, hold directions it cannot
 * renegotiate, several m-lines where we only do audio. The session therefore
 * keeps two views of every SDP: the SIP text, and a sanitized copy for
 * webrtcbin in which the audio m-line is always sendrecv (the session enforces
 * the real direction itself) and every other m-line is a rejected
 * placeholder.
 */
#include "sipws-media-sdp-private.h"

#include <string.h>
#include <gio/gio.h>
#include "sipws-error.h"

/* Larger bodies are not SDP a SIP peer would send for one audio call. */
#define MAX_SDP_SIZE (64 * 1024)
#define MAX_MEDIA 16

#define OPUS_FMTP "minptime=10;useinbandfec=1"
#define TELEPHONE_EVENT_FMTP "0-16"

guint
sipws_codec_clock_rate (SipwsCodec codec)
{
  return codec == SIPWS_CODEC_OPUS ? 48000 : 8000;
}

const char *
sipws_codec_name (SipwsCodec codec)
{
  switch (codec) {
  case SIPWS_CODEC_OPUS:
    return "opus";
  case SIPWS_CODEC_PCMU:
    return "PCMU";
  case SIPWS_CODEC_PCMA:
    return "PCMA";
  default:
    g_assert_not_reached ();
  }
}

gboolean
sipws_media_direction_sends (SipwsMediaDirection direction)
{
  return direction == SIPWS_MEDIA_DIRECTION_SENDRECV || direction == SIPWS_MEDIA_DIRECTION_SENDONLY;
}

gboolean
sipws_media_direction_receives (SipwsMediaDirection direction)
{
  return direction == SIPWS_MEDIA_DIRECTION_SENDRECV || direction == SIPWS_MEDIA_DIRECTION_RECVONLY;
}

static SipwsMediaDirection
direction_from_flags (gboolean sends,
                      gboolean receives)
{
  if (sends && receives)
    return SIPWS_MEDIA_DIRECTION_SENDRECV;
  if (sends)
    return SIPWS_MEDIA_DIRECTION_SENDONLY;
  if (receives)
    return SIPWS_MEDIA_DIRECTION_RECVONLY;
  return SIPWS_MEDIA_DIRECTION_INACTIVE;
}

/* RFC 3264 §6.1: we may send only what the offerer receives, and receive
 * only what it sends. */
SipwsMediaDirection
sipws_media_direction_answer (SipwsMediaDirection offered,
                              SipwsMediaDirection wanted)
{
  return direction_from_flags (sipws_media_direction_sends (wanted) && sipws_media_direction_receives (offered),
                               sipws_media_direction_receives (wanted) && sipws_media_direction_sends (offered));
}

static gboolean
direction_from_key (const char          *key,
                    SipwsMediaDirection *direction)
{
  for (SipwsMediaDirection d = SIPWS_MEDIA_DIRECTION_SENDRECV; d <= SIPWS_MEDIA_DIRECTION_INACTIVE; d++) {
    if (g_strcmp0 (key, sipws_media_direction_to_sdp (d)) == 0) {
      *direction = d;
      return TRUE;
    }
  }
  return FALSE;
}

static const char *
nonempty (const char *value)
{
  return value != NULL && *value != '\0' ? value : NULL;
}

/* A media-level attribute, or its session-level default. */
static const char *
media_or_session_attr (const GstSDPMessage *msg,
                       const GstSDPMedia   *media,
                       const char          *key)
{
  const char *value = nonempty (gst_sdp_media_get_attribute_val (media, key));

  return value != NULL ? value : nonempty (gst_sdp_message_get_attribute_val (msg, key));
}

static void
media_remove_attributes (GstSDPMedia *media,
                         gboolean   (*match) (const GstSDPAttribute *attr, gconstpointer data),
                         gconstpointer data)
{
  for (guint i = gst_sdp_media_attributes_len (media); i > 0; i--) {
    if (match (gst_sdp_media_get_attribute (media, i - 1), data))
      gst_sdp_media_remove_attribute (media, i - 1);
  }
}

static gboolean
attr_key_is (const GstSDPAttribute *attr,
             gconstpointer          data)
{
  return g_strcmp0 (attr->key, data) == 0;
}

static gboolean
attr_key_in (const GstSDPAttribute *attr,
             gconstpointer          data)
{
  return g_strv_contains (data, attr->key);
}

static gboolean
attr_is_direction (const GstSDPAttribute *attr,
                   gconstpointer          data)
{
  SipwsMediaDirection direction;

  return direction_from_key (attr->key, &direction);
}

static void
media_replace_direction (GstSDPMedia         *media,
                         SipwsMediaDirection  direction)
{
  media_remove_attributes (media, attr_is_direction, NULL);
  gst_sdp_media_add_attribute (media, sipws_media_direction_to_sdp (direction), "");
}

static SipwsMediaDirection
media_direction (const GstSDPMessage *msg,
                 const GstSDPMedia   *media)
{
  SipwsMediaDirection direction = SIPWS_MEDIA_DIRECTION_SENDRECV;

  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    if (direction_from_key (gst_sdp_media_get_attribute (media, i)->key, &direction))
      return direction;
  }
  for (guint i = 0; i < gst_sdp_message_attributes_len (msg); i++) {
    if (direction_from_key (gst_sdp_message_get_attribute (msg, i)->key, &direction))
      return direction;
  }
  return direction;
}

/* "a=rtpmap:<pt> <name>/<rate>[/<channels>]" for @pt, split. */
static gboolean
media_rtpmap (const GstSDPMedia  *media,
              guint               pt,
              char              **name,
              guint              *rate)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
    g_auto(GStrv) parts = NULL;
    const char *space;
    guint64 attr_pt;

    if (g_strcmp0 (attr->key, "rtpmap") != 0 || attr->value == NULL)
      continue;
    space = strchr (attr->value, ' ');
    if (space == NULL)
      continue;
    {
      g_autofree char *pt_text = g_strndup (attr->value, space - attr->value);

      if (!g_ascii_string_to_unsigned (pt_text, 10, 0, 127, &attr_pt, NULL) || attr_pt != pt)
        continue;
    }
    parts = g_strsplit (space + 1, "/", 3);
    if (parts[0] == NULL || parts[1] == NULL)
      return FALSE;
    *name = g_strdup (g_strstrip (parts[0]));
    *rate = (guint) g_ascii_strtoull (parts[1], NULL, 10);
    return TRUE;
  }
  return FALSE;
}

typedef enum {
  FORMAT_UNKNOWN,
  FORMAT_CODEC,
  FORMAT_TELEPHONE_EVENT,
} FormatKind;

/* What payload type @pt of @media is; @description names unknown ones. */
static FormatKind
identify_format (const GstSDPMedia  *media,
                 guint               pt,
                 SipwsCodec         *codec,
                 guint              *rate,
                 char              **description)
{
  g_autofree char *name = NULL;

  if (!media_rtpmap (media, pt, &name, rate)) {
    /* RFC 3551 static payload types need no rtpmap */
    if (pt == 0 || pt == 8) {
      *codec = pt == 0 ? SIPWS_CODEC_PCMU : SIPWS_CODEC_PCMA;
      *rate = 8000;
      return FORMAT_CODEC;
    }
    *description = g_strdup_printf ("payload type %u", pt);
    return FORMAT_UNKNOWN;
  }

  if (g_ascii_strcasecmp (name, "opus") == 0 && *rate == 48000) {
    *codec = SIPWS_CODEC_OPUS;
    return FORMAT_CODEC;
  }
  if (g_ascii_strcasecmp (name, "PCMU") == 0 && *rate == 8000) {
    *codec = SIPWS_CODEC_PCMU;
    return FORMAT_CODEC;
  }
  if (g_ascii_strcasecmp (name, "PCMA") == 0 && *rate == 8000) {
    *codec = SIPWS_CODEC_PCMA;
    return FORMAT_CODEC;
  }
  if (g_ascii_strcasecmp (name, "telephone-event") == 0 && *rate > 0)
    return FORMAT_TELEPHONE_EVENT;

  *description = g_strdup_printf ("%s/%u", name, *rate);
  return FORMAT_UNKNOWN;
}

/* The formats of @media we support, in its order, each with the
 * telephone-event payload type of its clock rate. @unsupported collects the
 * names of the others for error messages. */
static GArray *
media_formats (const GstSDPMedia *media,
               GString           *unsupported)
{
  GArray *formats = g_array_new (FALSE, FALSE, sizeof (SipwsAudioFormat));
  gint te_8000 = -1, te_48000 = -1;

  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    g_autofree char *description = NULL;
    SipwsCodec codec = SIPWS_CODEC_OPUS;
    guint64 pt;
    guint rate = 0;

    if (!g_ascii_string_to_unsigned (gst_sdp_media_get_format (media, i), 10, 0, 127, &pt, NULL))
      continue;
    switch (identify_format (media, (guint) pt, &codec, &rate, &description)) {
    case FORMAT_CODEC: {
      SipwsAudioFormat format = { codec, (guint) pt, -1, 0 };

      g_array_append_val (formats, format);
      break;
    }
    case FORMAT_TELEPHONE_EVENT:
      if (rate == 8000 && te_8000 < 0)
        te_8000 = (gint) pt;
      else if (rate == 48000 && te_48000 < 0)
        te_48000 = (gint) pt;
      break;
    case FORMAT_UNKNOWN:
      if (unsupported != NULL)
        g_string_append_printf (unsupported, "%s%s", unsupported->len > 0 ? ", " : "", description);
      break;
    default:
      g_assert_not_reached ();
    }
  }

  /* Gateways and Firefox offer telephone-event only at 8000 Hz, also with
   * Opus; like libwebrtc we then send it in the Opus stream anyway. */
  for (guint i = 0; i < formats->len; i++) {
    SipwsAudioFormat *format = &g_array_index (formats, SipwsAudioFormat, i);

    if (sipws_codec_clock_rate (format->codec) == 48000 && te_48000 >= 0) {
      format->te_pt = te_48000;
      format->te_rate = 48000;
    } else if (te_8000 >= 0) {
      format->te_pt = te_8000;
      format->te_rate = 8000;
    }
  }
  return formats;
}

/* Host candidates given as "<uuid>.local" are dropped: libnice cannot resolve
 * them without nss-mdns, and ICE still works through the peer-reflexive
 * candidate when the browser checks our candidates. TCP candidates are
 * dropped because we gather none. */
static gboolean
candidate_is_usable (const char *value)
{
  g_auto(GStrv) tokens = g_strsplit (value, " ", -1);
  guint64 component, port;
  guint n = g_strv_length (tokens);

  if (n < 8 || g_strcmp0 (tokens[6], "typ") != 0)
    return FALSE;
  if (g_ascii_strcasecmp (tokens[2], "udp") != 0)
    return FALSE;
  if (!g_ascii_string_to_unsigned (tokens[1], 10, 1, 2, &component, NULL))
    return FALSE;
  if (!g_ascii_string_to_unsigned (tokens[5], 10, 1, 65535, &port, NULL))
    return FALSE;
  return g_hostname_is_ip_address (tokens[4]);
}

static gboolean
usable_connection_address (const char *address)
{
  return address != NULL && g_hostname_is_ip_address (address) &&
         g_strcmp0 (address, "0.0.0.0") != 0 && g_strcmp0 (address, "::") != 0;
}

static void
sanitize_candidates (SipwsRemoteSdp      *sdp,
                     const GstSDPMessage *msg,
                     GstSDPMedia         *media)
{
  for (guint i = gst_sdp_media_attributes_len (media); i > 0; i--) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i - 1);

    if (g_strcmp0 (attr->key, "candidate") != 0)
      continue;
    if (attr->value != NULL && candidate_is_usable (attr->value)) {
      g_ptr_array_insert (sdp->candidates, 0, g_strdup (attr->value));
    } else {
      sdp->n_dropped_candidates++;
      gst_sdp_media_remove_attribute (media, i - 1);
    }
  }

  /* An ICE-lite gateway may put its address only in c=/m= */
  if (sdp->candidates->len == 0) {
    const GstSDPConnection *conn = gst_sdp_media_connections_len (media) > 0 ?
                                   gst_sdp_media_get_connection (media, 0) :
                                   gst_sdp_message_get_connection (msg);
    guint port = gst_sdp_media_get_port (media);

    if (conn != NULL && usable_connection_address (conn->address) && port != 0 && port != 9) {
      char *value = g_strdup_printf ("sipws 1 UDP 2130706431 %s %u typ host", conn->address, port);

      gst_sdp_media_add_attribute (media, "candidate", value);
      g_ptr_array_add (sdp->candidates, value);
    }
  }
}

/* webrtcbin 1.22 validates every m-line, rejected ones included: each needs
 * a mid, ICE credentials, a=setup and a fingerprint. */
static void
make_placeholder (GstSDPMedia          *media,
                  const char           *mid,
                  const SipwsRemoteSdp *sdp,
                  const char           *setup)
{
  g_autofree char *mid_copy = g_strdup (mid);

  gst_sdp_media_set_media (media, "audio");
  gst_sdp_media_set_port_info (media, 0, 0);
  gst_sdp_media_set_proto (media, "UDP/TLS/RTP/SAVPF");
  while (gst_sdp_media_formats_len (media) > 0)
    gst_sdp_media_remove_format (media, 0);
  gst_sdp_media_add_format (media, "0");
  while (gst_sdp_media_connections_len (media) > 0)
    gst_sdp_media_remove_connection (media, 0);
  while (gst_sdp_media_bandwidths_len (media) > 0)
    gst_sdp_media_remove_bandwidth (media, 0);
  while (gst_sdp_media_attributes_len (media) > 0)
    gst_sdp_media_remove_attribute (media, 0);
  gst_sdp_media_add_attribute (media, "mid", mid_copy);
  gst_sdp_media_add_attribute (media, "ice-ufrag", sdp->ice_ufrag);
  gst_sdp_media_add_attribute (media, "ice-pwd", sdp->ice_pwd);
  gst_sdp_media_add_attribute (media, "fingerprint", sdp->fingerprint);
  gst_sdp_media_add_attribute (media, "setup", setup);
  gst_sdp_media_add_attribute (media, "inactive", "");
}

static void
message_remove_attributes (GstSDPMessage *msg,
                           gboolean     (*match) (const GstSDPAttribute *attr, gconstpointer data),
                           gconstpointer  data)
{
  for (guint i = gst_sdp_message_attributes_len (msg); i > 0; i--) {
    if (match (gst_sdp_message_get_attribute (msg, i - 1), data))
      gst_sdp_message_remove_attribute (msg, i - 1);
  }
}

static gboolean
attr_is_bundle_group (const GstSDPAttribute *attr,
                      gconstpointer          data)
{
  return g_strcmp0 (attr->key, "group") == 0;
}

/* webrtcbin bundles only the audio m-line; everything else is rejected. */
static void
set_bundle_group (GstSDPMessage *msg,
                  const char    *audio_mid,
                  gboolean       bundled)
{
  message_remove_attributes (msg, attr_is_bundle_group, NULL);
  if (bundled && audio_mid != NULL) {
    g_autofree char *group = g_strdup_printf ("BUNDLE %s", audio_mid);

    gst_sdp_message_add_attribute (msg, "group", group);
  }
}

static gboolean
group_has_mid (const GstSDPMessage *msg,
               const char          *mid)
{
  for (guint i = 0; i < gst_sdp_message_attributes_len (msg); i++) {
    const GstSDPAttribute *attr = gst_sdp_message_get_attribute (msg, i);
    g_auto(GStrv) members = NULL;

    if (g_strcmp0 (attr->key, "group") != 0 || attr->value == NULL ||
        !g_str_has_prefix (attr->value, "BUNDLE"))
      continue;
    members = g_strsplit (attr->value, " ", -1);
    if (g_strv_contains ((const char * const *) members + 1, mid))
      return TRUE;
  }
  return FALSE;
}

static gboolean
build_webrtc_copy (SipwsRemoteSdp  *sdp,
                   gboolean         is_offer,
                   GError         **error)
{
  static const char *session_only[] = { "ice-ufrag", "ice-pwd", "fingerprint", "setup", "ice-options",
                                        "sendrecv", "sendonly", "recvonly", "inactive", NULL };
  const GstSDPMedia *orig_audio = gst_sdp_message_get_media (sdp->original, sdp->audio_index);
  const char *setup = media_or_session_attr (sdp->original, orig_audio, "setup");
  g_autofree char *audio_mid = NULL;
  GstSDPMessage *copy = NULL;
  gboolean bundled = FALSE;

  if (setup != NULL && g_strcmp0 (setup, "actpass") != 0 && g_strcmp0 (setup, "active") != 0 &&
      g_strcmp0 (setup, "passive") != 0) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "Invalid a=setup:%s in the remote SDP (expected actpass, active or passive)", setup);
    return FALSE;
  }
  /* RFC 5763 §5: an offer has actpass; RFC 4145 makes a missing answer
   * attribute "active". */
  if (setup == NULL)
    setup = is_offer ? "actpass" : "active";
  if (!is_offer && g_strcmp0 (setup, "actpass") == 0) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                         "The remote answer has a=setup:actpass; an answer must choose active or passive (RFC 5763)");
    return FALSE;
  }

  gst_sdp_message_copy (sdp->original, &copy);
  gst_sdp_message_set_key (copy, NULL, NULL);
  message_remove_attributes (copy, attr_key_in, session_only);

  for (guint i = 0; i < gst_sdp_message_medias_len (copy); i++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (copy, i);
    const char *mid = nonempty (gst_sdp_media_get_attribute_val (media, "mid"));
    g_autofree char *generated_mid = NULL;

    if (mid == NULL) {
      generated_mid = g_strdup_printf ("sipws%u", i);
      gst_sdp_media_add_attribute (media, "mid", generated_mid);
      mid = generated_mid;
    }

    if (i != sdp->audio_index) {
      make_placeholder (media, mid, sdp, setup);
      continue;
    }

    audio_mid = g_strdup (mid);
    bundled = group_has_mid (sdp->original, mid);
    media_remove_attributes (media, attr_key_in, session_only);
    gst_sdp_media_add_attribute (media, "ice-ufrag", sdp->ice_ufrag);
    gst_sdp_media_add_attribute (media, "ice-pwd", sdp->ice_pwd);
    gst_sdp_media_add_attribute (media, "fingerprint", sdp->fingerprint);
    gst_sdp_media_add_attribute (media, "setup", setup);
    gst_sdp_media_add_attribute (media, "sendrecv", "");
    sanitize_candidates (sdp, sdp->original, media);
  }
  set_bundle_group (copy, audio_mid, bundled);

  sdp->webrtc_sdp = copy;
  return TRUE;
}

void
sipws_remote_sdp_free (SipwsRemoteSdp *sdp)
{
  if (sdp == NULL)
    return;
  g_clear_pointer (&sdp->original, gst_sdp_message_free);
  g_clear_pointer (&sdp->webrtc_sdp, gst_sdp_message_free);
  g_clear_pointer (&sdp->candidates, g_ptr_array_unref);
  g_clear_pointer (&sdp->formats, g_array_unref);
  g_free (sdp->origin);
  g_free (sdp->ice_ufrag);
  g_free (sdp->ice_pwd);
  g_free (sdp->fingerprint);
  g_free (sdp);
}

SipwsRemoteSdp *
sipws_remote_sdp_parse (const char  *text,
                        gboolean     is_offer,
                        GError     **error)
{
  g_autoptr(SipwsRemoteSdp) sdp = g_new0 (SipwsRemoteSdp, 1);
  g_autoptr(GString) unsupported = g_string_new (NULL);
  const char *what = is_offer ? "offer" : "answer";
  const GstSDPOrigin *origin;
  const GstSDPMedia *audio = NULL;
  gboolean saw_audio = FALSE;
  gsize len = text != NULL ? strlen (text) : 0;

  sdp->candidates = g_ptr_array_new_with_free_func (g_free);

  if (len == 0) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The remote SDP %s is empty", what);
    return NULL;
  }
  if (len > MAX_SDP_SIZE) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The remote SDP %s is %" G_GSIZE_FORMAT " bytes, more than the limit of %u",
                 what, len, MAX_SDP_SIZE);
    return NULL;
  }
  if (!g_utf8_validate (text, len, NULL)) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The remote SDP %s is not valid UTF-8", what);
    return NULL;
  }
  if (gst_sdp_message_new_from_text (text, &sdp->original) != GST_SDP_OK || sdp->original == NULL) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The remote SDP %s cannot be parsed", what);
    return NULL;
  }
  if (g_strcmp0 (gst_sdp_message_get_version (sdp->original), "0") != 0) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The remote SDP %s does not start with v=0", what);
    return NULL;
  }
  if (gst_sdp_message_medias_len (sdp->original) == 0) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The remote SDP %s has no m= line", what);
    return NULL;
  }
  if (gst_sdp_message_medias_len (sdp->original) > MAX_MEDIA) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The remote SDP %s has %u m= lines, more than the limit of %u",
                 what, gst_sdp_message_medias_len (sdp->original), MAX_MEDIA);
    return NULL;
  }

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp->original) && audio == NULL; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp->original, i);
    g_autoptr(GArray) formats = NULL;

    if (g_strcmp0 (gst_sdp_media_get_media (media), "audio") != 0 || gst_sdp_media_get_port (media) == 0)
      continue;
    saw_audio = TRUE;
    formats = media_formats (media, unsupported);
    if (formats->len == 0)
      continue;
    audio = media;
    sdp->audio_index = i;
    sdp->formats = g_steal_pointer (&formats);
  }

  if (!saw_audio) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The remote SDP %s has no active audio stream (m=audio with a port other than 0)", what);
    return NULL;
  }
  if (audio == NULL) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "No audio codec in common: the remote %s has %s; supported are opus/48000/2, PCMU/8000, PCMA/8000",
                 what, unsupported->len > 0 ? unsupported->str : "no payload type");
    return NULL;
  }

  sdp->ice_ufrag = g_strdup (media_or_session_attr (sdp->original, audio, "ice-ufrag"));
  sdp->ice_pwd = g_strdup (media_or_session_attr (sdp->original, audio, "ice-pwd"));
  sdp->fingerprint = g_strdup (media_or_session_attr (sdp->original, audio, "fingerprint"));
  if (sdp->ice_ufrag == NULL || sdp->ice_pwd == NULL) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The audio m-line of the remote %s has no a=ice-ufrag/a=ice-pwd: only ICE (WebRTC) media is supported",
                 what);
    return NULL;
  }
  if (sdp->fingerprint == NULL) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The audio m-line of the remote %s has no a=fingerprint: DTLS-SRTP is required "
                 "(plain RTP and SDES a=crypto are not supported)", what);
    return NULL;
  }

  sdp->direction = media_direction (sdp->original, audio);
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp->original); i++) {
    if (nonempty (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (sdp->original, i), "mid")))
      sdp->uses_mid = TRUE;
  }
  origin = gst_sdp_message_get_origin (sdp->original);
  sdp->origin = g_strdup_printf ("%s %s", origin->sess_id ? origin->sess_id : "",
                                 origin->sess_version ? origin->sess_version : "");

  if (!build_webrtc_copy (sdp, is_offer, error))
    return NULL;

  return g_steal_pointer (&sdp);
}

gboolean
sipws_remote_sdp_choose_format (const SipwsRemoteSdp    *sdp,
                                const SipwsAudioFormat  *current,
                                SipwsAudioFormat        *out,
                                GError                 **error)
{
  if (current != NULL) {
    for (guint i = 0; i < sdp->formats->len; i++) {
      const SipwsAudioFormat *format = &g_array_index (sdp->formats, SipwsAudioFormat, i);

      if (format->codec == current->codec) {
        *out = *format;
        return TRUE;
      }
    }
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The remote SDP drops %s, the codec in use; changing the codec during a call is not supported",
                 sipws_codec_name (current->codec));
    return FALSE;
  }

  /* Opus wherever the peer lists it: it beats G.711 at any bitrate. Between
   * the G.711 variants the peer's order decides. */
  for (guint i = 0; i < sdp->formats->len; i++) {
    const SipwsAudioFormat *format = &g_array_index (sdp->formats, SipwsAudioFormat, i);

    if (format->codec == SIPWS_CODEC_OPUS) {
      *out = *format;
      return TRUE;
    }
  }
  *out = g_array_index (sdp->formats, SipwsAudioFormat, 0);
  return TRUE;
}

gboolean
sipws_remote_sdp_same_endpoint (const SipwsRemoteSdp *a,
                                const SipwsRemoteSdp *b)
{
  return g_strcmp0 (a->ice_ufrag, b->ice_ufrag) == 0 && g_strcmp0 (a->ice_pwd, b->ice_pwd) == 0 &&
         g_ascii_strcasecmp (a->fingerprint, b->fingerprint) == 0;
}

static gboolean
attr_is_format_description (const GstSDPAttribute *attr,
                            gconstpointer          data)
{
  return g_strcmp0 (attr->key, "rtpmap") == 0 || g_strcmp0 (attr->key, "fmtp") == 0 ||
         g_strcmp0 (attr->key, "rtcp-fb") == 0;
}

static void
add_pt_attribute (GstSDPMedia *media,
                  const char  *key,
                  guint        pt,
                  const char  *value)
{
  g_autofree char *text = g_strdup_printf ("%u %s", pt, value);

  gst_sdp_media_add_attribute (media, key, text);
}

static void
add_format (GstSDPMedia *media,
            guint        pt)
{
  g_autofree char *text = g_strdup_printf ("%u", pt);

  gst_sdp_media_add_format (media, text);
}

/* Rewrites the payload list of @media with our own rtpmap/fmtp lines.
 * webrtcbin drops telephone-event from re-offers and answers, writes codec
 * names in upper case and adds transport-cc feedback we do not implement. */
void
sipws_sdp_media_set_formats (GstSDPMedia            *media,
                             const SipwsAudioFormat *formats,
                             guint                   n_formats)
{
  gint te_pts[2] = { -1, -1 };  /* 8000, 48000 */

  while (gst_sdp_media_formats_len (media) > 0)
    gst_sdp_media_remove_format (media, 0);
  media_remove_attributes (media, attr_is_format_description, NULL);

  for (guint i = 0; i < n_formats; i++) {
    const SipwsAudioFormat *format = &formats[i];

    add_format (media, format->pt);
    switch (format->codec) {
    case SIPWS_CODEC_OPUS:
      add_pt_attribute (media, "rtpmap", format->pt, "opus/48000/2");
      add_pt_attribute (media, "fmtp", format->pt, OPUS_FMTP);
      break;
    case SIPWS_CODEC_PCMU:
      add_pt_attribute (media, "rtpmap", format->pt, "PCMU/8000");
      break;
    case SIPWS_CODEC_PCMA:
      add_pt_attribute (media, "rtpmap", format->pt, "PCMA/8000");
      break;
    default:
      g_assert_not_reached ();
    }
    if (format->te_pt >= 0)
      te_pts[format->te_rate == 48000] = format->te_pt;
  }

  for (guint i = G_N_ELEMENTS (te_pts); i > 0; i--) {
    gint pt = te_pts[i - 1];
    g_autofree char *rtpmap = g_strdup_printf ("telephone-event/%u", i - 1 ? 48000 : 8000);

    if (pt < 0)
      continue;
    add_format (media, (guint) pt);
    add_pt_attribute (media, "rtpmap", (guint) pt, rtpmap);
    add_pt_attribute (media, "fmtp", (guint) pt, TELEPHONE_EVENT_FMTP);
  }
}

/* webrtcbin's answer carries one codec per m-line and no telephone-event
 * (media-notes): put the negotiated format back, and reject the placeholder
 * m-lines. */
void
sipws_sdp_prepare_local_answer (GstSDPMessage          *sdp,
                                const SipwsRemoteSdp   *offer,
                                const SipwsAudioFormat *format)
{
  const char *audio_mid = NULL;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);

    if (i == offer->audio_index) {
      sipws_sdp_media_set_formats (media, format, 1);
      audio_mid = gst_sdp_media_get_attribute_val (media, "mid");
    } else {
      gst_sdp_media_set_port_info (media, 0, 0);
    }
  }
  {
    g_autofree char *mid = g_strdup (audio_mid);

    set_bundle_group (sdp, mid, group_has_mid (offer->webrtc_sdp, mid));
  }
}

typedef struct {
  const char *address;
  guint       port;
  int         rank;
  gboolean    ipv6;
  guint64     priority;
} DefaultCandidate;

/* RFC 8839 §4.2.1.2: the default candidate is the one most likely to work;
 * relayed beats server-reflexive beats host. */
static gboolean
choose_default_candidate (const GstSDPMedia *media,
                          char             **address,
                          guint             *port)
{
  static const char *types[] = { "host", "prflx", "srflx", "relay" };
  DefaultCandidate best = { NULL, 0, -1, FALSE, 0 };
  g_autoptr(GPtrArray) token_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
    DefaultCandidate cand = { NULL, 0, -1, FALSE, 0 };
    GStrv tokens;
    guint64 value;

    if (g_strcmp0 (attr->key, "candidate") != 0 || attr->value == NULL || !candidate_is_usable (attr->value))
      continue;
    tokens = g_strsplit (attr->value, " ", -1);
    g_ptr_array_add (token_lists, tokens);
    if (g_strcmp0 (tokens[1], "1") != 0)
      continue;
    for (guint t = 0; t < G_N_ELEMENTS (types); t++) {
      if (g_strcmp0 (tokens[7], types[t]) == 0)
        cand.rank = (int) t;
    }
    cand.address = tokens[4];
    cand.ipv6 = strchr (tokens[4], ':') != NULL;
    cand.port = g_ascii_string_to_unsigned (tokens[5], 10, 1, 65535, &value, NULL) ? (guint) value : 0;
    cand.priority = g_ascii_strtoull (tokens[3], NULL, 10);
    if (cand.rank > best.rank ||
        (cand.rank == best.rank && best.ipv6 && !cand.ipv6) ||
        (cand.rank == best.rank && best.ipv6 == cand.ipv6 && cand.priority > best.priority))
      best = cand;
  }

  if (best.address == NULL)
    return FALSE;
  *address = g_strdup (best.address);
  *port = best.port;
  return TRUE;
}

static gboolean
attr_is_not_for_sip (const GstSDPAttribute *attr,
                     gconstpointer          data)
{
  /* RFC 8840 trickle would be expected by the peer otherwise; RFC 8858
   * rtcp-mux-only would make a peer without mux reject the stream instead of
   * at least getting RTP. */
  return (g_strcmp0 (attr->key, "ice-options") == 0 && g_strcmp0 (attr->value, "trickle") == 0) ||
         g_strcmp0 (attr->key, "rtcp-mux-only") == 0;
}

/* A rejected m-line of an answer mirrors the offer's (RFC 3264 §6). */
static void
reject_media_like (GstSDPMedia       *media,
                   const GstSDPMedia *offered,
                   gboolean           keep_mid)
{
  g_autofree char *mid = g_strdup (gst_sdp_media_get_attribute_val (offered, "mid"));

  gst_sdp_media_set_media (media, gst_sdp_media_get_media (offered));
  gst_sdp_media_set_port_info (media, 0, 0);
  gst_sdp_media_set_proto (media, gst_sdp_media_get_proto (offered));
  while (gst_sdp_media_formats_len (media) > 0)
    gst_sdp_media_remove_format (media, 0);
  for (guint i = 0; i < gst_sdp_media_formats_len (offered); i++)
    gst_sdp_media_add_format (media, gst_sdp_media_get_format (offered, i));
  while (gst_sdp_media_connections_len (media) > 0)
    gst_sdp_media_remove_connection (media, 0);
  while (gst_sdp_media_bandwidths_len (media) > 0)
    gst_sdp_media_remove_bandwidth (media, 0);
  while (gst_sdp_media_attributes_len (media) > 0)
    gst_sdp_media_remove_attribute (media, 0);
  if (keep_mid && mid != NULL)
    gst_sdp_media_add_attribute (media, "mid", mid);
}

char *
sipws_sdp_to_sip (const GstSDPMessage     *local,
                  const SipwsSipSdpParams *params)
{
  g_autoptr(GstSDPMessage) copy = NULL;
  g_autofree char *address = NULL;
  g_autofree char *sess_id = g_strdup_printf ("%" G_GUINT64_FORMAT, params->sess_id);
  g_autofree char *sess_version = g_strdup_printf ("%u", params->sess_version);
  g_autofree char *audio_mid = NULL;
  gboolean uses_mid = params->offer == NULL || params->offer->uses_mid;
  gboolean bundled = FALSE;
  const char *addrtype = "IP4";
  guint port = 9;

  gst_sdp_message_copy (local, &copy);
  message_remove_attributes (copy, attr_is_not_for_sip, NULL);

  for (guint i = 0; i < gst_sdp_message_medias_len (copy); i++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (copy, i);

    if (i != params->audio_index) {
      if (params->offer != NULL && i < gst_sdp_message_medias_len (params->offer->original))
        reject_media_like (media, gst_sdp_message_get_media (params->offer->original, i), uses_mid);
      continue;
    }

    if (choose_default_candidate (media, &address, &port)) {
      if (strchr (address, ':') != NULL)
        addrtype = "IP6";
    } else {
      /* RFC 8839 §4.3.1: no candidate yet */
      address = g_strdup ("0.0.0.0");
      port = 9;
    }
    gst_sdp_media_set_port_info (media, port, 0);
    while (gst_sdp_media_connections_len (media) > 0)
      gst_sdp_media_remove_connection (media, 0);
    gst_sdp_media_add_connection (media, "IN", addrtype, address, 0, 0);
    media_remove_attributes (media, attr_is_not_for_sip, NULL);
    media_replace_direction (media, params->direction);

    audio_mid = g_strdup (gst_sdp_media_get_attribute_val (media, "mid"));
    bundled = audio_mid != NULL && group_has_mid (copy, audio_mid);
    if (!uses_mid)
      media_remove_attributes (media, attr_key_is, "mid");
  }

  set_bundle_group (copy, audio_mid, uses_mid && bundled);
  gst_sdp_message_set_origin (copy, "-", sess_id, sess_version, "IN", addrtype,
                              address != NULL ? address : "0.0.0.0");
  gst_sdp_message_set_session_name (copy, "-");

  return gst_sdp_message_as_text (copy);
}

/* webrtcbin 1.22 never compares the peer's DTLS certificate with the SDP
 * fingerprint (RFC 8122 §5), which would let anyone on the path terminate
 * DTLS: the session checks it itself. @fingerprint is the a=fingerprint
 * value ("sha-256 AB:CD:..."), @pem the certificate webrtcbin received. */
gboolean
sipws_sdp_fingerprint_matches (const char *fingerprint,
                               const char *pem)
{
  static const struct { const char *name; GChecksumType type; } hashes[] = {
    { "sha-1", G_CHECKSUM_SHA1 }, { "sha-256", G_CHECKSUM_SHA256 },
    { "sha-384", G_CHECKSUM_SHA384 }, { "sha-512", G_CHECKSUM_SHA512 },
  };
  const char *begin, *end, *space;
  g_autoptr(GString) base64 = g_string_new (NULL);
  g_autoptr(GString) computed = g_string_new (NULL);
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree char *given = NULL;
  g_autofree guchar *der = NULL;
  guint8 digest[64];
  gsize der_len = 0, digest_len = sizeof digest;
  gint type = -1;

  if (fingerprint == NULL || pem == NULL || (space = strchr (fingerprint, ' ')) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++) {
    if (strlen (hashes[i].name) == (gsize) (space - fingerprint) &&
        g_ascii_strncasecmp (fingerprint, hashes[i].name, space - fingerprint) == 0)
      type = hashes[i].type;
  }
  begin = strstr (pem, "-----BEGIN CERTIFICATE-----");
  end = begin != NULL ? strstr (begin, "-----END CERTIFICATE-----") : NULL;
  if (type < 0 || end == NULL)
    return FALSE;

  for (const char *c = begin + strlen ("-----BEGIN CERTIFICATE-----"); c < end; c++) {
    if (!g_ascii_isspace (*c))
      g_string_append_c (base64, *c);
  }
  der = g_base64_decode (base64->str, &der_len);
  if (der_len == 0)
    return FALSE;

  checksum = g_checksum_new ((GChecksumType) type);
  g_checksum_update (checksum, der, der_len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (computed, "%s%02X", i > 0 ? ":" : "", digest[i]);
  given = g_strstrip (g_strdup (space + 1));
  return g_ascii_strcasecmp (given, computed->str) == 0;
}
