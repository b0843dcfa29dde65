// What the tag and staff directories share: how long a listing is trusted, and how names are
// compared.
#pragma once

#include <pancake/clock.hpp>
#include <pancake/text/fold.hpp>

#include <chrono>

namespace pancake::workflow {

struct directory_options {
    /// A listing older than this is fetched again at the next lookup. Measured on the client's
    /// clock (client_config::clock), so virtual time moves it too. Tags and staff change by hand
    /// in the dashboard, rarely: an hour keeps a busy bot at one listing per hour, and
    /// invalidate() is there for a change the caller knows about.
    pancake::clock::duration ttl = std::chrono::hours(1);
    /// Names are always compared case- and normalisation-insensitively (NFC + case fold).
    /// `insensitive` also ignores accents ("dat hang" finds "Đặt hàng"); an exact match still
    /// wins, so "Giá" finds "Giá" beside a "Gia", and only an accent-less name that fits both
    /// is ambiguous.
    text::accent_mode accents = text::accent_mode::sensitive;
};

} // namespace pancake::workflow
