/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-pickle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-limits.h"

/* Bounds that no real checkpoint approaches (a pickled ResNet-152 module needs about 10^5 values) but that
 * keep a hostile pickle from exhausting memory. */
#define MAX_PROTOCOL   5

/* ------------------------------------------------------------------------------------------------ */
/* Storage types                                                                                    */

static const CxrStorageType storage_types[] = {
  { "FloatStorage", "float32", 4, TRUE, CXR_DTYPE_F32 },
  { "HalfStorage", "float16", 2, TRUE, CXR_DTYPE_F16 },
  { "BFloat16Storage", "bfloat16", 2, TRUE, CXR_DTYPE_BF16 },
  { "DoubleStorage", "float64", 8, TRUE, CXR_DTYPE_F64 },
  { "LongStorage", "int64", 8, TRUE, CXR_DTYPE_I64 },
  { "IntStorage", "int32", 4, TRUE, CXR_DTYPE_I32 },
  { "ByteStorage", "uint8", 1, TRUE, CXR_DTYPE_U8 },
  { "BoolStorage", "bool", 1, TRUE, CXR_DTYPE_BOOL },
  { "ShortStorage", "int16", 2, FALSE, 0 },
  { "CharStorage", "int8", 1, FALSE, 0 },
  { "ComplexFloatStorage", "complex64", 8, FALSE, 0 },
  { "ComplexDoubleStorage", "complex128", 16, FALSE, 0 },
  { "QInt8Storage", "qint8", 1, FALSE, 0 },
  { "QUInt8Storage", "quint8", 1, FALSE, 0 },
  { "QInt32Storage", "qint32", 4, FALSE, 0 },
  /* Untyped storages count bytes. */
  { "UntypedStorage", "untyped bytes", 1, FALSE, 0 },
};

const CxrStorageType *
cxr_storage_type_for_dtype (CxrDtype dtype)
{
  for (gsize i = 0; i < G_N_ELEMENTS (storage_types); i++)
    if (storage_types[i].supported && storage_types[i].dtype == dtype)
      return &storage_types[i];
  return NULL;
}

static const CxrStorageType *
storage_type_by_class (const char *class_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (storage_types); i++)
    if (g_str_equal (storage_types[i].class_name, class_name))
      return &storage_types[i];
  return NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* Values                                                                                           */

struct _CxrPickle {
  GPtrArray *arena;        /* every value, owned */
  CxrPickleValue *root;
};

static void
value_free (gpointer p)
{
  CxrPickleValue *value = p;
  switch (value->kind)
    {
    case CXR_PICKLE_STRING:
    case CXR_PICKLE_BYTES:
      g_free (value->string.data);
      break;
    case CXR_PICKLE_TUPLE:
    case CXR_PICKLE_LIST:
    case CXR_PICKLE_DICT:
    case CXR_PICKLE_SET:
      g_ptr_array_unref (value->items);
      break;
    case CXR_PICKLE_GLOBAL:
      g_free (value->global.qualified_name);
      break;
    case CXR_PICKLE_STORAGE:
      g_free (value->storage.key);
      g_free (value->storage.location);
      break;
    case CXR_PICKLE_NONE:
    case CXR_PICKLE_BOOL:
    case CXR_PICKLE_INT:
    case CXR_PICKLE_FLOAT:
    case CXR_PICKLE_OBJECT:
    case CXR_PICKLE_TENSOR:
      break;
    }
  g_free (value);
}

void
cxr_pickle_free (CxrPickle *pickle)
{
  if (pickle == NULL)
    return;
  g_ptr_array_unref (pickle->arena);
  g_free (pickle);
}

const CxrPickleValue *
cxr_pickle_get_root (const CxrPickle *pickle)
{
  return pickle->root;
}

const char *
cxr_pickle_kind_name (CxrPickleKind kind)
{
  switch (kind)
    {
    case CXR_PICKLE_NONE: return "None";
    case CXR_PICKLE_BOOL: return "bool";
    case CXR_PICKLE_INT: return "int";
    case CXR_PICKLE_FLOAT: return "float";
    case CXR_PICKLE_STRING: return "str";
    case CXR_PICKLE_BYTES: return "bytes";
    case CXR_PICKLE_TUPLE: return "tuple";
    case CXR_PICKLE_LIST: return "list";
    case CXR_PICKLE_DICT: return "dict";
    case CXR_PICKLE_SET: return "set";
    case CXR_PICKLE_GLOBAL: return "class or function";
    case CXR_PICKLE_OBJECT: return "object";
    case CXR_PICKLE_STORAGE: return "storage";
    case CXR_PICKLE_TENSOR: return "tensor";
    }
  return "unknown";
}

gboolean
cxr_pickle_is_string (const CxrPickleValue *value, const char *text)
{
  return value != NULL && value->kind == CXR_PICKLE_STRING && g_str_equal (value->string.data, text);
}

const CxrPickleValue *
cxr_pickle_dict_lookup (const CxrPickleValue *dict, const char *key)
{
  if (dict == NULL || dict->kind != CXR_PICKLE_DICT)
    return NULL;
  for (guint i = dict->items->len; i >= 2; i -= 2)
    if (cxr_pickle_is_string (g_ptr_array_index (dict->items, i - 2), key))
      return g_ptr_array_index (dict->items, i - 1);
  return NULL;
}

/* ------------------------------------------------------------------------------------------------ */
/* The interpreter                                                                                  */

typedef struct {
  const guint8 *data;
  gsize length;
  gsize pos;
  gsize opcode_pos;       /* where the current opcode started, for messages */
  guint8 opcode;
  const char *where;
  GPtrArray *arena;
  GPtrArray *stack;       /* borrowed values */
  GArray *marks;          /* guint stack positions */
  GHashTable *memo;       /* index -> borrowed value */
  gboolean stopped;
} Unpickler;

static gboolean
fail (Unpickler *u, GError **error, CxrErrorCode code, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Unpickler *u, GError **error, CxrErrorCode code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CXR_ERROR, code, "%s in %s (opcode 0x%02x at byte %" G_GSIZE_FORMAT ")",
               detail, u->where, u->opcode, u->opcode_pos);
  return FALSE;
}

