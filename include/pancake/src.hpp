// Separate compilation (Boost.MySQL's pattern): define PANCAKE_SEPARATE_COMPILATION for every
// translation unit (CMake: link pancake::compiled), and include this header in exactly one .cpp
// (pancake::compiled does that for you). The transport and the call driver are then compiled
// once; the headers keep only decoding and token plumbing as templates.
#pragma once

#ifndef PANCAKE_SEPARATE_COMPILATION
#error "include <pancake/src.hpp> only with PANCAKE_SEPARATE_COMPILATION defined"
#endif

#include <pancake/http/impl/connection.ipp>
#include <pancake/impl/call.ipp>
