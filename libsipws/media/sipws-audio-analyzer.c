/* sipws-audio-analyzer.c: level and dominant frequency of decoded audio
 *
 * Runs in a pad probe on the decoded stream, so it must stay cheap: one
 * 4096-point real FFT per 85 ms window at 48 kHz. The peak bin is refined by
 * parabolic interpolation of the log magnitudes, which gives a tone's
 * frequency to about 1 Hz; tests rely on that to tell which side's tone
 * arrived.
 */
#include "sipws-audio-analyzer-private.h"

#include <math.h>
#include <gst/fft/gstfftf32.h>

#define WINDOW 4096
#define MIN_FREQUENCY 50.0
#define MAX_FREQUENCY 8000.0
/* Below this the "dominant frequency" of noise is meaningless. */
#define TONE_THRESHOLD_DB (-60.0)

struct _SipwsAudioAnalyzer {
  guint             rate;
  GstFFTF32        *fft;
  gfloat            window[WINDOW];
  GstFFTF32Complex  spectrum[WINDOW / 2 + 1];
  guint             fill;
  double            sum_squares;
};

SipwsAudioAnalyzer *
sipws_audio_analyzer_new (guint rate)
{
  SipwsAudioAnalyzer *analyzer = g_new0 (SipwsAudioAnalyzer, 1);

  analyzer->rate = rate;
  analyzer->fft = gst_fft_f32_new (WINDOW, FALSE);
  return analyzer;
}

void
sipws_audio_analyzer_free (SipwsAudioAnalyzer *analyzer)
{
  if (analyzer == NULL)
    return;
  gst_fft_f32_free (analyzer->fft);
  g_free (analyzer);
}

static double
magnitude (const GstFFTF32Complex *c)
{
  return log ((double) c->r * c->r + (double) c->i * c->i + 1e-12);
}

static double
dominant_frequency (SipwsAudioAnalyzer *analyzer)
{
  guint first = (guint) (MIN_FREQUENCY * WINDOW / analyzer->rate);
  guint last = MIN ((guint) (MAX_FREQUENCY * WINDOW / analyzer->rate), WINDOW / 2 - 1);
  guint peak = first;
  double a, b, c, denominator, delta = 0.0;

  gst_fft_f32_window (analyzer->fft, analyzer->window, GST_FFT_WINDOW_HANN);
  gst_fft_f32_fft (analyzer->fft, analyzer->window, analyzer->spectrum);

  for (guint k = first; k <= last; k++) {
    if (magnitude (&analyzer->spectrum[k]) > magnitude (&analyzer->spectrum[peak]))
      peak = k;
  }
  a = magnitude (&analyzer->spectrum[peak - 1]);
  b = magnitude (&analyzer->spectrum[peak]);
  c = magnitude (&analyzer->spectrum[peak + 1]);
  denominator = a - 2 * b + c;
  if (denominator != 0.0)
    delta = CLAMP (0.5 * (a - c) / denominator, -0.5, 0.5);
  return (peak + delta) * analyzer->rate / WINDOW;
}

/* Returns TRUE when a window completed, with its RMS level in dBFS and its
 * dominant frequency in Hz (0 for silence). */
gboolean
sipws_audio_analyzer_feed (SipwsAudioAnalyzer *analyzer,
                           const gint16       *samples,
                           gsize               n_samples,
                           double             *level_db,
                           double             *frequency)
{
  gboolean completed = FALSE;

  for (gsize i = 0; i < n_samples; i++) {
    gfloat value = samples[i] / 32768.0f;

    analyzer->window[analyzer->fill++] = value;
    analyzer->sum_squares += (double) value * value;
    if (analyzer->fill < WINDOW)
      continue;

    {
      double mean_square = analyzer->sum_squares / WINDOW;

      *level_db = mean_square > 1e-10 ? MAX (10.0 * log10 (mean_square), SIPWS_AUDIO_LEVEL_SILENCE)
                                      : SIPWS_AUDIO_LEVEL_SILENCE;
      *frequency = *level_db > TONE_THRESHOLD_DB ? dominant_frequency (analyzer) : 0.0;
    }
    analyzer->fill = 0;
    analyzer->sum_squares = 0.0;
    completed = TRUE;
  }
  return completed;
}
