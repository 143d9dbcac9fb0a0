/* PLACEHOLDER, replaced by its owner */
#include "sipws-uri.h"
