/* protocol.c: the protocol versions this server speaks and the legacy
 * `initialize` negotiation (2025-11-25 basic/lifecycle: the client's
 * version if the server supports it, otherwise the latest it supports). */
#include "mcp_internal.h"

#include <string.h>

const char *const mcp_versions[] = {
  MCP_MODERN_VERSION, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
};
const size_t mcp_version_count = sizeof mcp_versions / sizeof mcp_versions[0];

bool mcp_is_legacy_version(const char *v, size_t len) {
  for (size_t i = 1; i < mcp_version_count; i++)
    if (strlen(mcp_versions[i]) == len && memcmp(mcp_versions[i], v, len) == 0)
      return true;
  return false;
}

const char *mcp_negotiate_legacy(const char *requested, size_t len) {
  for (size_t i = 1; i < mcp_version_count; i++)
    if (strlen(mcp_versions[i]) == len && memcmp(mcp_versions[i], requested, len) == 0)
      return mcp_versions[i];
  return MCP_LATEST_LEGACY;
}
