/* sipws-media-session.c: the WebRTC media of one call, on GStreamer webrtcbin
 *
 * One pipeline per call holds a webrtcbin with one audio transceiver. The
 * send chain (source, encoder, payloader, DTMF mux) is linked once the codec
 * is negotiated; receive chains are linked from webrtcbin's pad-added as
 * streams arrive.
 *
 * Threads: webrtcbin emits signals and resolves promises on its own threads,
 * pad probes run on streaming threads. None of them touches the session: they
 * see only the reference-counted Shared block, copy what they need and hop to
 * the main context captured at construction, where a weak reference finds
 * the session if it still exists and is not closed. Streaming threads never
 * hold a strong reference, so the session is always finalized (and its
 * pipeline stopped) in its own context.
 *
 * webrtcbin 1.22 cannot change a transceiver's direction during
 * renegotiation, so it always sees sendrecv; hold directions live in the SIP
 * SDP only, and the session enforces them with a valve on the send side and a
 * gate on the receive side.
 */
#include "sipws-media-session.h"

#include <math.h>
#include <string.h>
#include <gst/app/gstappsrc.h>
#include <gst/rtp/rtp.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>

#include "sipws-error.h"
#include "sipws-ua-enums.h"
#include "sipws-media-sdp-private.h"
#include "sipws-audio-analyzer-private.h"
#include "sipws-wav-writer-private.h"
#include "sipws-dtmf-private.h"
#include "sipws-media-stats-private.h"

GST_DEBUG_CATEGORY_STATIC (sipws_media_debug);
#define GST_CAT_DEFAULT sipws_media_debug

#define ANALYSIS_RATE 48000
/* Loopback: received audio waits at most this long to be sent back, and
 * the mixer that puts it over silence waits this long for it. */
#define LOOPBACK_QUEUE_MS 200
#define LOOPBACK_MIXER_LATENCY_MS 40
/* A received level older than this means no audio arrives any more. */
#define LEVEL_STALE_US (400 * G_TIME_SPAN_MILLISECOND)
#define DTMF_GAP_MS 100
/* How long digits wait after our DTLS is up for the peer's first RTP packet,
 * the sign that it has its keys too: from a peer that said it sends (past
 * one lost DTLS flight and its 1 s retransmission), and from one that does
 * not, which cannot tell. */
#define DTMF_PEER_RTP_WAIT_MS 3000
#define DTMF_PEER_SILENT_WAIT_MS 1500
#define DTMF_MAX_DURATION_MS 5000
#define DTMF_VOLUME 10

/* Our payload types, as Chrome numbers them where it has them. */
#define PT_OPUS 111
#define PT_TE_48000 110
#define PT_TE_8000 101

typedef enum {
  SOURCE_DEFAULT,
  SOURCE_TONE,
  SOURCE_FILE,
  SOURCE_DESCRIPTION,
  SOURCE_DEVICE,
  SOURCE_SILENCE,
} SourceKind;

typedef enum {
  PHASE_IDLE,
  PHASE_BUILDING_OFFER,
  PHASE_OFFER_SENT,
  PHASE_BUILDING_ANSWER,
  PHASE_EARLY,
} Phase;

/* What streaming threads may touch; outlives the session while webrtcbin's
 * handlers and pad probes hold it. */
typedef struct {
  GWeakRef      session;
  GMainContext *context;
  gint          closed;            /* atomic */
  gint          recv_allowed;      /* atomic */

  GMutex        lock;              /* pipeline changes from streaming threads */
  GstElement   *pipeline;          /* not a reference; valid until closed */
  char         *sink_description;
  GstDevice    *output_device;
  GPtrArray    *recv_chains;       /* RecvChain, (owned) */

  GMutex        analysis_lock;
  SipwsAudioAnalyzer *analyzer;
  SipwsWavWriter *wav;
  GstElement   *loopback;          /* appsrc sending received audio back, (owned) (nullable) */
  double        level_db;
  double        frequency;
  gint64        level_time;
  SipwsDtmfReceiver dtmf;

  GMutex        promise_lock;
  GPtrArray    *promises;          /* GstPromise webrtcbin has not resolved yet */

  guint64       packets_sent;      /* atomic through the analysis lock */
  guint64       bytes_sent;
  guint64       packets_received;
  guint64       bytes_received;
} Shared;

typedef struct {
  GstElement *tail;   /* the element whose src pad feeds the sink */
  GstElement *sink;
} RecvChain;

struct _SipwsMediaSession {
  GObject       parent_instance;

  GMainContext *context;
  Shared       *shared;
  gboolean      closed;
  gboolean      failed;
  SipwsMediaState state;

  /* configuration */
  char        **local_addresses;
  GPtrArray    *turn_servers;      /* webrtcbin URLs with credentials: never logged */
  char         *stun_server;
  guint         gather_timeout_ms;
  guint         gather_limit_ms;
  guint         media_timeout_ms;
  guint         stats_interval_ms;
  guint         jitter_buffer_ms;
  guint         opus_bitrate;
  SourceKind    source_kind;
  char         *audio_source;
  double        send_tone;
  char         *play_file;
  GstDevice    *input_device;
  char         *record_file;
  gboolean      loopback;
  gboolean      muted;
  SipwsMediaDirection direction;

  /* pipeline */
  GstElement   *pipeline;
  GstElement   *webrtc;
  GstPad       *webrtc_sink;
  GstWebRTCRTPTransceiver *transceiver;
  GSource      *bus_source;

  /* negotiation */
  Phase         phase;
  GTask        *task;
  guint         serial;
  gulong        cancel_id;
  GCancellable *cancellable;
  SipwsRemoteSdp *remote_offer;    /* being answered */
  SipwsRemoteSdp *early_answer;    /* applied from an 18x */
  SipwsMediaDirection local_direction;
  SipwsMediaDirection remote_direction;
  SipwsAudioFormat format;
  gboolean      negotiated;
  guint64       sess_id;
  guint         sess_version;
  char         *local_sdp;
  char         *remote_sdp;
  GPtrArray    *local_candidates;
  guint         n_remote_candidates;
  char         *remote_fingerprint;
  gboolean      gathering;
  gboolean      gather_soft_expired;
  GSource      *gather_soft;
  GSource      *gather_limit;

  /* send chain */
  GstElement   *send_source;
  GstElement   *send_convert;
  GstElement   *send_volume;
  GstElement   *send_valve;
  GstElement   *dtmf_src;
  gboolean      send_allowed;

  /* DTMF out */
  GQueue        dtmf_queue;
  GSource      *dtmf_timer;
  gboolean      dtmf_playing;
  gboolean      peer_decrypts;     /* the peer can read what we send */
  GSource      *peer_wait;

  /* monitoring */
  GSource      *watchdog;
  GSource      *stats_timer;
  GstStructure *stats;
};

/**
 * SipwsMediaSession:
 *
 * The WebRTC media of one call: a GStreamer `webrtcbin` in its own pipeline,
 * behind the [iface@Sipws.MediaHandler] interface the user agent drives.
 *
 * It interoperates with browsers (through JsSIP or SIP.js pages) and WebRTC
 * gateways (rtpengine, Asterisk, FreeSWITCH):
 *
 * - SDP without trickle ICE: every candidate gathered within
 *   [property@Sipws.MediaSession:gather-timeout] (or, without any,
 *   [property@Sipws.MediaSession:gather-limit]) is in the SDP, the default
 *   candidate is in `m=`/`c=` and there is no `a=ice-options:trickle`;
 * - Opus first (in-band FEC, [property@Sipws.MediaSession:opus-bitrate]),
 *   PCMU and PCMA, and RFC 4733 telephone-event at 48000 and 8000 Hz in
 *   offers; answers pick Opus when offered, else the peer's first G.711;
 * - BUNDLE, rtcp-mux, DTLS-SRTP with `a=setup:actpass` in offers and
 *   `active` in answers (RFC 5763); remote `.local` mDNS candidates are
 *   dropped (ICE then succeeds through peer-reflexive candidates), m-lines
 *   other than the first usable audio are rejected with port 0;
 * - hold and resume through directions in re-offers, mute without
 *   renegotiation, audio sources and sinks switched during the call;
 * - RFC 4733 digits in the audio stream, which they replace while they play
 *   (each lasts at least 250 ms, the minimum of GStreamer's `rtpdtmfsrc`);
 *   digits sent before the peer can decrypt media wait until it can.
 *
 * Audio goes from a source (the default input, a device, a tone, a file or
 * any gst-launch description, see [property@Sipws.MediaSession:audio-source])
 * to the peer, and from the peer to a sink, optionally recorded to
 * [property@Sipws.MediaSession:record-file]. The received audio is measured:
 * [property@Sipws.MediaSession:level] and [property@Sipws.MediaSession:frequency].
 * Without explicit configuration the environment variables `SIPWS_AUDIO_SOURCE`
 * and `SIPWS_AUDIO_SINK` (gst-launch descriptions) replace the system
 * defaults, which lets tests and headless machines run without sound
 * devices. With no device chosen, the session plays to and records from the
 * system default and the sound server moves it when the default changes.
 *
 * A source or sink that fails is replaced by silence or a discarding sink
 * with a warning; the call goes on. When media does not come up after the
 * answer, [signal@Sipws.MediaHandler::media-failed] says which step failed.
 *
 * Everything happens in the thread-default main context of the thread that
 * created the session; GStreamer threads never call into it directly.
 */

static void sipws_media_session_handler_init (SipwsMediaHandlerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SipwsMediaSession, sipws_media_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SIPWS_TYPE_MEDIA_HANDLER,
                                                      sipws_media_session_handler_init))

enum {
  PROP_0,
  PROP_LOCAL_ADDRESSES,
  PROP_GATHER_TIMEOUT,
  PROP_GATHER_LIMIT,
  PROP_MEDIA_TIMEOUT,
  PROP_STATS_INTERVAL,
  PROP_JITTER_BUFFER,
  PROP_OPUS_BITRATE,
  PROP_AUDIO_SOURCE,
  PROP_SEND_TONE,
  PROP_PLAY_FILE,
  PROP_INPUT_DEVICE,
  PROP_AUDIO_SINK,
  PROP_OUTPUT_DEVICE,
  PROP_RECORD_FILE,
  PROP_LOOPBACK,
  PROP_MUTED,
  PROP_DIRECTION,
  PROP_LEVEL,
  PROP_FREQUENCY,
  PROP_LOCAL_SDP,
  PROP_REMOTE_SDP,
  PROP_CODEC,
  N_PROPS,
  PROP_MEDIA_STATE = N_PROPS,
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_AUDIO_LEVEL,
  SIGNAL_STATS_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Shared block and the hop to the main context ---- */

static void
recv_chain_free (RecvChain *chain)
{
  gst_object_unref (chain->tail);
  gst_object_unref (chain->sink);
  g_free (chain);
}

static Shared *
shared_new (SipwsMediaSession *self)
{
  Shared *shared = g_atomic_rc_box_new0 (Shared);

  g_weak_ref_init (&shared->session, self);
  shared->context = g_main_context_ref (self->context);
  g_mutex_init (&shared->lock);
  g_mutex_init (&shared->analysis_lock);
  g_mutex_init (&shared->promise_lock);
  shared->promises = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_promise_unref);
  shared->recv_chains = g_ptr_array_new_with_free_func ((GDestroyNotify) recv_chain_free);
  shared->analyzer = sipws_audio_analyzer_new (ANALYSIS_RATE);
  shared->level_db = SIPWS_AUDIO_LEVEL_SILENCE;
  return shared;
}

static void
shared_clear (Shared *shared)
{
  g_weak_ref_clear (&shared->session);
  g_main_context_unref (shared->context);
  g_mutex_clear (&shared->lock);
  g_mutex_clear (&shared->analysis_lock);
  g_mutex_clear (&shared->promise_lock);
  g_ptr_array_unref (shared->promises);
  g_ptr_array_unref (shared->recv_chains);
  g_free (shared->sink_description);
  g_clear_object (&shared->output_device);
  sipws_audio_analyzer_free (shared->analyzer);
  sipws_wav_writer_close (shared->wav);
  g_clear_object (&shared->loopback);
}

static Shared *
shared_ref (Shared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

static void
shared_unref (gpointer shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) shared_clear);
}

static gboolean
shared_closed (Shared *shared)
{
  return g_atomic_int_get (&shared->closed) != 0;
}

/* Called from the promise's change function: resolved, or interrupted by
 * close (then it is no longer in the array). */
static void
forget_promise (Shared     *shared,
                GstPromise *promise)
{
  g_mutex_lock (&shared->promise_lock);
  g_ptr_array_remove_fast (shared->promises, promise);
  g_mutex_unlock (&shared->promise_lock);
}

static void
interrupt_promises (Shared *shared)
{
  g_autoptr(GPtrArray) promises = NULL;

  g_mutex_lock (&shared->promise_lock);
  promises = g_steal_pointer (&shared->promises);
  shared->promises = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_promise_unref);
  g_mutex_unlock (&shared->promise_lock);
  for (guint i = 0; i < promises->len; i++)
    gst_promise_interrupt (g_ptr_array_index (promises, i));
}

typedef void (*HopFunc) (SipwsMediaSession *self,
                         gpointer           data);

typedef struct {
  Shared        *shared;
  HopFunc        func;
  gpointer       data;
  GDestroyNotify destroy;
} Hop;

static gboolean
hop_dispatch (gpointer user_data)
{
  Hop *hop = user_data;
  g_autoptr(SipwsMediaSession) self = g_weak_ref_get (&hop->shared->session);

  if (self != NULL && !shared_closed (hop->shared))
    hop->func (self, hop->data);
  return G_SOURCE_REMOVE;
}

static void
hop_free (gpointer user_data)
{
  Hop *hop = user_data;

  if (hop->destroy != NULL && hop->data != NULL)
    hop->destroy (hop->data);
  shared_unref (hop->shared);
  g_free (hop);
}

/* Always through an idle source, even from the main context itself: a
 * promise that fails synchronously must not re-enter the caller. */
static void
hop (Shared         *shared,
     HopFunc         func,
     gpointer        data,
     GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = NULL;
  Hop *h;

  if (shared_closed (shared)) {
    if (destroy != NULL && data != NULL)
      destroy (data);
    return;
  }
  h = g_new0 (Hop, 1);
  h->shared = shared_ref (shared);
  h->func = func;
  h->data = data;
  h->destroy = destroy;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[sipws] media hop");
  g_source_set_callback (source, hop_dispatch, h, hop_free);
  g_source_attach (source, shared->context);
}

