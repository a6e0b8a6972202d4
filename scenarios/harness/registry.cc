#include <algorithm>

#include "scenarios/harness/scenario.h"

namespace seedbed {

bool ScenarioInfo::failing(const std::string& variant) const {
  return std::find(failing_variants.begin(), failing_variants.end(), variant) != failing_variants.end();
}

std::vector<std::string> ScenarioInfo::ExpectedInvariants(const std::string& variant) const {
  if (!failing(variant)) return {};
  auto it = expected_invariants.find(variant);
  return it == expected_invariants.end() ? std::vector<std::string>{} : it->second;
}

Registry& Registry::Get() {
  static Registry* registry = new Registry();  // never destroyed: used from static init
  return *registry;
}

void Registry::Add(ScenarioFactory factory) {
  std::string name = factory()->info().name;
  auto at = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const auto& entry, const std::string& n) { return entry.first < n; });
  if (at != entries_.end() && at->first == name) {
    at->second = std::move(factory);  // a later registration of the same name wins
    return;
  }
  entries_.insert(at, {std::move(name), std::move(factory)});
}

std::vector<ScenarioInfo> Registry::List() const {
  std::vector<ScenarioInfo> out;
  for (const auto& [name, factory] : entries_) out.push_back(factory()->info());
  return out;
}

std::unique_ptr<Scenario> Registry::Make(const std::string& name) const {
  for (const auto& [n, factory] : entries_)
    if (n == name) return factory();
  return nullptr;
}

bool Registry::Has(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == name; });
}

}  // namespace seedbed
