/* sipws-transport.h: PLACEHOLDER, replaced by its owner */
#pragma once
#include <glib.h>
#include "sipws-version.h"
