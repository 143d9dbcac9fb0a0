/* sipws-test-peer.h: a scripted SIP registrar and remote party behind the
 * fake WebSocket server of the transport tests
 *
 * The test reads what the account sends (sipws_test_peer_expect) and writes
 * the answers and requests it wants, one SIP message per WebSocket message.
 * Every wait iterates the thread-default main context, which also runs the
 * account under test.
 */
#pragma once

#include "sipws-account.h"
#include "sipws-message.h"
#include "sipws-fake-ws-server.h"

G_BEGIN_DECLS

/* Generous bound for one expected message: the tests' timers are short, so a
 * missing message fails fast enough while a loaded machine still passes. */
#define SIPWS_TEST_WAIT_MS 5000

typedef struct {
  SipwsFakeWsServer *server;
  char *tag;          /* the To tag of our responses */
  guint32 cseq;       /* of the requests we start */
} SipwsTestPeer;

SipwsTestPeer *sipws_test_peer_new              (void);
void           sipws_test_peer_free             (SipwsTestPeer *self);
char          *sipws_test_peer_get_uri          (SipwsTestPeer *self);

/* The next message from the account, parsed; NULL after @timeout_ms. */
SipwsMessage  *sipws_test_peer_next             (SipwsTestPeer *self,
                                                 guint          timeout_ms);
/* The next message, asserted to be a @method request. */
SipwsMessage  *sipws_test_peer_expect           (SipwsTestPeer *self,
                                                 const char    *method);
/* The next message, asserted to be a response with @status. */
SipwsMessage  *sipws_test_peer_expect_response  (SipwsTestPeer *self,
                                                 guint          status);
/* Asserts nothing arrives for @ms. */
void           sipws_test_peer_expect_silence   (SipwsTestPeer *self,
                                                 guint          ms);

/* A response to @request: Via, From, To, Call-ID, CSeq copied; our tag added
 * to To when it has none and @status > 100. */
SipwsMessage  *sipws_test_peer_response         (SipwsTestPeer *self,
                                                 SipwsMessage  *request,
                                                 guint          status);
void           sipws_test_peer_send             (SipwsTestPeer *self,
                                                 SipwsMessage  *message);
/* sipws_test_peer_response() + send, for plain answers. */
void           sipws_test_peer_reply            (SipwsTestPeer *self,
                                                 SipwsMessage  *request,
                                                 guint          status);
/* Accepts a REGISTER: 200 echoing the Contact with ;expires=@expires. */
void           sipws_test_peer_accept_register  (SipwsTestPeer *self,
                                                 SipwsMessage  *request,
                                                 guint          expires);

/* A request from the peer (bob@example.com) to @request_uri outside any
 * dialog, with a fresh branch, From tag and Call-ID. */
SipwsMessage  *sipws_test_peer_new_request      (SipwsTestPeer *self,
                                                 const char    *method,
                                                 const char    *request_uri);

/* The peer's side of a dialog, to send requests inside it. */
typedef struct {
  char *call_id;
  char *local;        /* the peer's address with its tag */
  char *remote;       /* the account's address with its tag */
  char *target;       /* the account's Contact URI */
  guint32 cseq;
} SipwsTestDialog;

/* The peer answered (@response, with our tag) the account's @request. */
SipwsTestDialog *sipws_test_dialog_new_uas      (SipwsMessage    *request,
                                                 SipwsMessage    *response);
/* The account answered (@response) the peer's @request. */
SipwsTestDialog *sipws_test_dialog_new_uac      (SipwsMessage    *request,
                                                 SipwsMessage    *response);
void             sipws_test_dialog_free         (SipwsTestDialog *self);
SipwsMessage    *sipws_test_dialog_request      (SipwsTestDialog *self,
                                                 const char      *method);
SipwsMessage    *sipws_test_dialog_ack          (SipwsTestDialog *self,
                                                 SipwsMessage    *invite);

/* The account under test: sip:alice@example.com on the peer's server, a fixed
 * instance, T1 = @t1 ms (so Timer B/F/H are 64·@t1), T2 = 4·@t1, a 100-400 ms
 * registration retry backoff and a 50-200 ms reconnect backoff. */
#define SIPWS_TEST_AOR "sip:alice@example.com"
#define SIPWS_TEST_INSTANCE "urn:uuid:00000000-0000-4000-8000-00000000abcd"
SipwsAccount    *sipws_test_account_new         (SipwsTestPeer   *peer,
                                                 guint            t1);
/* Registers @account, answering the REGISTER with a 200 for @expires s;
 * returns that REGISTER. */
SipwsMessage    *sipws_test_register            (SipwsTestPeer   *peer,
                                                 SipwsAccount    *account,
                                                 guint            expires);

/* Parses a message written in a test, asserting that it parses. */
SipwsMessage    *sipws_test_parse               (const char      *text);

/* Canned SDP of the fake media handler and the peer. */
void             sipws_test_set_sdp             (SipwsMessage    *message,
                                                 const char      *sdp);
char            *sipws_test_get_body            (SipwsMessage    *message);

/* Iterates the default main context until *@flag is TRUE or @timeout_ms. */
gboolean         sipws_test_wait_flag           (gboolean        *flag,
                                                 guint            timeout_ms);
/* Iterates the default main context for @ms. */
void             sipws_test_run_for             (guint            ms);
/* Iterates until @account's transport is in @state; asserts it got there. */
void             sipws_test_wait_transport_state (SipwsAccount        *account,
                                                  SipwsTransportState  state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsTestPeer, sipws_test_peer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsTestDialog, sipws_test_dialog_free)

G_END_DECLS
