// libFuzzer target: the campaign-report decoder (campaign.json, what `seedbed merge` reads). Any
// bytes must decode or be refused with a status, never crash, throw, hang or hit undefined
// behaviour (built with ASan + UBSan).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scenarios/campaign/campaign_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = seedbed::DecodeCampaignReport(text);
  if (decoded.ok() && decoded->options.cells.size() != decoded->result.cells.size())
    std::abort();  // every cell read is a cell of the campaign
  return 0;
}
