/* sipws-test-utils.h: helpers shared by the GTest programs */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GBytes *sipws_test_load_file (const char *first_path_element,
                              ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
