// Replays fuzz inputs without libFuzzer: the GCC build runs each target over its seed corpus and
// its regression reproducers, so a fixed crash stays fixed in the ordinary test run.
// Usage: <target> PATH... (a directory means every regular file in it, in name order).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy in an exact-size heap buffer, as libFuzzer gives it: overreads stay detectable.
    auto* buf = new std::uint8_t[bytes.size() + 1];
    std::copy(bytes.begin(), bytes.end(), buf);
    LLVMFuzzerTestOneInput(buf, bytes.size());
    delete[] buf;
}

} // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::size_t ran = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::vector<fs::path> files;
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (const auto& e : fs::directory_iterator(arg, ec))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
        } else if (fs::is_regular_file(arg, ec)) {
            files.push_back(arg);
        } else {
            // A missing regressions directory just has no reproducers yet.
            std::fprintf(stderr, "replay: skipping %s (not found)\n", argv[i]);
        }
        for (const auto& f : files) {
            run_file(f);
            ++ran;
        }
    }
    std::printf("replay: %zu inputs ran\n", ran);
    // No input at all means a wrong path, not a pass.
    return ran == 0 ? 1 : 0;
}
