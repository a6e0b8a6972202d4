// libFuzzer target: the failure-file decoder. Any bytes must decode or be refused with a status,
// never crash, throw, hang or hit undefined behaviour (built with ASan + UBSan); a file that
// decodes must encode and decode back to the same file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scenarios/harness/failure_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = seedbed::DecodeFailureFile(text);
  if (!decoded.ok()) return 0;
  auto again = seedbed::DecodeFailureFile(seedbed::EncodeFailureFile(*decoded));
  if (!again.ok() || again->decisions != decoded->decisions || again->seed != decoded->seed ||
      again->trace_hash != decoded->trace_hash || again->scenario != decoded->scenario)
    std::abort();  // a decoded file must round-trip
  return 0;
}