static gboolean
malformed (Unpickler *u, GError **error, const char *what)
{
  return fail (u, error, CXR_ERROR_FORMAT, "malformed pickle: %s", what);
}

static CxrPickleValue *
new_value (Unpickler *u, CxrPickleKind kind, GError **error)
{
  if (u->arena->len >= CXR_LIMIT_PICKLE_VALUES)
    {
      fail (u, error, CXR_ERROR_UNSUPPORTED, "pickle has more than %d objects", CXR_LIMIT_PICKLE_VALUES);
      return NULL;
    }
  CxrPickleValue *value = g_new0 (CxrPickleValue, 1);
  value->kind = kind;
  if (kind == CXR_PICKLE_TUPLE || kind == CXR_PICKLE_LIST || kind == CXR_PICKLE_DICT || kind == CXR_PICKLE_SET)
    value->items = g_ptr_array_new ();
  g_ptr_array_add (u->arena, value);
  return value;
}

static gboolean
push (Unpickler *u, CxrPickleValue *value, GError **error)
{
  if (value == NULL)
    return FALSE;
  if (u->stack->len >= CXR_LIMIT_PICKLE_STACK)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "pickle stack deeper than %d", CXR_LIMIT_PICKLE_STACK);
  g_ptr_array_add (u->stack, value);
  return TRUE;
}

static CxrPickleValue *
pop (Unpickler *u, GError **error)
{
  guint floor = u->marks->len ? g_array_index (u->marks, guint, u->marks->len - 1) : 0;
  if (u->stack->len <= floor)
    {
      malformed (u, error, "stack underflow");
      return NULL;
    }
  return g_ptr_array_steal_index (u->stack, u->stack->len - 1);
}

static CxrPickleValue *
top (Unpickler *u, GError **error)
{
  guint floor = u->marks->len ? g_array_index (u->marks, guint, u->marks->len - 1) : 0;
  if (u->stack->len <= floor)
    {
      malformed (u, error, "stack underflow");
      return NULL;
    }
  return g_ptr_array_index (u->stack, u->stack->len - 1);
}

/* Moves everything above the last MARK into @into (which may be NULL to discard) and drops the mark. */
static gboolean
pop_mark (Unpickler *u, GPtrArray *into, GError **error)
{
  if (u->marks->len == 0)
    return malformed (u, error, "no MARK on the stack");
  guint mark = g_array_index (u->marks, guint, u->marks->len - 1);
  g_array_set_size (u->marks, u->marks->len - 1);
  for (guint i = mark; i < u->stack->len && into != NULL; i++)
    g_ptr_array_add (into, g_ptr_array_index (u->stack, i));
  g_ptr_array_set_size (u->stack, mark);
  return TRUE;
}

static gboolean
read_bytes (Unpickler *u, gsize n, const guint8 **out, GError **error)
{
  if (u->length - u->pos < n)
    return malformed (u, error, "truncated (data ends inside an opcode)");
  *out = u->data + u->pos;
  u->pos += n;
  return TRUE;
}

static gboolean
read_uint (Unpickler *u, gsize n, guint64 *out, GError **error)
{
  const guint8 *p = NULL;
  if (!read_bytes (u, n, &p, error))
    return FALSE;
  guint64 v = 0;
  for (gsize i = n; i-- > 0;)
    v = (v << 8) | p[i];
  *out = v;
  return TRUE;
}

/* A text argument up to the next newline, NUL-terminated in a fresh string. */
static char *
read_line (Unpickler *u, GError **error)
{
  const guint8 *start = u->data + u->pos;
  const guint8 *nl = memchr (start, '\n', u->length - u->pos);
  if (nl == NULL)
    {
      malformed (u, error, "truncated (a text argument has no end of line)");
      return NULL;
    }
  u->pos += (gsize) (nl - start) + 1;
  return g_strndup ((const char *) start, (gsize) (nl - start));
}

static gboolean
push_int (Unpickler *u, gint64 v, GError **error)
{
  CxrPickleValue *value = new_value (u, CXR_PICKLE_INT, error);
  if (value)
    value->integer = v;
  return push (u, value, error);
}

static gboolean
push_bool (Unpickler *u, gboolean v, GError **error)
{
  CxrPickleValue *value = new_value (u, CXR_PICKLE_BOOL, error);
  if (value)
    value->boolean = v;
  return push (u, value, error);
}

static gboolean
push_float (Unpickler *u, double v, GError **error)
{
  CxrPickleValue *value = new_value (u, CXR_PICKLE_FLOAT, error);
  if (value)
    value->number = v;
  return push (u, value, error);
}

static gboolean
push_string (Unpickler *u, CxrPickleKind kind, const guint8 *data, gsize length, GError **error)
{
  if (kind == CXR_PICKLE_STRING && !g_utf8_validate_len ((const char *) data, length, NULL))
    return malformed (u, error, "a string is not valid UTF-8");
  CxrPickleValue *value = new_value (u, kind, error);
  if (value == NULL)
    return FALSE;
  value->string.data = g_malloc (length + 1);
  memcpy (value->string.data, data, length);
  value->string.data[length] = '\0';
  value->string.length = length;
  return push (u, value, error);
}

/* Little-endian two's complement of @n bytes (LONG1/LONG4); only what fits in 64 bits. */
static gboolean
push_long (Unpickler *u, const guint8 *p, gsize n, GError **error)
{
  if (n > 8)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "integer wider than 64 bits");
  guint64 v = 0;
  for (gsize i = n; i-- > 0;)
    v = (v << 8) | p[i];
  if (n > 0 && n < 8 && (p[n - 1] & 0x80))
    v |= ~(guint64) 0 << (8 * n);  /* sign-extend */
  return push_int (u, (gint64) v, error);
}

