/* test_toml.c: the TOML API as a specification: typed values, key order,
 * positions, the definition rules, errors with exact status, line, column
 * and message, limits. The full grammar is covered by toml-test
 * (toml_test_suite); these tests pin what the tree and errors look like. */
#include "../harness.h"
#include "wasmgate/toml.h"
#include "wasmgate/util.h"
#include "toml_check.h"

/* Parses a string literal (embedded NULs included). */
#define PARSE(lit) wg_toml_parse((lit), sizeof(lit) - 1, NULL, NULL)

static wg_toml_error error_of(const char *text, size_t len,
                              const wg_toml_limits *lim) {
  wg_toml_error e;
  wg_toml_doc *doc = wg_toml_parse(text, len, lim, &e);
  wg_toml_free(doc);
  return e;
}

/* The parse of `lit` fails with this status, at this line and column, with
 * this message. */
#define CHECK_ERROR(lit, st, ln, col, msg)                             \
  do {                                                                 \
    wg_toml_error e_ = error_of((lit), sizeof(lit) - 1, NULL);         \
    CHECK_STR(wg_toml_code_name(e_.code), wg_toml_code_name(st));      \
    CHECK_INT(e_.line, ln);                                            \
    CHECK_INT(e_.column, col);                                         \
    CHECK_STR(e_.message, msg);                                        \
  } while (0)

#define CHECK_CODE(lit, st)                                            \
  do {                                                                 \
    wg_toml_error e_ = error_of((lit), sizeof(lit) - 1, NULL);         \
    CHECK_STR(wg_toml_code_name(e_.code), wg_toml_code_name(st));      \
  } while (0)

#define CHECK_OK(lit) CHECK_CODE(lit, WG_TOML_OK)

static void test_scalars(void) {
  wg_toml_doc *doc = PARSE(
      "s = \"a\\tb\\u00e9\"\n"
      "i = -0x10\n"
      "j = 0xff\n"
      "k = -9_223_372_036_854_775_808\n"
      "o = 0o755\n"
      "b = 0b1010\n"
      "f = +1_000.5e-1\n"
      "t = true\n"
      "n = -nan\n"
      "inf = -inf\n");
  CHECK(doc == NULL); /* -0x10: no sign on hex */
  doc = PARSE(
      "s = \"a\\tb\\u00e9\"\n"
      "j = 0xff\n"
      "k = -9_223_372_036_854_775_808\n"
      "o = 0o755\n"
      "b = 0b1010\n"
      "f = +1_000.5e-1\n"
      "t = true\n"
      "inf = -inf\n");
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  CHECK_INT(root->type, WG_TOML_TABLE);
  CHECK_INT(root->u.table.kind, WG_TOML_TABLE_ROOT);
  CHECK_INT(wg_toml_count(root), 8);
  const wg_toml_value *s = wg_toml_get(root, "s");
  REQUIRE(s && s->type == WG_TOML_STRING);
  CHECK_STR(s->u.string.text, "a\tb\xC3\xA9");
  CHECK_INT(s->u.string.len, 5);
  CHECK_U64(wg_toml_get(root, "j")->u.integer, 255);
  CHECK(wg_toml_get(root, "k")->u.integer == INT64_MIN);
  CHECK_INT(wg_toml_get(root, "o")->u.integer, 493);
  CHECK_INT(wg_toml_get(root, "b")->u.integer, 10);
  const wg_toml_value *f = wg_toml_get(root, "f");
  REQUIRE(f && f->type == WG_TOML_FLOAT);
  CHECK(f->u.floating.value == 100.05);
  CHECK_STR(f->u.floating.lexeme, "+1_000.5e-1");
  CHECK_INT(f->u.floating.len, 11);
  CHECK_INT(wg_toml_get(root, "t")->type, WG_TOML_BOOL);
  CHECK(wg_toml_get(root, "t")->u.boolean);
  CHECK(wg_toml_get(root, "inf")->u.floating.value == -__builtin_inf());
  CHECK(wg_toml_get(root, "missing") == NULL);
  CHECK(wg_toml_get(s, "x") == NULL); /* not a table */
  wg_toml_free(doc);
}

