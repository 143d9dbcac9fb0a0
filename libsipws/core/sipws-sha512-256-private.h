/* sipws-sha512-256-private.h: SHA-512/256 (FIPS 180-4 §5.3.6), which GLib 2.74's GChecksum lacks */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SIPWS_SHA512_256_DIGEST_LEN 32

/* Not SHA-512 cut to 256 bits: the same compression function started from
 * its own initial hash value, so the two give unrelated digests. */
typedef struct {
  guint64 state[8];
  guint8  block[128];
  gsize   block_len;
  guint64 total_len;  /* bytes; messages above 2^61 bytes are not a concern here */
} SipwsSha512_256;

void  sipws_sha512_256_init   (SipwsSha512_256 *ctx);
void  sipws_sha512_256_update (SipwsSha512_256 *ctx,
                               const guint8    *data,
                               gsize            len);
void  sipws_sha512_256_finish (SipwsSha512_256 *ctx,
                               guint8           digest[SIPWS_SHA512_256_DIGEST_LEN]);

G_END_DECLS
