// pancake-cpp: everything.
#pragma once

#include <pancake/client.hpp>
#include <pancake/clock.hpp>
#include <pancake/diagnostics.hpp>
#include <pancake/error.hpp>
#include <pancake/ids.hpp>
#include <pancake/json.hpp>
#include <pancake/paging.hpp>
#include <pancake/rate_limiter.hpp>
#include <pancake/retry_policy.hpp>
#include <pancake/types.hpp>
#include <pancake/with_diagnostics.hpp>
