/* sim_ws.c — WebSocket accept key and frames (see sim_ws.h). */
#include "sim_ws.h"

#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

/* Writes Sec-WebSocket-Accept: base64(SHA-1(key + the RFC's GUID)). */
bool sim_ws_accept(const char *key, char out[29]) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  char buf[128];
  size_t n = key ? strlen(key) : 0;
  if (!n || n + sizeof guid > sizeof buf) return false;
  memcpy(buf, key, n), memcpy(buf + n, guid, sizeof guid);
  struct sha1_ctx ctx;
  uint8_t md[SHA1_DIGEST_SIZE];
  sha1_init(&ctx);
  sha1_update(&ctx, n + sizeof guid - 1, (const uint8_t *)buf);
  sha1_digest(&ctx, sizeof md, md);
  base64_encode_raw(out, sizeof md, md); /* 28 characters for 20 bytes */
  out[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
  return true;
}

/* Writes a final, unmasked frame header. */
size_t sim_ws_header(unsigned char out[10], int opcode, size_t len) {
  out[0] = (unsigned char)(0x80 | (opcode & 0x0f));
  if (len < 126) return out[1] = (unsigned char)len, 2;
  if (len <= 0xffff) {
    out[1] = 126, out[2] = (unsigned char)(len >> 8), out[3] = (unsigned char)len;
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; i++) out[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
  return 10;
}

/* Parses one masked client frame. */
ssize_t sim_ws_parse(unsigned char *buf, size_t len, size_t max, sim_ws_frame *f) {
  if (len < 2) return 0;
  if (buf[0] & 0x70 || !(buf[1] & 0x80)) return -1;
  int opcode = buf[0] & 0x0f;
  bool fin = buf[0] & 0x80;
  uint64_t plen = buf[1] & 0x7f;
  size_t pos = 2;
  if (opcode >= 8 && (plen > 125 || !fin)) return -1;
  if (plen == 126) {
    if (len < 4) return 0;
    plen = (uint64_t)buf[2] << 8 | buf[3], pos = 4;
  } else if (plen == 127) {
    if (len < 10) return 0;
    plen = 0;
    for (int i = 0; i < 8; i++) plen = plen << 8 | buf[2 + i];
    pos = 10;
  }
  if (plen > max) return -1;
  if (len < pos + 4 + plen) return 0;
  const unsigned char *mask = buf + pos;
  unsigned char *p = buf + pos + 4;
  for (size_t i = 0; i < plen; i++) p[i] ^= mask[i & 3];
  *f = (sim_ws_frame){opcode, fin, p, (size_t)plen};
  return (ssize_t)(pos + 4 + plen);
}
