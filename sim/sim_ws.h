/* sim_ws.h — the part of WebSocket framing (RFC 6455) that `rbk sim` needs to serve pods/exec:
 * the handshake's accept key, server frames (unmasked, final) and the parsing of client frames
 * (masked). libmicrohttpd hands over a raw socket after the upgrade and frames nothing, and
 * Debian's libmicrohttpd 0.9.75 ships no microhttpd_ws.h, so this small codec is written here
 * (tests/unit/test_sim_ws.c).
 *
 * Ownership: callers own every buffer; sim_ws_parse unmasks the payload in place. */
#ifndef RBK_SIM_WS_H
#define RBK_SIM_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The opcodes used. */
enum { SIM_WS_TEXT = 1, SIM_WS_BINARY = 2, SIM_WS_CLOSE = 8, SIM_WS_PING = 9, SIM_WS_PONG = 10 };

/* One parsed frame. */
typedef struct {
  int opcode;
  bool fin;
  unsigned char *payload; /* points into the parsed buffer, unmasked */
  size_t len;
} sim_ws_frame;

/* Writes Sec-WebSocket-Accept for a Sec-WebSocket-Key into out (NUL-terminated); returns false
 * when the key is empty or too long. */
bool sim_ws_accept(const char *key, char out[29]);

/* Writes the header of a final, unmasked server frame into out; returns its length (2 to 10). */
size_t sim_ws_header(unsigned char out[10], int opcode, size_t len);

/* Parses the client frame at the start of buf (len bytes): returns the bytes it takes (the frame
 * in *f, its payload unmasked in place), 0 when more bytes are needed, or -1 when it is not a
 * valid client frame (unmasked, reserved bits, a control frame over 125 bytes or fragmented, or a
 * payload over max). */
ssize_t sim_ws_parse(unsigned char *buf, size_t len, size_t max, sim_ws_frame *f);

#endif
