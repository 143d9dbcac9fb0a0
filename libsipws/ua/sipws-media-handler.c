/* PLACEHOLDER, replaced by its owner */
#include "sipws-media-handler.h"
