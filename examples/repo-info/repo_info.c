/* repo_info.c: the `RepoInfo` tool: GET {api_base}/repos/OWNER/REPO on a
 * GitHub-style REST API (default https://api.github.com) through the
 * `yoi:https` host API, and a summary of the answer.
 *
 * The plugin holds no credentials: an operator who wants authenticated
 * requests adds the header to the grant (`headers = [{ name =
 * "authorization", value = "Bearer ${secret:github}" }]`) and the host
 * attaches it; the plugin never sees the token. The input schema already
 * limits owner and repo to [A-Za-z0-9._-], so the path has one shape. */
#include "wasmgate_plugin.h"

static char url[512];
static char body[65536 + 4];
static char compact[65536 + 4];
static char text[4096];

static wgp_size put(char *dst, wgp_size at, wgp_size cap, const char *s, wgp_size n) {
  for (wgp_size i = 0; i < n && at < cap; i++) dst[at++] = s[i];
  return at;
}

/* The string argument `key` into dst; its length or -1. */
static long arg(wgp_value root, const char *key, char *dst, wgp_size cap) {
  return wgp_string(wgp_get(root, key), dst, cap);
}

static void fail(const char *summary) { wgp_output(summary, 0, 0); }

WGP_EXPORT("yoi_tool_call") void yoi_tool_call(void) {
  wgp_size len = 0;
  const char *in = wgp_input(&len);
  if (!in) return fail("cannot read the arguments");
  wgp_value root = wgp_root(in, len);
  char owner[128], repo[128], base[256];
  long no = arg(root, "owner", owner, sizeof owner);
  long nr = arg(root, "repo", repo, sizeof repo);
  long nb = arg(root, "api_base", base, sizeof base);
  if (no <= 0 || nr <= 0) return fail("arguments `owner` and `repo` are required");
  wgp_size u = 0;
  if (nb > 0) u = put(url, u, sizeof url - 1, base, (wgp_size)nb);
  else u = put(url, u, sizeof url - 1, "https://api.github.com", 22);
  u = put(url, u, sizeof url - 1, "/repos/", 7);
  u = put(url, u, sizeof url - 1, owner, (wgp_size)no);
  u = put(url, u, sizeof url - 1, "/", 1);
  u = put(url, u, sizeof url - 1, repo, (wgp_size)nr);
  url[u] = '\0';

  const wgp_https_header headers[] = {
    {"accept", "application/vnd.github+json"},
    {"x-github-api-version", "2022-11-28"},
  };
  wgp_https_response r;
  int rc = wgp_https_request("GET", url, headers, 2, 0, 0, &r);
  if (rc == -1) return; /* the host's https error fails the call */
  if (rc != 0) return fail("the response does not fit the plugin's buffer");

  wgp_writer w = wgp_writer_new();
  if (r.status != 200) {
    wgp_w_cstr(&w, "{\"summary\":\"the API answered HTTP ");
    wgp_w_u64(&w, (wgp_u64)r.status);
    wgp_w_cstr(&w, " for ");
    wgp_w_raw(&w, owner, (wgp_size)no);
    wgp_w_cstr(&w, "/");
    wgp_w_raw(&w, repo, (wgp_size)nr);
    wgp_w_cstr(&w, "\"}");
    wgp_w_finish(&w);
    return;
  }
  long nbody = wgp_string(r.body, body, sizeof body);
  long nc = nbody < 0 ? -1 : wgp_json_compact(body, (wgp_size)nbody, compact, sizeof compact);
  if (nc < 0 || r.truncated) return fail("the API's answer is not a complete JSON object");
  wgp_value repo_json = wgp_root(compact, (wgp_size)nc);
  double stars = 0, issues = 0;
  int has_stars = wgp_number(wgp_get(repo_json, "stargazers_count"), &stars);
  wgp_number(wgp_get(repo_json, "open_issues_count"), &issues);
  long nname = wgp_string(wgp_get(repo_json, "full_name"), text, sizeof text);
  if (!has_stars || nname <= 0) return fail("the API's answer has no repository fields");

  /* summary: "OWNER/REPO: N stars, M open issues" (the name as JSON text). */
  wgp_w_cstr(&w, "{\"summary\":");
  char summary[512];
  wgp_size s = put(summary, 0, 300, text, (wgp_size)nname);
  s = put(summary, s, sizeof summary, ": ", 2);
  wgp_writer num = {summary + s, sizeof summary - s, 0, 0};
  wgp_w_double(&num, stars);
  s += num.len;
  s = put(summary, s, sizeof summary, " stars, ", 8);
  num = (wgp_writer){summary + s, sizeof summary - s, 0, 0};
  wgp_w_double(&num, issues);
  s += num.len;
  s = put(summary, s, sizeof summary, " open issues", 12);
  wgp_w_str(&w, summary, s);
  /* content: the description and the page, as a JSON object text. */
  wgp_writer c = {compact + nc, sizeof compact - (wgp_size)nc, 0, 0};
  wgp_w_cstr(&c, "{\"description\":");
  long nd = wgp_string(wgp_get(repo_json, "description"), text, sizeof text);
  if (nd >= 0) wgp_w_str(&c, text, (wgp_size)nd);
  else wgp_w_cstr(&c, "null");
  wgp_w_cstr(&c, ",\"html_url\":");
  long nh = wgp_string(wgp_get(repo_json, "html_url"), text, sizeof text);
  if (nh >= 0) wgp_w_str(&c, text, (wgp_size)nh);
  else wgp_w_cstr(&c, "null");
  wgp_w_cstr(&c, "}");
  wgp_w_cstr(&w, ",\"content\":");
  wgp_w_str(&w, c.buf, c.len);
  wgp_w_cstr(&w, "}");
  wgp_w_finish(&w);
}
