/* sipws-transaction-private.h: one RFC 3261 §17 transaction (client or
 * server, INVITE or non-INVITE) with the reliable-transport timers
 *
 * Transactions live in ua/ next to the account although they only depend on
 * the abstract send function of their SipwsTransactionLayer: the layer is
 * what ties them to the account's current WebSocket flow.
 *
 * The INVITE machines follow RFC 6026: a 2xx moves both sides to Accepted,
 * where the client keeps passing (forked or retransmitted) 2xx responses to
 * its owner and the server absorbs INVITE retransmissions, so the dialog
 * layer can ACK every 2xx and retransmit its own 2xx (§13.3.1.4).
 */
#pragma once

#include <glib-object.h>
#include "sipws-message.h"

G_BEGIN_DECLS

typedef enum {
  SIPWS_TRANSACTION_CALLING,
  SIPWS_TRANSACTION_TRYING,
  SIPWS_TRANSACTION_PROCEEDING,
  SIPWS_TRANSACTION_ACCEPTED,
  SIPWS_TRANSACTION_COMPLETED,
  SIPWS_TRANSACTION_CONFIRMED,
  SIPWS_TRANSACTION_TERMINATED,
} SipwsTransactionState;

#define SIPWS_TYPE_TRANSACTION (sipws_transaction_get_type ())
G_DECLARE_FINAL_TYPE (SipwsTransaction, sipws_transaction, SIPWS, TRANSACTION, GObject)

typedef struct _SipwsTransactionLayer SipwsTransactionLayer;

/* Called for every response a client transaction passes up (provisional,
 * final, and in Accepted every further 2xx), and once with @response NULL and
 * @error set (SIPWS_ERROR_TIMEOUT for Timer B/F, SIPWS_ERROR_TRANSPORT when
 * the request could not be sent). Never called after the transaction ended
 * or after sipws_transaction_detach(). */
typedef void (*SipwsClientTransactionFunc) (SipwsTransaction *tx,
                                            SipwsMessage     *response,
                                            const GError     *error,
                                            gpointer          user_data);

/* Called when a server INVITE transaction ends without the ACK of its
 * non-2xx final response (Timer H) or when its response could not be sent. */
typedef void (*SipwsServerTransactionFunc) (SipwsTransaction *tx,
                                            const GError     *error,
                                            gpointer          user_data);

SipwsTransaction      *sipws_transaction_new_client       (SipwsTransactionLayer      *layer,
                                                           SipwsMessage               *request,
                                                           const char                 *key,
                                                           SipwsClientTransactionFunc  func,
                                                           gpointer                    user_data);
SipwsTransaction      *sipws_transaction_new_server       (SipwsTransactionLayer      *layer,
                                                           SipwsMessage               *request,
                                                           const char                 *key);

gboolean               sipws_transaction_is_client        (SipwsTransaction *self);
gboolean               sipws_transaction_is_invite        (SipwsTransaction *self);
SipwsTransactionState  sipws_transaction_get_state        (SipwsTransaction *self);
SipwsMessage          *sipws_transaction_get_request      (SipwsTransaction *self);
SipwsMessage          *sipws_transaction_get_last_response (SipwsTransaction *self);
const char            *sipws_transaction_get_key          (SipwsTransaction *self);
/* Status of the last response sent or received, 0 when there was none. */
guint                  sipws_transaction_get_status       (SipwsTransaction *self);

/* Sends the request (client) and starts the timers. */
void                   sipws_transaction_start            (SipwsTransaction *self);

/* Server side: sends @response (built with
 * sipws_message_new_response_for_request() from this transaction's request)
 * and moves the state machine. Returns FALSE with @error when the
 * transaction is already past its final response or the flow failed. */
gboolean               sipws_transaction_respond          (SipwsTransaction  *self,
                                                           SipwsMessage      *response,
                                                           GError           **error);
/* A response to this server transaction's request; when the request's To has
 * no tag, every response but 100 gets the transaction's local tag. */
SipwsMessage          *sipws_transaction_create_response  (SipwsTransaction *self,
                                                           guint             status,
                                                           const char       *reason);
/* The To tag of this server transaction's responses (created on demand). */
const char            *sipws_transaction_get_local_tag    (SipwsTransaction *self);
/* Convenience for sipws_transaction_respond() with a fresh response. */
gboolean               sipws_transaction_respond_status   (SipwsTransaction  *self,
                                                           guint              status,
                                                           const char        *reason,
                                                           GError           **error);

void                   sipws_transaction_set_server_func  (SipwsTransaction           *self,
                                                           SipwsServerTransactionFunc  func,
                                                           gpointer                    user_data);

/* Stops every callback to the owner; the state machine keeps running so it
 * still absorbs retransmissions and sends the non-2xx ACK. */
void                   sipws_transaction_detach           (SipwsTransaction *self);

/* Client side, before any response: ends the transaction as if its request
 * could not be sent, reporting @error to the owner from the main loop. */
void                   sipws_transaction_fail             (SipwsTransaction *self,
                                                           const GError     *error);

/* Detaches and drops *@tx; nothing when it is NULL. */
void                   sipws_transaction_drop             (SipwsTransaction **tx);

/* Used by the layer. */
void                   sipws_transaction_receive_response (SipwsTransaction *self,
                                                           SipwsMessage     *response);
/* A retransmitted request or the ACK of a non-2xx final response. */
void                   sipws_transaction_receive_request  (SipwsTransaction *self,
                                                           SipwsMessage     *request);
/* The layer is going away: stop timers and forget it. */
void                   sipws_transaction_abandon          (SipwsTransaction *self);

G_END_DECLS
