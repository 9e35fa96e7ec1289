#include "tracked_members.hpp"

#include "kasio_clients.hpp"

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace kasio::test::kafka {

void close_consumer(consumer& c) {
    const error_code ec = result_of(c.async_close(boost::asio::use_future));
    EXPECT_FALSE(ec) << "close: " << ec.message();
}

tracked_members::~tracked_members() {
    for (auto& [name, m] : members_) close(name);
    io_.stop();
}

consumer& tracked_members::add(const std::string& name, const consumer_config& cfg) {
    auto m = std::make_unique<member>();
    m->c = std::make_unique<consumer>(io_.io().get_executor(), cfg);
    consumer& c = *m->c;
    members_[name] = std::move(m);
    return c;
}

rebalance_listener tracked_members::listener(const std::string& name) {
    rebalance_listener l;
    l.on_assigned = [this, name](const auto& tps) { event(name, "assigned", tps); };
    l.on_revoked = [this, name](const auto& tps) { event(name, "revoked", tps); };
    l.on_lost = [this, name](const auto& tps) { event(name, "lost", tps); };
    return l;
}

void tracked_members::start_polling(const std::string& name) {
    member& m = *members_.at(name);
    m.poll = [this, name, &m] {
        m.c->async_poll([this, name, &m](error_code ec, fetch_batch batch) {
            if (m.stopped || ec == boost::asio::error::operation_aborted) return;
            std::lock_guard lock(mu_);
            if (ec) {
                timeline_.push_back(name + " poll error " + batch.context().describe(ec));
                if (++poll_errors_[name] == 20) return;
            }
            for (const consumer_record& r : batch) read_[{std::string(r.topic), r.partition}].push_back(r.offset);
            cv_.notify_all();
            m.poll();
        });
    };
    m.poll();
}

void tracked_members::close(const std::string& name) {
    member& m = *members_.at(name);
    if (m.stopped) return;
    close_consumer(*m.c);
    m.stopped = true;
    std::lock_guard lock(mu_);
    std::erase_if(owner_, [&](const auto& e) { return e.second == name; });
    timeline_.push_back(name + " closed");
}

bool tracked_members::wait(const std::function<bool()>& pred, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, pred);
}

std::size_t tracked_members::read_count(const std::string& topic) const {
    std::size_t n = 0;
    for (const auto& [k, offsets] : read_) n += k.first == topic ? offsets.size() : 0;
    return n;
}

std::size_t tracked_members::double_ownerships() const {
    std::lock_guard lock(mu_);
    return double_owned_;
}

std::size_t tracked_members::poll_errors(const std::string& name) const {
    std::lock_guard lock(mu_);
    const auto it = poll_errors_.find(name);
    return it == poll_errors_.end() ? 0 : it->second;
}

std::size_t tracked_members::events(const std::string& name) const {
    std::lock_guard lock(mu_);
    const auto it = events_.find(name);
    return it == events_.end() ? 0 : it->second;
}

std::set<tracked_members::tp> tracked_members::owned_by(const std::string& name) const {
    std::lock_guard lock(mu_);
    std::set<tp> out;
    for (const auto& [p, m] : owner_)
        if (m == name) out.insert(p);
    return out;
}

std::string tracked_members::describe() const {
    std::lock_guard lock(mu_);
    std::ostringstream s;
    s << "timeline:\n";
    for (const auto& t : timeline_) s << "  " << t << "\n";
    s << "owners now:";
    for (const auto& [p, m] : owner_) s << " " << p.first << "-" << p.second << "=" << m;
    s << "\nread:";
    for (const auto& [p, offsets] : read_) s << " " << p.first << "-" << p.second << ":" << offsets.size();
    s << "\n";
    return s.str();
}

void tracked_members::event(const std::string& name, const std::string& kind, const std::vector<topic_partition>& tps) {
    std::lock_guard lock(mu_);
    std::string parts;
    ++events_[name];
    for (const auto& t : tps) {
        parts += (parts.empty() ? "" : ",") + t.topic + "-" + std::to_string(t.partition);
        const tp key{t.topic, t.partition};
        const auto it = owner_.find(key);
        if (kind == "assigned") {
            if (it != owner_.end() && it->second != name) {
                ++double_owned_;
                timeline_.push_back("  ^ " + key.first + "-" + std::to_string(key.second) + " still owned by " +
                                    it->second);
            }
            owner_[key] = name;
        } else if (it != owner_.end() && it->second == name) {
            owner_.erase(it);
        }
    }
    timeline_.push_back(name + " " + kind + " [" + parts + "]");
    cv_.notify_all();
}

}  // namespace kasio::test::kafka
