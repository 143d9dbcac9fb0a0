/* sipws-audio-analyzer-private.h: level and dominant frequency of decoded audio */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SipwsAudioAnalyzer SipwsAudioAnalyzer;

SipwsAudioAnalyzer *sipws_audio_analyzer_new  (guint                rate);
void                sipws_audio_analyzer_free (SipwsAudioAnalyzer  *analyzer);
gboolean            sipws_audio_analyzer_feed (SipwsAudioAnalyzer  *analyzer,
                                               const gint16        *samples,
                                               gsize                n_samples,
                                               double              *level_db,
                                               double              *frequency);

/* The floor reported for silence and for no audio at all. */
#define SIPWS_AUDIO_LEVEL_SILENCE (-100.0)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsAudioAnalyzer, sipws_audio_analyzer_free)

G_END_DECLS
