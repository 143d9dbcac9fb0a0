/* sipws-dtmf-private.h: RFC 4733 telephone-events */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Follows the telephone-event packets of one stream and reports each key
 * press once, with its duration, when its end is known. */
typedef struct {
  gboolean active;
  gboolean reported;
  guint32  timestamp;
  guint    event;
  guint    duration;   /* in clock-rate units */
} SipwsDtmfReceiver;

typedef struct {
  char  digit;
  guint duration;      /* in clock-rate units */
} SipwsDtmfPress;

gint  sipws_dtmf_event_from_digit   (char                digit);
char  sipws_dtmf_digit_from_event   (guint               event);
guint sipws_dtmf_receiver_packet    (SipwsDtmfReceiver  *receiver,
                                     guint32             timestamp,
                                     const guint8       *payload,
                                     gsize               payload_len,
                                     SipwsDtmfPress      presses[2]);

G_END_DECLS
