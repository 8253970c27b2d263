/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pickle.h: a safe reader for the pickles inside PyTorch checkpoints, and a writer for torch.save's.
 *
 * The reader INTERPRETS pickle opcodes (protocols 0-5, the subset that torch.save and Python's pickler emit
 * for state_dicts, checkpoint dicts and whole nn.Modules) into an inert object graph. Nothing is ever called
 * or imported: GLOBAL names are checked against an allow-list (OrderedDict, torch's tensor and parameter
 * rebuild functions, torch storage classes, torch dtypes, classes of torch.nn.modules and
 * torchvision.models.resnet, set/frozenset) and anything else is refused with CXR_ERROR_REFUSED naming the
 * global. "Calling" an allowed global builds a plain value (a dict, a tensor description, an inert module
 * object). Storages stay references (dtype, key, element count); the caller reads the bytes from the archive.
 *
 * Memory is bounded: stack, memo and object counts are limited, all values live in one arena freed at once
 * (so cyclic or deeply nested pickles cannot leak or overflow the C stack on free).
 */
#pragma once

#include <glib.h>

#include "cxr-tensor.h"

G_BEGIN_DECLS

/* A storage dtype as torch names it. */
typedef struct {
  const char *class_name;  /* "FloatStorage" */
  const char *dtype_name;  /* "float32", as torch prints it */
  guint element_size;      /* bytes per element */
  gboolean supported;      /* whether cxrcam converts it to a CxrTensor */
  CxrDtype dtype;          /* valid when supported */
} CxrStorageType;

/* The storage type for a CxrDtype, used by writers. */
const CxrStorageType *cxr_storage_type_for_dtype (CxrDtype dtype);

typedef enum {
  CXR_PICKLE_NONE,
  CXR_PICKLE_BOOL,
  CXR_PICKLE_INT,
  CXR_PICKLE_FLOAT,
  CXR_PICKLE_STRING,   /* str (and Python 2 str): UTF-8, NUL-terminated copy */
  CXR_PICKLE_BYTES,
  CXR_PICKLE_TUPLE,
  CXR_PICKLE_LIST,
  CXR_PICKLE_DICT,     /* dict and OrderedDict: items alternate key, value in insertion order */
  CXR_PICKLE_SET,
  CXR_PICKLE_GLOBAL,   /* an allowed class or function, uncalled */
  CXR_PICKLE_OBJECT,   /* an instance of an allowed class (an nn.Module): its class and __dict__ */
  CXR_PICKLE_STORAGE,  /* a persistent storage reference */
  CXR_PICKLE_TENSOR,   /* a view of a storage */
} CxrPickleKind;

typedef struct _CxrPickleValue CxrPickleValue;

typedef enum {
  CXR_PICKLE_GLOBAL_ORDERED_DICT,
  CXR_PICKLE_GLOBAL_REBUILD_TENSOR_V2,
  CXR_PICKLE_GLOBAL_REBUILD_PARAMETER,
  CXR_PICKLE_GLOBAL_REBUILD_PARAMETER_WITH_STATE,
  CXR_PICKLE_GLOBAL_STORAGE_TYPE,
  CXR_PICKLE_GLOBAL_DTYPE,
  CXR_PICKLE_GLOBAL_MODULE_CLASS,
  CXR_PICKLE_GLOBAL_SET,
  CXR_PICKLE_GLOBAL_FROZENSET,
  CXR_PICKLE_GLOBAL_RECONSTRUCTOR,
  CXR_PICKLE_GLOBAL_OBJECT,
  CXR_PICKLE_GLOBAL_TORCH_SIZE,
} CxrPickleGlobalKind;

