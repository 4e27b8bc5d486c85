// A C face for RE2 so Swift can call it without C++ interop in every module that matches text.
#include "cre2_shim.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

struct rulebot_re2 {
    RE2 regex;
    rulebot_re2(const re2::StringPiece &pattern, const RE2::Options &options) : regex(pattern, options) {}
};

static char *copy_error(const std::string &message) {
    char *copy = static_cast<char *>(std::malloc(message.size() + 1));
    if (copy != nullptr) {
        std::memcpy(copy, message.c_str(), message.size() + 1);
    }
    return copy;
}

rulebot_re2 *rulebot_re2_new(const char *pattern, size_t length, long long max_memory, char **error) {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_log_errors(false);
    options.set_max_mem(max_memory);
    rulebot_re2 *compiled = new (std::nothrow) rulebot_re2(re2::StringPiece(pattern, length), options);
    if (compiled == nullptr) {
        if (error != nullptr) *error = copy_error("out of memory");
        return nullptr;
    }
    if (!compiled->regex.ok()) {
        if (error != nullptr) *error = copy_error(compiled->regex.error());
        delete compiled;
        return nullptr;
    }
    return compiled;
}

void rulebot_re2_free(rulebot_re2 *regex) { delete regex; }

int rulebot_re2_search(const rulebot_re2 *regex, const char *text, size_t length) {
    return RE2::PartialMatch(re2::StringPiece(text, length), regex->regex) ? 1 : 0;
}

void rulebot_re2_free_error(char *error) { std::free(error); }
