// The one translation unit that compiles pancake-cpp's non-template parts, for
// PANCAKE_SEPARATE_COMPILATION builds (the pancake::compiled CMake target).
#include <pancake/src.hpp>