static gboolean
op_sized_string (Unpickler *u, CxrPickleKind kind, gsize length_bytes, GError **error)
{
  guint64 length;
  const guint8 *p = NULL;
  if (!read_uint (u, length_bytes, &length, error))
    return FALSE;
  if (length > u->length - u->pos)
    return malformed (u, error, "truncated (a string runs past the end)");
  return read_bytes (u, (gsize) length, &p, error) && push_string (u, kind, p, (gsize) length, error);
}

static gboolean
op_text_int (Unpickler *u, gboolean is_long, GError **error)
{
  g_autofree char *line = read_line (u, error);
  if (line == NULL)
    return FALSE;
  if (!is_long && g_str_equal (line, "01"))
    return push_bool (u, TRUE, error);
  if (!is_long && g_str_equal (line, "00"))
    return push_bool (u, FALSE, error);
  gsize len = strlen (line);
  if (is_long && len > 0 && line[len - 1] == 'L')
    line[len - 1] = '\0';
  gint64 v;
  if (!g_ascii_string_to_signed (line, 10, G_MININT64, G_MAXINT64, &v, NULL))
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "integer '%.40s' not representable", line);
  return push_int (u, v, error);
}

static gboolean
op_text_float (Unpickler *u, GError **error)
{
  g_autofree char *line = read_line (u, error);
  if (line == NULL)
    return FALSE;
  char *end;
  double v = g_ascii_strtod (line, &end);
  if (end == line || *end != '\0')
    return malformed (u, error, "bad FLOAT text");
  return push_float (u, v, error);
}

static gboolean
op_binfloat (Unpickler *u, GError **error)
{
  const guint8 *p = NULL;
  if (!read_bytes (u, 8, &p, error))
    return FALSE;
  guint64 bits = 0;
  for (int i = 0; i < 8; i++)
    bits = (bits << 8) | p[i];  /* big-endian */
  double v;
  memcpy (&v, &bits, 8);
  return push_float (u, v, error);
}

/* ---- memo ---- */

static gboolean
memo_put (Unpickler *u, guint64 index, GError **error)
{
  CxrPickleValue *value = top (u, error);
  if (value == NULL)
    return FALSE;
  if (index > G_MAXUINT32)
    return malformed (u, error, "memo index out of range");
  if (g_hash_table_size (u->memo) >= CXR_LIMIT_PICKLE_MEMO
      && !g_hash_table_contains (u->memo, GUINT_TO_POINTER ((guint) index)))
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "pickle memo larger than %d entries", CXR_LIMIT_PICKLE_MEMO);
  g_hash_table_insert (u->memo, GUINT_TO_POINTER ((guint) index), value);
  return TRUE;
}

static gboolean
memo_get (Unpickler *u, guint64 index, GError **error)
{
  CxrPickleValue *value = index <= G_MAXUINT32 ? g_hash_table_lookup (u->memo, GUINT_TO_POINTER ((guint) index)) : NULL;
  if (value == NULL)
    return fail (u, error, CXR_ERROR_FORMAT, "malformed pickle: memo entry %" G_GUINT64_FORMAT " does not exist", index);
  return push (u, value, error);
}

static gboolean
op_text_memo (Unpickler *u, gboolean put, GError **error)
{
  g_autofree char *line = read_line (u, error);
  guint64 index;
  if (line == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (line, 10, 0, G_MAXUINT32, &index, NULL))
    return malformed (u, error, "bad memo index");
  return put ? memo_put (u, index, error) : memo_get (u, index, error);
}

/* ---- globals ---- */

