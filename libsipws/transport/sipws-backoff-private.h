/* sipws-backoff-private.h: reconnect and keepalive timing (RFC 5626 §4.4.1, §4.5) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 5626 §4.5: upper bound min(@max_ms, @base_ms · 2^@failures), then
 * randomized to 50–100 % of it by @random01 in [0, 1). */
guint sipws_backoff_delay_ms    (guint  base_ms,
                                 guint  max_ms,
                                 guint  failures,
                                 double random01);

/* RFC 5626 §4.4.1: a keepalive is sent at a random 80–100 % of @period_ms. */
guint sipws_keepalive_period_ms (guint  period_ms,
                                 double random01);

G_END_DECLS
