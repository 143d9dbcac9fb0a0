/* sipws-backoff.c: reconnect and keepalive timing (RFC 5626 §4.4.1, §4.5) */
#include "sipws-backoff-private.h"

guint
sipws_backoff_delay_ms (guint  base_ms,
                        guint  max_ms,
                        guint  failures,
                        double random01)
{
  guint64 upper = base_ms;

  /* Doubling stops as soon as the cap is reached, so large failure counts
   * cannot overflow. */
  for (guint i = 0; i < failures && upper < max_ms; i++)
    upper *= 2;
  upper = MIN (upper, (guint64) max_ms);

  return (guint) (upper / 2 + (guint64) ((upper - upper / 2) * CLAMP (random01, 0.0, 1.0)));
}

guint
sipws_keepalive_period_ms (guint  period_ms,
                           double random01)
{
  guint64 lower = (guint64) period_ms * 4 / 5;

  return (guint) (lower + (guint64) ((period_ms - lower) * CLAMP (random01, 0.0, 1.0)));
}
