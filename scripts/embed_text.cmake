# scripts/embed_text.cmake — turns a text file (the admin API's status page) into a C++ source
# defining `const std::string_view <NAME>` with its contents, at build time:
#   cmake -DINPUT=http/status_page.html -DOUTPUT=.../status_page_html.cpp -DNAME=kStatusPageHtml
#         -DHEADER=http/status_page.h -P scripts/embed_text.cmake
file(READ "${INPUT}" content)
set(delimiter "BASALT_EMBED")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${input_name} by scripts/embed_text.cmake at build time; do not edit.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace basalt::http {\n\n"
  "const std::string_view ${NAME} = R\"${delimiter}(${content})${delimiter}\";\n\n"
  "}  // namespace basalt::http\n")
# Only a changed page rebuilds the object file.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
