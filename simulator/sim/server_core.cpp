#include "server_core.hpp"

#include "json_file.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

namespace pancake::sim {

server_core::server_core(boost::asio::any_io_executor ex, clock& clk, server_options o)
    : ex(ex), clk(clk), opts(std::move(o)), started(clk.now()), webhooks(ex, clk, opts.webhooks), acceptor(ex),
      accept_pause(ex), model_(opts.seed), faults_(opts.seed),
      journal_(journal_limits{opts.journal_body_cap, opts.max_journal, opts.max_journal_bytes}),
      events_(opts.max_events, opts.max_events_bytes) {
    std::string err;
    if (!webhooks.set_default_url(opts.webhook_url, err))
        throw std::invalid_argument("webhook URL " + opts.webhook_url + ": " + err);
}

std::size_t server_core::sessions() const {
    return static_cast<std::size_t>(
        std::count_if(conns.begin(), conns.end(), [](auto& c) { return !c.second.refusing; }));
}

// Keep-alive connections that have been answered go first: a fresh one is most likely a client
// whose request is already on its way.
bool server_core::evict_idle() {
    for (bool fresh_too : {false, true})
        for (auto it = conns.begin(); it != conns.end(); ++it)
            if (it->second.idle && !it->second.refusing && (it->second.served || fresh_too)) {
                auto close = std::move(it->second.close);
                conns.erase(it);
                close();
                return true;
            }
    return false;
}

void server_core::set_conn(std::uint64_t id, bool idle, std::size_t body_bytes, bool served) {
    if (auto it = conns.find(id); it != conns.end()) {
        it->second.served = it->second.served || served;
        it->second.idle = idle;
        it->second.body_bytes = body_bytes;
    }
}

void server_core::close_all() {
    auto all = std::move(conns);
    conns.clear();
    for (auto& [id, c] : all)
        c.close();
}

void server_core::record(journal_entry e) {
    redactor.note_model(model_); // picks up rotated page tokens (generate_page_access_token)
    journal_.record(std::move(e), since_start(), clk.system_now(), redactor);
}

void server_core::publish(std::vector<emitted_event>& evs) {
    for (auto& e : evs) {
        if (on_event) on_event(e);
        webhooks.deliver(e);
        events_.add(std::move(e));
    }
}

bool server_core::load_fixture(const json::value& fx, std::string& err) {
    // An empty fixture would also become what reset restores: refuse it, as the CLI does.
    auto* o = fx.if_object();
    auto* pages = o ? o->if_contains("pages") : nullptr;
    if (pages && pages->is_array() && pages->as_array().empty()) {
        err = "a fixture needs at least one page";
        return false;
    }
    // A page's own webhook URL ("webhook_url"): checked before anything changes.
    std::vector<std::pair<std::string, std::string>> urls;
    if (pages && pages->is_array())
        for (auto& jp : pages->as_array()) {
            auto* po = jp.if_object();
            auto* u = po ? po->if_contains("webhook_url") : nullptr;
            auto* id = po ? po->if_contains("id") : nullptr;
            if (!u || u->is_null() || !id || !id->is_string()) continue;
            if (!u->is_string()) {
                err = "bad page: webhook_url must be a string";
                return false;
            }
            std::string url(u->as_string());
            if (!webhook_dispatcher::valid_url(url, err)) {
                err = "bad page: webhook_url: " + err;
                return false;
            }
            urls.emplace_back(std::string(id->as_string()), std::move(url));
        }
    if (!model_.load_fixture(fx, err)) return false;
    for (auto& [page, url] : urls)
        webhooks.set_url(page, url, err);
    redactor.note_fixture(fx);
    redactor.note_model(model_);
    return true;
}

bool server_core::restore(const json::value& snap, std::string& err) {
    if (!model_.restore(snap, err)) return false;
    redactor.note_fixture(snap);
    redactor.note_model(model_);
    return true;
}

bool server_core::write_snapshot(std::string& err) {
    if (opts.state_file.empty()) {
        err = "no state file configured";
        return false;
    }
    return write_json_file(opts.state_file, model_.snapshot(), err);
}

bool server_core::start_traffic(const traffic_plan& plan, std::string& err) {
    if (traffic_.running) {
        err = "traffic is already running (DELETE /__sim/traffic stops it)";
        return false;
    }
    if (!model_.find_page(plan.page_id)) {
        err = "unknown page " + plan.page_id;
        return false;
    }
    const auto gen = traffic_.generation + 1;
    traffic_ = traffic_run{plan, generate_traffic(plan), 0, 0, true, gen, since_start(), 0};
    namespace asio = boost::asio;
    // Each message at its time on the server's clock, through the same path as
    // POST /__sim/pages/{page}/messages.
    asio::co_spawn(
        ex,
        [self = shared_from_this(), gen]() -> asio::awaitable<void> {
            const auto start = self->clk.now();
            for (std::size_t i = 0;; ++i) {
                if (self->stopped || self->traffic_.generation != gen) co_return;
                if (i >= self->traffic_.messages.size()) break;
                const auto at = start + std::chrono::duration_cast<clock::duration>(
                                            std::chrono::duration<double>(self->traffic_.messages[i].at_s));
                if (at > self->clk.now())
                    co_await self->clk.async_wait_until(self->ex, at, asio::as_tuple(asio::use_awaitable));
                if (self->stopped || self->traffic_.generation != gen) co_return;
                const auto& m = self->traffic_.messages[i];
                customer_message cm;
                cm.psid = m.psid;
                cm.name = m.name;
                cm.text = m.text;
                auto out = self->model_.inject(self->traffic_.plan.page_id, cm, self->wall_now());
                if (out.resp.status == 200)
                    self->publish(out.events);
                else
                    ++self->traffic_.failed;
                ++self->traffic_.sent;
            }
            self->traffic_.running = false;
            self->traffic_.finished_s = self->since_start();
        },
        asio::detached);
    return true;
}

json::value server_core::traffic_report(bool messages) const {
    const auto& t = traffic_;
    json::object o{{"running", t.running},
                   {"sent", t.sent},
                   {"failed", t.failed},
                   {"remaining", t.messages.size() - t.sent},
                   {"started_s", t.started_s}};
    if (t.generation == 0) return o; // never started
    o["plan"] = to_json(t.plan);
    if (!t.running) o["finished_s"] = t.finished_s;
    if (messages) {
        json::array a;
        for (std::size_t i = 0; i < t.messages.size(); ++i) {
            auto m = to_json(t.messages[i]);
            m.as_object()["sent"] = i < t.sent;
            a.push_back(std::move(m));
        }
        o["messages"] = std::move(a);
    }
    return o;
}

void server_core::stop_traffic() {
    ++traffic_.generation;
    traffic_.running = false;
    traffic_.finished_s = since_start();
}

} // namespace pancake::sim
