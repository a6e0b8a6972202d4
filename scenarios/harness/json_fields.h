// Strict reading of JSON documents that come from files a user may have edited, truncated or
// fuzzed (failure files, campaign reports): each accessor checks that the field is there, has the
// right JSON type and lies in range, and returns a Status naming the field. Nothing throws, no
// float is ever converted to an integer, and nesting is bounded. Never yields.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace seedbed::json_fields {

using nlohmann::json;

// Deepest nesting a document may have: the formats need 4 levels; the limit keeps the recursive
// dump() (checksums) and destructors off a deep stack.
inline constexpr int kMaxDepth = 32;

// kInvalidArgument "corrupt or truncated JSON" / "nested deeper than N levels".
absl::StatusOr<json> Parse(std::string_view text, int max_depth = kMaxDepth);

// `name` labels the field in messages ("cells[2].seeds"). The value forms check a value already
// found; the object forms look `key` up in `object` first (missing: "missing field ...").
absl::StatusOr<uint64_t> UintValue(const json& value, std::string_view name, uint64_t min = 0,
                                   uint64_t max = std::numeric_limits<uint64_t>::max());
absl::StatusOr<int64_t> IntValue(const json& value, std::string_view name,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max());
// Any JSON number (integers too), finite, within [min, max].
absl::StatusOr<double> DoubleValue(const json& value, std::string_view name, double min, double max);
absl::StatusOr<std::string> StringValue(const json& value, std::string_view name);
absl::StatusOr<bool> BoolValue(const json& value, std::string_view name);

// The member `key` of `object` (which must be an object), or an error naming `prefix` + key.
absl::StatusOr<const json*> Member(const json& object, std::string_view prefix, std::string_view key);

absl::StatusOr<uint64_t> Uint(const json& object, std::string_view prefix, std::string_view key,
                              uint64_t min = 0, uint64_t max = std::numeric_limits<uint64_t>::max());
absl::StatusOr<int64_t> Int(const json& object, std::string_view prefix, std::string_view key,
                            int64_t min = std::numeric_limits<int64_t>::min(),
                            int64_t max = std::numeric_limits<int64_t>::max());
absl::StatusOr<double> Double(const json& object, std::string_view prefix, std::string_view key, double min,
                              double max);
absl::StatusOr<std::string> String(const json& object, std::string_view prefix, std::string_view key);
absl::StatusOr<bool> Bool(const json& object, std::string_view prefix, std::string_view key);
// The member, which must be a JSON object (Array: an array).
absl::StatusOr<const json*> Object(const json& object, std::string_view prefix, std::string_view key);
absl::StatusOr<const json*> Array(const json& object, std::string_view prefix, std::string_view key);

}  // namespace seedbed::json_fields
