/* sipws-transaction-layer-private.h: the RFC 3261 §17 transaction layer:
 * owns the live transactions, matches incoming messages to them (§17.1.3,
 * §17.2.3 with the RFC 2543 fallback, CANCEL matching of §9.2) and passes
 * everything else to its user (the account) through callbacks.
 *
 * It only knows an abstract send function, so the account decides which flow
 * a message goes out on (and whether a request waits for a new flow).
 */
#pragma once

#include "sipws-transaction-private.h"

G_BEGIN_DECLS

/* RFC 3261 timer values in milliseconds. Over a reliable transport Timers
 * A, E and G are off and D, I, J and K are zero; 0 for B, F, H means 64·T1. */
typedef struct {
  guint t1;
  guint t2;
  guint timer_b;
  guint timer_f;
  guint timer_h;
} SipwsTimerValues;

#define SIPWS_TIMER_T1_DEFAULT 500
#define SIPWS_TIMER_T2_DEFAULT 4000

typedef struct {
  /* Sends one message over the current flow. */
  gboolean (*send)           (SipwsMessage  *message,
                              gpointer       user_data,
                              GError       **error);
  /* A request that starts a server transaction (@tx), or an ACK that matches
   * none (the ACK of a 2xx, @tx NULL). */
  void     (*request)        (SipwsTransactionLayer *layer,
                              SipwsTransaction      *tx,
                              SipwsMessage          *request,
                              gpointer               user_data);
  /* A CANCEL for @invite_tx, which has no final response yet; the layer has
   * already answered the CANCEL with 200. */
  void     (*cancel)         (SipwsTransactionLayer *layer,
                              SipwsTransaction      *invite_tx,
                              SipwsMessage          *cancel,
                              gpointer               user_data);
  /* A response no client transaction wants: a 2xx to an INVITE whose
   * transaction already ended. */
  void     (*stray_response) (SipwsTransactionLayer *layer,
                              SipwsMessage          *response,
                              gpointer               user_data);
} SipwsTransactionLayerCallbacks;

SipwsTransactionLayer  *sipws_transaction_layer_new            (const SipwsTransactionLayerCallbacks *callbacks,
                                                                gpointer                              user_data);
void                    sipws_transaction_layer_free           (SipwsTransactionLayer *self);

void                    sipws_transaction_layer_set_timers     (SipwsTransactionLayer  *self,
                                                                const SipwsTimerValues *timers);
/* Resolved values (no zeros). */
const SipwsTimerValues *sipws_transaction_layer_get_timers     (SipwsTransactionLayer  *self);

/* The Via sent-by of every request: transport "WS" or "WSS" and a host. */
void                    sipws_transaction_layer_set_via        (SipwsTransactionLayer *self,
                                                                const char            *transport,
                                                                const char            *host);

/* Starts a client transaction for @request. A request without Via gets one
 * with a new branch; one that has a Via (CANCEL, non-2xx ACK) keeps it.
 * Returns a new reference to the transaction. */
SipwsTransaction       *sipws_transaction_layer_send_request   (SipwsTransactionLayer      *self,
                                                                SipwsMessage               *request,
                                                                SipwsClientTransactionFunc  func,
                                                                gpointer                    user_data);

/* The client transaction that sends @request, or NULL. */
SipwsTransaction       *sipws_transaction_layer_find_client    (SipwsTransactionLayer *self,
                                                                SipwsMessage          *request);

/* Sends @message outside any transaction (the ACK of a 2xx, a retransmitted
 * 2xx); a request gets a Via with a new branch when it has none. */
gboolean                sipws_transaction_layer_send_stateless (SipwsTransactionLayer  *self,
                                                                SipwsMessage           *message,
                                                                GError                **error);

/* Dispatches one message received from the flow. */
void                    sipws_transaction_layer_receive        (SipwsTransactionLayer *self,
                                                                SipwsMessage          *message);

/* Builds the CANCEL of a client INVITE transaction (§9.1). */
SipwsMessage           *sipws_transaction_layer_build_cancel   (SipwsTransaction *invite_tx);

/* A new branch with the RFC 3261 magic cookie. */
char                   *sipws_transaction_layer_new_branch     (void);

/* Used by transactions. */
gboolean                sipws_transaction_layer_transmit       (SipwsTransactionLayer  *self,
                                                                SipwsMessage           *message,
                                                                GError                **error);
void                    sipws_transaction_layer_remove         (SipwsTransactionLayer *self,
                                                                SipwsTransaction      *tx);
GMainContext           *sipws_transaction_layer_get_context    (SipwsTransactionLayer *self);

G_END_DECLS