static void test_strings(void) {
  wg_toml_doc *doc = PARSE(
      "ml = \"\"\"\nline1\r\n  \\\n   cont \"\"quote\"\"\"\"\"\n"
      "lit = 'C:\\path'\n"
      "mll = '''\r\nraw \\n ''x'''''\n"
      "nul = \"a\\u0000b\"\n"
      "big = \"\\U0001F600\"\n");
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  /* first newline dropped, CRLF -> LF, line-ending backslash trims */
  CHECK_STR(wg_toml_get(root, "ml")->u.string.text,
            "line1\n  cont \"\"quote\"\"");
  CHECK_STR(wg_toml_get(root, "lit")->u.string.text, "C:\\path");
  CHECK_STR(wg_toml_get(root, "mll")->u.string.text, "raw \\n ''x''");
  const wg_toml_value *nul = wg_toml_get(root, "nul");
  CHECK_INT(nul->u.string.len, 3);
  CHECK(memcmp(nul->u.string.text, "a\0b", 4) == 0);
  CHECK_STR(wg_toml_get(root, "big")->u.string.text, "\xF0\x9F\x98\x80");
  wg_toml_free(doc);

  CHECK_ERROR("s = \"\\uD800\"", WG_TOML_BAD_VALUE, 1, 6,
              "unicode escape is not a scalar value");
  CHECK_ERROR("s = \"\\U00110000\"", WG_TOML_BAD_VALUE, 1, 6,
              "unicode escape is not a scalar value");
  CHECK_ERROR("s = \"\\x41\"", WG_TOML_SYNTAX, 1, 6, "invalid escape");
  CHECK_ERROR("s = \"\\u12\"", WG_TOML_SYNTAX, 1, 6, "invalid unicode escape");
  CHECK_ERROR("s = \"a\\ \nb\"", WG_TOML_SYNTAX, 1, 7, "invalid escape");
  CHECK_ERROR("s = \"abc\ndef\"", WG_TOML_SYNTAX, 1, 9,
              "newline in a one-line string");
  CHECK_ERROR("s = \"a\x01\"", WG_TOML_CONTROL_CHAR, 1, 7,
              "control character in a string");
  CHECK_ERROR("s = '''a\rb'''", WG_TOML_CONTROL_CHAR, 1, 9,
              "control character in a string");
  CHECK_ERROR("s = \"\"\"a\"\"\"\"\"\"", WG_TOML_SYNTAX, 1, 9,
              "too many quotes");
  CHECK_ERROR("\n\ns = \"open", WG_TOML_SYNTAX, 3, 5, "unterminated string");
}

static void test_integer_limits(void) {
  wg_toml_doc *doc = PARSE("max = 9223372036854775807\n"
                           "hex = 0x7FFF_FFFF_FFFF_FFFF\n"
                           "zero = -0\n");
  REQUIRE(doc);
  CHECK(wg_toml_get(wg_toml_root(doc), "max")->u.integer == INT64_MAX);
  CHECK(wg_toml_get(wg_toml_root(doc), "hex")->u.integer == INT64_MAX);
  CHECK_INT(wg_toml_get(wg_toml_root(doc), "zero")->u.integer, 0);
  wg_toml_free(doc);
  CHECK_ERROR("x = 9223372036854775808", WG_TOML_OVERFLOW, 1, 5,
              "integer out of 64-bit range");
  CHECK_ERROR("x = -9223372036854775809", WG_TOML_OVERFLOW, 1, 5,
              "integer out of 64-bit range");
  CHECK_ERROR("x = 0x8000000000000000", WG_TOML_OVERFLOW, 1, 5,
              "integer out of 64-bit range");
  CHECK_ERROR("x = 99999999999999999999999", WG_TOML_OVERFLOW, 1, 5,
              "integer out of 64-bit range");
  CHECK_ERROR("x = 1e400", WG_TOML_OVERFLOW, 1, 5, "float out of range");
  CHECK_ERROR("x = 012", WG_TOML_SYNTAX, 1, 5, "leading zero in a number");
  CHECK_ERROR("x = 1__2", WG_TOML_SYNTAX, 1, 5, "invalid number");
  CHECK_ERROR("x = 0X1F", WG_TOML_SYNTAX, 1, 5, "invalid number");
  CHECK_ERROR("x = 1.", WG_TOML_SYNTAX, 1, 5, "invalid number");
  CHECK_ERROR("x = 0b102", WG_TOML_SYNTAX, 1, 5, "invalid integer");
  CHECK_ERROR("x = Inf", WG_TOML_SYNTAX, 1, 5, "invalid number");
  CHECK_ERROR("x = tru", WG_TOML_SYNTAX, 1, 5, "invalid value");
  CHECK_ERROR("x = 1 2", WG_TOML_SYNTAX, 1, 7,
              "expected a newline after a value");
  /* tiny floats underflow quietly, as strtod does */
  CHECK_OK("x = 1e-400");
}

