/* chassis-option-set.c: see chassis-option-set.h. */
#include "chassis/chassis-option-set.h"

#include <errno.h>
#include <string.h>

#include "chassis/chassis-error.h"

typedef struct {
  const GOptionEntry *entry;
  const char *owner;
  gpointer data;       /* for the entry's callback */
  gint64 min, max;     /* for G_OPTION_ARG_INT and _INT64 */
  guint source;        /* the source that last filled an array */
  gboolean allocated;  /* the value at arg_data was allocated here */
} Slot;

struct TsrOptionSet {
  GPtrArray *slots;    /* of Slot, owned */
  GPtrArray *arrays;   /* copies of the added entry arrays, owned */
  GHashTable *by_long; /* long name (borrowed) -> Slot */
  GHashTable *by_short;/* GINT_TO_POINTER(short name) -> Slot */
  guint source;
};

TsrOptionSet *tsr_option_set_new(void) {
  TsrOptionSet *set = g_new0(TsrOptionSet, 1);
  set->slots = g_ptr_array_new_with_free_func(g_free);
  set->arrays = g_ptr_array_new_with_free_func(g_free);
  set->by_long = g_hash_table_new(g_str_hash, g_str_equal);
  set->by_short = g_hash_table_new(g_direct_hash, g_direct_equal);
  set->source = 1;
  return set;
}

void tsr_option_set_free(TsrOptionSet *set) {
  if (set == NULL)
    return;
  g_ptr_array_unref(set->slots);
  g_ptr_array_unref(set->arrays);
  g_hash_table_unref(set->by_long);
  g_hash_table_unref(set->by_short);
  g_free(set);
}

static gboolean check_free_name(TsrOptionSet *set, const char *owner, const GOptionEntry *e, GError **error) {
  Slot *other = NULL;

  if (e->long_name == NULL || e->long_name[0] == '\0') {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "%s defines an option without a long name", owner);
    return FALSE;
  }
  other = g_hash_table_lookup(set->by_long, e->long_name);
  if (other == NULL && e->short_name != '\0')
    other = g_hash_table_lookup(set->by_short, GINT_TO_POINTER((int)e->short_name));
  if (other != NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "%s defines option --%s, which clashes with --%s of %s",
                owner, e->long_name, other->entry->long_name, other->owner);
    return FALSE;
  }
  return TRUE;
}

gboolean tsr_option_set_add(TsrOptionSet *set, const char *owner, const GOptionEntry *entries,
                            gpointer data, GError **error) {
  gsize n = 0;
  GOptionEntry *copy = NULL;

  if (entries == NULL)
    return TRUE;
  while (entries[n].long_name != NULL)
    n++;
  copy = g_memdup2(entries, sizeof(GOptionEntry) * (n + 1));
  g_ptr_array_add(set->arrays, copy);
  for (const GOptionEntry *e = copy; e->long_name != NULL; e++) {
    Slot *slot = NULL;

    if (!check_free_name(set, owner, e, error))
      return FALSE;
    slot = g_new0(Slot, 1);
    slot->entry = e;
    slot->owner = owner;
    slot->data = data;
    slot->min = e->arg == G_OPTION_ARG_INT64 ? G_MININT64 : G_MININT;
    slot->max = e->arg == G_OPTION_ARG_INT64 ? G_MAXINT64 : G_MAXINT;
    g_ptr_array_add(set->slots, slot);
    g_hash_table_insert(set->by_long, (gpointer)e->long_name, slot);
    if (e->short_name != '\0')
      g_hash_table_insert(set->by_short, GINT_TO_POINTER((int)e->short_name), slot);
  }
  return TRUE;
}

void tsr_option_set_limit(TsrOptionSet *set, const char *long_name, gint64 min, gint64 max) {
  Slot *slot = g_hash_table_lookup(set->by_long, long_name);

  g_return_if_fail(slot != NULL);
  slot->min = min;
  slot->max = max;
}

const GOptionEntry *tsr_option_set_lookup(TsrOptionSet *set, const char *long_name) {
  Slot *slot = g_hash_table_lookup(set->by_long, long_name);

  return slot != NULL ? slot->entry : NULL;
}

void tsr_option_set_next_source(TsrOptionSet *set) {
  set->source++;
}

