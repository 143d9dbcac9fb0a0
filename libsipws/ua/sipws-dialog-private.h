/* sipws-dialog-private.h: RFC 3261 §12 dialog state (early or confirmed):
 * identifiers, CSeq counters, remote target and route set, and the requests
 * built inside it. Pure state, no I/O: the call sends what it builds. */
#pragma once

#include <glib-object.h>
#include "sipws-message.h"
#include "sipws-address.h"

G_BEGIN_DECLS

typedef enum {
  SIPWS_DIALOG_EARLY,
  SIPWS_DIALOG_CONFIRMED,
} SipwsDialogState;

#define SIPWS_TYPE_DIALOG (sipws_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SipwsDialog, sipws_dialog, SIPWS, DIALOG, GObject)

/* UAC side, from our request and a response with a To tag (18x or 2xx).
 * Returns NULL with @error when the response cannot make a dialog (no tag,
 * or no usable Contact). */
SipwsDialog      *sipws_dialog_new_uac            (SipwsMessage  *request,
                                                   SipwsMessage  *response,
                                                   const char    *local_contact,
                                                   GError       **error);
/* UAS side, from a dialog-forming request and the tag of our responses. */
SipwsDialog      *sipws_dialog_new_uas            (SipwsMessage  *request,
                                                   const char    *local_tag,
                                                   const char    *local_contact,
                                                   GError       **error);

SipwsDialogState  sipws_dialog_get_state          (SipwsDialog *self);
const char       *sipws_dialog_get_call_id        (SipwsDialog *self);
const char       *sipws_dialog_get_local_tag      (SipwsDialog *self);
const char       *sipws_dialog_get_remote_tag     (SipwsDialog *self);
SipwsAddress     *sipws_dialog_get_remote_address (SipwsDialog *self);
SipwsUri         *sipws_dialog_get_remote_target  (SipwsDialog *self);
guint32           sipws_dialog_get_local_seq      (SipwsDialog *self);
gboolean          sipws_dialog_is_uac             (SipwsDialog *self);
gboolean          sipws_dialog_matches            (SipwsDialog *self,
                                                   const char  *call_id,
                                                   const char  *local_tag,
                                                   const char  *remote_tag);

/* Early → confirmed with the 2xx (UAC: route set and target recomputed from
 * it, §13.2.2.4). */
void              sipws_dialog_confirm            (SipwsDialog  *self,
                                                   SipwsMessage *response);

/* A request inside the dialog (§12.2.1.1): Request-URI and Route from the
 * route set (loose or strict), From/To with tags, Call-ID, a new local CSeq
 * (ACK and CANCEL excepted), Max-Forwards, and Contact on target-refresh
 * methods. */
SipwsMessage     *sipws_dialog_create_request     (SipwsDialog *self,
                                                   const char  *method);
/* A request of ours was sent again with CSeq @cseq (after a challenge):
 * later requests must go above it. */
void              sipws_dialog_bump_local_seq     (SipwsDialog *self,
                                                   guint32      cseq);
/* The ACK of a 2xx to the INVITE with CSeq @cseq (§13.2.2.4). */
SipwsMessage     *sipws_dialog_create_ack         (SipwsDialog *self,
                                                   guint32      cseq);

/* Checks and records an in-dialog request (§12.2.2): a CSeq lower than the
 * last one is refused (FALSE, answer 500); target-refresh requests update the
 * remote target. */
gboolean          sipws_dialog_receive_request    (SipwsDialog  *self,
                                                   SipwsMessage *request);
/* A 2xx to one of our target-refresh requests updates the remote target. */
void              sipws_dialog_receive_response   (SipwsDialog  *self,
                                                   SipwsMessage *response);

/* The Contact of our requests and 2xx/18x responses; set again when a GRUU
 * arrives. */
void              sipws_dialog_set_local_contact  (SipwsDialog *self,
                                                   const char  *contact);
const char       *sipws_dialog_get_local_contact  (SipwsDialog *self);

/* TRUE for INVITE, UPDATE, SUBSCRIBE, NOTIFY and REFER (RFC 6665 §4.3). */
gboolean          sipws_method_is_target_refresh  (const char *method);

G_END_DECLS