static gboolean
is_identifier (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_dotted_name (const char *s)
{
  g_auto (GStrv) parts = g_strsplit (s, ".", -1);
  for (char **p = parts; *p; p++)
    if (!is_identifier (*p))
      return FALSE;
  return TRUE;
}

/* The allow-list. Everything here is a name we interpret, never a thing we call. */
static gboolean
classify_global (const char *module, const char *name, CxrPickleGlobalKind *kind, const CxrStorageType **storage)
{
  static const char *const torch_dtypes[] = {
    "float32", "float", "float16", "half", "bfloat16", "float64", "double", "int64", "long", "int32", "int",
    "int16", "short", "int8", "uint8", "bool", "complex64", "complex128",
  };
  static const char *const resnet_classes[] = { "ResNet", "BasicBlock", "Bottleneck" };

  *storage = NULL;
  gboolean builtins = g_str_equal (module, "builtins") || g_str_equal (module, "__builtin__");

  if (g_str_equal (module, "collections") && g_str_equal (name, "OrderedDict"))
    *kind = CXR_PICKLE_GLOBAL_ORDERED_DICT;
  else if (g_str_equal (module, "torch._utils") && g_str_equal (name, "_rebuild_tensor_v2"))
    *kind = CXR_PICKLE_GLOBAL_REBUILD_TENSOR_V2;
  else if (g_str_equal (module, "torch._utils") && g_str_equal (name, "_rebuild_parameter"))
    *kind = CXR_PICKLE_GLOBAL_REBUILD_PARAMETER;
  else if (g_str_equal (module, "torch._utils") && g_str_equal (name, "_rebuild_parameter_with_state"))
    *kind = CXR_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE;
  else if ((g_str_equal (module, "torch") || g_str_equal (module, "torch.storage"))
           && (*storage = storage_type_by_class (name)) != NULL)
    *kind = CXR_PICKLE_GLOBAL_STORAGE_TYPE;
  else if (g_str_equal (module, "torch") && g_str_equal (name, "Size"))
    *kind = CXR_PICKLE_GLOBAL_TORCH_SIZE;
  else if (g_str_equal (module, "torch") && g_strv_contains (torch_dtypes, name))
    *kind = CXR_PICKLE_GLOBAL_DTYPE;
  else if (g_str_has_prefix (module, "torch.nn.modules.") && is_dotted_name (module) && is_identifier (name))
    *kind = CXR_PICKLE_GLOBAL_MODULE_CLASS;
  else if (g_str_equal (module, "torchvision.models.resnet") && g_strv_contains (resnet_classes, name))
    *kind = CXR_PICKLE_GLOBAL_MODULE_CLASS;
  else if (builtins && g_str_equal (name, "set"))
    *kind = CXR_PICKLE_GLOBAL_SET;
  else if (builtins && g_str_equal (name, "frozenset"))
    *kind = CXR_PICKLE_GLOBAL_FROZENSET;
  else if (builtins && g_str_equal (name, "object"))
    *kind = CXR_PICKLE_GLOBAL_OBJECT;
  else if ((g_str_equal (module, "copyreg") || g_str_equal (module, "copy_reg")) && g_str_equal (name, "_reconstructor"))
    *kind = CXR_PICKLE_GLOBAL_RECONSTRUCTOR;
  else
    return FALSE;
  return TRUE;
}

static gboolean
push_global (Unpickler *u, const char *module, const char *name, GError **error)
{
  CxrPickleGlobalKind kind;
  const CxrStorageType *storage;
  if (!classify_global (module, name, &kind, &storage))
    {
      /* Print the name safely: it comes from the file. */
      g_autofree char *shown = g_strescape (module, NULL);
      g_autofree char *shown_name = g_strescape (name, NULL);
      g_set_error (error, CXR_ERROR, CXR_ERROR_REFUSED,
                   "refusing pickle global '%s.%s' in %s (byte %" G_GSIZE_FORMAT "): only tensors, state_dicts and "
                   "torch.nn / torchvision ResNet modules are allowed; nothing from the file was executed",
                   shown, shown_name, u->where, u->opcode_pos);
      return FALSE;
    }
  CxrPickleValue *value = new_value (u, CXR_PICKLE_GLOBAL, error);
  if (value == NULL)
    return FALSE;
  value->global.kind = kind;
  value->global.qualified_name = g_strconcat (module, ".", name, NULL);
  value->global.storage_type = storage;
  return push (u, value, error);
}

static gboolean
op_global (Unpickler *u, GError **error)
{
  g_autofree char *module = read_line (u, error);
  if (module == NULL)
    return FALSE;
  g_autofree char *name = read_line (u, error);
  if (name == NULL)
    return FALSE;
  return push_global (u, module, name, error);
}

static gboolean
op_stack_global (Unpickler *u, GError **error)
{
  CxrPickleValue *name = pop (u, error);
  if (name == NULL)
    return FALSE;
  CxrPickleValue *module = pop (u, error);
  if (module == NULL)
    return FALSE;
  if (name->kind != CXR_PICKLE_STRING || module->kind != CXR_PICKLE_STRING)
    return malformed (u, error, "STACK_GLOBAL needs two strings");
  return push_global (u, module->string.data, name->string.data, error);
}

/* ---- containers ---- */

static gboolean
op_tuple_n (Unpickler *u, guint n, GError **error)
{
  CxrPickleValue *items[3];
  for (guint i = n; i-- > 0;)
    if ((items[i] = pop (u, error)) == NULL)
      return FALSE;
  CxrPickleValue *tuple = new_value (u, CXR_PICKLE_TUPLE, error);
  if (tuple == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tuple->items, items[i]);
  return push (u, tuple, error);
}

static gboolean
op_from_mark (Unpickler *u, CxrPickleKind kind, GError **error)
{
  CxrPickleValue *value = new_value (u, kind, error);
  if (value == NULL || !pop_mark (u, value->items, error))
    return FALSE;
  if (kind == CXR_PICKLE_DICT && value->items->len % 2 != 0)
    return malformed (u, error, "DICT with an odd number of items");
  return push (u, value, error);
}

static gboolean
op_append (Unpickler *u, gboolean many, GError **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (many)
    {
      if (!pop_mark (u, items, error))
        return FALSE;
    }
  else
    {
      CxrPickleValue *item = pop (u, error);
      if (item == NULL)
        return FALSE;
      g_ptr_array_add (items, item);
    }
  CxrPickleValue *list = top (u, error);
  if (list == NULL)
    return FALSE;
  if (list->kind != CXR_PICKLE_LIST && list->kind != CXR_PICKLE_SET)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot append to a %s", cxr_pickle_kind_name (list->kind));
  g_ptr_array_extend (list->items, items, NULL, NULL);
  return TRUE;
}

static gboolean
op_setitems (Unpickler *u, gboolean many, GError **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (many)
    {
      if (!pop_mark (u, items, error))
        return FALSE;
      if (items->len % 2 != 0)
        return malformed (u, error, "SETITEMS with an odd number of items");
    }
  else
    {
      CxrPickleValue *value = pop (u, error);
      CxrPickleValue *key = value ? pop (u, error) : NULL;
      if (key == NULL)
        return FALSE;
      g_ptr_array_add (items, key);
      g_ptr_array_add (items, value);
    }
  CxrPickleValue *dict = top (u, error);
  if (dict == NULL)
    return FALSE;
  if (dict->kind != CXR_PICKLE_DICT)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot set items on a %s", cxr_pickle_kind_name (dict->kind));
  g_ptr_array_extend (dict->items, items, NULL, NULL);
  return TRUE;
}

static gboolean
op_frozenset (Unpickler *u, GError **error)
{
  return op_from_mark (u, CXR_PICKLE_SET, error);
}

/* ---- calls of allowed globals ---- */

static gboolean
get_int_tuple (const CxrPickleValue *tuple, gint64 *out, int *n)
{
  if (tuple->kind != CXR_PICKLE_TUPLE && tuple->kind != CXR_PICKLE_LIST)
    return FALSE;
  if (tuple->items->len > CXR_TENSOR_MAX_DIMS)
    return FALSE;
  for (guint i = 0; i < tuple->items->len; i++)
    {
      const CxrPickleValue *item = g_ptr_array_index (tuple->items, i);
      if (item->kind != CXR_PICKLE_INT || item->integer < 0)
        return FALSE;
      out[i] = item->integer;
    }
  *n = (int) tuple->items->len;
  return TRUE;
}

static CxrPickleValue *
arg (const CxrPickleValue *args, guint i)
{
  return g_ptr_array_index (args->items, i);
}

static gboolean
call_rebuild_tensor (Unpickler *u, const CxrPickleValue *args, GError **error)
{
  /* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
  if (args->items->len < 6 || args->items->len > 7)
    return malformed (u, error, "_rebuild_tensor_v2 takes 6 or 7 arguments");
  const CxrPickleValue *storage = arg (args, 0), *offset = arg (args, 1), *requires_grad = arg (args, 4);
  if (storage->kind != CXR_PICKLE_STORAGE)
    return malformed (u, error, "_rebuild_tensor_v2 without a storage");
  if (offset->kind != CXR_PICKLE_INT || offset->integer < 0)
    return malformed (u, error, "_rebuild_tensor_v2 with a bad storage offset");

  CxrPickleValue *tensor = new_value (u, CXR_PICKLE_TENSOR, error);
  if (tensor == NULL)
    return FALSE;
  int size_n = 0, stride_n = 0;
  if (!get_int_tuple (arg (args, 2), tensor->tensor.size, &size_n)
      || !get_int_tuple (arg (args, 3), tensor->tensor.stride, &stride_n) || size_n != stride_n)
    return fail (u, error, CXR_ERROR_UNSUPPORTED,
                 "_rebuild_tensor_v2 with a size or stride that is not %d non-negative integers or fewer",
                 CXR_TENSOR_MAX_DIMS);
  tensor->tensor.storage = (CxrPickleValue *) storage;
  tensor->tensor.offset = offset->integer;
  tensor->tensor.ndim = size_n;
  tensor->tensor.requires_grad = requires_grad->kind == CXR_PICKLE_BOOL && requires_grad->boolean;
  return push (u, tensor, error);
}

static gboolean
call_rebuild_parameter (Unpickler *u, const CxrPickleValue *args, guint n_args, GError **error)
{
  if (args->items->len != n_args || arg (args, 0)->kind != CXR_PICKLE_TENSOR)
    return malformed (u, error, "_rebuild_parameter needs a tensor and its flags");
  return push (u, arg (args, 0), error);
}

static gboolean
call_ordered_dict (Unpickler *u, const CxrPickleValue *args, GError **error)
{
  CxrPickleValue *dict = new_value (u, CXR_PICKLE_DICT, error);
  if (dict == NULL)
    return FALSE;
  if (args->items->len == 1)
    {
      /* OrderedDict([[key, value], ...]), as protocols 0 and 1 write it */
      const CxrPickleValue *pairs = arg (args, 0);
      if (pairs->kind != CXR_PICKLE_LIST && pairs->kind != CXR_PICKLE_TUPLE)
        return malformed (u, error, "OrderedDict of something other than pairs");
      for (guint i = 0; i < pairs->items->len; i++)
        {
          const CxrPickleValue *pair = g_ptr_array_index (pairs->items, i);
          if ((pair->kind != CXR_PICKLE_LIST && pair->kind != CXR_PICKLE_TUPLE) || pair->items->len != 2)
            return malformed (u, error, "OrderedDict item is not a pair");
          g_ptr_array_add (dict->items, g_ptr_array_index (pair->items, 0));
          g_ptr_array_add (dict->items, g_ptr_array_index (pair->items, 1));
        }
    }
  else if (args->items->len != 0)
    return malformed (u, error, "OrderedDict with more than one argument");
  return push (u, dict, error);
}

