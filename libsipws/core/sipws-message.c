/* PLACEHOLDER, replaced by its owner */
#include "sipws-message.h"