static GSource *
add_timeout (SipwsMediaSession *self,
             guint              ms,
             GSourceFunc        func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_name (source, "[sipws] media timer");
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* ---- State ---- */

static void
set_media_state (SipwsMediaSession *self,
                 SipwsMediaState    state)
{
  if (self->state == state)
    return;
  g_debug ("Media state %d -> %d", self->state, state);
  self->state = state;
  g_object_notify (G_OBJECT (self), "media-state");
}

static void
dump_pipeline (SipwsMediaSession *self,
               const char        *name)
{
  if (self->pipeline != NULL)
    GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (self->pipeline), GST_DEBUG_GRAPH_SHOW_ALL, name);
}

static void
fail_media (SipwsMediaSession *self,
            SipwsMediaError    code,
            const char        *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
fail_media (SipwsMediaSession *self,
            SipwsMediaError    code,
            const char        *format,
            ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  if (self->failed || self->closed)
    return;
  va_start (args, format);
  error = g_error_new_valist (SIPWS_MEDIA_ERROR, code, format, args);
  va_end (args);

  g_debug ("Media failed: %s", error->message);
  dump_pipeline (self, "sipws-media-failed");
  self->failed = TRUE;
  clear_source (&self->watchdog);
  set_media_state (self, SIPWS_MEDIA_STATE_FAILED);
  sipws_media_handler_emit_media_failed (SIPWS_MEDIA_HANDLER (self), error);
}

/* ---- Element helpers ---- */

static GstElement *
make_element (const char  *factory,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                 "The GStreamer element %s is missing (install the GStreamer plugin package that has it)",
                 factory);
  return element;
}

static GstCaps *
format_caps (SipwsCodec codec,
             guint      pt)
{
  static const char *names[] = { "OPUS", "PCMU", "PCMA" };

  return gst_caps_new_simple ("application/x-rtp",
                              "media", G_TYPE_STRING, "audio",
                              "encoding-name", G_TYPE_STRING, names[codec],
                              "clock-rate", G_TYPE_INT, (int) sipws_codec_clock_rate (codec),
                              "payload", G_TYPE_INT, (int) pt,
                              NULL);
}

static void
append_telephone_event_caps (GstCaps *caps,
                             guint    rate,
                             gint     pt)
{
  if (pt < 0)
    return;
  gst_caps_append_structure (caps, gst_structure_new ("application/x-rtp",
                                                      "media", G_TYPE_STRING, "audio",
                                                      "encoding-name", G_TYPE_STRING, "TELEPHONE-EVENT",
                                                      "clock-rate", G_TYPE_INT, (int) rate,
                                                      "payload", G_TYPE_INT, pt,
                                                      NULL));
}

static GstCaps *
formats_caps (const SipwsAudioFormat *formats,
              guint                   n_formats)
{
  GstCaps *caps = gst_caps_new_empty ();
  gint te[2] = { -1, -1 };

  for (guint i = 0; i < n_formats; i++) {
    gst_caps_append (caps, format_caps (formats[i].codec, formats[i].pt));
    if (formats[i].te_pt >= 0)
      te[formats[i].te_rate == 48000] = formats[i].te_pt;
  }
  append_telephone_event_caps (caps, 48000, te[1]);
  append_telephone_event_caps (caps, 8000, te[0]);
  return caps;
}

static const SipwsAudioFormat initial_formats[] = {
  { SIPWS_CODEC_OPUS, PT_OPUS, PT_TE_48000, 48000 },
  { SIPWS_CODEC_PCMU, 0, PT_TE_8000, 8000 },
  { SIPWS_CODEC_PCMA, 8, PT_TE_8000, 8000 },
};

static void
set_codec_preferences (SipwsMediaSession      *self,
                       const SipwsAudioFormat *formats,
                       guint                   n_formats)
{
  g_autoptr(GstCaps) caps = formats_caps (formats, n_formats);

  g_object_set (self->transceiver, "codec-preferences", caps, NULL);
}

/* ---- Receive side (streaming threads) ---- */

static GstElement *
make_sink_locked (Shared   *shared,
                  gboolean  fake)
{
  g_autoptr(GError) error = NULL;
  const char *env = g_getenv ("SIPWS_AUDIO_SINK");
  GstElement *sink = NULL;

  if (fake)
    sink = NULL;
  else if (shared->output_device != NULL)
    sink = gst_device_create_element (shared->output_device, NULL);
  else if (shared->sink_description != NULL)
    sink = gst_parse_bin_from_description (shared->sink_description, TRUE, &error);
  else if (env != NULL && *env != '\0')
    sink = gst_parse_bin_from_description (env, TRUE, &error);
  else
    sink = gst_element_factory_make ("autoaudiosink", NULL);

  if (error != NULL)
    g_warning ("Audio sink cannot be built (%s); discarding received audio", error->message);
  if (sink == NULL) {
    sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  }
  return sink;
}

static void
count_buffer (GstBuffer *buffer,
              gpointer   user_data)
{
  guint64 *counters = user_data;

  counters[0]++;
  counters[1] += gst_buffer_get_size (buffer);
}

/* Counts RTP packets into counters[0..1]; returns how many were added. */
static guint64
count_probe_data (GstPadProbeInfo *info,
                  guint64          counters[2])
{
  guint64 before = counters[0];

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    count_buffer (GST_PAD_PROBE_INFO_BUFFER (info), counters);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

    for (guint i = 0; i < gst_buffer_list_length (list); i++)
      count_buffer (gst_buffer_list_get (list, i), counters);
  }
  return counters[0] - before;
}

static void first_rtp_main (SipwsMediaSession *self,
                            gpointer           data);

static GstPadProbeReturn
recv_count_probe (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  Shared *shared = user_data;
  guint64 counters[2] = { 0, 0 };
  gboolean first;

  count_probe_data (info, counters);
  g_mutex_lock (&shared->analysis_lock);
  first = shared->packets_received == 0 && counters[0] > 0;
  shared->packets_received += counters[0];
  shared->bytes_received += counters[1];
  g_mutex_unlock (&shared->analysis_lock);
  if (first)
    hop (shared, first_rtp_main, NULL, NULL);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
send_count_probe (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  Shared *shared = user_data;
  guint64 counters[2] = { 0, 0 };

  count_probe_data (info, counters);
  g_mutex_lock (&shared->analysis_lock);
  shared->packets_sent += counters[0];
  shared->bytes_sent += counters[1];
  g_mutex_unlock (&shared->analysis_lock);
  return GST_PAD_PROBE_OK;
}

typedef struct {
  double level_db;
  double frequency;
} LevelUpdate;

static void
level_main (SipwsMediaSession *self,
            gpointer           data)
{
  LevelUpdate *update = data;

  g_signal_emit (self, signals[SIGNAL_AUDIO_LEVEL], 0, update->level_db, update->frequency);
}

static GstPadProbeReturn
analysis_probe (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  Shared *shared = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr(GstElement) loopback = NULL;
  LevelUpdate update;
  gboolean completed;
  GstMapInfo map;

  /* We put the peer on hold: whatever it still sends is not played. */
  if (!g_atomic_int_get (&shared->recv_allowed))
    return GST_PAD_PROBE_DROP;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&shared->analysis_lock);
  if (shared->wav != NULL)
    sipws_wav_writer_write (shared->wav, (const gint16 *) (gconstpointer) map.data, map.size / 2);
  completed = sipws_audio_analyzer_feed (shared->analyzer, (const gint16 *) (gconstpointer) map.data, map.size / 2,
                                         &update.level_db, &update.frequency);
  if (completed) {
    shared->level_db = update.level_db;
    shared->frequency = update.frequency;
    shared->level_time = g_get_monotonic_time ();
  }
  loopback = shared->loopback != NULL ? gst_object_ref (shared->loopback) : NULL;
  g_mutex_unlock (&shared->analysis_lock);
  gst_buffer_unmap (buffer, &map);

  if (loopback != NULL) {
    GstBuffer *copy = gst_buffer_copy (buffer);

    /* the appsrc stamps it with the time it is sent back */
    GST_BUFFER_PTS (copy) = GST_BUFFER_DTS (copy) = GST_CLOCK_TIME_NONE;
    gst_app_src_push_buffer (GST_APP_SRC (loopback), copy);
  }

  if (completed)
    hop (shared, level_main, g_memdup2 (&update, sizeof update), g_free);
  return GST_PAD_PROBE_OK;
}

typedef struct {
  char  digit;
  guint duration_ms;
} DtmfEvent;

static void
dtmf_received_main (SipwsMediaSession *self,
                    gpointer           data)
{
  DtmfEvent *event = data;

  g_debug ("DTMF received: %c (%u ms)", event->digit, event->duration_ms);
  sipws_media_handler_emit_dtmf_received (SIPWS_MEDIA_HANDLER (self), event->digit, event->duration_ms);
}

typedef struct {
  Shared *shared;
  guint   clock_rate;
} TelephoneEventProbe;

static void
telephone_event_probe_free (gpointer data)
{
  TelephoneEventProbe *probe = data;

  shared_unref (probe->shared);
  g_free (probe);
}

static GstPadProbeReturn
telephone_event_probe (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data)
{
  TelephoneEventProbe *probe = user_data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  SipwsDtmfPress presses[2];
  guint n;

  if (!g_atomic_int_get (&probe->shared->recv_allowed))
    return GST_PAD_PROBE_OK;
  if (!gst_rtp_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&probe->shared->analysis_lock);
  n = sipws_dtmf_receiver_packet (&probe->shared->dtmf, gst_rtp_buffer_get_timestamp (&rtp),
                                  gst_rtp_buffer_get_payload (&rtp), gst_rtp_buffer_get_payload_len (&rtp),
                                  presses);
  g_mutex_unlock (&probe->shared->analysis_lock);
  gst_rtp_buffer_unmap (&rtp);

  for (guint i = 0; i < n; i++) {
    DtmfEvent *event = g_new0 (DtmfEvent, 1);

    event->digit = presses[i].digit;
    event->duration_ms = (guint) ((guint64) presses[i].duration * 1000 / probe->clock_rate);
    hop (probe->shared, dtmf_received_main, event, g_free);
  }
  return GST_PAD_PROBE_OK;
}

static gboolean
add_and_link (GstElement  *pipeline,
              GstPad      *src,
              GstElement **elements,
              guint        n)
{
  g_autoptr(GstPad) first_sink = NULL;

  for (guint i = 0; i < n; i++)
    gst_bin_add (GST_BIN (pipeline), elements[i]);
  for (guint i = 0; i + 1 < n; i++) {
    if (!gst_element_link (elements[i], elements[i + 1]))
      return FALSE;
  }
  for (guint i = n; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);
  first_sink = gst_element_get_static_pad (elements[0], "sink");
  return gst_pad_link (src, first_sink) == GST_PAD_LINK_OK;
}

/* webrtcbin 1.22 builds every offer by asking the receive pad's peer for the
 * caps of its sink pad's last CAPS event. While and right after a digit is
 * sent (and from the start whenever rtpdtmfsrc's start-up caps follow the
 * first audio caps), rtpdtmfmux has told that sink pad telephone-event, which a
 * depayloader refuses: the empty answer fails the offer ("Caps negotiation on
 * pad src_0 failed"), so a hold right after a digit broke. The receive side
 * does take telephone-event, on the pad webrtcbin adds for it (see
 * pad_added_cb()), so after the depayloader refused only telephone-event it
 * answers the filter instead. */
static GstPadProbeReturn
recv_caps_query_probe (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         user_data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *filter = NULL;
  GstCaps *result = NULL;
  guint n;

  if (!(GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_PULL) || GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  gst_query_parse_caps (query, &filter);
  gst_query_parse_caps_result (query, &result);
  if (filter == NULL || result == NULL || !gst_caps_is_empty (result))
    return GST_PAD_PROBE_OK;
  n = gst_caps_get_size (filter);
  for (guint i = 0; i < n; i++) {
    const GstStructure *s = gst_caps_get_structure (filter, i);

    if (!gst_structure_has_name (s, "application/x-rtp") ||
        g_strcmp0 (gst_structure_get_string (s, "encoding-name"), "TELEPHONE-EVENT") != 0)
      return GST_PAD_PROBE_OK;
  }
  if (n > 0)
    gst_query_set_caps_result (query, filter);
  return GST_PAD_PROBE_OK;
}

/* Runs on a streaming thread: the pad must be linked before its first
 * buffer, or not-linked would stop webrtcbin's source. */
static void
pad_added_cb (GstElement *webrtc,
              GstPad     *pad,
              gpointer    user_data)
{
  Shared *shared = user_data;
  g_autoptr(GstCaps) caps = NULL;
  const GstStructure *s;
  const char *encoding = NULL;
  int clock_rate = 8000;
  gboolean linked = FALSE;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_structure (caps, 0);
  if (s != NULL) {
    encoding = gst_structure_get_string (s, "encoding-name");
    gst_structure_get_int (s, "clock-rate", &clock_rate);
  }

  g_mutex_lock (&shared->lock);
  if (shared_closed (shared)) {
    g_mutex_unlock (&shared->lock);
    return;
  }
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     recv_count_probe, shared_ref (shared), shared_unref);

  if (g_strcmp0 (encoding, "OPUS") == 0 || g_strcmp0 (encoding, "PCMU") == 0 ||
      g_strcmp0 (encoding, "PCMA") == 0) {
    const char *depay = g_strcmp0 (encoding, "OPUS") == 0 ? "rtpopusdepay" :
                        g_strcmp0 (encoding, "PCMU") == 0 ? "rtppcmudepay" : "rtppcmadepay";
    const char *dec = g_strcmp0 (encoding, "OPUS") == 0 ? "opusdec" :
                      g_strcmp0 (encoding, "PCMU") == 0 ? "mulawdec" : "alawdec";
    GstElement *elements[6] = {
      gst_element_factory_make (depay, NULL),
      gst_element_factory_make (dec, NULL),
      gst_element_factory_make ("audioconvert", NULL),
      gst_element_factory_make ("audioresample", NULL),
      gst_element_factory_make ("capsfilter", NULL),
      make_sink_locked (shared, FALSE),
    };
    gboolean complete = TRUE;

    for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
      complete &= elements[i] != NULL;
    if (complete) {
      g_autoptr(GstCaps) raw = gst_caps_new_simple ("audio/x-raw",
                                                    "format", G_TYPE_STRING, "S16LE",
                                                    "rate", G_TYPE_INT, ANALYSIS_RATE,
                                                    "channels", G_TYPE_INT, 1,
                                                    NULL);
      g_autoptr(GstPad) tail_src = gst_element_get_static_pad (elements[4], "src");
      RecvChain *chain = g_new0 (RecvChain, 1);

      if (g_strcmp0 (encoding, "OPUS") == 0)
        g_object_set (elements[1], "plc", TRUE, "use-inband-fec", TRUE, NULL);
      g_object_set (elements[4], "caps", raw, NULL);
      gst_pad_add_probe (tail_src, GST_PAD_PROBE_TYPE_BUFFER, analysis_probe, shared_ref (shared), shared_unref);
      chain->tail = gst_object_ref (elements[4]);
      chain->sink = gst_object_ref (elements[5]);
      g_ptr_array_add (shared->recv_chains, chain);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, recv_caps_query_probe, NULL, NULL);
      linked = add_and_link (shared->pipeline, pad, elements, G_N_ELEMENTS (elements));
    } else {
      for (guint i = 0; i < G_N_ELEMENTS (elements); i++) {
        if (elements[i] != NULL)
          gst_object_unref (gst_object_ref_sink (elements[i]));
      }
    }
  }

  if (!linked) {
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);

    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    if (g_strcmp0 (encoding, "TELEPHONE-EVENT") == 0) {
      TelephoneEventProbe *probe = g_new0 (TelephoneEventProbe, 1);

      probe->shared = shared_ref (shared);
      probe->clock_rate = clock_rate > 0 ? (guint) clock_rate : 8000;
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, telephone_event_probe, probe,
                         telephone_event_probe_free);
    } else {
      GST_WARNING ("No decoder for received %" GST_PTR_FORMAT, caps);
    }
    add_and_link (shared->pipeline, pad, &sink, 1);
  }
  g_mutex_unlock (&shared->lock);
}