static void test_datetimes(void) {
  wg_toml_doc *doc = PARSE("odt = 1979-05-27 07:32:00.1234567891-07:30\n"
                           "z = 1979-05-27t07:32:00z\n"
                           "ldt = 2000-02-29T23:59:60\n"
                           "ld = 1979-05-27\n"
                           "lt = 00:32:00.5\n");
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  const wg_toml_value *odt = wg_toml_get(root, "odt");
  REQUIRE(odt && odt->type == WG_TOML_OFFSET_DATETIME);
  const wg_toml_datetime *dt = odt->u.datetime;
  CHECK_INT(dt->year, 1979);
  CHECK_INT(dt->month, 5);
  CHECK_INT(dt->day, 27);
  CHECK_INT(dt->hour, 7);
  CHECK_INT(dt->minute, 32);
  CHECK_INT(dt->second, 0);
  CHECK_INT(dt->nanosecond, 123456789); /* truncated, not rounded */
  CHECK_INT(dt->offset_minutes, -450);
  CHECK_STR(dt->text, "1979-05-27T07:32:00.123456789-07:30");
  CHECK_STR(wg_toml_get(root, "z")->u.datetime->text, "1979-05-27T07:32:00Z");
  CHECK_INT(wg_toml_get(root, "ldt")->type, WG_TOML_LOCAL_DATETIME);
  CHECK_STR(wg_toml_get(root, "ldt")->u.datetime->text, "2000-02-29T23:59:60");
  CHECK_INT(wg_toml_get(root, "ld")->type, WG_TOML_LOCAL_DATE);
  CHECK_STR(wg_toml_get(root, "ld")->u.datetime->text, "1979-05-27");
  const wg_toml_value *lt = wg_toml_get(root, "lt");
  CHECK_INT(lt->type, WG_TOML_LOCAL_TIME);
  CHECK_STR(lt->u.datetime->text, "00:32:00.5");
  CHECK_INT(lt->u.datetime->nanosecond, 500000000);
  wg_toml_free(doc);

  CHECK_ERROR("d = 2001-02-29", WG_TOML_BAD_VALUE, 1, 5,
              "date or time out of range");
  CHECK_ERROR("d = 2000-13-01", WG_TOML_BAD_VALUE, 1, 5,
              "date or time out of range");
  CHECK_ERROR("d = 12:60:00", WG_TOML_BAD_VALUE, 1, 5,
              "date or time out of range");
  CHECK_ERROR("d = 1979-05-27T07:32:00+24:00", WG_TOML_BAD_VALUE, 1, 5,
              "date or time out of range");
  CHECK_ERROR("d = 1979-05-27T07:32", WG_TOML_SYNTAX, 1, 5,
              "invalid date or time");
  CHECK_ERROR("d = 07:32:00Z", WG_TOML_SYNTAX, 1, 5, "invalid date or time");
  CHECK_ERROR("d = 1979-05-27 x", WG_TOML_SYNTAX, 1, 16,
              "expected a newline after a value");
}

static void test_key_order_and_lookup(void) {
  wg_toml_doc *doc = PARSE("zeta = 1\nalpha = 2\n\"quoted key\" = 3\n"
                           "'lit.key' = 4\n\"\" = 5\nmid = 6\n");
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  static const char *const order[] = {"zeta", "alpha", "quoted key",
                                      "lit.key", "", "mid"};
  REQUIRE(wg_toml_count(root) == 6);
  for (size_t i = 0; i < 6; i++) {
    const wg_toml_member *m = wg_toml_member_at(root, i);
    CHECK_STR(m->key, order[i]);
    CHECK_INT(m->value->u.integer, (long long)i + 1);
  }
  CHECK(wg_toml_member_at(root, 6) == NULL);
  const wg_toml_member *m = wg_toml_find(root, "", 0);
  REQUIRE(m);
  CHECK_INT(m->value->u.integer, 5);
  CHECK(wg_toml_find(root, "lit", 3) == NULL);
  wg_toml_free(doc);
}

