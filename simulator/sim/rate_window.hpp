// The per-page rate limit as a window of accepted call times. Pure: the clock reading comes in,
// so tests and the model decide the same way for the same times.
#pragma once

#include <pancake/clock.hpp>

#include <deque>

namespace pancake::sim {

using steady_time = clock::time_point;

/// Admits a call at `now` when fewer than `limit` calls were admitted within the window, and
/// records it. The window is the last second, (now - 1 s, now] (the strictest reading of
/// "5 calls per second"), or with `fixed_window` the whole second `now` falls in. Times that
/// left the window are forgotten. A `limit` <= 0 admits everything and records nothing.
bool admit_call(std::deque<steady_time>& window, steady_time now, int limit, bool fixed_window);

} // namespace pancake::sim
