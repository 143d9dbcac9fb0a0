/* PLACEHOLDER, replaced by its owner */
#include "sipws-transport.h"