static void test_positions(void) {
  /* the BOM is skipped; columns count code points, offsets bytes */
  const char text[] = "\xEF\xBB\xBF# c\n[server]\n"
                      "  \"h\xC3\xA9\" = \"x\"\n"
                      "name.first = [1, {a = 2}]\n";
  wg_toml_error e;
  wg_toml_doc *doc = wg_toml_parse(text, sizeof text - 1, NULL, &e);
  REQUIRE(doc);
  CHECK_INT(e.code, WG_TOML_OK);
  const wg_toml_value *root = wg_toml_root(doc);
  CHECK_INT(root->pos.line, 1);
  CHECK_INT(root->pos.column, 1);
  CHECK_INT(root->pos.offset, 3);
  const wg_toml_member *server = wg_toml_find(root, "server", 6);
  REQUIRE(server);
  CHECK_INT(server->key_pos.line, 2);
  CHECK_INT(server->key_pos.column, 2);
  CHECK_INT(server->key_pos.offset, 8);
  CHECK_INT(server->value->pos.line, 2); /* the header's '[' */
  CHECK_INT(server->value->pos.column, 1);
  CHECK_INT(server->value->u.table.kind, WG_TOML_TABLE_HEADER);
  const wg_toml_member *he = wg_toml_member_at(server->value, 0);
  REQUIRE(he);
  CHECK_STR(he->key, "h\xC3\xA9");
  CHECK_INT(he->key_pos.line, 3);
  CHECK_INT(he->key_pos.column, 3);
  CHECK_INT(he->key_pos.offset, 18);
  CHECK_INT(he->value->pos.line, 3);
  CHECK_INT(he->value->pos.column, 10); /* after the 2-byte é */
  CHECK_INT(he->value->pos.offset, 26);
  const wg_toml_member *name = wg_toml_member_at(server->value, 1);
  REQUIRE(name);
  CHECK_STR(name->key, "name");
  CHECK_INT(name->value->u.table.kind, WG_TOML_TABLE_DOTTED);
  CHECK_INT(name->key_pos.line, 4);
  CHECK_INT(name->key_pos.column, 1);
  const wg_toml_member *first = wg_toml_member_at(name->value, 0);
  CHECK_INT(first->key_pos.column, 6);
  const wg_toml_value *arr = first->value;
  CHECK_INT(arr->type, WG_TOML_ARRAY);
  CHECK_INT(arr->pos.column, 14);
  CHECK(!arr->u.array.of_tables);
  CHECK_INT(wg_toml_at(arr, 0)->pos.column, 15);
  const wg_toml_value *inl = wg_toml_at(arr, 1);
  CHECK_INT(inl->pos.column, 18);
  CHECK_INT(inl->u.table.kind, WG_TOML_TABLE_INLINE);
  CHECK_INT(wg_toml_member_at(inl, 0)->key_pos.column, 19);
  CHECK_INT(wg_toml_get(inl, "a")->pos.column, 23);
  CHECK(wg_toml_at(arr, 2) == NULL);
  wg_toml_free(doc);
}

static void test_table_kinds(void) {
  wg_toml_doc *doc = PARSE("[a.b.c]\n[a]\nx = 1\n[[arr]]\nn = 1\n[[arr]]\n"
                           "[arr.sub]\nm = 2\n");
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  const wg_toml_value *a = wg_toml_get(root, "a");
  CHECK_INT(a->u.table.kind, WG_TOML_TABLE_HEADER); /* implicit, then [a] */
  CHECK_INT(a->pos.line, 2);
  const wg_toml_value *b = wg_toml_get(a, "b");
  CHECK_INT(b->u.table.kind, WG_TOML_TABLE_IMPLICIT);
  CHECK_INT(b->pos.column, 4); /* where the segment b is written */
  CHECK_INT(wg_toml_get(b, "c")->u.table.kind, WG_TOML_TABLE_HEADER);
  const wg_toml_value *arr = wg_toml_get(root, "arr");
  REQUIRE(arr && arr->type == WG_TOML_ARRAY);
  CHECK(arr->u.array.of_tables);
  CHECK_INT(wg_toml_count(arr), 2);
  const wg_toml_value *second = wg_toml_at(arr, 1);
  CHECK_INT(second->u.table.kind, WG_TOML_TABLE_ARRAY_ELEMENT);
  CHECK_INT(second->pos.line, 6);
  CHECK_INT(wg_toml_get(wg_toml_get(second, "sub"), "m")->u.integer, 2);
  CHECK(wg_toml_get(second, "n") == NULL);
  wg_toml_free(doc);
}