typedef struct {
  Shared    *shared;
  RecvChain *chain;
  gboolean   fake;
} SinkSwap;

static void
sink_swap_free (gpointer data)
{
  SinkSwap *swap = data;

  shared_unref (swap->shared);
  g_free (swap);
}

/* Runs when the chain's tail pad is idle: no buffer is in the sink now. */
static GstPadProbeReturn
swap_sink_probe (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  SinkSwap *swap = user_data;
  Shared *shared = swap->shared;
  GstElement *sink;

  g_mutex_lock (&shared->lock);
  if (!shared_closed (shared) && g_ptr_array_find (shared->recv_chains, swap->chain, NULL)) {
    RecvChain *chain = swap->chain;

    sink = make_sink_locked (shared, swap->fake);
    gst_element_unlink (chain->tail, chain->sink);
    gst_element_set_state (chain->sink, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (shared->pipeline), chain->sink);
    gst_object_unref (chain->sink);
    chain->sink = gst_object_ref (sink);
    gst_bin_add (GST_BIN (shared->pipeline), sink);
    gst_element_link (chain->tail, sink);
    gst_element_sync_state_with_parent (sink);
  }
  g_mutex_unlock (&shared->lock);
  return GST_PAD_PROBE_REMOVE;
}

/* Replaces the sink of every receive chain (all when @only is NULL). */
static void
swap_sinks (SipwsMediaSession *self,
            GstObject         *only,
            gboolean           fake)
{
  Shared *shared = self->shared;
  g_autoptr(GPtrArray) pads = g_ptr_array_new_with_free_func (gst_object_unref);
  g_autoptr(GPtrArray) swaps = g_ptr_array_new ();

  g_mutex_lock (&shared->lock);
  for (guint i = 0; i < shared->recv_chains->len; i++) {
    RecvChain *chain = g_ptr_array_index (shared->recv_chains, i);
    SinkSwap *swap;

    if (only != NULL && only != GST_OBJECT (chain->sink) && !gst_object_has_as_ancestor (only, GST_OBJECT (chain->sink)))
      continue;
    swap = g_new0 (SinkSwap, 1);
    swap->shared = shared_ref (shared);
    swap->chain = chain;
    swap->fake = fake;
    g_ptr_array_add (pads, gst_element_get_static_pad (chain->tail, "src"));
    g_ptr_array_add (swaps, swap);
  }
  g_mutex_unlock (&shared->lock);

  /* Outside the lock: an idle pad runs the probe right here. */
  for (guint i = 0; i < pads->len; i++)
    gst_pad_add_probe (g_ptr_array_index (pads, i), GST_PAD_PROBE_TYPE_IDLE, swap_sink_probe,
                       g_ptr_array_index (swaps, i), sink_swap_free);
}

/* ---- Send side ---- */

static gboolean
is_file_source (SipwsMediaSession *self)
{
  return self->source_kind == SOURCE_FILE;
}

static void
file_pad_added_cb (GstElement *decodebin,
                   GstPad     *pad,
                   gpointer    user_data)
{
  GstElement *convert = user_data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad (convert, "sink");

  if (!gst_pad_is_linked (sink))
    gst_pad_link (pad, sink);
}

/* A file plays once over a live silence, so the stream goes on (and keeps
 * its timing) after the file ends. */
static GstElement *
make_file_source (const char  *path,
                  GError     **error)
{
  GstElement *bin = gst_bin_new (NULL);
  GstElement *silence = make_element ("audiotestsrc", error);
  GstElement *filesrc = silence ? make_element ("filesrc", error) : NULL;
  GstElement *decode = filesrc ? make_element ("decodebin", error) : NULL;
  GstElement *convert = decode ? make_element ("audioconvert", error) : NULL;
  GstElement *resample = convert ? make_element ("audioresample", error) : NULL;
  GstElement *filter = resample ? make_element ("capsfilter", error) : NULL;
  GstElement *mixer = filter ? make_element ("audiomixer", error) : NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) src = NULL;

  if (mixer == NULL) {
    GstElement *made[] = { silence, filesrc, decode, convert, resample, filter };

    for (guint i = 0; i < G_N_ELEMENTS (made); i++) {
      if (made[i] != NULL)
        gst_object_unref (gst_object_ref_sink (made[i]));
    }
    gst_object_unref (gst_object_ref_sink (bin));
    return NULL;
  }

  caps = gst_caps_new_simple ("audio/x-raw", "rate", G_TYPE_INT, 48000, "channels", G_TYPE_INT, 1, NULL);
  g_object_set (silence, "wave", 4 /* silence */, "is-live", TRUE, "do-timestamp", TRUE, NULL);
  g_object_set (filesrc, "location", path, NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_bin_add_many (GST_BIN (bin), silence, filesrc, decode, convert, resample, filter, mixer, NULL);
  gst_element_link (filesrc, decode);
  gst_element_link_many (convert, resample, filter, mixer, NULL);
  gst_element_link_filtered (silence, mixer, caps);
  g_signal_connect_object (decode, "pad-added", G_CALLBACK (file_pad_added_cb), convert, 0);

  src = gst_element_get_static_pad (mixer, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));
  g_object_set_data (G_OBJECT (bin), "sipws-file-branch", filter);
  return bin;
}

/* Loopback: what the receive chains decode is pushed into the appsrc named
 * "loop" (see analysis_probe()), which a mixer plays over a live silence so
 * the stream keeps its timing while nothing is received. The mixer is
 * forced live: added after the pipeline's latency was configured, it would
 * otherwise wait for the appsrc forever. The appsrc holds at most
 * LOOPBACK_QUEUE_MS and drops the oldest audio beyond that, so the echo
 * never lags further behind. */
static GstElement *
make_loopback_source (GError **error)
{
  g_autofree char *description =
    g_strdup_printf ("audiotestsrc is-live=true do-timestamp=true wave=silence samplesperbuffer=480 "
                     "! audio/x-raw,format=S16LE,rate=%d,channels=1 "
                     "! audiomixer name=mixer force-live=true latency=%" G_GUINT64_FORMAT " "
                     "appsrc name=loop is-live=true format=time do-timestamp=true block=false "
                     "leaky-type=downstream max-time=%" G_GUINT64_FORMAT " "
                     "caps=audio/x-raw,format=S16LE,rate=%d,channels=1,layout=interleaved ! mixer.",
                     ANALYSIS_RATE, (guint64) LOOPBACK_MIXER_LATENCY_MS * GST_MSECOND,
                     (guint64) LOOPBACK_QUEUE_MS * GST_MSECOND, ANALYSIS_RATE);

  return gst_parse_bin_from_description (description, TRUE, error);
}

static void
set_loopback_target (SipwsMediaSession *self,
                     GstElement        *appsrc)
{
  g_mutex_lock (&self->shared->analysis_lock);
  g_set_object (&self->shared->loopback, appsrc);
  g_mutex_unlock (&self->shared->analysis_lock);
}

static GstElement *
make_source (SipwsMediaSession  *self,
             GError            **error)
{
  const char *env = g_getenv ("SIPWS_AUDIO_SOURCE");
  g_autofree char *description = NULL;

  if (self->loopback)
    return make_loopback_source (error);

  switch (self->source_kind) {
  case SOURCE_TONE:
    description = g_strdup_printf ("audiotestsrc is-live=true do-timestamp=true wave=sine freq=%g volume=0.3",
                                   self->send_tone);
    break;
  case SOURCE_SILENCE:
    description = g_strdup ("audiotestsrc is-live=true do-timestamp=true wave=silence");
    break;
  case SOURCE_FILE:
    return make_file_source (self->play_file, error);
  case SOURCE_DEVICE:
    return gst_device_create_element (self->input_device, NULL);
  case SOURCE_DESCRIPTION:
    description = g_strdup (self->audio_source);
    break;
  case SOURCE_DEFAULT:
  default:
    description = g_strdup (env != NULL && *env != '\0' ? env : "autoaudiosrc");
    break;
  }
  return gst_parse_bin_from_description (description, TRUE, error);
}

/* A file branch starts at running time 0; shift it to now so the mixer
 * plays it in real time. */
static void
align_file_branch (SipwsMediaSession *self,
                   GstElement        *source)
{
  GstElement *branch = g_object_get_data (G_OBJECT (source), "sipws-file-branch");
  g_autoptr(GstClock) clock = gst_element_get_clock (self->pipeline);
  g_autoptr(GstPad) pad = NULL;

  if (branch == NULL || clock == NULL)
    return;
  pad = gst_element_get_static_pad (branch, "src");
  gst_pad_set_offset (pad, (gint64) (gst_clock_get_time (clock) - gst_element_get_base_time (self->pipeline)));
}

static gboolean
attach_source (SipwsMediaSession  *self,
               GError            **error)
{
  GstElement *source = make_source (self, error);

  if (source == NULL) {
    if (error != NULL && *error == NULL)
      g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The audio source cannot be created");
    return FALSE;
  }
  gst_bin_add (GST_BIN (self->pipeline), source);
  if (!gst_element_link (source, self->send_convert)) {
    gst_bin_remove (GST_BIN (self->pipeline), source);
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The audio source has no raw audio output");
    return FALSE;
  }
  if (is_file_source (self))
    align_file_branch (self, source);
  gst_element_sync_state_with_parent (source);
  self->send_source = source;
  if (self->loopback) {
    g_autoptr(GstElement) appsrc = gst_bin_get_by_name (GST_BIN (source), "loop");

    set_loopback_target (self, appsrc);
  }
  return TRUE;
}

static void
detach_source (SipwsMediaSession *self)
{
  if (self->send_source == NULL)
    return;
  set_loopback_target (self, NULL);
  gst_element_set_state (self->send_source, GST_STATE_NULL);
  gst_element_unlink (self->send_source, self->send_convert);
  gst_bin_remove (GST_BIN (self->pipeline), self->send_source);
  self->send_source = NULL;
}

/* After a source failed; a loopback that failed is off. */
static void
use_silence (SipwsMediaSession *self)
{
  self->source_kind = SOURCE_SILENCE;
  if (self->loopback) {
    self->loopback = FALSE;
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOOPBACK]);
  }
}

/* A device switch in the middle of a call: no renegotiation, the encoder
 * and RTP stream go on. */
static void
switch_source (SipwsMediaSession *self)
{
  g_autoptr(GError) error = NULL;

  if (self->send_convert == NULL || self->closed)
    return;
  detach_source (self);
  if (!attach_source (self, &error)) {
    g_warning ("Audio source cannot be started (%s); sending silence", error->message);
    use_silence (self);
    g_clear_error (&error);
    if (!attach_source (self, &error))
      fail_media (self, SIPWS_MEDIA_ERROR_PIPELINE, "No audio source can be started: %s", error->message);
  }
}

/* RFC 4733 durations count the event's clock: telephone-event/8000 in a
 * 48 kHz stream. */
static GstPadProbeReturn
rescale_dtmf_probe (GstPad          *pad,
                    GstPadProbeInfo *info,
                    gpointer         user_data)
{
  guint divisor = GPOINTER_TO_UINT (user_data);
  GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (gst_rtp_buffer_map (buffer, GST_MAP_READWRITE, &rtp)) {
    guint8 *payload = gst_rtp_buffer_get_payload (&rtp);

    if (gst_rtp_buffer_get_payload_len (&rtp) >= 4) {
      guint duration = (((guint) payload[2] << 8) | payload[3]) / divisor;

      payload[2] = duration >> 8;
      payload[3] = duration & 0xff;
    }
    gst_rtp_buffer_unmap (&rtp);
  }
  return GST_PAD_PROBE_OK;
}

