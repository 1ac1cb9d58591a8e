#ifndef EDGESYNC_SYNCD_DASHBOARD_DASHBOARD_PAGE_H_
#define EDGESYNC_SYNCD_DASHBOARD_DASHBOARD_PAGE_H_

#include <string_view>

namespace edgesync {

// The dashboard served at `GET /` of the daemon's HTTP status address: one self-contained
// HTML document (style and script inlined, no external resources) that opens the `/status`
// WebSocket of the same host and renders the feed. The sources are index.html, style.css and
// app.js in this folder; embed_page.cmake inlines them into a byte array at build time.
// The returned view points at static storage: valid for the life of the program, safe to
// read from any thread.
std::string_view DashboardPage();

}  // namespace edgesync

#endif  // EDGESYNC_SYNCD_DASHBOARD_DASHBOARD_PAGE_H_