static void test_definition_rules(void) {
  /* allowed */
  CHECK_OK("[a.b]\n[a]\n");
  CHECK_OK("[fruit]\napple.color = 1\n[fruit.apple.texture]\nx = 1\n");
  CHECK_OK("[a.b.c]\n[a]\nb.x = 1\n");
  CHECK_OK("a = {b.c = 1, b.d = 2}\n");
  CHECK_OK("[[a]]\n[a.b]\n[[a]]\n[a.b]\n");
  /* not allowed */
  CHECK_ERROR("a = 1\na = 2", WG_TOML_DUPLICATE, 2, 1, "duplicate key");
  CHECK_ERROR("[a]\n[a]", WG_TOML_DUPLICATE, 2, 2,
              "table defined twice or conflicts with a key");
  CHECK_ERROR("a.b = 1\n[a]", WG_TOML_DUPLICATE, 2, 2,
              "table defined twice or conflicts with a key");
  CHECK_ERROR("a = 1\n[a.b]", WG_TOML_DUPLICATE, 2, 2,
              "table header extends a value or an inline table");
  CHECK_ERROR("a = {}\n[a.b]", WG_TOML_DUPLICATE, 2, 2,
              "table header extends a value or an inline table");
  CHECK_ERROR("a = {b = 1}\na.c = 2", WG_TOML_DUPLICATE, 2, 1,
              "dotted key extends a value or a defined table");
  CHECK_ERROR("a = {k1 = 1, k1.name = 2}", WG_TOML_DUPLICATE, 1, 14,
              "dotted key extends a value or a defined table");
  CHECK_ERROR("[a.b]\nx = 1\n[a]\nb.y = 2", WG_TOML_DUPLICATE, 4, 1,
              "dotted key extends a value or a defined table");
  CHECK_ERROR("[[a.b]]\n[a]\nb.y = 2", WG_TOML_DUPLICATE, 3, 1,
              "dotted key extends a value or a defined table");
  CHECK_ERROR("a = []\n[[a]]", WG_TOML_DUPLICATE, 2, 3,
              "array of tables conflicts with a key or table");
  CHECK_ERROR("[a]\n[[a]]", WG_TOML_DUPLICATE, 2, 3,
              "array of tables conflicts with a key or table");
  CHECK_ERROR("[[a]]\n[a]", WG_TOML_DUPLICATE, 2, 2,
              "table defined twice or conflicts with a key");
  CHECK_ERROR("[a.b.c]\n[a]\nb.x = 1\n[a.b]", WG_TOML_DUPLICATE, 4, 4,
              "table defined twice or conflicts with a key");
}

static void test_syntax_errors(void) {
  CHECK_ERROR("a = ", WG_TOML_SYNTAX, 1, 5, "expected a value");
  CHECK_ERROR("a = # c", WG_TOML_SYNTAX, 1, 5, "expected a value");
  CHECK_ERROR("= 1", WG_TOML_SYNTAX, 1, 1, "expected a key");
  CHECK_ERROR("a b = 1", WG_TOML_SYNTAX, 1, 3, "expected '=' after a key");
  CHECK_ERROR("a. = 1", WG_TOML_SYNTAX, 1, 4, "expected a key");
  CHECK_ERROR("[a", WG_TOML_SYNTAX, 1, 3, "expected ']' after table name");
  CHECK_ERROR("[[a]", WG_TOML_SYNTAX, 1, 4, "expected ']]' after table name");
  CHECK_ERROR("[a] x = 1", WG_TOML_SYNTAX, 1, 5,
              "expected a newline after a table header");
  CHECK_ERROR("a = [1 2]", WG_TOML_SYNTAX, 1, 8,
              "expected ',' or ']' in array");
  CHECK_ERROR("a = [1,\n2,\n", WG_TOML_SYNTAX, 3, 1, "invalid value");
  CHECK_ERROR("a = {b = 1,}", WG_TOML_SYNTAX, 1, 12, "expected a key");
  CHECK_ERROR("a = {b = 1\n}", WG_TOML_SYNTAX, 1, 11,
              "expected ',' or '}' in inline table");
  CHECK_ERROR("a = 1\r", WG_TOML_CONTROL_CHAR, 1, 6, "bare carriage return");
  CHECK_ERROR("# ok\n# bad \x7f\n", WG_TOML_CONTROL_CHAR, 2, 7,
              "control character in a comment");
  CHECK_ERROR("a = 1\nb = \"\xC3\x28\"", WG_TOML_BAD_UTF8, 2, 6,
              "invalid UTF-8");
  CHECK_ERROR("a = \"\xED\xA0\x80\"", WG_TOML_BAD_UTF8, 1, 6, "invalid UTF-8");
  CHECK_ERROR("a\x00 = 1", WG_TOML_SYNTAX, 1, 2, "expected '=' after a key");
  CHECK_OK("");
  CHECK_OK("\xEF\xBB\xBF");
  CHECK_OK("# only a comment");
  CHECK_OK("a = 1\r\nb = 2\r\n");
}

