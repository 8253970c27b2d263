/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-csv: the tokenizer reads real-world CSV exactly, keeps byte offsets, and names file:line:column on errors. */
#include <math.h>
#include <string.h>

#include "cxr-csv.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

typedef struct {
  gsize start, end, next;
  guint line;
  const char *fields[6];  /* NULL-terminated expected values */
} ExpectedRecord;

static void
check_records (const char *input, gssize length, const ExpectedRecord *expected, guint n_expected)
{
  gsize len = length < 0 ? strlen (input) : (gsize) length;
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", input, len);
  CxrCsvRecord record;
  g_autoptr (GError) error = NULL;
  guint n = 0;
  while (cxr_csv_reader_next (reader, &record, &error))
    {
      g_assert_cmpuint (n, <, n_expected);
      const ExpectedRecord *want = &expected[n];
      g_assert_cmpuint (record.start, ==, want->start);
      g_assert_cmpuint (record.end, ==, want->end);
      g_assert_cmpuint (record.next, ==, want->next);
      g_assert_cmpuint (record.line, ==, want->line);
      guint n_fields = 0;
      while (want->fields[n_fields] != NULL)
        n_fields++;
      g_assert_cmpuint (record.n_fields, ==, n_fields);
      for (guint i = 0; i < n_fields; i++)
        {
          g_autofree char *got = g_strndup (record.fields[i].text, record.fields[i].length);
          g_assert_cmpstr (got, ==, want->fields[i]);
        }
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_expected);
}

static void
test_line_endings (void)
{
  /* LF, CRLF, a lone CR, and a last line without a terminator. */
  const ExpectedRecord expected[] = {
    { 0, 3, 4, 1, { "a", "b", NULL } },
    { 4, 7, 9, 2, { "c", "d", NULL } },
    { 9, 10, 11, 3, { "e", NULL } },
    { 11, 14, 14, 4, { "f", "", "", NULL } },
  };
  check_records ("a,b\nc,d\r\ne\rf,,", -1, expected, G_N_ELEMENTS (expected));
}

static void
test_quoted_fields (void)
{
  const char *input = "\"x,y\",\"he said \"\"hi\"\"\",plain,\"\"\n\"two\nlines\",\"a\"\"b\"\"c\"\"d\",5\" nodule\nlast\n";
  const ExpectedRecord expected[] = {
    { 0, 31, 32, 1, { "x,y", "he said \"hi\"", "plain", "", NULL } },
    { 32, 66, 67, 2, { "two\nlines", "a\"b\"c\"d", "5\" nodule", NULL } },
    { 67, 71, 72, 4, { "last", NULL } },
  };
  check_records (input, -1, expected, G_N_ELEMENTS (expected));

  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", input, strlen (input));
  CxrCsvRecord record;
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_true (record.fields[0].quoted);
  g_assert_cmpuint (record.fields[0].offset, ==, 0);
  g_assert_cmpuint (record.fields[0].raw_length, ==, 5);
  g_assert_cmpuint (record.fields[1].column, ==, 7);
  g_assert_false (record.fields[2].quoted);
  g_assert_true (cxr_csv_field_equal (&record.fields[2], "plain"));
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_cmpuint (record.fields[1].line, ==, 3);   /* after the line break inside the first field */
  g_assert_cmpuint (record.fields[1].column, ==, 8);
}

static void
test_blank_lines_and_bom (void)
{
  const char *input = "\xEF\xBB\xBFh1,h2\n\n,,\nx,y";
  const ExpectedRecord expected[] = {
    { 3, 8, 9, 1, { "h1", "h2", NULL } },
    { 9, 9, 10, 2, { "", NULL } },
    { 10, 12, 13, 3, { "", "", "", NULL } },
    { 13, 16, 16, 4, { "x", "y", NULL } },
  };
  check_records (input, -1, expected, G_N_ELEMENTS (expected));
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", input, strlen (input));
  CxrCsvRecord record;
  g_assert_true (cxr_csv_reader_had_bom (reader));
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_cmpuint (record.fields[0].column, ==, 1);
  g_assert_false (cxr_csv_record_is_blank (&record));
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_true (cxr_csv_record_is_blank (&record));
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_true (cxr_csv_record_is_blank (&record));
}

static void
test_empty_input (void)
{
  check_records ("", 0, NULL, 0);
}

typedef struct {
  const char *name;
  const char *input;
  gsize length;          /* 0: strlen */
  gsize max_record;      /* 0: default */
  const char *message;   /* expected start of the message */
} BadInput;