static gboolean
build_send_chain (SipwsMediaSession  *self,
                  GError            **error)
{
  const SipwsAudioFormat *format = &self->format;
  guint rate = sipws_codec_clock_rate (format->codec);
  const char *encoder_name = format->codec == SIPWS_CODEC_OPUS ? "opusenc" :
                             format->codec == SIPWS_CODEC_PCMU ? "mulawenc" : "alawenc";
  const char *payloader_name = format->codec == SIPWS_CODEC_OPUS ? "rtpopuspay" :
                               format->codec == SIPWS_CODEC_PCMU ? "rtppcmupay" : "rtppcmapay";
  g_autoptr(GstCaps) raw = gst_caps_new_simple ("audio/x-raw", "rate", G_TYPE_INT, (int) rate,
                                                "channels", G_TYPE_INT, 1, NULL);
  g_autoptr(GstPad) mux_src = NULL;
  GstElement *convert, *resample, *filter, *volume, *valve, *encoder, *payloader, *mux;

  if ((convert = make_element ("audioconvert", error)) == NULL ||
      (resample = make_element ("audioresample", error)) == NULL ||
      (filter = make_element ("capsfilter", error)) == NULL ||
      (volume = make_element ("volume", error)) == NULL ||
      (valve = make_element ("valve", error)) == NULL ||
      (encoder = make_element (encoder_name, error)) == NULL ||
      (payloader = make_element (payloader_name, error)) == NULL ||
      (mux = make_element ("rtpdtmfmux", error)) == NULL)
    return FALSE;

  g_object_set (filter, "caps", raw, NULL);
  g_object_set (volume, "mute", self->muted, NULL);
  g_object_set (valve, "drop", !self->send_allowed, NULL);
  g_object_set (payloader, "pt", format->pt, NULL);
  if (format->codec == SIPWS_CODEC_OPUS) {
    g_object_set (encoder, "bitrate", (int) self->opus_bitrate, "inband-fec", TRUE,
                  "packet-loss-percentage", 10, NULL);
    gst_util_set_object_arg (G_OBJECT (encoder), "audio-type", "voice");
  } else {
    /* the default would fill the MTU: 175 ms per packet */
    g_object_set (payloader, "min-ptime", (gint64) 20 * GST_MSECOND, "max-ptime", (gint64) 20 * GST_MSECOND, NULL);
  }

  gst_bin_add_many (GST_BIN (self->pipeline), convert, resample, filter, volume, valve, encoder,
                    payloader, mux, NULL);
  if (!gst_element_link_many (convert, resample, filter, volume, valve, encoder, payloader, mux, NULL)) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The audio send chain cannot be linked");
    return FALSE;
  }

  if (format->te_pt >= 0) {
    GstElement *dtmf = make_element ("rtpdtmfsrc", NULL);

    /* Events run on the audio's clock so the mux keeps one timeline; only
     * the duration field of telephone-event/8000 with Opus is rescaled. */
    if (dtmf != NULL) {
      g_autoptr(GstPad) dtmf_pad = gst_element_get_static_pad (dtmf, "src");

      g_object_set (dtmf, "pt", (guint) format->te_pt, "clock-rate", rate, NULL);
      if (format->te_rate != rate)
        gst_pad_add_probe (dtmf_pad, GST_PAD_PROBE_TYPE_BUFFER, rescale_dtmf_probe,
                           GUINT_TO_POINTER (rate / format->te_rate), NULL);
      gst_bin_add (GST_BIN (self->pipeline), dtmf);
      if (gst_element_link_pads (dtmf, "src", mux, "priority_sink_%u"))
        self->dtmf_src = dtmf;
      else
        gst_bin_remove (GST_BIN (self->pipeline), dtmf);
    }
  }

  {
    g_autoptr(GstCaps) caps = format_caps (format->codec, format->pt);

    append_telephone_event_caps (caps, rate, format->te_pt);
    g_object_set (self->transceiver, "codec-preferences", caps, NULL);
  }
  mux_src = gst_element_get_static_pad (mux, "src");
  if (gst_pad_link (mux_src, self->webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The audio send chain cannot be linked to webrtcbin");
    return FALSE;
  }
  gst_pad_add_probe (self->webrtc_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     send_count_probe, shared_ref (self->shared), shared_unref);

  self->send_convert = convert;
  self->send_volume = volume;
  self->send_valve = valve;
  {
    GstElement *chain[] = { mux, payloader, encoder, valve, volume, filter, resample, convert };

    for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
      gst_element_sync_state_with_parent (chain[i]);
  }
  if (self->dtmf_src != NULL)
    gst_element_sync_state_with_parent (self->dtmf_src);

  switch_source (self);
  return TRUE;
}

/* ---- webrtcbin signals (webrtcbin threads) ---- */

static void candidate_main (SipwsMediaSession *self,
                            gpointer           data);
static void gathering_main (SipwsMediaSession *self,
                            gpointer           data);
static void connection_main (SipwsMediaSession *self,
                             gpointer           data);

static void
on_ice_candidate_cb (GstElement *webrtc,
                     guint       mline,
                     const char *candidate,
                     gpointer    user_data)
{
  if (candidate != NULL && *candidate != '\0')
    hop (user_data, candidate_main, g_strdup (candidate), g_free);
}

static void
gathering_state_cb (GObject    *webrtc,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  hop (user_data, gathering_main, NULL, NULL);
}

static void
connection_state_cb (GObject    *webrtc,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  hop (user_data, connection_main, NULL, NULL);
}

/* ---- Pipeline ---- */

static void bus_error (SipwsMediaSession *self,
                       GstMessage        *message);

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  g_autoptr(SipwsMediaSession) self = g_weak_ref_get (&((Shared *) user_data)->session);

  if (self == NULL || self->closed)
    return G_SOURCE_CONTINUE;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    bus_error (self, message);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING) {
    g_autoptr(GError) error = NULL;

    gst_message_parse_warning (message, &error, NULL);
    g_debug ("Pipeline warning from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_LATENCY) {
    gst_bin_recalculate_latency (GST_BIN (self->pipeline));
  }
  return G_SOURCE_CONTINUE;
}

/* A broken microphone or speaker must not end the call: send silence or
 * discard the audio instead. Anything else is fatal. */
static void
bus_error (SipwsMediaSession *self,
           GstMessage        *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;
  GstObject *src = GST_MESSAGE_SRC (message);

  gst_message_parse_error (message, &error, &debug);
  GST_WARNING_OBJECT (src, "error: %s (%s)", error->message, debug ? debug : "");

  if (self->send_source != NULL &&
      (src == GST_OBJECT (self->send_source) || gst_object_has_as_ancestor (src, GST_OBJECT (self->send_source)))) {
    g_warning ("Audio source failed (%s); sending silence", error->message);
    use_silence (self);
    switch_source (self);
    return;
  }

  g_mutex_lock (&self->shared->lock);
  for (guint i = 0; i < self->shared->recv_chains->len; i++) {
    RecvChain *chain = g_ptr_array_index (self->shared->recv_chains, i);

    if (src == GST_OBJECT (chain->sink) || gst_object_has_as_ancestor (src, GST_OBJECT (chain->sink))) {
      g_mutex_unlock (&self->shared->lock);
      g_warning ("Audio output failed (%s); discarding received audio", error->message);
      swap_sinks (self, src, TRUE);
      return;
    }
  }
  g_mutex_unlock (&self->shared->lock);

  fail_media (self, SIPWS_MEDIA_ERROR_PIPELINE, "Audio pipeline error in %s: %s",
              GST_OBJECT_NAME (src), error->message);
}

static gboolean
pin_local_addresses (SipwsMediaSession  *self,
                     GError            **error)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return TRUE;
  /* the default adds TCP candidates nobody uses */
  g_object_set (ice, "ice-tcp", FALSE, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return TRUE;
  /* UPnP-IGD port mapping multicasts SSDP on every interface and delays
   * gathering; WebRTC peers and TURN make it pointless. */
  g_object_set (agent, "upnp", FALSE, NULL);
  if (self->local_addresses == NULL)
    return TRUE;

  /* libnice 0.1.21 skips loopback interfaces and webrtcbin 1.22 has no API
   * for this: pin the addresses on the NiceAgent itself (media-notes). */
  for (guint i = 0; self->local_addresses[i] != NULL; i++) {
    NiceAddress address;

    nice_address_init (&address);
    if (!nice_address_set_from_string (&address, self->local_addresses[i])) {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                   "Local address %s is not an IP address", self->local_addresses[i]);
      return FALSE;
    }
    nice_agent_add_local_address (NICE_AGENT (agent), &address);
  }
  return TRUE;
}

static gboolean
ensure_pipeline (SipwsMediaSession  *self,
                 GError            **error)
{
  Shared *shared = self->shared;
  g_autoptr(GstBus) bus = NULL;
  GstElement *webrtc;

  if (self->pipeline != NULL)
    return TRUE;

  webrtc = make_element ("webrtcbin", error);
  if (webrtc == NULL)
    return FALSE;

  self->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  self->webrtc = webrtc;
  gst_bin_add (GST_BIN (self->pipeline), webrtc);
  g_object_set (webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                "latency", self->jitter_buffer_ms, NULL);
  if (self->stun_server != NULL)
    g_object_set (webrtc, "stun-server", self->stun_server, NULL);
  for (guint i = 0; i < self->turn_servers->len; i++) {
    gboolean added = FALSE;

    g_signal_emit_by_name (webrtc, "add-turn-server", g_ptr_array_index (self->turn_servers, i), &added);
    if (!added)
      g_warning ("webrtcbin refused TURN server %u", i);
  }

  g_signal_connect_data (webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb),
                         shared_ref (shared), (GClosureNotify) (void (*) (void)) shared_unref, 0);
  g_signal_connect_data (webrtc, "notify::ice-gathering-state", G_CALLBACK (gathering_state_cb),
                         shared_ref (shared), (GClosureNotify) (void (*) (void)) shared_unref, 0);
  g_signal_connect_data (webrtc, "notify::ice-connection-state", G_CALLBACK (connection_state_cb),
                         shared_ref (shared), (GClosureNotify) (void (*) (void)) shared_unref, 0);
  g_signal_connect_data (webrtc, "notify::connection-state", G_CALLBACK (connection_state_cb),
                         shared_ref (shared), (GClosureNotify) (void (*) (void)) shared_unref, 0);
  g_signal_connect_data (webrtc, "pad-added", G_CALLBACK (pad_added_cb),
                         shared_ref (shared), (GClosureNotify) (void (*) (void)) shared_unref, 0);

  if (!pin_local_addresses (self, error))
    return FALSE;

  self->webrtc_sink = gst_element_request_pad_simple (webrtc, "sink_%u");
  g_object_get (self->webrtc_sink, "transceiver", &self->transceiver, NULL);
  set_codec_preferences (self, initial_formats, G_N_ELEMENTS (initial_formats));

  g_mutex_lock (&shared->lock);
  shared->pipeline = self->pipeline;
  g_mutex_unlock (&shared->lock);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc) (void (*) (void)) bus_cb, shared_ref (shared), shared_unref);
  g_source_attach (self->bus_source, self->context);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "The media pipeline cannot be started");
    return FALSE;
  }
  return TRUE;
}

/* ---- Negotiation ---- */

static void
finish_task (SipwsMediaSession *self,
             char              *sdp,
             GError            *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  self->serial++;
  if (self->cancellable != NULL) {
    g_cancellable_disconnect (self->cancellable, self->cancel_id);
    self->cancel_id = 0;
    g_clear_object (&self->cancellable);
  }
  clear_source (&self->gather_soft);
  clear_source (&self->gather_limit);
  self->gathering = FALSE;
  if (task == NULL) {
    g_free (sdp);
    g_clear_error (&error);
    return;
  }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sdp, g_free);
}

static void
fail_task (SipwsMediaSession *self,
           GError            *error)
{
  if (self->phase == PHASE_BUILDING_OFFER || self->phase == PHASE_BUILDING_ANSWER)
    self->phase = PHASE_IDLE;
  g_clear_pointer (&self->remote_offer, sipws_remote_sdp_free);
  if (self->state == SIPWS_MEDIA_STATE_NEGOTIATING && !self->negotiated)
    set_media_state (self, SIPWS_MEDIA_STATE_NEW);
  finish_task (self, NULL, error);
}

static void
cancel_main (SipwsMediaSession *self,
             gpointer           data)
{
  guint serial = GPOINTER_TO_UINT (data);

  if (self->task != NULL && serial == self->serial)
    fail_task (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The media negotiation was cancelled"));
}

typedef struct {
  Shared *shared;
  guint   serial;
} CancelData;

static void
cancel_data_free (gpointer data)
{
  CancelData *cancel = data;

  shared_unref (cancel->shared);
  g_free (cancel);
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  CancelData *cancel = user_data;

  hop (cancel->shared, cancel_main, GUINT_TO_POINTER (cancel->serial), NULL);
}

static gboolean
start_task (SipwsMediaSession   *self,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag,
            GError             **error)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->closed) {
    g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_CANCELLED, "The media session is closed");
    g_object_unref (task);
    return FALSE;
  }
  if (self->task != NULL) {
    g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                             "An offer or answer is already being built for this call");
    g_object_unref (task);
    return FALSE;
  }
  if (g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return FALSE;
  }
  self->task = task;
  self->serial++;
  if (cancellable != NULL) {
    CancelData *cancel = g_new0 (CancelData, 1);

    cancel->shared = shared_ref (self->shared);
    cancel->serial = self->serial;
    self->cancellable = g_object_ref (cancellable);
    self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), cancel, cancel_data_free);
  }
  if (!self->negotiated)
    set_media_state (self, SIPWS_MEDIA_STATE_NEGOTIATING);
  if (!ensure_pipeline (self, error))
    return FALSE;
  return TRUE;
}

typedef struct {
  guint                        serial;
  GstWebRTCSessionDescription *desc;
  GError                      *error;
} PromiseResult;

static void
promise_result_free (gpointer data)
{
  PromiseResult *result = data;

  g_clear_pointer (&result->desc, gst_webrtc_session_description_free);
  g_clear_error (&result->error);
  g_free (result);
}

typedef struct {
  Shared     *shared;
  HopFunc     func;
  guint       serial;
  const char *field;   /* "offer", "answer" or NULL */
} PromiseData;

static void
promise_data_free (gpointer data)
{
  PromiseData *pd = data;

  shared_unref (pd->shared);
  g_free (pd);
}

/* On a webrtcbin thread: the reply is only valid here, so copy it. */
static void
promise_cb (GstPromise *promise,
            gpointer    user_data)
{
  PromiseData *pd = user_data;
  PromiseResult *result = g_new0 (PromiseResult, 1);
  const GstStructure *reply = NULL;

  forget_promise (pd->shared, promise);
  result->serial = pd->serial;
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL && gst_structure_has_field (reply, "error")) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &result->error, NULL);
  } else if (pd->field != NULL) {
    if (reply != NULL)
      gst_structure_get (reply, pd->field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &result->desc, NULL);
    if (result->desc == NULL)
      result->error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_MEDIA, "webrtcbin produced no %s", pd->field);
  }
  hop (pd->shared, pd->func, result, promise_result_free);
}

static GstPromise *
new_promise (SipwsMediaSession *self,
             HopFunc            func,
             const char        *field)
{
  PromiseData *pd = g_new0 (PromiseData, 1);

  pd->shared = shared_ref (self->shared);
  pd->func = func;
  pd->serial = self->serial;
  pd->field = field;
  return gst_promise_new_with_change_func (promise_cb, pd, promise_data_free);
}

/* webrtcbin drops the promises of tasks still queued when it stops, and a
 * pending promise must not be freed: the session keeps a reference to each
 * until it is resolved, and interrupts the rest when it closes. */
static void
call_webrtc (SipwsMediaSession *self,
             const char        *action,
             gpointer           argument,
             GstPromise        *promise)
{
  g_mutex_lock (&self->shared->promise_lock);
  g_ptr_array_add (self->shared->promises, gst_promise_ref (promise));
  g_mutex_unlock (&self->shared->promise_lock);
  g_signal_emit_by_name (self->webrtc, action, argument, promise);
  gst_promise_unref (promise);
}

static gboolean
result_is_current (SipwsMediaSession *self,
                   PromiseResult     *result)
{
  return self->task != NULL && result->serial == self->serial;
}

static GError *
engine_error (const char *what,
              GError     *error)
{
  return g_error_new (SIPWS_ERROR, SIPWS_ERROR_MEDIA, "webrtcbin could not %s: %s", what, error->message);
}

static void
add_known_candidates (SipwsMediaSession *self,
                      GstSDPMedia       *media)
{
  for (guint i = 0; i < self->local_candidates->len; i++) {
    const char *candidate = g_ptr_array_index (self->local_candidates, i);
    const char *value = g_str_has_prefix (candidate, "candidate:") ? candidate + strlen ("candidate:") : candidate;
    gboolean present = FALSE;

    for (guint j = 0; j < gst_sdp_media_attributes_len (media) && !present; j++) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, j);

      present = g_strcmp0 (attr->key, "candidate") == 0 && g_strcmp0 (attr->value, value) == 0;
    }
    if (!present)
      gst_sdp_media_add_attribute (media, "candidate", value);
  }
}

