/* test_sim_ws.c — the WebSocket codec of `rbk sim`'s exec (sim/sim_ws.c): the RFC 6455 accept
 * key, server frame headers at the three length sizes, and client frames (masked) parsed whole,
 * in pieces, and refused when malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_ws.h"

/* Writes a masked client frame of payload p (n bytes) into out; returns its length. */
static size_t client_frame(unsigned char *out, int opcode, bool fin, const char *p, size_t n) {
  static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  size_t h = sim_ws_header(out, opcode, n);
  if (!fin) out[0] &= 0x7f;
  out[1] |= 0x80;
  memcpy(out + h, mask, 4);
  for (size_t i = 0; i < n; i++) out[h + 4 + i] = (unsigned char)p[i] ^ mask[i & 3];
  return h + 4 + n;
}

static void sim_ws__accept__is_the_rfc_example(void **state) {
  (void)state;
  char out[29];
  assert_true(sim_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", out));
  assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert_false(sim_ws_accept("", out));
}

static void sim_ws__header__uses_the_shortest_length(void **state) {
  (void)state;
  unsigned char h[10];
  assert_int_equal(sim_ws_header(h, SIM_WS_BINARY, 125), 2);
  assert_int_equal(h[0], 0x82), assert_int_equal(h[1], 125);
  assert_int_equal(sim_ws_header(h, SIM_WS_BINARY, 126), 4);
  assert_int_equal(h[1], 126), assert_int_equal(h[2], 0), assert_int_equal(h[3], 126);
  assert_int_equal(sim_ws_header(h, SIM_WS_CLOSE, 70000), 10);
  assert_int_equal(h[0], 0x88), assert_int_equal(h[1], 127);
  assert_int_equal(h[7], 0x01), assert_int_equal(h[8], 0x11), assert_int_equal(h[9], 0x70);
}

static void sim_ws__parse__unmasks_a_whole_frame(void **state) {
  (void)state;
  unsigned char buf[300];
  char text[200];
  memset(text, 'x', sizeof text), text[0] = 0;
  size_t n = client_frame(buf, SIM_WS_BINARY, true, text, sizeof text);
  sim_ws_frame f;
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), (ssize_t)n);
  assert_int_equal(f.opcode, SIM_WS_BINARY);
  assert_true(f.fin);
  assert_int_equal(f.len, sizeof text);
  assert_memory_equal(f.payload, text, sizeof text);
}

static void sim_ws__parse__waits_for_the_rest(void **state) {
  (void)state;
  unsigned char buf[64];
  size_t n = client_frame(buf, SIM_WS_PING, true, "hi", 2);
  sim_ws_frame f;
  for (size_t k = 0; k < n; k++) assert_int_equal(sim_ws_parse(buf, k, 1024, &f), 0);
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), (ssize_t)n);
  assert_int_equal(f.opcode, SIM_WS_PING);
  assert_memory_equal(f.payload, "hi", 2);
}

static void sim_ws__parse__refuses_malformed_frames(void **state) {
  (void)state;
  unsigned char buf[400];
  sim_ws_frame f;
  size_t n = client_frame(buf, SIM_WS_BINARY, true, "abc", 3);
  buf[1] &= 0x7f; /* unmasked */
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), -1);
  n = client_frame(buf, SIM_WS_BINARY, true, "abc", 3);
  buf[0] |= 0x40; /* a reserved bit */
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), -1);
  char big[200] = {0};
  n = client_frame(buf, SIM_WS_PING, true, big, sizeof big); /* a control frame over 125 bytes */
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), -1);
  n = client_frame(buf, SIM_WS_CLOSE, false, "", 0); /* a fragmented control frame */
  assert_int_equal(sim_ws_parse(buf, n, 1024, &f), -1);
  n = client_frame(buf, SIM_WS_BINARY, true, big, sizeof big);
  assert_int_equal(sim_ws_parse(buf, n, 100, &f), -1); /* over max */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sim_ws__accept__is_the_rfc_example),
      cmocka_unit_test(sim_ws__header__uses_the_shortest_length),
      cmocka_unit_test(sim_ws__parse__unmasks_a_whole_frame),
      cmocka_unit_test(sim_ws__parse__waits_for_the_rest),
      cmocka_unit_test(sim_ws__parse__refuses_malformed_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