static gboolean parse_integer(const Slot *slot, const char *value, gint64 *out, GError **error) {
  g_autoptr(GError) local = NULL;

  if (g_ascii_string_to_signed(value, 10, slot->min, slot->max, out, &local))
    return TRUE;
  if (g_error_matches(local, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "%s is out of range (%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")",
                value, slot->min, slot->max);
  else
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "'%s' is not a number", value);
  return FALSE;
}

static gboolean parse_double(const char *value, gdouble *out, GError **error) {
  char *end = NULL;

  errno = 0;
  *out = g_ascii_strtod(value, &end);
  if (end == value || *end != '\0') {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "'%s' is not a number", value);
    return FALSE;
  }
  if (errno == ERANGE) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s is out of range", value);
    return FALSE;
  }
  return TRUE;
}

/* Appends value's comma-separated, trimmed, non-empty parts to the slot's
 * array, or replaces the array if it was filled by an earlier source. */
static void store_array(TsrOptionSet *set, Slot *slot, const char *value) {
  char ***target = slot->entry->arg_data;
  g_auto(GStrv) parts = g_strsplit(value, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

  if (slot->source == set->source && *target != NULL)
    g_strv_builder_addv(builder, (const char **)*target);
  for (char **p = parts; *p != NULL; p++) {
    g_strstrip(*p);
    if (**p != '\0')
      g_strv_builder_add(builder, *p);
  }
  if (slot->allocated)
    g_strfreev(*target);
  *target = g_strv_builder_end(builder);
  slot->allocated = TRUE;
  slot->source = set->source;
}

static void store_string(Slot *slot, const char *value) {
  char **target = slot->entry->arg_data;

  if (slot->allocated)
    g_free(*target);
  *target = g_strdup(value);
  slot->allocated = TRUE;
}

/* Stores a value for an option that takes one. Errors name no option. */
static gboolean store(TsrOptionSet *set, Slot *slot, const char *option_name, const char *value, GError **error) {
  const GOptionEntry *e = slot->entry;
  gint64 n = 0;

  switch (e->arg) {
  case G_OPTION_ARG_STRING:
  case G_OPTION_ARG_FILENAME:
    store_string(slot, value);
    return TRUE;
  case G_OPTION_ARG_STRING_ARRAY:
  case G_OPTION_ARG_FILENAME_ARRAY:
    store_array(set, slot, value);
    return TRUE;
  case G_OPTION_ARG_INT:
    if (!parse_integer(slot, value, &n, error))
      return FALSE;
    *(gint *)e->arg_data = (gint)n;
    return TRUE;
  case G_OPTION_ARG_INT64:
    return parse_integer(slot, value, e->arg_data, error);
  case G_OPTION_ARG_DOUBLE:
    return parse_double(value, e->arg_data, error);
  case G_OPTION_ARG_CALLBACK:
    return ((GOptionArgFunc)e->arg_data)(option_name, value, slot->data, error);
  case G_OPTION_ARG_NONE:
    break;
  }
  g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "takes no value");
  return FALSE;
}

static gboolean parse_bool(const char *value, gboolean *out, GError **error) {
  if (g_ascii_strcasecmp(value, "true") == 0 || g_strcmp0(value, "1") == 0) {
    *out = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp(value, "false") == 0 || g_strcmp0(value, "0") == 0) {
    *out = FALSE;
    return TRUE;
  }
  g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
              "'%s' is not a boolean (true, false, 1 or 0)", value);
  return FALSE;
}

gboolean tsr_option_set_apply(TsrOptionSet *set, const char *long_name, const char *value, GError **error) {
  Slot *slot = g_hash_table_lookup(set->by_long, long_name);
  g_autofree char *option_name = g_strconcat("--", long_name, NULL);
  gboolean on = FALSE;

  g_return_val_if_fail(slot != NULL, FALSE);
  if (slot->entry->arg == G_OPTION_ARG_NONE) {
    if (!parse_bool(value, &on, error))
      return FALSE;
    *(gboolean *)slot->entry->arg_data = (slot->entry->flags & G_OPTION_FLAG_REVERSE) ? !on : on;
    return TRUE;
  }
  if (slot->entry->arg == G_OPTION_ARG_CALLBACK && (slot->entry->flags & G_OPTION_FLAG_NO_ARG)) {
    if (!parse_bool(value, &on, error))
      return FALSE;
    return on ? store(set, slot, option_name, NULL, error) : TRUE;
  }
  return store(set, slot, option_name, value, error);
}

/* The callback GLib calls for every wrapped entry: option_name is "--long"
 * or "-s". Prefixes the set's own errors with the option's name. */
