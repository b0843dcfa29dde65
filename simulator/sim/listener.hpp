// The TCP listener: binds the configured address and accepts connections for the sessions.
#pragma once

#include "server_core.hpp"

#include <memory>

namespace pancake::sim {

/// Binds opts.host:opts.port and starts accepting. Throws system_error if the address is taken.
void start_listener(const std::shared_ptr<server_core>& core);

} // namespace pancake::sim
