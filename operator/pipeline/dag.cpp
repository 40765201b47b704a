// Step graph (see dag.h). Edges are stored both ways so ancestors and
// descendants are plain breadth-first walks.
#include "dag.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <queue>

#include "expression.h"
#include "step_fields.h"

namespace sluice::pipeline {
namespace {

const std::set<std::string>& emptySet() {
  static const std::set<std::string> empty;
  return empty;
}

std::set<std::string> walk(const std::map<std::string, std::set<std::string>>& edges, const std::string& from) {
  std::set<std::string> seen;
  std::deque<std::string> todo{from};
  while (!todo.empty()) {
    auto it = edges.find(todo.front());
    todo.pop_front();
    if (it == edges.end()) continue;
    for (const auto& next : it->second) {
      if (next != from && seen.insert(next).second) todo.push_back(next);
    }
  }
  return seen;
}

}  // namespace

Dag Dag::build(const PipelineSpec& spec) {
  Dag d;
  for (const auto& s : spec.steps) {
    if (d.deps_.count(s.name)) continue;  // duplicate name: the validator reports it
    d.order_.push_back(s.name);
    d.deps_[s.name];
    d.dependents_[s.name];
  }
  auto addEdge = [&d](const std::string& from, const std::string& to) {
    if (!d.has(from) || !d.has(to)) return;
    d.deps_[to].insert(from);
    d.dependents_[from].insert(to);
  };
  for (const auto& s : spec.steps) {
    for (const auto& dep : s.dependsOn) addEdge(dep, s.name);
    forEachExpressionField(s, [&](const std::string&, const std::string& text) {
      auto refs = findReferences(text);
      if (auto* list = std::get_if<std::vector<ExprRef>>(&refs)) {
        for (const auto& r : *list) {
          if (r.kind == RefKind::StepOutput || r.kind == RefKind::StepProperty) addEdge(r.step, s.name);
        }
      }
    });
    if (s.condition) {
      for (const auto& b : s.condition->ifSteps) addEdge(s.name, b);
      for (const auto& b : s.condition->elseSteps) addEdge(s.name, b);
    }
  }
  return d;
}

const std::set<std::string>& Dag::dependencies(const std::string& step) const {
  auto it = deps_.find(step);
  return it == deps_.end() ? emptySet() : it->second;
}

const std::set<std::string>& Dag::dependents(const std::string& step) const {
  auto it = dependents_.find(step);
  return it == dependents_.end() ? emptySet() : it->second;
}

std::set<std::string> Dag::ancestors(const std::string& step) const { return walk(deps_, step); }
std::set<std::string> Dag::descendants(const std::string& step) const { return walk(dependents_, step); }

// Depth-first search in spec order along dependency -> dependent edges; the
// first back edge closes a cycle. The path reads in run order: "A -> B -> A"
// means B depends on A and A on B; it starts at the member earliest in spec
// order.
std::optional<std::vector<std::string>> Dag::findCycle() const {
  enum Color { White, Grey, Black };
  std::map<std::string, Color> color;
  std::vector<std::string> stack;
  std::optional<std::vector<std::string>> found;

  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    color[n] = Grey;
    stack.push_back(n);
    for (const auto& next : dependents(n)) {
      if (color[next] == Grey) {
        auto start = std::find(stack.begin(), stack.end(), next);
        std::vector<std::string> cycle(start, stack.end());
        // Start the path at the member earliest in spec order, so the same
        // cycle is always reported the same way whatever the walk order.
        auto specIndex = [this](const std::string& s) {
          return std::find(order_.begin(), order_.end(), s) - order_.begin();
        };
        auto first = std::min_element(cycle.begin(), cycle.end(), [&](const std::string& a, const std::string& b) {
          return specIndex(a) < specIndex(b);
        });
        std::rotate(cycle.begin(), first, cycle.end());
        cycle.push_back(cycle.front());
        found = std::move(cycle);
        return true;
      }
      if (color[next] == White && visit(next)) return true;
    }
    stack.pop_back();
    color[n] = Black;
    return false;
  };
  for (const auto& n : order_) {
    if (color[n] == White && visit(n)) return found;
  }
  return std::nullopt;
}

// Kahn's algorithm; among ready steps the earliest in spec order goes first,
// so the order is stable under unrelated edits.
std::optional<std::vector<std::string>> Dag::topologicalOrder() const {
  std::map<std::string, size_t> index, pending;
  for (size_t i = 0; i < order_.size(); ++i) {
    index[order_[i]] = i;
    pending[order_[i]] = dependencies(order_[i]).size();
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < order_.size(); ++i) {
    if (pending[order_[i]] == 0) ready.push(i);
  }
  std::vector<std::string> out;
  while (!ready.empty()) {
    const std::string& n = order_[ready.top()];
    ready.pop();
    out.push_back(n);
    for (const auto& next : dependents(n)) {
      if (--pending[next] == 0) ready.push(index[next]);
    }
  }
  if (out.size() != order_.size()) return std::nullopt;
  return out;
}

std::set<std::string> Dag::stepsBetween(const std::string& a, const std::string& b) const {
  std::set<std::string> down = descendants(a), up = ancestors(b), out;
  for (const auto& n : down) {
    if (up.count(n) && n != a && n != b) out.insert(n);
  }
  return out;
}

}  // namespace sluice::pipeline
