#include "scenarios/harness/json_fields.h"

#include <cmath>

#include "fmt/format.h"

namespace seedbed::json_fields {
namespace {

absl::Status Bad(std::string_view name, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("field '{}' {}", name, what));
}

}  // namespace

absl::StatusOr<json> Parse(std::string_view text, int max_depth) {
  bool too_deep = false;
  // The callback sees each value as it starts; returning false at the limit discards it, and the
  // flag turns the (then partial) document into an error.
  json::parser_callback_t limit = [&too_deep, max_depth](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth)
      too_deep = true;
    return !too_deep;
  };
  json j = json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/false);
  if (too_deep)
    return absl::InvalidArgumentError(fmt::format("JSON nested deeper than {} levels", max_depth));
  if (j.is_discarded()) return absl::InvalidArgumentError("corrupt or truncated JSON");
  return j;
}

absl::StatusOr<uint64_t> UintValue(const json& value, std::string_view name, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (value.is_number_unsigned()) {
    v = value.get<uint64_t>();
  } else if (value.is_number_integer()) {
    int64_t s = value.get<int64_t>();
    if (s < 0) return Bad(name, fmt::format("is {}: expected a non-negative integer", s));
    v = static_cast<uint64_t>(s);
  } else {
    return Bad(name, "is not an integer");
  }
  if (v < min || v > max) return Bad(name, fmt::format("is {}: expected {}..{}", v, min, max));
  return v;
}

absl::StatusOr<int64_t> IntValue(const json& value, std::string_view name, int64_t min, int64_t max) {
  int64_t v = 0;
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return Bad(name, fmt::format("is {}: expected {}..{}", u, min, max));
    v = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    v = value.get<int64_t>();
  } else {
    return Bad(name, "is not an integer");
  }
  if (v < min || v > max) return Bad(name, fmt::format("is {}: expected {}..{}", v, min, max));
  return v;
}

absl::StatusOr<double> DoubleValue(const json& value, std::string_view name, double min, double max) {
  if (!value.is_number()) return Bad(name, "is not a number");
  double v = value.get<double>();
  if (!std::isfinite(v) || v < min || v > max) return Bad(name, fmt::format("is {}: expected {}..{}", v, min, max));
  return v;
}

absl::StatusOr<std::string> StringValue(const json& value, std::string_view name) {
  if (!value.is_string()) return Bad(name, "is not a string");
  return value.get<std::string>();
}

absl::StatusOr<bool> BoolValue(const json& value, std::string_view name) {
  if (!value.is_boolean()) return Bad(name, "is not true or false");
  return value.get<bool>();
}

absl::StatusOr<const json*> Member(const json& object, std::string_view prefix, std::string_view key) {
  if (!object.is_object())
    return absl::InvalidArgumentError(
        fmt::format("'{}' is not an object", prefix.empty() ? "the document" : prefix.substr(0, prefix.size() - 1)));
  auto it = object.find(std::string(key));
  if (it == object.end()) return absl::InvalidArgumentError(fmt::format("missing field '{}{}'", prefix, key));
  return &*it;
}

#define SEEDBED_MEMBER_OR_RETURN_(var)                          \
  absl::StatusOr<const json*> var = Member(object, prefix, key); \
  if (!var.ok()) return var.status()

absl::StatusOr<uint64_t> Uint(const json& object, std::string_view prefix, std::string_view key, uint64_t min,
                              uint64_t max) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  return UintValue(**m, fmt::format("{}{}", prefix, key), min, max);
}

absl::StatusOr<int64_t> Int(const json& object, std::string_view prefix, std::string_view key, int64_t min,
                            int64_t max) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  return IntValue(**m, fmt::format("{}{}", prefix, key), min, max);
}

absl::StatusOr<double> Double(const json& object, std::string_view prefix, std::string_view key, double min,
                              double max) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  return DoubleValue(**m, fmt::format("{}{}", prefix, key), min, max);
}

absl::StatusOr<std::string> String(const json& object, std::string_view prefix, std::string_view key) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  return StringValue(**m, fmt::format("{}{}", prefix, key));
}

absl::StatusOr<bool> Bool(const json& object, std::string_view prefix, std::string_view key) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  return BoolValue(**m, fmt::format("{}{}", prefix, key));
}

absl::StatusOr<const json*> Object(const json& object, std::string_view prefix, std::string_view key) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  if (!(*m)->is_object()) return Bad(fmt::format("{}{}", prefix, key), "is not an object");
  return m;
}

absl::StatusOr<const json*> Array(const json& object, std::string_view prefix, std::string_view key) {
  SEEDBED_MEMBER_OR_RETURN_(m);
  if (!(*m)->is_array()) return Bad(fmt::format("{}{}", prefix, key), "is not an array");
  return m;
}

#undef SEEDBED_MEMBER_OR_RETURN_

}  // namespace seedbed::json_fields
