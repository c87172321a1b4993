/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI state on a hook's stdin and the rootfs its bundle names.
 *
 * JSON is parsed with json-c rather than jansson (both are in Debian). What
 * decided it: json-c is already a dependency of the build (scripts/deps.sh,
 * mgcore through pkg-config), so choosing jansson would ship a second JSON
 * library; json-c takes the nesting limit per parser at run time
 * (json_tokener_new_ex), where jansson's is the compile-time
 * JSON_PARSER_MAX_DEPTH (2048); and its tokener tells where parsing stopped
 * (json_tokener_get_parse_end), so the whole input is proven consumed.
 * What jansson would have given for free, and what is done here instead:
 * - duplicate keys: jansson can refuse them (JSON_REJECT_DUPLICATES); json-c
 *   keeps the LAST value of a repeated key (json_object_object_add replaces
 *   the earlier one). That is also what runc's Go encoding/json does, so for
 *   an exactly repeated "root" or "path" both read the same value. Go also
 *   matches keys case-insensitively ("Path" fills root.path) and json-c does
 *   not, so a config.json with a case variant of "root" or "path" is refused
 *   rather than read differently from the runtime;
 * - NUL: jansson refuses "\u0000" unless told otherwise; json-c keeps it in
 *   the string and a raw NUL byte ends its parse early: input with a NUL
 *   byte is refused, and each string used must have no NUL in it;
 * - even in JSON_TOKENER_STRICT mode json-c 0.16 accepts single-quoted
 *   strings, NaN and raw control characters in strings. Nothing here reads
 *   anything but the few string fields below, each checked for type.
 * UTF-8 is validated (JSON_TOKENER_VALIDATE_UTF8), trailing data refused. */
#include "oci_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config_ini.h"
#include "escape.h"
#include "jsonc.h"
#include "target.h"

/* json-c's functions, set by the first parse_object (helper/jsonc.c): every
 * other use here is of an object such a parse returned. */
static const struct mg_jsonc *jc;

static void json_putp(json_object **o)
{
	if (*o)
		jc->object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

static void tokener_freep(struct json_tokener **t)
{
	if (*t)
		jc->tokener_free(*t);
}

#define FAIL(err, ...) mg_fail((err), MG_EXIT_USAGE, MG_STAGE_CONFIG, 0, __VA_ARGS__)

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

/* One JSON object from exactly `len` bytes of `text`, or an error naming
 * `what` and the reason. */
static int parse_object(const char *what, const char *text, size_t len, json_object **out,
			struct mg_error *err)
{
	__attribute__((cleanup(tokener_freep))) struct json_tokener *tok = NULL;
	_cleanup_json_ json_object *obj = NULL;

	if (only_space(text, len))
		return FAIL(err, "%s is empty", what);
	/* A NUL byte ends json-c's parse early (it takes the rest for trailing
	 * data it may not see); "\0" has no place in either document. */
	const char *nul = memchr(text, '\0', len);
	if (nul)
		return FAIL(err, "%s has a NUL byte at offset %zu", what, (size_t)(nul - text));
	if (len > INT_MAX) /* json_tokener_parse_ex takes an int */
		return FAIL(err, "%s is too large", what);
	jc = mg_jsonc_load(err);
	if (!jc)
		return -ELIBACC;
	tok = jc->tokener_new_ex(MG_OCI_JSON_MAX_DEPTH);
	if (!tok)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CONFIG, ENOMEM, "%s", what);
	jc->tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = jc->tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = jc->tokener_get_error(tok);
	size_t end = jc->tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
		return FAIL(err, "%s ends inside its JSON value (truncated?)", what);
	if (jerr == json_tokener_error_depth)
		return FAIL(err, "%s nests deeper than %d levels", what, MG_OCI_JSON_MAX_DEPTH);
	if (jerr != json_tokener_success)
		return FAIL(err, "%s is not valid JSON: %s at byte offset %zu", what,
			    jc->tokener_error_desc(jerr), end);
	if (end != len && !only_space(text + end, len - end))
		return FAIL(err, "%s has data after its JSON value, at byte offset %zu", what, end);
	if (!jc->object_is_type(obj, json_type_object))
		return FAIL(err, "%s is not a JSON object", what);
	*out = TAKE_PTR(obj);
	return 0;
}

