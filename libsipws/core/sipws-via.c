/* PLACEHOLDER, replaced by its owner */
#include "sipws-via.h"
