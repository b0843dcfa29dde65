// pancake-dst: runs the deterministic simulation harness (tests/dst/dst.hpp).
//   pancake-dst --seed N [--trace] [--journal] [--sim-seconds S]
//                                                        one seed; the trace on failure (or always),
//                                                        the journals (request, then delivery)
//   pancake-dst --seeds-file F                           the fixed list (one seed per line, # comments)
//   pancake-dst --random N [--from S]                    N seeds from S (default: drawn, printed)
//   pancake-dst --soak SECONDS                           random seeds until the time is up
// Prints one JSON line per failing seed and a summary line (seeds/min, simulated s per wall s);
// a batch also fails when a fault kind or a required behaviour never fired ("sometimes"). Exit
// codes: 0 all held, 1 an invariant failed, 2 a coverage gap, 64 bad usage.
#include "dst.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

int usage() {
    std::cerr << "usage: pancake-dst (--seed N [--trace] | --seeds-file F | --random N [--from S] | --soak SECONDS)"
                 " [--sim-seconds S] [--no-coverage]\n";
    return 64;
}

std::string quote(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (c == '\n') {
            o += "\\n";
            continue;
        }
        o += c;
    }
    return o + "\"";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::uint64_t> seeds;
    std::uint64_t single = 0, random_n = 0, from = 0;
    bool have_single = false, trace = false, journal = false, have_from = false, coverage = true;
    double soak = 0, sim_seconds = 300;
    std::string file;
    try {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            auto next = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
                return argv[++i];
            };
            if (a == "--seed")
                single = std::stoull(next()), have_single = true;
            else if (a == "--trace")
                trace = true;
            else if (a == "--seeds-file")
                file = next();
            else if (a == "--random")
                random_n = std::stoull(next());
            else if (a == "--from")
                from = std::stoull(next()), have_from = true;
            else if (a == "--soak")
                soak = std::stod(next());
            else if (a == "--sim-seconds")
                sim_seconds = std::stod(next());
            else if (a == "--journal")
                journal = true;
            else if (a == "--no-coverage")
                coverage = false;
            else
                return usage();
        }
    } catch (const std::exception& e) {
        std::cerr << "pancake-dst: " << e.what() << "\n";
        return usage();
    }
    if (have_single) {
        seeds.push_back(single);
        coverage = false;
    }
    if (!file.empty()) {
        std::ifstream in(file);
        if (!in) {
            std::cerr << "pancake-dst: cannot read " << file << "\n";
            return 64;
        }
        for (std::string line; std::getline(in, line);) {
            if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            seeds.push_back(std::stoull(line));
        }
    }
    if (!have_from) from = std::random_device{}() | (std::uint64_t(std::random_device{}()) << 32);
    for (std::uint64_t i = 0; i < random_n; ++i)
        seeds.push_back(from + i);
    if (seeds.empty() && soak <= 0) return usage();
    if (random_n || soak > 0) std::cout << "{\"random_from\":" << from << "}" << std::endl;

    const auto wall0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); };
    std::map<std::string, std::uint64_t> total;
    std::size_t runs = 0, failed = 0;
    double simulated = 0;
    std::uint64_t requests = 0, events = 0;
    auto one = [&](std::uint64_t seed) {
        dst::options o;
        o.seed = seed;
        o.sim_seconds = sim_seconds;
        o.trace = trace;
        auto r = dst::run(o);
        ++runs;
        simulated += r.sim_seconds;
        requests += r.requests;
        events += r.events;
        for (auto& [k, v] : r.coverage)
            total[k] += v;
        if (have_single && trace)
            for (auto& l : r.trace)
                std::cout << l << "\n";
        if (have_single && journal) std::cout << r.journal << "\n";
        if (!r.violations.empty()) {
            ++failed;
            std::cout << "{\"seed\":" << seed << ",\"violations\":[";
            for (std::size_t i = 0; i < r.violations.size(); ++i)
                std::cout << (i ? "," : "") << quote(r.violations[i]);
            std::cout << "],\"swarm\":" << quote(r.swarm) << ",\"replay\":"
                      << quote("pancake-dst --seed " + std::to_string(seed) + " --sim-seconds " +
                               std::to_string(sim_seconds) + " --trace")
                      << "}" << std::endl;
            if (!trace) {
                std::cout << "trace tail (seed " << seed << "):\n";
                const auto n = r.trace.size();
                for (std::size_t i = n > 40 ? n - 40 : 0; i < n; ++i)
                    std::cout << "  " << r.trace[i] << "\n";
            }
        } else if (have_single) {
            std::cout << "{\"seed\":" << seed << ",\"ok\":true,\"journal\":\"" << dst::digest(r.journal)
                      << "\",\"requests\":" << r.requests << ",\"events\":" << r.events
                      << ",\"swarm\":" << quote(r.swarm) << "}" << std::endl;
        }
    };
    for (auto s : seeds)
        one(s);
    for (std::uint64_t s = from + random_n; soak > 0 && elapsed() < soak; ++s)
        one(s);

    const double wall = elapsed();
    std::vector<std::string> gaps;
    if (coverage)
        for (auto& k : dst::required_coverage())
            if (total[k] == 0) gaps.push_back(k);
    std::cout << "{\"runs\":" << runs << ",\"failed\":" << failed << ",\"wall_s\":" << wall
              << ",\"seeds_per_min\":" << (wall > 0 ? runs * 60.0 / wall : 0)
              << ",\"sim_s_per_wall_s\":" << (wall > 0 ? simulated / wall : 0) << ",\"requests\":" << requests
              << ",\"events\":" << events << ",\"coverage\":{";
    bool first = true;
    for (auto& [k, v] : total) {
        std::cout << (first ? "" : ",") << quote(k) << ":" << v;
        first = false;
    }
    std::cout << "},\"coverage_gaps\":[";
    for (std::size_t i = 0; i < gaps.size(); ++i)
        std::cout << (i ? "," : "") << quote(gaps[i]);
    std::cout << "]}" << std::endl;
    if (failed) return 1;
    return gaps.empty() ? 0 : 2;
}