static void negotiation_complete (SipwsMediaSession *self);

/* Gathering is over (or cut off): hand the SDP with every candidate so far
 * to the user agent. */
static void
complete_local_description (SipwsMediaSession *self)
{
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  gboolean answering = self->phase == PHASE_BUILDING_ANSWER;
  SipwsSipSdpParams params = { 0, };
  g_autofree char *text = NULL;
  GstSDPMedia *media;

  clear_source (&self->gather_soft);
  clear_source (&self->gather_limit);
  self->gathering = FALSE;

  g_object_get (self->webrtc, "local-description", &desc, NULL);
  if (desc == NULL) {
    fail_task (self, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_MEDIA, "webrtcbin has no local description"));
    return;
  }

  params.sess_id = self->sess_id;
  params.sess_version = self->sess_version;
  params.audio_index = answering ? self->remote_offer->audio_index : 0;
  params.offer = answering ? self->remote_offer : NULL;
  params.direction = answering ? sipws_media_direction_answer (self->remote_offer->direction, self->direction)
                               : self->direction;
  if (params.audio_index >= gst_sdp_message_medias_len (desc->sdp)) {
    fail_task (self, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                                          "webrtcbin's description lacks the audio m-line"));
    return;
  }
  media = (GstSDPMedia *) gst_sdp_message_get_media (desc->sdp, params.audio_index);
  add_known_candidates (self, media);

  /* RFC 3264 §8: the version changes only when the SDP does */
  text = sipws_sdp_to_sip (desc->sdp, &params);
  if (self->local_sdp == NULL || g_strcmp0 (text, self->local_sdp) != 0) {
    g_free (text);
    params.sess_version = ++self->sess_version;
    text = sipws_sdp_to_sip (desc->sdp, &params);
  }
  g_free (self->local_sdp);
  self->local_sdp = g_strdup (text);
  self->local_direction = params.direction;
  g_debug ("Local %s ready with %u candidate(s)", answering ? "answer" : "offer", self->local_candidates->len);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_SDP]);

  if (answering) {
    self->remote_direction = self->remote_offer->direction;
    g_clear_pointer (&self->remote_offer, sipws_remote_sdp_free);
    self->phase = PHASE_IDLE;
    negotiation_complete (self);
  } else {
    self->phase = PHASE_OFFER_SENT;
  }
  finish_task (self, g_steal_pointer (&text), NULL);
}

static gboolean
gather_soft_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;

  g_clear_pointer (&self->gather_soft, g_source_unref);
  self->gather_soft_expired = TRUE;
  if (self->local_candidates->len > 0) {
    g_debug ("Gathering cut off after %u ms", self->gather_timeout_ms);
    complete_local_description (self);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
gather_limit_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;

  g_clear_pointer (&self->gather_limit, g_source_unref);
  g_debug ("Gathering limit of %u ms reached with %u candidate(s)", self->gather_limit_ms,
           self->local_candidates->len);
  complete_local_description (self);
  return G_SOURCE_REMOVE;
}

static void
candidate_main (SipwsMediaSession *self,
                gpointer           data)
{
  const char *candidate = data;

  for (guint i = 0; i < self->local_candidates->len; i++) {
    if (g_strcmp0 (g_ptr_array_index (self->local_candidates, i), candidate) == 0)
      return;
  }
  g_ptr_array_add (self->local_candidates, g_strdup (candidate));
  if (self->gathering && self->gather_soft_expired)
    complete_local_description (self);
}

static void
gathering_main (SipwsMediaSession *self,
                gpointer           data)
{
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;

  g_object_get (self->webrtc, "ice-gathering-state", &state, NULL);
  if (self->gathering && state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    complete_local_description (self);
}

static void
local_description_set_main (SipwsMediaSession *self,
                            gpointer           data)
{
  PromiseResult *result = data;
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;

  if (!result_is_current (self, result))
    return;
  if (result->error != NULL) {
    fail_task (self, engine_error ("apply the local description", result->error));
    return;
  }

  g_object_get (self->webrtc, "ice-gathering-state", &state, NULL);
  /* a renegotiation reuses the gathered candidates */
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE || (self->negotiated && self->local_candidates->len > 0)) {
    complete_local_description (self);
    return;
  }
  self->gathering = TRUE;
  self->gather_soft_expired = FALSE;
  self->gather_soft = add_timeout (self, self->gather_timeout_ms, gather_soft_cb);
  self->gather_limit = add_timeout (self, MAX (self->gather_limit_ms, self->gather_timeout_ms), gather_limit_cb);
}

static void
set_local_description (SipwsMediaSession           *self,
                       GstWebRTCSessionDescription *desc)
{
  call_webrtc (self, "set-local-description", desc, new_promise (self, local_description_set_main, NULL));
}

static void
offer_created_main (SipwsMediaSession *self,
                    gpointer           data)
{
  PromiseResult *result = data;
  GstSDPMedia *media;

  if (!result_is_current (self, result))
    return;
  if (result->error != NULL) {
    fail_task (self, engine_error ("create an offer", result->error));
    return;
  }
  if (gst_sdp_message_medias_len (result->desc->sdp) != 1) {
    fail_task (self, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_MEDIA, "webrtcbin's offer has no audio m-line"));
    return;
  }
  media = (GstSDPMedia *) gst_sdp_message_get_media (result->desc->sdp, 0);
  if (self->negotiated)
    sipws_sdp_media_set_formats (media, &self->format, 1);
  else
    sipws_sdp_media_set_formats (media, initial_formats, G_N_ELEMENTS (initial_formats));
  set_local_description (self, result->desc);
}

static void
sipws_media_session_create_offer_async (SipwsMediaHandler   *handler,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);
  GError *error = NULL;

  if (!start_task (self, cancellable, callback, user_data, sipws_media_session_create_offer_async, &error)) {
    if (error != NULL)
      fail_task (self, error);
    return;
  }
  self->phase = PHASE_BUILDING_OFFER;
  g_clear_pointer (&self->early_answer, sipws_remote_sdp_free);
  call_webrtc (self, "create-offer", NULL, new_promise (self, offer_created_main, "offer"));
}

static char *
finish_sdp_task (SipwsMediaSession  *self,
                 GAsyncResult       *result,
                 gpointer            source_tag,
                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
sipws_media_session_create_offer_finish (SipwsMediaHandler  *handler,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  return finish_sdp_task (SIPWS_MEDIA_SESSION (handler), result, sipws_media_session_create_offer_async, error);
}

static void
answer_created_main (SipwsMediaSession *self,
                     gpointer           data)
{
  PromiseResult *result = data;

  if (!result_is_current (self, result))
    return;
  if (result->error != NULL) {
    fail_task (self, engine_error ("create an answer", result->error));
    return;
  }
  if (gst_sdp_message_medias_len (result->desc->sdp) != gst_sdp_message_medias_len (self->remote_offer->webrtc_sdp)) {
    fail_task (self, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                                          "webrtcbin's answer does not match the offer's m-lines"));
    return;
  }
  sipws_sdp_prepare_local_answer (result->desc->sdp, self->remote_offer, &self->format);
  set_local_description (self, result->desc);
}

static void
remote_offer_set_main (SipwsMediaSession *self,
                       gpointer           data)
{
  PromiseResult *result = data;

  if (!result_is_current (self, result))
    return;
  if (result->error != NULL) {
    fail_task (self, engine_error ("apply the remote offer", result->error));
    return;
  }
  call_webrtc (self, "create-answer", NULL, new_promise (self, answer_created_main, "answer"));
}

static void
set_remote_sdp_text (SipwsMediaSession *self,
                     const char        *sdp)
{
  g_free (self->remote_sdp);
  self->remote_sdp = g_strdup (sdp);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_SDP]);
}

static void
sipws_media_session_create_answer_async (SipwsMediaHandler   *handler,
                                         const char          *remote_offer,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);
  g_autoptr(SipwsRemoteSdp) offer = NULL;
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  GstSDPMessage *copy = NULL;
  SipwsAudioFormat format;
  GError *error = NULL;

  if (!start_task (self, cancellable, callback, user_data, sipws_media_session_create_answer_async, &error)) {
    if (error != NULL)
      fail_task (self, error);
    return;
  }
  self->phase = PHASE_BUILDING_ANSWER;

  offer = sipws_remote_sdp_parse (remote_offer, TRUE, &error);
  if (offer == NULL || !sipws_remote_sdp_choose_format (offer, self->negotiated ? &self->format : NULL,
                                                        &format, &error)) {
    fail_task (self, error);
    return;
  }
  if (!self->negotiated) {
    self->format = format;
    set_codec_preferences (self, &format, 1);
  } else {
    self->format.pt = format.pt;
    self->format.te_pt = format.te_pt;
    self->format.te_rate = format.te_rate;
  }
  g_debug ("Answering with %s/%u (payload type %u, telephone-event %d); dropped %u remote candidate(s)",
           sipws_codec_name (format.codec), sipws_codec_clock_rate (format.codec), format.pt, format.te_pt,
           offer->n_dropped_candidates);
  self->n_remote_candidates = offer->candidates->len;
  set_string (&self->remote_fingerprint, offer->fingerprint);
  set_remote_sdp_text (self, remote_offer);
  self->remote_offer = g_steal_pointer (&offer);

  gst_sdp_message_copy (self->remote_offer->webrtc_sdp, &copy);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, copy);
  call_webrtc (self, "set-remote-description", desc, new_promise (self, remote_offer_set_main, NULL));
}

static char *
sipws_media_session_create_answer_finish (SipwsMediaHandler  *handler,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  return finish_sdp_task (SIPWS_MEDIA_SESSION (handler), result, sipws_media_session_create_answer_async, error);
}

static void
remote_answer_set_main (SipwsMediaSession *self,
                        gpointer           data)
{
  PromiseResult *result = data;

  if (result->error != NULL)
    fail_media (self, SIPWS_MEDIA_ERROR_NEGOTIATION, "webrtcbin could not apply the remote answer: %s",
                result->error->message);
}

/* Candidates of a later answer from the same endpoint that the earlier one
 * did not have. */
static void
add_new_remote_candidates (SipwsMediaSession    *self,
                           const SipwsRemoteSdp *previous,
                           const SipwsRemoteSdp *answer)
{
  for (guint i = 0; i < answer->candidates->len; i++) {
    const char *candidate = g_ptr_array_index (answer->candidates, i);
    g_autofree char *line = NULL;
    gboolean known = FALSE;

    for (guint j = 0; j < previous->candidates->len && !known; j++)
      known = g_strcmp0 (g_ptr_array_index (previous->candidates, j), candidate) == 0;
    if (known)
      continue;
    line = g_strdup_printf ("a=candidate:%s", candidate);
    g_signal_emit_by_name (self->webrtc, "add-ice-candidate", 0, line);
  }
}

static gboolean
sipws_media_session_set_remote_answer (SipwsMediaHandler  *handler,
                                       const char         *sdp,
                                       gboolean            provisional,
                                       GError            **error)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);
  g_autoptr(SipwsRemoteSdp) answer = NULL;
  SipwsAudioFormat format;

  if (self->closed) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_CANCELLED, "The media session is closed");
    return FALSE;
  }
  if (self->phase != PHASE_OFFER_SENT && self->phase != PHASE_EARLY) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA, "No offer of ours is waiting for an answer");
    return FALSE;
  }
  answer = sipws_remote_sdp_parse (sdp, FALSE, error);
  if (answer == NULL)
    return FALSE;
  if (answer->audio_index != 0 || gst_sdp_message_medias_len (answer->original) != 1) {
    g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                         "The remote answer does not have exactly the one audio m-line of our offer");
    return FALSE;
  }
  if (!sipws_remote_sdp_choose_format (answer, self->negotiated ? &self->format : NULL, &format, error))
    return FALSE;

  if (self->phase == PHASE_EARLY) {
    /* RFC 3261 §13.2.1: the 2xx may repeat the 18x answer or differ from it.
     * The same endpoint (ICE credentials, certificate) can change direction
     * and candidates; another one would need a new ICE/DTLS context. */
    if (!sipws_remote_sdp_same_endpoint (self->early_answer, answer)) {
      g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                           "This answer comes from another media endpoint (ICE credentials or DTLS fingerprint "
                           "differ from the early answer); switching endpoints needs a new offer");
      return FALSE;
    }
    if (format.codec != self->format.codec) {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA,
                   "This answer picks %s after the early answer picked %s; changing the codec is not supported",
                   sipws_codec_name (format.codec), sipws_codec_name (self->format.codec));
      return FALSE;
    }
    add_new_remote_candidates (self, self->early_answer, answer);
  } else {
    g_autoptr(GstWebRTCSessionDescription) desc = NULL;
    GstSDPMessage *copy = NULL;

    gst_sdp_message_copy (answer->webrtc_sdp, &copy);
    desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, copy);
    call_webrtc (self, "set-remote-description", desc, new_promise (self, remote_answer_set_main, NULL));
  }

  g_debug ("Remote %s answer: %s/%u (payload type %u, telephone-event %d), %s, %u candidate(s), dropped %u",
           provisional ? "early" : "final", sipws_codec_name (format.codec), sipws_codec_clock_rate (format.codec),
           format.pt, format.te_pt, sipws_media_direction_to_sdp (answer->direction), answer->candidates->len,
           answer->n_dropped_candidates);
  self->format = format;
  self->remote_direction = answer->direction;
  self->n_remote_candidates = answer->candidates->len;
  set_string (&self->remote_fingerprint, answer->fingerprint);
  set_remote_sdp_text (self, sdp);
  g_clear_pointer (&self->early_answer, sipws_remote_sdp_free);
  if (provisional) {
    self->early_answer = g_steal_pointer (&answer);
    self->phase = PHASE_EARLY;
  } else {
    self->phase = PHASE_IDLE;
  }
  negotiation_complete (self);
  return TRUE;
}

/* ---- Monitoring ---- */

