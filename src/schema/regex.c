/* regex.c: ECMA-262 regular expressions (JSON Schema `pattern`) on PCRE2.
 *
 * PCRE2 and ECMA-262 differ in many small ways, so the pattern is not passed
 * through: it is rewritten token by token into a PCRE2 pattern that means
 * what ECMA-262 (with the `u` flag) means, and anything ECMA lacks is
 * rejected here rather than given PCRE2's meaning:
 *   - compiled with PCRE2_UTF (code points) and without PCRE2_UCP, so \d \w
 *     \b are ASCII as in ECMA; \s and \S become explicit classes of ECMA's
 *     white space and line terminators; `.` excludes ECMA's four line
 *     terminators; `$` matches only at the very end (DOLLAR_ENDONLY);
 *     a backreference to an unset group matches empty (MATCH_UNSET_BACKREF).
 *   - \uXXXX (with surrogate pairs), \u{...}, \xHH, \cX, \0, \v are turned
 *     into \x{...}; \p{...} long General_Category names are mapped to
 *     PCRE2's short ones; [] matches nothing and [^] anything.
 *   - rejected, as ECMA-262 with the `u` flag rejects them: an escape that
 *     is not an ECMA escape (\A \Z \z \K \G \Q \R \h \e ..., and identity
 *     escapes of anything but syntax characters and '/'), possessive
 *     quantifiers, any (? group other than (?: (?= (?! (?<= (?<! (?<name>,
 *     quantified lookarounds, lone ] { }, backreferences to missing groups,
 *     lone surrogates. The dialect is the `u` one throughout (JSON Schema
 *     patterns need \p{..}, which only exists there).
 * Matching is an unanchored search with match, depth and heap limits from a
 * per-call match context; hitting one is an error, never "no match".
 * Patterns are compiled with PCRE2_AUTO_CALLOUT and every callout counts one
 * step against a meter, so the regex work of a whole validation is charged
 * to its step budget (PCRE2's own limits are per call only). */
#include <stdio.h>
#include <string.h>

#include "schema_internal.h"

/* ECMA WhiteSpace + LineTerminator, as PCRE2 class items. */
#define ECMA_SPACE                                                            \
  "\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}" \
  "\\x{202f}\\x{205f}\\x{3000}\\x{feff}"

#define RX_MAX_NESTING 64 /* open groups; PCRE2's parens limit is set to it too */

typedef struct rx {
  const char *p;
  size_t len, i;
  wg_buf *out;
  unsigned ngroups;
  char *msg;
  size_t msg_size;
  bool failed;
  /* Open groups, true for lookarounds: ECMA (u) cannot quantify those. */
  bool lookaround[RX_MAX_NESTING];
  size_t depth;
  bool after_lookaround; /* the previous token closed a lookaround */
} rx;

static bool rx_fail(rx *r, const char *what) {
  if (!r->failed) snprintf(r->msg, r->msg_size, "%s at offset %zu", what, r->i);
  r->failed = true;
  return false;
}

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(char c) {
  if (c <= '9') return (unsigned)(c - '0');
  return (unsigned)((c | 0x20) - 'a' + 10);
}

static bool emit_cp(rx *r, uint32_t cp) {
  return wg_buf_printf(r->out, "\\x{%x}", (unsigned)cp);
}

/* Reads n hex digits at p[i..]; false if they are not there. */
static bool read_hex(rx *r, size_t n, uint32_t *out) {
  if (r->len - r->i < n) return false;
  uint32_t v = 0;
  for (size_t k = 0; k < n; k++) {
    if (!is_hex(r->p[r->i + k])) return false;
    v = v * 16 + hex_val(r->p[r->i + k]);
  }
  r->i += n;
  *out = v;
  return true;
}

