#ifndef CRE2_SHIM_H
#define CRE2_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 pattern; matching is linear in the text, whatever the pattern.
typedef struct rulebot_re2 rulebot_re2;

/// Compiles `pattern` (UTF-8, `length` bytes) with at most `max_memory` bytes for the program.
/// Returns NULL on failure and, when `error` is not NULL, sets it to a message to free with
/// `rulebot_re2_free_error`.
rulebot_re2 *rulebot_re2_new(const char *pattern, size_t length, long long max_memory, char **error);

/// Frees a compiled pattern.
void rulebot_re2_free(rulebot_re2 *regex);

/// 1 when the pattern matches anywhere in `text` (`length` bytes of UTF-8), 0 otherwise.
int rulebot_re2_search(const rulebot_re2 *regex, const char *text, size_t length);

/// Frees an error message from `rulebot_re2_new`.
void rulebot_re2_free_error(char *error);

#ifdef __cplusplus
}
#endif

#endif
