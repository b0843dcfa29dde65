// JSON files of the simulator (fixtures, fault plans, state snapshots): read and parsed, or
// written whole so a crash mid-write leaves the previous file intact. Errors name the file.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace pancake::sim {

/// Reads and parses `path`; false and `err` ("cannot open …", "PATH: parse error") on failure.
bool read_json_file(const std::string& path, boost::json::value& out, std::string& err);

/// Writes `v` to `path` through a temporary file beside it and a rename.
bool write_json_file(const std::string& path, const boost::json::value& v, std::string& err);

} // namespace pancake::sim