static gboolean
call_set (Unpickler *u, const CxrPickleValue *args, GError **error)
{
  CxrPickleValue *set = new_value (u, CXR_PICKLE_SET, error);
  if (set == NULL)
    return FALSE;
  if (args->items->len == 1)
    {
      const CxrPickleValue *items = arg (args, 0);
      if (items->kind != CXR_PICKLE_LIST && items->kind != CXR_PICKLE_TUPLE && items->kind != CXR_PICKLE_SET)
        return malformed (u, error, "set of something that is not a sequence");
      g_ptr_array_extend (set->items, items->items, NULL, NULL);
    }
  else if (args->items->len != 0)
    return malformed (u, error, "set with more than one argument");
  return push (u, set, error);
}

static gboolean
push_object (Unpickler *u, CxrPickleValue *cls, GError **error)
{
  if (cls->kind != CXR_PICKLE_GLOBAL || cls->global.kind != CXR_PICKLE_GLOBAL_MODULE_CLASS)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot instantiate %s",
                 cls->kind == CXR_PICKLE_GLOBAL ? cls->global.qualified_name : cxr_pickle_kind_name (cls->kind));
  CxrPickleValue *object = new_value (u, CXR_PICKLE_OBJECT, error);
  if (object == NULL)
    return FALSE;
  object->object.cls = cls;
  return push (u, object, error);
}

static gboolean
op_reduce (Unpickler *u, GError **error)
{
  CxrPickleValue *args = pop (u, error);
  CxrPickleValue *callable = args ? pop (u, error) : NULL;
  if (callable == NULL)
    return FALSE;
  if (args->kind != CXR_PICKLE_TUPLE)
    return malformed (u, error, "REDUCE arguments are not a tuple");
  if (callable->kind != CXR_PICKLE_GLOBAL)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot call a %s", cxr_pickle_kind_name (callable->kind));

  switch (callable->global.kind)
    {
    case CXR_PICKLE_GLOBAL_ORDERED_DICT:
      return call_ordered_dict (u, args, error);
    case CXR_PICKLE_GLOBAL_REBUILD_TENSOR_V2:
      return call_rebuild_tensor (u, args, error);
    case CXR_PICKLE_GLOBAL_REBUILD_PARAMETER:
      return call_rebuild_parameter (u, args, 3, error);
    case CXR_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE:
      return call_rebuild_parameter (u, args, 4, error);
    case CXR_PICKLE_GLOBAL_SET:
    case CXR_PICKLE_GLOBAL_FROZENSET:
      return call_set (u, args, error);
    case CXR_PICKLE_GLOBAL_TORCH_SIZE:
      if (args->items->len != 1 || arg (args, 0)->kind != CXR_PICKLE_TUPLE)
        return malformed (u, error, "torch.Size of something that is not a tuple");
      return push (u, arg (args, 0), error);
    case CXR_PICKLE_GLOBAL_RECONSTRUCTOR:
      /* copyreg._reconstructor(cls, object, None): protocol 0/1 spelling of cls.__new__(cls) */
      if (args->items->len != 3)
        return malformed (u, error, "_reconstructor takes 3 arguments");
      return push_object (u, arg (args, 0), error);
    case CXR_PICKLE_GLOBAL_STORAGE_TYPE:
    case CXR_PICKLE_GLOBAL_DTYPE:
    case CXR_PICKLE_GLOBAL_MODULE_CLASS:
    case CXR_PICKLE_GLOBAL_OBJECT:
      break;
    }
  return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot call %s", callable->global.qualified_name);
}

