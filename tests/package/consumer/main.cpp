// Built against an installed kasio: proves the exported package and public headers are usable.
#include <kasio/kasio.hpp>

#include <cctype>
#include <iostream>
#include <string>

int main() {
    kasio::error_code ec = kasio::broker_errc::not_leader_or_follower;
    std::string name = ec.message().substr(0, ec.message().find(':'));
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::cout << "kasio " << kasio::version_string << ": " << name
              << (kasio::is_retriable(ec) ? " retriable" : " not-retriable") << "\n";
    return 0;
}
