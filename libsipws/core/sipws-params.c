/* PLACEHOLDER, replaced by its owner */
#include "sipws-params-private.h"