/* The string at `key` of `obj` (called `name` in messages): *out NULL when
 * absent and not `required`. The pointer is owned by `obj`. */
static int get_string(const char *what, json_object *obj, const char *key, const char *name,
		      bool required, const char **out, struct mg_error *err)
{
	json_object *v = NULL;
	*out = NULL;
	if (!jc->object_object_get_ex(obj, key, &v))
		return required ? FAIL(err, "%s has no \"%s\"", what, name) : 0;
	if (!jc->object_is_type(v, json_type_string))
		return FAIL(err, "%s: \"%s\" is not a string", what, name);
	const char *s = jc->object_get_string(v);
	if ((size_t)jc->object_get_string_len(v) != strlen(s))
		return FAIL(err, "%s: \"%s\" has a NUL character (\\u0000)", what, name);
	*out = s;
	return 0;
}

/* Go's encoding/json (runc) matches object keys without regard to case
 * (the last matching key wins), json-c exactly: refuse the keys on which
 * the two would read different values. "root" and "path" have no letter
 * that Go folds specially (only k and s do), so ASCII folding is Go's. */
static int refuse_case_variants(const char *what, json_object *obj, const char *key,
				struct mg_error *err)
{
	/* json_object_object_foreach, through the loaded table. */
	for (struct lh_entry *e = lh_table_head(jc->object_get_object(obj)); e; e = lh_entry_next(e)) {
		const char *k = lh_entry_k(e);
		if (strcasecmp(k, key) == 0 && strcmp(k, key) != 0) {
			char shown[64];
			mg_escape_for_display(k, shown, sizeof(shown));
			return FAIL(err, "%s: key \"%s\" differs from \"%s\" only in case (the runtime "
					 "may read either): refused",
				    what, shown, key);
		}
	}
	return 0;
}

static int dup_string(const char *s, char **out, struct mg_error *err)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	if (!*out)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CONFIG, ENOMEM, "OCI state");
	return 0;
}

void mg_oci_state_free(struct mg_oci_state *st)
{
	free(st->id);
	free(st->status);
	free(st->bundle);
	st->id = st->status = st->bundle = NULL;
}

int mg_oci_state_parse(const char *text, size_t len, struct mg_oci_state *st,
		       struct mg_error *err)
{
	static const char what[] = "OCI state on stdin";
	_cleanup_json_ json_object *obj = NULL;
	const char *id, *status, *bundle, *version;
	char shown[256];
	int r;

	*st = (struct mg_oci_state){ 0 };
	r = parse_object(what, text, len, &obj, err);
	if (r < 0)
		return r;
	if ((r = get_string(what, obj, "ociVersion", "ociVersion", false, &version, err)) < 0 ||
	    (r = get_string(what, obj, "id", "id", false, &id, err)) < 0 ||
	    (r = get_string(what, obj, "status", "status", false, &status, err)) < 0 ||
	    (r = get_string(what, obj, "bundle", "bundle", true, &bundle, err)) < 0)
		return r;
	/* createContainer runs while the runtime creates the container: runc
	 * says "creating"; "created" is accepted for runtimes that report the
	 * state the hook completes. Anything else is another stage's hook
	 * (poststart: "running"; poststop: "stopped"). */
	if (status && strcmp(status, "creating") != 0 && strcmp(status, "created") != 0) {
		mg_escape_for_display(status, shown, sizeof(shown));
		return FAIL(err, "%s: status \"%s\": oci-hook is a createContainer hook (status "
				 "\"creating\" or \"created\")",
			    what, shown);
	}
	if (bundle[0] != '/') {
		mg_escape_for_display(bundle, shown, sizeof(shown));
		return FAIL(err, "%s: bundle \"%s\" is not an absolute path", what, shown);
	}
	if (strlen(bundle) >= PATH_MAX)
		return FAIL(err, "%s: bundle is longer than PATH_MAX", what);
	if ((r = dup_string(id, &st->id, err)) < 0 || (r = dup_string(status, &st->status, err)) < 0 ||
	    (r = dup_string(bundle, &st->bundle, err)) < 0) {
		mg_oci_state_free(st);
		return r;
	}
	return 0;
}

