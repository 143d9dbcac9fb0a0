/* PLACEHOLDER, replaced by its owner */
#include "sipws-media-session.h"
