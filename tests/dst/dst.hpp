// Deterministic simulation testing (FoundationDB's simulator, TigerBeetle's VOPR): the client,
// the simulator, its webhook delivery, our receiver and processor, and a workload (the seed
// article's workflow) on one thread, one io_context, in-memory streams and the virtual clock.
// One 64-bit seed picks the fault mix (swarm testing: which kinds are on, how often), the
// workload and every timing, so a run is a pure function of its seed: a failure replays with
// `pancake-dst --seed N --trace`. Each run ends with the invariants checked against the
// simulator's state (the oracle); a batch adds the "sometimes" checks (every fault kind fired).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dst {

struct options {
    std::uint64_t seed = 1;
    double sim_seconds = 300; ///< how long the workload issues operations (then it settles)
    bool trace = false;       ///< keep every trace line (else only the last few, for a failure)
    /// Self-test of the harness: the processor forgets what it has seen (no dedupe), so a
    /// duplicate delivery reaches the handler; the run must then report a double apply.
    bool sabotage_dedupe = false;
};

struct result {
    std::uint64_t seed = 0;
    std::vector<std::string> violations; ///< empty: every invariant held
    std::vector<std::string> trace;      ///< what happened, in order (the tail unless options::trace)
    std::string swarm;                   ///< the fault mix this seed chose
    /// The simulator's request journal and the webhook delivery journal, serialized: same seed,
    /// same bytes.
    std::string journal;
    /// "sometimes" counters: fault kinds fired (fault.<kind>), client retries, outcome_unknown,
    /// webhook duplicates suppressed, reordered deliveries, 503s from the receiver, …
    std::map<std::string, std::uint64_t> coverage;
    double sim_seconds = 0; ///< simulated time the run took, settling included
    std::uint64_t requests = 0, events = 0, operations = 0;
};

result run(const options& o);

/// Which coverage counters a batch must see at least once, whatever the seeds.
const std::vector<std::string>& required_coverage();

/// "fnv1a:0123456789abcdef" of a run's journal.
std::string digest(const std::string& journal);

} // namespace dst