static void
test_errors_name_file_line_column (void)
{
  const BadInput cases[] = {
    { "unterminated quote", "a,b\nc,\"never closed\nmore\n", 0, 0, "t.csv:2:3: quoted field is never closed" },
    { "junk after quote", "a\n\"ab\"c,d\n", 0, 0, "t.csv:2:5: unexpected character 'c' after a closing quote" },
    { "NUL byte", "a,b\nc,d\nx\0y\n", 12, 0, "t.csv:3:2: NUL byte" },
    { "NUL in quotes", "\"a\0\"\n", 5, 0, "t.csv:1:3: NUL byte" },
    { "invalid UTF-8", "ok\nab,c\xff\n", 0, 0, "t.csv:2:5: invalid UTF-8 (byte 0xff)" },
    { "too long", "short\n0123456789abcdef\n", 0, 10, "t.csv:2:11: record is longer than 10 bytes" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadInput *c = &cases[i];
      gsize length = c->length ? c->length : strlen (c->input);
      g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", c->input, length);
      if (c->max_record)
        cxr_csv_reader_set_max_record_length (reader, c->max_record);
      CxrCsvRecord record;
      g_autoptr (GError) error = NULL;
      while (cxr_csv_reader_next (reader, &record, &error))
        ;
      g_test_message ("%s: %s", c->name, error ? error->message : "(no error)");
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      if (!g_str_has_prefix (error->message, c->message))
        g_error ("%s: got \"%s\", want \"%s...\"", c->name, error->message, c->message);
    }
}

static void
test_ten_megabyte_line (void)
{
  gsize length = 10u << 20;
  g_autofree char *data = g_malloc (length);
  memset (data, 'A', length);
  memcpy (data, "Image Index\n", 12);
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("big.csv", data, length);
  CxrCsvRecord record;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_csv_reader_next (reader, &record, &error));
  g_assert_false (cxr_csv_reader_next (reader, &record, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, "big.csv:2:1048577: record is longer than 1048576 bytes"));
}

static void
test_too_many_fields (void)
{
  g_autoptr (GString) line = g_string_new ("x");
  for (int i = 0; i < CXR_CSV_MAX_FIELDS + 10; i++)
    g_string_append_c (line, ',');
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", line->str, line->len);
  CxrCsvRecord record;
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_csv_reader_next (reader, &record, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_true (strstr (error->message, "t.csv:1:") != NULL);
}

static gboolean
parse_double_text (const char *text, double *value)
{
  CxrCsvField field = { text, strlen (text), 0, strlen (text), 1, 1, FALSE };
  return cxr_csv_field_to_double (&field, value);
}

static void
test_numbers (void)
{
  double v;
  g_assert_true (parse_double_text ("225.084745762712", &v));
  g_assert_cmpfloat (v, ==, 225.084745762712);
  g_assert_true (parse_double_text ("-3", &v));
  g_assert_cmpfloat (v, ==, -3.0);
  g_assert_true (parse_double_text ("1e3", &v));
  const char *const rejected[] = { "", " 1", "1 ", "inf", "nan", "0x10", "1e400", "1,5", "abc", "--1" };
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    g_assert_false (parse_double_text (rejected[i], &v));
}

static void
test_append_field_quotes_only_when_needed (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  cxr_csv_append_field (out, "plain");
  g_string_append_c (out, ',');
  cxr_csv_append_field (out, "a,b");
  g_string_append_c (out, ',');
  cxr_csv_append_field (out, "say \"x\"");
  g_string_append_c (out, ',');
  cxr_csv_append_field (out, "");
  g_assert_cmpstr (out->str, ==, "plain,\"a,b\",\"say \"\"x\"\"\",");

  /* and reads back */
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("t.csv", out->str, out->len);
  CxrCsvRecord record;
  g_assert_true (cxr_csv_reader_next (reader, &record, NULL));
  g_assert_cmpuint (record.n_fields, ==, 4);
  g_assert_true (cxr_csv_field_equal (&record.fields[1], "a,b"));
  g_assert_true (cxr_csv_field_equal (&record.fields[2], "say \"x\""));
}

static void
test_real_files_tokenize (void)
{
  const char *dir = cxr_test_nih14_dir ();
  if (dir == NULL)
    return;
  const char *names[] = { "BBox_List_2017.csv", "Data_Entry_2017_v2020.csv" };
  const guint expected_records[] = { 985, 112121 };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *data = NULL;
      gsize length;
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (path, data, length);
      CxrCsvRecord record;
      g_autoptr (GError) error = NULL;
      guint n = 0;
      gsize expect_start = 0;
      while (cxr_csv_reader_next (reader, &record, &error))
        {
          /* Records tile the file: each starts where the previous one's terminator ended. */
          g_assert_cmpuint (record.start, ==, expect_start);
          expect_start = record.next;
          n++;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (expect_start, ==, length);
      g_assert_cmpuint (n, ==, expected_records[i]);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/line-endings", test_line_endings);
  g_test_add_func ("/csv/quoted-fields", test_quoted_fields);
  g_test_add_func ("/csv/blank-lines-and-bom", test_blank_lines_and_bom);
  g_test_add_func ("/csv/empty-input", test_empty_input);
  g_test_add_func ("/csv/errors-name-file-line-column", test_errors_name_file_line_column);
  g_test_add_func ("/csv/ten-megabyte-line", test_ten_megabyte_line);
  g_test_add_func ("/csv/too-many-fields", test_too_many_fields);
  g_test_add_func ("/csv/numbers", test_numbers);
  g_test_add_func ("/csv/append-field", test_append_field_quotes_only_when_needed);
  g_test_add_func ("/csv/real-files", test_real_files_tokenize);
  return g_test_run ();
}
