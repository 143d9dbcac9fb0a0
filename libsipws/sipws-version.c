/* sipws-version.c: run-time version information */
#include "sipws-version.h"

/**
 * sipws_get_major_version:
 *
 * Gets the major version of the library loaded at run time, which may be
 * newer than the one the program was built against (%SIPWS_MAJOR_VERSION).
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
 * Gets the minor version of the library loaded at run time, which may be
 * newer than the one the program was built against (%SIPWS_MINOR_VERSION).
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
 * Gets the micro version of the library loaded at run time, which may be
 * newer than the one the program was built against (%SIPWS_MICRO_VERSION).
 *
 * Returns: the micro version of the libsipws library loaded at run time
 */
guint
sipws_get_micro_version (void)
{
  return SIPWS_MICRO_VERSION;
}
