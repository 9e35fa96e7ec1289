#include "mock_process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace kasio::soak {

namespace {

std::string read_line(std::FILE* f) {
    std::string line;
    for (int c; (c = std::fgetc(f)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
    return line;
}

}  // namespace

mock_process::mock_process(const std::string& program, const std::vector<std::string>& args) {
    int in[2];
    int out[2];
    if (pipe(in) != 0) throw std::runtime_error("mock_process: pipe failed");
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        throw std::runtime_error("mock_process: pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        throw std::runtime_error("mock_process: cannot start " + program);
    }
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
    const std::string first = read_line(from_);
    const std::string prefix = "BOOTSTRAP ";
    if (first.rfind(prefix, 0) != 0) {
        shutdown();
        throw std::runtime_error("mock_process: " + program + " said '" + first + "'");
    }
    bootstrap_ = first.substr(prefix.size());
}

mock_process::~mock_process() { shutdown(); }

void mock_process::shutdown() {
    if (to_ != nullptr) {
        std::fputs("quit\n", to_);
        std::fclose(to_);
        to_ = nullptr;
    }
    if (from_ != nullptr) {
        std::fclose(from_);
        from_ = nullptr;
    }
    if (pid_ > 0) {
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }
}

bool mock_process::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;  // reaped
    return false;
}

std::string mock_process::command(const std::string& line) {
    if (std::fputs((line + "\n").c_str(), to_) == EOF || std::fflush(to_) != 0)
        return "ERR pipe to the mock closed";
    const std::string reply = read_line(from_);
    if (reply == "OK") return {};
    return reply.empty() ? std::string("ERR no reply from the mock") : reply;
}

}  // namespace kasio::soak
