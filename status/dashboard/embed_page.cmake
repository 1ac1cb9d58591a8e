# Script mode (cmake -P): builds the dashboard's single self-contained document and writes it
# as a C array initializer (comma-separated hex bytes) for dashboard_page.cpp to #include.
#   -DSRC_DIR=<syncd/dashboard>  -DOUT=<.../dashboard_page_bytes.inc>
# index.html names its style and script with the two placeholder lines below; each is replaced
# by the file's text inside <style>/<script>. Bytes, not a raw string, so no delimiter in the
# sources can end the literal early.
set(style_tag "<link rel=\"stylesheet\" href=\"style.css\">")
set(script_tag "<script src=\"app.js\"></script>")

file(READ ${SRC_DIR}/index.html page)
file(READ ${SRC_DIR}/style.css style)
file(READ ${SRC_DIR}/app.js script)

foreach(tag "${style_tag}" "${script_tag}")
  string(FIND "${page}" "${tag}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "index.html lacks the placeholder ${tag}")
  endif()
endforeach()
string(TOLOWER "${script}" script_lower)
string(FIND "${script_lower}" "</script" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "app.js contains '</script', which would end the inlined script early")
endif()
string(TOLOWER "${style}" style_lower)
string(FIND "${style_lower}" "</style" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "style.css contains '</style', which would end the inlined style early")
endif()

string(REPLACE "${style_tag}" "<style>\n${style}</style>" page "${page}")
string(REPLACE "${script_tag}" "<script>\n${script}</script>" page "${page}")

# Hex-encode through a temporary file (file(READ ... HEX) reads bytes, not text).
set(tmp ${OUT}.html)
file(WRITE ${tmp} "${page}")
file(READ ${tmp} hex HEX)
file(REMOVE ${tmp})
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT}.tmp "${bytes}\n")
# Only touch OUT when the bytes change, so an unchanged page does not recompile.
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
