/* test-media-netns.c: two processes in two network namespaces joined by a veth pair
 *
 * Each media-peer runs under `unshare --net`, so its namespace exists only as
 * long as the process: nothing named is left behind whatever happens, and a
 * peer whose parent died exits by itself within seconds. The parent creates
 * the veth pair, moves its ends into the peers' namespaces and configures
 * them with nsenter before the peers start gathering. Needs root (CI runs as
 * root); skipped otherwise.
 */
#include "media-test-utils.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

#define PEER_SECONDS 4

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  char             *pid;
} Peer;

static gboolean
run_command (GError     **error,
             const char  *first,
             ...) G_GNUC_NULL_TERMINATED;

static gboolean
run_command (GError     **error,
             const char  *first,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error)) {
    g_prefix_error (error, "%s: %s", first, err != NULL ? err : "");
    return FALSE;
  }
  return TRUE;
}

static void
peer_start (Peer       *peer,
            const char *role,
            const char *tone,
            const char *expect,
            const char *dtmf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "media", "media-peer", NULL);
  g_autofree char *seconds = g_strdup_printf ("%d", PEER_SECONDS);

  peer->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                    "unshare", "--net", "--", program, "--role", role, "--tone", tone,
                                    "--expect", expect, "--seconds", seconds, "--wait-start",
                                    "--dtmf", dtmf != NULL ? dtmf : "", NULL);
  g_assert_no_error (error);
  peer->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  peer->in = g_object_ref (g_subprocess_get_stdin_pipe (peer->process));
  peer->pid = g_strdup (g_subprocess_get_identifier (peer->process));
}

static void
peer_clear (Peer *peer)
{
  if (peer->process != NULL && g_subprocess_get_identifier (peer->process) != NULL)
    g_subprocess_force_exit (peer->process);
  g_clear_object (&peer->process);
  g_clear_object (&peer->out);
  g_clear_object (&peer->in);
  g_clear_pointer (&peer->pid, g_free);
}

typedef struct {
  gboolean done;
  char    *line;
} LineRead;

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LineRead *r = user_data;

  r->line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  r->done = TRUE;
}

static gboolean
line_done (gpointer data)
{
  return ((LineRead *) data)->done;
}

static char *
read_line (Peer  *peer,
           guint  timeout_ms)
{
  LineRead r = { FALSE, NULL };

  g_data_input_stream_read_line_async (peer->out, G_PRIORITY_DEFAULT, NULL, line_cb, &r);
  if (!media_test_wait (line_done, &r, timeout_ms)) {
    /* the pending read ends when the process is killed */
    g_subprocess_force_exit (peer->process);
    media_test_wait (line_done, &r, 2000);
    g_free (r.line);
    return NULL;
  }
  return r.line;
}

