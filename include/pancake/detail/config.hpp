// Build-mode switches. Header-only by default; define PANCAKE_SEPARATE_COMPILATION in every
// translation unit and include <pancake/src.hpp> in exactly one to compile the non-template
// parts once (Boost.MySQL's pattern), which keeps large programs and our tests fast to build.
#pragma once

#include <boost/version.hpp>

#if BOOST_VERSION < 108100
#error "pancake-cpp needs Boost 1.81 or newer (Debian: libboost1.81-dev)"
#endif

#if defined(PANCAKE_SEPARATE_COMPILATION)
#define PANCAKE_DECL
#else
#define PANCAKE_HEADER_ONLY
#define PANCAKE_DECL inline
#endif
