/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-csv.h: an exact CSV tokenizer for the files users bring (BB.csv, Data_Entry_2017.csv).
 *
 * The reader works on a buffer the caller owns (read once or mapped) and never copies unquoted fields: a field
 * points into the buffer. Every record carries its byte offsets (start of its first field, end of its last field,
 * end of its line terminator), so a caller can copy untouched records byte for byte and rewrite only the ones it
 * changed.
 *
 * The dialect is RFC 4180 plus what real files do:
 *   - records end in LF, CRLF or a lone CR; the last record may lack a terminator;
 *   - a field that starts with '"' is quoted: it may hold commas, line breaks and doubled quotes ("");
 *     after its closing quote only a comma or the end of the record may follow;
 *   - a '"' inside an unquoted field is kept literally (spreadsheets write 5" nodule);
 *   - a UTF-8 byte order mark at the very start is skipped (see cxr_csv_reader_had_bom);
 *   - NUL bytes, invalid UTF-8 and records longer than the reader's limit are errors.
 *
 * Errors are CXR_ERROR_FORMAT with "FILE:LINE:COLUMN: what" in the message. Lines and columns count from 1;
 * a column is the byte position on its line.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longer records are refused: no real CSV row is a megabyte, and a 10 MB "line" is a binary file. */
#define CXR_CSV_DEFAULT_MAX_RECORD_LENGTH (1u << 20)
/* More fields than this in one record are refused for the same reason. */
#define CXR_CSV_MAX_FIELDS 4096

typedef struct {
  const char *text;   /* the value, not NUL-terminated: into the input, or for a quoted field with doubled quotes
                       * into memory the reader owns until its next call */
  gsize length;       /* bytes in text */
  gsize offset;       /* input offset of the field's first byte (the opening quote of a quoted field) */
  gsize raw_length;   /* bytes the field takes in the input, quotes included */
  guint line;         /* line of the field's first byte */
  guint column;       /* column of the field's first byte */
  gboolean quoted;
} CxrCsvField;

typedef struct {
  gsize start;        /* input offset of the record's first byte */
  gsize end;          /* input offset just past its last field: its terminator starts here */
  gsize next;         /* input offset just past its terminator: where the next record starts */
  guint line;         /* line of its first byte */
  guint n_fields;     /* at least 1: an empty line is one empty field */
  const CxrCsvField *fields;  /* owned by the reader, valid until its next call */
} CxrCsvRecord;

typedef struct _CxrCsvReader CxrCsvReader;

/* filename is used in messages only. data must outlive the reader; it needs no NUL terminator. */
CxrCsvReader *cxr_csv_reader_new (const char *filename, const char *data, gsize length);
void          cxr_csv_reader_free (CxrCsvReader *reader);
void          cxr_csv_reader_set_max_record_length (CxrCsvReader *reader, gsize max_length);
const char   *cxr_csv_reader_get_filename (CxrCsvReader *reader);
gboolean      cxr_csv_reader_had_bom (CxrCsvReader *reader);

/* Reads the next record. Returns FALSE at the end of the input (error untouched) and on malformed input (error
 * set); check the error to tell them apart:
 *
 *   while (cxr_csv_reader_next (reader, &record, &error)) { ... }
 *   if (error != NULL) ...
 */
gboolean cxr_csv_reader_next (CxrCsvReader *reader, CxrCsvRecord *record, GError **error);

/* Sets a CXR_ERROR_FORMAT error "FILE:LINE:COLUMN: message" at a field, for callers that find a well-formed
 * field with a bad value. */
void cxr_csv_set_field_error (GError **error, const char *filename, const CxrCsvField *field,
                              const char *format, ...) G_GNUC_PRINTF (4, 5);

gboolean cxr_csv_field_equal (const CxrCsvField *field, const char *text);
/* TRUE when every field of the record is empty (a blank line or a row of bare commas). */
gboolean cxr_csv_record_is_blank (const CxrCsvRecord *record);

/* Parses the whole field as a finite decimal number (no surrounding spaces, no hex, no inf/nan). */
gboolean cxr_csv_field_to_double (const CxrCsvField *field, double *value);
/* Parses the whole field as a decimal integer. */
gboolean cxr_csv_field_to_int64 (const CxrCsvField *field, gint64 *value);

/* Appends text as one field, quoted only when it holds a comma, a quote, CR or LF. */
void cxr_csv_append_field (GString *out, const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCsvReader, cxr_csv_reader_free)

G_END_DECLS
