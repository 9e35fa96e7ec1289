// kasio-codegen: turns src/protocol/schema/*.ks into C++ (see src/protocol/schema/README.md).
//
//   kasio-codegen --out <dir> <schema.ks>... errors.ks   generate into <dir>
//                 (schema files: NN_name.ks for APIs, name.ks for data schemas)
//   kasio-codegen --check <schema.ks>...                 only parse and validate
//
// A malformed schema prints `file:line: error: message` and exits with status 1. Files whose
// content did not change are not rewritten, so a schema edit recompiles only what it touches.
#include "emit.hpp"
#include "parser.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace kasio::codegen;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw schema_error(path, 0, "cannot read file");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_if_changed(const fs::path& path, const std::string& content) {
    {
        std::ifstream in(path, std::ios::binary);
        if (in) {
            std::ostringstream s;
            s << in.rdbuf();
            if (s.str() == content) return;
        }
    }
    fs::create_directories(path.parent_path());
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

int usage() {
    std::cerr << "usage: kasio-codegen --out <dir> <NN_name.ks | name.ks>... <errors.ks>\n"
                 "       kasio-codegen --check <file.ks>...\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool check = false;
    std::string out_dir;
    std::vector<std::string> inputs;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--check") check = true;
        else if (args[i] == "--out" && i + 1 < args.size()) out_dir = args[++i];
        else if (args[i].rfind("--", 0) == 0) return usage();
        else inputs.push_back(args[i]);
    }
    if (inputs.empty() || (check == !out_dir.empty())) return usage();

    try {
        schema s;
        bool have_errors = false;
        std::sort(inputs.begin(), inputs.end());
        for (const std::string& path : inputs) {
            std::string base = fs::path(path).filename().string();
            if (base == "errors.ks") {
                s.errors = parse_errors(path, read_file(path));
                have_errors = true;
                continue;
            }
            api_def api = parse_api(path, read_file(path));
            for (const api_def& other : s.apis) {
                if (!api.is_data && !other.is_data && other.key == api.key) throw schema_error(path, 1, "api key " + std::to_string(api.key) + " also defined in " + other.file);
                if (other.name == api.name) throw schema_error(path, 1, "api name " + api.name + " also defined in " + other.file);
            }
            api.file = base;
            s.apis.push_back(std::move(api));
        }
        if (check) return 0;
        if (!have_errors) throw schema_error("errors.ks", 0, "errors.ks is missing from the inputs");
        if (std::none_of(s.apis.begin(), s.apis.end(), [](const api_def& a) { return !a.is_data; }))
            throw schema_error("<inputs>", 0, "no API schema files");
        std::sort(s.apis.begin(), s.apis.end(), [](const api_def& a, const api_def& b) {
            if (a.is_data != b.is_data) return b.is_data;
            return a.is_data ? a.name < b.name : a.key < b.key;
        });

        file_map files;
        for (const api_def& api : s.apis) {
            emit_message_header(api, files);
            emit_message_codec(api, files);
            emit_message_testing(api, files);
        }
        emit_tables(s, files);
        emit_errors(s, files);
        for (const auto& [rel, content] : files) write_if_changed(fs::path(out_dir) / rel, content);
        return 0;
    } catch (const schema_error& e) {
        std::cerr << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "kasio-codegen: " << e.what() << '\n';
        return 1;
    }
}