static guint64
packets_received (SipwsMediaSession *self)
{
  guint64 n;

  g_mutex_lock (&self->shared->analysis_lock);
  n = self->shared->packets_received;
  g_mutex_unlock (&self->shared->analysis_lock);
  return n;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;
  GstWebRTCICEConnectionState ice = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  gboolean expect_rtp = sipws_media_direction_receives (self->local_direction) &&
                        sipws_media_direction_sends (self->remote_direction);

  g_clear_pointer (&self->watchdog, g_source_unref);
  g_object_get (self->webrtc, "ice-connection-state", &ice, NULL);

  if (ice != GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED && ice != GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    fail_media (self, SIPWS_MEDIA_ERROR_ICE_FAILED,
                "ICE did not connect within %u ms after the answer (%u local, %u remote candidates)",
                self->media_timeout_ms, self->local_candidates->len, self->n_remote_candidates);
  else if (self->state != SIPWS_MEDIA_STATE_CONNECTED)
    fail_media (self, SIPWS_MEDIA_ERROR_DTLS_FAILED,
                "ICE connected but the DTLS-SRTP handshake did not complete within %u ms after the answer",
                self->media_timeout_ms);
  else if (expect_rtp && packets_received (self) == 0)
    fail_media (self, SIPWS_MEDIA_ERROR_NO_RTP,
                "No RTP arrived within %u ms after the answer although ICE and DTLS are up",
                self->media_timeout_ms);
  return G_SOURCE_REMOVE;
}

static void peer_can_decrypt (SipwsMediaSession *self);

/* SRTP from the peer: it has finished DTLS and has the keys. */
static void
first_rtp_main (SipwsMediaSession *self,
                gpointer           data)
{
  g_debug ("First RTP packet received");
  if (self->state == SIPWS_MEDIA_STATE_CONNECTED)
    clear_source (&self->watchdog);
  peer_can_decrypt (self);
}

static gboolean
peer_wait_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;

  g_clear_pointer (&self->peer_wait, g_source_unref);
  g_debug ("Still no RTP from the peer since DTLS is up; digits wait no longer");
  peer_can_decrypt (self);
  return G_SOURCE_REMOVE;
}

static gboolean
remote_certificate_matches (SipwsMediaSession *self)
{
  g_autoptr(GstWebRTCRTPReceiver) receiver = NULL;
  g_autoptr(GstWebRTCDTLSTransport) transport = NULL;
  g_autofree char *pem = NULL;

  g_object_get (self->transceiver, "receiver", &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &transport, NULL);
  if (transport != NULL)
    g_object_get (transport, "remote-certificate", &pem, NULL);
  return sipws_sdp_fingerprint_matches (self->remote_fingerprint, pem);
}

static void
connection_main (SipwsMediaSession *self,
                 gpointer           data)
{
  GstWebRTCICEConnectionState ice = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  GstWebRTCPeerConnectionState pc = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;

  g_object_get (self->webrtc, "ice-connection-state", &ice, "connection-state", &pc, NULL);
  g_debug ("ICE %d, connection %d", ice, pc);

  if (ice == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED) {
    fail_media (self, SIPWS_MEDIA_ERROR_ICE_FAILED,
                "ICE failed: no candidate pair worked (%u local, %u remote candidates)",
                self->local_candidates->len, self->n_remote_candidates);
  } else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    fail_media (self, SIPWS_MEDIA_ERROR_DTLS_FAILED, "The DTLS-SRTP handshake failed");
  } else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !self->failed) {
    if (!remote_certificate_matches (self)) {
      /* stop audio both ways: keys may be known to someone else */
      g_atomic_int_set (&self->shared->recv_allowed, FALSE);
      if (self->send_valve != NULL)
        g_object_set (self->send_valve, "drop", TRUE, NULL);
      self->send_allowed = FALSE;
      fail_media (self, SIPWS_MEDIA_ERROR_DTLS_FAILED,
                  "The peer's DTLS certificate does not match the fingerprint in its SDP");
      return;
    }
    set_media_state (self, SIPWS_MEDIA_STATE_CONNECTED);
    if (packets_received (self) > 0) {
      clear_source (&self->watchdog);
      peer_can_decrypt (self);
    } else if (!self->peer_decrypts && self->peer_wait == NULL) {
      self->peer_wait = add_timeout (self, sipws_media_direction_sends (self->remote_direction)
                                           ? DTMF_PEER_RTP_WAIT_MS : DTMF_PEER_SILENT_WAIT_MS,
                                     peer_wait_cb);
    }
  }
}

static GstStructure *
live_stats (SipwsMediaSession *self)
{
  Shared *shared = self->shared;
  GstStructure *stats = self->stats != NULL ? gst_structure_copy (self->stats)
                                            : gst_structure_new ("sipws-media-stats",
                                                                 "rtt-ms", G_TYPE_DOUBLE, -1.0,
                                                                 NULL);

  /* the probes' counters are exact now; webrtcbin's are up to one poll old */
  g_mutex_lock (&shared->analysis_lock);
  gst_structure_set (stats,
                     "packets-sent", G_TYPE_UINT64, shared->packets_sent,
                     "bytes-sent", G_TYPE_UINT64, shared->bytes_sent,
                     "packets-received", G_TYPE_UINT64, shared->packets_received,
                     "bytes-received", G_TYPE_UINT64, shared->bytes_received,
                     NULL);
  g_mutex_unlock (&shared->analysis_lock);
  if (self->negotiated && !gst_structure_has_field (stats, "codec")) {
    g_autofree char *codec = g_strdup_printf ("%s/%u", sipws_codec_name (self->format.codec),
                                              sipws_codec_clock_rate (self->format.codec));

    gst_structure_set (stats, "codec", G_TYPE_STRING, codec, NULL);
  }
  return stats;
}

static void
stats_main (SipwsMediaSession *self,
            gpointer           data)
{
  g_autoptr(GstStructure) stats = NULL;

  g_clear_pointer (&self->stats, gst_structure_free);
  self->stats = gst_structure_copy (data);
  stats = live_stats (self);
  g_signal_emit (self, signals[SIGNAL_STATS_UPDATED], 0, stats);
}

typedef struct {
  Shared *shared;
  guint   jitter_buffer_ms;
} StatsRequest;

static void
stats_request_free (gpointer data)
{
  StatsRequest *request = data;

  shared_unref (request->shared);
  g_free (request);
}

static void
stats_promise_cb (GstPromise *promise,
                  gpointer    user_data)
{
  StatsRequest *request = user_data;
  const GstStructure *reply = NULL;

  forget_promise (request->shared, promise);
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL && !gst_structure_has_field (reply, "error"))
    hop (request->shared, stats_main, sipws_media_stats_summarize (reply, request->jitter_buffer_ms),
         (GDestroyNotify) gst_structure_free);
}

static gboolean
stats_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;
  StatsRequest *request = g_new0 (StatsRequest, 1);

  request->shared = shared_ref (self->shared);
  request->jitter_buffer_ms = self->jitter_buffer_ms;
  call_webrtc (self, "get-stats", NULL, gst_promise_new_with_change_func (stats_promise_cb, request, stats_request_free));
  return G_SOURCE_CONTINUE;
}

/* Offer and answer are both known: apply the directions, start sending,
 * watch that media flows. */
static void
negotiation_complete (SipwsMediaSession *self)
{
  g_autoptr(GError) error = NULL;
  gboolean first = !self->negotiated;
  gboolean recv_allowed = sipws_media_direction_receives (self->local_direction) &&
                          sipws_media_direction_sends (self->remote_direction);

  self->negotiated = TRUE;
  self->send_allowed = sipws_media_direction_sends (self->local_direction) &&
                       sipws_media_direction_receives (self->remote_direction);
  g_atomic_int_set (&self->shared->recv_allowed, recv_allowed);
  g_debug ("Negotiated %s/%u: send %s, receive %s", sipws_codec_name (self->format.codec),
           sipws_codec_clock_rate (self->format.codec), self->send_allowed ? "yes" : "no",
           recv_allowed ? "yes" : "no");

  if (self->send_valve != NULL)
    g_object_set (self->send_valve, "drop", !self->send_allowed, NULL);
  else if (!build_send_chain (self, &error))
    fail_media (self, SIPWS_MEDIA_ERROR_PIPELINE, "The audio send chain cannot be built: %s", error->message);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODEC]);

  if (self->state == SIPWS_MEDIA_STATE_NEW || self->state == SIPWS_MEDIA_STATE_NEGOTIATING)
    set_media_state (self, SIPWS_MEDIA_STATE_CONNECTING);
  if (first && self->media_timeout_ms > 0)
    self->watchdog = add_timeout (self, self->media_timeout_ms, watchdog_cb);
  if (first && self->stats_interval_ms > 0)
    self->stats_timer = add_timeout (self, self->stats_interval_ms, stats_cb);
}

/* ---- DTMF out ----
 *
 * Digits wait until the peer can decrypt them: an event sent earlier is
 * lost whole, not just delayed. webrtcbin drops RTP until ICE and DTLS are
 * up, and the side that completes DTLS first (the server, which sends the
 * last flight) may start sending a trip before the peer has its keys, or a
 * retransmission timeout before if that flight is lost. The peer's first
 * RTP packet proves it has them; without one the digits go after a wait. */

static void
send_dtmf_event (SipwsMediaSession *self,
                 gint               number,
                 gboolean           start)
{
  g_autoptr(GstPad) pad = gst_element_get_static_pad (self->dtmf_src, "src");
  GstStructure *s = gst_structure_new ("dtmf-event",
                                       "type", G_TYPE_INT, 1,
                                       "number", G_TYPE_INT, MAX (number, 0),
                                       "volume", G_TYPE_INT, DTMF_VOLUME,
                                       "start", G_TYPE_BOOLEAN, start,
                                       NULL);

  /* to the pad: gst_element_send_event() on rtpdtmfsrc is ignored */
  gst_pad_send_event (pad, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, s));
}

static gboolean dtmf_next_cb (gpointer user_data);

static gboolean
dtmf_stop_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;

  g_clear_pointer (&self->dtmf_timer, g_source_unref);
  send_dtmf_event (self, 0, FALSE);
  self->dtmf_timer = add_timeout (self, DTMF_GAP_MS, dtmf_next_cb);
  return G_SOURCE_REMOVE;
}

static gboolean
dtmf_next_cb (gpointer user_data)
{
  SipwsMediaSession *self = user_data;
  guint packed;

  g_clear_pointer (&self->dtmf_timer, g_source_unref);
  if (g_queue_is_empty (&self->dtmf_queue)) {
    self->dtmf_playing = FALSE;
    return G_SOURCE_REMOVE;
  }
  self->dtmf_playing = TRUE;
  packed = GPOINTER_TO_UINT (g_queue_pop_head (&self->dtmf_queue));
  send_dtmf_event (self, sipws_dtmf_event_from_digit ((char) (packed & 0xff)), TRUE);
  self->dtmf_timer = add_timeout (self, packed >> 8, dtmf_stop_cb);
  return G_SOURCE_REMOVE;
}

static void
dtmf_kick (SipwsMediaSession *self)
{
  if (!self->dtmf_playing && !g_queue_is_empty (&self->dtmf_queue) && self->peer_decrypts &&
      self->state == SIPWS_MEDIA_STATE_CONNECTED)
    dtmf_next_cb (self);
}

static void
peer_can_decrypt (SipwsMediaSession *self)
{
  clear_source (&self->peer_wait);
  if (!self->peer_decrypts)
    g_debug ("The peer decrypts our media: DTMF may go");
  self->peer_decrypts = TRUE;
  dtmf_kick (self);
}

static gboolean
sipws_media_session_send_dtmf (SipwsMediaHandler  *handler,
                               char                digit,
                               guint               duration_ms,
                               GError            **error)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);

  if (!sipws_media_dtmf_digit_is_valid (digit)) {
    g_set_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_INVALID_DIGIT,
                 "0x%02x is not a DTMF digit (0-9, *, #, A-D)", (guint) (guchar) digit);
    return FALSE;
  }
  if (self->closed || !self->negotiated || !self->send_allowed) {
    g_set_error_literal (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_NOT_SENDING,
                         "No audio is being sent (no answer yet, on hold, or closed)");
    return FALSE;
  }
  if (self->format.te_pt < 0 || self->dtmf_src == NULL) {
    g_set_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED,
                 "The remote side did not accept telephone-event/%u; send the digit with SIP INFO",
                 sipws_codec_clock_rate (self->format.codec));
    return FALSE;
  }
  g_queue_push_tail (&self->dtmf_queue,
                     GUINT_TO_POINTER ((guint) (guchar) digit | (MIN (duration_ms, DTMF_MAX_DURATION_MS) << 8)));
  dtmf_kick (self);
  return TRUE;
}

/* ---- Other handler methods ---- */

static void
sipws_media_session_set_direction (SipwsMediaHandler   *handler,
                                   SipwsMediaDirection  direction)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);

  if (self->direction == direction)
    return;
  self->direction = direction;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIRECTION]);
}

static void
sipws_media_session_set_muted (SipwsMediaHandler *handler,
                               gboolean           muted)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (self->send_volume != NULL)
    g_object_set (self->send_volume, "mute", muted, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

static void
sipws_media_session_close (SipwsMediaHandler *handler)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (handler);
  Shared *shared = self->shared;

  if (self->closed)
    return;
  self->closed = TRUE;

  /* from here on no streaming thread adds elements and no hop runs */
  g_mutex_lock (&shared->lock);
  g_atomic_int_set (&shared->closed, 1);
  g_mutex_unlock (&shared->lock);

  clear_source (&self->gather_soft);
  clear_source (&self->gather_limit);
  clear_source (&self->watchdog);
  clear_source (&self->stats_timer);
  clear_source (&self->dtmf_timer);
  clear_source (&self->peer_wait);
  g_queue_clear (&self->dtmf_queue);
  clear_source (&self->bus_source);

  set_loopback_target (self, NULL);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  interrupt_promises (shared);
  g_mutex_lock (&shared->lock);
  g_ptr_array_set_size (shared->recv_chains, 0);
  shared->pipeline = NULL;
  g_mutex_unlock (&shared->lock);
  g_clear_object (&self->transceiver);
  if (self->webrtc_sink != NULL && self->webrtc != NULL)
    gst_element_release_request_pad (self->webrtc, self->webrtc_sink);
  g_clear_object (&self->webrtc_sink);
  self->webrtc = NULL;
  self->send_source = self->send_convert = self->send_volume = self->send_valve = self->dtmf_src = NULL;
  g_clear_object (&self->pipeline);

  g_mutex_lock (&shared->analysis_lock);
  g_clear_pointer (&shared->wav, sipws_wav_writer_close);
  g_mutex_unlock (&shared->analysis_lock);

  g_clear_pointer (&self->remote_offer, sipws_remote_sdp_free);
  g_clear_pointer (&self->early_answer, sipws_remote_sdp_free);
  set_media_state (self, SIPWS_MEDIA_STATE_CLOSED);
  if (self->task != NULL)
    finish_task (self, NULL, g_error_new_literal (SIPWS_ERROR, SIPWS_ERROR_CANCELLED, "The media session was closed"));
}

/* ---- GObject ---- */

static double
current_level (SipwsMediaSession *self,
               double            *frequency)
{
  Shared *shared = self->shared;
  double level;

  g_mutex_lock (&shared->analysis_lock);
  if (shared->level_time == 0 || g_get_monotonic_time () - shared->level_time > LEVEL_STALE_US) {
    level = SIPWS_AUDIO_LEVEL_SILENCE;
    *frequency = 0.0;
  } else {
    level = shared->level_db;
    *frequency = shared->frequency;
  }
  g_mutex_unlock (&shared->analysis_lock);
  return level;
}

