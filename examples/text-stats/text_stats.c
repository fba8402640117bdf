/* text_stats.c: the `TextStats` tool: word, line, character (code point)
 * and byte counts of the string argument `text`. Words are maximal runs of
 * non-whitespace; a last line without a newline still counts as a line. */
#include "wasmgate_plugin.h"

static char text[WGP_MAX_INPUT];

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  long n = in ? wgp_string(wgp_get(wgp_root(in, len), "text"), text, sizeof text) : -1;
  if (n < 0) {
    wgp_output("argument `text` must be a string", 0, 0);
    return;
  }
  wgp_u64 words = 0, lines = 0, chars = 0;
  int in_word = 0;
  for (long i = 0; i < n; i++) {
    char c = text[i];
    if (((unsigned char)c & 0xc0) != 0x80) chars++; /* not a continuation byte */
    if (c == '\n') lines++;
    if (is_space(c)) in_word = 0;
    else if (!in_word) in_word = 1, words++;
  }
  if (n > 0 && text[n - 1] != '\n') lines++;
  wgp_writer w = wgp_writer_new();
  wgp_w_cstr(&w, "{\"summary\":\"words: ");
  wgp_w_u64(&w, words);
  wgp_w_cstr(&w, ", lines: ");
  wgp_w_u64(&w, lines);
  wgp_w_cstr(&w, ", chars: ");
  wgp_w_u64(&w, chars);
  wgp_w_cstr(&w, ", bytes: ");
  wgp_w_u64(&w, (wgp_u64)n);
  /* content: the same counts as a JSON text */
  wgp_w_cstr(&w, "\",\"content\":\"{\\\"bytes\\\":");
  wgp_w_u64(&w, (wgp_u64)n);
  wgp_w_cstr(&w, ",\\\"chars\\\":");
  wgp_w_u64(&w, chars);
  wgp_w_cstr(&w, ",\\\"lines\\\":");
  wgp_w_u64(&w, lines);
  wgp_w_cstr(&w, ",\\\"words\\\":");
  wgp_w_u64(&w, words);
  wgp_w_cstr(&w, "}\"}");
  wgp_w_finish(&w);
}
