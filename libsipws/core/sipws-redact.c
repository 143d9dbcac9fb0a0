/* PLACEHOLDER, replaced by its owner */
#include "sipws-redact.h"
