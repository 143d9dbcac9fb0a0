/* sipws-dtmf.c: RFC 4733 telephone-events */
#include "sipws-dtmf-private.h"

#include <string.h>

static const char digits[] = "0123456789*#ABCD";

/* RFC 4733 §3.2: events 0-9, * = 10, # = 11, A-D = 12-15. */
gint
sipws_dtmf_event_from_digit (char digit)
{
  const char *p;

  if (digit == '\0')
    return -1;
  p = strchr (digits, g_ascii_toupper (digit));
  return p != NULL ? (gint) (p - digits) : -1;
}

char
sipws_dtmf_digit_from_event (guint event)
{
  return event < 16 ? digits[event] : '\0';
}

static void
report (SipwsDtmfReceiver *receiver,
        SipwsDtmfPress     presses[2],
        guint             *n)
{
  char digit = sipws_dtmf_digit_from_event (receiver->event);

  receiver->reported = TRUE;
  if (digit != '\0') {
    presses[*n].digit = digit;
    presses[*n].duration = receiver->duration;
    (*n)++;
  }
}

/* One event is one RTP timestamp: the start packet, updates with growing
 * durations, and (usually three) end packets with the E bit. A press whose
 * end packets were all lost is reported when the next one starts. Returns
 * how many presses completed (0-2). */
guint
sipws_dtmf_receiver_packet (SipwsDtmfReceiver *receiver,
                            guint32            timestamp,
                            const guint8      *payload,
                            gsize              payload_len,
                            SipwsDtmfPress     presses[2])
{
  guint n = 0;
  guint event, duration;
  gboolean end;

  if (payload_len < 4)
    return 0;
  event = payload[0];
  end = (payload[1] & 0x80) != 0;
  duration = ((guint) payload[2] << 8) | payload[3];

  if (!receiver->active || timestamp != receiver->timestamp) {
    if (receiver->active && !receiver->reported)
      report (receiver, presses, &n);
    receiver->active = TRUE;
    receiver->reported = FALSE;
    receiver->timestamp = timestamp;
    receiver->event = event;
    receiver->duration = 0;
  }
  if (receiver->reported)
    return n;
  receiver->duration = MAX (receiver->duration, duration);
  if (end)
    report (receiver, presses, &n);
  return n;
}
