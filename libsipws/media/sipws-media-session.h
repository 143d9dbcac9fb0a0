/* sipws-media-session.h: PLACEHOLDER, replaced by its owner */
#pragma once
#include <glib.h>
#include "sipws-version.h"
