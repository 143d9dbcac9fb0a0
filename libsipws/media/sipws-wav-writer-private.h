/* sipws-wav-writer-private.h: record received audio to a WAV file */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SipwsWavWriter SipwsWavWriter;

SipwsWavWriter *sipws_wav_writer_new   (const char      *path,
                                        guint            rate,
                                        GError         **error);
void            sipws_wav_writer_write (SipwsWavWriter  *writer,
                                        const gint16    *samples,
                                        gsize            n_samples);
void            sipws_wav_writer_close (SipwsWavWriter  *writer);

G_END_DECLS
