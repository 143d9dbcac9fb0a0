/* PLACEHOLDER, replaced by its owner */
#include "sipws-scan-private.h"