/* Error messages are fixed strings: input (here a secret key name and
 * value) never shows up in them. */
static void test_messages_do_not_quote_input(void) {
  static const char *const docs[] = {
      "secret_token = 1\nsecret_token = 2\n",
      "secret_token = \"hunter2\\q\"\n",
      "[secret_token]\n[secret_token]\n",
      "secret_token = hunter2\n",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    wg_toml_error e = error_of(docs[i], strlen(docs[i]), NULL);
    CHECK(e.code != WG_TOML_OK);
    CHECK(strstr(e.message, "secret") == NULL);
    CHECK(strstr(e.message, "hunter") == NULL);
    CHECK(e.message[0] != '\0');
  }
}

static void test_depth_limit(void) {
  wg_toml_limits lim = wg_toml_default_limits();
  CHECK_INT(lim.max_size, 1 << 20);
  CHECK_INT(lim.max_depth, 128);
  lim.max_depth = 3;
  static const char *const ok[] = {
      "a = [[[1]]]", "a = {b = {c = {}}}", "a.b.c.d = 1", "[a.b.c]",
      "[[a.b]]", "a.b = [{}]",
  };
  static const char *const deep[] = {
      "a = [[[[1]]]]", "a = {b = {c = {d = {}}}}", "a.b.c.d = {}",
      "[a.b.c.d]", "[[a.b.c]]", "a.b = [[{}]]",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    wg_toml_error e = error_of(ok[i], strlen(ok[i]), &lim);
    CHECK_INT(e.code, WG_TOML_OK);
  }
  for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
    wg_toml_error e = error_of(deep[i], strlen(deep[i]), &lim);
    CHECK_STR(wg_toml_code_name(e.code), "too_deep");
  }
  wg_toml_error e = error_of("a = [[[[1]]]]", 13, &lim);
  CHECK_INT(e.column, 8);
  CHECK_STR(e.message, "nesting too deep");
  /* a key with more parts than any allowed depth is refused while parsing */
  e = error_of("a.b.c.d.e = 1", 13, &lim);
  CHECK_INT(e.column, 9);
  CHECK_STR(e.message, "key has too many parts");
}

/* Deep nesting at the default limit works without recursion; one more
 * level is an error, not a crash. */
static void test_default_depth(void) {
  char text[2 * 129 + 8];
  size_t n = 0;
  memcpy(text, "a=", 2);
  n = 2;
  for (int i = 0; i < 128; i++) text[n++] = '[';
  for (int i = 0; i < 128; i++) text[n++] = ']';
  wg_toml_error e = error_of(text, n, NULL);
  CHECK_INT(e.code, WG_TOML_OK);
  n = 2;
  for (int i = 0; i < 129; i++) text[n++] = '[';
  for (int i = 0; i < 129; i++) text[n++] = ']';
  e = error_of(text, n, NULL);
  CHECK_INT(e.code, WG_TOML_TOO_DEEP);
  CHECK_INT(e.offset, 130);
}

static void test_size_limit(void) {
  wg_toml_limits lim = wg_toml_default_limits();
  lim.max_size = 8;
  wg_toml_error e = error_of("a = 1234", 8, &lim);
  CHECK_INT(e.code, WG_TOML_OK);
  e = error_of("a = 12345", 9, &lim);
  CHECK_INT(e.code, WG_TOML_TOO_LARGE);
  CHECK_STR(e.message, "input too large");
  CHECK_INT(e.line, 1);
  CHECK_INT(e.column, 1);
}

