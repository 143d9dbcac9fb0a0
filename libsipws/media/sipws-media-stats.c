/* sipws-media-stats.c: call quality numbers from webrtcbin statistics */
#include "sipws-media-stats-private.h"

#include <string.h>
#include <gst/webrtc/webrtc.h>

typedef struct {
  guint64 packets_sent, bytes_sent, packets_received, bytes_received;
  gint64  packets_lost;
  double  jitter_s, rtt_s, remote_fraction_lost;
  char   *codec_id;
  char   *local_candidate_id, *remote_candidate_id;
} Totals;

static gboolean
collect_cb (GQuark        field,
            const GValue *value,
            gpointer      user_data)
{
  Totals *totals = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;
  guint64 u64;
  gint64 i64;
  double d;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
    return TRUE;

  switch (type) {
  case GST_WEBRTC_STATS_INBOUND_RTP:
    if (gst_structure_get_uint64 (s, "packets-received", &u64))
      totals->packets_received += u64;
    if (gst_structure_get_uint64 (s, "bytes-received", &u64))
      totals->bytes_received += u64;
    if (gst_structure_get_int64 (s, "packets-lost", &i64))
      totals->packets_lost += MAX (i64, 0);
    if (gst_structure_get_double (s, "jitter", &d))
      totals->jitter_s = MAX (totals->jitter_s, d);
    if (totals->codec_id == NULL && gst_structure_has_field_typed (s, "codec-id", G_TYPE_STRING))
      totals->codec_id = g_strdup (gst_structure_get_string (s, "codec-id"));
    break;
  case GST_WEBRTC_STATS_OUTBOUND_RTP:
    if (gst_structure_get_uint64 (s, "packets-sent", &u64))
      totals->packets_sent += u64;
    if (gst_structure_get_uint64 (s, "bytes-sent", &u64))
      totals->bytes_sent += u64;
    break;
  case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
    if (gst_structure_get_double (s, "round-trip-time", &d) && d > 0)
      totals->rtt_s = d;
    if (gst_structure_get_double (s, "fraction-lost", &d))
      totals->remote_fraction_lost = d;
    break;
  case GST_WEBRTC_STATS_CANDIDATE_PAIR:
    /* 1.22 swaps the local/remote candidate stat *types*; the ids are right */
    g_free (totals->local_candidate_id);
    g_free (totals->remote_candidate_id);
    totals->local_candidate_id = g_strdup (gst_structure_get_string (s, "local-candidate-id"));
    totals->remote_candidate_id = g_strdup (gst_structure_get_string (s, "remote-candidate-id"));
    break;
  case GST_WEBRTC_STATS_CODEC:
  case GST_WEBRTC_STATS_REMOTE_OUTBOUND_RTP:
  case GST_WEBRTC_STATS_CSRC:
  case GST_WEBRTC_STATS_PEER_CONNECTION:
  case GST_WEBRTC_STATS_DATA_CHANNEL:
  case GST_WEBRTC_STATS_STREAM:
  case GST_WEBRTC_STATS_TRANSPORT:
  case GST_WEBRTC_STATS_LOCAL_CANDIDATE:
  case GST_WEBRTC_STATS_REMOTE_CANDIDATE:
  case GST_WEBRTC_STATS_CERTIFICATE:
  default:
    break;
  }
  return TRUE;
}

/* "udp 127.0.0.1:40000 host" for a candidate stats entry. */
static char *
describe_candidate (const GstStructure *stats,
                    const char         *id)
{
  GstStructure *s;
  const char *address, *type, *protocol;
  guint port = 0;

  if (id == NULL || !gst_structure_get (stats, id, GST_TYPE_STRUCTURE, &s, NULL))
    return NULL;
  address = gst_structure_get_string (s, "address");
  type = gst_structure_get_string (s, "candidate-type");
  protocol = gst_structure_get_string (s, "protocol");
  gst_structure_get_uint (s, "port", &port);
  {
    char *text = g_strdup_printf ("%s %s%s%s:%u %s", protocol ? protocol : "udp",
                                  address && strchr (address, ':') ? "[" : "", address ? address : "?",
                                  address && strchr (address, ':') ? "]" : "", port, type ? type : "?");
    gst_structure_free (s);
    return text;
  }
}

static char *
describe_codec (const GstStructure *stats,
                const char         *id)
{
  GstStructure *s;
  const char *mime;
  guint rate = 0;
  char *text;

  if (id == NULL || !gst_structure_get (stats, id, GST_TYPE_STRUCTURE, &s, NULL))
    return NULL;
  mime = gst_structure_get_string (s, "mime-type");
  gst_structure_get_uint (s, "clock-rate", &rate);
  text = mime != NULL ? g_strdup_printf ("%s/%u", strchr (mime, '/') ? strchr (mime, '/') + 1 : mime, rate) : NULL;
  gst_structure_free (s);
  return text;
}

