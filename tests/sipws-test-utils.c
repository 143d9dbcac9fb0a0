/* sipws-test-utils.c: helpers shared by the GTest programs */
#include "sipws-test-utils.h"

/* Loads a file below G_TEST_SRCDIR (the tests/ source folder) and fails
 * the test when it cannot be read, so test data problems are loud. */
GBytes *
sipws_test_load_file (const char *first_path_element,
                      ...)
{
  g_autofree char *relative = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  va_list args;

  va_start (args, first_path_element);
  relative = g_build_filename_valist (first_path_element, &args);
  va_end (args);
  path = g_build_filename (g_test_get_dir (G_TEST_DIST), relative, NULL);

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("cannot read test data %s: %s", path, error->message);

  return g_bytes_new_take (contents, length);
}