static gboolean dispatch(const gchar *option_name, const gchar *value, gpointer data, GError **error) {
  TsrOptionSet *set = data;
  Slot *slot = NULL;
  g_autoptr(GError) local = NULL;

  if (option_name[1] == '-')
    slot = g_hash_table_lookup(set->by_long, option_name + 2);
  else
    slot = g_hash_table_lookup(set->by_short, GINT_TO_POINTER((int)option_name[1]));
  g_return_val_if_fail(slot != NULL, FALSE);
  if (slot->entry->arg == G_OPTION_ARG_CALLBACK)
    return store(set, slot, option_name, value, error);
  if (!store(set, slot, option_name, value, &local)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s: %s", option_name, local->message);
    return FALSE;
  }
  return TRUE;
}

/* Returns a copy of the set's entries for GLib: booleans as they are,
 * everything else routed through dispatch(). Free with g_free. */
static GOptionEntry *wrap_entries(TsrOptionSet *set) {
  GOptionEntry *out = g_new0(GOptionEntry, set->slots->len + 1);

  for (guint i = 0; i < set->slots->len; i++) {
    const Slot *slot = g_ptr_array_index(set->slots, i);

    out[i] = *slot->entry;
    if (out[i].arg == G_OPTION_ARG_NONE)
      continue;
    out[i].arg = G_OPTION_ARG_CALLBACK;
    out[i].arg_data = (gpointer)dispatch;
    out[i].flags &= ~(G_OPTION_FLAG_REVERSE | G_OPTION_FLAG_FILENAME);
    if (slot->entry->arg != G_OPTION_ARG_CALLBACK)
      out[i].flags &= ~(G_OPTION_FLAG_NO_ARG | G_OPTION_FLAG_OPTIONAL_ARG);
  }
  return out;
}

static GOptionContext *make_context(TsrOptionSet *set) {
  GOptionContext *ctx = g_option_context_new(NULL);
  GOptionGroup *group = g_option_group_new("tessera", "tessera options", "Show tessera options", set, NULL);
  g_autofree GOptionEntry *entries = wrap_entries(set);

  g_option_group_add_entries(group, entries); /* copies the array */
  g_option_context_set_main_group(ctx, group);
  g_option_context_set_help_enabled(ctx, FALSE);
  g_option_context_set_ignore_unknown_options(ctx, TRUE);
  return ctx;
}

/* Rewrites GLib's own messages to the "--option: what" form. */
static void set_glib_error(GError *glib, GError **error) {
  const char *missing = "Missing argument for ";

  if (g_str_has_prefix(glib->message, missing))
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s: needs a value",
                glib->message + strlen(missing));
  else
    g_set_error_literal(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, glib->message);
}

static gboolean check_leftovers(int argc, char **argv, GError **error) {
  const char *arg = NULL;

  if (argc < 2)
    return TRUE;
  arg = argv[1];
  if (arg[0] == '-' && arg[1] != '\0') {
    g_autofree char *name = g_strndup(arg, strcspn(arg, "="));
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s: unknown option", name);
  } else {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "'%s': unexpected argument", arg);
  }
  return FALSE;
}

gboolean tsr_option_set_parse_argv(TsrOptionSet *set, int argc, char **argv, gboolean lenient, GError **error) {
  g_autoptr(GOptionContext) ctx = make_context(set);
  /* GLib writes into the strings and removes what it parsed from the
   * array: it gets a shallow array over our own copies of the strings. */
  g_auto(GStrv) strings = g_new0(char *, (gsize)argc + 1);
  g_autofree char **copy = g_new0(char *, (gsize)argc + 1);
  int left = argc;
  g_autoptr(GError) local = NULL;

  for (int i = 0; i < argc; i++)
    strings[i] = copy[i] = g_strdup(argv[i]);
  if (!g_option_context_parse(ctx, &left, &copy, &local)) {
    if (local->domain == TSR_CHASSIS_ERROR)
      g_propagate_error(error, g_steal_pointer(&local));
    else
      set_glib_error(local, error);
    return FALSE;
  }
  return lenient || check_leftovers(left, copy, error);
}

char *tsr_option_set_help(TsrOptionSet *set, const char *summary) {
  g_autoptr(GOptionContext) ctx = make_context(set);

  if (summary != NULL)
    g_option_context_set_summary(ctx, summary);
  return g_option_context_get_help(ctx, TRUE, NULL);
}
