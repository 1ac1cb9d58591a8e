// The median the benchmarks report: of the runs that produced a figure, rounded to two
// decimals; -1 when there is none.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace edgesync::testing {

inline double BenchMedian(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : std::round(v[v.size() / 2] * 100) / 100;
}

}  // namespace edgesync::testing