static void test_memory_limit(void) {
  CHECK_INT(wg_toml_default_limits().max_memory, 64 << 20);
  wg_toml_limits lim = wg_toml_default_limits();
  lim.max_memory = 4096;
  wg_buf b;
  wg_buf_init(&b, 0);
  for (int i = 0; i < 200; i++) wg_buf_printf(&b, "k%d.a.b = %d\n", i, i);
  REQUIRE(wg_buf_ok(&b));
  wg_toml_error e = error_of(b.data, b.len, &lim);
  CHECK_STR(wg_toml_code_name(e.code), "too_large");
  CHECK_STR(e.message, "document needs too much memory");
  CHECK(e.line > 1 && e.line < 200);
  lim.max_memory = 0; /* unlimited */
  e = error_of(b.data, b.len, &lim);
  CHECK_INT(e.code, WG_TOML_OK);
  wg_buf_free(&b);
}

/* A big table is indexed: every key is found, and a duplicate at the end
 * is still caught. */
static void test_big_table(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  for (int i = 0; i < 5000; i++) wg_buf_printf(&b, "key%d = %d\n", i, i);
  REQUIRE(wg_buf_ok(&b));
  wg_toml_doc *doc = wg_toml_parse(b.data, b.len, NULL, NULL);
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  CHECK_INT(wg_toml_count(root), 5000);
  int found = 0;
  for (int i = 0; i < 5000; i++) {
    char key[16];
    snprintf(key, sizeof key, "key%d", i);
    const wg_toml_value *v = wg_toml_get(root, key);
    if (v && v->u.integer == i) found++;
  }
  CHECK_INT(found, 5000);
  CHECK_STR(wg_toml_member_at(root, 4999)->key, "key4999");
  CHECK_INT(wg_toml_member_at(root, 4999)->key_pos.line, 5000);
  CHECK(wg_toml_get(root, "key5000") == NULL);
  wg_toml_free(doc);
  wg_buf_printf(&b, "key1234 = 0\n");
  wg_toml_error e = error_of(b.data, b.len, NULL);
  CHECK_INT(e.code, WG_TOML_DUPLICATE);
  CHECK_INT(e.line, 5001);
  wg_buf_free(&b);
}

/* Every prefix of a valid document either parses or fails with a position
 * inside the input and a message; no prefix crashes or leaks (ASan). */
static void test_every_prefix(void) {
  static const char doc[] =
      "# config\n[server]\nhost = \"h\\u00e9\" # c\nports = [ 80, 443, ]\n"
      "t = 1979-05-27T07:32:00.5+01:00\n[[p]]\nx = { a.b = 1.5e3, "
      "c = '''l\n'''}\nml = \"\"\"\\\n  y\"\"\"\n";
  int ok = 0, failed = 0;
  for (size_t n = 0; n <= sizeof doc - 1; n++) {
    wg_toml_error e = error_of(doc, n, NULL);
    if (e.code == WG_TOML_OK) {
      ok++;
      continue;
    }
    failed++;
    CHECK(e.offset <= n);
    CHECK(e.line >= 1 && e.column >= 1);
    CHECK(e.message[0] != '\0');
  }
  CHECK(ok > 10);
  CHECK(failed > 50);
  CHECK_INT(error_of(doc, sizeof doc - 1, NULL).code, WG_TOML_OK);
}

/* Headers that create parents are positioned without rescanning the
 * document (this was quadratic once): check the last one's positions. */
static void test_many_headers(void) {
  wg_buf b;
  wg_buf_init(&b, 0);
  for (int i = 0; i < 20000; i++) wg_buf_printf(&b, "[t%d.x]\ny = 1\n", i);
  REQUIRE(wg_buf_ok(&b));
  wg_toml_doc *doc = wg_toml_parse(b.data, b.len, NULL, NULL);
  wg_buf_free(&b);
  REQUIRE(doc);
  const wg_toml_value *root = wg_toml_root(doc);
  CHECK_INT(wg_toml_count(root), 20000);
  const wg_toml_member *t = wg_toml_member_at(root, 19999);
  REQUIRE(t);
  CHECK_STR(t->key, "t19999");
  CHECK_INT(t->key_pos.line, 39999);
  CHECK_INT(t->key_pos.column, 2);
  CHECK_INT(t->value->u.table.kind, WG_TOML_TABLE_IMPLICIT);
  const wg_toml_member *x = wg_toml_member_at(t->value, 0);
  CHECK_INT(x->key_pos.column, 9);
  CHECK_INT(x->value->pos.line, 39999);
  CHECK_INT(x->value->pos.column, 1);
  wg_toml_free(doc);
}

