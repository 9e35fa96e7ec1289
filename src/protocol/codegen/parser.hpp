#pragma once
// Parses one *.ks file into the model, validating it as it goes (schema_error on the first
// problem, with file and line).
#include "model.hpp"

#include <string>

namespace kasio::codegen {

/// Parses an API file `NN_name.ks` or a data schema file `name.ks` (header `data ...`); `path`
/// is used in messages and to check the file name.
api_def parse_api(const std::string& path, const std::string& text);

/// Parses errors.ks: one error code per line.
std::vector<error_def> parse_errors(const std::string& path, const std::string& text);

}  // namespace kasio::codegen
