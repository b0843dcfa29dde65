// What a client and its calls share: configuration, pages and tokens, limiters, the pool.
#pragma once

#include <pancake/client_config.hpp>
#include <pancake/detail/deadline_queue.hpp>
#include <pancake/endpoints/context.hpp>
#include <pancake/http/connection_pool.hpp>
#include <pancake/http/tls.hpp>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace pancake::detail {

struct client_state {
    client_state(boost::asio::any_io_executor e, client_config c)
        : ex(std::move(e)), cfg(std::move(c)), clk(cfg.clock ? cfg.clock : &real_clock::instance()),
          rng(cfg.jitter_seed ? *cfg.jitter_seed : std::random_device{}()), origin(http::origin::parse(cfg.base_url)),
          timeouts(std::make_shared<deadline_queue>(*clk, ex)) {
        if (!origin) return;
        host_field = origin->host_field();
        auto make = cfg.transport;
        if (!make) {
            if (origin->tls && !cfg.tls) cfg.tls = http::default_tls_context();
            make = [o = *origin, tls = cfg.tls](boost::asio::any_io_executor ex) {
                return http::make_network_connection(std::move(ex), o, tls.get());
            };
        }
        pool.emplace(ex, cfg.pool, std::move(make), *clk);
    }

    boost::asio::any_io_executor ex;
    client_config cfg;
    pancake::clock* clk;
    std::mt19937_64 rng;
    std::optional<http::origin> origin;
    std::string host_field; ///< every request's Host: computed once
    std::optional<http::connection_pool> pool;
    std::shared_ptr<deadline_queue> timeouts; ///< every in-flight attempt's deadline, one clock wait
    std::map<std::string, std::string, std::less<>> tokens;
    std::map<std::string, std::string, std::less<>> platforms; ///< page -> platform (content_ids caps)
    std::map<std::string, std::shared_ptr<rate_limiter>, std::less<>> limiters;
    std::uint64_t retries = 0, rate_limited = 0; ///< client_stats' counters
    std::size_t on_wire = 0;                     ///< requests connecting or exchanging (waiting for a slot included)

    std::shared_ptr<rate_limiter> limiter_for(const std::string& page) {
        auto& l = limiters[page];
        if (!l) l = std::make_shared<rate_limiter>(*clk, cfg.rate_limit);
        return l;
    }

    /// What a descriptor of `page` builds its request from.
    endpoints::context context_for(const page_id& page) const {
        endpoints::context c;
        c.origin = origin ? &*origin : nullptr;
        if (auto t = tokens.find(page.value()); t != tokens.end()) c.token = t->second;
        if (auto p = platforms.find(page.value()); p != platforms.end()) c.platform = p->second;
        return c;
    }
};

} // namespace pancake::detail