/* Deterministic mutation testing (a local xorshift, no global state):
 * bytes deleted, inserted or replaced in two documents. Every result is a
 * tree or an error as toml_check.h says (fuzz/fuzz_toml.c checks the
 * same). */
static void test_mutations(void) {
  static const char *const seeds[] = {
      "[a]\nb = \"x\\u00e9\" # c\nc = [1, 2.5, {d = 1979-05-27T00:00:00Z}]\n"
      "[[e.f]]\ng = '''\nml''' \nh = 0xff\n",
      "x = { a.b = [ [ true ], \"\"\"s\\\n  t\"\"\" ], c = -inf }\n"
      "y = 07:32:00.999\nz.w = 1_000\n",
  };
  static const char alphabet[] = "[]{}.,=\"'#\\\n\r \t0123456789abexz+-_:TZ";
  uint64_t rng = 0x9E3779B97F4A7C15u;
  char buf[256];
  int accepted = 0, rejected = 0;
  for (int round = 0; round < 20000; round++) {
    const char *seed = seeds[round % 2];
    size_t len = strlen(seed);
    memcpy(buf, seed, len);
    for (int k = 0; k < 1 + round % 4; k++) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      size_t at = (size_t)(rng >> 8) % (len + 1);
      uint8_t r = (uint8_t)(rng >> 40);
      char c = r & 1 ? alphabet[(r >> 1) % (sizeof alphabet - 1)] : (char)r;
      if (r % 3 == 0 && at < len) {
        memmove(buf + at, buf + at + 1, len - at - 1); /* delete */
        len--;
      } else if (r % 3 == 1 && len < sizeof buf - 1) {
        memmove(buf + at + 1, buf + at, len - at); /* insert */
        buf[at] = c;
        len++;
      } else if (at < len) {
        buf[at] = c; /* replace */
      }
    }
    wg_toml_error e;
    wg_toml_doc *doc = wg_toml_parse(buf, len, NULL, &e);
    if (doc) {
      size_t nodes;
      accepted++;
      CHECK(toml_tree_ok(wg_toml_root(doc), len, &nodes));
      CHECK(nodes >= 1);
      wg_toml_free(doc);
      continue;
    }
    rejected++;
    CHECK(toml_error_ok(&e, len));
  }
  CHECK(accepted > 1000);
  CHECK(rejected > 5000);
}

static void test_names(void) {
  CHECK_STR(wg_toml_code_name(WG_TOML_OK), "ok");
  CHECK_STR(wg_toml_code_name(WG_TOML_CONTROL_CHAR), "control_char");
  CHECK_STR(wg_toml_code_name(WG_TOML_NOMEM), "nomem");
  CHECK_STR(wg_toml_code_name((wg_toml_code)99), "unknown");
  CHECK_STR(wg_toml_type_name(WG_TOML_OFFSET_DATETIME), "offset-datetime");
  CHECK_STR(wg_toml_type_name(WG_TOML_TABLE), "table");
  CHECK(wg_toml_root(NULL) == NULL);
  CHECK_INT(wg_toml_count(NULL), 0);
  wg_toml_free(NULL);
  wg_toml_doc *doc = wg_toml_parse(NULL, 0, NULL, NULL);
  REQUIRE(doc);
  CHECK_INT(wg_toml_count(wg_toml_root(doc)), 0);
  wg_toml_free(doc);
  wg_toml_error e;
  CHECK(wg_toml_parse(NULL, 5, NULL, &e) == NULL);
  CHECK_STR(e.message, "no input text");
}

WG_TEST_LIST {
    WG_TEST(test_scalars),
    WG_TEST(test_strings),
    WG_TEST(test_integer_limits),
    WG_TEST(test_datetimes),
    WG_TEST(test_key_order_and_lookup),
    WG_TEST(test_positions),
    WG_TEST(test_table_kinds),
    WG_TEST(test_definition_rules),
    WG_TEST(test_syntax_errors),
    WG_TEST(test_messages_do_not_quote_input),
    WG_TEST(test_depth_limit),
    WG_TEST(test_default_depth),
    WG_TEST(test_size_limit),
    WG_TEST(test_memory_limit),
    WG_TEST(test_big_table),
    WG_TEST(test_every_prefix),
    WG_TEST(test_many_headers),
    WG_TEST(test_mutations),
    WG_TEST(test_names),
};
WG_TEST_MAIN()
