/* sipws-sha512-256.c: SHA-512/256 per FIPS 180-4 */
#include "sipws-sha512-256-private.h"

#include <string.h>

/* First 64 bits of the fractional parts of the cube roots of the first 80
 * primes (FIPS 180-4 §4.2.3); generated, then checked by the test vectors. */
static const guint64 K[80] = {
  G_GUINT64_CONSTANT (0x428a2f98d728ae22), G_GUINT64_CONSTANT (0x7137449123ef65cd),
  G_GUINT64_CONSTANT (0xb5c0fbcfec4d3b2f), G_GUINT64_CONSTANT (0xe9b5dba58189dbbc),
  G_GUINT64_CONSTANT (0x3956c25bf348b538), G_GUINT64_CONSTANT (0x59f111f1b605d019),
  G_GUINT64_CONSTANT (0x923f82a4af194f9b), G_GUINT64_CONSTANT (0xab1c5ed5da6d8118),
  G_GUINT64_CONSTANT (0xd807aa98a3030242), G_GUINT64_CONSTANT (0x12835b0145706fbe),
  G_GUINT64_CONSTANT (0x243185be4ee4b28c), G_GUINT64_CONSTANT (0x550c7dc3d5ffb4e2),
  G_GUINT64_CONSTANT (0x72be5d74f27b896f), G_GUINT64_CONSTANT (0x80deb1fe3b1696b1),
  G_GUINT64_CONSTANT (0x9bdc06a725c71235), G_GUINT64_CONSTANT (0xc19bf174cf692694),
  G_GUINT64_CONSTANT (0xe49b69c19ef14ad2), G_GUINT64_CONSTANT (0xefbe4786384f25e3),
  G_GUINT64_CONSTANT (0x0fc19dc68b8cd5b5), G_GUINT64_CONSTANT (0x240ca1cc77ac9c65),
  G_GUINT64_CONSTANT (0x2de92c6f592b0275), G_GUINT64_CONSTANT (0x4a7484aa6ea6e483),
  G_GUINT64_CONSTANT (0x5cb0a9dcbd41fbd4), G_GUINT64_CONSTANT (0x76f988da831153b5),
  G_GUINT64_CONSTANT (0x983e5152ee66dfab), G_GUINT64_CONSTANT (0xa831c66d2db43210),
  G_GUINT64_CONSTANT (0xb00327c898fb213f), G_GUINT64_CONSTANT (0xbf597fc7beef0ee4),
  G_GUINT64_CONSTANT (0xc6e00bf33da88fc2), G_GUINT64_CONSTANT (0xd5a79147930aa725),
  G_GUINT64_CONSTANT (0x06ca6351e003826f), G_GUINT64_CONSTANT (0x142929670a0e6e70),
  G_GUINT64_CONSTANT (0x27b70a8546d22ffc), G_GUINT64_CONSTANT (0x2e1b21385c26c926),
  G_GUINT64_CONSTANT (0x4d2c6dfc5ac42aed), G_GUINT64_CONSTANT (0x53380d139d95b3df),
  G_GUINT64_CONSTANT (0x650a73548baf63de), G_GUINT64_CONSTANT (0x766a0abb3c77b2a8),
  G_GUINT64_CONSTANT (0x81c2c92e47edaee6), G_GUINT64_CONSTANT (0x92722c851482353b),
  G_GUINT64_CONSTANT (0xa2bfe8a14cf10364), G_GUINT64_CONSTANT (0xa81a664bbc423001),
  G_GUINT64_CONSTANT (0xc24b8b70d0f89791), G_GUINT64_CONSTANT (0xc76c51a30654be30),
  G_GUINT64_CONSTANT (0xd192e819d6ef5218), G_GUINT64_CONSTANT (0xd69906245565a910),
  G_GUINT64_CONSTANT (0xf40e35855771202a), G_GUINT64_CONSTANT (0x106aa07032bbd1b8),
  G_GUINT64_CONSTANT (0x19a4c116b8d2d0c8), G_GUINT64_CONSTANT (0x1e376c085141ab53),
  G_GUINT64_CONSTANT (0x2748774cdf8eeb99), G_GUINT64_CONSTANT (0x34b0bcb5e19b48a8),
  G_GUINT64_CONSTANT (0x391c0cb3c5c95a63), G_GUINT64_CONSTANT (0x4ed8aa4ae3418acb),
  G_GUINT64_CONSTANT (0x5b9cca4f7763e373), G_GUINT64_CONSTANT (0x682e6ff3d6b2b8a3),
  G_GUINT64_CONSTANT (0x748f82ee5defb2fc), G_GUINT64_CONSTANT (0x78a5636f43172f60),
  G_GUINT64_CONSTANT (0x84c87814a1f0ab72), G_GUINT64_CONSTANT (0x8cc702081a6439ec),
  G_GUINT64_CONSTANT (0x90befffa23631e28), G_GUINT64_CONSTANT (0xa4506cebde82bde9),
  G_GUINT64_CONSTANT (0xbef9a3f7b2c67915), G_GUINT64_CONSTANT (0xc67178f2e372532b),
  G_GUINT64_CONSTANT (0xca273eceea26619c), G_GUINT64_CONSTANT (0xd186b8c721c0c207),
  G_GUINT64_CONSTANT (0xeada7dd6cde0eb1e), G_GUINT64_CONSTANT (0xf57d4f7fee6ed178),
  G_GUINT64_CONSTANT (0x06f067aa72176fba), G_GUINT64_CONSTANT (0x0a637dc5a2c898a6),
  G_GUINT64_CONSTANT (0x113f9804bef90dae), G_GUINT64_CONSTANT (0x1b710b35131c471b),
  G_GUINT64_CONSTANT (0x28db77f523047d84), G_GUINT64_CONSTANT (0x32caab7b40c72493),
  G_GUINT64_CONSTANT (0x3c9ebe0a15c9bebc), G_GUINT64_CONSTANT (0x431d67c49c100d4c),
  G_GUINT64_CONSTANT (0x4cc5d4becb3e42b6), G_GUINT64_CONSTANT (0x597f299cfc657e2a),
  G_GUINT64_CONSTANT (0x5fcb6fab3ad6faec), G_GUINT64_CONSTANT (0x6c44198c4a475817),
};