static gboolean
op_newobj (Unpickler *u, gboolean with_kwargs, GError **error)
{
  if (with_kwargs && pop (u, error) == NULL)
    return FALSE;
  CxrPickleValue *args = pop (u, error);
  CxrPickleValue *cls = args ? pop (u, error) : NULL;
  if (cls == NULL)
    return FALSE;
  return push_object (u, cls, error);
}

static gboolean
op_build (Unpickler *u, GError **error)
{
  CxrPickleValue *state = pop (u, error);
  CxrPickleValue *target = state ? top (u, error) : NULL;
  if (target == NULL)
    return FALSE;

  switch (target->kind)
    {
    case CXR_PICKLE_OBJECT:
      /* (dict_state, slot_state) or dict_state */
      if (state->kind == CXR_PICKLE_TUPLE && state->items->len == 2)
        state = g_ptr_array_index (state->items, 0);
      if (state->kind == CXR_PICKLE_DICT)
        target->object.state = state;
      else if (state->kind != CXR_PICKLE_NONE)
        return fail (u, error, CXR_ERROR_UNSUPPORTED, "object state is a %s", cxr_pickle_kind_name (state->kind));
      return TRUE;
    case CXR_PICKLE_DICT:     /* OrderedDict attributes such as state_dict()._metadata: not needed */
    case CXR_PICKLE_TENSOR:   /* Parameter attributes */
      return TRUE;
    default:
      return fail (u, error, CXR_ERROR_UNSUPPORTED, "cannot set state on a %s", cxr_pickle_kind_name (target->kind));
    }
}

/* ('storage', StorageType, key, location, numel) -> a storage reference */
static gboolean
op_binpersid (Unpickler *u, GError **error)
{
  CxrPickleValue *pid = pop (u, error);
  if (pid == NULL)
    return FALSE;
  if (pid->kind != CXR_PICKLE_TUPLE || pid->items->len != 5 || !cxr_pickle_is_string (arg (pid, 0), "storage"))
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "persistent id is not a ('storage', type, key, location, size) tuple");
  const CxrPickleValue *type = arg (pid, 1), *key = arg (pid, 2), *location = arg (pid, 3), *numel = arg (pid, 4);
  if (type->kind != CXR_PICKLE_GLOBAL || type->global.kind != CXR_PICKLE_GLOBAL_STORAGE_TYPE)
    return malformed (u, error, "persistent id without a storage type");
  if (key->kind != CXR_PICKLE_STRING || location->kind != CXR_PICKLE_STRING || numel->kind != CXR_PICKLE_INT
      || numel->integer < 0)
    return malformed (u, error, "persistent id with a bad key, location or size");
  if (key->string.length == 0 || strchr (key->string.data, '/') != NULL || strstr (key->string.data, "..") != NULL)
    return malformed (u, error, "storage key is not a plain name");

  CxrPickleValue *storage = new_value (u, CXR_PICKLE_STORAGE, error);
  if (storage == NULL)
    return FALSE;
  storage->storage.type = type->global.storage_type;
  storage->storage.key = g_strdup (key->string.data);
  storage->storage.location = g_strdup (location->string.data);
  storage->storage.numel = numel->integer;
  return push (u, storage, error);
}

static gboolean
op_proto (Unpickler *u, GError **error)
{
  guint64 version;
  if (!read_uint (u, 1, &version, error))
    return FALSE;
  if (version > MAX_PROTOCOL)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "pickle protocol %u", (guint) version);
  return TRUE;
}

static gboolean
op_pop (Unpickler *u, GError **error)
{
  guint floor = u->marks->len ? g_array_index (u->marks, guint, u->marks->len - 1) : 0;
  /* Python's unpickler pops a mark when the stack above it is empty. */
  if (u->stack->len == floor && u->marks->len > 0)
    return pop_mark (u, NULL, error);
  return pop (u, error) != NULL;
}

static gboolean
op_mark (Unpickler *u, GError **error)
{
  if (u->marks->len >= CXR_LIMIT_PICKLE_MARKS)
    return fail (u, error, CXR_ERROR_UNSUPPORTED, "too many nested MARKs");
  guint at = u->stack->len;
  g_array_append_val (u->marks, at);
  return TRUE;
}

static gboolean
op_stop (Unpickler *u, GError **error)
{
  if (u->stack->len != 1 || u->marks->len != 0)
    return malformed (u, error, "STOP with other than one object on the stack");
  u->stopped = TRUE;
  return TRUE;
}

