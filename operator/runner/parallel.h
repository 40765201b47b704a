// Runs fn(0..count-1) on up to `concurrency` threads. The first exception
// stops new items from starting and is rethrown once running ones end.
// Blocks until done.
#pragma once

#include <cstddef>
#include <functional>

namespace sluice::runner {

void forEachParallel(std::size_t count, std::size_t concurrency,
                     const std::function<void(std::size_t)>& fn);

}  // namespace sluice::runner