/* After "\u": XXXX (joining a surrogate pair) or {X...}. */
static bool esc_unicode(rx *r, uint32_t *cp) {
  if (r->i < r->len && r->p[r->i] == '{') {
    r->i++;
    uint32_t v = 0;
    size_t n = 0;
    while (r->i < r->len && is_hex(r->p[r->i]) && v <= 0x10FFFF) {
      v = v * 16 + hex_val(r->p[r->i++]);
      n++;
    }
    if (n == 0 || v > 0x10FFFF || r->i >= r->len || r->p[r->i] != '}')
      return rx_fail(r, "bad \\u{...} escape");
    r->i++;
    *cp = v;
  } else if (!read_hex(r, 4, cp)) {
    return rx_fail(r, "bad \\u escape");
  }
  if (*cp >= 0xD800 && *cp <= 0xDBFF && r->len - r->i >= 6 && r->p[r->i] == '\\' &&
      r->p[r->i + 1] == 'u') {
    size_t save = r->i;
    uint32_t lo;
    r->i += 2;
    if (read_hex(r, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
      *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
      return true;
    }
    r->i = save;
  }
  if (*cp >= 0xD800 && *cp <= 0xDFFF) return rx_fail(r, "lone surrogate escape");
  return true;
}

/* ECMA General_Category long names and aliases -> PCRE2 short names. */
static const char *const gc_names[][2] = {
    {"Cased_Letter", "L&"},
    {"LC", "L&"},
    {"Close_Punctuation", "Pe"},
    {"Connector_Punctuation", "Pc"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Currency_Symbol", "Sc"},
    {"Dash_Punctuation", "Pd"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Enclosing_Mark", "Me"},
    {"Final_Punctuation", "Pf"},
    {"Format", "Cf"},
    {"Initial_Punctuation", "Pi"},
    {"Letter", "L"},
    {"Letter_Number", "Nl"},
    {"Line_Separator", "Zl"},
    {"Lowercase_Letter", "Ll"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Math_Symbol", "Sm"},
    {"Modifier_Letter", "Lm"},
    {"Modifier_Symbol", "Sk"},
    {"Nonspacing_Mark", "Mn"},
    {"Number", "N"},
    {"Open_Punctuation", "Ps"},
    {"Other", "C"},
    {"Other_Letter", "Lo"},
    {"Other_Number", "No"},
    {"Other_Punctuation", "Po"},
    {"Other_Symbol", "So"},
    {"Paragraph_Separator", "Zp"},
    {"Private_Use", "Co"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Separator", "Z"},
    {"Space_Separator", "Zs"},
    {"Spacing_Mark", "Mc"},
    {"Surrogate", "Cs"},
    {"Symbol", "S"},
    {"Titlecase_Letter", "Lt"},
    {"Unassigned", "Cn"},
    {"Uppercase_Letter", "Lu"},
};

static bool name_is(const char *s, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* General_Category short names ECMA accepts (LC is PCRE2's L&). */
static const char *const gc_short[] = {
    "C",  "Cc", "Cf", "Cn", "Co", "Cs", "L",  "Ll", "Lm", "Lo", "Lt", "Lu",
    "M",  "Mc", "Me", "Mn", "N",  "Nd", "Nl", "No", "P",  "Pc", "Pd", "Pe",
    "Pf", "Pi", "Po", "Ps", "S",  "Sc", "Sk", "Sm", "So", "Z",  "Zl", "Zp", "Zs",
};

/* ECMA-262's binary Unicode properties (table "Binary Unicode property
 * aliases"), names and aliases, spelled exactly; PCRE2 would also accept
 * other spellings (it matches names loosely), which ECMA rejects. */
static const char *const binary_props[] = {
    "ASCII", "ASCII_Hex_Digit", "AHex", "Alphabetic", "Alpha", "Any", "Assigned",
    "Bidi_Control", "Bidi_C", "Bidi_Mirrored", "Bidi_M", "Case_Ignorable", "CI",
    "Cased", "Changes_When_Casefolded", "CWCF", "Changes_When_Casemapped", "CWCM",
    "Changes_When_Lowercased", "CWL", "Changes_When_NFKC_Casefolded", "CWKCF",
    "Changes_When_Titlecased", "CWT", "Changes_When_Uppercased", "CWU", "Dash",
    "Default_Ignorable_Code_Point", "DI", "Deprecated", "Dep", "Diacritic", "Dia",
    "Emoji", "Emoji_Component", "EComp", "Emoji_Modifier", "EMod",
    "Emoji_Modifier_Base", "EBase", "Emoji_Presentation", "EPres",
    "Extended_Pictographic", "ExtPict", "Extender", "Ext", "Grapheme_Base", "Gr_Base",
    "Grapheme_Extend", "Gr_Ext", "Hex_Digit", "Hex", "IDS_Binary_Operator", "IDSB",
    "IDS_Trinary_Operator", "IDST", "ID_Continue", "IDC", "ID_Start", "IDS",
    "Ideographic", "Ideo", "Join_Control", "Join_C", "Logical_Order_Exception", "LOE",
    "Lowercase", "Lower", "Math", "Noncharacter_Code_Point", "NChar", "Pattern_Syntax",
    "Pat_Syn", "Pattern_White_Space", "Pat_WS", "Quotation_Mark", "QMark", "Radical",
    "Regional_Indicator", "RI", "Sentence_Terminal", "STerm", "Soft_Dotted", "SD",
    "Terminal_Punctuation", "Term", "Unified_Ideograph", "UIdeo", "Uppercase", "Upper",
    "Variation_Selector", "VS", "White_Space", "space", "XID_Continue", "XIDC",
    "XID_Start", "XIDS",
};

static bool in_list(const char *s, size_t n, const char *const *list, size_t count) {
  for (size_t k = 0; k < count; k++)
    if (name_is(s, n, list[k])) return true;
  return false;
}

/* A Script value: ECMA needs the exact name ("Greek", "Grek"); this checks
 * its shape and leaves the name itself to PCRE2. */
static bool script_value_shape(const char *s, size_t n) {
  if (n == 0 || s[0] < 'A' || s[0] > 'Z') return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
      return false;
  return true;
}

/* A General_Category value (long name, alias or short name). */
static bool emit_gc(rx *r, char pc, const char *name, size_t n) {
  for (size_t k = 0; k < sizeof gc_names / sizeof gc_names[0]; k++)
    if (name_is(name, n, gc_names[k][0]))
      return wg_buf_printf(r->out, "\\%c{%s}", pc, gc_names[k][1]);
  if (in_list(name, n, gc_short, sizeof gc_short / sizeof gc_short[0]))
    return wg_buf_printf(r->out, "\\%c{%.*s}", pc, (int)n, name);
  return rx_fail(r, "unknown \\p General_Category value");
}

/* After "\p" or "\P": {Binary_Property}, {GC_Value}, {gc=GC_Value},
 * {General_Category=...}, {sc=Script}, {Script=...}, {scx=...},
 * {Script_Extensions=...}. Anything else is a syntax error in ECMA. */
static bool esc_property(rx *r, char pc) {
  if (r->i >= r->len || r->p[r->i] != '{') return rx_fail(r, "bad \\p escape");
  size_t start = ++r->i;
  while (r->i < r->len && r->p[r->i] != '}') {
    char c = r->p[r->i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '='))
      return rx_fail(r, "bad \\p property name");
    r->i++;
  }
  if (r->i >= r->len || r->i == start) return rx_fail(r, "bad \\p escape");
  const char *name = r->p + start;
  size_t n = r->i - start;
  r->i++;
  const char *eq = memchr(name, '=', n);
  if (!eq) {
    if (in_list(name, n, binary_props, sizeof binary_props / sizeof binary_props[0]))
      return wg_buf_printf(r->out, "\\%c{%.*s}", pc, (int)n, name);
    return emit_gc(r, pc, name, n);
  }
  size_t kl = (size_t)(eq - name), vl = n - kl - 1;
  if (name_is(name, kl, "General_Category") || name_is(name, kl, "gc"))
    return emit_gc(r, pc, eq + 1, vl);
  bool script = name_is(name, kl, "Script") || name_is(name, kl, "sc") ||
                name_is(name, kl, "Script_Extensions") || name_is(name, kl, "scx");
  if (!script || !script_value_shape(eq + 1, vl))
    return rx_fail(r, "unknown \\p property");
  return wg_buf_printf(r->out, "\\%c{%.*s}", pc, (int)n, name);
}

/* Escapes with the same meaning inside and outside a class. Returns 1 if
 * handled, 0 if not one of these, -1 on error. r->i is past the letter. */
static int esc_common(rx *r, char c) {
  uint32_t cp;
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 't':
    case 'n':
    case 'r':
    case 'f': return wg_buf_printf(r->out, "\\%c", c) ? 1 : -1;
    case 'v': return emit_cp(r, 0x0B) ? 1 : -1;
    case 'c':
      if (r->i < r->len && ((r->p[r->i] | 0x20) >= 'a' && (r->p[r->i] | 0x20) <= 'z'))
        return emit_cp(r, (uint32_t)(r->p[r->i++] & 31)) ? 1 : -1;
      return rx_fail(r, "bad \\c escape") ? 1 : -1;
    case 'x':
      if (!read_hex(r, 2, &cp)) return rx_fail(r, "bad \\x escape") ? 1 : -1;
      return emit_cp(r, cp) ? 1 : -1;
    case 'u':
      if (!esc_unicode(r, &cp)) return -1;
      return emit_cp(r, cp) ? 1 : -1;
    case 'p':
    case 'P': return esc_property(r, c) ? 1 : -1;
    case '0':
      if (r->i < r->len && r->p[r->i] >= '0' && r->p[r->i] <= '9')
        return rx_fail(r, "octal escapes are not ECMA-262 (u)") ? 1 : -1;
      return emit_cp(r, 0) ? 1 : -1;
  }
  return 0;
}

/* Any other escaped character. ECMA u-mode allows only the syntax
 * characters and '/' (and '-' in a class, handled there) as identity
 * escapes; everything else, letters and digits above all (\A \z \h ...),
 * is an error rather than PCRE2's meaning. */
static bool esc_identity(rx *r, char c) {
  if (c == '\0' || !strchr("^$\\.*+?()[]{}|/", c))
    return rx_fail(r, "escape not in ECMA-262");
  return emit_cp(r, (unsigned char)c);
}

static bool parse_escape_outside(rx *r) {
  if (r->i >= r->len) return rx_fail(r, "trailing backslash");
  char c = r->p[r->i++];
  int h = esc_common(r, c);
  if (h) return h > 0;
  switch (c) {
    case 's': return wg_buf_append_str(r->out, "[" ECMA_SPACE "]");
    case 'S': return wg_buf_append_str(r->out, "[^" ECMA_SPACE "]");
    case 'b':
    case 'B': return wg_buf_printf(r->out, "\\%c", c);
    case 'k': {
      size_t start = r->i;
      if (r->i >= r->len || r->p[r->i] != '<') return rx_fail(r, "bad \\k escape");
      while (r->i < r->len && r->p[r->i] != '>') r->i++;
      if (r->i >= r->len) return rx_fail(r, "bad \\k escape");
      r->i++;
      return wg_buf_printf(r->out, "\\k%.*s", (int)(r->i - start), r->p + start);
    }
  }
  if (c >= '1' && c <= '9') {
    unsigned n = (unsigned)(c - '0');
    while (r->i < r->len && r->p[r->i] >= '0' && r->p[r->i] <= '9' && n < 100000)
      n = n * 10 + (unsigned)(r->p[r->i++] - '0');
    if (n > r->ngroups) return rx_fail(r, "backreference to a missing group");
    return wg_buf_printf(r->out, "\\g{%u}", n);
  }
  return esc_identity(r, c);
}

/* One class item escape. Sets *neg_space for \S (handled by the caller). */
static bool parse_escape_class(rx *r, bool *neg_space) {
  if (r->i >= r->len) return rx_fail(r, "trailing backslash");
  char c = r->p[r->i++];
  int h = esc_common(r, c);
  if (h) return h > 0;
  switch (c) {
    case 's': return wg_buf_append_str(r->out, ECMA_SPACE);
    case 'S': *neg_space = true; return true;
    case 'b': return emit_cp(r, 0x08);
    case '-': return wg_buf_append_str(r->out, "\\-");
  }
  return esc_identity(r, c);
}

/* A class starting after '['. ECMA classes have no POSIX [:x:] items, so a
 * '[' inside is literal. \S inside a class has no PCRE2 equivalent without
 * UCP, so [X\S] becomes (?:[X]|[^space]) and [^X\S] (?:(?![X])[space]);
 * the group keeps a following quantifier applying to the whole item. */
static bool parse_class(rx *r) {
  bool neg = false, neg_space = false;
  if (r->i < r->len && r->p[r->i] == '^') {
    neg = true;
    r->i++;
  }
  if (r->i < r->len && r->p[r->i] == ']') {
    r->i++;
    return wg_buf_append_str(r->out, neg ? "[\\x{0}-\\x{10ffff}]" : "(?!)");
  }
  wg_buf *outer = r->out, inner;
  wg_buf_init(&inner, outer->cap);
  r->out = &inner;
  bool ok = true, closed = false;
  while (ok && r->i < r->len) {
    char c = r->p[r->i++];
    if (c == ']') {
      closed = true;
      break;
    }
    if (c == '\\')
      ok = parse_escape_class(r, &neg_space);
    else if (c == '[')
      ok = wg_buf_append_str(r->out, "\\[");
    else if (c == '\0')
      ok = emit_cp(r, 0);
    else
      ok = wg_buf_append_char(r->out, c);
  }
  r->out = outer;
  if (inner.oom) outer->oom = true; /* so the caller reports memory, not syntax */
  if (ok && !closed) ok = rx_fail(r, "unterminated character class");
  const char *items = inner.data ? inner.data : "";
  if (ok && !neg_space)
    ok = wg_buf_printf(outer, "[%s%s]", neg ? "^" : "", items);
  else if (ok && !neg)
    ok = inner.len ? wg_buf_printf(outer, "(?:[%s]|[^" ECMA_SPACE "])", items)
                   : wg_buf_append_str(outer, "[^" ECMA_SPACE "]");
  else if (ok)
    ok = inner.len ? wg_buf_printf(outer, "(?:(?![%s])[" ECMA_SPACE "])", items)
                   : wg_buf_append_str(outer, "[" ECMA_SPACE "]");
  wg_buf_free(&inner);
  return ok;
}

/* True if p[i..] is "{n}", "{n,}" or "{n,m}"; *end is past the '}'. */
static bool is_braced_quantifier(const rx *r, size_t *end) {
  size_t i = r->i + 1, digits = 0;
  while (i < r->len && r->p[i] >= '0' && r->p[i] <= '9') {
    i++;
    digits++;
  }
  if (digits == 0) return false;
  if (i < r->len && r->p[i] == ',') {
    i++;
    while (i < r->len && r->p[i] >= '0' && r->p[i] <= '9') i++;
  }
  if (i >= r->len || r->p[i] != '}') return false;
  *end = i + 1;
  return true;
}

/* After a quantifier: an optional lazy '?'; a possessive '+' is not ECMA. */
static bool quantifier_suffix(rx *r) {
  if (r->i < r->len && r->p[r->i] == '+')
    return rx_fail(r, "possessive quantifiers are not ECMA-262");
  if (r->i < r->len && r->p[r->i] == '?') {
    r->i++;
    return wg_buf_append_char(r->out, '?');
  }
  return true;
}

/* After '(': the group kinds ECMA has. */
static bool parse_group_open(rx *r) {
  /* "(*" would start a PCRE2 verb such as (*ACCEPT); in ECMA it is an
   * error (nothing to repeat). */
  if (r->i < r->len && r->p[r->i] == '*') return rx_fail(r, "quantifier without an atom");
  if (r->depth >= RX_MAX_NESTING) return rx_fail(r, "groups nested too deeply");
  r->lookaround[r->depth++] = false;
  if (r->i >= r->len || r->p[r->i] != '?') return wg_buf_append_char(r->out, '(');
  const char *q = r->p + r->i + 1;
  size_t left = r->len - r->i - 1;
  if (left >= 1 && (q[0] == ':' || q[0] == '=' || q[0] == '!')) {
    r->i += 2;
    r->lookaround[r->depth - 1] = q[0] != ':';
    return wg_buf_printf(r->out, "(?%c", q[0]);
  }
  if (left >= 2 && q[0] == '<' && (q[1] == '=' || q[1] == '!')) {
    r->i += 3;
    r->lookaround[r->depth - 1] = true;
    return wg_buf_printf(r->out, "(?<%c", q[1]);
  }
  if (left >= 2 && q[0] == '<') { /* named group; PCRE2 checks the name */
    r->i += 2;
    return wg_buf_append_str(r->out, "(?<");
  }
  return rx_fail(r, "group syntax not in ECMA-262");
}

/* Counts capture groups so \N can be checked against it. */
static unsigned count_groups(const char *p, size_t len) {
  unsigned n = 0;
  bool in_class = false;
  for (size_t i = 0; i < len; i++) {
    if (p[i] == '\\') {
      i++;
      continue;
    }
    if (in_class) {
      in_class = p[i] != ']';
      continue;
    }
    if (p[i] == '[') in_class = true;
    if (p[i] != '(') continue;
    if (i + 1 >= len || p[i + 1] != '?')
      n++;
    else if (i + 2 < len && p[i + 2] == '<' && i + 3 < len && p[i + 3] != '=' &&
             p[i + 3] != '!')
      n++;
  }
  return n;
}

/* A quantifier (*, +, ?, {n,m}) at r->i - 1; '{' is one only if complete
 * (ECMA u-mode has no literal '{'). */
static bool parse_quantifier(rx *r, char c) {
  if (r->after_lookaround) return rx_fail(r, "a lookaround cannot be quantified");
  if (c != '{') return wg_buf_append_char(r->out, c) && quantifier_suffix(r);
  size_t end;
  r->i--;
  if (!is_braced_quantifier(r, &end)) return rx_fail(r, "lone '{'");
  bool ok = wg_buf_append(r->out, r->p + r->i, end - r->i);
  r->i = end;
  return ok && quantifier_suffix(r);
}

static bool parse_group_close(rx *r) {
  bool was_lookaround = false;
  if (r->depth > 0) was_lookaround = r->lookaround[--r->depth];
  if (!wg_buf_append_char(r->out, ')')) return false;
  r->after_lookaround = was_lookaround;
  return true;
}

static bool translate(rx *r) {
  while (r->i < r->len) {
    char c = r->p[r->i++];
    bool ok, closes = false;
    switch (c) {
      case '\\': ok = parse_escape_outside(r); break;
      case '[': ok = parse_class(r); break;
      case '(': ok = parse_group_open(r); break;
      case ')': ok = parse_group_close(r), closes = true; break;
      case '.': ok = wg_buf_append_str(r->out, "[^\\n\\r\\x{2028}\\x{2029}]"); break;
      case '*':
      case '+':
      case '?':
      case '{': ok = parse_quantifier(r, c); break;
      case '}': ok = rx_fail(r, "lone '}'"); break;
      case ']': ok = rx_fail(r, "lone ']'"); break;
      case '\0': ok = emit_cp(r, 0); break;
      default: ok = wg_buf_append_char(r->out, c); break;
    }
    if (!ok) return r->failed ? false : rx_fail(r, "pattern too large");
    if (!closes) r->after_lookaround = false;
  }
  return true;
}

pcre2_code *schema_regex_compile(const char *pat, size_t len, size_t max_len, char *msg,
                                 size_t msg_size, bool *oom) {
  msg[0] = '\0';
  *oom = false;
  if (len > max_len) {
    snprintf(msg, msg_size, "pattern longer than %zu bytes", max_len);
    return NULL;
  }
  if (!wg_utf8_valid((const uint8_t *)pat, len)) {
    snprintf(msg, msg_size, "pattern is not valid UTF-8");
    return NULL;
  }
  wg_buf out;
  wg_buf_init(&out, max_len * 64 + 64); /* worst case: every 2 bytes are \s */
  rx r = {.p = pat,
          .len = len,
          .out = &out,
          .ngroups = count_groups(pat, len),
          .msg = msg,
          .msg_size = msg_size};
  if (!translate(&r) || !wg_buf_ok(&out)) {
    *oom = out.oom;
    if (out.oom) snprintf(msg, msg_size, "out of memory");
    else if (!r.failed) snprintf(msg, msg_size, "pattern too large");
    wg_buf_free(&out);
    return NULL;
  }
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  if (!cc) {
    wg_buf_free(&out);
    *oom = true;
    snprintf(msg, msg_size, "out of memory");
    return NULL;
  }
  pcre2_set_parens_nest_limit(cc, RX_MAX_NESTING + 8); /* + our own groups */
  pcre2_set_max_pattern_length(cc, out.cap);
  int code;
  PCRE2_SIZE off;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)(out.data ? out.data : ""), out.len,
                    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_UNSET_BACKREF |
                        PCRE2_AUTO_CALLOUT | PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP,
                    &code, &off, cc);
  pcre2_compile_context_free(cc);
  wg_buf_free(&out);
  if (!re) {
    PCRE2_UCHAR buf[120];
    if (pcre2_get_error_message(code, buf, sizeof buf) < 0)
      snprintf((char *)buf, sizeof buf, "error %d", code);
    snprintf(msg, msg_size, "pattern rejected: %s", (const char *)buf);
  }
  return re;
}

int schema_regex_meter_callout(pcre2_callout_block *block, void *data) {
  (void)block;
  schema_regex_meter *m = data;
  if (++m->used > m->limit) return PCRE2_ERROR_CALLOUT;
  return 0;
}

int schema_regex_search(const pcre2_code *re, const char *s, size_t n,
                        pcre2_match_data *md, pcre2_match_context *mc,
                        schema_regex_meter *meter) {
  int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, mc);
  if (rc >= 0) return 1;
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc == PCRE2_ERROR_CALLOUT && meter->used > meter->limit) return -2;
  return -1;
}
