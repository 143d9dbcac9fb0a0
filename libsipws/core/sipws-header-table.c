/* PLACEHOLDER, replaced by its owner */
#include "sipws-header-table-private.h"
