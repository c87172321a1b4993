# Turns policy/presets/*.conf into a C table compiled into the binary, so a
# preset is never read from a file at run time (no path to trust or race).
# Invoked as: cmake -DOUT=file.c -DFILES="a.conf|b.conf" -P embed_presets.cmake
set(body "/* Generated from policy/presets by cmake/embed_presets.cmake. */\n#include \"preset.h\"\n\n")
set(table "const struct mg_preset mg_presets[] = {\n")
string(REPLACE "|" ";" FILES "${FILES}")
set(i 0)
foreach(f IN LISTS FILES)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "static const char preset_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "\t{ \"${name}\", preset_${i}, sizeof(preset_${i}) - 1 },\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND table "\t{ NULL, NULL, 0 },\n};\n")
file(WRITE "${OUT}.tmp" "${body}\n${table}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