/* Forwards one "SDP <length>" frame from @from to @to; returns the body. */
static char *
forward_sdp (Peer *from,
             Peer *to)
{
  g_autofree char *header = read_line (from, 20000);
  g_autoptr(GError) error = NULL;
  guint64 length = 0;
  char *body;
  gsize got = 0;

  g_assert_nonnull (header);
  g_assert_true (g_str_has_prefix (header, "SDP "));
  g_assert_true (g_ascii_string_to_unsigned (header + 4, 10, 1, 65536, &length, NULL));
  body = g_malloc0 (length + 1);
  g_assert_true (g_input_stream_read_all (G_INPUT_STREAM (from->out), body, length, &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, length);
  g_assert_true (g_output_stream_printf (to->in, NULL, NULL, &error, "%s\n%s", header, body));
  g_assert_no_error (error);
  g_output_stream_flush (to->in, NULL, NULL);
  return body;
}

/* Waits for the peer's RESULT line: it heard the other side's tone, still
 * hears it at the end (with a steady packet flow) and got @digits. */
static void
wait_exit (Peer       *peer,
           const char *digits)
{
  g_autofree char *result = read_line (peer, (PEER_SECONDS + 10) * 1000);
  g_autofree char *expect_digits = g_strdup_printf (" digits=%s", digits != NULL ? digits : "");
  g_autoptr(GError) error = NULL;
  const char *end_packets;

  g_assert_nonnull (result);
  g_test_message ("peer %s: %s", peer->pid, result);
  g_assert_true (g_str_has_prefix (result, "RESULT heard=1 "));
  g_assert_nonnull (strstr (result, " end_heard=1 "));
  end_packets = strstr (result, " end_packets=");
  g_assert_nonnull (end_packets);
  /* 50 packets a second; a loaded machine may lose a few */
  g_assert_cmpint (atoi (end_packets + strlen (" end_packets=")), >=, 40);
  g_assert_true (g_str_has_suffix (result, expect_digits));
  g_assert_true (g_subprocess_wait (peer->process, NULL, &error));
  g_assert_true (g_subprocess_get_successful (peer->process));
}

typedef struct {
  const char *dtmf;       /* the offerer sends them when it applies the answer */
} NetnsCase;

static void
test_two_namespaces (gconstpointer data)
{
  const NetnsCase *c = data;
  static const char *addresses[] = { "10.99.0.1/24", "10.99.0.2/24" };
  Peer a = { NULL }, b = { NULL };
  Peer *peers[] = { &a, &b };
  g_autofree char *veth_a = g_strdup_printf ("swf%da", (int) getpid ());
  g_autofree char *veth_b = g_strdup_printf ("swf%db", (int) getpid ());
  const char *veths[] = { veth_a, veth_b };
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *unshare = g_find_program_in_path ("unshare");
  g_autofree char *nsenter = g_find_program_in_path ("nsenter");
  g_autofree char *ip = g_find_program_in_path ("ip");

  if (getuid () != 0) {
    g_test_skip ("needs root for network namespaces and veth pairs");
    return;
  }
  if (unshare == NULL || nsenter == NULL || ip == NULL) {
    g_test_skip ("needs unshare, nsenter and ip");
    return;
  }
  if (!media_test_plugins_available ())
    return;

  peer_start (&a, "offer", "440", "880", c->dtmf);
  peer_start (&b, "answer", "880", "440", NULL);

  /* One shell command creates the pair in the root namespace and moves the
   * ends into the peers' namespaces, or deletes it: nothing stays behind even
   * if this test dies. (Creating it inside a namespace with the peer end put
   * directly into the other leaves one end without carrier on this kernel.) */
  script = g_strdup_printf ("ip link add %s type veth peer name %s && "
                            "{ ip link set %s netns %s && ip link set %s netns %s || { ip link del %s; exit 1; }; }",
                            veth_a, veth_b, veth_a, a.pid, veth_b, b.pid, veth_a);
  g_assert_true (run_command (&error, "sh", "-c", script, NULL));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++) {
    g_assert_true (run_command (&error, "nsenter", "-t", peers[i]->pid, "-n", "ip", "addr", "add",
                                addresses[i], "dev", veths[i], NULL));
    g_assert_true (run_command (&error, "nsenter", "-t", peers[i]->pid, "-n", "ip", "link", "set",
                                veths[i], "up", NULL));
    g_assert_true (run_command (&error, "nsenter", "-t", peers[i]->pid, "-n", "ip", "link", "set",
                                "lo", "up", NULL));
    g_assert_no_error (error);

    g_assert_true (g_output_stream_write_all (peers[i]->in, "START\n", 6, NULL, NULL, &error));
    g_output_stream_flush (peers[i]->in, NULL, NULL);
  }

  offer = forward_sdp (&a, &b);
  g_assert_nonnull (strstr (offer, "c=IN IP4 10.99.0.1\r\n"));
  answer = forward_sdp (&b, &a);
  g_assert_nonnull (strstr (answer, "c=IN IP4 10.99.0.2\r\n"));
  wait_exit (&a, NULL);
  wait_exit (&b, c->dtmf);

  peer_clear (&a);
  peer_clear (&b);
  /* the namespaces died with the peers, and the veth pair with them */
  g_assert_false (run_command (NULL, "ip", "link", "show", veth_a, NULL));
}

int
main (int   argc,
      char *argv[])
{
  static const NetnsCase plain = { NULL };
  /* sent before ICE and DTLS are up, as a user agent does when the call
   * becomes active */
  static const NetnsCase early_dtmf = { "5#" };

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/media/netns/two-processes", &plain, test_two_namespaces);
  g_test_add_data_func ("/media/netns/dtmf-before-media-flows", &early_dtmf, test_two_namespaces);

  return g_test_run ();
}
