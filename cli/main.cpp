// pancake: the operator CLI. Parses the command line, sets up one client for the page, runs the
// command as a coroutine, maps its outcome onto an exit code (exit_codes.hpp).
#include "commands.hpp"
#include "exit_codes.hpp"
#include "options.hpp"
#include "output.hpp"

#include <pancake/diagnostics.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace asio = boost::asio;
using namespace pancake;
using namespace pancake::cli;

int main(int argc, char** argv) {
    bool json_hint = false; // before parsing: usage errors follow --json too
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--json") == 0) json_hint = true;

    std::optional<invocation> inv;
    try {
        inv = parse_command_line(argc, argv);
    } catch (const failure& f) {
        output(json_hint, false).error(f.code(), f.what());
        return f.code();
    }
    if (!inv) return exit_ok; // help printed
    const auto& g = inv->global;
    output out(g.json, g.quiet);

    const char* token = std::getenv(g.token_env.c_str());
    if (!token || !*token) {
        out.error(exit_auth,
                  "no page access token: set " + g.token_env + " (or name another variable with --token-env)");
        return exit_auth;
    }
    out.set_secret(token);

    client_config cfg;
    cfg.base_url = g.base_url;
    if (g.timeout) {
        const auto ms = std::chrono::milliseconds(static_cast<long long>(*g.timeout * 1000.0));
        cfg.request_timeout = ms;
        cfg.call_timeout = ms;
    }
    asio::io_context ioc;
    client api(ioc.get_executor(), cfg);
    const page_id page(g.page);
    api.add_page(page, token);

    workflow::directory_options dopts;
    dopts.accents = text::accent_mode::insensitive; // "dat hang" finds "Đặt hàng"; an exact match wins
    session s{
        api, page, out, *inv, workflow::tag_directory(api, page, dopts), workflow::staff_directory(api, page, dopts),
        {}};

    // SIGINT/SIGTERM: a long job that can stop cleanly is told to (its summary and exit code 6
    // follow); anything else, or a second signal, ends the process now with 6.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    std::function<void(const error_code&, int)> on_signal = [&](const error_code& ec, int) {
        if (ec) return;
        if (s.on_interrupt) {
            auto stop = std::move(s.on_interrupt);
            s.on_interrupt = nullptr;
            stop();
            signals.async_wait(on_signal);
            return;
        }
        std::cout << std::flush;
        out.error(exit_interrupted, "interrupted");
        std::_Exit(exit_interrupted);
    };
    signals.async_wait(on_signal);

    int rc = exit_ok;
    asio::co_spawn(ioc, run_command(s), [&](std::exception_ptr e, int result) {
        signals.cancel();
        rc = result;
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const failure& f) {
            out.error(f.code(), f.what(), f.http_status());
            rc = f.code();
        } catch (const error_with_diagnostics& x) {
            rc = exit_code_for(x.code(), &x.get_diagnostics());
            out.error(rc, x.code().message() + " (" + x.get_diagnostics().to_string() + ")",
                      x.get_diagnostics().http_status());
        } catch (const std::exception& x) {
            rc = exit_api;
            out.error(rc, x.what());
        }
    });
    ioc.run();
    return rc;
}
