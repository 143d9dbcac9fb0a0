/* PLACEHOLDER, replaced by its owner */
#include "sipws-address.h"