struct _CxrPickleValue {
  CxrPickleKind kind;
  union {
    gboolean boolean;
    gint64 integer;
    double number;
    struct {
      char *data;
      gsize length;
    } string;                 /* STRING, BYTES */
    GPtrArray *items;         /* TUPLE, LIST, SET; DICT as key, value, key, value ... (borrowed values) */
    struct {
      CxrPickleGlobalKind kind;
      char *qualified_name;   /* "torch.nn.modules.conv.Conv2d" */
      const CxrStorageType *storage_type;  /* STORAGE_TYPE */
    } global;
    struct {
      CxrPickleValue *cls;    /* GLOBAL of kind MODULE_CLASS */
      CxrPickleValue *state;  /* the __dict__ given by BUILD (a DICT), or NULL */
    } object;
    struct {
      const CxrStorageType *type;
      char *key;              /* the archive entry is <prefix>/data/<key> */
      char *location;         /* "cpu", "cuda:0" */
      gint64 numel;           /* elements, as recorded in the pickle */
    } storage;
    struct {
      CxrPickleValue *storage;  /* a STORAGE */
      gint64 offset;            /* in elements */
      int ndim;
      gint64 size[CXR_TENSOR_MAX_DIMS];
      gint64 stride[CXR_TENSOR_MAX_DIMS];
      gboolean requires_grad;
    } tensor;
  };
};

typedef struct _CxrPickle CxrPickle;

/* Interprets @data; @where names it in errors ("model.pth:archive/data.pkl"). */
CxrPickle            *cxr_pickle_load      (const guint8 *data, gsize length, const char *where, GError **error);
void                  cxr_pickle_free      (CxrPickle *pickle);
const CxrPickleValue *cxr_pickle_get_root  (const CxrPickle *pickle);

/* Helpers for walking the graph. */
const char           *cxr_pickle_kind_name (CxrPickleKind kind);
/* The value under a string key of a DICT (the last one, as Python keeps), or NULL. */
const CxrPickleValue *cxr_pickle_dict_lookup (const CxrPickleValue *dict, const char *key);
gboolean              cxr_pickle_is_string (const CxrPickleValue *value, const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrPickle, cxr_pickle_free)

/* Writing: the opcodes of Python's protocol-2 pickler, with its memo numbering, so that output matches
 * torch.save byte for byte. Objects are memoised under identities the caller chooses. */
typedef struct _CxrPickleWriter CxrPickleWriter;

CxrPickleWriter *cxr_pickle_writer_new          (void);
void             cxr_pickle_writer_free         (CxrPickleWriter *writer);
/* If @identity was memoised, emits a GET of it and returns TRUE. */
gboolean         cxr_pickle_writer_get          (CxrPickleWriter *writer, const char *identity);
/* Emits a PUT of the value just written under the next memo index; @identity may be NULL (never fetched). */
void             cxr_pickle_writer_put          (CxrPickleWriter *writer, const char *identity);
void             cxr_pickle_writer_opcode       (CxrPickleWriter *writer, guint8 opcode);
/* A memoised GLOBAL (GET if already written). */
void             cxr_pickle_writer_global       (CxrPickleWriter *writer, const char *module, const char *name);
/* A memoised str; with an identity, repeated strings are fetched from the memo as Python does for one object. */
void             cxr_pickle_writer_string       (CxrPickleWriter *writer, const char *text, const char *identity);
void             cxr_pickle_writer_int          (CxrPickleWriter *writer, gint64 value);
/* A tuple of ints, as Python writes one (EMPTY_TUPLE, TUPLE1-3 or MARK ... TUPLE), memoised if not empty. */
void             cxr_pickle_writer_int_tuple    (CxrPickleWriter *writer, const gint64 *values, int n);
/* Ends the pickle (STOP) and returns its bytes; the writer is spent. */
GBytes          *cxr_pickle_writer_finish       (CxrPickleWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrPickleWriter, cxr_pickle_writer_free)

/* The opcodes the writer's callers need. */
#define CXR_PICKLE_OP_MARK         '('
#define CXR_PICKLE_OP_TUPLE        't'
#define CXR_PICKLE_OP_EMPTY_TUPLE  ')'
#define CXR_PICKLE_OP_REDUCE       'R'
#define CXR_PICKLE_OP_BINPERSID    'Q'
#define CXR_PICKLE_OP_SETITEM      's'
#define CXR_PICKLE_OP_SETITEMS     'u'
#define CXR_PICKLE_OP_NEWFALSE     '\x89'
#define CXR_PICKLE_OP_NEWTRUE      '\x88'

G_END_DECLS
