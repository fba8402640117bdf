/* path.c: yoi's normalize_archive_path. A path is accepted
 * only if normalizing it would not change it, so validity is all we need:
 * not empty, no NUL or backslash, no leading '/' or '~', no Windows drive
 * prefix (ASCII letter then ':'), and no empty, "." or ".." segment. The
 * same check applies to ZIP entry names, directory-package paths and paths
 * the manifest references. */
#include "pkg_internal.h"

static bool segment_ok(const char *s, size_t n) {
  if (n == 0) return false;
  if (n == 1 && s[0] == '.') return false;
  if (n == 2 && s[0] == '.' && s[1] == '.') return false;
  return true;
}

static bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool pkg_path_valid(const char *path, size_t len) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; i++)
    if (path[i] == '\0' || path[i] == '\\') return false;
  if (path[0] == '/' || path[0] == '~') return false;
  if (len >= 2 && path[1] == ':' && is_ascii_alpha(path[0])) return false;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && path[i] != '/') continue;
    if (!segment_ok(path + start, i - start)) return false;
    start = i + 1;
  }
  return true;
}

bool wg_pkg_path_valid(const char *path, size_t len) {
  return path && pkg_path_valid(path, len);
}