static void
sipws_media_session_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (object);
  double frequency = 0.0;

  switch (prop_id) {
  case PROP_LOCAL_ADDRESSES:
    g_value_set_boxed (value, self->local_addresses);
    break;
  case PROP_GATHER_TIMEOUT:
    g_value_set_uint (value, self->gather_timeout_ms);
    break;
  case PROP_GATHER_LIMIT:
    g_value_set_uint (value, self->gather_limit_ms);
    break;
  case PROP_MEDIA_TIMEOUT:
    g_value_set_uint (value, self->media_timeout_ms);
    break;
  case PROP_STATS_INTERVAL:
    g_value_set_uint (value, self->stats_interval_ms);
    break;
  case PROP_JITTER_BUFFER:
    g_value_set_uint (value, self->jitter_buffer_ms);
    break;
  case PROP_OPUS_BITRATE:
    g_value_set_uint (value, self->opus_bitrate);
    break;
  case PROP_AUDIO_SOURCE:
    g_value_set_string (value, self->audio_source);
    break;
  case PROP_SEND_TONE:
    g_value_set_double (value, self->send_tone);
    break;
  case PROP_PLAY_FILE:
    g_value_set_string (value, self->play_file);
    break;
  case PROP_INPUT_DEVICE:
    g_value_set_object (value, self->input_device);
    break;
  case PROP_AUDIO_SINK:
    g_mutex_lock (&self->shared->lock);
    g_value_set_string (value, self->shared->sink_description);
    g_mutex_unlock (&self->shared->lock);
    break;
  case PROP_OUTPUT_DEVICE:
    g_mutex_lock (&self->shared->lock);
    g_value_set_object (value, self->shared->output_device);
    g_mutex_unlock (&self->shared->lock);
    break;
  case PROP_RECORD_FILE:
    g_value_set_string (value, self->record_file);
    break;
  case PROP_LOOPBACK:
    g_value_set_boolean (value, self->loopback);
    break;
  case PROP_MUTED:
    g_value_set_boolean (value, self->muted);
    break;
  case PROP_DIRECTION:
    g_value_set_enum (value, self->direction);
    break;
  case PROP_LEVEL:
    g_value_set_double (value, current_level (self, &frequency));
    break;
  case PROP_FREQUENCY:
    current_level (self, &frequency);
    g_value_set_double (value, frequency);
    break;
  case PROP_LOCAL_SDP:
    g_value_set_string (value, self->local_sdp);
    break;
  case PROP_REMOTE_SDP:
    g_value_set_string (value, self->remote_sdp);
    break;
  case PROP_CODEC:
    g_value_set_string (value, sipws_media_session_get_codec (self));
    break;
  case PROP_MEDIA_STATE:
    g_value_set_enum (value, self->state);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sipws_media_session_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (object);

  switch (prop_id) {
  case PROP_LOCAL_ADDRESSES:
    sipws_media_session_set_local_addresses (self, g_value_get_boxed (value));
    break;
  case PROP_GATHER_TIMEOUT:
    self->gather_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_GATHER_LIMIT:
    self->gather_limit_ms = g_value_get_uint (value);
    break;
  case PROP_MEDIA_TIMEOUT:
    self->media_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_STATS_INTERVAL:
    self->stats_interval_ms = g_value_get_uint (value);
    break;
  case PROP_JITTER_BUFFER:
    self->jitter_buffer_ms = g_value_get_uint (value);
    break;
  case PROP_OPUS_BITRATE:
    self->opus_bitrate = g_value_get_uint (value);
    break;
  case PROP_AUDIO_SOURCE:
    sipws_media_session_set_audio_source (self, g_value_get_string (value));
    break;
  case PROP_SEND_TONE:
    sipws_media_session_set_send_tone (self, g_value_get_double (value));
    break;
  case PROP_PLAY_FILE:
    sipws_media_session_set_play_file (self, g_value_get_string (value));
    break;
  case PROP_INPUT_DEVICE:
    sipws_media_session_set_input_device (self, g_value_get_object (value));
    break;
  case PROP_AUDIO_SINK:
    sipws_media_session_set_audio_sink (self, g_value_get_string (value));
    break;
  case PROP_OUTPUT_DEVICE:
    sipws_media_session_set_output_device (self, g_value_get_object (value));
    break;
  case PROP_RECORD_FILE:
    sipws_media_session_set_record_file (self, g_value_get_string (value));
    break;
  case PROP_LOOPBACK:
    sipws_media_session_set_loopback (self, g_value_get_boolean (value));
    break;
  case PROP_MUTED:
    sipws_media_session_set_muted (SIPWS_MEDIA_HANDLER (self), g_value_get_boolean (value));
    break;
  case PROP_DIRECTION:
    sipws_media_session_set_direction (SIPWS_MEDIA_HANDLER (self), g_value_get_enum (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
sipws_media_session_dispose (GObject *object)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (object);

  sipws_media_session_close (SIPWS_MEDIA_HANDLER (self));

  G_OBJECT_CLASS (sipws_media_session_parent_class)->dispose (object);
}

static void
sipws_media_session_finalize (GObject *object)
{
  SipwsMediaSession *self = SIPWS_MEDIA_SESSION (object);

  shared_unref (self->shared);
  g_main_context_unref (self->context);
  g_strfreev (self->local_addresses);
  g_ptr_array_unref (self->turn_servers);
  g_free (self->stun_server);
  g_free (self->audio_source);
  g_free (self->play_file);
  g_clear_object (&self->input_device);
  g_free (self->record_file);
  g_free (self->local_sdp);
  g_free (self->remote_sdp);
  g_free (self->remote_fingerprint);
  g_ptr_array_unref (self->local_candidates);
  g_clear_pointer (&self->stats, gst_structure_free);

  G_OBJECT_CLASS (sipws_media_session_parent_class)->finalize (object);
}

static void
sipws_media_session_class_init (SipwsMediaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  GST_DEBUG_CATEGORY_INIT (sipws_media_debug, "sipws-media", 0, "libsipws media session");

  object_class->get_property = sipws_media_session_get_property;
  object_class->set_property = sipws_media_session_set_property;
  object_class->dispose = sipws_media_session_dispose;
  object_class->finalize = sipws_media_session_finalize;

  /**
   * SipwsMediaSession:local-addresses: (type GStrv)
   *
   * The only local IP addresses ICE gathers candidates on (for example
   * `127.0.0.1` in tests, or the address of one interface), or %NULL for all
   * interfaces except loopback. Takes effect when the first offer or answer
   * is built.
   */
  props[PROP_LOCAL_ADDRESSES] =
    g_param_spec_boxed ("local-addresses", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:gather-timeout:
   *
   * Milliseconds after which an offer or answer is handed over with the
   * candidates gathered so far, if there is at least one. Slow interfaces and
   * unreachable STUN servers thus never delay a call by more than this.
   */
  props[PROP_GATHER_TIMEOUT] =
    g_param_spec_uint ("gather-timeout", NULL, NULL, 50, 60000, 1000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:gather-limit:
   *
   * Milliseconds after which an offer or answer is handed over even without
   * any candidate.
   */
  props[PROP_GATHER_LIMIT] =
    g_param_spec_uint ("gather-limit", NULL, NULL, 50, 60000, 3000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:media-timeout:
   *
   * Milliseconds after the first answer within which ICE and DTLS must be up
   * and, unless the peer holds us, RTP must arrive; otherwise
   * [signal@Sipws.MediaHandler::media-failed] says which step failed. 0
   * disables the check.
   */
  props[PROP_MEDIA_TIMEOUT] =
    g_param_spec_uint ("media-timeout", NULL, NULL, 0, 600000, 5000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:stats-interval:
   *
   * Milliseconds between [signal@Sipws.MediaSession::stats-updated]
   * emissions once media is negotiated; 0 disables them.
   */
  props[PROP_STATS_INTERVAL] =
    g_param_spec_uint ("stats-interval", NULL, NULL, 0, 600000, 1000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:jitter-buffer:
   *
   * Size of the receive jitter buffer in milliseconds. Takes effect when the
   * first offer or answer is built.
   */
  props[PROP_JITTER_BUFFER] =
    g_param_spec_uint ("jitter-buffer", NULL, NULL, 10, 2000, 80,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:opus-bitrate:
   *
   * Opus bitrate in bit/s. Takes effect when sending starts.
   */
  props[PROP_OPUS_BITRATE] =
    g_param_spec_uint ("opus-bitrate", NULL, NULL, 6000, 510000, 32000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:audio-source:
   *
   * A gst-launch description of a live audio source (for example
   * `pulsesrc device=…`) to send, or %NULL. Setting it makes it the
   * source; the most recently set of this, [property@Sipws.MediaSession:send-tone],
   * [property@Sipws.MediaSession:play-file] and
   * [property@Sipws.MediaSession:input-device] wins. With none set the
   * session sends the system's default input (`autoaudiosrc`, or the
   * description in the `SIPWS_AUDIO_SOURCE` environment variable).
   * Changes apply at once, in the middle of a call, without renegotiation.
   */
  props[PROP_AUDIO_SOURCE] =
    g_param_spec_string ("audio-source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:send-tone:
   *
   * Frequency in Hz of a sine tone to send instead of a device, or 0.
   */
  props[PROP_SEND_TONE] =
    g_param_spec_double ("send-tone", NULL, NULL, 0.0, 20000.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:play-file:
   *
   * An audio file to send once, followed by silence, instead of a device.
   */
  props[PROP_PLAY_FILE] =
    g_param_spec_string ("play-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:input-device:
   *
   * The audio input device to send, from [class@Sipws.Devices], or %NULL.
   */
  props[PROP_INPUT_DEVICE] =
    g_param_spec_object ("input-device", NULL, NULL, GST_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:audio-sink:
   *
   * A gst-launch description of where received audio goes (for example
   * `fakesink`), or %NULL for the output device or the system default
   * (`autoaudiosink`, or the description in `SIPWS_AUDIO_SINK`). Changes
   * apply at once.
   */
  props[PROP_AUDIO_SINK] =
    g_param_spec_string ("audio-sink", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:output-device:
   *
   * The audio output device for received audio, from [class@Sipws.Devices],
   * or %NULL. It takes precedence over [property@Sipws.MediaSession:audio-sink].
   */
  props[PROP_OUTPUT_DEVICE] =
    g_param_spec_object ("output-device", NULL, NULL, GST_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:record-file:
   *
   * A WAV file (16-bit mono, 48 kHz) to record received audio to, besides
   * playing it. Set it before the first offer or answer.
   */
  props[PROP_RECORD_FILE] =
    g_param_spec_string ("record-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:loopback:
   *
   * Whether the session sends back what it receives instead of its audio
   * source: an echo service. The received audio is decoded and encoded
   * again, about 40 ms after it came out of the jitter buffer, over silence
   * while nothing is received (or the peer is on hold); telephone-events
   * are not echoed. It can be turned on and off at any time, also in the
   * middle of a call, without renegotiation; off, the configured source is
   * sent again.
   */
  props[PROP_LOOPBACK] =
    g_param_spec_boolean ("loopback", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:muted:
   *
   * Whether silence is sent instead of the source, without renegotiation.
   */
  props[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:direction:
   *
   * The direction of the next offer or answer; see
   * [method@Sipws.MediaHandler.set_direction].
   */
  props[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, SIPWS_TYPE_MEDIA_DIRECTION, SIPWS_MEDIA_DIRECTION_SENDRECV,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:level:
   *
   * RMS level of the received audio over the last 85 ms, in dBFS; -100 when
   * nothing was received for 400 ms. Not notified: read it, or connect to
   * [signal@Sipws.MediaSession::audio-level].
   */
  props[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL, -100.0, 0.0, -100.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:frequency:
   *
   * Dominant frequency of the received audio in Hz (0 for silence), as
   * [property@Sipws.MediaSession:level].
   */
  props[PROP_FREQUENCY] =
    g_param_spec_double ("frequency", NULL, NULL, 0.0, 24000.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsMediaSession:local-sdp:
   *
   * The last offer or answer handed to the user agent.
   */
  props[PROP_LOCAL_SDP] =
    g_param_spec_string ("local-sdp", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:remote-sdp:
   *
   * The last offer or answer received from the remote side.
   */
  props[PROP_REMOTE_SDP] =
    g_param_spec_string ("remote-sdp", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SipwsMediaSession:codec:
   *
   * The negotiated codec, as `opus/48000`, `PCMU/8000` or `PCMA/8000`, or
   * %NULL before negotiation.
   */
  props[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
  g_object_class_override_property (object_class, PROP_MEDIA_STATE, "media-state");

  /**
   * SipwsMediaSession::audio-level:
   * @self: the session
   * @level: RMS level of the received audio in dBFS
   * @frequency: its dominant frequency in Hz, 0 for silence
   *
   * Emitted about 12 times a second while audio is received.
   */
  signals[SIGNAL_AUDIO_LEVEL] =
    g_signal_new ("audio-level",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  /**
   * SipwsMediaSession::stats-updated:
   * @self: the session
   * @stats: the statistics, as [method@Sipws.MediaSession.get_stats] returns them
   *
   * Emitted every [property@Sipws.MediaSession:stats-interval] milliseconds
   * once media is negotiated.
   */
  signals[SIGNAL_STATS_UPDATED] =
    g_signal_new ("stats-updated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GST_TYPE_STRUCTURE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sipws_media_session_init (SipwsMediaSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->shared = shared_new (self);
  self->turn_servers = g_ptr_array_new_with_free_func (g_free);
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->gather_timeout_ms = 1000;
  self->gather_limit_ms = 3000;
  self->media_timeout_ms = 5000;
  self->stats_interval_ms = 1000;
  self->jitter_buffer_ms = 80;
  self->opus_bitrate = 32000;
  self->direction = SIPWS_MEDIA_DIRECTION_SENDRECV;
  self->local_direction = SIPWS_MEDIA_DIRECTION_SENDRECV;
  self->remote_direction = SIPWS_MEDIA_DIRECTION_SENDRECV;
  self->sess_id = g_random_int () | ((guint64) (g_random_int () & 0x7fffffff) << 32);
  g_queue_init (&self->dtmf_queue);
}

static void
sipws_media_session_handler_init (SipwsMediaHandlerInterface *iface)
{
  iface->create_offer_async = sipws_media_session_create_offer_async;
  iface->create_offer_finish = sipws_media_session_create_offer_finish;
  iface->create_answer_async = sipws_media_session_create_answer_async;
  iface->create_answer_finish = sipws_media_session_create_answer_finish;
  iface->set_remote_answer = sipws_media_session_set_remote_answer;
  iface->set_direction = sipws_media_session_set_direction;
  iface->send_dtmf = sipws_media_session_send_dtmf;
  iface->set_muted = sipws_media_session_set_muted;
  iface->close = sipws_media_session_close;
}

/* ---- Public API ---- */

/**
 * sipws_media_session_new:
 *
 * Creates the media of one call. It is bound to the thread-default main
 * context of the calling thread: every signal and notification comes there.
 *
 * Returns: (transfer full): a new session
 */
SipwsMediaSession *
sipws_media_session_new (void)
{
  return g_object_new (SIPWS_TYPE_MEDIA_SESSION, NULL);
}

static gboolean
split_host_port (const char  *text,
                 guint        default_port,
                 char       **host,
                 guint       *port)
{
  const char *colon;
  guint64 value = default_port;

  if (text[0] == '[') {
    const char *end = strchr (text, ']');

    if (end == NULL)
      return FALSE;
    *host = g_strndup (text + 1, end - text - 1);
    colon = end[1] == ':' ? end + 1 : NULL;
    if (end[1] != '\0' && colon == NULL) {
      g_clear_pointer (host, g_free);
      return FALSE;
    }
  } else {
    colon = strrchr (text, ':');
    *host = colon != NULL ? g_strndup (text, colon - text) : g_strdup (text);
  }
  if (colon != NULL && !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL)) {
    g_clear_pointer (host, g_free);
    return FALSE;
  }
  if (**host == '\0' || strpbrk (*host, "@/?# ") != NULL) {
    g_clear_pointer (host, g_free);
    return FALSE;
  }
  *port = (guint) value;
  return TRUE;
}

/**
 * sipws_media_session_add_ice_server:
 * @self: a session
 * @uri: a STUN or TURN server URI (RFC 7064, RFC 7065): `stun:host[:port]`,
 *   `turn:host[:port][?transport=udp|tcp]` or `turns:host[:port][?transport=tcp]`
 * @username: (nullable): the TURN username
 * @credential: (nullable): the TURN password; it is never logged
 * @error: return location for a #GError
 *
 * Adds a server for ICE. webrtcbin uses one STUN server (the last added) and
 * any number of TURN servers. Add them before the first offer or answer.
 *
 * Returns: %TRUE if the URI is valid; %FALSE with %SIPWS_ERROR_INVALID_ARGUMENT
 */
gboolean
sipws_media_session_add_ice_server (SipwsMediaSession  *self,
                                    const char         *uri,
                                    const char         *username,
                                    const char         *credential,
                                    GError            **error)
{
  g_autofree char *host = NULL;
  g_autofree char *address = NULL;
  const char *rest, *query;
  gboolean turn, secure;
  guint port = 0;

  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  if (g_str_has_prefix (uri, "stun:")) {
    turn = secure = FALSE;
    rest = uri + 5;
  } else if (g_str_has_prefix (uri, "turn:")) {
    turn = TRUE;
    secure = FALSE;
    rest = uri + 5;
  } else if (g_str_has_prefix (uri, "turns:")) {
    turn = secure = TRUE;
    rest = uri + 6;
  } else {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                 "ICE server URI %s does not start with stun:, turn: or turns:", uri);
    return FALSE;
  }

  query = strchr (rest, '?');
  address = query != NULL ? g_strndup (rest, query - rest) : g_strdup (rest);
  if (query != NULL && (!turn || (g_strcmp0 (query, "?transport=udp") != 0 && g_strcmp0 (query, "?transport=tcp") != 0))) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                 "ICE server URI %s has an unsupported query (only ?transport=udp|tcp for TURN)", uri);
    return FALSE;
  }
  if (!split_host_port (address, secure ? 5349 : 3478, &host, &port)) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                 "ICE server URI %s has no valid host and port", uri);
    return FALSE;
  }

  if (!turn) {
    g_free (self->stun_server);
    self->stun_server = g_strdup_printf ("stun://%s%s%s:%u", strchr (host, ':') ? "[" : "", host,
                                         strchr (host, ':') ? "]" : "", port);
    if (self->webrtc != NULL)
      g_object_set (self->webrtc, "stun-server", self->stun_server, NULL);
    return TRUE;
  }

  if (username == NULL || credential == NULL) {
    g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                 "TURN server %s needs a username and a credential", uri);
    return FALSE;
  }
  {
    g_autofree char *user = g_uri_escape_string (username, NULL, FALSE);
    g_autofree char *pass = g_uri_escape_string (credential, NULL, FALSE);
    char *url = g_strdup_printf ("%s://%s:%s@%s%s%s:%u%s", secure ? "turns" : "turn", user, pass,
                                 strchr (host, ':') ? "[" : "", host, strchr (host, ':') ? "]" : "", port,
                                 query != NULL ? query : "");

    g_ptr_array_add (self->turn_servers, url);
    if (self->webrtc != NULL) {
      gboolean added = FALSE;

      g_signal_emit_by_name (self->webrtc, "add-turn-server", url, &added);
    }
  }
  return TRUE;
}

/**
 * sipws_media_session_set_local_addresses:
 * @self: a session
 * @addresses: (nullable) (array zero-terminated=1): IP addresses
 *
 * Sets [property@Sipws.MediaSession:local-addresses].
 */
void
sipws_media_session_set_local_addresses (SipwsMediaSession  *self,
                                         const char * const *addresses)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  g_strfreev (self->local_addresses);
  self->local_addresses = g_strdupv ((char **) addresses);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_ADDRESSES]);
}

/**
 * sipws_media_session_get_local_addresses:
 * @self: a session
 *
 * Gets the local IP addresses ICE is restricted to; %NULL means every
 * interface except loopback.
 *
 * Returns: (nullable) (array zero-terminated=1) (transfer none): the value of
 *   [property@Sipws.MediaSession:local-addresses]
 */
const char * const *
sipws_media_session_get_local_addresses (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), NULL);

  return (const char * const *) self->local_addresses;
}

static void
use_source (SipwsMediaSession *self,
            SourceKind         kind,
            GParamSpec        *pspec)
{
  self->source_kind = kind;
  switch_source (self);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

/**
 * sipws_media_session_set_audio_source:
 * @self: a session
 * @description: (nullable): a gst-launch description of a live source
 *
 * Sets [property@Sipws.MediaSession:audio-source].
 */
void
sipws_media_session_set_audio_source (SipwsMediaSession *self,
                                      const char        *description)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  set_string (&self->audio_source, description);
  use_source (self, description != NULL ? SOURCE_DESCRIPTION : SOURCE_DEFAULT, props[PROP_AUDIO_SOURCE]);
}

/**
 * sipws_media_session_set_send_tone:
 * @self: a session
 * @frequency: a frequency in Hz, or 0 to stop sending a tone
 *
 * Sets [property@Sipws.MediaSession:send-tone].
 */
void
sipws_media_session_set_send_tone (SipwsMediaSession *self,
                                   double             frequency)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  self->send_tone = frequency;
  use_source (self, frequency > 0 ? SOURCE_TONE : SOURCE_DEFAULT, props[PROP_SEND_TONE]);
}

/**
 * sipws_media_session_set_play_file:
 * @self: a session
 * @path: (nullable) (type filename): an audio file
 *
 * Sets [property@Sipws.MediaSession:play-file].
 */
void
sipws_media_session_set_play_file (SipwsMediaSession *self,
                                   const char        *path)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  set_string (&self->play_file, path);
  use_source (self, path != NULL ? SOURCE_FILE : SOURCE_DEFAULT, props[PROP_PLAY_FILE]);
}

/**
 * sipws_media_session_set_input_device:
 * @self: a session
 * @device: (nullable): an audio source device
 *
 * Sets [property@Sipws.MediaSession:input-device]; switches at once during
 * a call.
 */
void
sipws_media_session_set_input_device (SipwsMediaSession *self,
                                      GstDevice         *device)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));
  g_return_if_fail (device == NULL || GST_IS_DEVICE (device));

  g_set_object (&self->input_device, device);
  use_source (self, device != NULL ? SOURCE_DEVICE : SOURCE_DEFAULT, props[PROP_INPUT_DEVICE]);
}

/**
 * sipws_media_session_set_audio_sink:
 * @self: a session
 * @description: (nullable): a gst-launch description of a sink
 *
 * Sets [property@Sipws.MediaSession:audio-sink].
 */
void
sipws_media_session_set_audio_sink (SipwsMediaSession *self,
                                    const char        *description)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  g_mutex_lock (&self->shared->lock);
  set_string (&self->shared->sink_description, description);
  g_mutex_unlock (&self->shared->lock);
  swap_sinks (self, NULL, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUDIO_SINK]);
}

/**
 * sipws_media_session_set_output_device:
 * @self: a session
 * @device: (nullable): an audio sink device
 *
 * Sets [property@Sipws.MediaSession:output-device]; switches at once during
 * a call.
 */
void
sipws_media_session_set_output_device (SipwsMediaSession *self,
                                       GstDevice         *device)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));
  g_return_if_fail (device == NULL || GST_IS_DEVICE (device));

  g_mutex_lock (&self->shared->lock);
  g_set_object (&self->shared->output_device, device);
  g_mutex_unlock (&self->shared->lock);
  swap_sinks (self, NULL, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OUTPUT_DEVICE]);
}

/**
 * sipws_media_session_set_record_file:
 * @self: a session
 * @path: (nullable) (type filename): a WAV file to create
 *
 * Sets [property@Sipws.MediaSession:record-file]. The file is created at
 * once; a file that cannot be created is reported with g_warning() and not
 * recorded.
 */
void
sipws_media_session_set_record_file (SipwsMediaSession *self,
                                     const char        *path)
{
  g_autoptr(GError) error = NULL;
  SipwsWavWriter *wav = NULL;

  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  if (path != NULL && !self->closed) {
    wav = sipws_wav_writer_new (path, ANALYSIS_RATE, &error);
    if (wav == NULL)
      g_warning ("%s", error->message);
  }
  g_mutex_lock (&self->shared->analysis_lock);
  sipws_wav_writer_close (self->shared->wav);
  self->shared->wav = wav;
  g_mutex_unlock (&self->shared->analysis_lock);
  set_string (&self->record_file, path);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORD_FILE]);
}

/**
 * sipws_media_session_set_loopback:
 * @self: a session
 * @loopback: whether to send the received audio back
 *
 * Sets [property@Sipws.MediaSession:loopback].
 */
void
sipws_media_session_set_loopback (SipwsMediaSession *self,
                                  gboolean           loopback)
{
  g_return_if_fail (SIPWS_IS_MEDIA_SESSION (self));

  loopback = !!loopback;
  if (self->loopback == loopback)
    return;
  self->loopback = loopback;
  switch_source (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOOPBACK]);
}