int mg_oci_state_read(int fd, struct mg_oci_state *st, struct mg_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	*st = (struct mg_oci_state){ 0 };
	int r = mg_read_fd(fd, MG_OCI_STATE_MAX, &text, &len);
	if (r == -EFBIG)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, EFBIG,
			       "OCI state on stdin is larger than %zu MiB", MG_OCI_STATE_MAX >> 20);
	if (r < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, -r, "cannot read the OCI state on stdin");
	return mg_oci_state_parse(text, len, st, err);
}

int mg_oci_config_rootfs(const char *text, size_t len, const char *bundle, char **rootfs,
			 struct mg_error *err)
{
	_cleanup_json_ json_object *obj = NULL;
	json_object *root = NULL;
	const char *path;
	char shown[512], what[sizeof(shown) + 16], joined[PATH_MAX], clean[PATH_MAX];
	int r;

	*rootfs = NULL;
	/* Messages name the file: "BUNDLE/config.json". */
	mg_escape_for_display(bundle, shown, sizeof(shown));
	snprintf(what, sizeof(what), "%s/config.json", shown);
	r = parse_object(what, text, len, &obj, err);
	if (r < 0)
		return r;
	if ((r = refuse_case_variants(what, obj, "root", err)) < 0)
		return r;
	if (!jc->object_object_get_ex(obj, "root", &root))
		return FAIL(err, "%s has no \"root\"", what);
	if (!jc->object_is_type(root, json_type_object))
		return FAIL(err, "%s: \"root\" is not an object", what);
	if ((r = refuse_case_variants(what, root, "path", err)) < 0 ||
	    (r = get_string(what, root, "path", "root.path", true, &path, err)) < 0)
		return r;
	/* An empty path would make the bundle itself the rootfs. */
	if (path[0] == '\0')
		return FAIL(err, "%s: root.path is empty", what);
	/* runc: filepath.Join(bundle, path) when relative, and it refuses a
	 * rootfs whose cleaned path is not its symlink-free one, so the cleaned
	 * path names the directory runc pivots into. */
	int n = path[0] == '/' ? snprintf(joined, sizeof(joined), "%s", path)
			       : snprintf(joined, sizeof(joined), "%s/%s", bundle, path);
	if (n < 0 || (size_t)n >= sizeof(joined) || mg_path_lexical(joined, clean, sizeof(clean)) < 0)
		return FAIL(err, "%s: root.path is longer than PATH_MAX", what);
	*rootfs = strdup(clean);
	if (!*rootfs)
		return mg_fail(err, MG_EXIT_FAILED, MG_STAGE_CONFIG, ENOMEM, "%s", what);
	return 0;
}

int mg_oci_bundle_rootfs(const char *bundle, char **rootfs, struct mg_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX], shown[512];
	size_t len = 0;
	struct stat st;
	int r;

	*rootfs = NULL;
	mg_escape_for_display(bundle, shown, sizeof(shown));
	r = snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (r < 0 || (size_t)r >= sizeof(path))
		return FAIL(err, "bundle %s: config.json path is longer than PATH_MAX", shown);
	/* O_NONBLOCK: a FIFO in its place must not hang the container start. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, errno, "cannot open %s/config.json",
			       shown);
	if (fstat(fd, &st) < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, errno, "cannot stat %s/config.json",
			       shown);
	if (!S_ISREG(st.st_mode))
		return FAIL(err, "%s/config.json is not a regular file", shown);
	r = mg_read_fd(fd, MG_OCI_CONFIG_MAX, &text, &len);
	if (r == -EFBIG)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, EFBIG,
			       "%s/config.json is larger than %zu MiB", shown, MG_OCI_CONFIG_MAX >> 20);
	if (r < 0)
		return mg_fail(err, MG_EXIT_USAGE, MG_STAGE_CONFIG, -r, "cannot read %s/config.json",
			       shown);
	return mg_oci_config_rootfs(text, len, bundle, rootfs, err);
}
