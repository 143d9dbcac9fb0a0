/* sipws-wav-writer.c: record received audio to a WAV file
 *
 * The decoded stream is already 16-bit mono in the analysis probe, so writing
 * it there and patching the RIFF sizes on close is simpler and more reliable
 * than a wavenc branch, whose header is only right after an EOS that a call
 * torn down at any moment may never deliver.
 */
#include "sipws-wav-writer-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#define HEADER_SIZE 44
/* RIFF sizes are 32-bit: stop before they overflow (about 12 hours). */
#define MAX_DATA_BYTES (G_MAXUINT32 - HEADER_SIZE)

struct _SipwsWavWriter {
  FILE   *file;
  guint   rate;
  guint64 data_bytes;
};

static void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static void
put_u16 (guint8  *p,
         guint16  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
}

static void
make_header (guint8  *header,
             guint    rate,
             guint32  data_bytes)
{
  memcpy (header, "RIFF", 4);
  put_u32 (header + 4, 36 + data_bytes);
  memcpy (header + 8, "WAVEfmt ", 8);
  put_u32 (header + 16, 16);
  put_u16 (header + 20, 1);         /* PCM */
  put_u16 (header + 22, 1);         /* mono */
  put_u32 (header + 24, rate);
  put_u32 (header + 28, rate * 2);  /* byte rate */
  put_u16 (header + 32, 2);         /* block align */
  put_u16 (header + 34, 16);        /* bits per sample */
  memcpy (header + 36, "data", 4);
  put_u32 (header + 40, data_bytes);
}

SipwsWavWriter *
sipws_wav_writer_new (const char  *path,
                      guint        rate,
                      GError     **error)
{
  guint8 header[HEADER_SIZE];
  SipwsWavWriter *writer;
  FILE *file = g_fopen (path, "wb");

  if (file == NULL) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Cannot create the recording %s: %s", path, g_strerror (saved));
    return NULL;
  }
  make_header (header, rate, 0);
  if (fwrite (header, 1, sizeof header, file) != sizeof header) {
    int saved = errno;

    fclose (file);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Cannot write the recording %s: %s", path, g_strerror (saved));
    return NULL;
  }
  writer = g_new0 (SipwsWavWriter, 1);
  writer->file = file;
  writer->rate = rate;
  return writer;
}

void
sipws_wav_writer_write (SipwsWavWriter *writer,
                        const gint16   *samples,
                        gsize           n_samples)
{
  guint8 buffer[2 * 1024];

  for (gsize done = 0; done < n_samples;) {
    gsize chunk = MIN (n_samples - done, sizeof buffer / 2);

    if (writer->data_bytes + chunk * 2 > MAX_DATA_BYTES)
      return;
    for (gsize i = 0; i < chunk; i++)
      put_u16 (buffer + 2 * i, (guint16) samples[done + i]);
    if (fwrite (buffer, 2, chunk, writer->file) != chunk)
      return;
    writer->data_bytes += chunk * 2;
    done += chunk;
  }
}

void
sipws_wav_writer_close (SipwsWavWriter *writer)
{
  guint8 header[HEADER_SIZE];

  if (writer == NULL)
    return;
  make_header (header, writer->rate, (guint32) writer->data_bytes);
  if (fseek (writer->file, 0, SEEK_SET) == 0)
    fwrite (header, 1, sizeof header, writer->file);
  fclose (writer->file);
  g_free (writer);
}
