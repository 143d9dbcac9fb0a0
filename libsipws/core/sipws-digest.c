/* PLACEHOLDER, replaced by its owner */
#include "sipws-digest.h"
