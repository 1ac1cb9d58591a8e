#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "cli/table_printer.h"

namespace edgesync {

constexpr int kBarWidth = 30;

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO)),
      started_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Clear(); }

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = label_ + " ";
  if (total > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    int filled = static_cast<int>(fraction * kBarWidth);
    line += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3.0f%% ", fraction * 100);
    line += pct;
    line += HumanBytes(done) + " / " + HumanBytes(total);
  } else {
    line += HumanBytes(done);
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, "  %.1f MB/s", rate / 1e6);
  line += tail;
  if (total > 0 && rate > 0 && done < total) {
    std::snprintf(tail, sizeof tail, "  ETA %.0fs", static_cast<double>(total - done) / rate);
    line += tail;
  } else if (total > 0 && done == 0) {
    std::snprintf(tail, sizeof tail, "  %.0fs", seconds);
    line += tail;
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace edgesync