static gboolean
step (Unpickler *u, GError **error)
{
  guint64 n;
  const guint8 *p = NULL;

  u->opcode_pos = u->pos;
  u->opcode = u->data[u->pos++];
  switch (u->opcode)
    {
    case 0x80: return op_proto (u, error);                                   /* PROTO */
    case 0x95: return read_uint (u, 8, &n, error);                           /* FRAME: framing is irrelevant in memory */
    case '.':  return op_stop (u, error);                                    /* STOP */
    case '(':  return op_mark (u, error);                                    /* MARK */
    case '0':  return op_pop (u, error);                                     /* POP */
    case '1':  return pop_mark (u, NULL, error);                             /* POP_MARK */
    case '2':  { CxrPickleValue *v = top (u, error); return v && push (u, v, error); }  /* DUP */
    case 'N':  return push (u, new_value (u, CXR_PICKLE_NONE, error), error);  /* NONE */
    case 0x88: return push_bool (u, TRUE, error);                            /* NEWTRUE */
    case 0x89: return push_bool (u, FALSE, error);                           /* NEWFALSE */
    case 'I':  return op_text_int (u, FALSE, error);                         /* INT */
    case 'L':  return op_text_int (u, TRUE, error);                          /* LONG */
    case 'J':  return read_uint (u, 4, &n, error) && push_int (u, (gint32) (guint32) n, error);  /* BININT */
    case 'K':  return read_uint (u, 1, &n, error) && push_int (u, (gint64) n, error);            /* BININT1 */
    case 'M':  return read_uint (u, 2, &n, error) && push_int (u, (gint64) n, error);            /* BININT2 */
    case 0x8a: return read_uint (u, 1, &n, error) && read_bytes (u, n, &p, error) && push_long (u, p, n, error);  /* LONG1 */
    case 0x8b: return read_uint (u, 4, &n, error) && read_bytes (u, n, &p, error) && push_long (u, p, n, error);  /* LONG4 */
    case 'F':  return op_text_float (u, error);                              /* FLOAT */
    case 'G':  return op_binfloat (u, error);                                /* BINFLOAT */
    case 'T':  return op_sized_string (u, CXR_PICKLE_STRING, 4, error);      /* BINSTRING (Python 2 str) */
    case 'U':  return op_sized_string (u, CXR_PICKLE_STRING, 1, error);      /* SHORT_BINSTRING */
    case 'X':  return op_sized_string (u, CXR_PICKLE_STRING, 4, error);      /* BINUNICODE */
    case 0x8c: return op_sized_string (u, CXR_PICKLE_STRING, 1, error);      /* SHORT_BINUNICODE */
    case 0x8d: return op_sized_string (u, CXR_PICKLE_STRING, 8, error);      /* BINUNICODE8 */
    case 'B':  return op_sized_string (u, CXR_PICKLE_BYTES, 4, error);       /* BINBYTES */
    case 'C':  return op_sized_string (u, CXR_PICKLE_BYTES, 1, error);       /* SHORT_BINBYTES */
    case 0x8e: return op_sized_string (u, CXR_PICKLE_BYTES, 8, error);       /* BINBYTES8 */
    case ')':  return push (u, new_value (u, CXR_PICKLE_TUPLE, error), error);  /* EMPTY_TUPLE */
    case 't':  return op_from_mark (u, CXR_PICKLE_TUPLE, error);             /* TUPLE */
    case 0x85: return op_tuple_n (u, 1, error);                              /* TUPLE1 */
    case 0x86: return op_tuple_n (u, 2, error);                              /* TUPLE2 */
    case 0x87: return op_tuple_n (u, 3, error);                              /* TUPLE3 */
    case ']':  return push (u, new_value (u, CXR_PICKLE_LIST, error), error);   /* EMPTY_LIST */
    case 'l':  return op_from_mark (u, CXR_PICKLE_LIST, error);              /* LIST */
    case 'a':  return op_append (u, FALSE, error);                           /* APPEND */
    case 'e':  return op_append (u, TRUE, error);                            /* APPENDS */
    case '}':  return push (u, new_value (u, CXR_PICKLE_DICT, error), error);   /* EMPTY_DICT */
    case 'd':  return op_from_mark (u, CXR_PICKLE_DICT, error);              /* DICT */
    case 's':  return op_setitems (u, FALSE, error);                         /* SETITEM */
    case 'u':  return op_setitems (u, TRUE, error);                          /* SETITEMS */
    case 0x8f: return push (u, new_value (u, CXR_PICKLE_SET, error), error);    /* EMPTY_SET */
    case 0x90: return op_append (u, TRUE, error);                            /* ADDITEMS */
    case 0x91: return op_frozenset (u, error);                               /* FROZENSET */
    case 'c':  return op_global (u, error);                                  /* GLOBAL */
    case 0x93: return op_stack_global (u, error);                            /* STACK_GLOBAL */
    case 'R':  return op_reduce (u, error);                                  /* REDUCE */
    case 0x81: return op_newobj (u, FALSE, error);                           /* NEWOBJ */
    case 0x92: return op_newobj (u, TRUE, error);                            /* NEWOBJ_EX */
    case 'b':  return op_build (u, error);                                   /* BUILD */
    case 'Q':  return op_binpersid (u, error);                               /* BINPERSID */
    case 'p':  return op_text_memo (u, TRUE, error);                         /* PUT */
    case 'q':  return read_uint (u, 1, &n, error) && memo_put (u, n, error); /* BINPUT */
    case 'r':  return read_uint (u, 4, &n, error) && memo_put (u, n, error); /* LONG_BINPUT */
    case 0x94: return memo_put (u, g_hash_table_size (u->memo), error);      /* MEMOIZE */
    case 'g':  return op_text_memo (u, FALSE, error);                        /* GET */
    case 'h':  return read_uint (u, 1, &n, error) && memo_get (u, n, error); /* BINGET */
    case 'j':  return read_uint (u, 4, &n, error) && memo_get (u, n, error); /* LONG_BINGET */
    default:
      return fail (u, error, CXR_ERROR_UNSUPPORTED, "unsupported or invalid pickle opcode");
    }
}

CxrPickle *
cxr_pickle_load (const guint8 *data, gsize length, const char *where, GError **error)
{
  g_autoptr (GPtrArray) arena = g_ptr_array_new_with_free_func (value_free);
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();
  g_autoptr (GArray) marks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GHashTable) memo = g_hash_table_new (g_direct_hash, g_direct_equal);
  Unpickler u = {
    .data = data, .length = length, .where = where,
    .arena = arena, .stack = stack, .marks = marks, .memo = memo,
  };

  while (!u.stopped)
    {
      if (u.pos >= u.length)
        {
          u.opcode_pos = u.pos;
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s is truncated: the pickle ends at byte %" G_GSIZE_FORMAT
                       " without a STOP opcode", where, u.pos);
          return NULL;
        }
      if (!step (&u, error))
        return NULL;
    }

  CxrPickle *pickle = g_new0 (CxrPickle, 1);
  pickle->root = g_ptr_array_index (stack, 0);
  pickle->arena = g_steal_pointer (&arena);
  return pickle;
}

