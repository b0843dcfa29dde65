#include "json_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace pancake::sim {

bool read_json_file(const std::string& path, boost::json::value& out, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "cannot open " + path;
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    out = boost::json::parse(ss.str(), ec);
    if (ec) {
        err = path + ": " + ec.message();
        return false;
    }
    return true;
}

bool write_json_file(const std::string& path, const boost::json::value& v, std::string& err) {
    // Written beside the target and renamed over it, so a crash mid-write leaves the old one.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << boost::json::serialize(v);
        out.flush();
        if (!out) {
            err = "cannot write " + tmp;
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        err = "cannot rename " + tmp + " to " + path;
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

} // namespace pancake::sim
