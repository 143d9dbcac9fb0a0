/* sipws-message.h: SIP requests and responses (RFC 3261 §7, §20, §25) */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-uri.h"
#include "sipws-address.h"
#include "sipws-via.h"
#include "sipws-header-name.h"

G_BEGIN_DECLS

/**
 * SIPWS_MESSAGE_DEFAULT_MAX_SIZE:
 *
 * The message size limit that [func@Sipws.Message.parse_full] applies when
 * given 0: 64 KiB, the largest message a SIP-over-WebSocket peer sends in
 * practice (RFC 7118 leaves the size to the WebSocket layer).
 */
#define SIPWS_MESSAGE_DEFAULT_MAX_SIZE (64 * 1024)

/**
 * SIPWS_MESSAGE_DEFAULT_MAX_HEADERS:
 *
 * The header field count limit applied when given 0.
 */
#define SIPWS_MESSAGE_DEFAULT_MAX_HEADERS 256

/**
 * SIPWS_MESSAGE_DEFAULT_MAX_LINE:
 *
 * The limit on the start line and on one header field (with its folded
 * continuation lines) applied when given 0: 8 KiB.
 */
#define SIPWS_MESSAGE_DEFAULT_MAX_LINE (8 * 1024)

#define SIPWS_TYPE_MESSAGE (sipws_message_get_type ())

/**
 * SipwsMessage:
 *
 * A SIP request or response.
 *
 * [func@Sipws.Message.parse] reads one message as it arrives in one
 * WebSocket message (RFC 7118 §5.1), checks its syntax, including that of
 * every header libsipws interprets, and keeps one copy of the text. The
 * typed getters then cost no parsing. The builders
 * ([ctor@Sipws.Message.new_request], [ctor@Sipws.Message.new_response]) and
 * the header setters make a message to send with
 * [method@Sipws.Message.to_bytes].
 *
 * A `SipwsMessage` is a reference-counted value; it is immutable once it is
 * shared with another thread or component.
 */
typedef struct _SipwsMessage SipwsMessage;

SIPWS_AVAILABLE_IN_ALL
GType          sipws_message_get_type                 (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_parse                    (const char    *data,
                                                       gsize          len,
                                                       GError       **error);
SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_parse_bytes              (GBytes        *bytes,
                                                       GError       **error);
SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_parse_full               (GBytes        *bytes,
                                                       gsize          max_size,
                                                       guint          max_headers,
                                                       gsize          max_line_length,
                                                       gsize         *trailing,
                                                       GError       **error);

SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_new_request              (const char    *method,
                                                       SipwsUri      *uri);
SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_new_response             (guint          status,
                                                       const char    *reason);
SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_new_response_for_request (SipwsMessage  *request,
                                                       guint          status,
                                                       const char    *reason);
SIPWS_AVAILABLE_IN_ALL
SipwsMessage  *sipws_message_ref                      (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
void           sipws_message_unref                    (SipwsMessage  *self);

SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_default_reason       (guint          status);

/* start line */
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_is_request               (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_method               (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
SipwsUri      *sipws_message_get_request_uri          (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
guint          sipws_message_get_status_code          (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_reason_phrase        (SipwsMessage  *self);

/* header fields as text */
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_header               (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_header_by_id         (SipwsMessage    *self,
                                                       SipwsHeaderName  header);
SIPWS_AVAILABLE_IN_ALL
char         **sipws_message_get_header_values        (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
guint          sipws_message_count_headers            (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
void           sipws_message_set_header               (SipwsMessage  *self,
                                                       const char    *name,
                                                       const char    *value);
SIPWS_AVAILABLE_IN_ALL
void           sipws_message_add_header               (SipwsMessage  *self,
                                                       const char    *name,
                                                       const char    *value);
SIPWS_AVAILABLE_IN_ALL
guint          sipws_message_remove_header            (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
guint          sipws_message_get_n_headers            (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_get_header_nth           (SipwsMessage  *self,
                                                       guint          index,
                                                       const char   **name,
                                                       const char   **value,
                                                       gsize         *value_len);

/* body */
SIPWS_AVAILABLE_IN_ALL
GBytes        *sipws_message_get_body                 (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
void           sipws_message_set_body                 (SipwsMessage  *self,
                                                       const char    *content_type,
                                                       GBytes        *body);
SIPWS_AVAILABLE_IN_ALL
GBytes        *sipws_message_to_bytes                 (SipwsMessage  *self);

/* typed header fields */
SIPWS_AVAILABLE_IN_ALL
GPtrArray     *sipws_message_get_vias                 (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
SipwsVia      *sipws_message_get_top_via              (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
SipwsVia     **sipws_message_peek_vias                (SipwsMessage  *self,
                                                       guint         *n_vias);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress  *sipws_message_get_from                 (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress  *sipws_message_get_to                   (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress  *sipws_message_get_address              (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_call_id              (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_get_cseq                 (SipwsMessage  *self,
                                                       guint32       *number,
                                                       const char   **method);
SIPWS_AVAILABLE_IN_ALL
gint           sipws_message_get_max_forwards         (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
GPtrArray     *sipws_message_get_contacts             (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
GPtrArray     *sipws_message_get_address_list         (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress **sipws_message_peek_addresses           (SipwsMessage  *self,
                                                       const char    *name,
                                                       guint         *n_addresses);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress **sipws_message_peek_addresses_by_id     (SipwsMessage    *self,
                                                       SipwsHeaderName  header,
                                                       guint           *n_addresses);
SIPWS_AVAILABLE_IN_ALL
gint64         sipws_message_get_expires              (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
gint64         sipws_message_get_min_expires          (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
gint64         sipws_message_get_uint_header          (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_has_token                (SipwsMessage  *self,
                                                       const char    *name,
                                                       const char    *token);
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_has_token_by_id          (SipwsMessage    *self,
                                                       SipwsHeaderName  header,
                                                       const char      *token);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_content_type         (SipwsMessage  *self);
SIPWS_AVAILABLE_IN_ALL
const char    *sipws_message_get_content_type_param   (SipwsMessage  *self,
                                                       const char    *name);
SIPWS_AVAILABLE_IN_ALL
gint64         sipws_message_get_content_length       (SipwsMessage  *self);

/* what a UAS checks before it acts on a request */
SIPWS_AVAILABLE_IN_ALL
gboolean       sipws_message_check_request            (SipwsMessage  *self,
                                                       gboolean       forwarding,
                                                       guint         *status,
                                                       char         **reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsMessage, sipws_message_unref)

G_END_DECLS
