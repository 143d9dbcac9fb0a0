/* sipws.h: the one public header of libsipws */
#pragma once

#define SIPWS_INSIDE

#include "sipws-version.h"
#include "sipws-core-enums.h"
#include "sipws-transport-enums.h"
#include "sipws-ua-enums.h"
#include "sipws-media-enums.h"

#include "sipws-error.h"
#include "sipws-uri.h"
#include "sipws-address.h"
#include "sipws-via.h"
#include "sipws-message.h"
#include "sipws-auth-challenge.h"
#include "sipws-digest.h"
#include "sipws-redact.h"
#include "sipws-transport.h"
#include "sipws-media-handler.h"
#include "sipws-media-session.h"

#undef SIPWS_INSIDE
