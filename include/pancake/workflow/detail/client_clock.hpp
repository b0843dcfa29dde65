// The clock a client waits on (client_config::clock, or the real one when none is set): what the
// workflow's TTLs are measured on, so that virtual time moves them with everything else.
#pragma once

#include <pancake/client.hpp>
#include <pancake/clock.hpp>

namespace pancake::workflow::detail {

inline pancake::clock& clock_of(const client& api) {
    return api.config().clock ? *api.config().clock : real_clock::instance();
}

} // namespace pancake::workflow::detail