/* FIPS 180-4 §5.3.6.2 */
static const guint64 IV[8] = {
  G_GUINT64_CONSTANT (0x22312194fc2bf72c), G_GUINT64_CONSTANT (0x9f555fa3c84c64c2),
  G_GUINT64_CONSTANT (0x2393b86b6f53b151), G_GUINT64_CONSTANT (0x963877195940eabd),
  G_GUINT64_CONSTANT (0x96283ee2a88effe3), G_GUINT64_CONSTANT (0xbe5e1e2553863992),
  G_GUINT64_CONSTANT (0x2b0199fc2c85b8aa), G_GUINT64_CONSTANT (0x0eb72ddc81c52ca2),
};

static inline guint64
rotr (guint64 x, guint n)
{
  return (x >> n) | (x << (64 - n));
}

static inline guint64
load_be64 (const guint8 *p)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

static void
compress (guint64 state[8], const guint8 block[128])
{
  guint64 w[80];
  guint64 a = state[0], b = state[1], c = state[2], d = state[3];
  guint64 e = state[4], f = state[5], g = state[6], h = state[7];

  for (guint t = 0; t < 16; t++)
    w[t] = load_be64 (block + 8 * t);
  for (guint t = 16; t < 80; t++)
    {
      guint64 s0 = rotr (w[t - 15], 1) ^ rotr (w[t - 15], 8) ^ (w[t - 15] >> 7);
      guint64 s1 = rotr (w[t - 2], 19) ^ rotr (w[t - 2], 61) ^ (w[t - 2] >> 6);

      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }

  for (guint t = 0; t < 80; t++)
    {
      guint64 t1 = h + (rotr (e, 14) ^ rotr (e, 18) ^ rotr (e, 41))
                   + ((e & f) ^ (~e & g)) + K[t] + w[t];
      guint64 t2 = (rotr (a, 28) ^ rotr (a, 34) ^ rotr (a, 39))
                   + ((a & b) ^ (a & c) ^ (b & c));

      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }

  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

void
sipws_sha512_256_init (SipwsSha512_256 *ctx)
{
  memcpy (ctx->state, IV, sizeof IV);
  ctx->block_len = 0;
  ctx->total_len = 0;
}

void
sipws_sha512_256_update (SipwsSha512_256 *ctx,
                         const guint8    *data,
                         gsize            len)
{
  ctx->total_len += len;

  if (ctx->block_len > 0)
    {
      gsize take = MIN (len, sizeof ctx->block - ctx->block_len);

      memcpy (ctx->block + ctx->block_len, data, take);
      ctx->block_len += take;
      data += take;
      len -= take;
      if (ctx->block_len < sizeof ctx->block)
        return;
      compress (ctx->state, ctx->block);
      ctx->block_len = 0;
    }

  for (; len >= sizeof ctx->block; data += sizeof ctx->block, len -= sizeof ctx->block)
    compress (ctx->state, data);

  if (len > 0)
    memcpy (ctx->block, data, len);
  ctx->block_len = len;
}

void
sipws_sha512_256_finish (SipwsSha512_256 *ctx,
                         guint8           digest[SIPWS_SHA512_256_DIGEST_LEN])
{
  guint64 bits = ctx->total_len << 3;

  /* Padding: 0x80, zeros, then the 128-bit big-endian bit length, whose
   * upper 64 bits are the bits shifted out of total_len. */
  ctx->block[ctx->block_len++] = 0x80;
  if (ctx->block_len > sizeof ctx->block - 16)
    {
      memset (ctx->block + ctx->block_len, 0, sizeof ctx->block - ctx->block_len);
      compress (ctx->state, ctx->block);
      ctx->block_len = 0;
    }
  memset (ctx->block + ctx->block_len, 0, sizeof ctx->block - 16 - ctx->block_len);
  for (guint i = 0; i < 8; i++)
    {
      ctx->block[112 + i] = (guint8) ((ctx->total_len >> 61) >> (56 - 8 * i));
      ctx->block[120 + i] = (guint8) (bits >> (56 - 8 * i));
    }
  compress (ctx->state, ctx->block);

  for (guint i = 0; i < SIPWS_SHA512_256_DIGEST_LEN; i++)
    digest[i] = (guint8) (ctx->state[i / 8] >> (56 - 8 * (i % 8)));

  /* The state of a password hash is as sensitive as the password. */
  explicit_bzero (ctx, sizeof *ctx);
}
