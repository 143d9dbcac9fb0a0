/* sipws-version.c: run-time version information */
#include "sipws-version.h"

/**
 * sipws_get_major_version:
 *
 * Returns: the major version of the libsipws library loaded at run time
 */
guint
sipws_get_major_version (void)
{
  return SIPWS_MAJOR_VERSION;
}

/**
 * sipws_get_minor_version:
 *
 * Returns: the minor version of the libsipws library loaded at run time
 */
guint
sipws_get_minor_version (void)
{
  return SIPWS_MINOR_VERSION;
}

/**
 * sipws_get_micro_version:
 *
 * Returns: the micro version of the libsipws library loaded at run time
 */
guint
sipws_get_micro_version (void)
{
  return SIPWS_MICRO_VERSION;
}