/* ------------------------------------------------------------------------------------------------ */
/* Writing                                                                                          */

struct _CxrPickleWriter {
  GByteArray *out;
  GHashTable *memo;   /* identity -> index + 1 */
  guint next_index;
};

CxrPickleWriter *
cxr_pickle_writer_new (void)
{
  CxrPickleWriter *writer = g_new0 (CxrPickleWriter, 1);
  writer->out = g_byte_array_new ();
  writer->memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_byte_array_append (writer->out, (const guint8 *) "\x80\x02", 2);  /* PROTO 2, as torch.save */
  return writer;
}

void
cxr_pickle_writer_free (CxrPickleWriter *writer)
{
  if (writer == NULL)
    return;
  g_clear_pointer (&writer->out, g_byte_array_unref);
  g_hash_table_unref (writer->memo);
  g_free (writer);
}

void
cxr_pickle_writer_opcode (CxrPickleWriter *writer, guint8 opcode)
{
  g_byte_array_append (writer->out, &opcode, 1);
}

static void
write_u32 (CxrPickleWriter *writer, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append (writer->out, b, 4);
}

/* Python's pickler uses the 1-byte forms below 256, the 4-byte forms above. */
static void
write_memo_op (CxrPickleWriter *writer, guint8 short_op, guint8 long_op, guint index)
{
  if (index < 256)
    {
      guint8 b[2] = { short_op, (guint8) index };
      g_byte_array_append (writer->out, b, 2);
    }
  else
    {
      cxr_pickle_writer_opcode (writer, long_op);
      write_u32 (writer, index);
    }
}

gboolean
cxr_pickle_writer_get (CxrPickleWriter *writer, const char *identity)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (writer->memo, identity));
  if (index == 0)
    return FALSE;
  write_memo_op (writer, 'h', 'j', index - 1);  /* BINGET, LONG_BINGET */
  return TRUE;
}

void
cxr_pickle_writer_put (CxrPickleWriter *writer, const char *identity)
{
  guint index = writer->next_index++;
  if (identity != NULL)
    g_hash_table_insert (writer->memo, g_strdup (identity), GUINT_TO_POINTER (index + 1));
  write_memo_op (writer, 'q', 'r', index);  /* BINPUT, LONG_BINPUT */
}

void
cxr_pickle_writer_global (CxrPickleWriter *writer, const char *module, const char *name)
{
  g_autofree char *identity = g_strdup_printf ("global:%s.%s", module, name);
  if (cxr_pickle_writer_get (writer, identity))
    return;
  cxr_pickle_writer_opcode (writer, 'c');
  g_byte_array_append (writer->out, (const guint8 *) module, strlen (module));
  g_byte_array_append (writer->out, (const guint8 *) "\n", 1);
  g_byte_array_append (writer->out, (const guint8 *) name, strlen (name));
  g_byte_array_append (writer->out, (const guint8 *) "\n", 1);
  cxr_pickle_writer_put (writer, identity);
}

void
cxr_pickle_writer_string (CxrPickleWriter *writer, const char *text, const char *identity)
{
  if (identity != NULL && cxr_pickle_writer_get (writer, identity))
    return;
  gsize length = strlen (text);
  cxr_pickle_writer_opcode (writer, 'X');  /* BINUNICODE */
  write_u32 (writer, (guint32) length);
  g_byte_array_append (writer->out, (const guint8 *) text, length);
  cxr_pickle_writer_put (writer, identity);
}

void
cxr_pickle_writer_int (CxrPickleWriter *writer, gint64 value)
{
  if (value >= 0 && value <= 0xff)
    {
      guint8 b[2] = { 'K', (guint8) value };  /* BININT1 */
      g_byte_array_append (writer->out, b, 2);
    }
  else if (value >= 0 && value <= 0xffff)
    {
      guint8 b[3] = { 'M', value & 0xff, (value >> 8) & 0xff };  /* BININT2 */
      g_byte_array_append (writer->out, b, 3);
    }
  else if (value >= G_MININT32 && value <= G_MAXINT32)
    {
      cxr_pickle_writer_opcode (writer, 'J');  /* BININT */
      write_u32 (writer, (guint32) (gint32) value);
    }
  else
    {
      /* LONG1: the shortest little-endian two's complement, as Python's encode_long */
      guint8 b[8];
      guint64 v = (guint64) value;
      for (int i = 0; i < 8; i++)
        b[i] = (v >> (8 * i)) & 0xff;
      int n = 8;
      while (n > 1 && ((b[n - 1] == 0x00 && !(b[n - 2] & 0x80)) || (b[n - 1] == 0xff && (b[n - 2] & 0x80))))
        n--;
      guint8 head[2] = { 0x8a, (guint8) n };
      g_byte_array_append (writer->out, head, 2);
      g_byte_array_append (writer->out, b, n);
    }
}

void
cxr_pickle_writer_int_tuple (CxrPickleWriter *writer, const gint64 *values, int n)
{
  if (n == 0)
    {
      cxr_pickle_writer_opcode (writer, ')');  /* EMPTY_TUPLE, never memoised */
      return;
    }
  if (n > 3)
    cxr_pickle_writer_opcode (writer, '(');
  for (int i = 0; i < n; i++)
    cxr_pickle_writer_int (writer, values[i]);
  cxr_pickle_writer_opcode (writer, n == 1 ? 0x85 : n == 2 ? 0x86 : n == 3 ? 0x87 : 't');
  cxr_pickle_writer_put (writer, NULL);
}

GBytes *
cxr_pickle_writer_finish (CxrPickleWriter *writer)
{
  cxr_pickle_writer_opcode (writer, '.');  /* STOP */
  return g_byte_array_free_to_bytes (g_steal_pointer (&writer->out));
}
