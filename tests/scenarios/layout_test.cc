// The source layout (README "Layout"): every folder of sim/, model/, faults/, scenarios/ and
// reports/ is one concept, and the folders' #include graph has no cycle, so each folder can be read,
// built and tested on top of the ones it names. A cycle names the folders and one include per edge.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "catch2/catch.hpp"

namespace fs = std::filesystem;

namespace {

struct Edge {
  std::string from_file;  // the first include seen for this edge, for the message
  std::string header;
};

// Folder (relative to the source root) -> folder it includes -> one include that makes the edge.
using FolderGraph = std::map<std::string, std::map<std::string, Edge>>;

FolderGraph ReadGraph(const fs::path& root) {
  FolderGraph graph;
  const std::regex include_line(R"re(^\s*#\s*include\s+"([^"]+)")re");
  for (const char* top : {"sim", "model", "faults", "scenarios", "reports"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
      const std::string name = entry.path().filename().string();
      if (name.ends_with("_test.cc")) continue;
      const std::string folder = fs::relative(entry.path().parent_path(), root).generic_string();
      std::ifstream in(entry.path());
      std::string line;
      std::smatch m;
      while (std::getline(in, line)) {
        if (!std::regex_search(line, m, include_line)) continue;
        const fs::path header = m[1].str();
        if (!fs::exists(root / header)) continue;  // a library's header (absl/, fmt/...), or generated
        const std::string to = header.parent_path().generic_string();
        if (to == folder) continue;
        graph[folder].try_emplace(to, Edge{fs::relative(entry.path(), root).generic_string(), header.generic_string()});
      }
    }
  }
  return graph;
}

// A cycle through the graph, as folders a -> b -> ... -> a; empty when there is none.
std::vector<std::string> FindCycle(const FolderGraph& graph) {
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::vector<std::string> path, cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& f) {
    state[f] = 1;
    path.push_back(f);
    if (auto it = graph.find(f); it != graph.end()) {
      for (const auto& [to, edge] : it->second) {
        if (state[to] == 1) {
          cycle.assign(std::find(path.begin(), path.end(), to), path.end());
          cycle.push_back(to);
          return true;
        }
        if (state[to] == 0 && visit(to)) return true;
      }
    }
    path.pop_back();
    state[f] = 2;
    return false;
  };
  for (const auto& [f, edges] : graph)
    if (state[f] == 0 && visit(f)) break;
  return cycle;
}

}  // namespace

TEST_CASE("layout: the source folders include each other without a cycle") {
  const FolderGraph graph = ReadGraph(SEEDBED_SOURCE_DIR);
  REQUIRE(graph.size() >= 10);  // read the tree: scenarios/ alone has eight folders
  const std::vector<std::string> cycle = FindCycle(graph);
  std::string story;
  for (size_t i = 0; i + 1 < cycle.size(); ++i) {
    const Edge& e = graph.at(cycle[i]).at(cycle[i + 1]);
    story += cycle[i] + " -> " + cycle[i + 1] + " (" + e.from_file + " includes " + e.header + ")\n";
  }
  INFO(story);
  CHECK(cycle.empty());
}

TEST_CASE("layout: the checker finds a cycle when there is one") {
  FolderGraph graph;
  graph["reports"]["scenarios/harness"] = {"reports/html.cc", "scenarios/harness/runner.h"};
  graph["scenarios/harness"]["scenarios/cli"] = {"scenarios/harness/x.cc", "scenarios/cli/commands.h"};
  graph["scenarios/cli"]["reports"] = {"scenarios/cli/commands.cc", "reports/reports.h"};
  const std::vector<std::string> cycle = FindCycle(graph);
  REQUIRE(cycle.size() == 4);
  CHECK(cycle.front() == cycle.back());
  graph["scenarios/harness"].erase("scenarios/cli");
  CHECK(FindCycle(graph).empty());
}

TEST_CASE("layout: scenarios/ keeps no source file at its top, only one-concept folders") {
  std::vector<std::string> loose;
  for (const auto& entry : fs::directory_iterator(fs::path(SEEDBED_SOURCE_DIR) / "scenarios"))
    if (entry.is_regular_file()) loose.push_back(entry.path().filename().string());
  INFO("files directly in scenarios/: " << loose.size());
  for (const auto& f : loose) INFO(f);
  CHECK(loose.empty());
}