static SipwsCodec
codec_from_description (const char *codec)
{
  if (codec != NULL && g_ascii_strncasecmp (codec, "PCMU", 4) == 0)
    return SIPWS_CODEC_PCMU;
  if (codec != NULL && g_ascii_strncasecmp (codec, "PCMA", 4) == 0)
    return SIPWS_CODEC_PCMA;
  return SIPWS_CODEC_OPUS;
}

/* The numbers a call view or a bot needs, from webrtcbin's W3C-style
 * statistics. Unknown values are -1 (RTT before the first RTCP receiver
 * report) or absent (candidates before ICE selected a pair). */
GstStructure *
sipws_media_stats_summarize (const GstStructure *webrtc_stats,
                             guint               jitter_buffer_ms)
{
  Totals totals = { 0, };
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *codec = NULL;
  GstStructure *summary;
  double loss_fraction;

  totals.rtt_s = -1.0;
  gst_structure_foreach (webrtc_stats, collect_cb, &totals);

  local = describe_candidate (webrtc_stats, totals.local_candidate_id);
  remote = describe_candidate (webrtc_stats, totals.remote_candidate_id);
  codec = describe_codec (webrtc_stats, totals.codec_id);
  loss_fraction = totals.packets_received + totals.packets_lost > 0 ?
                  (double) totals.packets_lost / (double) (totals.packets_received + totals.packets_lost) : 0.0;

  summary = gst_structure_new ("sipws-media-stats",
                               "packets-sent", G_TYPE_UINT64, totals.packets_sent,
                               "bytes-sent", G_TYPE_UINT64, totals.bytes_sent,
                               "packets-received", G_TYPE_UINT64, totals.packets_received,
                               "bytes-received", G_TYPE_UINT64, totals.bytes_received,
                               "packets-lost", G_TYPE_INT64, totals.packets_lost,
                               "loss-fraction", G_TYPE_DOUBLE, loss_fraction,
                               "remote-loss-fraction", G_TYPE_DOUBLE, totals.remote_fraction_lost,
                               "jitter-ms", G_TYPE_DOUBLE, totals.jitter_s * 1000.0,
                               "rtt-ms", G_TYPE_DOUBLE, totals.rtt_s >= 0 ? totals.rtt_s * 1000.0 : -1.0,
                               NULL);
  if (codec != NULL)
    gst_structure_set (summary, "codec", G_TYPE_STRING, codec, NULL);
  if (local != NULL)
    gst_structure_set (summary, "local-candidate", G_TYPE_STRING, local, NULL);
  if (remote != NULL)
    gst_structure_set (summary, "remote-candidate", G_TYPE_STRING, remote, NULL);
  gst_structure_set (summary, "mos", G_TYPE_DOUBLE,
                     sipws_media_stats_estimate_mos (codec_from_description (codec), loss_fraction,
                                                     totals.jitter_s * 1000.0,
                                                     totals.rtt_s >= 0 ? totals.rtt_s * 1000.0 : 0.0,
                                                     jitter_buffer_ms),
                     NULL);

  g_free (totals.codec_id);
  g_free (totals.local_candidate_id);
  g_free (totals.remote_candidate_id);
  return summary;
}

/* A simplified ITU-T G.107 E-model: R = 93.2 - Id - Ie,eff, mapped to MOS.
 * Equipment impairments (Ie, Bpl) are from G.113 Appendix I for G.711 with
 * packet loss concealment and published estimates for Opus at 32 kbit/s. */
double
sipws_media_stats_estimate_mos (SipwsCodec codec,
                                double     loss_fraction,
                                double     jitter_ms,
                                double     rtt_ms,
                                guint      jitter_buffer_ms)
{
  /* Both codecs have no impairment of their own at the rates we use */
  double ie = 0.0;
  double bpl = codec == SIPWS_CODEC_OPUS ? 20.0 : 25.1;
  double codec_delay = codec == SIPWS_CODEC_OPUS ? 26.5 : 20.0;
  double delay = rtt_ms / 2.0 + jitter_buffer_ms + 2.0 * jitter_ms + codec_delay;
  double ppl = CLAMP (loss_fraction, 0.0, 1.0) * 100.0;
  double id = 0.024 * delay + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0.0);
  double ie_eff = ie + (95.0 - ie) * ppl / (ppl + bpl);
  double r = 93.2 - id - ie_eff;

  if (r <= 0)
    return 1.0;
  if (r >= 100)
    return 4.5;
  return 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
}
