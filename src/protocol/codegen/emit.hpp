#pragma once
// The emitters: each returns generated files keyed by path relative to the output directory.
#include "emit_common.hpp"
#include "model.hpp"

namespace kasio::codegen {

/// src/protocol/messages/<name>.hpp: the request and response structs and their functions.
void emit_message_header(const api_def& api, file_map& out);
/// src/protocol/messages/<name>.cpp: encoded_size / encode / decode.
void emit_message_codec(const api_def& api, file_map& out);
/// src/protocol/messages/<name>_testing.cpp: fill_random (tests only).
void emit_message_testing(const api_def& api, file_map& out);
/// messages.hpp, messages_testing.hpp/.cpp, api_table.hpp/.cpp.
void emit_tables(const schema& s, file_map& out);
/// include/kasio/broker_errc.hpp, src/protocol/broker_errors.hpp/.cpp.
void emit_errors(const schema& s, file_map& out);

}  // namespace kasio::codegen