/**
 * sipws_media_session_get_loopback:
 * @self: a session
 *
 * Gets whether the session echoes the received audio back instead of
 * sending its audio source.
 *
 * Returns: the value of [property@Sipws.MediaSession:loopback]
 */
gboolean
sipws_media_session_get_loopback (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), FALSE);

  return self->loopback;
}

/**
 * sipws_media_session_get_muted:
 * @self: a session
 *
 * Gets whether the outgoing audio is muted.
 *
 * Returns: the value of [property@Sipws.MediaSession:muted]
 */
gboolean
sipws_media_session_get_muted (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), FALSE);

  return self->muted;
}

/**
 * sipws_media_session_get_direction:
 * @self: a session
 *
 * Gets the direction used for the next offer or answer.
 *
 * Returns: the value of [property@Sipws.MediaSession:direction]
 */
SipwsMediaDirection
sipws_media_session_get_direction (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), SIPWS_MEDIA_DIRECTION_SENDRECV);

  return self->direction;
}

/**
 * sipws_media_session_get_level:
 * @self: a session
 *
 * Gets the RMS level of the received audio in dBFS; it is -100 when
 * nothing was received for 400 ms.
 *
 * Returns: the value of [property@Sipws.MediaSession:level]
 */
double
sipws_media_session_get_level (SipwsMediaSession *self)
{
  double frequency;

  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), SIPWS_AUDIO_LEVEL_SILENCE);

  return current_level (self, &frequency);
}

/**
 * sipws_media_session_get_frequency:
 * @self: a session
 *
 * Gets the dominant frequency of the received audio in Hz; it is 0 for
 * silence or when nothing was received for 400 ms.
 *
 * Returns: the value of [property@Sipws.MediaSession:frequency]
 */
double
sipws_media_session_get_frequency (SipwsMediaSession *self)
{
  double frequency;

  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), 0.0);

  current_level (self, &frequency);
  return frequency;
}

/**
 * sipws_media_session_get_local_sdp:
 * @self: a session
 *
 * Gets the last offer or answer handed to the user agent, or %NULL before
 * the first one was built. The string is owned by the session.
 *
 * Returns: (nullable): the value of [property@Sipws.MediaSession:local-sdp]
 */
const char *
sipws_media_session_get_local_sdp (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), NULL);

  return self->local_sdp;
}

/**
 * sipws_media_session_get_remote_sdp:
 * @self: a session
 *
 * Gets the last offer or answer received from the remote side, or %NULL
 * before one arrived. The string is owned by the session.
 *
 * Returns: (nullable): the value of [property@Sipws.MediaSession:remote-sdp]
 */
const char *
sipws_media_session_get_remote_sdp (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), NULL);

  return self->remote_sdp;
}

/**
 * sipws_media_session_get_codec:
 * @self: a session
 *
 * Gets the negotiated codec as `opus/48000`, `PCMU/8000` or `PCMA/8000`,
 * or %NULL before negotiation.
 *
 * Returns: (nullable): the value of [property@Sipws.MediaSession:codec]
 */
const char *
sipws_media_session_get_codec (SipwsMediaSession *self)
{
  static const char *names[] = { "opus/48000", "PCMU/8000", "PCMA/8000" };

  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), NULL);

  return self->negotiated ? names[self->format.codec] : NULL;
}

/**
 * sipws_media_session_get_stats:
 * @self: a session
 *
 * Returns the call's statistics: a structure named `sipws-media-stats` with
 * `packets-sent`, `bytes-sent`, `packets-received`, `bytes-received`
 * (#guint64, counted now), and from the last webrtcbin poll `packets-lost`
 * (#gint64), `loss-fraction` (of what we receive) and `remote-loss-fraction`
 * (of what the peer receives, from its RTCP reports), `jitter-ms`, `rtt-ms`
 * (-1 until the first RTCP report), `mos` (an E-model estimate, 1-4.5), all
 * #gdouble, and the strings `codec` (`opus/48000`), `local-candidate` and
 * `remote-candidate` of the selected pair (`udp 127.0.0.1:40000 host`) once
 * known.
 *
 * Returns: (transfer full): the statistics
 */
GstStructure *
sipws_media_session_get_stats (SipwsMediaSession *self)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_SESSION (self), NULL);

  return live_stats (self);
}
