/* PLACEHOLDER, replaced by its owner */
#include "sipws-auth-challenge.h"
