// The command line: `pancake [global options] <command> [options] [arguments]`, global options
// allowed anywhere. Boost.Program_options parses the global and the command's options together.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pancake::cli {

namespace po = boost::program_options;

struct global_options {
    std::string page;                                    ///< --page, else $PANCAKE_PAGE_ID
    std::string token_env = "PANCAKE_PAGE_ACCESS_TOKEN"; ///< --token-env: the variable holding the token
    std::string base_url = "https://pages.fm";           ///< --base-url, else $PANCAKE_BASE_URL
    bool json = false;
    bool quiet = false;
    std::optional<double> timeout; ///< --timeout seconds: each call, retries included
};

struct invocation {
    global_options global;
    std::string command;
    po::variables_map vm; ///< the command's own options and arguments
};

struct command_info {
    const char* name;
    const char* synopsis; ///< after "pancake "
    const char* summary;
    void (*add_options)(po::options_description&, po::positional_options_description&);
};

const std::vector<command_info>& commands();

/// Parses argv. Prints the help and returns nullopt for --help / `help` / no arguments; throws
/// failure(exit_usage) for anything it cannot take.
std::optional<invocation> parse_command_line(int argc, char** argv);

} // namespace pancake::cli
