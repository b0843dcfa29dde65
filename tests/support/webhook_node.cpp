// A webhook receiver process for the crash test (tests/integration/webhook_crash_test.cpp):
// receiver + durable file intake + processor, on one thread, as an integration would run them.
//
//   pancake_webhook_node JOURNAL EFFECTS INVOCATIONS
//
// Prints the port it listens on (one line on stdout) once it accepts deliveries. Each handled
// event appends its dedupe key to INVOCATIONS (every call of the handler) and, when the key is
// not there yet, to EFFECTS: the idempotent effect file_intake.hpp asks handlers to have. SIGTERM
// stops gracefully (stop accepting, drain, commit, exit 0); the test sends SIGKILL mid-stream.
#include <pancake/webhook.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <set>
#include <unistd.h>

namespace asio = boost::asio;
namespace wh = pancake::webhook;

namespace {

// Appends one line with a single write(): what is written survives the process being killed.
void append_line(int fd, const std::string& line) {
    const std::string rec = line + "\n";
    if (::write(fd, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) {
        std::perror("write");
        std::_Exit(3);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: pancake_webhook_node JOURNAL EFFECTS INVOCATIONS\n";
        return 2;
    }
    try {
        std::set<std::string> applied;
        {
            std::ifstream in(argv[2]);
            for (std::string k; std::getline(in, k);)
                applied.insert(k);
        }
        const int effects = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        const int invocations = ::open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (effects < 0 || invocations < 0) {
            std::perror("open");
            return 3;
        }

        asio::io_context ioc;
        wh::file_intake intake(ioc.get_executor(), argv[1]);
        wh::processor proc(
            ioc.get_executor(), intake,
            [&](const wh::received_event& e, asio::any_completion_handler<void(pancake::error_code)> done) {
                append_line(invocations, e.dedupe_key);
                if (applied.insert(e.dedupe_key).second) append_line(effects, e.dedupe_key);
                // Complete later, as a handler calling an API would: events stay in flight.
                asio::post(ioc, asio::append(std::move(done), pancake::error_code{}));
            });
        wh::receiver rx(ioc.get_executor(), intake);
        rx.start();
        proc.start();

        asio::signal_set signals(ioc, SIGTERM, SIGINT);
        signals.async_wait([&](boost::system::error_code, int) {
            rx.stop();
            proc.async_stop([&] { ioc.stop(); });
        });
        std::cout << rx.port() << std::endl;
        ioc.run();
        std::cerr << "handled " << proc.stats().handled << " duplicates " << proc.stats().duplicates << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pancake_webhook_node: " << e.what() << "\n";
        return 1;
    }
}
